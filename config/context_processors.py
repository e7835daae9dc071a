"""What every page needs to warn before the session ends (WCAG 2.2.1, timing adjustable)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .sessions import seconds_left


def session_limits(request: HttpRequest) -> dict[str, Any]:
    """Seconds left in a signed-in session, and the idle limit that activity renews."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_seconds_left": seconds_left(request.session),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
