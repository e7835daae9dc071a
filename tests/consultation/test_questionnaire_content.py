"""The shipped 2026 questionnaire's content rules: conditions, consistency rules, list agreement."""

import re

import pytest

from consultation.definition import QuestionnaireDef
from tests.consultation.definitions import build_form, errors_of

NEEDS_ANSWER = "This question needs an answer."
G1_CONTRADICTS_C1 = (
    "This answer contradicts the source inventory (C1, consular registration of citizens abroad)."
)

pytestmark = pytest.mark.django_db


def section_form(questionnaire: QuestionnaireDef, code: str, data: dict, **options):
    section = questionnaire.section(code)
    assert section is not None
    form = build_form(section, data, questions=questionnaire.questions, **options)
    form.full_clean()
    return form


# --- Conditions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "asked"),
    [("country_of_birth", True), ("citizenship", True), ("both", True), ("not_defined", False)],
)
def test_b14_is_asked_unless_migratory_status_is_not_defined(
    questionnaire: QuestionnaireDef, variable: str, asked: bool
) -> None:
    form = section_form(questionnaire, "B", {"B13": variable}, enforce_required=False)

    assert ("B14" not in form.hidden_questions) is asked


def test_h2_is_asked_for_every_consolidated_reply_even_when_all_parts_were_reviewed(
    questionnaire: QuestionnaireDef,
) -> None:
    consolidated = section_form(
        questionnaire,
        "H",
        {"H1": "yes"},
        context_answers={("A2", "", ""): "consolidated"},
        enforce_required=False,
    )
    separate = section_form(
        questionnaire,
        "H",
        {},
        context_answers={("A2", "", ""): "single_institution"},
        enforce_required=False,
    )

    assert "H2" not in consolidated.hidden_questions
    assert {"H1", "H2"} <= separate.hidden_questions


def test_a_separate_reply_is_not_held_to_the_required_questions_of_sections_it_does_not_cover(
    questionnaire: QuestionnaireDef,
) -> None:
    separate_c_only = {("A2", "", ""): "single_institution", ("A2a", "", ""): ["C"]}
    separate_b = {("A2", "", ""): "single_institution", ("A2a", "", ""): ["B", "G"]}

    not_covered = section_form(questionnaire, "B", {}, context_answers=separate_c_only)
    covered = section_form(questionnaire, "B", {}, context_answers=separate_b)
    consolidated = section_form(
        questionnaire, "B", {}, context_answers={("A2", "", ""): "consolidated"}
    )

    assert not_covered.is_valid(), errors_of(not_covered)
    assert {"B1", "B6"} <= not_covered.hidden_questions
    assert errors_of(covered) == {"B1": [NEEDS_ANSWER], "B6": [NEEDS_ANSWER]}
    assert errors_of(consolidated) == {"B1": [NEEDS_ANSWER], "B6": [NEEDS_ANSWER]}


def test_the_separate_reply_questions_are_asked_only_of_a_separate_reply(
    questionnaire: QuestionnaireDef,
) -> None:
    separate = section_form(
        questionnaire, "A", {"A2": "single_institution"}, enforce_required=False
    )
    consolidated = section_form(questionnaire, "A", {"A2": "consolidated"}, enforce_required=False)

    assert not {"A2a", "A2b", "A2c"} & separate.hidden_questions
    assert {"A2a", "A2b", "A2c"} <= consolidated.hidden_questions
    assert {"A11", "A12"} <= separate.hidden_questions


def test_an_indicator_that_could_be_produced_asks_its_source_only(
    questionnaire: QuestionnaireDef,
) -> None:
    row = "a_emigration_flow"
    form = section_form(
        questionnaire,
        "D",
        {f"D2.{row}.availability": "could_produce", f"D2.{row}.need": "high"},
        enforce_required=False,
    )

    hidden = {
        column
        for grid, hidden_row, column in form.hidden_cells
        if (grid, hidden_row) == ("D2", row)
    }
    assert hidden == {"frequency", "disaggregations"}


# --- Consistency rules against the source inventory C1 -------------------------------------------


@pytest.mark.parametrize(
    ("consular_register", "g1", "consistent"),
    [
        ("yes", "yes", True),
        ("no", "no", True),
        ("no", "yes", False),
        ("yes", "no", False),
        ("dont_know", "yes", True),
        ("yes", "dont_know", True),
    ],
)
def test_g1_agrees_with_the_consular_registration_row_of_c1(
    questionnaire: QuestionnaireDef, consular_register: str, g1: str, consistent: bool
) -> None:
    form = section_form(
        questionnaire,
        "G",
        {"G1": g1},
        context_answers={("C1", "S12", "exists"): consular_register},
        enforce_required=False,
    )

    expected = {} if consistent else {"G1": [G1_CONTRADICTS_C1]}
    assert errors_of(form) == expected


def test_g1_is_not_checked_while_c1_is_unanswered(questionnaire: QuestionnaireDef) -> None:
    form = section_form(questionnaire, "G", {"G1": "yes"}, enforce_required=False)

    assert form.is_valid(), errors_of(form)


@pytest.mark.parametrize(
    ("remittance_data", "inflows", "outflows", "errors"),
    [
        ("yes", "yes", "no", set()),
        ("yes", "no", "yes", set()),
        ("no", "no", "no", set()),
        ("no", "yes", "no", {"G6"}),
        ("no", "no", "yes", {"G6a"}),
        ("yes", "no", "no", {"G6a"}),
    ],
)
def test_remittance_answers_agree_with_the_central_bank_row_of_c1(
    questionnaire: QuestionnaireDef,
    remittance_data: str,
    inflows: str,
    outflows: str,
    errors: set[str],
) -> None:
    form = section_form(
        questionnaire,
        "G",
        {"G6": inflows, "G6a": outflows},
        context_answers={("C1", "S16", "exists"): remittance_data},
        enforce_required=False,
    )

    assert set(errors_of(form)) == errors


def test_c12_cannot_deny_big_data_that_c1_lists(questionnaire: QuestionnaireDef) -> None:
    denied = section_form(
        questionnaire, "C", {"C1.S17.exists": "yes", "C12": "no"}, enforce_required=False
    )
    other_new_source = section_form(
        questionnaire, "C", {"C1.S17.exists": "no", "C12": "yes"}, enforce_required=False
    )

    assert list(errors_of(denied)) == ["C12"]
    assert other_new_source.is_valid(), errors_of(other_new_source)


# --- Lists that must agree -----------------------------------------------------------------------

SDG_NUMBER = re.compile(r"SDG (\d+\.[0-9a-z]+\.\d+)(?: / (\d+\.[0-9a-z]+\.\d+))?")
D10_NUMBER = re.compile(r"(\d+\.[0-9a-z]+\.\d+)(?: / (\d+\.[0-9a-z]+\.\d+))? ")
# Named in the theme grids, but neither produced by an NSO nor split by migratory status.
NOT_PUBLISHED_NATIONALLY = {"8.8.2", "10.7.4", "10.c.1"}


def test_d10_lists_the_sdg_indicators_of_the_theme_grids(questionnaire: QuestionnaireDef) -> None:
    questions = questionnaire.questions
    in_theme_grids = set()
    for code in ("D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9"):
        for row in questions[code].rows:
            for match in SDG_NUMBER.finditer(row.label):
                in_theme_grids.update(number for number in match.groups() if number)
    in_d10 = set()
    for row in questions["D10"].rows:
        match = D10_NUMBER.match(row.label)
        assert match, row.label
        in_d10.update(number for number in match.groups() if number)

    assert in_d10 == in_theme_grids - NOT_PUBLISHED_NATIONALLY


def test_d12_ranks_exactly_the_indicator_rows_of_the_theme_grids(
    questionnaire: QuestionnaireDef,
) -> None:
    questions = questionnaire.questions
    theme_rows = [
        row.code
        for code in ("D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9")
        for row in questions[code].rows
        if not row.is_other
    ]

    assert [choice.code for choice in questions["D12"].choices] == [*theme_rows, "other_need"]
