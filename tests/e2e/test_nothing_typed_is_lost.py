"""Nothing typed is lost: Save while offline, a save status in sight, changes from other windows."""

import re

import pytest
from playwright.sync_api import Page, expect

from responses.models import Answer
from tests.e2e.test_return_flow import assert_accessible, sign_in, wait_until_saved

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFLINE = "You are offline: your answers are kept on this device"


def a3(page: Page):
    return page.get_by_label(re.compile(r"^A3 "))


def test_save_while_offline_keeps_the_page_and_saves_when_the_connection_returns(
    live_server, page: Page, world
):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")
    page.context.set_offline(True)

    a3(page).fill("Typed while offline")
    page.get_by_role("button", name="Save", exact=True).click()

    status = page.locator("#save-status")
    expect(status).to_contain_text(OFFLINE)
    expect(a3(page)).to_have_value("Typed while offline")  # still the section page
    expect(page.locator("#q-A3 .not-saved")).to_be_visible()
    stored = page.evaluate("JSON.stringify(localStorage)")
    assert "Typed while offline" in stored
    assert not Answer.objects.filter(question__code="A3").exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until_saved(page)
    assert Answer.objects.get(question__code="A3").value == "Typed while offline"
    expect(page.locator("#q-A3 .not-saved")).to_have_count(0)
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_the_local_copy_is_dropped_only_once_the_save_button_was_answered(
    live_server, page: Page, world
):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")
    # The form is sent, but the reply never arrives (the connection drops on the way).
    page.route(
        "**/sections/A/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    a3(page).fill("Sent but never answered")
    page.evaluate("document.querySelector('form[data-autosave-url]').requestSubmit()")
    page.wait_for_load_state()  # the browser's own error page

    page.unroute("**/sections/A/")
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/A/")
    expect(a3(page)).to_have_value("Sent but never answered")
    # Saved by the autosave the page sent as it left, or by the restore on this page: either
    # way the server ends with the answer, and the page shows it.
    expect(page.locator("#save-status")).not_to_contain_text("Restoring")
    stored = None
    for _attempt in range(50):
        stored = Answer.objects.filter(question__code="A3").values_list("value", flat=True).first()
        if stored == "Sent but never answered":
            break
        page.wait_for_timeout(100)
    assert stored == "Sent but never answered"

    # A Save that the server confirms leaves nothing behind to restore.
    a3(page).fill("Saved with the button")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    # Polled from Python: wait_for_function evaluates a string in the page, which the CSP forbids.
    left = None
    for _attempt in range(50):
        left = page.evaluate("Object.keys(localStorage).length")
        if left == 0:
            break
        page.wait_for_timeout(100)
    assert left == 0
    assert Answer.objects.get(question__code="A3").value == "Saved with the button"


def test_the_save_status_stays_in_sight_at_the_top_of_a_long_section(
    live_server, page: Page, world
):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base, world.focal_point_a.email)
    page.goto(f"{base}/returns/{world.return_a.pk}/sections/D/")
    page.evaluate("window.scrollTo(0, 0)")

    bar = page.locator(".save-bar")
    expect(bar).to_be_in_viewport()
    box = bar.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 800 + 1
    assert page.evaluate("document.documentElement.scrollHeight") > 3000
    assert_accessible(page)


def test_a_window_hears_of_an_answer_changed_in_another_window(live_server, page: Page, world):
    base = live_server.url
    sign_in(page, base, world.focal_point_a.email)
    url = f"{base}/returns/{world.return_a.pk}/sections/A/"
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)

    a3(other).fill("Typed in the other window")
    a3(other).press("Tab")
    wait_until_saved(other)

    # This window still shows the old (empty) value; its next save brings the news.
    page.bring_to_front()
    page.locator("#f-A8-yes").check()
    wait_until_saved(page)
    expect(a3(page)).to_have_value("Typed in the other window")
    note = page.locator("#q-A3 .changed-elsewhere")
    expect(note).to_contain_text("You changed this answer in another window")
    expect(note).to_contain_text("Typed in the other window")

    # Its later saves of A3 start from the new version: no silent change, no false conflict.
    a3(page).fill("Corrected here")
    a3(page).press("Tab")
    wait_until_saved(page)
    answer = Answer.objects.get(question__code="A3")
    assert (answer.value, answer.version) == ("Corrected here", 2)
    expect(page.locator(".conflict")).to_have_count(0)
    assert_accessible(page)
    other.close()
