"""The consolidation page and the page of one consolidated answer, through the test client."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consolidation.models import Resolution
from consolidation.services import ConsolidatedStatus, consolidated_answers
from consultation.formbuilder import AnswerValue
from responses.models import Answer
from tests.consolidation.test_services import C12, CENSUS, labour_holding, reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(world, questionnaire):
    """C12 answered "yes" by the NSO and "no" (with a footnote) by the Ministry of Interior."""
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(
        world,
        questionnaire,
        world.interior_a,
        C12,
        AnswerValue("no", "", "Pilot only"),
        world.respondent_a,
    )
    return consolidated_answers(world.return_a)[C12]


def test_a_conflict_is_shown_side_by_side(client, world, conflict):
    client.force_login(world.focal_point_a)

    response = client.get(reverse("consolidation:consolidation", args=[world.return_a.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    article = page[page.index('id="answer-C12"') :]
    article = article[: article.index("</article>")]
    for text in (
        "Kenya National Bureau of Statistics",
        "Ministry of Interior",
        "Pilot only",
        "interior-a@example.org",
        f"?reply={world.interior_a.pk}",
        "Write the country&#x27;s own answer",
    ):
        assert text in article, text


def test_the_focal_point_picks_a_reply(client, world, conflict):
    client.force_login(world.focal_point_a)

    response = client.post(
        reverse("consolidation:answer", args=[world.return_a.pk, "C12"]),
        {
            "choice": str(world.interior_a.pk),
            "note": "The ministry knows",
            "base_version": 0,
            "versions": json.dumps(conflict.source_versions),
        },
    )

    assert response.status_code == 302
    answer = consolidated_answers(world.return_a)[C12]
    assert answer.status == ConsolidatedStatus.RESOLVED
    assert answer.value == AnswerValue("no", "", "Pilot only")
    assert Resolution.objects.get().note == "The ministry knows"
    page = client.get(response["Location"]).content.decode()
    assert "consolidated answer saved" in page
    assert "No conflict in this section." in page[page.index('id="section-C"') :]


def test_an_own_value_fills_in_what_nobody_supplied(client, world):
    client.force_login(world.focal_point_a)

    response = client.post(
        reverse("consolidation:answer", args=[world.return_a.pk, "C2.census.latest"]),
        {"choice": "own", "value": "2019", "base_version": 0, "versions": "{}"},
    )

    assert response.status_code == 302
    assert consolidated_answers(world.return_a)[CENSUS].value == AnswerValue(2019)


@pytest.mark.parametrize(
    "data",
    [
        {"choice": "own", "value": "1800", "base_version": 0, "versions": "{}"},  # out of range
        {"choice": "own", "value": "", "base_version": 0, "versions": "{}"},  # nothing
        {"choice": "own", "value": "2019", "base_version": 0, "versions": "not json"},
        {"choice": "own", "value": "2019", "base_version": -1, "versions": "{}"},
        {"choice": "12345", "base_version": 0, "versions": "{}"},  # no such reply
        {},
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, world, data):
    client.force_login(world.focal_point_a)

    response = client.post(
        reverse("consolidation:answer", args=[world.return_a.pk, "C2.census.latest"]), data
    )

    assert response.status_code == 400
    assert b"error-message" in response.content
    assert not Answer.objects.exists()
    assert not Resolution.objects.exists()


def test_a_choice_on_replies_changed_since_is_refused_and_shown_again(
    client, world, questionnaire, conflict
):
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("yes"), world.respondent_a)
    client.force_login(world.focal_point_a)

    response = client.post(
        reverse("consolidation:answer", args=[world.return_a.pk, "C12"]),
        {
            "choice": str(world.interior_a.pk),
            "base_version": 0,
            "versions": json.dumps(conflict.source_versions),
        },
    )

    assert response.status_code == 400
    assert "changed since the page was shown" in response.content.decode()
    assert not Answer.objects.filter(authority=None).exists()


@pytest.mark.parametrize("key", ["NOPE", "C2.nope.latest", "C2.census", "B6.a.b.c"])
def test_an_unknown_answer_is_not_found(client, world, key):
    client.force_login(world.focal_point_a)

    response = client.get(reverse("consolidation:answer", args=[world.return_a.pk, key]))

    assert response.status_code == 404


def test_unsd_reads_the_consolidation_without_forms(client, world, conflict):
    client.force_login(world.reviewer)

    response = client.get(reverse("consolidation:consolidation", args=[world.return_a.pk]))

    assert response.status_code == 200
    assert b"Ministry of Interior" in response.content
    assert b'class="resolve-form"' not in response.content


def test_the_page_takes_the_same_queries_however_many_answers_and_conflicts(
    client, world, questionnaire, django_assert_num_queries
):
    client.force_login(world.focal_point_a)
    url = reverse("consolidation:consolidation", args=[world.return_a.pk])
    client.get(url)  # sessions and definition caches warm
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    labour = labour_holding(world, "B")
    section_b = questionnaire.section("B")
    for question in section_b.questions:
        if question.kind == "yes_no":
            key = (question.code, "", "")
            reply(world, questionnaire, world.nso_a, key, AnswerValue("yes"))
            reply(world, questionnaire, labour, key, AnswerValue("no"), world.respondent_a_other)
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count('class="resolve-form"') > 2


def test_a_resolution_gone_out_of_date_is_shown_first(client, world, questionnaire, conflict):
    client.force_login(world.focal_point_a)
    client.post(
        reverse("consolidation:answer", args=[world.return_a.pk, "C12"]),
        {
            "choice": str(world.nso_a.pk),
            "base_version": 0,
            "versions": json.dumps(conflict.source_versions),
        },
    )
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("dont_know"), world.respondent_a)

    page = client.get(reverse("consolidation:consolidation", args=[world.return_a.pk]))

    html = page.content.decode()
    assert (
        html.index('id="out-of-date"')
        < html.index('id="answer-C12"')
        < html.index('id="section-A"')
    )
    assert "Out of date: a reply changed since it was resolved" in html
