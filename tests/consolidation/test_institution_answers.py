"""Section F asks each institution about itself (scope "authority"): two authorities of one
country answer differently and nothing is in conflict; each keeps its own answer, in the
consolidation, the check before submission, the exports and the tabulations."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from consolidation.exceptions import ConsolidationRefused
from consolidation.exports.building import write_export
from consolidation.models import Export
from consolidation.review.services import check_answers
from consolidation.services import ConsolidatedStatus, consolidate_return, resolve_conflict
from consultation.answers import AnswerValue
from consultation.definition import get_definition
from consultation.models import Scope, Section
from responses.models import Assignment, CountryReturn
from responses.returns.lifecycle import move_return
from tests.consolidation.exports import column_of, fill, sheet_rows

pytestmark = pytest.mark.django_db

NSO = "Kenya National Bureau of Statistics"
INTERIOR = "Ministry of Interior"


@pytest.fixture
def kenya(world):
    """Kenya's NSO and its interior ministry describe themselves differently; Kenya submits."""
    Assignment.objects.create(
        country_return=world.return_a,
        section=Section.objects.get(questionnaire_id=world.round.questionnaire_id, code="F"),
        authority=world.interior_a,
        contact_email="interior@example.org",
    )
    fill(
        world.return_a,
        world.nso_a,
        world.focal_point_a,
        {("F1", "", ""): AnswerValue("yes"), ("F2", "", ""): AnswerValue("3")},
    )
    fill(
        world.return_a,
        world.interior_a,
        world.respondent_a,
        {("F1", "", ""): AnswerValue("no"), ("F2", "", ""): AnswerValue("7.5")},
    )
    move_return(
        country_return=world.return_a, action=CountryReturn.Action.SUBMIT, actor=world.focal_point_a
    )
    return world


def test_the_shipped_section_f_is_about_each_institution(world):
    section = get_definition(world.round.questionnaire_id).section("F")

    assert section.scope == Scope.AUTHORITY
    assert {question.scope for question in section.questions} == {Scope.AUTHORITY}
    assert "your institution" in section.questions[0].text


def test_different_answers_about_each_institution_are_no_conflict(kenya):
    consolidation = consolidate_return(country_return=kenya.return_a)

    f2 = consolidation.answers[("F2", "", "")]
    assert f2.status == ConsolidatedStatus.PER_AUTHORITY
    assert f2.value is None
    assert {(s.authority_name, s.value.value) for s in f2.sources} == {
        (NSO, "3"),
        (INTERIOR, "7.5"),
    }
    checks = check_answers(country_return=kenya.return_a).sections
    section_f = next(check for check in checks if check.section.code == "F")
    # F1 and F2 differ, and are no conflict; only the unanswered required F5 is a gap.
    assert [(gap.kind, gap.label) for gap in section_f.gaps] == [("missing", "F5")]


def test_an_answer_about_each_institution_cannot_be_consolidated(kenya):
    with pytest.raises(ConsolidationRefused, match="about each authority itself"):
        resolve_conflict(
            country_return=kenya.return_a,
            key=("F2", "", ""),
            user=kenya.focal_point_a,
            base_version=0,
            shown_versions={},
            value=AnswerValue("5"),
        )


@pytest.fixture
def book(kenya, tmp_path):
    path = tmp_path / "all.xlsx"
    write_export(round_=kenya.round, kind=Export.Kind.CONSOLIDATED, target=str(path))
    return load_workbook(path)


def test_the_export_has_one_row_per_institution_for_section_f(book):
    f_sheets = [name for name in book.sheetnames if name.startswith("F")]
    assert len(f_sheets) == 1
    sheet = book[f_sheets[0]]
    rows = sheet_rows(sheet)

    assert rows[0][:4] == ["Country or area", "M49 code", "ISO3", "Institution"]
    f1, f2 = column_of(sheet, "F1") - 1, column_of(sheet, "F2") - 1
    kenya = [(row[3], row[f1], row[f2]) for row in rows[2:] if row[2] == "KEN"]
    assert kenya == [(NSO, "Yes", 3), (INTERIOR, "No", 7.5)]
    # No other sheet has a column for section F's questions.
    for name in book.sheetnames[3:-2]:
        if name != f_sheets[0]:
            assert "F2" not in sheet_rows(book[name])[0]


def test_the_long_sheet_lists_each_institutions_answer_under_its_name(book):
    rows = sheet_rows(book["Long"])

    f2 = [(row[6], row[10]) for row in rows[1:] if row[2] == "KEN" and row[3] == "F2"]

    assert f2 == [(3, NSO), (7.5, INTERIOR)]


def test_tabulations_count_institutions_for_questions_about_them(book):
    rows = sheet_rows(book["Tabulations"])

    f1 = {row[2]: row for row in rows if row[0] == "F1"}

    assert "(counted by institution)" in f1["yes"][1]
    assert f1["yes"][4] == 1  # the NSO
    assert f1["no"][4] == 1  # the interior ministry
    # B6 still counts countries: Kenya, the one submitted return, did not answer it.
    b6 = {row[3]: row for row in rows if row[0] == "B6"}
    assert b6["No answer"][4] == 1


def test_the_tabulation_page_says_it_counts_institutions(client, kenya):
    client.force_login(kenya.reviewer)

    response = client.get(reverse("consolidation:tabulations") + "?section=F")

    tables = {table.code: table for table in response.context["tables"]}
    assert tables["F1"].by_institution
    assert {line.code: line.total for line in tables["F1"].lines if line.code} == {
        "yes": 1,
        "no": 1,
        "dont_know": 0,
    }
    page = response.content.decode()
    assert '<th scope="col">Institutions</th>' in page
