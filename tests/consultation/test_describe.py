"""Conditions written out in words for the printed questionnaire."""

import pytest

from consultation.describe import describe_condition

pytestmark = pytest.mark.django_db


def test_conditions_read_as_sentences_with_choice_labels(questionnaire):
    questions = questionnaire.questions

    assert describe_condition({"question": "B6", "eq": "yes"}, questions) == "B6 is “Yes”"
    assert (
        describe_condition(
            {
                "all": [
                    {"question": "B6", "eq": "yes"},
                    {"not": {"question": "A8", "answered": True}},
                ]
            },
            questions,
        )
        == "B6 is “Yes” and not (A8 is answered)"
    )
    assert describe_condition({"cell": "C1.S01.exists", "eq": "yes"}, questions) == (
        "C1 (Population and housing census: Exists) is “Yes”"
    )
    assert describe_condition({"column": "exists", "eq": "yes"}, questions, questions["C1"]) == (
        "“Exists” is “Yes”"
    )


def test_a_nested_condition_keeps_its_grouping(questionnaire):
    questions = questionnaire.questions
    a = {"question": "B6", "eq": "yes"}
    b = {"question": "B6", "eq": "no"}
    c = {"question": "A8", "answered": True}

    assert describe_condition({"all": [a, {"any": [b, {"not": c}]}]}, questions) == (
        "B6 is “Yes” and (B6 is “No” or not (A8 is answered))"
    )
    assert describe_condition({"any": [{"all": [a, b]}, {"not": c}]}, questions) == (
        "(B6 is “Yes” and B6 is “No”) or not (A8 is answered)"
    )
    assert describe_condition({"not": {"any": [a, b]}}, questions) == (
        "not (B6 is “Yes” or B6 is “No”)"
    )


def test_a_special_value_condition_reads_with_its_label(questionnaire):
    questions = questionnaire.questions

    assert describe_condition({"question": "B6", "marked": "not_applicable"}, questions) == (
        "B6 is marked “Not applicable”"
    )
    assert describe_condition(
        {"question": "B6", "marked": ["confidential", "dont_know"]}, questions
    ) == ("B6 is marked “Confidential” or “Don't know”")


def test_the_print_page_says_when_each_conditional_question_is_asked(client, world):
    client.force_login(world.admin)

    content = client.get("/preview/migration-2026/print/").content.decode()

    assert "Asked if B6 is “Yes”." in content
    assert "Gives stocks: asked if “Exists” is “Yes”." in content
