"""The browser's copy of unsaved answers belongs to one person: never replayed to another account,
forgotten on signing out."""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from responses.models import Answer, Membership
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def kept_keys(page: Page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter(function (key) {"
        " return key.indexOf('autosave:') === 0; })"
    )


def test_answers_kept_by_the_browser_are_not_replayed_for_another_account(
    live_server, page: Page, world
):
    colleague = UserFactory(email="colleague@example.org", username="colleague@example.org")
    Membership.objects.create(
        user=colleague,
        role=Membership.Role.FOCAL_POINT,
        country_return=world.return_a,
        authority=world.nso_a,
    )
    base = live_server.url
    section = f"{base}/returns/{world.return_a.pk}/sections/A/"
    sign_in(page, base, world.focal_point_a.email)
    page.goto(section)
    Session.objects.all().delete()  # the session ends
    page.get_by_label(re.compile(r"^A3 ")).fill("Typed by the first person")
    page.get_by_label(re.compile(r"^A3 ")).press("Tab")
    expect(page.locator("#save-status")).to_contain_text("signed out")
    assert len(kept_keys(page)) == 1

    page.reload()  # the sign-in page, which returns to the section
    page.get_by_label("E-mail address").fill(colleague.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_label(re.compile(r"^A3 "))).to_have_value("")
    expect(page.locator("#save-status")).not_to_contain_text("Restoring")
    page.wait_for_timeout(500)
    assert not Answer.objects.filter(question__code="A3").exists()


def test_signing_out_forgets_the_answers_kept_by_the_browser(live_server, page: Page, world):
    base = live_server.url
    section = f"{base}/returns/{world.return_a.pk}/sections/A/"
    sign_in(page, base, world.focal_point_a.email)
    page.goto(section)
    page.route("**/autosave/", lambda route: route.abort())  # the connection is down
    page.get_by_label(re.compile(r"^A3 ")).fill("Not saved yet")
    page.get_by_label(re.compile(r"^A3 ")).press("Tab")
    expect(page.locator("#save-status")).to_contain_text("connection failed")
    assert len(kept_keys(page)) == 1

    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved answers?"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    assert kept_keys(page) == []
    page.unroute("**/autosave/")
    sign_in(page, base, world.focal_point_a.email)
    page.goto(section)
    expect(page.get_by_label(re.compile(r"^A3 "))).to_have_value("")
    assert not Answer.objects.filter(question__code="A3").exists()
