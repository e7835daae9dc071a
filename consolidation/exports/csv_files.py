"""The long table and the codebook as CSV (UTF-8 with a byte-order mark), for R, Stata, pandas.

A spreadsheet opening a CSV evaluates any field beginning with =, +, -, @, a tab or a carriage
return; such text is written with a leading apostrophe, as OWASP advises, so it stays text.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from .content import Sheet
from .workbook import Manifest, SheetCount, clean_text, is_formula_like

BOM = "\ufeff"


def csv_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        text = clean_text(value)
        return "'" + text if is_formula_like(text) else text
    return str(value)


def write_csv(stream: IO[str], sheet: Sheet) -> SheetCount:
    """One sheet as CSV: its first header row, then its rows. The caller opens the stream."""
    stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    cells = 0
    rows = 0
    headers: Sequence[Any] = sheet.headers[0] if sheet.headers else []
    writer.writerow([csv_field(value) for value in headers])
    cells += sum(1 for value in headers if value not in (None, ""))
    for row in sheet.rows:
        writer.writerow([csv_field(value) for value in row])
        cells += sum(1 for value in row if value is not None)
        rows += 1
    return SheetCount(sheet.title, sheet.description, rows, cells)


def codebook_path(long_path: str) -> str:
    """Where the codebook goes next to a long table written to a path: name-codebook.csv."""
    path = Path(long_path)
    return str(path.with_name(f"{path.stem}-codebook.csv"))


def write_csv_pair(long_path: str, long_table: Sheet, codebook: Sheet) -> Manifest:
    """The long table at the path given and the codebook next to it (see codebook_path)."""
    manifest = Manifest()
    for path, sheet in ((long_path, long_table), (codebook_path(long_path), codebook)):
        with open(path, "w", encoding="utf-8", newline="") as stream:
            manifest.sheets.append(write_csv(stream, sheet))
    return manifest


def write_csv_files(target: str | IO[bytes], sheets: Iterable[tuple[str, Sheet]]) -> Manifest:
    """Several CSV files in one zip archive, named as given."""
    manifest = Manifest()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, sheet in sheets:
            with (
                archive.open(name, "w", force_zip64=True) as member,
                io.TextIOWrapper(member, encoding="utf-8", newline="") as text,
            ):
                manifest.sheets.append(write_csv(text, sheet))
    return manifest
