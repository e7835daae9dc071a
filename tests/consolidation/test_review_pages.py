"""The review pages: check your answers, submit once, a query's thread, a correction decided."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consolidation.review import services
from consultation.answers import AnswerValue
from responses.models import CountryReturn, QuestionReopening, ReturnEvent
from tests.consolidation.test_review import C12, answer_every_required, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world, questionnaire):
    answer_every_required(world, questionnaire)
    services.submit_return(
        country_return=world.return_a, user=world.focal_point_a, declaration=True
    )
    return world


def test_check_your_answers_links_every_gap_and_submit_names_them(client, world, questionnaire):
    answer_every_required(world, questionnaire, skip={"A3"})
    client.force_login(world.focal_point_a)

    page = client.get(reverse("review:check-answers", args=[world.return_a.pk]))

    text = page.content.decode()
    assert "1 thing to settle before submitting" in text
    assert reverse("responses:section-edit", args=[world.return_a.pk, "A"]) + "#f-A3" in text
    assert "Declaration" in text
    response = client.post(
        reverse("review:submit", args=[world.return_a.pk]), {"declaration": "yes"}
    )
    assert response.status_code == 422
    assert "cannot be submitted yet: A A3" in response.content.decode()
    world.return_a.refresh_from_db()
    assert world.return_a.status == CountryReturn.Status.IN_PROGRESS


def test_a_double_click_on_submit_submits_once(client, world, questionnaire):
    answer_every_required(world, questionnaire)
    client.force_login(world.focal_point_a)
    url = reverse("review:submit", args=[world.return_a.pk])

    first = client.post(url, {"declaration": "yes"})
    second = client.post(url, {"declaration": "yes"}, follow=True)

    assert first.status_code == 302
    assert "submitted already" in second.content.decode()
    assert ReturnEvent.objects.filter(action="submit").count() == 1
    page = client.get(reverse("responses:section-edit", args=[world.return_a.pk, "A"]))
    assert "read-only until UNSD queries or reopens it" in page.content.decode()


def test_the_authority_answers_a_query_from_its_link_and_corrects_the_answer(
    client, submitted, questionnaire
):
    query = services.raise_query(
        country_return=submitted.return_a, key=C12, user=submitted.reviewer, message="Really no?"
    )
    client.force_login(submitted.respondent_a)
    url = reverse("review:query", args=[submitted.return_a.pk, query.pk])

    page = client.get(url)
    assert "Really no?" in page.content.decode()
    assert 'class="answer-value">No<' in page.content.decode()
    client.post(url, {"message": "We checked: no."})
    response = client.post(reverse("review:query-correct", args=[submitted.return_a.pk, query.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("responses:section-edit", args=[submitted.return_a.pk, "C"])
    )
    assert QuestionReopening.objects.filter(authority=submitted.interior_a).exists()
    section = client.get(response["Location"])
    assert "Only these questions are open for correction" in section.content.decode()
    assert 'name="save"' in section.content.decode()


def test_an_accepted_correction_shows_in_the_answers_history(client, submitted):
    correction = services.propose_correction(
        country_return=submitted.return_a,
        key=C12,
        user=submitted.reviewer,
        value=AnswerValue("yes"),
        reason="The 2019 law",
    )
    client.force_login(submitted.focal_point_a)
    url = reverse("review:correction", args=[submitted.return_a.pk, correction.pk])

    refused = client.post(url, {"decision": "reject", "reason": ""})
    assert refused.status_code == 422
    client.post(url, {"decision": "accept"})
    page = client.get(url)

    assert "UNSD correction, accepted by" in page.content.decode()
    assert "UNSD correction, accepted by Test" in page.content.decode()
    # The history is in the page, not in its title.
    title = re.search(r"<title>(.*?)</title>", page.content.decode(), re.DOTALL).group(1)
    assert "<" not in title
    assert "Proposed correction" in title


def test_the_review_page_names_each_answers_status_in_words(client, submitted):
    client.force_login(submitted.reviewer)
    page = client.get(reverse("review:review", args=[submitted.return_a.pk])).content.decode()

    badges = set(re.findall(r'<span class="badge">([^<]*)</span>', page))
    assert "Taken" in badges
    assert not badges & {"taken", "resolved", "conflict", "per_authority", "missing"}


def test_the_reviewer_proposes_a_correction_through_the_form(client, submitted):
    client.force_login(submitted.reviewer)
    url = reverse("review:correction-new", args=[submitted.return_a.pk])

    bad = client.post(url, {"key": "B6", "value": "maybe", "reason": "x"})
    assert bad.status_code == 422
    good = client.post(url, {"key": "B6", "value": "yes", "reason": "The law"})

    assert good.status_code == 302
    assert submitted.return_a.corrections.get().value == "yes"


@pytest.mark.parametrize("page", ["review:check-answers", "review:review"])
def test_review_pages_take_the_same_queries_however_many_answers(
    client, world, questionnaire, page
):
    client.force_login(world.reviewer)
    url = reverse(page, args=[world.return_a.pk])
    save(world, questionnaire, world.nso_a, world.focal_point_a, [(("A3", "", ""), "KNBS")])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    answer_every_required(world, questionnaire)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many.captured_queries) == len(few.captured_queries)
