"""The transport hubs investors ask about (airport, railway stations, ports), read from
``data/reference/transport.json`` and validated before anything uses them.

A hub must have a position: ``placeholder`` precision is refused, and so is a position
outside :data:`REGION` (a swapped lon/lat or a GCJ-02 value typed in degrees off would land
there). Sources and precision follow the layers' rules (see ``data/reference/README.md``).
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from atlas.config import REPO_ROOT
from atlas.model import Citation, Slug, Text
from atlas.provenance import research_reference
from atlas.vocab import Precision

HUBS_FILE = REPO_ROOT / "data" / "reference" / "transport.json"

REGION = (117.5, 23.8, 119.5, 25.8)
"""Bounding box (west, south, east, north, WGS-84) a hub serving Jinjiang must lie in:
southern Fujian, about 100 km around the city."""


class HubKind(StrEnum):
    """What a hub is."""

    airport = "airport"
    railway_station = "railway_station"
    port = "port"


class Hub(BaseModel):
    """One transport hub: names, kind, WGS-84 position, how sure it is, and its sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    name_zh: Text
    name_en: Text
    kind: HubKind
    lon: float = Field(description="WGS-84 longitude")
    lat: float = Field(description="WGS-84 latitude")
    precision: Precision
    position_note_zh: Text = Field(description="What the position rests on, in Chinese")
    position_note_en: Text = Field(description="The same in English")
    citations: list[Citation] = Field(min_length=1, description="Public sources of the position")

    @field_validator("precision")
    @classmethod
    def _has_position(cls, value: Precision) -> Precision:
        if value is Precision.placeholder:
            raise ValueError("a hub needs a known position; 'placeholder' is not allowed here")
        return value

    @field_validator("position_note_zh", "position_note_en")
    @classmethod
    def _public_text(cls, value: str) -> str:
        found = research_reference(value)
        if found:
            raise ValueError(f"public text must not cite the research notes ({found!r})")
        return value

    @model_validator(mode="after")
    def _in_region(self) -> Hub:
        west, south, east, north = REGION
        if not (west <= self.lon <= east and south <= self.lat <= north):
            raise ValueError(f"position lon={self.lon}, lat={self.lat} is outside southern Fujian "
                             f"(lon {west}–{east}, lat {south}–{north}): lon and lat swapped?")
        return self


class HubFile(BaseModel):
    """The whole file: the hubs, ids unique, at least one airport."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hubs: list[Hub] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> HubFile:
        ids = [h.id for h in self.hubs]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"hub ids must be unique; repeated: {', '.join(repeated)}")
        if not any(h.kind is HubKind.airport for h in self.hubs):
            raise ValueError("the file must list the airport")
        return self


class HubDataError(ValueError):
    """The hub file is missing, not JSON, or has a record that breaks the rules."""


def parse_hubs(data: object, source: str = "transport.json") -> tuple[Hub, ...]:
    """The hubs in ``data`` (the parsed JSON), or :class:`HubDataError` saying which record
    and field is wrong and why."""
    try:
        return tuple(HubFile.model_validate(data).hubs)
    except ValidationError as err:
        raise HubDataError(f"{source}: bad transport hub data:\n" + "\n".join(
            _describe(data, e) for e in err.errors())) from None


def _describe(data: object, error: dict) -> str:
    """One validation error as "hubs[2] (weitou-port).lat: message"."""
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "hubs" and isinstance(loc[1], int):
        try:
            record_id = data["hubs"][loc[1]].get("id")  # type: ignore[index]
        except (TypeError, KeyError, IndexError, AttributeError):
            record_id = None
        where = f"hubs[{loc[1]}]" + (f" ({record_id})" if record_id else "")
        loc = loc[2:]
    path = ".".join(str(part) for part in loc)
    return f"  {where}{'.' if where and path else ''}{path}: {error['msg']}"


@cache
def load_hubs(path: Path = HUBS_FILE) -> tuple[Hub, ...]:
    """The hubs of ``path``, validated once per process (:class:`HubDataError` when bad)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise HubDataError(f"{path}: cannot read the transport hubs: {err}") from None
    return parse_hubs(data, str(path))
