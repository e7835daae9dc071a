"""What each sheet of an export holds: columns, header rows and data rows, as plain values.

Values are typed (numbers as numbers, dates as dates, choices as their labels); writing them
safely (no formula from user input) is the writer's job, in workbook.py and csv_files.py.
"""

import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from consultation import conditions
from consultation.answers import LABEL_COLUMN, AnswerKey, AnswerValue
from consultation.definition import (
    SPECIAL_VALUES,
    ChoiceDef,
    ColumnDef,
    QuestionDef,
    QuestionnaireDef,
    SectionDef,
)
from consultation.describe import describe_condition
from consultation.formbuilder import resolve_grid_rows
from consultation.models import Kind, Question, Scope
from consultation.parsing import parse_whole_number
from consultation.rendering import SectionRenderer

from .source import ExportUnit, Milestones

CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.YES_NO, Kind.RANKING)
LONG_TEXT_WIDTH = 50


@dataclass
class Sheet:
    """One sheet: a title, what it holds, header rows (frozen), data rows, column widths."""

    title: str
    description: str
    headers: list[list[Any]]
    rows: Iterator[Sequence[Any]]
    widths: list[int] = field(default_factory=list)
    # Columns that stay in view when scrolling right (the country's name and codes).
    frozen_columns: int = 0


@dataclass(frozen=True)
class Column:
    """A column of a section sheet: one question, or one cell of a grid."""

    key: AnswerKey
    header: str
    label: str
    kind: str
    choices: tuple[ChoiceDef, ...]
    question: QuestionDef
    grid_column: ColumnDef | None = None

    @property
    def conditional(self) -> bool:
        """Whether any display condition can hide this column's cell."""
        return is_conditional(self.question, self.grid_column)


def is_conditional(question: QuestionDef, grid_column: ColumnDef | None) -> bool:
    return bool(
        question.show_if
        or question.row_source == Question.RowSource.DERIVED
        or (grid_column is not None and grid_column.show_if)
    )


class Progress:
    """Counts units written over every per-country sheet and reports the share now and then."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None, steps: int = 20):
        self.total = max(total, 1)
        self.done = 0
        self.report = report
        self.every = max(self.total // steps, 1)

    def advance(self) -> None:
        self.done += 1
        if self.report is not None and (self.done % self.every == 0 or self.done == self.total):
            self.report(self.done, self.total)


# --- Values -------------------------------------------------------------------------------------


class Texts:
    """The words cells repeat, translated once per export, and choice labels by choice list."""

    def __init__(self) -> None:
        self.skipped = str(_("not applicable (skipped)"))
        self.ticked = str(_("Ticked"))
        self.special = {code: str(label) for code, label in SPECIAL_VALUES.items()}
        # By id() of the definition's choice tuple, kept alive by the definition.
        self._labels: dict[tuple[bool, int], tuple[Sequence[ChoiceDef], dict[str, str]]] = {}

    def special_text(self, status: str) -> str:
        return self.special.get(status, status)

    def labels(self, kind: str, choices: Sequence[ChoiceDef]) -> dict[str, str]:
        key = (kind == Kind.YES_NO, id(choices))
        cached = self._labels.get(key)
        if cached is None:
            labels = {
                choice.code: str(choice.label)
                for choice in SectionRenderer.choices_of(kind, choices)
            }
            cached = self._labels[key] = (choices, labels)
        return cached[1]

    def choice_text(self, kind: str, choices: Sequence[ChoiceDef], value: Any) -> str:
        """Choice codes as their labels; "please specify" text after a colon."""
        labels = self.labels(kind, choices)
        other = ""
        if isinstance(value, dict):
            other = value.get("other", "")
            value = value.get("choice", value.get("choices"))
        if isinstance(value, list):
            text = "; ".join(labels.get(str(item), str(item)) for item in value)
        else:
            text = labels.get(str(value), str(value))
        return f"{text}: {other}" if other else text

    def typed(self, kind: str, choices: Sequence[ChoiceDef], value: Any) -> Any:
        """A stored value as a cell shows it: numbers as numbers, dates as dates, labels."""
        if value is None or value == "" or value == [] or value == {}:
            return None
        if kind in CHOICE_KINDS:
            return self.choice_text(kind, choices, value)
        if kind in (Kind.INTEGER, Kind.YEAR):
            try:
                return int(value)
            except (TypeError, ValueError):
                return str(value)
        if kind in (Kind.DECIMAL, Kind.PERCENTAGE):
            try:
                return Decimal(str(value))
            except InvalidOperation:
                return str(value)
        if kind == Kind.DATE:
            try:
                return datetime.date.fromisoformat(str(value))
            except ValueError:
                return str(value)
        if kind == Kind.CHECKBOX:
            return self.ticked if value else None
        return value if type(value) is str else str(value)

    def coded(self, kind: str, value: Any) -> Any:
        """A stored value as the long sheet's value column holds it: codes for choices."""
        if kind in CHOICE_KINDS:
            if isinstance(value, dict):
                codes = value.get("choice", value.get("choices", ""))
                codes = "; ".join(codes) if isinstance(codes, list) else str(codes)
                return f"{codes}: {value.get('other', '')}" if value.get("other") else codes
            if isinstance(value, list):
                return "; ".join(str(code) for code in value)
            return str(value)
        return self.typed(kind, (), value)


# --- Columns of section sheets ------------------------------------------------------------------


def _row_number(code: str) -> int:
    return (parse_whole_number(code[1:]) or 0) if code[:1] == "r" else 0


def observed_keys(units: Sequence[ExportUnit]) -> set[AnswerKey]:
    keys: set[AnswerKey] = set()
    for unit in units:
        keys.update(unit.answers)
    return keys


def grid_rows(
    question: QuestionDef, questionnaire: QuestionnaireDef, observed: set[AnswerKey]
) -> list[tuple[str, str]]:
    """(code, label) of every row of a grid in any unit: fixed rows, then rows added."""
    rows = [(row.code, row.label) for row in question.rows]
    sources = [question.code]
    if question.row_source == Question.RowSource.DERIVED:
        source = questionnaire.questions.get(question.rows_from.get("question", ""))
        if source is not None:
            rows += [(row.code, row.label) for row in source.rows]
            sources.append(source.code)
    known = {code for code, _label in rows}
    added = {
        row for (code, row, _column) in observed if code in sources and row and row not in known
    }
    for code in sorted(added, key=lambda row: (_row_number(row), row)):
        number = _row_number(code)
        rows.append((code, _("Row %(n)d") % {"n": number} if number else code))
    return rows


def section_columns(
    questions: Sequence[QuestionDef], questionnaire: QuestionnaireDef, observed: set[AnswerKey]
) -> list[Column]:
    columns = []
    for question in questions:
        if not question.is_grid:
            columns.append(
                Column(
                    (question.code, "", ""),
                    question.code,
                    question.text,
                    question.kind,
                    question.choices,
                    question,
                )
            )
            continue
        for row_code, row_label in grid_rows(question, questionnaire, observed):
            if (question.code, row_code, LABEL_COLUMN) in observed:
                columns.append(
                    Column(
                        (question.code, row_code, LABEL_COLUMN),
                        f"{question.code}.{row_code}.{LABEL_COLUMN}",
                        f"{row_label}: " + _("name given"),
                        Kind.TEXT,
                        (),
                        question,
                    )
                )
            for grid_column in question.columns:
                columns.append(
                    Column(
                        (question.code, row_code, grid_column.code),
                        f"{question.code}.{row_code}.{grid_column.code}",
                        f"{row_label}: {grid_column.label}",
                        grid_column.kind,
                        grid_column.choices,
                        question,
                        grid_column,
                    )
                )
    return columns


# --- Hidden questions ---------------------------------------------------------------------------


class Visibility:
    """Which questions and cells a unit was asked, by its display conditions."""

    def __init__(self, unit: ExportUnit, questionnaire: QuestionnaireDef) -> None:
        self.unit = unit
        self.questionnaire = questionnaire
        self._questions: dict[str, bool] = {}
        self._derived_rows: dict[str, set[str]] = {}

    def question_shown(self, question: QuestionDef) -> bool:
        shown = self._questions.get(question.code)
        if shown is None:
            shown = self._questions[question.code] = conditions.evaluate(
                question.show_if, self.unit.lookup
            )
        return shown

    def cell_shown(self, question: QuestionDef, row: str, column: ColumnDef | None) -> bool:
        if not self.question_shown(question):
            return False
        if question.row_source == Question.RowSource.DERIVED:
            if question.code not in self._derived_rows:
                section = self.questionnaire.section(question.section_code)
                if section is not None:
                    rows = resolve_grid_rows(
                        section, self.questionnaire.questions, self.unit.condition_answers
                    )
                    for grid, grid_rows_ in rows.items():
                        self._derived_rows[grid] = {r.code for r in grid_rows_}
            if row not in self._derived_rows.get(question.code, set()):
                return False
        if column is not None and column.show_if:
            return conditions.evaluate(
                column.show_if, self.unit.lookup, grid=question.code, row=row
            )
        return True

    def shown(self, question: QuestionDef, key: AnswerKey) -> bool:
        if not question.is_grid:
            return self.question_shown(question)
        _code, row, column_code = key
        return self.cell_shown(question, row, question.column(column_code))


def cell_text(texts: Texts, answer: AnswerValue | None, column: Column, shown: bool) -> Any:
    if not shown:
        return texts.skipped
    if answer is None:
        return None
    if answer.status:
        return texts.special_text(answer.status)
    return texts.typed(column.kind, column.choices, answer.value)


# --- Sheets -------------------------------------------------------------------------------------


def unit_headers(with_label: bool, label_header: str = "") -> list[str]:
    headers = [_("Country or area"), _("M49 code"), _("ISO3")]
    return [*headers, label_header or _("Reply or return")] if with_label else headers


def unit_cells(unit: ExportUnit, with_label: bool) -> list[Any]:
    cells = [unit.place.name, unit.place.m49_code, unit.place.iso3]
    return [*cells, unit.label] if with_label else cells


def about_institution(question: QuestionDef) -> bool:
    """A question about the institution that answers it: each authority's answer is its own."""
    return question.scope == Scope.AUTHORITY


def section_sheet(
    section: SectionDef,
    questionnaire: QuestionnaireDef,
    units: Sequence[ExportUnit],
    visibility: dict[int, Visibility],
    observed: set[AnswerKey],
    progress: Progress,
    *,
    with_label: bool,
) -> Sheet:
    """The section's questions about the country: one row per return (or reply)."""
    questions = [question for question in section.questions if not about_institution(question)]
    return _answers_sheet(
        title=f"{section.code} {section.title}",
        description=_("Section %(code)s: one row per %(unit)s, one column per question or cell")
        % {"code": section.code, "unit": _("reply") if with_label else _("return")},
        questions=questions,
        questionnaire=questionnaire,
        units=units,
        visibility=visibility,
        observed=observed,
        progress=progress,
        with_label=with_label,
    )


def institution_sheet(
    section: SectionDef,
    questionnaire: QuestionnaireDef,
    units: Sequence[ExportUnit],
    observed: set[AnswerKey],
    *,
    whole_section: bool,
) -> Sheet:
    """The section's questions about each answering institution: one row per institution."""
    questions = [question for question in section.questions if about_institution(question)]
    institutions = [institution for unit in units for institution in unit.as_institutions]
    observed = observed | observed_keys(institutions)
    title = (
        f"{section.code} {section.title}"
        if whole_section
        else _("%(code)s by institution") % {"code": section.code}
    )
    return _answers_sheet(
        title=title,
        description=_(
            "Section %(code)s, questions about each institution that answers them: one row per "
            "institution, one column per question or cell; these answers are never consolidated"
        )
        % {"code": section.code},
        questions=questions,
        questionnaire=questionnaire,
        units=institutions,
        visibility={
            index: Visibility(unit, questionnaire) for index, unit in enumerate(institutions)
        },
        observed=observed,
        progress=None,
        with_label=True,
        label_header=_("Institution"),
    )


def _answers_sheet(
    *,
    title: str,
    description: str,
    questions: Sequence[QuestionDef],
    questionnaire: QuestionnaireDef,
    units: Sequence[ExportUnit],
    visibility: dict[int, Visibility],
    observed: set[AnswerKey],
    progress: Progress | None,
    with_label: bool,
    label_header: str = "",
) -> Sheet:
    columns = section_columns(questions, questionnaire, observed)
    plan = [(column, column.key, column.conditional) for column in columns]
    leading = unit_headers(with_label, label_header)
    texts = Texts()

    def rows() -> Iterator[list[Any]]:
        for index, unit in enumerate(units):
            seen = visibility[index]
            get = unit.answers.get
            row = unit_cells(unit, with_label)
            for column, key, conditional in plan:
                shown = seen.shown(column.question, key) if conditional else True
                row.append(cell_text(texts, get(key), column, shown))
            yield row
            if progress is not None:
                progress.advance()

    return Sheet(
        title=sheet_title(title),
        description=description,
        headers=[
            [*leading, *(column.header for column in columns)],
            [*("" for _h in leading), *(column.label for column in columns)],
        ],
        rows=rows(),
        widths=[28, 8, 6, *([28] if with_label else []), *(16 for _c in columns)],
        frozen_columns=len(leading),
    )


def long_sheet(
    questionnaire: QuestionnaireDef,
    units: Sequence[ExportUnit],
    visibility: dict[int, Visibility],
    progress: Progress,
    *,
    with_label: bool,
) -> Sheet:
    order = {code: position for position, code in enumerate(questionnaire.questions)}

    def position(key: AnswerKey) -> tuple:
        code, row, column = key
        return order.get(code, 0), _row_number(row), row, column

    texts = Texts()
    questions = questionnaire.questions
    # (question code, grid column code) -> (question, kind, choices, conditional)
    plans: dict[tuple[str, str], tuple[QuestionDef, str, Sequence[ChoiceDef], bool]] = {}

    def plan(code: str, column_code: str) -> tuple[QuestionDef, str, Sequence[ChoiceDef], bool]:
        found = plans.get((code, column_code))
        if found is None:
            question = questions[code]
            grid_column = question.column(column_code) if question.is_grid else None
            if grid_column is not None:
                kind, choices = grid_column.kind, grid_column.choices
            elif question.is_grid:
                kind, choices = Kind.TEXT, ()
            else:
                kind, choices = question.kind, question.choices
            found = plans[(code, column_code)] = (
                question,
                kind,
                choices,
                is_conditional(question, grid_column),
            )
        return found

    def rows() -> Iterator[list[Any]]:
        for index, unit in enumerate(units):
            yield from unit_rows(unit, visibility[index])
            # Each institution's answers about itself follow its country's, under its name.
            for institution in unit.institutions:
                yield from unit_rows(institution, Visibility(institution, questionnaire))
            progress.advance()

    def unit_rows(unit: ExportUnit, seen: Visibility) -> Iterator[list[Any]]:
        leading = unit_cells(unit, with_label)
        default_sources = "; ".join(unit.default_sources) or None
        for key in sorted(unit.answers, key=position):
            answer = unit.answers[key]
            question, kind, choices, conditional = plan(key[0], key[2])
            if conditional and not seen.shown(question, key):
                value = label = None
                special = texts.skipped
            elif answer.status:
                value = label = None
                special = texts.special_text(answer.status)
            else:
                value = texts.coded(kind, answer.value)
                label = (
                    texts.choice_text(kind, choices, answer.value) if kind in CHOICE_KINDS else None
                )
                special = None
            yield [
                *leading,
                key[0],
                key[1] or None,
                key[2] or None,
                value,
                label,
                special,
                answer.note or None,
                "; ".join(unit.sources[key]) or None if key in unit.sources else default_sources,
            ]

    return Sheet(
        title=_("Long"),
        description=_(
            "Every answer on its own row: question, grid row and column codes, the value (codes "
            "for choices), the choice label, the special value, the footnote and the source "
            "authorities"
        ),
        headers=[long_headers(with_label)],
        rows=rows(),
        widths=[28, 8, 6, *([28] if with_label else []), 10, 10, 14, 20, 30, 18, 30, 30],
    )


def long_headers(with_label: bool) -> list[str]:
    return [
        *unit_headers(with_label),
        _("Question"),
        _("Row"),
        _("Column"),
        _("Value"),
        _("Choice label"),
        _("Special value"),
        _("Footnote"),
        _("Source authorities"),
    ]


def _choices_text(kind: str, choices: Sequence[ChoiceDef]) -> str:
    return "\n".join(
        f"{choice.code} = {choice.label}" for choice in SectionRenderer.choices_of(kind, choices)
    )


def _rows_text(question: QuestionDef) -> str:
    if question.row_source == Question.RowSource.RESPONDENT:
        return _("Rows added by the respondent (up to %(n)d)") % {"n": question.max_rows}
    if question.row_source == Question.RowSource.DERIVED:
        source = question.rows_from.get("question", "")
        where = question.rows_from.get("where")
        return _("Rows of %(source)s") % {"source": source} + (
            " " + _("where %(condition)s") % {"condition": describe_condition(where, {}, None)}
            if where
            else ""
        )
    return "\n".join(f"{row.code} = {row.label}" for row in question.rows)


def codebook_headers() -> list[str]:
    return [
        _("Code"),
        _("Section"),
        _("Text"),
        _("Kind"),
        _("Required"),
        _("Choices (code = label)"),
        _("Grid rows"),
        _("Grid columns"),
        _("Asked if"),
    ]


def codebook_rows(questionnaire: QuestionnaireDef) -> Iterator[list[Any]]:
    questions = questionnaire.questions
    yes, no = _("yes"), _("no")
    for section in questionnaire.sections:
        for question in section.questions:
            yield [
                question.code,
                section.code,
                question.text,
                str(Kind(question.kind).label),
                yes if question.required else no,
                _choices_text(question.kind, question.choices) or None,
                _rows_text(question) or None if question.is_grid else None,
                "\n".join(f"{c.code} = {c.label}" for c in question.columns) or None,
                describe_condition(question.show_if, questions) if question.show_if else None,
            ]
            for column in question.columns:
                yield [
                    f"{question.code}.*.{column.code}",
                    section.code,
                    f"{question.text}: {column.label}",
                    str(Kind(column.kind).label),
                    yes if column.required else no,
                    _choices_text(column.kind, column.choices) or None,
                    None,
                    None,
                    describe_condition(column.show_if, questions, question)
                    if column.show_if
                    else None,
                ]


def codebook_sheet(questionnaire: QuestionnaireDef) -> Sheet:
    return Sheet(
        title=_("Codebook"),
        description=_(
            "Every question and grid column: code, section, text, kind, choices with codes and "
            "labels, grid rows and columns, and when it is asked"
        ),
        headers=[codebook_headers()],
        rows=codebook_rows(questionnaire),
        widths=[14, 8, LONG_TEXT_WIDTH, 16, 9, 40, 30, 30, 40],
    )


def status_sheet(
    units: Sequence[ExportUnit], milestones: dict[int, Milestones], *, with_label: bool
) -> Sheet:
    def rows() -> Iterator[list[Any]]:
        for unit in units:
            milestone = milestones.get(unit.return_id, Milestones())
            yield [
                *unit_cells(unit, with_label),
                unit.place.region or None,
                unit.place.subregion or None,
                unit.status_label,
                milestone.submitted_on,
                milestone.accepted_on,
                milestone.separate_returns or None,
            ]

    return Sheet(
        title=_("Status"),
        description=_(
            "Each country's return: M49 code, ISO3, region, sub-region, status, submitted and "
            "accepted dates, separate returns and why"
        ),
        headers=[
            [
                *unit_headers(with_label),
                _("Region"),
                _("Sub-region"),
                _("Status"),
                _("Submitted on"),
                _("Accepted on"),
                _("Separate returns and why"),
            ]
        ],
        rows=rows(),
        widths=[28, 8, 6, *([28] if with_label else []), 14, 24, 14, 12, 12, 40],
    )


FORBIDDEN_IN_TITLES = str.maketrans({character: " " for character in "[]:*?/\\"})


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: 31 characters at most, none of []:*?/\\."""
    return text.translate(FORBIDDEN_IN_TITLES).strip()[:31].strip()
