"""Writing sheets to an .xlsx workbook with openpyxl's write-only mode, safely and fast.

No cell holds a live formula that came from the data: text beginning with =, +, -, @, a tab or
a carriage return is written as a text cell with Excel's quote prefix, so that neither opening
the file nor editing the cell evaluates it. Characters XML cannot carry are dropped, and text
that looks like an escaped character ("_x0041_") is escaped as Excel escapes it, so that a
spreadsheet program shows it as typed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from responses.offline.xlsx_text import escape_cell_text

from .content import Sheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class SheetCount:
    """What was written to one sheet: data rows below its headers, and non-empty cells."""

    title: str
    description: str
    rows: int
    cells: int


@dataclass
class Manifest:
    sheets: list[SheetCount] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return sum(sheet.cells for sheet in self.sheets)


def clean_text(text: str) -> str:
    """Text without the control characters that XML cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


class SafeRows:
    """Turns rows of plain values into rows a write-only sheet appends, text made inert."""

    def __init__(self, worksheet: Any) -> None:
        self.worksheet = worksheet
        self.cells = 0

    def text_cell(self, text: str) -> Any:
        text = escape_cell_text(clean_text(text))
        if not is_formula_like(text):
            return text
        cell = WriteOnlyCell(self.worksheet, text)
        # openpyxl reads "=..." as a formula; a text cell with a quote prefix stays text.
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell

    def row(self, values: Sequence[Any]) -> list[Any]:
        out = list(values)
        cells = 0
        for index, value in enumerate(out):
            if value is None:
                continue
            cells += 1
            # isprintable() is False for any control character; "_x" may start what Excel reads
            # as an escaped character (see xlsx_text). Only then the slow path.
            if type(value) is str and (
                value[:1] in FORMULA_TRIGGERS or not value.isprintable() or "_x" in value
            ):
                out[index] = self.text_cell(value)
        self.cells += cells
        return out

    def header(self, values: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for value in values:
            if value in (None, ""):
                out.append(None)
                continue
            self.cells += 1
            cell = WriteOnlyCell(self.worksheet, escape_cell_text(clean_text(str(value))))
            cell.data_type = "s"
            cell.font = HEADER_FONT
            out.append(cell)
        return out


def write_sheet(workbook: Workbook, sheet: Sheet, index: int | None = None) -> SheetCount:
    worksheet = workbook.create_sheet(sheet.title, index)
    for number, width in enumerate(sheet.widths, start=1):
        worksheet.column_dimensions[get_column_letter(number)].width = width
    if sheet.headers:
        worksheet.freeze_panes = (
            f"{get_column_letter(sheet.frozen_columns + 1)}{len(sheet.headers) + 1}"
        )
    safe = SafeRows(worksheet)
    for header in sheet.headers:
        worksheet.append(safe.header(header))
    rows = 0
    append, convert = worksheet.append, safe.row
    for row in sheet.rows:
        append(convert(row))
        rows += 1
    return SheetCount(sheet.title, sheet.description, rows, safe.cells)


def readme_sheet(title: str, facts: Iterable[tuple[str, Any]], manifest: Manifest) -> Sheet:
    """The read-me: what the file is, what each sheet holds, and what was written to each."""
    rows: list[list[Any]] = [[label, value] for label, value in facts]
    rows += [[], [_("Sheet"), _("What it holds"), _("Rows"), _("Cells")]]
    rows += [[s.title, s.description, s.rows, s.cells] for s in manifest.sheets]
    rows += [
        [],
        [
            _(
                "Rows count the data rows below each sheet's header rows; cells count every "
                "non-empty cell, headers included. A sheet with fewer is truncated."
            )
        ],
        [
            _(
                "Special values read as such (\u201cNot available\u201d, "
                "\u201cConfidential\u201d); an empty cell was not answered; "
                "\u201cnot applicable (skipped)\u201d marks a "
                "question the respondent was not asked."
            )
        ],
    ]
    return Sheet(
        title=_("Read me"),
        description=_("What this file is, and this manifest"),
        headers=[[title, ""]],
        rows=iter(rows),
        widths=[28, 90, 10, 12],
    )


def write_workbook(
    target: str | IO[bytes], title: str, sheets: Iterable[Sheet], facts: list
) -> Manifest:
    """Write the sheets, then the read-me with its manifest in front of them."""
    workbook = Workbook(write_only=True)
    manifest = Manifest()
    for sheet in sheets:
        manifest.sheets.append(write_sheet(workbook, sheet))
    write_sheet(workbook, readme_sheet(title, facts, manifest), index=0)
    workbook.save(target)
    return manifest
