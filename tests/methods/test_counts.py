"""Tests for hotspots.methods.counts (and the shared grid-method input handling it uses)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.counts import TOP_SHARE
from hotspots.methods.counts import count_hotspots
from hotspots.methods.grid import default_cell_size
from hotspots.methods.grid import make_grid

BNG = "EPSG:27700"


def _points(xy, **columns) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(
        {"weight": np.ones(len(xy)), **columns},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=BNG,
    )


@pytest.fixture
def planted() -> gpd.GeoDataFrame:
    """100 m cells over (0..1000)²: 6 crimes in cell E300N500, 3 in E700N100, 1 elsewhere."""
    xy = [(350, 550)] * 4 + [(310, 510), (390, 590)]
    xy += [(720, 150), (710, 120), (790, 190)]
    xy += [(50, 950), (999, 999), (0, 0)]
    harm = [1.0] * 6 + [10.0] * 3 + [1.0] * 3
    return _points(xy, harm=harm)


def _cell(res, cell_id):
    return res.cells.set_index("cell_id").loc[cell_id]


def test_counts_per_cell_are_exact(planted):
    res = count_hotspots(planted, cell_size=100)
    assert res.method == "count" and res.layer == "cells"
    assert _cell(res, "E300N500")["count"] == 6
    assert _cell(res, "E700N100")["count"] == 3
    assert res.cells["count"].sum() == len(planted)
    assert (res.cells["score"] == res.cells["count"]).all()
    assert len(res.cells) == 100 and res.params["n_cells"] == 100
    assert list(res.cells.columns[:4]) == ["cell_id", "row", "col", "count"]
    assert res.cells.crs == BNG
    first = res.cells.iloc[0]
    assert first.geometry.equals(shapely.box(0, 0, 100, 100))


def test_top_share_picks_highest_cells_with_ties(planted):
    # 100 cells, 2% -> the 2 highest: E300N500 (6) and E700N100 (3).
    res = count_hotspots(planted, cell_size=100, top_share=0.02)
    assert sorted(res.cells.loc[res.cells["hotspot"], "cell_id"]) == ["E300N500", "E700N100"]
    # 3% -> the third place is a tie of three single-crime cells: all of them are
    # candidates, but one crime in a cell is what complete spatial randomness gives
    # (12 crimes over 100 cells: P(at least 1) = 0.11), so the CSR test keeps them out.
    res = count_hotspots(planted, cell_size=100, top_share=0.03)
    assert res.n_hotspots == 2
    singles = res.cells[res.cells["count"] == 1]
    assert len(singles) == 3 and (singles["csr_p"] > 0.1).all()
    assert (singles["csr_p_fdr"] >= 0.05).all() and not singles["hotspot"].any()
    # Default 5%: never a cell with no crime.
    res = count_hotspots(planted, cell_size=100)
    assert res.params["top_share"] == TOP_SHARE == 0.05
    assert (res.cells.loc[res.cells["hotspot"], "count"] > 0).all()


def test_weighted_score_is_weight_sum(planted):
    res = count_hotspots(planted, cell_size=100, weight="harm", top_share=0.01)
    assert _cell(res, "E700N100")["weight_sum"] == pytest.approx(30.0)
    assert _cell(res, "E700N100")["count"] == 3
    assert res.cells.loc[res.cells["hotspot"], "cell_id"].tolist() == ["E700N100"]
    assert res.params["weight"] == "harm" and res.params["score"] == "weight sum"


def test_area_clips_crimes_and_cells_and_says_so(planted):
    # A slanted quadrilateral over the west: the E700N100 crimes and (999, 999) are outside,
    # the corner crime at (0, 0) is on its boundary and counts as inside.
    area = gpd.GeoSeries([shapely.Polygon([(0, 0), (650, 0), (450, 1000), (0, 1000)])], crs=BNG)
    res = count_hotspots(planted, cell_size=100, area=area)
    assert res.params["n_crimes"] == len(planted) - 4
    assert any("4 of 12 crimes fall outside the study area" in n for n in res.notes)
    # Only cells that intersect the triangle (not just touch it) are kept.
    assert res.params["n_cells"] == len(res.cells) < 100
    assert res.cells.geometry.intersects(area.iloc[0]).all()
    assert (res.cells.geometry.intersection(area.iloc[0]).area > 0).all()


def test_area_in_another_crs_is_reprojected(planted):
    area = gpd.GeoSeries([shapely.box(0, 0, 600, 1000)], crs=BNG).to_crs(4326)
    res = count_hotspots(planted, cell_size=100, area=area)
    assert _cell(res, "E300N500")["count"] == 6
    assert "E700N100" not in set(res.cells["cell_id"])


def test_passed_grid_aligns_and_reports_crimes_off_it(planted):
    grid = make_grid((0, 0, 499, 999), cell_size=100)
    res = count_hotspots(planted, grid=grid)
    assert res.cells.shape[0] == grid.n_cells
    assert _cell(res, "E300N500")["count"] == 6
    assert res.params["cell_size_rule"] == "from the grid passed in"
    assert any("4 crimes in the study area fall outside the grid" in n for n in res.notes)
    with pytest.raises(ParameterError, match="cell_size=50 and a grid with cell size 100"):
        count_hotspots(planted, grid=grid, cell_size=50)


def test_default_cell_size_follows_grid_rule(planted):
    res = count_hotspots(planted)
    # Street scale from the spacing of the distinct locations (issue 9), not extent / 50
    # (which gave 10 m here): the median distance to the nearest other place is 56.6 m
    # (the planted cluster's points 40 m apart each way), the nearest readable size 60 m.
    xy = np.c_[planted.geometry.x, planted.geometry.y]
    assert res.params["cell_size"] == default_cell_size(xy[:, 0], xy[:, 1]) == 60.0
    assert res.params["cell_size_rule"].startswith("median nearest-neighbour distance")
    assert res.params["n_locations"] == len(np.unique(xy, axis=0))


def test_empty_and_area_without_crimes_raise(planted):
    with pytest.raises(EmptySelectionError, match="empty crime table"):
        count_hotspots(planted.iloc[:0])
    far = gpd.GeoSeries([shapely.box(5000, 5000, 6000, 6000)], crs=BNG)
    with pytest.raises(EmptySelectionError, match="inside the study area"):
        count_hotspots(planted, area=far)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"cell_size": -3}, ParameterError,
         r"The 'cell_size' parameter of count_hotspots must be a float in \(0, inf\)"),
        ({"top_share": 0}, ParameterError,
         r"The 'top_share' parameter of count_hotspots must be a float in \(0, 1\], got 0"),
        ({"top_share": "a lot"}, ParameterError, r"got 'a lot'"),
        ({"weight": "harms"}, ColumnMappingError, r"'harms' .* not in the crime table"),
    ],
)
def test_bad_parameters_name_themselves(planted, kwargs, error, message):
    with pytest.raises(error, match=message):
        count_hotspots(planted, **kwargs)


def test_bad_weights_and_geometries_are_refused(planted):
    bad = planted.assign(harm=planted["harm"].where(planted.index != 2, -1.0))
    with pytest.raises(ParameterError, match="finite numbers >= 0; 1 row"):
        count_hotspots(bad, weight="harm")
    polys = planted.set_geometry(planted.buffer(1.0))
    with pytest.raises(ParameterError, match="not points"):
        count_hotspots(polys)
    with pytest.raises(CRSError, match="geographic"):
        count_hotspots(planted.to_crs(4326))


def test_missing_locations_are_reported(planted):
    holed = planted.copy()
    holed.loc[[0, 1], "geometry"] = None
    res = count_hotspots(holed, cell_size=100)
    assert res.cells["count"].sum() == len(planted) - 2
    assert any("2 of 12 crimes have no location" in n for n in res.notes)


def test_input_is_not_mutated(planted):
    before = planted.copy()
    count_hotspots(planted, cell_size=100, weight="harm")
    pd.testing.assert_frame_equal(planted, before)


def _nottingham(data: Path, name: str) -> gpd.GeoDataFrame:
    frame = pd.read_csv(data / "nottingham" / name)
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326
    ).to_crs(BNG)


@pytest.mark.realdata
def test_real_nottingham_burglary_counts_add_up(shared_data):
    crimes = _nottingham(shared_data, "burglary_2022.csv.gz")
    wards = gpd.read_file(shared_data / "nottingham" / "wards.gpkg")
    res = count_hotspots(crimes, cell_size=250, area=wards)
    inside = crimes.geometry.within(wards.to_crs(BNG).union_all()).sum()
    assert len(crimes) == 1795
    # Counted crimes + those reported outside the area = every crime.
    assert res.cells["count"].sum() == pytest.approx(inside, abs=2)
    outside = len(crimes) - res.params["n_crimes"]
    assert outside == 0 or any(f"{outside:,} of 1,795" in n for n in res.notes)
    hot = res.cells[res.cells["hotspot"]]
    assert 0 < len(hot) <= 0.08 * len(res.cells)
    assert hot["count"].min() >= res.cells["count"].quantile(0.9)
