"""Project-wide views: the page shown when a form's security token is outdated."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an outdated security token, typically after signing in again elsewhere."""
    return render(request, "403_csrf.html", status=403)
