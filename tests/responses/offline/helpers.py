"""Building and editing offline workbooks in tests, as a respondent would in Excel."""

from io import BytesIO

from django.core import signing
from openpyxl import load_workbook

from responses.offline.services import downloadable_sections, reply_workbook
from responses.offline.workbook import META_SHEET, SIGNING_SALT


def download(user, country_return) -> bytes:
    authority, sections = downloadable_sections(user, country_return)
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
    )
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
