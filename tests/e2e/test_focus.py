"""The focus indicator, as WCAG 2.2 (2.4.11/2.4.13) and GOV.UK ask: whatever takes the keyboard's
focus shows an indicator at 3:1 against the background it sits on."""

import pytest
from playwright.sync_api import Page

from tests.e2e.test_return_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Reads the focused element's indicator colours (outline, box-shadows, a changed background) and
# the first opaque background behind it, and returns the best contrast ratio among them.
FOCUS_CONTRAST = """() => {
  const el = document.activeElement;
  const rgb = text => (text.match(/rgba?\\([^)]*\\)/g) || []).map(c => {
    const n = c.match(/[\\d.]+/g).map(Number);
    return {r: n[0], g: n[1], b: n[2], a: n.length > 3 ? n[3] : 1};
  });
  const lum = c => [c.r, c.g, c.b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  let behind = {r: 255, g: 255, b: 255, a: 1};
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = rgb(getComputedStyle(node).backgroundColor)[0];
    if (bg && bg.a > 0.5) { behind = bg; break; }
  }
  const style = getComputedStyle(el);
  const indicators = [];
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
    indicators.push(...rgb(style.outlineColor));
  }
  indicators.push(...rgb(style.boxShadow));
  indicators.push(...rgb(style.backgroundColor));
  const seen = indicators.filter(c => c.a > 0.5);
  const best = Math.max(0, ...seen.map(c => ratio(c, behind)));
  return {tag: el.tagName, name: el.name || el.textContent.trim().slice(0, 40), best};
}"""


def test_every_focus_stop_shows_an_indicator_at_three_to_one(live_server, page: Page, world):
    sign_in(page, live_server.url, world.focal_point_a.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/returns/{world.return_a.pk}/sections/A/")
    page.locator("body").focus()
    checked = []
    for _stop in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        found = page.evaluate(FOCUS_CONTRAST)
        checked.append(found)
        assert found["best"] >= 3, f"{found['tag']} {found['name']!r}: {found['best']:.2f}:1"
    # The walk went through the header, the skip link, the save bar and the answers.
    assert len(checked) >= 20
    assert {"A", "INPUT", "BUTTON"} <= {found["tag"] for found in checked}
