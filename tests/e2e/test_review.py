"""Submission and review in a real browser: consolidate, submit, query a cell an authority gave,
the authority answers from the e-mail's link, resubmit, a correction accepted, the return accepted.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from consolidation.services import consolidated_answers
from consultation.formbuilder import AnswerValue
from responses.models import Answer, AnswerChange, CountryReturn, OutboundEmail
from tests.consolidation.test_review import C12, answer_every_required, save
from tests.e2e.test_return_flow import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def person(browser: Browser, base: str, email: str) -> Page:
    """A browser of its own for each person, signed in."""
    page = browser.new_context().new_page()
    sign_in(page, base, email)
    return page


def link_in_email(to: str, subject_part: str) -> str:
    email = OutboundEmail.objects.filter(to=to, subject__contains=subject_part).latest("pk")
    url = re.search(r"https?://\S+", email.body).group(0)
    return url[url.index("/returns/") :]


def test_a_return_goes_from_conflict_to_accepted(
    live_server, browser: Browser, world, questionnaire
):
    base = live_server.url
    answer_every_required(world, questionnaire)
    # One conflict: the NSO says yes where the Ministry of Interior said no.
    save(world, questionnaire, world.nso_a, world.focal_point_a, [(C12, "yes")])
    c1 = questionnaire.questions["C1"]
    cell = ("C1", c1.rows[0].code, c1.columns[0].code)
    cell_slug = ".".join(cell)

    # The focal point settles the conflict, checks the answers and submits.
    focal = person(browser, base, world.focal_point_a.email)
    focal.get_by_role("link", name="Consolidate the replies").click()
    conflict = focal.locator("#answer-C12")
    conflict.get_by_role("radio", name="Ministry of Interior: No").check()
    conflict.get_by_role("button", name=re.compile("Save the consolidated answer")).click()
    focal.goto(f"{base}/returns/{world.return_a.pk}/")
    focal.get_by_role("link", name="Check your answers and submit").click()
    expect(focal.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    expect(focal.locator(".notice")).to_contain_text("every conflict is settled")
    assert_accessible(focal)
    focal.get_by_label(re.compile("I confirm that these answers")).check()
    focal.get_by_role("button", name="Submit the return to UNSD").click()
    expect(focal.locator(".messages")).to_contain_text("submitted to UNSD")
    world.return_a.refresh_from_db()
    assert world.return_a.status == CountryReturn.Status.SUBMITTED

    # The reviewer queries a cell the Ministry of Interior supplied.
    reviewer = person(browser, base, world.reviewer.email)
    reviewer.goto(f"{base}/returns/{world.return_a.pk}/")
    reviewer.get_by_role("link", name="Review this return").click()
    row = reviewer.locator(f'[id="answer-{cell_slug}"]')
    expect(row).to_contain_text("Ministry of Interior")
    assert_accessible(reviewer)
    row.locator("summary").click()
    row.get_by_label("Your question to the country").fill("Which register is this?")
    row.get_by_role("button", name="Send the query").click()
    expect(reviewer.locator(".messages")).to_contain_text("The query is sent")

    # The authority opens the e-mail's link and answers in the thread.
    authority = person(browser, base, world.respondent_a.email)
    authority.goto(base + link_in_email(world.respondent_a.email, "question about"))
    expect(authority.locator(".thread")).to_contain_text("Which register is this?")
    assert_accessible(authority)
    authority.get_by_label("Your message").fill("The civil register, since 2019.")
    authority.get_by_role("button", name="Answer UNSD").click()
    expect(authority.locator(".thread")).to_contain_text("The civil register, since 2019.")
    authority.context.close()

    # The focal point, copied, submits again.
    focal.goto(f"{base}/returns/{world.return_a.pk}/check-answers/")
    focal.get_by_label(re.compile("I confirm that these answers")).check()
    focal.get_by_role("button", name="Submit the return to UNSD").click()
    expect(focal.locator(".messages")).to_contain_text("submitted to UNSD")

    # The reviewer resolves the query and proposes a correction to the NSO's A3.
    reviewer.goto(base + link_in_email(world.reviewer.email, "New message"))
    reviewer.get_by_role("button", name="Resolve the query").click()
    expect(reviewer.locator(".messages")).to_contain_text("resolved")
    reviewer.goto(f"{base}/returns/{world.return_a.pk}/corrections/new/?key=A3")
    reviewer.get_by_label("Proposed answer").fill("Kenya National Bureau of Statistics")
    reviewer.get_by_label(re.compile("Why you propose it")).fill("The office's full name.")
    reviewer.get_by_role("button", name="Propose the correction").click()
    expect(reviewer.locator(".messages")).to_contain_text("proposed to the country")

    # The focal point accepts it; it shows in the answer's history.
    focal.goto(base + link_in_email(world.focal_point_a.email, "proposes a correction"))
    focal.get_by_role("radio", name=re.compile("Accept")).check()
    focal.get_by_role("button", name="Record my decision").click()
    expect(focal.locator(".answer-history")).to_contain_text("UNSD correction, accepted by")
    assert_accessible(focal)
    answer = consolidated_answers(world.return_a)[("A3", "", "")]
    assert answer.value == AnswerValue("Kenya National Bureau of Statistics")
    change = AnswerChange.objects.get(answer__authority__isnull=True, answer__question__code="A3")
    assert change.changed_by == world.focal_point_a

    # The reviewer accepts the return.
    reviewer.goto(f"{base}/returns/{world.return_a.pk}/review/")
    reviewer.get_by_role("button", name="Accept the return").click()
    expect(reviewer.locator(".messages")).to_contain_text("accepted")
    reviewer.wait_for_load_state("networkidle")
    world.return_a.refresh_from_db()
    assert world.return_a.status == CountryReturn.Status.ACCEPTED
    assert Answer.objects.get(authority=world.interior_a, question__code="C12").value == "no"
    focal.goto(f"{base}/returns/{world.return_a.pk}/")
    expect(focal.locator(".timeline")).to_contain_text("Accepted by UNSD")
    focal.wait_for_load_state("networkidle")
    focal.context.close()
    reviewer.context.close()
