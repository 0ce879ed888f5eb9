"""Facet filters over the atlas's entities, shared by the map, the list and the exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from atlas.engine import Atlas, Entity
from atlas.membership import town_bucket, zone_bucket
from atlas.vocab import CARRIER_LAYERS

FACETS = ("layer", "kind", "level", "industry", "zone", "town", "status")


@dataclass(frozen=True)
class EntityFilter:
    """A set of facet values (empty = any) and a name query; an entity must match all facets.

    ``zone`` and ``town`` match by the membership rule (:mod:`atlas.membership`); besides ids
    they take the buckets ``none`` (known position outside every zone) and ``unknown``
    (position not known), so every count the atlas shows is a filter that lists it.
    """

    layer: tuple[str, ...] = ()
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
        return ((not self.layer or entity.layer.value in self.layer)
                and (not self.kind or p["kind"] in self.kind)
                and (not self.level or p.get("level") in self.level)
                and (not self.industry or any(i in self.industry for i in p.get("industries", [])))
                and (not self.zone or any(z in self.zone for z in zone_bucket(entity.member)))
                and (not self.town or town_bucket(entity.member) in self.town)
                and (not self.status or p["status"] in self.status))

    def apply(self, atlas: Atlas) -> list[Entity]:
        """Matching entities: search order when there is a query, else by layer then id.

        The facets first narrow the candidates through per-value id sets built once per atlas
        (:func:`facet_index`), so a selective filter costs what it finds; every candidate is
        then checked with :meth:`matches`, which stays the one definition of a match."""
        narrowed = self._narrowed(atlas)
        if self.q:
            candidates = [e for e in atlas.search(self.q, limit=None) if e.layer in CARRIER_LAYERS]
            if narrowed is not None:
                candidates = [e for e in candidates if e.id in narrowed]
        elif narrowed is not None:
            position = carrier_positions(atlas)
            candidates = [atlas.entities[i] for i in sorted(narrowed, key=position.__getitem__)]
        else:
            candidates = carriers_in_order(atlas)
        return [e for e in candidates if self.matches(e)]

    def _narrowed(self, atlas: Atlas) -> set[str] | None:
        """Ids having, for every facet given, one of its values (None: no facet given)."""
        index = facet_index(atlas)
        found: set[str] | None = None
        for facet in FACETS:
            values = getattr(self, facet)
            if not values:
                continue
            ids = set().union(*(index[facet].get(str(v), ()) for v in values))
            found = ids if found is None else found & ids
        return found


def carriers_in_order(atlas: Atlas) -> list[Entity]:
    """The carriers (parks, platforms, incubators) by layer, then id (once per atlas)."""
    return atlas.cached(("carriers_in_order",), lambda: sorted(
        (e for e in atlas.entities.values() if e.layer in CARRIER_LAYERS),
        key=lambda e: (CARRIER_LAYERS.index(e.layer), e.id)))


def carrier_positions(atlas: Atlas) -> dict[str, int]:
    """Each carrier's position in :func:`carriers_in_order` (once per atlas)."""
    return atlas.cached(("carrier_positions",), lambda: {
        e.id: i for i, e in enumerate(carriers_in_order(atlas))})


def facet_index(atlas: Atlas) -> dict[str, dict[str, frozenset[str]]]:
    """facet -> value -> ids of the carriers having that value (once per atlas)."""
    def build() -> dict[str, dict[str, frozenset[str]]]:
        index: dict[str, dict[str, set[str]]] = {facet: {} for facet in FACETS}
        for e in carriers_in_order(atlas):
            p = e.props
            for facet, values in (("layer", (e.layer.value,)), ("kind", (p["kind"],)),
                                  ("level", (p.get("level"),)),
                                  ("industry", p.get("industries") or ()),
                                  ("zone", zone_bucket(e.member)),
                                  ("town", (town_bucket(e.member),)), ("status", (p["status"],))):
                for value in values:
                    index[facet].setdefault(value, set()).add(e.id)
        return {facet: {v: frozenset(ids) for v, ids in values.items()}
                for facet, values in index.items()}
    return atlas.cached(("facet_index",), build)


def counts(entities: list[Entity]) -> dict[str, dict[str, int]]:
    """How many of ``entities`` belong to each zone, town and kind (membership buckets included).

    An entity in two zones counts in both; each bucket key is also a value of the matching
    filter facet, so ``zone=<key>`` lists exactly the entities a count counts.
    """
    by_zone: Counter[str] = Counter(z for e in entities for z in zone_bucket(e.member))
    by_town: Counter[str] = Counter(town_bucket(e.member) for e in entities)
    by_kind = Counter(e.props["kind"] for e in entities)
    return {"zone": dict(sorted(by_zone.items())), "town": dict(sorted(by_town.items())),
            "kind": dict(sorted(by_kind.items()))}
