"""Request types for views: a signed-in request's user is a real User (Healthchecks' pattern)."""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """A request that `login_required` (or an equal check) has let through."""

    user: User
