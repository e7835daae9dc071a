"""The return's overview: every section with its progress, holders, due dates and actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultation.models import Section
from responses.models import Assignment

pytestmark = pytest.mark.django_db


def test_focal_point_sees_each_section_its_progress_and_who_holds_it(client, world):
    client.force_login(world.focal_point_a)
    client.post(
        reverse("responses:section-edit", args=[world.return_a.pk, "A"]),
        {"_versions": "{}", "A1": "404", "A3": "KNBS"},
    )

    page = client.get(reverse("responses:return-overview", args=[world.return_a.pk]))

    content = page.content.decode()
    section_a = content[content.index('id="section-A"') : content.index('id="section-B"')]
    # A10, A11 and A12 are hidden until A9 and A2 are answered so.
    assert "2 of 11 answered" in section_a
    section_c = content[content.index('id="section-C"') : content.index('id="section-D"')]
    assert "Ministry of Interior" in section_c
    assert "Forwarded" in section_c
    assert "Send a reminder" in section_c


def test_respondent_sees_only_the_sections_forwarded_to_its_authority(client, world):
    client.force_login(world.respondent_a)

    content = client.get(
        reverse("responses:return-overview", args=[world.return_a.pk])
    ).content.decode()

    assert 'id="section-C"' in content
    assert 'id="section-A"' not in content
    assert 'id="section-G"' not in content
    assert "Send a reminder" not in content


def test_overview_query_count_does_not_grow_with_sections_forwarded(client, world):
    client.force_login(world.focal_point_a)
    url = reverse("responses:return-overview", args=[world.return_a.pk])
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for code in ("D", "E", "F"):
        Assignment.objects.create(
            country_return=world.return_a,
            section=Section.objects.get(questionnaire_id=world.round.questionnaire_id, code=code),
            authority=world.interior_a,
        )

    assert queries() == before
