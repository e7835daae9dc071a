"""Accounts: accepting an invitation, resending one, password reset, lockout, session limits."""

import logging
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.sessions import SESSION_RENEWED_KEY, SESSION_STARTED_KEY
from consultation.models import Round
from responses.invitations.links import hash_token
from responses.invitations.services import issue_invitation
from responses.invitations.views import SESSION_TOKEN_HASH
from responses.models import Invitation, Membership, OutboundEmail
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
User = get_user_model()
TOKEN = re.compile(r"/invitations/accept/\?token=([A-Za-z0-9_-]+)")
NEW_PASSWORD = "plum orchard tuesday lantern"


@pytest.fixture
def accept_url() -> str:
    return reverse("responses:invitation-accept")


@pytest.fixture
def invited(world, django_capture_on_commit_callbacks):
    """A respondent invitation of the interior ministry, sent: (invitation, token)."""
    world.round.status = Round.Status.OPEN
    world.round.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = issue_invitation(
            email="Officer@Interior.example.org",
            role=Role.RESPONDENT,
            country_return=world.return_a,
            authority=world.interior_a,
            invited_by=world.focal_point_a,
            full_name="Wanjiku Kamau",
        )
    token = TOKEN.search(mail.outbox[-1].body).group(1)
    return invitation, token


def open_link(client, accept_url, token):
    """Follow the e-mail's link as a browser does: the 302, then the token-free page."""
    first = client.get(accept_url, {"token": token})
    assert first.status_code == 302
    assert first["Location"] == accept_url
    return client.get(accept_url)


# The link ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["valid", "expired", "used", "revoked", "unknown", "empty"])
def test_the_link_redirects_at_once_and_keeps_only_the_hash(client, accept_url, invited, state):
    invitation, token = invited
    now = timezone.now()
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=now - timedelta(days=1))
    elif state == "used":
        Invitation.objects.filter(pk=invitation.pk).update(used_at=now)
    elif state == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=now)
    elif state == "unknown":
        token = token[::-1]
    elif state == "empty":
        token = ""
    response = client.get(accept_url, {"token": token})
    assert response.status_code == 302
    assert response["Location"] == accept_url
    assert "token" not in response["Location"]
    assert response["Referrer-Policy"] == "same-origin"
    assert client.session[SESSION_TOKEN_HASH] == hash_token(token)
    assert token not in str(dict(client.session.items())) or token == ""


def test_the_token_never_reaches_a_log(client, accept_url, invited, caplog):
    invitation, token = invited
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.request", "django.server", "django.db.backends", "axes"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True  # log every SQL statement too
    try:
        open_link(client, accept_url, token)
        response = client.post(
            accept_url,
            {"full_name": "Wanjiku Kamau", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302
        # An unknown, an expired link, and a second use: refusals are logged, tokens are not.
        open_link(client, accept_url, token[::-1])
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        open_link(client, accept_url, token)
    finally:
        connection.force_debug_cursor = False
    assert caplog.records, "the test must capture something to be meaningful"
    assert any("SELECT" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in repr(record.args)
        assert token[::-1] not in record.getMessage()
    assert token not in caplog.text


# Accepting ---------------------------------------------------------------------------------


def test_new_address_sets_a_password_and_is_signed_in(client, accept_url, world, invited):
    invitation, token = invited
    page = open_link(client, accept_url, token)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Create your account" in text
    assert "officer@interior.example.org" in text
    assert 'autocomplete="new-password"' in text

    response = client.post(
        accept_url,
        {"full_name": "Wanjiku Kamau", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="officer@interior.example.org")
    assert user.email == "officer@interior.example.org"
    assert user.get_full_name() == "Wanjiku Kamau"
    assert user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert SESSION_TOKEN_HASH not in client.session
    assert Membership.objects.filter(
        user=user, role=Role.RESPONDENT, country_return=world.return_a, authority=world.interior_a
    ).exists()
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert invitation.accepted_by == user
    # The next page greets them.
    home = client.get(reverse("home"), follow=True)
    assert "You now take part in the consultation for Kenya." in home.content.decode()


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short pass", "short pass", "This password is too short"),
        ("password1234", "password1234", "This password is too common"),
        ("3141592653589793", "3141592653589793", "This password is entirely numeric"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "“Password again” is not the same as “Password”"),
        ("officer@interior", "officer@interior", "too similar"),
    ],
)
def test_weak_or_mismatched_passwords_are_refused(
    client, accept_url, invited, password1, password2, message
):
    invitation, token = invited
    open_link(client, accept_url, token)
    response = client.post(accept_url, {"password1": password1, "password2": password2})
    assert response.status_code == 200
    text = response.content.decode().replace("&#x27;", "'")
    assert message in text
    assert 'aria-invalid="true"' in text
    assert not User.objects.filter(username="officer@interior.example.org").exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert SESSION_KEY not in client.session


def test_existing_account_is_asked_for_its_password(client, accept_url, world, invited):
    invitation, token = invited
    user = UserFactory(
        email="officer@interior.example.org", username="officer@interior.example.org"
    )
    page = open_link(client, accept_url, token)
    text = page.content.decode()
    assert "You already have an account" in text
    assert 'name="password1"' not in text

    wrong = client.post(accept_url, {"password": "not the password at all"})
    assert wrong.status_code == 200
    assert "This is not the password of the account." in wrong.content.decode()
    invitation.refresh_from_db()
    assert invitation.used_at is None

    right = client.post(accept_url, {"password": PASSWORD})
    assert right.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert Membership.objects.filter(user=user, authority=world.interior_a).exists()
    assert User.objects.filter(email__iexact="officer@interior.example.org").count() == 1


def test_signed_in_invitee_only_confirms(client, accept_url, world, invited):
    _invitation, token = invited
    user = UserFactory(
        email="officer@interior.example.org", username="officer@interior.example.org"
    )
    client.force_login(user)
    page = open_link(client, accept_url, token)
    assert "Accept the invitation" in page.content.decode()
    response = client.post(accept_url)
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, authority=world.interior_a).exists()


def test_someone_else_signed_in_cannot_accept(client, accept_url, world, invited):
    invitation, token = invited
    client.force_login(world.focal_point_b)
    page = open_link(client, accept_url, token)
    assert page.status_code == 403
    assert "This invitation is for another e-mail address" in page.content.decode()
    response = client.post(accept_url)
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not Membership.objects.filter(user=world.focal_point_b, country_return=world.return_a)


def test_a_second_submit_cannot_succeed(client, accept_url, invited):
    _invitation, token = invited
    open_link(client, accept_url, token)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(accept_url, data).status_code == 302
    second = client.post(accept_url, data)
    assert second.status_code == 400
    assert "No invitation link was opened" in second.content.decode()
    assert User.objects.filter(username="officer@interior.example.org").count() == 1


def test_a_second_browser_with_the_same_link_cannot_succeed(client_factory, accept_url, invited):
    _invitation, token = invited
    first, second = client_factory(), client_factory()
    open_link(first, accept_url, token)
    open_link(second, accept_url, token)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert first.post(accept_url, data).status_code == 302
    refused = second.post(accept_url, data)
    assert refused.status_code == 410
    assert "This invitation has already been used" in refused.content.decode()
    assert SESSION_KEY not in second.session
    assert User.objects.filter(username="officer@interior.example.org").count() == 1
    assert Membership.objects.filter(user__username="officer@interior.example.org").count() == 1


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


@pytest.mark.parametrize(
    ("state", "status", "heading"),
    [
        ("expired", 410, "This invitation has expired"),
        ("revoked", 410, "This invitation was withdrawn"),
        ("used", 410, "This invitation has already been used"),
        ("unknown", 404, "This invitation link is not valid"),
    ],
)
def test_unusable_links_say_what_happened_and_what_to_do(
    client, accept_url, invited, state, status, heading
):
    invitation, token = invited
    now = timezone.now()
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=now - timedelta(hours=1))
    elif state == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=now)
    elif state == "used":
        Invitation.objects.filter(pk=invitation.pk).update(used_at=now)
    else:
        token = token[:-2]  # a link cut short by a mail program
    page = open_link(client, accept_url, token)
    assert page.status_code == status
    text = " ".join(page.content.decode().split())
    assert heading in text
    if state in ("expired", "revoked"):
        assert "Ask your focal point to send you a new invitation" in text
        assert "mailto:fp-a@example.org" in text
    if state == "used":
        assert reverse("login") in text
        assert reverse("password_reset") in text
    # Nothing can be accepted from here.
    response = client.post(accept_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == status
    assert not User.objects.filter(username="officer@interior.example.org").exists()


def test_the_page_without_a_link(client, accept_url):
    response = client.get(accept_url)
    assert response.status_code == 400
    assert "Open the link in your invitation e-mail again" in response.content.decode()


# Resending ---------------------------------------------------------------------------------


def resend_url(invitation) -> str:
    return reverse(
        "responses:invitation-resend", args=[invitation.country_return_id, invitation.pk]
    )


@pytest.mark.parametrize("who", ["focal_point_a", "admin"])
def test_focal_point_or_unsd_admin_sends_a_new_link(
    client, world, invited, who, django_capture_on_commit_callbacks
):
    invitation, old_token = invited
    client.force_login(getattr(world, who))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url(invitation), {"next": "/elsewhere/"})
    assert response.status_code == 302
    assert response["Location"] == "/elsewhere/"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    new = Invitation.objects.exclude(pk=invitation.pk).get()
    assert new.email == invitation.email
    assert new.sent_at is not None
    assert len(mail.outbox) == 2
    assert TOKEN.search(mail.outbox[-1].body).group(1) != old_token


def test_resend_goes_back_to_the_return_by_default(client, world, invited):
    invitation, _token = invited
    client.force_login(world.focal_point_a)
    response = client.post(resend_url(invitation), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("responses:return-overview", args=[world.return_a.pk])


@pytest.mark.parametrize("who", ["focal_point_b", "respondent_a", "reviewer"])
def test_others_cannot_resend(client, world, invited, who):
    invitation, _token = invited
    client.force_login(getattr(world, who))
    assert client.post(resend_url(invitation)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Invitation.objects.count() == 1


def test_an_invitation_of_another_return_is_not_found(client, world, invited):
    invitation, _token = invited
    client.force_login(world.focal_point_b)
    url = reverse("responses:invitation-resend", args=[world.return_b.pk, invitation.pk])
    assert client.post(url).status_code == 404
    assert Invitation.objects.count() == 1


def test_resend_needs_sign_in_and_post(client, world, invited):
    invitation, _token = invited
    response = client.post(resend_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(world.focal_point_a)
    assert client.get(resend_url(invitation)).status_code == 405


def test_resending_a_used_invitation_says_so(client, world, invited):
    invitation, _token = invited
    Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
    client.force_login(world.focal_point_a)
    response = client.post(resend_url(invitation), {"next": reverse("home")}, follow=True)
    assert "has already accepted this invitation" in response.content.decode()
    assert Invitation.objects.count() == 1


# Password reset ----------------------------------------------------------------------------


def test_password_reset_by_email(client, world, settings, django_capture_on_commit_callbacks):
    assert settings.PASSWORD_RESET_TIMEOUT == 2 * 60 * 60
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200
    assert '<label for="id_email">' in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "FP-A@example.org"})
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert "Check your e-mail" in done.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fp-a@example.org"]
    assert message.subject == "Reset your password for the UNSD migration statistics consultation"
    assert "for 2 hours" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)

    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    assert "set-password" in set_url
    weak = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in weak.content.decode()
    done = client.post(
        set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your password has been changed" in done.content.decode()
    world.focal_point_a.refresh_from_db()
    assert world.focal_point_a.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert "This link cannot be used" in again.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_email(client, world):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


def test_a_reset_link_expires_after_2_hours(client, world):
    class ThreeHoursAgo(PasswordResetTokenGenerator):
        def _now(self):
            return super()._now() - timedelta(hours=2, minutes=1)

    user = world.focal_point_a
    token = ThreeHoursAgo().make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    page = client.get(url, follow=True)
    text = page.content.decode()
    assert "This link cannot be used" in text
    assert reverse("password_reset") in text


def ask_reset(client, email, address="10.9.9.9"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_a_reset_email_goes_through_the_outbox_with_a_link_from_site_url(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://consultation.example.org"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("password_reset"), {"email": "fp-a@example.org"}, HTTP_HOST="localhost"
        )
    assert response.status_code == 302
    assert mail.outbox == [], "sent by Celery once the request's transaction commits"
    email = OutboundEmail.objects.get()
    assert email.to == "fp-a@example.org"
    assert "https://consultation.example.org/accounts/reset/" in email.body
    assert "localhost" not in email.body
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["fp-a@example.org"]]
    email.refresh_from_db()
    assert email.sent_at is not None


def test_one_address_gets_at_most_3_reset_emails_an_hour(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(15):
            response = ask_reset(client, "FP-A@example.org", f"10.8.0.{attempt}")
            assert response.status_code == 302, "the page answers as always"
    assert len(mail.outbox) == 3
    assert OutboundEmail.objects.count() == 3


def test_one_client_address_may_ask_20_resets_an_hour(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(20):
            assert ask_reset(client, f"someone-{attempt}@example.org").status_code == 302
        refused = ask_reset(client, "fp-a@example.org")
        assert refused.status_code == 429
        assert "Too many password reset requests" in refused.content.decode()
        assert mail.outbox == []
        assert ask_reset(client, "fp-a@example.org", "10.7.7.7").status_code == 302
    assert [message.to for message in mail.outbox] == [["fp-a@example.org"]]


# Failed sign-ins ---------------------------------------------------------------------------


def sign_in(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_ten_failures_lock_the_account_whatever_the_address(client, world):
    for attempt in range(10):
        response = sign_in(client, "fp-a@example.org", "wrong password", f"10.0.0.{attempt}")
        assert response.status_code in (200, 429)
    locked = sign_in(client, "fp-a@example.org", PASSWORD, "192.168.1.1")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert reverse("password_reset") in locked.content.decode()
    assert SESSION_KEY not in client.session


def test_nine_failures_do_not_lock(client, world):
    for attempt in range(9):
        assert sign_in(client, "fp-a@example.org", "wrong", f"10.0.1.{attempt}").status_code == 200
    assert sign_in(client, "fp-a@example.org", PASSWORD, "10.0.1.99").status_code == 302


def test_a_locked_account_does_not_lock_its_colleagues_behind_the_same_address(client, world):
    for _ in range(10):
        sign_in(client, "fp-a@example.org", "wrong password", "10.1.1.1")
    assert sign_in(client, "fp-a@example.org", PASSWORD, "10.1.1.1").status_code == 429
    colleague = sign_in(client, "interior-a@example.org", PASSWORD, "10.1.1.1")
    assert colleague.status_code == 302
    assert client.session[SESSION_KEY] == str(world.respondent_a.pk)


def test_the_lock_ends_after_15_minutes(client, world, settings):
    from axes.models import AccessAttempt

    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    for _ in range(10):
        sign_in(client, "fp-a@example.org", "wrong password", "10.2.2.2")
    assert sign_in(client, "fp-a@example.org", PASSWORD, "10.2.2.2").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, "fp-a@example.org", PASSWORD, "10.2.2.2").status_code == 302


def test_wrong_passwords_on_the_invitation_page_count_too(client, accept_url, invited):
    invitation, token = invited
    UserFactory(email="officer@interior.example.org", username="officer@interior.example.org")
    open_link(client, accept_url, token)
    for _ in range(10):
        client.post(accept_url, {"password": "wrong password"}, REMOTE_ADDR="10.3.3.3")
    locked = client.post(accept_url, {"password": PASSWORD}, REMOTE_ADDR="10.3.3.4")
    assert locked.status_code == 429
    invitation.refresh_from_db()
    assert invitation.used_at is None


# Session limits ----------------------------------------------------------------------------


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def visit(client, world):
    """Open the focal point's return: 200 while signed in, a redirect to sign in after."""
    return client.get(reverse("responses:return-overview", args=[world.return_a.pk]))


def assert_signed_out(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_for_30_minutes_more(client, world, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(world.focal_point_a)
    response = visit(client, world)
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    # 29 minutes idle: still signed in, and the request renews the 30 minutes.
    session = client.session
    session[SESSION_RENEWED_KEY] = time.time() - 29 * 60
    session.save()
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert visit(client, world).status_code == 200
    remaining = stored_session(client).expire_date - timezone.now()
    assert remaining > timedelta(minutes=29)


def test_a_session_ends_after_30_minutes_idle(client, world):
    client.force_login(world.focal_point_a)
    assert visit(client, world).status_code == 200
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert_signed_out(visit(client, world))


def test_a_session_ends_12_hours_after_sign_in_however_active(client, world, settings):
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60
    client.force_login(world.focal_point_a)
    assert visit(client, world).status_code == 200
    session = client.session
    assert session[SESSION_STARTED_KEY] == pytest.approx(time.time(), abs=60)

    session[SESSION_STARTED_KEY] = time.time() - (12 * 60 * 60 - 60)  # 11 h 59 min
    session.save()
    assert visit(client, world).status_code == 200

    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - (12 * 60 * 60 + 1)
    session.save()
    assert_signed_out(visit(client, world))
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_sign_in_ignores_capitals_in_the_email_address(client, world):
    response = client.post(
        reverse("login"),
        {"username": "  FP-A@Example.org ", "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.focal_point_a.pk)


def test_50_failures_an_hour_from_one_address_across_accounts_pause_sign_in_from_it(client, world):
    for attempt in range(50):
        response = sign_in(client, f"guess-{attempt}@example.org", "password1", "10.4.4.4")
        assert response.status_code == 200
    paused = sign_in(client, "fp-a@example.org", PASSWORD, "10.4.4.4")
    assert paused.status_code == 429
    assert "Too many failed sign-ins came from your network address" in paused.content.decode()
    assert SESSION_KEY not in client.session
    # Another address is not concerned, nor is the account locked.
    assert sign_in(client, "fp-a@example.org", PASSWORD, "10.4.4.5").status_code == 302


def test_a_ministry_behind_one_address_signs_in_after_49_failures(client, world):
    for attempt in range(49):
        sign_in(client, f"colleague-{attempt % 20}@example.org", "wrong", "10.5.5.5")
    assert sign_in(client, "fp-a@example.org", PASSWORD, "10.5.5.5").status_code == 302


@pytest.mark.parametrize("username", ["a" * 151 + "@example.org", "İ" * 150])
def test_a_user_name_no_account_can_have_is_a_bad_request(client, world, username):
    response = client.post(reverse("login"), {"username": username, "password": "anything"})
    assert response.status_code == 400
    assert "didn't match" in response.content.decode()
    assert SESSION_KEY not in client.session
