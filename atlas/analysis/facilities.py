"""Facilities for a coverage analysis: which carriers, where each is measured from, what-ifs.

A facility set is the carriers a filter selects (:class:`~atlas.filters.EntityFilter`).
Each is measured from its own geometry (a point, or a park's whole polygon, so a radius
reaches out from the park's edge) when its position is known; a placeholder is measured
from its declared host park; a placeholder with no host cannot be placed and is listed
apart as ``unplaced``, never drawn where its sketch happens to lie.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from shapely.geometry.base import BaseGeometry

from atlas.analysis import AnalysisInputError
from atlas.engine import Atlas, Entity
from atlas.filters import EntityFilter
from atlas.vocab import Label, Precision

MAX_SITES = 50
"""Most what-if sites (added + moved + closed) one request may carry."""


@dataclass(frozen=True)
class Facility:
    """One facility: what it is and the metric geometry its radius is measured from."""

    id: str
    name: Label
    geometry: BaseGeometry
    state: str = "existing"
    """``existing``, ``added`` (a what-if site) or ``moved``."""
    via_host: str | None = None
    """The host park measured from, when the facility's own position is not known."""


@dataclass(frozen=True)
class FacilitySet:
    """The facilities of an analysis, and the matching carriers that could not be placed."""

    facilities: tuple[Facility, ...]
    unplaced: tuple[Entity, ...] = ()

    @property
    def geometries(self) -> list[BaseGeometry]:
        return [f.geometry for f in self.facilities]

    def ids(self) -> set[str]:
        return {f.id for f in self.facilities}


@dataclass(frozen=True)
class Scenario:
    """What-if changes: sites to add (WGS-84 lon/lat), facilities to move or close (by id)."""

    add: tuple[tuple[float, float], ...] = ()
    move: tuple[tuple[str, float, float], ...] = ()
    close: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.add or self.move or self.close)


def select(atlas: Atlas, selection: EntityFilter) -> FacilitySet:
    """The carriers ``selection`` matches, as facilities (placeholders via their host park)."""
    placed, unplaced = [], []
    for entity in selection.apply(atlas):
        geometry, host = _measured_from(atlas, entity)
        if geometry is None:
            unplaced.append(entity)
        else:
            placed.append(Facility(entity.id, Label(entity.props["name_zh"], entity.props["name_en"]),
                                   geometry, via_host=host))
    return FacilitySet(tuple(placed), tuple(unplaced))


def _measured_from(atlas: Atlas, entity: Entity) -> tuple[BaseGeometry | None, str | None]:
    if entity.props["precision"] != Precision.placeholder.value:
        return atlas.metric[entity.layer].geometry[entity.id], None
    host = entity.props.get("host_park")
    if host and atlas.entity(host) and atlas.entity(host).member.located:
        return atlas.metric[atlas.entity(host).layer].geometry[host], host
    return None, None


def apply(atlas: Atlas, base: FacilitySet, scenario: Scenario) -> FacilitySet:
    """``base`` with the scenario's closures, moves and additions (in that order).

    A placeholder that could not be placed may be moved: the scenario gives it a position.
    Raises :class:`AnalysisInputError` for an id that is not one of the base facilities (or
    for closing one that has no position).
    """
    known, unplaced = base.ids(), {e.id: e for e in base.unplaced}
    if not_placed := [i for i in scenario.close if i in unplaced]:
        raise AnalysisInputError(f"close: {', '.join(not_placed)} has no known position, so it "
                                 "is not in the coverage and closing it changes nothing; to try "
                                 "a position for it, move it (move=id:lon,lat)")
    for name, ids in (("close", scenario.close), ("move", [m[0] for m in scenario.move])):
        if unknown := [i for i in ids if i not in known and i not in unplaced]:
            raise AnalysisInputError(
                f"{name}: {', '.join(unknown)} is not one of the {len(known)} facilities of this "
                "selection; use ids from the facility list (or widen the filter)")
    moved = {fid: atlas.to_metric_point(lon, lat) for fid, lon, lat in scenario.move}
    kept = [replace(f, geometry=moved[f.id], state="moved", via_host=None) if f.id in moved else f
            for f in base.facilities if f.id not in set(scenario.close)]
    placed = [Facility(e.id, Label(e.props["name_zh"], e.props["name_en"]), moved[e.id],
                       state="moved") for e in base.unplaced if e.id in moved]
    added = [Facility(f"new-{i}", Label(f"新增站点 {i}", f"New site {i}"),
                      atlas.to_metric_point(lon, lat), state="added")
             for i, (lon, lat) in enumerate(scenario.add, start=1)]
    return FacilitySet(tuple(kept + placed + added),
                       tuple(e for e in base.unplaced if e.id not in moved))
