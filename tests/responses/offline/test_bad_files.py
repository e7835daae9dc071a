"""Bad uploads are refused with a clear message, and nothing changes."""

import time
import zipfile
from io import BytesIO

import pytest
from openpyxl import load_workbook

from consultation.models import Round
from responses.models import Answer, AnswerChange, CountryReturn, Membership
from responses.offline.download import blank_workbook
from responses.offline.reader import MAX_UPLOAD_BYTES, WorkbookRefused, check_container
from responses.offline.services import apply_workbook, preview_workbook
from responses.offline.workbook import META_SHEET
from tests.responses.offline.helpers import cells_of, download, edit, meta_of

pytestmark = pytest.mark.django_db


def rezip(content: bytes, *, add: dict | None = None, replace: dict | None = None) -> bytes:
    """The workbook's zip with parts added or replaced, as a hand-made file would be."""
    source = zipfile.ZipFile(BytesIO(content))
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = (replace or {}).get(part.filename, source.read(part.filename))
            target.writestr(part.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return output.getvalue()


def refused(world, content, filename="reply.xlsx", user=None):
    """Applying the upload: the refusal's message; asserts nothing was written."""
    before = (Answer.objects.count(), AnswerChange.objects.count())
    with pytest.raises(WorkbookRefused) as refusal:
        apply_workbook(
            content=content,
            user=user or world.focal_point_a,
            filename=filename,
            expected_return=world.return_a,
        )
    assert (Answer.objects.count(), AnswerChange.objects.count()) == before
    return refusal.value.message


@pytest.fixture
def workbook(world):
    return download(world.focal_point_a, world.return_a)


def test_a_file_that_is_not_a_workbook_is_refused(world):
    assert "not an Excel workbook" in refused(world, b"name,value\nA3,KNBS\n", "reply.csv")
    assert "old Excel file" in refused(world, b"\xd0\xcf\x11\xe0" + b"\0" * 600)


def test_a_macro_enabled_workbook_is_refused(world, workbook):
    with_macros = rezip(
        workbook,
        add={"xl/vbaProject.bin": b"\0" * 64},
        replace={
            "[Content_Types].xml": zipfile.ZipFile(BytesIO(workbook))
            .read("[Content_Types].xml")
            .replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
        },
    )

    assert "macros" in refused(world, with_macros)
    assert "Macro-enabled" in refused(world, workbook, "reply.xlsm")


def test_a_file_over_ten_megabytes_is_refused(world, workbook):
    padded = workbook + b"\0" * (MAX_UPLOAD_BYTES + 1 - len(workbook))

    assert "larger than 10 MB" in refused(world, padded)


def test_a_zip_bomb_is_refused_in_under_a_second_without_inflating_it(world, workbook):
    bomb = rezip(workbook, add={"xl/media/padding.bin": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < MAX_UPLOAD_BYTES

    started = time.perf_counter()
    with pytest.raises(WorkbookRefused) as refusal:
        check_container(bomb)
    elapsed = time.perf_counter() - started

    assert "more than 50 MB" in refusal.value.message
    assert elapsed < 1.0
    assert "more than 50 MB" in refused(world, bomb)


def test_a_workbook_of_too_many_parts_is_refused(world, workbook):
    many = rezip(workbook, add={f"xl/media/image{n}.png": b"x" for n in range(600)})

    assert "too many parts" in refused(world, many)


def test_xml_entities_are_refused(world, workbook):
    part = "xl/worksheets/sheet2.xml"
    sheet = zipfile.ZipFile(BytesIO(workbook)).read(part)
    declaration_end = sheet.index(b"?>") + 2 if sheet.startswith(b"<?xml") else 0
    laughs = (
        b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    tricked = rezip(
        workbook, replace={part: sheet[:declaration_end] + laughs + sheet[declaration_end:]}
    )

    assert "XML entities" in refused(world, tricked)


def test_another_rounds_workbook_is_refused(world):
    later = Round.objects.create(
        code="2027", name="2027 round", questionnaire_id=world.round.questionnaire_id
    )
    later_return = CountryReturn.objects.create(round=later, country=world.return_a.country)
    Membership.objects.create(
        user=world.focal_point_a,
        role=Membership.Role.FOCAL_POINT,
        country_return=later_return,
        authority=world.nso_a,
    )

    content = download(world.focal_point_a, later_return)

    assert "for round 2027, not 2026" in refused(world, content)


def test_another_countrys_workbook_is_refused(world):
    content = download(world.focal_point_b, world.return_b)

    assert "reply of Mexico, not of Kenya" in refused(world, content)


def test_another_authoritys_workbook_is_refused(world):
    content = download(world.respondent_a, world.return_a)

    message = refused(world, content)

    assert "reply of Ministry of Interior, which you do not answer for" in message


def test_a_blank_workbook_is_refused(world, questionnaire):
    assert "blank questionnaire workbook" in refused(world, blank_workbook(questionnaire))


def test_an_altered_identification_sheet_is_refused(world, workbook):
    book = load_workbook(BytesIO(workbook))
    sheet = book[META_SHEET]
    payload = sheet["A1"].value
    sheet["A1"].value = payload[:40] + ("A" if payload[40] != "A" else "B") + payload[41:]
    output = BytesIO()
    book.save(output)

    assert "has been altered" in refused(world, output.getvalue())


def test_formula_cells_are_refused_and_named(world, workbook):
    content = edit(workbook, {"A3": '=HYPERLINK("http://example.org","KNBS")', "B6": "Yes"})

    message = refused(world, content)

    sheet, coordinate = cells_of(workbook)["A3"]
    assert f"These cells hold formulas: {sheet}!{coordinate}." in message


def test_a_value_of_the_wrong_type_is_invalid_in_the_engines_words(world, workbook):
    content = edit(workbook, {"F2": "about five", "A3": "KNBS"})

    preview = preview_workbook(content=content, user=world.focal_point_a)
    invalid = preview.of("invalid")

    assert [(entry.key, entry.message) for entry in invalid] == [
        (("F2", "", ""), "Enter a number, such as 12.5 (use a point for decimals).")
    ]
    assert "not valid" in refused(world, content)


def test_a_value_outside_the_choices_is_invalid(world, workbook):
    content = edit(workbook, {"B6": "Perhaps"})

    preview = preview_workbook(content=content, user=world.focal_point_a)

    assert [(entry.key, entry.message) for entry in preview.of("invalid")] == [
        (("B6", "", ""), "Choose one of the options listed.")
    ]
    assert "not valid" in refused(world, content)


def test_rows_beyond_a_grids_cap_are_refused(world, workbook):
    meta = meta_of(workbook)
    sheets = [name for name, _code in meta["sheets"]]
    index, cell_range, _grid = next(item for item in meta["overflow"] if item[2] == "A11")
    first_cell = cell_range.split(":")[0]
    content = edit(workbook, {"A2": "consolidated"}, at={(sheets[index], first_cell): "One more"})

    preview = preview_workbook(content=content, user=world.focal_point_a)

    messages = [entry.message for entry in preview.of("invalid")]
    assert any("below its last row" in message for message in messages), messages
    assert "not valid" in refused(world, content)
