"""Real concurrent transactions on PostgreSQL: threads, each with its own connection."""

import pytest

from consultation.answers import AnswerValue
from consultation.definition import get_definition
from responses.answers.services import AnswerEdit, save_answers
from responses.models import Answer, AnswerChange
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def save(world, section_code, key, value, version, user):
    definition = get_definition(world.round.questionnaire_id)
    return lambda: save_answers(
        country_return=world.return_a,
        authority=world.nso_a,
        section=definition.section(section_code),
        edits=[AnswerEdit(key, AnswerValue(value), version)],
        user=user,
        channel=AnswerChange.Channel.AUTOSAVE,
    )


def test_two_saves_of_one_answer_one_wins_the_other_sees_a_conflict(world):
    save(world, "A", ("A3", "", ""), "Start", 0, world.focal_point_a)()

    first, second = run_together(
        save(world, "A", ("A3", "", ""), "Alice's", 1, world.focal_point_a),
        save(world, "A", ("A3", "", ""), "Bob's", 1, world.focal_point_a),
    )

    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    outcomes = sorted([bool(first.saved), bool(second.saved)])
    assert outcomes == [False, True]
    loser = first if not first.saved else second
    assert len(loser.conflicts) == 1
    answer = Answer.objects.get(question__code="A3")
    assert answer.version == 2
    assert answer.value == ("Alice's" if first.saved else "Bob's")
    assert loser.conflicts[0].theirs.value.value == answer.value
    assert AnswerChange.objects.filter(answer=answer).count() == 2


def test_two_first_saves_of_one_new_answer_never_both_win(world):
    first, second = run_together(
        save(world, "A", ("A3", "", ""), "Alice's", 0, world.focal_point_a),
        save(world, "A", ("A3", "", ""), "Bob's", 0, world.focal_point_a),
    )

    assert sorted([bool(first.saved), bool(second.saved)]) == [False, True]
    assert Answer.objects.filter(question__code="A3").count() == 1
    assert AnswerChange.objects.count() == 1


def test_saves_of_different_cells_of_one_grid_both_land(world):
    first, second = run_together(
        save(world, "C", ("C1", "S01", "exists"), "yes", 0, world.focal_point_a),
        save(world, "C", ("C1", "S02", "exists"), "no", 0, world.focal_point_a),
    )

    assert first.saved
    assert second.saved
    values = dict(Answer.objects.filter(question__code="C1").values_list("row_code", "value"))
    assert values == {"S01": "yes", "S02": "no"}


def test_a_double_submit_changes_the_answer_once(world):
    save(world, "A", ("A3", "", ""), "Start", 0, world.focal_point_a)()

    first, second = run_together(
        save(world, "A", ("A3", "", ""), "Same", 1, world.focal_point_a),
        save(world, "A", ("A3", "", ""), "Same", 1, world.focal_point_a),
    )

    assert not first.conflicts
    assert not second.conflicts
    assert sorted([len(first.saved), len(second.saved)]) == [0, 1]
    answer = Answer.objects.get(question__code="A3")
    assert (answer.value, answer.version) == ("Same", 2)
    assert AnswerChange.objects.filter(answer=answer).count() == 2
