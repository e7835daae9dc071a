"""Invitation links: the token derived from the key, its stored hash, the link and its e-mail.

The link's token is never stored, passed to Celery or logged. It is derived when needed as
urlsafe-base64(HMAC-SHA256(SECRET_KEY, "invitation:<pk>:<salt>")), so the e-mail task rebuilds it
from the invitation's primary key; the database keeps only its SHA-256 hash.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultation.text_direction import isolate_strings

from ..exceptions import InvitationRefused
from ..models import Assignment, Invitation, Membership


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def derive_token(pk: int, salt: str) -> str:
    """The token of the invitation with this primary key and salt (never stored)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"invitation:{pk}:{salt}".encode(), hashlib.sha256
    ).digest()
    # Without the "=" padding, which some mail clients cut off the end of a link.
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _current_token(invitation: Invitation) -> str:
    """The invitation's token, derived again; re-keyed if SECRET_KEY changed before sending."""
    token = derive_token(invitation.pk, invitation.salt)
    token_hash = hash_token(token)
    if token_hash != invitation.token_hash:
        if invitation.sent_at is not None:
            # A link already in someone's mailbox must keep working: never change its hash.
            raise InvitationRefused(
                _("This invitation's link can no longer be rebuilt; send a new invitation.")
            )
        # Not sent yet, so nobody holds the old link: bind it to the current key.
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)
        invitation.token_hash = token_hash
    return token


def invitation_link(invitation: Invitation) -> str:
    """The full accept link, token included: for the invitation e-mail only."""
    path = reverse("responses:invitation-accept")
    return f"{settings.SITE_URL}{path}?token={_current_token(invitation)}"


def valid_until(now: datetime) -> datetime:
    """When a link sent (or issued) at `now` expires."""
    return now + timedelta(days=settings.INVITATION_VALID_DAYS)


def _inviter_label(inviter: User | None) -> str:
    """Who sent an invitation, as the e-mail names them: "Name (address)" or UNSD."""
    if inviter is None:
        return _("The United Nations Statistics Division")
    name = inviter.get_full_name().strip()
    if name and inviter.email:
        return f"{name} ({inviter.email})"
    return name or inviter.email or inviter.get_username()


def invitation_email(invitation: Invitation) -> tuple[str, str]:
    """The subject and plain-text body of an invitation e-mail, accept link included.

    Called by the e-mail task just before sending. A respondent's e-mail lists the sections
    forwarded to its authority.
    """
    country_return = invitation.country_return
    inviter = invitation.created_by
    sections = []
    if invitation.role == Membership.Role.RESPONDENT:
        sections = list(
            Assignment.objects.filter(
                country_return=country_return,
                authority=invitation.authority,
                status__in=Assignment.EDITABLE,
            )
            .select_related("section")
            .order_by("section__position")
        )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "country": country_return.country.name,
            "round": country_return.round,
            "authority": invitation.authority.name,
            "inviter": _inviter_label(inviter),
            "contact": (inviter.email if inviter else "")
            or _("the United Nations Statistics Division"),
            "assignments": sections,
            "workbook_attached": invitation.attach_workbook and bool(sections),
            "is_focal_point": invitation.role == Membership.Role.FOCAL_POINT,
            "link": invitation_link(invitation),
            "expires_at": invitation.expires_at or valid_until(timezone.now()),
            "site_url": settings.SITE_URL,
        }
        subject = _("%(country)s: invitation to the UNSD consultation on migration statistics") % {
            "country": context["country"]
        }
        body = render_to_string("responses/emails/invitation.txt", isolate_strings(context))
    # Headers must be one line; names come from the database, not from the invited person.
    return " ".join(subject.split()), body
