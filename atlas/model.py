"""The data model: one pydantic model of feature properties per layer.

Field names live here and nowhere else; allowed values and their labels live in
:mod:`atlas.vocab`.  Links between entities are plain ids; which layer each link
field points into is declared in :data:`LINKS` and checked by validation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from atlas.vocab import (CARRIER_LAYERS, Industry, Kind, Layer, Level, Precision, Status,
                         TorchGrade)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
PlanRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
CitationDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://")]


class Citation(BaseModel):
    """A public source of a feature's position or facts: who published what, when, and where.

    Shown on profiles, prints and exports (see :func:`atlas.provenance.citation_text`); the
    research notes behind the data are kept apart, in ``data/research/notes.json``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher_zh: Text = Field(description="Publisher in Chinese, e.g. 泉州晚报, 晋江市人民政府")
    publisher_en: Text = Field(description="Publisher in English, e.g. Quanzhou Evening News")
    title_zh: str = Field("", description="Title of the article or document in Chinese (\"\" if none)")
    title_en: str = Field("", description="English translation of the title")
    date: CitationDate = Field(description="Publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    url: Url | None = Field(None, description="Public address of the source (None when it has none)")


class FeatureProps(BaseModel):
    """Properties every feature carries, whatever its layer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug = Field(description="Stable ASCII id, unique across all layers")
    name_zh: Text
    name_en: Text
    aliases: list[Text] = Field(default_factory=list,
                                description="Other names people search by (short forms, brands)")
    kind: Kind
    status: Status
    level: Level | None = None
    industries: list[Industry] = Field(default_factory=list)
    description_zh: str = ""
    description_en: str = ""
    plan_refs: list[PlanRef] = Field(default_factory=list,
                                     description='Sections of the plan naming it, e.g. "三(一)"')
    precision: Precision = Field(description="How sure the position is")
    citations: list[Citation] = Field(min_length=1,
                                      description="Public sources of the position and facts")
    position_note_zh: str = Field("", description="What the position rests on and what was "
                                                  "inferred (public wording; required when the "
                                                  "position is approximate or a placeholder)")
    position_note_en: str = Field("", description="The position note in English")
    as_of: dt.date
    operator_zh: str | None = None
    operator_en: str | None = None
    partners_zh: list[Text] = Field(default_factory=list,
                                    description="Partners outside Jinjiang (attributes, not "
                                                "points), Chinese names")
    partners_en: list[Text] = Field(default_factory=list,
                                    description="The same partners in English, same order")


class BoundaryProps(FeatureProps):
    pass


class TownProps(FeatureProps):
    seat_lon: float | None = Field(default=None, description="Town seat (label point), WGS-84")
    seat_lat: float | None = None


class CorridorProps(FeatureProps):
    nodes: list[Slug] = Field(default_factory=list, description="Carriers the corridor links")


class ZoneProps(FeatureProps):
    pivots: list[Slug] = Field(default_factory=list, description="The zone's 支点 / 龙头")
    stated_area_ha: float | None = Field(default=None, gt=0, description="Area the plan states")


class ChainProps(FeatureProps):
    """Properties of what can serve a stage of an industrial chain (data/plan/chains.json)."""

    chain_stages: list[Slug] = Field(default_factory=list,
                                     description="Stages of the plan's industrial chains it "
                                                 "serves, e.g. ic-manufacturing")


Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ()-]{4,24}$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
SPACE_TYPES = ("office", "factory", "lab")
"""Kinds of space an investor asks for; each has a ``space_<type>_m2`` fact."""


class SpaceFacts(BaseModel):
    """What an investor asks a park or incubator: size, firms, output, free space, rent, land,
    a contact and the policies that apply.  All optional — a missing fact is shown as "not
    yet provided" — but any fact given needs ``facts_as_of`` and ``facts_source_zh``."""

    area_ha: float | None = Field(None, gt=0, description="Area, hectares")
    established: int | None = Field(None, ge=1949, le=2100, description="Year opened")
    firms: int | None = Field(None, ge=0, description="Firms in it")
    output_yi_yuan: float | None = Field(None, ge=0, description="Annual output, 亿元 (100 million yuan)")
    space_office_m2: float | None = Field(None, ge=0, description="Office space available, m²")
    space_factory_m2: float | None = Field(None, ge=0, description="Standard-factory space available, m²")
    space_lab_m2: float | None = Field(None, ge=0, description="Laboratory space available, m²")
    rent_min_yuan: float | None = Field(None, ge=0, description="Lowest rent, yuan per m² per month")
    rent_max_yuan: float | None = Field(None, ge=0, description="Highest rent, yuan per m² per month")
    land_zh: str | None = Field(None, description="Land available, in Chinese")
    land_en: str | None = Field(None, description="Land available, in English")
    contact_phone: Phone | None = Field(None, description="Phone for investors")
    contact_email: Email | None = Field(None, description="E-mail for investors")
    contact_wechat: str | None = Field(None, description="WeChat official account for investors")
    policies_zh: list[Text] = Field(default_factory=list, description="Policies that apply, one "
                                    "per line: title, issuer, date, link")
    policies_en: list[Text] = Field(default_factory=list, description="The same in English, same order")
    facts_as_of: dt.date | None = Field(None, description="Date the facts above hold for")
    facts_source_zh: str | None = Field(None, description="Who gave the facts above (Chinese)")
    facts_source_en: str | None = Field(None, description="Who gave the facts above (English)")
    facts_source_url: Url | None = Field(None, description="Public address of that source")

    @model_validator(mode="after")
    def _facts_are_dated_and_sourced(self):
        values = self.__dict__  # not model_fields: pydantic builds that mapping on every access
        given = [n for n in _FACT_FIELDS if values[n] not in (None, [])]
        if given and not (self.facts_as_of and self.facts_source_zh):
            raise ValueError(f"{', '.join(given)}: give facts_as_of and facts_source_zh "
                             "(when and from whom the facts are)")
        if (self.rent_min_yuan is not None and self.rent_max_yuan is not None
                and self.rent_min_yuan > self.rent_max_yuan):
            raise ValueError("rent_min_yuan is above rent_max_yuan")
        return self


_FACT_FIELDS = tuple(n for n in SpaceFacts.model_fields if not n.startswith("facts_"))
"""The facts that need an as-of date and a source."""


class ParkProps(SpaceFacts, ChainProps):
    zone: Slug | None = None


class PlatformProps(ChainProps):
    host_park: Slug | None = None


class IncubatorProps(SpaceFacts, ChainProps):
    host_park: Slug | None = None
    torch_grade: TorchGrade | None = None
    size_m2: float | None = Field(default=None, gt=0)


class EnterpriseProps(ChainProps):
    """An enterprise the plan names (industrial-chain anchors, lead and key firms)."""

    host_park: Slug | None = None
    role_zh: str | None = Field(None, description="What the plan calls it, e.g. 龙头企业")
    role_en: str | None = Field(None, description="The role in English, e.g. lead enterprise")


LAYER_MODELS: dict[Layer, type[FeatureProps]] = {
    Layer.boundary: BoundaryProps,
    Layer.towns: TownProps,
    Layer.corridor: CorridorProps,
    Layer.zones: ZoneProps,
    Layer.parks: ParkProps,
    Layer.platforms: PlatformProps,
    Layer.incubators: IncubatorProps,
    Layer.enterprises: EnterpriseProps,
}

LINKS: dict[tuple[Layer, str], tuple[Layer, ...]] = {
    (Layer.corridor, "nodes"): CARRIER_LAYERS,
    (Layer.zones, "pivots"): CARRIER_LAYERS,
    (Layer.parks, "zone"): (Layer.zones,),
    (Layer.platforms, "host_park"): (Layer.parks,),
    (Layer.incubators, "host_park"): (Layer.parks,),
    (Layer.enterprises, "host_park"): (Layer.parks,),
}
"""(layer, link field) -> the layers its ids may point into."""


def link_ids(props: dict, field: str) -> list[str]:
    """The ids a link field holds, as a list whether it is single or multiple."""
    value = props.get(field)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
