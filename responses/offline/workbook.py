"""The offline workbook: a reply's sections as protected sheets, with a hidden signed sheet.

Every answer cell is named, in the signed sheet, by the form field it stands for (the engine's
field names: `A9`, `A9.status`, `C1.S01.exists`), so that reading a workbook back needs no
guessing from its layout; the engine then checks the values as it checks a web form.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from consultation.answers import LABEL_COLUMN, AnswerKey, AnswerValue, field_name
from consultation.definition import (
    SPECIAL_VALUES,
    YES_NO_CHOICES,
    ChoiceDef,
    ColumnDef,
    QuestionDef,
    QuestionnaireDef,
    RowDef,
    SectionDef,
)
from consultation.formbuilder import (
    LONG_TEXT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    OTHER_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    answers_to_data,
    ranking_size,
    resolve_grid_rows,
    respondent_row_code,
)
from consultation.models import Kind, Question

from .xlsx_text import escape_cell_text

SIGNING_SALT = "responses.offline.workbook"
FORMAT_VERSION = 1
META_SHEET = "_consultation"
LISTS_SHEET = "_lists"
INSTRUCTIONS_SHEET = "Instructions"
# A tick in a checkbox cell or a multiple-choice option; "x" is read as a tick too.
TICK = "\u2713"
TICKS = {TICK, "x", "X"}
# A cell holds at most 32,767 characters; the signed payload is cut into pieces this long.
PAYLOAD_PIECE = 30_000
# The payload carries no "_": spreadsheet programs take "_x0041_" in a cell for an escaped "A"
# (see xlsx_text), and LibreOffice saves the decoded text, which would break the signature.
PAYLOAD_UNDERSCORE = "*"
# Blank rows below a grid whose rows the respondent adds: a value there is a row beyond the cap.
OVERFLOW_ROWS = 2
NUMBER_LIMIT = 10**15

# Cell types, as the signed sheet records them; the reader turns each back into form data.
TEXT, INTEGER, DECIMAL, DATE, CHOICE, TICK_CELL, OPTION = (
    "text",
    "integer",
    "decimal",
    "date",
    "choice",
    "tick",
    "option",
)

ANSWER_FILL = PatternFill("solid", fgColor="FFF8DC")
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")
COLUMN_CODE, COLUMN_TEXT, COLUMN_ANSWER, COLUMN_SPECIFY, COLUMN_STATUS, COLUMN_NOTE = range(1, 7)


def questionnaire_fingerprint(definition: QuestionnaireDef) -> str:
    """A digest of what answers are keyed by (codes, kinds, options, rows, columns).

    Wording corrections leave it as it is; a new version of the questionnaire changes it.
    """
    structure = [
        [
            section.code,
            [
                [
                    question.code,
                    question.kind,
                    [choice.code for choice in question.choices],
                    [row.code for row in question.rows],
                    [[column.code, column.kind] for column in question.columns],
                    list(question.special_values),
                    question.row_source,
                ]
                for question in section.questions
            ],
        ]
        for section in definition.sections
    ]
    return hashlib.sha256(json.dumps(structure).encode()).hexdigest()[:16]


def value_digest(value: AnswerValue | None) -> str:
    """A short digest of an answer value: the upload tells an untouched answer by it."""
    if value is None or value.is_blank:
        return ""
    payload = json.dumps([value.value, value.status or "", value.note or ""], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def answer_key_text(key: AnswerKey) -> str:
    return "|".join(key)


@dataclass(frozen=True)
class StoredVersion:
    """An answer at download time: its version and the digest of its value."""

    version: int
    digest: str


@dataclass
class WorkbookRequest:
    """What a workbook holds: the questionnaire's sections, and for a reply whose it is."""

    definition: QuestionnaireDef
    sections: Sequence[SectionDef]
    # The whole reply (every section), for conditions and derived rows; empty for a blank one.
    answers: Mapping[AnswerKey, AnswerValue] = field(default_factory=dict)
    versions: Mapping[AnswerKey, int] = field(default_factory=dict)
    round_code: str = ""
    round_name: str = ""
    return_id: int = 0
    country_code: str = ""
    country_name: str = ""
    authority_id: int = 0
    authority_name: str = ""
    downloaded_by: str = ""


def workbook_grid_rows(
    section: SectionDef,
    definition: QuestionnaireDef,
    answers: Mapping[AnswerKey, AnswerValue],
) -> dict[str, tuple[RowDef, ...]]:
    """The rows each grid gets in the workbook: respondent grids get room up to their cap."""
    rows = resolve_grid_rows(section, definition.questions, answers)
    for question in section.questions:
        if question.row_source != Question.RowSource.RESPONDENT:
            continue
        taken = [row.code for row in rows[question.code] if _has_answers(question, row, answers)]
        number = max((int(code[1:]) for code in taken), default=0)
        codes = list(taken)
        while len(codes) < question.max_rows:
            number += 1
            codes.append(respondent_row_code(number))
        rows[question.code] = tuple(
            RowDef(code, _("Row %(n)d") % {"n": index}) for index, code in enumerate(codes, 1)
        )
    return rows


def _has_answers(
    question: QuestionDef, row: RowDef, answers: Mapping[AnswerKey, AnswerValue]
) -> bool:
    return any(
        not answer.is_blank
        for (code, row_code, _column), answer in answers.items()
        if code == question.code and row_code == row.code
    )


class _Lists:
    """The choice lists of the workbook, one column each of the hidden lists sheet."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.ids: dict[tuple[tuple[str, str], ...], str] = {}
        self.pairs: dict[str, list[list[str]]] = {}

    def list_id(self, pairs: Sequence[tuple[str, str]]) -> str:
        key = tuple((str(code), str(label)) for code, label in pairs)
        if key not in self.ids:
            column = len(self.ids) + 1
            list_id = get_column_letter(column)
            self.ids[key] = list_id
            self.pairs[list_id] = [list(pair) for pair in key]
            for row, (_code, label) in enumerate(key, start=1):
                _put_text(self.sheet.cell(row=row, column=column), label)
        return self.ids[key]

    def formula(self, list_id: str) -> str:
        count = len(self.pairs[list_id])
        return f"{quote_sheetname(LISTS_SHEET)}!${list_id}$1:${list_id}${count}"


def _put_text(cell: Any, text: str) -> None:
    """Text from a person is written as text: never a formula, even when it starts with "="."""
    cell.value = escape_cell_text(text)
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def choice_pairs(kind: str, choices: Iterable[ChoiceDef]) -> list[tuple[str, str]]:
    if kind == Kind.YES_NO:
        return [(code, str(label)) for code, label in YES_NO_CHOICES]
    return [(choice.code, choice.label) for choice in choices]


def _has_other(choices: Iterable[ChoiceDef]) -> bool:
    return any(choice.is_other for choice in choices)


class _SheetWriter:
    """Writes one section's sheet and records where each form field's cell is."""

    def __init__(self, workbook_writer: "_WorkbookWriter", sheet: Worksheet, index: int) -> None:
        self.parent = workbook_writer
        self.sheet = sheet
        self.index = index
        self.row = 1
        self.validations: dict[tuple[Any, ...], DataValidation] = {}

    # Cells --------------------------------------------------------------------------------------

    def label(self, row: int, column: int, text: str, *, bold: bool = False, **style: Any) -> None:
        cell = self.sheet.cell(row=row, column=column)
        _put_text(cell, str(text))
        cell.alignment = WRAP
        if bold:
            cell.font = Font(bold=True)
        for name, value in style.items():
            setattr(cell, name, value)

    def answer_cell(
        self,
        row: int,
        column: int,
        name: str,
        cell_type: str,
        data: Any,
        *,
        kind: str = "",
        validation: Mapping[str, Any] | None = None,
        pairs: Sequence[tuple[str, str]] = (),
        option: str = "",
        max_length: int = 0,
    ) -> None:
        cell = self.sheet.cell(row=row, column=column)
        cell.protection = UNLOCKED
        cell.fill = ANSWER_FILL
        cell.alignment = WRAP
        extra = ""
        if cell_type == CHOICE:
            extra = self.parent.lists.list_id(pairs)
            labels = dict(pairs)
            if data not in ("", None):
                _put_text(cell, labels.get(str(data), str(data)))
            self.validate(cell.coordinate, ("list", extra), extra=extra)
        elif cell_type in (TICK_CELL, OPTION):
            extra = option
            ticked = (option in (data or [])) if cell_type == OPTION else data == "on"
            if ticked:
                _put_text(cell, TICK)
            self.validate(cell.coordinate, ("tick",))
        elif cell_type == INTEGER:
            if data not in ("", None):
                try:
                    cell.value = int(str(data))
                except ValueError:
                    _put_text(cell, str(data))
            self.validate(cell.coordinate, ("whole", *_limits(validation or {}, kind)))
        elif cell_type == DECIMAL:
            if data not in ("", None):
                _put_decimal(cell, str(data))
            self.validate(cell.coordinate, ("decimal", *_limits(validation or {}, kind)))
        elif cell_type == DATE:
            if data not in ("", None):
                try:
                    cell.value = datetime.date.fromisoformat(str(data))
                except ValueError:
                    _put_text(cell, str(data))
            cell.number_format = "yyyy-mm-dd"
            self.validate(cell.coordinate, ("date", *_date_limits(validation or {})))
        else:
            if data not in ("", None):
                _put_text(cell, str(data))
            cell.number_format = "@"
            if max_length:
                self.validate(cell.coordinate, ("length", max_length))
        self.parent.cells.append([self.index, cell.coordinate, name, cell_type, extra])

    def validate(self, coordinate: str, rule: tuple[Any, ...], *, extra: str = "") -> None:
        validation = self.validations.get(rule)
        if validation is None:
            validation = _data_validation(rule, self.parent.lists)
            self.sheet.add_data_validation(validation)
            self.validations[rule] = validation
        validation.add(coordinate)

    # Questions ----------------------------------------------------------------------------------

    def write_section(
        self, section: SectionDef, rows: Mapping[str, tuple[RowDef, ...]], data: Mapping[str, Any]
    ) -> None:
        sheet = self.sheet
        self.label(1, COLUMN_CODE, f"{section.code}. {section.title}", bold=True)
        sheet.cell(row=1, column=COLUMN_CODE).font = Font(bold=True, size=14)
        self.row = 2
        if section.introduction:
            self.label(2, COLUMN_TEXT, section.introduction)
            self.row = 3
        self.row += 1
        headers = [
            _("Code"),
            _("Question"),
            _("Answer"),
            _("Please specify"),
            _("Special value"),
            _("Footnote"),
        ]
        for column, header in enumerate(headers, start=1):
            self.label(self.row, column, header, bold=True, fill=HEADER_FILL)
        sheet.freeze_panes = f"A{self.row + 1}"
        self.row += 2
        for question in section.questions:
            self.parent.anchors[question.code] = [self.index, f"A{self.row}"]
            self.write_question(question, rows.get(question.code, question.rows), data)
            self.row += 1
        sheet.column_dimensions["A"].width = 9
        sheet.column_dimensions["B"].width = 60
        for column in range(3, max(sheet.max_column, 6) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 24
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False

    def write_question(
        self, question: QuestionDef, rows: tuple[RowDef, ...], data: Mapping[str, Any]
    ) -> None:
        row = self.row
        self.label(row, COLUMN_CODE, question.code, bold=True)
        text = question.text + (" *" if question.required else "")
        self.label(row, COLUMN_TEXT, text, bold=True)
        if question.special_values:
            self.status_cell(row, COLUMN_STATUS, question.code, question.special_values, data)
        if question.allows_note:
            name = field_name(question.code, part="note")
            self.answer_cell(
                row, COLUMN_NOTE, name, TEXT, data.get(name), max_length=NOTE_MAX_LENGTH
            )
        if question.help_text:
            self.row += 1
            self.label(self.row, COLUMN_TEXT, question.help_text, font=Font(italic=True))
        if question.is_grid:
            self.write_grid(question, rows, data)
        elif question.kind == Kind.RANKING:
            pairs = choice_pairs(Kind.SINGLE_CHOICE, question.choices)
            for n in range(1, ranking_size(question) + 1):
                self.row += 1
                name = f"{question.code}.rank{n}"
                self.label(self.row, COLUMN_TEXT, _("Rank %(n)d") % {"n": n})
                self.answer_cell(self.row, COLUMN_ANSWER, name, CHOICE, data.get(name), pairs=pairs)
        elif question.kind == Kind.MULTIPLE_CHOICE:
            self.value_cells(row, COLUMN_ANSWER, question.code, question, data, options_down=True)
        else:
            self.value_cells(row, COLUMN_ANSWER, question.code, question, data)
        self.row += 1

    def status_cell(
        self, row: int, column: int, name: str, codes: Sequence[str], data: Mapping[str, Any]
    ) -> None:
        status = field_name(name, part="status")
        pairs = [(code, str(SPECIAL_VALUES[code])) for code in codes]
        self.answer_cell(row, column, status, CHOICE, data.get(status), pairs=pairs)

    def value_cells(
        self,
        row: int,
        column: int,
        name: str,
        item: QuestionDef | ColumnDef,
        data: Mapping[str, Any],
        *,
        options_down: bool = False,
        specify_column: int = COLUMN_SPECIFY,
    ) -> None:
        """The cell (or cells) of one value; "please specify" goes in `specify_column`."""
        kind = item.kind
        value = data.get(name)
        if kind == Kind.MULTIPLE_CHOICE:
            for offset, choice in enumerate(item.choices, start=1):
                if options_down:
                    self.label(row + offset, COLUMN_TEXT, choice.label)
                    where = (row + offset, column)
                else:
                    where = (row, column + offset - 1)
                self.answer_cell(*where, name, OPTION, value, option=choice.code)
            if options_down:
                self.row = row + len(item.choices)
        elif kind in (Kind.SINGLE_CHOICE, Kind.YES_NO):
            pairs = choice_pairs(kind, item.choices)
            self.answer_cell(row, column, name, CHOICE, value, pairs=pairs)
        elif kind == Kind.CHECKBOX:
            self.answer_cell(row, column, name, TICK_CELL, value)
        elif kind in (Kind.INTEGER, Kind.YEAR):
            self.answer_cell(
                row, column, name, INTEGER, value, kind=kind, validation=item.validation
            )
        elif kind in (Kind.DECIMAL, Kind.PERCENTAGE):
            self.answer_cell(
                row, column, name, DECIMAL, value, kind=kind, validation=item.validation
            )
        elif kind == Kind.DATE:
            self.answer_cell(row, column, name, DATE, value, validation=item.validation)
        else:
            default = LONG_TEXT_MAX_LENGTH if kind == Kind.LONG_TEXT else TEXT_MAX_LENGTH
            limit = int(item.validation.get("max_length", default))
            self.answer_cell(row, column, name, TEXT, value, max_length=limit)
        if _has_other(item.choices):
            other = field_name(name, part="other")
            self.answer_cell(
                row, specify_column, other, TEXT, data.get(other), max_length=OTHER_MAX_LENGTH
            )

    def write_grid(
        self, question: QuestionDef, rows: tuple[RowDef, ...], data: Mapping[str, Any]
    ) -> None:
        """A grid as a table: a header row, then one row per grid row."""
        self.row += 1
        header = self.row
        self.label(header, COLUMN_TEXT, _("Row"), bold=True, fill=HEADER_FILL)
        column = COLUMN_ANSWER
        named_rows = any(row.is_other for row in rows)
        if named_rows:
            self.label(header, column, _("Name of the row"), bold=True, fill=HEADER_FILL)
            column += 1
        # Where each grid column's cells go: (value, specify, status) sheet columns.
        places: list[tuple[ColumnDef, int, int, int]] = []
        for grid_column in question.columns:
            start = column
            if grid_column.kind == Kind.MULTIPLE_CHOICE:
                for choice in grid_column.choices:
                    self.label(
                        header,
                        column,
                        f"{grid_column.label}: {choice.label}",
                        bold=True,
                        fill=HEADER_FILL,
                    )
                    column += 1
            else:
                required = " *" if grid_column.required else ""
                self.label(
                    header, column, grid_column.label + required, bold=True, fill=HEADER_FILL
                )
                column += 1
            specify = status = 0
            if _has_other(grid_column.choices):
                specify = column
                self.label(
                    header,
                    column,
                    f"{grid_column.label}: {_('please specify')}",
                    bold=True,
                    fill=HEADER_FILL,
                )
                column += 1
            if grid_column.special_values:
                status = column
                self.label(
                    header,
                    column,
                    f"{grid_column.label}: {_('special value')}",
                    bold=True,
                    fill=HEADER_FILL,
                )
                column += 1
            places.append((grid_column, start, specify, status))
        last_column = column - 1
        for grid_row in rows:
            self.row += 1
            self.label(self.row, COLUMN_TEXT, grid_row.label)
            if grid_row.is_other:
                name = field_name(question.code, grid_row.code, LABEL_COLUMN)
                self.answer_cell(
                    self.row,
                    COLUMN_ANSWER,
                    name,
                    TEXT,
                    data.get(name),
                    max_length=OTHER_MAX_LENGTH,
                )
            for grid_column, start, specify, status in places:
                name = field_name(question.code, grid_row.code, grid_column.code)
                self.value_cells(self.row, start, name, grid_column, data, specify_column=specify)
                if status:
                    self.status_cell(self.row, status, name, grid_column.special_values, data)
        self.parent.grid_rows[question.code] = [grid_row.code for grid_row in rows]
        if question.row_source == Question.RowSource.RESPONDENT:
            first = f"{get_column_letter(COLUMN_TEXT)}{self.row + 1}"
            last = f"{get_column_letter(last_column)}{self.row + OVERFLOW_ROWS}"
            self.parent.overflow.append([self.index, f"{first}:{last}", question.code])
            self.row += OVERFLOW_ROWS


def _put_decimal(cell: Any, text: str) -> None:
    """A number cell if Excel's floating point holds the decimal exactly, else a text cell."""
    try:
        number = Decimal(text)
        as_float = float(number)
    except (InvalidOperation, ValueError, OverflowError):
        _put_text(cell, text)
        return
    if Decimal(repr(as_float)) == number and abs(as_float) < NUMBER_LIMIT:
        cell.value = as_float
    else:
        _put_text(cell, text)


def _limits(validation: Mapping[str, Any], kind: str) -> tuple[Any, Any]:
    low, high = -NUMBER_LIMIT, NUMBER_LIMIT
    if kind == Kind.YEAR:
        low, high = 1900, 2100
    if kind == Kind.PERCENTAGE:
        low, high = 0, 100
    return (validation.get("min", low), validation.get("max", high))


def _date_limits(validation: Mapping[str, Any]) -> tuple[Any, Any]:
    low = validation.get("min", "1900-01-01")
    high = validation.get("max", "2999-12-31")
    return (
        int(to_excel(datetime.date.fromisoformat(str(low)))),
        int(to_excel(datetime.date.fromisoformat(str(high)))),
    )


def _data_validation(rule: tuple[Any, ...], lists: _Lists) -> DataValidation:
    """Excel's own check of a cell as it is typed in; the upload checks again in any case."""
    kind = rule[0]
    if kind == "list":
        validation = DataValidation(type="list", formula1=lists.formula(rule[1]), allow_blank=True)
        validation.error = _("Choose one of the options of the list.")
    elif kind == "tick":
        validation = DataValidation(type="list", formula1=f'"{TICK}"', allow_blank=True)
        validation.error = _("Tick with %(tick)s, or leave the cell empty.") % {"tick": TICK}
    elif kind in ("whole", "decimal"):
        validation = DataValidation(
            type=kind,
            operator="between",
            formula1=str(rule[1]),
            formula2=str(rule[2]),
            allow_blank=True,
        )
        what = _("a whole number") if kind == "whole" else _("a number")
        validation.error = _("Enter %(what)s from %(min)s to %(max)s.") % {
            "what": what,
            "min": rule[1],
            "max": rule[2],
        }
    elif kind == "date":
        validation = DataValidation(
            type="date",
            operator="between",
            formula1=str(rule[1]),
            formula2=str(rule[2]),
            allow_blank=True,
        )
        validation.error = _("Enter a date as year-month-day, such as 2026-03-31.")
    else:
        validation = DataValidation(
            type="textLength", operator="lessThanOrEqual", formula1=str(rule[1]), allow_blank=True
        )
        validation.error = _("Shorten this answer to %(count)d characters or fewer.") % {
            "count": rule[1]
        }
    validation.showErrorMessage = True
    validation.errorTitle = _("Not a valid answer")
    return validation


class _WorkbookWriter:
    def __init__(self) -> None:
        self.workbook = Workbook()
        self.cells: list[list[Any]] = []
        self.anchors: dict[str, list[Any]] = {}
        self.grid_rows: dict[str, list[str]] = {}
        self.overflow: list[list[Any]] = []
        self.instructions = self.workbook.create_sheet(INSTRUCTIONS_SHEET, 0)
        self.workbook.remove(self.workbook.worksheets[1])
        self.lists = _Lists(self.workbook.create_sheet(LISTS_SHEET))


def sheet_title(section: SectionDef) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    title = f"{section.code} {section.title}"
    for character in "[]:*?/\\'":
        title = title.replace(character, " ")
    return title[:31].strip()


def build_workbook(request: WorkbookRequest) -> bytes:
    """The workbook of a reply (or a blank one) as .xlsx bytes."""
    writer = _WorkbookWriter()
    workbook = writer.workbook
    sheet_names = []
    versions: dict[str, list[Any]] = {}
    for index, section in enumerate(request.sections):
        sheet = workbook.create_sheet(sheet_title(section))
        sheet_names.append([sheet.title, section.code])
        rows = workbook_grid_rows(section, request.definition, request.answers)
        data = answers_to_data(section, rows, request.answers)
        _SheetWriter(writer, sheet, index).write_section(section, rows, data)
    codes = {question.code for section in request.sections for question in section.questions}
    for key, version in request.versions.items():
        if key[0] in codes:
            versions[answer_key_text(key)] = [version, value_digest(request.answers.get(key))]
    _write_instructions(writer.instructions, request)
    meta = {
        "format": FORMAT_VERSION,
        "questionnaire": request.definition.code,
        "questionnaire_id": request.definition.id,
        "fingerprint": questionnaire_fingerprint(request.definition),
        "round": request.round_code,
        "return": request.return_id,
        "country": request.country_code,
        "authority": request.authority_id,
        "downloaded_by": request.downloaded_by,
        "downloaded_at": timezone.now().isoformat(),
        "sheets": sheet_names,
        "versions": versions,
        "cells": writer.cells,
        "anchors": writer.anchors,
        "grid_rows": writer.grid_rows,
        "overflow": writer.overflow,
        "lists": writer.lists.pairs,
    }
    write_signed_sheet(workbook.create_sheet(META_SHEET), meta)
    writer.lists.sheet.sheet_state = "hidden"
    writer.lists.sheet.protection.sheet = True
    # The lists sheet comes last among the visible ones, before the signed sheet.
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames) - 2)
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 0
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def write_signed_sheet(sheet: Worksheet, meta: Mapping[str, Any]) -> None:
    payload = signing.dumps(meta, salt=SIGNING_SALT, compress=True).replace("_", PAYLOAD_UNDERSCORE)
    for row, start in enumerate(range(0, len(payload), PAYLOAD_PIECE), start=1):
        _put_text(sheet.cell(row=row, column=1), payload[start : start + PAYLOAD_PIECE])
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def _write_instructions(sheet: Worksheet, request: WorkbookRequest) -> None:
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90
    lines: list[tuple[str, str]] = [(request.definition.title, "")]
    if request.return_id:
        lines += [
            (_("Round"), request.round_name),
            (_("Country or area"), request.country_name),
            (_("Reply of"), request.authority_name),
            (_("Downloaded by"), request.downloaded_by),
            (_("Downloaded at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ]
    else:
        lines.append((_("Blank questionnaire"), _("For reading: it cannot be uploaded.")))
    lines += [
        ("", ""),
        (_("How to fill in"), _("Each section of the questionnaire has its own sheet.")),
        (
            "",
            _(
                "Type your answers in the pale yellow cells only; the other cells are protected. "
                "Questions marked * need an answer."
            ),
        ),
        (
            "",
            _(
                "Choose options from the cell's list; tick options and checkboxes with %(tick)s "
                "(or type x); type numbers with a point for decimals and dates as "
                "year-month-day (2026-03-31)."
            )
            % {"tick": TICK},
        ),
        (
            "",
            _(
                "Where a figure is not available, choose a special value (not available, "
                "confidential...) in the Special value column rather than leaving the answer "
                "empty. Footnotes (coverage, definitions, breaks in series) go in the Footnote "
                "column."
            ),
        ),
        (
            "",
            _(
                "Type values, not formulas: cells holding a formula are refused when the "
                "workbook is uploaded. Do not rename, add or remove sheets."
            ),
        ),
        (
            "",
            _(
                "Some questions apply only given earlier answers, as in the web form: answers "
                "to questions that do not apply are not saved."
            ),
        ),
        (
            _("Uploading"),
            _(
                "Upload the workbook on the return's page. You will see every new and changed "
                "answer before anything is saved; answers changed on the web since you "
                "downloaded the workbook are shown side by side for you to choose."
            ),
        ),
    ]
    for row, (title, text) in enumerate(lines, start=1):
        _put_text(sheet.cell(row=row, column=1), str(title))
        sheet.cell(row=row, column=1).font = Font(bold=True, size=14 if row == 1 else 11)
        if text:
            _put_text(sheet.cell(row=row, column=2), str(text))
            sheet.cell(row=row, column=2).alignment = WRAP
    sheet.protection.sheet = True
