"""Opening a round: the round goes live and every pending invitation of it is sent."""

import logging
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation.models import Round

from .exceptions import RoundRefused
from .invitations.links import valid_until
from .models import Invitation
from .notifications.queue import queue_invitations
from .returns.lifecycle import move_round

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenRoundResult:
    """What opening did: whether the round was open already, and how many e-mails it queued."""

    round: Round
    was_open: bool
    invitations_queued: int


@transaction.atomic
def open_round(*, round_: Round, opened_by: User | None) -> OpenRoundResult:
    """Open the round and send each of its invitations not sent yet, after the commit.

    Opening an open round again changes nothing but queues the invitations still unsent (for
    instance after a mail outage); an invitation is never sent twice. A closed round is refused.
    Each link expires INVITATION_VALID_DAYS from now.
    """
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status == Round.Status.CLOSED:
        raise RoundRefused(_("The round “%(round)s” is closed.") % {"round": locked.name})
    was_open = locked.status == Round.Status.OPEN
    now = timezone.now()
    if not was_open:
        move_round(round_=locked, action=Round.Action.OPEN, actor=opened_by)
    pending = Invitation.objects.unsent().filter(country_return__round=locked)
    invitation_ids = list(pending.order_by("pk").values_list("pk", flat=True))
    # The links' time starts now, when they are sent, not when the focal points were imported.
    Invitation.objects.filter(pk__in=invitation_ids).update(expires_at=valid_until(now))
    queue_invitations(invitation_ids)
    round_.status = locked.status
    round_.opened_at = locked.opened_at
    logger.info(
        "Round %s opened by user %s (open already: %s); %d invitations queued",
        locked.code,
        getattr(opened_by, "pk", None),
        was_open,
        len(invitation_ids),
    )
    return OpenRoundResult(round=locked, was_open=was_open, invitations_queued=len(invitation_ids))
