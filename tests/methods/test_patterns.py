"""Tests for hotspots.methods.patterns: the Esri emerging hot spot rules, planted bin series."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.methods.patterns import PATTERN_RULES
from hotspots.methods.patterns import PATTERNS
from hotspots.methods.patterns import classify_patterns

CODE = {name: code for code, name in PATTERNS.items()}


# --------------------------------------------------------------------------- pattern rules

T10 = 10  # 90% of 10 steps = 9 steps
HOT_CASES = [
    # (bins, trend, expected pattern)
    ([0] * 9 + [1], 0, "New Hot Spot"),
    ([-1, -1] + [0] * 7 + [1], 0, "New Hot Spot"),  # cold history: new wins (precedence)
    ([0] * 6 + [1] * 4, 1, "Consecutive Hot Spot"),
    ([0] * 8 + [1] * 2, 0, "Consecutive Hot Spot"),
    ([0, 0] + [1] * 8, 1, "Consecutive Hot Spot"),  # 80% < 90%: still consecutive
    ([0] + [1] * 9, 1, "Intensifying Hot Spot"),  # exactly 90%
    ([1] * 10, 1, "Intensifying Hot Spot"),
    ([1] * 10, 0, "Persistent Hot Spot"),
    ([1, 1, 0] + [1] * 7, 0, "Persistent Hot Spot"),
    ([1] * 10, -1, "Diminishing Hot Spot"),
    ([1, 0] + [1] * 8, -1, "Diminishing Hot Spot"),
    ([1, 0, 1, 0, 0, 0, 1, 0, 0, 1], 0, "Sporadic Hot Spot"),
    ([1] + [0] * 7 + [1, 1], 1, "Sporadic Hot Spot"),  # hot before the final run
    ([1, 1, 0, 1, 1, 0, 1, 1, 0, 1], 0, "Sporadic Hot Spot"),  # 70% hot
    ([-1, 0, 1, 0, 0, 0, 0, 0, 0, 1], 0, "Oscillating Hot Spot"),
    ([1, -1, 0, 0, 0, 0, 0, 0, 1, 1], 0, "Oscillating Hot Spot"),
    ([1] * 9 + [0], 0, "Historical Hot Spot"),
    ([1] * 9 + [0], 1, "Historical Hot Spot"),  # rising but not hot now: historical
    ([0] + [1] * 8 + [0], 0, "No Pattern Detected"),  # 80% and not hot now
    ([1] + [0] * 9, 0, "No Pattern Detected"),
    ([0] * 10, 0, "No Pattern Detected"),
    ([0] * 10, 1, "No Pattern Detected"),
]


@pytest.mark.parametrize(("bins", "trend", "expected"), HOT_CASES)
def test_hot_patterns_planted(bins, trend, expected):
    assert len(bins) == T10
    code = classify_patterns([bins], [trend])[0]
    assert PATTERNS[int(code)] == expected


@pytest.mark.parametrize(("bins", "trend", "expected"), HOT_CASES)
def test_cold_patterns_mirror_hot(bins, trend, expected):
    code = classify_patterns([[-b for b in bins]], [-trend])[0]
    assert int(code) == -CODE[expected]
    assert PATTERNS[int(code)] == expected.replace("Hot", "Cold")


def test_final_step_decides_the_family():
    # Hot in 9 of 10 steps, cold in the final one: a (new) cold spot, not historical hot.
    assert PATTERNS[int(classify_patterns([[1] * 9 + [-1]], [0])[0])] == "New Cold Spot"
    # Cold nearly always, hot now: a hot pattern (new, as never hot before).
    assert PATTERNS[int(classify_patterns([[-1] * 9 + [1]], [0])[0])] == "New Hot Spot"


def test_patterns_vectorised_and_gi_bins_accepted():
    bins = np.array([case[0] for case in HOT_CASES]) * 3  # Gi bins ±3 work like ±1
    trend = np.array([case[1] for case in HOT_CASES])
    codes = classify_patterns(bins, trend)
    assert [PATTERNS[int(c)] for c in codes] == [case[2] for case in HOT_CASES]


def test_ninety_percent_threshold_with_twenty_steps():
    # 18 of 20 = 90%: persistent; 17 of 20 = 85%: sporadic.
    assert PATTERNS[int(classify_patterns([[0, 0] + [1] * 18], [0])[0])] == "Persistent Hot Spot"
    assert PATTERNS[int(classify_patterns([[1, 0, 0, 0] + [1] * 16], [0])[0])] == (
        "Sporadic Hot Spot"
    )


def test_classify_patterns_checks_shapes():
    with pytest.raises(ParameterError, match="bins"):
        classify_patterns([1, 0, 1], [0])
    with pytest.raises(ParameterError, match="trend"):
        classify_patterns([[1, 0, 1]], [0, 1])


def test_pattern_rules_are_written_down():
    for code in range(0, 9):
        assert PATTERNS[code] in PATTERN_RULES
    assert "90%" in PATTERN_RULES["Persistent Hot Spot"]
    assert "0.10" in PATTERN_RULES["Significance"]
