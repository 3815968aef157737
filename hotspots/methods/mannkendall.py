"""The Mann–Kendall trend test, vectorised over many series at once.

Emerging hot spot analysis (:mod:`hotspots.methods.emerging`) runs it on every cell's series
of Gi* z-scores: tens of thousands of short series. Written by hand because that is the
point: the statistic of every series comes from one pass per lag over a 2-D array, with
ties counted per row by sorting, instead of a Python loop over series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from hotspots.errors import ParameterError
from hotspots.methods.stats import two_sided_p
from hotspots.validation import float_param

__all__ = ["MK_ALPHA", "MannKendall", "mann_kendall"]

#: Two-sided significance level of the Mann–Kendall trend test, as in Esri's Emerging Hot
#: Spot Analysis.
MK_ALPHA = 0.05


@dataclass(frozen=True)
class MannKendall:
    """Mann–Kendall trend test results, one value per series.

    Attributes
    ----------
    s : numpy.ndarray
        ``S = sum_{i<j} sign(x_j - x_i)``.
    var_s : numpy.ndarray
        ``Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18``, ``t`` the sizes of groups
        of tied values.
    z : numpy.ndarray
        Continuity-corrected ``(S - sign(S)) / sqrt(Var(S))``; 0 where ``S = 0`` or
        ``Var(S) = 0``.
    p : numpy.ndarray
        Two-sided normal p-value of ``z``.
    tau : numpy.ndarray
        Kendall's tau-a, ``S / (n(n-1)/2)``.
    trend : numpy.ndarray of int
        1 (significant increase), -1 (significant decrease) or 0, at ``alpha``.
    """

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray
    trend: np.ndarray


def _tie_term(x: np.ndarray) -> np.ndarray:
    """``sum_t t(t-1)(2t+5)`` over the groups of equal values in each row of ``x``."""
    rows, n = x.shape
    ordered = np.sort(x, axis=1)
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts, axis=1) - 1 + (np.arange(rows) * n)[:, None]
    t = np.bincount(group.ravel(), minlength=rows * n).reshape(rows, n).astype(float)
    return (t * (t - 1.0) * (2.0 * t + 5.0)).sum(axis=1)


def mann_kendall(series: ArrayLike, *, alpha: float = MK_ALPHA) -> MannKendall:
    """Mann–Kendall test for a monotonic trend in each series (last axis is time).

    ``S = sum_{i<j} sign(x_j - x_i)``; ``Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)]/18``
    with ``t`` the size of each group of tied values (Kendall 1975); the continuity
    corrected ``Z = (S - 1)/sqrt(Var S)`` for ``S > 0``, ``(S + 1)/sqrt(Var S)`` for
    ``S < 0`` and 0 for ``S = 0``; two-sided ``p = 2 (1 - Phi(|Z|))`` (Hipel & McLeod 1994;
    the same as R's ``Kendall::MannKendall`` and ``pymannkendall.original_test``).
    ``S`` equals Kendall's tau-b between time and value times
    ``sqrt(n0 (n0 - n_ties))``, which is how it is checked against
    :func:`scipy.stats.kendalltau`.

    Parameters
    ----------
    series : array-like
        One series (1-D) or many (2-D, one per row), equally spaced in time, finite.
    alpha : float, default MK_ALPHA (0.05)
        Significance level for ``trend``.

    Returns
    -------
    MannKendall
        Arrays of shape ``series.shape[:-1]`` (0-d arrays for one series).

    Examples
    --------
    >>> mk = mann_kendall([1.0, 2.3, 2.1, 3.8, 4.0, 5.5])
    >>> int(mk.s), round(float(mk.var_s), 3), round(float(mk.z), 3), round(float(mk.p), 3)
    (13, 28.333, 2.254, 0.024)
    """
    alpha = float_param(alpha, name="alpha", func="mann_kendall", allow_none=False, high=1.0)
    x = np.asarray(series, dtype=float)
    if x.ndim == 0 or x.shape[-1] < 2:
        raise ParameterError(
            f"mann_kendall needs series of at least 2 values along the last axis, got shape "
            f"{x.shape}."
        )
    if not np.isfinite(x).all():
        raise ParameterError("mann_kendall needs finite values; drop or fill NaNs first.")
    shape = x.shape[:-1]
    n = x.shape[-1]
    x2 = x.reshape(-1, n)
    s = np.zeros(x2.shape[0])
    for lag in range(1, n):
        s += np.sign(x2[:, lag:] - x2[:, :-lag]).sum(axis=1)
    var_s = (n * (n - 1) * (2 * n + 5) - _tie_term(x2)) / 18.0
    z = np.zeros_like(s)
    ok = var_s > 0
    z[ok] = (s[ok] - np.sign(s[ok])) / np.sqrt(var_s[ok])
    p = two_sided_p(z)
    tau = s / (n * (n - 1) / 2.0)
    trend = np.where(p < alpha, np.sign(s), 0.0).astype(np.int64)
    return MannKendall(
        s=s.reshape(shape),
        var_s=var_s.reshape(shape),
        z=z.reshape(shape),
        p=p.reshape(shape),
        tau=tau.reshape(shape),
        trend=trend.reshape(shape),
    )
