"""The planner's coverage page in Chromium, on a laptop and on a phone: change the radius, add
a what-if site by clicking the map, reload the URL, close a facility.

The page is rendered on the server and the URL holds the whole state, so every step is a
navigation; each one must keep the numbers consistent and the reload must reproduce the page.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Watched

START = "/planning?layer=platforms&layer=incubators"
SITE = (24.88, 118.53)
"""lat, lon of a spot in the north of the city, outside every catchment even at 5 km."""
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 850}},
    "phone": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}


def city_pct(page: Page) -> float:
    text = page.inner_text("#city-pct").strip()
    assert text.endswith("%"), text
    return float(text[:-1])


def cell(page: Page, unit: str, key: str) -> str:
    return page.inner_text(f"table#coverage tr[data-unit='{unit}'] td[data-key='{key}']").strip()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def wait_ready(page: Page) -> None:
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=20000)
    # the map fits its layers on load; wait until no zoom or pan animation is running
    page.wait_for_function("""() => { const cfg = JSON.parse(document.getElementById('planning-config').textContent);
        const m = window[cfg.map]; return m && !m._animatingZoom && !(m._panAnim && m._panAnim._inProgress); }""")


def navigate(page: Page, action) -> None:
    """Run ``action`` (which submits the form) and wait for the new page to be drawn."""
    with page.expect_navigation(timeout=20000):
        action()
    wait_ready(page)


def site_pixel(page: Page, lat: float, lon: float) -> tuple[float, float]:
    """The viewport pixel of (lat, lon) on the page's Leaflet map (scrolled into view)."""
    page.locator(".folium-map").scroll_into_view_if_needed()
    point = page.evaluate("""([lat, lon]) => {
        const cfg = JSON.parse(document.getElementById('planning-config').textContent);
        const map = window[cfg.map];
        const p = map.latLngToContainerPoint([lat, lon]);
        const box = map.getContainer().getBoundingClientRect();
        const x = box.left + p.x, y = box.top + p.y;
        const hit = document.elementFromPoint(x, y);
        return {x, y, inside: p.x > 0 && p.y > 0 && p.x < box.width && p.y < box.height,
                onMap: Boolean(hit && map.getContainer().contains(hit)
                               && !hit.closest('.leaflet-control'))}; }""", [lat, lon])
    assert point["inside"], f"({lat}, {lon}) is off the visible map: {point}"
    assert point["onMap"], f"({lat}, {lon}) is under a control or off screen: {point}"
    return point["x"], point["y"]


def snapshot(page: Page) -> dict:
    return {"headline": page.inner_text("#headline"), "pct": page.inner_text("#city-pct"),
            "coverage": page.inner_html("table#coverage"),
            "facilities": page.eval_on_selector_all("#facilities tbody tr", "rs => rs.map(r => r.dataset.id)")}


@pytest.fixture(scope="module")
def site_is_a_gap(client):
    """The site lies in the city, in today's gap at 5 km, and adding it raises coverage."""
    lat, lon = SITE
    where = client.get(f"/api/locate?lon={lon}&lat={lat}").json()
    assert where["in_city"] and where["town"]
    body = client.get(f"{START.replace('/planning', '/api/coverage')}&radius_m=5000"
                      f"&add={lon},{lat}").json()
    assert body["city_baseline_pct"] < 100 and body["city_covered_pct"] > body["city_baseline_pct"]
    return body


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_planning_what_if_flow(browser, base_url, artifacts, site_is_a_gap, device):
    context = browser.new_context(**VIEWPORTS[device])
    watched = Watched(context.new_page(), base_url)
    try:
        page = watched.page
        page.goto(base_url + START)
        wait_ready(page)
        width = VIEWPORTS[device]["viewport"]["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, "page scrolls sideways"
        today = city_pct(page)
        assert 0 < today < 100
        assert cell(page, "city", "covered_pct") == f"{today:.1f}"
        assert page.locator("table#coverage td[data-key=change_pct]").count() == 0
        page.screenshot(path=artifacts / f"planning-{device}-start.png")

        # a larger radius covers more
        page.fill("#radius", "5000")
        navigate(page, lambda: page.click("#compute"))
        assert query(page)["radius_m"] == ["5000"]
        assert query(page)["layer"] == ["platforms", "incubators"]
        wider = city_pct(page)
        assert wider > today
        assert page.input_value("#radius") == "5000"

        # add a site where there is none: click "add a site", then the map
        page.click("#add-site")
        assert page.inner_text("#map-mode").strip()
        x, y = site_pixel(page, *SITE)
        if device == "phone":
            navigate(page, lambda: page.touchscreen.tap(x, y))
        else:
            navigate(page, lambda: page.mouse.click(x, y))
        added = query(page)["add"]
        assert len(added) == 1
        lon, lat = map(float, added[0].split(","))
        tolerance = 0.003  # a few pixels at the fitted zoom
        assert abs(lon - SITE[1]) < tolerance and abs(lat - SITE[0]) < tolerance, added
        assert query(page)["radius_m"] == ["5000"]
        keys = page.eval_on_selector_all("table#coverage tr[data-unit=city] td",
                                         "tds => tds.map(td => td.dataset.key)")
        assert keys[-3:] == ["covered_pct", "baseline_pct", "change_pct"]
        assert float(cell(page, "city", "baseline_pct")) == pytest.approx(wider, abs=0.05)
        change = float(cell(page, "city", "change_pct"))
        assert change > 0
        with_site = city_pct(page)
        assert with_site == pytest.approx(wider + change, abs=0.11)
        assert page.inner_text("#city-baseline").strip() == f"{wider:.1f}%"
        assert page.locator("#whatif-list input[name=add]").count() == 1
        page.screenshot(path=artifacts / f"planning-{device}-added.png", full_page=True)

        # the URL is the whole state: a reload shows the same page
        before = snapshot(page)
        url = page.url
        page.reload()
        wait_ready(page)
        assert page.url == url
        assert snapshot(page) == before

        # close an existing facility from the facilities table
        row = page.locator("#facilities tbody tr").filter(has=page.locator("button.mini")).first
        fid = row.get_attribute("data-id")
        close = row.locator("button.mini").first
        assert close.inner_text() in ("关闭", "Close")
        navigate(page, lambda: close.click())
        assert query(page)["close"] == [fid]
        assert query(page)["add"] == added
        assert city_pct(page) <= with_site
        assert fid not in snapshot(page)["facilities"]
        assert float(cell(page, "city", "baseline_pct")) == pytest.approx(wider, abs=0.05)
        page.screenshot(path=artifacts / f"planning-{device}-closed.png", full_page=True)

        assert watched.dialogs == []
        assert watched.foreign == [], f"requests left the server: {watched.foreign}"
        assert watched.errors == [], f"console errors: {watched.errors}"
    finally:
        context.close()
