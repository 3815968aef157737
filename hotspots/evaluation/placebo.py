"""The placebo test: the same evaluation on untreated places chosen by the same rule.

A scheme's place was usually chosen because it was busy, and a busy place tends to be
quieter next year anyway (regression to the mean). So the target's change is judged against
the changes of the :data:`PLACEBO_PLACES` untreated places whose before-period count was
nearest the target's (places as busy as the target was; :mod:`hotspots.evaluation.places`).

What regression to the mean does to a place with ``b`` crimes before is measured on the
untreated places themselves, by regressing their after counts on their before counts
(analysis of covariance, the remedy for regression to the mean recommended by Barnett, van der
Pols & Dobson 2005, *Int. J. Epidemiology* 34:215-220; under the gamma-Poisson model of
:mod:`hotspots.evaluation.rtm` the expected after count given ``b`` is exactly linear in
``b``). The fit is weighted least squares with variance proportional to the mean
(quasi-Poisson, dispersion ``phi`` from the weighted residuals). Every place, and the target,
then gets a studentised residual: its after count minus the count the fit expects for its
before count, over the standard deviation of that difference, which includes the fit's own
uncertainty at that before count (the leverage), so a target busier than every place is not
judged on an extrapolation taken as exact. Negative is a fall beyond what the untreated places
show. The one-sided permutation p-value of a fall is ``(1 + #{placebo t <= target t}) / (1 + n)``
(the +1 as in Phipson & Smyth 2010, *Stat. Appl. Genet. Mol. Biol.* 9(1)); that of a rise uses
``>=``. The placebo places' ordinary relative effect sizes against the control's trend,
``(before + 0.5) · trend / (after + 0.5)``, show how large a "fall" regression to the mean alone
produces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hotspots.errors import ParameterError
from hotspots.evaluation.measures import CONTINUITY

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
        The target's studentised residual (see module notes; negative: a fall).
    placebo : ndarray
        The placebo places' studentised residuals.
    placebo_res : ndarray
        Their ordinary relative effect sizes against the control's trend.
    target_res : float
        The target's ordinary RES against the same trend.
    target_res_rtm : float
        The after count expected for the target's before count over the count seen (with
        0.5 added to each): the RES once regression to the mean is allowed for.
    expected_after : float
        That expected count.
    p_fall, p_rise : float
        One-sided permutation p-values.
    index : ndarray of int
        The comparable places used.
    fit : dict
        ``intercept``, ``slope`` and ``dispersion`` of the after-on-before regression, and
        the number of places it was fitted to.
    trend : float
    rule : str
    """

    statistic: float
    placebo: np.ndarray
    placebo_res: np.ndarray
    target_res: float
    target_res_rtm: float
    expected_after: float
    p_fall: float
    p_rise: float
    index: np.ndarray
    fit: dict[str, float]
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
            f"one at least as large as the target's {self.target_res:.2f}. Untreated places "
            f"with the target's before count would expect {self.expected_after:,.1f} crimes "
            f"after the start against the {self.expected_after / self.target_res_rtm:,.0f} "
            f"seen (RES allowing for regression to the mean {self.target_res_rtm:.2f}); "
            f"permutation p-value of a fall {self.p_fall:.2f} (the smallest possible with "
            f"{self.n} places is {1 / (self.n + 1):.2f})."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_placebos": self.n, "statistic": self.statistic, "p_fall": self.p_fall,
            "p_rise": self.p_rise, "target_res": self.target_res,
            "target_res_rtm": self.target_res_rtm, "expected_after": self.expected_after,
            "placebo_res_median": float(np.median(self.placebo_res)) if self.n else None,
            "placebo_res_quantiles": ({q: float(np.quantile(self.placebo_res, q))
                                       for q in (0.05, 0.5, 0.95)} if self.n else None),
            "share_as_large": self.share_as_large, "trend": self.trend,
            "regression": dict(self.fit), "rule": self.rule,
        }


_FLOOR = 0.5  # smallest expected count used as a variance (a place with no crime is not exact)


def _regression(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted least squares of after on before, variance proportional to the mean.

    Returns the coefficients, (X'WX)^-1 and the dispersion.
    """
    x = np.column_stack([np.ones(before.size), before])
    weights = np.full(before.size, 1.0 / max(float(after.mean()), _FLOOR))
    for _ in range(4):
        xw = x * weights[:, None]
        inverse = np.linalg.pinv(x.T @ xw)
        beta = inverse @ (xw.T @ after)
        weights = 1.0 / np.maximum(x @ beta, _FLOOR)
    xw = x * weights[:, None]
    inverse = np.linalg.pinv(x.T @ xw)
    beta = inverse @ (xw.T @ after)
    resid = after - x @ beta
    dof = max(before.size - 2, 1)
    dispersion = max(float((weights * resid * resid).sum()) / dof, 1e-9)
    return beta, inverse, dispersion


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
        ``Ca / Cb``, the control area's change (> 0), for the ordinary RES shown beside.
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
    beta, inverse, phi = _regression(before, after)
    x = np.column_stack([np.ones(before.size), before])
    fitted = np.maximum(x @ beta, _FLOOR)
    leverage = np.einsum("ij,jk,ik->i", x, inverse, x) / fitted
    t_places = (after - x @ beta) / np.sqrt(phi * fitted * np.clip(1.0 - leverage, 1e-6, None))
    x_t = np.array([1.0, float(target_before)])
    expected = float(x_t @ beta)
    variance = phi * (max(expected, _FLOOR) + float(x_t @ inverse @ x_t))
    t_target = (float(target_after) - expected) / math.sqrt(variance)
    distance = np.abs(np.log(before + CONTINUITY) - math.log(target_before + CONTINUITY))
    index = np.argsort(distance, kind="stable")[:n]
    chosen = t_places[index]
    k = chosen.size
    p_fall = (1 + int((chosen <= t_target + 1e-12).sum())) / (1 + k)
    p_rise = (1 + int((chosen >= t_target - 1e-12).sum())) / (1 + k)
    res = (before[index] + CONTINUITY) * trend / (after[index] + CONTINUITY)
    target_res = (target_before + CONTINUITY) * trend / (target_after + CONTINUITY)
    expected_after = max(expected, 0.0)
    rule = PLACEBO_RULE.replace(f"the {PLACEBO_PLACES} ", f"the {k} ")
    return PlaceboTest(statistic=t_target, placebo=chosen, placebo_res=res,
                       target_res=float(target_res),
                       target_res_rtm=(expected_after + CONTINUITY) / (target_after + CONTINUITY),
                       expected_after=expected_after, p_fall=p_fall, p_rise=p_rise, index=index,
                       fit={"intercept": float(beta[0]), "slope": float(beta[1]),
                            "dispersion": phi, "n_places": int(before.size)},
                       trend=float(trend), rule=rule)
