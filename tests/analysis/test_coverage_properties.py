"""Properties every coverage answer must have, on the shipped atlas with random facility sets.

Sites are random WGS-84 positions in the city's bounding box (some fall at sea or outside the
city, which is allowed), added to an empty set or to the real platforms and incubators.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from atlas.analysis import coverage, facilities
from atlas.analysis.facilities import FacilitySet, Scenario
from atlas.vocab import Layer

EPS_KM2 = 1e-6  # 1 m²: room for overlay round-off, far below any real change
CHECK = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])

WEST, SOUTH, EAST, NORTH = 118.405325, 24.517886, 118.682724, 24.906419
lonlat = st.tuples(st.floats(WEST, EAST), st.floats(SOUTH, NORTH))
site_lists = st.lists(lonlat, min_size=1, max_size=8)
radii = st.floats(coverage.MIN_RADIUS_M, 8_000.0)


def test_the_strategy_box_is_the_city_box(shipped):
    assert tuple(shipped.frames[Layer.boundary].total_bounds) == pytest.approx(
        (WEST, SOUTH, EAST, NORTH))


def built(atlas, base: FacilitySet, sites) -> FacilitySet:
    return facilities.apply(atlas, base, Scenario(add=tuple(sites)))


def assert_no_less(after, before, what: str) -> None:
    """Every unit's covered area (and overlap) in ``after`` is at least that in ``before``."""
    for a, b in zip(after.rows, before.rows, strict=True):
        assert a.unit.id == b.unit.id
        assert a.covered_km2 >= b.covered_km2 - EPS_KM2, (what, a.unit.id)
        assert a.demand_covered >= b.demand_covered - EPS_KM2, (what, a.unit.id)
        assert a.overlap_km2 >= b.overlap_km2 - EPS_KM2, (what, a.unit.id)


@CHECK
@given(sites=site_lists, which=st.integers(0, 7), radius=radii, on_real=st.booleans())
def test_closing_a_site_never_increases_coverage(shipped, carriers, sites, which, radius,
                                                 on_real):
    base = built(shipped, carriers if on_real else FacilitySet(()), sites)
    victim = sorted(base.ids())[which % len(base.ids())]
    fewer = facilities.apply(shipped, base, Scenario(close=(victim,)))
    assert len(fewer.facilities) == len(base.facilities) - 1
    assert_no_less(coverage.analyse(shipped, base, radius),
                   coverage.analyse(shipped, fewer, radius), f"close {victim}")


@CHECK
@given(sites=site_lists, extra=lonlat, radius=radii, on_real=st.booleans())
def test_adding_a_site_never_decreases_coverage(shipped, carriers, sites, extra, radius, on_real):
    base = built(shipped, carriers if on_real else FacilitySet(()), sites)
    more = built(shipped, base, [extra])
    assert len(more.facilities) == len(base.facilities) + 1
    assert_no_less(coverage.analyse(shipped, more, radius),
                   coverage.analyse(shipped, base, radius), f"add {extra}")


@CHECK
@given(sites=site_lists, r1=radii, r2=radii)
def test_coverage_is_monotone_in_the_radius(shipped, sites, r1, r2):
    small, large = sorted((r1, r2))
    fs = built(shipped, FacilitySet(()), sites)
    by_radius = coverage.sensitivity(shipped, fs, [large, small])
    assert list(by_radius) == sorted({small, large})
    assert_no_less(by_radius[large], by_radius[small], f"radius {small} -> {large}")


@CHECK
@given(sites=st.lists(lonlat, min_size=0, max_size=8), radius=radii, on_real=st.booleans())
def test_covered_within_the_unit_and_overlap_within_covered(shipped, carriers, sites, radius,
                                                            on_real):
    fs = built(shipped, carriers if on_real else FacilitySet(()), sites)
    result = coverage.analyse(shipped, fs, radius)
    for row in result.rows:
        assert -EPS_KM2 <= row.covered_km2 <= row.unit.area_km2 + EPS_KM2, row.unit.id
        assert -EPS_KM2 <= row.overlap_km2 <= row.covered_km2 + EPS_KM2, row.unit.id
        assert row.gap_km2 >= -EPS_KM2
        assert 0.0 <= row.covered_pct <= 100.0 + 1e-9
    city = result.row("city")
    assert result.catchment.area / 1e6 == pytest.approx(city.covered_km2, abs=EPS_KM2)
    assert (result.catchment.area + result.gaps.area) / 1e6 == pytest.approx(
        city.unit.area_km2, rel=1e-9)
    # no facility → nothing covered; one facility → nothing reached twice
    if not fs.facilities:
        assert city.covered_km2 == 0
    if len(fs.facilities) == 1:
        assert city.overlap_km2 == 0


@CHECK
@given(sites=site_lists, radius=radii)
def test_town_coverage_adds_up_to_the_city_coverage(shipped, sites, radius):
    """Towns tile the city, so their covered areas add up to the city's."""
    result = coverage.analyse(shipped, built(shipped, FacilitySet(()), sites), radius)
    towns = [r for r in result.rows if r.unit.kind == "town"]
    assert len(towns) == len(shipped.frames[Layer.towns])
    assert sum(r.covered_km2 for r in towns) == pytest.approx(
        result.row("city").covered_km2, rel=1e-5, abs=1e-4)  # km²: overlay rounding
