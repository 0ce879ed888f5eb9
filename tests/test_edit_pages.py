"""The edit and history pages: who may open them, what the form holds, what history shows, and
how pasted positions and share links are read."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.crs import InputCRS
from atlas.edit.paste import parse_position
from atlas.model import LAYER_MODELS
from atlas.vocab import LAYER_KINDS, Layer
from atlas.web.app import create_app
from atlas.web.edit_forms import form_fields
from atlas.web.templating import templates

PASSWORD = "a-long-password"
SAMPLE = {Layer.boundary: "jinjiang", Layer.towns: "qingyang", Layer.corridor: "century-avenue",
          Layer.zones: "kechuang-new-zone", Layer.parks: "finance-plaza",
          Layer.platforms: "clfi-jinjiang", Layer.incubators: "sanchuang-incubator",
          Layer.enterprises: "jhicc"}
"""One feature of each layer."""


@pytest.fixture
def site(data_copy, tmp_path):
    """An app on a copy of the data with one editor; (anonymous client, app)."""
    users = tmp_path / "users.json"
    UserStore(users).add("lin", "editor", PASSWORD)
    app = create_app(Settings(data_dir=data_copy, tiles="none", users_file=users,
                              secret_key="test-secret"))
    return TestClient(app, raise_server_exceptions=False), app


def log_in(app) -> tuple[TestClient, str]:
    """A client logged in as the editor through /login, and its CSRF token."""
    client = TestClient(app, raise_server_exceptions=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"name": "lin", "password": PASSWORD, "csrf_token": token,
                                         "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get("/history").text
    return client, re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def config(page: str) -> dict:
    import json
    return json.loads(html.unescape(re.search(r'id="atlas-config">(.*?)</script>', page, re.S).group(1)))


@pytest.mark.parametrize("path", ["/edit/clfi-jinjiang", "/edit/new?layer=parks", "/edit/new",
                                  "/history", "/history/clfi-jinjiang?lang=en"])
def test_anonymous_visitors_are_sent_to_log_in_and_back(site, path):
    client, _ = site
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/login?next=")
    from urllib.parse import parse_qs, urlsplit
    assert parse_qs(urlsplit(location).query)["next"] == [path]


def test_the_locate_helpers_need_an_editor(site):
    client, _ = site
    assert client.get("/edit/locate?text=118.5,24.7").status_code == 401
    assert client.get("/edit/check-id?id=x").status_code == 401


@pytest.mark.parametrize("layer", list(Layer))
def test_the_edit_page_has_every_field_of_the_layer(site, layer):
    _, app = site
    client, _ = log_in(app)
    page = client.get(f"/edit/{SAMPLE[layer]}")
    assert page.status_code == 200
    fields = set(re.findall(r'data-field="([a-z_0-9]+)"', page.text))
    assert fields == set(LAYER_MODELS[layer].model_fields) - {"id"}
    # the drawing plugin comes from our own server, on the edit pages only
    assert "/static/vendor/geoman/leaflet-geoman.min.js" in page.text
    assert "/static/vendor/geoman/leaflet-geoman.css" in page.text
    assert "cdn" not in page.text.lower()
    cfg = config(page.text)
    assert cfg["layer"] == layer.value and cfg["etag"] == client.get(
        f"/api/features/{SAMPLE[layer]}").headers["etag"]
    assert cfg["geometry"] == {"Point": "point", "LineString": "line"}.get(
        cfg["stored"]["geometry"]["type"], "polygon")
    kinds = re.search(r'<select id="f-kind".*?</select>', page.text, re.S).group(0)
    assert set(re.findall(r'<option value="([a-z_]+)"', kinds)) == {k.value for k in LAYER_KINDS[layer]}


def test_the_form_holds_the_values_with_labels(site):
    _, app = site
    client, _ = log_in(app)
    page = client.get("/edit/clfi-jinjiang").text
    stored = client.get("/api/features/clfi-jinjiang").json()["properties"]
    assert f'value="{html.escape(stored["name_zh"], quote=True)}"' in page
    assert re.search(r'<option value="approximate" selected>示意位置</option>', page)
    for industry in stored["industries"]:
        assert re.search(rf'<input type="checkbox" value="{industry}" checked>', page)
    assert '<option value="hongshan-creative-park" selected>' in page  # host_park, a link select
    assert page.count('class="object-row"') == len(stored["citations"]) + 1  # + the template row
    english = client.get("/edit/clfi-jinjiang?lang=en").text
    assert "Position precision" in english and ">Approximate</option>" in english
    assert "Paste coordinates or a share link" in english and "BD-09" in english


def test_adding_a_feature(site):
    _, app = site
    client, _ = log_in(app)
    page = client.get("/edit/new?layer=incubators")
    assert page.status_code == 200
    assert 'id="f-id"' in page.text and config(page.text)["mode"] == "new"
    assert config(page.text)["stored"] is None
    chooser = client.get("/edit/new?layer=nonsense")
    assert chooser.status_code == 200 and "nonsense" in chooser.text
    assert all(f"/edit/new?layer={l.value}" in chooser.text for l in Layer)
    assert client.get("/edit/no-such-thing").status_code == 404
    assert client.get("/edit/check-id?id=clfi-jinjiang").json()["taken"] is True
    free = client.get("/edit/check-id?id=a-new-lab").json()
    assert free["taken"] is False and free["valid"] is True
    assert client.get("/edit/check-id?id=Bad Id").json()["valid"] is False
    assert client.get("/edit/check-id?id=new").json()["taken"] is True  # /edit/new is a page
    assert client.get("/edit/check-id?id=import").json()["valid"] is False


def test_history_shows_who_what_when_and_undo(site):
    _, app = site
    client, token = log_in(app)
    read = client.get("/api/features/clfi-jinjiang")
    feature = read.json()
    feature.pop("layer")
    lon, lat = feature["geometry"]["coordinates"]
    feature["geometry"]["coordinates"] = [lon + 0.003, lat]
    feature["properties"]["status"] = "under_construction"
    feature["properties"]["aliases"] = [*feature["properties"].get("aliases", []), "<b>皮革院</b>"]
    put = client.put("/api/features/platforms/clfi-jinjiang?message=moved+east", json=feature,
                     headers={"If-Match": read.headers["etag"], "X-CSRF-Token": token})
    assert put.status_code == 200, put.text
    number = put.json()["commit"]

    page = client.get("/history/clfi-jinjiang").text
    entry = re.search(rf'<li class="commit" id="commit-{number}".*?</li>\s*(?=<li class="commit"|</ol>)',
                      page, re.S).group(0)
    assert "moved east" in entry and "lin" in entry and "(UTC+8)" in entry
    assert f'data-undo="{number}"' in entry
    status = re.search(r'<tr data-field="status">.*?</tr>', entry, re.S).group(0)
    assert "运营中 (operating)" in status and "在建 (under_construction)" in status
    assert "&lt;b&gt;皮革院&lt;/b&gt;" in entry and "<b>皮革院" not in entry  # data shown as text
    assert re.search(r"位置移动了 3\d\d 米", entry)  # 0.003° of longitude ≈ 303 m here
    assert 'class="geom-sketch"' in entry
    assert '<tr data-field="name_zh">' not in entry  # only what changed
    english = client.get("/history/clfi-jinjiang?lang=en").text
    assert "Operating (operating)" in english and "Moved 3" in english

    undo = client.post(f"/api/history/{number}/undo", headers={"X-CSRF-Token": token})
    assert undo.status_code == 200
    page = client.get(f"/history/clfi-jinjiang?undone={undo.json()['commit']}").text
    assert f"已撤销（新提交 #{undo.json()['commit']}）" in page
    assert f"已由 #{undo.json()['commit']} 撤销" in page and f'data-undo="{number}"' not in page
    assert f"撤销 #{number}" in page

    recent = client.get("/history").text
    assert recent.index(f'id="commit-{undo.json()["commit"]}"') < recent.index(f'id="commit-{number}"')
    assert 'href="/history/clfi-jinjiang?lang=zh"' in recent


def test_history_of_a_deleted_feature(site):
    _, app = site
    client, token = log_in(app)
    read = client.get("/api/features/sanchuang-incubator")
    gone = client.delete("/api/features/incubators/sanchuang-incubator",
                         headers={"If-Match": read.headers["etag"], "X-CSRF-Token": token})
    assert gone.status_code == 200, gone.text
    assert client.get("/edit/sanchuang-incubator").status_code == 404
    page = client.get("/history/sanchuang-incubator")
    assert page.status_code == 200
    assert "此条目已被删除" in page.text and f'data-undo="{gone.json()["commit"]}"' in page.text
    assert "三创园科技企业孵化器" in page.text  # the name, from the commit's "before"
    assert client.get("/history/never-existed").status_code == 404


def test_profile_actions_only_for_editors():
    template = templates.env.get_template("edit/_profile_actions.html")

    class Editor:
        name, role = "lin", "editor"

        @staticmethod
        def has_role(role):
            return True

    class Entity:
        id = "clfi-jinjiang"

    shown = template.render(auth_user=lambda request: Editor, request=object(), e=Entity, lang="en")
    assert 'href="/edit/clfi-jinjiang?lang=en"' in shown and 'href="/history/clfi-jinjiang?lang=en"' in shown
    assert "Edit" in shown and "History" in shown
    hidden = template.render(auth_user=lambda request: None, request=object(), e=Entity, lang="en")
    assert "/edit/" not in hidden


def test_every_model_field_has_a_widget(site):
    _, app = site
    atlas = app.state.live.current()
    for layer, model in LAYER_MODELS.items():
        fields = form_fields(atlas, layer, {}, "zh", None)
        assert [f.name for f in fields] == [n for n in model.model_fields if n != "id"]
        assert all(f.widget in {"text", "textarea", "lines", "select", "checks", "rows",
                                "number", "date"} for f in fields)


@pytest.mark.parametrize("text,crs,expected", [
    ("118.5800, 24.7800", InputCRS.wgs84, (118.58, 24.78, "wgs84", "text")),
    ("24.78,118.58", InputCRS.gcj02, (118.58, 24.78, "gcj02", "text")),
    ("118.58 24.78", InputCRS.bd09, (118.58, 24.78, "bd09", "text")),
    ("https://uri.amap.com/marker?position=118.58,24.78&name=x", InputCRS.wgs84,
     (118.58, 24.78, "gcj02", "amap")),
    ("https://www.amap.com/place/B0FFG?p=B0FFGABCDE,24.78,118.58,某园区,福建省泉州市", InputCRS.wgs84,
     (118.58, 24.78, "gcj02", "amap")),
    ("https://www.amap.com/?p=,24.78,118.58", InputCRS.bd09, (118.58, 24.78, "gcj02", "amap")),
    ("https://uri.amap.com/navigation?to=118.58,24.78,终点&mode=car", InputCRS.wgs84,
     (118.58, 24.78, "gcj02", "amap")),
    ("https://api.map.baidu.com/marker?location=24.78,118.58&title=x&content=y&output=html",
     InputCRS.wgs84, (118.58, 24.78, "bd09", "baidu")),
    ("https://api.map.baidu.com/marker?location=24.78,118.58&coord_type=gcj02&output=html",
     InputCRS.wgs84, (118.58, 24.78, "gcj02", "baidu")),
    ("http://map.baidu.com/?latlng=24.78,118.58&title=x", InputCRS.wgs84, (118.58, 24.78, "bd09", "baidu")),
    ("https://apis.map.qq.com/uri/v1/marker?marker=coord:24.78,118.58;title:x&referer=y",
     InputCRS.wgs84, (118.58, 24.78, "gcj02", "tencent")),
])
def test_pasted_positions_and_share_links(text, crs, expected):
    pasted = parse_position(text, crs)
    assert (pasted.lon, pasted.lat, pasted.crs.value, pasted.source) == pytest.approx(expected)


@pytest.mark.parametrize("text,message", [
    ("", "paste"), ("hello", "two numbers"), ("1, 2", "not in China"),
    ("118.5, 24.7, 3", "two numbers"), ("https://surl.amap.com/abc123", "short link"),
    ("https://map.baidu.com/?location=2831441,13193056&coord_type=bd09mc", "Mercator"),
    ("https://example.com/page", "no coordinates"),
])
def test_unreadable_pastes_say_what_to_do(text, message):
    with pytest.raises(ValueError, match=message):
        parse_position(text)


def test_locate_converts_on_the_server(site):
    _, app = site
    client, _ = log_in(app)
    from atlas.crs import to_wgs84
    answer = client.get("/edit/locate", params={"text": "https://uri.amap.com/marker?position=118.58,24.78"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["crs"] == "gcj02" and body["wgs84"] == pytest.approx(list(to_wgs84(118.58, 24.78, "gcj02")))
    assert body["display"] == body["wgs84"]  # a WGS-84 basemap
    refused = client.get("/edit/locate", params={"text": "nonsense"})
    assert refused.status_code == 422 and "two numbers" in refused.json()["detail"]


def test_on_a_gcj02_basemap_the_editor_draws_shifted_and_saves_as_such(data_copy, tmp_path):
    """The map shows positions on the basemap's datum; the page says so, and the server
    converts what the map sends back (?crs=gcj02) — the browser never does datum maths."""
    from atlas.crs import from_wgs84
    users = tmp_path / "users.json"
    UserStore(users).add("lin", "editor", PASSWORD)
    app = create_app(Settings(data_dir=data_copy, tiles="none", tiles_datum="gcj02",
                              users_file=users, secret_key="test-secret"))
    client, _ = log_in(app)
    cfg = config(client.get("/edit/clfi-jinjiang").text)
    lon, lat = cfg["stored"]["geometry"]["coordinates"]
    assert cfg["datum"] == "gcj02"
    assert cfg["display"]["coordinates"] == pytest.approx(list(from_wgs84(lon, lat, "gcj02")), abs=1e-9)
    body = client.get("/edit/locate", params={"text": f"{lon}, {lat}", "crs": "wgs84"}).json()
    assert body["wgs84"] == pytest.approx([lon, lat]) and body["display"] == pytest.approx(
        list(from_wgs84(lon, lat, "gcj02")))
