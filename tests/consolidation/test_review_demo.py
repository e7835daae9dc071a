"""The review demo: a submitted return with an open query, and an accepted one, loaded twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from consolidation.models import ReviewQuery
from responses.models import CountryReturn, ReturnEvent

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_queried_return_and_an_accepted_one(questionnaire_round):
    call_command("load_demo", stdout=StringIO())
    call_command("load_review_demo", stdout=StringIO())
    events = ReturnEvent.objects.count()
    call_command("load_review_demo", stdout=StringIO())

    assert ReturnEvent.objects.count() == events
    ghana = CountryReturn.objects.get(country__iso3="GHA")
    canada = CountryReturn.objects.get(country__iso3="CAN")
    assert ghana.status == CountryReturn.Status.QUERIED
    assert ReviewQuery.objects.get(country_return=ghana).status == ReviewQuery.Status.OPEN
    assert canada.status == CountryReturn.Status.ACCEPTED
    assert ReviewQuery.objects.get(country_return=canada).status == ReviewQuery.Status.RESOLVED
    assert list(
        ReturnEvent.objects.filter(country_return=canada).values_list("action", flat=True)
    ) == [
        "start",
        "submit",
        "query",
        "query_raised",
        "query_replied",
        "resubmit",
        "query_resolved",
        "accept",
    ]
