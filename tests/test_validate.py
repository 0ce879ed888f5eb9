"""`atlas validate`: the shipped data passes, and each class of error is caught with its message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas.cli import main
from atlas.config import Settings
from atlas.validate import InvalidDataError
from atlas.web.app import create_app


def edit(folder: Path, layer: str, fid: str, change) -> None:
    """Apply ``change(feature)`` to one feature of a layer file in ``folder``."""
    path = folder / f"{layer}.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    feature = next(f for f in fc["features"] if f["properties"]["id"] == fid)
    change(feature)
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


def run_validate(folder: Path, capsys) -> tuple[int, str]:
    code = main(["validate", "--data-dir", str(folder)])
    return code, capsys.readouterr().out


def test_shipped_data_is_valid(capsys):
    code, out = run_validate(Path(Settings().data_dir), capsys)
    assert code == 0, out
    assert "OK: no problems found." in out
    assert "platforms" in out and "incubators" in out


def _set(path: str, value):
    def change(feature):
        target = feature
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    return change


def _reverse_ring(feature):
    feature["geometry"]["coordinates"][0].reverse()


def _bowtie(feature):
    feature["geometry"]["coordinates"] = [[[118.53, 24.75], [118.54, 24.76], [118.54, 24.75],
                                           [118.53, 24.76], [118.53, 24.75]]]


def _swap(feature):
    lon, lat = feature["geometry"]["coordinates"]
    feature["geometry"]["coordinates"] = [lat, lon]


BROKEN = [
    ("schema", "platforms", "clfi-jinjiang", _set("properties.status", "dreaming"),
     "status: Input should be 'operating', 'under_construction' or 'planned'"),
    ("schema", "platforms", "clfi-jinjiang", _set("properties.kind", "port"),
     "kind 'port' does not belong in this layer"),
    ("geometry_type", "platforms", "clfi-jinjiang",
     _set("geometry", {"type": "LineString", "coordinates": [[118.5, 24.7], [118.6, 24.8]]}),
     "LineString where Point is expected"),
    ("geometry_invalid", "parks", "wuli-park", _bowtie, "invalid geometry: Self-intersection"),
    ("rfc7946", "parks", "wuli-park", _reverse_ring, "exterior ring is clockwise"),
    ("rfc7946", "platforms", "clfi-jinjiang", _swap, "look like lat/lon"),
    ("outside_city", "platforms", "clfi-jinjiang",
     _set("geometry.coordinates", [119.3, 26.08]), "lies outside Jinjiang"),
    ("duplicate_id", "platforms", "clfi-jinjiang", _set("properties.id", "wuli-park"),
     "id is already used in layer 'parks'"),
    ("broken_link", "platforms", "clfi-jinjiang", _set("properties.host_park", "no-such-park"),
     "host_park -> 'no-such-park': no such id"),
    ("broken_link", "platforms", "clfi-jinjiang", _set("properties.host_park", "kechuang-new-zone"),
     "host_park -> 'kechuang-new-zone' is in layer 'zones', expected parks"),
    ("plan_relation", "platforms", "cas-quanzhou-equipment-institute",
     _set("geometry.coordinates", [118.47, 24.84]),
     "pivot 'cas-quanzhou-equipment-institute' is not inside the zone"),
    ("plan_relation", "parks", "finance-plaza",
     _set("geometry.coordinates", [[[118.60, 24.62], [118.61, 24.62], [118.61, 24.63],
                                    [118.60, 24.63], [118.60, 24.62]]]),
     "node 'finance-plaza' is outside the 1000 m corridor band"),
    ("schema", "platforms", "clfi-jinjiang", _set("properties.citations", []),
     "citations: List should have at least 1 item"),
    ("schema", "platforms", "clfi-jinjiang", _set("properties.source", "places.md P5"),
     "source: Extra inputs are not permitted"),
    ("schema", "platforms", "clfi-jinjiang", _set("properties.citations",
                                                  [{"publisher_zh": "甲", "publisher_en": "A",
                                                    "date": "2022年", "url": None}]),
     "citations.0.date: String should match pattern"),
    ("schema", "platforms", "clfi-jinjiang", _set("properties.citations",
                                                  [{"publisher_zh": "甲", "publisher_en": "A",
                                                    "date": "2022", "url": "mnw.cn/x"}]),
     "citations.0.url: String should match pattern"),
    ("public_text", "platforms", "clfi-jinjiang", _set("properties.position_note_en", ""),
     "position_note_en: required when precision is 'approximate'"),
    ("public_text", "platforms", "huawei-industrial-internet",
     _set("properties.position_note_zh", " "),
     "position_note_zh: required when precision is 'placeholder'"),
    ("public_text", "platforms", "clfi-jinjiang", _set("properties.operator_zh", "某公司"),
     "operator_zh/operator_en: give both or neither"),
    ("public_text", "platforms", "clfi-jinjiang", _set("properties.partners_en", []),
     "partners_zh/partners_en: 1 vs 0 names"),
    ("plan_ref", "platforms", "clfi-jinjiang", _set("properties.plan_refs", ["三(九)"]),
     "plan_refs: '三(九)' is not a section of the plan"),
    ("public_text", "platforms", "clfi-jinjiang",
     _set("properties.description_en", "Site INFERRED from a 2014 report"),
     "description_en: contains the internal research reference 'INFERRED'"),
    ("public_text", "platforms", "clfi-jinjiang",
     _set("properties.position_note_zh", "places.md P5: 洪山文创园"),
     "position_note_zh: contains the internal research reference 'places.md'"),
    ("public_text", "platforms", "clfi-jinjiang",
     _set("properties.citations", [{"publisher_zh": "Z1-a: 泉州晚报", "publisher_en": "QEN",
                                    "date": "2022", "url": None}]),
     "citations[0].publisher_zh: contains the internal research reference 'Z1-a:'"),
]


@pytest.mark.parametrize("code,layer,fid,change,message", BROKEN,
                         ids=[f"{b[0]}-{b[4][:30]}" for b in BROKEN])
def test_each_error_class_is_reported(data_copy, capsys, code, layer, fid, change, message):
    edit(data_copy, layer, fid, change)
    exit_code, out = run_validate(data_copy, capsys)
    assert exit_code == 1
    matching = [line for line in out.splitlines() if f"[{code}]" in line and message in line]
    assert matching, out


def test_crs_member_is_rejected(data_copy, capsys):
    path = data_copy / "incubators.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["crs"] = {"type": "name", "properties": {"name": "EPSG:4490"}}
    path.write_text(json.dumps(fc), encoding="utf-8")
    exit_code, out = run_validate(data_copy, capsys)
    assert exit_code == 1 and '[rfc7946] incubators/-: the "crs" member is not RFC 7946' in out


def test_missing_layer_file_is_a_clear_error(data_copy, capsys):
    (data_copy / "zones.geojson").unlink()
    assert main(["validate", "--data-dir", str(data_copy)]) == 1
    assert "zones.geojson: layer file is missing" in capsys.readouterr().err


def test_server_refuses_invalid_data_with_the_same_messages(data_copy):
    edit(data_copy, "platforms", "clfi-jinjiang", _set("properties.host_park", "no-such-park"))
    with pytest.raises(InvalidDataError) as caught:
        create_app(Settings(data_dir=data_copy, tiles="none"))
    assert "[broken_link] platforms/clfi-jinjiang: host_park -> 'no-such-park': no such id" \
        in str(caught.value)
