"""Filling aids: "please specify" follows Other, a row added keeps the place, a reason for no value
offers to clear the value."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultation.models import Question
from responses.models import Answer
from tests.e2e.test_return_flow import assert_accessible, sign_in, wait_until_saved

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_please_specify_appears_with_other_and_is_named_by_its_row_and_column(
    live_server, page: Page, world
):
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/A/")
    specify = page.locator("#q-A4 .other-specify")
    expect(specify).to_be_hidden()
    page.get_by_label(re.compile(r"^A4 ")).select_option("other")
    expect(specify).to_be_visible()
    page.get_by_label(re.compile(r"^A4 ")).select_option("nso")
    expect(specify).to_be_hidden()

    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/D/")
    row = page.locator("#q-D2 tr[data-row=a_stock_foreign_born]")
    row.locator("select[name='D2.a_stock_foreign_born.availability']").select_option("regular")
    row.locator("select[name='D2.a_stock_foreign_born.source']").select_option("S19")
    box = page.get_by_role(
        "textbox", name="Please specify Stock of foreign-born persons Main source"
    )
    expect(box).to_be_visible()
    box.fill("Consular records")
    box.press("Tab")
    wait_until_saved(page)
    answer = world.answer("D2", "a_stock_foreign_born", "source")
    assert answer.value == {"choice": "S19", "other": "Consular records"}
    assert_accessible(page)


def test_adding_a_row_comes_back_to_the_table_with_the_focus_on_the_new_row(
    live_server, page: Page, world
):
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/D/")
    grid = page.locator("#q-D11")
    expect(grid.locator("tr[data-row]")).to_have_count(1)
    grid.locator("tr[data-row] input[type=text]").first.fill("Remittance cost by corridor")

    with page.expect_navigation():
        grid.get_by_role("button", name="Add a row to D11").click()

    expect(grid.locator("tr[data-row]")).to_have_count(2)
    assert page.url.endswith("#q-D11")
    new_row = grid.locator("tr[data-row]").nth(1)
    expect(new_row.locator("input[type=text]").first).to_be_focused()
    expect(new_row).to_be_in_viewport()
    # What was typed before is kept.
    expect(grid.locator("tr[data-row] input[type=text]").first).to_have_value(
        "Remittance cost by corridor"
    )


def test_choosing_a_reason_for_no_value_offers_to_clear_the_value(live_server, page: Page, world):
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/F/")
    staff = page.get_by_label(re.compile(r"^F2 "))
    staff.fill("3.5")
    staff.press("Tab")
    wait_until_saved(page)
    reason = page.locator("select[name='F2.status']")
    expect(reason.locator("option").first).to_have_text("None: I give an answer")

    reason.select_option("not_available")
    offer = page.locator("#q-F2 .clear-offer")
    expect(offer).to_contain_text("Not available")
    offer.get_by_role("button", name="Clear the answer").click()

    expect(staff).to_have_value("")
    expect(reason).to_have_value("not_available")
    wait_until_saved(page)
    answer = world.answer("F2")
    assert (answer.value, answer.status) == (None, "not_available")
    expect(page.locator("#q-F2 .error-message")).to_have_count(0)


def test_notes_are_named_by_their_question(live_server, page: Page, world):
    Answer.objects.create(
        country_return=world.return_a,
        authority=world.nso_a,
        question=Question.objects.get(section__questionnaire=world.round.questionnaire, code="F2"),
        value=2,
        updated_at=timezone.now(),
        note="Full-time equivalents of 2025",
    )
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/F/")
    expect(page.locator("#q-F2 summary")).to_have_text("Edit the note on F2")
    expect(page.locator("#q-F1 summary")).to_have_text("Add a note to F1")
    expect(page.get_by_label(re.compile(r"^Note on F2"))).to_have_value(
        "Full-time equivalents of 2025"
    )
