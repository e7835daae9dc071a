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
    assert "2 of 6 required questions answered" in section_a
    assert "In progress" in section_a
    section_c = content[content.index('id="section-C"') : content.index('id="section-D"')]
    assert "With Ministry of Interior" in section_c
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


def test_each_section_has_one_status_tag_and_progress_a_person_can_read(client, world):
    client.force_login(world.respondent_a)
    client.post(
        reverse("responses:section-edit", args=[world.return_a.pk, "C"]),
        {"_versions": "{}", "C12": "yes"},
    )
    Assignment.objects.filter(pk=world.assignment.pk).update(due_date="2026-03-31")
    client.force_login(world.focal_point_a)

    content = client.get(
        reverse("responses:return-overview", args=[world.return_a.pk])
    ).content.decode()

    def task(code):
        start = content.index(f'id="section-{code}"')
        return content[start : content.index("</li>", start)]

    assert "Not started" in task("B")
    # Forwarded: the authority's progress, not the NSO's empty copy, and its reply behind the link.
    assert "With Ministry of Interior" in task("C")
    assert "1 of 2 required questions answered" in task("C")
    assert f"?reply={world.interior_a.pk}" in task("C")
    assert "0 of 0" not in content
    # Section D has no required question: its progress says so.
    assert "0 of 15 questions answered (none required)" in task("D")

    Assignment.objects.filter(pk=world.assignment.pk).update(status=Assignment.Status.HANDED_BACK)
    content = client.get(
        reverse("responses:return-overview", args=[world.return_a.pk])
    ).content.decode()
    assert "Handed back" in task("C")


def test_an_authority_sees_its_due_date_the_focal_point_and_what_to_do(client, world):
    world.focal_point_a.first_name, world.focal_point_a.last_name = "Wanjiru", "Kamau"
    world.focal_point_a.save()
    Assignment.objects.filter(pk=world.assignment.pk).update(due_date="2026-03-31")
    world.round.deadline = "2026-06-30"
    world.round.save()
    client.force_login(world.respondent_a)

    content = client.get(
        reverse("responses:return-overview", args=[world.return_a.pk])
    ).content.decode()

    assert "Your reply is due on <strong>31 March 2026</strong>" in content
    assert "30 June 2026" not in content  # the return's deadline is the NSO's, not theirs
    assert "Wanjiru Kamau" in content
    assert 'href="mailto:fp-a@example.org"' in content
    assert "hand it back to the focal point" in content
