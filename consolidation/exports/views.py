"""The exports page: ask for an export, follow its progress, download it when ready."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from consultation.http import AuthenticatedHttpRequest
from consultation.models import Round
from responses.models import CountryReturn

from ..desk import chosen_round, unsd_only
from ..exceptions import ExportError
from ..models import Export
from .services import request_export

LISTED_EXPORTS = 50


def export_state(export: Export) -> dict:
    """What the page's script shows of an export: its status, share done, and the file."""
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "percent": export.percent,
        "countries_done": export.countries_done,
        "countries_total": export.countries_total,
        "download": reverse("consolidation:export-download", args=[export.pk])
        if export.status == Export.Status.DONE
        else "",
        "error": export.error if export.status == Export.Status.FAILED else "",
    }


@never_cache
@unsd_only
@require_http_methods(["GET", "POST"])
def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        round_ = Round.objects.filter(code=request.POST.get("round", "")).first()
        if round_ is None:
            messages.error(request, _("Choose a round."))
            return redirect("consolidation:exports")
        try:
            export = request_export(
                user=request.user,
                round_=round_,
                kind=request.POST.get("kind", ""),
                file_format=request.POST.get("format", Export.Format.XLSX),
                country_iso3=request.POST.get("country", ""),
            )
        except ExportError as error:
            messages.error(request, str(error))
            return redirect(reverse("consolidation:exports") + f"?round={round_.code}")
        messages.success(
            request,
            _("Your export is being written; it appears below when ready."),
        )
        return redirect(
            reverse("consolidation:exports") + f"?round={round_.code}#export-{export.pk}"
        )
    round_ = chosen_round(request)
    exports = list(
        Export.objects.filter(round=round_).select_related("requested_by")[:LISTED_EXPORTS]
    )
    countries = (
        CountryReturn.objects.filter(round=round_)
        .values_list("country__iso3", "country__name")
        .order_by("country__name")
    )
    return render(
        request,
        "consolidation/exports.html",
        {
            "round": round_,
            "rounds": Round.objects.order_by("-pk"),
            "exports": exports,
            "kinds": Export.Kind.choices,
            "formats": Export.Format.choices,
            "countries": list(countries),
            "busy": any(
                export.status in (Export.Status.QUEUED, Export.Status.RUNNING) for export in exports
            ),
        },
    )


@never_cache
@unsd_only
@require_GET
def export_status(request: HttpRequest, export_id: int) -> JsonResponse:
    export = get_object_or_404(Export, pk=export_id)
    return JsonResponse(export_state(export))


@unsd_only
@require_GET
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    export = get_object_or_404(Export, pk=export_id)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404("This export is not ready, or was removed")
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this export is gone") from None
    return FileResponse(
        handle, as_attachment=True, filename=(export.file.name or "export").rsplit("/", 1)[-1]
    )
