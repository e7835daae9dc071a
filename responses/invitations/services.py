"""Invitations: single-use, expiring links that let one e-mail address join a country return.

Issuing, resending and redeeming them; the token and the link are made in `links`. Redeeming is
one conditional UPDATE, so two clicks on one link can never both succeed.
"""

import logging
import secrets
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation.models import Round

from ..exceptions import (
    InvitationEmailMismatch,
    InvitationError,
    InvitationExpired,
    InvitationRefused,
    InvitationRevoked,
    InvitationUnknown,
    InvitationUsed,
)
from ..models import Authority, CountryReturn, Invitation, Membership
from ..notifications.queue import queue_invitation
from .links import derive_token, hash_token, valid_until

logger = logging.getLogger(__name__)

# Roles an invitation can give: the country roles. UNSD staff are given roles in the admin.
INVITABLE_ROLES = (Membership.Role.FOCAL_POINT, Membership.Role.RESPONDENT)
# Usernames are the e-mail address, and Django's username holds 150 characters.
MAX_EMAIL_LENGTH = 150


def normalize_email(email: str) -> str:
    """An invited address as stored and used as username: stripped and lower-cased."""
    return (email or "").strip().lower()


def check_email(email: str) -> str:
    """The normalized address, or InvitationRefused saying what is wrong with it."""
    normalized = normalize_email(email)
    try:
        validate_email(normalized)
    except ValidationError:
        raise InvitationRefused(
            _("“%(email)s” is not an e-mail address.") % {"email": email}
        ) from None
    if len(normalized) > MAX_EMAIL_LENGTH:
        raise InvitationRefused(
            _("The e-mail address is longer than %(limit)d characters.")
            % {"limit": MAX_EMAIL_LENGTH}
        )
    return normalized


@transaction.atomic
def issue_invitation(
    *,
    email: str,
    role: str,
    country_return: CountryReturn,
    authority: Authority,
    invited_by: User | None,
    full_name: str = "",
    message: str = "",
    attach_workbook: bool = False,
) -> Invitation:
    """Create an invitation and, if the round is open, send it once the transaction commits.

    Invitations of a round in preparation wait: `rounds.open_round` sends them. The link
    expires INVITATION_VALID_DAYS after it is sent. Raises InvitationRefused for a bad address,
    a role that is not a country role, or an authority of another country. With
    `attach_workbook`, a respondent's e-mail carries the workbook of the sections its authority
    holds.
    """
    address = check_email(email)
    if role not in INVITABLE_ROLES:
        raise InvitationRefused(_("Invitations are for focal points and authority respondents."))
    if authority.country_id != country_return.country_id:
        raise InvitationRefused(_("The authority is not of the return's country."))
    now = timezone.now()
    round_is_open = Round.objects.filter(
        pk=country_return.round_id, status=Round.Status.OPEN
    ).exists()
    invitation = Invitation.objects.create(
        email=address,
        role=role,
        country_return=country_return,
        authority=authority,
        full_name=full_name.strip()[:200],
        message=message.strip(),
        salt=secrets.token_hex(16),
        # A random stand-in: the real hash needs the primary key, known only after the insert.
        token_hash=secrets.token_hex(32),
        created_by=invited_by,
        expires_at=valid_until(now) if round_is_open else None,
        attach_workbook=attach_workbook and role == Membership.Role.RESPONDENT,
    )
    invitation.token_hash = hash_token(derive_token(invitation.pk, invitation.salt))
    invitation.save(update_fields=["token_hash"])
    logger.info(
        "Invitation %s issued (return %s, authority %s, role %s, by user %s)",
        invitation.pk,
        country_return.pk,
        authority.pk,
        role,
        getattr(invited_by, "pk", None),
    )
    if round_is_open:
        queue_invitation(invitation.pk)
    return invitation


def _refusal(invitation: Invitation) -> InvitationError:
    """Why this invitation cannot be used now (the first reason that applies)."""
    if invitation.used_at is not None:
        return InvitationUsed(
            _("This invitation has already been used. Sign in with your e-mail address."),
            invitation=invitation,
        )
    if invitation.revoked_at is not None:
        return InvitationRevoked(
            _("This invitation was withdrawn, or replaced by a newer one."),
            invitation=invitation,
        )
    return InvitationExpired(_("This invitation has expired."), invitation=invitation)


def _is_usable(invitation: Invitation, now: datetime) -> bool:
    return (
        invitation.used_at is None
        and invitation.revoked_at is None
        and invitation.expires_at is not None
        and invitation.expires_at > now
    )


def check_invitation(*, token_hash: str) -> Invitation:
    """The invitation with this token hash if it can be used now, else the reason why not."""
    invitation = (
        Invitation.objects.select_related(
            "country_return__country", "country_return__round", "authority", "created_by"
        )
        .filter(token_hash=token_hash)
        .first()
    )
    if invitation is None:
        raise InvitationUnknown(_("This invitation link is not valid."))
    now = timezone.now()
    if not _is_usable(invitation, now):
        raise _refusal(invitation)
    return invitation


def email_matches(user: User, email: str) -> bool:
    address = normalize_email(email)
    return address in {normalize_email(user.get_username()), normalize_email(user.email)}


def account_for_email(email: str) -> User | None:
    """The existing account of an e-mail address, if any (by username first, then e-mail)."""
    address = normalize_email(email)
    users = get_user_model().objects
    return (
        users.filter(username__iexact=address).first()
        or users.filter(email__iexact=address).order_by("pk").first()
    )


def redeem_invitation(*, token: str, user: User) -> Invitation:
    """Use the invitation for `user` (who must be the invited address) and give the membership.

    One conditional UPDATE marks it used: of two concurrent calls, exactly one succeeds and
    the other raises InvitationUsed. Raises an InvitationError subclass saying why otherwise.
    """
    return redeem_invitation_hash(token_hash=hash_token(token), user=user)


@transaction.atomic
def redeem_invitation_hash(*, token_hash: str, user: User) -> Invitation:
    """`redeem_invitation` for a token known only by its hash (as kept in the session)."""
    invitation = (
        Invitation.objects.select_related("country_return", "authority", "created_by")
        .filter(token_hash=token_hash)
        .first()
    )
    if invitation is None:
        raise InvitationUnknown(_("This invitation link is not valid."))
    if not email_matches(user, invitation.email):
        raise InvitationEmailMismatch(
            _("This invitation is for %(email)s; sign in with that address to accept it.")
            % {"email": invitation.email},
            invitation=invitation,
        )
    now = timezone.now()
    updated = (
        Invitation.objects.usable(now)
        .filter(token_hash=token_hash)
        .update(used_at=now, accepted_by=user)
    )
    if updated != 1:
        invitation.refresh_from_db()
        raise _refusal(invitation)
    invitation.used_at = now
    invitation.accepted_by = user
    Membership.objects.get_or_create(
        user=user,
        role=invitation.role,
        country_return=invitation.country_return,
        authority=invitation.authority,
    )
    logger.info("Invitation %s redeemed by user %s", invitation.pk, user.pk)
    return invitation


@transaction.atomic
def redeem_invitation_with_new_account(
    *, token_hash: str, password: str, full_name: str = ""
) -> tuple[Invitation, User]:
    """Create the invited address's account (username = e-mail) and redeem the invitation.

    The account is created only if the invitation is redeemed: both happen in one transaction.
    """
    invitation = check_invitation(token_hash=token_hash)
    user_model = get_user_model()
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=invitation.email,
                email=invitation.email,
                password=password,
                # The whole name in one field: naming conventions differ too much to split it.
                first_name=full_name.strip()[:150],
            )
    except IntegrityError:
        # Someone created the account meanwhile: most likely a second click on this link.
        check_invitation(token_hash=token_hash)
        raise InvitationRefused(
            _("An account with this e-mail address exists already. Sign in to accept.")
        ) from None
    return redeem_invitation_hash(token_hash=token_hash, user=user), user


@transaction.atomic
def resend_invitation(*, invitation: Invitation, resent_by: User | None) -> Invitation:
    """Withdraw the invitation's link and issue (and, in an open round, send) a new one.

    Raises InvitationUsed if it was accepted already and InvitationRevoked if it was replaced.
    """
    now = timezone.now()
    revoked = Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=now)
    if revoked != 1:
        invitation.refresh_from_db()
        if invitation.used_at is not None:
            raise InvitationUsed(
                _(
                    "%(email)s has already accepted this invitation. They can sign in, or "
                    "reset their password if they forgot it."
                )
                % {"email": invitation.email},
                invitation=invitation,
            )
        raise InvitationRevoked(
            _("This invitation was replaced by a newer one already."), invitation=invitation
        )
    invitation.revoked_at = now
    logger.info(
        "Invitation %s revoked for resending by user %s",
        invitation.pk,
        getattr(resent_by, "pk", None),
    )
    return issue_invitation(
        email=invitation.email,
        role=invitation.role,
        country_return=invitation.country_return,
        authority=invitation.authority,
        invited_by=resent_by,
        full_name=invitation.full_name,
        message=invitation.message,
    )
