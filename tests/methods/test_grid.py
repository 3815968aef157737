import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import count_points
from hotspots.methods.grid import default_cell_size
from hotspots.methods.grid import make_grid
from hotspots.methods.grid import study_area_mask


def points(xy, crs="EPSG:27700"):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


def test_origin_snaps_so_grids_from_different_extents_align():
    a = make_grid((450_013, 340_077, 452_990, 341_500), cell_size=100)
    b = make_grid((450_301, 340_499, 455_000, 343_000), cell_size=100)
    assert a.x0 % 100 == 0 and a.y0 % 100 == 0
    # a cell of b that lies inside a has the same identifier in both
    ids_a = set(a.cell_ids().ravel())
    ids_b = set(b.cell_ids().ravel())
    assert "E450400N340500" in ids_a & ids_b


def test_grid_covers_every_point_including_the_max_edge():
    g = make_grid((0, 0, 1000, 500), cell_size=100)
    row, col, inside = g.locate(np.array([0, 1000, 999.9]), np.array([0, 500, 0]))
    assert inside.all()
    assert (g.nx, g.ny) == (11, 6)


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [((0, 0, 12_000, 9_000), 100.0), ((0, 0, 5_000, 30_000), 100.0),
     ((0, 0, 40_000, 26_000), 500.0), ((0, 0, 1_300, 900), 10.0), ((0, 0, 0, 0), 100.0)],
)
def test_default_cell_size_is_short_side_over_50_rounded_down(bounds, expected):
    assert default_cell_size(bounds) == expected


def test_counts_and_weights_per_cell():
    pts = points([(5, 5), (15, 5), (15, 6), (25, 25)])
    pts["w"] = [1.0, 2.0, 3.0, 4.0]
    g = make_grid((0, 0, 29, 29), cell_size=10)
    counts = count_points(g, pts)
    assert counts.sum() == 4 and counts[0, 1] == 2 and counts[2, 2] == 1
    assert count_points(g, pts, weight="w")[0, 1] == 5.0


def test_count_refuses_geographic_crs():
    with pytest.raises(CRSError, match="geographic"):
        count_points(make_grid((0, 0, 10, 10), cell_size=1), points([(0.1, 51)], "EPSG:4326"))


def test_bad_cell_size_and_empty_extent():
    with pytest.raises(ParameterError, match="cell_size"):
        make_grid((0, 0, 10, 10), cell_size=-5)
    with pytest.raises(EmptySelectionError):
        make_grid((np.nan, np.nan, np.nan, np.nan), cell_size=10)
    with pytest.raises(ParameterError, match="cells"):
        make_grid((0, 0, 1e6, 1e6), cell_size=1)


def test_study_area_mask_keeps_cells_that_overlap_the_area():
    g = make_grid((0, 0, 99, 99), cell_size=10)
    area = gpd.GeoSeries([shapely.box(0, 0, 30, 20)], crs="EPSG:27700")
    mask = study_area_mask(g, area)
    # cells fully inside plus none merely touching the edge at x=30 or y=20
    assert mask.sum() == 3 * 2
    # an area in lon/lat is reprojected before the test
    mask_all = study_area_mask(g, None)
    assert mask_all.all()


def test_to_geodataframe_round_trips_layers():
    g = make_grid((0, 0, 19, 19), cell_size=10)
    values = np.arange(4, dtype=float).reshape(g.shape)
    cells = g.to_geodataframe({"v": values}, mask=values > 0)
    assert len(cells) == 3
    assert cells.crs.to_epsg() == 27700
    for _, r in cells.iterrows():
        assert r.geometry.bounds[0] == r["col"] * 10 and r["v"] == values[r["row"], r["col"]]
