import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import MAX_CELLS
from hotspots.methods.grid import choose_cell_size
from hotspots.methods.grid import count_points
from hotspots.methods.grid import default_cell_size
from hotspots.methods.grid import make_grid
from hotspots.methods.grid import readable_sizes
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


def _lattice(spacing, size, x0=0.0, y0=0.0):
    xs, ys = np.meshgrid(np.arange(0, size, spacing) + x0, np.arange(0, size, spacing) + y0)
    return xs.ravel(), ys.ravel()


@pytest.mark.parametrize(("spacing", "expected"),
                         [(20, 50.0), (52, 50.0), (56, 60.0), (80, 75.0), (96, 100.0), (115, 125.0),
                          (140, 150.0), (400, 150.0)])
def test_default_cell_size_is_the_spacing_of_locations_rounded_and_clipped(spacing, expected):
    # A planted street pattern: map points every `spacing` metres (each used 3 times, as
    # police.uk snaps crimes to shared points). The size is the nearest readable size to
    # the spacing, clipped to street scale [50, 150] m.
    x, y = _lattice(spacing, 4000)
    choice = choose_cell_size(np.repeat(x, 3), np.repeat(y, 3))
    assert choice.spacing == pytest.approx(spacing)
    assert choice.cell_size == expected == default_cell_size(x, y)
    assert choice.n_locations == x.size and not choice.notes
    assert choice.params()["cell_size_rule"].startswith("median nearest-neighbour distance")


def test_default_cell_size_does_not_follow_the_extent():
    # The same town, alone or with a second town 60 km away (a force-wide extract): the
    # old extent/50 rule went from 60 m to 1 km; the spacing rule stays at street scale.
    x, y = _lattice(80, 3000)
    far_x, far_y = _lattice(80, 3000, x0=60_000, y0=40_000)
    town = default_cell_size(x, y)
    force = default_cell_size(np.r_[x, far_x], np.r_[y, far_y])
    assert town == force == 75.0


@pytest.mark.parametrize(
    ("x", "y", "size", "note"),
    [([500.0], [700.0], 100.0, "1 distinct location"),
     ([5.0] * 4, [7.0] * 4, 100.0, "1 distinct location"),
     ([0.0, 0.3], [0.0, 0.2], 100.0, "1 distinct location"),  # same place to 1 m
     ([0.0, 10_000.0], [0.0, 0.0], 150.0, "Only 2 distinct crime locations"),
     ([0.0, 40.0, 80.0], [5.0, 5.0, 5.0], 50.0, "Only 3 distinct crime locations")],
)
def test_degenerate_extents_give_a_sensible_size_and_a_note(x, y, size, note):
    choice = choose_cell_size(x, y)
    assert choice.cell_size == size
    assert any(note in n for n in choice.notes)
    grid = make_grid((min(x), min(y), max(x), max(y)), points=(x, y))
    assert grid.cell_size == size and grid.n_cells >= 1


def test_points_on_a_line_make_a_one_row_grid_at_street_scale():
    x = np.arange(0, 5000, 70.0)
    y = np.full(x.size, 1234.0)
    grid = make_grid((x.min(), y.min(), x.max(), y.max()), points=(x, y))
    assert grid.cell_size == 75.0 and grid.ny == 1


def test_default_cell_size_is_widened_to_fit_the_cell_cap_with_a_note():
    # Street-scale spacing spread over 400 km x 400 km: 50 m cells would need 64 million.
    x, y = _lattice(60, 3000)
    x = np.r_[x, 400_000.0]
    y = np.r_[y, 400_000.0]
    choice = choose_cell_size(x, y)
    assert choice.cell_size > 60.0
    assert make_grid((0, 0, 400_000, 400_000), cell_size=choice.cell_size).n_cells <= MAX_CELLS
    assert any("widened" in n and f"{MAX_CELLS:,}" in n for n in choice.notes)
    assert "widened" in choice.rule


def test_a_user_cell_size_over_the_cap_is_refused_before_allocating():
    # The issue: --cell-size 170 over the whole UK made 24 million cells (6.7 GB).
    uk = (-120_000, 0, 700_000, 1_250_000)
    with pytest.raises(ParameterError) as err:
        make_grid(uk, cell_size=170)
    text = str(err.value)
    assert "'cell_size' (--cell-size)" in text and "170 m" in text
    nx = math.floor(700_000 / 170) - math.floor(-120_000 / 170) + 1
    ny = math.floor(1_250_000 / 170) + 1
    assert f"makes {nx * ny:,} cells" in text and f"{MAX_CELLS:,}" in text
    fits = float(text.split("at least ")[1].split(" m")[0])
    assert make_grid(uk, cell_size=fits).n_cells <= MAX_CELLS
    assert readable_sizes(fits, fits) == [fits]


def test_make_grid_needs_a_size_or_points():
    with pytest.raises(ParameterError, match="cell_size.*points"):
        make_grid((0, 0, 10, 10))


def test_readable_sizes_ladder():
    assert readable_sizes(40, 260) == [40.0, 50.0, 60.0, 75.0, 100.0, 125.0, 150.0, 200.0,
                                       250.0]


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


@pytest.mark.realdata
def test_street_scale_on_a_whole_force_and_a_city(shared_data):
    # The issue: on a force-wide police.uk extract the old default was 1 km cells.
    from hotspots.io import load_crimes

    force, _ = load_crimes(shared_data / "west-yorkshire" / "2016-07-west-yorkshire-street.csv.gz")
    x, y = force.geometry.x.to_numpy(), force.geometry.y.to_numpy()
    choice = choose_cell_size(x, y)
    assert 90 < choice.spacing < 105 and choice.cell_size == 100.0
    assert min(np.ptp(x), np.ptp(y)) / 50 > 1000  # what extent / 50 gave
    city, _ = load_crimes(shared_data / "nottingham" / "burglary_2022.csv.gz",
                          mapping=Path(__file__).resolve().parents[2] / "examples"
                          / "nottingham_burglary.toml")
    assert default_cell_size(city.geometry.x, city.geometry.y) == 75.0
