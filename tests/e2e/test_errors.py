"""Errors as GOV.UK shows them: the summary takes the focus, the title says "Error:", each field
shows its own message above it and a red border."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

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
