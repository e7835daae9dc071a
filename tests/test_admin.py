"""The admin opens for UNSD administrators and for no one else; questionnaires stay read-only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:consultation_area_changelist",
    "admin:consultation_questionnaire_changelist",
    "admin:consultation_question_changelist",
    "admin:consultation_round_changelist",
    "admin:responses_countryreturn_changelist",
    "admin:responses_authority_changelist",
    "admin:responses_membership_changelist",
    "admin:responses_invitation_changelist",
    "admin:responses_assignment_changelist",
    "admin:responses_answer_changelist",
]


@pytest.mark.parametrize("page", PAGES)
def test_administrator_opens_every_admin_list(client, world, page):
    client.force_login(world.admin)

    assert client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("role", ["focal_point_a", "respondent_a"])
def test_respondents_do_not_reach_the_admin(client, world, role):
    client.force_login(getattr(world, role))

    response = client.get(reverse("admin:responses_answer_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_questionnaires_cannot_be_edited_in_the_admin(client, world):
    client.force_login(world.admin)
    questionnaire_id = world.round.questionnaire_id

    page = client.get(reverse("admin:consultation_questionnaire_change", args=[questionnaire_id]))

    assert page.status_code == 200
    assert b'name="_save"' not in page.content
