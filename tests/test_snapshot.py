"""The validated snapshot (atlas/snapshot.py): a restart on the same data reads what validation
produced instead of validating again, gives the same atlas, and never serves a snapshot of
other data, settings or code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from atlas import snapshot
from atlas.cli import main
from atlas.config import Settings
from atlas.engine import ENTITY_LAYERS, Atlas
from atlas.search import Pinyin
from atlas.storage.geojson import GeoJSONStorage
from atlas.validate import InvalidDataError


def settings_for(folder: Path, **extra) -> Settings:
    return Settings(data_dir=folder, tiles="none", usage_statistics=False, **extra)


def load(folder: Path, **extra) -> Atlas:
    return Atlas.load(GeoJSONStorage(folder), settings_for(folder, **extra))


def snapshots(folder: Path) -> list[Path]:
    return sorted(snapshot.folder(settings_for(folder)).glob(f"*{snapshot.SUFFIX}"))


def same_atlas(a: Atlas, b: Atlas) -> None:
    assert list(a.entities) == list(b.entities)
    for eid, e in a.entities.items():
        other = b.entities[eid]
        assert (e.layer, e.props, e.member) == (other.layer, other.props, other.member), eid
        assert e.geometry.equals_exact(other.geometry, 0), eid
    assert a.parent == b.parent and a.member_ids == b.member_ids
    for layer, frame in a.frames.items():  # the columns the OGC filters and analyses read
        pd.testing.assert_frame_equal(frame, b.frames[layer])
        assert frame.geometry.geom_equals_exact(b.frames[layer].geometry, 0).all()


def rename_behind_the_version(folder: Path, entity_id: str, name_en: str) -> None:
    """Change an entity's English name in its file without moving the storage's version (same
    size, same modification time), so only a load that validates the file again can see it."""
    for path in folder.glob("*.geojson"):
        text = path.read_text(encoding="utf-8")
        layer = json.loads(text)
        for feature in layer["features"]:
            if feature["id"] == entity_id:
                old = feature["properties"]["name_en"]
                assert len(old) == len(name_en) and old.isascii() and name_en.isascii()
                stat = path.stat()
                path.write_text(text.replace(json.dumps(old), json.dumps(name_en), 1),
                                encoding="utf-8")
                os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
                assert path.stat().st_size == stat.st_size
                return
    raise AssertionError(entity_id)


def test_a_restart_reads_the_snapshot_and_builds_the_same_atlas(data_copy: Path) -> None:
    cold = load(data_copy)
    assert len(snapshots(data_copy)) == 1
    name = cold.entity("sanchuang-incubator").props["name_en"]
    rename_behind_the_version(data_copy, "sanchuang-incubator", name.swapcase())
    again = load(data_copy)
    assert again.version == cold.version
    same_atlas(cold, again)  # the snapshot's name, not the file's: nothing was validated again
    for path in snapshots(data_copy):
        path.unlink()
    assert load(data_copy).entity("sanchuang-incubator").props["name_en"] == name.swapcase()


def test_an_edit_by_hand_is_validated_not_read_from_the_snapshot(data_copy: Path) -> None:
    load(data_copy)
    path = data_copy / "platforms.geojson"
    layer = json.loads(path.read_text(encoding="utf-8"))
    layer["features"][0]["properties"]["kind"] = "no-such-kind"
    path.write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InvalidDataError, match="kind: Input should be"):
        load(data_copy)
    assert len(snapshots(data_copy)) == 1  # the old one stays until a version passes


def test_other_settings_do_not_share_a_snapshot(data_copy: Path) -> None:
    load(data_copy)
    first = snapshots(data_copy)
    load(data_copy, corridor_width_m=1500.0)
    assert snapshots(data_copy) != first and len(snapshots(data_copy)) == 1


def test_a_broken_snapshot_is_ignored_and_replaced(data_copy: Path) -> None:
    cold = load(data_copy)
    (path,) = snapshots(data_copy)
    path.write_bytes(path.read_bytes()[:1000])  # a disk that filled up mid-write, say
    same_atlas(cold, load(data_copy))
    assert snapshots(data_copy) == [path] and path.stat().st_size > 1000


def test_atlas_validate_keeps_the_snapshot_a_server_then_starts_from(data_copy: Path) -> None:
    assert main(["validate", "--data-dir", str(data_copy)]) == 0
    assert len(snapshots(data_copy)) == 1
    name = json.loads((data_copy / "incubators.geojson").read_text(encoding="utf-8"))
    name = next(f["properties"]["name_en"] for f in name["features"]
                if f["id"] == "sanchuang-incubator")
    rename_behind_the_version(data_copy, "sanchuang-incubator", name.swapcase())
    first = load(data_copy)  # nothing validated or built again: the command kept it all
    assert first.entity("sanchuang-incubator").props["name_en"] == name
    same_atlas(first, load(data_copy))
    # and the pinyin of every name, so the server's search index needs no pypinyin (58 MB)
    kept = snapshot.read_pinyin(settings_for(data_copy))
    assert kept["三创园"] == ["san", "chuang", "yuan"]
    index = Pinyin(kept)
    for e in first.entities.values():
        if e.layer in ENTITY_LAYERS:  # what the search finds by name
            index(e.props["name_zh"])
    assert not index.learned, [run for run in index.runs if run not in kept]


def test_invalid_data_leaves_no_snapshot(data_copy: Path) -> None:
    path = data_copy / "parks.geojson"
    layer = json.loads(path.read_text(encoding="utf-8"))
    layer["features"][0]["geometry"]["coordinates"] = [[[0, 0], [1, 0], [1, 1], [0, 0]]]
    path.write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    assert main(["validate", "--data-dir", str(data_copy)]) == 1
    with pytest.raises(InvalidDataError):
        load(data_copy)
    assert snapshots(data_copy) == []
