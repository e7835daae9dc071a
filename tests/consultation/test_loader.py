"""Tests for the questionnaire loader and the load_questionnaire command."""

from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from consultation.definition import get_definition
from consultation.loader import (
    LoadError,
    QuestionnaireFileError,
    QuestionnaireYamlLoader,
    load_questionnaire,
    register_answer_counter,
    register_choice_counter,
    unregister_answer_counter,
    unregister_choice_counter,
)
from consultation.models import (
    Choice,
    ChoiceList,
    GridColumn,
    GridRow,
    Question,
    Questionnaire,
    Round,
    Section,
)

pytestmark = pytest.mark.django_db

MODELS = (Questionnaire, Round, ChoiceList, Choice, Section, Question, GridRow, GridColumn)

VALID = """\
code: test-2026
title: Test consultation
introduction: |
  Welcome.
choice_lists:
  yes_no_dk:
    - {code: yes, label: "Yes"}
    - {code: no, label: "No"}
    - {code: dont_know, label: "Don't know"}
  switch:
    - {code: on, label: Switched on}
    - {code: off, label: Switched off}
  source:
    - {code: S01, label: Population and housing census}
    - {code: S02, label: Population register}
    - {code: S19, label: Other source, other: true}
  frequency:
    - {code: annual, label: Every year}
    - {code: rarely, label: Less often}
sections:
  - code: A
    title: Institutions
    introduction: Answered by the NSO focal point.
    questions:
      - code: A1
        kind: yes_no
        text: Is there a national coordination mechanism?
        required: true
      - code: A2
        kind: single_choice
        text: Is it permanent?
        help: An inter-agency committee.
        choices: yes_no_dk
        show_if: {question: A1, eq: yes}
        special_values: all
      - code: A3
        kind: multiple_choice
        text: Which topics does it cover?
        choices:
          - {code: stocks, label: Stocks}
          - {code: flows, label: Flows}
          - {code: none, label: None of these, exclusive: true}
        validation: {max_choices: 2}
        note: false
      - code: A4
        kind: integer
        text: How many staff work on migration statistics?
        validation: {min: 0, max: 1000}
        special_values: [not_available, confidential]
      - code: A5
        kind: date
        text: When did it last meet?
        validation: {min: 2019-01-01, max: 2030-12-31}
      - code: A6
        kind: single_choice
        text: Which country chairs the regional group?
        choices: countries
      - code: A7
        kind: single_choice
        text: Is the switch on?
        choices: switch
  - code: B
    title: Sources
    questions:
      - code: B1
        kind: grid
        text: Which data sources exist?
        rows: source
        columns:
          - {code: exists, label: Exists, kind: yes_no, required: true}
          - code: periodicity
            label: Periodicity
            kind: single_choice
            choices: frequency
            show_if: {column: exists, eq: yes}
          - {code: latest, label: Latest year, kind: year, show_if: {column: exists, eq: yes},
             validation: {min: 1950, max: 2035}, special_values: [not_available]}
          - {code: next, label: Next year, kind: year}
        rules:
          - check: {cell: B1.S01.next, gt: {cell: B1.S01.latest}}
            message: The next census must come after the latest one.
      - code: B2
        kind: grid
        text: Which institutions take part?
        show_if: {cell: B1.S02.exists, eq: yes}
        rows: {respondent: true, max: 5}
        columns:
          - {code: name, label: Name, kind: text, validation: {max_length: 200}}
          - {code: chair, label: Chair, kind: checkbox, validation: {max_ticked: 1}}
      - code: B3
        kind: grid
        text: What does each existing source give?
        rows: {from: B1, where: {column: exists, eq: yes}}
        columns:
          - {code: stocks, label: Stocks, kind: yes_no}
      - code: B4
        kind: grid
        text: Access to each institution's data
        rows: {from: B2, label: name}
        columns:
          - {code: agreement, label: Formal agreement, kind: yes_no}
      - code: B5
        kind: percentage
        text: Share of the population covered
        validation: {min: 0, max: 100, decimal_places: 1}
        show_if: {all: [{question: A1, eq: yes}, {not: {question: A3, contains: none}}]}
"""


# --- Helpers --------------------------------------------------------------------------------------


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def write_file(text: str, name: str = "questionnaire.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write_file


def valid_data() -> dict[str, Any]:
    return yaml.load(VALID, Loader=QuestionnaireYamlLoader)  # noqa: S506 (a SafeLoader)


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def question(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(
        item
        for section in data["sections"]
        for item in section["questions"]
        if item["code"] == code
    )


def get_question(code: str) -> Question:
    return Question.objects.get(section__questionnaire__code="test-2026", code=code)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def primary_keys() -> dict[str, list[int]]:
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def load_errors(path: Path, **kwargs: Any) -> list[LoadError]:
    with pytest.raises(QuestionnaireFileError) as raised:
        load_questionnaire(path, **kwargs)
    return raised.value.errors


def assert_error(errors: list[LoadError], path: Path, code: str, fragment: str) -> None:
    matching = [error for error in errors if error.code == code and fragment in error.message]
    assert matching, f"no error {code}: ...{fragment}... in:\n" + "\n".join(map(str, errors))
    assert all(error.file == str(path) for error in errors)


@pytest.fixture
def answer_counts() -> Iterator[dict[str, int]]:
    """Answers per question code, as a registered counter reports them."""
    counts: dict[str, int] = {}
    asked: list[set[str]] = []

    def counter(questionnaire: Questionnaire, question_codes: set[str]) -> dict[str, int]:
        assert Questionnaire.objects.filter(pk=questionnaire.pk).exists()
        asked.append(question_codes)
        return {code: counts[code] for code in question_codes if code in counts}

    register_answer_counter(counter)
    yield counts
    unregister_answer_counter(counter)


# --- A valid file ---------------------------------------------------------------------------------


def test_valid_questionnaire_loads_with_its_rows(write: Callable[..., Path]) -> None:
    report = load_questionnaire(write(VALID))

    questionnaire = Questionnaire.objects.get(code="test-2026")
    assert report.questionnaire == questionnaire
    assert questionnaire.title == "Test consultation"
    assert questionnaire.introduction == "Welcome."
    assert list(questionnaire.sections.values_list("code", "position")) == [("A", 1), ("B", 2)]
    questions = Question.objects.filter(section__questionnaire=questionnaire)
    in_order = questions.order_by("section__position", "position")
    assert [(q.section.code, q.code, q.position) for q in in_order] == [
        ("A", "A1", 1), ("A", "A2", 2), ("A", "A3", 3), ("A", "A4", 4), ("A", "A5", 5),
        ("A", "A6", 6), ("A", "A7", 7),
        ("B", "B1", 1), ("B", "B2", 2), ("B", "B3", 3), ("B", "B4", 4), ("B", "B5", 5),
    ]  # fmt: skip
    assert (report.sections, report.questions, report.grids) == (2, 12, 4)
    assert (report.conditions, report.rules) == (5, 1)
    assert report.created["Question"] == 12
    assert not report.updated
    assert not report.deleted

    a2 = questions.get(code="A2")
    assert a2.choice_list.code == "yes_no_dk"
    assert a2.show_if == {"question": "A1", "eq": "yes"}
    assert a2.help_text == "An inter-agency committee."
    assert a2.special_values == ["not_available", "not_applicable", "confidential", "dont_know"]
    assert questions.get(code="A1").required is True

    a3 = questions.get(code="A3")
    assert a3.choice_list.code == "inline:A3"
    assert list(a3.choice_list.choices.values_list("code", "is_exclusive")) == [
        ("stocks", False),
        ("flows", False),
        ("none", True),
    ]
    assert a3.validation == {"max_choices": 2}
    assert a3.allows_note is False
    assert questions.get(code="A5").validation == {"min": "2019-01-01", "max": "2030-12-31"}
    countries = questions.get(code="A6").choice_list
    assert countries.code == "countries"
    assert not countries.choices.exists()

    b1 = questions.get(code="B1")
    assert list(b1.rows.values_list("code", "label", "position", "is_other")) == [
        ("S01", "Population and housing census", 1, False),
        ("S02", "Population register", 2, False),
        ("S19", "Other source", 3, True),
    ]
    assert list(b1.columns.values_list("code", "kind")) == [
        ("exists", "yes_no"),
        ("periodicity", "single_choice"),
        ("latest", "year"),
        ("next", "year"),
    ]
    periodicity = b1.columns.get(code="periodicity")
    assert periodicity.choice_list.code == "frequency"
    assert periodicity.show_if == {"column": "exists", "eq": "yes"}
    assert b1.columns.get(code="latest").special_values == ["not_available"]
    assert b1.validation == {
        "rules": [
            {
                "check": {"cell": "B1.S01.next", "gt": {"cell": "B1.S01.latest"}},
                "message": "The next census must come after the latest one.",
            }
        ]
    }
    assert b1.row_source == Question.RowSource.FIXED

    b2 = questions.get(code="B2")
    assert b2.row_source == Question.RowSource.RESPONDENT
    assert b2.validation == {"max_rows": 5}
    assert not b2.rows.exists()
    assert b2.columns.get(code="chair").validation == {"max_ticked": 1}

    b3 = questions.get(code="B3")
    assert b3.row_source == Question.RowSource.DERIVED
    assert b3.rows_from == {
        "question": "B1",
        "where": {"column": "exists", "eq": "yes"},
        "label": "",
    }
    assert questions.get(code="B4").rows_from == {"question": "B2", "where": {}, "label": "name"}


def test_yes_no_on_off_codes_load_as_strings(write: Callable[..., Path]) -> None:
    load_questionnaire(write(VALID))

    codes = Choice.objects.filter(
        choice_list__questionnaire__code="test-2026", choice_list__code__in=["yes_no_dk", "switch"]
    ).values_list("code", flat=True)
    assert sorted(codes) == ["dont_know", "no", "off", "on", "yes"]
    assert get_question("A2").show_if["eq"] == "yes"


def test_only_true_and_false_are_booleans_and_dates_stay_text() -> None:
    text = "a: yes\nb: No\nc: on\nd: true\ne: False\nf: 2019-01-01\ng: 012\nh: 1:30\ni: 1.5\nj: 7"
    data = yaml.load(text, Loader=QuestionnaireYamlLoader)  # noqa: S506 (a SafeLoader)

    assert data == {
        "a": "yes",
        "b": "No",
        "c": "on",
        "d": True,
        "e": False,
        "f": "2019-01-01",
        "g": "012",
        "h": "1:30",
        "i": 1.5,
        "j": 7,
    }


def test_loading_twice_changes_nothing(write: Callable[..., Path]) -> None:
    path = write(VALID)
    first = load_questionnaire(path, round_code="test-round")
    keys = primary_keys()
    loaded_at = Questionnaire.objects.get(code="test-2026").loaded_at

    second = load_questionnaire(path, round_code="test-round")

    assert first.created.total() > 0
    assert second.created.total() == 0
    assert second.updated.total() == 0
    assert second.deleted.total() == 0
    assert second.unchanged.total() == first.created.total()
    assert second.unchanged["Question"] == 12
    assert primary_keys() == keys
    assert Questionnaire.objects.get(code="test-2026").loaded_at == loaded_at


def test_changed_text_is_updated_in_place(write: Callable[..., Path]) -> None:
    load_questionnaire(write(VALID))
    before = get_question("A2")
    keys = primary_keys()
    data = valid_data()
    question(data, "A2")["text"] = "Is it a permanent body?"
    data["choice_lists"]["yes_no_dk"][2]["label"] = "Do not know"
    question(data, "B1")["columns"][0]["label"] = "Source exists"

    report = load_questionnaire(write(dump(data)))

    after = get_question("A2")
    assert after.pk == before.pk
    assert after.text == "Is it a permanent body?"
    assert (
        Choice.objects.get(choice_list=get_question("A2").choice_list, code="dont_know").label
        == "Do not know"
    )
    assert get_question("B1").columns.get(code="exists").label == "Source exists"
    assert primary_keys() == keys
    assert dict(report.updated) == {"Question": 1, "Choice": 1, "GridColumn": 1}
    assert report.created.total() == report.deleted.total() == 0


def test_added_and_removed_structure_is_created_and_deleted(write: Callable[..., Path]) -> None:
    load_questionnaire(write(VALID))
    a1 = get_question("A1")
    data = valid_data()
    section_b = data["sections"][1]
    section_b["questions"] = [q for q in section_b["questions"] if q["code"] != "B5"]
    data["sections"][0]["questions"].insert(
        0, {"code": "A0", "kind": "email", "text": "Your e-mail address"}
    )
    data["choice_lists"]["source"] = data["choice_lists"]["source"][:2]  # S19 goes
    del data["choice_lists"]["switch"]
    question(data, "A7")["choices"] = "yes_no_dk"

    report = load_questionnaire(write(dump(data)))

    assert not Question.objects.filter(section__questionnaire__code="test-2026", code="B5").exists()
    assert get_question("A0").position == 1
    assert get_question("A1").pk == a1.pk
    assert get_question("A1").position == 2
    assert list(get_question("B1").rows.values_list("code", flat=True)) == [
        "S01",
        "S02",
    ]
    assert not ChoiceList.objects.filter(questionnaire__code="test-2026", code="switch").exists()
    assert report.created["Question"] == 1
    assert report.deleted == {"Question": 1, "GridRow": 1, "Choice": 3, "ChoiceList": 1}


def test_round_is_created_as_a_draft_once(write: Callable[..., Path]) -> None:
    path = write(VALID)

    report = load_questionnaire(path, round_code="test-round")

    round_ = Round.objects.get(code="test-round")
    assert report.round == round_
    assert round_.name == "Round test-round"
    assert round_.status == Round.Status.DRAFT
    assert round_.questionnaire.code == "test-2026"
    assert load_questionnaire(path, round_code="test-round").created["Round"] == 0


def test_round_of_another_questionnaire_is_an_error(write: Callable[..., Path]) -> None:
    load_questionnaire(write(VALID), round_code="test-round")
    data = valid_data()
    data["code"] = "other-2026"
    path = write(dump(data), "other.yaml")
    counts = table_counts()

    errors = load_errors(path, round_code="test-round")

    assert_error(
        errors, path, "", "round 'test-round' already exists for questionnaire 'test-2026'"
    )
    assert table_counts() == counts


# --- Broken files ---------------------------------------------------------------------------------


def set_key(code: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        question(data, code)[key] = value

    return change


def drop_key(code: str, key: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        del question(data, code)[key]

    return change


def set_column(code: str, index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        question(data, code)["columns"][index][key] = value

    return change


def set_validation(code: str, **validation: Any) -> Callable[[dict[str, Any]], None]:
    return set_key(code, "validation", validation)


def duplicate_section(data: dict[str, Any]) -> None:
    data["sections"][1]["code"] = "A"


def duplicate_question(data: dict[str, Any]) -> None:
    question(data, "A7")["code"] = "A4"


def duplicate_choice(data: dict[str, Any]) -> None:
    data["choice_lists"]["frequency"][1]["code"] = "annual"


def duplicate_row(data: dict[str, Any]) -> None:
    question(data, "B1")["rows"] = [{"code": "r1", "label": "One"}, {"code": "r1", "label": "Two"}]


def duplicate_column(data: dict[str, Any]) -> None:
    question(data, "B1")["columns"][3]["code"] = "latest"


def nested(condition: dict[str, Any], levels: int) -> dict[str, Any]:
    for _level in range(levels):
        condition = {"not": condition}
    return condition


def derive_in_a_circle(data: dict[str, Any]) -> None:
    question(data, "B3")["rows"] = {"from": "B4"}
    question(data, "B4")["rows"] = {"from": "B3"}


def bad_choice_code(data: dict[str, Any]) -> None:
    data["choice_lists"]["source"][0]["code"] = "01-census"


BROKEN = {
    "missing text": (drop_key("A1", "text"), "A1", "missing required key 'text'"),
    "missing kind": (drop_key("A1", "kind"), "A1", "missing required key 'kind'"),
    "unknown key": (
        lambda data: question(data, "A2").update(show_iff=question(data, "A2").pop("show_if")),
        "A2",
        "unknown key 'show_iff' (did you mean 'show_if'?)",
    ),
    "bad question code": (set_key("A4", "code", "4A"), "4A", "must be letters, digits and '_'"),
    "bad choice code": (bad_choice_code, "source", "'01-census' must be letters, digits"),
    "duplicate section": (duplicate_section, "A", "section code is used twice"),
    "duplicate question": (duplicate_question, "A4", "question code is used twice"),
    "duplicate choice": (duplicate_choice, "frequency", "choice code 'annual' is used twice"),
    "duplicate row": (duplicate_row, "B1", "row code 'r1' is used twice"),
    "duplicate column": (duplicate_column, "B1", "column code 'latest' is used twice"),
    "unknown kind": (set_key("A4", "kind", "number"), "A4", "unknown kind 'number'"),
    "checkbox question": (set_key("A4", "kind", "checkbox"), "A4", "'checkbox' is only for grid"),
    "grid column kind": (
        set_column("B3", 0, "kind", "ranking"),
        "B3",
        "column stocks: kind 'ranking' cannot be used for a grid column",
    ),
    "choices missing": (drop_key("A2", "choices"), "A2", "a single_choice needs 'choices'"),
    "choice list missing": (
        set_key("A2", "choices", "yes_no_dont"),
        "A2",
        "there is no choice list 'yes_no_dont' (did you mean 'yes_no_dk'?)",
    ),
    "grid without columns": (drop_key("B3", "columns"), "B3", "a grid needs 'columns'"),
    "grid without rows": (drop_key("B1", "rows"), "B1", "a grid needs 'rows'"),
    "respondent rows max": (
        set_key("B2", "rows", {"respondent": True, "max": 0}),
        "B2",
        "'max' must be a positive whole number",
    ),
    "derived rows from a missing grid": (
        set_key("B3", "rows", {"from": "Z9"}),
        "B3",
        "from names question 'Z9', which does not exist",
    ),
    "derived rows from a non-grid": (
        set_key("B3", "rows", {"from": "A4"}),
        "B3",
        "from names A4, which is not a grid",
    ),
    "derived rows label": (
        set_key("B4", "rows", {"from": "B2", "label": "title"}),
        "B4",
        "label names column 'title', which B2 does not have",
    ),
    "derived rows where": (
        set_key("B3", "rows", {"from": "B1", "where": {"column": "exist", "eq": "yes"}}),
        "B3",
        "rows: where: names column 'exist', which B1 does not have",
    ),
    "malformed condition": (
        set_key("A2", "show_if", {"question": "A1", "equals": "yes"}),
        "A2",
        "show_if: unknown key(s) equals",
    ),
    "condition names a missing question": (
        set_key("A2", "show_if", {"question": "A0", "eq": "yes"}),
        "A2",
        "names question 'A0', which does not exist",
    ),
    "condition names a later question": (
        set_key("A2", "show_if", {"question": "B5", "gt": 10}),
        "A2",
        "names B5, which comes after A2",
    ),
    "condition names its own question": (
        set_key("A4", "show_if", {"question": "A4", "gt": 10}),
        "A4",
        "names A4 itself",
    ),
    "cell names a missing row": (
        set_key("B5", "show_if", {"cell": "B1.S99.exists", "eq": "yes"}),
        "B5",
        "names row 'S99', which B1 does not have",
    ),
    "cell names a missing column": (
        set_key("B5", "show_if", {"cell": "B1.S01.exist", "eq": "yes"}),
        "B5",
        "names column 'exist', which B1 does not have",
    ),
    "column condition names a missing column": (
        set_column("B1", 1, "show_if", {"column": "exist", "eq": "yes"}),
        "B1",
        "column periodicity: show_if: names column 'exist', which B1 does not have",
    ),
    "column condition names itself": (
        set_column("B1", 1, "show_if", {"column": "periodicity", "eq": "annual"}),
        "B1",
        "column 'periodicity' cannot depend on itself",
    ),
    "condition compares with a code that is not a choice": (
        set_key("A2", "show_if", {"question": "A1", "eq": "yess"}),
        "A2",
        "'yess' is not a choice of A1",
    ),
    "rule names a later question": (
        set_key(
            "A4", "rules", [{"check": {"question": "A4", "lt": {"question": "B5"}}, "message": "x"}]
        ),
        "A4",
        "names B5, which comes after A4",
    ),
    "rule compares with a malformed cell": (
        set_key(
            "B1",
            "rules",
            [{"check": {"cell": "B1.S01.next", "gt": {"cell": "B1.S01"}}, "message": "x"}],
        ),
        "B1",
        "'cell' is written question.row.column",
    ),
    "rule without message": (
        set_key("A4", "rules", [{"check": {"question": "A4", "gt": 0}}]),
        "A4",
        "rules[1]: missing required key 'message'",
    ),
    "unknown validation key": (set_validation("A4", minimum=0), "A4", "unknown key 'minimum'"),
    "non-numeric bound": (set_validation("A4", min="none"), "A4", "min must be a number"),
    "min above max": (
        set_validation("A4", min=10, max=5),
        "A4",
        "min (10) is greater than max (5)",
    ),
    "year bound": (
        set_column("B1", 2, "validation", {"min": 50, "max": 2035}),
        "B1",
        "min must be a four-digit year, not 50",
    ),
    "date bound": (
        set_validation("A5", min="2019-13-01"),
        "A5",
        "min must be a date written YYYY-MM-DD",
    ),
    "max_choices above choice count": (
        set_validation("A3", max_choices=4),
        "A3",
        "max_choices (4) is more than the 3 choices",
    ),
    "max_choices not positive": (
        set_validation("A3", max_choices=0),
        "A3",
        "max_choices must be a positive whole number",
    ),
    "max_length not positive": (
        set_column("B2", 0, "validation", {"max_length": -1}),
        "B2",
        "max_length must be a positive whole number",
    ),
    "max_ticked outside checkbox columns": (
        set_column("B2", 0, "validation", {"max_ticked": 1}),
        "B2",
        "'max_ticked' does not apply to text (only to checkbox columns)",
    ),
    "special value compared with eq": (
        set_key("B5", "show_if", {"question": "A2", "eq": "not_applicable"}),
        "B5",
        "'not_applicable' is a special value, not a choice of A2: a marked answer has no value, "
        "so test it with {marked: not_applicable}",
    ),
    "special value compared with a number": (
        set_key("B5", "show_if", {"question": "A4", "ne": "not_available"}),
        "B5",
        "A4 is a number (integer), so 'not_available' could never match; to test a special "
        "value write {marked: not_available}",
    ),
    "marked with a special value not offered": (
        set_key("B5", "show_if", {"question": "A4", "marked": "not_applicable"}),
        "B5",
        "marked: not_applicable is not a special value A4 offers (it offers: not_available, "
        "confidential)",
    ),
    "eq on a multiple choice": (
        set_key("B5", "show_if", {"question": "A3", "eq": "stocks"}),
        "B5",
        "'eq' would compare the whole list of A3 (multiple_choice); test one option with "
        "{contains: code}",
    ),
    "not_in on a multiple choice": (
        set_key("B5", "show_if", {"question": "A3", "not_in": ["none"]}),
        "B5",
        "'not_in' would compare the whole list of A3",
    ),
    "contains on a single choice": (
        set_key("B5", "show_if", {"question": "A2", "contains": "yes"}),
        "B5",
        "'contains' tests the options of a multiple_choice or ranking; A2 is a single_choice",
    ),
    "contains an unknown option": (
        set_key("B5", "show_if", {"question": "A3", "contains": "stock"}),
        "B5",
        "'stock' is not a choice of A3",
    ),
    "misspelt operator": (
        set_key("B5", "show_if", {"question": "A1", "eqq": "yes"}),
        "B5",
        "unknown key(s) eqq (did you mean 'eq' for 'eqq'?)",
    ),
    "misspelt subject": (
        set_key("B5", "show_if", {"questoin": "A1", "eq": "yes"}),
        "B5",
        "(did you mean 'question' for 'questoin'?)",
    ),
    "misspelt combinator": (
        set_key("B5", "show_if", {"al": [{"question": "A1", "eq": "yes"}]}),
        "B5",
        "(did you mean 'all' for 'al'?)",
    ),
    "conditions nested too deep": (
        set_key("B5", "show_if", nested({"question": "A1", "eq": "yes"}, 25)),
        "B5",
        "show_if: conditions may nest all, any and not at most 20 levels deep",
    ),
    "too many decimal places": (
        set_validation("B5", decimal_places=30),
        "B5",
        "decimal_places must be a whole number from 0 to 12, not 30",
    ),
    "other option in a ranking": (
        lambda data: question(data, "A3").update(kind="ranking", validation={"max_choices": 2}),
        "A3",
        "choice none: a ranking orders its options and cannot have 'exclusive' options",
    ),
    "grids deriving from each other": (
        derive_in_a_circle,
        "B3",
        "rows: grids take their rows from each other in a circle (B3 -> B4 -> B3)",
    ),
    "unknown scope": (set_key("A4", "scope", "authorty"), "A4", "did you mean 'authority'?"),
    "unknown section scope": (
        lambda data: data["sections"][0].update(scope="nation"),
        "A",
        "scope 'nation' is not one of country, authority",
    ),
    "unknown special value": (
        set_key("A4", "special_values", ["not_available", "unknown"]),
        "A4",
        "unknown special value(s) unknown",
    ),
}


@pytest.mark.parametrize("change", BROKEN.values(), ids=BROKEN.keys())
def test_broken_file_is_refused_and_nothing_is_written(
    write: Callable[..., Path], change: tuple[Callable[[dict[str, Any]], None], str, str]
) -> None:
    mutate, code, fragment = change
    data = valid_data()
    mutate(data)
    question(data, "B5")["text"] = "A changed text that must not be written"
    broken = write(dump(data), "broken.yaml")
    counts = table_counts()

    assert_error(load_errors(broken), broken, code, fragment)
    assert table_counts() == counts

    # The same broken file as an edit of a loaded questionnaire changes nothing either.
    load_questionnaire(write(VALID))
    counts, keys = table_counts(), primary_keys()
    assert_error(load_errors(broken), broken, code, fragment)
    assert table_counts() == counts
    assert primary_keys() == keys
    assert get_question("B5").text == "Share of the population covered"


def test_yaml_syntax_error_names_the_line(write: Callable[..., Path]) -> None:
    path = write(VALID.replace("    title: Sources", "    title: [Sources"))
    counts = table_counts()

    errors = load_errors(path)

    assert len(errors) == 1
    assert errors[0].code == ""
    assert "YAML syntax error at line" in errors[0].message
    assert str(errors[0]).startswith(f"{path}: YAML syntax error at line 64")
    assert table_counts() == counts


def test_repeated_key_is_an_error(write: Callable[..., Path]) -> None:
    repeated_list = "  frequency:\n    - {code: weekly, label: Weekly}\n"
    text = VALID.replace("sections:\n", repeated_list + "sections:\n", 1)
    text = text.replace("        required: true\n", "        required: true\n        text: Again\n")
    text = text.replace("{code: annual, label: Every year}", "{code: annual, label: A, label: B}")
    text = text.replace("validation: {max_length: 200}", "validation: {max_length: 200}, kind: url")
    path = write(text)

    errors = load_errors(path)

    assert_error(errors, path, "frequency", "'frequency' is given twice")
    assert_error(errors, path, "frequency", "'label' is given twice")
    assert_error(errors, path, "A1", "line 31: 'text' is given twice")
    assert_error(errors, path, "B2", "'kind' is given twice")


def test_empty_file_is_an_error(write: Callable[..., Path]) -> None:
    path = write("")

    assert_error(load_errors(path), path, "", "the file is empty")


def test_all_errors_are_reported_at_once(write: Callable[..., Path]) -> None:
    data = valid_data()
    question(data, "A1")["kind"] = "boolean"
    question(data, "A4")["validation"] = {"min": 10, "max": 1}
    question(data, "B5")["show_if"] = {"question": "Z1", "eq": "yes"}
    data["sections"][0]["title"] = ""
    path = write(dump(data))

    with pytest.raises(QuestionnaireFileError) as raised:
        load_questionnaire(path)

    errors = raised.value.errors
    assert [error.code for error in errors] == ["A", "A1", "A4", "B5"]
    lines = str(raised.value).splitlines()
    assert lines == [f"{path}: {error.code}: {error.message}" for error in errors]
    assert lines[1] == f"{path}: A1: unknown kind 'boolean'"


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"

    assert_error(load_errors(path), path, "", "cannot read the file")


# --- The command ----------------------------------------------------------------------------------


def test_command_prints_a_summary(write: Callable[..., Path]) -> None:
    path = write(VALID)
    out = StringIO()

    call_command("load_questionnaire", str(path), "--round", "test-round", stdout=out)

    text = out.getvalue()
    assert "Questionnaire test-2026: Test consultation" in text
    assert "Round test-round" in text
    assert "2 sections, 12 questions, 4 grids, 5 conditions, 1 rules" in text
    assert "Created: " in text
    assert "Updated: 0" in text

    out = StringIO()
    call_command("load_questionnaire", str(path), stdout=out)
    assert "Created: 0\nUpdated: 0\nDeleted: 0\n" in out.getvalue()
    assert "Nothing changed." in out.getvalue()


def test_command_exits_with_status_1_and_lists_errors_on_stderr(
    write: Callable[..., Path],
) -> None:
    data = valid_data()
    question(data, "A1")["kind"] = "boolean"
    question(data, "A4")["validation"] = {"min": 10, "max": 1}
    path = write(dump(data))
    err = StringIO()
    counts = table_counts()

    with pytest.raises(CommandError) as raised:
        call_command("load_questionnaire", str(path), stderr=err)

    assert raised.value.returncode == 1
    assert err.getvalue().splitlines() == [
        f"{path}: A1: unknown kind 'boolean'",
        f"{path}: A4: validation: min (10) is greater than max (1)",
    ]
    assert "2 errors" in str(raised.value)
    assert table_counts() == counts


# --- Structure changes once answers exist ---------------------------------------------------------


def without_question(code: str) -> dict[str, Any]:
    data = valid_data()
    for section in data["sections"]:
        section["questions"] = [item for item in section["questions"] if item["code"] != code]
    return data


def test_removing_a_question_with_answers_is_refused(
    write: Callable[..., Path], answer_counts: dict[str, int]
) -> None:
    load_questionnaire(write(VALID))
    answer_counts["A4"] = 12
    data = without_question("A4")
    question(data, "A1")["text"] = "A changed text that must not be written"
    path = write(dump(data))
    counts = table_counts()

    errors = load_errors(path)

    assert [str(error) for error in errors] == [
        f"{path}: A4: cannot remove this question: 12 answers exist. "
        "Publish a new questionnaire version instead."
    ]
    assert table_counts() == counts
    assert get_question("A1").text == "Is there a national coordination mechanism?"


def test_changing_a_kind_with_answers_is_refused(
    write: Callable[..., Path], answer_counts: dict[str, int]
) -> None:
    load_questionnaire(write(VALID))
    answer_counts.update(A4=1, B1=3)
    data = valid_data()
    question(data, "A4")["kind"] = "decimal"
    question(data, "B1")["columns"][3]["kind"] = "integer"  # next: year → integer
    path = write(dump(data))

    errors = load_errors(path)

    assert_error(errors, path, "A4", "cannot change its kind from integer to decimal: 1 answer")
    assert_error(errors, path, "B1", "change the kind of column 'next' from year to integer")
    assert get_question("A4").kind == "integer"


def test_removing_a_grid_column_or_row_with_answers_is_refused(
    write: Callable[..., Path], answer_counts: dict[str, int]
) -> None:
    load_questionnaire(write(VALID))
    answer_counts["B1"] = 7
    data = valid_data()
    question(data, "B1")["columns"].pop()  # next
    data["choice_lists"]["source"].pop(0)  # S01, a row of B1
    question(data, "B1")["rules"] = [
        {"check": {"cell": "B1.S02.latest", "gt": 1999}, "message": "Too old."}
    ]
    path = write(dump(data))

    errors = load_errors(path)

    assert_error(errors, path, "B1", "cannot remove column 'next'; remove row 'S01': 7 answers")
    assert get_question("B1").columns.filter(code="next").exists()


def test_structure_changes_without_answers_are_allowed(
    write: Callable[..., Path], answer_counts: dict[str, int]
) -> None:
    load_questionnaire(write(VALID))
    answer_counts["A1"] = 4  # answers elsewhere do not matter
    data = without_question("A4")
    question(data, "A5")["kind"] = "text"
    del question(data, "A5")["validation"]

    report = load_questionnaire(write(dump(data)))

    assert report.deleted["Question"] == 1
    assert get_question("A5").kind == "text"


def test_wording_changes_are_allowed_when_answers_exist(
    write: Callable[..., Path], answer_counts: dict[str, int]
) -> None:
    load_questionnaire(write(VALID))
    answer_counts.update(A4=12, B1=3)
    data = valid_data()
    question(data, "A4")["text"] = "How many people work on migration statistics?"
    question(data, "B1")["columns"][0]["label"] = "Source exists"

    report = load_questionnaire(write(dump(data)))

    assert report.updated == {"Question": 1, "GridColumn": 1}


# --- any_row conditions ---------------------------------------------------------------------------


def test_any_row_condition_is_accepted(write: Callable[..., Path]) -> None:
    data = valid_data()
    question(data, "B5")["show_if"] = {"any_row": "B1", "column": "exists", "eq": "yes"}

    load_questionnaire(write(dump(data)))

    assert get_question("B5").show_if["any_row"] == "B1"


def test_any_row_condition_names_an_existing_column(write: Callable[..., Path]) -> None:
    data = valid_data()
    question(data, "B5")["show_if"] = {"any_row": "B1", "column": "exist", "eq": "yes"}
    path = write(dump(data))

    assert_error(load_errors(path), path, "B5", "names column 'exist', which B1 does not have")


# --- The real questionnaire -----------------------------------------------------------------------

MIGRATION_2026 = Path(settings.BASE_DIR) / "fixtures" / "questionnaires" / "migration-2026.yaml"


@pytest.mark.skipif(
    not MIGRATION_2026.exists(),
    reason=f"{MIGRATION_2026} is not written yet",
)
def test_migration_2026_questionnaire_loads() -> None:
    report = load_questionnaire(MIGRATION_2026, round_code="test-round")

    assert report.sections == 8
    assert report.questions >= 80
    assert report.grids >= 3
    assert load_questionnaire(MIGRATION_2026, round_code="test-round").changes.any is False


# --- Scope: about the country, or about the answering institution ---------------------------------


def test_scope_of_a_section_applies_to_its_questions_unless_they_say_otherwise(
    write: Callable[..., Path],
) -> None:
    data = valid_data()
    data["sections"][1]["scope"] = "authority"
    question(data, "B5")["scope"] = "country"
    question(data, "A4")["scope"] = "authority"
    report = load_questionnaire(write(dump(data)))

    sections = Section.objects.filter(questionnaire=report.questionnaire)
    assert dict(sections.values_list("code", "scope")) == {"A": "country", "B": "authority"}
    questions = Question.objects.filter(section__questionnaire=report.questionnaire)
    scopes = dict(questions.values_list("code", "scope"))
    assert scopes["A1"] == "country"
    assert scopes["A4"] == "authority"
    assert scopes["B1"] == scopes["B4"] == "authority"
    assert scopes["B5"] == "country"

    definition = get_definition(report.questionnaire.pk)
    assert definition.questions["A4"].scope == "authority"
    assert definition.questions["B1"].scope == "authority"
    assert definition.questions["B5"].scope == "country"
    assert definition.questions["A1"].scope == "country"
    assert definition.section("B").scope == "authority"


def test_changing_a_scope_is_updated_in_place(write: Callable[..., Path]) -> None:
    load_questionnaire(write(VALID))
    data = valid_data()
    question(data, "A1")["scope"] = "authority"
    report = load_questionnaire(write(dump(data)))

    assert get_question("A1").scope == "authority"
    assert report.updated["Question"] == 1


# --- Limits of a file: size, aliases, nesting -------------------------------------------------


def test_a_file_too_large_is_refused_before_it_is_read(write: Callable[..., Path]) -> None:
    padding = "# padding\n" * 210_000
    path = write(VALID + padding)

    errors = load_errors(path)

    assert [error.message for error in errors] == [
        f"the file has {path.stat().st_size:,} bytes; a questionnaire file has at most 2,000,000"
    ]
    assert not Questionnaire.objects.filter(code="test-2026").exists()


def test_yaml_aliases_are_refused_with_their_line(write: Callable[..., Path]) -> None:
    text = VALID.replace(
        "show_if: {question: A1, eq: yes}\n",
        "show_if: &asked {question: A1, eq: yes}\n",
    ).replace(
        "        show_if: {all: [{question: A1, eq: yes}, {not: {question: A3, contains: none}}]}",
        "        show_if: *asked",
    )
    assert "*asked" in text
    path = write(text)

    errors = load_errors(path)

    assert len(errors) == 1
    assert "aliases (*asked) are not allowed: write the repeated part out" in errors[0].message
    assert f"at line {text.splitlines().index('        show_if: *asked') + 1}" in errors[0].message
    assert not Questionnaire.objects.filter(code="test-2026").exists()


def test_a_condition_nested_400_levels_is_refused_with_a_message(
    write: Callable[..., Path],
) -> None:
    deep = "{not: " * 400 + "{question: A1, eq: yes}" + "}" * 400
    text = VALID.replace(
        "        show_if: {all: [{question: A1, eq: yes}, {not: {question: A3, contains: none}}]}",
        f"        show_if: {deep}",
    )
    path = write(text)

    errors = load_errors(path)

    assert len(errors) == 1
    assert "the file nests more than 60 levels deep" in errors[0].message
    assert errors[0].file == str(path)


def test_a_condition_on_a_special_value_loads(write: Callable[..., Path]) -> None:
    data = valid_data()
    question(data, "B5")["show_if"] = {
        "any": [{"question": "A4", "marked": "not_available"}, {"question": "A4", "gt": 10}]
    }
    load_questionnaire(write(dump(data)))

    assert get_question("B5").show_if["any"][0] == {"question": "A4", "marked": "not_available"}


def test_a_grid_may_derive_its_rows_from_a_derived_grid(write: Callable[..., Path]) -> None:
    data = valid_data()
    question(data, "B4")["rows"] = {"from": "B3", "where": {"column": "stocks", "eq": "yes"}}
    load_questionnaire(write(dump(data)))

    assert get_question("B4").rows_from["question"] == "B3"


# --- Warnings: what a kind would offer twice or ignore -------------------------------------------


def test_a_yes_no_question_with_dont_know_as_special_value_loads_with_a_warning(
    write: Callable[..., Path],
) -> None:
    data = valid_data()
    question(data, "A1")["special_values"] = "all"
    path = write(dump(data))

    report = load_questionnaire(path)
    stderr = StringIO()
    call_command("load_questionnaire", str(path), stdout=StringIO(), stderr=stderr)

    assert [(warning.code, warning.file) for warning in report.warnings] == [("A1", str(path))]
    assert "Don't know" in report.warnings[0].message
    assert "offered twice" in report.warnings[0].message
    assert f"warning: {path}: A1: a yes_no question already offers" in stderr.getvalue()


def test_exclusive_on_a_single_choice_is_a_warning(write: Callable[..., Path]) -> None:
    data = valid_data()
    question(data, "A3")["kind"] = "single_choice"
    question(data, "A3")["validation"] = {}
    question(data, "B5")["show_if"] = {"question": "A3", "ne": "none"}

    report = load_questionnaire(write(dump(data)))

    assert [warning.code for warning in report.warnings] == ["A3"]
    assert "'exclusive' means nothing on a single_choice" in report.warnings[0].message


# --- Removing a choice that answers use ---------------------------------------------------------


@pytest.fixture
def choice_uses() -> Iterator[dict[tuple[str, str], int]]:
    """Answers using removed choices per (question, column), as a registered counter reports."""
    uses: dict[tuple[str, str], int] = {}
    asked: list[dict[tuple[str, str], set[str]]] = []

    def counter(
        questionnaire: Questionnaire, removed: dict[tuple[str, str], set[str]]
    ) -> dict[tuple[str, str], int]:
        asked.append(dict(removed))
        return {key: uses[key] for key in removed if key in uses}

    register_choice_counter(counter)
    yield uses
    unregister_choice_counter(counter)


def test_removing_a_choice_that_answers_use_is_refused_with_their_number(
    write: Callable[..., Path], choice_uses: dict[tuple[str, str], int]
) -> None:
    load_questionnaire(write(VALID))
    choice_uses[("A3", "")] = 4
    choice_uses[("B1", "periodicity")] = 1
    data = valid_data()
    question(data, "A3")["choices"].pop(1)  # flows
    data["choice_lists"]["frequency"].pop()  # rarely, a choice of column B1.periodicity
    question(data, "A1")["text"] = "A changed text that must not be written"
    path = write(dump(data))
    counts = table_counts()

    errors = load_errors(path)

    assert sorted(str(error) for error in errors) == [
        f"{path}: A3: cannot remove choice 'flows': chosen in 4 answers, which the next save "
        "would drop. Publish a new questionnaire version instead.",
        f"{path}: B1: column 'periodicity': cannot remove choice 'rarely': chosen in 1 answer, "
        "which the next save would drop. Publish a new questionnaire version instead.",
    ]
    assert table_counts() == counts
    assert get_question("A1").text == "Is there a national coordination mechanism?"
