"""Opening a round: status, invitations sent after the commit, retried, never twice."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from consultation.models import Round
from responses.exceptions import RoundRefused
from responses.invitations.services import issue_invitation
from responses.models import Invitation, Membership
from responses.notifications.tasks import send_invitation_email
from responses.rounds import open_round

pytestmark = pytest.mark.django_db

Role = Membership.Role


class FlakyBackend(EmailBackend):
    """The locmem backend, failing (like an SMTP server that is down) while `failures` > 0."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise ConnectionRefusedError("SMTP server unreachable")
        return super().send_messages(messages)


@pytest.fixture
def world(world, draft_round):
    """These tests start from a round in preparation."""
    draft_round(world.round)
    return world


@pytest.fixture
def pending(world) -> list[Invitation]:
    """Three focal point invitations waiting for the round to open (two countries)."""
    return [
        issue_invitation(
            email=email,
            role=Role.FOCAL_POINT,
            country_return=country_return,
            authority=authority,
            invited_by=None,
        )
        for email, country_return, authority in [
            ("one@knbs.or.ke", world.return_a, world.nso_a),
            ("two@knbs.or.ke", world.return_a, world.nso_a),
            ("uno@inegi.org.mx", world.return_b, world.nso_b),
        ]
    ]


def test_opening_sets_the_status_and_sends_every_pending_invitation(
    world, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = open_round(round_=world.round, opened_by=world.admin)
    assert len(callbacks) == 3
    assert result.invitations_queued == 3
    assert not result.was_open
    world.round.refresh_from_db()
    assert world.round.status == Round.Status.OPEN
    assert timezone.now() - world.round.opened_at < timedelta(minutes=1)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "one@knbs.or.ke",
        "two@knbs.or.ke",
        "uno@inegi.org.mx",
    ]
    for invitation in Invitation.objects.all():
        assert invitation.sent_at is not None
        # The link's 14 days start when it is sent, not when it was imported.
        assert invitation.expires_at - invitation.sent_at == pytest.approx(
            timedelta(days=14), abs=timedelta(minutes=1)
        )


def test_nothing_is_sent_before_the_commit(world, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        open_round(round_=world.round, opened_by=world.admin)
        assert mail.outbox == []
    assert len(callbacks) == 3
    assert mail.outbox == []
    assert not Invitation.objects.filter(sent_at__isnull=False).exists()


def test_nothing_is_sent_if_the_transaction_rolls_back(
    world, pending, django_capture_on_commit_callbacks
):
    def open_then_fail() -> None:
        with transaction.atomic():
            open_round(round_=world.round, opened_by=world.admin)
            raise RuntimeError("something later in the same transaction failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        open_then_fail()
    assert callbacks == []
    assert mail.outbox == []
    world.round.refresh_from_db()
    assert world.round.status == Round.Status.DRAFT


def test_an_invitation_is_never_sent_twice(world, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_round(round_=world.round, opened_by=world.admin)
    # The task run again (a redelivered message), and the round opened again.
    for invitation in pending:
        send_invitation_email(invitation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again = open_round(round_=world.round, opened_by=world.admin)
    assert again.was_open
    assert again.invitations_queued == 0
    assert len(mail.outbox) == 3


def test_used_and_withdrawn_invitations_are_not_sent(
    world, pending, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(pk=pending[0].pk).update(revoked_at=timezone.now())
    Invitation.objects.filter(pk=pending[1].pk).update(used_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        result = open_round(round_=world.round, opened_by=world.admin)
    assert result.invitations_queued == 1
    assert [message.to for message in mail.outbox] == [["uno@inegi.org.mx"]]


@pytest.fixture
def flaky_mail(settings):
    """A mail server that fails at first; Celery's eager retries then run as a worker's would."""
    from config.celery import app

    settings.EMAIL_BACKEND = "tests.responses.test_open_round.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.attempts = 0, 0
    # With propagation on (the test setting), an eager task raises at its first retry instead
    # of retrying; a worker never propagates.
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield FlakyBackend
    app.conf.task_eager_propagates = propagates


def test_a_failed_send_is_retried_until_it_succeeds(
    world, pending, flaky_mail, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 2
    invitation = pending[2]
    Invitation.objects.exclude(pk=invitation.pk).update(revoked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        open_round(round_=world.round, opened_by=world.admin)
    # Two failures, then the message goes out, once.
    assert flaky_mail.attempts == 3
    assert [message.to for message in mail.outbox] == [["uno@inegi.org.mx"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_an_invitation_that_could_not_be_sent_stays_pending(
    world, pending, flaky_mail, django_capture_on_commit_callbacks
):
    flaky_mail.failures = 100
    Invitation.objects.exclude(pk=pending[0].pk).update(revoked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        open_round(round_=world.round, opened_by=world.admin)
    assert flaky_mail.attempts == 9  # the first try and 8 retries
    pending[0].refresh_from_db()
    assert pending[0].sent_at is None
    # Once the mail server is back, opening again sends what is still unsent, once.
    flaky_mail.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        again = open_round(round_=world.round, opened_by=world.admin)
    assert again.invitations_queued == 1
    send_invitation_email(pending[0].pk)
    assert [message.to for message in mail.outbox] == [["one@knbs.or.ke"]]


def test_a_closed_round_is_not_opened(world, pending):
    world.round.status = Round.Status.CLOSED
    world.round.save()
    with pytest.raises(RoundRefused, match="is closed"):
        open_round(round_=world.round, opened_by=world.admin)
    world.round.refresh_from_db()
    assert world.round.status == Round.Status.CLOSED
    assert mail.outbox == []


def test_invitations_issued_after_opening_are_sent_at_once(
    world, django_capture_on_commit_callbacks
):
    open_round(round_=world.round, opened_by=world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = issue_invitation(
            email="late@knbs.or.ke",
            role=Role.FOCAL_POINT,
            country_return=world.return_a,
            authority=world.nso_a,
            invited_by=world.admin,
        )
    assert [message.to for message in mail.outbox] == [["late@knbs.or.ke"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


# The command and the admin action ----------------------------------------------------------


def test_command_opens_the_round(world, pending, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("open_round", "2026", "--opened-by", "admin@un.org", stdout=out)
    assert "Round 2026 is now open; 3 invitation(s) queued." in out.getvalue()
    assert len(mail.outbox) == 3


def test_command_refuses_unknown_and_closed_rounds(world):
    with pytest.raises(CommandError, match="No round has the code 'nope'"):
        call_command("open_round", "nope")
    world.round.status = Round.Status.CLOSED
    world.round.save()
    with pytest.raises(CommandError, match="is closed"):
        call_command("open_round", "2026")


def test_admin_action_opens_the_round(client, world, pending, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:consultation_round_changelist"),
            {"action": "open_rounds", "_selected_action": [world.round.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "is open; 3 invitation(s) are being sent." in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.status == Round.Status.OPEN
    assert len(mail.outbox) == 3


def test_round_status_cannot_be_edited_in_the_admin_form(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("admin:consultation_round_change", args=[world.round.pk]))
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()
