"""The section page: filling with the Save button, errors kept, conflicts shown, history."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responses.models import Answer, AnswerChange, Assignment, AssignmentEvent, CountryReturn

pytestmark = pytest.mark.django_db


def section_url(country_return, code, **query):
    url = reverse("responses:section-edit", args=[country_return.pk, code])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_focal_point_saves_with_the_button_and_sees_the_values_again(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "A")
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="A3"' in page.content

    response = client.post(
        url,
        {
            "_versions": "{}",
            "A3": "Kenya National Bureau of Statistics",
            "A8": "yes",
            "A6": "2026-03-31",
            "A5.contact.email": "someone@knbs.or.ke",
        },
    )

    assert response.status_code == 302
    assert world.answer("A3").value == "Kenya National Bureau of Statistics"
    assert world.answer("A6").value == "2026-03-31"
    assert world.answer("A5", "contact", "email").value == "someone@knbs.or.ke"
    change = AnswerChange.objects.get(answer=world.answer("A3"))
    assert change.changed_by == world.focal_point_a
    assert change.channel == "web"
    assert change.old_value is None
    again = client.get(url)
    assert b'value="Kenya National Bureau of Statistics"' in again.content
    assert b"Saved at" in again.content
    world.return_a.refresh_from_db()
    assert world.return_a.status == CountryReturn.Status.IN_PROGRESS


def test_invalid_answers_are_shown_beside_the_question_and_the_typed_text_is_kept(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "A")

    response = client.post(url, {"_versions": "{}", "A3": "Statistics office", "A6": "31/03/2026"})

    assert response.status_code == 422
    content = response.content.decode()
    assert "There is 1 problem to fix" in content
    assert "Enter a real date: day, month and year, such as 31 3 2026." in content
    assert 'value="31/03/2026"' in content
    assert 'value="Statistics office"' in content
    assert not Answer.objects.filter(country_return=world.return_a).exists()


def test_saving_twice_the_same_form_changes_nothing_the_second_time(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "A")
    data = {"_versions": "{}", "A3": "NSO"}

    client.post(url, data)
    client.post(url, data)

    assert world.answer("A3").version == 1
    assert AnswerChange.objects.filter(answer__question__code="A3").count() == 1


def test_a_stale_save_shows_both_values_and_overwrites_nothing(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "A")
    client.post(url, {"_versions": "{}", "A3": "First name"})
    stale_versions = json.dumps({"A3||": 1})
    # Someone else saves meanwhile.
    client.post(url, {"_versions": stale_versions, "A3": "Their name"})

    response = client.post(url, {"_versions": stale_versions, "A3": "My name"})

    assert response.status_code == 409
    content = response.content.decode()
    assert "Their name" in content
    assert "My name" in content
    assert world.answer("A3").value == "Their name"
    # Saving again from the page shown keeps the respondent's value.
    versions = json.dumps({"A3||": 2})
    client.post(url, {"_versions": versions, "A3": "My name"})
    assert world.answer("A3").value == "My name"


def test_a_whole_page_save_does_not_conflict_on_answers_the_respondent_did_not_touch(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "A")
    client.post(url, {"_versions": "{}", "A3": "NSO", "A14": "yes"})
    page_versions = json.dumps({"A3||": 1, "A14||": 1})
    client.post(url, {"_versions": page_versions, "A3": "NSO", "A14": "no"})

    # The first page, still showing A14 = yes, changes only A3.
    response = client.post(url, {"_versions": page_versions, "A3": "The NSO", "A14": "yes"})

    assert response.status_code == 302
    assert world.answer("A3").value == "The NSO"
    assert world.answer("A14").value == "no"


def test_hidden_question_keeps_its_answer_when_its_condition_turns_false(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "B")
    client.post(url, {"_versions": "{}", "B6": "yes", "B7": "Temporary movers"})
    assert world.answer("B7").value == "Temporary movers"

    client.post(url, {"_versions": json.dumps({"B6||": 1, "B7||": 1}), "B6": "no"})

    assert world.answer("B6").value == "no"
    assert world.answer("B7").value == "Temporary movers"


def test_authority_fills_its_own_reply_and_the_focal_point_reads_it(client, world):
    client.force_login(world.respondent_a)
    url = section_url(world.return_a, "C")
    client.post(url, {"_versions": "{}", "C12": "yes", "C1.S07.exists": "yes"})

    stored = world.answer("C12", authority=world.interior_a)
    assert stored.value == "yes"
    assert not Answer.objects.filter(authority=world.nso_a).exists()
    world.assignment.refresh_from_db()
    assert world.assignment.status == Assignment.Status.IN_PROGRESS
    started = world.assignment.events.get(action=AssignmentEvent.Action.STARTED)
    assert (started.old_status, started.actor) == ("forwarded", world.respondent_a)

    client.force_login(world.focal_point_a)
    page = client.get(section_url(world.return_a, "C", reply=world.interior_a.pk))
    assert page.status_code == 200
    content = page.content.decode()
    assert "read-only" in content
    # A summary to read, not disabled controls.
    c12 = content[content.index('id="q-C12"') :]
    c12 = c12[: c12.index("</div>")]
    assert "<dd>Yes" in c12
    assert "<input" not in content.split('class="reply-summary"')[1]
    assert "<dd>Not answered" in content  # the questions left blank say so


def test_respondent_cannot_save_into_the_nso_reply_by_naming_it(client, world):
    client.force_login(world.respondent_a)

    response = client.post(section_url(world.return_a, "C", reply=world.nso_a.pk), {"C12": "no"})

    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_history_lists_every_change_and_restores_an_earlier_value(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "A")
    client.post(url, {"_versions": "{}", "A3": "First"})
    client.post(url, {"_versions": json.dumps({"A3||": 1}), "A3": "Second"})
    history_url = reverse("responses:question-history", args=[world.return_a.pk, "A", "A3"])
    assert f'href="{history_url}">History of A3' in client.get(url).content.decode()

    page = client.get(history_url)
    rows = page.content.decode().split("<tr>")[2:]
    assert len(rows) == 2
    # Newest first: the change to "Second", made from "First".
    # Values keep the direction of their own script (dir="auto").
    assert '<td dir="auto">First</td><td dir="auto">Second</td>' in rows[0]
    assert '<td dir="auto">(no answer)</td><td dir="auto">First</td>' in rows[1]
    first = AnswerChange.objects.get(answer__question__code="A3", version=1)

    client.post(history_url, {"change": first.pk})

    answer = world.answer("A3")
    assert answer.value == "First"
    assert answer.version == 3
    assert answer.changes.first().channel == "restore"


def test_section_page_query_count_does_not_grow_with_answers(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "D")
    client.get(url)  # warm the definition cache

    def queries_of_one_page():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    empty = queries_of_one_page()
    data = {"_versions": "{}"}
    for row in ("a_stock_foreign_born", "a_stock_foreign_citizens", "a_immigration_flow"):
        data[f"D2.{row}.availability"] = "regular"
        data[f"D2.{row}.disaggregations"] = ["sex", "age"]
    client.post(url, data)
    assert Answer.objects.filter(question__code="D2").count() == 6

    assert queries_of_one_page() == empty
    assert empty <= 12


def test_the_focal_point_reads_an_authoritys_history_through_its_reply(client, world):
    world.respondent_a.first_name, world.respondent_a.last_name = "Amina", "Otieno"
    world.respondent_a.save()
    client.force_login(world.respondent_a)
    client.post(section_url(world.return_a, "C"), {"_versions": "{}", "C12": "yes"})
    client.force_login(world.focal_point_a)

    page = client.get(section_url(world.return_a, "C", reply=world.interior_a.pk))
    history_url = reverse("responses:question-history", args=[world.return_a.pk, "C", "C12"])
    assert f'href="{history_url}?reply={world.interior_a.pk}"' in page.content.decode()

    history = client.get(f"{history_url}?reply={world.interior_a.pk}").content.decode()
    assert "Amina Otieno" in history  # people are named by name, not e-mail
    assert "Restore this value" not in history


def test_the_country_question_starts_from_the_returns_country(client, world):
    client.force_login(world.focal_point_a)

    content = client.get(section_url(world.return_a, "A")).content.decode()

    assert '<option value="404" selected>Kenya</option>' in content
    assert not Answer.objects.exists()


def test_a_date_is_typed_as_day_month_and_year(client, world):
    client.force_login(world.focal_point_a)
    url = section_url(world.return_a, "A")

    refused = client.post(
        url, {"_versions": "{}", "A6.day": "30", "A6.month": "2", "A6.year": "2026"}
    )
    assert refused.status_code == 422
    assert "Enter a real date: day, month and year, such as 31 3 2026." in refused.content.decode()
    assert 'name="A6.day" id="f-A6.day" value="30"' in refused.content.decode()

    client.post(url, {"_versions": "{}", "A6.day": "31", "A6.month": "3", "A6.year": "2026"})
    assert world.answer("A6").value == "2026-03-31"
    content = client.get(url).content.decode()
    assert 'name="A6.day" id="f-A6.day" value="31"' in content
    assert 'name="A6.month" id="f-A6.month" value="3"' in content
    assert "For example, 31 3 2026" in content
    assert 'type="date"' not in content
