"""Building and editing offline workbooks in tests, as a respondent would in Excel."""

import datetime
from decimal import Decimal
from io import BytesIO

from django.core import signing
from openpyxl import load_workbook

from responses.offline.download import downloadable_sections, reply_workbook
from responses.offline.workbook import META_SHEET, PAYLOAD_UNDERSCORE, SIGNING_SALT, TICK


def download(user, country_return, only: set[str] | None = None) -> bytes:
    authority, sections = downloadable_sections(user, country_return)
    if only is not None:
        sections = [section for section in sections if section.code in only]
    return reply_workbook(
        country_return=country_return,
        authority=authority,
        sections=sections,
        downloaded_by=user.email,
    )


def meta_of(content: bytes) -> dict:
    """The signed identification sheet's content."""
    workbook = load_workbook(BytesIO(content))
    payload = "".join(
        str(row[0]) for row in workbook[META_SHEET].iter_rows(values_only=True) if row[0]
    ).replace(PAYLOAD_UNDERSCORE, "_")
    return signing.loads(payload, salt=SIGNING_SALT)


def cells_of(content: bytes) -> dict:
    """Field name -> (sheet name, coordinate), read from the signed sheet."""
    meta = meta_of(content)
    sheets = [name for name, _code in meta["sheets"]]
    found: dict = {}
    for index, coordinate, name, cell_type, extra in meta["cells"]:
        key = (name, extra) if cell_type == "option" else name
        found[key] = (sheets[index], coordinate)
    return found


def edit(content: bytes, changes: dict, *, at: dict | None = None) -> bytes:
    """Type values into the workbook's answer cells: {field name or (field, option): value};
    `at` types into any cell: {(sheet name, coordinate): value}."""
    where = cells_of(content)
    workbook = load_workbook(BytesIO(content))
    for name, value in changes.items():
        sheet, coordinate = where[name]
        workbook[sheet][coordinate].value = value
    for (sheet, coordinate), value in (at or {}).items():
        workbook[sheet][coordinate].value = value
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def type_into(content: bytes, data: dict, sections: set[str]) -> bytes:
    """Type form data into every answer cell of the sections named, as a person in Excel would:
    labels from the lists, numbers as numbers, dates as dates, ticks; other cells emptied."""
    meta = meta_of(content)
    workbook = load_workbook(BytesIO(content))
    for index, coordinate, name, cell_type, extra in meta["cells"]:
        sheet_name, code = meta["sheets"][index]
        if code not in sections:
            continue
        cell = workbook[sheet_name][coordinate]
        cell.value = _typed(meta, cell_type, extra, data.get(name))
        if isinstance(cell.value, str):
            # Typed as text ('=... in Excel), never as a formula.
            cell.data_type = "s"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _typed(meta: dict, cell_type: str, extra: str, value):
    if cell_type == "option":
        return TICK if value and extra in value else None
    if value in (None, "", []):
        return None
    if cell_type == "tick":
        return TICK
    if cell_type == "choice":
        return dict((code, label) for code, label in meta["lists"][extra]).get(value, value)
    if cell_type == "integer":
        return int(value)
    if cell_type == "decimal":
        number = float(value)
        return number if Decimal(repr(number)) == Decimal(value) else str(value)
    if cell_type == "date":
        return datetime.date.fromisoformat(value)
    return str(value)
