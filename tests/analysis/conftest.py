"""Fixtures for the analysis tests: the shipped atlas, loaded once per session."""

from __future__ import annotations

import pytest

from atlas.config import REPO_ROOT, Settings
from atlas.engine import Atlas
from atlas.filters import EntityFilter
from atlas.analysis import facilities
from atlas.analysis.facilities import FacilitySet
from atlas.storage.geojson import GeoJSONStorage


@pytest.fixture(scope="session")
def shipped() -> Atlas:
    """The shipped data as an Atlas (validated, indexed), without the web app."""
    settings = Settings(data_dir=REPO_ROOT / "data" / "geo", tiles="none")
    return Atlas.load(GeoJSONStorage(settings.data_dir), settings)


@pytest.fixture(scope="session")
def carriers(shipped: Atlas) -> FacilitySet:
    """Platforms and incubators as facilities (placeholders via their host park)."""
    return facilities.select(shipped, EntityFilter(layer=("platforms", "incubators")))


@pytest.fixture(scope="session")
def parks(shipped: Atlas) -> FacilitySet:
    """Parks as facilities (measured from their polygon edge)."""
    return facilities.select(shipped, EntityFilter(layer=("parks",)))
