"""Domain exceptions of the responses app: refusals a view turns into a message for the user."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Invitation


class ConsultationError(Exception):
    """A request the rules refuse. Its text is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class IllegalTransition(ConsultationError):
    """A round, return or assignment cannot move from its current status as asked."""


class EditRefused(ConsultationError):
    """A reply cannot be changed now (round closed, return submitted, section taken back...)."""


class ForwardingRefused(ConsultationError):
    """Sections cannot be forwarded as asked (already held, wrong authority, bad due date...)."""


class InvitationError(ConsultationError):
    """An invitation link that cannot be used. `reason` names why, for pages and tests."""

    reason = "invalid"

    def __init__(self, message: str, *, invitation: "Invitation | None" = None) -> None:
        super().__init__(message)
        # The invitation found for the link, if any: pages name who sent it.
        self.invitation = invitation


class InvitationUnknown(InvitationError):
    """No invitation has this link: it was mistyped, truncated or made up."""

    reason = "unknown"


class InvitationExpired(InvitationError):
    """The link's time ran out before it was used."""

    reason = "expired"


class InvitationUsed(InvitationError):
    """The link was used already (links are single-use)."""

    reason = "used"


class InvitationRevoked(InvitationError):
    """The link was withdrawn, usually replaced by a newer invitation."""

    reason = "revoked"


class InvitationEmailMismatch(InvitationError):
    """The account redeeming the link is not the invited e-mail address."""

    reason = "email_mismatch"


class InvitationRefused(ConsultationError):
    """An invitation cannot be issued as asked (bad e-mail address, role or return)."""


class FocalPointImportRefused(ConsultationError):
    """A focal point list was refused; nothing was imported. `errors` lists every problem."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class RoundRefused(ConsultationError):
    """A round cannot change as asked (a closed round is not opened again here)."""
