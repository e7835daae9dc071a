"""Activity renews the idle limit at most once a minute, not with a write on every request."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.sessions import SESSION_RENEWED_KEY

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
