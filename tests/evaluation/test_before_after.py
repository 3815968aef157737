"""The observed evaluation: measures and sentences end to end, the demo scheme, real data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.evaluation.areas import evaluation_areas
from hotspots.evaluation.before_after import evaluate
from hotspots.evaluation.counts import before_after
from hotspots.evaluation.measures import WDQ_BANDS
from hotspots.evaluation.measures import Z_95
from hotspots.evaluation.measures import relative_effect_size
from hotspots.io import load_boundary
from hotspots.io import load_crimes
from tests.evaluation.planted import BNG
from tests.evaluation.planted import two_years

DEMO = Path(__file__).resolve().parents[2] / "data"


# ---------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------


def test_missing_after_data_is_not_available(areas):
    crimes = two_years()
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


def test_evaluate_worked_check_end_to_end(areas):
    res = evaluate(two_years(t=(100, 50), b=(100, 150), c=(100, 100)), areas, start="2025-01")
    assert res.available
    assert res.counts.as_dict() == {"Tb": 100, "Ta": 50, "Bb": 100, "Ba": 150, "Cb": 100,
                                    "Ca": 100}
    assert res.res == pytest.approx(2.0)
    # every crime of each area falls in one month, so the monthly series has no degrees of
    # freedom to estimate the dispersion: Farrington et al.'s D = 0.0008 N + 1.2 is used
    d = 0.0008 * 350 + 1.2
    assert res.dispersion == pytest.approx(d)
    se = np.sqrt(d * 0.05)
    assert res.res_ci == pytest.approx((2 * np.exp(-Z_95 * se), 2 * np.exp(Z_95 * se)),
                                       rel=1e-9)
    assert "Farrington" in res.params["dispersion_rule"]
    assert res.relative_change == pytest.approx(-0.5)
    # the other places of the target's shape hold at most a few filler crimes: the placebo
    # test says its places were far less busy than the target
    assert res.tests[-1] == "placebo test" and res.placebo.n == 99
    assert any("No untreated place was nearly as busy" in n for n in res.notes)
    assert res.wdq == pytest.approx(-1.0)
    assert res.wdq_meaning == WDQ_BANDS[3][1]
    assert res.net_effect == pytest.approx(0.0, abs=1e-9)
    text = " ".join(res.summary)
    assert "crime in the target fell 50%" in text
    assert f"95% CI {res.res_ci[0]:.2f} to {res.res_ci[1]:.2f}" in text
    assert "WDQ = −1.00" in text
    measures = res.measures()
    assert measures.loc[0, "value"] == pytest.approx(2.0)
    json.dumps(res.to_dict(), allow_nan=False)


@pytest.mark.filterwarnings("error")
def test_evaluate_with_zero_after_count_is_corrected_not_an_error(areas):
    res = evaluate(two_years(t=(10, 0), b=(5, 5), c=(10, 10)), areas, start="2025-01")
    assert res.available and res.corrected
    # 0.5 added to every count: RES = 10.5 * 10.5 / (0.5 * 10.5) = 21
    assert res.res == pytest.approx(21.0)
    assert any("Ta = 0" in n and "continuity correction" in n for n in res.notes)
    assert res.wdq == pytest.approx((5.5 / 10.5 - 5.5 / 10.5) / (0.5 / 10.5 - 10.5 / 10.5))
    assert res.net_effect == pytest.approx(10.5 - 0.5 + 5.5 - 5.5)
    payload = json.dumps(res.to_dict(), allow_nan=False)
    assert "Infinity" not in payload and "NaN" not in payload


def test_wdq_not_meaningful_when_target_did_not_improve(areas):
    res = evaluate(two_years(t=(10, 20), b=(10, 10), c=(10, 10)), areas, start="2025-01")
    assert res.wdq is None
    assert "not meaningful" in res.wdq_meaning
    assert res.success_measure == pytest.approx(1.0)
    assert res.res == pytest.approx(0.5)
    assert "crime in the target rose 100%" in " ".join(res.summary)


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
    # the difference-in-differences against matched places recovers it too, and both tests
    # agree on a fall
    did_low, did_high = res.did.res_ci
    assert res.matched is not None and did_low < planted_res < did_high
    assert res.verdict == "fell" and res.placebo.p_fall <= 0.05


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
def test_nottingham_ward_against_rest_of_city_matches_a_spatial_join(shared_data):
    src = shared_data / "nottingham" / "burglary_2022.csv.gz"
    wards_path = shared_data / "nottingham" / "wards.gpkg"
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


# ---------------------------------------------------------------------------------------
# End to end with the defaults: no scheme, the busiest cell as the target
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_evaluate_defaults_rarely_call_a_fall_where_nothing_was_done():
    """evaluate() as the app and the pack run it (matched places and placebo test on): a
    target put on the busiest 250 m cell of pure noise is called a significant fall in at
    most 6% of runs, where comparing with the rest of the area alone was fooled far more
    often (benchmarks/bench_evaluation.py runs more of these)."""
    from hotspots.evaluation.areas import evaluation_areas
    from tests.evaluation.sims import crime_world

    fell = control_alone = 0
    runs = 30
    for seed in range(runs):
        crimes, target, area = crime_world(seed, per_month=300)
        res = evaluate(crimes, evaluation_areas(target, study_area=area), start="2025-01")
        assert res.placebo is not None and res.matched is not None
        fell += res.verdict == "fell"
        control_alone += res.did_control.ci[1] < 1
    assert fell / runs <= 0.06
    assert control_alone > fell


def test_a_target_outside_the_area_and_small_counts_are_said():
    from hotspots.evaluation.areas import evaluation_areas

    # the planted layout's target at (0, 0); the "selected area" is a square far away
    crimes = two_years(t=(6, 3), b=(5, 5), c=(10, 10))
    area = shapely.box(800, -300, 1400, 300)
    areas = evaluation_areas(shapely.Point(0, 0).buffer(100), buffer_m=100, study_area=area)
    res = evaluate(crimes, areas, start="2025-01", study_area=area)
    assert any("of the target lies outside the selected area" in n for n in res.notes)
    # 6 crimes before in the target: only a large fall could be seen
    assert res.detectable_effect > 0.3
    assert any("With counts this small" in s for s in res.summary)
