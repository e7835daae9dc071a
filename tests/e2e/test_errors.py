"""Errors as GOV.UK shows them: the summary takes the focus, the title says "Error:", each field
shows its own message above it and a red border."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from consultation.models import Round
from responses.invitations.services import issue_invitation
from responses.models import Membership
from tests.e2e.test_return_flow import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ERROR_RED = "rgb(176, 0, 32)"


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_signing_in_with_empty_fields_shows_an_error_summary_not_browser_bubbles(
    live_server, page: Page, world
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.locator("#error-summary")).to_be_focused()
    email = page.get_by_label("E-mail address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_css("border-top-color", ERROR_RED)
    message = page.locator("#id_username-error")
    expect(message).to_be_visible()
    # The message sits above its field, and the field names it.
    assert message.bounding_box()["y"] < email.bounding_box()["y"]
    expect(email).to_have_accessible_description(re.compile("required|Enter", re.IGNORECASE))
    page.locator("#error-summary a").first.click()
    assert focused_id(page) == "id_username"
    assert_accessible(page)


def test_a_wrong_password_names_the_problem_and_keeps_the_address(live_server, page: Page, world):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(world.focal_point_a.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#error-summary")).to_contain_text("didn't match")
    expect(page.get_by_label("E-mail address")).to_have_value(world.focal_point_a.email)


def test_a_failed_save_focuses_the_summary_and_marks_the_field(live_server, page: Page, world):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/F/")
    staff = page.get_by_label(re.compile(r"^F2 "))
    staff.fill("about twelve")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_title(re.compile(r"^Error: F\. "))
    expect(page.locator("#error-summary")).to_be_focused()
    staff = page.get_by_label(re.compile(r"^F2 "))
    expect(staff).to_have_value("about twelve")
    expect(staff).to_have_attribute("aria-invalid", "true")
    expect(staff).to_have_css("border-top-color", ERROR_RED)
    message = page.locator("#q-F2 .error-message")
    assert message.bounding_box()["y"] < staff.bounding_box()["y"]
    page.locator("#error-summary a").first.click()
    assert focused_id(page) == "f-F2"
    assert_accessible(page)


def test_a_password_reset_with_two_different_passwords_names_the_fields(
    live_server, page: Page, world
):
    user = world.focal_point_a
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page.goto(f"{live_server.url}/accounts/reset/{uid}/{token}/")
    page.get_by_label("New password", exact=True).fill("a long enough password 1")
    page.get_by_label("New password again").fill("a long enough password 2")
    page.get_by_role("button", name="Set my password").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#error-summary")).to_be_focused()
    again = page.get_by_label("New password again")
    expect(again).to_have_accessible_description(re.compile("New password again"))
    expect(page.get_by_label("New password", exact=True)).to_have_accessible_description(
        re.compile("At least 12 characters")
    )
    assert_accessible(page)


def test_forwarding_without_a_section_focuses_the_summary_which_leads_to_the_choices(
    live_server, page: Page, world
):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/forward/")
    page.get_by_role("button", name=re.compile("Next|Continue")).click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.locator("a").first.click()
    # The link moves the focus to the first section's checkbox, not merely to the page's top.
    focused = page.evaluate("document.activeElement.type + ':' + document.activeElement.name")
    assert focused.startswith("checkbox:")
    assert_accessible(page)


def test_accepting_an_invitation_with_two_different_passwords_focuses_the_summary(
    live_server, page: Page, world
):
    world.round.status = Round.Status.OPEN
    world.round.save()
    mail.outbox.clear()
    issue_invitation(
        email="officer@interior.example.org",
        role=Membership.Role.RESPONDENT,
        country_return=world.return_a,
        authority=world.interior_a,
        invited_by=world.focal_point_a,
        full_name="Wanjiku Kamau",
    )
    body = next(m.body for m in mail.outbox if m.to == ["officer@interior.example.org"])
    link = re.search(r"/invitations/accept/\?token=[A-Za-z0-9_-]+", body).group(0)
    page.goto(live_server.url + link)
    page.get_by_label("Password (required)", exact=True).fill("migration figures 2026!")
    page.get_by_label("Password again").fill("migration figures 2027!")
    page.get_by_role("button", name=re.compile("Create my account")).click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.locator("a").first.click()
    assert focused_id(page).startswith("id_password")
    assert_accessible(page)
