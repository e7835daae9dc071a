"""The loader refuses structure changes that would orphan real answers, and allows wording."""

import pytest

from consultation.definition import get_definition
from consultation.formbuilder import AnswerValue
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
