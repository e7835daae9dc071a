"""Refusals of submission and review, shown to the user as they are."""

from typing import Any

from responses.exceptions import ConsultationError


class ReviewRefused(ConsultationError):
    """A review step cannot be taken as asked (wrong role, wrong status, missing reason...)."""


class SubmissionRefused(ConsultationError):
    """The return cannot be submitted; `gaps` lists what stops it."""

    def __init__(self, message: str, gaps: list[Any] | None = None) -> None:
        super().__init__(message)
        self.gaps = gaps or []
