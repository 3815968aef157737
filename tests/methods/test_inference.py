"""Tests for hotspots.methods.inference: randomization p-values of Gi* neighbour sums.

Oracles: scipy's binomial and hypergeometric laws (0/1 values), a direct convolution, full
map shuffles with neighbour sums by convolution (the total null), and esda's conditional
permutations (the conditional null).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from scipy import stats

from hotspots.errors import ParameterError
from hotspots.methods.gistar import gistar_hotspots
from hotspots.methods.inference import EXACT_LEVELS
from hotspots.methods.inference import EXACT_MIN_CELLS
from hotspots.methods.inference import SMALL_N_PERMUTATIONS
from hotspots.methods.inference import check_inference
from hotspots.methods.inference import randomization_tails
from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR
from hotspots.methods.neighbours import disc
from hotspots.methods.neighbours import neighbour_sum

QUEEN = disc(QUEEN_DISTANCE_FACTOR)


def _mask(shape: tuple[int, int]) -> np.ndarray:
    """A disc-shaped study area with a notch: neighbourhoods of 1..9 cells."""
    r, c = np.mgrid[0 : shape[0], 0 : shape[1]]
    mask = np.hypot(r - shape[0] / 2, c - shape[1] / 2) < min(shape) * 0.48
    mask[shape[0] // 2 : shape[0] // 2 + 2, : shape[1] // 2] = False
    return mask


def _neighbours(values: np.ndarray, mask: np.ndarray, footprint: np.ndarray):
    W = np.rint(neighbour_sum(mask.astype(float), footprint))[mask].astype(int)
    L = np.rint(neighbour_sum(np.where(mask, values, 0.0), footprint))[mask].astype(int)
    return W, L


def _mc_error(p: np.ndarray, draws: int) -> np.ndarray:
    """Allowed gap between an exact and a Monte Carlo p: 4 standard errors + 2 draws."""
    return 4 * np.sqrt(p * (1 - p) / draws) + 2 / draws


@pytest.mark.parametrize("null", ["total", "conditional"])
def test_exact_law_on_zero_one_values_is_binomial(null):
    rng = np.random.default_rng(0)
    mask = _mask((44, 44))
    values = (rng.random(mask.shape) < 0.15).astype(float)
    tails = randomization_tails(values, mask, QUEEN, null=null)
    assert mask.sum() >= EXACT_MIN_CELLS and tails.params["inference"] == "exact"
    x = values[mask].astype(int)
    W, L = _neighbours(values, mask, QUEEN)
    n, ones = x.size, x.sum()
    if null == "total":  # W draws with replacement from all n values
        k, s, p1 = W, L, np.full(n, ones / n)
    else:  # W - 1 draws from the other n - 1 values
        k, s, p1 = W - 1, L - x, (ones - x) / (n - 1)
    np.testing.assert_allclose(tails.upper[mask], stats.binom.sf(s - 1, k, p1),
                               rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(tails.lower[mask], stats.binom.cdf(s, k, p1),
                               rtol=1e-9, atol=1e-13)
    assert np.isnan(tails.upper[~mask]).all()


def test_exact_law_equals_direct_convolution_with_a_wide_neighbourhood():
    rng = np.random.default_rng(1)
    mask = _mask((40, 40))
    values = rng.poisson(0.7, mask.shape).astype(float)
    footprint = disc(2.5)  # 21 cells: up to 21 draws
    tails = randomization_tails(values, mask, footprint)
    x = values[mask].astype(int)
    pmf = np.bincount(x) / x.size
    W, L = _neighbours(values, mask, footprint)
    law = {0: np.ones(1)}
    for k in range(1, W.max() + 1):
        law[k] = np.convolve(law[k - 1], pmf)
    upper = np.array([law[k][s:].sum() for k, s in zip(W, L, strict=True)])
    lower = np.array([law[k][: s + 1].sum() for k, s in zip(W, L, strict=True)])
    np.testing.assert_allclose(tails.upper[mask], np.minimum(upper, 1), rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(tails.lower[mask], np.minimum(lower, 1), rtol=1e-8, atol=1e-13)


def test_total_null_agrees_with_full_map_shuffles():
    """The issue's permutation test: shuffle the counts over the cells, convolve, compare."""
    rng = np.random.default_rng(2)
    shape = (36, 36)
    mask = np.ones(shape, bool)
    values = rng.poisson(0.3, shape).astype(float)
    values[10:13, 20:23] += rng.poisson(1.5, (3, 3))
    exact = randomization_tails(values, mask, QUEEN)
    observed = neighbour_sum(values, QUEEN)
    draws = 999
    at_least = np.zeros(shape)
    flat = values.ravel()
    for _ in range(draws):
        shuffled = rng.permutation(flat).reshape(shape)
        at_least += neighbour_sum(shuffled, QUEEN) >= observed - 1e-9
    p_mc = (at_least + 1) / (draws + 1)
    gap = np.abs(p_mc - exact.upper)
    assert (gap <= _mc_error(exact.upper, draws)).all(), gap.max()
    # The planted block is far in the tail: Monte Carlo can only say "< 0.001", the exact
    # law says how far.
    assert exact.upper[11, 21] < 1e-6 and p_mc[11, 21] == 1 / (draws + 1)


def test_conditional_null_agrees_with_esda_permutations():
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    rng = np.random.default_rng(5)
    shape = (35, 35)
    values = rng.poisson(0.4, shape).astype(float)
    values[10:13, 10:13] += rng.poisson(2, (3, 3))
    mask = np.ones(shape, bool)
    rows, cols = np.nonzero(mask)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.DistanceBand(np.c_[cols + 0.5, rows + 0.5], threshold=1.5,
                                          binary=True, silence_warnings=True)
        g = esda.G_Local(values[rows, cols], w, star=True, transform="B", permutations=999,
                         seed=1, n_jobs=1)
    exact = randomization_tails(values, mask, QUEEN, null="conditional")
    up = exact.upper[rows, cols]
    # esda's p_sim: (1 + draws at least as large, or strictly smaller if fewer) / 1000.
    folded = np.minimum(up, 1 - up)
    gap = np.abs(g.p_sim - folded)
    assert (gap <= _mc_error(folded, 999)).all(), gap.max()
    assert abs(np.mean(g.p_sim - folded)) < 0.005


@pytest.mark.parametrize("null", ["total", "conditional"])
def test_permutation_option_matches_exact_and_is_seeded(null):
    rng = np.random.default_rng(3)
    mask = _mask((40, 40))
    values = rng.poisson(0.5, mask.shape).astype(float)
    exact = randomization_tails(values, mask, QUEEN, null=null)
    mc = randomization_tails(values, mask, QUEEN, null=null, inference="permutation",
                             permutations=999, seed=7)
    assert mc.params == {"null": null, "inference": "permutation", "permutations": 999,
                         "seed": 7, "value_step": 1.0}
    for side in ("upper", "lower"):
        e, m = getattr(exact, side)[mask], getattr(mc, side)[mask]
        assert (np.abs(e - m) <= _mc_error(e, 999)).all()
        assert m.min() >= 1 / 1000
    again = randomization_tails(values, mask, QUEEN, null=null, inference="permutation",
                                permutations=999, seed=7)
    other = randomization_tails(values, mask, QUEEN, null=null, inference="permutation",
                                permutations=999, seed=8)
    np.testing.assert_array_equal(again.upper, mc.upper)
    assert not np.array_equal(other.upper[mask], mc.upper[mask])


def test_small_study_area_draws_without_replacement():
    rng = np.random.default_rng(4)
    shape = (20, 20)  # 400 cells < EXACT_MIN_CELLS
    mask = np.ones(shape, bool)
    values = (rng.random(shape) < 0.2).astype(float)
    tails = randomization_tails(values, mask, QUEEN)
    assert tails.params["inference"] == "permutation"
    assert tails.params["permutations"] == SMALL_N_PERMUTATIONS
    assert "fewer than 1,000 cells" in tails.rule
    # Without replacement, the neighbour sum of 0/1 values is hypergeometric.
    W, L = _neighbours(values, mask, QUEEN)
    n, ones = mask.sum(), int(values.sum())
    expected = stats.hypergeom.sf(L - 1, n, ones, W)
    gap = np.abs(tails.upper[mask] - expected)
    assert (gap <= _mc_error(expected, SMALL_N_PERMUTATIONS)).all()


def test_weighted_values_are_rounded_to_a_stated_step():
    rng = np.random.default_rng(6)
    mask = np.ones((40, 40), bool)
    values = rng.gamma(0.3, 50.0, mask.shape)  # harm-like sums: skewed, non-integer
    exact = randomization_tails(values, mask, QUEEN)
    step = exact.params["value_step"]
    assert step == pytest.approx((values.max() - values.min()) / EXACT_LEVELS)
    assert "rounded to a step" in exact.rule
    mc = randomization_tails(values, mask, QUEEN, inference="permutation", permutations=999)
    assert mc.params["value_step"] == 1.0  # Monte Carlo uses the values as they are
    gap = np.abs(exact.upper[mask] - mc.upper[mask])
    assert (gap <= _mc_error(exact.upper[mask], 999) + 0.01).all()


def test_check_inference_names_the_bad_option():
    with pytest.raises(ParameterError, match="'inference' parameter"):
        check_inference("bootstrap", "total", 999, 0, func="f")
    with pytest.raises(ParameterError, match="'null' parameter"):
        check_inference("exact", "poisson", 999, 0, func="f")
    with pytest.raises(ParameterError, match="'permutations' parameter of f"):
        check_inference("exact", "total", 10, 0, func="f")
    with pytest.raises(ParameterError, match="'seed' parameter of f"):
        check_inference("exact", "total", 999, -1, func="f")


def test_gistar_records_inference_and_never_flags_an_empty_cell():
    rng = np.random.default_rng(8)
    counts = rng.poisson(0.3, (40, 40))
    counts[18:23, 18:23] = 6  # a busy 5 x 5 block with an empty centre
    counts[20, 20] = 0
    rows, cols = np.nonzero(counts)
    reps = counts[rows, cols]
    x = (np.repeat(cols, reps) + rng.uniform(0.1, 0.9, reps.sum())) * 100
    y = (np.repeat(rows, reps) + rng.uniform(0.1, 0.9, reps.sum())) * 100
    crimes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")
    res = gistar_hotspots(crimes, cell_size=100)
    cells = res.cells.set_index(["row", "col"])
    centre = cells.loc[(20, 20)]
    assert centre["count"] == 0 and centre["gi_bin"] == 3 and not centre["hotspot"]
    assert cells.loc[(19, 19), "hotspot"]
    assert any("no crimes are hot by Gi*" in n for n in res.notes)
    p = res.params
    assert p["inference"] == "exact" and p["null"] == "total" and p["value_step"] == 1.0
    assert "exact law" in p["p_value"] and "Benjamini-Hochberg" in p["p_value"]
    assert "exact randomization" in res.method_statement()
    normal = gistar_hotspots(crimes, cell_size=100, inference="normal")
    assert normal.params["inference"] == "normal"
    np.testing.assert_array_equal(normal.cells["gi_z"], res.cells["gi_z"])
