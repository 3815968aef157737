"""Hit rate, PAI and PEI by hand: one study area, common cells, ties by expected share."""

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
    12 in (3,0), 8 in (1,3); plus 3 far away (outside the study area)."""
    xy = (repeat(5, 5, 4) + repeat(15, 15, 1) + repeat(25, 25, 10) + repeat(45, 5, 5)
          + repeat(5, 35, 12) + repeat(35, 15, 8) + repeat(500, 500, 3))
    return points(xy)


AREA = shapely.box(0, 0, 50, 40)


def accuracy(result, test, **kwargs):
    return prediction_accuracy(result, test, area=AREA, cell_size=10, n_boot=199, **kwargs)


def test_hit_rate_pai_pei_by_hand(tiny_grid_result, tiny_test):
    table = accuracy(tiny_grid_result, tiny_test, coverages=(0.05, 0.10, 0.25))
    assert table["coverage"].tolist() == [0.05, 0.10, 0.25]
    N = 40  # the 3 far crimes are outside the study area
    assert table["N"].tolist() == [N] * 3
    assert table.attrs["outside"] == 3
    # 5% of 20 cells = 1 cell: (0,0) with 4 crimes; best single cell holds 12.
    # 10% = 2 cells: (0,0)+(1,1) = 5; best two = 12 + 10 = 22.
    # 25% = 5 cells: 4+1+10+0+5 = 20; best five = 12+10+8+5+4 = 39.
    expected = [(1, 4, 12), (2, 5, 22), (5, 20, 39)]
    for (_, row), (k, n, n_star) in zip(table.iterrows(), expected, strict=True):
        assert row["n_cells"] == k and row["n"] == n and row["n_star"] == n_star
        np.testing.assert_allclose(row["area_share"], k / 20, rtol=1e-12)
        np.testing.assert_allclose(row["hit_rate"], n / N, rtol=1e-12)
        np.testing.assert_allclose(row["pai"], (n / N) / (k / 20), rtol=1e-12)
        np.testing.assert_allclose(row["pei"], n / n_star, rtol=1e-12)
        np.testing.assert_allclose(row["study_area_km2"], 20 * 100 / 1e6, rtol=1e-12)
        assert row["comparable"] and row["ranked_share"] == 1.0
        assert row["hit_rate_low"] <= row["hit_rate"] <= row["hit_rate_high"]
        assert row["pai_low"] <= row["pai"] <= row["pai_high"]
    assert table["pai"].iloc[2] == pytest.approx(2.0, abs=1e-12)  # (20/40)/(5/20)


def test_whole_cells_are_taken(tiny_grid_result, tiny_test):
    # 12% of 20 cells = 2.4 cells: 2 whole cells, and the share reported is 10%.
    row = accuracy(tiny_grid_result, tiny_test, coverages=0.12).iloc[0]
    assert row["n_cells"] == 2
    assert row["area_share"] == pytest.approx(0.10)
    assert row["pai"] == pytest.approx((5 / 40) / 0.10)
    # under one cell: the single top cell is taken
    assert accuracy(tiny_grid_result, tiny_test, coverages=0.01).iloc[0]["n_cells"] == 1


def test_ties_count_by_expected_share_not_row_order(tiny_test):
    """Every cell ties: 1 of 20 places, so each cell counts 1/20 of its crimes: n = 40/20."""
    grid = make_grid((0, 0, 49, 39), cell_size=10)
    cells = grid.to_geodataframe({"score": np.ones(grid.shape),
                                  "hotspot": np.zeros(grid.shape, bool)})
    row = accuracy(HotspotResult(cells, "count", {}), tiny_test, coverages=0.05).iloc[0]
    assert row["n"] == pytest.approx(2.0) and row["pai"] == pytest.approx(1.0)


def test_mirroring_north_south_keeps_the_pai():
    """The issue's case: a map and its mirror image must score the same."""
    rng = np.random.default_rng(1)
    grid = make_grid((0, 0, 999, 999), cell_size=100)
    score = rng.integers(0, 3, grid.shape).astype(float)
    xy = rng.uniform(0, 1000, (200, 2))
    cells = grid.to_geodataframe({"score": score, "hotspot": score > 1})
    mirror = grid.to_geodataframe({"score": score[::-1], "hotspot": score[::-1] > 1})
    area = shapely.box(0, 0, 1000, 1000)
    a = prediction_accuracy(HotspotResult(cells, "count", {}), points(xy), area=area,
                            coverages=0.02, n_boot=0)
    b = prediction_accuracy(HotspotResult(mirror, "count", {}),
                            points(np.c_[xy[:, 0], 1000 - xy[:, 1]]), area=area,
                            coverages=0.02, n_boot=0)
    assert a["pai"].iloc[0] == pytest.approx(b["pai"].iloc[0])


def test_coarse_cells_are_scored_on_the_common_cells(tiny_test):
    """A 20 m output on 10 m common cells: each output cell covers 4 common cells."""
    grid = make_grid((0, 0, 49, 39), cell_size=20)
    score = np.zeros(grid.shape)
    score[1, 0] = 1.0  # x 0-20, y 20-40: the 12 crimes at (5, 35)
    cells = grid.to_geodataframe({"score": score, "hotspot": score > 0})
    row = accuracy(HotspotResult(cells, "count", {}), tiny_test, coverages=0.2).iloc[0]
    assert row["n_cells"] == 4 and row["n"] == 12  # the output's cell, as 4 common cells


def test_input_not_mutated(tiny_grid_result, tiny_test):
    cells_before = tiny_grid_result.cells.copy()
    test_before = tiny_test.copy()
    accuracy(tiny_grid_result, tiny_test)
    pd.testing.assert_frame_equal(tiny_grid_result.cells, cells_before)
    pd.testing.assert_frame_equal(tiny_test, test_before)


def test_polygons_by_hand():
    """Polygons on the same common cells: the 1% polygon is one 10 m cell, the second covers
    four; at 5% (5 cells) both are taken."""
    area = shapely.box(0, 0, 100, 100)  # K = 100 common cells of 10 m
    polys = gpd.GeoDataFrame(
        {"score": [20.0, 10.0], "hotspot": [True, True]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(20, 20, 40, 40)],
        crs=CRS,
    )
    res = HotspotResult(polys, "dbscan", {}, layer="clusters")
    test = points(repeat(5, 5, 5) + repeat(25, 25, 10) + repeat(95, 95, 85))
    table = prediction_accuracy(res, test, coverages=(0.02, 0.05), area=area, cell_size=10,
                                n_boot=199)
    two, five = table.iloc[0], table.iloc[1]
    # 2%: the first polygon's cell, then one of the second's 4 tied cells (1/4 each):
    # n = 5 + 10/4; the study area is the same A for every output.
    assert two["n_cells"] == 2 and two["N"] == 100
    assert two["n"] == pytest.approx(7.5)
    assert two["study_area_km2"] == pytest.approx(0.01)
    assert two["comparable"]
    # 5%: all 5 cells of the two polygons; the best 5 cells hold 85 + 10 + 5.
    assert five["n"] == 15 and five["n_star"] == 100 and five["pei"] == pytest.approx(0.15)
    assert five["pai"] == pytest.approx((15 / 100) / 0.05)
    # 10%: the polygons rank only 5 of the 10 cells taken: not comparable
    ten = prediction_accuracy(res, test, coverages=0.10, area=area, cell_size=10,
                              n_boot=0).iloc[0]
    assert ten["ranked_share"] == pytest.approx(0.5) and not ten["comparable"]
    assert "not comparable" in ten["note"]


def test_default_area_is_the_hull_of_output_and_test():
    polys = gpd.GeoDataFrame({"score": [1.0], "hotspot": [True]},
                             geometry=[shapely.box(0, 0, 10, 10)], crs=CRS)
    test = points([(5, 5), (100, 0), (100, 100), (0, 100)])
    table = prediction_accuracy(HotspotResult(polys, "dbscan", {}, layer="clusters"), test,
                                coverages=0.01, cell_size=10, n_boot=0)
    assert table["study_area_km2"].iloc[0] == pytest.approx(100 * 100 / 1e6)
    assert "convex hull" in table.attrs["study_area"]


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
