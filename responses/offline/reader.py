"""Reading an uploaded workbook: refuse unsafe or foreign files, then read the answer cells.

Checks run cheapest first and before anything is inflated: the size of the upload, then the
zip directory (the number of parts and their declared sizes; zipfile never inflates a part
beyond its declared size), macro parts, then XML declarations of entities. Only then does
openpyxl parse the workbook (through defusedxml, which openpyxl uses when it is installed).
"""

import datetime
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from django.core import signing
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from consultation.definition import QuestionnaireDef

from ..exceptions import ConsultationError
from .workbook import (
    CHOICE,
    DATE,
    DECIMAL,
    FORMAT_VERSION,
    INTEGER,
    META_SHEET,
    OPTION,
    PAYLOAD_UNDERSCORE,
    SIGNING_SALT,
    TICK_CELL,
    TICKS,
    questionnaire_fingerprint,
)
from .xlsx_text import unescape_cell_text

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_PARTS = 500
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
MACRO_MARKERS = ("vbaproject.bin", "vbadata.xml", "macrosheets/", "activex/")
MACRO_CONTENT_TYPE = b"macroenabled"
ENTITY_MARKERS = (b"<!doctype", b"<!entity")


class WorkbookRefused(ConsultationError):
    """The file is not a workbook this reply can take; nothing was read into the reply."""


@dataclass
class SheetCells:
    """The answer cells of one section's sheet, as form data, with each field's cell."""

    section_code: str
    sheet_name: str
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # field name -> "C12"
    # Fields whose cell could not be read as its type, with the reason.
    unreadable: dict[str, str] = field(default_factory=dict)


@dataclass
class UploadedWorkbook:
    """What a workbook says: whose reply it is (signed), and the values of its answer cells."""

    meta: dict[str, Any]
    sheets: list[SheetCells]

    @property
    def return_id(self) -> int:
        return int(self.meta["return"])

    @property
    def authority_id(self) -> int:
        return int(self.meta["authority"])

    def versions(self) -> dict[str, tuple[int, str]]:
        return {key: (int(pair[0]), str(pair[1])) for key, pair in self.meta["versions"].items()}


def check_container(content: bytes, filename: str = "") -> None:
    """Refuse what is not a plain .xlsx, or could be a zip bomb, before inflating anything."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise WorkbookRefused(
            _("This file is larger than %(size)d MB: a questionnaire workbook is far smaller.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    lower = filename.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        raise WorkbookRefused(
            _("Macro-enabled workbooks are not accepted. Save the workbook as .xlsx.")
        )
    if content.startswith(OLE_MAGIC):
        raise WorkbookRefused(
            _("This is an old Excel file (.xls) or an encrypted workbook. Save it as .xlsx.")
        )
    if not content.startswith(ZIP_MAGIC):
        raise WorkbookRefused(_("This file is not an Excel workbook (.xlsx)."))
    try:
        archive = zipfile.ZipFile(BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused(_("This file is not an Excel workbook (.xlsx).")) from None
    if len(parts) > MAX_PARTS:
        raise WorkbookRefused(
            _("This workbook has too many parts (%(count)d): it is not one of ours.")
            % {"count": len(parts)}
        )
    if sum(part.file_size for part in parts) > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookRefused(
            _("This workbook would unpack to more than %(size)d MB: it is refused.")
            % {"size": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    names = {part.filename.lower() for part in parts}
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookRefused(_("This file is not an Excel workbook (.xlsx)."))
    if any(marker in name for name in names for marker in MACRO_MARKERS):
        raise WorkbookRefused(
            _("This workbook contains macros, which are not accepted. Save it as .xlsx.")
        )
    try:
        for part in parts:
            if not part.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(part) as stream:
                head = stream.read(4096).lower()
                if part.filename == "[Content_Types].xml":
                    head += stream.read().lower()
            if part.filename == "[Content_Types].xml" and MACRO_CONTENT_TYPE in head:
                raise WorkbookRefused(
                    _("This workbook is macro-enabled, which is not accepted. Save it as .xlsx.")
                )
            if any(marker in head for marker in ENTITY_MARKERS):
                raise WorkbookRefused(
                    _(
                        "This workbook declares XML entities, which Excel never writes: "
                        "it is refused."
                    )
                )
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise WorkbookRefused(_("This workbook is damaged and cannot be read.")) from None


def read_upload(stream: IO[bytes], filename: str = "") -> bytes:
    """At most the size limit and one byte more, so a huge upload is not read whole."""
    content = stream.read(MAX_UPLOAD_BYTES + 1)
    check_container(content, filename)
    return content


def read_workbook(
    content: bytes, definition_for: Any, *, filename: str = ""
) -> tuple[UploadedWorkbook, QuestionnaireDef]:
    """The signed identity and the answer cells of a workbook, or WorkbookRefused.

    `definition_for(meta)` returns the questionnaire the signed sheet names (or refuses).
    """
    check_container(content, filename)
    try:
        workbook = load_workbook(BytesIO(content), data_only=False, keep_links=False)
    except WorkbookRefused:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise WorkbookRefused(_("This workbook is damaged and cannot be read.")) from None
    meta = read_signed_sheet(workbook)
    definition = definition_for(meta)
    if meta.get("fingerprint") != questionnaire_fingerprint(definition):
        raise WorkbookRefused(
            _(
                "The questionnaire has changed since this workbook was downloaded. Download a "
                "new workbook and copy your answers into it."
            )
        )
    sheets = [SheetCells(code, name) for name, code in meta["sheets"]]
    formulas: list[str] = []
    lists: Mapping[str, list[list[str]]] = meta["lists"]
    for index, coordinate, name, cell_type, extra in meta["cells"]:
        target = sheets[index]
        if target.sheet_name not in workbook.sheetnames:
            raise WorkbookRefused(
                _("The sheet \u201c%(sheet)s\u201d is missing: sheets must not be renamed.")
                % {"sheet": target.sheet_name}
            )
        cell = workbook[target.sheet_name][coordinate]
        target.cells.setdefault(name, coordinate)
        value = cell.value
        if cell.data_type == "f" or isinstance(value, ArrayFormula):
            formulas.append(f"{target.sheet_name}!{coordinate}")
            continue
        try:
            _read_cell(target.data, name, cell_type, extra, value, lists)
        except ValueError as problem:
            target.unreadable[name] = str(problem)
    if formulas:
        shown = ", ".join(formulas[:20]) + (" ..." if len(formulas) > 20 else "")
        raise WorkbookRefused(
            _(
                "These cells hold formulas: %(cells)s. Type the values themselves (a formula's "
                "last result is not trusted), then upload again."
            )
            % {"cells": shown}
        )
    for index, cell_range, grid in meta["overflow"]:
        target = sheets[index]
        sheet = workbook[target.sheet_name]
        min_col, min_row, max_col, max_row = range_boundaries(cell_range)
        for row in sheet.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col
        ):
            for cell in row:
                if cell.value not in (None, ""):
                    target.unreadable[grid] = _(
                        "Grid %(grid)s has a value in %(cell)s, below its last row: it takes "
                        "no more rows than it has in the workbook."
                    ) % {"grid": grid, "cell": cell.coordinate}
                    target.cells.setdefault(grid, cell.coordinate)
                    break
    return UploadedWorkbook(meta, sheets), definition


def read_signed_sheet(workbook: Any) -> dict[str, Any]:
    if META_SHEET not in workbook.sheetnames:
        raise WorkbookRefused(
            _(
                "This workbook was not downloaded from the consultation (its identification "
                "sheet is missing). Download your reply's workbook and fill that in."
            )
        )
    sheet = workbook[META_SHEET]
    payload = "".join(
        str(row[0]) for row in sheet.iter_rows(min_col=1, max_col=1, values_only=True) if row[0]
    ).replace(PAYLOAD_UNDERSCORE, "_")
    try:
        meta = signing.loads(payload, salt=SIGNING_SALT)
    except signing.BadSignature:
        raise WorkbookRefused(
            _(
                "The workbook's identification sheet has been altered, so the workbook cannot "
                "be trusted. Download a new workbook."
            )
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        raise WorkbookRefused(_("This workbook was made by another version: download a new one."))
    return meta


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return unescape_cell_text(str(value)).strip()


def _read_cell(
    data: dict[str, Any],
    name: str,
    cell_type: str,
    extra: str,
    value: Any,
    lists: Mapping[str, list[list[str]]],
) -> None:
    """Put a cell's value into the form data, as the web form would have sent it.

    Nothing is judged here that the engine judges: a text where a number belongs goes to the
    engine as it is, and the engine says what is wrong with it.
    """
    blank = value is None or (isinstance(value, str) and not value.strip())
    if cell_type == OPTION:
        data.setdefault(name, [])
        if blank:
            return
        if _text(value) not in TICKS:
            raise ValueError(_("Tick with \u2713 (or x), or leave the cell empty."))
        data[name].append(extra)
        return
    if blank:
        return
    text = _text(value)
    if cell_type == TICK_CELL:
        if text not in TICKS:
            raise ValueError(_("Tick with \u2713 (or x), or leave the cell empty."))
        data[name] = "on"
    elif cell_type == CHOICE:
        pairs = lists.get(extra, [])
        by_label = {label.casefold(): code for code, label in pairs}
        codes = {code for code, _label in pairs}
        data[name] = text if text in codes else by_label.get(text.casefold(), text)
    elif cell_type in (INTEGER, DECIMAL, DATE):
        data[name] = text
    else:
        # A text cell keeps what was typed, line breaks included (Excel trims nothing).
        data[name] = unescape_cell_text(value) if isinstance(value, str) else text
