"""auto's candidate rankings: each surface against the method it stands for."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.methods.candidates import TIE_BREAK_BANDWIDTH
from hotspots.methods.candidates import Candidate
from hotspots.methods.candidates import default_candidates
from hotspots.methods.candidates import recency_weights
from hotspots.methods.candidates import smoothed_count
from hotspots.methods.candidates import tie_broken
from hotspots.methods.density import kde_surface
from hotspots.methods.gistar import gistar_grid
from hotspots.methods.grid import make_grid


@pytest.fixture
def points():
    rng = np.random.default_rng(5)
    xy = np.r_[rng.uniform(0, 2000, (300, 2)), rng.normal(700, 40, (100, 2))]
    return xy[:, 0], xy[:, 1]


def test_smoothed_count_is_the_poisson_gamma_posterior_mean():
    # gamma prior with mean m and shape a: rate a/m, posterior mean (x + a) / (1 + a/m)
    x, m, a = np.array([0.0, 3.0, 10.0]), np.array([0.5, 2.0, 10.0]), 1.0
    expect = (x + a) / (1 + a / m)
    np.testing.assert_allclose(smoothed_count(x, m, shape=a), expect)
    # dense places keep their count; an empty neighbourhood scores 0
    assert smoothed_count(np.array([100.0]), np.array([100.0]), shape=1.0)[0] == pytest.approx(
        101 * 100 / 101)
    assert smoothed_count(np.array([0.0]), np.array([0.0]), shape=1.0)[0] == 0.0


def test_tie_break_never_reorders_different_values():
    rng = np.random.default_rng(0)
    value = rng.integers(0, 5, 500).astype(float)
    out = tie_broken(value, rng.uniform(0, 10, 500))
    for lo, hi in zip(range(4), range(1, 5), strict=True):
        assert out[value == lo].max() < out[value == hi].min()
    assert len(np.unique(out)) == 500  # every tie broken


def test_recency_weights_halve_every_half_life():
    np.testing.assert_allclose(recency_weights(np.array([0, 3, 6, 12]), half_life=3.0),
                               [1, 0.5, 0.25, 1 / 16])


def test_surfaces_are_the_methods_they_stand_for(points):
    x, y = points
    grid = make_grid((0, 0, 1999, 1999), cell_size=50)
    mask = np.ones(grid.shape, bool)
    w = np.ones(x.size)
    kde = Candidate("kde", 50.0, bandwidth=300.0).surface(grid, mask, x, y, w, None)
    np.testing.assert_allclose(kde, kde_surface(grid, x, y, bandwidth=300.0))
    counts = np.histogram2d(y, x, bins=[grid.ny, grid.nx],
                            range=[[0, grid.ny * 50], [0, grid.nx * 50]])[0]
    gi = Candidate("gistar", 50.0, distance=200.0).surface(grid, mask, x, y, w, None)
    np.testing.assert_allclose(gi, gistar_grid(counts, mask, radius_cells=4.0)[0])
    count = Candidate("count", 50.0).surface(grid, mask, x, y, w, None)
    np.testing.assert_array_equal(np.floor(count), counts)
    smooth = Candidate("smoothed", 50.0, bandwidth=400.0, shape=1.0).surface(
        grid, mask, x, y, w, None)
    m = kde_surface(grid, x, y, bandwidth=400.0) * grid.cell_area / 1e6
    base = smoothed_count(counts, m, shape=1.0)
    # equal up to the tie-break, which is below half the smallest gap between values
    assert np.abs(smooth - base).max() > 0
    levels = np.unique(base)
    assert np.abs(smooth - base).max() <= 0.5 * np.diff(levels)[np.diff(levels) > 0].min()


def test_recency_surface_weights_recent_crimes_more():
    grid = make_grid((0, 0, 199, 99), cell_size=100)
    x, y = np.array([50.0, 150.0]), np.array([50.0, 50.0])
    s = Candidate("recency", 100.0, half_life=3.0).surface(
        grid, np.ones(grid.shape, bool), x, y, np.ones(2), np.array([6, 0]))
    assert s[0, 1] > s[0, 0]
    # weights 1 and 0.25, each plus a tie-break of at most half the gap (0.375)
    assert 1.0 <= s[0, 1] <= 1.375 and 0.25 <= s[0, 0] <= 0.625


def test_outside_the_study_area_is_nan(points):
    x, y = points
    grid = make_grid((0, 0, 1999, 1999), cell_size=100)
    mask = np.zeros(grid.shape, bool)
    mask[:10] = True
    for cand in default_candidates(cell_size=100.0):
        s = cand.surface(grid, mask, x, y, np.ones(x.size), np.zeros(x.size))
        assert np.isnan(s[~mask]).all() and np.isfinite(s[mask]).all(), cand.label


def test_default_candidates_street_scale_default_first():
    cands = default_candidates()
    assert cands[0] == Candidate("smoothed", 100.0, bandwidth=400.0, shape=1.0)
    assert {c.family for c in cands} == {"smoothed", "count", "recency", "kde", "gistar"}
    assert all(25 <= c.cell_size <= 200 for c in cands)
    assert {c.bandwidth for c in cands if c.family == "kde"} == {100, 150, 200, 300, 400, 600}
    assert len({c.label for c in cands}) == len(cands)
    fixed = default_candidates(cell_size=75.0, bandwidth=250.0)
    assert {c.cell_size for c in fixed} == {75.0}
    assert {c.bandwidth for c in fixed if c.family in ("kde", "smoothed")} == {250.0}
    assert TIE_BREAK_BANDWIDTH == 400.0


def test_records_and_labels():
    cand = Candidate("recency", 100.0, half_life=3.0)
    assert cand.method == "count"
    assert cand.record()["half_life_months"] == 3.0
    assert cand.method_params() == {"method": "count", "cell_size": 100.0}
    assert Candidate("kde", 50.0, bandwidth=200.0).method_params()["bandwidth"] == 200.0
    assert Candidate("gistar", 50.0, distance=100.0).label.startswith("Gi* z")
    # the quartic kernel of radius h has per-axis sd h / (2 sqrt 2)
    assert Candidate("kde", 50.0, bandwidth=400.0).smoothing == pytest.approx(400 / 8 ** 0.5)


def test_densities_shared_by_a_contest_change_no_surface():
    # Candidates of one contest share each kernel density they make (the 400 m tie-break
    # and the smoothed count's 400 m mean): the surfaces equal those made one by one.
    rng = np.random.default_rng(4)
    x, y = rng.normal(2000, 500, 800), rng.normal(2000, 400, 800)
    w, age = np.ones(800), rng.integers(0, 9, 800)
    shared: dict = {}
    for cand in default_candidates():
        grid = make_grid((0, 0, 4000, 4000), cell_size=cand.cell_size)
        mask = np.ones(grid.shape, bool)
        alone = cand.surface(grid, mask, x, y, w, age)
        together = cand.surface(grid, mask, x, y, w, age, densities=shared)
        np.testing.assert_array_equal(alone, together)
    assert any(key[-1] == TIE_BREAK_BANDWIDTH for key in shared)
