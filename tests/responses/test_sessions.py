"""Activity renews the idle limit at most once a minute, not with a write on every request."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.sessions import SESSION_RENEWED_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries if 'UPDATE "django_session"' in q["sql"]]


def test_a_busy_session_is_written_once_a_minute(client, world):
    client.force_login(world.focal_point_a)
    url = reverse("responses:return-overview", args=[world.return_a.pk])
    client.get(url)

    assert session_writes(client, url) == []
    session = client.session
    session[SESSION_RENEWED_KEY] = time.time() - 61
    session.save()

    assert len(session_writes(client, url)) == 1
    assert client.session[SESSION_RENEWED_KEY] == pytest.approx(time.time(), abs=5)


def test_session_status_says_how_long_the_signed_in_session_lasts(client, settings):
    user = UserFactory()
    client.force_login(user)

    reply = client.get(reverse("session-status")).json()

    assert reply["signed_in"] is True
    assert settings.SESSION_COOKIE_AGE - 5 <= reply["seconds_left"] <= settings.SESSION_COOKIE_AGE


def test_session_status_of_a_signed_out_browser_is_401(client):
    response = client.get(reverse("session-status"))

    assert response.status_code == 401
    assert response.json() == {"signed_in": False}


def test_session_status_takes_only_get(client):
    assert client.post(reverse("session-status")).status_code == 405
