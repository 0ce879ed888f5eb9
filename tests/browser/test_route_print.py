"""Visit routes in Chromium: built through the page (search, add, reorder), shared by their
URL, and printed to A4 as an investor's itinerary.

Printing is done as in tests/browser/test_print.py (whose helpers this reuses): print media on
a viewport as wide as the paper's content, after the map says it is laid out for print, then
pypdf counts the pages, poppler reads the text and renders the page, zxing-cpp decodes the QR
code, which must be exactly the route's URL.  Screenshots and PDFs go to
tests/artifacts/route-*.
"""

from __future__ import annotations

import pytest

from atlas.web.app import create_app
from tests.browser.conftest import Watched, watched_page
from tests.browser.test_print import (PAPER_VIEWPORT, PHONE, assert_clean, assert_same_map, listed,
                                      map_as_laid_out, map_on_paper, pdf_pages, qr_texts, render, squash)

FIVE = ["sanchuang-park", "clfi-jinjiang", "icc-platform", "jhicc", "hengan"]
EIGHT = ["sanchuang-park", "ucas-intelligent-manufacturing", "xtep", "clfi-jinjiang",
         "national-apparel-qc-center", "jhicc", "hengan", "shanghai-sixth-fujian-hospital"]
"""Eight stops with long names and a placeholder (an extra line): one page still."""
FIFTEEN = ["sanchuang-park", "ucas-intelligent-manufacturing", "cas-quanzhou-equipment-institute",
           "fzu-jinjiang-microelectronics", "strait-graphene-institute", "clfi-jinjiang", "xtep",
           "national-apparel-qc-center", "icc-platform", "jhicc", "hengan", "anta-sports",
           "marine-bio-institute", "hongshan-design-park", "sanchuang-park"]


def route_path(ids: list[str], lang: str = "zh") -> str:
    return "/route?stops=" + ",".join(ids) + ("&lang=en" if lang == "en" else "")


@pytest.fixture(scope="module")
def route_url(settings, serve) -> str:
    """The shipped atlas, with the visit-route page, over HTTP."""
    return serve(create_app(settings))


@pytest.fixture
def browser_page(browser, route_url):
    """A watched desktop page, checked clean (no console error, nothing fetched elsewhere)."""
    context, watched = watched_page(browser, route_url)
    yield watched
    context.close()
    assert_clean(watched)


def print_route(watched: Watched, path: str) -> tuple[bytes, list[str]]:
    """Open a route, lay it out as on paper, print A4; the PDF and each page's text."""
    page = watched.open(path)
    page.set_viewport_size(PAPER_VIEWPORT)
    page.emulate_media(media="print")
    page.wait_for_selector("body[data-layout=print]", state="attached")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(500)  # Leaflet redraws on the next frame
    pdf = page.pdf(format="A4", print_background=True)
    return pdf, pdf_pages(pdf)


def table_ids(page) -> list[str]:
    return page.eval_on_selector_all("#route-table tbody tr", "rows => rows.map(r => r.dataset.id)")


def add_stop(page, query: str, stop_id: str, route_url: str, expected: list[str]) -> None:
    """Search for ``query`` in the builder, add ``stop_id``, and land on the longer route."""
    page.fill("#route-q", query)
    page.click(f"#route-results button[data-id='{stop_id}']")
    page.wait_for_url(route_url + route_path(expected))
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert table_ids(page) == expected
    assert page.evaluate("document.activeElement.id") == "route-q"  # ready for the next stop


# ------------------------------------------------------------------ building
def test_build_a_route_search_add_reorder_and_reopen_it(browser_page, browser, route_url, artifacts):
    page = browser_page.open("/route")
    assert page.is_visible("#route-builder") and page.is_visible("#route-empty")
    assert page.locator("#qr").count() == 0  # nothing to share yet

    add_stop(page, "三创园", "sanchuang-park", route_url, ["sanchuang-park"])
    # Only places one visits are offered: a town matching the search is not.
    page.fill("#route-q", "金井")
    page.wait_for_selector("#route-results li")
    offered = page.eval_on_selector_all("#route-results button", "bs => bs.map(b => b.dataset.id)")
    assert offered and "jinjing" not in offered
    add_stop(page, "jinhua", "jhicc", route_url, ["sanchuang-park", "jhicc"])
    add_stop(page, "恒安", "hengan", route_url, ["sanchuang-park", "jhicc", "hengan"])

    # The same stop twice in a row is refused on the page, without leaving it.
    page.fill("#route-q", "恒安")
    page.click("#route-results button[data-id='hengan']")
    assert "同一站点不能连续出现" in page.inner_text("#route-message")
    assert page.url == route_url + route_path(["sanchuang-park", "jhicc", "hengan"])

    # Move the third stop up: the URL is the new order, and so is the table.
    page.click("#stop-3 button[data-move=up]")
    reordered = ["sanchuang-park", "hengan", "jhicc"]
    page.wait_for_url(route_url + route_path(reordered))
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert table_ids(page) == reordered
    assert page.eval_on_selector_all(".num-marker .num", "ns => ns.map(n => n.textContent).sort()") == ["1", "2", "3"]
    totals = page.inner_text("#route-totals")
    assert page.inner_text("#live-url") == route_url + route_path(reordered)
    assert page.get_attribute("#lang-switch", "href") == route_path(reordered, "en")
    page.screenshot(path=artifacts / "route-built.png", full_page=True)

    # The URL alone reopens the same route, in another browser.
    context, other = watched_page(browser, route_url)
    try:
        again = other.open(route_path(reordered))
        assert table_ids(again) == reordered and again.inner_text("#route-totals") == totals
        assert_clean(other)
    finally:
        context.close()

    # Removing a stop.
    page.click("#stop-2 button[data-move=remove]")
    page.wait_for_url(route_url + route_path(["sanchuang-park", "jhicc"]))


def test_removing_a_stop_between_two_visits_of_the_same_place_merges_them(browser_page, route_url):
    page = browser_page.open(route_path(["sanchuang-park", "jhicc", "sanchuang-park", "hengan"]))
    page.click("#stop-2 button[data-move=remove]")
    page.wait_for_url(route_url + route_path(["sanchuang-park", "hengan"]))
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert "已去掉一个连续重复的站点" in page.inner_text("#route-message")


# ------------------------------------------------------------------ paper
@pytest.mark.parametrize("ids, lang, pages", [(FIVE, "zh", 1), (EIGHT, "en", 1), (FIFTEEN, "zh", 2)],
                         ids=["5-stops", "8-stops-en", "15-stops"])
def test_the_printed_itinerary(ids, lang, pages, browser_page, route_url, app, artifacts):
    path = route_path(ids, lang)
    pdf, texts = print_route(browser_page, path)
    name = f"route-{len(ids)}-{lang}"
    (artifacts / f"{name}.pdf").write_bytes(pdf)
    image = render(pdf)
    image.save(artifacts / f"{name}-page-1.png")
    assert len(texts) == pages, f"{len(ids)} stops printed on {len(texts)} pages"
    for number, text in enumerate(texts, start=1):
        assert len(squash(text)) > 100, f"page {number} is (nearly) blank"

    # The QR code on paper is exactly the route's URL, which is printed beside it.
    url = route_url + path
    assert qr_texts(image) == [url]
    # (pdftotext drops a hyphen that ends a line, as in "icc-" / "platform": compare without them)
    assert squash(url).replace("-", "") in squash("".join(texts)).replace("-", "")
    # Every stop's name is on paper, and what the estimate means.
    everything = "".join(texts)
    atlas = app.state.live.current()
    for stop_id in ids:
        assert listed(atlas.entity(stop_id).props[f"name_{lang}"], everything), stop_id
    assert squash("Drive times are estimates" if lang == "en" else "车程为估算") in squash(everything)
    # Nothing for the screen is printed: no builder, no buttons, no navigate links.
    for word in (("Build the route", "Navigate here", "Move up") if lang == "en" else
                 ("编排路线", "导航到这里", "加入路线")):
        assert squash(word) not in squash(everything), word

    page = browser_page.page
    page.screenshot(path=artifacts / f"{name}-print-media.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")  # wider would print scaled down
    assert width <= PAPER_VIEWPORT["width"], f"the sheet is {width}px wide, wider than the paper"
    located = [i for i in dict.fromkeys(ids) if atlas.entity(i).props["precision"] != "placeholder"]
    assert page.locator(".num-marker").count() == len(located)
    inner, expected = map_as_laid_out(page, ".route-map")
    assert_same_map(expected, map_on_paper(pdf, inner), path, artifacts / f"{name}-map-check.png")


# ------------------------------------------------------------------ a phone
SMALL_TEXT = """() => Array.from(document.querySelectorAll('#route-builder *, #route *')).filter(function (e) {
  if (e.closest('[hidden], [aria-hidden=true], .leaflet-container, script, style, sup')) return false;  // a footnote mark is small
  var own = Array.from(e.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  var box = e.getBoundingClientRect();
  return own && box.width && box.height && parseFloat(getComputedStyle(e).fontSize) < 12;
}).map(function (e) { return [e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)]; })"""
"""Text on the page (the builder and the sheet, not the map) smaller than 12 px."""


def test_the_route_on_a_phone(browser, route_url, artifacts):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    watched = Watched(context.new_page(), route_url)
    try:
        page = watched.open(route_path(["sanchuang-park", "xtep", "clfi-jinjiang", "icc-platform"], "en"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
        small = page.evaluate(SMALL_TEXT)
        assert small == [], f"text under 12px on a phone: {small}"
        for target in ("#route-q", "#route-search button", "#stop-2 button[data-move=up]",
                       "#stop-3 .gt-amap", "#print-button"):
            box = page.locator(target).bounding_box()
            assert box["height"] >= 44, f"{target} is {box['height']}px tall"
        page.screenshot(path=artifacts / "route-phone.png", full_page=True)
        assert_clean(watched)
    finally:
        context.close()
