"""Tests for hotspots.trends: Mann–Kendall, the Esri pattern rules, the space-time Gi*, steps.

Planted answers: bin series built by hand for every pattern (hot and cold), points planted
on a grid so that known cells are new, consecutive, intensifying, persistent, diminishing
and historical, and the demo data's planted emerging hot spot (vehicle crime at Kestle
Retail Park from month 13).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from hotspots.errors import ColumnMappingError, EmptySelectionError, ParameterError
from hotspots.methods.emerging import (
    BIN_ALPHA,
    PATTERN_RULES,
    PATTERNS,
    EmergingResult,
    cell_series,
    classify_patterns,
    emerging_hotspots,
    emerging_series,
    gistar_cube,
    mann_kendall,
    time_steps,
)
from hotspots.methods.gistar import QUEEN_DISTANCE_FACTOR, gistar_grid, gistar_hotspots
from hotspots.methods.stats import benjamini_hochberg, two_sided_p

CODE = {name: code for code, name in PATTERNS.items()}
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- Mann–Kendall


def test_mann_kendall_hand_computed():
    # 1..5 rising: S = 10, Var = 5*4*15/18, Z = (10 - 1)/sqrt(Var).
    mk = mann_kendall([1.0, 2.0, 3.0, 4.0, 5.0])
    var = 5 * 4 * 15 / 18
    assert float(mk.s) == 10
    np.testing.assert_allclose(float(mk.var_s), var, rtol=1e-12)
    np.testing.assert_allclose(float(mk.z), 9 / math.sqrt(var), rtol=1e-12)
    np.testing.assert_allclose(float(mk.p), 2 * stats.norm.sf(9 / math.sqrt(var)), rtol=1e-12)
    assert int(mk.trend) == 1
    assert float(mk.tau) == 1.0


def test_mann_kendall_ties_hand_computed():
    # [2, 1, 1, 3]: pairs (i<j): 2>1,2>1,2<3, 1=1,1<3, 1<3 -> S = -1 -1 +1 +0 +1 +1 = 1.
    # One tie group of size 2: Var = [4*3*13 - 2*1*9]/18 = (156 - 18)/18.
    mk = mann_kendall([2.0, 1.0, 1.0, 3.0])
    assert float(mk.s) == 1
    np.testing.assert_allclose(float(mk.var_s), (156 - 18) / 18, rtol=1e-12)
    assert float(mk.z) == 0.0  # continuity correction: (1 - 1)/sd
    assert float(mk.p) == 1.0
    assert int(mk.trend) == 0


def test_mann_kendall_matches_scipy_kendalltau():
    rng = np.random.default_rng(42)
    series = np.round(rng.normal(0, 1, (200, 24)).cumsum(axis=1), 1)  # rounding makes ties
    series[:5] = 3.0  # constant rows: S = 0, Var = 0
    mk = mann_kendall(series)
    steps = np.arange(24)
    n0 = 24 * 23 / 2
    for i in range(5, 200):
        row = series[i]
        res = stats.kendalltau(steps, row, method="asymptotic")
        _, counts = np.unique(row, return_counts=True)
        ties = float((counts * (counts - 1) / 2).sum())
        # S = tau_b * sqrt(n0 (n0 - ties in y)), no ties in time.
        np.testing.assert_allclose(mk.s[i], res.statistic * math.sqrt(n0 * (n0 - ties)),
                                   atol=1e-7)
        # scipy's asymptotic p uses the same tie-corrected variance, without continuity
        # correction: p = 2 P(Z > |S| / sqrt(Var S)).
        np.testing.assert_allclose(two_sided_p(mk.s[i] / math.sqrt(mk.var_s[i])), res.pvalue,
                                   rtol=1e-6, atol=1e-12)
    assert (mk.s[:5] == 0).all() and (mk.p[:5] == 1).all() and (mk.trend[:5] == 0).all()


def test_mann_kendall_decreasing_and_shapes():
    mk = mann_kendall(np.arange(12.0)[::-1])
    assert int(mk.trend) == -1 and float(mk.z) < -1.96
    many = mann_kendall(np.zeros((3, 4, 6)) + np.arange(6.0))
    assert many.s.shape == (3, 4) and (many.trend == 1).all()


@pytest.mark.parametrize("bad", [[1.0], [[1.0, np.nan, 2.0]], 5.0])
def test_mann_kendall_rejects_bad_series(bad):
    with pytest.raises(ParameterError, match="mann_kendall"):
        mann_kendall(bad)


# --------------------------------------------------------------------------- pattern rules

T10 = 10  # 90% of 10 steps = 9 steps
HOT_CASES = [
    # (bins, trend, expected pattern)
    ([0] * 9 + [1], 0, "New Hot Spot"),
    ([-1, -1] + [0] * 7 + [1], 0, "New Hot Spot"),  # cold history: new wins (precedence)
    ([0] * 6 + [1] * 4, 1, "Consecutive Hot Spot"),
    ([0] * 8 + [1] * 2, 0, "Consecutive Hot Spot"),
    ([0, 0] + [1] * 8, 1, "Consecutive Hot Spot"),  # 80% < 90%: still consecutive
    ([0] + [1] * 9, 1, "Intensifying Hot Spot"),  # exactly 90%
    ([1] * 10, 1, "Intensifying Hot Spot"),
    ([1] * 10, 0, "Persistent Hot Spot"),
    ([1, 1, 0] + [1] * 7, 0, "Persistent Hot Spot"),
    ([1] * 10, -1, "Diminishing Hot Spot"),
    ([1, 0] + [1] * 8, -1, "Diminishing Hot Spot"),
    ([1, 0, 1, 0, 0, 0, 1, 0, 0, 1], 0, "Sporadic Hot Spot"),
    ([1] + [0] * 7 + [1, 1], 1, "Sporadic Hot Spot"),  # hot before the final run
    ([1, 1, 0, 1, 1, 0, 1, 1, 0, 1], 0, "Sporadic Hot Spot"),  # 70% hot
    ([-1, 0, 1, 0, 0, 0, 0, 0, 0, 1], 0, "Oscillating Hot Spot"),
    ([1, -1, 0, 0, 0, 0, 0, 0, 1, 1], 0, "Oscillating Hot Spot"),
    ([1] * 9 + [0], 0, "Historical Hot Spot"),
    ([1] * 9 + [0], 1, "Historical Hot Spot"),  # rising but not hot now: historical
    ([0] + [1] * 8 + [0], 0, "No Pattern Detected"),  # 80% and not hot now
    ([1] + [0] * 9, 0, "No Pattern Detected"),
    ([0] * 10, 0, "No Pattern Detected"),
    ([0] * 10, 1, "No Pattern Detected"),
]


@pytest.mark.parametrize(("bins", "trend", "expected"), HOT_CASES)
def test_hot_patterns_planted(bins, trend, expected):
    assert len(bins) == T10
    code = classify_patterns([bins], [trend])[0]
    assert PATTERNS[int(code)] == expected


@pytest.mark.parametrize(("bins", "trend", "expected"), HOT_CASES)
def test_cold_patterns_mirror_hot(bins, trend, expected):
    code = classify_patterns([[-b for b in bins]], [-trend])[0]
    assert int(code) == -CODE[expected]
    assert PATTERNS[int(code)] == expected.replace("Hot", "Cold")


def test_final_step_decides_the_family():
    # Hot in 9 of 10 steps, cold in the final one: a (new) cold spot, not historical hot.
    assert PATTERNS[int(classify_patterns([[1] * 9 + [-1]], [0])[0])] == "New Cold Spot"
    # Cold nearly always, hot now: a hot pattern (new, as never hot before).
    assert PATTERNS[int(classify_patterns([[-1] * 9 + [1]], [0])[0])] == "New Hot Spot"


def test_patterns_vectorised_and_gi_bins_accepted():
    bins = np.array([case[0] for case in HOT_CASES]) * 3  # Gi bins ±3 work like ±1
    trend = np.array([case[1] for case in HOT_CASES])
    codes = classify_patterns(bins, trend)
    assert [PATTERNS[int(c)] for c in codes] == [case[2] for case in HOT_CASES]


def test_ninety_percent_threshold_with_twenty_steps():
    # 18 of 20 = 90%: persistent; 17 of 20 = 85%: sporadic.
    assert PATTERNS[int(classify_patterns([[0, 0] + [1] * 18], [0])[0])] == "Persistent Hot Spot"
    assert PATTERNS[int(classify_patterns([[1, 0, 0, 0] + [1] * 16], [0])[0])] == (
        "Sporadic Hot Spot"
    )


def test_classify_patterns_checks_shapes():
    with pytest.raises(ParameterError, match="bins"):
        classify_patterns([1, 0, 1], [0])
    with pytest.raises(ParameterError, match="trend"):
        classify_patterns([[1, 0, 1]], [0, 1])


def test_pattern_rules_are_written_down():
    for code in range(0, 9):
        assert PATTERNS[code] in PATTERN_RULES
    assert "90%" in PATTERN_RULES["Persistent Hot Spot"]
    assert "0.10" in PATTERN_RULES["Significance"]


# --------------------------------------------------------------------------- Gi* cube


@pytest.mark.parametrize("radius", [QUEEN_DISTANCE_FACTOR, 3.0])  # direct and FFT paths
def test_gistar_cube_equals_gistar_grid_per_step(radius):
    rng = np.random.default_rng(3)
    cube = rng.poisson(2.0, (5, 30, 40)).astype(float)
    cube[2] = 0.0  # a step without crimes: z = 0, p = 1
    mask = np.ones((30, 40), bool)
    mask[:4, :10] = False  # an irregular study area
    z, p = gistar_cube(cube, mask, radius_cells=radius)
    for t in range(5):
        z_ref, p_ref = gistar_grid(cube[t], mask, radius_cells=radius)
        np.testing.assert_allclose(z[t], z_ref, rtol=1e-7, atol=1e-9, equal_nan=True)
        np.testing.assert_allclose(p[t], p_ref, rtol=1e-7, atol=1e-12, equal_nan=True)
    assert np.isnan(z[:, ~mask]).all()
    assert (z[2][mask] == 0).all() and (p[2][mask] == 1).all()


def test_gistar_cube_rejects_bad_shapes():
    with pytest.raises(ParameterError, match="3-D"):
        gistar_cube(np.zeros((4, 4)), None, radius_cells=1.5)
    with pytest.raises(ParameterError, match="mask"):
        gistar_cube(np.zeros((2, 4, 4)), np.ones((3, 3), bool), radius_cells=1.5)


# --------------------------------------------------------------------------- time steps


def _frame(months, dates=None):
    n = len(months)
    return pd.DataFrame({
        "month": pd.to_datetime(months).astype("datetime64[ns]"),
        "date": pd.to_datetime(dates if dates is not None else [None] * n).astype(
            "datetime64[ns]"),
    })


def test_months_contiguous_with_empty_months():
    steps = time_steps(_frame(["2023-01-01", "2023-03-01", "2023-12-01", "2023-03-01"]))
    assert steps.unit == "month" and len(steps) == 12
    assert steps.index.tolist() == [0, 2, 11, 2]
    assert steps.labels[:3] == ["2023-01", "2023-02", "2023-03"]


def test_auto_uses_weeks_then_days_for_dated_data():
    dates = pd.date_range("2024-01-03", "2024-04-30", freq="D")  # 4 months, ~18 weeks
    frame = _frame(dates.to_period("M").to_timestamp(), dates)
    steps = time_steps(frame)
    assert steps.unit == "week"
    assert steps.starts[0] == pd.Timestamp("2024-01-01")  # the Monday before
    assert steps.index[:6].tolist() == [0, 0, 0, 0, 0, 1]  # Wed..Sun, then Monday
    short = dates[:30]
    steps = time_steps(_frame(short.to_period("M").to_timestamp(), short))
    assert steps.unit == "day" and len(steps) == 30


def test_auto_month_only_short_span_notes_it():
    steps = time_steps(_frame(["2022-01-01", "2022-09-01"]))
    assert steps.unit == "month" and len(steps) == 9
    assert any("fewer than 10" in note for note in steps.notes)


def test_weeks_need_exact_dates():
    with pytest.raises(ColumnMappingError, match="exact date"):
        time_steps(_frame(["2022-01-01", "2022-09-01"]), step="week")


def test_single_step_is_refused():
    with pytest.raises(EmptySelectionError, match="single month"):
        time_steps(_frame(["2022-01-01", "2022-01-01"]))


def test_bad_step_name():
    with pytest.raises(ParameterError, match="'step'"):
        time_steps(_frame(["2022-01-01", "2022-02-01"]), step="fortnight")


# --------------------------------------------------------------------------- end to end

#: Planted 3 x 3 blocks (centre cell south-west corner, metres) on a 2 km square, 100 m cells.
PLANTS = {
    "E500N500": "Intensifying Hot Spot",
    "E1500N500": "Persistent Hot Spot",
    "E500N1500": "Historical Hot Spot",
    "E1500N1500": "New Hot Spot",
    "E1000N1000": "Consecutive Hot Spot",
    "E1000N200": "Diminishing Hot Spot",
}


def planted_crimes(seed: int = 0, steps: int = 12) -> gpd.GeoDataFrame:
    """Background ~2 crimes per 100 m cell per month plus six planted patterns."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2023-01-01", periods=steps, freq="MS")
    parts: list[tuple[np.ndarray, np.ndarray]] = []

    def add(n: int, x0: float, y0: float, t: int, size: float = 300.0, pad: float = 100.0):
        xy = rng.uniform(0, size, (n, 2)) + [x0 - pad, y0 - pad]
        parts.append((xy, np.full(n, months[t])))

    for t in range(steps):
        add(int(rng.poisson(800)), 0, 0, t, size=2000.0, pad=0.0)
        add(50 + 10 * t, 500, 500, t)  # rising: intensifying
        add(60, 1500, 500, t)  # steady: persistent
        if t < steps - 1:
            add(60, 500, 1500, t)  # stops in the final month: historical
        if t == steps - 1:
            add(60, 1500, 1500, t)  # only the final month: new
        if t >= steps - 4:
            add(60, 1000, 1000, t)  # the last four months: consecutive
        add(160 - 10 * t, 1000, 200, t)  # falling but still hot: diminishing
    xy = np.vstack([p[0] for p in parts])
    month = pd.to_datetime(np.concatenate([p[1] for p in parts])).astype("datetime64[ns]")
    n = len(month)
    return gpd.GeoDataFrame(
        {"crime_id": [f"c{i}" for i in range(n)], "month": month,
         "date": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
         "category": "Burglary", "weight": np.ones(n)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700",
    )


@pytest.fixture(scope="module")
def planted_result() -> tuple[gpd.GeoDataFrame, EmergingResult]:
    crimes = planted_crimes()
    return crimes, emerging_hotspots(crimes, cell_size=100)


def test_planted_points_give_every_planted_pattern(planted_result):
    _, res = planted_result
    cells = res.cells.set_index("cell_id")
    found = {cid: cells.loc[cid, "pattern"] for cid in PLANTS}
    assert found == PLANTS
    assert res.method == "emerging" and res.layer == "cells"
    assert res.params["step"] == "month" and res.params["n_steps"] == 12
    assert res.params["pattern_rules"] == PATTERN_RULES
    # the background is mostly quiet
    assert (cells["pattern"] == "No Pattern Detected").mean() > 0.85


def test_method_statement_is_plain(planted_result):
    _, res = planted_result
    text = res.method_statement()
    assert text.startswith("Emerging hot spots: Getis-Ord Gi* per month (12 steps, 2023-01 to")
    assert "90% confidence" in text and "Mann-Kendall" in text
    assert "pattern_rules" not in text


def test_planted_new_cell_details(planted_result):
    _, res = planted_result
    row = res.cells.set_index("cell_id").loc["E1500N1500"]
    assert row["n_hot_steps"] == 1 and row["final_bin"] == 1 and bool(row["hotspot"])
    series = cell_series(res, "E1500N1500")
    assert series["status"].tolist() == ["not significant"] * 11 + ["hot"]
    assert series["gi_p_fdr"].iloc[-1] < BIN_ALPHA


def test_planted_intensifying_trend(planted_result):
    _, res = planted_result
    row = res.cells.set_index("cell_id").loc["E500N500"]
    assert row["trend"] == "increasing" and row["mk_p"] < 0.05
    assert row["n_hot_steps"] >= 11


def test_emerging_steps_match_gistar_per_month(planted_result):
    crimes, res = planted_result
    last = crimes[crimes["month"] == crimes["month"].max()]
    single = gistar_hotspots(last, grid=res.grid).cells.set_index("cell_id")
    series = emerging_series(res, patterns_only=False)
    final = series[series["step"] == "2023-12"].set_index("cell_id")
    # Same grid, same study area (every cell): the final step's Gi* is the single-month Gi*.
    assert len(final) == len(single)
    np.testing.assert_allclose(final["gi_z"], single.loc[final.index, "gi_z"],
                               rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(final["count"].sum(), len(last))


def test_counts_and_fdr_per_step(planted_result):
    crimes, res = planted_result
    assert res.counts.sum() == len(crimes)
    assert res.cells["count"].sum() == len(crimes)
    t = 5
    p = res.gi_p[t][res.mask]
    np.testing.assert_allclose(res.gi_p_fdr[t][res.mask], benjamini_hochberg(p), rtol=1e-12)
    hot = (res.gi_z[t] > 0) & (res.gi_p_fdr[t] < BIN_ALPHA)
    assert (res.bins[t][hot] == 1).all() and (res.bins[t][~hot & res.mask] <= 0).all()


def test_input_not_mutated_and_weights_scale_free(planted_result):
    crimes, res = planted_result
    before = crimes.copy()
    doubled = crimes.assign(weight=2.0)
    res_w = emerging_hotspots(doubled, cell_size=100, weight="weight")
    pd.testing.assert_frame_equal(crimes, before)
    assert (res_w.cells["pattern"].to_numpy() == res.cells["pattern"].to_numpy()).all()
    np.testing.assert_allclose(res_w.counts, 2 * res.counts)


def test_area_excludes_crimes_outside():
    crimes = planted_crimes(steps=10)
    area = gpd.GeoSeries([shapely.box(0, 0, 1000, 2000)], crs="EPSG:27700")
    res = emerging_hotspots(crimes, cell_size=100, area=area)
    inside = crimes.geometry.x <= 1000
    assert res.counts.sum() == int(inside.sum())
    assert any("outside the study area" in note for note in res.notes)


def test_fdr_off_uses_raw_p_values(planted_result):
    crimes, res = planted_result
    raw = emerging_hotspots(crimes, cell_size=100, fdr=False)
    assert raw.gi_p_fdr is None
    assert (raw.cells["n_hot_steps"] >= res.cells["n_hot_steps"]).all()
    assert "adjusted" not in raw.params["bin_rule"]


def test_cell_series_unknown_cell(planted_result):
    _, res = planted_result
    with pytest.raises(ParameterError, match="no cell 'E9N9'"):
        cell_series(res, "E9N9")


def test_emerging_series_patterns_only(planted_result):
    _, res = planted_result
    table = emerging_series(res)
    n_pattern = int((res.cells["pattern_code"] != 0).sum())
    assert len(table) == n_pattern * 12
    assert set(table["status"]) <= {"hot", "cold", "not significant"}


def test_emerging_rejects_bad_parameters():
    crimes = planted_crimes(steps=3)
    with pytest.raises(ParameterError, match="'fdr'"):
        emerging_hotspots(crimes, fdr="yes")
    with pytest.raises(ParameterError, match="'distance'"):
        emerging_hotspots(crimes, distance=-5)
    with pytest.raises(ParameterError, match="'step'"):
        emerging_hotspots(crimes, step="year")


# --------------------------------------------------------------------------- demo data


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    """The committed demo data if present, else the same data generated (deterministic)."""
    folder = REPO / "data"
    if (folder / "sample_crimes" / "planted.json").is_file():
        return folder
    from hotspots.datasets.sample import write_sample

    out = tmp_path_factory.mktemp("demo")
    write_sample(out)
    return out


@pytest.mark.slow
def test_demo_planted_emerging_hotspot(demo_folder):
    from hotspots.io import load_crimes

    truth = json.loads((demo_folder / "sample_crimes" / "planted.json").read_text())
    plant = next(h for h in truth["hotspots"] if h["kind"] == "emerging")
    crimes, _ = load_crimes(demo_folder / "sample_crimes")
    crimes = crimes[crimes["category"].isin(plant["categories"])]
    res = emerging_hotspots(crimes, cell_size=100)
    assert res.params["n_steps"] == 24
    circle = shapely.Point(*plant["centre"]).buffer(plant["radius_m"])
    cells = res.cells[res.cells.intersects(circle)]
    busiest = cells.loc[cells["count"].idxmax()]
    assert busiest["pattern"] == "Consecutive Hot Spot"
    series = cell_series(res, busiest["cell_id"])
    first_hot = series.loc[series["status"] == "hot", "step"].min()
    assert first_hot >= plant["first_month"]  # never hot before the retail park opened
    assert busiest["trend"] == "increasing"
    # the emerging site is among the few hot cells of the town in the final month
    assert res.cells["hotspot"].sum() < 0.02 * len(res.cells)
