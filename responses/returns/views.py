"""Views of a country return as a whole: the home page and the return's overview."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from consultation.definition import get_definition
from consultation.formbuilder import section_progress
from consultation.http import AuthenticatedHttpRequest
from consultation.models import Questionnaire

from .. import access
from ..answers.services import load_replies


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    returns = list(access.returns_visible_to(request.user).order_by("country__name"))
    if len(returns) == 1 and not access.is_unsd(request.user):
        return redirect("responses:return-overview", return_id=returns[0].pk)
    questionnaire = None
    if request.user.is_staff or access.is_unsd(request.user):
        questionnaire = Questionnaire.objects.order_by("-pk").first()
    return render(
        request,
        "responses/home.html",
        {"returns": returns, "questionnaire": questionnaire},
    )


@never_cache
@login_required
def return_overview(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    country_return = access.get_return(request.user, return_id)
    definition = get_definition(country_return.round.questionnaire_id)
    focal = access.is_focal_point(request.user, country_return)
    sees_all = focal or access.is_unsd(request.user)
    assignments = list(access.visible_assignments(request.user, country_return))
    replies = load_replies(country_return=country_return, questionnaire=definition)
    nso = access.nso_of(country_return) if sees_all else None
    rows = []
    for section in definition.sections:
        holders = [a for a in assignments if a.section_id == section.id]
        if not sees_all and not holders:
            continue
        if nso is not None:
            progress = section_progress(section, definition.questions, replies.get(nso.pk, {}))
        else:
            progress = section_progress(
                section, definition.questions, replies.get(holders[0].authority_id, {})
            )
        holder_rows = [
            (
                assignment,
                section_progress(
                    section, definition.questions, replies.get(assignment.authority_id, {})
                ),
            )
            for assignment in holders
        ]
        rows.append({"section": section, "progress": progress, "holders": holder_rows})
    return render(
        request,
        "responses/return_overview.html",
        {
            "country_return": country_return,
            "rows": rows,
            "is_focal_point": focal,
            "questionnaire": definition,
        },
    )
