"""What every UNSD desk page shares: only UNSD roles get in, and which round is looked at."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from consultation.models import Round
from responses import access


def unsd_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in UNSD reviewers and administrators only; anyone else gets "not found"."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.is_unsd(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper


def chosen_round(request: HttpRequest) -> Round:
    """The round named by ?round=CODE, else the latest open one, else the latest; 404 if none."""
    rounds = Round.objects.select_related("questionnaire")
    code = request.GET.get("round", "").strip()
    if code:
        round_ = rounds.filter(code=code).first()
        if round_ is None:
            raise Http404(_("No round has the code %(code)s.") % {"code": code})
        return round_
    round_ = (
        rounds.filter(status=Round.Status.OPEN).order_by("-opened_at", "-pk").first()
        or rounds.order_by("-pk").first()
    )
    if round_ is None:
        raise Http404(_("No round has been loaded yet."))
    return round_
