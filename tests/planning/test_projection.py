"""The projection's rules: one count per type, intervals, regression to the mean, costs."""

from __future__ import annotations

import dataclasses
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from hotspots.evaluation.rtm import NO_REFERENCE
from hotspots.evaluation.rtm import fit_reference
from hotspots.planning.crime_costs import load_unit_costs
from hotspots.planning.impact import projected_impact
from hotspots.planning.interventions import Intervention
from hotspots.planning.uncertainty import simulate_prevented

X, Y = 438_000.0, 361_000.0


def _camera(x: float = X, **kw) -> Intervention:
    return Intervention(type="cctv", geometry=shapely.Point(x, Y), start="2025-01", **kw)


@pytest.fixture
def hundred(make_crimes) -> gpd.GeoDataFrame:
    """100 vehicle crimes at (X, Y) in 2024."""
    return make_crimes([("Vehicle crime", f"2024-{1 + i % 12:02d}", X, Y) for i in range(100)])


def test_same_type_overlaps_project_what_one_does(hundred, make_crimes) -> None:
    one = projected_impact(hundred, [_camera()], rtm=False).plan.iloc[0]
    three = projected_impact(hundred, [_camera(), _camera(), _camera()], rtm=False).plan.iloc[0]
    five = projected_impact(hundred, [_camera(X + d) for d in (0, 10, 20, 30, 40)],
                            rtm=False).plan.iloc[0]
    for figure in ("prevented", "prevented_lo80", "prevented_hi95", "prevented_range_high"):
        assert three[figure] == pytest.approx(one[figure]) == pytest.approx(five[figure])
    assert one["prevented"] == pytest.approx(13.0)  # 13%, not 34% or 50%
    assert three["prevented_if_added"] == pytest.approx(39.0)
    # two overlapping lighting segments over the same crimes: 21%, not 37.6%
    line = [Intervention(type="street_lighting", start="2025-01",
                         geometry=shapely.LineString([(X - 100 + d, Y), (X + 100 + d, Y)]))
            for d in (0, 50)]
    lit = projected_impact(hundred, line, rtm=False).plan.iloc[0]
    assert lit["prevented"] == pytest.approx(21.0)
    # different types still combine: 1 - 0.87 x 0.79
    both = projected_impact(hundred, [_camera(), line[0]], rtm=False).plan.iloc[0]
    assert both["prevented"] == pytest.approx(100 * (1 - 0.87 * 0.79))
    types = projected_impact(hundred, [_camera(), _camera(), line[0]], rtm=False).types
    assert types.set_index("type").loc["cctv", "n_interventions"] == 2
    assert types.set_index("type").loc["cctv", "baseline"] == 100


def test_interval_matches_the_negative_binomial_oracle() -> None:
    """Fixed effect r, no reference: prevented ~ Poisson(lambda r), lambda ~ Gamma(n + 0.5),
    i.e. negative binomial(n + 0.5, 1 / (1 + r)); scipy gives its quantiles."""
    n, r = 200, 0.2
    sim = simulate_prevented(np.ones((n, 1), bool), [(r, r, r)], eb=NO_REFERENCE,
                             runs=40_000, seed=1)
    oracle = stats.nbinom(n + 0.5, 1 / (1 + r))
    for bound, q in (("lo95", 0.025), ("lo80", 0.10), ("hi80", 0.90), ("hi95", 0.975)):
        assert sim.get("prevented", bound) == pytest.approx(oracle.ppf(q), abs=1.0)


def test_wider_effect_ranges_and_overdispersion_widen_the_interval() -> None:
    affected = np.ones((300, 1), bool)
    narrow = simulate_prevented(affected, [(0.13, 0.13, 0.13)], eb=NO_REFERENCE)
    wide = simulate_prevented(affected, [(0.05, 0.13, 0.25)], eb=NO_REFERENCE)
    lumpy = simulate_prevented(affected, [(0.13, 0.13, 0.13)], eb=NO_REFERENCE,
                               dispersion=3.0)
    width = {k: s.get("prevented", "hi95") - s.get("prevented", "lo95")
             for k, s in (("narrow", narrow), ("wide", wide), ("lumpy", lumpy))}
    assert width["wide"] > 2 * width["narrow"]
    # Var(prevented) = r^2 Var(N) + E[N] r (1 - r): 0.0169 x 1200 + 33.9 against
    # 0.0169 x 600 + 33.9, a width ratio of sqrt(54.2 / 44.0) = 1.11
    assert width["lumpy"] / width["narrow"] == pytest.approx(1.11, abs=0.06)


def test_baseline_is_corrected_for_regression_to_the_mean(make_crimes) -> None:
    """A plan on the busiest 100 m cell of a 2 km square: the corrected baseline is the
    empirical Bayes estimate against the other cells, computed here independently."""
    rng = np.random.default_rng(8)
    side, cell = 20, 100.0
    rates = rng.gamma(2.0, 4.0, side * side)
    rows = []
    for i, rate in enumerate(rates):
        cx, cy = X + (i % side) * cell + 50, Y + (i // side) * cell + 50
        for _ in range(rng.poisson(rate)):
            month = f"2024-{rng.integers(1, 13):02d}"
            rows.append(("Burglary", month, cx + rng.uniform(-40, 40), cy + rng.uniform(-40, 40)))
    crimes = make_crimes(rows)
    counts = np.bincount(
        ((crimes.geometry.x - X) // cell + side * ((crimes.geometry.y - Y) // cell)).astype(int),
        minlength=side * side)
    busiest = int(np.argmax(counts))
    x0, y0 = X + (busiest % side) * cell, Y + (busiest // side) * cell
    gates = Intervention(type="target_hardening", start="2025-01", cost=30_000.0,
                         geometry=shapely.box(x0, y0, x0 + cell, y0 + cell))
    area = shapely.box(X, Y, X + side * cell, Y + side * cell)
    res = projected_impact(crimes, [gates], study_area=area)
    p = res.plan.iloc[0]
    eb = fit_reference(np.append(np.delete(counts, busiest), counts[busiest]))
    assert p["baseline"] == counts[busiest]
    assert p["baseline_expected"] == pytest.approx(eb.estimate(counts[busiest]), rel=1e-9)
    assert p["baseline_expected"] < p["baseline"]
    assert p["prevented"] == pytest.approx(p["baseline_expected"] * 0.20, rel=1e-9)
    assert any("regression to the mean" in n for n in res.notes)
    assert res.rtm.places["n_places"] == side * side - 1


def test_costs_avoided_and_benefit_cost_ratio_by_hand(make_crimes) -> None:
    rows = ([("Robbery", "2024-05", X, Y)] * 10 + [("Vehicle crime", "2024-05", X, Y)] * 30
            + [("Burglary", "2024-05", X, Y)] * 60)
    crimes = make_crimes(rows)
    lamps = Intervention(type="street_lighting", start="2025-01", cost=50_000.0,
                         geometry=shapely.LineString([(X - 100, Y), (X + 100, Y)]))
    res = projected_impact(crimes, [lamps], rtm=False)
    p = res.plan.iloc[0]
    costs = load_unit_costs()
    avoided = 0.21 * (10 * costs.cost("Robbery") + 30 * costs.cost("Vehicle crime"))
    assert costs.cost("Robbery") == 11_320 and costs.cost("Vehicle crime") == 870
    assert p["costs_avoided"] == pytest.approx(avoided)
    assert p["bcr"] == pytest.approx(avoided / 50_000)
    assert p["costed_share"] == pytest.approx(0.4)  # burglary has no confirmed unit cost
    assert p["cost_per_crime_prevented"] == pytest.approx(50_000 / 21)
    assert p["bcr_lo95"] < p["bcr"] < p["bcr_hi95"]
    assert any("lower bound" in s for s in res.summary())
    uprated = projected_impact(crimes, [lamps], rtm=False,
                               unit_costs=load_unit_costs(uprating=1.3, price_label="later"))
    assert uprated.plan.iloc[0]["costs_avoided"] == pytest.approx(1.3 * avoided)
    mine = projected_impact(crimes, [lamps], rtm=False, unit_costs={"Burglary": 1000.0})
    assert mine.plan.iloc[0]["costs_avoided"] == pytest.approx(0.21 * 60 * 1000)
    none = projected_impact(crimes, [dataclasses.replace(lamps, cost=None)], rtm=False)
    assert math.isnan(none.plan.iloc[0]["bcr"])


def test_group_is_the_one_rule_and_it_is_stated(make_crimes) -> None:
    rows = ([("Burglary", "2024-05", X, Y)] * 20 + [("Violence and sexual offences", "2024-05",
                                                    X, Y)] * 30)
    crimes = make_crimes(rows)
    lamps = Intervention(type="street_lighting", start="2025-01", cost=50_000.0,
                         geometry=shapely.LineString([(X - 100, Y), (X + 100, Y)]))
    everything = projected_impact(crimes, [lamps], rtm=False)
    group = projected_impact(crimes, [lamps], rtm=False, group="neighbourhood")
    assert everything.plan.iloc[0]["baseline"] == 50 and group.plan.iloc[0]["baseline"] == 20
    assert group.counted.startswith("Crimes counted: Neighbourhood crime (Burglary, "
                                    "Robbery, Theft from the person, Vehicle crime)")
    assert group.notes[0] == group.counted and group.params["counted"] == group.counted
    # coverage outside the selected areas is counted, and said
    away = shapely.box(X + 5000, Y, X + 6000, Y + 1000)
    res = projected_impact(crimes, [lamps], rtm=False, group="neighbourhood", study_area=away)
    assert res.plan.iloc[0]["baseline"] == 20
    assert "also outside the selected areas" in res.counted
    assert any("100% of the plan's coverage lies outside" in n for n in res.notes)
    keys = [f["key"] for f in res.figures()]
    assert keys[:3] == ["baseline", "baseline_expected", "prevented"]
    assert "bcr" in keys and "costs_avoided" in keys
    row = res.to_dict()["plan"]
    assert row["prevented"] == pytest.approx(0.21 * 20)
    assert pd.api.types.is_number(row["prevented_hi95"])
