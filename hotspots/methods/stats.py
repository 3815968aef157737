"""Small statistical helpers shared by the hotspot methods: normal p-values, FDR, top-k cuts.

Both functions are NaN-safe: a NaN in gives a NaN out in the same place, and NaNs do not
count as tests in the false discovery rate correction (cells outside the study area are
NaN on a grid, and must not dilute the correction).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from hotspots.errors import ParameterError

__all__ = ["two_sided_p", "benjamini_hochberg", "kth_largest"]


def two_sided_p(z: ArrayLike) -> np.ndarray:
    """Return two-sided p-values ``2 * P(Z > |z|)`` for standard normal scores.

    Parameters
    ----------
    z : array-like
        Standard normal scores, any shape. NaN gives NaN.

    Returns
    -------
    numpy.ndarray
        p-values in [0, 1], same shape as ``z``, computed with the survival function so
        that very large ``|z|`` keeps its precision (no ``1 - cdf`` cancellation).

    Examples
    --------
    >>> two_sided_p([0.0, 1.959964, -2.575829]).round(4).tolist()
    [1.0, 0.05, 0.01]
    """
    z = np.asarray(z, dtype=float)
    return np.minimum(2.0 * stats.norm.sf(np.abs(z)), 1.0)


def benjamini_hochberg(p: ArrayLike) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p-values (q-values), ignoring NaNs.

    For the ``m`` finite p-values sorted ascending, the adjusted value of the i-th is
    ``min over k >= i of p_(k) * m / k``, capped at 1 (Benjamini & Hochberg 1995, the
    step-up procedure written as adjusted p-values; the same as R's
    ``p.adjust(method="BH")``). The adjustment is
    :func:`scipy.stats.false_discovery_control`; this function adds the NaN handling and
    an error that says what is wrong. Rejecting
    where the adjusted value is below ``alpha`` controls the false discovery rate at
    ``alpha`` for independent or positively dependent tests.

    Parameters
    ----------
    p : array-like
        p-values in [0, 1], any shape. NaN marks "not a test" and stays NaN.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape as ``p``.

    Raises
    ------
    ParameterError
        If a finite value lies outside [0, 1].

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.005, float("nan")]).round(12).tolist()
    [0.02, 0.04, 0.04, 0.02, nan]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    tests = ~np.isnan(p)
    values = p[tests]
    bad = (values < 0) | (values > 1) | ~np.isfinite(values)
    if bad.any():
        raise ParameterError(
            "benjamini_hochberg needs p-values in [0, 1] (or NaN for 'not a test'); got "
            f"{int(bad.sum())} value(s) outside, e.g. {values[bad][0]!r}."
        )
    if values.size:
        out[tests] = stats.false_discovery_control(values, method="bh")
    return out


#: Rankings longer than this find their cut-off among the values above a guess from a sample
#: of about ``CUT_SAMPLE`` values (:func:`kth_largest`); shorter ones partition them all.
SAMPLED_CUT_ABOVE, CUT_SAMPLE = 200_000, 50_000


def kth_largest(score: np.ndarray, k: int) -> float:
    """The ``k``-th largest value of ``score`` (no NaN), exactly, fast for long rankings.

    A guess ``g`` (a high value of a regular sample) serves when at least ``k`` values are
    >= ``g``: every value >= the answer is then among them, and if fewer than ``k`` are
    above ``g``, the answer is ``g`` itself. Otherwise all are partitioned.

    Examples
    --------
    >>> values = np.random.default_rng(0).random(300_000)
    >>> kth_largest(values, 3000) == np.sort(values)[-3000]
    np.True_
    """
    n = score.size
    if n > SAMPLED_CUT_ABOVE and 0 < k < n // 20:
        sample = score[::n // CUT_SAMPLE]
        m = sample.size
        j = min(m, 2 * math.ceil(k * m / n) + 10)
        guess = np.partition(sample, m - j)[m - j]
        top = score[score >= guess]
        if top.size >= k:
            if int(np.count_nonzero(top > guess)) < k:  # fewer than k above, k at least:
                return float(guess)  # the guess is the answer (a long tie, e.g. of zeros)
            return float(np.partition(top, top.size - k)[top.size - k])
    return float(np.partition(score, n - k)[n - k])
