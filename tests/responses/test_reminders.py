"""The daily reminders: sections due soon or overdue, the round deadline, at most once a day."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from consultation.models import Round
from responses.forwarding.services import remind_assignment
from responses.models import Assignment, AssignmentEvent, CountryReturn, OutboundEmail
from responses.notifications import beat
from responses.notifications.reminders import send_daily_reminders
from tests.concurrency import run_together

Status = Assignment.Status
TODAY = timezone.localdate()


@pytest.fixture
def open_round(world):
    round_ = world.round
    round_.status = Round.Status.OPEN
    round_.deadline = TODAY + timedelta(days=30)
    round_.save()
    return round_


def due_in(assignment, days, status=Status.FORWARDED):
    Assignment.objects.filter(pk=assignment.pk).update(
        due_date=TODAY + timedelta(days=days), status=status
    )
    assignment.refresh_from_db()
    return assignment


def labour_assignment(world):
    return Assignment.objects.get(country_return=world.return_a, section__code="G")


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


# --- Sections due soon or overdue -------------------------------------------------------------


@pytest.mark.django_db
def test_holders_of_sections_due_within_three_days_or_overdue_are_reminded(
    world, open_round, django_capture_on_commit_callbacks
):
    due_in(world.assignment, 3, Status.IN_PROGRESS)
    due_in(labour_assignment(world), -2)

    with django_capture_on_commit_callbacks(execute=True):
        report = send_daily_reminders(today=TODAY)

    assert sorted(report.assignment_ids) == sorted(
        [world.assignment.pk, labour_assignment(world).pk]
    )
    assert report.emails_queued == 2
    assert recipients() == ["interior@example.org", "labour@example.org"]
    overdue = next(m for m in mail.outbox if m.to == ["labour@example.org"])
    assert "was due by" in overdue.body
    soon = next(m for m in mail.outbox if m.to == ["interior@example.org"])
    assert "C. " in soon.body
    assert "due by" in soon.body
    for assignment in Assignment.objects.filter(country_return=world.return_a):
        assert assignment.reminded_on == TODAY
        event = assignment.events.get()
        assert event.action == AssignmentEvent.Action.REMINDED
        assert event.actor is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "status"),
    [
        (4, Status.FORWARDED),
        (1, Status.HANDED_BACK),
        (-1, Status.HANDED_BACK),
        (1, Status.RECLAIMED),
        (-5, Status.RECLAIMED),
    ],
)
def test_sections_due_later_handed_back_or_reclaimed_are_left_alone(
    world, open_round, days, status, django_capture_on_commit_callbacks
):
    due_in(world.assignment, days, status)
    with django_capture_on_commit_callbacks(execute=True):
        report = send_daily_reminders(today=TODAY)
    assert report.assignment_ids == []
    assert not mail.outbox
    world.assignment.refresh_from_db()
    assert world.assignment.reminded_on is None


@pytest.mark.django_db
def test_sections_without_a_due_date_or_a_contact_are_left_alone(world, open_round):
    due_in(labour_assignment(world), 1)
    Assignment.objects.filter(pk=labour_assignment(world).pk).update(contact_email="")
    assert world.assignment.due_date is None
    assert send_daily_reminders(today=TODAY).assignment_ids == []


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["round_draft", "round_closed", "submitted", "accepted"])
def test_no_reminders_outside_an_open_round_or_for_a_submitted_return(world, open_round, state):
    due_in(world.assignment, 1)
    if state.startswith("round_"):
        open_round.status = state.removeprefix("round_")
        open_round.save()
    else:
        CountryReturn.objects.filter(pk=world.return_a.pk).update(status=state)
    report = send_daily_reminders(today=TODAY)
    assert report.assignment_ids == []
    assert report.emails_queued == 0


@pytest.mark.django_db
def test_one_email_lists_every_section_due_for_one_contact(
    world, open_round, django_capture_on_commit_callbacks
):
    due_in(world.assignment, 1)
    second = Assignment.objects.create(
        country_return=world.return_a,
        section=world.other_section,
        authority=world.interior_a,
        contact_email="interior@example.org",
        due_date=TODAY + timedelta(days=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = send_daily_reminders(today=TODAY)

    assert sorted(report.assignment_ids) == sorted([world.assignment.pk, second.pk])
    assert recipients() == ["interior@example.org"]
    assert "B. " in mail.outbox[0].body
    assert "C. " in mail.outbox[0].body
    assert AssignmentEvent.objects.filter(action="reminded").count() == 2


@pytest.mark.django_db
def test_a_second_run_on_the_same_day_sends_nothing_but_the_next_day_does(
    world, open_round, django_capture_on_commit_callbacks
):
    due_in(world.assignment, 1)
    with django_capture_on_commit_callbacks(execute=True):
        first = send_daily_reminders(today=TODAY)
        second = send_daily_reminders(today=TODAY)
    assert first.assignment_ids == [world.assignment.pk]
    assert second.assignment_ids == []
    assert second.emails_queued == 0
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        tomorrow = send_daily_reminders(today=TODAY + timedelta(days=1))
    assert tomorrow.assignment_ids == [world.assignment.pk]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_section_reminded_by_hand_today_is_not_reminded_again_automatically(world, open_round):
    due_in(world.assignment, 1)
    remind_assignment(assignment=world.assignment, actor=world.focal_point_a)
    assert send_daily_reminders().assignment_ids == []
    assert OutboundEmail.objects.count() == 1


@pytest.mark.django_db
def test_the_celery_task_runs_the_reminders(world, open_round, django_capture_on_commit_callbacks):
    due_in(world.assignment, 0)
    with django_capture_on_commit_callbacks(execute=True):
        beat.send_daily_reminders.delay()
    assert recipients() == ["interior@example.org"]
    world.assignment.refresh_from_db()
    assert world.assignment.reminded_on == TODAY


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_send_one_reminder_twice(world, open_round):
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions")
    due_in(world.assignment, 1)
    due_in(labour_assignment(world), -1)
    for code, days in (("B", 0), ("D", 2), ("E", -3)):
        Assignment.objects.create(
            country_return=world.return_a,
            section=world.round.questionnaire.sections.get(code=code),
            authority=world.interior_a,
            contact_email="interior@example.org",
            due_date=TODAY + timedelta(days=days),
        )
    Round.objects.filter(pk=open_round.pk).update(deadline=TODAY + timedelta(days=7))

    results = run_together(
        lambda: send_daily_reminders(today=TODAY), lambda: send_daily_reminders(today=TODAY)
    )

    for result in results:
        assert not isinstance(result, Exception), result
    reminded = [pk for result in results for pk in result.assignment_ids]
    assert sorted(reminded) == sorted(
        Assignment.objects.filter(country_return=world.return_a).values_list("pk", flat=True)
    )
    returns = [pk for result in results for pk in result.return_ids]
    assert sorted(returns) == sorted([world.return_a.pk, world.return_b.pk])
    assert AssignmentEvent.objects.filter(action="reminded").count() == 5
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "fp-a@example.org",
        "fp-b@example.org",
        "interior@example.org",
        "labour@example.org",
    ]
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == recipients()


# --- The round deadline -----------------------------------------------------------------------


def deadline_in(round_, days):
    Round.objects.filter(pk=round_.pk).update(deadline=TODAY + timedelta(days=days))


@pytest.mark.django_db
def test_focal_points_are_reminded_a_week_before_the_deadline(
    world, open_round, django_capture_on_commit_callbacks
):
    deadline_in(open_round, 7)
    with django_capture_on_commit_callbacks(execute=True):
        report = send_daily_reminders(today=TODAY)

    assert sorted(report.return_ids) == sorted([world.return_a.pk, world.return_b.pk])
    assert recipients() == ["fp-a@example.org", "fp-b@example.org"]
    message = next(m for m in mail.outbox if m.to == ["fp-a@example.org"])
    assert "closes on" in message.subject
    assert "in 7 days" in message.body
    # Sections still with authorities are listed.
    assert "Ministry of Interior" in message.body
    world.return_a.refresh_from_db()
    assert world.return_a.deadline_reminder_sent_on == TODAY


@pytest.mark.django_db
def test_the_deadline_reminder_goes_out_once_in_the_last_week(world, open_round):
    deadline_in(open_round, 7)
    both = sorted([world.return_a.pk, world.return_b.pk])
    assert sorted(send_daily_reminders(today=TODAY).return_ids) == both
    assert send_daily_reminders(today=TODAY).return_ids == []
    assert send_daily_reminders(today=TODAY + timedelta(days=1)).return_ids == []
    assert OutboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_a_missed_day_still_gets_the_deadline_reminder_out(world, open_round):
    CountryReturn.objects.filter(pk=world.return_b.pk).update(
        deadline_reminder_sent_on=TODAY - timedelta(days=1)
    )
    deadline_in(open_round, 5)
    # Return B was reminded yesterday, in this last week; return A's reminder was missed.
    assert send_daily_reminders(today=TODAY).return_ids == [world.return_a.pk]


@pytest.mark.django_db
def test_a_later_deadline_brings_a_new_deadline_reminder(world, open_round):
    deadline_in(open_round, 7)
    send_daily_reminders(today=TODAY)
    deadline_in(open_round, 21)
    later = send_daily_reminders(today=TODAY + timedelta(days=14))
    assert sorted(later.return_ids) == sorted([world.return_a.pk, world.return_b.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("days", [8, 30, -1])
def test_no_deadline_reminder_before_the_last_week_or_after_the_deadline(world, open_round, days):
    deadline_in(open_round, days)
    assert send_daily_reminders(today=TODAY).return_ids == []
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_no_deadline_reminder_for_a_submitted_return(world, open_round):
    deadline_in(open_round, 7)
    CountryReturn.objects.filter(pk=world.return_a.pk).update(status="submitted")
    assert send_daily_reminders(today=TODAY).return_ids == [world.return_b.pk]
