"""The industrial chains the plan describes, their stages, and who in Jinjiang serves each.

The chains and their stages are plan content, read from ``data/plan/chains.json`` (validated
once per process).  Which entity serves which stage is data on the entity
(``chain_stages``, editable like any property); validation refuses a stage id the file does
not define.  :func:`chain_view` lays a chain out for the chain pages: per stage the
enterprises and carriers serving it, the stages nobody serves flagged as gaps — the targets
of 补链招商 (investment to fill the chain) — and, apart, the entities of the chain's industry
whose stage is not stated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from atlas.config import REPO_ROOT
from atlas.model import PlanRef, Slug, Text
from atlas.vocab import Industry, Layer

if TYPE_CHECKING:  # the engine validates data against the stages defined here
    from atlas.engine import Entity
    from atlas.filters import FacetIndex

CHAINS_FILE = REPO_ROOT / "data" / "plan" / "chains.json"


class Stage(BaseModel):
    """One stage (环节) of a chain, in the chain's order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    name_zh: Text
    name_en: Text
    derived: bool = Field(False, description="Added by the atlas to complete the chain; the "
                                             "plan does not name it as a stage")


class Chain(BaseModel):
    """An industrial chain the plan describes, with the sentence it is described in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    industry: Industry
    name_zh: Text
    name_en: Text
    plan_ref: PlanRef
    quote_zh: Text = Field(description="The plan's sentence describing the chain")
    basis_zh: Text = Field(description="How the stages follow from the plan")
    basis_en: Text
    stages: list[Stage] = Field(min_length=2)


class ChainFile(BaseModel):
    """The whole file; chain and stage ids unique across it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: list[str] = Field(default_factory=list, alias="_about")
    chains: list[Chain]

    @model_validator(mode="after")
    def _unique(self) -> ChainFile:
        ids = [c.id for c in self.chains] + [s.id for c in self.chains for s in c.stages]
        if repeated := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"ids used more than once: {', '.join(repeated)}")
        return self


class ChainsError(ValueError):
    """``data/plan/chains.json`` is missing or invalid; the message says where."""


@cache
def load_chains() -> tuple[Chain, ...]:
    """The chains, validated (once per process); raises :class:`ChainsError`."""
    try:
        return tuple(ChainFile.model_validate(json.loads(CHAINS_FILE.read_text("utf-8"))).chains)
    except (OSError, ValueError, ValidationError) as exc:
        raise ChainsError(f"{CHAINS_FILE}: {exc}") from exc


def stage_ids() -> frozenset[str]:
    """Every stage id the chains define (what ``chain_stages`` may hold)."""
    return frozenset(s.id for c in load_chains() for s in c.stages)


def stage_label(stage_id: str, lang: str) -> str:
    """"Chain · stage" in ``lang`` (zh unless ``en``), e.g. 集成电路全产业链 · 制造."""
    for c in load_chains():
        for s in c.stages:
            if s.id == stage_id:
                return f"{c.name_en} · {s.name_en}" if lang == "en" else f"{c.name_zh} · {s.name_zh}"
    return stage_id


def chain(chain_id: str) -> Chain | None:
    """The chain with that id, or None."""
    return next((c for c in load_chains() if c.id == chain_id), None)


@dataclass(frozen=True)
class StageView:
    """A stage with the entities serving it; ``gap`` when there are none (补链 target)."""

    stage: Stage
    entities: list[Entity]

    @property
    def gap(self) -> bool:
        return not self.entities


@dataclass(frozen=True)
class ChainView:
    """A chain laid out for its page."""

    chain: Chain
    stages: list[StageView]
    unstaged: list[Entity]
    """Entities of the chain's industry that name none of its stages"""

    @property
    def gaps(self) -> list[Stage]:
        return [s.stage for s in self.stages if s.gap]


LAYER_ORDER = (Layer.enterprises, Layer.platforms, Layer.incubators, Layer.parks)
"""Within a stage: enterprises first (the chain itself), then the carriers serving it."""


def chain_view(chain_: Chain, index: FacetIndex) -> ChainView:
    """Who serves each stage of ``chain_``, the gaps, and the industry's other entities, from
    the atlas's facet index (the ``stage`` and ``industry`` filters)."""
    none = np.empty(0, np.int64)

    def entities(rows: np.ndarray) -> list[Entity]:
        return sorted((index.listed[r] for r in rows.tolist()),
                      key=lambda e: (LAYER_ORDER.index(e.layer), e.id))

    rows = {s.id: index.rows["stage"].get(s.id, none) for s in chain_.stages}
    unstaged = np.setdiff1d(index.rows["industry"].get(chain_.industry.value, none),
                            np.concatenate([none, *rows.values()]))
    return ChainView(chain_, [StageView(s, entities(rows[s.id])) for s in chain_.stages],
                     entities(unstaged))


def chains_of(entity: Entity) -> list[tuple[Chain, Stage]]:
    """The (chain, stage) pairs an entity serves, in the file's order."""
    mine = set(entity.props.get("chain_stages") or ())
    return [(c, s) for c in load_chains() for s in c.stages if s.id in mine]
