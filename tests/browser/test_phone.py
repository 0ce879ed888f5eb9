"""The atlas on a phone (375×812, touch): map first, search visible on load, a bottom sheet for
results and filters, taps that never scroll the map away, and tap targets of at least 44 px."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import Watched

PHONE = {"width": 375, "height": 812}
MIN_TARGET = 44

SMALL_TARGETS = """() => {
  const sel = 'a[href], button, input, select, summary, [role=button], [role=tab], [tabindex]:not([tabindex="-1"]), .marker-cluster';
  const out = [];
  for (const node of document.querySelectorAll(sel)) {
    const r = node.getBoundingClientRect();
    const style = getComputedStyle(node);
    if (!r.width || !r.height || style.visibility === 'hidden') continue;   // not shown
    if (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) continue;  // off screen
    if (node.closest('[hidden], .print-only')) continue;
    if (r.height < %d || r.width < %d) out.push([node.tagName, (node.textContent || node.getAttribute('aria-label') || node.className).trim().slice(0, 30), Math.round(r.width), Math.round(r.height)]);
  }
  return out;
}""" % (MIN_TARGET, MIN_TARGET)

SMALL_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!node.textContent.trim() || !parent || parent.closest('script, style, [hidden], .print-only, svg')) continue;
    const r = parent.getBoundingClientRect();
    if (!r.width || !r.height || r.bottom <= 0 || r.top >= innerHeight) continue;
    const size = parseFloat(getComputedStyle(parent).fontSize);
    if (size < 12) out.push([node.textContent.trim().slice(0, 30), size]);
  }
  return out;
}"""


@pytest.fixture
def phone(browser, base_url) -> Iterator[Watched]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    watched = Watched(context.new_page(), base_url)
    yield watched
    context.close()
    assert watched.foreign == [], f"requests left the server: {watched.foreign}"
    assert watched.errors == [], f"console errors: {watched.errors}"


def on_screen(box) -> bool:
    return (box is not None and box["y"] >= 0 and box["x"] >= 0
            and box["y"] + box["height"] <= PHONE["height"] and box["x"] + box["width"] <= PHONE["width"] + 1)


def popup_box(page):
    page.wait_for_selector(".leaflet-popup", timeout=5000)
    return page.query_selector(".leaflet-popup").bounding_box()


def test_search_is_visible_on_load_and_results_show_without_scrolling(phone, client, artifacts):
    page = phone.open("/")
    assert on_screen(page.query_selector("#q").bounding_box())
    page.screenshot(path=artifacts / "phone-atlas.png")
    page.tap("#q")
    page.fill("#q", "福大")
    expected = client.get("/api/entities?q=福大").json()["features"]
    page.wait_for_function(f"() => document.querySelectorAll('#entity-list .entity').length === {len(expected)}")
    page.wait_for_timeout(300)  # the sheet's slide
    first = page.query_selector("#entity-list .entity")
    assert on_screen(first.bounding_box()), first.bounding_box()
    assert page.evaluate("scrollY") == 0
    page.screenshot(path=artifacts / "phone-search.png")
    # tapping a result shows it on the map with its card; the page does not move
    first.tap()
    box = popup_box(page)
    assert on_screen(box), box
    assert page.evaluate("scrollY") == 0
    assert page.evaluate("new URLSearchParams(location.search).get('sel')") == expected[0]["id"]
    page.screenshot(path=artifacts / "phone-result-card.png")


def test_tapping_a_dot_shows_its_card_and_keeps_the_map(phone, artifacts):
    page = phone.open("/")
    # zoom in (as a visitor would) to where the first platform stands, past clustering
    page.evaluate("""(() => { const m = window.atlasPage.markers;
        const id = Object.keys(m).find(k => m[k].getLatLng);
        window.atlasPage.map.setView(m[id].getLatLng(), 16, {animate: false}); })()""")
    page.wait_for_timeout(300)
    target = page.evaluate("""(() => {
        const map = window.atlasPage.map, m = window.atlasPage.markers, r = map.getContainer().getBoundingClientRect();
        for (const id of Object.keys(m)) {
          if (!m[id].getLatLng || !m[id]._map) continue;
          const p = map.latLngToContainerPoint(m[id].getLatLng());
          if (p.x > 40 && p.y > 60 && p.x < r.width - 40 && p.y < r.height - 80) return [id, r.left + p.x, r.top + p.y];
        }
        return null; })()""")
    assert target, "no dot in view at the test position"
    page.touchscreen.tap(target[1], target[2])
    box = popup_box(page)
    assert on_screen(box), box
    assert page.evaluate("scrollY") == 0
    assert page.evaluate("new URLSearchParams(location.search).get('sel')") == target[0]
    page.wait_for_timeout(400)  # the card's fade-in
    assert page.evaluate("window.atlasPage.map.getZoom()") == 16  # the map stayed where it was tapped
    page.screenshot(path=artifacts / "phone-dot-card.png")


@pytest.mark.parametrize("state", ["peek", "results", "filters", "legend"])
def test_every_tap_target_is_at_least_44px_and_text_at_least_12px(phone, state):
    page = phone.open("/?q=三创")
    if state == "results":
        page.tap("#tab-results")
    elif state == "filters":
        page.tap("#tab-filters")
    elif state == "legend":
        page.tap("#legend summary")
    page.wait_for_timeout(300)
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(SMALL_TEXT) == []
    assert page.evaluate("scrollY") == 0


def test_the_sheet_never_scrolls_the_page(phone):
    page = phone.open("/")
    page.tap("#tab-results")
    page.wait_for_timeout(300)
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(200)
    assert page.evaluate("scrollY") == 0
    assert page.evaluate("document.documentElement.scrollHeight") <= PHONE["height"] + 1


@pytest.mark.parametrize("path", ["/platforms/clfi-jinjiang?lang=en", "/platforms/clfi-jinjiang",
                                  "/enterprises/jhicc?lang=en", "/parks/wuli-park?lang=en"])
def test_profiles_fit_the_phones_width(phone, path):
    """A long source address or name wraps; the page never scrolls sideways."""
    page = phone.page
    page.goto(phone.base_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
