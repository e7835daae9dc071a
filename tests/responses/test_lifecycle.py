"""The lifecycles of rounds, returns and assignments: every move in the map is allowed and recorded,
every other one is refused and changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from consultation.models import Round
from responses.exceptions import IllegalTransition
from responses.models import (
    Assignment,
    AssignmentEvent,
    CountryReturn,
    ReturnEvent,
    RoundEvent,
)
from responses.returns.lifecycle import (
    close_round,
    move_assignment,
    move_return,
    move_round,
    start_return,
)

pytestmark = pytest.mark.django_db

RETURN_MOVES = [
    (status, action) for action in CountryReturn.Action for status in CountryReturn.Status
]
ASSIGNMENT_MOVES = [
    (status, action) for action in Assignment.TRANSITIONS for status in Assignment.Status
]


def test_every_return_action_is_a_timeline_action():
    assert set(CountryReturn.Action.values) <= set(ReturnEvent.Action.values)
    assert set(CountryReturn.TRANSITIONS) == set(CountryReturn.Action)


@pytest.mark.parametrize(("start", "action"), RETURN_MOVES)
def test_a_return_moves_exactly_as_its_map_says(world, start, action):
    CountryReturn.objects.filter(pk=world.return_a.pk).update(status=start)  # set-up only
    world.return_a.refresh_from_db()
    sources, target = CountryReturn.TRANSITIONS[action]

    if start in sources:
        event = move_return(
            country_return=world.return_a, action=action, actor=world.reviewer, note="Why"
        )
        world.return_a.refresh_from_db()
        assert world.return_a.status == target
        assert (event.action, event.old_status, event.new_status) == (action, start, target)
        assert (event.actor, event.note) == (world.reviewer, "Why")
    else:
        with pytest.raises(IllegalTransition) as refusal:
            move_return(country_return=world.return_a, action=action, actor=world.reviewer)
        assert "Nothing was changed" in refusal.value.message
        world.return_a.refresh_from_db()
        assert world.return_a.status == start
        assert not ReturnEvent.objects.exists()


@pytest.mark.parametrize(("start", "action"), ASSIGNMENT_MOVES)
def test_an_assignment_moves_exactly_as_its_map_says(world, start, action):
    Assignment.objects.filter(pk=world.assignment.pk).update(status=start)  # set-up only
    world.assignment.refresh_from_db()
    sources, target = Assignment.TRANSITIONS[action]

    if start in sources:
        event = move_assignment(assignment=world.assignment, action=action, actor=world.admin)
        world.assignment.refresh_from_db()
        assert world.assignment.status == target
        assert (event.old_status, event.new_status, event.actor) == (start, target, world.admin)
    else:
        with pytest.raises(IllegalTransition):
            move_assignment(assignment=world.assignment, action=action, actor=world.admin)
        world.assignment.refresh_from_db()
        assert world.assignment.status == start
        assert not AssignmentEvent.objects.exists()


def test_a_round_opens_once_and_closes_once(world, draft_round):
    draft_round(world.round)
    move_round(round_=world.round, action=Round.Action.OPEN, actor=world.admin)
    with pytest.raises(IllegalTransition):
        move_round(round_=world.round, action=Round.Action.OPEN, actor=world.admin)
    close_round(round_=world.round, actor=world.admin, note="Deadline passed")
    with pytest.raises(IllegalTransition):
        move_round(round_=world.round, action=Round.Action.OPEN, actor=world.admin)

    world.round.refresh_from_db()
    assert world.round.status == Round.Status.CLOSED
    # The world's own opening comes first.
    events = list(RoundEvent.objects.filter(round=world.round))[-2:]
    assert [(e.action, e.old_status, e.new_status) for e in events] == [
        ("open", "draft", "open"),
        ("close", "open", "closed"),
    ]
    assert events[-1].note == "Deadline passed"


def test_a_stale_copy_cannot_submit_a_return_twice(world):
    """A double click: the second request finds the return submitted already."""
    stale = CountryReturn.objects.get(pk=world.return_a.pk)
    move_return(
        country_return=world.return_a, action=CountryReturn.Action.SUBMIT, actor=world.focal_point_a
    )

    with pytest.raises(IllegalTransition):
        move_return(country_return=stale, action=CountryReturn.Action.SUBMIT, actor=None)

    assert ReturnEvent.objects.filter(action="submit").count() == 1


def test_starting_a_return_happens_once(world):
    assert start_return(country_return=world.return_a, actor=world.focal_point_a) is not None
    assert start_return(country_return=world.return_a, actor=world.focal_point_a) is None
    assert ReturnEvent.objects.filter(action="start").count() == 1


def test_the_close_round_command_closes_and_records(world):
    output = StringIO()
    call_command("close_round", world.round.code, "--closed-by", "admin@un.org", stdout=output)

    world.round.refresh_from_db()
    assert world.round.status == Round.Status.CLOSED
    assert RoundEvent.objects.get(action="close").actor == world.admin
    assert "is closed" in output.getvalue()
