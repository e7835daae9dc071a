"""Registering a round's focal points from an Excel (.xlsx) or CSV list: all rows or none.

The list has a header row and one row per country: the country (ISO 3166 alpha-3 or UN M49
code), the focal point's name and e-mail address, and optionally a second focal point's name and
e-mail address. A country may appear on several rows. Every problem is reported with its row
number, and nothing is written unless the whole list is right. Importing a list again creates
nothing new.

Uploaded workbooks are checked through the ZIP central directory (size, member count,
compression ratio, macros) before openpyxl opens them, read-only and values-only.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultation.models import Area, Round
from consultation.parsing import parse_whole_number

from .exceptions import FocalPointImportRefused, InvitationRefused, RoundRefused
from .invitations.services import check_email, issue_invitation
from .models import Invitation, Membership
from .returns.lifecycle import create_return, ensure_nso

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# Empty (formatted) rows are skipped, but only so many of them.
MAX_SCANNED_ROWS = 100_000
MAX_COLUMNS = 50
MAX_NAME_LENGTH = 200
# Limits read from the ZIP central directory before anything is inflated. A real list of ~200
# countries is a few kilobytes; these leave room for formatting while refusing zip bombs.
MAX_ZIP_MEMBERS = 200
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
REQUIRED_ZIP_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")

COLUMNS = ("country", "name", "email", "name_2", "email_2")
REQUIRED_COLUMNS = ("country", "name", "email")
# Header spellings accepted for each column (after lower-casing and joining words with "_").
COLUMN_ALIASES = {
    "country": {
        "country",
        "country_code",
        "code",
        "iso3",
        "iso3_code",
        "iso",
        "m49",
        "m49_code",
        "iso3_or_m49",
        "iso3_or_m49_code",
        "country_iso3_or_m49_code",
    },
    "name": {"name", "full_name", "focal_point", "focal_point_name", "name_1", "name1"},
    "email": {"email", "email_1", "email1", "email_address", "focal_point_email"},
    "name_2": {
        "name_2",
        "name2",
        "second_name",
        "second_focal_point",
        "second_focal_point_name",
        "focal_point_2_name",
    },
    "email_2": {
        "email_2",
        "email2",
        "second_email",
        "second_focal_point_email",
        "focal_point_2_email",
    },
}
ALIAS_TO_COLUMN = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class FocalPoint:
    email: str
    full_name: str
    row_number: int


@dataclass
class CountryFocalPoints:
    """The focal points listed for one country (from one or more rows)."""

    country: Area
    focal_points: list[FocalPoint] = field(default_factory=list)


@dataclass
class FocalPointImportResult:
    """What an import did; `invitations_created` lists the addresses invited."""

    countries: int = 0
    returns_created: int = 0
    authorities_created: int = 0
    invitations_created: list[str] = field(default_factory=list)
    already_invited: int = 0
    invitations_sent_now: bool = False


# Reading the file --------------------------------------------------------------------------


def _refuse(message: str, errors: list[str] | None = None) -> FocalPointImportRefused:
    return FocalPointImportRefused(message, errors or [message])


Table = list[tuple[int, list[Any]]]


def read_table(*, file_name: str, data: bytes) -> Table:
    """The non-empty rows of an .xlsx or .csv file with their numbers (the first is 1)."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_FILE_BYTES // 1024 // 1024}
        )
    extension = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
    if extension == "xlsx":
        return _read_xlsx(data)
    if extension == "csv":
        return _read_csv(data)
    if extension in {"xls", "xlsm", "xlsb", "ods"}:
        raise _refuse(
            _(
                "Save the list as an Excel workbook (.xlsx) without macros, or as CSV, and try "
                "again."
            )
        )
    raise _refuse(_("The list must be an Excel workbook (.xlsx) or a CSV file (.csv)."))


def check_xlsx_archive(data: bytes) -> None:
    """Refuse a workbook whose ZIP directory announces a bomb, macros or a non-workbook.

    Reads only the central directory: nothing is inflated. zipfile never inflates a member
    beyond the size the directory declares, so these checks also bound what openpyxl reads.
    """
    not_a_workbook = _("The file is not an Excel workbook (.xlsx). Save it again as .xlsx or CSV.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(not_a_workbook)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _refuse(not_a_workbook) from None
    too_big = _("The workbook is too large or too compressed to be read safely.")
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refuse(too_big)
    names = {member.filename for member in members}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse(
            _("The workbook contains macros. Save it as a plain Excel workbook (.xlsx) or CSV.")
        )
    if not all(name in names for name in REQUIRED_ZIP_MEMBERS):
        raise _refuse(not_a_workbook)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MAX_MEMBER_BYTES or ratio > MAX_COMPRESSION_RATIO:
            raise _refuse(too_big)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(too_big)


def _collect(rows: Iterable[Iterable[Any]]) -> Table:
    """Keep the non-empty rows with their numbers, within the row limits."""
    table: Table = []
    for row_number, values in enumerate(rows, start=1):
        if row_number > MAX_SCANNED_ROWS:
            raise _refuse(_("The list has more than %(limit)d rows.") % {"limit": MAX_ROWS})
        cells = list(values)[:MAX_COLUMNS]
        if any(_text(value) for value in cells):
            table.append((row_number, cells))
            if len(table) > MAX_ROWS + 1:
                raise _refuse(_("The list has more than %(limit)d rows.") % {"limit": MAX_ROWS})
    return table


def _read_xlsx(data: bytes) -> Table:
    check_xlsx_archive(data)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception:
        # openpyxl raises many kinds of errors for damaged files; all mean the same to the user.
        raise _refuse(
            _("The workbook could not be read. Open it in Excel, save it as .xlsx, and try again.")
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _refuse(_("The workbook has no sheet."))
        # A read-only sheet stops at the dimension the file declares, which any program writing
        # the file may get wrong: every row is read, whatever it declares.
        sheet.reset_dimensions()
        # Read-only sheets yield empty rows for gaps, so positions are the row numbers.
        return _collect(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except FocalPointImportRefused:
        raise
    except Exception:
        raise _refuse(
            _("The workbook could not be read. Open it in Excel, save it as .xlsx, and try again.")
        ) from None
    finally:
        workbook.close()


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Windows is Windows-1252, not UTF-8.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _refuse(
                _("The CSV file's characters could not be read. Save it as “CSV UTF-8”.")
            ) from None
    if "\x00" in text:
        raise _refuse(_("The file is not a CSV file. Save the list as CSV or .xlsx."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        return _collect(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _refuse(_("The CSV file could not be read. Save it again as CSV.")) from None


def _text(value: Any) -> str:
    """A cell as text: numbers without a decimal part lose their ".0" (M49 codes, for one)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return " ".join(str(value).split())


def _header_key(value: Any) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", _text(value).lower()).strip("_")
    return key.replace("e_mail", "email")


def _header_columns(row_number: int, header: list[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    errors: list[str] = []
    for position, value in enumerate(header):
        column = ALIAS_TO_COLUMN.get(_header_key(value))
        if column is None:
            continue  # other columns (a country name, notes) are allowed and ignored
        if column in positions:
            errors.append(
                _("Row %(row)d: the column “%(column)s” appears twice.")
                % {"row": row_number, "column": _text(value)}
            )
        positions[column] = position
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        errors.append(
            _(
                "Row %(row)d: the header row lacks the column(s) %(missing)s. The list needs a "
                "header row naming the columns country, name, email, and optionally name_2 and "
                "email_2."
            )
            % {"row": row_number, "missing": ", ".join(missing)}
        )
    if errors:
        raise _refuse(errors[0], errors)
    return positions


class _Countries:
    """Country-level areas by ISO alpha-3 and by M49 code, read once."""

    def __init__(self) -> None:
        self.by_m49: dict[str, Area] = {}
        self.by_iso3: dict[str, Area] = {}
        for area in Area.objects.all():
            self.by_m49[area.m49_code] = area
            if area.iso3:
                self.by_iso3[area.iso3.upper()] = area

    def find(self, code: str) -> Area | str:
        """The country of a code, or the reason it is not one."""
        if len(code) <= 3 and parse_whole_number(code) is not None:
            area = self.by_m49.get(code.zfill(3))
        else:
            area = self.by_iso3.get(code.upper())
        if area is None:
            return _("“%(code)s” is not an ISO alpha-3 or M49 code of a country.") % {"code": code}
        if area.level != Area.Level.COUNTRY:
            return _("“%(code)s” is %(name)s, a region, not a country.") % {
                "code": code,
                "name": area.name,
            }
        return area


def parse_focal_points(table: Table) -> list[CountryFocalPoints]:
    """Check every row; the focal points by country, or every problem with its row number."""
    if not table:
        raise _refuse(_("The file is empty."))
    header_number, header = table[0]
    positions = _header_columns(header_number, header)
    countries = _Countries()
    by_country: dict[str, CountryFocalPoints] = {}
    errors: list[str] = []

    def cell(row: list[Any], column: str) -> str:
        position = positions.get(column)
        if position is None or position >= len(row):
            return ""
        return _text(row[position])

    for row_number, row in table[1:]:
        row_errors: list[str] = []
        code = cell(row, "country")
        country: Area | None = None
        if not code:
            row_errors.append(_("the country code is missing."))
        else:
            found = countries.find(code)
            if isinstance(found, str):
                row_errors.append(found)
            else:
                country = found
        people: list[FocalPoint] = []
        for name_column, email_column, required in (
            ("name", "email", True),
            ("name_2", "email_2", False),
        ):
            name, email = cell(row, name_column), cell(row, email_column)
            if not email:
                if required:
                    row_errors.append(_("the focal point's e-mail address is missing."))
                elif name:
                    row_errors.append(
                        _("the second focal point (%(name)s) has no e-mail address.")
                        % {"name": name}
                    )
                continue
            if len(name) > MAX_NAME_LENGTH:
                row_errors.append(
                    _("the name “%(name)s…” is longer than %(limit)d characters.")
                    % {"name": name[:30], "limit": MAX_NAME_LENGTH}
                )
            try:
                address = check_email(email)
            except InvitationRefused as error:
                row_errors.append(error.message)
                continue
            people.append(FocalPoint(email=address, full_name=name, row_number=row_number))
        if row_errors:
            errors.extend(
                _("Row %(row)d: %(problem)s") % {"row": row_number, "problem": problem}
                for problem in row_errors
            )
            continue
        assert country is not None
        entry = by_country.setdefault(country.m49_code, CountryFocalPoints(country=country))
        known = {person.email for person in entry.focal_points}
        for person in people:
            if person.email not in known:
                entry.focal_points.append(person)
                known.add(person.email)
    if errors:
        summary = ngettext(
            "The list has %(count)d problem; nothing was imported.",
            "The list has %(count)d problems; nothing was imported.",
            len(errors),
        ) % {"count": len(errors)}
        raise FocalPointImportRefused(summary, errors)
    if not by_country:
        raise _refuse(_("The list names no focal points."))
    return list(by_country.values())


def read_focal_points(*, file_name: str, data: bytes) -> list[CountryFocalPoints]:
    """Read and check a focal point list; FocalPointImportRefused lists every problem."""
    return parse_focal_points(read_table(file_name=file_name, data=data))


# Registering -------------------------------------------------------------------------------


def _already_invited(round_: Round) -> set[tuple[int, str]]:
    """(return id, e-mail) of every focal point invited (link not withdrawn) or member."""
    role = Membership.Role.FOCAL_POINT
    invited = {
        (return_id, email.lower())
        for return_id, email in Invitation.objects.filter(
            country_return__round=round_, role=role, revoked_at__isnull=True
        ).values_list("country_return_id", "email")
    }
    for return_id, email, username in Membership.objects.filter(
        country_return__round=round_, role=role
    ).values_list("country_return_id", "user__email", "user__username"):
        invited.add((return_id, (email or "").lower()))
        invited.add((return_id, (username or "").lower()))
    return invited


@transaction.atomic
def register_focal_points(
    *,
    round_: Round,
    countries: Iterable[CountryFocalPoints],
    invited_by: User | None,
) -> FocalPointImportResult:
    """Create what is missing, in one transaction: returns, NSOs, focal point invitations.

    Idempotent: a focal point already invited to (or member of) the country's return is
    skipped. In an open round the new invitations are sent once the transaction commits.
    """
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status == Round.Status.CLOSED:
        raise RoundRefused(_("The round “%(round)s” is closed.") % {"round": locked.name})
    result = FocalPointImportResult(invitations_sent_now=locked.status == Round.Status.OPEN)
    invited = _already_invited(locked)
    for entry in countries:
        result.countries += 1
        nso, created = ensure_nso(entry.country)
        result.authorities_created += created
        country_return, created = create_return(round_=locked, country=entry.country)
        result.returns_created += created
        for person in entry.focal_points:
            if (country_return.pk, person.email) in invited:
                result.already_invited += 1
                continue
            issue_invitation(
                email=person.email,
                role=Membership.Role.FOCAL_POINT,
                country_return=country_return,
                authority=nso,
                invited_by=invited_by,
                full_name=person.full_name,
            )
            invited.add((country_return.pk, person.email))
            result.invitations_created.append(person.email)
    return result


def import_focal_points(
    *, round_: Round, file_name: str, data: bytes, invited_by: User | None
) -> FocalPointImportResult:
    """Read a focal point list and register it: everything, or nothing and every problem."""
    countries = read_focal_points(file_name=file_name, data=data)
    return register_focal_points(round_=round_, countries=countries, invited_by=invited_by)


def describe_result(result: FocalPointImportResult) -> Iterator[str]:
    """The import's outcome in a few sentences, for messages and command output."""
    yield ngettext(
        "%(count)d country in the list.", "%(count)d countries in the list.", result.countries
    ) % {"count": result.countries}
    yield _(
        "Created: %(returns)d country returns, %(authorities)d national statistical offices, "
        "%(invitations)d invitations."
    ) % {
        "returns": result.returns_created,
        "authorities": result.authorities_created,
        "invitations": len(result.invitations_created),
    }
    if result.already_invited:
        yield ngettext(
            "%(count)d focal point was invited already and was skipped.",
            "%(count)d focal points were invited already and were skipped.",
            result.already_invited,
        ) % {"count": result.already_invited}
    if result.invitations_created:
        if result.invitations_sent_now:
            yield _("The round is open: the new invitations are being sent.")
        else:
            yield _("The invitations will be sent when the round is opened.")
