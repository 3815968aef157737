"""Tests for hotspots.methods.gistar: Getis-Ord Gi* on a grid, checked against esda, plus FDR.

Only the comparisons with esda need esda and libpysal; the hand-computed and planted tests
run without them.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.gistar import HOTSPOT_MIN_BIN
from hotspots.methods.gistar import gi_classes
from hotspots.methods.gistar import gistar_grid
from hotspots.methods.gistar import gistar_hotspots
from hotspots.methods.gistar import gistar_z
from hotspots.methods.grid import make_grid
from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR
from hotspots.methods.stats import benjamini_hochberg
from hotspots.methods.stats import two_sided_p

BNG = "EPSG:27700"


def _esda_z(values: np.ndarray, mask: np.ndarray, radius_cells: float) -> np.ndarray:
    """Gi* z from esda on the study-area cells, as a grid (NaN off the mask).

    The oracle's weights: a libpysal binary DistanceBand over the centres of the study-area
    cells only (unit cell size, so the threshold is ``radius_cells``), which has a zero
    diagonal. With ``star=True`` and ``transform="B"``, esda fills that diagonal with 1
    (``_infer_star_and_structure_w`` -> ``fill_diagonal(w, 1)``), so its neighbourhood is
    "every study-area cell within the distance, and the cell itself" -- the same rule as
    ours. We check that the diagonal really is in before comparing. Skips the calling
    test when esda or libpysal is not installed.
    """
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    rows, cols = np.nonzero(mask)
    centres = np.c_[cols + 0.5, rows + 0.5]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands in irregular masks
        w = libpysal.weights.DistanceBand(
            centres, threshold=radius_cells * (1 + 1e-9), binary=True, silence_warnings=True
        )
        g = esda.G_Local(values[rows, cols], w, star=True, transform="B", permutations=0)
    assert np.all(g.w.sparse.diagonal() == 1), "esda did not add the self-weight"
    out = np.full(mask.shape, np.nan)
    out[rows, cols] = g.Zs
    return out


def _irregular_mask(shape: tuple[int, int]) -> np.ndarray:
    """A disc with a notch and a hole, plus a detached island cell: lots of edge cells."""
    ny, nx = shape
    r, c = np.mgrid[0:ny, 0:nx]
    mask = np.hypot(r - ny / 2, c - nx / 2) < min(nx, ny) * 0.45
    mask[ny // 2 - 2 : ny // 2 + 2, : nx // 2] = False  # notch from the west
    mask[ny // 2 + 3 : ny // 2 + 5, nx // 2 + 3 : nx // 2 + 5] = False  # hole
    mask[0, 0] = True  # an island: only itself as neighbour
    return mask


@pytest.fixture
def noisy_grid() -> np.ndarray:
    rng = np.random.default_rng(11)
    values = rng.poisson(4.0, (30, 36)).astype(float)
    values[10:13, 20:23] += 15  # a hot block
    return values


@pytest.mark.parametrize(
    "radius",
    # queen (3x3, direct sum), 2.5 cells (21 cells, direct), 4.3 cells (61 cells, FFT path)
    [QUEEN_DISTANCE_FACTOR, 2.5, 4.3],
)
def test_z_matches_esda_on_full_rectangle(noisy_grid, radius):
    mask = np.ones(noisy_grid.shape, bool)
    z, p = gistar_grid(noisy_grid, mask, radius_cells=radius, inference="normal")
    np.testing.assert_allclose(z, _esda_z(noisy_grid, mask, radius), atol=1e-6)
    np.testing.assert_allclose(p, two_sided_p(z))
    # The default p is the exact randomization p; z does not depend on it.
    z_exact, p_exact = gistar_grid(noisy_grid, mask, radius_cells=radius)
    np.testing.assert_array_equal(z_exact, z)
    assert not np.allclose(p_exact, p)


@pytest.mark.parametrize("radius", [QUEEN_DISTANCE_FACTOR, 2.5, 4.3])
def test_z_matches_esda_with_irregular_mask(noisy_grid, radius):
    mask = _irregular_mask(noisy_grid.shape)
    # Values off the mask must not leak in: fill them with junk.
    values = np.where(mask, noisy_grid, 1e6)
    z, p = gistar_grid(values, mask, radius_cells=radius)
    expected = _esda_z(values, mask, radius)
    assert np.isnan(z[~mask]).all() and np.isnan(p[~mask]).all()
    np.testing.assert_allclose(z[mask], expected[mask], atol=1e-6)


def test_hand_computed_small_grid():
    # 5x5, single 9 in the middle, queen: n = 25, mean 0.36, S = sqrt(81/25 - 0.36²).
    values = np.zeros((5, 5))
    values[2, 2] = 9.0
    z, _ = gistar_grid(values, None, radius_cells=QUEEN_DISTANCE_FACTOR)
    n, mean = 25, 0.36
    s = math.sqrt(81 / 25 - mean**2)

    def gi(local, w):
        return (local - mean * w) / (s * math.sqrt((n * w - w * w) / (n - 1)))

    assert z[2, 2] == pytest.approx(gi(9.0, 9), abs=1e-12)
    assert z[1, 1] == pytest.approx(gi(9.0, 9), abs=1e-12)
    assert z[0, 0] == pytest.approx(gi(0.0, 4), abs=1e-12)  # corner: 4 cells
    assert z[0, 2] == pytest.approx(gi(0.0, 6), abs=1e-12)  # edge: 6 cells


def test_constant_values_give_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z, p = gistar_grid(np.full((6, 6), 3.0), None, radius_cells=1.5)
        assert (z == 0).all() and (p == 1).all()
        pts = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(np.arange(5) * 100 + 50, np.full(5, 50.0)), crs=BNG
        )
        res = gistar_hotspots(pts, cell_size=100)
    assert (res.cells["gi_z"] == 0).all() and not res.cells["hotspot"].any()
    assert any("same value" in n for n in res.notes)


def _points_from_counts(counts: np.ndarray, cell: float, rng) -> gpd.GeoDataFrame:
    rows, cols = np.nonzero(counts)
    reps = counts[rows, cols].astype(int)
    r = np.repeat(rows, reps)
    c = np.repeat(cols, reps)
    x = (c + rng.uniform(0.05, 0.95, r.size)) * cell
    y = (r + rng.uniform(0.05, 0.95, r.size)) * cell
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=BNG)


def test_planted_hot_block_is_hot_at_99_percent_after_fdr():
    rng = np.random.default_rng(3)
    counts = rng.poisson(10, (40, 40))
    counts[18:21, 25:28] = rng.poisson(40, (3, 3))
    crimes = _points_from_counts(counts, 100.0, rng)
    grid = make_grid((0, 0, 3999, 3999), cell_size=100)
    res = gistar_hotspots(crimes, grid=grid)
    cells = res.cells.set_index(["row", "col"])
    np.testing.assert_array_equal(cells["count"].unstack().to_numpy(), counts)
    block = cells.loc[[(r, c) for r in range(18, 21) for c in range(25, 28)]]
    assert (block["gi_bin"] == 3).all()
    assert (block["gi_class"] == "Hot spot (99%)").all() and block["hotspot"].all()
    # Far from the block nothing is hot.
    far = cells[(np.abs(cells.index.get_level_values(0) - 19) > 3)
                | (np.abs(cells.index.get_level_values(1) - 26) > 3)]
    assert not far["hotspot"].any()
    assert (res.cells["score"] == res.cells["gi_z"]).all()
    assert res.params["fdr"] is True and "gi_p_fdr" in res.cells


def test_fdr_controls_false_hot_spots_on_pure_noise():
    rng = np.random.default_rng(2024)
    values = rng.poisson(20.0, (100, 100)).astype(float)
    z, p = gistar_grid(values, None, radius_cells=QUEEN_DISTANCE_FACTOR)
    raw_bins, _ = gi_classes(z, p)
    fdr_bins, _ = gi_classes(z, benjamini_hochberg(p))
    # Without correction about the nominal 5% of cells are significant at 95% (hot or
    # cold; measured 4.8%), and about half of them hot.
    raw_share = np.mean(np.abs(raw_bins) >= 2)
    assert 0.035 < raw_share < 0.065
    assert 0.01 < np.mean(raw_bins >= HOTSPOT_MIN_BIN) < 0.04
    # With BH nothing (measured 0 cells) or nearly nothing survives.
    assert np.sum(fdr_bins >= HOTSPOT_MIN_BIN) <= 5


def test_gi_classes_cut_points():
    z = np.array([4.0, 2.2, 1.8, 0.5, -1.7, -2.0, -3.0, np.nan])
    p = np.array([0.009, 0.049, 0.099, 0.5, 0.09, 0.03, 0.001, np.nan])
    bins, labels = gi_classes(z, p)
    assert bins.tolist() == [3, 2, 1, 0, -1, -2, -3, 0]
    assert labels.tolist() == [
        "Hot spot (99%)", "Hot spot (95%)", "Hot spot (90%)", "Not significant",
        "Cold spot (90%)", "Cold spot (95%)", "Cold spot (99%)", "Not significant",
    ]


def test_hotspots_match_grid_function_and_esda_with_area(noisy_grid):
    rng = np.random.default_rng(8)
    crimes = _points_from_counts(noisy_grid.astype(int), 50.0, rng)
    area = gpd.GeoSeries([shapely.Point(900, 750).buffer(650)], crs=BNG)
    res = gistar_hotspots(crimes, cell_size=50, area=area, fdr=False)
    grid_shape = res.params["grid_shape"]
    mask = np.zeros(grid_shape, bool)
    mask[res.cells["row"], res.cells["col"]] = True
    counts = np.zeros(grid_shape)
    counts[res.cells["row"], res.cells["col"]] = res.cells["count"]
    assert "gi_p_fdr" not in res.cells and res.params["fdr"] is False
    assert any("fall outside the study area" in n for n in res.notes)
    assert res.params["n_cells"] == mask.sum() < np.prod(grid_shape)
    # Edge cells of the area have fewer neighbours than 9.
    assert res.cells["gi_neighbours"].min() < 9 and res.cells["gi_neighbours"].max() == 9
    # The same z as the grid function, and (where installed) as esda.
    z, _ = gistar_grid(counts, mask, radius_cells=QUEEN_DISTANCE_FACTOR)
    np.testing.assert_allclose(res.cells["gi_z"], z[mask], rtol=1e-12, atol=1e-12)
    expected = _esda_z(counts, mask, QUEEN_DISTANCE_FACTOR)
    np.testing.assert_allclose(res.cells["gi_z"], expected[mask], atol=1e-6)


def test_weighted_gistar_uses_weight_sums():
    rng = np.random.default_rng(9)
    crimes = _points_from_counts(rng.poisson(5, (20, 20)), 100.0, rng)
    crimes["harm"] = 1.0
    hot = crimes.geometry.x.between(1000, 1100) & crimes.geometry.y.between(1000, 1100)
    crimes.loc[hot, "harm"] = 30.0
    res = gistar_hotspots(crimes, cell_size=100, weight="harm")
    top = res.cells.loc[res.cells["score"].idxmax()]
    assert (top["row"], top["col"]) in {(r, c) for r in (9, 10, 11) for c in (9, 10, 11)}
    assert res.params["weight"] == "harm" and "weight_sum" in res.cells


def test_distance_parameter_and_params_record():
    rng = np.random.default_rng(1)
    crimes = _points_from_counts(rng.poisson(3, (10, 10)), 100.0, rng)
    res = gistar_hotspots(crimes, cell_size=100)
    assert res.params["distance"] == pytest.approx(100 * math.sqrt(2))
    assert res.params["neighbourhood_cells"] == 9
    assert res.params["distance_rule"].startswith("default")
    res = gistar_hotspots(crimes, cell_size=100, distance=250)
    assert res.params["distance_rule"] == "user" and res.params["neighbourhood_cells"] == 21
    res = gistar_hotspots(crimes, cell_size=100, distance=50)
    assert any("its own only neighbour" in n for n in res.notes)
    with pytest.raises(ParameterError, match=r"'distance' parameter of gistar_hotspots .*got 0"):
        gistar_hotspots(crimes, distance=0)
    with pytest.raises(ParameterError, match="'fdr' parameter"):
        gistar_hotspots(crimes, fdr="yes")
    with pytest.raises(ParameterError, match="'radius_cells' parameter of gistar_grid"):
        gistar_grid(np.ones((3, 3)), None, radius_cells=-1)
    with pytest.raises(ParameterError, match="same shape"):
        gistar_grid(np.ones((3, 3)), np.ones((2, 2), bool), radius_cells=1)
    with pytest.raises(EmptySelectionError, match="empty crime table"):
        gistar_hotspots(crimes.iloc[:0])


def test_inputs_not_mutated(noisy_grid):
    values = noisy_grid.copy()
    mask = _irregular_mask(values.shape)
    mask_before = mask.copy()
    gistar_grid(values, mask, radius_cells=2)
    np.testing.assert_array_equal(values, noisy_grid)
    np.testing.assert_array_equal(mask, mask_before)
    rng = np.random.default_rng(0)
    crimes = _points_from_counts(rng.poisson(2, (8, 8)), 100.0, rng)
    before = crimes.copy()
    gistar_hotspots(crimes, cell_size=100)
    pd.testing.assert_frame_equal(crimes, before)


@pytest.mark.realdata
def test_real_nottingham_burglary_gistar(shared_data):
    path = shared_data / "nottingham" / "burglary_2022.csv.gz"
    frame = pd.read_csv(path)
    crimes = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326
    ).to_crs(BNG)
    wards = gpd.read_file(shared_data / "nottingham" / "wards.gpkg")
    res = gistar_hotspots(crimes, cell_size=250, area=wards)
    cells = res.cells
    hot = cells[cells["hotspot"]]
    assert len(hot) > 0
    # Hot cells sit where burglary concentrates: their mean count is well above average.
    assert hot["count"].mean() > 2 * cells["count"].mean()
    # Against esda on the same study-area cells.
    mask = np.zeros(res.params["grid_shape"], bool)
    mask[cells["row"], cells["col"]] = True
    counts = np.zeros(mask.shape)
    counts[cells["row"], cells["col"]] = cells["count"]
    expected = _esda_z(counts, mask, QUEEN_DISTANCE_FACTOR)
    np.testing.assert_allclose(cells["gi_z"], expected[mask], atol=1e-6)


def test_gistar_z_is_gistar_grid_without_p_values():
    rng = np.random.default_rng(2)
    values = rng.poisson(0.8, (40, 30)).astype(float)
    mask = rng.random((40, 30)) < 0.9
    for radius in (QUEEN_DISTANCE_FACTOR, 2.0, 4.0):
        z, _ = gistar_grid(np.where(mask, values, 0.0), mask, radius_cells=radius)
        np.testing.assert_array_equal(gistar_z(np.where(mask, values, 0.0), mask,
                                               radius_cells=radius), z)
