"""Delivering e-mail: an outbox message or an invitation, sent once (the tasks call these)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from ..invitations.links import invitation_email
from ..models import Invitation, OutboundEmail


def deliver_outbound_email(email_id: int) -> None:
    """Send an outbox e-mail unless it was sent already (safe to retry, never sends twice)."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return
        email.attempts += 1
        # The message object escapes headers; the subject never carries user input unchecked.
        EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at", "attempts"])


def deliver_invitation(invitation_id: int) -> None:
    """Send an invitation's e-mail unless it was sent, used or revoked (never sends twice)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True)
            .select_related("country_return__country", "country_return__round", "authority")
            .unsent()
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return
        subject, body = invitation_email(invitation)
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
