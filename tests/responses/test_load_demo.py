"""The demo data: returns in different states, loaded twice without doubling anything."""

from io import StringIO

import pytest
from django.core.management import call_command

from responses.models import (
    Answer,
    AnswerChange,
    Assignment,
    AssignmentEvent,
    CountryReturn,
    Membership,
)

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count()
        for model in (CountryReturn, Membership, Assignment, AssignmentEvent, Answer, AnswerChange)
    ]


def test_demo_loads_returns_in_different_states_and_a_second_run_adds_nothing(
    questionnaire_round,
):
    output = StringIO()
    call_command("load_demo", stdout=output)
    first = counts()
    call_command("load_demo", stdout=StringIO())

    assert counts() == first
    states = {(r.country.iso3, r.status) for r in CountryReturn.objects.select_related("country")}
    assert states == {("KEN", "in_progress"), ("MEX", "in_progress"), ("DEU", "not_started")}
    assert set(Assignment.objects.values_list("authority__country__iso3", "status")) == {
        ("KEN", "in_progress"),
        ("MEX", "handed_back"),
    }
    printed = output.getvalue()
    assert "focal@knbs.example.org" in printed
    assert "reviewer@unsd.example.org" in printed
    assert "demo-password-2026" in printed
