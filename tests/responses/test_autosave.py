"""Autosave: one answer at a time, versioned, idempotent, validated by the engine."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responses.models import Answer, AnswerChange

pytestmark = pytest.mark.django_db


def autosave(client, country_return, section, answers):
    return client.post(
        reverse("responses:section-autosave", args=[country_return.pk, section]),
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )


def test_autosave_stores_one_answer_and_returns_its_version(client, world):
    client.force_login(world.focal_point_a)

    response = autosave(
        client, world.return_a, "A", [{"key": "A3||", "version": 0, "data": {"A3": "NSO"}}]
    )

    assert response.status_code == 200
    body = response.json()
    assert body["saved"] == {"A3||": 1}
    assert body["errors"] == {}
    answer = world.answer("A3")
    assert answer.value == "NSO"
    assert answer.changes.get().channel == "autosave"


def test_autosave_of_a_grid_cell_keeps_the_other_cells(client, world):
    client.force_login(world.respondent_a)
    autosave(
        client,
        world.return_a,
        "C",
        [{"key": "C1|S07|exists", "version": 0, "data": {"C1.S07.exists": "yes"}}],
    )

    autosave(
        client,
        world.return_a,
        "C",
        [{"key": "C1|S07|latest_year", "version": 0, "data": {"C1.S07.latest_year": "2024"}}],
    )

    assert world.answer("C1", "S07", "exists", world.interior_a).value == "yes"
    assert world.answer("C1", "S07", "latest_year", world.interior_a).value == 2024


def test_a_repeated_autosave_changes_nothing_the_second_time(client, world):
    client.force_login(world.focal_point_a)
    request = [{"key": "A3||", "version": 0, "data": {"A3": "NSO"}}]

    first = autosave(client, world.return_a, "A", request)
    second = autosave(client, world.return_a, "A", request)

    assert first.json()["saved"] == {"A3||": 1}
    assert second.status_code == 200
    assert second.json()["unchanged"] == {"A3||": 1}
    assert AnswerChange.objects.count() == 1


def test_a_stale_autosave_gets_both_values_and_overwrites_nothing(client, world):
    client.force_login(world.focal_point_a)
    autosave(client, world.return_a, "A", [{"key": "A3||", "version": 0, "data": {"A3": "Mine"}}])
    colleague = Client()
    colleague.force_login(world.focal_point_a)
    autosave(
        colleague, world.return_a, "A", [{"key": "A3||", "version": 1, "data": {"A3": "Theirs"}}]
    )

    response = autosave(
        client, world.return_a, "A", [{"key": "A3||", "version": 1, "data": {"A3": "Mine again"}}]
    )

    assert response.status_code == 409
    conflict = response.json()["conflicts"][0]
    assert conflict["key"] == "A3||"
    assert conflict["theirs"] == "Theirs"
    assert conflict["yours"] == "Mine again"
    assert conflict["version"] == 2
    assert conflict["data"] == {"A3": "Theirs"}
    assert world.answer("A3").value == "Theirs"


def test_autosave_rejects_an_invalid_value_with_a_message_and_saves_nothing(client, world):
    client.force_login(world.focal_point_a)

    response = autosave(
        client, world.return_a, "F", [{"key": "F2||", "version": 0, "data": {"F2": "twelve"}}]
    )

    assert response.status_code == 200
    assert response.json()["errors"] == {
        "F2": ["Enter a number, such as 12.5 (use a point for decimals)."]
    }
    assert not Answer.objects.exists()


def test_autosave_of_a_special_value_and_a_note(client, world):
    client.force_login(world.focal_point_a)

    autosave(
        client,
        world.return_a,
        "F",
        [
            {
                "key": "F2||",
                "version": 0,
                "data": {"F2": "", "F2.status": "not_available", "F2.note": "No survey yet"},
            }
        ],
    )

    answer = world.answer("F2")
    assert answer.value is None
    assert answer.status == "not_available"
    assert answer.note == "No survey yet"


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        json.dumps({"answers": "A3"}),
        json.dumps({"answers": []}),
        json.dumps({"answers": [{"key": "Z9||", "version": 0, "data": {}}]}),
        json.dumps({"answers": [{"key": "A3||", "version": 0, "data": {"A4": "nso"}}]}),
        json.dumps({"answers": [{"key": "A3", "version": 0, "data": {}}]}),
        json.dumps({"answers": [{"key": "A3||", "version": "x", "data": {}}]}),
    ],
)
def test_malformed_autosave_requests_get_a_clear_400_and_change_nothing(client, world, payload):
    client.force_login(world.focal_point_a)

    response = client.post(
        reverse("responses:section-autosave", args=[world.return_a.pk, "A"]),
        data=payload,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "Reload the page" in response.json()["error"]
    assert not Answer.objects.exists()


def test_autosave_when_signed_out_says_so_in_json(client, world):
    response = autosave(
        client, world.return_a, "A", [{"key": "A3||", "version": 0, "data": {"A3": "x"}}]
    )

    assert response.status_code == 401
    assert response.json()["signed_out"] is True
    assert not Answer.objects.exists()


def test_autosave_requires_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.focal_point_a)

    response = autosave(
        client, world.return_a, "A", [{"key": "A3||", "version": 0, "data": {"A3": "x"}}]
    )

    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_each_autosave_costs_a_fixed_number_of_queries(client, world):
    client.force_login(world.focal_point_a)
    autosave(client, world.return_a, "D", [{"key": "D13||", "version": 0, "data": {"D13": "yes"}}])

    def queries_of_one_save(version, value):
        with CaptureQueriesContext(connection) as queries:
            response = autosave(
                client,
                world.return_a,
                "D",
                [{"key": "D13||", "version": version, "data": {"D13": value}}],
            )
        assert response.json()["saved"] == {"D13||": version + 1}
        return len(queries.captured_queries)

    before = queries_of_one_save(1, "no")
    # Fill a lot of the section: the next save must not cost more for it.
    autosave(
        client,
        world.return_a,
        "D",
        [
            {
                "key": f"D2|{row}|availability",
                "version": 0,
                "data": {f"D2.{row}.availability": "regular"},
            }
            for row in ("a_stock_foreign_born", "a_stock_foreign_citizens", "a_immigration_flow")
        ],
    )
    after = queries_of_one_save(2, "yes")

    assert before == after
    # Session, user, memberships (with the return), the reply, the return read again (the edit
    # rule, enforced by the save), the conditional UPDATE and the history INSERT; and a
    # savepoint pair around the save, which is BEGIN and COMMIT outside the test's own
    # transaction.
    assert after <= 9


def test_a_rule_across_answers_refuses_the_answer_and_says_so_where_it_is_stored(client, world):
    client.force_login(world.respondent_a)

    def cell(key, value, version=0):
        name = key.replace("|", ".")
        return {"key": key, "version": version, "data": {name: value}}

    autosave(client, world.return_a, "C", [cell("C1|S01|exists", "yes")])
    autosave(client, world.return_a, "C", [cell("C2|census|latest", "2019")])
    response = autosave(client, world.return_a, "C", [cell("C2|census|next", "2010")])

    body = response.json()
    assert body["errors"] == {"C2": ["The next census must come after the latest one."]}
    assert body["not_saved"] == ["C2|census|next"]
    assert body["saved"] == {}
    assert not Answer.objects.filter(question__code="C2", column_code="next").exists()

    # Corrected, it is saved, and nothing is reported any more.
    response = autosave(client, world.return_a, "C", [cell("C2|census|next", "2029")])
    assert response.json()["saved"] == {"C2|census|next": 1}
    assert response.json()["not_saved"] == []
    assert world.answer("C2", "census", "next", world.interior_a).value == 2029


def test_autosave_tells_the_page_what_changed_in_another_window_and_by_whom(client, world):
    world.focal_point_a.first_name, world.focal_point_a.last_name = "Wanjiru", "Kamau"
    world.focal_point_a.save()
    client.force_login(world.focal_point_a)
    autosave(client, world.return_a, "A", [{"key": "A3||", "version": 0, "data": {"A3": "KNBS"}}])

    # The other window knew version 0 of A3; it saves A7 and hears that A3 changed.
    other_window = Client()
    other_window.force_login(world.focal_point_a)
    response = other_window.post(
        reverse("responses:section-autosave", args=[world.return_a.pk, "A"]),
        data=json.dumps({"answers": [], "known": {"A3||": 0}}),
        content_type="application/json",
    )

    assert response.status_code == 200
    [change] = response.json()["changed_elsewhere"]
    assert change["key"] == "A3||"
    assert change["theirs"] == "KNBS"
    assert change["data"] == {"A3": "KNBS"}
    assert change["version"] == 1
    assert change["by"] == "Wanjiru Kamau"
    assert change["same_person"] is True
    assert AnswerChange.objects.count() == 1  # asking changed nothing

    # Once known, nothing more is reported.
    response = other_window.post(
        reverse("responses:section-autosave", args=[world.return_a.pk, "A"]),
        data=json.dumps({"answers": [], "known": {"A3||": 1}}),
        content_type="application/json",
    )
    assert response.json()["changed_elsewhere"] == []


def test_an_empty_autosave_without_known_versions_is_still_refused(client, world):
    client.force_login(world.focal_point_a)
    response = autosave(client, world.return_a, "A", [])
    assert response.status_code == 400
