"""The dashboard, its Excel download, reminders from UNSD, and the tabulation pages."""

import io

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from consultation.definition import get_definition
from consultation.http import AuthenticatedHttpRequest
from responses.models import CountryReturn

from ..desk import chosen_round, unsd_only
from ..exceptions import ReminderRefused
from ..exports.source import consolidated_units
from ..exports.tabulations import FINISHED_STATUSES, regions_of, tabulate_section
from ..exports.workbook import write_workbook
from ..regions import places
from .services import (
    SORT_KEYS,
    DashboardFilters,
    dashboard_rows,
    filter_rows,
    progress_by_region,
    remind_focal_points_of,
    submissions_over_time,
)
from .tables import dashboard_sheet, section_codes_needed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABULATION_SCOPES = {
    "finished": FINISHED_STATUSES,
    "accepted": (CountryReturn.Status.ACCEPTED,),
    "all": tuple(CountryReturn.Status.values),
}


def filters_of(request: HttpRequest) -> DashboardFilters:
    sort = request.GET.get("sort", "country")
    return DashboardFilters(
        region=request.GET.get("region", "").strip(),
        subregion=request.GET.get("subregion", "").strip(),
        status=request.GET.get("status", "").strip(),
        search=request.GET.get("q", "").strip()[:100],
        sort=sort if sort in SORT_KEYS else "country",
        descending=request.GET.get("order") == "desc",
    )


@never_cache
@unsd_only
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    round_ = chosen_round(request)
    questionnaire = get_definition(round_.questionnaire_id)
    every_row = dashboard_rows(round_, questionnaire)
    filters = filters_of(request)
    rows = filter_rows(every_row, filters)
    regions = sorted(
        {(r.place.region_code, r.place.region) for r in every_row if r.place.region_code}
    )
    subregions = sorted(
        {(r.place.subregion_code, r.place.subregion) for r in every_row if r.place.subregion_code},
        key=lambda item: item[1],
    )
    by_region = progress_by_region(rows)
    over_time = submissions_over_time(rows)
    statuses = CountryReturn.Status.choices
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("order", None)
    return render(
        request,
        "consolidation/dashboard.html",
        {
            "round": round_,
            "rows": rows,
            "total": len(every_row),
            "filters": filters,
            "regions": regions,
            "subregions": subregions,
            "statuses": statuses,
            "by_region": by_region,
            "over_time": over_time,
            "chart_data": {
                "statuses": [str(label) for _value, label in statuses],
                "regions": [
                    {"name": region.region, "counts": list(region.counts)} for region in by_region
                ],
                "submissions": [
                    {"date": day.isoformat(), "count": count, "total": total}
                    for day, count, total in over_time
                ],
            },
            "sort_query": query.urlencode(),
            "download_query": request.GET.urlencode(),
            "today": timezone.localdate(),
        },
    )


@unsd_only
@require_GET
def dashboard_download(request: HttpRequest) -> HttpResponse:
    round_ = chosen_round(request)
    questionnaire = get_definition(round_.questionnaire_id)
    rows = filter_rows(dashboard_rows(round_, questionnaire), filters_of(request))
    buffer = io.BytesIO()
    write_workbook(
        buffer,
        _("Dashboard"),
        [dashboard_sheet(rows)],
        [
            (_("Round"), f"{round_.code}: {round_.name}"),
            (_("Exported at (UTC)"), timezone.now().replace(tzinfo=None, microsecond=0)),
            (_("Countries or areas"), len(rows)),
        ],
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{round_.code}-{stamp}.xlsx"'
    return response


@unsd_only
@require_POST
def remind(request: AuthenticatedHttpRequest, return_id: int) -> HttpResponse:
    country_return = get_object_or_404(
        CountryReturn.objects.select_related("country", "round"), pk=return_id
    )
    try:
        sent = remind_focal_points_of(country_return=country_return, user=request.user)
    except ReminderRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(country)s: reminder sent to %(count)d focal point(s).")
            % {"country": country_return.country.name, "count": sent},
        )
    return redirect(reverse("consolidation:dashboard") + f"?round={country_return.round.code}")


@never_cache
@unsd_only
@require_GET
def tabulations(request: HttpRequest) -> HttpResponse:
    round_ = chosen_round(request)
    questionnaire = get_definition(round_.questionnaire_id)
    section = questionnaire.section(request.GET.get("section", "")) or next(
        (s for s in questionnaire.sections if s.questions), None
    )
    scope = request.GET.get("over", "finished")
    if scope not in TABULATION_SCOPES:
        scope = "finished"
    tables = []
    counted = 0
    regions: list[str] = []
    if section is not None:
        units = consolidated_units(
            round_, questionnaire, question_codes=section_codes_needed(section, questionnaire)
        )
        regions = regions_of(units) or sorted({p.region for p in places().values() if p.region})
        chosen = [unit for unit in units if unit.status in TABULATION_SCOPES[scope]]
        counted = len(chosen)
        tables = tabulate_section(section, questionnaire, chosen, regions)
    return render(
        request,
        "consolidation/tabulations.html",
        {
            "round": round_,
            "sections": [s for s in questionnaire.sections if s.questions],
            "section": section,
            "scope": scope,
            "scopes": [
                ("finished", _("Submitted or accepted returns")),
                ("accepted", _("Accepted returns")),
                ("all", _("All returns")),
            ],
            "tables": tables,
            "regions": regions,
            "counted": counted,
        },
    )
