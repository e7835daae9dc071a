"""A form posted after the session ended: kept for its author only, shown again, saved on request.

An anonymous visitor on a shared browser must not plant answers under the next person who signs
in there.
"""

import re

import pytest
from django.urls import reverse

from responses.answers.kept import KEPT_FOR_SECONDS, SESSION_KEY, owner_token
from responses.models import Answer, AnswerChange

pytestmark = pytest.mark.django_db

KEPT_NOTICE = "What you typed before you were signed out is not saved yet"


def section_url(world, code="A"):
    return reverse("responses:section-edit", args=[world.return_a.pk, code])


def token_on_page(client, url) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="_owner" value="([^"]+)"', page).group(1)


def post_signed_out(client, url, **fields):
    response = client.post(url, {"_versions": "{}", **fields})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    return response


def test_an_anonymous_post_is_not_saved_for_the_next_person_who_signs_in(client, world):
    url = section_url(world)
    post_signed_out(client, url, A3="Planted by a visitor")

    client.force_login(world.focal_point_a)
    page = client.get(url).content.decode()

    assert not Answer.objects.exists()
    assert not AnswerChange.objects.exists()
    assert "Planted by a visitor" not in page
    assert KEPT_NOTICE not in page
    assert "has been saved" not in page


def test_a_form_kept_for_another_person_is_never_shown_nor_saved(client, world):
    url = section_url(world)
    post_signed_out(
        client, url, A3="Planted by someone else", _owner=owner_token(world.focal_point_b, url)
    )

    client.force_login(world.focal_point_a)
    page = client.get(url).content.decode()

    assert "Planted by someone else" not in page
    assert KEPT_NOTICE not in page
    assert not Answer.objects.exists()
    assert SESSION_KEY not in client.session


def test_a_token_for_another_page_keeps_nothing(client, world):
    url = section_url(world)
    other = section_url(world, "B")
    post_signed_out(client, url, A3="Typed", _owner=owner_token(world.focal_point_a, other))
    assert SESSION_KEY not in client.session


def test_the_author_sees_what_they_typed_and_saves_it_only_after_confirming(client, world):
    url = section_url(world)
    client.force_login(world.focal_point_a)
    token = token_on_page(client, url)
    client.logout()
    post_signed_out(client, url, A3="Typed before the session ended", _owner=token)

    client.force_login(world.focal_point_a)
    page = client.get(url)
    content = page.content.decode()
    assert page.status_code == 200
    assert KEPT_NOTICE in content
    assert 'value="Typed before the session ended"' in content
    assert not Answer.objects.exists(), "a GET never saves"
    # Shown again on a reload, until saved or discarded.
    assert KEPT_NOTICE in client.get(url).content.decode()

    response = client.post(url, {"_versions": "{}", "A3": "Typed before the session ended"})

    assert response.status_code == 302
    answer = world.answer("A3")
    assert answer.value == "Typed before the session ended"
    assert answer.changes.get().changed_by == world.focal_point_a
    assert KEPT_NOTICE not in client.get(url).content.decode()


def test_the_author_may_discard_what_was_kept(client, world):
    url = section_url(world)
    post_signed_out(client, url, A3="Not wanted", _owner=owner_token(world.focal_point_a, url))

    client.force_login(world.focal_point_a)
    response = client.post(url, {"discard_kept": "1"}, follow=True)

    content = response.content.decode()
    assert "What you typed before signing in again was discarded." in content
    assert KEPT_NOTICE not in content
    assert "Not wanted" not in content
    assert not Answer.objects.exists()


def test_a_kept_form_expires(client, world):
    url = section_url(world)
    post_signed_out(client, url, A3="Too old", _owner=owner_token(world.focal_point_a, url))
    session = client.session
    session[SESSION_KEY]["at"] -= KEPT_FOR_SECONDS + 1
    session.save()

    client.force_login(world.focal_point_a)
    content = client.get(url).content.decode()

    assert KEPT_NOTICE not in content
    assert "Too old" not in content
    assert not Answer.objects.exists()


def test_a_forged_token_keeps_nothing(client, world):
    url = section_url(world)
    token = owner_token(world.focal_point_a, url)
    post_signed_out(client, url, A3="Forged", _owner=token[:-2] + "xx")
    assert SESSION_KEY not in client.session
