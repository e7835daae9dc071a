"""Domain exceptions of consolidation: refusals a view turns into a message for the user."""

from responses.answers.services import StoredAnswer
from responses.exceptions import ConsultationError


class ConsolidationRefused(ConsultationError):
    """The consolidated answer cannot be set as asked (wrong key, reply gone, return closed...)."""


class RepliesChanged(ConsultationError):
    """A reply of the key moved on since the page was shown: the choice was made on old values."""


class ConsolidatedAnswerChanged(ConsultationError):
    """Someone else set the consolidated answer since the page was shown: both values, to choose."""

    def __init__(self, message: str, *, theirs: StoredAnswer) -> None:
        super().__init__(message)
        self.theirs = theirs


class DeskError(ValueError):
    """A request to UNSD's desk that cannot be carried out; the message says why."""


class ExportError(DeskError):
    """An export cannot be made as asked (no such round or country, wrong format)."""


class ReminderRefused(DeskError):
    """A reminder cannot be sent now (finished return, or already reminded today)."""
