"""Session limits: 30 minutes idle, and 12 hours after sign-in however active.

The idle limit is the cookie's age (SESSION_COOKIE_AGE), renewed by activity. Rather than write
the session on every request (autosave sends many), it is renewed at most once a minute: the
idle limit is then between 29 and 30 minutes.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

SESSION_STARTED_KEY = "session_started_at"
SESSION_RENEWED_KEY = "session_renewed_at"
RENEW_AFTER_SECONDS = 60


class SessionLimitsMiddleware:
    """Renew an active session's idle limit, and sign out one older than SESSION_ABSOLUTE_AGE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            started = session.get(SESSION_STARTED_KEY)
            if started is None:
                session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                return self.get_response(request)
            if now - session.get(SESSION_RENEWED_KEY, 0) >= RENEW_AFTER_SECONDS:
                # A modified session is saved with a fresh expiry, in the database and cookie.
                session[SESSION_RENEWED_KEY] = now
        return self.get_response(request)


def seconds_left(session: SessionBase) -> int:
    """Seconds until this signed-in session ends, by the idle or the absolute limit."""
    now = time.time()
    started = session.get(SESSION_STARTED_KEY, now)
    renewed = session.get(SESSION_RENEWED_KEY, started)
    idle = settings.SESSION_COOKIE_AGE - (now - renewed)
    absolute = settings.SESSION_ABSOLUTE_AGE - (now - started)
    return max(0, int(min(idle, absolute)))
