"""A reader reports a correction on a profile by clicking (and dragging) on its map; an editor
accepts it through the API; the public profile then shows the point at the new position.
Then the editors' queue page: an editor logged in with the form rejects a report by its button."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from atlas.auth.users import UserStore
from tests.browser.conftest import watched_page
from tests.test_corrections import POINT, build_app

PASSWORD = "a-long-password"


@pytest.fixture
def site(tmp_path, data_copy, serve):
    """A server on a copy of the data, with an editor ("ed") and the editor's API token."""
    users = tmp_path / "users.json"
    store = UserStore(users)
    store.add("ed", "editor", PASSWORD)
    token = store.issue_token("ed")
    app = build_app(data_copy, users)
    return serve(app), app, token


def api(url: str, token: str, method: str = "GET", body: dict | None = None) -> dict:
    request = urllib.request.Request(url, method=method, data=json.dumps(body or {}).encode(),
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        return json.loads(answer.read())


def settled_box(page, selector: str) -> dict:
    """The element's box once it stops moving (the page may scroll smoothly)."""
    last = None
    for _ in range(50):
        box = page.locator(selector).bounding_box()
        if box == last:
            return box
        last = box
        page.wait_for_timeout(100)
    return last


def drawn_points(page) -> list[list[float]]:
    """Where the profile's map draws its circle markers (lon, lat)."""
    return page.evaluate("""() => { var out = [];
        window.atlasProfile.map.eachLayer(function (l) {
          if (l instanceof L.CircleMarker) { var ll = l.getLatLng(); out.push([ll.lng, ll.lat]); } });
        return out; }""")


def test_report_by_clicking_the_map_then_an_editor_accepts_it(browser, site):
    url, app, token = site
    context, watched = watched_page(browser, url)
    try:
        page = watched.open(f"/platforms/{POINT}?lang=en")
        assert page.locator("#correction-report").count() == 1, \
            'templates/profile.html must {% include "corrections/_report.html" %}'
        before = drawn_points(page)
        page.click("#correction-report summary")
        page.fill("#correction-message", "It is across the road: <b>east</b> of the marked place.")
        page.fill("#correction-contact", "lin@example.com")
        assert page.locator(".correction-hp input").is_hidden() or \
            page.locator(".correction-hp").bounding_box()["x"] < 0  # the honeypot is off-screen

        page.click(".correction-mark")
        box = settled_box(page, ".profile-map .folium-map")  # the map is scrolled into view
        page.mouse.click(box["x"] + box["width"] / 2 + 90, box["y"] + box["height"] / 2 + 10)
        marker = page.locator(".correction-marker")
        marker.wait_for()
        clicked = float(page.input_value("input[name=lon]"))
        mark = marker.bounding_box()  # drag the marker 40 px further east
        page.mouse.move(mark["x"] + mark["width"] / 2, mark["y"] + mark["height"] / 2)
        page.mouse.down()
        page.mouse.move(mark["x"] + mark["width"] / 2 + 20, mark["y"] + mark["height"] / 2, steps=5)
        page.mouse.move(mark["x"] + mark["width"] / 2 + 40, mark["y"] + mark["height"] / 2, steps=5)
        page.mouse.up()
        page.wait_for_function(f"() => Number(document.querySelector('input[name=lon]').value) > {clicked}")
        lon = float(page.input_value("input[name=lon]"))
        lat = float(page.input_value("input[name=lat]"))
        assert "Position marked:" in page.inner_text("#correction-position")

        page.click(".correction-send")
        page.wait_for_selector("#correction-status.ok")
        assert "Correction #1 is waiting for an editor" in page.inner_text("#correction-status")
        assert page.input_value("#correction-message") == ""
        assert page.locator(".correction-marker").count() == 0

        pending = api(f"{url}/api/corrections?status=pending", token)["corrections"]
        assert len(pending) == 1
        assert pending[0]["message"] == "It is across the road: <b>east</b> of the marked place."
        assert pending[0]["contact"] == "lin@example.com"
        assert pending[0]["lon"] == pytest.approx(lon, abs=1e-7)
        assert pending[0]["lat"] == pytest.approx(lat, abs=1e-7)

        decided = api(f"{url}/api/corrections/1/accept", token, "POST")
        assert decided["status"] == "accepted" and decided["commit"]

        page = watched.open(f"/platforms/{POINT}?lang=en")
        after = drawn_points(page)
        assert any(p == pytest.approx([lon, lat], abs=1e-6) for p in after), after
        assert after != before
        assert "Approximate" in page.inner_text(".badges") or "≈" in page.inner_text(".badges")
    finally:
        context.close()
    assert watched.foreign == [], f"requests left the server: {watched.foreign}"
    assert watched.errors == [], f"console errors: {watched.errors}"


def test_an_editor_rejects_a_report_on_the_queue_page(browser, site):
    url, app, token = site
    report = urllib.request.Request(f"{url}/api/corrections", method="POST",
                                    data=json.dumps({"entity": POINT, "message": "<img src=x onerror=alert(1)>",
                                                     "lon": 118.58, "lat": 24.8}).encode(),
                                    headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(report, timeout=20) as answer:
        number = json.loads(answer.read())["number"]
    context, watched = watched_page(browser, url)
    try:
        page = watched.page
        page.goto(f"{url}/edit/corrections?lang=en")
        assert "/login" in page.url  # not logged in: sent to log in, and back
        page.fill("input[name=name]", "ed")
        page.fill("input[name=password]", PASSWORD)
        page.locator("form.login-form button[type=submit], form button[type=submit]").first.click()
        page.wait_for_selector("body[data-ready=true]", state="attached")
        assert re.search(r"/edit/corrections", page.url)
        row = page.locator(f"#correction-{number}")
        assert "<img src=x onerror=alert(1)>" in row.inner_text()  # shown as text
        assert page.locator(f"#correction-{number} img").count() == 0
        drawn = page.evaluate("""() => { var n = 0;
            window.atlasQueue.map.eachLayer(function (l) { if (l instanceof L.CircleMarker) n++; });
            return n; }""")
        assert drawn == 2  # the proposed position and the current one
        row.locator("button.reject").click()
        page.wait_for_selector(f"#correction-{number}[data-status=rejected]")
        assert "Rejected" in row.inner_text()
        assert page.inner_text("#pending-count") == "0"
    finally:
        context.close()
    assert api(f"{url}/api/corrections/{number}", token)["status"] == "rejected"
    assert watched.foreign == [], f"requests left the server: {watched.foreign}"
    assert watched.errors == [], f"console errors: {watched.errors}"
    assert watched.dialogs == []
