"""The dashboard, the tabulations and the exports pages, for UNSD: content and query counts."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consolidation.models import ReviewQuery
from consultation.definition import get_definition
from consultation.models import Area, Question
from responses.models import CountryReturn, Membership, OutboundEmail
from tests.consolidation.exports import KENYA_ANSWERS, fill_world, sheet_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def add_returns(round_, count):
    taken = set(CountryReturn.objects.filter(round=round_).values_list("country_id", flat=True))
    areas = Area.objects.filter(level=Area.Level.COUNTRY).exclude(m49_code__in=taken)
    CountryReturn.objects.bulk_create(
        CountryReturn(round=round_, country=area) for area in areas.order_by("m49_code")[:count]
    )


def dashboard_queries(client, round_):
    client.get(reverse("consolidation:dashboard"))  # warm: definition cache, session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("consolidation:dashboard") + f"?round={round_.code}")
    assert response.status_code == 200
    return len(queries), response


def test_dashboard_query_count_does_not_grow_with_countries(client, world):
    fill_world(world)
    client.force_login(world.reviewer)
    add_returns(world.round, 3)
    at_five, response = dashboard_queries(client, world.round)
    assert len(response.context["rows"]) == 5

    add_returns(world.round, 195)
    at_two_hundred, response = dashboard_queries(client, world.round)

    assert len(response.context["rows"]) == 200
    assert at_five == at_two_hundred


def test_dashboard_shows_status_completeness_authorities_and_activity(client, world):
    fill_world(world)
    client.force_login(world.reviewer)

    response = client.get(reverse("consolidation:dashboard"))

    rows = {row.place.iso3: row for row in response.context["rows"]}
    kenya = rows["KEN"]
    assert kenya.status_label == "Submitted"
    definition = get_definition(world.round.questionnaire_id)
    required = {q.code for q in definition.questions.values() if q.required and not q.show_if}
    assert kenya.required_answered == len(required & {key[0] for key in KENYA_ANSWERS})
    assert kenya.required_answered > 0
    assert kenya.required_total > kenya.required_answered
    assert [a.name for a in kenya.authorities] == ["Ministry of Interior", "Ministry of Labour"]
    assert kenya.authorities[0].sections == [("C", "In progress")]
    assert kenya.last_activity is not None
    assert kenya.milestones.submitted_on == timezone.localdate()
    assert kenya.milestones.accepted_on is None
    assert rows["MEX"].status_label == "In progress"
    html = response.content.decode()
    assert "Ministry of Interior" in html
    assert 'id="dashboard-chart-data"' in html
    assert 'id="figures-regions"' in html


def test_dashboard_filters_by_region_status_and_search_and_sorts(client, world):
    fill_world(world)
    client.force_login(world.reviewer)
    url = reverse("consolidation:dashboard")
    africa = Area.objects.get(name="Africa", level=Area.Level.REGION).m49_code

    def shown(query):
        response = client.get(url + query)
        return [row.place.iso3 for row in response.context["rows"]]

    assert shown("") == ["KEN", "MEX"]
    assert shown(f"?region={africa}") == ["KEN"]
    assert shown("?status=in_progress") == ["MEX"]
    assert shown("?q=mex") == ["MEX"]
    assert shown("?q=ken") == ["KEN"]
    assert shown("?sort=country&order=desc") == ["MEX", "KEN"]
    assert shown("?sort=nonsense") == ["KEN", "MEX"]


def test_overdue_and_silent_countries_stand_out(client, world):
    world.round.deadline = timezone.localdate() - datetime.timedelta(days=1)
    world.round.save()
    CountryReturn.objects.filter(pk=world.return_b.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    client.force_login(world.reviewer)

    response = client.get(reverse("consolidation:dashboard"))

    rows = {row.place.iso3: row for row in response.context["rows"]}
    assert rows["MEX"].overdue
    assert rows["MEX"].silent
    assert rows["KEN"].overdue
    assert not rows["KEN"].silent
    assert response.content.decode().count('class="attention"') == 2


def test_dashboard_downloads_as_excel(client, world):
    fill_world(world)
    client.force_login(world.reviewer)

    response = client.get(reverse("consolidation:dashboard-download") + "?status=submitted")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = sheet_rows(book["Dashboard"])
    assert rows[0][:3] == ["Country or area", "M49 code", "ISO3"]
    assert [row[2] for row in rows[1:]] == ["KEN"]
    assert rows[1][5] == "Submitted"
    assert book.sheetnames == ["Read me", "Dashboard"]


def test_unsd_reminds_a_focal_point_at_most_once_a_day(client, world):
    client.force_login(world.reviewer)
    url = reverse("consolidation:remind", args=[world.return_b.pk])

    with_one = client.post(url)
    again = client.post(url, follow=True)

    assert with_one.status_code == 302
    emails = OutboundEmail.objects.filter(to="fp-b@example.org")
    assert emails.count() == 1
    assert "Mexico" in emails.get().subject
    assert "reminded today already" in again.content.decode()
    world.return_b.refresh_from_db()
    assert world.return_b.deadline_reminder_sent_on == timezone.localdate()


def test_tabulation_page_counts_countries_per_answer(client, world):
    fill_world(world)
    client.force_login(world.reviewer)

    response = client.get(reverse("consolidation:tabulations") + "?section=B&over=all")

    tables = {table.code: table for table in response.context["tables"]}
    b6 = {line.code: line.total for line in tables["B6"].lines}
    assert b6["yes"] == 1
    assert b6["no"] == 1
    assert response.context["counted"] == 2
    finished = client.get(reverse("consolidation:tabulations") + "?section=B")
    b6 = {
        line.code: line.total
        for line in {t.code: t for t in finished.context["tables"]}["B6"].lines
    }
    assert b6["no"] == 1
    assert b6["yes"] == 0


def test_a_focal_point_who_is_also_staff_still_cannot_open_the_desk(client, world):
    user = UserFactory(email="both@example.org", is_staff=True)
    Membership.objects.create(
        user=user, role="focal_point", country_return=world.return_a, authority=world.nso_a
    )
    client.force_login(user)

    assert client.get(reverse("consolidation:dashboard")).status_code == 404


def test_open_queries_and_submissions_over_time_come_from_review_and_lifecycle(client, world):
    fill_world(world)
    question = Question.objects.get(section__questionnaire=world.round.questionnaire, code="A3")
    ReviewQuery.objects.create(country_return=world.return_a, question=question)
    ReviewQuery.objects.create(country_return=world.return_a, question=question, status="resolved")
    client.force_login(world.reviewer)

    response = client.get(reverse("consolidation:dashboard"))

    rows = {row.place.iso3: row for row in response.context["rows"]}
    assert rows["KEN"].open_queries == 1
    assert rows["MEX"].open_queries == 0
    assert response.context["over_time"] == [(timezone.localdate(), 1, 1)]
    assert 'id="figures-submissions"' in response.content.decode()
