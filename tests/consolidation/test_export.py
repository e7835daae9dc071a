"""The exported workbooks, reopened with openpyxl: every value in its place, the manifest true,
no live formula from user input."""

import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from consolidation.exceptions import ExportError
from consolidation.exports.building import write_export
from consolidation.models import Export, SeparateReturns
from tests.consolidation.exports import (
    ARABIC_OWNER,
    KENYA_FORMULA,
    MEXICO_NAME,
    column_of,
    fill_world,
    row_of,
    sheet_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(world, tmp_path):
    fill_world(world)
    path = tmp_path / "all.xlsx"
    manifest = write_export(round_=world.round, kind=Export.Kind.CONSOLIDATED, target=str(path))
    return load_workbook(path), manifest


def test_sheets_come_in_order_read_me_first(workbook):
    book, _manifest = workbook

    titles = book.sheetnames
    assert titles[:3] == ["Read me", "Codebook", "Status"]
    assert titles[3].startswith("A ")
    assert titles[-2:] == ["Long", "Tabulations"]


def test_section_sheet_holds_each_answer_at_its_code_and_country(workbook):
    book, _manifest = workbook
    section_a = book[book.sheetnames[3]]
    section_b = book[book.sheetnames[4]]
    section_c = book[book.sheetnames[5]]
    section_f = next(book[name] for name in book.sheetnames if name.startswith("F "))

    def cell(sheet, iso3, code):
        return sheet.cell(row_of(sheet, iso3), column_of(sheet, code))

    assert (
        section_a.cell(2, column_of(section_a, "A3")).value == "Name of the responding institution"
    )
    assert [row[2] for row in sheet_rows(section_a)[2:]] == ["KEN", "MEX"]
    assert cell(section_a, "KEN", "A6").value.date() == datetime.date(2026, 3, 31)
    assert cell(section_a, "KEN", "A6").is_date
    assert cell(section_a, "KEN", "A7").value == "Country of origin; Country of transit"
    assert cell(section_a, "KEN", "A4").value is None  # not answered: empty
    assert cell(section_b, "KEN", "B6").value == "No"
    assert cell(section_b, "KEN", "B7").value == "not applicable (skipped)"
    assert cell(section_b, "MEX", "B7").value == "\tTabbed\rtext"
    assert cell(section_c, "KEN", "C1.S01.owner").value == ARABIC_OWNER
    assert cell(section_c, "KEN", "C1.S01.exists").value == "Yes"
    assert cell(section_c, "KEN", "C7.r1.name").value == "Enquête migrations — 2020"
    assert cell(section_c, "KEN", "C7.r1.year").value == 2020
    assert cell(section_c, "KEN", "C7.r1.sample_size").value == "Confidential"
    assert cell(section_c, "KEN", "C7.r2.year").value == 2024
    # Mexico has no C1.S06 survey: its C7 cells were not asked.
    assert cell(section_c, "MEX", "C7.r1.name").value == "not applicable (skipped)"
    assert cell(section_f, "KEN", "F2").value == "Not available"
    assert cell(section_f, "MEX", "F2").value == 12.5
    assert cell(section_f, "MEX", "F2").data_type == "n"
    assert section_c.freeze_panes == "D3"


def test_text_that_looks_like_a_formula_stays_text(workbook):
    book, _manifest = workbook
    section_a = book[book.sheetnames[3]]
    section_c = book[book.sheetnames[5]]

    formula_cell = section_a.cell(row_of(section_a, "KEN"), column_of(section_a, "A3"))
    minus_cell = section_a.cell(row_of(section_a, "MEX"), column_of(section_a, "A3"))
    at_cell = section_c.cell(row_of(section_c, "KEN"), column_of(section_c, "C7.r2.name"))

    for cell, text in ((formula_cell, KENYA_FORMULA), (minus_cell, MEXICO_NAME)):
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert at_cell.value == "@SUM(A1:A9)"
    assert at_cell.data_type == "s"
    every_cell = (c for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    assert not [c.coordinate for c in every_cell if c.data_type == "f"]


def test_long_sheet_has_codes_labels_special_values_footnotes_and_sources(workbook):
    book, _manifest = workbook
    rows = sheet_rows(book["Long"])
    header = rows[0]
    assert header == [
        "Country or area",
        "M49 code",
        "ISO3",
        "Question",
        "Row",
        "Column",
        "Value",
        "Choice label",
        "Special value",
        "Footnote",
        "Source authorities",
    ]
    by_key = {(row[2], row[3], row[4], row[5]): row for row in rows[1:]}
    a7 = by_key[("KEN", "A7", None, None)]
    assert a7 == [
        "Kenya",
        "404",
        "KEN",
        "A7",
        None,
        None,
        "origin; transit",
        "Country of origin; Country of transit",
        None,
        "Footnote: since 2019 ☂",
        "Kenya National Bureau of Statistics",
    ]
    assert by_key[("KEN", "F2", None, None)][6:9] == [None, None, "Not available"]
    assert by_key[("KEN", "B7", None, None)][8] == "not applicable (skipped)"
    assert by_key[("KEN", "C7", "r1", "year")][6] == 2020
    assert by_key[("MEX", "F2", None, None)][6] == 12.5
    # Consolidated: the interior ministry's answers are taken, with their sources.
    assert by_key[("KEN", "C1", "S10", "exists")][6:] == [
        "yes",
        "Yes",
        None,
        None,
        "Ministry of Interior",
    ]
    assert by_key[("KEN", "C1", "S01", "exists")][10] == (
        "Kenya National Bureau of Statistics; Ministry of Interior"
    )
    assert len(rows) - 1 == 14 + 4 + 1


def test_manifest_matches_what_is_in_the_file(workbook):
    book, manifest = workbook
    readme = sheet_rows(book["Read me"])
    start = next(i for i, row in enumerate(readme) if row[0] == "Sheet") + 1
    listed = {row[0]: (row[2], row[3]) for row in readme[start:] if row[0] and row[2] is not None}

    assert set(listed) == set(book.sheetnames) - {"Read me"}
    for title, (rows, cells) in listed.items():
        sheet = book[title]
        content = sheet_rows(sheet)
        header_rows = 2 if title[1:2] == " " and title[0].isupper() and len(title) > 2 else 1
        if title in ("Codebook", "Status", "Long", "Tabulations"):
            header_rows = 1
        assert len(content) - header_rows == rows, title
        assert sum(value is not None for row in content for value in row) == cells, title
    assert {count.title: count.rows for count in manifest.sheets}["Long"] == 19
    facts = {row[0]: row[1] for row in readme[:start]}
    assert facts["Round"].startswith("2026")
    assert facts["Countries or areas"] == 2
    assert isinstance(facts["Exported at (UTC)"], datetime.datetime)


def test_codebook_lists_questions_choices_grids_and_conditions(workbook):
    book, _manifest = workbook
    rows = {row[0]: row for row in sheet_rows(book["Codebook"])[1:]}

    assert rows["A2"][5].startswith("consolidated = A consolidated national reply")
    assert rows["B7"][8] == "B6 is \u201cYes\u201d"
    assert "S01 = Population and housing census" in rows["C1"][6]
    assert rows["C1.*.owner"][8] == "\u201cExists\u201d is \u201cYes\u201d"
    assert rows["C7"][6] == "Rows added by the respondent (up to 20)"


def test_status_sheet_lists_every_return(workbook):
    book, _manifest = workbook
    rows = sheet_rows(book["Status"])

    assert rows[1][:6] == ["Kenya", "404", "KEN", "Africa", "Sub-Saharan Africa", "Submitted"]
    assert rows[1][6].date() == timezone.localdate()  # submitted today, by its lifecycle event
    assert rows[1][7] is None  # not accepted
    assert rows[2][2] == "MEX"
    assert rows[2][5] == "In progress"


def test_tabulations_count_submitted_returns_by_region(workbook):
    book, _manifest = workbook
    rows = sheet_rows(book["Tabulations"])
    regions = rows[0][5:]
    b6 = [row for row in rows if row[0] == "B6"]

    assert "Africa" in regions
    no = next(row for row in b6 if row[2] == "no")
    assert no[4] == 1  # Kenya, submitted; Mexico is in progress and not counted
    assert no[5 + regions.index("Africa")] == 1
    assert next(row for row in b6 if row[2] == "yes")[4] == 0


def test_one_country_export_holds_only_that_country(world, tmp_path):
    fill_world(world)
    path = tmp_path / "mex.xlsx"

    write_export(round_=world.round, kind=Export.Kind.COUNTRY, target=str(path), country_iso3="mex")

    book = load_workbook(path)
    assert [row[2] for row in sheet_rows(book["Status"])[1:]] == ["MEX"]
    assert {row[2] for row in sheet_rows(book["Long"])[1:]} == {"MEX"}


def test_raw_export_has_a_row_per_reply_as_entered(world, tmp_path):
    fill_world(world)
    path = tmp_path / "raw.xlsx"

    write_export(round_=world.round, kind=Export.Kind.RAW, target=str(path))

    book = load_workbook(path)
    section_c = book[book.sheetnames[5]]
    replies = [(row[2], row[3]) for row in sheet_rows(section_c)[2:]]
    assert replies == [
        ("KEN", "Kenya National Bureau of Statistics"),
        ("KEN", "Ministry of Interior"),
        ("MEX", "INEGI"),
    ]
    exists = column_of(section_c, "C1.S10.exists")
    assert section_c.cell(row_of(section_c, "KEN", "Ministry of Interior"), exists).value == "Yes"
    assert (
        section_c.cell(
            row_of(section_c, "KEN", "Kenya National Bureau of Statistics"), exists
        ).value
        is None  # the NSO did not answer S10: its own reply shows what it entered
    )
    long_rows = sheet_rows(book["Long"])
    assert long_rows[0][3] == "Reply or return"
    assert ("KEN", "Ministry of Interior", "C1", "S10") in {tuple(r[2:6]) for r in long_rows}


def test_an_unknown_country_is_refused(world, tmp_path):
    with pytest.raises(ExportError, match="no return for ZZZ"):
        write_export(
            round_=world.round,
            kind=Export.Kind.COUNTRY,
            target=str(tmp_path / "x.xlsx"),
            country_iso3="ZZZ",
        )
    assert not (tmp_path / "x.xlsx").exists()


def test_separate_returns_export_one_row_per_authority_with_the_reason(world, tmp_path):
    fill_world(world)
    SeparateReturns.objects.create(
        country_return=world.return_a,
        reason="Two sets of figures",
        decided_by=world.focal_point_a,
        decided_at=timezone.now(),
    )
    path = tmp_path / "separate.xlsx"

    write_export(round_=world.round, kind=Export.Kind.CONSOLIDATED, target=str(path))

    book = load_workbook(path)
    status_rows = sheet_rows(book["Status"])
    reason = status_rows[0].index("Separate returns and why")
    assert [row[reason] for row in status_rows[1:] if row[2] == "KEN"] == [
        "Two sets of figures",
        "Two sets of figures",
    ]
    long_rows = sheet_rows(book["Long"])[1:]
    assert {row[3] for row in long_rows if row[2] == "KEN"} == {
        "Kenya National Bureau of Statistics",
        "Ministry of Interior",
    }
    section_c = book[book.sheetnames[5]]
    assert [(row[2], row[3]) for row in sheet_rows(section_c)[2:]] == [
        ("KEN", "Kenya National Bureau of Statistics"),
        ("KEN", "Ministry of Interior"),
        ("MEX", None),
    ]
