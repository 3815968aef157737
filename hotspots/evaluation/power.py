"""Statistical power of a before/after evaluation, and months needed after the start.

The evaluation tests the log relative effect size, ``ln RES = ln(Tb·Ca/(Ta·Cb))``, against 0
with a normal approximation and variance ``D·(1/Tb + 1/Ta + 1/Cb + 1/Ca)``
(:mod:`hotspots.evaluation.did`). For a planned scheme the counts are their expectations:
the target's monthly rate ``r_T`` (corrected for regression to the mean), the comparison's
``r_C``, ``m_b`` months before and ``m_a`` after, and an effect ``e`` (proportional fall):

    Tb = r_T·m_b,  Ta = r_T·(1 − e)·m_a,  Cb = r_C·m_b,  Ca = r_C·m_a,
    power = Phi(|ln(1 − e)|/se − z) + Phi(−|ln(1 − e)|/se − z),   z = Phi^-1(1 − alpha/2).

This is the power of the difference-in-differences test alone; the verdict also asks the
placebo test to agree (:mod:`hotspots.evaluation.verdict`), so the figure is an upper bound.
``tests/evaluation/test_power.py`` checks it by simulation and, with a very large comparison,
against statsmodels' ``power_poisson_ratio_2indep``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from hotspots.errors import ParameterError

__all__ = ["TARGET_POWER", "MAX_MONTHS_AFTER", "design_power", "months_needed",
           "detectable_effect", "EvaluationPlan"]

#: Power the evaluation plan aims for (the usual 80%, Cohen 1988).
TARGET_POWER = 0.8
#: Longest after-period considered, months (five years: longer than any funding round).
MAX_MONTHS_AFTER = 60
_ALPHA = 0.05


def _check(value: Any, name: str, *, low: float, high: float = math.inf,
           open_low: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    ok = math.isfinite(number) and (number > low if open_low else number >= low) and (
        number <= high)
    if not ok:
        bound = f"> {low:g}" if open_low else f">= {low:g}"
        raise ParameterError(f"The '{name}' parameter must be a number {bound}"
                             f"{'' if math.isinf(high) else f' and <= {high:g}'}, got {value!r}.")
    return number


def design_power(*, target_per_month: float, comparison_per_month: float,
                 months_before: int, months_after: int, effect: float,
                 dispersion: float = 1.0, alpha: float = _ALPHA) -> float:
    """Power to detect a fall of ``effect`` (module notes).

    Examples
    --------
    >>> round(design_power(target_per_month=10, comparison_per_month=100, months_before=12,
    ...                    months_after=12, effect=0.3), 3)
    0.674
    """
    r_t = _check(target_per_month, "target_per_month", low=0, open_low=True)
    r_c = _check(comparison_per_month, "comparison_per_month", low=0, open_low=True)
    m_b = _check(months_before, "months_before", low=1)
    m_a = _check(months_after, "months_after", low=1)
    e = _check(effect, "effect", low=0, high=0.999)
    d = _check(dispersion, "dispersion", low=0, open_low=True)
    if e == 0:
        return alpha
    se = math.sqrt(d * (1 / (r_t * m_b) + 1 / (r_t * (1 - e) * m_a) + 1 / (r_c * m_b)
                        + 1 / (r_c * m_a)))
    z = stats.norm.ppf(1 - alpha / 2)
    shift = abs(math.log(1 - e)) / se
    return float(stats.norm.cdf(shift - z) + stats.norm.cdf(-shift - z))


def months_needed(*, target_per_month: float, comparison_per_month: float,
                  months_before: int, effect: float, dispersion: float = 1.0,
                  power: float = TARGET_POWER,
                  max_months: int = MAX_MONTHS_AFTER) -> int | None:
    """Fewest months after the start with at least ``power``; None beyond ``max_months``.

    Examples
    --------
    >>> months_needed(target_per_month=10, comparison_per_month=100, months_before=12,
    ...               effect=0.3)
    22
    """
    for m in range(1, int(max_months) + 1):
        if design_power(target_per_month=target_per_month,
                        comparison_per_month=comparison_per_month, months_before=months_before,
                        months_after=m, effect=effect, dispersion=dispersion) >= power:
            return m
    return None


def detectable_effect(*, target_per_month: float, comparison_per_month: float,
                      months_before: int, months_after: int, dispersion: float = 1.0,
                      power: float = TARGET_POWER) -> float | None:
    """Smallest fall detectable with ``power`` (a fraction), or None if even 99% is not.

    Examples
    --------
    >>> round(detectable_effect(target_per_month=10, comparison_per_month=100,
    ...                         months_before=12, months_after=12), 3)
    0.344
    """
    def gives(e: float) -> float:
        return design_power(target_per_month=target_per_month,
                            comparison_per_month=comparison_per_month,
                            months_before=months_before, months_after=months_after,
                            effect=e, dispersion=dispersion)

    if gives(0.99) < power:
        return None
    low, high = 0.0, 0.99
    for _ in range(60):
        mid = (low + high) / 2
        if gives(mid) >= power:
            high = mid
        else:
            low = mid
    return high


@dataclass
class EvaluationPlan:
    """How long an evaluation must run to detect the expected effect.

    Attributes
    ----------
    effect : float
        The expected fall (e.g. the catalogue's combined effect).
    target_per_month, comparison_per_month : float
        Expected crimes per month without the scheme (target corrected for regression to
        the mean), and in the comparison.
    months_before : int
    dispersion : float
        Overdispersion factor used, with ``dispersion_rule`` saying how it was found.
    months_needed : int or None
        Fewest months after the start for :data:`TARGET_POWER` power (None: more than
        :data:`MAX_MONTHS_AFTER`).
    power_12 : float
        Power with 12 months after the start.
    comparison : str
        Which comparison the figures assume.
    notes : list of str
    """

    effect: float
    target_per_month: float
    comparison_per_month: float
    months_before: int
    dispersion: float
    dispersion_rule: str
    months_needed: int | None
    power_12: float
    comparison: str
    notes: list[str]

    def sentence(self) -> str:
        """The plan in one or two sentences."""
        lead = (f"To detect the expected fall of {self.effect:.0%} with "
                f"{TARGET_POWER:.0%} power (two-sided 5% test, {self.comparison}, "
                f"{self.months_before} months before, overdispersion factor "
                f"{self.dispersion:.2f}, about {self.target_per_month:.1f} crimes a month "
                "expected in the target without the scheme), ")
        if self.months_needed is None:
            return (lead + f"more than {MAX_MONTHS_AFTER} months after the start would be "
                    f"needed (power with 12 months: {self.power_12:.0%}). Use more months "
                    "before the start, widen the crime types or the area, or plan a different "
                    "evaluation.")
        return (lead + f"the evaluation needs {self.months_needed} months of data after the "
                f"start (power with 12 months: {self.power_12:.0%}).")

    def to_dict(self) -> dict[str, Any]:
        return {"effect": self.effect, "target_per_month": self.target_per_month,
                "comparison_per_month": self.comparison_per_month,
                "months_before": self.months_before, "dispersion": self.dispersion,
                "dispersion_rule": self.dispersion_rule, "months_needed": self.months_needed,
                "power_12_months": self.power_12, "target_power": TARGET_POWER,
                "comparison": self.comparison, "notes": list(self.notes)}
