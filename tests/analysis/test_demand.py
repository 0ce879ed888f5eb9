"""Demand: uploaded points (CSV) and a per-town population table, and coverage weighed by them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from atlas.analysis import AnalysisInputError, coverage
from atlas.analysis.demand import parse_points, read_population
from atlas.crs import InputCRS, to_wgs84
from atlas.vocab import Layer

LON, LAT = 118.58, 24.78  # Jinjiang


# ------------------------------------------------------------------ parse_points: good input
def test_points_with_weights_and_datums(shipped):
    text = ("lon,lat,weight,crs\n"
            f"{LON},{LAT},2,wgs84\n"
            f"{LON},{LAT},3.5,gcj02\n"
            "118.55,24.70,,\n")
    demand = parse_points(text, shipped)
    assert demand.kind == "points"
    assert demand.xy.shape == (3, 2)
    assert demand.weights.tolist() == [2.0, 3.5, 1.0]
    assert np.allclose(demand.xy[0], shipped.to_metric_xy([LON], [LAT])[0])
    assert np.allclose(demand.xy[2], shipped.to_metric_xy([118.55], [24.70])[0])
    # the GCJ-02 row is converted to WGS-84 first: it lands ~500 m from the same numbers
    shift = float(np.hypot(*(demand.xy[1] - demand.xy[0])))
    assert 400 < shift < 700
    assert np.allclose(demand.xy[1], shipped.to_metric_xy(*map(lambda v: [v],
                                                               to_wgs84(LON, LAT, "gcj02")))[0])
    assert "3" in demand.source


def test_points_byte_order_mark_spaces_and_capitals_are_fine(shipped):
    demand = parse_points(f"\ufeff Lon , LAT \n {LON} , {LAT} \n", shipped)
    assert demand.weights.tolist() == [1.0]
    assert np.allclose(demand.xy[0], shipped.to_metric_xy([LON], [LAT])[0])


def test_points_default_crs_applies_to_rows_without_one(shipped):
    as_wgs = parse_points(f"lon,lat\n{LON},{LAT}\n", shipped)
    as_gcj = parse_points(f"lon,lat\n{LON},{LAT}\n", shipped, default_crs=InputCRS.gcj02)
    explicit = parse_points(f"lon,lat,crs\n{LON},{LAT},gcj02\n", shipped)
    assert np.allclose(as_gcj.xy, explicit.xy)
    assert 400 < np.hypot(*(as_gcj.xy[0] - as_wgs.xy[0])) < 700


def test_points_weigh_coverage(shipped, carriers):
    """Point demand in coverage: each point counts for the units it lies in, if reached."""
    demand = parse_points("lon,lat,weight\n" + "".join(
        f"{lon},{lat},{w}\n" for lon, lat, w in [(LON, LAT, 1), (118.45, 24.60, 2),
                                                 (118.62, 24.85, 4), (118.50, 24.75, 8)]),
        shipped)
    result = coverage.analyse(shipped, carriers, 3_000.0, demand)
    inside = shapely.contains_xy(shipped.city, demand.xy[:, 0], demand.xy[:, 1])
    near = shapely.distance(shapely.points(demand.xy),
                            shapely.union_all(carriers.geometries)) <= 3_000.0
    city = result.row("city")
    assert city.demand == demand.weights[inside].sum()
    assert city.demand_covered == demand.weights[inside & near].sum()


# ------------------------------------------------------------------ parse_points: bad input
@pytest.mark.parametrize("text, needles", [
    (f"x,lat\n{LON},{LAT}\n", ["header", "lon"]),
    (f"lon,lat\n{LON},{LAT}\nabc,{LAT}\n", ["row 3", "number"]),
    (f"lon,lat,weight\n{LON},{LAT},1\n{LON},{LAT},heavy\n", ["row 3", "number"]),
    (f"lon,lat,weight\n{LON},{LAT},-1\n", ["row 2", "negative"]),
    (f"lon,lat\n{LON},inf\n", ["row 2", "finite"]),
    (f"lon,lat,crs\n{LON},{LAT},wgs84\n{LON},{LAT},utm50\n", ["row 3", "crs", "utm50"]),
    (f"lon,lat\n{LON},{LAT}\n{LAT},{LON}\n", ["row 3", "swapped"]),
    ("lon,lat\n116.40,39.90\n", ["row 2", "not near"]),  # Beijing
    (f"lon,lat\n{LON}\n", ["row 2"]),  # a short row
    ("lon,lat\n", ["no rows"]),
    ("", ["lon"]),
    ("\ufeff", ["lon"]),
])
def test_points_bad_input_names_the_row_and_the_problem(shipped, text, needles):
    with pytest.raises(AnalysisInputError) as caught:
        parse_points(text, shipped)
    for needle in needles:
        assert needle in str(caught.value), (needle, str(caught.value))


def test_points_far_away_is_not_called_swapped(shipped):
    with pytest.raises(AnalysisInputError) as caught:
        parse_points("lon,lat\n116.40,39.90\n", shipped)
    assert "swapped" not in str(caught.value)


def test_points_row_number_is_the_line_of_the_file(shipped):
    """A blank line is still a line: the bad value sits on line 4 of the file."""
    with pytest.raises(AnalysisInputError, match="row 4"):
        parse_points(f"lon,lat\n{LON},{LAT}\n\nabc,{LAT}\n", shipped)


# ------------------------------------------------------------------ population
@pytest.fixture(scope="module")
def populations(shipped) -> dict[str, float]:
    """Made-up residents per town (test data only): 20 000, 23 000, 26 000, …"""
    return {t: 20_000.0 + 3_000.0 * i for i, t in enumerate(shipped.frames[Layer.towns].index)}


def write_population(folder: Path, rows: dict[str, str | float], bom: bool = False) -> Path:
    path = folder / "population.csv"
    text = "town,population,source\n" + "".join(f"{t},{p},test fixture\n" for t, p in rows.items())
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def test_population_reads_every_town(shipped, populations, tmp_path):
    assert len(populations) == 19
    demand = read_population(write_population(tmp_path, populations, bom=True), shipped)
    assert demand.kind == "population"
    assert demand.population == populations
    assert demand.source == "test fixture"


def test_population_weighs_coverage(shipped, carriers, populations, tmp_path):
    demand = read_population(write_population(tmp_path, populations), shipped)
    result = coverage.analyse(shipped, carriers, 3_000.0, demand)
    city = result.row("city")
    assert city.demand == pytest.approx(sum(populations.values()), rel=0.005)
    assert city.demand_covered == pytest.approx(sum(
        result.row(t).demand_covered for t in populations), rel=1e-9)
    towns = shipped.metric[Layer.towns]
    covered_somewhere = 0
    for t, people in populations.items():
        row = result.row(t)
        share = row.covered_km2 / row.unit.area_km2
        assert row.demand == pytest.approx(people, rel=0.005), t
        assert row.demand_covered == pytest.approx(people * share, rel=0.005, abs=1e-6), t
        # exactly: people per square metre of the whole town × covered square metres
        assert row.demand_covered == pytest.approx(
            people * row.covered_km2 * 1e6 / towns.geometry[t].area, rel=1e-6, abs=1e-6), t
        covered_somewhere += 0 < share < 1
    assert covered_somewhere >= 3  # the comparison is not all-or-nothing
    # a zone spans towns: its people are each town's density × the zone's part of that town
    for zone_id in shipped.metric[Layer.zones].index:
        zone = result.row(zone_id).unit.geometry
        expected = sum(populations[t] * shapely.intersection(zone, towns.geometry[t]).area
                       / towns.geometry[t].area for t in populations)
        assert result.row(zone_id).demand == pytest.approx(expected, rel=1e-6)


def test_population_missing_town_is_refused(shipped, populations, tmp_path):
    missing = next(iter(populations))
    rows = {t: p for t, p in populations.items() if t != missing}
    with pytest.raises(AnalysisInputError, match=missing):
        read_population(write_population(tmp_path, rows), shipped)


def test_population_unknown_town_names_the_row(shipped, populations, tmp_path):
    rows = {**populations, "atlantis": 5}
    with pytest.raises(AnalysisInputError, match=r"row 21.*atlantis"):
        read_population(write_population(tmp_path, rows), shipped)


def test_population_not_a_number_names_the_row(shipped, populations, tmp_path):
    rows = dict(populations)
    rows[list(rows)[4]] = "many"
    with pytest.raises(AnalysisInputError, match=r"row 6.*many"):
        read_population(write_population(tmp_path, rows), shipped)


@pytest.mark.parametrize("bad", ["-5000", "nan", "inf"])
def test_population_must_be_a_finite_non_negative_number(shipped, populations, tmp_path, bad):
    rows = dict(populations)
    rows[list(rows)[0]] = bad
    with pytest.raises(AnalysisInputError, match="row 2"):
        read_population(write_population(tmp_path, rows), shipped)
