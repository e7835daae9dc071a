"""One table of conditions, answers and expected results, shared by the server and browser tests.

tests/consultation/test_conditions.py evaluates every case with consultation/conditions.py and
tests/e2e/test_conditions_js.py with static/consultation/conditions.js in Chromium: the two
evaluators must agree on every line.

Answers are keyed "question|row|column" (plain questions: "A9||"), as the section page passes
the answers of other sections to conditions.js, and hold comparable values: a code, a list of
codes, a number or a string as typed, true for a ticked box.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    id: str
    condition: dict[str, Any]
    answers: dict[str, Any]
    expected: bool
    grid: str = ""
    row: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def q(value: Any, code: str = "X") -> dict[str, Any]:
    """The answers of one plain question."""
    return {f"{code}||": value}


MARKED_NA = {"marked": "not_applicable"}

C1 = {
    "C1|S01|exists": "yes",
    "C1|S01|latest_year": "2020",
    "C1|S02|exists": "no",
    "C1|S09|exists": "dont_know",
    "C1|S09|latest_year": "2024",
}

CASES = [
    # eq: the answer equals the value; an empty answer equals nothing.
    Case("eq code", {"question": "X", "eq": "yes"}, q("yes"), True),
    Case("eq other code", {"question": "X", "eq": "yes"}, q("no"), False),
    Case("eq unanswered", {"question": "X", "eq": "yes"}, {}, False),
    Case("eq empty text", {"question": "X", "eq": ""}, q(""), False),
    Case("eq empty list", {"question": "X", "eq": "a"}, q([]), False),
    Case("eq is case sensitive", {"question": "X", "eq": "Yes"}, q("yes"), False),
    Case("eq number and text", {"question": "X", "eq": 2024}, q("2024"), True),
    Case("eq same number written otherwise", {"question": "X", "eq": 100}, q("1e2"), True),
    Case("eq trailing zeros", {"question": "X", "eq": "12.5"}, q("12.50"), True),
    Case("eq negative zero", {"question": "X", "eq": 0}, q("-0"), True),
    Case("eq number in a number", {"question": "X", "eq": 2024}, q(2024), True),
    Case("eq ticked box", {"question": "X", "eq": True}, q(True), True),
    Case("eq true is not the text true", {"question": "X", "eq": True}, q("true"), False),
    Case("eq true is not one", {"question": "X", "eq": True}, q(1), False),
    Case("eq a list is not its only code", {"question": "X", "eq": "a"}, q(["a"]), False),
    Case("eq text None is not null", {"question": "X", "eq": "None"}, q("None"), True),
    # ne: the answer differs; an empty answer differs.
    Case("ne other code", {"question": "X", "ne": "no"}, q("yes"), True),
    Case("ne same code", {"question": "X", "ne": "no"}, q("no"), False),
    Case("ne unanswered", {"question": "X", "ne": "no"}, {}, True),
    Case("ne empty text", {"question": "X", "ne": "no"}, q(""), True),
    Case("ne same number", {"question": "X", "ne": 3}, q("3.0"), False),
    # in / not_in
    Case("in one of", {"question": "X", "in": ["permanent", "ad_hoc"]}, q("ad_hoc"), True),
    Case("in none of", {"question": "X", "in": ["permanent", "ad_hoc"]}, q("no"), False),
    Case("in unanswered", {"question": "X", "in": ["permanent", "ad_hoc"]}, {}, False),
    Case("in numbers", {"question": "X", "in": [1, 2]}, q("2"), True),
    Case("not_in none of", {"question": "X", "not_in": ["none"]}, q("some"), True),
    Case("not_in one of", {"question": "X", "not_in": ["none"]}, q("none"), False),
    Case("not_in unanswered", {"question": "X", "not_in": ["none"]}, {}, True),
    # gt, ge, lt, le: numbers only.
    Case("gt above", {"question": "X", "gt": 10}, q("11"), True),
    Case("gt equal", {"question": "X", "gt": 10}, q("10"), False),
    Case("gt decimal", {"question": "X", "gt": 10}, q("10.000001"), True),
    Case("ge equal", {"question": "X", "ge": 10}, q("10.0"), True),
    Case("ge below", {"question": "X", "ge": 10}, q("9.999"), False),
    Case("lt below", {"question": "X", "lt": 10}, q("9.99"), True),
    Case("lt negative", {"question": "X", "lt": 0}, q("-0.0001"), True),
    Case("le equal", {"question": "X", "le": 10}, q("10"), True),
    Case("le above", {"question": "X", "le": 10}, q("10.5"), False),
    Case("gt number answer", {"question": "X", "gt": 2000}, q(2024), True),
    Case("gt decimal operand", {"question": "X", "gt": 0.5}, q(".6"), True),
    Case("gt text operand", {"question": "X", "gt": "1.5"}, q("2"), True),
    Case("gt spaces around", {"question": "X", "gt": 1}, q(" 12 "), True),
    Case("gt exponent", {"question": "X", "gt": 1000}, q("1.5e3"), True),
    Case(
        "gt many digits",
        {"question": "X", "gt": "12345678901234567890"},
        q("12345678901234567891"),
        True,
    ),
    Case("lt many decimals", {"question": "X", "lt": "0.30000000000000000001"}, q("0.3"), True),
    Case("gt huge exponent", {"question": "X", "gt": "1e400"}, q("2e400"), True),
    Case("gt not a number", {"question": "X", "gt": 1}, q("abc"), False),
    Case("le not a number", {"question": "X", "le": 1}, q("abc"), False),
    Case("gt NaN", {"question": "X", "gt": 1}, q("NaN"), False),
    Case("lt NaN", {"question": "X", "lt": 1}, q("NaN"), False),
    Case("gt Infinity", {"question": "X", "gt": 1}, q("Infinity"), False),
    Case("gt underscores", {"question": "X", "gt": 1}, q("1_000"), False),
    Case("gt other digits", {"question": "X", "gt": 1}, q("\u0661\u0662"), True),
    Case("gt thousands separator", {"question": "X", "gt": 1}, q("1,000"), False),
    Case("gt unanswered", {"question": "X", "gt": 0}, {}, False),
    Case("lt unanswered", {"question": "X", "lt": 0}, {}, False),
    Case("gt list", {"question": "X", "gt": 3}, q(["5"]), False),
    Case("gt ticked box", {"question": "X", "gt": 0}, q(True), False),
    # contains: a multiple choice answer includes the code.
    Case("contains included", {"question": "X", "contains": "a"}, q(["a", "b"]), True),
    Case("contains missing", {"question": "X", "contains": "c"}, q(["a", "b"]), False),
    Case("contains single answer", {"question": "X", "contains": "a"}, q("a"), False),
    Case("contains unanswered", {"question": "X", "contains": "a"}, {}, False),
    Case("contains number", {"question": "X", "contains": 2}, q(["1", "2"]), True),
    # answered
    Case("answered true, answered", {"question": "X", "answered": True}, q("x"), True),
    Case("answered true, unanswered", {"question": "X", "answered": True}, {}, False),
    Case("answered true, empty text", {"question": "X", "answered": True}, q(""), False),
    Case("answered true, empty list", {"question": "X", "answered": True}, q([]), False),
    Case("answered true, zero", {"question": "X", "answered": True}, q(0), True),
    Case("answered false, unanswered", {"question": "X", "answered": False}, {}, True),
    Case("answered false, answered", {"question": "X", "answered": False}, q(["a"]), False),
    # not, all, any
    Case("empty condition", {}, {}, True),
    Case("not", {"not": {"question": "X", "eq": "yes"}}, q("yes"), False),
    Case("not unanswered", {"not": {"question": "X", "eq": "yes"}}, {}, True),
    Case(
        "all true",
        {"all": [{"question": "X", "eq": "a"}, {"question": "Y", "gt": 1}]},
        {"X||": "a", "Y||": "2"},
        True,
    ),
    Case(
        "all one false",
        {"all": [{"question": "X", "eq": "a"}, {"question": "Y", "gt": 1}]},
        {"X||": "a", "Y||": "1"},
        False,
    ),
    Case(
        "any one true",
        {"any": [{"question": "X", "eq": "a"}, {"question": "Y", "gt": 1}]},
        {"X||": "b", "Y||": "2"},
        True,
    ),
    Case(
        "any none true",
        {"any": [{"question": "X", "eq": "a"}, {"question": "Y", "gt": 1}]},
        {"X||": "b"},
        False,
    ),
    Case(
        "nested",
        {
            "all": [
                {"question": "A2", "eq": "consolidated"},
                {
                    "any": [
                        {"question": "H1", "ne": "yes"},
                        {"not": {"question": "H1", "answered": True}},
                    ]
                },
            ]
        },
        {"A2||": "consolidated", "H1||": "no"},
        True,
    ),
    Case(
        "nested false",
        {
            "all": [
                {"question": "A2", "eq": "consolidated"},
                {
                    "any": [
                        {"question": "H1", "ne": "yes"},
                        {"not": {"question": "H1", "answered": True}},
                    ]
                },
            ]
        },
        {"A2||": "consolidated", "H1||": "yes"},
        False,
    ),
    # cell: one cell of a grid
    Case("cell", {"cell": "C1.S01.exists", "eq": "yes"}, C1, True),
    Case("cell other row", {"cell": "C1.S02.exists", "eq": "yes"}, C1, False),
    Case("cell unanswered", {"cell": "C1.S03.exists", "answered": False}, C1, True),
    # any_row: at least one row of a grid
    Case("any_row one row", {"any_row": "C1", "column": "exists", "eq": "yes"}, C1, True),
    Case("any_row no row", {"any_row": "C1", "column": "exists", "eq": "maybe"}, C1, False),
    Case("any_row ne", {"any_row": "C1", "column": "exists", "ne": "yes"}, C1, True),
    Case("any_row without rows", {"any_row": "C7", "column": "name", "ne": "x"}, C1, False),
    Case("any_row number", {"any_row": "C1", "column": "latest_year", "ge": 2024}, C1, True),
    Case(
        "any_row same-row operand",
        {"any_row": "G", "column": "next", "le": {"column": "latest"}},
        {"G|r1|latest": "2010", "G|r1|next": "2020", "G|r2|latest": "2020", "G|r2|next": "2015"},
        True,
    ),
    Case(
        "any_row same-row operand, none",
        {"any_row": "G", "column": "next", "le": {"column": "latest"}},
        {"G|r1|latest": "2010", "G|r1|next": "2020"},
        False,
    ),
    # column: the cell of the same row, in a grid column's condition
    Case("column same row", {"column": "exists", "eq": "yes"}, C1, True, grid="C1", row="S01"),
    Case("column other row", {"column": "exists", "eq": "yes"}, C1, False, grid="C1", row="S02"),
    Case("column unanswered row", {"column": "exists", "ne": "no"}, C1, True, grid="C1", row="S05"),
    Case(
        "column within all",
        {"all": [{"column": "exists", "eq": "yes"}, {"column": "latest_year", "lt": 2021}]},
        C1,
        True,
        grid="C1",
        row="S01",
    ),
    # Operands naming another answer, as validation rules do
    Case(
        "operand question",
        {"question": "X", "gt": {"question": "Y"}},
        {"X||": "2020", "Y||": "2019"},
        True,
    ),
    Case(
        "operand question, equal",
        {"question": "X", "gt": {"question": "Y"}},
        {"X||": "2020", "Y||": "2020"},
        False,
    ),
    Case(
        "operand question unanswered",
        {"question": "X", "gt": {"question": "Y"}},
        {"X||": "2020"},
        False,
    ),
    Case(
        "operand question eq",
        {"question": "X", "eq": {"question": "Y"}},
        {"X||": "abc", "Y||": "abc"},
        True,
    ),
    Case(
        "operand question ne",
        {"question": "X", "ne": {"question": "Y"}},
        {"X||": "abc", "Y||": "abd"},
        True,
    ),
    Case(
        "operand cell",
        {"cell": "C2.census.next", "gt": {"cell": "C2.census.latest"}},
        {"C2|census|next": "2030", "C2|census|latest": "2020"},
        True,
    ),
    Case(
        "operand cell, earlier",
        {"cell": "C2.census.next", "gt": {"cell": "C2.census.latest"}},
        {"C2|census|next": "2010", "C2|census|latest": "2020"},
        False,
    ),
    Case(
        "operand column",
        {"column": "next", "gt": {"column": "latest"}},
        {"C2|census|next": "2030", "C2|census|latest": "2020"},
        True,
        grid="C2",
        row="census",
    ),
    Case(
        "operand column, other row",
        {"column": "next", "gt": {"column": "latest"}},
        {"C2|census|next": "2030", "C2|census|latest": "2020"},
        False,
        grid="C2",
        row="other",
    ),
    # marked: the answer carries one of the special values named (and no value). Every other
    # comparison sees a marked answer as having no value; `answered` counts it as answered.
    Case("marked same", {"question": "X", "marked": "not_applicable"}, q(MARKED_NA), True),
    Case("marked other", {"question": "X", "marked": "confidential"}, q(MARKED_NA), False),
    Case(
        "marked in list",
        {"question": "X", "marked": ["confidential", "not_applicable"]},
        q(MARKED_NA),
        True,
    ),
    Case("marked unanswered", {"question": "X", "marked": "not_applicable"}, {}, False),
    Case("marked with a value", {"question": "X", "marked": "not_applicable"}, q("yes"), False),
    Case(
        "marked cell",
        {"cell": "C1.S01.year", "marked": "not_available"},
        {"C1|S01|year": {"marked": "not_available"}},
        True,
    ),
    Case("answered marked", {"question": "X", "answered": True}, q(MARKED_NA), True),
    Case("not answered marked", {"question": "X", "answered": False}, q(MARKED_NA), False),
    Case("eq marked", {"question": "X", "eq": "not_applicable"}, q(MARKED_NA), False),
    Case("ne marked", {"question": "X", "ne": "yes"}, q(MARKED_NA), True),
    Case("in marked", {"question": "X", "in": ["not_applicable"]}, q(MARKED_NA), False),
    Case("not_in marked", {"question": "X", "not_in": ["yes"]}, q(MARKED_NA), True),
    Case("gt marked", {"question": "X", "gt": 0}, q(MARKED_NA), False),
    Case("le marked", {"question": "X", "le": 0}, q(MARKED_NA), False),
    Case("contains marked", {"question": "X", "contains": "a"}, q(MARKED_NA), False),
    Case(
        "eq marked operand",
        {"question": "X", "eq": {"question": "Y"}},
        {"X||": None, "Y||": MARKED_NA},
        False,
    ),
    # Digits of other scripts are the digits they stand for, as the number fields read them.
    Case("eq arabic-indic digits", {"question": "X", "eq": 12}, q("\u0661\u0662"), True),
    Case("gt full-width digits", {"question": "X", "gt": 10}, q("\uff11\uff12"), True),
    Case("lt devanagari digits", {"question": "X", "lt": 10}, q("\u0967\u0968"), False),
    Case("eq mixed digits", {"question": "X", "eq": "12.5"}, q("1\u0662.5"), True),
    Case("superscript is not a digit", {"question": "X", "eq": 2}, q("\u00b2"), False),
    Case("eq operand in other digits", {"question": "X", "eq": "\u0661"}, q(1), True),
]
