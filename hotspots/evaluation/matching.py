"""Matched comparison areas: untreated places whose crime before the start was like the target's.

From the comparable places (:mod:`hotspots.evaluation.places`) the :data:`MATCHED_PLACES`
places closest to the target in the months before the start are chosen, on two features:

* **level**: ``log(1 + mean crimes per month)``;
* **trend**: the least-squares slope of the monthly counts, divided by ``mean + 0.5``
  (relative change per month).

Each feature is divided by its standard deviation over the places, the trend is given half the
weight of the level (:data:`TREND_WEIGHT`), and places are ranked by the Euclidean distance to
the target (nearest-neighbour matching on standardised features, e.g. Stuart 2010,
*Statistical Science* 25(1), "Matching methods for causal inference"). The
matched places are pooled into one comparison. Because they are chosen for being as busy as
the target was, they share its regression to the mean, which a comparison with the rest of
the area does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hotspots.errors import ParameterError

__all__ = ["MATCHED_PLACES", "MATCHING_RULE", "MatchedComparison", "match_places",
           "level_and_trend", "TREND_WEIGHT"]

#: Places pooled into the matched comparison: ten nearest neighbours (a choice of the
#: hotspots developers: enough to steady the comparison's trend, few enough to stay close to
#: the target's level; the matched places' level and trend are reported beside the target's).
MATCHED_PLACES = 10
#: Weight of the standardised trend against the level: a slope from a year of monthly counts
#: is noisy, and the level decides how much regression to the mean a place shares with the
#: target, so the level counts double (a choice of the hotspots developers).
TREND_WEIGHT = 0.5
#: The rule, in words.
MATCHING_RULE = (f"the {MATCHED_PLACES} places nearest the target in before-period level "
                 "(log of 1 + crimes per month) and trend (slope per month / mean, half "
                 "weight), each scaled by its spread over all places")


def level_and_trend(monthly: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Level and relative trend of each row of monthly counts (see module notes).

    Examples
    --------
    >>> level, trend = level_and_trend([[2, 2, 2, 2], [1, 2, 3, 4]])
    >>> level.round(3).tolist(), trend.round(3).tolist()
    ([1.099, 1.253], [0.0, 0.333])
    """
    counts = np.atleast_2d(np.asarray(monthly, dtype=float))
    mean = counts.mean(axis=1)
    t = np.arange(counts.shape[1], dtype=float)
    t -= t.mean()
    denom = float((t * t).sum())
    slope = counts @ t / denom if denom > 0 else np.zeros(counts.shape[0])
    return np.log1p(mean), slope / (mean + 0.5)


@dataclass(frozen=True)
class MatchedComparison:
    """The matched places and how well they match.

    Attributes
    ----------
    index : ndarray of int
        Rows of the comparable places chosen, nearest first.
    target_level, target_trend : float
        The target's crimes per month and relative trend per month, before the start.
    matched_level, matched_trend : float
        The same, averaged over the matched places.
    rule : str
    """

    index: np.ndarray
    target_level: float
    target_trend: float
    matched_level: float
    matched_trend: float
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {"n_places": int(self.index.size), "target_per_month": self.target_level,
                "target_trend_per_month": self.target_trend,
                "matched_per_month": self.matched_level,
                "matched_trend_per_month": self.matched_trend, "rule": self.rule}

    def balance(self) -> str:
        """One sentence comparing target and matched places before the start."""
        return (f"Before the start the target had {self.target_level:.1f} crimes a month "
                f"(trend {self.target_trend:+.1%} a month); the {self.index.size} matched places "
                f"{self.matched_level:.1f} each (trend {self.matched_trend:+.1%} a month).")


def match_places(target_before: ArrayLike, places_before: ArrayLike, *,
                 n: int = MATCHED_PLACES) -> MatchedComparison:
    """Choose the ``n`` places nearest the target before the start (module notes).

    Parameters
    ----------
    target_before : array of shape (M,)
        The target's crimes per month before the start.
    places_before : array of shape (P, M)
        Each comparable place's crimes per month before the start.
    n : int
        Places to choose (all of them when there are fewer).

    Examples
    --------
    >>> places = [[0, 0, 1, 0], [9, 10, 11, 10], [5, 5, 5, 5], [10, 9, 10, 11]]
    >>> match_places([10, 10, 10, 10], places, n=2).index.tolist()
    [1, 3]
    """
    target = np.asarray(target_before, dtype=float)
    places = np.atleast_2d(np.asarray(places_before, dtype=float))
    if places.size == 0 or places.shape[1] != target.size:
        raise ParameterError(
            "match_places needs one row of monthly counts per place, as many months as "
            f"the target's ({target.size}); got {places.shape}."
        )
    if not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError(f"The 'n' parameter of match_places must be >= 1, got {n!r}.")
    level, trend = level_and_trend(np.vstack([target[None, :], places]))
    scale_level = level.std() or 1.0
    scale_trend = trend.std() or 1.0
    distance = np.hypot((level[1:] - level[0]) / scale_level,
                        TREND_WEIGHT * (trend[1:] - trend[0]) / scale_trend)
    index = np.argsort(distance, kind="stable")[:n]
    chosen = places[index]
    _, chosen_trend = level_and_trend(chosen)
    return MatchedComparison(
        index=index, target_level=float(target.mean()), target_trend=float(trend[0]),
        matched_level=float(chosen.mean()), matched_trend=float(chosen_trend.mean()),
        rule=MATCHING_RULE.replace(f"the {MATCHED_PLACES} ", f"the {index.size} "),
    )
