"""The staff preview: who may see it, checking answers, adding rows, the printable page."""

import pytest
from django.test import Client

from consultation.definition import QuestionnaireDef
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client: Client, questionnaire: QuestionnaireDef) -> Client:
    client.force_login(UserFactory(username="staff@un.org", is_staff=True))
    return client


def test_the_preview_is_for_staff_only(client: Client, questionnaire: QuestionnaireDef) -> None:
    anonymous = client.get("/preview/migration-2026/A/")
    client.force_login(UserFactory(username="respondent@example.org"))
    respondent = client.get("/preview/migration-2026/A/")

    assert anonymous.status_code == 302
    assert respondent.status_code == 302
    assert "/login/" in respondent["Location"]


def test_the_index_lists_every_section(staff_client: Client, questionnaire) -> None:
    response = staff_client.get("/preview/migration-2026/")

    assert response.status_code == 200
    for section in questionnaire.sections:
        assert f"/preview/migration-2026/{section.code}/" in response.content.decode()


def test_an_unknown_section_or_questionnaire_is_not_found(staff_client: Client) -> None:
    assert staff_client.get("/preview/migration-2026/Z/").status_code == 404
    assert staff_client.get("/preview/no-such-thing/A/").status_code == 404


def test_checking_answers_lists_the_problems(staff_client: Client) -> None:
    response = staff_client.post("/preview/migration-2026/H/", {"H3": "maybe"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is 1 problem to fix" in html
    assert '<a href="#f-H3">H3: Choose one of the options listed.</a>' in html


def test_adding_a_row_keeps_the_answers_and_shows_no_error(staff_client: Client) -> None:
    response = staff_client.post(
        "/preview/migration-2026/A/",
        {"A2": "consolidated", "A11._rows": "r1", "A11.r1.type": "nso", "add_row": "A11"},
    )

    html = response.content.decode()
    assert 'name="A11._rows" value="r1,r2"' in html
    assert 'data-row="r2"' in html
    assert 'value="consolidated" checked' in html
    assert "error-summary" not in html
    assert "error-message" not in html


def test_the_printable_page_has_every_question_read_only(
    staff_client: Client, questionnaire: QuestionnaireDef
) -> None:
    response = staff_client.get("/preview/migration-2026/print/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<section class="question"') == len(questionnaire.questions)
    assert "Add a row" not in html
    assert " disabled>" in html
