"""Coverage building blocks against closed-form answers, on hand-made geometry (no atlas data).

A 10 km × 10 km square "town" in EPSG:32650 metres; point facilities with radius r.  Two discs
a distance d apart (d < 2r) overlap in a lens of area

    L(r, d) = 2 r² acos(d / 2r) − (d / 2) √(4r² − d²)

so their union is 2πr² − L and their overlap is L.  Buffers are 64-gons (area 0.16 % below a
true disc), so areas are compared within 0.3 %.  A lens is bounded only by arcs, so its
chord deficit is a larger share of its (small) area — about 0.4 % here — and overlaps are
compared within 0.3 % of one disc's area instead (the deficit of two 96° arcs is ~0.05 %).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from atlas.analysis import AnalysisInputError
from atlas.analysis import coverage
from atlas.analysis.coverage import buffers, covered_points, overlap_of
from atlas.analysis.demand import Demand
from atlas.analysis.facilities import Facility, FacilitySet
from atlas.config import Settings
from atlas.crs import METRIC_CRS
from atlas.engine import Atlas, Entity
from atlas.packed import pack
from atlas.vocab import Label, Layer

X0, Y0 = 640_000.0, 2_720_000.0  # somewhere in UTM 50N; only differences matter
SIDE = 10_000.0
SQUARE = box(X0, Y0, X0 + SIDE, Y0 + SIDE)
R = 1_500.0
D = 2_000.0
REL = 0.003


def lens(r: float, d: float) -> float:
    """Area shared by two discs of radius r whose centres are d apart."""
    if d >= 2 * r:
        return 0.0
    return 2 * r * r * math.acos(d / (2 * r)) - (d / 2) * math.sqrt(4 * r * r - d * d)


def triple(r: float, d: float) -> float:
    """Area shared by three discs of radius r on an equilateral triangle of side d.

    The region's corners are the inner crossing points of each pair of circles, at distance
    ρ = √(r² − d²/4) − d/(2√3) from the centroid; it is the equilateral triangle on those
    corners (side c = ρ√3) plus three circular segments on chords c.
    """
    rho = math.sqrt(r * r - d * d / 4) - d / (2 * math.sqrt(3))
    c = rho * math.sqrt(3)
    theta = 2 * math.asin(c / (2 * r))
    return math.sqrt(3) / 4 * c * c + 3 * (r * r / 2) * (theta - math.sin(theta))


def disc() -> float:
    return math.pi * R * R


def at(dx: float, dy: float) -> Point:
    return Point(X0 + dx, Y0 + dy)


def close(actual: float, expected: float, rel: float = REL) -> bool:
    return actual == pytest.approx(expected, rel=rel)


def close_overlap(actual: float, expected: float, scale: float = 1.0) -> bool:
    """Within 0.3 % of one disc's area (``scale`` = 1e-6 for km²)."""
    return actual == pytest.approx(expected, rel=0, abs=REL * disc() * scale)


# ------------------------------------------------------------------ the formulas themselves
def test_the_closed_forms_match_very_fine_polygons():
    """Guard the test's own arithmetic: 4096-gon discs agree with the formulas to 1e-5."""
    fine = [shapely.buffer(at(5000, 5000), R, quad_segs=1024),
            shapely.buffer(at(5000 + D, 5000), R, quad_segs=1024)]
    assert close(shapely.intersection(*fine).area, lens(R, D), 1e-5)
    centres = [(0, 0), (D, 0), (D / 2, D * math.sqrt(3) / 2)]
    tri = [shapely.buffer(at(4000 + x, 4000 + y), R, quad_segs=1024) for x, y in centres]
    common = shapely.intersection(shapely.intersection(tri[0], tri[1]), tri[2])
    assert close(common.area, triple(R, D), 1e-5)


# ------------------------------------------------------------------ buffers
def test_a_buffer_is_a_64_gon_within_0_2_percent_of_the_disc():
    (b,) = buffers([at(5000, 5000)], R)
    assert len(b.exterior.coords) - 1 == 4 * coverage.QUAD_SEGS == 64
    assert b.area < disc()
    assert close(b.area, disc(), 0.002)
    # inscribed: every vertex lies on the circle, nothing beyond it
    xy = np.asarray(b.exterior.coords) - (X0 + 5000, Y0 + 5000)
    assert np.allclose(np.hypot(xy[:, 0], xy[:, 1]), R, rtol=1e-9)


def test_buffers_keep_order_and_grow_polygons_from_their_edge():
    square_park = box(X0, Y0, X0 + 1000, Y0 + 1000)
    out = buffers([at(5000, 5000), square_park], R)
    assert len(out) == 2
    assert out[0].centroid.distance(at(5000, 5000)) < 1e-6
    # square of side a grown by r: a² + 4ar + πr²
    assert close(out[1].area, 1000 ** 2 + 4 * 1000 * R + disc())


def test_two_discs_union_and_overlap_match_the_lens_formula():
    reach = buffers([at(4000, 5000), at(6000, 5000)], R)
    union = shapely.intersection(shapely.union_all(reach), SQUARE)
    overlap = shapely.intersection(overlap_of(reach), SQUARE)
    L = lens(R, D)
    assert close(union.area, 2 * disc() - L)
    assert close_overlap(overlap.area, L)
    assert overlap.area < L  # inscribed polygons: never more than the true lens
    gap = shapely.difference(SQUARE, union)
    assert close(gap.area, SIDE ** 2 - (2 * disc() - L), 5e-4)
    assert gap.area + union.area == pytest.approx(SIDE ** 2, rel=1e-12)


def test_far_apart_discs_have_no_overlap():
    reach = buffers([at(2000, 2000), at(8000, 8000)], R)
    assert overlap_of(reach).is_empty
    assert close(shapely.union_all(reach).area, 2 * disc())


def test_tangent_discs_have_zero_overlap_area():
    reach = buffers([at(3000, 5000), at(3000 + 2 * R, 5000)], R)
    assert overlap_of(reach).area == pytest.approx(0.0, abs=1e-6)


def test_three_discs_overlap_is_the_union_of_pairwise_lenses_not_their_sum():
    centres = [(4000, 4000), (4000 + D, 4000), (4000 + D / 2, 4000 + D * math.sqrt(3) / 2)]
    reach = buffers([at(x, y) for x, y in centres], R)
    L, T = lens(R, D), triple(R, D)
    assert T > 0.1 * L  # the triple region is substantial, so double counting would show
    # inclusion–exclusion: |L1 ∪ L2 ∪ L3| = 3L − 3T + T
    assert close_overlap(overlap_of(reach).area, 3 * L - 2 * T)
    assert overlap_of(reach).area < 3 * L - 1.5 * T
    assert close(shapely.union_all(reach).area, 3 * disc() - 3 * L + T)


def test_fewer_than_two_catchments_have_an_empty_overlap():
    assert overlap_of(buffers([], R)).is_empty
    assert overlap_of(buffers([at(5000, 5000)], R)).is_empty


def test_identical_sites_overlap_completely():
    reach = buffers([at(5000, 5000), at(5000, 5000)], R)
    assert close(overlap_of(reach).area, reach[0].area, 1e-9)


# ------------------------------------------------------------------ covered_points
def test_covered_points_inside_outside_and_on_the_edge():
    reach = buffers([at(4000, 5000), at(6000, 5000)], R)
    catchment = shapely.union_all(reach)
    vertex = np.asarray(reach[0].exterior.coords)[7]  # exactly on the catchment's edge
    xy = np.array([[X0 + 4000, Y0 + 5000],        # a centre
                   [X0 + 5000, Y0 + 5000],        # in the lens
                   [X0 + 4000, Y0 + 5000 + R - 1],  # just inside
                   [X0 + 4000, Y0 + 5000 + R + 1],  # just outside
                   [X0 + 9000, Y0 + 9000],        # far away
                   vertex])
    assert covered_points(xy, catchment).tolist() == [True, True, True, False, False, True]


def test_covered_points_with_no_catchment_or_no_points():
    xy = np.array([[X0, Y0], [X0 + 1, Y0 + 1]])
    assert covered_points(xy, shapely.Polygon()).tolist() == [False, False]
    assert covered_points(np.empty((0, 2)), buffers([at(0, 0)], R)[0]).shape == (0,)


def test_covered_points_agrees_with_a_lattice_count_of_the_lens_union():
    reach = buffers([at(4000, 5000), at(6000, 5000)], R)
    step = 10.0
    xs = np.arange(X0 + step / 2, X0 + SIDE, step)
    gx, gy = np.meshgrid(xs, xs - X0 + Y0)
    hit = covered_points(np.column_stack([gx.ravel(), gy.ravel()]), shapely.union_all(reach))
    assert close(hit.sum() * step * step, 2 * disc() - lens(R, D), 0.005)


# ------------------------------------------------------------------ analyse on a hand-made atlas
def _atlas(city=SQUARE, band=box(X0, Y0 + 4950, X0 + SIDE, Y0 + 5050)) -> Atlas:
    """A minimal Atlas whose city is one square town (no zones), built without the data files."""
    towns = gpd.GeoDataFrame({"id": ["sq"]}, geometry=[city], crs=METRIC_CRS).set_index("id",
                                                                                     drop=False)
    zones = gpd.GeoDataFrame({"id": []}, geometry=gpd.GeoSeries([], crs=METRIC_CRS),
                             crs=METRIC_CRS)
    frames = {Layer.towns: towns, Layer.zones: zones}
    town = {"id": "sq", "name_zh": "方镇", "name_en": "Square town"}
    entities = {"sq": Entity("sq", Layer.towns, pack(Layer.towns, town), city)}
    return Atlas(Settings(tiles="none"), "test", frames, frames, band, band, city, entities)


def _sites(*points: Point) -> FacilitySet:
    return FacilitySet(tuple(Facility(f"f{i}", Label("站", "site"), p)
                             for i, p in enumerate(points)))


def test_analyse_two_sites_inside_the_town():
    result = coverage.analyse(_atlas(), _sites(at(4000, 5000), at(6000, 5000)), R)
    L = lens(R, D)
    for unit_id in ("city", "sq"):
        row = result.row(unit_id)
        assert close(row.covered_km2, (2 * disc() - L) / 1e6)
        assert close_overlap(row.overlap_km2, L / 1e6, 1e-6)
        assert row.demand == pytest.approx(SIDE ** 2 / 1e6)
        assert close(row.gap_km2, (SIDE ** 2 - 2 * disc() + L) / 1e6, 5e-4)
        assert close(row.covered_pct, 100 * (2 * disc() - L) / SIDE ** 2)
    assert close(result.gaps.area + result.catchment.area, SIDE ** 2, 1e-12)
    # the band is a 100 m strip through both centres: reached along 2r + d, twice along 2r − d
    band = result.row("corridor-band")
    assert band.unit.area_km2 == pytest.approx(1.0)
    assert close(band.covered_km2, (2 * R + D) * 100 / 1e6)
    assert close(band.overlap_km2, (2 * R - D) * 100 / 1e6)


def test_analyse_a_site_on_the_town_edge_covers_half_a_disc():
    result = coverage.analyse(_atlas(), _sites(at(0, 5000)), R)
    assert close(result.row("sq").covered_km2, disc() / 2 / 1e6)
    assert close(result.row("city").gap_km2, (SIDE ** 2 - disc() / 2) / 1e6, 5e-4)


def test_analyse_a_site_on_the_corner_covers_a_quarter_disc():
    result = coverage.analyse(_atlas(), _sites(at(SIDE, SIDE)), R)
    assert close(result.row("sq").covered_km2, disc() / 4 / 1e6)


def test_analyse_a_site_outside_the_town_reaches_in_by_a_circular_segment():
    # centre 500 m outside the west edge: the part inside is the segment of height r − 500
    h = R - 500
    segment = R * R * math.acos((R - h) / R) - (R - h) * math.sqrt(2 * R * h - h * h)
    result = coverage.analyse(_atlas(), _sites(at(-500, 5000)), R)
    assert close(result.row("sq").covered_km2, segment / 1e6)


def test_analyse_with_no_facilities_covers_nothing():
    result = coverage.analyse(_atlas(), FacilitySet(()), R)
    assert result.catchment.is_empty and result.overlap.is_empty
    for row in result.rows:
        assert row.covered_km2 == 0 and row.overlap_km2 == 0 and row.covered_pct == 0
        assert row.gap_km2 == pytest.approx(row.unit.area_km2)
    assert result.gaps.area == pytest.approx(SIDE ** 2)


def test_analyse_three_sites_overlap_counted_once():
    centres = [(4000, 4000), (4000 + D, 4000), (4000 + D / 2, 4000 + D * math.sqrt(3) / 2)]
    result = coverage.analyse(_atlas(), _sites(*(at(x, y) for x, y in centres)), R)
    L, T = lens(R, D), triple(R, D)
    assert close_overlap(result.row("sq").overlap_km2, (3 * L - 2 * T) / 1e6, 1e-6)
    assert close(result.row("sq").covered_km2, (3 * disc() - 3 * L + T) / 1e6)


def test_analyse_population_demand_spreads_people_uniformly():
    people = Demand("population", population={"sq": 50_000.0})
    result = coverage.analyse(_atlas(), _sites(at(4000, 5000), at(6000, 5000)), R, people)
    row = result.row("sq")
    assert row.demand == pytest.approx(50_000.0)
    assert close(row.demand_covered, 50_000.0 * (2 * disc() - lens(R, D)) / SIDE ** 2)


def test_analyse_point_demand_weighs_points_in_reach():
    xy = np.array([[X0 + 4000, Y0 + 5000], [X0 + 5000, Y0 + 5000], [X0 + 9000, Y0 + 9000],
                   [X0 + 20_000, Y0 + 5000]])  # the last one lies outside the town
    points = Demand("points", xy=xy, weights=np.array([1.0, 2.0, 4.0, 8.0]))
    result = coverage.analyse(_atlas(), _sites(at(4000, 5000), at(6000, 5000)), R, points)
    row = result.row("sq")
    assert (row.demand, row.demand_covered) == (7.0, 3.0)
    assert row.covered_pct == pytest.approx(300 / 7)


@pytest.mark.parametrize("radius", [0, 99.9, 20_000.1, -5])
def test_analyse_refuses_radii_out_of_range(radius):
    with pytest.raises(AnalysisInputError, match="radius_m"):
        coverage.analyse(_atlas(), _sites(at(5000, 5000)), radius)


@pytest.mark.parametrize("radius", [100, 20_000])
def test_analyse_accepts_the_radius_limits(radius):
    coverage.analyse(_atlas(), _sites(at(5000, 5000)), radius)
