"""What consolidation's services refuse, with a message the user can read."""


class DeskError(ValueError):
    """A request to UNSD's desk that cannot be carried out; the message says why."""


class ExportError(DeskError):
    """An export cannot be made as asked (no such round or country, wrong format)."""


class ReminderRefused(DeskError):
    """A reminder cannot be sent now (finished return, or already reminded today)."""
