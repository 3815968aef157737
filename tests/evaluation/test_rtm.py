"""Empirical Bayes against regression to the mean: worked example and simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.evaluation.rtm import EmpiricalBayes
from hotspots.evaluation.rtm import fit_reference


def test_eb_formula_by_hand():
    eb = EmpiricalBayes(mean=12.0, k=3.0, n_places=40)
    w = 3.0 / 15.0
    assert eb.weight == pytest.approx(w)
    assert eb.estimate(40) == pytest.approx(w * 12 + (1 - w) * 40)
    assert "weight 0.20 on the mean" in eb.statement(40)
    # no extra-Poisson differences: a busy count is all chance
    assert EmpiricalBayes(mean=12.0, k=math.inf, n_places=40).estimate(40) == 12.0
    with pytest.raises(ParameterError):
        fit_reference([1, -1, 3])


def test_fit_recovers_a_negative_binomial():
    rng = np.random.default_rng(0)
    mu, k = 15.0, 2.0
    counts = rng.negative_binomial(k, k / (k + mu), 20_000)
    eb = fit_reference(counts)
    assert eb.mean == pytest.approx(mu, rel=0.03)
    assert eb.k == pytest.approx(k, rel=0.1)


@pytest.mark.parametrize("shape", [0.7, 3.0, 10.0])
def test_eb_predicts_next_year_for_places_chosen_for_being_busy(shape):
    """Places picked as the top 5% of one year regress next year; EB predicts by how much."""
    rng = np.random.default_rng(11)
    rate = rng.gamma(shape, 10 / shape, 5_000)
    year1, year2 = rng.poisson(rate), rng.poisson(rate)
    busy = year1 >= np.quantile(year1, 0.95)
    eb = fit_reference(year1)
    raw, corrected, truth = year1[busy].mean(), eb.estimates(year1[busy]).mean(), year2[
        busy].mean()
    # regression to the mean: the busy places' first year overstates their second, the more
    # so the more alike places are; EB takes out at least 80% of the overstatement
    assert raw - truth > 0.04 * truth
    assert abs(corrected - truth) < 0.2 * (raw - truth)
    assert corrected == pytest.approx(truth, rel=0.03)
    # the gamma posterior's draws have the EB estimate as mean
    draws = eb.sample_rate(float(year1[busy][0]), 20_000, rng)
    assert draws.mean() == pytest.approx(eb.estimate(year1[busy][0]), rel=0.02)
