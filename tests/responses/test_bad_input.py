"""Bad input found by the security sweep: each gets a clear 4xx and changes nothing."""

import json

import pytest
from django.urls import reverse

from consultation.parsing import MAX_ID, parse_whole_number
from responses.models import Answer

pytestmark = pytest.mark.django_db


def section_url(world, code="A"):
    return reverse("responses:section-edit", args=[world.return_a.pk, code])


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("²", None),
        ("1²", None),
        ("٣", None),
        (" 7", None),
        ("+7", None),
        ("-7", None),
        ("7.0", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_whole_numbers_are_ascii_digits_only(text, number):
    assert parse_whole_number(text) == number


def test_the_parser_honours_a_maximum():
    assert parse_whole_number("999", maximum=999) == 999
    assert parse_whole_number("1000", maximum=999) is None


@pytest.mark.parametrize("reply", ["²", "1²", "٣", "99999999999999999999999"])
def test_a_reply_that_is_not_a_plain_number_is_not_found(client, world, reply):
    client.force_login(world.focal_point_a)
    history = reverse("responses:question-history", args=[world.return_a.pk, "C", "C12"])
    assert client.get(section_url(world, "C"), {"reply": reply}).status_code == 404
    assert client.get(history, {"reply": reply}).status_code == 404


def test_restoring_a_change_that_is_not_a_plain_number_says_it_no_longer_exists(client, world):
    client.force_login(world.focal_point_a)
    history = reverse("responses:question-history", args=[world.return_a.pk, "A", "A3"])
    response = client.post(history, {"change": "²"}, follow=True)
    assert response.status_code == 200
    assert "That earlier value no longer exists" in response.content.decode()


@pytest.mark.parametrize(
    "key",
    ["A11|r²|name", "A11|r" + "9" * 40 + "|name", "A11|r1|" + "x" * 31, "A3|\x00|"],
)
def test_an_autosave_key_with_a_row_no_answer_can_have_is_refused(client, world, key):
    client.force_login(world.focal_point_a)
    autosave = reverse("responses:section-autosave", args=[world.return_a.pk, "A"])
    field = key.replace("|", ".")
    body = {"answers": [{"key": key, "version": 0, "data": {field: "Ministry"}}]}
    response = client.post(autosave, json.dumps(body), "application/json")
    assert response.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.parametrize("version", ["²", 1.5, True, -1, 2**70, [1]])
def test_an_autosave_version_that_is_not_a_whole_number_is_refused(client, world, version):
    client.force_login(world.focal_point_a)
    autosave = reverse("responses:section-autosave", args=[world.return_a.pk, "A"])
    body = {"answers": [{"key": "A3||", "version": version, "data": {"A3": "Name"}}]}
    response = client.post(autosave, json.dumps(body), "application/json")
    assert response.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.parametrize("row", ["r" + "9" * 40, "r²"])
def test_a_grid_row_longer_than_an_answer_holds_is_no_row(client, world, row):
    client.force_login(world.focal_point_a)
    response = client.post(
        section_url(world),
        {
            "_versions": "{}",
            "A2": "consolidated",
            "A11._rows": row,
            f"A11.{row}.name": "Planted ministry",
        },
    )
    assert response.status_code in (200, 302, 422)
    assert not Answer.objects.filter(question__code="A11").exists()


def test_a_wizard_post_with_an_unknown_step_is_a_bad_request(client, world):
    client.force_login(world.focal_point_a)
    url = reverse("responses:forward", args=[world.return_a.pk])
    client.get(url)
    response = client.post(url, {f"forward_{world.return_a.pk}-current_step": "nonsense"})
    assert response.status_code == 400
    assert "This form is out of date" in response.content.decode()


@pytest.mark.parametrize("section", ["\x00", "Z", "C\x00"])
def test_the_wizard_linked_to_a_section_the_questionnaire_lacks_is_a_bad_request(
    client, world, section
):
    client.force_login(world.focal_point_a)
    url = reverse("responses:forward", args=[world.return_a.pk])
    response = client.get(url, {"section": section})
    assert response.status_code == 400
    assert "names a section the questionnaire does not have" in response.content.decode()
    assert client.get(url, {"section": "C"}).status_code == 200
