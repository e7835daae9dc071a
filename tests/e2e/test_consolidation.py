"""Consolidation in a real browser: the focal point resolves one conflict."""

import re

import pytest
from playwright.sync_api import Page, expect

from consolidation.models import Resolution
from consolidation.services import ConsolidatedStatus, consolidated_answers
from consultation.definition import get_definition
from consultation.formbuilder import AnswerValue
from responses.models import Answer
from tests.consolidation.test_services import C12, reply
from tests.e2e.test_return_flow import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_focal_point_resolves_a_conflict(live_server, page: Page, world):
    questionnaire = get_definition(world.round.questionnaire_id)
    reply(world, questionnaire, world.nso_a, C12, AnswerValue("yes"))
    reply(world, questionnaire, world.interior_a, C12, AnswerValue("no"), world.respondent_a)

    sign_in(page, live_server.url, world.focal_point_a.email)
    page.get_by_role("link", name="Consolidate the replies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consolidation")
    conflict = page.locator("#answer-C12")
    expect(conflict).to_contain_text("Conflict")
    expect(conflict).to_contain_text("Kenya National Bureau of Statistics")
    expect(conflict).to_contain_text("interior-a@example.org")
    assert_accessible(page)

    conflict.get_by_role("radio", name="Ministry of Interior: No").check()
    conflict.get_by_label("Why (optional)").fill("The ministry runs the pilot.")
    conflict.get_by_role("button", name=re.compile("Save the consolidated answer")).click()

    expect(page.locator(".messages")).to_contain_text("consolidated answer saved")
    expect(page.locator("#section-C")).to_contain_text("No conflict in this section.")
    page.wait_for_load_state("networkidle")
    answer = consolidated_answers(world.return_a)[C12]
    assert answer.status == ConsolidatedStatus.RESOLVED
    assert answer.value == AnswerValue("no")
    assert Resolution.objects.get().note == "The ministry runs the pilot."
    assert Answer.objects.get(country_return=world.return_a, authority=None).value == "no"
