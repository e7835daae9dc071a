"""Two minutes before the session ends, a warning with a button to stay signed in (WCAG 2.2.1)."""

import pytest
from playwright.sync_api import Page, expect

from config import sessions
from tests.e2e.test_return_flow import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_warning_before_the_session_ends_lets_the_person_stay_signed_in(
    live_server, page: Page, world, settings, monkeypatch
):
    settings.SESSION_COOKIE_AGE = 124  # the warning comes after 4 seconds
    monkeypatch.setattr(sessions, "RENEW_AFTER_SECONDS", 0)  # every request renews
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/")

    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=15000)
    expect(warning).to_contain_text("signed out in 2 minutes")
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert_accessible(page)

    page.wait_for_timeout(2000)  # time passes: staying signed in renews the whole idle limit
    stay.click()
    expect(warning).to_be_hidden()
    page.wait_for_timeout(1500)  # the warning would be back by now without the renewal
    expect(warning).to_be_hidden()
    # Still signed in: the next page opens without asking for the password.
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
