"""Display conditions and validation rules: the semantics of every form, and malformed trees.

The table of cases lives in condition_cases.py, so that tests/e2e/test_conditions_js.py checks
that conditions.js gives the browser exactly the same answers.
"""

from typing import Any

import pytest

from consultation.conditions import (
    AnswerLookup,
    ConditionError,
    Reference,
    answers_given,
    check_condition,
    comparable,
    evaluate,
    references,
)
from tests.consultation.condition_cases import CASES, Case


def lookup(answers: dict[str, Any]) -> AnswerLookup:
    values: dict[tuple[str, str, str], Any] = {}
    for key, value in answers.items():
        question, row, column = key.split("|")
        values[(question, row, column)] = value
    return AnswerLookup(values)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_condition_evaluates_as_the_table_says(case: Case) -> None:
    assert evaluate(case.condition, lookup(case.answers), grid=case.grid, row=case.row) is (
        case.expected
    )


@pytest.mark.parametrize("case", [case for case in CASES if case.condition], ids=lambda c: c.id)
def test_every_condition_of_the_table_is_well_formed(case: Case) -> None:
    check_condition(case.condition, in_grid_row=bool(case.grid))


def test_the_table_covers_every_operator_and_subject() -> None:
    keys: set[str] = set()

    def collect(node: dict[str, Any]) -> None:
        keys.update(node)
        for part in node.get("all", []) + node.get("any", []):
            collect(part)
        if "not" in node:
            collect(node["not"])

    for case in CASES:
        collect(case.condition)

    assert {"eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "contains", "answered"} <= keys
    assert {"question", "cell", "any_row", "column", "not", "all", "any"} <= keys


def test_a_choice_with_other_text_compares_as_its_code() -> None:
    single = lookup({"X||": comparable({"choice": "other", "other": "Tax records"})})
    multiple = lookup({"X||": comparable({"choices": ["a", "other"], "other": "Tax records"})})

    assert evaluate({"question": "X", "eq": "other"}, single)
    assert evaluate({"question": "X", "contains": "other"}, multiple)


# --- Which answers a rule compares -----------------------------------------------------------


def test_references_include_operands_and_every_branch() -> None:
    condition = {
        "all": [
            {"question": "A2", "eq": "consolidated"},
            {"not": {"any_row": "A11", "column": "type", "eq": "nso"}},
            {"cell": "C2.census.next", "gt": {"cell": "C2.census.latest"}},
            {"column": "next", "ge": {"question": "B5"}},
        ]
    }

    assert list(references(condition)) == [
        Reference("question", question="A2"),
        Reference("any_row", question="A11", column="type"),
        Reference("cell", question="C2", row="census", column="next"),
        Reference("cell", question="C2", row="census", column="latest"),
        Reference("column", column="next"),
        Reference("question", question="B5"),
    ]


RULE = {"cell": "C2.census.next", "gt": {"cell": "C2.census.latest"}}


@pytest.mark.parametrize(
    ("answers", "given"),
    [
        ({"C2|census|next": "2030", "C2|census|latest": "2020"}, True),
        ({"C2|census|next": "2010", "C2|census|latest": "2020"}, True),
        ({"C2|census|latest": "2020"}, False),
        ({"C2|census|next": "", "C2|census|latest": "2020"}, False),
        ({}, False),
    ],
)
def test_a_rule_is_checked_only_once_the_answers_it_compares_are_given(
    answers: dict[str, Any], given: bool
) -> None:
    assert answers_given(RULE, lookup(answers)) is given


def test_a_rule_about_being_answered_is_always_checked() -> None:
    rule = {"any": [{"question": "X", "answered": False}, {"question": "Y", "answered": True}]}

    assert answers_given(rule, lookup({}))


# --- Malformed trees ---------------------------------------------------------------------------

MALFORMED = {
    "not a mapping": (["question", "A1"], "a condition must be a mapping, not ['question', 'A1']"),
    "empty": ({}, "a condition cannot be empty"),
    "no subject": ({"eq": "yes"}, "a condition names exactly one of question, cell, any_row or"),
    "two subjects": (
        {"question": "A1", "cell": "C1.S01.exists", "eq": "yes"},
        "a condition names exactly one of question, cell, any_row or column",
    ),
    "unknown key": ({"question": "A1", "equals": "yes"}, "unknown key(s) equals"),
    "unknown keys": ({"question": "A1", "eq": 1, "x": 1, "y": 2}, "unknown key(s) x, y"),
    "no comparison": ({"question": "A1"}, "a condition needs exactly one comparison among"),
    "two comparisons": (
        {"question": "A1", "eq": "yes", "ne": "no"},
        "a condition needs exactly one comparison among",
    ),
    "subject is not a code": ({"question": 5, "eq": "yes"}, "'question' names a code, not 5"),
    "empty subject": ({"question": "", "eq": "yes"}, "'question' names a code, not ''"),
    "cell of two parts": (
        {"cell": "C1.exists", "eq": "yes"},
        "'cell' is written question.row.column, e.g. C1.S01.exists",
    ),
    "cell with an empty part": (
        {"cell": "C1..exists", "eq": "yes"},
        "'cell' is written question.row.column",
    ),
    "column outside a grid": (
        {"column": "exists", "eq": "yes"},
        "'column' can only be used in the condition of a grid column",
    ),
    "any_row without column": (
        {"any_row": "C1", "eq": "yes"},
        "'any_row' needs 'column': which column of the grid to test",
    ),
    "in without a list": ({"question": "A9", "in": "permanent"}, "'in' needs a list of values"),
    "not_in empty": (
        {"question": "A9", "not_in": []},
        "'not_in' needs a non-empty list of plain values (codes or numbers)",
    ),
    "in a list of mappings": (
        {"question": "A9", "in": [{"question": "A8"}]},
        "'in' needs a non-empty list of plain values",
    ),
    "answered not a boolean": (
        {"question": "A9", "answered": "yes"},
        "'answered' takes true or false",
    ),
    "gt not a number": ({"question": "F2", "gt": "ten"}, "'gt' compares numbers; 'ten' is not"),
    "le a boolean": ({"question": "F2", "le": True}, "'le' compares numbers; True is not"),
    "eq a list": (
        {"question": "A9", "eq": ["a", "b"]},
        "'eq' compares with one value; use 'in' or 'not_in' for a list of values",
    ),
    "eq null": (
        {"question": "A9", "eq": None},
        "'eq' needs a value (a code or a number), not None",
    ),
    "contains a list": ({"question": "C11", "contains": ["a"]}, "'contains' compares with one"),
    "operand naming two answers": (
        {"question": "C2", "gt": {"question": "A1", "cell": "C1.S01.exists"}},
        "'gt' compares with {'question': 'A1', 'cell': 'C1.S01.exists'}; an answer is named by "
        "exactly one of {question: X}, {cell: X.row.column} or {column: c}",
    ),
    "operand with an unknown key": (
        {"question": "C2", "gt": {"questions": "A1"}},
        "'gt' compares with {'questions': 'A1'}; an answer is named by exactly one of",
    ),
    "operand column outside a grid": (
        {"question": "C2", "gt": {"column": "latest"}},
        "'gt': {column: ...} can only be used within a grid row",
    ),
    "operand cell of two parts": (
        {"question": "C2", "gt": {"cell": "C2.latest"}},
        "'cell' is written question.row.column",
    ),
    "answer compared as a list": (
        {"question": "C2", "in": {"question": "A1"}},
        "'in' cannot compare with another answer",
    ),
    "not with another key": (
        {"not": {"question": "A1", "eq": "yes"}, "question": "A1"},
        "unknown key(s) question",
    ),
    "all empty": ({"all": []}, "'all' needs a non-empty list of conditions"),
    "any not a list": ({"any": {"question": "A1", "eq": "yes"}}, "'any' needs a non-empty list"),
    "malformed part of all": (
        {"all": [{"question": "A1", "eq": "yes"}, {"question": "A2"}]},
        "a condition needs exactly one comparison",
    ),
    "malformed under not": ({"not": {"cell": "C1", "eq": "yes"}}, "'cell' is written"),
    "part that is not a mapping": ({"any": ["A1"]}, "a condition must be a mapping, not 'A1'"),
}


@pytest.mark.parametrize(("condition", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_check_condition_rejects_a_malformed_tree_and_says_why(
    condition: Any, message: str
) -> None:
    with pytest.raises(ConditionError) as error:
        check_condition(condition)

    assert str(error.value).startswith(message)


WELL_FORMED = [
    {"question": "B6", "eq": "yes"},
    {"question": "B9", "ne": "not_recorded"},
    {"question": "A9", "in": ["permanent", "ad_hoc"]},
    {"question": "C8", "not_in": ["none"]},
    {"question": "F2", "gt": 10},
    {"question": "F2", "le": "12.5"},
    {"question": "C11", "contains": "deregistration"},
    {"question": "A11", "answered": True},
    {"cell": "C1.S01.exists", "eq": "yes"},
    {"any_row": "C1", "column": "exists", "eq": "yes"},
    {"any_row": "G", "column": "next", "gt": {"column": "latest"}},
    {"question": "B1", "in": ["yes_national", "yes_differs"]},
    {
        "all": [
            {"question": "A2", "eq": "consolidated"},
            {"any_row": "A11", "column": "type", "ne": "nso"},
        ]
    },
    {"any": [{"question": "H1", "ne": "yes"}, {"question": "H1", "answered": False}]},
    {"not": {"question": "C8", "eq": "no_border_data"}},
    {"cell": "C2.census.next", "gt": {"cell": "C2.census.latest"}},
    {"question": "X", "eq": {"question": "Y"}},
    {"question": "A10", "eq": True},
]


@pytest.mark.parametrize("condition", WELL_FORMED, ids=[str(c) for c in WELL_FORMED])
def test_check_condition_accepts_the_forms_of_the_format(condition: dict[str, Any]) -> None:
    check_condition(condition)


def test_a_grid_column_condition_may_name_a_cell_of_its_row() -> None:
    check_condition({"column": "exists", "eq": "yes"}, in_grid_row=True)
    check_condition({"column": "next", "gt": {"column": "latest"}}, in_grid_row=True)
