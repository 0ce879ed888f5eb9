"""Investors' enquiries: anyone leaves one (no login), within limits; staff handle them in an
inbox only they can open; they are deleted after the retention period.  On the files and on
PostGIS (the ``storage`` fixture).

Sending: JSON or form bodies, 400 naming each bad field (consent required, contact a phone or
an e-mail, lengths, where it was sent from), the per-client rate limit (429 + Retry-After), the
honeypot (202, dropped), the profile's form and its thank-you page without script.  What is
stored: only the enquiry's own fields — the test inspects the stored bytes for the client's
address.  The inbox: 401 without credentials (JSON and the page), 403 for a session write
without its CSRF token; status, assignee and notes through the API and the page's forms; CSV
and XLSX downloads; deleting one on request.  Retention: an enquiry past the period is gone
from the inbox, the API and the stored bytes; numbers are never reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from atlas.auth.deps import write_routes
from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.enquiries import Enquiry
from atlas.enquiries.cli import run_enquiry_command
from atlas.enquiries.model import contact_kind
from atlas.enquiries.retention import ENV, RetentionError, retention_days
from atlas.storage.geojson import GeoJSONStorage
from atlas.web.app import create_app
from tests.conftest import reopen

POINT = "clfi-jinjiang"
"""A platform in the shipped data."""
PASSWORD = "a-long-password"
HTML = {"Accept": "text/html,application/xhtml+xml"}


def build(storage, data_dir, users_file) -> FastAPI:
    return create_app(Settings(data_dir=data_dir, tiles="none", users_file=users_file,
                               secret_key="test-secret"), storage=storage)


@pytest.fixture
def env(storage, data_copy, tmp_path, monkeypatch):
    """(app, anonymous client, staff client with a bearer token) on a copy of the data, keeping
    enquiries the default 180 days."""
    monkeypatch.delenv(ENV, raising=False)
    users = UserStore(tmp_path / "users.json")
    users.add("ed", "editor", PASSWORD)
    users.add("ad", "admin", PASSWORD)
    app = build(storage, data_copy, users.path)
    public = TestClient(app, raise_server_exceptions=False)
    staff = TestClient(app, raise_server_exceptions=False)
    staff.headers["Authorization"] = f"Bearer {users.issue_token('ed')}"
    return app, public, staff


def stored_bytes(storage, what: str) -> bytes:
    """Everything the storage holds of ``what`` ("enquiries" or "usage"), as stored: the file
    under ``.atlas``, or the table's rows as PostgreSQL writes them out."""
    if isinstance(storage, GeoJSONStorage):
        path = storage.meta / {"enquiries": "enquiries.json", "usage": "usage.json"}[what]
        return path.read_bytes() if path.exists() else b""
    import psycopg

    table = {"enquiries": "enquiries", "usage": "usage_counts"}[what]
    out = bytearray()
    with psycopg.connect(storage.url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY {table} TO STDOUT") as copy:
            for chunk in copy:
                out += chunk
    return bytes(out)


def send(client, **fields):
    body = {"name": "林女士", "organisation": "闽南新材料有限公司", "contact": "lin@example.com",
            "need": "约 500 平方米的实验室，明年上半年入驻。", "entity": POINT, "consent": True}
    body.update(fields)
    return client.post("/api/enquiries", json={k: v for k, v in body.items() if v is not None})


def listed(staff, status=None) -> list[dict]:
    answer = staff.get("/api/enquiries", params={"status": status} if status else {})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()["enquiries"]


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def logged_in(client: TestClient, name: str = "ed") -> str:
    """Log ``client`` in with the form; the session's CSRF token."""
    token = form_token(client.get("/login").text)
    answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/login").text).group(1)


# ---------------------------------------------------------------------------- sending
def test_anyone_can_leave_an_enquiry_and_only_its_fields_are_stored(env):
    app, public, staff = env
    answer = send(public)
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == 1 and answer.json()["status"] == "new"
    assert answer.headers["Location"] == "/api/enquiries/1"
    assert "set-cookie" not in answer.headers  # no session is made for the public
    form = public.post("/api/enquiries", data={
        "name": "Mr Chen", "contact": "+86 595 8566 1234", "need": "Standard factory,\r\n2 000 m²",
        "link": "/site-finder?industry=integrated_circuits&space=factory", "consent": "yes",
        "lang": "en"})
    assert form.status_code == 201 and form.json()["number"] == 2
    items = {e["number"]: e for e in listed(staff)}
    assert items[1]["name"] == "林女士" and items[1]["entity_id"] == POINT
    assert items[1]["entity_name_en"] and items[1]["profile"] == f"/platforms/{POINT}"
    assert items[2]["need"] == "Standard factory,\n2 000 m²" and items[2]["entity_id"] == ""
    assert items[2]["link"] == "/site-finder?industry=integrated_circuits&space=factory"
    assert items[2]["lang"] == "en" and items[2]["consent"] is True
    assert set(Enquiry.model_fields) == {
        "number", "time", "name", "organisation", "contact", "need", "entity_id", "link", "lang",
        "consent", "status", "assignee", "notes", "updated_by", "updated_at"}
    raw = stored_bytes(app.state.storage, "enquiries")
    assert "林女士".encode() in raw  # the right bytes are inspected …
    for trace in (b"testclient", b"python-httpx", b"user-agent", b"127.0.0.1"):  # … and hold no trace
        assert trace not in raw.lower(), trace


@pytest.mark.parametrize("fields, expected", [
    ({"name": "", "need": " "}, {("name", "required"), ("need", "required")}),
    ({"contact": "call me"}, {("contact", "bad_contact")}),
    ({"contact": "12345"}, {("contact", "bad_contact")}),
    ({"contact": None}, {("contact", "required")}),
    ({"need": "x" * 2001, "name": "n" * 101}, {("need", "too_long"), ("name", "too_long")}),
    ({"consent": False}, {("consent", "consent_required")}),
    ({"consent": None}, {("consent", "consent_required")}),
    ({"consent": "maybe"}, {("consent", "bool_parsing")}),
    ({"entity": "no-such-entity"}, {("entity", "unknown_entity")}),
    ({"entity": None}, {("entity", "no_source")}),
    ({"entity": None, "link": "https://evil.example/x"}, {("link", "bad_link")}),
    ({"entity": None, "link": "//evil.example/x"}, {("link", "bad_link")}),
    ({"name": 42}, {("name", "string_type")}),
])
def test_bad_enquiries_are_400_naming_each_field(env, fields, expected):
    app, public, staff = env
    answer = send(public, **fields)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == expected
    assert listed(staff) == []


@pytest.mark.parametrize("body, kind, status", [
    (b"[1, 2]", "application/json", 400), (b"{not json", "application/json", 400),
    (b"\xff\xfe", "application/x-www-form-urlencoded", 400), (b"name=x", "text/plain", 415),
    (b"x" * 17000, "application/json", 413)])
def test_unreadable_bodies_are_4xx(env, body, kind, status):
    _, public, _ = env
    assert public.post("/api/enquiries", content=body, headers={"Content-Type": kind}).status_code == status


def test_contacts_are_checked_loosely():
    for phone in ("13800138000", "+86 595 8566 1234", "(0595) 8566-1234", "0595-85661234 转 123"):
        assert contact_kind(phone) == "phone", phone
    for mail in ("lin@example.com", "chen.wei@mail.jinjiang.gov.cn"):
        assert contact_kind(mail) == "email", mail
    for bad in ("wechat: lin", "12345", "a@b", "1" * 16, "lin@example"):
        assert contact_kind(bad) is None, bad


def test_the_form_works_without_script_in_both_languages(env):
    app, public, staff = env
    page = public.get(f"/platforms/{POINT}?lang=en")
    assert page.status_code == 200
    form = re.search(r'<form class="enquiry-form".*?</form>', page.text, re.S).group(0)
    assert 'action="/api/enquiries?lang=en"' in form and f'name="entity" value="{POINT}"' in form
    for name in ("name", "organisation", "contact", "need", "consent", "website"):
        assert f'name="{name}"' in form, name
    assert "deleted automatically 180 days after it is sent" in form and "No IP address" in form
    zh = public.get(f"/platforms/{POINT}").text
    assert "180 天后自动删除" in zh and "不记录 IP 地址" in zh
    thanks = public.post("/api/enquiries?lang=en", headers=HTML, data={
        "name": "Lin", "contact": "lin@example.com", "need": "A lab", "entity": POINT,
        "consent": "yes", "lang": "en"})
    assert thanks.status_code == 201 and "Your enquiry (#1) was received" in thanks.text
    assert f'href="/platforms/{POINT}?lang=en"' in thanks.text
    refused = public.post("/api/enquiries", headers=HTML, data={
        "name": "林", "contact": "微信 lin", "need": "实验室", "entity": POINT})
    assert refused.status_code == 400
    assert "请填写电话号码或电子邮箱" in refused.text and "请勾选同意后再提交" in refused.text
    assert [e["number"] for e in listed(staff)] == [1]


def test_the_honeypot_drops_the_enquiry_silently(env):
    app, public, staff = env
    answer = send(public, website="http://spam.example")
    assert answer.status_code == 202 and answer.json() == {"status": "received"}
    html = public.post("/api/enquiries", headers=HTML, data={
        "name": "Bot", "contact": "bot@example.com", "need": "x", "entity": POINT,
        "consent": "yes", "website": "spam"})
    assert html.status_code == 202 and "Thank" not in html.text and "谢谢" in html.text
    assert listed(staff) == []


def test_too_many_enquiries_from_one_client_get_429(env):
    app, public, staff = env
    assert send(public, consent=False).status_code == 400  # refused ones are not counted
    for _ in range(5):
        assert send(public).status_code == 201
    answer = send(public)
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    assert len(listed(staff)) == 5
    page = public.post("/api/enquiries?lang=en", headers=HTML, data={"name": "x"})
    assert page.status_code == 429 and "please try again in" in page.text


# ---------------------------------------------------------------------------- the inbox
def test_the_inbox_is_for_staff_only(env):
    app, public, staff = env
    assert send(public).status_code == 201
    for path in ("/edit/enquiries", "/api/enquiries", "/api/enquiries/1", "/edit/enquiries.csv",
                 "/edit/enquiries.xlsx", "/edit/usage", "/api/usage"):
        answer = public.get(path)
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"].startswith("Bearer"), path
        assert "林女士" not in answer.text and "lin@example.com" not in answer.text, path
    page = public.get("/edit/enquiries?lang=en", headers=HTML)
    assert page.status_code == 401 and "林女士" not in page.text
    assert 'href="/login?lang=en&amp;next=%2Fedit%2Fenquiries%3Flang%3Den"' in page.text
    forged = TestClient(app, raise_server_exceptions=False)
    forged.headers["Authorization"] = "Bearer not-a-token"
    assert forged.get("/api/enquiries").status_code == 401
    for method, path in (("PATCH", "/api/enquiries/1"), ("DELETE", "/api/enquiries/1"),
                         ("POST", "/edit/enquiries/1"), ("POST", "/edit/enquiries/1/delete")):
        assert public.request(method, path).status_code == 401, path
    routes = {(m, p): role for m, p, role in write_routes(app)}
    assert routes[("POST", "/api/enquiries")] is None  # the one public write
    for key in (("PATCH", "/api/enquiries/{number}"), ("DELETE", "/api/enquiries/{number}"),
                ("POST", "/edit/enquiries/{number}"), ("POST", "/edit/enquiries/{number}/delete")):
        assert routes[key] == "editor", key
    session = TestClient(app, raise_server_exceptions=False)
    logged_in(session)
    shown = session.get("/edit/enquiries?lang=en", headers=HTML)
    assert shown.status_code == 200 and "林女士" in shown.text and "lin@example.com" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    no_token = session.post("/edit/enquiries/1", data={"status": "closed"}, follow_redirects=False)
    assert no_token.status_code == 403
    assert listed(staff)[0]["status"] == "new"


def test_staff_set_status_assignee_and_notes(env):
    app, public, staff = env
    send(public)
    send(public, name="Chen", contact="13800138000")
    changed = staff.patch("/api/enquiries/1", json={"status": "in_progress", "assignee": "ad",
                                                     "notes": "Rang back; visit on Monday."})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["status"], body["assignee"], body["updated_by"]) == ("in_progress", "ad", "ed")
    assert body["notes"] == "Rang back; visit on Monday." and body["updated_at"]
    assert [e["number"] for e in listed(staff, "in_progress")] == [1]
    assert [e["number"] for e in listed(staff, "new")] == [2]
    for bad in ({"status": "done"}, {"assignee": "nobody-here"}, {"notes": "x" * 2001}):
        answer = staff.patch("/api/enquiries/2", json=bad)
        assert answer.status_code == 400, bad
        assert next(iter(bad)) in answer.json()["detail"]
    assert staff.patch("/api/enquiries/99", json={"status": "closed"}).status_code == 404
    assert staff.get("/api/enquiries?status=done").status_code == 400
    # the page's forms, with the session and its token
    session = TestClient(app, raise_server_exceptions=False)
    csrf = logged_in(session, "ad")
    answer = session.post("/edit/enquiries/2", follow_redirects=False, data={
        "csrf_token": csrf, "status": "answered", "assignee": "ed", "notes": "Sent the brochure",
        "lang": "en", "shown": "new"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/edit/enquiries?lang=en&status=new#enquiry-2"
    second = staff.get("/api/enquiries/2").json()
    assert (second["status"], second["assignee"], second["updated_by"]) == ("answered", "ed", "ad")
    page = session.get("/edit/enquiries?lang=en&status=answered", headers=HTML).text
    assert 'id="enquiry-2" data-number="2" data-status="answered"' in page
    assert 'id="enquiry-1"' not in page and "All (2)" in page and "Answered (1)" in page


def test_staff_download_the_inbox_as_csv_and_xlsx(env):
    app, public, staff = env
    send(public, name="=HYPERLINK(\"http://evil.example\")", contact="13800138000")
    send(public)
    staff.patch("/api/enquiries/2", json={"status": "closed"})
    csv = staff.get("/edit/enquiries.csv")
    assert csv.status_code == 200 and csv.headers["cache-control"] == "no-store"
    assert "attachment" in csv.headers["content-disposition"]
    assert re.search(r'filename="jinjiang-atlas_enquiries_\d{4}-\d\d-\d\d\.csv"',
                     csv.headers["content-disposition"])
    text = csv.content.decode("utf-8-sig")
    assert text.startswith("编号 No.,") and "'=HYPERLINK" in text and "林女士" in text
    assert "已关闭 Closed" in text and "13800138000" in text
    only_new = staff.get("/edit/enquiries.csv?status=new").content.decode("utf-8-sig")
    assert "HYPERLINK" in only_new and "林女士" not in only_new
    book = load_workbook(io.BytesIO(staff.get("/edit/enquiries.xlsx").content))
    rows = list(book.active.values)
    assert rows[1][0] == "编号 No." and rows[1][4] == "姓名 Name"
    assert {row[0] for row in rows[2:4]} == {1, 2}
    assert any(row[4] == "林女士" for row in rows[2:4])


def test_staff_delete_an_enquiry_on_request(env):
    app, public, staff = env
    send(public, contact="forget-me@example.com")
    assert staff.delete("/api/enquiries/1").status_code == 204
    assert staff.delete("/api/enquiries/1").status_code == 404
    assert staff.get("/api/enquiries/1").status_code == 404
    assert b"forget-me@example.com" not in stored_bytes(app.state.storage, "enquiries")
    send(public)
    session = TestClient(app, raise_server_exceptions=False)
    csrf = logged_in(session)
    assert session.post("/edit/enquiries/2/delete", data={"csrf_token": csrf}).status_code == 400
    gone = session.post("/edit/enquiries/2/delete", data={"csrf_token": csrf, "confirm": "yes"},
                        follow_redirects=False)
    assert gone.status_code == 303 and listed(staff) == []
    assert send(public).json()["number"] == 3  # numbers are never reused


# ---------------------------------------------------------------------------- retention
def aged(storage, number: int, days: float) -> None:
    """Make enquiry ``number`` look sent ``days`` ago (as if the clock had moved on)."""
    enquiry = next(e for e in storage.enquiries() if e.number == number)
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    assert storage.update_enquiry(enquiry.model_copy(
        update={"time": then.replace(microsecond=0).isoformat()}))


def test_expired_enquiries_are_deleted(env, monkeypatch):
    app, public, staff = env
    storage = app.state.storage
    monkeypatch.delenv(ENV, raising=False)
    for contact in ("old@example.com", "recent@example.com", "new@example.com"):
        assert send(public, contact=contact).status_code == 201
    aged(storage, 1, 181)
    aged(storage, 2, 179)
    assert b"old@example.com" in stored_bytes(storage, "enquiries")
    page = staff.get("/edit/enquiries", headers=HTML)  # looking at the inbox purges
    assert page.status_code == 200 and "old@example.com" not in page.text
    assert "recent@example.com" in page.text
    assert b"old@example.com" not in stored_bytes(storage, "enquiries")
    assert staff.get("/api/enquiries/1").status_code == 404
    monkeypatch.setenv(ENV, "30")  # restarted with a shorter period: it applies to what is kept
    settings = app.state.settings
    restarted = TestClient(build(storage, settings.data_dir, settings.users_file),
                           raise_server_exceptions=False)
    assert send(restarted).json()["number"] == 4  # a write purges too; numbers never reused
    assert [e.number for e in storage.enquiries()] == [4, 3]
    assert "30 days after it is sent" in restarted.get(f"/platforms/{POINT}?lang=en").text


def test_the_retention_period_is_checked(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert retention_days() == 180
    monkeypatch.setenv(ENV, "365")
    assert retention_days() == 365
    for bad in ("0", "-5", "abc", "4000"):
        monkeypatch.setenv(ENV, bad)
        with pytest.raises(RetentionError, match=ENV):
            retention_days()


def test_atlas_enquiries_purge(storage, data_copy, monkeypatch, capsys):
    monkeypatch.delenv(ENV, raising=False)
    if not isinstance(storage, GeoJSONStorage):
        monkeypatch.setenv("ATLAS_DATABASE_URL", storage.url)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for days in (200, 10):
        storage.add_enquiry(Enquiry(time=(now - dt.timedelta(days=days)).isoformat(), name="x",
                                    contact="x@example.com", need="y", entity_id=POINT))
    args = argparse.Namespace(data_dir=str(data_copy))
    assert run_enquiry_command(args) == 0
    assert "deleted 1 enquiries sent more than 180 days ago" in capsys.readouterr().out
    assert [e.number for e in storage.enquiries()] == [2]
    monkeypatch.setenv(ENV, "zero")
    assert run_enquiry_command(args) == 1
    assert ENV in capsys.readouterr().err


def test_enquiries_sent_at_once_are_all_kept(storage):
    """Writers in several processes (two handles on the same data) never lose an enquiry."""
    handles = [storage, reopen(storage)]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()

    def add(i: int) -> None:
        handles[i % 2].add_enquiry(Enquiry(time=now, name=f"n{i}", contact="a@example.com",
                                           need="x", entity_id=POINT))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(e.number for e in storage.enquiries()) == list(range(1, 9))
    assert sorted(e.name for e in handles[1].enquiries()) == sorted(f"n{i}" for i in range(8))
    if handles[1] is not storage:
        getattr(handles[1], "close", lambda: None)()
