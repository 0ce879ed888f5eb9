"""The atlas in a real browser: layers, filters, URL state, search, profiles, language, mobile."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from atlas.config import Settings
from atlas.web.app import create_app
from tests.browser.conftest import watched_page
from tests.conftest import SHIPPED_DATA

OVERLAYS_ZH = ["市界", "镇街", "一廊：世纪大道双创活力走廊", "两区", "园区与基地", "创新平台 / 孵化载体 / 企业"]


def list_ids(page) -> list[str]:
    return page.eval_on_selector_all("#entity-list li", "els => els.map(e => e.dataset.id)")


def wait_list(page, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('#entity-list li').length === {count}")


def test_atlas_renders_every_layer(atlas_page, client, artifacts):
    page = atlas_page.open("/")
    labels = page.eval_on_selector_all(".leaflet-control-layers-overlays label",
                                       "els => els.map(e => e.textContent.trim())")
    assert labels == OVERLAYS_ZH
    total = client.get("/api/entities").json()["numberMatched"]
    wait_list(page, total)
    assert page.inner_text("#match-count") == str(total)
    drawn = page.evaluate("Object.keys(window.atlasPage.markers).length")
    assert drawn == total
    layers = page.evaluate("""() => { const seen = {};
        window.atlasPage.map.eachLayer(l => { if (l.feature) {
            const k = l.feature.properties.layer || l.feature.id; seen[k] = (seen[k] || 0) + 1; } });
        return seen; }""")
    assert layers["towns"] == 19 and layers["zones"] == 2 and layers["boundary"] == 1
    parks = client.get("/api/entities?layer=parks").json()["numberMatched"]
    assert layers["corridor"] == 1 and layers["corridor-band"] == 1 and layers["parks"] == parks
    page.screenshot(path=artifacts / "atlas-zh.png")


def test_filter_changes_list_counts_and_map(atlas_page, client, artifacts):
    page = atlas_page.open("/")
    page.select_option("#facet-kind", "university")
    expected = client.get("/api/entities?kind=university").json()
    wait_list(page, expected["numberMatched"])
    assert sorted(list_ids(page)) == sorted(f["id"] for f in expected["features"])
    assert page.evaluate("Object.keys(window.atlasPage.markers).length") == expected["numberMatched"]
    kind_counts = page.eval_on_selector_all("#count-kind li", "els => els.map(e => [e.dataset.key, e.querySelector('.count-n').textContent])")
    assert kind_counts == [["university", str(expected["numberMatched"])]]
    assert parse_qs(urlparse(page.evaluate("location.href")).query)["kind"] == ["university"]
    page.screenshot(path=artifacts / "atlas-filtered.png")


def test_reloading_the_url_reproduces_the_view(atlas_page, browser, base_url, artifacts):
    page = atlas_page.open("/?industry=integrated_circuits")
    page.click("#entity-list li[data-id='fzu-jinjiang-microelectronics']")
    page.wait_for_function("() => new URLSearchParams(location.search).get('sel') === 'fzu-jinjiang-microelectronics'")
    page.wait_for_timeout(800)  # let the map finish its fly-to and write c/z
    url = page.evaluate("location.href")
    view = page.evaluate("[window.atlasPage.map.getZoom(), window.atlasPage.map.getCenter()]")
    ids = list_ids(page)

    context, again = watched_page(browser, base_url)
    try:
        second = again.open(urlparse(url).path + "?" + urlparse(url).query)
        second.wait_for_selector("#entity-list li.selected")
        assert list_ids(second) == ids
        assert second.get_attribute("#entity-list li.selected", "data-id") == "fzu-jinjiang-microelectronics"
        assert second.eval_on_selector("#facet-industry", "s => s.classList.contains('chosen')")
        assert second.inner_text("#active-filters").count("×") == 1
        zoom, centre = second.evaluate("[window.atlasPage.map.getZoom(), window.atlasPage.map.getCenter()]")
        assert zoom == view[0]
        assert abs(centre["lat"] - view[1]["lat"]) < 0.01 and abs(centre["lng"] - view[1]["lng"]) < 0.01
        second.screenshot(path=artifacts / "atlas-permalink.png")
        assert again.foreign == [] and again.errors == []
    finally:
        context.close()


def test_pinyin_and_english_search(atlas_page):
    page = atlas_page.open("/")
    for query, expected in (("scy", "sanchuang-park"), ("shimoxi", "strait-graphene-institute"),
                            ("Graphene", "strait-graphene-institute"), ("福州大学", "fzu-jinjiang-campus")):
        page.fill("#q", query)
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('q') === {query!r}")
        page.wait_for_selector(f"#entity-list li[data-id='{expected}']")
        assert expected in list_ids(page)


def test_profile_opens_from_a_popup(atlas_page, artifacts):
    page = atlas_page.open("/?kind=research_institute")
    page.click("#entity-list li[data-id='cas-quanzhou-equipment-institute']")
    link = page.wait_for_selector(".leaflet-popup a.popup-link")
    link.click()
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert urlparse(page.url).path == "/platforms/cas-quanzhou-equipment-institute"
    assert "泉州装备制造研究所" in page.inner_text("h1")
    assert "三创园" in page.inner_text(".crumbs")
    opened = page.evaluate("""() => {
        const cfg = JSON.parse(document.getElementById('atlas-config').textContent);
        let n = 0;
        window[cfg.map].eachLayer(l => { if (l.feature && l.getPopup && l.getPopup()) { l.openPopup(); n++; } });
        return n; }""")
    assert opened >= 4  # the institute, its park, zone and corridor
    assert page.locator(".leaflet-popup-content .popup-name").count() >= 1
    page.screenshot(path=artifacts / "profile.png", full_page=True)


def test_english_switches_ui_and_content(atlas_page, artifacts):
    page = atlas_page.open("/?lang=en&kind=university")
    assert "Jinjiang Innovation Atlas" in page.inner_text("header")
    assert page.inner_text("label.facet >> nth=0").startswith("Layer")
    assert page.inner_text("label.facet >> nth=1").startswith("Kind")
    names = page.eval_on_selector_all("#entity-list .entity-name", "els => els.map(e => e.textContent)")
    assert "Quanzhou Light Industry Vocational College" in names
    page.screenshot(path=artifacts / "atlas-en.png")


def test_api_and_ogc_html_pages_load_cleanly(atlas_page, artifacts):
    """The query-answer map, the OGC HTML pages and Swagger UI: no foreign request, no console error."""
    page = atlas_page.page
    for path, name, heading in (("/api/locate?lon=118.5330&lat=24.7660&f=html", "api-locate", "h1"),
                                ("/ogc/collections/platforms/items?f=html&limit=5", "ogc-items", "h1"),
                                ("/docs", "swagger", ".swagger-ui .title")):
        page.goto(atlas_page.base_url + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector(heading)
        page.screenshot(path=artifacts / f"{name}.png")


def test_copy_link_puts_the_view_url_on_the_clipboard(browser, base_url):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(base_url + "/?industry=graphene")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        page.wait_for_function("() => location.search.includes('z=')")  # the map has settled
        page.click("#share")
        page.wait_for_selector("#share-status:has-text('已复制')")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.evaluate("location.href") and "industry=graphene" in copied
    finally:
        context.close()


def test_a_broken_link_shows_what_is_wrong(browser, base_url):
    """A hand-edited link with an unknown filter value explains itself instead of a blank map."""
    context, watched = watched_page(browser, base_url)
    try:
        page = watched.open("/?kind=spaceport&lang=fr")
        message = page.inner_text("#load-error")
        assert message.startswith("无法按此筛选加载") and "kind" in message
        assert page.locator(".leaflet-control-layers").count() == 1  # the map itself still works
        # the failed request is the only console error: the page reports it to the user above
        assert len(watched.errors) == 1 and "400" in watched.errors[0]
        assert watched.foreign == []
    finally:
        context.close()


def test_a_shared_view_keeps_its_centre_and_zoom_with_a_selection(atlas_page):
    page = atlas_page.open("/?sel=clfi-jinjiang&c=24.70000,118.55000&z=11")
    page.wait_for_selector("#entity-list li.selected[data-id='clfi-jinjiang']")
    zoom, centre = page.evaluate("[window.atlasPage.map.getZoom(), window.atlasPage.map.getCenter()]")
    assert zoom == 11
    assert abs(centre["lat"] - 24.70) < 2e-3 and abs(centre["lng"] - 118.55) < 2e-3  # a few pixels
    # the selected entity's card is open, as it was when the link was copied
    name = page.inner_text("#entity-list li.selected .entity-name")
    assert page.inner_text(".leaflet-popup-content .popup-name") == name


def test_a_link_with_two_values_of_a_filter_shows_and_edits_both(atlas_page, client):
    page = atlas_page.open("/?industry=integrated_circuits&industry=marine")
    both = client.get("/api/entities?industry=integrated_circuits&industry=marine").json()
    wait_list(page, both["numberMatched"])
    chips = page.eval_on_selector_all("#active-filters button", "els => els.map(e => e.textContent)")
    assert len(chips) == 2 and any("集成电路" in c for c in chips) and any("海洋" in c for c in chips)
    summary = page.eval_on_selector("#facet-industry", "s => s.options[0].textContent")
    assert "集成电路" in summary and "海洋" in summary
    # remove one: the list, the URL and the chips follow
    page.click("#active-filters button:has-text('海洋')")
    one = client.get("/api/entities?industry=integrated_circuits").json()
    wait_list(page, one["numberMatched"])
    assert page.evaluate("new URLSearchParams(location.search).getAll('industry')") == ["integrated_circuits"]
    # add it back from the select: a second choice adds, it does not replace
    page.select_option("#facet-industry", "marine")
    wait_list(page, both["numberMatched"])
    assert page.evaluate("new URLSearchParams(location.search).getAll('industry')") == ["integrated_circuits", "marine"]


def test_filtering_fits_the_map_to_the_result(atlas_page, client):
    page = atlas_page.open("/")
    page.select_option("#facet-zone", "jinjing-industry-education-zone")
    expected = client.get("/api/entities?zone=jinjing-industry-education-zone").json()
    wait_list(page, expected["numberMatched"])
    inside = page.evaluate("""() => { const map = window.atlasPage.map, b = map.getBounds(), m = window.atlasPage.markers;
        return Object.keys(m).filter(id => m[id].getLatLng).every(id => b.contains(m[id].getLatLng())); }""")
    assert inside
    assert page.evaluate("window.atlasPage.map.getZoom()") > 11  # closer than the whole city


def test_labels_name_parks_and_platforms_without_overprinting(atlas_page):
    page = atlas_page.open("/?sel=sanchuang-park")
    page.evaluate("window.atlasPage.map.setZoom(16, {animate: false})")
    page.wait_for_timeout(300)
    labels = page.eval_on_selector_all(".map-label", "els => els.map(e => [e.textContent, e.getBoundingClientRect().toJSON()])")
    texts = [t for t, _ in labels]
    assert any("三创园" in t for t in texts)
    assert sum(1 for t in texts if t not in ("三创园",)) >= 3  # platforms in the park are named
    boxes = [b for _, b in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1
            assert not overlap, (a, b)


def test_back_to_the_map_keeps_filters_and_selection(atlas_page):
    page = atlas_page.open("/?industry=graphene")
    page.click("#entity-list li[data-id='strait-graphene-institute']")
    page.wait_for_selector(".leaflet-popup a.popup-link").click()
    page.wait_for_selector("body[data-ready=true]", state="attached")
    page.click("#back-to-map")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    params = page.evaluate("Object.fromEntries(new URLSearchParams(location.search))")
    assert params["industry"] == "graphene" and params["sel"] == "strait-graphene-institute"
    page.wait_for_selector(".leaflet-popup-content .popup-name")


def test_a_profile_links_to_its_spot_on_the_map(atlas_page):
    page = atlas_page.open("/platforms/strait-graphene-institute?lang=en")
    page.click("#show-on-map")
    page.wait_for_selector("body[data-ready=true]", state="attached")
    assert page.evaluate("new URLSearchParams(location.search).get('sel')") == "strait-graphene-institute"
    page.wait_for_selector(".leaflet-popup-content .popup-name")
    assert page.evaluate("window.atlasPage.map.getZoom()") >= 15


def test_selecting_a_park_in_the_list_fits_it_and_opens_its_popup(atlas_page):
    page = atlas_page.open("/?kind=innovation_park")
    page.click("#entity-list li[data-id='sanchuang-park']")
    page.wait_for_selector(".leaflet-popup-content .popup-name:has-text('三创园')")
    assert page.evaluate("window.atlasPage.map.getZoom()") >= 14


def test_a_basemap_that_cannot_load_says_so(browser, serve, artifacts):
    """The default OSM tiles with no network (every outside request refused): a notice, a working map."""
    url = serve(create_app(Settings(data_dir=SHIPPED_DATA, tiles="osm")))
    context, watched = watched_page(browser, url)
    try:
        page = watched.open("/")
        page.wait_for_selector(".tiles-failed", timeout=10000)
        assert "底图无法加载" in page.inner_text(".tiles-failed")
        assert watched.foreign and all("tile.openstreetmap.org" in u for u in watched.foreign)
        assert page.evaluate("Object.keys(window.atlasPage.markers).length") > 0
        page.screenshot(path=artifacts / "atlas-no-basemap.png")
    finally:
        context.close()


def test_search_says_how_it_matched_and_suggests_when_nothing_matches(atlas_page, client):
    page = atlas_page.open("/")
    page.fill("#q", "集成电路")
    expected = client.get("/api/entities?q=集成电路").json()
    wait_list(page, expected["numberMatched"])
    hint = page.inner_text("#search-hint")
    assert hint.startswith("集成电路") and f"{expected['search']['count']} 项" in hint and "按产业" in hint
    page.fill("#q", "sanchuangyuanqqq")
    page.wait_for_selector("#search-hint button.suggestion")
    assert page.inner_text("#match-count") == "0"
    suggestion = page.inner_text("#search-hint button.suggestion")
    page.click("#search-hint button.suggestion")
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('q') === {suggestion!r}")
    page.wait_for_selector("#entity-list li[data-id='sanchuang-park']")
