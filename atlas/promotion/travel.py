"""Getting there: straight-line distance and an estimated drive time from an entity to the
airport, the two nearest railway stations and the nearest port.

Distances are measured in the metric CRS (EPSG:32650), like every length in the atlas.
Drive times follow one stated rule, nothing more: road distance ≈ :data:`ROAD_FACTOR` ×
the straight line, driven at :data:`AVERAGE_SPEED_KMH`. Pages must call them estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyproj import Transformer
from shapely.geometry import Point

from atlas.crs import METRIC_CRS, WGS84
from atlas.engine import Entity
from atlas.promotion.hubs import Hub, HubKind, load_hubs
from atlas.vocab import Precision

ROAD_FACTOR = 1.3
"""Road distance ≈ this × the straight-line distance (a common rule of thumb for a dense
town road grid; detours round the bays and hills of Jinjiang can make it larger)."""

AVERAGE_SPEED_KMH = 35.0
"""Average driving speed, door to door, in town traffic."""

STATIONS_SHOWN = 2
"""How many railway stations a profile lists (the nearest ones)."""

_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def drive_minutes(distance_m: float) -> int:
    """Estimated minutes by car for a straight-line distance, by the rule above (at least 1)."""
    hours = distance_m * ROAD_FACTOR / 1000.0 / AVERAGE_SPEED_KMH
    return max(1, round(hours * 60))


def entity_position(entity: Entity) -> Point | None:
    """Where an entity is, as one WGS-84 point: the point itself; a town's seat; a point
    inside any other area or on the corridor (its representative point). None when the
    position is not known (precision ``placeholder``)."""
    if entity.props.get("precision") == Precision.placeholder:
        return None
    if entity.geometry.geom_type == "Point":
        return entity.geometry
    if entity.props.get("seat_lon") is not None:
        return Point(entity.props["seat_lon"], entity.props["seat_lat"])
    return entity.geometry.representative_point()


def metric_distance_m(a: Point, lon: float, lat: float) -> float:
    """Straight-line distance in metres between WGS-84 ``a`` and ``lon``/``lat``,
    measured in EPSG:32650."""
    ax, ay = _TO_METRIC.transform(a.x, a.y)
    bx, by = _TO_METRIC.transform(lon, lat)
    return math.hypot(bx - ax, by - ay)


@dataclass(frozen=True)
class Leg:
    """The way from an entity to one hub."""

    hub: Hub
    distance_m: float
    minutes: int


@dataclass(frozen=True)
class GettingThere:
    """An entity's legs to the airport, the nearest stations and the nearest port, with the
    rule the drive times were estimated by."""

    airport: Leg
    stations: tuple[Leg, ...]
    port: Leg | None
    road_factor: float = ROAD_FACTOR
    speed_kmh: float = AVERAGE_SPEED_KMH

    @property
    def legs(self) -> tuple[Leg, ...]:
        """Airport, stations, port: the order a profile lists them in."""
        return (self.airport, *self.stations, *((self.port,) if self.port else ()))


def _nearest(where: Point, kind: HubKind, hubs: tuple[Hub, ...]) -> list[Leg]:
    legs = []
    for hub in hubs:
        if hub.kind is kind:
            d = metric_distance_m(where, hub.lon, hub.lat)
            legs.append(Leg(hub, d, drive_minutes(d)))
    return sorted(legs, key=lambda leg: (leg.distance_m, leg.hub.id))


def getting_there(entity: Entity, hubs: tuple[Hub, ...] | None = None) -> GettingThere | None:
    """The nearest airport, :data:`STATIONS_SHOWN` nearest railway stations and nearest port
    from ``entity`` (hubs from :func:`load_hubs` unless given); None for a placeholder."""
    where = entity_position(entity)
    if where is None:
        return None
    hubs = load_hubs() if hubs is None else hubs
    ports = _nearest(where, HubKind.port, hubs)
    return GettingThere(airport=_nearest(where, HubKind.airport, hubs)[0],
                        stations=tuple(_nearest(where, HubKind.railway_station, hubs)[:STATIONS_SHOWN]),
                        port=ports[0] if ports else None)
