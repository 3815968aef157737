"""Difference-in-differences on monthly counts, with the overdispersion estimated from them.

The model is the quasi-Poisson log-linear model of the monthly counts of the target and of
every comparison area,

    log E[y(area, month)] = area effect + month effect + beta · [target and after the start],

with ``Var y = phi · E[y]``. The month effects absorb anything common to all areas (seasons,
a force-wide trend, recording changes), the area effects their levels, so
``exp(beta)`` is the change in the target, after against before, relative to the
comparison: ``(Ta/Ca) / (Tb/Cb)`` (the reciprocal of the relative effect size RES; below 1
the target fell relative to the comparison). Given the month totals the counts are
multinomial, so the maximum likelihood fit has a closed form and ``beta`` and its Poisson
standard error ``sqrt(1/Tb + 1/Ta + 1/Cb + 1/Ca)`` are exactly those of the pooled 2 x 2
table; statsmodels' ``GLM(..., family=Poisson()).fit(scale="X2")`` on the same design gives the
same numbers (``tests/evaluation/test_did.py`` checks it). ``phi`` is Pearson's chi-squared
over its degrees of freedom, ``K·(M − 1) − 1`` for K comparison areas and M months with crime.

The dispersion used for intervals is ``max(1, phi)`` (underdispersion is not credited); with
fewer than :data:`DISPERSION_MIN_DF` degrees of freedom the series cannot estimate it, and
Farrington et al.'s (2007) rule is used instead
(:func:`hotspots.evaluation.measures.farrington_dispersion`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from hotspots.errors import ParameterError
from hotspots.evaluation.measures import CONTINUITY
from hotspots.evaluation.measures import FARRINGTON_RULE
from hotspots.evaluation.measures import Z_95
from hotspots.evaluation.measures import corrected_counts
from hotspots.evaluation.measures import farrington_dispersion

__all__ = ["DISPERSION_MIN_DF", "MonthlyDiD", "monthly_did", "pearson_dispersion"]

#: Fewest degrees of freedom for estimating the dispersion from the monthly series: with 10,
#: the 95% range of a chi-squared / df estimate is about 0.3 to 2.0 (scipy.stats.chi2), the
#: loosest that is still informative; below it Farrington et al.'s rule is used.
DISPERSION_MIN_DF = 10


@dataclass(frozen=True)
class MonthlyDiD:
    """A difference-in-differences estimate on monthly counts.

    Attributes
    ----------
    ratio, ci : float, (float, float)
        ``(Ta/Ca)/(Tb/Cb)`` and its 95% interval (below 1: the target fell relative to the
        comparison). ``res`` and ``res_ci`` give the same as a relative effect size.
    p_value : float
        Two-sided, against no change relative to the comparison.
    pearson : float or None
        Pearson chi-squared / df of the fit (None when df < :data:`DISPERSION_MIN_DF`).
    df : int
        Its degrees of freedom.
    dispersion : float
        The factor the variance was multiplied by.
    dispersion_rule : str
        How ``dispersion`` was chosen, in words.
    n_comparison : int
        Comparison areas with at least one crime.
    counts : dict
        ``Tb, Ta, Cb, Ca`` (comparison areas pooled), as counted.
    corrected : bool
        True when the continuity correction was applied to a zero count.
    """

    ratio: float
    ci: tuple[float, float]
    p_value: float
    pearson: float | None
    df: int
    dispersion: float
    dispersion_rule: str
    n_comparison: int
    counts: dict[str, float]
    corrected: bool

    @property
    def res(self) -> float:
        """The same estimate as a relative effect size, ``1 / ratio``."""
        return 1.0 / self.ratio

    @property
    def res_ci(self) -> tuple[float, float]:
        return 1.0 / self.ci[1], 1.0 / self.ci[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"ratio": self.ratio, "ci": list(self.ci), "res": self.res,
                "res_ci": list(self.res_ci), "p_value": self.p_value, "pearson": self.pearson,
                "df": self.df, "dispersion": self.dispersion,
                "dispersion_rule": self.dispersion_rule, "n_comparison": self.n_comparison,
                "counts": dict(self.counts), "corrected": self.corrected}


def _panel(target: ArrayLike, comparison: ArrayLike, after: ArrayLike
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.asarray(target, dtype=float)
    c = np.asarray(comparison, dtype=float)
    if c.ndim == 1:
        c = c[None, :]
    a = np.asarray(after, dtype=bool)
    if t.ndim != 1 or c.ndim != 2 or c.shape[1] != t.size or a.shape != t.shape:
        raise ParameterError(
            "monthly_did needs 'target' as one count per month, 'comparison' as one row of "
            f"monthly counts per area and 'after' as one flag per month; got shapes {t.shape}, "
            f"{c.shape} and {a.shape}."
        )
    if not (np.isfinite(t).all() and np.isfinite(c).all()) or (t < 0).any() or (c < 0).any():
        raise ParameterError("monthly_did needs counts that are finite numbers >= 0.")
    if a.all() or not a.any():
        raise ParameterError(
            "monthly_did needs months both before and after the start ('after' must have "
            "both True and False)."
        )
    return t, c, a


def pearson_dispersion(target: ArrayLike, comparison: ArrayLike, after: ArrayLike | None = None
                       ) -> tuple[float | None, int]:
    """Pearson chi-squared / df of the model above, and df (``None`` when df < 1).

    Without ``after`` the model has no ``beta`` (for baseline months, e.g. to plan an
    evaluation).

    Examples
    --------
    >>> t = [10, 12, 9, 11]; c = [[20, 22, 21, 19]]
    >>> phi, df = pearson_dispersion(t, c)
    >>> df, round(phi, 3)
    (3, 0.113)
    """
    t = np.asarray(target, dtype=float)
    c = np.asarray(comparison, dtype=float)
    c = c[None, :] if c.ndim == 1 else c
    a = np.zeros(t.size, bool) if after is None else np.asarray(after, dtype=bool)
    c = c[c.sum(axis=1) > 0]
    totals = t + c.sum(axis=0)
    used = totals > 0
    t, c, a, totals = t[used], c[:, used], a[used], totals[used]
    k, m = c.shape[0], t.size
    periods = [p for p in (~a, a) if p.any()]
    df = (k + 1) * m - (m + k + len(periods) - 1)
    if k == 0 or df < 1:
        return None, max(df, 0)
    share_of_comparison = c.sum(axis=1) / c.sum()
    x2 = 0.0
    for period in periods:
        n = totals[period]
        s_t = t[period].sum() / n.sum()
        mu_t = n * s_t
        mu_c = np.outer(share_of_comparison, n * (1 - s_t))
        for y, mu in ((t[period], mu_t), (c[:, period], mu_c)):
            ok = mu > 0
            x2 += float((((y - mu) ** 2)[ok] / mu[ok]).sum())
    return x2 / df, df


def monthly_did(target: ArrayLike, comparison: ArrayLike, after: ArrayLike, *,
                continuity: float = CONTINUITY,
                min_df: int = DISPERSION_MIN_DF) -> MonthlyDiD:
    """Difference-in-differences of ``target`` against ``comparison`` (module notes).

    Parameters
    ----------
    target : array of shape (M,)
        Crimes per month in the target.
    comparison : array of shape (K, M) or (M,)
        Crimes per month in each comparison area.
    after : array of bool, shape (M,)
        Which months are after the start.
    continuity : float, default 0.5
        Added to the pooled counts when one is 0 (noted by ``corrected``).
    min_df : int, default :data:`DISPERSION_MIN_DF`

    Examples
    --------
    >>> t = [10, 12, 9, 11, 5, 6, 4, 6]
    >>> c = [[20, 22, 21, 19, 20, 21, 22, 19], [15, 14, 16, 15, 14, 15, 16, 15]]
    >>> after = [False] * 4 + [True] * 4
    >>> d = monthly_did(t, c, after)
    >>> round(d.ratio, 3), d.df, d.dispersion
    (0.5, 13, 1.0)
    """
    t, c, a = _panel(target, comparison, after)
    counts = {"Tb": float(t[~a].sum()), "Ta": float(t[a].sum()),
              "Cb": float(c[:, ~a].sum()), "Ca": float(c[:, a].sum())}
    used, note = corrected_counts(counts, tuple(counts), continuity=continuity)
    if any(v == 0 for v in used.values()):
        raise ParameterError(f"monthly_did: a zero count with no correction ({counts}).")
    phi, df = pearson_dispersion(t, c, a)
    if phi is not None and df >= min_df:
        dispersion = max(1.0, phi)
        rule = (f"max(1, Pearson chi2/df) from the monthly series = {dispersion:.2f} "
                f"(chi2/df {phi:.2f} on {df} df)")
    else:
        phi = None
        dispersion = farrington_dispersion(sum(counts.values()))
        rule = (f"{FARRINGTON_RULE} = {dispersion:.2f}: too few months ({df} df) to estimate "
                "the dispersion from the series")
    log_ratio = math.log((used["Ta"] / used["Ca"]) / (used["Tb"] / used["Cb"]))
    se = math.sqrt(dispersion * sum(1.0 / v for v in used.values()))
    p = float(2 * stats.norm.sf(abs(log_ratio) / se))
    ci = (math.exp(log_ratio - Z_95 * se), math.exp(log_ratio + Z_95 * se))
    n_comparison = int((c.sum(axis=1) > 0).sum())
    return MonthlyDiD(ratio=math.exp(log_ratio), ci=ci, p_value=p, pearson=phi, df=df,
                      dispersion=dispersion, dispersion_rule=rule, n_comparison=n_comparison,
                      counts=counts, corrected=bool(note))
