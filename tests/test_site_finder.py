"""The site finder on fixtures with known answers, and the facts it reads on profiles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html
from pydantic import ValidationError

from atlas.config import Settings
from atlas.model import ParkProps
from atlas.promotion.site_finder import Near, Need, Space, find_sites
from atlas.vocab import Industry
from atlas.web.app import create_app
from tests.conftest import SHIPPED_DATA

FITS, TOO_SMALL, TOO_DEAR = "sanchuang-park", "ic-industrial-park", "wuli-park"
SOURCE = {"facts_as_of": "2026-10-01", "facts_source_zh": "园区管委会（测试）",
          "facts_source_en": "Park management (test)"}
FACTS = {
    FITS: {"space_office_m2": 5000, "rent_min_yuan": 25, "rent_max_yuan": 35, "firms": 120,
           "industries": ["integrated_circuits", "high_end_equipment"], **SOURCE},
    TOO_SMALL: {"space_office_m2": 200, "rent_min_yuan": 20, "rent_max_yuan": 30, **SOURCE},
    TOO_DEAR: {"space_office_m2": 8000, "rent_min_yuan": 80, "rent_max_yuan": 120,
               "industries": ["integrated_circuits", "footwear_apparel"], **SOURCE},
}
NEED = {"industry": "integrated_circuits", "space": "office", "size_m2": 1000, "budget_yuan": 50}


def write_finder_data(folder: Path) -> Path:
    """The shipped layers in ``folder`` with facts on three parks: one fits, one is too small,
    one too dear."""
    shutil.copytree(SHIPPED_DATA, folder, ignore=shutil.ignore_patterns(".atlas"))
    path = folder / "parks.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    for feature in fc["features"]:
        feature["properties"].update(FACTS.get(feature["properties"]["id"], {}))
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def finder(tmp_path_factory) -> TestClient:
    folder = write_finder_data(tmp_path_factory.mktemp("finder") / "geo")
    return TestClient(create_app(Settings(data_dir=folder, tiles="none")))


def ranked(client: TestClient, need: Need):
    return {c.entity.id: (i, c) for i, c in enumerate(find_sites(client.app.state.live.current(), need))}


def test_the_park_that_fits_comes_first_and_says_why(finder):
    found = ranked(finder, Need(Industry.integrated_circuits, Space.office, 1000, 50))
    rank, best = found[FITS]
    assert rank == 0 and best.fits
    assert [(r.key, r.ok) for r in best.reasons] == [("industry", True), ("space", True), ("rent", True)]
    assert best.unknown == []


def test_too_little_space_or_too_dear_does_not_fit_and_says_by_how_much(finder):
    found = ranked(finder, Need(Industry.integrated_circuits, Space.office, 1000, 50))
    _, small = found[TOO_SMALL]
    assert not small.fits
    short = next(r for r in small.reasons if r.key == "space_short")
    assert short.values["m2"] == 200 and short.values["size"] == 1000 and short.ok is False
    _, dear = found[TOO_DEAR]
    assert not dear.fits
    over = next(r for r in dear.reasons if r.key == "rent_over")
    assert over.values["low"] == 80 and over.values["budget"] == 50
    fitting = [c for _, c in sorted(found.values(), key=lambda ic: ic[0]) if c.fits]
    assert all(rank < found[TOO_SMALL][0] for rank, c in found.values() if c.fits)
    assert FITS in [c.entity.id for c in fitting]


def test_unknown_facts_are_listed_not_counted(finder):
    found = ranked(finder, Need(Industry.integrated_circuits, Space.lab, 100, 50))
    _, park = found[FITS]  # it gave office space and rent, not lab space
    assert "space_lab" in park.unknown
    assert park.fits
    _, other = found["hongshan-creative-park"]  # no facts at all
    assert set(other.unknown) >= {"space_lab", "rent"}


def test_near_counts_within_the_stated_distances(finder):
    atlas = finder.app.state.live.current()
    for near in Near:
        for c in find_sites(atlas, Need(near=(near,))):
            for r in c.reasons:
                if r.key == f"near_{near.value}":
                    km = r.values["km"]
                    assert (r.ok is True) == (km <= 10.0) or km == pytest.approx(10.0, abs=0.05)


def test_the_page_ranks_explains_and_reopens_from_its_link(finder):
    page = finder.get("/site-finder", params={**NEED, "near": ["university", "airport"], "lang": "en"})
    assert page.status_code == 200
    tree = html.fromstring(page.text)
    items = tree.xpath('//li[contains(@class, "candidate")]')
    assert items[0].get("data-id") == FITS and "fits" in items[0].get("class").split()
    assert "no-fit" in next(i for i in items if i.get("data-id") == TOO_SMALL).get("class").split()
    text = " ".join(items[0].itertext())
    assert "Integrated circuits is among its industries" in text and "5,000 m² of office space" in text
    small = next(i for i in items if i.get("data-id") == TOO_SMALL)
    assert "Only 200 m² of office space, less than the 1,000 m² needed" in " ".join(small.itertext())
    share = tree.get_element_by_id("share-url").get("value")
    again = finder.get(share.replace("http://testserver", ""))
    assert [i.get("data-id") for i in html.fromstring(again.text).xpath('//li[contains(@class, "candidate")]')] \
        == [i.get("data-id") for i in items]


@pytest.mark.parametrize("query", [{"industry": "nope"}, {"size_m2": "-5"}, {"space": "castle"},
                                   {"near": "moon"}, {"colour": "red"}])
def test_bad_input_is_a_clear_400(finder, query):
    response = finder.get("/site-finder", params=query, headers={"accept": "text/html"})
    assert response.status_code == 400
    assert next(iter(query)) in response.text


def test_a_profile_shows_facts_and_what_is_not_yet_provided(finder):
    tree = html.fromstring(finder.get(f"/parks/{FITS}?lang=en").text)
    value = 'string(//dd[@data-fact="{}"]/span[@class="fact-value"])'.format
    assert tree.xpath(value("space_office_m2")) == "5,000"
    assert tree.xpath(value("rent")) == "25–35"
    assert tree.xpath('//dd[@data-fact="space_lab_m2"]')[0].text == "Not yet provided"
    assert "Park management (test), as of 2026-10-01" in tree.get_element_by_id("fact-source-1").text_content()


def test_facts_need_a_date_and_a_source():
    base = json.loads((SHIPPED_DATA / "parks.geojson").read_text(encoding="utf-8"))["features"][0]["properties"]
    with pytest.raises(ValidationError, match="facts_as_of"):
        ParkProps.model_validate({**base, "space_office_m2": 100})
    with pytest.raises(ValidationError, match="rent_min_yuan is above"):
        ParkProps.model_validate({**base, **SOURCE, "rent_min_yuan": 50, "rent_max_yuan": 10})
