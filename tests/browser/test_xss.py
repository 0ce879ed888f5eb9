"""Script-like names in the data are shown as text and never run, on every page that shows them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import EVIL, watched_page


@pytest.mark.parametrize("path,text", [
    ("/?q=img", EVIL["clfi-jinjiang"][0]),
    ("/?sel=strait-graphene-institute", EVIL["strait-graphene-institute"][0]),
    ("/platforms/clfi-jinjiang", EVIL["clfi-jinjiang"][0]),
    ("/platforms/strait-graphene-institute?lang=en", EVIL["strait-graphene-institute"][1]),
])
def test_script_like_names_display_as_text(browser, evil_url, artifacts, path, text):
    context, watched = watched_page(browser, evil_url)
    try:
        page = watched.open(path)
        if path.startswith("/?"):
            page.wait_for_selector("#entity-list li")
            page.click("#entity-list li >> nth=0")
            page.wait_for_selector(".leaflet-popup-content")
        page.wait_for_timeout(300)
        assert watched.dialogs == [], f"a script ran: {watched.dialogs}"
        assert page.locator("img[src='x'], svg[onload], b:text('bold')").count() == 0
        assert text in page.inner_text("body")
        page.screenshot(path=artifacts / f"xss-{abs(hash(path)) % 10000}.png")
        assert watched.foreign == []
        assert watched.errors == []
    finally:
        context.close()
