"""Difference-in-differences on monthly counts: statsmodels as oracle, coverage by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.evaluation.did import DISPERSION_MIN_DF
from hotspots.evaluation.did import monthly_did
from hotspots.evaluation.did import pearson_dispersion
from hotspots.evaluation.measures import relative_effect_size

sm = pytest.importorskip("statsmodels.api")


def _glm(target, comparison, after):
    """statsmodels' quasi-Poisson GLM with area and month dummies and target x after."""
    k, m = comparison.shape
    y = np.concatenate([target, comparison.ravel()])
    area = np.repeat(np.arange(k + 1), m)
    month = np.tile(np.arange(m), k + 1)
    columns = [np.ones(y.size)]
    columns += [(area == i).astype(float) for i in range(1, k + 1)]
    columns += [(month == j).astype(float) for j in range(1, m)]
    columns.append(((area == 0) & np.tile(after, k + 1)).astype(float))
    return sm.GLM(y, np.column_stack(columns), family=sm.families.Poisson()).fit(scale="X2")


@pytest.mark.parametrize("k", [1, 4])
def test_closed_form_equals_statsmodels_glm(k):
    rng = np.random.default_rng(k)
    m = 24
    after = np.arange(m) >= 12
    season = 1 + 0.3 * np.sin(np.arange(m) / 12 * 2 * np.pi)
    target = rng.poisson(12 * season * np.where(after, 0.7, 1.0))
    comparison = rng.negative_binomial(5, 5 / (5 + 15 * season), size=(k, m))
    fit = _glm(target, comparison, after)
    did = monthly_did(target, comparison, after)
    np.testing.assert_allclose(did.ratio, np.exp(fit.params[-1]), rtol=1e-9)
    np.testing.assert_allclose(did.pearson, fit.scale, rtol=1e-9)
    assert did.df == fit.df_resid
    se = np.log(did.ci[1] / did.ratio) / 1.959963984540054
    np.testing.assert_allclose(se, fit.bse[-1] * np.sqrt(did.dispersion / fit.scale),
                               rtol=1e-9)
    # pooled, the estimate is the 2 x 2 table's: the reciprocal of RES
    c = did.counts
    assert did.res == pytest.approx(relative_effect_size(c["Tb"], c["Ta"], c["Cb"],
                                                         c["Ca"]).res, rel=1e-12)


def test_interval_covers_no_change_about_95_percent_with_overdispersed_months():
    """No effect, monthly counts with variance 2 x mean: the quasi-Poisson interval covers
    the truth about 95% of the time; the Poisson one (D = 1) clearly less."""
    rng = np.random.default_rng(7)
    m, k, runs = 24, 6, 600
    after = np.arange(m) >= 12
    covered, covered_poisson = 0, 0
    for _ in range(runs):
        lam = rng.gamma(20 / 1.0, 1.0, (k + 1, m))  # mean 20, variance 20: D = 2 overall
        counts = rng.poisson(lam)
        did = monthly_did(counts[0], counts[1:], after)
        covered += did.ci[0] <= 1 <= did.ci[1]
        c = did.counts
        plain = relative_effect_size(c["Tb"], c["Ta"], c["Cb"], c["Ca"])
        covered_poisson += plain.ci_low <= 1 <= plain.ci_high
    assert 0.92 <= covered / runs <= 0.98
    assert covered_poisson / runs < 0.90


def test_short_series_use_farrington_and_say_so():
    did = monthly_did([10, 5], [[20, 21]], [False, True])
    assert did.df < DISPERSION_MIN_DF and did.pearson is None
    assert did.dispersion == pytest.approx(0.0008 * 56 + 1.2)
    assert "Farrington" in did.dispersion_rule
    phi, df = pearson_dispersion([10, 12], [[20, 21]])
    assert df == 1 and phi >= 0


def test_zero_counts_are_corrected_and_bad_input_refused():
    did = monthly_did([3, 4, 0, 0], [[10, 11, 9, 10]], [False, False, True, True])
    assert did.corrected and did.ratio == pytest.approx((0.5 / 19.5) / (7.5 / 21.5))
    empty = monthly_did([3, 4, 2, 1], [[0, 0, 0, 0]], [False, False, True, True])
    assert empty.corrected and empty.n_comparison == 0 and "Farrington" in empty.dispersion_rule
    with pytest.raises(ParameterError, match="before and after"):
        monthly_did([1, 2], [[3, 4]], [True, True])
    with pytest.raises(ParameterError, match="shapes"):
        monthly_did([1, 2, 3], [[3, 4]], [False, True, True])
    with pytest.raises(ParameterError, match=">= 0"):
        monthly_did([1, -2], [[3, 4]], [False, True])
