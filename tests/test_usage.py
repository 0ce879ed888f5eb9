"""Usage statistics, privacy-light: profile views, filters used and searches that found nothing,
counted per day; never an IP address, a user agent or a cookie (the stored bytes are inspected);
written in batches that add up across processes; shown to staff only.  On the files and on
PostGIS (the ``storage`` fixture)."""

from __future__ import annotations

import datetime as dt
import html
import threading

import pytest
from fastapi.testclient import TestClient

from atlas.storage.geojson import GeoJSONStorage
from atlas.usage.counter import KEEP_DAYS, MAX_QUERY, OTHER, UsageCounter, normalise_query, today
from atlas.usage.report import first_day, summarise
from tests.conftest import reopen
from tests.test_enquiries import HTML, env, logged_in, stored_bytes  # noqa: F401 (env: fixture)

POINT = "clfi-jinjiang"
PARK = "hongshan-creative-park"
NOTHING = "量子引力实验室"
"""A search that matches nothing in the shipped data."""
COOKIE = "atlas_session=COOKIE-VALUE-7f3a; tracker=TRACKER-VALUE-9b1c"
AGENT = "Mozilla/5.0 (UA-MARKER-4d2e)"


def usage(staff, days: int = 30) -> dict:
    answer = staff.get("/api/usage", params={"days": days})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()


# ---------------------------------------------------------------------------- what is counted
def test_normalised_queries_keep_no_personal_data():
    assert normalise_query("  Ｑｕａｎｔｕｍ   Lab ") == "quantum lab"
    assert normalise_query("芯" * 100) == "芯" * MAX_QUERY
    for personal in ("lin@example.com", "call 138 0013 8000", "0595-85661234",
                     "350582199001011234", "me @ home@x"):
        assert normalise_query(personal) is None, personal
    assert normalise_query("   ") is None
    assert normalise_query("2025 年规划") == "2025 年规划"  # a year is not a phone number


def test_views_filters_and_fruitless_searches_are_counted(env):
    app, public, staff = env
    public.headers.update({"Cookie": COOKIE, "User-Agent": AGENT})
    assert public.get(f"/platforms/{POINT}?lang=en").status_code == 200
    assert public.get(f"/platforms/{POINT}").status_code == 200
    assert public.get(f"/parks/{PARK}").status_code == 200
    assert public.get("/corridor").status_code == 200
    assert public.get("/platforms/no-such-platform").status_code == 404  # not a view
    assert public.head(f"/parks/{PARK}").status_code == 200  # not a view either
    assert public.get("/api/entities?industry=integrated_circuits&industry=next_gen_it"
                      "&layer=platforms").status_code == 200
    assert public.get("/api/entities?industry=integrated_circuits").status_code == 200
    assert public.get("/api/entities?industry=not-an-industry").status_code in (400, 422)
    assert public.get("/api/entities", params={"q": NOTHING}).status_code == 200
    assert public.get("/api/search", params={"q": NOTHING}).status_code == 200
    assert public.get("/api/search", params={"q": "晋江"}).status_code == 200  # finds something
    assert public.get("/api/entities", params={"q": "lin@example.com"}).status_code == 200
    assert public.get("/api/search", params={"q": "13800138000"}).status_code == 200
    found = usage(staff)
    views = {v["entity"]: v["count"] for v in found["views"]}
    corridor = list(app.state.live.current().frames["corridor"].index)
    assert views == {POINT: 2, PARK: 1, **{c: 1 for c in corridor}}
    filters = {(f["facet"], f["value"]): f["count"] for f in found["filters"]}
    assert filters == {("industry", "integrated_circuits"): 2, ("industry", "next_gen_it"): 1,
                       ("layer", "platforms"): 1}
    zero = {z["query"]: z["count"] for z in found["zero_results"]}
    assert zero == {NOTHING: 2}
    assert found["zero_results"][0]["last_day"] == today()
    assert found["totals"] == {"view": 3 + len(corridor), "filter": 4, "zero": 2}

    raw = stored_bytes(app.state.storage, "usage")
    assert NOTHING.encode() in raw and POINT.encode() in raw  # the right bytes are inspected …
    for trace in (b"testclient", b"127.0.0.1", b"COOKIE-VALUE-7f3a", b"TRACKER-VALUE-9b1c",
                  b"UA-MARKER-4d2e", b"Mozilla", b"lin@example.com", b"13800138000"):
        assert trace not in raw, trace  # … and hold no address, cookie, agent or contact
    assert "set-cookie" not in public.get(f"/platforms/{POINT}").headers


def test_the_statistics_page_is_for_staff(env):
    app, public, staff = env
    public.get(f"/platforms/{POINT}?lang=en")
    public.get("/api/entities", params={"q": NOTHING, "zone": "none"})
    assert public.get("/edit/usage").status_code == 401
    assert public.get("/api/usage").status_code == 401
    page = public.get("/edit/usage?lang=en", headers=HTML)
    assert page.status_code == 401 and NOTHING not in page.text
    session = TestClient(app, raise_server_exceptions=False)
    logged_in(session)
    page = session.get("/edit/usage?lang=en&days=7", headers=HTML)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    name = html.escape(app.state.live.current().entity(POINT).props["name_en"])
    views = page.text.split('id="usage-views"')[1].split("</section>")[0]
    assert name in views and f'href="/platforms/{POINT}?lang=en"' in views
    filters = page.text.split('id="usage-filters"')[1].split("</section>")[0]
    assert 'href="/?zone=none&amp;lang=en"' in filters
    assert NOTHING in page.text.split('id="usage-zero"')[1]
    assert usage(staff, days=KEEP_DAYS)["days"] == KEEP_DAYS
    assert staff.get("/api/usage", params={"days": 0}).status_code == 400
    assert staff.get("/api/usage", params={"days": KEEP_DAYS + 1}).status_code == 400


# ---------------------------------------------------------------------------- storing
def test_counts_from_several_processes_add_up(storage):
    """Two servers (two handles, two counters) flushing at once: every count is kept."""
    other = reopen(storage)
    counters = [UsageCounter(storage), UsageCounter(other)]

    def work(counter: UsageCounter) -> None:
        for i in range(50):
            counter.count("view", POINT)
            counter.count("zero", f"query {i % 5}")
            if i % 10 == 9:
                counter.flush()

    threads = [threading.Thread(target=work, args=(c,)) for c in counters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = storage.usage(first_day(1))
    totals = {(kind, key): n for _, kind, key, n in rows}
    assert totals[("view", POINT)] == 100
    assert all(totals[("zero", f"query {i}")] == 20 for i in range(5))
    assert all(c.pending() == {} for c in counters)
    getattr(other, "close", lambda: None)()


def test_a_failed_write_keeps_the_counts_for_the_next(tmp_path):
    folder = tmp_path / "geo"
    folder.mkdir()
    (folder / ".atlas").write_text("a file where the folder should be")
    counter = UsageCounter(GeoJSONStorage(folder))
    counter.count("view", POINT)
    with pytest.raises(OSError):
        counter.flush()
    assert counter.pending() == {(today(), "view", POINT): 1}
    (folder / ".atlas").unlink()
    counter.count("view", POINT)
    assert counter.flush() == 1
    assert GeoJSONStorage(folder).usage(today()) == [(today(), "view", POINT, 2)]


def test_memory_is_bounded_and_old_days_are_dropped(storage):
    clock = [0.0]
    counter = UsageCounter(storage, flush_seconds=60, max_pending=3, clock=lambda: clock[0])
    for i in range(6):
        counter.count("zero", f"q{i}")
    assert counter.pending() == {(today(), "zero", "q0"): 1, (today(), "zero", "q1"): 1,
                                 (today(), "zero", "q2"): 1, (today(), "zero", OTHER): 3}
    assert not counter.due()
    clock[0] = 61.0
    assert counter.due()
    old = (dt.date.fromisoformat(today()) - dt.timedelta(days=KEEP_DAYS + 1)).isoformat()
    storage.add_usage([(old, "view", POINT, 7)])
    assert counter.flush() == 4
    assert not counter.due()
    assert storage.usage("2000-01-01") == sorted(
        [(today(), "zero", key, n) for key, n in (("q0", 1), ("q1", 1), ("q2", 1), (OTHER, 3))])


def test_the_summary_ranks_and_limits_to_the_period():
    rows = [("2026-01-01", "view", "a", 5), ("2026-01-02", "view", "b", 7),
            ("2026-01-03", "view", "a", 4), ("2025-12-01", "view", "c", 100),
            ("2026-01-02", "filter", "industry=ai", 3), ("2026-01-02", "filter", OTHER, 2),
            ("2026-01-01", "zero", "qubit", 1), ("2026-01-03", "zero", "qubit", 2)]
    found = summarise(rows, 3, "2026-01-01")
    assert found.views == [("a", 9), ("b", 7)]
    assert found.filters == [("industry", "ai", 3), (OTHER, "", 2)]
    assert found.zero == [("qubit", 3, "2026-01-03")]
    assert found.totals == {"view": 16, "filter": 5, "zero": 3}
    assert first_day(30, dt.datetime(2026, 1, 30, 20, tzinfo=dt.UTC)) == "2026-01-02"  # CST
