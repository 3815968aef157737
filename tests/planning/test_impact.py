"""Projected impact: hand-computed overlaps, costs, harm, hotspot share, windows, demo data."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspots
from hotspots import CRSError
from hotspots import ParameterError
from hotspots.planning.catalogue import load_catalogue
from hotspots.planning.impact import combine_effects
from hotspots.planning.impact import projected_counts
from hotspots.planning.impact import projected_impact
from hotspots.planning.interventions import Intervention

ROOT = Path(__file__).resolve().parents[2]
X, Y = 438_000.0, 361_000.0


@pytest.fixture
def catalogue() -> dict:
    """The bundled catalogue with round effects for CCTV and lighting, for hand sums."""
    cat = load_catalogue()
    cat["cctv"] = dataclasses.replace(cat["cctv"], effect_low=0.1, effect=0.2, effect_high=0.3)
    cat["street_lighting"] = dataclasses.replace(
        cat["street_lighting"], effect_low=0.25, effect=0.5, effect_high=0.6)
    return cat


@pytest.fixture
def plan() -> list[Intervention]:
    """A camera (100 m circle round (X, Y)) and a lit area (box from X-50 to X+150)."""
    return [
        Intervention(type="cctv", geometry=shapely.Point(X, Y), start="2025-01", cost=3_000.0,
                     name="Camera"),
        Intervention(type="street_lighting", geometry=shapely.box(X - 50, Y - 50, X + 150, Y + 50),
                     start="2025-01", cost=9_000.0, name="Lighting"),
    ]


@pytest.fixture
def crimes(make_crimes) -> gpd.GeoDataFrame:
    """Planted crimes: which intervention covers each group, and which acts on its type.

    at (X, Y), both cover:     4 burglary (both act), 3 violence (lighting acts),
                               6 drugs (CCTV acts)
    at (X-80, Y), CCTV only:   5 burglary
    at (X+120, Y), lights only: 2 vehicle crime (acts), 1 shoplifting (does not act)
    far away:                  7 burglary
    outside the 2024 window:   3 burglary in 2023-06 and 2 in 2025-03, at (X, Y)
    """
    groups = [
        ("Burglary", "2024-06", X, Y, 4), ("Violence and sexual offences", "2024-03", X, Y, 3),
        ("Drugs", "2024-11", X, Y, 6), ("Burglary", "2024-01", X - 80, Y, 5),
        ("Vehicle crime", "2024-12", X + 120, Y, 2), ("Shoplifting", "2024-05", X + 120, Y, 1),
        ("Burglary", "2024-06", X + 1000, Y + 1000, 7), ("Burglary", "2023-06", X, Y, 3),
        ("Burglary", "2025-03", X, Y, 2),
    ]
    rows = [(c, m, x, y) for c, m, x, y, n in groups for _ in range(n)]
    return make_crimes(rows)


def test_combine_effects_is_one_minus_the_product() -> None:
    assert combine_effects([0.2, 0.5]) == pytest.approx(0.6)
    assert combine_effects([0.13, 0.21]) == pytest.approx(1 - 0.87 * 0.79)
    assert combine_effects([0.3]) == pytest.approx(0.3)
    assert combine_effects([0.0, 0.0]) == 0.0
    # one reduction per crime: rows are crimes, columns the measures (0 where one does not act)
    per_crime = combine_effects(np.array([[0.2, 0.5], [0.0, 0.5], [0.0, 0.0]]))
    np.testing.assert_allclose(per_crime, [0.6, 0.5, 0.0], rtol=1e-12)


def test_overlaps_are_counted_once_and_combined(crimes, plan, catalogue) -> None:
    res = projected_impact(crimes, plan, catalogue, rtm=False)
    assert res.window == ("2024-01", "2024-12") and res.months == 12

    rows = res.interventions.set_index("name")
    assert rows.loc["Camera", "crimes_in_coverage"] == 4 + 3 + 6 + 5
    assert rows.loc["Camera", "baseline"] == 4 + 6 + 5
    assert rows.loc["Lighting", "crimes_in_coverage"] == 4 + 3 + 6 + 2 + 1
    assert rows.loc["Lighting", "baseline"] == 4 + 3 + 2
    np.testing.assert_allclose(
        rows.loc["Camera", ["prevented_low", "prevented", "prevented_high"]].to_numpy(float),
        [1.5, 3.0, 4.5], rtol=1e-12)
    np.testing.assert_allclose(
        rows.loc["Lighting", ["prevented_low", "prevented", "prevented_high"]].to_numpy(float),
        [2.25, 4.5, 5.4], rtol=1e-12)

    p = res.plan.iloc[0]
    assert p["crimes_in_coverage"] == 21 and p["baseline"] == 20
    central = 4 * (1 - 0.8 * 0.5) + 3 * 0.5 + 6 * 0.2 + 5 * 0.2 + 2 * 0.5  # 7.1
    low = 4 * (1 - 0.9 * 0.75) + 3 * 0.25 + 6 * 0.1 + 5 * 0.1 + 2 * 0.25  # 3.65
    high = 4 * (1 - 0.7 * 0.4) + 3 * 0.6 + 6 * 0.3 + 5 * 0.3 + 2 * 0.6  # 9.18
    assert p["prevented"] == pytest.approx(central, rel=1e-12)
    assert p["prevented_range_low"] == pytest.approx(low, rel=1e-12)
    assert p["prevented_range_high"] == pytest.approx(high, rel=1e-12)
    assert central == pytest.approx(7.1)
    # adding the two interventions' own figures would count the 4 shared burglaries twice
    assert p["prevented_if_added"] == pytest.approx(7.5)
    assert p["overlap_adjustment"] == pytest.approx(4 * 0.2 * 0.5)
    assert p["reduction_pct"] == pytest.approx(100 * 7.1 / 20)
    assert any("counting each crime once per type gives 7.1" in n for n in res.notes)
    assert any("1 - (1 - e1)(1 - e2)" in n for n in res.notes)
    assert p["baseline_expected"] == p["baseline"] and p["rtm_factor"] == 1.0

    # the "projected after" crime table: every crime of the window, each counted once
    after = res.crimes
    assert len(after) == 28 and int(after["targeted"].sum()) == 20
    assert after["expected_after"].sum() == pytest.approx(28 - 7.1)
    shared = after[(after.geometry.x == X) & (after["category"] == "Burglary")]
    assert shared["n_types"].tolist() == [2] * 4
    assert shared["reduction"].tolist() == pytest.approx([0.6] * 4)


def test_cost_per_crime_prevented(crimes, plan, catalogue) -> None:
    res = projected_impact(crimes, plan, catalogue, rtm=False)
    rows = res.interventions.set_index("name")
    assert rows.loc["Camera", "cost_per_crime_prevented"] == pytest.approx(3_000 / 3.0)
    assert rows.loc["Lighting", "cost_per_crime_prevented"] == pytest.approx(9_000 / 4.5)
    p = res.plan.iloc[0]
    assert p["total_cost"] == 12_000 and bool(p["cost_complete"])
    assert p["cost_per_crime_prevented"] == pytest.approx(12_000 / 7.1)
    assert "about GBP 1,690 per crime prevented" in " ".join(res.summary())

    unknown = [plan[0], dataclasses.replace(plan[1], cost=None)]
    res = projected_impact(crimes, unknown, catalogue, rtm=False)
    p = res.plan.iloc[0]
    assert p["total_cost"] == 3_000 and not bool(p["cost_complete"])
    assert math.isnan(p["cost_per_crime_prevented"])
    assert math.isnan(res.interventions.set_index("name").loc["Lighting",
                                                               "cost_per_crime_prevented"])
    assert any("'Lighting': no cost given" in n for n in res.notes)
    assert any("some costs are missing" in n for n in res.notes)


def test_anpr_never_promises_a_reduction(crimes, make_crimes) -> None:
    vehicles = make_crimes([("Vehicle crime", "2024-05", X, Y)] * 10)
    anpr = Intervention(type="anpr", geometry=shapely.Point(X, Y), start="2025-01",
                        cost=15_000.0, name="ANPR")
    camera = Intervention(type="cctv", geometry=shapely.Point(X, Y), start="2025-01",
                          cost=20_000.0, name="Camera")
    alone = projected_impact(vehicles, [anpr])
    p = alone.plan.iloc[0]
    assert p["baseline"] == 10
    assert (p["prevented_range_low"], p["prevented"], p["prevented_range_high"]) == (0, 0, 0)
    assert (p["prevented_lo95"], p["prevented_hi95"]) == (0, 0)
    assert math.isnan(alone.interventions["cost_per_crime_prevented"].iloc[0])
    assert any("'ANPR' (ANPR camera): no reduction is projected" in n for n in alone.notes)
    assert any("cost per crime prevented is not defined" in n for n in alone.notes)
    both = projected_impact(vehicles, [anpr, camera], rtm=False).plan.iloc[0]
    only_camera = projected_impact(vehicles, [camera], rtm=False).plan.iloc[0]
    for column in ("prevented_range_low", "prevented", "prevented_range_high",
                   "prevented_lo95", "prevented_hi95"):
        assert both[column] == pytest.approx(only_camera[column])
    assert both["prevented"] == pytest.approx(10 * 0.13)


def test_harm_weights_and_hotspot_share(crimes, plan, catalogue) -> None:
    harm = {"Burglary": 2.0, "Violence and sexual offences": 5.0}
    weighted = hotspots.apply_harm(crimes, harm, default=1.0)
    spots = gpd.GeoDataFrame(
        {"hotspot": [True, True, False]},
        geometry=[shapely.box(X - 10, Y - 10, X + 10, Y + 10),
                  shapely.box(X + 990, Y + 990, X + 1010, Y + 1010),
                  shapely.box(X + 110, Y - 10, X + 130, Y + 10)],  # not a hotspot: ignored
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")  # any CRS
    res = projected_impact(weighted, plan, catalogue, weight="weight", hotspots=spots,
                           rtm=False)
    p = res.plan.iloc[0]
    assert p["harm_baseline"] == pytest.approx(4 * 2 + 3 * 5 + 6 + 5 * 2 + 2)
    assert p["harm_prevented"] == pytest.approx(4 * 2 * 0.6 + 3 * 5 * 0.5 + 6 * 0.2
                                                + 5 * 2 * 0.2 + 2 * 0.5)
    assert res.params["harm_weights"]["Burglary"] == 2.0
    assert any(n.startswith("Harm weights used: Burglary 2, Violence and sexual offences 5")
               for n in res.notes)
    # in the hotspots, of the types the plan acts on: 4 + 3 + 6 at (X, Y), 7 far away
    assert (p["hotspot_crimes"], p["hotspot_crimes_covered"]) == (20, 13)
    assert p["hotspot_share_covered"] == pytest.approx(13 / 20)
    rows = res.interventions.set_index("name")
    assert rows.loc["Camera", "hotspot_share_covered"] == pytest.approx(10 / 17)
    assert rows.loc["Lighting", "hotspot_share_covered"] == pytest.approx(7 / 14)
    assert "covers 65% of the targeted crime in the hotspots" in " ".join(res.summary())

    # a HotspotResult works too (its hotspot cells)
    result = hotspots.count_hotspots(crimes, cell_size=20, top_share=0.01)
    share = projected_impact(crimes, plan, catalogue, hotspots=result).plan.iloc[0]
    assert 0 <= share["hotspot_share_covered"] <= 1


def test_baseline_window_rules(make_crimes, plan, catalogue) -> None:
    monthly = make_crimes([("Burglary", f"{y}-{m:02d}", X, Y)
                           for y in (2023, 2024) for m in range(1, 13)])
    res = projected_impact(monthly, plan, catalogue, as_of="2024-07", months=6, rtm=False)
    assert res.window == ("2024-01", "2024-06") and res.plan["baseline"].iloc[0] == 6

    later = [plan[0], dataclasses.replace(plan[1], start="2025-06")]
    assert projected_impact(monthly, later, catalogue).window == ("2024-01", "2024-12")

    future = [dataclasses.replace(iv, start="2026-06") for iv in plan]
    res = projected_impact(monthly, future, catalogue)
    assert res.window == ("2024-01", "2024-12")
    assert any("data end in 2024-12" in n for n in res.notes)

    res = projected_impact(monthly, plan, catalogue, months=36, rtm=False)
    assert res.window == ("2022-01", "2024-12") and res.plan["baseline"].iloc[0] == 24
    assert any("only 24 of the 36 baseline months" in n for n in res.notes)


def test_bad_inputs_are_refused(crimes, plan, catalogue) -> None:
    with pytest.raises(ParameterError, match="'interventions' parameter is empty"):
        projected_impact(crimes, [], catalogue)
    with pytest.raises(ParameterError, match="'harm'.*columns"):
        projected_impact(crimes, plan, catalogue, weight="harm")
    negative = crimes.assign(weight=-1.0)
    with pytest.raises(ParameterError, match="'weight'"):
        projected_impact(negative, plan, catalogue, weight="weight")
    with pytest.raises(ParameterError, match="'months'"):
        projected_impact(crimes, plan, catalogue, months=0)
    with pytest.raises(ParameterError, match="'as_of'"):
        projected_impact(crimes, plan, catalogue, as_of="July")
    with pytest.raises(ParameterError, match="'type' 'drone'"):
        projected_impact(crimes, [dataclasses.replace(plan[0], type="drone")], catalogue)
    with pytest.raises(CRSError, match="geographic"):
        projected_impact(crimes.to_crs("EPSG:4326"), plan, catalogue)
    with pytest.raises(TypeError, match="'hotspots'"):
        projected_impact(crimes, plan, catalogue, hotspots=[1, 2])


def test_a_plan_over_no_crimes_projects_nothing(crimes, catalogue) -> None:
    empty_spot = Intervention(type="alley_gates", start="2025-01", cost=4_000.0, name="Gates",
                              geometry=shapely.LineString([(X + 5000, Y), (X + 5100, Y)]))
    res = projected_impact(crimes, [empty_spot], catalogue)
    p = res.plan.iloc[0]
    assert (p["baseline"], p["prevented"]) == (0, 0)
    assert math.isnan(p["reduction_pct"]) and math.isnan(p["cost_per_crime_prevented"])
    assert "no reduction is projected" in res.summary()[1]
    assert any("'Gates': prevents no crimes" in n for n in res.notes)
    assert any("check that the plan is drawn where the data are" in n for n in res.notes)


def test_inputs_are_not_changed(crimes, plan, catalogue) -> None:
    before = crimes.copy()
    geoms = [iv.geometry.wkt for iv in plan]
    projected_impact(crimes, plan, catalogue, weight="weight")
    pd.testing.assert_frame_equal(crimes, before)
    assert [iv.geometry.wkt for iv in plan] == geoms


def test_projected_counts_before_and_after(crimes, plan, catalogue) -> None:
    # the maps show crimes per cell (no regression-to-the-mean factor: it is a plan total)
    counts = projected_counts(crimes, plan, catalogue, cell_size=50)
    cells = counts.cells.set_index("cell_id")
    assert cells["before"].sum() == 28
    assert cells["after"].sum() == pytest.approx(28 - 7.1)
    assert cells["prevented"].sum() == pytest.approx(7.1)
    assert (cells["after_high_effect"] <= cells["after"] + 1e-12).all()
    assert (cells["after"] <= cells["after_low_effect"] + 1e-12).all()
    home = cells.loc[f"E{X:.0f}N{Y:.0f}"]  # the cell holding (X, Y)
    assert home["before"] == 13
    assert home["after"] == pytest.approx(4 * 0.4 + 3 * 0.5 + 6 * 0.8)
    far = cells.loc[f"E{X + 1000:.0f}N{Y + 1000:.0f}"]
    assert far["before"] == far["after"] == 7

    before, after = counts.results(top_share=0.2)
    assert before.cells["hotspot"].sum() >= after.cells["hotspot"].sum()
    assert before.method == after.method == "count"
    assert (after.cells["score"] == after.cells["after"]).all()

    grid = hotspots.make_grid((X - 500, Y - 500, X + 1500, Y + 1500), cell_size=100)
    aligned = projected_counts(crimes, plan, catalogue, grid=grid)
    assert aligned.grid == grid and aligned.cells["before"].sum() == 28


# ----------------------------------------------------------------------------- demo data


@pytest.fixture(scope="module")
def demo() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    crimes, _ = hotspots.load_crimes(ROOT / "data" / "sample_crimes")
    scheme = gpd.read_file(ROOT / "data" / "boundaries" / "demo_scheme.gpkg")
    truth = json.loads((ROOT / "data" / "sample_crimes" / "planted.json").read_text())
    return crimes, scheme, truth["scheme"]


def test_demo_scheme_projection_follows_the_formula(demo) -> None:
    crimes, scheme, truth = demo
    target = scheme.loc[scheme["role"] == "target"].geometry.iloc[0]
    catalogue = load_catalogue()
    plan = [
        Intervention(type="cctv", geometry=target, start=truth["start_month"], cost=80_000.0,
                     name="CCTV"),
        Intervention(type="street_lighting", geometry=target, start=truth["start_month"],
                     cost=150_000.0, name="Lighting"),
    ]
    res = projected_impact(crimes, plan, catalogue, hotspots=target, rtm=False)
    assert res.window == ("2024-01", "2024-12")

    # independent count: crimes of 2024 inside the target circle, by type
    year = crimes[(crimes["month"] >= "2024-01-01") & (crimes["month"] <= "2024-12-01")]
    inside = year[year.geometry.within(target) | year.geometry.touches(target)]
    by_type = inside["category"].value_counts()
    scheme_types = by_type.reindex(truth["categories"]).fillna(0).sum()
    assert scheme_types == truth["observed"]["before"]["target"]  # 443 in planted.json

    expected = {"range_low": 0.0, "central": 0.0, "range_high": 0.0}
    baseline = 0
    for category, n in by_type.items():
        acting = [catalogue[iv.type] for iv in plan if category in catalogue[iv.type].categories]
        if not acting:
            continue
        baseline += n
        for level, attr in (("range_low", "effect_low"), ("central", "effect"),
                            ("range_high", "effect_high")):
            expected[level] += n * combine_effects([getattr(t, attr) for t in acting])
    p = res.plan.iloc[0]
    assert p["baseline"] == baseline
    assert p["prevented"] == pytest.approx(expected["central"], rel=1e-9)
    assert p["prevented_range_low"] == pytest.approx(expected["range_low"], rel=1e-9)
    assert p["prevented_range_high"] == pytest.approx(expected["range_high"], rel=1e-9)
    # every targeted crime is reduced by at least the smaller and at most the combined effect
    lowest = min(catalogue["cctv"].effect, catalogue["street_lighting"].effect)
    combined = combine_effects([catalogue["cctv"].effect, catalogue["street_lighting"].effect])
    assert 100 * lowest <= p["reduction_pct"] <= 100 * combined
    assert p["prevented_range_low"] < p["prevented"] < p["prevented_range_high"] < p["baseline"]
    assert p["prevented_lo95"] < p["prevented_lo80"] < p["prevented"] < p["prevented_hi80"] < (
        p["prevented_hi95"])
    assert p["hotspot_share_covered"] == pytest.approx(1.0)
    # the generator's scheme prevented this many in 2025 (40% of its six types): the
    # projected range, from the catalogue's evidence, brackets it
    planted = sum(truth["observed"]["prevented_by_month"][12:])
    assert p["prevented_range_low"] <= planted <= p["prevented_range_high"]


@pytest.mark.realdata
def test_real_police_uk_month(shared_data) -> None:
    crimes, _ = hotspots.load_crimes(
        shared_data / "west-yorkshire" / "2016-07-west-yorkshire-street.csv.gz")
    cctv = load_catalogue()["cctv"]
    busiest = crimes.geometry.apply(lambda g: (round(g.x), round(g.y))).value_counts().index[0]
    centre = shapely.Point(busiest)
    camera = Intervention(type="cctv", geometry=centre, start="2016-08", cost=20_000.0)
    res = projected_impact(crimes, [camera], rtm=False)  # one month of data, 12-month window
    assert res.window == ("2015-08", "2016-07")
    assert any("only 1 of the 12 baseline months" in n for n in res.notes)
    d = crimes.distance(centre)
    acts = crimes["category"].isin(cctv.categories)
    baseline = res.plan["baseline"].iloc[0]
    assert int((acts & (d <= 99.9)).sum()) <= baseline <= int((acts & (d <= 100.1)).sum())
    assert baseline > 0
    assert res.plan["prevented"].iloc[0] == pytest.approx(baseline * cctv.effect)
