"""The method contest: ranking, the recommendation, failures, and the Nottingham burglary check."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.analysis.accuracy import compare_methods
from hotspots.analysis.accuracy import default_candidates
from hotspots.analysis.accuracy import recommend
from hotspots.analysis.accuracy import run_candidate
from hotspots.analysis.prediction import COMPARABLE_SHARE
from hotspots.analysis.prediction import prediction_accuracy
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import make_grid

CRS = "EPSG:27700"


def clustered(seed: int, n_background: int, n_hot: int, months: list[str]) -> gpd.GeoDataFrame:
    """Uniform background on 3 km x 2 km plus a tight cluster at (2500, 500)."""
    rng = np.random.default_rng(seed)
    xy = np.r_[rng.uniform([0, 0], [3000, 2000], (n_background, 2)),
               rng.normal([2500, 500], 40, (n_hot, 2))]
    n = len(xy)
    month = pd.to_datetime(rng.choice(months, n)).astype("datetime64[ns]")
    return gpd.GeoDataFrame(
        {"month": month, "date": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
         "category": "Burglary", "weight": 1.0},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS,
    )


@pytest.fixture(scope="module")
def train_test() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    months = [f"2023-{m:02d}-01" for m in range(1, 10)]
    train = clustered(1, 900, 300, months)
    test = clustered(2, 300, 100, ["2023-10-01", "2023-11-01", "2023-12-01"])
    return train, test


def test_compare_methods_ranks_and_recommends(train_test):
    train, test = train_test
    area = gpd.GeoSeries([shapely.box(0, 0, 3000, 2000)], crs=CRS)
    table = compare_methods(train, test, area=area, cell_size=100)
    n_candidates = len(default_candidates(100))
    assert len(table) == 3 * n_candidates
    assert set(table["method"]) == {"count", "kde", "gistar", "dbscan", "hdbscan", "emerging"}
    for _, sub in table.groupby("coverage"):
        comparable = sub[sub["comparable"]]
        # sorted by PAI within the comparable rows, rank 1 first
        assert comparable["pai"].is_monotonic_decreasing
        assert comparable["rank"].iloc[0] == 1
        assert sub["rank"][~sub["comparable"]].isna().all()
    row, sentence = recommend(table, coverage=0.05)
    at5 = table[(table["coverage"] == 0.05) & table["comparable"]]
    assert row["pai"] == at5["pai"].max()
    # The cluster holds a quarter of the test crimes in well under 5% of the area.
    assert row["pai"] > 3
    assert f"PAI {row['pai']:.1f}" in sentence and "5% of the study area" in sentence
    assert table.attrs["grid"]["cell_size"] == 100
    assert table.attrs["study_area"] == "the study area given"


def test_compare_hand_checks_one_candidate(train_test):
    train, test = train_test
    area = gpd.GeoSeries([shapely.box(0, 0, 3000, 2000)], crs=CRS)
    table = compare_methods(train, test, area=area, cell_size=100, coverages=0.05,
                            candidates=[{"method": "count"}])
    grid = make_grid(area.total_bounds, cell_size=100)
    counts_train = run_candidate(train, {"method": "count"}, grid=grid, area=area)
    again = prediction_accuracy(counts_train, test, coverages=0.05)
    cols = ["n", "N", "n_star", "hit_rate", "pai", "pei"]
    pd.testing.assert_frame_equal(table[cols], again[cols])
    assert table["N"].iloc[0] == len(test)
    assert table["study_area_km2"].iloc[0] == pytest.approx(6.0)


def test_compare_keeps_going_when_a_candidate_fails(train_test):
    train, test = train_test
    one_month = train.assign(month=pd.Timestamp("2023-01-01"))
    table = compare_methods(one_month, test, cell_size=100, coverages=0.05,
                            candidates=[{"method": "emerging"}, {"method": "count"}])
    failed = table[table["method"] == "emerging"].iloc[0]
    assert np.isnan(failed["pai"]) and "could not run" in failed["note"]
    assert table["method"].iloc[0] == "count" and table["rank"].iloc[0] == 1
    assert "convex hull" in table.attrs["study_area"]


def test_compare_rejects_bad_candidates(train_test):
    train, test = train_test
    with pytest.raises(ParameterError, match="'method'"):
        compare_methods(train, test, candidates=[{"method": "magic"}])
    with pytest.raises(ParameterError, match="bandwidth"):
        compare_methods(train, test, candidates=[{"method": "count", "bandwidth": 5}])


def test_compare_needs_both_periods(train_test):
    train, _ = train_test
    with pytest.raises(EmptySelectionError, match="both periods"):
        compare_methods(train, train.iloc[:0])


def test_recommend_errors_and_runner_up():
    table = pd.DataFrame({
        "method": ["kde", "count", "dbscan"], "label": ["KDE", "Counts", "DBSCAN"],
        "coverage": [0.05] * 3, "hit_rate": [0.30, 0.29, 0.10], "pai": [6.0, 5.8, 12.0],
        "pei": [0.8, 0.7, 0.5], "n": [30, 29, 10], "N": [100] * 3,
        "comparable": [True, True, False], "candidate": [1, 0, 2],
    })
    row, sentence = recommend(table)
    assert row["method"] == "kde"  # DBSCAN's higher PAI is not comparable
    assert "Counts is about as accurate" in sentence
    with pytest.raises(ParameterError, match="coverage 0.01"):
        recommend(table, coverage=0.01)
    with pytest.raises(EmptySelectionError, match="No method"):
        recommend(table.assign(comparable=False))


# --------------------------------------------------------------------------- real data


@pytest.mark.realdata
def test_nottingham_burglary_train_jan_sep_test_oct_dec(shared_data):
    from hotspots.io import load_boundary
    from hotspots.io import load_crimes
    from hotspots.select import select_crimes

    path = shared_data / "nottingham" / "burglary_2022.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    mapping = {"crs": "EPSG:4326",
               "columns": {"x": "longitude", "y": "latitude", "month": "month",
                           "location": "location", "lsoa_code": "lsoa_code"},
               "constants": {"category": "Burglary"}}
    crimes, _ = load_crimes(path, mapping=mapping)
    wards, _ = load_boundary(shared_data / "nottingham" / "wards.gpkg")
    train, _ = select_crimes(crimes, start="2022-01", end="2022-09")
    test, _ = select_crimes(crimes, start="2022-10", end="2022-12")
    assert (len(train), len(test)) == (1320, 475)
    table = compare_methods(train, test, area=wards)
    assert table["coverage"].unique().tolist() == [0.01, 0.02, 0.05]
    row, sentence = recommend(table, coverage=0.05)
    # Burglary concentrates: the best map at 5% of the city catches far more than 5%.
    assert 3.0 < row["pai"] < 20.0
    assert 0.15 < row["hit_rate"] < 1.0
    assert row["area_share"] >= COMPARABLE_SHARE * 0.05
    assert row["N"] == 475  # every test burglary lies in the wards' cells
    assert "PAI" in sentence
