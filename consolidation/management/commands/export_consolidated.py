"""Write an export of a round to a file: consolidated, one country, or raw replies; xlsx or csv."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consolidation.exceptions import ExportError
from consolidation.exports.building import write_export
from consolidation.exports.csv_files import codebook_path
from consolidation.models import Export
from consultation.models import Round


class Command(BaseCommand):
    help = (
        "Export a round's answers: every country consolidated (the default), one country "
        "(--country), or every authority's reply as entered (--raw). --format csv writes the "
        "long table to FILE and the codebook next to it (FILE's name + -codebook.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, metavar="CODE", dest="round_code")
        parser.add_argument("--out", required=True, metavar="FILE")
        parser.add_argument("--country", metavar="ISO3", default="")
        parser.add_argument("--raw", action="store_true", help="every reply, before consolidation")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", dest="file_format")

    def handle(
        self,
        *args: Any,
        round_code: str,
        out: str,
        country: str,
        raw: bool,
        file_format: str,
        **options: Any,
    ) -> None:
        round_ = Round.objects.select_related("questionnaire").filter(code=round_code).first()
        if round_ is None:
            raise CommandError(f"No round has the code {round_code!r}.")
        if raw:
            kind = Export.Kind.RAW
        else:
            kind = Export.Kind.COUNTRY if country else Export.Kind.CONSOLIDATED
        try:
            manifest = write_export(
                round_=round_,
                kind=kind,
                target=out,
                file_format=file_format,
                country_iso3=country.strip().upper(),
            )
        except ExportError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Could not write {out}: {error}") from error
        for sheet in manifest.sheets:
            self.stdout.write(f"{sheet.title}: {sheet.rows} rows, {sheet.cells} cells")
        written = out if file_format == "xlsx" else f"{out} and {codebook_path(out)}"
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} ({manifest.cells} cells)."))
