"""Editing in a real browser: log in, drag a point, paste a GCJ-02 position, draw a park with
Leaflet-Geoman, undo from the history page, log out — and the public atlas shows each state."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from pyproj import Transformer

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.crs import to_wgs84
from atlas.web.app import create_app
from tests.browser.conftest import watched_page
from tests.conftest import SHIPPED_DATA

EDITOR, PASSWORD = "lin", "a-long-password"
DRAGGED = "ceramics-innovation-platform"
"""A platform no zone or corridor names as a pivot or node: moving it breaks no plan relation."""
PASTED = "leisure-food-innovation-center"
GCJ = (118.5530, 24.7250)
"""Where PASTED goes, as Amap (GCJ-02) shows it."""
NEW_PARK = "test-drawn-park"

METRIC = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)


def metres(a, b) -> float:
    (x1, y1), (x2, y2) = METRIC.transform(*a), METRIC.transform(*b)
    return ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5


@pytest.fixture(scope="module")
def editing_url(tmp_path_factory, serve) -> str:
    """The shipped atlas on a writable copy, with one editor in a temporary users file."""
    root = tmp_path_factory.mktemp("editing")
    shutil.copytree(SHIPPED_DATA, root / "geo")
    UserStore(root / "users.json").add(EDITOR, "editor", PASSWORD)
    app = create_app(Settings(data_dir=root / "geo", tiles="none",
                              users_file=root / "users.json", secret_key="test-secret"))
    return serve(app)


def public_point(page, base: str, entity_id: str) -> list[float]:
    """The entity's position as the public atlas serves it (/api/entities)."""
    answer = page.request.get(f"{base}/api/entities?layer=platforms")
    assert answer.ok
    found = [f for f in answer.json()["features"] if f["id"] == entity_id]
    assert found, f"{entity_id} is not in /api/entities"
    return found[0]["geometry"]["coordinates"]


def profile_feature(page, base: str, path: str) -> dict:
    """The feature a profile page draws (its page config), after the page has loaded."""
    page.goto(base + path)
    page.wait_for_selector("body[data-ready=true]", state="attached")
    return json.loads(page.inner_text("#atlas-config"))["feature"]


def marker_at(page) -> list[float]:
    """The edit map's marker, lon/lat on the basemap's datum."""
    return page.evaluate("(() => { const ll = window.atlasEdit.marker().getLatLng();"
                         " return [ll.lng, ll.lat]; })()")


def shot(page, path, full_page=False) -> None:
    """A screenshot once smooth scrolling (Bootstrap's) has come to rest."""
    page.wait_for_timeout(700)
    page.screenshot(path=path, full_page=full_page)


def save_and_wait(page) -> int:
    before = page.evaluate("document.body.dataset.saved || ''")
    page.click("#save")
    page.wait_for_function(f"() => (document.body.dataset.saved || '') !== {json.dumps(before)}"
                           " || !document.getElementById('edit-errors').hidden", timeout=20000)
    errors = page.locator("#edit-errors")
    assert errors.is_hidden(), f"save refused: {errors.inner_text()} " \
        f"{page.eval_on_selector_all('.field-error:not([hidden])', 'els => els.map(e => e.textContent)')}"
    return int(page.evaluate("document.body.dataset.saved"))


def test_edit_in_the_browser(browser, editing_url, artifacts):
    base = editing_url
    context, watched = watched_page(browser, base, width=1280, height=900)
    page = watched.page
    try:
        # anonymous: the edit page sends to the login form, which comes back after logging in
        page.goto(f"{base}/edit/{DRAGGED}")
        assert "/login" in page.url
        page.fill("#login-name", EDITOR)
        page.fill("#login-password", PASSWORD)
        page.click(".login-form button[type=submit]")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        assert page.url.endswith(f"/edit/{DRAGGED}")

        # 1. drag the marker 90 px right and 50 px up, save: stored where it was dropped
        start = public_point(page, base, DRAGGED)
        box = page.locator(".leaflet-marker-icon").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        expected = page.evaluate("""([dx, dy]) => { const m = window.atlasEdit.map;
            const p = m.latLngToContainerPoint(window.atlasEdit.marker().getLatLng());
            const ll = m.containerPointToLatLng([p.x + dx, p.y + dy]); return [ll.lng, ll.lat]; }""", [90, -50])
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 45, y - 25, steps=5)
        page.mouse.move(x + 90, y - 50, steps=5)
        page.mouse.up()
        dropped = marker_at(page)
        assert metres(dropped, expected) < 20  # within a pixel or two at zoom 15
        assert metres(dropped, start) > 300
        page.fill("#commit-message", "moved by dragging")
        commit = save_and_wait(page)
        assert page.locator("#saved-profile").get_attribute("href") == f"/platforms/{DRAGGED}?lang=zh"
        assert page.locator("#saved-map").get_attribute("href") == f"/?sel={DRAGGED}&lang=zh"
        shot(page, artifacts / "edit-dragged.png")
        stored = dragged = public_point(page, base, DRAGGED)
        assert metres(stored, dropped) < 0.05
        assert profile_feature(page, base, f"/platforms/{DRAGGED}")["geometry"]["coordinates"] == \
            pytest.approx(stored, abs=1e-9)

        # 2. paste a GCJ-02 (Amap) position: the server converts it; stored within 5 m of WGS-84
        page.goto(f"{base}/edit/{PASTED}")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.select_option("#paste-crs", "gcj02")
        page.fill("#paste-text", f"{GCJ[0]:.4f}, {GCJ[1]:.4f}")
        page.click("#paste-go")
        page.wait_for_function("() => document.getElementById('paste-result').textContent.length > 0")
        assert "GCJ-02" in page.inner_text("#paste-result")
        save_and_wait(page)
        shot(page, artifacts / "edit-pasted-gcj02.png")
        truth = to_wgs84(*GCJ, "gcj02")
        stored = public_point(page, base, PASTED)
        assert metres(stored, truth) < 5
        assert metres(stored, GCJ) > 300  # the datum shift was applied, not ignored
        assert metres(profile_feature(page, base, f"/platforms/{PASTED}")["geometry"]["coordinates"],
                      truth) < 5

        # the same through an Amap share link (lon first) and a Baidu one (BD-09, lat first)
        page.goto(f"{base}/edit/{PASTED}")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.fill("#paste-text",
                  "https://api.map.baidu.com/marker?location=24.7310,118.5596&title=x&output=html")
        page.click("#paste-go")
        page.wait_for_function("() => document.getElementById('paste-result').textContent.includes('BD-09')")
        assert page.input_value("#paste-crs") == "bd09"
        save_and_wait(page)
        assert metres(public_point(page, base, PASTED), to_wgs84(118.5596, 24.7310, "bd09")) < 5

        # 3. a new park, drawn with geoman
        page.goto(f"{base}/edit/new?layer=parks")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.fill("#f-name_zh", "测试绘制园区")
        page.fill("#f-name_en", "Test Drawn Park")
        page.click("#suggest-id")
        assert page.input_value("#f-id") == NEW_PARK
        page.select_option("#f-kind", "industrial_park")
        page.select_option("#f-status", "planned")
        page.select_option("#f-precision", "approximate")
        page.fill("#f-position_note_zh", "测试用的示意范围。")
        page.fill("#f-position_note_en", "A sketched outline, for a test.")
        row = page.locator("[data-field=citations] .object-row").first
        row.locator("[data-key=publisher_zh]").fill("晋江市人民政府")
        row.locator("[data-key=publisher_en]").fill("Jinjiang Municipal People's Government")
        row.locator("[data-key=date]").fill("2024-05")
        page.evaluate("window.atlasEdit.map.setView([24.745, 118.56], 14, {animate: false})")
        page.click(".leaflet-pm-icon-polygon")
        frame = page.locator(".edit-map").bounding_box()
        cx, cy = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
        corners = [(-60, -40), (60, -45), (70, 40), (-50, 50)]
        for dx, dy in corners:
            page.mouse.click(cx + dx, cy + dy)
            page.wait_for_timeout(150)
        page.mouse.click(cx + corners[0][0], cy + corners[0][1])  # on the first vertex: closes it
        page.wait_for_function("() => window.atlasEdit.geometry() && window.atlasEdit.geometry().type === 'Polygon'")
        drawn = page.evaluate("window.atlasEdit.geometry()")
        assert len(drawn["coordinates"][0]) == 5
        shot(page, artifacts / "edit-drawn-park.png")
        created = save_and_wait(page)
        assert page.url.endswith(f"/edit/{NEW_PARK}?lang=zh")
        parks = page.request.get(f"{base}/api/entities?layer=parks").json()["features"]
        assert NEW_PARK in [f["id"] for f in parks]
        outline = profile_feature(page, base, f"/parks/{NEW_PARK}")
        assert outline["geometry"]["type"] == "Polygon"
        assert "测试绘制园区" in page.inner_text("#entity-name")
        shot(page, artifacts / "edit-new-park-profile.png")

        # 4. undo the park from the recent-changes page: gone from the public atlas again
        page.goto(f"{base}/history")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        first = page.locator(".commit").first
        assert first.get_attribute("data-commit") == str(created)
        assert NEW_PARK in first.inner_text() and EDITOR in first.inner_text()
        shot(page, artifacts / "edit-history-before-undo.png", full_page=True)
        first.locator("button[data-undo]").click()
        page.wait_for_selector("#undone-notice")
        assert page.locator(".commit").first.get_attribute("data-commit") == str(created + 1)
        assert f"#{created}" in page.locator(".commit").first.inner_text()
        shot(page, artifacts / "edit-history-after-undo.png", full_page=True)
        parks = page.request.get(f"{base}/api/entities?layer=parks").json()["features"]
        assert NEW_PARK not in [f["id"] for f in parks]
        assert page.request.get(f"{base}/parks/{NEW_PARK}").status == 404

        # the dragged point's history shows the move, with its message and author
        page.goto(f"{base}/history/{DRAGGED}")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        entry = page.locator(f"#commit-{commit}")
        assert "moved by dragging" in entry.inner_text() and EDITOR in entry.inner_text()
        assert entry.locator(".geom-sketch").count() == 1
        shot(page, artifacts / "edit-history-point.png", full_page=True)

        # 5. log out: editing needs a login again; the public atlas keeps the saved states
        page.click(".auth-nav button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{base}/edit/{DRAGGED}")
        assert "/login" in page.url
        assert public_point(page, base, DRAGGED) == pytest.approx(dragged, abs=1e-9)
        assert metres(public_point(page, base, PASTED), to_wgs84(118.5596, 24.7310, "bd09")) < 5
        assert page.request.get(f"{base}/api/features/{DRAGGED}").ok  # reading stays public
        put = page.request.put(f"{base}/api/features/platforms/{DRAGGED}", data="{}",
                               headers={"Content-Type": "application/json"})
        assert put.status == 401
        profile = page.request.get(f"{base}/platforms/{DRAGGED}").text()
        assert f"/edit/{DRAGGED}" not in profile
        assert watched.foreign == [], f"requests left the server: {watched.foreign}"
        assert watched.errors == [], f"console errors: {watched.errors}"
        assert watched.dialogs == []
    finally:
        context.close()


def test_edit_page_in_english_shows_server_errors_by_field(browser, editing_url, artifacts):
    """A refused save (422) marks the fields the server names; nothing is written."""
    base = editing_url
    context, watched = watched_page(browser, base, width=1280, height=900)
    page = watched.page
    try:
        page.goto(f"{base}/login?next=/edit/{DRAGGED}%3Flang%3Den")
        page.fill("#login-name", EDITOR)
        page.fill("#login-password", PASSWORD)
        page.click(".login-form button[type=submit]")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        assert "Chinese name" in page.inner_text("#edit-form")
        before = page.request.get(f"{base}/api/features/{DRAGGED}").headers["etag"]
        page.fill("#f-name_zh", "")
        page.locator("[data-field=citations] .object-row").first.locator("[data-key=url]").fill("ftp://nowhere")
        page.click("#save")
        page.wait_for_selector("#err-name_zh:not([hidden])")
        assert page.locator('[data-error-for="citations.0.url"]').is_visible()
        assert re.search(r"fix the marked fields", page.inner_text("#edit-errors"))
        assert page.locator("#edit-errors a").count() >= 2  # each problem links to its field
        shot(page, artifacts / "edit-errors-en.png")
        assert page.request.get(f"{base}/api/features/{DRAGGED}").headers["etag"] == before

        # someone else saves meanwhile: this page's save is refused (412) with a way to reload
        page.fill("#f-name_zh", "陶瓷创新平台（改名）")
        page.locator("[data-field=citations] .object-row").first.locator("[data-key=url]").fill("")
        other = page.request.get(f"{base}/api/features/{DRAGGED}")
        feature = other.json()
        feature.pop("layer")
        feature["properties"]["aliases"] = [*feature["properties"].get("aliases", []), "someone else"]
        token = page.get_attribute('meta[name="csrf-token"]', "content")
        put = page.request.put(f"{base}/api/features/platforms/{DRAGGED}", data=json.dumps(feature),
                               headers={"Content-Type": "application/json", "If-Match": before,
                                        "X-CSRF-Token": token})
        assert put.status == 200
        page.click("#save")
        page.wait_for_selector("#reload")
        assert "someone else changed" in page.inner_text("#edit-errors")
        shot(page, artifacts / "edit-conflict-en.png")
        page.click("#reload")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        assert "someone else" in page.input_value("#f-aliases")
        assert watched.foreign == []
        # the browser logs the refused PUTs (422, 412) itself; nothing else may fail
        assert [e for e in watched.errors if not re.search(r"\b(412|422)\b", e)] == []
    finally:
        context.close()


def test_on_a_gcj02_basemap_a_placed_point_is_stored_in_wgs84(browser, tmp_path_factory, serve, artifacts):
    """With an Amap-style (GCJ-02) basemap the marker sits where that basemap shows it; a click
    places it in GCJ-02, and the server stores the WGS-84 position of that spot."""
    root = tmp_path_factory.mktemp("gcj")
    shutil.copytree(SHIPPED_DATA, root / "geo")
    UserStore(root / "users.json").add(EDITOR, "editor", PASSWORD)
    app = create_app(Settings(data_dir=root / "geo", tiles="none", tiles_datum="gcj02",
                              users_file=root / "users.json", secret_key="test-secret"))
    base = serve(app)
    context, watched = watched_page(browser, base)
    page = watched.page
    try:
        page.goto(f"{base}/login?next=/edit/{DRAGGED}")
        page.fill("#login-name", EDITOR)
        page.fill("#login-password", PASSWORD)
        page.click(".login-form button[type=submit]")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        stored = page.request.get(f"{base}/api/features/{DRAGGED}").json()["geometry"]["coordinates"]
        shown = marker_at(page)
        assert metres(to_wgs84(*shown, "gcj02"), stored) < 0.05
        assert metres(shown, stored) > 300  # drawn shifted, as the basemap shows it
        frame = page.locator(".edit-map").bounding_box()
        page.mouse.click(frame["x"] + frame["width"] / 2 + 70, frame["y"] + frame["height"] / 2 + 40)
        placed = marker_at(page)
        assert page.inner_text("#position-readout").startswith("GCJ-02")
        save_and_wait(page)
        after = page.request.get(f"{base}/api/features/{DRAGGED}").json()["geometry"]["coordinates"]
        assert metres(after, to_wgs84(*placed, "gcj02")) < 0.05
        # saving again untouched keeps the stored position exactly (no datum round trip)
        save_and_wait(page)
        assert page.request.get(f"{base}/api/features/{DRAGGED}").json()["geometry"]["coordinates"] == after
        shot(page, artifacts / "edit-gcj02-basemap.png")
        assert watched.foreign == [] and watched.errors == []
    finally:
        context.close()
