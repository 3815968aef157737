"""Tests for hotspots.evaluation: areas, before/after counts, RES, WDQ, net effect, maps."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import CRSError, EmptySelectionError, ParameterError
from hotspots.evaluation.before_after import (
    DEFAULT_MONTHS,
    WDQ_BANDS,
    EvaluationAreas,
    before_after,
    before_after_maps,
    evaluate,
    evaluation_areas,
    plot_trend,
    relative_effect_size,
    total_net_effect,
    weighted_displacement_quotient,
)
from hotspots.io import load_boundary, load_crimes

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BNG = "EPSG:27700"

# Planted layout for synthetic tests: target disc r 100 m at the origin, buffer ring
# 100-200 m, control disc r 100 m at (1000, 0).
T_XY, B_XY, C_XY, OUT_XY = (0.0, 0.0), (150.0, 0.0), (1000.0, 0.0), (5000.0, 5000.0)


@pytest.fixture
def areas() -> EvaluationAreas:
    return evaluation_areas(shapely.Point(0, 0).buffer(100, quad_segs=32), buffer_m=100,
                            control=shapely.Point(1000, 0).buffer(100, quad_segs=32))


def _crimes(rows, *, crs=BNG) -> gpd.GeoDataFrame:
    """Crimes from (month "YYYY-MM", (x, y) or None, n[, category]) rows."""
    months, geoms, cats = [], [], []
    for row in rows:
        month, xy, n = row[:3]
        cat = row[3] if len(row) > 3 else "Burglary"
        months += [f"{month}-01"] * n
        geoms += [None if xy is None else shapely.Point(xy)] * n
        cats += [cat] * n
    return gpd.GeoDataFrame(
        {"month": pd.to_datetime(months).astype("datetime64[ns]"), "category": cats,
         "weight": 1.0},
        geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs,
    )


def _two_years(t=(10, 5), b=(10, 15), c=(10, 10)) -> gpd.GeoDataFrame:
    """Monthly data 2024-01..2025-12 with a filler crime far away every month (so every
    month is in the data), and the T/B/C counts put in 2024-06 (before) and 2025-06 (after)."""
    rows = [(f"{y}-{m:02d}", OUT_XY, 1) for y in (2024, 2025) for m in range(1, 13)]
    for xy, (nb, na) in ((T_XY, t), (B_XY, b), (C_XY, c)):
        rows += [("2024-06", xy, nb), ("2025-06", xy, na)]
    return _crimes([r for r in rows if r[2] > 0])


# ---------------------------------------------------------------------------------------
# Formulas on hand examples
# ---------------------------------------------------------------------------------------


def test_wdq_worked_check_is_minus_one():
    # Bowers & Johnson's check (DESIGN.md): T 100->50, B 100->150, C 100->100.
    assert weighted_displacement_quotient(100, 50, 100, 150, 100, 100) == pytest.approx(-1.0,
                                                                                        abs=1e-12)


def test_wdq_diffusion_of_benefits_is_positive():
    # Buffer 100->80 with control flat: buffer measure -0.2, success measure -0.5.
    assert weighted_displacement_quotient(100, 50, 100, 80, 100, 100) == pytest.approx(0.4)
    # Control doubles: T 100->100 is an improvement relative to it (success -0.5),
    # buffer 50->50 too (buffer measure -0.25).
    assert weighted_displacement_quotient(100, 100, 50, 50, 100, 200) == pytest.approx(0.5)


def test_res_and_confidence_interval_by_hand():
    # RES = (100*100)/(50*100) = 2; Var(ln RES) = 1/100+1/50+1/100+1/100 = 0.05;
    # CI = exp(ln 2 -/+ 1.959964*sqrt(0.05)) = 1.290314, 3.100020 (computed by hand).
    res, low, high = relative_effect_size(100, 50, 100, 100)
    assert res == pytest.approx(2.0, abs=1e-12)
    assert low == pytest.approx(1.290314, rel=1e-6)
    assert high == pytest.approx(3.100020, rel=1e-6)
    # The demo's observed counts: RES 1.828066, CI 1.493853 to 2.237050.
    r = relative_effect_size(443, 255, 440, 463)
    np.testing.assert_allclose(r, (1.828066, 1.493853, 2.237050), rtol=1e-6)


def test_res_is_symmetric_in_swapping_target_and_control():
    a = relative_effect_size(80, 50, 120, 110)
    b = relative_effect_size(120, 110, 80, 50)
    assert a.res * b.res == pytest.approx(1.0)
    assert a.ci_low * b.ci_high == pytest.approx(1.0)


def test_total_net_effect_by_hand():
    assert total_net_effect(100, 50, 100, 150, 100, 100) == pytest.approx(0.0, abs=1e-12)
    # Control up 20%: target expected 120, saw 60 (+60); buffer expected 60, saw 50 (+10).
    assert total_net_effect(100, 60, 50, 50, 100, 120) == pytest.approx(70.0)
    assert total_net_effect(10, 20, 10, 10, 10, 10) == pytest.approx(-10.0)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("counts", "zero"),
    [((10, 0, 10, 10), "Ta = 0"), ((10, 5, 0, 10), "Cb = 0"), ((0, 5, 10, 10), "Tb = 0"),
     ((10, 5, 10, 0), "Ca = 0")],
)
def test_res_zero_counts_raise_and_name_the_count(counts, zero):
    with pytest.raises(ParameterError, match=zero):
        relative_effect_size(*counts)


@pytest.mark.filterwarnings("error")
def test_wdq_and_net_effect_undefined_cases():
    with pytest.raises(ParameterError, match="Ca = 0"):
        weighted_displacement_quotient(10, 5, 10, 10, 10, 0)
    with pytest.raises(ParameterError, match="exactly as the control"):
        weighted_displacement_quotient(10, 20, 10, 10, 10, 20)
    with pytest.raises(ParameterError, match="Cb = 0"):
        total_net_effect(10, 5, 10, 10, 0, 10)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "ten", None, True])
def test_counts_must_be_non_negative_numbers(bad):
    with pytest.raises(ParameterError, match="'Bb' count"):
        weighted_displacement_quotient(10, 5, bad, 10, 10, 10)


# ---------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------


def test_default_buffer_is_a_ring_as_wide_as_the_target_radius():
    target = shapely.Point(500, 500).buffer(250, quad_segs=32)
    areas = evaluation_areas(target, control=shapely.box(2000, 0, 2500, 500))
    assert areas.buffer_m == 250.0
    assert "equivalent radius" in areas.buffer_rule
    assert areas.buffer.intersection(areas.target).area == pytest.approx(0.0, abs=1e-6)
    # Ring from 250 to 500 m: three times the target's area, and reaching 500 m out.
    assert areas.buffer.area / areas.target.area == pytest.approx(3.0, rel=2e-3)
    assert shapely.Point(500, 500 + 499).within(areas.buffer)
    assert not shapely.Point(500, 500 + 501).intersects(areas.buffer)
    frame = areas.frame
    assert frame["role"].tolist() == ["target", "buffer", "control"]
    assert frame.crs == BNG
    assert frame["area_km2"].iloc[2] == pytest.approx(0.25)


def test_explicit_buffer_width():
    areas = evaluation_areas(shapely.box(0, 0, 100, 100), buffer_m=50,
                             control=shapely.box(1000, 0, 1100, 100))
    assert areas.buffer_m == 50
    assert areas.buffer.bounds == pytest.approx((-50, -50, 150, 150))
    with pytest.raises(ParameterError, match="'buffer_m'"):
        evaluation_areas(shapely.box(0, 0, 100, 100), buffer_m=-5,
                         control=shapely.box(1000, 0, 1100, 100))


def test_control_overlapping_target_or_buffer_is_cut_and_noted():
    target = shapely.box(0, 0, 100, 100)
    areas = evaluation_areas(target, buffer_m=50, control=shapely.box(0, 0, 300, 100))
    assert areas.control.intersection(areas.target).area == pytest.approx(0.0, abs=1e-9)
    assert areas.control.intersection(areas.buffer).area == pytest.approx(0.0, abs=1e-9)
    assert areas.control.area == pytest.approx(150 * 100)  # x from 150 to 300
    assert any("cut away" in n for n in areas.notes)
    with pytest.raises(ParameterError, match="wholly inside"):
        evaluation_areas(target, buffer_m=50, control=shapely.box(10, 10, 90, 90))


def test_control_is_rest_of_study_area():
    study = gpd.GeoDataFrame(geometry=[shapely.box(-1000, -1000, 1000, 1000)], crs=BNG)
    target = shapely.box(0, 0, 100, 100)
    areas = evaluation_areas(target, buffer_m=100, study_area=study)
    assert areas.control_rule.startswith("the rest of the study area")
    expected = 2000 * 2000 - areas.target.area - areas.buffer.area
    assert areas.control.area == pytest.approx(expected)


def test_a_control_is_required():
    with pytest.raises(ParameterError, match="needs a control"):
        evaluation_areas(shapely.box(0, 0, 100, 100))


def test_point_target_is_refused_with_advice():
    with pytest.raises(ParameterError, match="buffer it first"):
        evaluation_areas(shapely.Point(0, 0), control=shapely.box(1000, 0, 1100, 100))


def test_frame_round_trip_and_role_layer(areas):
    again = evaluation_areas(areas.frame)
    for role in ("target", "buffer", "control"):
        assert again.geometry(role).symmetric_difference(areas.geometry(role)).area < 1e-6
    bad = areas.frame.assign(role=["target", "ring", "control"])
    with pytest.raises(ParameterError, match="'ring'"):
        evaluation_areas(bad)


def test_target_in_degrees_is_built_in_bng():
    box = gpd.GeoSeries([shapely.box(438000, 361000, 438200, 361200)], crs=BNG)
    areas = evaluation_areas(box.to_crs("EPSG:4326"), buffer_m=100,
                             control=box.translate(2000, 0))
    assert areas.crs == BNG
    assert areas.target.symmetric_difference(box.iloc[0]).area < 1.0  # m², reprojection noise
    assert any("EPSG:4326" in n for n in areas.notes)
    with pytest.raises(CRSError):
        evaluation_areas(shapely.box(0, 0, 1, 1), control=shapely.box(2, 0, 3, 1),
                         crs="EPSG:4326")


# ---------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------


def test_periods_are_the_months_around_the_start(areas):
    # Target crimes in 2023-12 (too early), 2024-01 (first before month), 2024-12 (last
    # before), 2025-01 (first after), 2025-12 (last after), 2026-01 (too late).
    rows = [(m, T_XY, n) for m, n in
            [("2023-12", 100), ("2024-01", 1), ("2024-12", 2), ("2025-01", 4),
             ("2025-12", 8), ("2026-01", 100)]]
    rows += [("2024-05", C_XY, 3), ("2025-05", C_XY, 6)]
    ba = before_after(_crimes(rows), areas, start="2025-01")
    assert (ba.Tb, ba.Ta, ba.Cb, ba.Ca, ba.Bb, ba.Ba) == (3, 12, 3, 6, 0, 0)
    assert ba.before_label == "2024-01 to 2024-12"
    assert ba.after_label == "2025-01 to 2025-12"
    assert ba.months_before == ba.months_after == DEFAULT_MONTHS
    assert ba.available, ba.reason
    monthly = ba.monthly
    assert len(monthly) == 24 and monthly["month"].iloc[0] == pd.Timestamp("2024-01-01")
    assert (monthly["period"] == "before").sum() == 12
    assert monthly.loc[monthly["period"] == "before", "target"].sum() == ba.Tb
    assert monthly.loc[monthly["period"] == "after", "control"].sum() == ba.Ca
    table = ba.table().set_index("area")
    assert table.loc["target", "change"] == 9
    assert table.loc["target", "percent_change"] == pytest.approx(300.0)
    assert pd.isna(table.loc["buffer", "percent_change"])


def test_each_crime_counts_once_with_edges_going_to_the_target():
    # Square target 0..100, ring to 150 (straight edges, so the edge points are exact).
    areas = evaluation_areas(shapely.box(0, 0, 100, 100), buffer_m=50,
                             control=shapely.box(1000, 0, 1100, 100))
    # On the target's edge (100, 50), on the ring's outer edge (150, 50), outside all
    # (600, 50), inside the target (50, 50).
    rows = [("2024-06", (100.0, 50.0), 1), ("2024-06", (150.0, 50.0), 1),
            ("2024-06", (600.0, 50.0), 1), ("2024-06", (50.0, 50.0), 1),
            ("2025-06", (1050.0, 50.0), 1)]
    ba = before_after(_crimes(rows), areas, start="2025-01", months_before=7, months_after=6)
    assert (ba.Tb, ba.Bb, ba.Cb, ba.Ca) == (2, 1, 0, 1)
    assert ba.monthly[["target", "buffer", "control"]].to_numpy().sum() == 4


def test_categories_and_crimes_without_location(areas):
    rows = [("2024-06", T_XY, 4, "Burglary"), ("2024-06", T_XY, 7, "Drugs"),
            ("2024-06", None, 3, "Burglary"), ("2025-06", C_XY, 2, "Burglary")]
    crimes = _crimes(rows)
    copy = crimes.copy()
    ba = before_after(crimes, areas, start="2025-01", months_before=7, months_after=6,
                      categories=["Burglary", "Bicycle theft"])
    assert ba.Tb == 4 and ba.Ca == 2
    assert ba.categories == ("Burglary", "Bicycle theft")
    assert any("3 crimes in the periods have no location" in n for n in ba.notes)
    assert any("'Bicycle theft'" in n for n in ba.notes)
    pd.testing.assert_frame_equal(crimes, copy)  # input untouched
    assert before_after(crimes, areas, start="2025-01", months_before=7,
                        months_after=6).Tb == 11


def test_crimes_in_another_projected_crs_are_placed_correctly(areas):
    crimes = _two_years().set_crs(BNG, allow_override=True)
    moved = crimes.to_crs("EPSG:32630")
    a = before_after(crimes, areas, start="2025-01")
    b = before_after(moved, areas, start="2025-01")
    assert a.as_dict() == b.as_dict() == {"Tb": 10, "Ta": 5, "Bb": 10, "Ba": 15, "Cb": 10,
                                          "Ca": 10}
    with pytest.raises(CRSError):
        before_after(crimes.to_crs("EPSG:4326"), areas, start="2025-01")


def test_missing_after_data_is_not_available(areas):
    crimes = _two_years()
    early = crimes[crimes["month"] < "2025-01-01"]
    res = evaluate(early, areas, start="2025-01")
    assert not res.available
    assert "no data after the start" in res.reason and "projected" in res.reason
    assert res.res is None and res.wdq is None and res.net_effect is None
    assert res.reason in res.summary

    short = crimes[crimes["month"] < "2025-07-01"]
    res = evaluate(short, areas, start="2025-01")
    assert not res.available
    assert "only 6 of the 12 months after the start" in res.reason
    assert res.counts.months_after_in_data == 6
    assert len(res.trend) == 18

    res = evaluate(crimes, areas, start="2024-06")  # before period starts 2023-06
    assert not res.available and "only 5 of the 12 months before" in res.reason


def test_missing_month_inside_the_data_is_noted(areas):
    crimes = _two_years()
    gap = crimes[crimes["month"] != "2024-03-01"]
    ba = before_after(gap, areas, start="2025-01")
    assert ba.available
    assert any("2024-03" in n and "missing data" in n for n in ba.notes)


def test_bad_inputs(areas):
    crimes = _two_years()
    with pytest.raises(ParameterError, match="'start'"):
        before_after(crimes, areas, start="2025-13")
    with pytest.raises(ParameterError, match="'months_before'"):
        before_after(crimes, areas, start="2025-01", months_before=0)
    with pytest.raises(TypeError, match="EvaluationAreas"):
        before_after(crimes, areas.frame, start="2025-01")
    with pytest.raises(EmptySelectionError):
        before_after(crimes.iloc[:0], areas, start="2025-01")


# ---------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------


def test_evaluate_worked_check_end_to_end(areas):
    res = evaluate(_two_years(t=(100, 50), b=(100, 150), c=(100, 100)), areas, start="2025-01")
    assert res.available
    assert res.counts.as_dict() == {"Tb": 100, "Ta": 50, "Bb": 100, "Ba": 150, "Cb": 100,
                                    "Ca": 100}
    assert res.res == pytest.approx(2.0)
    assert res.res_ci == pytest.approx((1.290314, 3.100020), rel=1e-6)
    assert res.relative_change == pytest.approx(-0.5)
    assert res.significant is True
    assert res.wdq == pytest.approx(-1.0)
    assert res.wdq_meaning == WDQ_BANDS[3][1]
    assert res.net_effect == pytest.approx(0.0, abs=1e-9)
    text = " ".join(res.summary)
    assert "crime in the target fell 50%" in text
    assert "95% CI 1.29 to 3.10" in text
    assert "WDQ = −1.00" in text
    measures = res.measures()
    assert measures.loc[0, "value"] == pytest.approx(2.0)
    json.dumps(res.to_dict(), allow_nan=False)


@pytest.mark.filterwarnings("error")
def test_evaluate_with_zero_after_count_reports_instead_of_inf(areas):
    res = evaluate(_two_years(t=(10, 0), b=(5, 5), c=(10, 10)), areas, start="2025-01")
    assert res.available
    assert res.res is None and res.res_ci is None and res.significant is None
    assert any("Ta = 0" in n for n in res.notes)
    assert any("cannot be measured" in s and "Ta = 0" in s for s in res.summary)
    # WDQ and net effect are still defined: success -1, buffer 0; net 10 - 0 + 0.
    assert res.wdq == pytest.approx(0.0)
    assert res.net_effect == pytest.approx(10.0)
    payload = json.dumps(res.to_dict(), allow_nan=False)
    assert "Infinity" not in payload and "NaN" not in payload


def test_wdq_not_meaningful_when_target_did_not_improve(areas):
    res = evaluate(_two_years(t=(10, 20), b=(10, 10), c=(10, 10)), areas, start="2025-01")
    assert res.wdq is None
    assert "not meaningful" in res.wdq_meaning
    assert res.success_measure == pytest.approx(1.0)
    assert res.res == pytest.approx(0.5)
    assert "crime in the target rose 100%" in " ".join(res.summary)


def test_plot_trend_marks_the_start(areas):
    fig = plot_trend(evaluate(_two_years(), areas, start="2025-01"))
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:3] == ["target", "buffer", "control"]
    assert len(ax.get_lines()[0].get_xdata()) == 24
    start_line = ax.get_lines()[3]  # the axvline
    assert pd.Timestamp(start_line.get_xdata()[0]) == pd.Timestamp("2025-01-01")


# ---------------------------------------------------------------------------------------
# Before/after maps
# ---------------------------------------------------------------------------------------


def test_before_after_maps_share_the_grid(areas):
    rows = [("2024-12", T_XY, 6), ("2025-01", B_XY, 3), ("2025-02", C_XY, 2),
            ("2024-06", (5000, 0), 50)]
    crimes = _crimes(rows)
    before, after = before_after_maps(crimes, areas, start="2025-01", months=2,
                                      method="count", cell_size=50)
    assert before.cells["cell_id"].tolist() == after.cells["cell_id"].tolist()
    assert before.params["grid_origin"] == after.params["grid_origin"]
    b = before.cells.set_index("cell_id")["score"]
    a = after.cells.set_index("cell_id")["score"]
    assert b["E0N0"] == 6 and a["E0N0"] == 0
    assert a["E150N0"] == 3 and a["E1000N0"] == 2
    assert b.sum() == 6 and a.sum() == 5  # the 2024-06 crimes are outside the months
    assert before.params["period"] == "2024-11 to 2024-12"

    kb, ka = before_after_maps(crimes, areas, start="2025-01", months=2, cell_size=25)
    assert kb.params["bandwidth"] == ka.params["bandwidth"] == 100.0  # target radius
    assert "equivalent radius" in kb.params["bandwidth_rule"]
    peak = kb.cells.loc[kb.cells["score"].idxmax()].geometry.centroid
    assert peak.distance(shapely.Point(T_XY)) < 25  # one of the 4 cells meeting at (0, 0)
    with pytest.raises(ParameterError, match="areas_or_bounds"):
        before_after_maps(crimes, (0, 0, -1, 5), start="2025-01")


# ---------------------------------------------------------------------------------------
# The demo scheme (data/): recovers the planted effect
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    crimes, _ = load_crimes(DEMO / "sample_crimes")
    truth = json.loads((DEMO / "sample_crimes" / "planted.json").read_text())["scheme"]
    layer = gpd.read_file(DEMO / "boundaries" / "demo_scheme.gpkg")
    return crimes, truth, layer


def test_demo_scheme_counts_match_planted_truth(demo):
    crimes, truth, layer = demo
    areas = evaluation_areas(layer)
    res = evaluate(crimes, areas, start=truth["start_month"], categories=truth["categories"])
    obs = truth["observed"]
    assert res.available, res.reason
    c = res.counts
    # planted.json counts crimes with a location (dist <= r), in the scheme's categories;
    # load_crimes drops the rows without coordinates, so the counts must agree exactly.
    assert (c.Tb, c.Bb, c.Cb) == tuple(obs["before"][k] for k in ("target", "buffer", "control"))
    assert (c.Ta, c.Ba, c.Ca) == tuple(obs["after"][k] for k in ("target", "buffer", "control"))
    assert res.trend["target"].tolist() == obs["target_by_month"]
    assert res.trend["buffer"].tolist() == obs["buffer_by_month"]
    assert res.trend["control"].tolist() == obs["control_by_month"]
    assert res.res == pytest.approx(obs["res"], abs=1e-4)
    assert res.wdq == pytest.approx(obs["wdq"], abs=1e-4)


def test_demo_scheme_recovers_the_planted_effect(demo):
    crimes, truth, layer = demo
    res = evaluate(crimes, evaluation_areas(layer), start=truth["start_month"],
                   categories=truth["categories"])
    planted_res = 1 / (1 - truth["effect"])  # 1.667
    assert planted_res == pytest.approx(truth["expected"]["res"], abs=1e-4)
    low, high = res.res_ci
    assert low < planted_res < high
    assert res.significant and low > 1
    assert -1 < res.wdq < 0  # small displacement (planted share 0.1)
    assert res.net_effect > 0


def test_demo_scheme_with_areas_built_from_the_centres(demo):
    crimes, truth, _ = demo
    target = shapely.Point(truth["target"]["centre"]).buffer(250, quad_segs=32)
    control = shapely.Point(truth["control"]["centre"]).buffer(250, quad_segs=32)
    areas = evaluation_areas(target, control=control)  # default buffer: 250 m ring
    assert areas.buffer_m == truth["buffer"]["outer_m"] - truth["buffer"]["inner_m"]
    ba = before_after(crimes, areas, start=truth["start_month"], categories=truth["categories"])
    obs = truth["observed"]
    assert (ba.Tb, ba.Ta, ba.Cb, ba.Ca) == (obs["before"]["target"], obs["after"]["target"],
                                            obs["before"]["control"], obs["after"]["control"])
    # The ring built by buffering the 128-gon differs from the generator's exact ring by
    # at most a few centimetres; allow one crime on its edge either way.
    assert abs(ba.Bb - obs["before"]["buffer"]) <= 1
    assert abs(ba.Ba - obs["after"]["buffer"]) <= 1


# ---------------------------------------------------------------------------------------
# Real data: Nottingham burglary 2022, one ward against the rest of the city
# ---------------------------------------------------------------------------------------


@pytest.mark.realdata
def test_nottingham_ward_against_rest_of_city_matches_a_spatial_join():
    src = SHARED / "nottingham" / "burglary_2022.csv.gz"
    wards_path = SHARED / "nottingham" / "wards.gpkg"
    if not (src.is_file() and wards_path.is_file()):
        pytest.skip(f"real data not found under {SHARED} (needs ../shared/data)")
    mapping = {"crs": "EPSG:4326",
               "columns": {"x": "longitude", "y": "latitude", "month": "month",
                           "location": "location", "lsoa_code": "lsoa_code"},
               "constants": {"category": "Burglary"}}
    crimes, _ = load_crimes(src, mapping=mapping)
    wards, _ = load_boundary(wards_path)
    wards = wards.to_crs(BNG)
    target = wards.iloc[[int(wards.area.argmax())]]
    areas = evaluation_areas(target, buffer_m=300, study_area=wards)
    res = evaluate(crimes, areas, start="2022-07", months_before=6, months_after=6)
    assert res.available, res.reason

    # Oracle: a geopandas spatial join against the three polygons.
    polys = areas.frame[["role", "geometry"]]
    joined = gpd.sjoin(crimes[["month", "geometry"]], polys, predicate="intersects", how="inner")
    joined = joined.sort_values("role", key=lambda s: s.map({"target": 0, "buffer": 1,
                                                             "control": 2}))
    joined = joined[~joined.index.duplicated(keep="first")]
    after = joined["month"] >= pd.Timestamp("2022-07-01")
    oracle = {f"{r[0].upper()}{p}": int(((joined["role"] == r) & (after if p == "a" else ~after))
                                        .sum()) for r in ("target", "buffer", "control")
              for p in ("b", "a")}
    assert res.counts.as_dict() == oracle
    assert sum(oracle.values()) == len(crimes)  # the city's wards cover every burglary
    expected = relative_effect_size(oracle["Tb"], oracle["Ta"], oracle["Cb"], oracle["Ca"])
    assert res.res == pytest.approx(expected.res, rel=1e-12)
    assert math.isfinite(res.net_effect)
