"""Write a reply's offline workbook (the NSO's, or an authority's sections) to a file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultation.definition import get_definition
from consultation.models import Area, Round
from responses.access import nso_of
from responses.models import Assignment, Authority, CountryReturn
from responses.offline.download import reply_workbook


class Command(BaseCommand):
    help = (
        "Write the offline Excel workbook of a country's reply: the NSO's (every section), or "
        "with --authority the sections that authority holds. Prefilled with the current answers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, metavar="CODE", dest="round_code")
        parser.add_argument("--country", required=True, metavar="ISO3")
        parser.add_argument("--authority", type=int, metavar="ID", default=None)
        parser.add_argument("--out", required=True, metavar="FILE")

    def handle(
        self,
        *args: Any,
        round_code: str,
        country: str,
        authority: int | None,
        out: str,
        **options: Any,
    ) -> None:
        round_ = Round.objects.filter(code=round_code).first()
        if round_ is None:
            raise CommandError(f"No round has the code {round_code!r}.")
        area = Area.objects.filter(iso3__iexact=country, level=Area.Level.COUNTRY).first()
        if area is None:
            raise CommandError(f"No country has the ISO 3166 alpha-3 code {country!r}.")
        country_return = (
            CountryReturn.objects.select_related("round", "country")
            .filter(round=round_, country=area)
            .first()
        )
        if country_return is None:
            raise CommandError(f"{area.name} has no return in round {round_.code}.")
        definition = get_definition(round_.questionnaire_id)
        if authority is None:
            replier = nso_of(country_return)
            sections = list(definition.sections)
        else:
            found = Authority.objects.filter(pk=authority, country=area).first()
            if found is None:
                raise CommandError(f"{area.name} has no authority with the id {authority}.")
            replier = found
            held = set(
                Assignment.objects.filter(
                    country_return=country_return,
                    authority=replier,
                    status__in=Assignment.VISIBLE,
                ).values_list("section_id", flat=True)
            )
            if replier.kind == Authority.Kind.NSO:
                sections = list(definition.sections)
            else:
                sections = [section for section in definition.sections if section.id in held]
            if not sections:
                raise CommandError(f"{replier.name} holds no section of this return.")
        content = reply_workbook(
            country_return=country_return,
            authority=replier,
            sections=sections,
            downloaded_by="manage.py offline_workbook",
        )
        Path(out).write_bytes(content)
        self.stdout.write(
            f"Wrote {out}: {replier.name}, sections {', '.join(s.code for s in sections)}, "
            f"{len(content)} bytes."
        )
