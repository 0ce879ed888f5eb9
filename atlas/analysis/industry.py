""""一产业一平台" (plan 六(二)): the plan's industries × zones or towns, counting the operating
and the planned (or under construction) platforms and incubators that serve each.

Cells count by the membership rule, so each cell equals the atlas filter
``layer=platforms&layer=incubators&industry=<row>&<by>=<column>&status=…``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from atlas.engine import Atlas
from atlas.membership import OUTSIDE, UNKNOWN, town_bucket, zone_bucket
from atlas.vocab import INDUSTRY_GROUP, POINT_LAYERS, Industry, Layer, Status

OPERATING = (Status.operating.value,)
PENDING = (Status.planned.value, Status.under_construction.value)
TOTAL = "total"


@dataclass(frozen=True)
class Cell:
    operating: int = 0
    pending: int = 0


@dataclass(frozen=True)
class Row:
    industry: Industry
    cells: dict[str, Cell]
    """Column key -> counts; the key ``total`` is the whole city."""

    @property
    def flag(self) -> str | None:
        """``none`` when nothing serves the industry, ``planned_only`` when nothing operates yet."""
        total = self.cells[TOTAL]
        if total.operating + total.pending == 0:
            return "none"
        return "planned_only" if total.operating == 0 else None


@dataclass(frozen=True)
class Matrix:
    by: str
    """``zone`` or ``town``."""
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def columns(atlas: Atlas, by: str) -> tuple[str, ...]:
    """Column keys: every zone (plus outside and unknown) or every town (plus unknown)."""
    if by == "zone":
        return (*atlas.frames[Layer.zones].index, OUTSIDE, UNKNOWN)
    return (*atlas.frames[Layer.towns].index, UNKNOWN)


def matrix(atlas: Atlas, by: str = "zone") -> Matrix:
    """The industry matrix by zone or by town (one pass over the point carriers)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for e in atlas.entities.values():
        if e.layer not in POINT_LAYERS:
            continue
        state = "operating" if e.props["status"] in OPERATING else "pending"
        keys = zone_bucket(e.member) if by == "zone" else [town_bucket(e.member)]
        for industry in e.props.get("industries") or []:
            counts[(industry, TOTAL, state)] += 1
            for key in keys:
                counts[(industry, key, state)] += 1
    cols = columns(atlas, by)
    rows = tuple(Row(i, {c: Cell(counts[(i.value, c, "operating")], counts[(i.value, c, "pending")])
                         for c in (*cols, TOTAL)})
                 for i in sorted(Industry, key=lambda i: list(INDUSTRY_GROUP).index(i)))
    return Matrix(by, cols, rows)
