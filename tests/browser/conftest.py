"""Playwright driving Debian's headless Chromium (/usr/bin/chromium; never a downloaded browser).

Every page is watched: a request to any host but our server is blocked and
recorded, and console errors are collected; both must be empty at the end of
each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

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
