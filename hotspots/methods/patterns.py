"""Esri's Emerging Hot Spot Analysis patterns: one class per cell from its hot/cold series.

Each cell comes with a series of per-step results (hot, cold or neither) and the
Mann–Kendall trend of its Gi* z-scores; :func:`classify_patterns` gives it one of the
patterns below (:data:`PATTERNS`), with the rule written out in :data:`PATTERN_RULES`.

Pattern rules (hot; cold mirrors them with "cold" for "hot"; T = number of steps; a cell
is "≥ 90%" when it is hot in at least 90% of the T steps):

* New hot spot: hot in the final step, never hot before.
* Consecutive hot spot: a single uninterrupted run of ≥ 2 hot steps ending in the final
  step, never hot before that run, hot in < 90% of steps.
* Intensifying hot spot: hot in ≥ 90% of steps including the final one, and a significant
  increasing Mann–Kendall trend in its Gi* z-scores.
* Persistent hot spot: hot in ≥ 90% of steps including the final one, no significant trend.
* Diminishing hot spot: hot in ≥ 90% of steps including the final one, and a significant
  decreasing trend.
* Sporadic hot spot: hot in the final step, hot before the final run of hot steps (on
  again, off again), < 90% hot, never cold.
* Oscillating hot spot: hot in the final step, cold in some earlier step, < 90% hot, and
  neither new nor consecutive.
* Historical hot spot: not hot in the final step, but hot in ≥ 90% of steps.
* No pattern detected: none of the above, hot or cold.

Edge cases, resolved the same way every time:

1. The final step decides the family: a cell hot in the final step gets a hot pattern, one
   cold in the final step a cold pattern. Otherwise a cell hot (cold) in ≥ 90% of steps is
   a historical hot (cold) spot.
2. Persistent requires the final step to be hot. Esri's wording does not say; a cell hot
   in ≥ 90% of steps but not in the final one is historical here, the more specific
   pattern (the place has cooled off, which is what a planner needs to know).
3. Within the hot family the first rule that applies wins, in the order new, consecutive,
   (intensifying, persistent, diminishing when ≥ 90%), oscillating, sporadic; so a cell
   cold long ago and hot for the first time now is "new", as in R's sfdep.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hotspots.errors import ParameterError
from hotspots.methods.timesteps import MIN_STEPS
from hotspots.validation import float_param

__all__ = ["HOT_SHARE", "PATTERNS", "PATTERN_RULES", "classify_patterns"]

#: Share of steps a cell must be hot in for the "≥ 90%" patterns (intensifying,
#: persistent, diminishing, historical): Esri's Emerging Hot Spot Analysis definitions.
HOT_SHARE = 0.90
#: Pattern codes and names, as in Esri's Emerging Hot Spot Analysis output (CATEGORY).
PATTERNS: dict[int, str] = {
    1: "New Hot Spot",
    2: "Consecutive Hot Spot",
    3: "Intensifying Hot Spot",
    4: "Persistent Hot Spot",
    5: "Diminishing Hot Spot",
    6: "Sporadic Hot Spot",
    7: "Oscillating Hot Spot",
    8: "Historical Hot Spot",
    0: "No Pattern Detected",
    -1: "New Cold Spot",
    -2: "Consecutive Cold Spot",
    -3: "Intensifying Cold Spot",
    -4: "Persistent Cold Spot",
    -5: "Diminishing Cold Spot",
    -6: "Sporadic Cold Spot",
    -7: "Oscillating Cold Spot",
    -8: "Historical Cold Spot",
}
#: The rule behind each hot pattern, written into every output (cold mirrors hot).
PATTERN_RULES: dict[str, str] = {
    "New Hot Spot": "hot in the final step; never hot before",
    "Consecutive Hot Spot": (
        "a single uninterrupted run of at least 2 hot steps ending in the final step; never "
        "hot before that run; hot in less than 90% of steps"
    ),
    "Intensifying Hot Spot": (
        "hot in at least 90% of steps including the final one; significant increasing "
        "Mann-Kendall trend in the Gi* z-scores"
    ),
    "Persistent Hot Spot": (
        "hot in at least 90% of steps including the final one; no significant trend"
    ),
    "Diminishing Hot Spot": (
        "hot in at least 90% of steps including the final one; significant decreasing trend"
    ),
    "Sporadic Hot Spot": (
        "hot in the final step; also hot before the final run of hot steps (on-again, "
        "off-again); hot in less than 90% of steps; never cold"
    ),
    "Oscillating Hot Spot": (
        "hot in the final step; cold in some earlier step; hot in less than 90% of steps; "
        "not new or consecutive"
    ),
    "Historical Hot Spot": "not hot in the final step; hot in at least 90% of steps",
    "No Pattern Detected": "none of the hot or cold patterns",
    "Cold spots": "the same rules with cold in place of hot and decreasing for increasing",
    "Precedence": (
        "the final step decides the family (hot in the final step: a hot pattern; cold: a "
        "cold pattern; neither: historical if hot or cold in at least 90% of steps); within "
        "a family the first rule that applies wins: new, consecutive, intensifying / "
        "persistent / diminishing, oscillating, sporadic"
    ),
    "Significance": (
        "a step is hot (cold) where Gi* z > 0 (< 0) and the Benjamini-Hochberg adjusted "
        "p-value of that step is below 0.10 (90% confidence); p-values from the exact "
        "randomization law of the step's neighbour sums (see params['p_value']); trends: "
        "Mann-Kendall, two-sided, alpha 0.05"
    ),
}


def _family(
    on: np.ndarray, other: np.ndarray, trend: np.ndarray, hot_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pattern magnitudes 1..8 for one family (``on`` = hot for hot spots), and "mostly on".

    ``trend`` is +1 for a trend towards this family (increasing for hot), -1 away.
    """
    steps = on.shape[1]
    n_on = on.sum(axis=1)
    final = on[:, -1]
    mostly = n_on >= hot_share * steps - 1e-9
    run = np.cumprod(on[:, ::-1], axis=1).sum(axis=1)
    other_before = other[:, :-1].any(axis=1)
    code = np.zeros(on.shape[0], dtype=np.int64)
    # Later assignments only touch cells no earlier rule took, in precedence order.
    rules = (
        (final & (n_on == 1), 1),
        (final & ~mostly & (run >= 2) & (n_on == run), 2),
        (final & mostly & (trend > 0), 3),
        (final & mostly & (trend == 0), 4),
        (final & mostly & (trend < 0), 5),
        (final & ~mostly & other_before, 7),
        (final & ~mostly, 6),
        (~final & mostly, 8),
    )
    for condition, value in rules:
        code[(code == 0) & condition] = value
    return code, mostly


def classify_patterns(
    bins: ArrayLike, trend: ArrayLike, *, hot_share: float = HOT_SHARE
) -> np.ndarray:
    """Return the Esri emerging pattern code of each cell (see :data:`PATTERNS`).

    Parameters
    ----------
    bins : array-like of int, shape (cells, steps)
        Per step: 1 for a significant hot spot, -1 for a cold spot, 0 otherwise (only
        the sign is used, so Gi bins −3..3 work too). Steps in time order.
    trend : array-like of int, shape (cells,)
        Mann–Kendall trend of each cell's Gi* z-scores: 1 increasing, -1 decreasing, 0 none.
    hot_share : float, default HOT_SHARE (0.9)
        Share of steps for the "≥ 90%" patterns.

    Returns
    -------
    numpy.ndarray of int
        Codes 1..8 (new, consecutive, intensifying, persistent, diminishing, sporadic,
        oscillating, historical hot spot), -1..-8 the cold mirrors, 0 no pattern. The
        rules, and how ties between them are broken, are in :data:`PATTERN_RULES` and the
        module docstring.

    Examples
    --------
    >>> bins = [[0, 0, 0, 0, 0, 1],     # hot only in the final step
    ...         [1, 1, 1, 1, 1, 1],     # always hot, rising
    ...         [1, 0, 1, 0, 0, 1],     # on and off, never cold
    ...         [-1, 0, 0, 1, 0, 1]]    # cold once, now hot
    >>> [PATTERNS[c] for c in classify_patterns(bins, [0, 1, 0, 0])]
    ['New Hot Spot', 'Intensifying Hot Spot', 'Sporadic Hot Spot', 'Oscillating Hot Spot']
    """
    b = np.sign(np.asarray(bins))
    if b.ndim != 2 or b.shape[1] < MIN_STEPS:
        raise ParameterError(
            f"classify_patterns needs 'bins' of shape (cells, steps) with at least "
            f"{MIN_STEPS} steps, got shape {b.shape}."
        )
    t = np.sign(np.asarray(trend)).astype(np.int64).ravel()
    if t.shape[0] != b.shape[0]:
        raise ParameterError(
            f"classify_patterns needs one 'trend' per cell: {b.shape[0]} cells, got {t.shape[0]}."
        )
    hot_share = float_param(hot_share, name="hot_share", func="classify_patterns",
                            allow_none=False, high=1.0, closed_high=True)
    hot, cold = b > 0, b < 0
    hot_code, hot_mostly = _family(hot, cold, t, hot_share)
    cold_code, cold_mostly = _family(cold, hot, -t, hot_share)
    code = np.zeros(b.shape[0], dtype=np.int64)
    code[hot[:, -1]] = hot_code[hot[:, -1]]
    code[cold[:, -1]] = -cold_code[cold[:, -1]]
    neither = ~hot[:, -1] & ~cold[:, -1]
    code[neither & hot_mostly] = 8
    code[neither & cold_mostly] = -8
    return code
