"""Playwright driving Debian's headless Chromium (/usr/bin/chromium; never a downloaded browser).

Every page is watched: a request to any host but our server is blocked and
recorded, and console errors are collected; both must be empty at the end of
each test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from atlas.config import Settings
from atlas.web.app import create_app
from tests.conftest import SHIPPED_DATA

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


class Watched:
    """A page plus what it tried to fetch elsewhere and what it logged as errors."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        host = urlparse(base_url).netloc
        page.route("**/*", lambda route: self._guard(route, host))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)

    def _guard(self, route, host: str) -> None:
        url = route.request.url
        if urlparse(url).netloc == host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str) -> Page:
        self.page.goto(self.base_url + path)
        self.page.wait_for_selector("body[data-ready=true]", state="attached", timeout=20000)
        return self.page


def watched_page(browser: Browser, base_url: str, width: int = 1280, height: int = 820):
    context = browser.new_context(viewport={"width": width, "height": height})
    return context, Watched(context.new_page(), base_url)


@pytest.fixture
def atlas_page(browser: Browser, base_url: str) -> Iterator[Watched]:
    context, watched = watched_page(browser, base_url)
    yield watched
    context.close()
    assert watched.foreign == [], f"requests left the server: {watched.foreign}"
    assert watched.errors == [], f"console errors: {watched.errors}"


EVIL = {
    "clfi-jinjiang": ("<img src=x onerror=alert(1)>", "${1+1} <b>bold</b>"),
    "strait-graphene-institute": ("</script><script>alert(2)</script>", "{{7*7}} <svg onload=alert(3)>"),
}


@pytest.fixture(scope="module")
def evil_url(tmp_path_factory, serve) -> str:
    """The shipped atlas with script-like names and texts on two platforms, served over HTTP."""
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
