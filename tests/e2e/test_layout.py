"""The overview, section D and an authority's page at 1280, 390 and 320 px: no sideways scrolling
of the page, headers in sight, and the screenshots in docs/screenshots (UPDATE_SCREENSHOTS=1)."""

import os
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from responses.models import Assignment
from tests.e2e.test_return_flow import assert_accessible, sign_in, wait_until_saved

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (1280, 390)


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: docs/screenshots when asked to update them, else a scratch folder."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str, *, full_page: bool = True) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)

    return take


def assert_no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def test_the_return_overview_fits_every_width(live_server, page: Page, world, shots):
    sign_in(page, live_server.url, world.focal_point_a.email)
    for width in (*WIDTHS, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/returns/{world.return_a.pk}/")
        assert_no_sideways_scrolling(page)
        if width in WIDTHS:
            shots(page, f"overview-{width}")
    assert_accessible(page)


def test_an_authority_sees_its_own_page_at_every_width(live_server, page: Page, world, shots):
    world.focal_point_a.first_name, world.focal_point_a.last_name = "Wanjiru", "Kamau"
    world.focal_point_a.save()
    Assignment.objects.filter(pk=world.assignment.pk).update(due_date=date(2026, 3, 31))
    sign_in(page, live_server.url, world.respondent_a.email)
    for width in (*WIDTHS, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/returns/{world.return_a.pk}/")
        expect(page.get_by_role("link", name=re.compile(r"^C\. "))).to_be_visible()
        expect(page.locator(".what-to-do")).to_contain_text("31 March 2026")
        expect(page.locator(".what-to-do")).to_contain_text("Wanjiru Kamau")
        assert_no_sideways_scrolling(page)
        if width in WIDTHS:
            shots(page, f"authority-{width}")
    assert_accessible(page)


def test_section_d_asks_follow_ups_only_for_available_indicators(
    live_server, page: Page, world, shots
):
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/D/")
    grid = page.locator("#q-D2")
    row = grid.locator("tr[data-row=a_stock_foreign_born]")
    source = row.locator("td[data-column=source] .cell")
    expect(source).to_be_hidden()
    row.locator("select[name='D2.a_stock_foreign_born.availability']").select_option("regular")
    expect(source).to_be_visible()
    expect(row.locator("td[data-column=disaggregations] .cell")).to_be_visible()
    wait_until_saved(page)
    # Rows not answered yet still ask nothing more.
    expect(
        grid.locator("tr[data-row=a_immigration_flow] td[data-column=source] .cell")
    ).to_be_hidden()
    assert_accessible(page)

    # The column headers stay in sight while the grid scrolls.
    scroller = grid.locator(".grid-scroll")
    header = grid.locator("thead th").nth(1)
    scroller.evaluate("box => box.scrollTo(0, box.scrollHeight)")
    page.wait_for_timeout(100)
    header_box, scroller_box = header.bounding_box(), scroller.bounding_box()
    assert header_box is not None
    assert scroller_box is not None
    assert abs(header_box["y"] - scroller_box["y"]) < 3

    scroller.evaluate("box => box.scrollTo(0, 0)")
    grid.scroll_into_view_if_needed()
    shots(page, "section-d-1280", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/D/")
    assert_no_sideways_scrolling(page)
    page.locator("#q-D2").scroll_into_view_if_needed()
    shots(page, "section-d-390", full_page=False)


def test_a_checklist_in_a_grid_cell_is_never_clipped_by_its_scroll_box(
    live_server, page: Page, world
):
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/D/")
    grid = page.locator("#q-D2")
    row = grid.locator("tr[data-row=a_stock_foreign_born]")
    row.locator("select[name='D2.a_stock_foreign_born.availability']").select_option("regular")
    cell = row.locator("td[data-column=disaggregations] .cell")
    expect(cell).to_be_visible()
    boxes = cell.locator("input[type=checkbox]")
    assert boxes.count() > 3
    # The cell itself never hides part of its list: only the grid's box scrolls.
    hidden = cell.evaluate(
        "c => [c.scrollHeight - c.clientHeight, c.scrollWidth - c.clientWidth]"
        ".map(n => Math.max(n, 0))"
    )
    assert hidden == [0, 0], f"the cell hides {hidden} px of its checklist"
    scroller = grid.locator(".grid-scroll").bounding_box()
    assert scroller is not None
    for index in range(boxes.count()):
        box = boxes.nth(index)
        box.scroll_into_view_if_needed()
        place = box.bounding_box()
        scroller = grid.locator(".grid-scroll").bounding_box()
        assert place is not None
        assert scroller is not None
        assert (
            scroller["x"] - 1
            <= place["x"]
            <= scroller["x"] + scroller["width"] - place["width"] + 1
        )
        assert (
            scroller["y"] - 1
            <= place["y"]
            <= scroller["y"] + scroller["height"] - place["height"] + 1
        )
        # Its label is in sight beside it, not cut off by the cell's edge.
        label = page.locator(f"label[for='{box.get_attribute('id')}']")
        if label.count():
            label_place = label.first.bounding_box()
            assert label_place is not None
            assert label_place["x"] + label_place["width"] <= scroller["x"] + scroller["width"] + 1
