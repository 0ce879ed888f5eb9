"""Visit routes: an ordered list of stops (parks, platforms, incubators, enterprises) and the
legs between them, for the staff who host an inspection visit.

A route lives in its URL (``/route?stops=a,b,c``), so it is shared without storing anything;
:func:`route_entities` reads and checks that list, :func:`plan_route` measures it.  Each leg is
the straight line from one stop to the next (:func:`atlas.promotion.travel.metric_distance_m`,
in EPSG:32650) with the estimated drive time of :func:`atlas.promotion.travel.drive_minutes`
— the one rule the atlas states for every drive time.  A stop whose position is not known
(precision ``placeholder``) stays in the route, but the legs to and from it have no length and
are left out of the totals, which say how many were left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point

from atlas.engine import Atlas, Entity
from atlas.promotion.travel import (AVERAGE_SPEED_KMH, ROAD_FACTOR, drive_minutes, entity_position,
                                    metric_distance_m)
from atlas.vocab import LISTED_LAYERS

MAX_STOPS = 15
"""The most stops a route takes: a day's visit, and two printed pages."""


class RouteError(ValueError):
    """A stop list that is not a route.  ``key`` names the problem (``too_many``, ``unknown``,
    ``not_stop``, ``adjacent``); ``ids`` are the stops at fault and ``no`` the place (from 1)
    of an adjacent repeat, for the page to say it in its own language."""

    def __init__(self, key: str, ids: tuple[str, ...] = (), count: int = 0, no: int = 0):
        super().__init__(f"{key}: {', '.join(ids) or count}")
        self.key, self.ids, self.count, self.no = key, ids, count, no


def parse_stops(text: str) -> list[str]:
    """The stop ids of a ``stops=`` value: comma-separated, spaces and empty items ignored
    (a trailing comma from a hand-edited link); more than :data:`MAX_STOPS` is refused."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if len(ids) > MAX_STOPS:
        raise RouteError("too_many", count=len(ids))
    return ids


def route_entities(atlas: Atlas, text: str) -> list[Entity]:
    """The entities a ``stops=`` value names, in its order.  Refused (:class:`RouteError`):
    too many stops, ids the atlas does not have, entities of a layer one does not visit
    (a town, a zone), and a stop repeated right after itself (a loop back to an earlier stop
    is fine)."""
    ids = parse_stops(text)
    if unknown := tuple(dict.fromkeys(i for i in ids if atlas.entity(i) is None)):
        raise RouteError("unknown", ids=unknown)
    entities = [atlas.entities[i] for i in ids]
    if not_stops := tuple(dict.fromkeys(e.id for e in entities if e.layer not in LISTED_LAYERS)):
        raise RouteError("not_stop", ids=not_stops)
    for no in range(2, len(ids) + 1):
        if ids[no - 1] == ids[no - 2]:
            raise RouteError("adjacent", ids=(ids[no - 1],), no=no)
    return entities


@dataclass(frozen=True)
class Stop:
    """One stop: its place in the route (from 1), the entity, and where it is (WGS-84; None
    when the position is not known)."""

    no: int
    entity: Entity
    position: Point | None


@dataclass(frozen=True)
class Leg:
    """The way from one stop to the next: straight-line metres and estimated minutes, both
    None when either end's position is not known."""

    start: Stop
    end: Stop
    distance_m: float | None
    minutes: int | None

    @property
    def known(self) -> bool:
        """Whether the leg has a length (both ends' positions known)."""
        return self.distance_m is not None


@dataclass(frozen=True)
class Running:
    """The route so far, on arrival at a stop: known metres and minutes, and whether a leg
    before it had no known length (so the real figures are larger)."""

    distance_m: float
    minutes: int
    partial: bool


@dataclass(frozen=True)
class Route:
    """Stops in order, the legs between consecutive ones, and the rule the drive times were
    estimated by."""

    stops: tuple[Stop, ...]
    legs: tuple[Leg, ...]
    road_factor: float = ROAD_FACTOR
    speed_kmh: float = AVERAGE_SPEED_KMH

    @property
    def known_legs(self) -> tuple[Leg, ...]:
        """The legs with a length: the ones the totals add up."""
        return tuple(leg for leg in self.legs if leg.known)

    @property
    def unknown_legs(self) -> tuple[Leg, ...]:
        """The legs to or from a stop whose position is not known: left out of the totals."""
        return tuple(leg for leg in self.legs if not leg.known)

    @property
    def total_m(self) -> float:
        """Straight-line metres of the known legs."""
        return sum(leg.distance_m for leg in self.known_legs)

    @property
    def total_minutes(self) -> int:
        """Estimated minutes of the known legs (the sum of each leg's estimate, as listed)."""
        return sum(leg.minutes for leg in self.known_legs)

    def arrival(self, stop: Stop) -> Leg | None:
        """The leg that ends at ``stop`` (None for the first)."""
        return self.legs[stop.no - 2] if stop.no > 1 else None

    def running(self) -> tuple[Running, ...]:
        """For each stop, the route's known length and time up to it."""
        out, metres, minutes, partial = [], 0.0, 0, False
        for stop in self.stops:
            leg = self.arrival(stop)
            if leg is not None and leg.known:
                metres, minutes = metres + leg.distance_m, minutes + leg.minutes
            elif leg is not None:
                partial = True
            out.append(Running(metres, minutes, partial))
        return tuple(out)


def leg_between(start: Stop, end: Stop) -> Leg:
    """The straight line from ``start`` to ``end`` and its estimated drive time."""
    if start.position is None or end.position is None:
        return Leg(start, end, None, None)
    metres = metric_distance_m(start.position, end.position.x, end.position.y)
    return Leg(start, end, metres, drive_minutes(metres))


def plan_route(entities: list[Entity]) -> Route:
    """The route through ``entities`` in their order (checked by :func:`route_entities`)."""
    stops = tuple(Stop(no, e, entity_position(e)) for no, e in enumerate(entities, start=1))
    return Route(stops, tuple(leg_between(a, b) for a, b in zip(stops, stops[1:])))
