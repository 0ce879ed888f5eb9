"""Facet filters over the atlas's entities, shared by the map, the list and the exports.

A filter is answered from a :class:`FacetIndex` built once per atlas: per facet value the
sorted positions (rows) of the listed entities having it (the carriers and enterprises,
:data:`~atlas.vocab.LISTED_LAYERS`), so a filter costs a few numpy set operations, and a
count is how many of a value's rows it selected.  At 100 000 entities an unfiltered selection
with its counts takes a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from atlas.engine import Atlas, Entity
from atlas.membership import town_bucket, zone_bucket
from atlas.vocab import LISTED_LAYERS

FACETS = ("layer", "kind", "level", "industry", "stage", "zone", "town", "status")
COUNTED = ("zone", "town", "kind")
"""Facets the atlas page counts the selection by."""


def facet_values(entity: Entity) -> dict[str, tuple]:
    """The values ``entity`` has for each facet — the one definition every filter matches by.

    ``zone`` and ``town`` follow the membership rule (:mod:`atlas.membership`); besides ids
    they hold the buckets ``none`` (known position outside every zone) and ``unknown``
    (position not known), so every count the atlas shows is a filter that lists it."""
    p = entity.props
    return {"layer": (entity.layer.value,), "kind": (p["kind"],), "level": (p.get("level"),),
            "industry": tuple(p.get("industries") or ()),
            "stage": tuple(p.get("chain_stages") or ()), "zone": tuple(zone_bucket(entity.member)),
            "town": (town_bucket(entity.member),), "status": (p["status"],)}


@dataclass(frozen=True)
class FacetIndex:
    """The listed entities in order (by layer, then id) and, per facet and value, their rows."""

    listed: list[Entity]
    position: pd.Index
    """The listed entities' ids, in order: ``position.get_indexer(ids)`` gives their rows."""
    rows: dict[str, dict[str, np.ndarray]]
    """facet -> value -> sorted rows (int32) of the entities having it"""


def facet_index(atlas: Atlas) -> FacetIndex:
    """The atlas's :class:`FacetIndex` (built once per atlas)."""
    return atlas.cached(("facet_index",), lambda: _build_index(atlas))


def _build_index(atlas: Atlas) -> FacetIndex:
    listed = sorted((e for e in atlas.entities.values() if e.layer in LISTED_LAYERS),
                    key=lambda e: (LISTED_LAYERS.index(e.layer), e.id))
    found: dict[str, dict[str, list[int]]] = {facet: {} for facet in FACETS}
    for row, e in enumerate(listed):
        for facet, values in facet_values(e).items():
            for value in values:
                found[facet].setdefault(value, []).append(row)
    rows = {facet: {v: np.array(r, dtype=np.int32) for v, r in by_value.items()}
            for facet, by_value in found.items()}
    return FacetIndex(listed, pd.Index([e.id for e in listed], dtype=object), rows)


def listed_in_order(atlas: Atlas) -> list[Entity]:
    """The listed entities (parks, platforms, incubators, enterprises) by layer, then id (once
    per atlas)."""
    return facet_index(atlas).listed


@dataclass(frozen=True)
class EntityFilter:
    """A set of facet values (empty = any) and a name query; an entity must match all facets
    (any of a facet's values) and, with a query, the name search."""

    layer: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    zone: tuple[str, ...] = ()
    town: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    q: str = ""

    def chosen(self) -> list[tuple[str, tuple[str, ...]]]:
        """(facet, values) for every facet this filter restricts."""
        return [(f, tuple(str(v) for v in getattr(self, f))) for f in FACETS if getattr(self, f)]

    def matches(self, entity: Entity) -> bool:
        """Whether ``entity`` passes every facet of this filter (the query aside)."""
        values = facet_values(entity)
        return all(any(v in chosen for v in values[facet]) for facet, chosen in self.chosen())

    def rows(self, atlas: Atlas) -> np.ndarray:
        """Rows (positions in :func:`listed_in_order`) of the matching entities: search order
        when there is a query, else that order."""
        index = facet_index(atlas)
        narrowed = None
        for facet, chosen in self.chosen():
            have = [index.rows[facet][v] for v in chosen if v in index.rows[facet]]
            found = np.unique(np.concatenate(have)) if have else np.empty(0, np.int32)
            narrowed = found if narrowed is None else np.intersect1d(narrowed, found,
                                                                     assume_unique=True)
        if self.q:
            ranked = index.position.get_indexer([e.id for e in atlas.search(self.q, limit=None)])
            ranked = ranked[ranked >= 0]  # areas and the corridor are found, not listed
            return ranked if narrowed is None else ranked[np.isin(ranked, narrowed)]
        return np.arange(len(index.listed)) if narrowed is None else narrowed

    def apply(self, atlas: Atlas) -> list[Entity]:
        """The matching entities, in the order of :meth:`rows`."""
        listed = facet_index(atlas).listed
        return [listed[r] for r in self.rows(atlas).tolist()]


def counts(atlas: Atlas, rows: np.ndarray) -> dict[str, dict[str, int]]:
    """How many of the entities at ``rows`` belong to each zone, town and kind (membership
    buckets included; only keys with at least one).

    An entity in two zones counts in both; each key is also a value of the matching facet,
    so ``zone=<key>`` lists exactly the entities a count counts.
    """
    index = facet_index(atlas)
    chosen = np.zeros(len(index.listed), dtype=bool)
    chosen[rows] = True
    result = {}
    for facet in COUNTED:
        n = {key: int(np.count_nonzero(chosen[have]))
             for key, have in sorted(index.rows[facet].items())}
        result[facet] = {key: c for key, c in n.items() if c}
    return result
