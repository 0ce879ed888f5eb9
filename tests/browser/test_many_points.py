"""Thousands of points: the atlas still draws them all (clustered), lists the first 500, filters."""

from __future__ import annotations

import json

import pytest

from atlas.config import Settings
from atlas.testing import write_synthetic_data
from atlas.web.app import create_app
from tests.browser.conftest import watched_page
from tests.conftest import SHIPPED_DATA

N = 5_000


@pytest.fixture(scope="module")
def many_url(tmp_path_factory, serve) -> str:
    folder = tmp_path_factory.mktemp("many") / "geo"
    write_synthetic_data(folder, N)
    return serve(create_app(Settings(data_dir=folder, tiles="none")))


def test_thousands_of_points(browser, many_url, artifacts):
    context, watched = watched_page(browser, many_url)
    try:
        page = watched.open("/")
        total = int(page.inner_text("#match-count"))
        shipped = sum(len(json.loads((SHIPPED_DATA / f"{layer}.geojson").read_text(encoding="utf-8"))["features"])
                      for layer in ("parks", "platforms", "enterprises"))
        assert total == N + shipped  # synthetic incubators + shipped parks, platforms, enterprises
        assert page.evaluate("Object.keys(window.atlasPage.markers).length") == total
        assert page.locator("#entity-list li.entity").count() == 500
        assert str(total - 500) in page.inner_text(".list-more")
        clusters = page.locator(".marker-cluster").count()
        assert 0 < clusters < 500, "points should be clustered at city zoom"
        page.evaluate("document.body.dataset.ready = 'false'")
        page.select_option("#facet-kind", "maker_space")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        assert page.inner_text("#match-count") == str(N // 4)  # the synthetic kinds cycle through 4
        page.screenshot(path=artifacts / "atlas-5000.png")
        assert watched.foreign == [] and watched.errors == []
    finally:
        context.close()
