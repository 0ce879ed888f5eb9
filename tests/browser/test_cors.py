"""Cross-origin reads from a page on another origin, in Chromium: what a browser-based OGC
viewer or a notebook on another site can and cannot do with the atlas."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from atlas.testing import free_port


@pytest.fixture(scope="module")
def other_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An unrelated site on another loopback port, serving one empty page."""
    folder: Path = tmp_path_factory.mktemp("elsewhere")
    (folder / "index.html").write_text("<!doctype html><title>elsewhere</title>", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()),
                                 partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # noqa: D102 - keep the test output clean
        pass


FETCH = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return {ok: response.ok, status: response.status, body: await response.text()};
  } catch (error) {
    return {error: String(error)};
  }
}"""


def test_another_site_can_read_but_not_write(browser: Browser, base_url: str,
                                             other_origin: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(other_origin + "/index.html")
    fetch = lambda url, init={}: page.evaluate(FETCH, [base_url + url, init])  # noqa: E731

    collections = fetch("/ogc/collections", {"headers": {"Accept": "application/json"}})
    assert collections.get("status") == 200, collections
    assert "platforms" in collections["body"]
    items = fetch("/ogc/collections/platforms/items?limit=2")
    assert items.get("status") == 200 and '"FeatureCollection"' in items["body"], items
    assert fetch("/api/entities?layer=parks").get("status") == 200

    # with credentials the browser refuses: the atlas never shares a session cross-origin
    signed = fetch("/api/entities", {"credentials": "include"})
    assert "error" in signed, signed
    # a write needs a preflight, which the atlas does not grant to another origin
    write = fetch("/api/features/platforms/x", {
        "method": "PUT", "credentials": "include", "body": "{}",
        "headers": {"Content-Type": "application/json", "X-CSRF-Token": "t"}})
    assert "error" in write, write
    # and a page on the atlas's own origin is unaffected (no CORS involved at all)
    page.goto(base_url + "/ogc/collections?f=json")
    assert "platforms" in page.content()
    context.close()
