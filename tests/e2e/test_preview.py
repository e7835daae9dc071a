"""The staff preview in a real browser: every section, conditions at work, axe, the print page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from consultation.definition import QuestionnaireDef, get_definition
from tests.conftest import PASSWORD, ensure_reference_data
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STAFF = "preview-staff@un.org"


@pytest.fixture
def definition(transactional_db) -> QuestionnaireDef:
    # The database is flushed between transactional tests: load the questionnaire again.
    return get_definition(ensure_reference_data().questionnaire_id)


@pytest.fixture
def preview(live_server, page: Page, definition: QuestionnaireDef):
    """A signed-in staff member's page, and the preview's address."""
    UserFactory(username=STAFF, email=STAFF, is_staff=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    yield f"{live_server.url}/preview/{definition.code}"
    # Let the live server finish answering before the database is flushed (pytest-django #454).
    page.wait_for_load_state("networkidle")


def serious_violations(page: Page) -> tuple[list[dict], str]:
    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    return serious, results.generate_report() if serious else ""


def question(page: Page, code: str):
    return page.locator(f"#q-{code}")


def test_every_section_opens_with_its_heading_and_passes_axe(
    page: Page, preview: str, definition: QuestionnaireDef
) -> None:
    reports = {}
    for section in definition.sections:
        page.goto(f"{preview}/{section.code}/")

        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"{section.code}. {section.title}"
        )
        expect(page.locator("section.question")).to_have_count(len(section.questions))
        serious, report = serious_violations(page)
        if serious:
            reports[section.code] = report
        # axe skips what is hidden: show every conditional question and cell, and check again.
        page.evaluate("document.querySelectorAll('[hidden]').forEach(node => node.hidden = false)")
        serious, report = serious_violations(page)
        if serious:
            reports[f"{section.code} (all shown)"] = report

    assert not reports, "\n\n".join(f"Section {code}:\n{text}" for code, text in reports.items())


def test_a9_shows_a10_only_for_a_coordination_mechanism(page: Page, preview: str) -> None:
    page.goto(f"{preview}/A/")
    a10 = question(page, "A10")
    expect(a10).to_be_hidden()

    a9 = question(page, "A9")
    a9.get_by_role("radio", name="Yes, a permanent one").check()
    expect(a10).to_be_visible()
    a9.get_by_role("radio", name="Yes, an ad hoc one").check()
    expect(a10).to_be_visible()
    a9.get_by_role("radio", name="No", exact=True).check()
    expect(a10).to_be_hidden()


def test_b6_yes_shows_b7(page: Page, preview: str) -> None:
    page.goto(f"{preview}/B/")
    b6, b7 = question(page, "B6"), question(page, "B7")
    expect(b7).to_be_hidden()

    b6.get_by_role("radio", name="Yes").check()
    expect(b7).to_be_visible()
    expect(page.get_by_label(re.compile(r"^B7 "))).to_be_editable()
    b6.get_by_role("radio", name="No", exact=True).check()
    expect(b7).to_be_hidden()


def test_c1_exists_shows_the_other_cells_of_its_row_only(page: Page, preview: str) -> None:
    page.goto(f"{preview}/C/")
    census = page.locator('tr[data-row="S01"]')
    register = page.locator('tr[data-row="S02"]')
    periodicity = census.locator('td[data-column="periodicity"] .cell')
    expect(periodicity).to_be_hidden()
    expect(question(page, "C2")).to_be_hidden()

    census.get_by_role(
        "combobox", name=re.compile("^Population and housing census Exists")
    ).select_option("yes")
    expect(periodicity).to_be_visible()
    expect(census.locator('td[data-column="latest_year"] .cell')).to_be_visible()
    expect(register.locator('td[data-column="periodicity"] .cell')).to_be_hidden()
    # C2 to C5 ask about the census, which now exists.
    expect(question(page, "C2")).to_be_visible()

    census.locator('select[name="C1.S01.exists"]').select_option("no")
    expect(periodicity).to_be_hidden()
    expect(question(page, "C2")).to_be_hidden()


def test_an_exclusive_option_clears_the_others(page: Page, preview: str) -> None:
    page.goto(f"{preview}/C/")
    deregistration = page.get_by_role(
        "checkbox", name="Deregistration from the population register"
    )
    not_measured = page.get_by_role("checkbox", name="Emigration is not measured")

    deregistration.check()
    not_measured.check()
    expect(deregistration).not_to_be_checked()
    deregistration.check()
    expect(not_measured).not_to_be_checked()


def test_checking_answers_lists_the_problems_and_adding_a_row_does_not(
    page: Page, preview: str
) -> None:
    page.goto(f"{preview}/A/")
    page.get_by_role("radio", name="A consolidated national reply").check()
    routing = question(page, "A11")
    expect(routing).to_be_visible()
    expect(routing.locator("tr[data-row]")).to_have_count(1)

    with page.expect_navigation():
        routing.get_by_role("button", name="Add a row").click()
    expect(routing.locator("tr[data-row]")).to_have_count(2)
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator(".error-message")).to_have_count(0)
    # What was chosen before is kept.
    expect(page.get_by_role("radio", name="A consolidated national reply")).to_be_checked()

    with page.expect_navigation():
        page.get_by_role("button", name="Check my answers").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="A1: This question needs an answer.")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^A3 "))).to_have_attribute("aria-invalid", "true")
    serious, report = serious_violations(page)
    assert not serious, report


def test_the_print_page_shows_every_question_and_passes_axe(
    page: Page, preview: str, definition: QuestionnaireDef
) -> None:
    page.goto(f"{preview}/print/")
    questions = page.locator("section.question")
    expect(questions).to_have_count(sum(len(section.questions) for section in definition.sections))
    expect(page.locator("h2.section-title")).to_have_count(len(definition.sections))
    serious, report = serious_violations(page)
    assert not serious, report

    page.emulate_media(media="print")

    not_shown = questions.evaluate_all(
        "nodes => nodes.filter(node => getComputedStyle(node).display === 'none')"
        ".map(node => node.id)"
    )
    assert not_shown == []
    hidden_cells = page.locator(".cell[hidden]")
    assert hidden_cells.count() > 0
    assert hidden_cells.evaluate_all(
        "nodes => nodes.every(node => getComputedStyle(node).display !== 'none')"
    )
    expect(page.locator(".site-header")).to_be_hidden()
