"""What consolidation's services refuse, with a message the user can read."""


class ExportError(ValueError):
    """An export cannot be made as asked (no such round or country, wrong format)."""
