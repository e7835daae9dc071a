"""A few countries' answers filled through the services, and reading exported workbooks back."""

from collections.abc import Mapping
from typing import Any

from consultation.answers import AnswerValue
from consultation.definition import get_definition
from responses.answers.services import AnswerEdit, save_answers
from responses.models import AnswerChange, CountryReturn
from responses.returns.lifecycle import move_return

KENYA_FORMULA = '=HYPERLINK("http://attacker.example/","Click")'
ARABIC_OWNER = "الجهاز المركزي للإحصاء"
MEXICO_NAME = "-1+2"
KENYA_ANSWERS: Mapping[tuple[str, str, str], AnswerValue] = {
    ("A3", "", ""): AnswerValue(KENYA_FORMULA),
    ("A6", "", ""): AnswerValue("2026-03-31"),
    ("A7", "", ""): AnswerValue(["origin", "transit"], note="Footnote: since 2019 ☂"),
    ("B6", "", ""): AnswerValue("no"),
    # B7 is asked only if B6 is yes: kept, but not applicable.
    ("B7", "", ""): AnswerValue("kept from before"),
    ("C1", "S01", "exists"): AnswerValue("yes"),
    ("C1", "S01", "owner"): AnswerValue(ARABIC_OWNER),
    ("C1", "S06", "exists"): AnswerValue("yes"),
    ("C7", "r1", "name"): AnswerValue("Enquête migrations — 2020"),
    ("C7", "r1", "year"): AnswerValue(2020),
    ("C7", "r1", "sample_size"): AnswerValue(None, "confidential"),
    ("C7", "r2", "name"): AnswerValue("@SUM(A1:A9)"),
    ("C7", "r2", "year"): AnswerValue(2024),
    ("F2", "", ""): AnswerValue(None, "not_available"),
}
MEXICO_ANSWERS: Mapping[tuple[str, str, str], AnswerValue] = {
    ("A3", "", ""): AnswerValue(MEXICO_NAME),
    ("B6", "", ""): AnswerValue("yes"),
    ("B7", "", ""): AnswerValue("\tTabbed\rtext"),
    ("F2", "", ""): AnswerValue("12.5"),
}
# Equal to the NSO's for S01 (taken from both), its own for S10 (taken from it alone).
INTERIOR_ANSWERS: Mapping[tuple[str, str, str], AnswerValue] = {
    ("C1", "S01", "exists"): AnswerValue("yes"),
    ("C1", "S10", "exists"): AnswerValue("yes"),
}


def fill(country_return, authority, user, answers: Mapping[Any, AnswerValue]) -> None:
    definition = get_definition(country_return.round.questionnaire_id)
    by_section: dict[str, list[AnswerEdit]] = {}
    for key, value in answers.items():
        section = definition.questions[key[0]].section_code
        by_section.setdefault(section, []).append(AnswerEdit(key, value, 0))
    for section, edits in by_section.items():
        result = save_answers(
            country_return=country_return,
            authority=authority,
            section=definition.section(section),
            edits=edits,
            user=user,
            channel=AnswerChange.Channel.WEB,
        )
        assert not result.conflicts


def fill_world(world) -> None:
    fill(world.return_a, world.nso_a, world.focal_point_a, KENYA_ANSWERS)
    fill(world.return_b, world.nso_b, world.focal_point_b, MEXICO_ANSWERS)
    fill(world.return_a, world.interior_a, world.respondent_a, INTERIOR_ANSWERS)
    move_return(
        country_return=world.return_a, action=CountryReturn.Action.SUBMIT, actor=world.focal_point_a
    )


def sheet_rows(worksheet) -> list[list[Any]]:
    return [list(row) for row in worksheet.iter_rows(values_only=True)]


def column_of(worksheet, code: str) -> int:
    """The 1-based column whose first header row holds the code."""
    for cell in next(worksheet.iter_rows(min_row=1, max_row=1)):
        if cell.value == code:
            return cell.column
    raise AssertionError(f"no column {code} in {worksheet.title}")


def row_of(worksheet, iso3: str, label: str | None = None) -> int:
    for row in worksheet.iter_rows(min_row=1):
        if row[2].value == iso3 and (label is None or row[3].value == label):
            return row[0].row
    raise AssertionError(f"no row for {iso3} in {worksheet.title}")
