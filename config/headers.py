"""Every page the application answers is private: browsers and proxies must not keep a copy.

Nearly every page shows a country's data to someone signed in (the home page lists every return
for UNSD, the preview and print pages show the questionnaire); a shared computer's cache or a
proxy must not hand it to the next person. Static files are served before this, by WhiteNoise.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """Send `Cache-Control: no-store` (and no-cache, private) on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
