"""The loader refuses structure changes that would orphan real answers, and allows wording."""

import pytest

from consultation.answers import AnswerValue
from consultation.definition import get_definition
from consultation.loader import QuestionnaireFileError, load_questionnaire
from consultation.models import Area, Question, Round
from responses.answers.services import AnswerEdit, save_answers
from responses.models import AnswerChange, Authority, Membership
from responses.returns.lifecycle import create_return, move_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILE = """
code: change-test
title: Change test
sections:
  - code: A
    title: First
    questions:
      - {{code: Q1, kind: text, text: "{q1_text}"}}
{q2}
"""
Q2 = '      - {code: Q2, kind: yes_no, text: "Is it so?"}'


@pytest.fixture
def answered(tmp_path, questionnaire_round):
    path = tmp_path / "questionnaire.yaml"
    path.write_text(FILE.format(q1_text="Name", q2=Q2))
    load_questionnaire(path, round_code="change-test")
    round_ = Round.objects.get(code="change-test")
    country = Area.objects.get(iso3="KEN")
    move_round(round_=round_, action=Round.Action.OPEN, actor=None)
    country_return, _created = create_return(round_=round_, country=country)
    nso = Authority.objects.get(country=country, kind=Authority.Kind.NSO)
    focal_point = UserFactory()
    Membership.objects.create(
        user=focal_point,
        role=Membership.Role.FOCAL_POINT,
        country_return=country_return,
        authority=nso,
    )
    definition = get_definition(round_.questionnaire_id)
    save_answers(
        country_return=country_return,
        authority=nso,
        section=definition.section("A"),
        edits=[AnswerEdit(("Q2", "", ""), AnswerValue("yes"), 0)],
        user=focal_point,
        channel=AnswerChange.Channel.WEB,
    )
    return path


def test_removing_an_answered_question_is_refused_and_names_its_answers(answered):
    answered.write_text(FILE.format(q1_text="Name", q2=""))

    with pytest.raises(QuestionnaireFileError) as refused:
        load_questionnaire(answered, round_code="change-test")

    assert "Q2" in str(refused.value)
    assert "1 answer" in str(refused.value)
    assert Question.objects.filter(code="Q2", section__questionnaire__code="change-test").exists()


def test_changing_the_kind_of_an_answered_question_is_refused(answered):
    answered.write_text(FILE.format(q1_text="Name", q2=Q2.replace("yes_no", "text")))

    with pytest.raises(QuestionnaireFileError, match="Q2"):
        load_questionnaire(answered, round_code="change-test")

    assert Question.objects.get(code="Q2", section__questionnaire__code="change-test").kind == (
        "yes_no"
    )


def test_a_wording_correction_is_allowed_once_answers_exist(answered):
    answered.write_text(FILE.format(q1_text="Name of the institution", q2=Q2))

    load_questionnaire(answered, round_code="change-test")

    question = Question.objects.get(code="Q1", section__questionnaire__code="change-test")
    assert question.text == "Name of the institution"


CHOICES_FILE = """
code: choice-test
title: Choice test
sections:
  - code: A
    title: First
    questions:
      - code: Q3
        kind: single_choice
        text: Which one?
        choices: [{q3}]
      - code: Q4
        kind: multiple_choice
        text: Which ones?
        choices: [{q4}]
"""
ABC = "{code: a, label: A}, {code: b, label: B}, {code: c, label: C}"


@pytest.fixture
def chosen(tmp_path, questionnaire_round):
    path = tmp_path / "choices.yaml"
    path.write_text(CHOICES_FILE.format(q3=ABC, q4=ABC))
    load_questionnaire(path, round_code="choice-test")
    round_ = Round.objects.get(code="choice-test")
    country = Area.objects.get(iso3="KEN")
    move_round(round_=round_, action=Round.Action.OPEN, actor=None)
    country_return, _created = create_return(round_=round_, country=country)
    nso = Authority.objects.get(country=country, kind=Authority.Kind.NSO)
    focal_point = UserFactory()
    Membership.objects.create(
        user=focal_point,
        role=Membership.Role.FOCAL_POINT,
        country_return=country_return,
        authority=nso,
    )
    save_answers(
        country_return=country_return,
        authority=nso,
        section=get_definition(round_.questionnaire_id).section("A"),
        edits=[
            AnswerEdit(("Q3", "", ""), AnswerValue("b"), 0),
            AnswerEdit(("Q4", "", ""), AnswerValue(["a", "c"]), 0),
        ],
        user=focal_point,
        channel=AnswerChange.Channel.WEB,
    )
    return path


def test_removing_a_chosen_option_is_refused_and_names_its_answers(chosen):
    without_b = "{code: a, label: A}, {code: c, label: C}"
    chosen.write_text(CHOICES_FILE.format(q3=without_b, q4="{code: a, label: A}"))

    with pytest.raises(QuestionnaireFileError) as refused:
        load_questionnaire(chosen, round_code="choice-test")

    messages = sorted(error.message for error in refused.value.errors)
    assert messages == [
        "cannot remove choice 'b', 'c': chosen in 1 answer, which the next save would drop. "
        "Publish a new questionnaire version instead.",
        "cannot remove choice 'b': chosen in 1 answer, which the next save would drop. "
        "Publish a new questionnaire version instead.",
    ]
    assert [error.code for error in refused.value.errors if "'b', 'c'" in error.message] == ["Q4"]
    assert Question.objects.get(code="Q3").choice_list.choices.filter(code="b").exists()


def test_removing_an_option_no_answer_chose_is_allowed(chosen):
    without_c = "{code: a, label: A}, {code: b, label: B}"
    chosen.write_text(CHOICES_FILE.format(q3=without_c, q4=ABC))

    report = load_questionnaire(chosen, round_code="choice-test")

    assert report.deleted["Choice"] == 1
    assert not Question.objects.get(code="Q3").choice_list.choices.filter(code="c").exists()
