"""智慧选址 — the site finder: parks and incubators ranked for an investor's needs, each with
the reasons for its place and what is not known.

A :class:`Need` names an industry, a kind of space and its size, a rent budget and places to
be near.  Every candidate (a park or incubator) is checked against each of them
(:func:`assess`):

* **hard limits** — known space of the asked kind smaller than the size, or a lowest rent
  above the budget — make it *not fit*, said with the numbers;
* **points** rank the rest: the industry among its industries (+3), enough known space (+2),
  rent within budget (+1), each place asked for within :data:`NEAR_M` (+1) or
  :data:`REACH_M` (+0.5);
* a fact the candidate has no value for is listed as **unknown**, never counted for or
  against it.

Candidates that fit come first, then by points, then by fewer unknowns, then by id; each
gets a :attr:`Candidate.verdict` (fits / facts to check / other industry / does not fit).
Distances are straight lines measured in EPSG:32650 (:mod:`atlas.promotion.travel`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from atlas.engine import Atlas, Entity
from atlas.promotion.hubs import HubKind, load_hubs
from atlas.promotion.travel import entity_position, metric_distance_m
from atlas.vocab import POINT_LAYERS, Industry, Kind, Layer

CANDIDATE_LAYERS = (Layer.parks, Layer.incubators)
NEAR_M = 3_000.0
REACH_M = 10_000.0
INDUSTRY_POINTS, SPACE_POINTS, RENT_POINTS = 3.0, 2.0, 1.0


class Space(StrEnum):
    """Kinds of space (each a ``space_<kind>_m2`` fact of :class:`atlas.model.SpaceFacts`)."""

    office = "office"
    factory = "factory"
    lab = "lab"


class Near(StrEnum):
    """Places an investor may want to be near."""

    university = "university"
    institute = "institute"
    port = "port"
    airport = "airport"
    corridor = "corridor"


NEAR_KINDS = {Near.university: (Kind.university,),
              Near.institute: (Kind.research_institute, Kind.new_rd_institution)}
NEAR_HUBS = {Near.port: HubKind.port, Near.airport: HubKind.airport}


@dataclass(frozen=True)
class Need:
    """What an investor asks for (every part optional)."""

    industry: Industry | None = None
    space: Space | None = None
    size_m2: float | None = None
    budget_yuan: float | None = None
    """Highest rent the investor will pay, yuan per m² per month"""
    near: tuple[Near, ...] = ()


@dataclass(frozen=True)
class Reason:
    """One finding: ``ok`` True counts for the candidate, False against, None is neutral.
    ``key`` names the sentence (``site_<key>`` in :mod:`atlas.web.i18n`), ``values`` fill it
    (``target``: the id of the place it is about, when there is one)."""

    ok: bool | None
    key: str
    values: dict = field(default_factory=dict)


@dataclass
class Candidate:
    """A park or incubator as the finder judged it."""

    entity: Entity
    fits: bool = True
    points: float = 0.0
    reasons: list[Reason] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Keys of the facts it has no value for (``site_unknown_<key>``)"""

    @property
    def verdict(self) -> str:
        """``no_fit`` (a hard limit broken), ``other_industry``, ``check`` (facts missing) or
        ``fits`` (everything asked is known and met)."""
        if not self.fits:
            return "no_fit"
        if any(r.key == "industry_other" for r in self.reasons):
            return "other_industry"
        return "check" if self.unknown else "fits"


def find_sites(atlas: Atlas, need: Need) -> list[Candidate]:
    """Every park and incubator judged against ``need``, best first."""
    candidates = [assess(atlas, e, need) for layer in CANDIDATE_LAYERS
                  for e in (atlas.entities[i] for i in atlas.frames[layer].index)]
    return sorted(candidates, key=lambda c: (not c.fits, -c.points, len(c.unknown), c.entity.id))


def assess(atlas: Atlas, entity: Entity, need: Need) -> Candidate:
    """How ``entity`` meets each part of ``need``."""
    c = Candidate(entity)
    p = entity.props
    if need.industry is not None:
        if need.industry in (p.get("industries") or ()):
            c.points += INDUSTRY_POINTS
            c.reasons.append(Reason(True, "industry", {"industry": need.industry.value}))
        else:
            c.reasons.append(Reason(False, "industry_other", {"industry": need.industry.value}))
    _space(c, p, need)
    _rent(c, p, need)
    where = entity_position(entity)
    for near in need.near:
        if where is None:
            c.unknown.append("position")
            break
        target, metres = _nearest(atlas, where, near)
        if target is None:
            continue
        points = 1.0 if metres <= NEAR_M else 0.5 if metres <= REACH_M else 0.0
        c.points += points
        c.reasons.append(Reason(True if points else None, f"near_{near.value}",
                                {"target": target, "km": round(metres / 1000, 1)}))
    return c


def _space(c: Candidate, p: dict, need: Need) -> None:
    if need.space is None and need.size_m2 is None:
        return
    kinds = [need.space] if need.space else list(Space)
    known = {k: p.get(f"space_{k.value}_m2") for k in kinds}
    known = {k: v for k, v in known.items() if v is not None}
    if not known:
        c.unknown.append(f"space_{need.space.value}" if need.space else "space")
        return
    kind, m2 = max(known.items(), key=lambda kv: kv[1])
    values = {"space": kind.value, "m2": m2, "size": need.size_m2}
    if need.size_m2 is not None and m2 < need.size_m2:
        c.fits = False
        c.reasons.append(Reason(False, "space_short", values))
    else:
        c.points += SPACE_POINTS
        c.reasons.append(Reason(True, "space", values))


def _rent(c: Candidate, p: dict, need: Need) -> None:
    if need.budget_yuan is None:
        return
    low, high = p.get("rent_min_yuan"), p.get("rent_max_yuan")
    if low is None:
        c.unknown.append("rent")
        return
    values = {"low": low, "high": high if high is not None else low, "budget": need.budget_yuan}
    if low > need.budget_yuan:
        c.fits = False
        c.reasons.append(Reason(False, "rent_over", values))
    else:
        c.points += RENT_POINTS
        c.reasons.append(Reason(True, "rent", values))


def _nearest(atlas: Atlas, where, near: Near) -> tuple[str | None, float]:
    """(id, metres) of the nearest place of the kind ``near`` asks for."""
    if near in NEAR_HUBS:
        hubs = [h for h in load_hubs() if h.kind is NEAR_HUBS[near]]
        found = [(metric_distance_m(where, h.lon, h.lat), h.id) for h in hubs]
        if not found:
            return None, 0.0
        metres, hub_id = min(found)
        return hub_id, metres
    if near is Near.corridor:
        corridor = list(atlas.frames[Layer.corridor].index)
        located = atlas.locate(where.x, where.y)
        return (corridor[0] if corridor else None), located.corridor_distance_m
    keep = atlas.cached(("site_finder_targets", near.value), lambda: {
        e.id for e in atlas.entities.values() if e.layer in POINT_LAYERS
        and e.props["kind"] in NEAR_KINDS[near] and entity_position(e) is not None})
    if not keep:
        return None, 0.0
    (entity, metres), = atlas.nearest(where.x, where.y, 1, POINT_LAYERS, keep)
    return entity.id, metres
