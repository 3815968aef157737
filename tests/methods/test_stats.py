"""Tests for hotspots.methods.stats: two-sided normal p-values and Benjamini–Hochberg."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from hotspots.errors import ParameterError
from hotspots.methods.stats import benjamini_hochberg
from hotspots.methods.stats import two_sided_p


def test_two_sided_p_known_quantiles():
    z = np.array([0.0, 1.6448536, -1.959964, 2.5758293, -3.2905267])
    np.testing.assert_allclose(two_sided_p(z), [1.0, 0.10, 0.05, 0.01, 0.001], atol=1e-7)


def test_two_sided_p_is_symmetric_nan_safe_and_keeps_shape():
    z = np.array([[1.0, -1.0], [np.nan, 0.3]])
    p = two_sided_p(z)
    assert p.shape == (2, 2)
    assert p[0, 0] == p[0, 1]
    assert np.isnan(p[1, 0])


def test_two_sided_p_keeps_precision_in_the_far_tail():
    # 1 - cdf(10) would round to 0; the survival function keeps ~1.5e-23.
    assert two_sided_p(10.0) == pytest.approx(2 * 7.6198530241605e-24, rel=1e-9)


def test_bh_hand_computed_example():
    # m = 4 finite values; sorted 0.005, 0.01, 0.03, 0.04 -> p*m/rank = .02, .02, .04, .04,
    # running minimum from the top leaves them; the NaN is not a test and stays NaN.
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005, np.nan])
    np.testing.assert_allclose(adjusted, [0.02, 0.04, 0.04, 0.02, np.nan], rtol=1e-12)


def test_bh_step_up_minimum_and_cap():
    # Sorted 0.04, 0.045, 0.9 -> p*m/rank = 0.12, 0.0675, 0.9; the smallest p takes the
    # running minimum from above (0.0675), so both small values come out equal.
    np.testing.assert_allclose(benjamini_hochberg([0.045, 0.04, 0.9]), [0.0675, 0.0675, 0.9])
    np.testing.assert_allclose(benjamini_hochberg([0.9, 0.95]), [0.95, 0.95])
    assert benjamini_hochberg([1.0, 1.0]).max() == 1.0


def test_bh_matches_scipy_false_discovery_control():
    rng = np.random.default_rng(7)
    p = np.r_[rng.uniform(size=900), rng.uniform(0, 1e-3, size=100)]
    np.testing.assert_allclose(
        benjamini_hochberg(p), stats.false_discovery_control(p, method="bh"), rtol=1e-12
    )


def test_bh_ignores_nans_and_keeps_grid_shape():
    rng = np.random.default_rng(3)
    grid = rng.uniform(size=(6, 7))
    grid[0, :] = np.nan
    out = benjamini_hochberg(grid)
    assert out.shape == grid.shape
    assert np.isnan(out[0]).all()
    finite = ~np.isnan(grid)
    np.testing.assert_allclose(out[finite], stats.false_discovery_control(grid[finite]))
    assert (out[finite] >= grid[finite]).all()


def test_bh_empty_and_all_nan():
    assert benjamini_hochberg([]).shape == (0,)
    assert np.isnan(benjamini_hochberg([np.nan, np.nan])).all()


def test_bh_rejects_values_outside_unit_interval():
    with pytest.raises(ParameterError, match=r"\[0, 1\].*1 value"):
        benjamini_hochberg([0.2, 1.5])


def test_bh_does_not_mutate_input():
    p = np.array([0.3, 0.01, np.nan])
    before = p.copy()
    benjamini_hochberg(p)
    np.testing.assert_array_equal(p, before)


@pytest.mark.parametrize("kind", ["uniform", "sparse counts", "mostly zero", "few levels"])
def test_kth_largest_equals_a_sort_on_long_tied_rankings(kind):
    from hotspots.methods.stats import kth_largest

    rng = np.random.default_rng(len(kind))
    n = 300_000
    score = {"uniform": rng.random(n),
             "sparse counts": rng.poisson(0.02, n).astype(float),
             "mostly zero": np.where(rng.random(n) < 0.99, 0.0, rng.random(n)),
             "few levels": np.round(rng.random(n) * 5)}[kind]
    ordered = np.sort(score)
    for k in (1, 300, 3000, 14_999):
        assert kth_largest(score, k) == ordered[-k]
