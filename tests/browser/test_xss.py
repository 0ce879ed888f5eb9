"""Script-like names in the data are shown as text and never run, on every page that shows them."""

from __future__ import annotations

import json
import shutil

import pytest

from atlas.config import Settings
from atlas.web.app import create_app
from tests.browser.conftest import watched_page
from tests.conftest import SHIPPED_DATA

EVIL = {
    "clfi-jinjiang": ("<img src=x onerror=alert(1)>", "${1+1} <b>bold</b>"),
    "strait-graphene-institute": ("</script><script>alert(2)</script>", "{{7*7}} <svg onload=alert(3)>"),
}


@pytest.fixture(scope="module")
def evil_url(tmp_path_factory, serve) -> str:
    folder = tmp_path_factory.mktemp("evil") / "geo"
    shutil.copytree(SHIPPED_DATA, folder)
    path = folder / "platforms.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    for feature in fc["features"]:
        names = EVIL.get(feature["properties"]["id"])
        if names:
            feature["properties"]["name_zh"], feature["properties"]["name_en"] = names
            feature["properties"]["description_zh"] = names[0]
            feature["properties"]["operator_zh"] = feature["properties"]["operator_en"] = names[1]
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return serve(create_app(Settings(data_dir=folder, tiles="none")))


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
