"""A country that cannot consolidate: its replies stand as separate returns, one per authority."""

import pytest
from django.urls import reverse

from consolidation.exceptions import ConsolidationRefused
from consolidation.models import SeparateReturns
from consolidation.services import (
    choose_separate_returns,
    separate_returns,
    standing_separate_returns,
    withdraw_separate_returns,
)
from consultation.formbuilder import AnswerValue
from tests.consolidation.test_services import B6, C12, reply

pytestmark = pytest.mark.django_db


def test_each_authority_gets_a_return_of_the_sections_it_answered(world, questionnaire):
    reply(world, questionnaire, world.nso_a, B6, AnswerValue("yes"))
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)

    decision = choose_separate_returns(
        country_return=world.return_a, user=world.focal_point_a, reason=" Two censuses. "
    )

    assert standing_separate_returns(world.return_a) == decision
    assert decision.reason == "Two censuses."
    returns = separate_returns(world.return_a)
    assert [(item.authority, item.sections) for item in returns] == [
        (world.nso_a, ("B", "C")),
        (world.interior_a, ("C",)),
    ]
    assert returns[1].answers == {C12: AnswerValue("no")}


def test_the_decision_needs_a_reason_and_stands_once(world):
    with pytest.raises(ConsolidationRefused):
        choose_separate_returns(country_return=world.return_a, user=world.focal_point_a, reason=" ")
    choose_separate_returns(country_return=world.return_a, user=world.focal_point_a, reason="Why")
    with pytest.raises(ConsolidationRefused):
        choose_separate_returns(
            country_return=world.return_a, user=world.focal_point_a, reason="Again"
        )
    assert SeparateReturns.objects.count() == 1


def test_withdrawing_keeps_the_decision_on_record(world):
    choose_separate_returns(country_return=world.return_a, user=world.focal_point_a, reason="Why")

    withdraw_separate_returns(country_return=world.return_a, user=world.focal_point_a)

    assert standing_separate_returns(world.return_a) is None
    assert SeparateReturns.objects.get().withdrawn_by == world.focal_point_a
    with pytest.raises(ConsolidationRefused):
        withdraw_separate_returns(country_return=world.return_a, user=world.focal_point_a)


@pytest.mark.parametrize("who", ["respondent_a", "reviewer", "focal_point_b"])
def test_only_the_focal_point_decides(world, who):
    with pytest.raises(ConsolidationRefused):
        choose_separate_returns(
            country_return=world.return_a, user=getattr(world, who), reason="Why"
        )
    assert not SeparateReturns.objects.exists()


def test_the_page_shows_the_decision_and_the_returns(client, world, questionnaire):
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)
    client.force_login(world.focal_point_a)

    response = client.post(
        reverse("consolidation:separate-returns", args=[world.return_a.pk]),
        {"reason": "The ministry keeps its own figures."},
    )
    page = client.get(response["Location"]).content.decode()

    assert "The ministry keeps its own figures." in page
    assert "Ministry of Interior: sections C" in page


def test_an_empty_reason_is_refused_with_a_message(client, world):
    client.force_login(world.focal_point_a)

    response = client.post(
        reverse("consolidation:separate-returns", args=[world.return_a.pk]), {"reason": ""}
    )

    assert "Say why" in client.get(response["Location"]).content.decode()
    assert not SeparateReturns.objects.exists()
