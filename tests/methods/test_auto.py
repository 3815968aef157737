"""``--method auto``: the contest, the choice, the refit, the fallback and the leak guard."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import ParameterError
from hotspots.methods.auto import MIN_HELD_OUT_CRIMES
from hotspots.methods.auto import auto_hotspots
from hotspots.methods.auto import holdout_months
from hotspots.methods.candidates import Candidate
from hotspots.methods.candidates import default_candidates
from hotspots.methods.candidates import smoothed_count
from hotspots.methods.density import kde_surface
from hotspots.methods.find import DEFAULT_METHOD
from hotspots.methods.find import MethodSettings
from hotspots.methods.find import find_hotspots
from hotspots.methods.grid import make_grid

CRS = "EPSG:27700"
SIDE = 5000.0
#: Planted street points (shops, stations): fixed across months.
POINTS = np.random.default_rng(99).uniform(300, SIDE - 300, (40, 2))


def monthly(seed: int, *, n_months: int = 8, per_month: int = 300, share: float = 0.3,
            centres: np.ndarray = POINTS, sd: float = 0.0,
            first: str = "2024-01") -> gpd.GeoDataFrame:
    """Crimes over ``n_months``: ``share`` at the ``centres`` (spread ``sd``), the rest
    uniform over a 5 km square."""
    rng = np.random.default_rng(seed)
    frames = []
    for m in range(n_months):
        n = rng.poisson(per_month)
        k = rng.binomial(n, share)
        hot = centres[rng.integers(0, len(centres), k)] + rng.normal(0, 1, (k, 2)) * sd
        xy = np.r_[hot, rng.uniform(0, SIDE, (n - k, 2))]
        frames.append(pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1],
                                    "month": pd.Timestamp(first) + pd.DateOffset(months=m)}))
    d = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame({"month": d["month"].astype("datetime64[ns]"),
                             "weight": 1.0},
                            geometry=gpd.points_from_xy(d.x, d.y), crs=CRS)


@pytest.fixture(scope="module")
def planted() -> gpd.GeoDataFrame:
    return monthly(0)


@pytest.fixture(scope="module")
def result(planted):
    return auto_hotspots(planted, n_boot=199)


def test_holdout_is_the_last_quarter():
    assert [holdout_months(n) for n in (4, 5, 8, 9, 12, 24)] == [1, 2, 2, 3, 3, 6]


def test_auto_records_every_candidate_and_the_choice(result, planted):
    auto = result.params["auto"]
    assert result.method == "auto" and result.layer == "cells"
    assert auto["contest"] is True
    assert auto["fit_months"] == ["2024-01", "2024-06"]
    assert auto["held_out_months"] == ["2024-07", "2024-08"]
    assert auto["n_fit"] + auto["n_held_out"] == len(planted)
    rows = auto["candidates"]
    assert [r["candidate"] for r in rows] == [c.label for c in default_candidates()]
    for r in rows:
        assert 0 <= r["hit_rate_low"] <= r["hit_rate"] <= r["hit_rate_high"] <= 1
        assert r["gain_low"] <= r["gain_over_default"] <= r["gain_high"]
    assert sum(r["chosen"] for r in rows) == 1
    chosen = next(r for r in rows if r["chosen"])
    assert result.params["chosen"] == chosen["candidate"]
    assert result.params["chosen_method"] == chosen["method"]
    assert auto["selected_cells"] == int(0.01 * auto["scoring_cells"])
    assert "Reality Check" in auto["choice_rule"] and "bootstrap" in auto["intervals"]
    assert result.notes[0].startswith("auto: 15 candidates fitted on 2024-01 to 2024-06")
    statement = result.method_statement()
    assert statement.startswith(f"Auto: {result.params['chosen']}, chosen from 15")
    assert "2024-07 to 2024-08" in statement


def test_auto_refits_the_winner_on_all_months_and_finds_the_planted_points(result, planted):
    assert result.params["n_crimes"] == len(planted)  # refitted on every month
    top = result.cells.nlargest(20, "score").geometry.centroid
    near = [np.hypot(POINTS[:, 0] - p.x, POINTS[:, 1] - p.y).min() < 150 for p in top]
    assert all(near)


def test_output_score_is_the_ranking_that_was_scored(result, planted):
    """The map's ranking is the contest's: the smoothed count, recomputed by hand."""
    assert result.params["chosen"] == default_candidates()[0].label
    cell = result.params["cell_size"]
    x, y = planted.geometry.x.to_numpy(), planted.geometry.y.to_numpy()
    grid = make_grid((x.min(), y.min(), x.max(), y.max()), cell_size=cell)
    counts = np.histogram2d(y, x, bins=[grid.ny, grid.nx], range=[
        [grid.y0, grid.y0 + grid.ny * cell], [grid.x0, grid.x0 + grid.nx * cell]])[0]
    mean = kde_surface(grid, x, y, bandwidth=400.0) * grid.cell_area / 1e6
    expect = smoothed_count(counts, mean, shape=1.0)
    got = result.cells["score"].to_numpy()
    at = expect[result.cells["row"], result.cells["col"]]
    assert np.abs(got - at).max() < 0.5 * np.diff(np.unique(at)).min()  # only the tie-break
    assert (result.cells["count"].to_numpy() == counts[result.cells["row"],
                                                       result.cells["col"]]).all()


def test_auto_recovers_the_planted_street_scale():
    """Crimes at 40 street points: from a deliberately coarse default (KDE 800 m), the
    contest moves to the finest bandwidth, beyond chance."""
    crimes = monthly(1)
    cands = [Candidate("kde", 50.0, bandwidth=h) for h in (800.0, 400.0, 200.0, 100.0)]
    res = auto_hotspots(crimes, candidates=cands, n_boot=199)
    assert res.params["chosen"] == "KDE, bandwidth 100 m (50 m cells)"
    assert res.params["auto"]["reality_check_p"] < 0.05
    hits = [r["hit_rate"] for r in res.params["auto"]["candidates"]]
    assert hits[3] > hits[2] > max(hits[:2])  # 100 m beats 200 m beats the coarse ones
    assert res.params["bandwidth"] == 100.0  # the refitted KDE


def test_auto_keeps_the_default_on_pure_noise():
    """Complete spatial randomness over 8 months: nothing beats the default beyond chance."""
    switched = 0
    for seed in range(4):
        res = auto_hotspots(monthly(10 + seed, share=0.0), n_boot=199)
        switched += res.params["chosen"] != default_candidates()[0].label
    assert switched <= 1


def test_held_out_months_are_never_used_for_fitting():
    """A hot spot that appears only in the held-out months cannot be predicted by a fit on
    the earlier months, so no candidate scores well; the refit on all months then finds it."""
    rng = np.random.default_rng(3)
    early = monthly(2, share=0.0, per_month=200, n_months=6)
    spot = np.array([[4000.0, 4000.0]])
    late = monthly(4, share=0.7, per_month=200, n_months=2, centres=spot, first="2024-07")
    crimes = pd.concat([early, late], ignore_index=True)
    res = auto_hotspots(crimes, n_boot=99, seed=int(rng.integers(100)))
    assert res.params["auto"]["held_out_months"] == ["2024-07", "2024-08"]
    best = max(r["hit_rate"] for r in res.params["auto"]["candidates"])
    assert best < 0.15  # with a leak, the spot alone would give 0.7
    top = res.cells.loc[res.cells["score"].idxmax()].geometry.centroid
    assert top.distance(shapely.Point(4000, 4000)) < 150


@pytest.mark.parametrize(("crimes", "reason"), [
    (lambda c: c[c["month"] == c["month"].min()], "span 1 month"),
    (lambda c: c[c["month"] < "2024-04-01"], "span 3 month"),
    (lambda c: c.assign(month=pd.NaT), "no months"),
    (lambda c: pd.concat([c[c["month"] < "2024-07-01"],
                          c[c["month"] == "2024-08-01"].iloc[:MIN_HELD_OUT_CRIMES - 1]]),
     "held-out months"),
])
def test_auto_falls_back_with_a_stated_rule(planted, crimes, reason):
    res = auto_hotspots(crimes(planted), n_boot=99)
    auto = res.params["auto"]
    assert res.method == "auto" and auto["contest"] is False
    assert reason in auto["reason"]
    assert res.params["chosen_method"] == "kde"
    assert "KDE with the default cell size" in auto["rule"]
    assert res.notes[0].startswith("auto: no contest because")
    assert res.method_statement().startswith("Auto: no contest")


def test_auto_options_fix_the_search(planted):
    res = auto_hotspots(planted, cell_size=50.0, n_boot=99)
    assert {r["cell_size"] for r in res.params["auto"]["candidates"]} == {50.0}
    assert res.params["cell_size"] == 50.0
    res = auto_hotspots(planted, holdout_months=1, coverage=0.05, n_boot=99)
    assert res.params["auto"]["held_out_months"] == ["2024-08", "2024-08"]
    assert res.params["auto"]["coverage"] == 0.05
    grid = make_grid((0, 0, SIDE, SIDE), cell_size=100.0)
    res = auto_hotspots(planted, grid=grid, n_boot=99)
    assert res.params["grid_origin"] == (0.0, 0.0)


def test_auto_with_a_study_area_and_harm_weights(planted):
    area = gpd.GeoSeries([shapely.box(0, 0, 2500, SIDE)], crs=CRS)
    harm = planted.assign(weight=np.where(planted.geometry.x < 1000, 10.0, 1.0))
    res = auto_hotspots(harm, area=area, weight="weight", n_boot=99)
    assert res.params["weight"] == "weight"
    assert res.cells.geometry.centroid.x.max() < 2600
    assert res.params["auto"]["scoring_cells"] == 25 * 50


def test_auto_checks_its_inputs(planted):
    with pytest.raises(ParameterError, match="'coverage'"):
        auto_hotspots(planted, coverage=0)
    with pytest.raises(ColumnMappingError, match="'harm'"):
        auto_hotspots(planted, weight="harm")
    with pytest.raises(ParameterError, match="holdout_months"):
        auto_hotspots(planted, holdout_months=8)
    with pytest.raises(CRSError):
        auto_hotspots(planted.to_crs(4326))
    with pytest.raises(ParameterError, match="candidates"):
        auto_hotspots(planted, candidates=[])


def test_auto_is_the_default_method(planted):
    assert DEFAULT_METHOD == "auto"
    assert MethodSettings().method == "auto"
    res = find_hotspots(planted.iloc[:2000])
    assert res.method == "auto"


def test_fast_study_area_mask_equals_the_grid_methods_mask():
    """auto's candidate grids use the same study-area cells as the methods it refits."""
    from hotspots.methods.auto import _area_mask
    from hotspots.methods.grid import study_area_mask

    area = shapely.Polygon([(130, 70), (2210, 410), (1890, 1990), (610, 2330), (70, 1210)])
    area = area.difference(shapely.box(900, 900, 1300, 1300))  # with a hole
    for cell in (25.0, 50.0, 100.0, 200.0, 37.5):
        grid = make_grid(area.bounds, cell_size=cell)
        expect = study_area_mask(grid, gpd.GeoSeries([area], crs=CRS))
        np.testing.assert_array_equal(_area_mask(grid, area), expect)


def test_auto_reads_months_from_dates_when_there_is_no_month(planted):
    dated = planted.assign(date=planted["month"] + pd.Timedelta(days=3)).drop(columns="month")
    res = auto_hotspots(dated, n_boot=99)
    assert res.params["auto"]["contest"] is True
    assert res.params["auto"]["held_out_months"] == ["2024-07", "2024-08"]


def test_a_recency_weighted_winner_is_refitted_with_its_weights(planted):
    cand = Candidate("recency", 100.0, half_life=3.0)
    res = auto_hotspots(planted, candidates=[cand], n_boot=99)
    assert res.params["chosen"] == cand.label and res.params["weight"] == "recency_weight"
    # the latest month counts 1, the first (7 months older) 0.5 ** (7 / 3)
    months = (planted["month"].dt.month.to_numpy() - 8).astype(float)
    total = float(np.sum(0.5 ** (-months / 3.0)))
    assert res.cells["weight_sum"].sum() == pytest.approx(total)
    assert "recency-weighted count" in res.params["score_rule"]


def test_a_candidate_too_fine_for_the_extent_is_left_out_with_a_note():
    """A force-wide extent: candidates whose grid would pass MAX_CELLS are left out and
    named (issue 13: 25 m cells over 80 km); the default candidate is never dropped."""
    crimes = monthly(2)  # 5 km: 2 m cells make 6.3 million cells
    cands = [Candidate("count", 100.0), Candidate("count", 2.0), Candidate("count", 200.0)]
    res = auto_hotspots(crimes, candidates=cands, n_boot=99)
    listed = [r["candidate"] for r in res.params["auto"]["candidates"]]
    assert listed == ["Count (100 m cells)", "Count (200 m cells)"]
    assert any("Count (2 m cells) left out" in n and "limit of 4,000,000" in n
               for n in res.notes)
    with pytest.raises(ParameterError, match="cell_size"):
        auto_hotspots(crimes, candidates=cands[1:], n_boot=99)
