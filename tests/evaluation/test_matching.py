"""Matched comparison: planted look-alikes are chosen first."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.evaluation.matching import level_and_trend
from hotspots.evaluation.matching import match_places


def test_planted_look_alikes_are_matched():
    rng = np.random.default_rng(2)
    months = np.arange(12)
    target = 30 + 3.0 * months  # busy and rising
    quiet = rng.poisson(4, (200, 12))
    busy_flat = rng.poisson(np.full((20, 12), target.mean()))  # as busy, but flat
    alike = rng.poisson(30 + 3.0 * months, (8, 12))
    places = np.vstack([quiet, busy_flat, alike])
    chosen = match_places(target, places, n=8)
    assert set(chosen.index) == set(range(220, 228))
    assert chosen.matched_level == pytest.approx(target.mean(), rel=0.1)
    assert chosen.matched_trend == pytest.approx(chosen.target_trend, abs=0.02)
    assert "matched places" in chosen.balance()


def test_level_and_trend_by_hand():
    level, trend = level_and_trend([[3, 5, 7]])
    assert level[0] == pytest.approx(np.log(6.0))
    assert trend[0] == pytest.approx(2.0 / 5.5)
    with pytest.raises(ParameterError):
        match_places([1, 2, 3], [[1, 2]], n=1)
