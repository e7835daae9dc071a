"""Views of the questionnaire preview."""

from django.http import HttpRequest, HttpResponse


def preview_index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("preview")
