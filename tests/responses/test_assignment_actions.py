"""The focal point's actions on an assignment: remind, reclaim, forward again, reopen."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from responses.models import Assignment, AssignmentEvent, Invitation, OutboundEmail

pytestmark = pytest.mark.django_db

Status = Assignment.Status
Action = AssignmentEvent.Action
ACTIONS = ["remind", "reclaim", "reforward", "reopen"]
# The status each action starts from, when it is allowed.
STARTS = {
    "remind": Status.IN_PROGRESS,
    "reclaim": Status.IN_PROGRESS,
    "reforward": Status.RECLAIMED,
    "reopen": Status.HANDED_BACK,
}


def action_url(world, action, assignment=None, country_return=None):
    assignment = assignment or world.assignment
    country_return = country_return or world.return_a
    return reverse(f"responses:assignment-{action}", args=[country_return.pk, assignment.pk])


def set_status(assignment, status):
    Assignment.objects.filter(pk=assignment.pk).update(status=status)
    assignment.refresh_from_db()


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def overview(world):
    return reverse("responses:return-overview", args=[world.return_a.pk])


def test_focal_point_sends_a_reminder_to_the_contact(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.focal_point_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(world, "remind"))

    assert response.status_code == 302
    assert response.url == overview(world)
    assert [message.to for message in mail.outbox] == [["interior@example.org"]]
    assert "Reminder" in mail.outbox[0].subject
    assert "C. " in mail.outbox[0].body
    event = world.assignment.events.get()
    assert (event.action, event.actor) == (Action.REMINDED, world.focal_point_a)
    assert event.old_status == event.new_status == Status.FORWARDED
    world.assignment.refresh_from_db()
    assert world.assignment.reminded_on == timezone.localdate()
    assert world.assignment.status == Status.FORWARDED


def test_focal_point_reclaims_a_section_and_the_contact_is_told(
    client, world, django_capture_on_commit_callbacks
):
    set_status(world.assignment, Status.IN_PROGRESS)
    client.force_login(world.focal_point_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(world, "reclaim"))

    assert response.status_code == 302
    world.assignment.refresh_from_db()
    assert world.assignment.status == Status.RECLAIMED
    event = world.assignment.events.get()
    assert (event.action, event.old_status, event.new_status, event.actor) == (
        Action.RECLAIMED,
        Status.IN_PROGRESS,
        Status.RECLAIMED,
        world.focal_point_a,
    )
    assert [message.to for message in mail.outbox] == [["interior@example.org"]]
    assert "taken back" in mail.outbox[0].subject
    assert any("Their reply is kept" in text for text in texts(response))


def test_focal_point_forwards_a_reclaimed_section_again(
    client, world, django_capture_on_commit_callbacks
):
    set_status(world.assignment, Status.RECLAIMED)
    Assignment.objects.filter(pk=world.assignment.pk).update(contact_email="interior-a@example.org")
    client.force_login(world.focal_point_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(world, "reforward"))

    assert response.status_code == 302
    world.assignment.refresh_from_db()
    assert world.assignment.status == Status.FORWARDED
    assert world.assignment.forwarded_by == world.focal_point_a
    event = world.assignment.events.get()
    assert (event.action, event.old_status, event.new_status) == (
        Action.REFORWARDED,
        Status.RECLAIMED,
        Status.FORWARDED,
    )
    # The contact already answers for the authority: a notice, not an invitation.
    assert not Invitation.objects.exists()
    assert [message.to for message in mail.outbox] == [["interior-a@example.org"]]


def test_forwarding_again_invites_a_contact_who_never_signed_up(world, client):
    set_status(world.assignment, Status.RECLAIMED)
    client.force_login(world.focal_point_a)
    client.post(action_url(world, "reforward"))
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.authority, invitation.role) == (
        "interior@example.org",
        world.interior_a,
        "respondent",
    )


def test_focal_point_reopens_a_handed_back_section_for_the_authority(
    client, world, django_capture_on_commit_callbacks
):
    set_status(world.assignment, Status.HANDED_BACK)
    client.force_login(world.focal_point_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(world, "reopen"))

    assert response.status_code == 302
    world.assignment.refresh_from_db()
    assert world.assignment.status == Status.IN_PROGRESS
    assert world.assignment.handed_back_at is None
    event = world.assignment.events.get()
    assert (event.action, event.old_status, event.new_status) == (
        Action.REOPENED,
        Status.HANDED_BACK,
        Status.IN_PROGRESS,
    )
    assert [message.to for message in mail.outbox] == [["interior@example.org"]]
    assert "reopened" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("reopen", Status.FORWARDED),
        ("reopen", Status.IN_PROGRESS),
        ("reopen", Status.RECLAIMED),
        ("reforward", Status.FORWARDED),
        ("reforward", Status.HANDED_BACK),
        ("reclaim", Status.RECLAIMED),
        ("remind", Status.HANDED_BACK),
        ("remind", Status.RECLAIMED),
    ],
)
def test_an_action_the_status_does_not_allow_is_explained_and_changes_nothing(
    client, world, action, status, django_capture_on_commit_callbacks
):
    set_status(world.assignment, status)
    client.force_login(world.focal_point_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(world, action))

    assert response.status_code == 302
    assert response.url == overview(world)
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error"
    assert "Nothing was" in str(message)
    world.assignment.refresh_from_db()
    assert world.assignment.status == status
    assert world.assignment.reminded_on is None
    assert not AssignmentEvent.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert not mail.outbox


def test_a_reminder_needs_a_contact_address(client, world):
    Assignment.objects.filter(pk=world.assignment.pk).update(contact_email="")
    client.force_login(world.focal_point_a)
    response = client.post(action_url(world, "remind"))
    assert any("No contact e-mail address" in text for text in texts(response))
    assert not AssignmentEvent.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    "who", ["focal_point_b", "respondent_a", "respondent_a_other", "reviewer", "admin"]
)
def test_anyone_but_the_returns_focal_point_gets_not_found_and_changes_nothing(
    client, world, action, who
):
    set_status(world.assignment, STARTS[action])
    client.force_login(getattr(world, who))

    response = client.post(action_url(world, action))

    assert response.status_code == 404
    world.assignment.refresh_from_db()
    assert world.assignment.status == STARTS[action]
    assert world.assignment.reminded_on is None
    assert not AssignmentEvent.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_an_assignment_of_another_return_is_not_found(client, world, action):
    foreign = Assignment.objects.create(
        country_return=world.return_b,
        section=world.held_section,
        authority=world.nso_b,
        status=STARTS[action],
        contact_email="someone@inegi.org.mx",
    )
    client.force_login(world.focal_point_a)
    # Under return A's address, and under return B's (not A's focal point's).
    assert client.post(action_url(world, action, assignment=foreign)).status_code == 404
    url = action_url(world, action, assignment=foreign, country_return=world.return_b)
    assert client.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == STARTS[action]
    assert not AssignmentEvent.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_only_accept_post(client, world, action):
    set_status(world.assignment, STARTS[action])
    client.force_login(world.focal_point_a)
    assert client.get(action_url(world, action)).status_code == 405
    world.assignment.refresh_from_db()
    assert world.assignment.status == STARTS[action]


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, action):
    response = client.post(action_url(world, action))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Status.FORWARDED, {"remind", "reclaim"}),
        (Status.IN_PROGRESS, {"remind", "reclaim"}),
        (Status.HANDED_BACK, {"reopen", "reclaim"}),
        (Status.RECLAIMED, {"reforward"}),
    ],
)
def test_the_action_buttons_match_the_status(world, status, shown):
    set_status(world.assignment, status)
    html = render_to_string(
        "responses/forwarding/_assignment_actions.html",
        {"assignment": world.assignment, "country_return": world.return_a},
    )
    for action in ACTIONS:
        assert (f'action="{action_url(world, action)}"' in html) == (action in shown), action
    assert html.count('method="post"') == len(shown)
    assert "Ministry of Interior" in html  # each button names what it acts on


def test_the_return_overview_shows_the_buttons_to_the_focal_point(client, world):
    client.force_login(world.focal_point_a)
    page = client.get(overview(world))
    assert page.status_code == 200
    assert action_url(world, "reclaim").encode() in page.content


def test_a_second_reminder_on_the_same_day_is_refused_and_sends_nothing(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.focal_point_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action_url(world, "remind"))
        for _click in range(4):
            response = client.post(action_url(world, "remind"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert world.assignment.events.filter(action=Action.REMINDED).count() == 1
    assert OutboundEmail.objects.count() == 1
    assert texts(response)[-1] == (
        "A reminder about section C already went to interior@example.org today. "
        "Nothing was sent: you can send another tomorrow."
    )
    page = client.get(overview(world)).content.decode()
    assert "Reminded today" in page
    assert action_url(world, "remind") not in page


def test_the_daily_task_counts_as_todays_reminder(client, world):
    Assignment.objects.filter(pk=world.assignment.pk).update(reminded_on=timezone.localdate())
    client.force_login(world.focal_point_a)
    response = client.post(action_url(world, "remind"))
    assert "already went" in texts(response)[0]
    assert not OutboundEmail.objects.exists()


def test_the_reminder_button_says_when_the_last_one_went(client, world):
    last = timezone.localdate() - timezone.timedelta(days=3)
    Assignment.objects.filter(pk=world.assignment.pk).update(reminded_on=last)
    client.force_login(world.focal_point_a)
    page = client.get(overview(world)).content.decode()
    assert action_url(world, "remind") in page
    assert f"(last sent {last.day} {last:%B %Y})" in page
