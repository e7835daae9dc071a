"""Writing exports: to a file (the command, the bench), into export storage (the task), and
removing old files. Below tasks.py on the import ladder; services.py queues the task."""

import datetime
import logging
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from consultation.definition import QuestionnaireDef, get_definition
from consultation.models import Round

from ..exceptions import ExportError
from ..models import Export
from .content import (
    Progress,
    Sheet,
    Visibility,
    about_institution,
    codebook_sheet,
    institution_sheet,
    long_sheet,
    observed_keys,
    section_sheet,
    status_sheet,
)
from .csv_files import write_csv_files, write_csv_pair
from .source import ExportUnit, consolidated_units, reply_units, return_milestones
from .tabulations import tabulation_sheet
from .workbook import Manifest, write_workbook

logger = logging.getLogger(__name__)

ProgressReport = Callable[[int, int], None]


def export_units(
    *, kind: str, round_: Round, questionnaire: QuestionnaireDef, country_iso3: str = ""
) -> list[ExportUnit]:
    if kind == Export.Kind.RAW:
        return reply_units(round_, questionnaire, country_iso3=country_iso3)
    return consolidated_units(round_, questionnaire, country_iso3=country_iso3)


def export_sheets(
    *,
    kind: str,
    questionnaire: QuestionnaireDef,
    units: list[ExportUnit],
    report: ProgressReport | None = None,
) -> list[Sheet]:
    """Every sheet after the read-me, in order; rows are produced as the writer asks."""
    # Separate returns, like raw replies, need a column saying whose each row is.
    with_label = kind == Export.Kind.RAW or any(unit.label for unit in units)
    visibility = {index: Visibility(unit, questionnaire) for index, unit in enumerate(units)}
    observed = observed_keys(units)
    sections = [section for section in questionnaire.sections if section.questions]
    about_country = {
        section.code
        for section in sections
        if not all(about_institution(question) for question in section.questions)
    }
    progress = Progress(len(units) * (len(about_country) + 1), report)
    sheets = [
        codebook_sheet(questionnaire),
        status_sheet(
            units, return_milestones({unit.return_id for unit in units}), with_label=with_label
        ),
    ]
    for section in sections:
        if section.code in about_country:
            sheets.append(
                section_sheet(
                    section,
                    questionnaire,
                    units,
                    visibility,
                    observed,
                    progress,
                    with_label=with_label,
                )
            )
        if any(about_institution(question) for question in section.questions):
            sheets.append(
                institution_sheet(
                    section,
                    questionnaire,
                    units,
                    observed,
                    whole_section=section.code not in about_country,
                )
            )
    sheets.append(long_sheet(questionnaire, units, visibility, progress, with_label=with_label))
    if kind != Export.Kind.RAW:
        sheets.append(tabulation_sheet(questionnaire, units))
    return sheets


def export_title(kind: str) -> str:
    return str(Export.Kind(kind).label)


def write_export(
    *,
    round_: Round,
    kind: str,
    target: str | IO[bytes],
    file_format: str = Export.Format.XLSX,
    country_iso3: str = "",
    report: ProgressReport | None = None,
    units: list[ExportUnit] | None = None,
) -> Manifest:
    """Write an export of the round to `target` (a path or a binary file) and say what it holds.

    xlsx: the read-me with its manifest, the codebook, the status sheet, a sheet per section
    (its questions about each answering institution on a sheet of their own, one row per
    institution), the long sheet and (consolidated) the tabulations. csv: the long table and
    the codebook, in a zip (a file object, or a path ending .zip) or as two files (see
    csv_files.codebook_path).
    """
    if kind not in Export.Kind.values:
        raise ExportError(_("Unknown export kind %(kind)s.") % {"kind": kind})
    if file_format not in Export.Format.values:
        raise ExportError(
            _("Unknown format %(format)s: use xlsx or csv.") % {"format": file_format}
        )
    if kind == Export.Kind.COUNTRY and not country_iso3:
        raise ExportError(_("Name the country of a one-country export."))
    questionnaire = get_definition(round_.questionnaire_id)
    if units is None:
        units = export_units(
            kind=kind, round_=round_, questionnaire=questionnaire, country_iso3=country_iso3
        )
    if country_iso3 and not units and kind != Export.Kind.RAW:
        raise ExportError(
            _("Round %(round)s has no return for %(country)s.")
            % {"round": round_.code, "country": country_iso3.upper()}
        )
    # Separate returns, like raw replies, need a column saying whose each row is.
    with_label = kind == Export.Kind.RAW or any(unit.label for unit in units)
    if file_format == Export.Format.CSV:
        visibility = {index: Visibility(unit, questionnaire) for index, unit in enumerate(units)}
        progress = Progress(len(units), report)
        long_table = long_sheet(questionnaire, units, visibility, progress, with_label=with_label)
        if isinstance(target, str) and not target.endswith(".zip"):
            return write_csv_pair(target, long_table, codebook_sheet(questionnaire))
        return write_csv_files(
            target, [("long.csv", long_table), ("codebook.csv", codebook_sheet(questionnaire))]
        )
    facts = [
        (_("Round"), f"{round_.code}: {round_.name}"),
        (_("Questionnaire"), f"{questionnaire.code}: {questionnaire.title}"),
        (_("Questionnaire version"), _questionnaire_version(round_)),
        (_("Exported at (UTC)"), timezone.now().replace(tzinfo=None, microsecond=0)),
        (_("Countries or areas"), len({unit.return_id for unit in units})),
        (_("Country"), country_iso3.upper() or _("all")),
    ]
    sheets = export_sheets(kind=kind, questionnaire=questionnaire, units=units, report=report)
    return write_workbook(target, export_title(kind), sheets, facts)


def _questionnaire_version(round_: Round) -> str:
    questionnaire = round_.questionnaire
    loaded = timezone.localtime(questionnaire.loaded_at).strftime("%Y-%m-%d %H:%M UTC")
    return _("%(file)s, loaded %(when)s") % {
        "file": questionnaire.source_file or questionnaire.code,
        "when": loaded,
    }


def build_export(export_id: int) -> Export:
    """Write the file of a queued export into export storage, noting progress as it goes.

    Safe to run again: an export already done (or removed) is left as it is.
    """
    claimed = Export.objects.filter(
        pk=export_id, status__in=[Export.Status.QUEUED, Export.Status.RUNNING]
    ).update(status=Export.Status.RUNNING, countries_done=0)
    export = Export.objects.select_related("round__questionnaire").get(pk=export_id)
    if not claimed:
        return export

    def report(done: int, total: int) -> None:
        countries = round(export.countries_total * done / total) if total else 0
        Export.objects.filter(pk=export_id).update(countries_done=countries)

    extension = "zip" if export.format == Export.Format.CSV else "xlsx"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    country = f"-{export.country_iso3}" if export.country_iso3 else ""
    code = export.round.code
    name = f"{code}/{code}-{export.kind}{country}-{stamp}-{export.pk}.{extension}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export.{extension}"
            manifest = write_export(
                round_=export.round,
                kind=export.kind,
                target=str(path),
                file_format=export.format,
                country_iso3=export.country_iso3,
                report=report,
            )
            with path.open("rb") as written:
                export.file.save(name, File(written), save=False)
            size = path.stat().st_size
    except Exception as error:
        logger.exception("Export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        export.refresh_from_db()
        return export
    Export.objects.filter(pk=export_id).update(
        status=Export.Status.DONE,
        file=export.file.name,
        size=size,
        cells=manifest.cells,
        countries_done=export.countries_total,
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def exports_expired_before() -> datetime.datetime:
    return timezone.now() - timedelta(hours=settings.EXPORT_KEEP_HOURS)


def remove_expired_exports(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports older than EXPORT_KEEP_HOURS; their rows stay, as removed."""
    limit = (now or timezone.now()) - timedelta(hours=settings.EXPORT_KEEP_HOURS)
    removed = 0
    for export in Export.objects.filter(requested_at__lt=limit).exclude(
        status=Export.Status.REMOVED
    ):
        if export.status in (Export.Status.QUEUED, Export.Status.RUNNING):
            continue
        if export.file:
            export.file.delete(save=False)
        Export.objects.filter(pk=export.pk).update(status=Export.Status.REMOVED, file="")
        removed += 1
    return removed
