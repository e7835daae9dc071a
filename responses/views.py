"""Views of country returns: the home page, sections, forwarding, invitations."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from consultation.models import Questionnaire


@login_required
def home(request: HttpRequest) -> HttpResponse:
    questionnaire = Questionnaire.objects.order_by("-pk").first()
    if request.user.is_staff and questionnaire:
        return redirect("consultation:preview-index", questionnaire=questionnaire.code)
    return HttpResponse("home")
