"""The demo has a country with conflicts to resolve."""

from io import StringIO

import pytest
from django.core.management import call_command

from consolidation.services import ConsolidatedStatus, consolidated_answers
from responses.models import CountryReturn

pytestmark = pytest.mark.django_db


def test_mexico_has_conflicts_to_resolve_and_answers_taken(questionnaire_round):
    call_command("load_demo", stdout=StringIO())

    answers = consolidated_answers(CountryReturn.objects.get(country__iso3="MEX"))

    assert answers[("B5", "", "")].status == ConsolidatedStatus.CONFLICT
    assert answers[("B6", "", "")].status == ConsolidatedStatus.CONFLICT
    assert answers[("B1", "", "")].status == ConsolidatedStatus.TAKEN
    assert len(answers[("B1", "", "")].taken_from) == 2
    assert answers[("B12", "", "")].status == ConsolidatedStatus.TAKEN
