"""A country return in a real browser: autosave, forwarding, the invitation, hand-back, axe."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultation.models import Round
from responses.models import Answer, Assignment, Authority
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGENCY = "National Migration Agency"


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    serious = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, results.generate_report()


def wait_until_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_text(re.compile(r"Saved at \d\d:\d\d"))


@pytest.fixture
def open_world(world):
    Round.objects.filter(pk=world.round.pk).update(
        status=Round.Status.OPEN,
        opened_at=timezone.now(),
        deadline=timezone.localdate() + timedelta(days=60),
    )
    return world


def test_focal_point_fills_forwards_and_the_authority_answers_and_hands_back(
    live_server, page: Page, browser, open_world
):
    world = open_world
    base = live_server.url

    # The focal point fills a question; autosave keeps it through a reload.
    sign_in(page, base, world.focal_point_a.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kenya")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^A\. ")).click()
    page.get_by_label(re.compile(r"^A3 ")).fill("Kenya National Bureau of Statistics")
    page.get_by_label(re.compile(r"^A3 ")).press("Tab")
    wait_until_saved(page)
    assert_accessible(page)
    page.reload()
    expect(page.get_by_label(re.compile(r"^A3 "))).to_have_value(
        "Kenya National Bureau of Statistics"
    )

    # Forward section E to a new authority.
    page.get_by_role("link", name=re.compile("Kenya")).first.click()
    page.get_by_role("link", name="Forward sections to another authority").click()
    page.get_by_role("checkbox", name=re.compile(r"E\. Data integration")).check()
    page.get_by_role("button", name=re.compile("Next|Continue")).click()
    page.get_by_label("Name of the new authority").fill(AGENCY)
    page.get_by_label("Kind of authority").select_option("migration_agency")
    page.get_by_label("Contact's e-mail address").fill("data@migration.example.org")
    page.get_by_role("button", name=re.compile("Next|Continue")).click()
    page.get_by_label("Message to the contact").fill("Please answer section E by next month.")
    page.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=20)).isoformat())
    # The agency prefers Excel: the e-mail carries its workbook.
    page.get_by_label("Attach the sections as an Excel workbook").check()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Next|Continue")).click()
    expect(page.locator("dl.summary")).to_contain_text("Attached to the e-mail")
    page.get_by_role("button", name=re.compile("Send|Forward")).click()
    page.wait_for_load_state("networkidle")
    agency = Authority.objects.get(name=AGENCY)
    assert Assignment.objects.filter(authority=agency, section__code="E").exists()

    # The contact opens the link from the e-mail, sets a password, lands on the section.
    invitation = next(m for m in mail.outbox if m.to == ["data@migration.example.org"])
    [(filename, _content, _type)] = invitation.attachments
    assert filename == f"{world.round.code}-KEN-authority-{agency.pk}.xlsx"
    link = re.search(r"https?://\S+/invitations/accept/\?token=\S+", invitation.body).group(0)
    path = link[link.index("/invitations/") :]
    contact = browser.new_context()
    authority_page = contact.new_page()
    authority_page.goto(base + path)
    assert "token" not in authority_page.url
    authority_page.get_by_label("Your full name").fill("Amina Otieno")
    authority_page.get_by_label("Password (required)", exact=True).fill("migration figures 2026!")
    authority_page.get_by_label("Password again").fill("migration figures 2026!")
    authority_page.get_by_role("button", name=re.compile("Create my account")).click()
    authority_page.wait_for_load_state("networkidle")
    expect(authority_page.get_by_role("link", name=re.compile(r"^E\. "))).to_be_visible()
    # Only the forwarded section is there.
    expect(authority_page.get_by_role("link", name=re.compile(r"^A\. "))).to_have_count(0)
    assert_accessible(authority_page)
    authority_page.get_by_role("link", name=re.compile(r"^E\. ")).click()
    authority_page.locator("#f-E1-yes").check()
    wait_until_saved(authority_page)
    assert_accessible(authority_page)
    assert Answer.objects.get(authority=agency, question__code="E1").value == "yes"
    authority_page.get_by_text("Hand this section back to the focal point").click()
    # It asks first, and names the required questions still unanswered (E4 among them).
    expect(authority_page.locator(".hand-back")).to_contain_text("E4")
    authority_page.get_by_role("button", name="Yes, hand this section back").click()
    authority_page.wait_for_load_state("networkidle")
    contact.close()

    # The focal point is told, and sees the section handed back with the agency's answer.
    assert any(m.to == [world.focal_point_a.email] and "E" in m.subject for m in mail.outbox)
    page.goto(f"{base}/returns/{world.return_a.pk}/")
    row = page.locator("#section-E")
    expect(row).to_contain_text(AGENCY)
    expect(row).to_contain_text("Handed back")
    row.get_by_role("link", name="See their answers").click()
    # Their reply reads as question and answer, not as disabled controls.
    expect(page.locator("#q-E1 dd")).to_contain_text("Yes")
    expect(page.locator(".reply-summary input")).to_have_count(0)
    assert_accessible(page)


def test_answers_typed_after_the_session_ended_are_saved_once_signed_in_again(
    live_server, page: Page, world
):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")
    Session.objects.all().delete()  # the session ends (idle, or 12 hours)

    page.get_by_label(re.compile(r"^A3 ")).fill("Typed while signed out")
    page.get_by_label(re.compile(r"^A3 ")).press("Tab")
    expect(page.locator("#save-status")).to_contain_text("signed out")
    assert not Answer.objects.filter(question__code="A3").exists()

    other_tab = page.context.new_page()
    sign_in(other_tab, base, world.focal_point_a.email)
    other_tab.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")

    wait_until_saved(page)
    assert Answer.objects.get(question__code="A3").value == "Typed while signed out"


def test_two_people_editing_one_answer_see_both_values_and_choose(
    live_server, page: Page, browser, world
):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")
    colleague_context = browser.new_context()
    colleague = colleague_context.new_page()
    sign_in(colleague, base, world.focal_point_a.email)
    colleague.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")

    colleague.get_by_label(re.compile(r"^A3 ")).fill("Colleague's name")
    colleague.get_by_label(re.compile(r"^A3 ")).press("Tab")
    wait_until_saved(colleague)
    page.get_by_label(re.compile(r"^A3 ")).fill("My name")
    page.get_by_label(re.compile(r"^A3 ")).press("Tab")

    conflict = page.locator(".conflict")
    expect(conflict).to_contain_text("Colleague's name")
    expect(conflict).to_contain_text("My name")
    assert Answer.objects.get(question__code="A3").value == "Colleague's name"
    conflict.get_by_role("button", name="Keep my answer").click()
    wait_until_saved(page)
    answer = Answer.objects.get(question__code="A3")
    assert (answer.value, answer.version) == ("My name", 2)
    colleague_context.close()


def test_after_a_reload_while_signed_out_signing_in_restores_and_saves_the_answers(
    live_server, page: Page, world
):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")
    Session.objects.all().delete()
    page.get_by_label(re.compile(r"^A3 ")).fill("Kept by the browser")
    page.get_by_label(re.compile(r"^A3 ")).press("Tab")
    expect(page.locator("#save-status")).to_contain_text("signed out")

    page.reload()  # the sign-in page, which returns to the section
    page.get_by_label("E-mail address").fill(world.focal_point_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_label(re.compile(r"^A3 "))).to_have_value("Kept by the browser")
    wait_until_saved(page)
    assert Answer.objects.get(question__code="A3").value == "Kept by the browser"
