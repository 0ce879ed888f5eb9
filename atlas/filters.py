"""Facet filters over the atlas's entities, shared by the map, the list and the exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from atlas.engine import Atlas, Entity
from atlas.vocab import CARRIER_LAYERS

FACETS = ("kind", "level", "industry", "zone", "town", "status")


@dataclass(frozen=True)
class EntityFilter:
    """A set of facet values (empty = any) and a name query; an entity must match all facets."""

    kind: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    zone: tuple[str, ...] = ()
    town: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    q: str = ""

    def matches(self, entity: Entity) -> bool:
        """Whether ``entity`` passes every facet of this filter."""
        p = entity.props
        return ((not self.kind or p["kind"] in self.kind)
                and (not self.level or p.get("level") in self.level)
                and (not self.industry or any(i in self.industry for i in p.get("industries", [])))
                and (not self.zone or any(z in self.zone for z in entity.zones))
                and (not self.town or entity.town in self.town)
                and (not self.status or p["status"] in self.status))

    def apply(self, atlas: Atlas) -> list[Entity]:
        """Matching entities: search order when there is a query, else by layer then id."""
        if self.q:
            candidates = [e for e in atlas.search(self.q, limit=None) if e.layer in CARRIER_LAYERS]
        else:
            candidates = sorted((e for e in atlas.entities.values() if e.layer in CARRIER_LAYERS),
                                key=lambda e: (CARRIER_LAYERS.index(e.layer), e.id))
        return [e for e in candidates if self.matches(e)]


def counts(entities: list[Entity]) -> dict[str, dict[str, int]]:
    """How many of ``entities`` fall in each zone (or none) and each kind."""
    by_zone: Counter[str] = Counter()
    for e in entities:
        for zone in e.zones or ["none"]:
            by_zone[zone] += 1
    by_kind = Counter(e.props["kind"] for e in entities)
    return {"zone": dict(sorted(by_zone.items())), "kind": dict(sorted(by_kind.items()))}
