"""The plan's targets (表1-1) beside what the atlas can count of them.

The indicators, their 2020 values and 2025 targets are data (``data/plan/indicators.json``,
transcribed from the plan).  An indicator with a ``count`` spec is one the atlas can count:
its live count (operating, and planned or under construction) and the list of entities
come from the same filter the atlas page uses, so a count is a link that lists it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from atlas.config import REPO_ROOT
from atlas.engine import Atlas, Entity
from atlas.filters import EntityFilter
from atlas.vocab import Label, Status

INDICATORS_FILE = REPO_ROOT / "data" / "plan" / "indicators.json"


@dataclass(frozen=True)
class Indicator:
    no: int
    name: Label
    unit: Label
    value_2020: float
    target_2025: str
    """As printed (e.g. "≥20")."""
    increase: str
    """The five-year increase as printed (e.g. "[88]"), or ""."""
    count: EntityFilter | None
    count_note: Label | None


@dataclass(frozen=True)
class Tally:
    """What the atlas holds of an indicator."""

    indicator: Indicator
    operating: tuple[Entity, ...]
    pending: tuple[Entity, ...]

    @property
    def short_of_2020(self) -> bool:
        """Whether the atlas lists fewer operating records than the plan reported for 2020."""
        return len(self.operating) < self.indicator.value_2020


@lru_cache(maxsize=4)
def indicators(path: Path = INDICATORS_FILE) -> tuple[tuple[Indicator, ...], Label]:
    """The 18 indicators of 表1-1 and the citation of their source."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for item in data["indicators"]:
        spec = item.get("count")
        found.append(Indicator(
            item["no"], Label(*item["name"]), Label(*item["unit"]), item["value_2020"],
            item["target_2025"], item.get("increase", ""),
            EntityFilter(layer=tuple(spec.get("layer", ())), kind=tuple(spec.get("kind", ())),
                         level=tuple(spec.get("level", ()))) if spec else None,
            Label(*spec["note"]) if spec and spec.get("note") else None))
    return tuple(found), Label(*data["source"])


def tally(atlas: Atlas, indicator: Indicator) -> Tally | None:
    """The atlas's live count of ``indicator`` (None when the atlas cannot count it)."""
    if indicator.count is None:
        return None
    found = indicator.count.apply(atlas)
    return Tally(indicator, tuple(e for e in found if e.props["status"] == Status.operating),
                 tuple(e for e in found if e.props["status"] != Status.operating))
