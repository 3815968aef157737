"""Regression to the mean: empirical Bayes estimates of a place's expected count.

Places are picked for schemes because they were busy; part of a busy year is chance, and the
next year tends to be quieter with or without a scheme (regression to the mean). The
empirical Bayes (EB) method of road-safety evaluation (Hauer 1997, *Observational before-after
studies in road safety*; Hauer, Harwood, Council & Griffith 2002, Transportation Research
Record 1784, "Estimating safety by the empirical Bayes method: a tutorial") corrects for it:
the counts of comparable places (here: the same shape placed across the study area, and the
place itself) are fitted with a negative binomial distribution of mean ``mu`` and shape ``k``
(``Var = mu + mu²/k``, method of moments), and a place's expected count given its own count
``y`` is

    EB(y) = w · mu + (1 − w) · y,    w = k / (k + mu),

the mean of the gamma posterior ``Gamma(k + y, rate = k/mu + 1)`` of its underlying rate. When
places differ a lot (small ``k``) ``w`` is small and a busy place keeps most of its count;
when they are alike (``k`` large, the counts look like Poisson noise around one rate) a busy
count is mostly chance and ``EB(y)`` is close to ``mu``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hotspots.errors import ParameterError

__all__ = ["EB_SOURCE", "NO_REFERENCE", "EmpiricalBayes", "fit_reference"]

#: The method's source, for statements.
EB_SOURCE = "empirical Bayes (Hauer 1997; Hauer et al. 2002)"


@dataclass(frozen=True)
class EmpiricalBayes:
    """A negative binomial fitted to the counts of comparable places.

    Attributes
    ----------
    mean : float
        ``mu``, their mean count.
    k : float
        Shape; ``inf`` when the counts vary no more than Poisson noise.
    n_places : int
        How many counts it was fitted to.
    """

    mean: float
    k: float
    n_places: int

    @property
    def weight(self) -> float:
        """``w = k / (k + mu)``: the weight of the reference mean in an estimate."""
        if self.mean <= 0:
            return 0.0
        return 1.0 if math.isinf(self.k) else self.k / (self.k + self.mean)

    def estimate(self, count: float) -> float:
        """``EB(count) = w·mu + (1 − w)·count``.

        Examples
        --------
        >>> EmpiricalBayes(mean=10.0, k=10.0, n_places=50).estimate(30)
        20.0
        """
        w = self.weight
        return w * self.mean + (1.0 - w) * float(count)

    def estimates(self, counts: ArrayLike) -> np.ndarray:
        """:meth:`estimate` for an array of counts."""
        w = self.weight
        return w * self.mean + (1.0 - w) * np.asarray(counts, dtype=float)

    def sample_rate(self, count: float, size: int, rng: np.random.Generator) -> np.ndarray:
        """Draws of the place's underlying rate from its gamma posterior.

        With ``k`` infinite the posterior is the reference mean itself; with no reference
        (``n_places`` 0) it is the Jeffreys posterior ``Gamma(count + 0.5, 1)``.
        """
        count = float(count)
        if self.n_places == 0:
            return rng.gamma(count + 0.5, 1.0, size)
        if self.mean <= 0:
            return np.full(size, count)
        if math.isinf(self.k):
            return np.full(size, self.mean)
        return rng.gamma(self.k + count, 1.0 / (self.k / self.mean + 1.0), size)

    def statement(self, count: float, *, what: str = "count") -> str:
        """One sentence: the count, the reference, the weight and the estimate."""
        if self.n_places == 0:
            return f"No comparable places, so the {what} ({count:,.0f}) is used as it is."
        k = "no more than chance" if math.isinf(self.k) else f"shape k = {self.k:.2f}"
        return (
            f"Corrected for regression to the mean by {EB_SOURCE}: the {what} of "
            f"{count:,.0f} is weighed against {self.n_places:,} places of the same shape "
            f"across the study area (mean {self.mean:,.1f}; their differences: {k}); weight "
            f"{self.weight:.2f} on the mean gives {self.estimate(count):,.1f}."
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (``k`` ``None`` when infinite)."""
        return {"mean": self.mean, "k": None if math.isinf(self.k) else self.k,
                "weight": self.weight, "n_places": self.n_places, "method": EB_SOURCE}


#: No reference at all: estimates are the counts themselves.
NO_REFERENCE = EmpiricalBayes(mean=0.0, k=math.inf, n_places=0)


def fit_reference(counts: ArrayLike) -> EmpiricalBayes:
    """Fit ``mu`` and ``k`` to the counts of comparable places by the method of moments.

    ``k = mu² / (s² − mu)`` when the sample variance ``s²`` exceeds the mean, else infinite.

    Examples
    --------
    >>> eb = fit_reference([2, 4, 6, 8, 30])
    >>> round(eb.mean, 1), round(eb.k, 2), round(eb.weight, 3)
    (10.0, 0.83, 0.077)
    >>> fit_reference([5, 5, 5, 5]).k
    inf
    """
    values = np.asarray(counts, dtype=float).ravel()
    if values.size == 0:
        return NO_REFERENCE
    if not np.isfinite(values).all() or (values < 0).any():
        raise ParameterError("fit_reference needs counts that are finite numbers >= 0.")
    mean = float(values.mean())
    var = float(values.var(ddof=1)) if values.size > 1 else 0.0
    k = mean * mean / (var - mean) if var > mean and mean > 0 else math.inf
    return EmpiricalBayes(mean=mean, k=k, n_places=int(values.size))
