"""Public corrections: anyone reports (no login), within limits; editors accept or reject.

Reports: JSON or form bodies, 400 naming each bad field, positions checked by the rule
validation uses (city outline + coast tolerance), the per-client rate limit (429 +
Retry-After), and the honeypot (202, dropped).  Decisions: accepting a point's position moves
it through the one write path (a commit credited to the correction, in /api/history, on the
public pages at once); accepting anything else only marks it; rejecting changes no data; both
need an editor (401 without credentials, 403 for a session without its CSRF token).
"""

from __future__ import annotations

import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import Point

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.crs import from_wgs84
from atlas.web import corrections, edit_api
from atlas.web.app import create_app
from atlas.web.corrections import CLIENT_LIMITS, RateLimiter

POINT = "clfi-jinjiang"
"""A platform (a point) in the shipped data."""
AREA = "hongshan-creative-park"
"""A park (a polygon)."""
PASSWORD = "a-long-password"


def with_routes(app: FastAPI) -> FastAPI:
    """The app with the corrections and write API routes (included here, first, until app.py
    includes them: /edit/corrections must come before the edit pages' /edit/{entity_id})."""
    def has(router):
        return any(getattr(r, "original_router", None) is router or r is router for r in app.router.routes)
    for router in (edit_api.router, corrections.router):
        if not has(router):
            app.include_router(router)
            app.router.routes.insert(0, app.router.routes.pop())
    return app


def build_app(data_dir, users_file) -> FastAPI:
    return with_routes(create_app(Settings(data_dir=data_dir, tiles="none", users_file=users_file,
                                           secret_key="test-secret")))


@pytest.fixture
def env(data_copy, tmp_path):
    """(app, anonymous client, editor client with a bearer token) on a copy of the data."""
    users = tmp_path / "users.json"
    store = UserStore(users)
    store.add("ed", "editor", PASSWORD)
    token = store.issue_token("ed")
    app = build_app(data_copy, users)
    public = TestClient(app, raise_server_exceptions=False)
    editor = TestClient(app, raise_server_exceptions=False)
    editor.headers["Authorization"] = f"Bearer {token}"
    return app, public, editor


def report(client, entity=POINT, message="The institute moved to the new campus.", **extra):
    return client.post("/api/corrections", json={"entity": entity, "message": message, **extra})


def stored(editor, status=None) -> list[dict]:
    answer = editor.get("/api/corrections", params={"status": status} if status else {})
    assert answer.status_code == 200, answer.text
    return answer.json()["corrections"]


def data_files(app) -> dict[str, bytes]:
    folder = app.state.settings.data_dir
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.geojson"))}


def profile_feature(client, path) -> dict:
    page = client.get(path)
    assert page.status_code == 200
    config = re.search(r'<script type="application/json" id="atlas-config">(.*?)</script>', page.text, re.S)
    return json.loads(config.group(1))["feature"]


def point_near_city(app, metres_outside: float) -> tuple[float, float]:
    """A WGS-84 lon/lat ``metres_outside`` beyond the city outline (on the widened outline)."""
    atlas = app.state.live.current()
    x, y = atlas.city.buffer(metres_outside).exterior.coords[0]
    where = atlas.to_wgs84(Point(x, y))
    return where.x, where.y


def inside_point(app, entity_id=POINT, metres_east=400.0) -> tuple[float, float]:
    """A position ``metres_east`` of an entity (inside the city)."""
    atlas = app.state.live.current()
    here = atlas.to_metric(atlas.entity(entity_id).geometry.representative_point())
    where = atlas.to_wgs84(Point(here.x + metres_east, here.y))
    return round(where.x, 6), round(where.y, 6)


# ---------------------------------------------------------------------------- reporting
def test_anyone_can_report_without_logging_in(env):
    app, public, editor = env
    lon, lat = inside_point(app)
    answer = report(public, lon=lon, lat=lat, contact="lin@example.com")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "pending" and body["entity"] == POINT and body["number"] == 1
    assert answer.headers["Location"] == "/api/corrections/1"
    assert "set-cookie" not in answer.headers  # no session is made for the public
    form = public.post("/api/corrections", data={"entity": AREA, "message": "Wrong outline\r\nsee the gate",
                                                  "lon": "", "lat": ""})
    assert form.status_code == 201 and form.json()["number"] == 2
    items = {c["number"]: c for c in stored(editor)}
    assert items[1]["lon"] == lon and items[1]["lat"] == lat
    assert items[1]["contact"] == "lin@example.com" and items[1]["status"] == "pending"
    assert items[2]["lon"] is None and items[2]["message"] == "Wrong outline\nsee the gate"
    assert [c["number"] for c in stored(editor, "pending")] == [2, 1]  # newest first


def test_a_position_on_the_basemap_datum_is_stored_as_wgs84(env):
    app, public, editor = env
    lon, lat = inside_point(app)
    glon, glat = from_wgs84(lon, lat, "gcj02")
    assert report(public, lon=glon, lat=glat, crs="gcj02").status_code == 201
    item = stored(editor)[0]
    assert abs(item["lon"] - lon) < 1e-5 and abs(item["lat"] - lat) < 1e-5


@pytest.mark.parametrize("body, field, code", [
    ({"entity": "no-such-place"}, "entity", "unknown_entity"),
    ({"entity": ""}, "entity", "required"),
    ({"message": "   "}, "message", "required"),
    ({"message": "错" * 2001}, "message", "too_long"),
    ({"contact": "x" * 201}, "contact", "too_long"),
    ({"lon": 118.58}, "lat", "incomplete_position"),
    ({"lon": "east", "lat": 24.8}, "lon", "bad_number"),
    ({"lon": 24.8, "lat": 118.58}, "lon", "outside_city"),       # lon/lat swapped
    ({"lon": 121.47, "lat": 31.23}, "lon", "outside_city"),      # Shanghai
    ({"message": ["a list"]}, "message", "not_text"),
    ({"crs": "epsg:3857", "lon": 118.58, "lat": 24.8}, "crs", "bad_crs"),
])
def test_bad_reports_are_400_naming_the_field(env, body, field, code):
    app, public, editor = env
    answer = public.post("/api/corrections", json={"entity": POINT, "message": "wrong", **body})
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert (field, code) in {(e["field"], e["code"]) for e in problem["errors"]}, problem
    assert problem["detail"]
    assert stored(editor) == []


def test_positions_follow_the_validation_rule_for_the_coast(env):
    """Inside the coast tolerance (3 km beyond the outline) is in; further out is not."""
    app, public, editor = env
    assert app.state.settings.coast_tolerance_m == 3000
    near = point_near_city(app, 1000)
    far = point_near_city(app, 5000)
    assert report(public, lon=near[0], lat=near[1]).status_code == 201
    refused = report(public, lon=far[0], lat=far[1])
    assert refused.status_code == 400
    assert "outside Jinjiang" in refused.json()["detail"]
    assert len(stored(editor)) == 1


def test_every_problem_is_reported_at_once(env):
    _, public, _ = env
    answer = public.post("/api/corrections", json={"entity": "nope", "message": "x" * 2001,
                                                   "lon": 120.5, "lat": 24.8})
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["entity", "message", "lon"]


def test_bodies_that_are_not_reports(env):
    _, public, editor = env
    assert public.post("/api/corrections", content=b"[1, 2]",
                       headers={"Content-Type": "application/json"}).status_code == 400
    assert public.post("/api/corrections", content=b"{oops",
                       headers={"Content-Type": "application/json"}).status_code == 400
    assert public.post("/api/corrections", content=b"entity=x",
                       headers={"Content-Type": "text/plain"}).status_code == 415
    big = public.post("/api/corrections", json={"entity": POINT, "message": "x" * 20000})
    assert big.status_code == 413
    assert stored(editor) == []


def test_the_honeypot_drops_a_report_silently(env):
    """A filled honeypot is answered 202 "received" (a bot cannot tell it failed, so it does
    not learn to leave the field empty) and nothing is stored; it counts against the limit."""
    app, public, editor = env
    answer = public.post("/api/corrections", data={"entity": POINT, "message": "cheap pills",
                                                   "website": "http://spam.example"})
    assert answer.status_code == 202 and answer.json() == {"status": "received"}
    assert "number" not in answer.json()
    assert stored(editor) == []
    assert corrections.limiters(app)[0].retry_after("testclient") == 0
    assert len(corrections.limiters(app)[0]) == 1


def test_reports_are_rate_limited_per_client(env):
    app, public, editor = env
    limit, window = CLIENT_LIMITS[0]
    for i in range(limit):
        assert report(public, message=f"report {i}").status_code == 201
    refused = report(public, message="one too many")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= window
    assert refused.json()["retry_after"] == wait
    assert len(stored(editor)) == limit
    other = TestClient(app, raise_server_exceptions=False, client=("203.0.113.9", 50000))
    assert report(other, message="from elsewhere").status_code == 201


def test_bad_reports_do_not_use_up_the_limit(env):
    _, public, _ = env
    for _ in range(10):
        assert report(public, entity="nope").status_code == 400
    assert report(public).status_code == 201


def test_the_rate_limiter_windows_and_memory_bound():
    now = [0.0]
    limiter = RateLimiter(((5, 600.0), (50, 86400.0)), max_keys=3, clock=lambda: now[0])
    for _ in range(5):
        assert limiter.retry_after("a") == 0
        limiter.hit("a")
        now[0] += 1
    assert limiter.retry_after("a") == 600 - 5  # the first of the five leaves the window
    now[0] += 600
    assert limiter.retry_after("a") == 0
    for i in range(45):  # 50 a day in all
        limiter.hit("a")
        now[0] += 121  # slow enough for the 10-minute window
    assert limiter.retry_after("a") > 600  # the day's limit now
    for key in ("b", "c", "d", "e"):
        limiter.hit(key)
    assert len(limiter) == 3  # least recently used forgotten: memory stays bounded
    assert limiter.retry_after("a") == 0  # (forgotten)


def test_client_keys_group_ipv6_by_prefix():
    class Fake:
        def __init__(self, host):
            self.client = type("C", (), {"host": host})()
    assert corrections.client_key(Fake("198.51.100.7")) == "198.51.100.7"
    assert corrections.client_key(Fake("2001:db8:1:2:aaaa::1")) == \
        corrections.client_key(Fake("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert corrections.client_key(Fake("::ffff:198.51.100.7")) == "198.51.100.7"


def test_a_browser_without_script_gets_pages(env):
    _, public, editor = env
    html = {"Accept": "text/html,application/xhtml+xml"}
    sent = public.post("/api/corrections?lang=en", data={"entity": POINT, "message": "Renamed.",
                                                          "lang": "en"}, headers=html)
    assert sent.status_code == 201 and "text/html" in sent.headers["content-type"]
    assert "Correction #1 is waiting for an editor" in sent.text
    assert f'href="/platforms/{POINT}?lang=en"' in sent.text
    bad = public.post("/api/corrections", data={"entity": POINT, "message": ""}, headers=html)
    assert bad.status_code == 400 and "text/html" in bad.headers["content-type"]
    assert "message: say what is wrong" in bad.text
    assert len(stored(editor)) == 1


# ---------------------------------------------------------------------------- deciding
def test_accepting_moves_the_point_and_credits_the_correction(env):
    app, public, editor = env
    before = profile_feature(public, f"/platforms/{POINT}")
    lon, lat = inside_point(app, metres_east=700)
    number = report(public, message="It is 700 m further east, by the gate on Century Avenue. " * 3,
                    lon=lon, lat=lat).json()["number"]
    answer = editor.post(f"/api/corrections/{number}/accept")
    assert answer.status_code == 200, answer.text
    decided = answer.json()
    assert decided["status"] == "accepted" and decided["decided_by"] == "ed"
    commit = decided["commit"]
    assert isinstance(commit, int) and decided["applied"]["commit"] == commit
    history = editor.get("/api/history", params={"entity": POINT}).json()["commits"]
    assert history[0]["number"] == commit
    assert history[0]["author"] == f"ed (correction #{number})"
    assert history[0]["message"] == f"correction #{number}: " + \
        ("It is 700 m further east, by the gate on Century Avenue. " * 3)[:80]
    feature = editor.get(f"/api/features/{POINT}").json()
    assert feature["geometry"]["coordinates"] == [lon, lat]
    assert feature["properties"]["precision"] == "approximate"
    assert f"#{number}" in feature["properties"]["position_note_en"]
    after = profile_feature(public, f"/platforms/{POINT}")  # the live atlas, reloaded
    assert after["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)
    assert after["geometry"]["coordinates"] != before["geometry"]["coordinates"]
    assert [c["commit"] for c in stored(editor, "accepted")] == [commit]
    again = editor.post(f"/api/corrections/{number}/accept")
    assert again.status_code == 409 and "accepted already by ed" in again.json()["detail"]
    assert len(editor.get("/api/history").json()["commits"]) == 1


def test_accepting_without_a_position_or_for_an_area_only_marks_it(env):
    app, public, editor = env
    files = data_files(app)
    words = report(public, message="The English name is wrong.").json()["number"]
    lon, lat = inside_point(app, AREA)
    area = report(public, entity=AREA, message="The park reaches further east.", lon=lon, lat=lat).json()["number"]
    point_kept = report(public, message="Near here", lon=lon, lat=lat).json()["number"]
    for number, entity, body in ((words, POINT, None), (area, AREA, None), (point_kept, POINT, {"move": False})):
        answer = editor.post(f"/api/corrections/{number}/accept", json=body)
        assert answer.status_code == 200, answer.text
        decided = answer.json()
        assert decided["status"] == "accepted" and decided["commit"] is None and decided["applied"] is None
        assert decided["edit_url"] == f"/edit/{entity}"
    assert data_files(app) == files
    assert editor.get("/api/history").json()["commits"] == []


def test_rejecting_leaves_the_data_unchanged(env):
    app, public, editor = env
    files = data_files(app)
    lon, lat = inside_point(app)
    number = report(public, message="spam-ish", lon=lon, lat=lat).json()["number"]
    answer = editor.post(f"/api/corrections/{number}/reject", json={"reason": "No source given"})
    assert answer.status_code == 200
    decided = answer.json()
    assert decided["status"] == "rejected" and decided["decided_by"] == "ed" and decided["commit"] is None
    assert decided["extra"]["reason"] == "No source given"
    assert data_files(app) == files
    assert editor.get("/api/history").json()["commits"] == []
    assert editor.post(f"/api/corrections/{number}/accept").status_code == 409
    assert editor.post("/api/corrections/99/reject").status_code == 404
    other = report(public).json()["number"]
    assert editor.post(f"/api/corrections/{other}/reject", json={"reason": "x" * 501}).status_code == 400


def test_deciding_needs_an_editor(env):
    app, public, editor = env
    number = report(public).json()["number"]
    wrong = TestClient(app, raise_server_exceptions=False)
    wrong.headers["Authorization"] = "Bearer not-a-token"
    for client in (public, wrong):
        for action in ("accept", "reject"):
            answer = client.post(f"/api/corrections/{number}/{action}")
            assert answer.status_code == 401, (action, answer.text)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert client.get("/api/corrections").status_code == 401
        assert client.get(f"/api/corrections/{number}").status_code == 401
    page = public.get("/edit/corrections", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?")
    assert stored(editor, "pending")[0]["number"] == number


def test_a_session_must_send_its_csrf_token(env):
    """Logged in with the form (cookie): a decision without X-CSRF-Token is 403; the queue
    page's token makes it pass."""
    app, public, editor = env
    number = report(public).json()["number"]
    browser = TestClient(app, raise_server_exceptions=False)
    form = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    login = browser.post("/login", data={"name": "ed", "password": PASSWORD, "csrf_token": token,
                                         "next": "/edit/corrections"}, follow_redirects=False)
    assert login.status_code == 303
    refused = browser.post(f"/api/corrections/{number}/accept")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    page = browser.get("/edit/corrections")
    assert page.status_code == 200
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)
    accepted = browser.post(f"/api/corrections/{number}/reject", headers={"X-CSRF-Token": meta})
    assert accepted.status_code == 200 and accepted.json()["decided_by"] == "ed"


def test_the_queue_page_lists_reports_escaped(env):
    app, public, editor = env
    lon, lat = inside_point(app)
    first = report(public, message="<script>alert(1)</script> wrong", contact="<b>lin</b>",
                   lon=lon, lat=lat).json()["number"]
    second = report(public, entity=AREA, message="Outline is old").json()["number"]
    editor.post(f"/api/corrections/{second}/reject")
    page = editor.get("/edit/corrections?lang=en")
    assert page.status_code == 200
    text = page.text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;lin&lt;/b&gt;" in text
    assert f'id="correction-{first}"' in text and f'id="correction-{second}"' in text
    assert f"lon {lon:.6f}" in text and f"lat {lat:.6f}" in text
    assert "Accept and move it there" in text
    assert "China Leather" in text  # the entity's name, linked to its profile
    decided = text.split('id="decided"')[1]
    assert "Rejected" in decided and "Outline is old" in decided
    config = json.loads(re.search(r'id="corrections-config">(.*?)</script>', text, re.S).group(1))
    assert [i["number"] for i in config["items"]] == [first]
