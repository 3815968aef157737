"""The placebo test: calibrated on untreated places, finds a planted fall, p-value by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.evaluation.placebo import MIN_PLACEBOS
from hotspots.evaluation.placebo import placebo_test


def test_p_value_by_hand():
    before = np.array([10.0] * 19)
    after = np.array([10.0] * 18 + [2.0])  # one placebo place fell as far as the target
    test = placebo_test(10, 2, before, after, trend=1.0)
    # every place had 10 before: the fit expects their mean after, 182/19, for the target
    assert test.expected_after == pytest.approx(182 / 19)
    # the fallen place's residual is as far below as the target's, and a little further
    # (its own count is in the fit, the target's is not), so it ranks below the target
    assert test.placebo[-1] < test.statistic < 0 < test.placebo[0]
    assert test.n == 19 and test.p_fall == pytest.approx(2 / 20)
    assert test.p_rise == pytest.approx(19 / 20)
    assert placebo_test(10, 2, before[:MIN_PLACEBOS - 1], after[:MIN_PLACEBOS - 1],
                        trend=1.0) is None
    with pytest.raises(ParameterError, match="trend"):
        placebo_test(10, 2, before, after, trend=0.0)


def test_untreated_random_targets_give_uniform_p_values():
    rng = np.random.default_rng(4)
    small = 0
    runs = 300
    for _ in range(runs):
        rate = rng.gamma(1.5, 6.0, 400)
        before, after = rng.poisson(rate), rng.poisson(rate)
        i = rng.integers(400)
        others = np.delete(np.arange(400), i)
        test = placebo_test(before[i], after[i], before[others], after[others], trend=1.0)
        small += test.p_fall <= 0.05
    assert small / runs <= 0.07


def test_a_planted_fall_is_found_and_rtm_is_shown():
    rng = np.random.default_rng(9)
    rate = rng.gamma(1.0, 10.0, 500)
    before, after = rng.poisson(rate), rng.poisson(rate)
    i = int(np.argmax(before))
    planted = rng.binomial(after[i], 0.5)
    others = np.delete(np.arange(500), i)
    test = placebo_test(before[i], planted, before[others], after[others], trend=1.0)
    assert test.p_fall <= 0.05
    # the placebo places, as busy as the target, "fell" too with no scheme
    assert np.median(test.placebo_res) > 1.0
    assert test.target_res_rtm < test.target_res
    assert "Placebo test: 99 untreated places" in test.sentence()
