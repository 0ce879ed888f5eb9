"""The data model: one pydantic model of feature properties per layer.

Field names live here and nowhere else; allowed values and their labels live in
:mod:`atlas.vocab`.  Links between entities are plain ids; which layer each link
field points into is declared in :data:`LINKS` and checked by validation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints,
                      ValidationInfo, field_validator, model_validator)

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
WECHAT_HOSTS = ("weixin.qq.com", "mp.weixin.qq.com")
"""Hosts of the links a WeChat official account's QR code holds."""


def _wechat_link(value: str) -> str:
    """``value`` if it is what an official account's QR code holds: an http(s) link on
    :data:`WECHAT_HOSTS`, without spaces or markup characters."""
    try:
        parts = urlsplit(value)
        odd = parts.username or parts.port or re.search(r"[\s<>\"'\\]", value)
    except ValueError:  # a port that is not a number
        odd = True
    if odd or parts.scheme not in ("http", "https") or parts.hostname not in WECHAT_HOSTS:
        raise ValueError("give the link the account's QR code holds: an http(s) address on "
                         "weixin.qq.com or mp.weixin.qq.com, e.g. https://weixin.qq.com/r/…")
    return value


WeChatLink = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500),
                       AfterValidator(_wechat_link)]
SPACE_TYPES = ("office", "factory", "lab")
"""Kinds of space an investor asks for; each has a ``space_<type>_m2`` fact."""

FACTS: dict[str, tuple[str, ...]] = {
    "area_ha": ("area_ha",), "established": ("established",), "firms": ("firms",),
    "output_yi_yuan": ("output_yi_yuan",),
    **{f"space_{kind}_m2": (f"space_{kind}_m2",) for kind in SPACE_TYPES},
    "rent": ("rent_min_yuan", "rent_max_yuan"), "land": ("land_zh", "land_en"),
    "contact_phone": ("contact_phone",), "contact_email": ("contact_email",),
    "contact_wechat": ("contact_wechat", "contact_wechat_url"), "policies": ("policies",),
}
"""The facts an investor asks about, in the order pages show them, each with the fields that
hold it.  A source (:class:`FactSource`) names whole facts: the rent range, not its ends."""
FactName = Literal[tuple(FACTS)]


class Policy(BaseModel):
    """A policy that applies to a park or incubator: its title, who issued it, when, and where
    to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title_zh: Text = Field(description="Title in Chinese, e.g. 晋江市加快科技创新若干措施")
    title_en: str = Field("", description="Title in English (\"\" if none yet)")
    issuer_zh: Text = Field(description="Who issued it, in Chinese, e.g. 晋江市人民政府")
    issuer_en: str = Field("", description="Who issued it, in English")
    date: dt.date = Field(description="Date issued, YYYY-MM-DD")
    url: Url | None = Field(None, description="Public address of the policy (None when it has none)")


class FactSource(BaseModel):
    """When and from whom some facts are, where they differ from the feature's own
    ``facts_as_of`` and ``facts_source_*``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    facts: list[FactName] = Field(min_length=1, description="The facts it gives, e.g. "
                                  "[\"rent\", \"space_office_m2\"]")
    as_of: dt.date = Field(description="Date the facts hold for")
    source_zh: Text = Field(description="Who gave them or where they are published (Chinese)")
    source_en: str = Field("", description="The same in English")
    url: Url | None = Field(None, description="Public address of the source")


class SpaceFacts(BaseModel):
    """What an investor asks a park or incubator: size, firms, output, free space, rent, land,
    a contact and the policies that apply.  All optional — a missing fact is shown as "not
    yet provided" — but every fact given has one date and source: its own entry in
    ``fact_sources``, else ``facts_as_of`` and ``facts_source_zh``."""

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
    contact_wechat: str | None = Field(None, description="WeChat official account for investors (its name)")
    contact_wechat_url: WeChatLink | None = Field(None, description="The link the account's QR "
                                                  "code holds (weixin.qq.com, mp.weixin.qq.com); "
                                                  "pages draw the QR code from it")
    policies: list[Policy] = Field(default_factory=list, description="Policies that apply")
    facts_as_of: dt.date | None = Field(None, description="Date the facts hold for (those without "
                                        "their own entry in fact_sources)")
    facts_source_zh: str | None = Field(None, description="Who gave the facts (Chinese)")
    facts_source_en: str | None = Field(None, description="Who gave the facts (English)")
    facts_source_url: Url | None = Field(None, description="Public address of that source")
    fact_sources: list[FactSource] = Field(default_factory=list, description="Facts from another "
                                           "date or source than facts_as_of and facts_source_*")

    @field_validator("fact_sources")
    @classmethod
    def _each_fact_one_source(cls, sources: list[FactSource], info: ValidationInfo):
        """Refuse a fact named by two entries, or by one while it has no value."""
        named: dict[str, int] = {}
        for i, source in enumerate(sources, start=1):
            for fact in source.facts:
                if fact in named:
                    raise ValueError(f"{fact} is named in entries {named[fact]} and {i}; "
                                     "each fact has one source")
                named[fact] = i
                fields = [f for f in FACTS[fact] if f in info.data]  # absent: failed already
                if fields and all(info.data[f] is None or info.data[f] == [] for f in fields):
                    raise ValueError(f"entry {i} names {fact}, which has no value; remove it "
                                     "from the entry or give the fact")
        return sources

    @model_validator(mode="after")
    def _facts_are_dated_and_sourced(self):
        values = self.__dict__  # not model_fields: pydantic builds that mapping on every access
        given = given_facts(values)
        if not given:
            return self
        own = {fact for source in self.fact_sources for fact in source.facts}
        rest = [n for n in FACTS if n in given and n not in own]
        if rest and not (self.facts_as_of and self.facts_source_zh):
            raise ValueError(f"{', '.join(rest)}: give facts_as_of and facts_source_zh (when and "
                             "from whom the facts are), or a fact_sources entry naming them")
        if (self.rent_min_yuan is not None and self.rent_max_yuan is not None
                and self.rent_min_yuan > self.rent_max_yuan):
            raise ValueError("rent_min_yuan is above rent_max_yuan")
        return self


_FACT_OF = tuple((name, fact) for fact, names in FACTS.items() for name in names)
"""(field, the fact it holds) for every field of a fact."""


def given_facts(props: Mapping) -> list[str]:
    """The facts ``props`` (a park's or incubator's properties) has a value for, in
    :data:`FACTS` order."""
    return list(dict.fromkeys(fact for name, fact in _FACT_OF
                              if props.get(name) is not None and props.get(name) != []))


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
