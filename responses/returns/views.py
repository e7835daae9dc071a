"""Views of a country return as a whole: the home page and the return's overview."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consultation.definition import get_definition
from consultation.http import AuthenticatedHttpRequest
from consultation.models import Questionnaire

from .. import access
from ..answers.services import load_replies
from ..models import ReturnEvent
from .overview import focal_points_of, section_tasks


@require_safe
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


@require_safe
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
    tasks = section_tasks(
        definition=definition,
        replies=replies,
        assignments=assignments,
        own_authority_id=nso.pk if nso is not None else None,
        sees_all=sees_all,
    )
    # An authority's own page: its due dates, and whom to ask.
    own_assignments = [] if sees_all else assignments
    due_dates = sorted({a.due_date for a in own_assignments if a.due_date})
    events = []
    if sees_all:
        events = list(
            ReturnEvent.objects.filter(country_return=country_return).select_related("actor")
        )
    return render(
        request,
        "responses/return_overview.html",
        {
            "country_return": country_return,
            "tasks": tasks,
            "is_focal_point": focal,
            "sees_all": sees_all,
            "events": events,
            "show_timeline": sees_all,
            "is_unsd": access.is_unsd(request.user),
            "may_upload": focal or not access.is_unsd(request.user),
            "questionnaire": definition,
            "due_date": due_dates[0] if due_dates else None,
            "focal_points": focal_points_of(country_return) if not sees_all else [],
        },
    )
