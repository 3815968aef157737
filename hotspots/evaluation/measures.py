"""The measures of a before/after evaluation, from six counts: RES with its CI, WDQ, net effect.

Crime in the target area T (where the scheme works) is compared with a control area C (like
T, untouched by the scheme) and a buffer ring B around T (where crime might be displaced to,
or benefits spill over), before (b) and after (a) the start:

- relative effect size ``RES = (Tb·Ca) / (Ta·Cb)``, with
  ``Var(ln RES) = 1/Tb + 1/Ta + 1/Cb + 1/Ca`` and 95% CI ``exp(ln RES ± 1.96·sqrt(Var))``
  (the odds-ratio form used in Campbell Collaboration reviews, e.g. Welsh & Farrington
  2008). RES > 1 means the target improved relative to the control: crime there changed
  by ``1/RES − 1`` relative to the control;
- weighted displacement quotient ``WDQ = (Ba/Ca − Bb/Cb) / (Ta/Ca − Tb/Cb)`` (Bowers &
  Johnson 2003, Journal of Quantitative Criminology 19(3)): read only when the target
  improved (``Ta/Ca − Tb/Cb < 0``); above 0 the buffer improved too (diffusion of
  benefits), below 0 crime moved to the buffer (displacement), below −1 more moved than
  the target gained;
- total net effect ``[Tb(Ca/Cb) − Ta] + [Bb(Ca/Cb) − Ba]``: crimes prevented in target and
  buffer together, against what the control's trend predicts (negative: more crime).

Overdispersion: monthly crime counts vary more than a Poisson process (Nottingham ward x month
burglary: Pearson chi2/df 1.37), so ``Var(ln RES)`` is multiplied by a dispersion factor
``D >= 1`` (``dispersion``): estimated from the monthly series by
:func:`hotspots.evaluation.did.monthly_did`, or Farrington et al.'s (2007) rule
:func:`farrington_dispersion` when the series is too short.

Zero counts: when a count the formula divides by (or takes the log of) is 0, 0.5 is added to
every count (the Haldane-Anscombe correction used for odds ratios, :data:`CONTINUITY`), the
measure is computed on the corrected counts and a note says so. Only when the correction is
switched off (``continuity=0``) does a zero count make a measure undefined; the functions then
say which count and why instead of returning inf or NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import Any
from typing import NamedTuple

from hotspots.errors import ParameterError
from hotspots.validation import Problems
from hotspots.validation import float_param

__all__ = [
    "Z_95",
    "CONTINUITY",
    "FARRINGTON_RULE",
    "WDQ_BANDS",
    "COUNT_MEANINGS",
    "EffectSize",
    "EffectMeasures",
    "relative_effect_size",
    "weighted_displacement_quotient",
    "total_net_effect",
    "effect_measures",
    "farrington_dispersion",
    "corrected_counts",
]

#: Two-sided 95% standard normal quantile, for the confidence interval of ln RES.
Z_95 = 1.959963984540054
#: Added to every count when one of them is 0: the Haldane (1956) / Anscombe (1956) correction
#: of a 2x2 table's log odds ratio (the Cochrane Handbook's default for zero cells), so RES,
#: its interval, WDQ and net effect stay defined and finite.
CONTINUITY = 0.5
#: Farrington, Gill, Waples & Argomaniz (2007), J. Experimental Criminology 3:21-38: the variance
#: of ln RES is multiplied by D = 0.0008 N + 1.2, N the number of crimes. Here N is taken as the
#: four counts' total (Tb + Ta + Cb + Ca); the exact definition of N could not be checked
#: against the paper offline, so hotspots uses it only when the monthly series is too short to
#: estimate the dispersion itself (see hotspots.evaluation.did).
FARRINGTON_RULE = "D = 0.0008 N + 1.2, N = Tb + Ta + Cb + Ca (Farrington et al. 2007)"
#: How the weighted displacement quotient reads (Bowers & Johnson 2003, Table 1), once the
#: target has improved relative to the control.
WDQ_BANDS: tuple[tuple[str, str], ...] = (
    ("WDQ > 1", "diffusion of benefits larger than the direct effect in the target"),
    ("0 < WDQ <= 1", "diffusion of benefits: the buffer improved too, relative to the control"),
    ("WDQ = 0", "no displacement and no diffusion of benefits"),
    ("-1 <= WDQ < 0", "some displacement to the buffer, smaller than the reduction in the "
                      "target: a net benefit"),
    ("WDQ < -1", "displacement to the buffer larger than the reduction in the target: a net "
                 "loss"),
)
#: What each count is, for messages.
COUNT_MEANINGS: dict[str, str] = {
    "Tb": "crimes in the target before the start",
    "Ta": "crimes in the target after the start",
    "Bb": "crimes in the buffer before the start",
    "Ba": "crimes in the buffer after the start",
    "Cb": "crimes in the control before the start",
    "Ca": "crimes in the control after the start",
}


class EffectSize(NamedTuple):
    """A relative effect size and its 95% confidence interval."""

    res: float
    ci_low: float
    ci_high: float


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _counts(func: str, counts: Mapping[str, Any]) -> dict[str, float]:
    """The counts as floats; every one that is not a number >= 0 is reported at once."""
    problems = Problems(func)
    out: dict[str, float] = {}
    for name, value in counts.items():
        try:
            number = float_param(value, name=name, func=func, allow_none=False, low=-math.inf)
        except ParameterError:
            number = math.nan
        if not number >= 0:
            problems.add(f"the '{name}' count ({COUNT_MEANINGS[name]}) must be a number >= 0, "
                         f"got {value!r}.")
        out[name] = number
    problems.raise_if_any()
    return out


def _check_factor(value: Any, *, name: str, func: str, low: float) -> float:
    """``value`` as a finite float >= ``low`` (``low`` > 0: strictly above 0)."""
    try:
        number = float_param(value, name=name, func=func, allow_none=False, low=-math.inf)
    except ParameterError:
        number = math.nan
    if not number >= low:
        allowed = "a number >= 0" if low <= 0 else "a number > 0"
        raise ParameterError(f"The '{name}' parameter of {func} must be {allowed}, "
                             f"got {value!r}.")
    return number


def corrected_counts(counts: Mapping[str, float], needed: Sequence[str], *,
                     continuity: float = CONTINUITY) -> tuple[dict[str, float], str]:
    """``counts`` with ``continuity`` added to every one when any of ``needed`` is 0.

    Returns the counts to use and a note ("" when nothing was added).

    Examples
    --------
    >>> corrected_counts({"Tb": 10.0, "Ta": 0.0, "Cb": 8.0, "Ca": 9.0}, ("Ta", "Cb"))[0]
    {'Tb': 10.5, 'Ta': 0.5, 'Cb': 8.5, 'Ca': 9.5}
    """
    zero = [n for n in needed if counts[n] == 0]
    if not zero or continuity <= 0:
        return dict(counts), ""
    fixed = {k: v + continuity for k, v in counts.items()}
    listed = ", ".join(f"{n} = 0 (no {COUNT_MEANINGS[n]})" for n in zero)
    note = (f"{listed}: {continuity:g} was added to every count (the Haldane-Anscombe "
            "continuity correction) so that the measures stay defined; with counts this "
            "small the evaluation is weak.")
    return fixed, note


def _zeros(counts: dict[str, float], names: Sequence[str]) -> str:
    zero = [n for n in names if counts[n] == 0]
    return ", ".join(f"{n} = 0 (no {COUNT_MEANINGS[n]})" for n in zero)


def _res_problem(c: dict[str, float]) -> str | None:
    if c["Ta"] == 0 or c["Cb"] == 0:
        return (
            "the relative effect size RES = (Tb·Ca)/(Ta·Cb) is undefined because "
            f"{_zeros(c, ('Ta', 'Cb'))}: it would divide by zero."
        )
    if c["Tb"] == 0 or c["Ca"] == 0:
        return (
            f"the relative effect size would be 0 because {_zeros(c, ('Tb', 'Ca'))}, and its "
            "confidence interval (from ln RES) is undefined. Counts this small cannot support "
            "an evaluation: widen the areas, the periods or the crime types."
        )
    return None


def _wdq_problem(c: dict[str, float]) -> str | None:
    if c["Cb"] == 0 or c["Ca"] == 0:
        return (
            f"the weighted displacement quotient is undefined because {_zeros(c, ('Cb', 'Ca'))}: "
            "it divides by the control's counts. Choose a larger control area."
        )
    if math.isclose(c["Ta"] * c["Cb"], c["Tb"] * c["Ca"], rel_tol=1e-12, abs_tol=0.0):
        return (
            "the weighted displacement quotient is undefined because the target changed "
            f"exactly as the control did (Ta/Ca = Tb/Cb = {c['Tb'] / c['Cb']:.3g}): there is "
            "no effect in the target to weigh the buffer's change against."
        )
    return None


def _displacement_terms(c: dict[str, float]) -> tuple[float, float]:
    """The WDQ's denominator and numerator: ``Ta/Ca − Tb/Cb`` and ``Ba/Ca − Bb/Cb``."""
    return c["Ta"] / c["Ca"] - c["Tb"] / c["Cb"], c["Ba"] / c["Ca"] - c["Bb"] / c["Cb"]


def _res(c: dict[str, float], dispersion: float) -> EffectSize:
    res = (c["Tb"] * c["Ca"]) / (c["Ta"] * c["Cb"])
    se = math.sqrt(dispersion * (1 / c["Tb"] + 1 / c["Ta"] + 1 / c["Cb"] + 1 / c["Ca"]))
    log_res = math.log(res)
    return EffectSize(res, math.exp(log_res - Z_95 * se), math.exp(log_res + Z_95 * se))


def farrington_dispersion(total: float) -> float:
    """Farrington et al.'s (2007) dispersion factor for ``total`` crimes: ``0.0008 N + 1.2``.

    See :data:`FARRINGTON_RULE` for the reading of N used here.

    Examples
    --------
    >>> round(farrington_dispersion(1000), 3)
    2.0
    """
    return 0.0008 * float(total) + 1.2


def relative_effect_size(Tb: float, Ta: float, Cb: float, Ca: float, *,
                         dispersion: float = 1.0,
                         continuity: float = CONTINUITY) -> EffectSize:
    """Relative effect size ``RES = (Tb·Ca)/(Ta·Cb)`` and its 95% confidence interval.

    ``Var(ln RES) = D·(1/Tb + 1/Ta + 1/Cb + 1/Ca)``; the interval is
    ``exp(ln RES ± 1.96·sqrt(Var))``. RES > 1 means crime in the target fell relative to
    the control (by ``1 − 1/RES``); an interval entirely above 1 is a significant fall.

    Parameters
    ----------
    Tb, Ta : float
        Crimes in the target before and after the start.
    Cb, Ca : float
        Crimes in the control before and after the start.
    dispersion : float, default 1
        ``D``, the overdispersion factor (1: Poisson counts). See the module notes.
    continuity : float, default :data:`CONTINUITY` (0.5)
        Added to every count when one is 0; 0 switches the correction off.

    Returns
    -------
    EffectSize
        ``(res, ci_low, ci_high)``.

    Raises
    ------
    ParameterError
        If a count is negative or not a number, or (with ``continuity=0``) RES is
        undefined: ``Ta`` or ``Cb`` is 0, or ``Tb`` or ``Ca`` is 0. The message names the
        zero count.

    Examples
    --------
    >>> r = relative_effect_size(100, 50, 100, 100)
    >>> round(r.res, 3), round(r.ci_low, 3), round(r.ci_high, 3)
    (2.0, 1.29, 3.1)
    >>> round(relative_effect_size(100, 50, 100, 100, dispersion=2).ci_low, 3)
    1.076
    >>> round(relative_effect_size(10, 0, 10, 10).res, 1)  # 10.5 * 10.5 / (0.5 * 10.5)
    21.0
    """
    func = "relative_effect_size"
    c = _counts(func, {"Tb": Tb, "Ta": Ta, "Cb": Cb, "Ca": Ca})
    dispersion = _check_factor(dispersion, name="dispersion", func=func, low=1e-9)
    continuity = _check_factor(continuity, name="continuity", func=func, low=0.0)
    c, _ = corrected_counts(c, ("Tb", "Ta", "Cb", "Ca"), continuity=continuity)
    problem = _res_problem(c)
    if problem:
        raise ParameterError(_sentence(problem))
    return _res(c, dispersion)


def weighted_displacement_quotient(
    Tb: float, Ta: float, Bb: float, Ba: float, Cb: float, Ca: float, *,
    continuity: float = CONTINUITY,
) -> float:
    """Weighted displacement quotient ``(Ba/Ca − Bb/Cb) / (Ta/Ca − Tb/Cb)``.

    Bowers & Johnson (2003). The denominator (the "success measure") is negative when the
    target improved relative to the control; only then does the WDQ mean anything. Read it
    with :data:`WDQ_BANDS`: above 0 diffusion of benefits, below 0 displacement, below −1
    displacement larger than the target's gain. A zero control count gets the continuity
    correction (:data:`CONTINUITY`).

    Raises
    ------
    ParameterError
        If a count is negative, the target changed exactly as the control did (the
        denominator is 0), or (``continuity=0``) the control has a zero count.

    Examples
    --------
    The worked check: target halves, buffer rises by half, control flat.

    >>> weighted_displacement_quotient(100, 50, 100, 150, 100, 100)
    -1.0
    """
    func = "weighted_displacement_quotient"
    c = _counts(func, {"Tb": Tb, "Ta": Ta, "Bb": Bb, "Ba": Ba, "Cb": Cb, "Ca": Ca})
    continuity = _check_factor(continuity, name="continuity", func=func, low=0.0)
    c, _ = corrected_counts(c, ("Cb", "Ca"), continuity=continuity)
    problem = _wdq_problem(c)
    if problem:
        raise ParameterError(_sentence(problem))
    success_measure, buffer_measure = _displacement_terms(c)
    return buffer_measure / success_measure


def total_net_effect(Tb: float, Ta: float, Bb: float, Ba: float, Cb: float, Ca: float, *,
                     continuity: float = CONTINUITY) -> float:
    """Crimes prevented in target and buffer: ``[Tb(Ca/Cb) − Ta] + [Bb(Ca/Cb) − Ba]``.

    The first bracket is the target's gain against the control's trend, the second the
    buffer's (negative when crime was displaced there). A negative total means more crime
    than the control's trend predicts. ``Cb = 0`` gets the continuity correction.

    Raises
    ------
    ParameterError
        If a count is negative or (``continuity=0``) ``Cb`` is 0.

    Examples
    --------
    >>> total_net_effect(100, 50, 100, 150, 100, 100)
    0.0
    >>> total_net_effect(100, 60, 50, 50, 100, 120)
    70.0
    """
    func = "total_net_effect"
    c = _counts(func, {"Tb": Tb, "Ta": Ta, "Bb": Bb, "Ba": Ba, "Cb": Cb, "Ca": Ca})
    continuity = _check_factor(continuity, name="continuity", func=func, low=0.0)
    c, _ = corrected_counts(c, ("Cb",), continuity=continuity)
    if c["Cb"] == 0:
        raise ParameterError(
            "The total net effect is undefined because Cb = 0 (no crimes in the control before "
            "the start): there is no control trend Ca/Cb to project with. Choose a larger "
            "control area."
        )
    trend = c["Ca"] / c["Cb"]
    return (c["Tb"] * trend - c["Ta"]) + (c["Bb"] * trend - c["Ba"])


def _wdq_meaning(wdq: float) -> str:
    if wdq > 1:
        return WDQ_BANDS[0][1]
    if wdq > 0:
        return WDQ_BANDS[1][1]
    if wdq == 0:
        return WDQ_BANDS[2][1]
    if wdq >= -1:
        return WDQ_BANDS[3][1]
    return WDQ_BANDS[4][1]


@dataclass
class EffectMeasures:
    """Every measure of one set of counts; an undefined one is None and ``notes`` say why.

    Attributes
    ----------
    res, res_ci : float, (float, float) or None
        Relative effect size and its 95% confidence interval (widened by ``dispersion``).
    relative_change : float or None
        Change in the target relative to the control, ``1/RES − 1`` (−0.45: fell 45%).
    significant : bool or None
        True when the 95% interval excludes 1. (The evaluation's verdict, which also needs
        the placebo test, is :attr:`hotspots.evaluation.before_after.EvaluationResult.verdict`.)
    success_measure, buffer_measure : float or None
        ``Ta/Ca − Tb/Cb`` and ``Ba/Ca − Bb/Cb``, the WDQ's denominator and numerator.
    wdq : float or None
        Weighted displacement quotient (only when the target improved).
    wdq_meaning : str
        How to read it (:data:`WDQ_BANDS`), or why it is not meaningful.
    net_effect : float or None
        Total net effect (crimes prevented in target and buffer; negative: more crime).
    dispersion : float
        The factor ``D`` the variance of ln RES was multiplied by.
    corrected : bool
        True when the continuity correction was applied.
    notes : list of str
        Why a measure is undefined, and the correction applied.
    """

    res: float | None = None
    res_ci: tuple[float, float] | None = None
    relative_change: float | None = None
    significant: bool | None = None
    success_measure: float | None = None
    buffer_measure: float | None = None
    wdq: float | None = None
    wdq_meaning: str = ""
    net_effect: float | None = None
    dispersion: float = 1.0
    corrected: bool = False
    notes: list[str] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """The measures by name (every attribute but ``notes``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "notes"}


def effect_measures(counts: Mapping[str, float], *, dispersion: float = 1.0,
                    continuity: float = CONTINUITY) -> EffectMeasures:
    """RES with its interval, WDQ and net effect of ``counts`` (``Tb, Ta, Bb, Ba, Cb, Ca``).

    A zero count gets the continuity correction (0.5 added to all six counts, noted); with
    ``continuity=0`` a measure that a zero count makes undefined is None, with the reason in
    ``notes``. This never raises for zero counts.

    Examples
    --------
    >>> m = effect_measures({"Tb": 100, "Ta": 50, "Bb": 100, "Ba": 150, "Cb": 100, "Ca": 100})
    >>> round(m.res, 2), m.wdq, m.net_effect, m.significant
    (2.0, -1.0, 0.0, True)
    >>> zero = effect_measures({"Tb": 10, "Ta": 0, "Bb": 5, "Ba": 5, "Cb": 10, "Ca": 10})
    >>> round(zero.res, 1), zero.corrected, zero.notes[0][:28]
    (21.0, True, 'Ta = 0 (no crimes in the tar')
    """
    func = "effect_measures"
    c = _counts(func, counts)
    dispersion = _check_factor(dispersion, name="dispersion", func=func, low=1e-9)
    continuity = _check_factor(continuity, name="continuity", func=func, low=0.0)
    out = EffectMeasures(dispersion=dispersion)
    c, note = corrected_counts(c, tuple(c), continuity=continuity)
    if note:
        out.corrected = True
        out.notes.append(note)
    problem = _res_problem(c)
    if problem:
        out.notes.append(_sentence(problem))
    else:
        effect = _res(c, dispersion)
        out.res = effect.res
        out.res_ci = (effect.ci_low, effect.ci_high)
        out.relative_change = 1.0 / effect.res - 1.0
        out.significant = not (effect.ci_low <= 1.0 <= effect.ci_high)
    problem = _wdq_problem(c)
    if problem:
        out.notes.append(_sentence(problem))
        out.wdq_meaning = _sentence(problem)
    else:
        out.success_measure, out.buffer_measure = _displacement_terms(c)
        if out.success_measure < 0:
            out.wdq = out.buffer_measure / out.success_measure
            out.wdq_meaning = _wdq_meaning(out.wdq)
        else:
            out.wdq_meaning = (
                "the target did not improve relative to the control (Ta/Ca − Tb/Cb = "
                f"{out.success_measure:+.3f} is not below 0), so the weighted displacement "
                "quotient is not meaningful (Bowers & Johnson 2003)."
            )
            out.notes.append(_sentence(out.wdq_meaning))
    if c["Cb"] == 0:
        out.notes.append(
            "The total net effect is undefined because Cb = 0 (no crimes in the control before "
            "the start)."
        )
    else:
        trend = c["Ca"] / c["Cb"]
        out.net_effect = (c["Tb"] * trend - c["Ta"]) + (c["Bb"] * trend - c["Ba"])
    return out
