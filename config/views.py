"""Project-wide views: the outdated-form page, and the state of the signed-in session."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .sessions import seconds_left


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an outdated security token, typically after signing in again elsewhere."""
    return render(request, "403_csrf.html", status=403)


@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Whether the browser is signed in, and for how many more seconds.

    Asking counts as activity (the session middleware renews the idle limit), so a page calls
    it only when the person asks to stay signed in. It does nothing else: the autosave
    benchmark uses it as the cost of an authenticated request to the bare framework.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "seconds_left": seconds_left(request.session)})
