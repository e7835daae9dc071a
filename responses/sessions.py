"""Session limits: a session ends 12 hours after sign-in, however active it was."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_STARTED_KEY = "session_started_at"


class AbsoluteSessionLimitMiddleware:
    """Sign the user out once the session is older than SESSION_ABSOLUTE_AGE seconds.

    The idle limit is the cookie age itself (renewed on every request).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
        return self.get_response(request)
