"""Hit rate, PAI and PEI by hand on planted grids and polygons."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.analysis.prediction import prediction_accuracy
from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import make_grid
from hotspots.result import HotspotResult

CRS = "EPSG:27700"


def points(xy) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)


def repeat(x: float, y: float, n: int) -> list[tuple[float, float]]:
    return [(x, y)] * n


@pytest.fixture
def tiny_grid_result() -> HotspotResult:
    """A 4 x 5 grid of 10 m cells (K = 20, A = 2000 m²) with planted scores.

    Rank order by score: (0,0)=9, (1,1)=8, (2,2)=7, (3,3)=6, (0,4)=5, rest 0.
    """
    grid = make_grid((0, 0, 49, 39), cell_size=10)
    assert grid.shape == (4, 5)
    score = np.zeros(grid.shape)
    for (r, c), s in {(0, 0): 9, (1, 1): 8, (2, 2): 7, (3, 3): 6, (0, 4): 5}.items():
        score[r, c] = s
    cells = grid.to_geodataframe({"score": score, "hotspot": score >= 7})
    return HotspotResult(cells, "count", {"cell_size": 10.0})


@pytest.fixture
def tiny_test() -> gpd.GeoDataFrame:
    """40 test crimes: 4 in (0,0), 1 in (1,1), 10 in (2,2), 0 in (3,3), 5 in (0,4),
    12 in (3,0), 8 in (1,3); plus 3 off the grid (outside the study area)."""
    xy = (repeat(5, 5, 4) + repeat(15, 15, 1) + repeat(25, 25, 10) + repeat(45, 5, 5)
          + repeat(5, 35, 12) + repeat(35, 15, 8) + repeat(500, 500, 3))
    return points(xy)


def test_hit_rate_pai_pei_by_hand(tiny_grid_result, tiny_test):
    table = prediction_accuracy(tiny_grid_result, tiny_test, coverages=(0.05, 0.10, 0.25))
    assert table["coverage"].tolist() == [0.05, 0.10, 0.25]
    N = 40  # the 3 crimes off the grid are not in the study area
    assert table["N"].tolist() == [N] * 3
    assert table.attrs["outside"] == 3
    # 5% of 20 cells = 1 cell: (0,0) with 4 crimes; best single cell holds 12.
    # 10% = 2 cells: (0,0)+(1,1) = 5; best two = 12 + 10 = 22.
    # 25% = 5 cells: 4+1+10+0+5 = 20; best five = 12+10+8+5+4 = 39.
    expected = [(1, 4, 12), (2, 5, 22), (5, 20, 39)]
    for (_, row), (k, n, n_star) in zip(table.iterrows(), expected, strict=True):
        assert row["n_units"] == k and row["n"] == n and row["n_star"] == n_star
        np.testing.assert_allclose(row["area_share"], k / 20, rtol=1e-12)
        np.testing.assert_allclose(row["hit_rate"], n / N, rtol=1e-12)
        np.testing.assert_allclose(row["pai"], (n / N) / (k / 20), rtol=1e-12)
        np.testing.assert_allclose(row["pei"], n / n_star, rtol=1e-12)
        np.testing.assert_allclose(row["study_area_km2"], 20 * 100 / 1e6, rtol=1e-12)
        assert row["comparable"]
    # the worked numbers: PAI at 25% = (20/40)/(5/20) = 2.0, PEI = 20/39
    assert table["pai"].iloc[2] == pytest.approx(2.0, abs=1e-12)


def test_partial_last_cell_is_not_counted(tiny_grid_result, tiny_test):
    # 12% of 20 cells = 2.4 cells: 2 whole cells are taken, and the share reported is 10%.
    row = prediction_accuracy(tiny_grid_result, tiny_test, coverages=0.12).iloc[0]
    assert row["n_units"] == 2
    assert row["area_share"] == pytest.approx(0.10)
    assert row["pai"] == pytest.approx((5 / 40) / 0.10)


def test_less_than_one_cell_selects_nothing(tiny_grid_result, tiny_test):
    row = prediction_accuracy(tiny_grid_result, tiny_test, coverages=0.01).iloc[0]
    assert row["n_units"] == 0 and np.isnan(row["pai"]) and not row["comparable"]
    assert "less than one cell" in row["note"]


def test_hotspots_rank_before_higher_scores(tiny_grid_result, tiny_test):
    # Flag only (3, 3) (score 6) as a hotspot: it now ranks first, ahead of score 9.
    cells = tiny_grid_result.cells.copy()
    cells["hotspot"] = (cells["row"] == 3) & (cells["col"] == 3)
    res = HotspotResult(cells, "emerging", {})
    row = prediction_accuracy(res, tiny_test, coverages=0.10).iloc[0]
    assert row["n"] == 0 + 4  # (3,3) has none, then (0,0) has 4


def test_ties_keep_output_order(tiny_test):
    grid = make_grid((0, 0, 49, 39), cell_size=10)
    cells = grid.to_geodataframe({"score": np.ones(grid.shape),
                                  "hotspot": np.zeros(grid.shape, bool)})
    row = prediction_accuracy(HotspotResult(cells, "count", {}), tiny_test,
                              coverages=0.05).iloc[0]
    assert row["n"] == 4  # the first cell in output order, (0, 0)


def test_input_not_mutated(tiny_grid_result, tiny_test):
    cells_before = tiny_grid_result.cells.copy()
    test_before = tiny_test.copy()
    prediction_accuracy(tiny_grid_result, tiny_test)
    pd.testing.assert_frame_equal(tiny_grid_result.cells, cells_before)
    pd.testing.assert_frame_equal(tiny_test, test_before)


def test_polygons_by_hand():
    area = shapely.box(0, 0, 100, 100)  # A = 10,000 m²
    polys = gpd.GeoDataFrame(
        {"score": [20.0, 10.0], "hotspot": [True, True]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(20, 20, 40, 40)],  # 1% and 4%
        crs=CRS,
    )
    res = HotspotResult(polys, "dbscan", {}, layer="clusters")
    test = points(repeat(5, 5, 5) + repeat(25, 25, 10) + repeat(95, 95, 85))
    grid = make_grid((0, 0, 99, 99), cell_size=10)
    table = prediction_accuracy(res, test, coverages=(0.02, 0.05), area=area, grid=grid)
    two, five = table.iloc[0], table.iloc[1]
    # 2%: the second polygon would take the union to 5% > 2%: only the first (1%).
    assert two["n_units"] == 1 and two["n"] == 5 and two["N"] == 100
    assert two["area_share"] == pytest.approx(0.01)
    assert two["pai"] == pytest.approx((5 / 100) / 0.01)
    assert not two["comparable"]  # 1% < 80% of 2%
    assert "not comparable" in two["note"]
    # 5%: both, 500 m² = 5 grid cells; best 5 cells hold 85 + 10 + 5 = 100.
    assert five["n_units"] == 2 and five["n"] == 15
    assert five["pai"] == pytest.approx((15 / 100) / 0.05)
    assert five["n_star"] == 100 and five["pei"] == pytest.approx(0.15)
    assert five["comparable"] and five["units"] == "polygons"


def test_polygons_default_area_is_hull():
    polys = gpd.GeoDataFrame({"score": [1.0], "hotspot": [True]},
                             geometry=[shapely.box(0, 0, 10, 10)], crs=CRS)
    test = points([(5, 5), (100, 0), (100, 100), (0, 100)])
    table = prediction_accuracy(HotspotResult(polys, "dbscan", {}, layer="clusters"), test,
                                coverages=0.01)
    assert table["study_area_km2"].iloc[0] == pytest.approx(100 * 100 / 1e6)
    assert any("convex hull" in note for note in table.attrs["notes"])


@pytest.mark.parametrize("bad", [0, 1.5, -0.1, "a", [], [0.05, float("nan")]])
def test_bad_coverages(tiny_grid_result, tiny_test, bad):
    with pytest.raises(ParameterError, match="'coverages'"):
        prediction_accuracy(tiny_grid_result, tiny_test, coverages=bad)


def test_result_type_checked(tiny_test):
    with pytest.raises(TypeError, match="HotspotResult"):
        prediction_accuracy("cells", tiny_test)


def test_study_area_is_checked_like_every_area():
    polys = gpd.GeoDataFrame({"score": [1.0], "hotspot": [True]},
                             geometry=[shapely.box(0, 0, 10, 10)], crs=CRS)
    result = HotspotResult(polys, "dbscan", {}, layer="clusters")
    test = points([(5, 5), (50, 50)])
    no_crs = gpd.GeoSeries([shapely.box(0, 0, 100, 100)])
    with pytest.raises(CRSError, match="'area' given to prediction_accuracy has no CRS"):
        prediction_accuracy(result, test, area=no_crs)
    with pytest.raises(EmptySelectionError, match="no polygon with an area"):
        prediction_accuracy(result, test, area=shapely.LineString([(0, 0), (10, 0)]))
