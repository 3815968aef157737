"""Tests for hotspots.methods.mannkendall: the vectorised Mann–Kendall trend test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from hotspots.errors import ParameterError
from hotspots.methods.mannkendall import mann_kendall
from hotspots.methods.stats import two_sided_p

# --------------------------------------------------------------------------- Mann–Kendall


def test_mann_kendall_hand_computed():
    # 1..5 rising: S = 10, Var = 5*4*15/18, Z = (10 - 1)/sqrt(Var).
    mk = mann_kendall([1.0, 2.0, 3.0, 4.0, 5.0])
    var = 5 * 4 * 15 / 18
    assert float(mk.s) == 10
    np.testing.assert_allclose(float(mk.var_s), var, rtol=1e-12)
    np.testing.assert_allclose(float(mk.z), 9 / math.sqrt(var), rtol=1e-12)
    np.testing.assert_allclose(float(mk.p), 2 * stats.norm.sf(9 / math.sqrt(var)), rtol=1e-12)
    assert int(mk.trend) == 1
    assert float(mk.tau) == 1.0


def test_mann_kendall_ties_hand_computed():
    # [2, 1, 1, 3]: pairs (i<j): 2>1,2>1,2<3, 1=1,1<3, 1<3 -> S = -1 -1 +1 +0 +1 +1 = 1.
    # One tie group of size 2: Var = [4*3*13 - 2*1*9]/18 = (156 - 18)/18.
    mk = mann_kendall([2.0, 1.0, 1.0, 3.0])
    assert float(mk.s) == 1
    np.testing.assert_allclose(float(mk.var_s), (156 - 18) / 18, rtol=1e-12)
    assert float(mk.z) == 0.0  # continuity correction: (1 - 1)/sd
    assert float(mk.p) == 1.0
    assert int(mk.trend) == 0


def test_mann_kendall_matches_scipy_kendalltau():
    rng = np.random.default_rng(42)
    series = np.round(rng.normal(0, 1, (200, 24)).cumsum(axis=1), 1)  # rounding makes ties
    series[:5] = 3.0  # constant rows: S = 0, Var = 0
    mk = mann_kendall(series)
    steps = np.arange(24)
    n0 = 24 * 23 / 2
    for i in range(5, 200):
        row = series[i]
        res = stats.kendalltau(steps, row, method="asymptotic")
        _, counts = np.unique(row, return_counts=True)
        ties = float((counts * (counts - 1) / 2).sum())
        # S = tau_b * sqrt(n0 (n0 - ties in y)), no ties in time.
        np.testing.assert_allclose(mk.s[i], res.statistic * math.sqrt(n0 * (n0 - ties)),
                                   atol=1e-7)
        # scipy's asymptotic p uses the same tie-corrected variance, without continuity
        # correction: p = 2 P(Z > |S| / sqrt(Var S)).
        np.testing.assert_allclose(two_sided_p(mk.s[i] / math.sqrt(mk.var_s[i])), res.pvalue,
                                   rtol=1e-6, atol=1e-12)
    assert (mk.s[:5] == 0).all() and (mk.p[:5] == 1).all() and (mk.trend[:5] == 0).all()


def test_mann_kendall_decreasing_and_shapes():
    mk = mann_kendall(np.arange(12.0)[::-1])
    assert int(mk.trend) == -1 and float(mk.z) < -1.96
    many = mann_kendall(np.zeros((3, 4, 6)) + np.arange(6.0))
    assert many.s.shape == (3, 4) and (many.trend == 1).all()


@pytest.mark.parametrize("bad", [[1.0], [[1.0, np.nan, 2.0]], 5.0])
def test_mann_kendall_rejects_bad_series(bad):
    with pytest.raises(ParameterError, match="mann_kendall"):
        mann_kendall(bad)
