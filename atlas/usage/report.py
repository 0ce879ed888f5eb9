"""The stored counts summed over a period, for staff: top profiles, top filters, and the
searches that found nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from atlas.usage.counter import CHINA

TOP = 50
"""Rows per table."""


@dataclass(frozen=True)
class Summary:
    """Counts of ``days`` days, from ``since`` (YYYY-MM-DD) to today, most first."""

    days: int
    since: str
    views: list[tuple[str, int]]
    """(entity id, views)"""
    filters: list[tuple[str, str, int]]
    """(facet, value, uses); the facet :data:`~atlas.usage.counter.OTHER` for the merged rest"""
    zero: list[tuple[str, int, str]]
    """(query, times, the last day it was made)"""
    totals: dict[str, int]
    """kind -> all its counts together"""


def first_day(days: int, now: dt.datetime | None = None) -> str:
    """The first day (China Standard Time) of a period of ``days`` days ending today."""
    today = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA).date()
    return (today - dt.timedelta(days=days - 1)).isoformat()


def _top(counts: Counter) -> list:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]


def summarise(rows: list[tuple[str, str, str, int]], days: int, since: str) -> Summary:
    """``(day, kind, key, count)`` rows summed per key; each table's :data:`TOP` rows."""
    totals: Counter = Counter()
    by_kind: dict[str, Counter] = {"view": Counter(), "filter": Counter(), "zero": Counter()}
    last_seen: dict[str, str] = {}
    for day, kind, key, n in rows:
        if kind not in by_kind or day < since:
            continue
        by_kind[kind][key] += n
        totals[kind] += n
        if kind == "zero":
            last_seen[key] = max(day, last_seen.get(key, day))
    filters = [(*(key.split("=", 1) if "=" in key else (key, "")), n)
               for key, n in _top(by_kind["filter"])]
    return Summary(days=days, since=since, views=_top(by_kind["view"]), filters=filters,
                   zero=[(key, n, last_seen[key]) for key, n in _top(by_kind["zero"])],
                   totals={kind: totals[kind] for kind in by_kind})
