"""Power of the evaluation: statsmodels as the oracle, and simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from hotspots.errors import ParameterError
from hotspots.evaluation.power import design_power
from hotspots.evaluation.power import detectable_effect
from hotspots.evaluation.power import months_needed


@pytest.mark.parametrize("dispersion", [1.0, 2.0])
def test_large_comparison_equals_statsmodels_two_rate_power(dispersion):
    rates = pytest.importorskip("statsmodels.stats.rates")
    ours = design_power(target_per_month=10, comparison_per_month=1e9, months_before=12,
                        months_after=12, effect=0.3, dispersion=dispersion)
    oracle = rates.power_poisson_ratio_2indep(
        rate1=7, rate2=10, nobs1=12, nobs_ratio=1, value=1, alpha=0.05,
        dispersion=dispersion, alternative="two-sided", method_var="alt",
        return_results=False)
    assert ours == pytest.approx(oracle, abs=1e-6)


@pytest.mark.parametrize(("dispersion", "months_after"), [(1.0, 6), (2.5, 12)])
def test_power_matches_simulation(dispersion, months_after):
    rng = np.random.default_rng(21)
    r_t, r_c, m_b, e, runs = 8.0, 40.0, 12, 0.3, 4000
    expected = design_power(target_per_month=r_t, comparison_per_month=r_c, months_before=m_b,
                            months_after=months_after, effect=e, dispersion=dispersion)

    def counts(mean: float, months: int) -> np.ndarray:
        # monthly counts with variance dispersion x mean (gamma-Poisson), summed
        lam = rng.gamma(mean / (dispersion - 1), dispersion - 1, (runs, months)) if (
            dispersion > 1) else np.full((runs, months), mean)
        return rng.poisson(lam).sum(axis=1).astype(float)

    tb, ta = counts(r_t, m_b), counts(r_t * (1 - e), months_after)
    cb, ca = counts(r_c, m_b), counts(r_c, months_after)
    ok = (tb > 0) & (ta > 0)
    z = np.log(tb * ca / (ta * cb))[ok] / np.sqrt(dispersion * (1 / tb + 1 / ta + 1 / cb
                                                                  + 1 / ca)[ok])
    simulated = float((np.abs(z) > stats.norm.ppf(0.975)).mean())
    assert simulated == pytest.approx(expected, abs=0.03)


def test_months_needed_and_detectable_effect_are_consistent():
    kw = dict(target_per_month=12, comparison_per_month=60, months_before=12, dispersion=1.4)
    m = months_needed(effect=0.3, **kw)
    assert design_power(months_after=m, effect=0.3, **kw) >= 0.8
    assert design_power(months_after=m - 1, effect=0.3, **kw) < 0.8
    assert months_needed(effect=0.02, **kw) is None
    # the before period limits what any after period can show
    few = dict(kw, target_per_month=6)
    assert months_needed(effect=0.3, **few) is None
    e = detectable_effect(months_after=12, **kw)
    assert design_power(months_after=12, effect=e, **kw) == pytest.approx(0.8, abs=1e-6)
    assert design_power(months_after=12, effect=0.0, **kw) == pytest.approx(0.05)
    with pytest.raises(ParameterError, match="'effect'"):
        design_power(months_after=12, effect=1.5, **kw)
