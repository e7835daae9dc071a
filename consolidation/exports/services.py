"""Asking for an export on the site: record it and queue the Celery task that builds it."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from consultation.models import Round
from responses.models import CountryReturn

from ..exceptions import ExportError
from ..models import Export
from . import tasks


@transaction.atomic
def request_export(
    *,
    user: User,
    round_: Round,
    kind: str,
    file_format: str = Export.Format.XLSX,
    country_iso3: str = "",
) -> Export:
    """Record the export asked for and queue its task once the request's transaction commits."""
    if kind not in Export.Kind.values:
        raise ExportError(_("Choose what to export."))
    if file_format not in Export.Format.values:
        raise ExportError(_("Choose Excel or CSV."))
    country_iso3 = country_iso3.strip().upper()
    if kind == Export.Kind.COUNTRY and not country_iso3:
        raise ExportError(_("Choose the country to export."))
    if kind == Export.Kind.CONSOLIDATED:
        country_iso3 = ""
    if (
        country_iso3
        and not CountryReturn.objects.filter(round=round_, country__iso3=country_iso3).exists()
    ):
        raise ExportError(
            _("Round %(round)s has no return for %(country)s.")
            % {"round": round_.code, "country": country_iso3}
        )
    total = CountryReturn.objects.filter(round=round_)
    if country_iso3:
        total = total.filter(country__iso3=country_iso3)
    export = Export.objects.create(
        round=round_,
        kind=kind,
        format=file_format,
        country_iso3=country_iso3,
        requested_by=user,
        countries_total=total.count(),
    )
    transaction.on_commit(lambda: tasks.build_export.delay(export.pk))
    return export
