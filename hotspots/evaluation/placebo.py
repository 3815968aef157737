"""The placebo test: the same evaluation on untreated places chosen by the same rule.

A scheme's place was usually chosen because it was busy, and a busy place tends to be
quieter next year anyway (regression to the mean). So the target's change is judged against
the changes of the :data:`PLACEBO_PLACES` untreated places whose before-period count was
nearest the target's (places as busy as the target was; :mod:`hotspots.evaluation.places`).

The statistic is the same for the target and every placebo place: the log of the after-period
count expected without a scheme over the count seen,

    S = log( (trend · EB(before) + 0.5) / (after + 0.5) ),

where ``trend = Ca / Cb`` is the control area's change and ``EB(before)`` the empirical Bayes
estimate of the place's expected count given its before count
(:mod:`hotspots.evaluation.rtm`, fitted to every comparable place and the target). Positive
``S`` is a fall beyond the trend and beyond regression to the mean. The one-sided permutation
p-value of a fall is ``(1 + #{placebo S >= target S}) / (1 + n)`` (e.g. Phipson & Smyth 2010,
*Stat. Appl. Genet. Mol. Biol.* 9(1), for the +1); that of a rise uses ``<=``. The placebo
places' ordinary relative effect sizes, ``(before + 0.5) · trend / (after + 0.5)``, show how
large a "fall" regression to the mean alone produces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hotspots.errors import ParameterError
from hotspots.evaluation.measures import CONTINUITY
from hotspots.evaluation.rtm import EmpiricalBayes
from hotspots.evaluation.rtm import fit_reference

__all__ = ["PLACEBO_PLACES", "MIN_PLACEBOS", "PLACEBO_RULE", "PlaceboTest", "placebo_test"]

#: Placebo places: 99, so the smallest p-value is 0.01 (the usual choice for Monte Carlo and
#: permutation tests, e.g. 99 or 999 permutations).
PLACEBO_PLACES = 99
#: Fewest placebo places for a test: with 19, a p-value of 0.05 is possible at all.
MIN_PLACEBOS = 19
#: The rule, in words.
PLACEBO_RULE = (f"the {PLACEBO_PLACES} untreated places of the target's shape whose "
                "before-period count was nearest the target's")


@dataclass(frozen=True)
class PlaceboTest:
    """What the placebo test found.

    Attributes
    ----------
    statistic : float
        The target's ``S`` (see module notes).
    placebo : ndarray
        The placebo places' ``S``.
    placebo_res : ndarray
        Their ordinary relative effect sizes against the same trend.
    target_res, target_res_rtm : float
        The target's ordinary RES against the trend, and ``exp(S)``: the RES once regression
        to the mean is allowed for.
    p_fall, p_rise : float
        One-sided permutation p-values.
    index : ndarray of int
        The comparable places used.
    eb : EmpiricalBayes
    trend : float
    rule : str
    """

    statistic: float
    placebo: np.ndarray
    placebo_res: np.ndarray
    target_res: float
    target_res_rtm: float
    p_fall: float
    p_rise: float
    index: np.ndarray
    eb: EmpiricalBayes
    trend: float
    rule: str

    @property
    def n(self) -> int:
        return int(self.placebo.size)

    @property
    def share_as_large(self) -> float:
        """Share of placebo places whose ordinary RES was at least the target's."""
        return float((self.placebo_res >= self.target_res).mean()) if self.n else math.nan

    def sentence(self) -> str:
        """What it means, in one or two sentences."""
        median = float(np.median(self.placebo_res))
        return (
            f"Placebo test: {self.n} untreated places that were as busy as the target before "
            f"the start showed a median relative effect size of {median:.2f} with no scheme "
            f"(regression to the mean and chance); {self.share_as_large:.0%} of them showed "
            f"one at least as large as the target's {self.target_res:.2f}. Allowing for "
            f"regression to the mean, the target's RES is {self.target_res_rtm:.2f}; "
            f"permutation p-value of a fall {self.p_fall:.2f} (the smallest possible with "
            f"{self.n} places is {1 / (self.n + 1):.2f})."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_placebos": self.n, "statistic": self.statistic, "p_fall": self.p_fall,
            "p_rise": self.p_rise, "target_res": self.target_res,
            "target_res_rtm": self.target_res_rtm,
            "placebo_res_median": float(np.median(self.placebo_res)) if self.n else None,
            "placebo_res_quantiles": ({q: float(np.quantile(self.placebo_res, q))
                                       for q in (0.05, 0.5, 0.95)} if self.n else None),
            "share_as_large": self.share_as_large, "trend": self.trend,
            "empirical_bayes": self.eb.to_dict(), "rule": self.rule,
        }


def _statistic(before: np.ndarray, after: np.ndarray, eb: EmpiricalBayes,
               trend: float) -> np.ndarray:
    expected = trend * eb.estimates(before)
    return np.log((expected + CONTINUITY) / (after + CONTINUITY))


def placebo_test(target_before: float, target_after: float, places_before: ArrayLike,
                 places_after: ArrayLike, *, trend: float,
                 n: int = PLACEBO_PLACES) -> PlaceboTest | None:
    """Judge the target's change against places as busy as it was (module notes).

    Parameters
    ----------
    target_before, target_after : float
        The target's counts before and after the start.
    places_before, places_after : array of shape (P,)
        The same for each comparable untreated place.
    trend : float
        ``Ca / Cb``, the control area's change (> 0).
    n : int, default :data:`PLACEBO_PLACES`

    Returns
    -------
    PlaceboTest, or None when fewer than :data:`MIN_PLACEBOS` places are available.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> before = rng.poisson(20, 300); after = rng.poisson(20, 300)
    >>> test = placebo_test(30, 10, before, after, trend=1.0)
    >>> test.n, test.p_fall < 0.05, round(test.target_res, 2)
    (99, True, 2.9)
    """
    before = np.asarray(places_before, dtype=float)
    after = np.asarray(places_after, dtype=float)
    if before.shape != after.shape or before.ndim != 1:
        raise ParameterError("placebo_test needs one before and one after count per place.")
    if not (math.isfinite(trend) and trend > 0):
        raise ParameterError(f"The 'trend' parameter of placebo_test must be > 0, got {trend!r}.")
    if before.size < MIN_PLACEBOS:
        return None
    eb = fit_reference(np.append(before, target_before))
    distance = np.abs(np.log(before + CONTINUITY) - math.log(target_before + CONTINUITY))
    index = np.argsort(distance, kind="stable")[:n]
    s_target = float(_statistic(np.array([target_before]), np.array([target_after]), eb,
                                trend)[0])
    s_places = _statistic(before[index], after[index], eb, trend)
    k = s_places.size
    p_fall = (1 + int((s_places >= s_target - 1e-12).sum())) / (1 + k)
    p_rise = (1 + int((s_places <= s_target + 1e-12).sum())) / (1 + k)
    res = (before[index] + CONTINUITY) * trend / (after[index] + CONTINUITY)
    target_res = (target_before + CONTINUITY) * trend / (target_after + CONTINUITY)
    rule = PLACEBO_RULE.replace(f"the {PLACEBO_PLACES} ", f"the {k} ")
    return PlaceboTest(statistic=s_target, placebo=s_places, placebo_res=res,
                       target_res=float(target_res), target_res_rtm=math.exp(s_target),
                       p_fall=p_fall, p_rise=p_rise, index=index, eb=eb, trend=float(trend),
                       rule=rule)
