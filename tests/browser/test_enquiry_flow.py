"""An investor leaves an enquiry on a profile (the plain form, in Chromium); it shows in the staff
inbox only after logging in (401 before); staff take it on; past the retention period it is gone.
Meanwhile the usage statistics counted the profile and a search that found nothing — and what
they stored holds neither the browser's address, nor its cookies, nor its user agent."""

from __future__ import annotations

import pytest

from atlas.auth.users import UserStore
from atlas.enquiries.retention import ENV
from tests.browser.conftest import watched_page
from tests.test_enquiries import PASSWORD, POINT, aged, build, stored_bytes

NOTHING = "量子引力实验室"
"""A search that matches nothing in the shipped data."""


@pytest.fixture
def site(storage, data_copy, tmp_path, serve, monkeypatch):
    """A server on a copy of the data (files, then PostGIS) with one staff user, "ed"."""
    monkeypatch.delenv(ENV, raising=False)
    users = UserStore(tmp_path / "users.json")
    users.add("ed", "editor", PASSWORD)
    app = build(storage, data_copy, users.path)
    return serve(app), app


def test_an_enquiry_reaches_the_inbox_and_expires(browser, site):
    url, app = site
    storage = app.state.storage
    context, watched = watched_page(browser, url)
    try:
        page = watched.open(f"/platforms/{POINT}?lang=en")
        assert page.locator("#enquiry-box").count() == 1, \
            'templates/profile.html must {% include "enquiries/_form.html" %}'
        assert not page.locator("#enquiry-name").is_visible()  # collapsed until asked for
        page.click("#enquiry-box summary")
        page.fill("#enquiry-name", "Lin Mei")
        page.fill("#enquiry-organisation", "Minnan New Materials Co.")
        page.fill("#enquiry-contact", "lin.mei@example.com")
        page.fill("#enquiry-need", "About 500 m² of lab space from next spring.")
        assert "deleted automatically 180 days after it is sent" in page.inner_text("#enquiry-form")
        page.click(".enquiry-send")  # the consent box is required: the browser does not send
        assert page.evaluate("document.getElementById('enquiry-consent').validity.valueMissing")
        assert storage.enquiries() == []
        page.check("#enquiry-consent")
        with page.expect_navigation():
            page.click(".enquiry-send")
        assert "Your enquiry (#1) was received" in page.inner_text("#enquiry-answer")
        assert context.cookies() == []  # sending set no cookie

        anonymous = context.request.get(f"{url}/edit/enquiries")
        assert anonymous.status == 401 and "Lin Mei" not in anonymous.text()
        assert context.request.get(f"{url}/api/enquiries").status == 401
        assert context.request.get(f"{url}/edit/enquiries.csv").status == 401

        page.goto(f"{url}/login?lang=en&next=%2Fedit%2Fenquiries%3Flang%3Den")
        page.fill("input[name=name]", "ed")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form.login-form button[type=submit], form button[type=submit]").first.click()
        assert page.url.endswith("/edit/enquiries?lang=en")
        row = page.locator("#enquiry-1")
        assert "Lin Mei" in row.inner_text() and "lin.mei@example.com" in row.inner_text()
        assert "Minnan New Materials Co." in row.inner_text()

        row.locator("select[name=status]").select_option("in_progress")
        row.locator("select[name=assignee]").select_option("ed")
        row.locator("textarea[name=notes]").fill("Called back; visit on Monday.")
        with page.expect_navigation():
            row.locator("button.save").click()
        page.wait_for_selector("#enquiry-1[data-status=in_progress]")
        assert "Called back; visit on Monday." in page.inner_text("#enquiry-1")
        assert storage.enquiries()[0].assignee == "ed"

        aged(storage, 1, 181)  # half a year later …
        page.reload()
        assert page.locator("#enquiry-1").count() == 0 and page.locator("#no-enquiries").is_visible()
        assert b"lin.mei@example.com" not in stored_bytes(storage, "enquiries")
    finally:
        context.close()
    assert watched.foreign == [], f"requests left the server: {watched.foreign}"
    assert watched.errors == [], f"console errors: {watched.errors}"


def test_usage_statistics_store_no_address_no_cookie(browser, site):
    url, app = site
    context, watched = watched_page(browser, url)
    try:
        watched.open(f"/platforms/{POINT}?lang=en")
        page = watched.open(f"/?lang=en&q={NOTHING}")  # ready once /api/entities?q= answered
        page.goto(f"{url}/login?lang=en&next=%2Fedit%2Fusage%3Flang%3Den")
        page.fill("input[name=name]", "ed")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form.login-form button[type=submit], form button[type=submit]").first.click()
        assert page.url.endswith("/edit/usage?lang=en")
        assert POINT in page.inner_text("#usage-views")
        assert NOTHING in page.inner_text("#usage-zero")
        cookies = [c["value"] for c in context.cookies()]
        agent = page.evaluate("navigator.userAgent")
    finally:
        context.close()
    raw = stored_bytes(app.state.storage, "usage")
    assert POINT.encode() in raw and NOTHING.encode() in raw  # the right bytes are inspected …
    assert cookies and all(len(value) > 8 for value in cookies)
    for trace in (b"127.0.0.1", agent.encode(), b"HeadlessChrome", *(v.encode() for v in cookies)):
        assert trace not in raw, trace  # … and hold no address, no agent, no cookie
    assert watched.foreign == [], f"requests left the server: {watched.foreign}"
    assert watched.errors == [], f"console errors: {watched.errors}"
