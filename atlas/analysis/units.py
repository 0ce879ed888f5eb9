"""The areal units the planning tables report on: city, towns, zones and the corridor band.

Geometries are metric (EPSG:32650) and clipped to the city outline, so a unit's area is
land the atlas covers; towns are the atlas's approximate town areas (see data/geo/README).
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from atlas.engine import Atlas
from atlas.vocab import Label, Layer

CITY_ID = "city"
BAND_ID = "corridor-band"


@dataclass(frozen=True)
class Unit:
    """One areal unit: its id, what it is, its names and its metric geometry."""

    id: str
    kind: str
    """``city``, ``town``, ``zone`` or ``band``."""
    name: Label
    geometry: BaseGeometry
    stated_area_km2: float | None = None

    @property
    def area_km2(self) -> float:
        return self.geometry.area / 1e6


def units(atlas: Atlas) -> tuple[Unit, ...]:
    """The city, then its towns, the zones and the corridor band (built once per atlas)."""
    return atlas.cached(("analysis-units",), lambda: _units(atlas))


def _units(atlas: Atlas) -> tuple[Unit, ...]:
    city = atlas.city
    shapely.prepare(city)

    def named(layer: Layer, kind: str) -> list[Unit]:
        frame = atlas.metric[layer]
        stated = atlas.frames[layer].get("stated_area_ha")
        names = {fid: atlas.entities[fid].props for fid in frame.index}
        return [Unit(fid, kind, Label(names[fid]["name_zh"], names[fid]["name_en"]),
                     shapely.intersection(frame.at[fid, "geometry"], city),
                     float(stated[fid]) / 100 if stated is not None and stated[fid] > 0 else None)
                for fid in frame.index]

    width = atlas.settings.corridor_width_m
    band = Unit(BAND_ID, "band", Label(f"世纪大道走廊带（宽 {width:,.0f} 米）",
                                       f"Century Avenue corridor band ({width:,.0f} m wide)"),
                shapely.intersection(atlas.band, city))
    return (Unit(CITY_ID, "city", Label("晋江市全域", "All of Jinjiang"), city),
            *named(Layer.towns, "town"), *named(Layer.zones, "zone"), band)

