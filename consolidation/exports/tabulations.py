"""Tabulations: for each choice question and choice column of a grid, how many countries gave
each answer, in total and by M49 region, with those that gave a special value or no answer
(institutions, for a question about each answering institution)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from consultation.definition import ChoiceDef, ColumnDef, QuestionDef, QuestionnaireDef, SectionDef
from consultation.models import Kind, Question
from consultation.rendering import SectionRenderer
from responses.models import CountryReturn

from .content import Sheet, Visibility, about_institution, grid_rows, observed_keys
from .source import ExportUnit

TABULATED_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.YES_NO)
# Returns counted by default: what a report to the Statistical Commission is written from.
FINISHED_STATUSES = (CountryReturn.Status.SUBMITTED, CountryReturn.Status.ACCEPTED)


@dataclass(frozen=True)
class TabulationLine:
    """One answer of a table: its label and how many countries gave it, in all and by region."""

    code: str
    label: str
    total: int
    by_region: tuple[int, ...]


@dataclass(frozen=True)
class Tabulation:
    """The table of one choice question, or of one choice column of one grid row."""

    section_code: str
    code: str
    title: str
    lines: tuple[TabulationLine, ...]
    # Counted over the answering institutions (a question about each of them), not countries.
    by_institution: bool = False


def _codes(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = value.get("choice", value.get("choices"))
    if isinstance(value, list):
        return [str(code) for code in value]
    return [] if value in (None, "") else [str(value)]


def regions_of(units: Sequence[ExportUnit]) -> list[str]:
    return sorted({unit.place.region for unit in units if unit.place.region})


def _table(
    *,
    section: SectionDef,
    code: str,
    title: str,
    kind: str,
    choices: Sequence[ChoiceDef],
    keys: Sequence[tuple[str, str, str]],
    question: QuestionDef,
    column: ColumnDef | None,
    units: Sequence[ExportUnit],
    visibility: Sequence[Visibility],
    regions: Sequence[str],
) -> Tabulation:
    options = SectionRenderer.choices_of(kind, choices)
    region_index = {region: index for index, region in enumerate(regions)}
    counts = {choice.code: [0] * (len(regions) + 1) for choice in options}
    special = [0] * (len(regions) + 1)
    unanswered = [0] * (len(regions) + 1)
    for unit, seen in zip(units, visibility, strict=True):
        columns = [0]
        if unit.place.region in region_index:
            columns.append(region_index[unit.place.region] + 1)
        given: set[str] = set()
        marked = False
        for key in keys:
            answer = unit.answers.get(key)
            if answer is None or not seen.shown(question, key):
                continue
            if answer.status:
                marked = True
            given.update(_codes(answer.value))
        if given:
            for choice_code in given & counts.keys():
                for index in columns:
                    counts[choice_code][index] += 1
        target = None if given else (special if marked else unanswered)
        if target is not None:
            for index in columns:
                target[index] += 1
    lines = [
        TabulationLine(
            choice.code, choice.label, counts[choice.code][0], tuple(counts[choice.code][1:])
        )
        for choice in options
    ]
    lines.append(
        TabulationLine(
            "", _("Not available or other special value"), special[0], tuple(special[1:])
        )
    )
    lines.append(TabulationLine("", _("No answer"), unanswered[0], tuple(unanswered[1:])))
    return Tabulation(
        section.code, code, title, tuple(lines), by_institution=about_institution(question)
    )


def tabulate_section(
    section: SectionDef,
    questionnaire: QuestionnaireDef,
    units: Sequence[ExportUnit],
    regions: Sequence[str],
) -> list[Tabulation]:
    """The tables of one section over the units given (callers choose which returns count).

    A question about each answering institution is counted over institutions, not countries:
    its answers are never consolidated.
    """
    institutions = [institution for unit in units for institution in unit.as_institutions]
    observed = observed_keys(units) | observed_keys(institutions)
    over_countries: dict[str, Any] = {
        "units": units,
        "visibility": [Visibility(unit, questionnaire) for unit in units],
        "regions": regions,
        "section": section,
    }
    over_institutions: dict[str, Any] = {
        **over_countries,
        "units": institutions,
        "visibility": [Visibility(unit, questionnaire) for unit in institutions],
    }
    tables = []
    for question in section.questions:
        common = over_institutions if about_institution(question) else over_countries
        counted = " " + _("(counted by institution)") if about_institution(question) else ""
        if question.kind in TABULATED_KINDS:
            tables.append(
                _table(
                    code=question.code,
                    title=question.text + counted,
                    kind=question.kind,
                    choices=question.choices,
                    keys=[(question.code, "", "")],
                    question=question,
                    column=None,
                    **common,
                )
            )
        if not question.is_grid:
            continue
        rows = grid_rows(question, questionnaire, observed)
        for column in question.columns:
            if column.kind not in TABULATED_KINDS:
                continue
            if question.row_source == Question.RowSource.RESPONDENT:
                # Rows added by respondents differ by country: a country counts once, any row.
                tables.append(
                    _table(
                        code=f"{question.code}.*.{column.code}",
                        title=f"{question.text}: {column.label} " + _("(any row)") + counted,
                        kind=column.kind,
                        choices=column.choices,
                        keys=[(question.code, row, column.code) for row, _label in rows],
                        question=question,
                        column=column,
                        **common,
                    )
                )
                continue
            for row, label in rows:
                tables.append(
                    _table(
                        code=f"{question.code}.{row}.{column.code}",
                        title=f"{question.text}: {label}: {column.label}{counted}",
                        kind=column.kind,
                        choices=column.choices,
                        keys=[(question.code, row, column.code)],
                        question=question,
                        column=column,
                        **common,
                    )
                )
    return tables


def finished(units: Sequence[ExportUnit], statuses: Sequence[str] = FINISHED_STATUSES) -> list:
    return [unit for unit in units if unit.status in statuses]


def tabulation_sheet(questionnaire: QuestionnaireDef, units: Sequence[ExportUnit]) -> Sheet:
    counted = finished(units)
    regions = regions_of(units)

    def rows() -> Iterator[list[Any]]:
        for section in questionnaire.sections:
            for table in tabulate_section(section, questionnaire, counted, regions):
                for line in table.lines:
                    yield [
                        table.code,
                        table.title,
                        line.code or None,
                        line.label,
                        line.total,
                        *line.by_region,
                    ]

    return Sheet(
        title=_("Tabulations"),
        description=_(
            "For each choice question and choice column of a grid: how many submitted or "
            "accepted returns gave each answer, in total and by M49 region"
        ),
        headers=[
            [_("Question"), _("Text"), _("Answer code"), _("Answer"), _("Countries"), *regions]
        ],
        rows=rows(),
        widths=[16, 50, 14, 40, 10, *(12 for _r in regions)],
    )
