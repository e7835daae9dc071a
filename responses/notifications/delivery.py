"""Delivering e-mail: an outbox message or an invitation, sent once (the tasks call these).

An e-mail that forwards sections may carry the authority's offline workbook; it is built here,
when the e-mail is sent, so that it holds the answers and their versions of that moment.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from ..invitations.links import invitation_email
from ..models import Authority, CountryReturn, Invitation, Membership, OutboundEmail
from ..offline.download import emailed_workbook


def _attachments(
    country_return: CountryReturn | None, authority: Authority | None, sent_to: str
) -> list[tuple[str, bytes, str]]:
    if country_return is None or authority is None:
        return []
    attachment = emailed_workbook(country_return, authority, sent_to=sent_to)
    return [attachment] if attachment else []


def deliver_outbound_email(email_id: int) -> None:
    """Send an outbox e-mail unless it was sent already (safe to retry, never sends twice)."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "workbook_return__round", "workbook_return__country", "workbook_authority"
            )
            .filter(pk=email_id, sent_at__isnull=True)
            .first()
        )
        if email is None:
            return
        email.attempts += 1
        # The message object escapes headers; the subject never carries user input unchecked.
        EmailMessage(
            email.subject,
            email.body,
            settings.DEFAULT_FROM_EMAIL,
            [email.to],
            attachments=_attachments(email.workbook_return, email.workbook_authority, email.to),
        ).send()
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
        attachments = []
        if invitation.attach_workbook and invitation.role == Membership.Role.RESPONDENT:
            attachments = _attachments(
                invitation.country_return, invitation.authority, invitation.email
            )
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email], attachments=attachments
        ).send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
