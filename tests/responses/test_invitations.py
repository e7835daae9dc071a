"""Invitations: issuing, the e-mail and its link, redeeming once, expiry, revoking, resending."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consultation.models import Round
from responses.exceptions import (
    InvitationEmailMismatch,
    InvitationExpired,
    InvitationRefused,
    InvitationRevoked,
    InvitationUnknown,
    InvitationUsed,
)
from responses.invitations.links import hash_token, invitation_email
from responses.invitations.services import issue_invitation, redeem_invitation, resend_invitation
from responses.models import Assignment, Invitation, Membership
from responses.notifications.tasks import send_invitation_email
from tests.concurrency import run_together
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
TOKEN = re.compile(r"/invitations/accept/\?token=([A-Za-z0-9_-]+)")


def token_in(message) -> str:
    """The token of the accept link in a sent e-mail."""
    match = TOKEN.search(message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def open_round(world) -> Round:
    world.round.status = Round.Status.OPEN
    world.round.opened_at = timezone.now()
    world.round.save()
    return world.round


def invite(world, django_capture_on_commit_callbacks, email="new.person@example.org", **extra):
    """An invitation to return A's NSO, sent (in an open round) once the transaction commits."""
    values = {
        "email": email,
        "role": Role.FOCAL_POINT,
        "country_return": world.return_a,
        "authority": world.nso_a,
        "invited_by": world.focal_point_a,
        "full_name": "Amina Odhiambo",
        **extra,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return issue_invitation(**values)


def sent_token(world, django_capture_on_commit_callbacks, **extra) -> tuple[Invitation, str]:
    invitation = invite(world, django_capture_on_commit_callbacks, **extra)
    assert len(mail.outbox) == 1
    return invitation, token_in(mail.outbox[-1])


# Issuing and sending -----------------------------------------------------------------------


def test_invitation_stores_only_a_hash_of_its_token(
    world, open_round, django_capture_on_commit_callbacks
):
    invitation, token = sent_token(world, django_capture_on_commit_callbacks)
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token)
    assert len(token) >= 43  # 256 bits
    stored = [str(value) for value in Invitation.objects.filter(pk=invitation.pk).values().get()]
    assert not any(token in value for value in stored)


def test_email_is_queued_on_commit_and_sent_once_in_an_open_round(
    world, open_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = issue_invitation(
            email="New.Person@Example.org ",
            role=Role.FOCAL_POINT,
            country_return=world.return_a,
            authority=world.nso_a,
            invited_by=world.admin,
        )
    assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    callbacks[0]()  # a second delivery (a retried task) sends nothing more
    send_invitation_email(invitation.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    invitation.refresh_from_db()
    assert invitation.email == "new.person@example.org"
    assert invitation.sent_at is not None
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=14), abs=timedelta(minutes=1)
    )


def test_invitation_of_a_round_in_preparation_waits(
    world, django_capture_on_commit_callbacks, draft_round
):
    draft_round(world.round)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = issue_invitation(
            email="later@example.org",
            role=Role.FOCAL_POINT,
            country_return=world.return_a,
            authority=world.nso_a,
            invited_by=None,
        )
    assert callbacks == []
    assert mail.outbox == []
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert invitation.expires_at is None


def test_validity_follows_the_setting(
    world, open_round, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_VALID_DAYS = 3
    invitation = invite(world, django_capture_on_commit_callbacks)
    assert invitation.expires_at - invitation.created_at < timedelta(days=3, minutes=1)
    assert invitation.expires_at - invitation.created_at > timedelta(days=2, hours=23)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not an address"}, "is not an e-mail address"),
        ({"email": "x" * 140 + "@example.org"}, "longer than 150"),
        ({"role": Role.UNSD_ADMIN}, "focal points and authority respondents"),
    ],
)
def test_bad_invitations_are_refused(world, changes, message):
    values = {
        "email": "someone@example.org",
        "role": Role.FOCAL_POINT,
        "country_return": world.return_a,
        "authority": world.nso_a,
        "invited_by": None,
        **changes,
    }
    with pytest.raises(InvitationRefused, match=message):
        issue_invitation(**values)
    assert not Invitation.objects.exists()


def test_authority_of_another_country_is_refused(world):
    with pytest.raises(InvitationRefused, match="not of the return's country"):
        issue_invitation(
            email="someone@example.org",
            role=Role.RESPONDENT,
            country_return=world.return_a,
            authority=world.nso_b,
            invited_by=None,
        )


def test_focal_point_email_names_inviter_country_link_and_expiry(
    world, open_round, settings, django_capture_on_commit_callbacks
):
    world.focal_point_a.first_name = "Grace"
    world.focal_point_a.last_name = "Wanjiru"
    world.focal_point_a.save()
    invitation, token = sent_token(
        world, django_capture_on_commit_callbacks, message="Please help with section A."
    )
    message = mail.outbox[0]
    assert "Kenya" in message.subject
    assert "\n" not in message.subject
    assert "Dear Amina Odhiambo," in message.body
    assert "Grace Wanjiru (fp-a@example.org) invites you" in message.body
    assert "as focal point for Kenya" in message.body
    assert "Please help with section A." in message.body
    accept = reverse("responses:invitation-accept")
    assert f"{settings.SITE_URL}{accept}?token={token}\n" in message.body
    invitation.refresh_from_db()
    assert invitation.expires_at.strftime("%-d %B %Y") in message.body
    assert "ask fp-a@example.org to send you a new" in " ".join(message.body.split())


def test_respondent_email_lists_the_sections_forwarded_to_the_authority(
    world, open_round, django_capture_on_commit_callbacks
):
    world.assignment.due_date = timezone.localdate() + timedelta(days=20)
    world.assignment.save()
    invite(
        world,
        django_capture_on_commit_callbacks,
        email="contact@interior.example.org",
        role=Role.RESPONDENT,
        authority=world.interior_a,
    )
    body = mail.outbox[0].body
    section = world.held_section
    assert f"- {section.code}. {section.title}" in body
    assert world.assignment.due_date.strftime("%-d %B %Y") in body
    assert "for Ministry of Interior" in body
    # Section G is forwarded to the labour ministry, not to the interior ministry.
    assert "- G." not in body
    assert f"- {world.other_section.code}." not in body


def test_email_of_an_invitation_by_unsd(world, open_round, django_capture_on_commit_callbacks):
    invite(world, django_capture_on_commit_callbacks, invited_by=None)
    body = " ".join(mail.outbox[0].body.split())
    assert "The United Nations Statistics Division invites you" in body
    assert "ask the United Nations Statistics Division to send you a new invitation" in body


def test_email_link_is_rebuilt_after_a_secret_key_change_before_sending(
    world, open_round, settings
):
    invitation = issue_invitation(
        email="rotated@example.org",
        role=Role.FOCAL_POINT,
        country_return=world.return_a,
        authority=world.nso_a,
        invited_by=None,
    )
    settings.SECRET_KEY = "another-secret-key-0123456789-0123456789-0123456789"
    _subject, body = invitation_email(invitation)
    token = TOKEN.search(body).group(1)
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token)


# Redeeming ---------------------------------------------------------------------------------


def test_redeeming_gives_the_membership_once(world, open_round, django_capture_on_commit_callbacks):
    invitation, token = sent_token(
        world,
        django_capture_on_commit_callbacks,
        email="contact@interior.example.org",
        role=Role.RESPONDENT,
        authority=world.interior_a,
    )
    user = UserFactory(
        email="contact@interior.example.org", username="contact@interior.example.org"
    )
    redeemed = redeem_invitation(token=token, user=user)
    assert redeemed.pk == invitation.pk
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert invitation.accepted_by == user
    assert (
        Membership.objects.filter(
            user=user,
            role=Role.RESPONDENT,
            country_return=world.return_a,
            authority=world.interior_a,
        ).count()
        == 1
    )
    with pytest.raises(InvitationUsed):
        redeem_invitation(token=token, user=user)
    assert Membership.objects.filter(user=user).count() == 1


def test_redeeming_when_already_a_member_adds_no_second_membership(
    world, open_round, django_capture_on_commit_callbacks
):
    _invitation, token = sent_token(
        world, django_capture_on_commit_callbacks, email="fp-a@example.org"
    )
    redeem_invitation(token=token, user=world.focal_point_a)
    assert Membership.objects.filter(user=world.focal_point_a).count() == 1


def test_expired_link_is_refused(world, open_round, django_capture_on_commit_callbacks):
    invitation, token = sent_token(world, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    user = UserFactory(email="new.person@example.org", username="new.person@example.org")
    with pytest.raises(InvitationExpired) as refusal:
        redeem_invitation(token=token, user=user)
    assert refusal.value.reason == "expired"
    assert not Membership.objects.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_unknown_and_tampered_links_are_refused(
    world, open_round, django_capture_on_commit_callbacks
):
    _invitation, token = sent_token(world, django_capture_on_commit_callbacks)
    user = UserFactory(email="new.person@example.org", username="new.person@example.org")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "", "made-up-token"):
        with pytest.raises(InvitationUnknown):
            redeem_invitation(token=bad, user=user)
    assert not Membership.objects.filter(user=user).exists()


def test_link_is_bound_to_the_invited_address(
    world, open_round, django_capture_on_commit_callbacks
):
    invitation, token = sent_token(world, django_capture_on_commit_callbacks)
    with pytest.raises(InvitationEmailMismatch):
        redeem_invitation(token=token, user=world.focal_point_b)
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not Membership.objects.filter(
        user=world.focal_point_b, country_return=world.return_a
    ).exists()


def test_invitation_of_a_round_in_preparation_cannot_be_redeemed(world, draft_round):
    draft_round(world.round)
    invitation = issue_invitation(
        email="early@example.org",
        role=Role.FOCAL_POINT,
        country_return=world.return_a,
        authority=world.nso_a,
        invited_by=None,
    )
    _subject, body = invitation_email(invitation)
    user = UserFactory(email="early@example.org", username="early@example.org")
    with pytest.raises(InvitationExpired):
        redeem_invitation(token=TOKEN.search(body).group(1), user=user)


# Resending ---------------------------------------------------------------------------------


def test_resending_revokes_the_old_link_and_sends_a_new_one(
    world, open_round, django_capture_on_commit_callbacks
):
    old, old_token = sent_token(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        new = resend_invitation(invitation=old, resent_by=world.focal_point_a)
    assert new.pk != old.pk
    assert new.salt != old.salt
    assert (new.email, new.role, new.authority, new.full_name) == (
        old.email,
        old.role,
        old.authority,
        old.full_name,
    )
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert len(mail.outbox) == 2
    new_token = token_in(mail.outbox[1])
    assert new_token != old_token
    user = UserFactory(email="new.person@example.org", username="new.person@example.org")
    with pytest.raises(InvitationRevoked):
        redeem_invitation(token=old_token, user=user)
    assert redeem_invitation(token=new_token, user=user).pk == new.pk


def test_a_used_invitation_is_not_resent(world, open_round, django_capture_on_commit_callbacks):
    invitation, token = sent_token(world, django_capture_on_commit_callbacks)
    user = UserFactory(email="new.person@example.org", username="new.person@example.org")
    redeem_invitation(token=token, user=user)
    with pytest.raises(InvitationUsed, match="already accepted"):
        resend_invitation(invitation=invitation, resent_by=world.focal_point_a)
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_replaced_invitation_is_not_resent_twice(
    world, open_round, django_capture_on_commit_callbacks
):
    invitation, _token = sent_token(world, django_capture_on_commit_callbacks)
    resend_invitation(invitation=invitation, resent_by=None)
    with pytest.raises(InvitationRevoked):
        resend_invitation(invitation=invitation, resent_by=None)
    assert Invitation.objects.count() == 2


def test_revoked_invitation_is_not_sent(world, open_round):
    invitation = issue_invitation(
        email="gone@example.org",
        role=Role.FOCAL_POINT,
        country_return=world.return_a,
        authority=world.nso_a,
        invited_by=None,
    )
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    send_invitation_email(invitation.pk)
    assert mail.outbox == []


# Concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redeems_of_one_link_succeed_once(world):
    world.round.status = Round.Status.OPEN
    world.round.save()
    invitation = issue_invitation(  # autocommit: sent at once
        email="race@example.org",
        role=Role.RESPONDENT,
        country_return=world.return_a,
        authority=world.interior_a,
        invited_by=world.focal_point_a,
    )
    token = token_in(mail.outbox[-1])
    user = UserFactory(email="race@example.org", username="race@example.org")
    results = run_together(
        lambda: redeem_invitation(token=token, user=user),
        lambda: redeem_invitation(token=token, user=user),
    )

    outcomes = ["used" if isinstance(r, InvitationUsed) else "redeemed" for r in results]
    assert not [
        r for r in results if isinstance(r, Exception) and not isinstance(r, InvitationUsed)
    ]
    assert sorted(outcomes) == ["redeemed", "used"]
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert invitation.accepted_by == user
    assert Membership.objects.filter(user=user).count() == 1


def test_sections_listed_are_those_still_forwarded(
    world, open_round, django_capture_on_commit_callbacks
):
    Assignment.objects.filter(pk=world.assignment.pk).update(status=Assignment.Status.RECLAIMED)
    invite(
        world,
        django_capture_on_commit_callbacks,
        email="contact@interior.example.org",
        role=Role.RESPONDENT,
        authority=world.interior_a,
    )
    assert f"- {world.held_section.code}." not in mail.outbox[0].body


# The admin ---------------------------------------------------------------------------------


def test_admin_pages_of_the_responses_models_open(client, world, open_round):
    invitation = issue_invitation(
        email="shown@example.org",
        role=Role.FOCAL_POINT,
        country_return=world.return_a,
        authority=world.nso_a,
        invited_by=None,
    )
    client.force_login(world.admin)
    for model in ("authority", "countryreturn", "membership", "invitation", "assignment", "answer"):
        response = client.get(reverse(f"admin:responses_{model}_changelist"))
        assert response.status_code == 200, model
    page = client.get(reverse("admin:responses_invitation_change", args=[invitation.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "shown@example.org" in text
    assert invitation.token_hash not in text
    assert invitation.salt not in text
    assert "token" not in text.lower().replace("csrfmiddlewaretoken", "")
    # Read-only: no way to add invitations, assignments or answers by hand.
    for model in ("invitation", "assignment", "answer"):
        assert client.get(reverse(f"admin:responses_{model}_add")).status_code == 403


def test_admin_action_resends_invitations(
    client, world, open_round, django_capture_on_commit_callbacks
):
    invitation = invite(world, django_capture_on_commit_callbacks)
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:responses_invitation_changelist"),
            {"action": "resend", "_selected_action": [invitation.pk]},
            follow=True,
        )
    assert "1 new invitation(s) issued." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert len(mail.outbox) == 2
