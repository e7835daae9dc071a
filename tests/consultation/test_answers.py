"""The public API of answer values: typed values, equality, readable text."""

import datetime
from decimal import Decimal

import pytest

from consultation.answers import (
    AnswerValue,
    AnswerValueError,
    ChoiceAnswer,
    ChoicesAnswer,
    normalise,
    parse_value,
    render_text,
    same_answer,
)
from consultation.definition import ChoiceDef, ColumnDef, QuestionDef
from consultation.models import Kind

CHOICES = (
    ChoiceDef("census", "Population census"),
    ChoiceDef("survey", "Household survey"),
    ChoiceDef("other", "Other source", is_other=True),
)


def question(kind: str, choices: tuple[ChoiceDef, ...] = ()) -> QuestionDef:
    return QuestionDef(id=1, code="A1", section_code="A", text="?", kind=kind, choices=choices)


@pytest.mark.parametrize(
    ("kind", "stored", "expected"),
    [
        (Kind.INTEGER, 1250, 1250),
        (Kind.INTEGER, "1250", 1250),
        (Kind.YEAR, 2024, 2024),
        (Kind.DECIMAL, "12.50", Decimal("12.50")),
        (Kind.PERCENTAGE, "7", Decimal("7")),
        (Kind.DATE, "2026-03-31", datetime.date(2026, 3, 31)),
        (Kind.CHECKBOX, True, True),
        (Kind.YES_NO, "dont_know", ChoiceAnswer("dont_know")),
        (
            Kind.SINGLE_CHOICE,
            {"choice": "other", "other": "Registers"},
            ChoiceAnswer("other", "Registers"),
        ),
        (Kind.MULTIPLE_CHOICE, ["census", "survey"], ChoicesAnswer(("census", "survey"))),
        (Kind.RANKING, ["survey", "census"], ChoicesAnswer(("survey", "census"))),
        (Kind.TEXT, "Statistics Norway", "Statistics Norway"),
        (Kind.TEXT, None, None),
        (Kind.MULTIPLE_CHOICE, [], None),
    ],
)
def test_stored_json_parses_into_a_typed_value(kind, stored, expected):
    assert parse_value(kind, stored) == expected


@pytest.mark.parametrize(
    ("kind", "stored"),
    [
        (Kind.INTEGER, "12.5"),
        (Kind.INTEGER, "many"),
        (Kind.DECIMAL, "NaN"),
        (Kind.DATE, "31/03/2026"),
        (Kind.MULTIPLE_CHOICE, "census"),
        (Kind.SINGLE_CHOICE, {"other": "x"}),
        (Kind.TEXT, 12),
    ],
)
def test_a_value_of_the_wrong_shape_is_refused(kind, stored):
    with pytest.raises(AnswerValueError):
        parse_value(kind, stored)


def test_the_same_options_in_any_order_are_the_same_multiple_choice_answer():
    assert normalise(Kind.MULTIPLE_CHOICE, ["survey", "census"]) == normalise(
        Kind.MULTIPLE_CHOICE, ["census", "survey"]
    )
    assert normalise(Kind.MULTIPLE_CHOICE, ["census"]) != normalise(
        Kind.MULTIPLE_CHOICE, ["census", "survey"]
    )


def test_the_order_of_a_ranking_is_part_of_the_answer():
    assert normalise(Kind.RANKING, ["survey", "census"]) != normalise(
        Kind.RANKING, ["census", "survey"]
    )


def test_the_same_number_however_written_is_the_same_answer():
    assert normalise(Kind.DECIMAL, "12.50") == normalise(Kind.DECIMAL, "12.5")
    assert normalise(Kind.DECIMAL, "0.000") == normalise(Kind.DECIMAL, "0")
    assert normalise(Kind.INTEGER, 1250) == normalise(Kind.INTEGER, "1250")
    assert normalise(Kind.DECIMAL, "12.5") != normalise(Kind.DECIMAL, "12.51")


def test_a_malformed_value_never_equals_a_sound_one():
    assert normalise(Kind.INTEGER, "many") != normalise(Kind.INTEGER, None)


def test_same_answer_compares_special_values_but_not_footnotes():
    assert same_answer(Kind.DECIMAL, AnswerValue("1.0", note="estimate"), AnswerValue("1"))
    assert not same_answer(
        Kind.DECIMAL, AnswerValue(None, "not_available"), AnswerValue(None, "confidential")
    )
    assert not same_answer(Kind.DECIMAL, AnswerValue("1"), None)
    assert same_answer(Kind.TEXT, None, AnswerValue())


@pytest.mark.parametrize(
    ("item", "answer", "text"),
    [
        (question(Kind.SINGLE_CHOICE, CHOICES), AnswerValue("census"), "Population census"),
        (
            question(Kind.SINGLE_CHOICE, CHOICES),
            AnswerValue({"choice": "other", "other": "Registers"}),
            "Other source: Registers",
        ),
        (
            question(Kind.MULTIPLE_CHOICE, CHOICES),
            AnswerValue({"choices": ["census", "other"], "other": "Registers"}),
            "Population census; Other source: Registers",
        ),
        (
            question(Kind.RANKING, CHOICES),
            AnswerValue(["survey", "census"]),
            "Household survey > Population census",
        ),
        (question(Kind.YES_NO), AnswerValue("dont_know"), "Don't know"),
        (question(Kind.INTEGER), AnswerValue(None, "not_available"), "Not available"),
        (question(Kind.INTEGER), AnswerValue(None, "confidential"), "Confidential"),
        (question(Kind.YEAR), AnswerValue(2024), "2024"),
        (question(Kind.PERCENTAGE), AnswerValue("12.5"), "12.5%"),
        (question(Kind.DATE), AnswerValue("2026-03-31"), "2026-03-31"),
        (ColumnDef("exists", "Exists", Kind.CHECKBOX), AnswerValue(True), "Yes"),
        (question(Kind.TEXT), None, ""),
        (question(Kind.TEXT), AnswerValue(None, note="a note only"), ""),
    ],
)
def test_an_answer_renders_as_readable_text(item, answer, text):
    assert render_text(item, answer) == text
