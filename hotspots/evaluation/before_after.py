"""Observed before/after evaluation of a scheme: target, buffer and control areas.

Once data after a scheme's start exist, crime in the target area T (where the scheme
works) is compared with a control area C (like T, untouched by the scheme) and a buffer
ring B around T (where crime might be displaced to, or benefits spill over), for a period
before (b) and after (a) the start:

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

Zero counts make some measures undefined; the functions say which count and why instead of
returning inf or NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.change import compare_periods
from hotspots.errors import EmptySelectionError, ParameterError
from hotspots.evaluation.areas import ROLES, EvaluationAreas, default_buffer_width, evaluation_areas
from hotspots.months import (
    as_month,
    covered_months,
    data_months,
    missing_months,
    month_label,
    months_between,
    period_label,
    shift_months,
)
from hotspots.result import HotspotResult
from hotspots.select import select_categories
from hotspots.spatial import point_coordinates
from hotspots.validation import require_projected

__all__ = [
    "DEFAULT_MONTHS",
    "Z_95",
    "WDQ_BANDS",
    "EvaluationAreas",
    "BeforeAfter",
    "EffectSize",
    "EvaluationResult",
    "evaluation_areas",
    "before_after",
    "relative_effect_size",
    "weighted_displacement_quotient",
    "total_net_effect",
    "evaluate",
    "before_after_maps",
    "plot_trend",
]

#: Months before and after the start: a full year each, so both periods hold every season
#: once (the usual design of before/after area evaluations, e.g. Bowers & Johnson 2003).
DEFAULT_MONTHS = 12
#: Two-sided 95% standard normal quantile, for the confidence interval of ln RES.
Z_95 = 1.959963984540054
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
#: Default KDE bandwidth of before_after_maps given evaluation areas: the scale of the
#: scheme, so the maps resolve the target rather than smoothing it into its surroundings
#: (the town-wide normal-reference rule gives bandwidths of several hundred metres).
MAP_BANDWIDTH_RULE = "the target's equivalent radius sqrt(area/π), rounded to 10 m"
#: What each count is, for messages.
COUNT_MEANINGS: dict[str, str] = {
    "Tb": "crimes in the target before the start",
    "Ta": "crimes in the target after the start",
    "Bb": "crimes in the buffer before the start",
    "Ba": "crimes in the buffer after the start",
    "Cb": "crimes in the control before the start",
    "Ca": "crimes in the control after the start",
}

_BEFORE, _AFTER = "before", "after"


# ---------------------------------------------------------------------------------------
# The measures
# ---------------------------------------------------------------------------------------


class EffectSize(NamedTuple):
    """A relative effect size and its 95% confidence interval."""

    res: float
    ci_low: float
    ci_high: float


def _counts(**counts: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, value in counts.items():
        number = math.nan
        if not isinstance(value, bool):
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
        if not (math.isfinite(number) and number >= 0):
            raise ParameterError(
                f"The '{name}' count ({COUNT_MEANINGS[name]}) must be a number >= 0, "
                f"got {value!r}."
            )
        out[name] = number
    return out


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


def _control_problem(c: dict[str, float], measure: str) -> str | None:
    if c["Cb"] == 0 or c["Ca"] == 0:
        return (
            f"the {measure} is undefined because {_zeros(c, ('Cb', 'Ca'))}: it divides by the "
            "control's counts. Choose a larger control area."
        )
    return None


def _wdq_problem(c: dict[str, float]) -> str | None:
    problem = _control_problem(c, "weighted displacement quotient")
    if problem:
        return problem
    if math.isclose(c["Ta"] * c["Cb"], c["Tb"] * c["Ca"], rel_tol=1e-12, abs_tol=0.0):
        return (
            "the weighted displacement quotient is undefined because the target changed "
            f"exactly as the control did (Ta/Ca = Tb/Cb = {c['Tb'] / c['Cb']:.3g}): there is "
            "no effect in the target to weigh the buffer's change against."
        )
    return None


def relative_effect_size(Tb: float, Ta: float, Cb: float, Ca: float) -> EffectSize:
    """Relative effect size ``RES = (Tb·Ca)/(Ta·Cb)`` and its 95% confidence interval.

    ``Var(ln RES) = 1/Tb + 1/Ta + 1/Cb + 1/Ca``; the interval is
    ``exp(ln RES ± 1.96·sqrt(Var))``. RES > 1 means crime in the target fell relative to
    the control (by ``1 − 1/RES``); an interval entirely above 1 is a significant fall.

    Parameters
    ----------
    Tb, Ta : float
        Crimes in the target before and after the start.
    Cb, Ca : float
        Crimes in the control before and after the start.

    Returns
    -------
    EffectSize
        ``(res, ci_low, ci_high)``.

    Raises
    ------
    ParameterError
        If a count is negative or not a number, or RES is undefined: ``Ta`` or ``Cb`` is 0
        (division by zero), or ``Tb`` or ``Ca`` is 0 (RES = 0, no interval). The message
        names the zero count.

    Examples
    --------
    >>> r = relative_effect_size(100, 50, 100, 100)
    >>> round(r.res, 3), round(r.ci_low, 3), round(r.ci_high, 3)
    (2.0, 1.29, 3.1)
    """
    c = _counts(Tb=Tb, Ta=Ta, Cb=Cb, Ca=Ca)
    problem = _res_problem(c)
    if problem:
        raise ParameterError(problem[0].upper() + problem[1:])
    res = (c["Tb"] * c["Ca"]) / (c["Ta"] * c["Cb"])
    se = math.sqrt(1 / c["Tb"] + 1 / c["Ta"] + 1 / c["Cb"] + 1 / c["Ca"])
    log_res = math.log(res)
    return EffectSize(res, math.exp(log_res - Z_95 * se), math.exp(log_res + Z_95 * se))


def weighted_displacement_quotient(
    Tb: float, Ta: float, Bb: float, Ba: float, Cb: float, Ca: float
) -> float:
    """Weighted displacement quotient ``(Ba/Ca − Bb/Cb) / (Ta/Ca − Tb/Cb)``.

    Bowers & Johnson (2003). The denominator (the "success measure") is negative when the
    target improved relative to the control; only then does the WDQ mean anything. Read it
    with :data:`WDQ_BANDS`: above 0 diffusion of benefits, below 0 displacement, below −1
    displacement larger than the target's gain.

    Parameters
    ----------
    Tb, Ta, Bb, Ba, Cb, Ca : float
        Crimes in target, buffer and control, before and after the start.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If a count is negative, the control has a zero count, or the target changed exactly
        as the control did (the denominator is 0).

    Examples
    --------
    The worked check: target halves, buffer rises by half, control flat.

    >>> weighted_displacement_quotient(100, 50, 100, 150, 100, 100)
    -1.0
    """
    c = _counts(Tb=Tb, Ta=Ta, Bb=Bb, Ba=Ba, Cb=Cb, Ca=Ca)
    problem = _wdq_problem(c)
    if problem:
        raise ParameterError(problem[0].upper() + problem[1:])
    buffer_measure = c["Ba"] / c["Ca"] - c["Bb"] / c["Cb"]
    success_measure = c["Ta"] / c["Ca"] - c["Tb"] / c["Cb"]
    return buffer_measure / success_measure


def total_net_effect(Tb: float, Ta: float, Bb: float, Ba: float, Cb: float, Ca: float) -> float:
    """Crimes prevented in target and buffer: ``[Tb(Ca/Cb) − Ta] + [Bb(Ca/Cb) − Ba]``.

    The first bracket is the target's gain against the control's trend, the second the
    buffer's (negative when crime was displaced there). A negative total means more crime
    than the control's trend predicts.

    Raises
    ------
    ParameterError
        If a count is negative or ``Cb`` is 0 (no control trend to project with).

    Examples
    --------
    >>> total_net_effect(100, 50, 100, 150, 100, 100)
    0.0
    >>> total_net_effect(100, 60, 50, 50, 100, 120)
    70.0
    """
    c = _counts(Tb=Tb, Ta=Ta, Bb=Bb, Ba=Ba, Cb=Cb, Ca=Ca)
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


# ---------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------


@dataclass
class BeforeAfter:
    """Crimes in target, buffer and control, before and after a start month.

    Attributes
    ----------
    Tb, Ta, Bb, Ba, Cb, Ca : int
        Counts (target, buffer, control; before, after), over the months the data cover.
    start : Timestamp
        First month of the after period.
    before, after : (Timestamp, Timestamp)
        First and last month of each period as asked for.
    months_before, months_after : int
        Their lengths as asked for.
    months_before_in_data, months_after_in_data : int
        How many of those months the data cover.
    categories : tuple of str or None
        Crime categories counted (None: all).
    available : bool
        True when the data cover both periods in full; else ``reason`` says what is missing
        (the app then shows the projected impact only).
    reason : str
        Why the evaluation is not available ("" when it is).
    monthly : DataFrame
        ``month, period, target, buffer, control``: counts per month covered by the data.
    notes : list of str
        Crimes without a location, months with no data, unknown categories.
    """

    Tb: int
    Ta: int
    Bb: int
    Ba: int
    Cb: int
    Ca: int
    start: pd.Timestamp
    before: tuple[pd.Timestamp, pd.Timestamp]
    after: tuple[pd.Timestamp, pd.Timestamp]
    months_before: int
    months_after: int
    months_before_in_data: int
    months_after_in_data: int
    categories: tuple[str, ...] | None
    available: bool
    reason: str
    monthly: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def before_label(self) -> str:
        return period_label(*self.before)

    @property
    def after_label(self) -> str:
        return period_label(*self.after)

    def as_dict(self) -> dict[str, int]:
        """The six counts by name.

        Examples
        --------
        >>> ba = BeforeAfter(1, 2, 3, 4, 5, 6, pd.Timestamp("2025-01-01"),
        ...     (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01")),
        ...     (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-01")), 12, 12, 12, 12,
        ...     None, True, "", pd.DataFrame())
        >>> ba.as_dict()
        {'Tb': 1, 'Ta': 2, 'Bb': 3, 'Ba': 4, 'Cb': 5, 'Ca': 6}
        """
        return {k: getattr(self, k) for k in ("Tb", "Ta", "Bb", "Ba", "Cb", "Ca")}

    def table(self) -> pd.DataFrame:
        """One row per area: ``area, before, after, change, percent_change``.

        ``percent_change`` is missing (``<NA>``) where there were no crimes before.

        Examples
        --------
        >>> ba = BeforeAfter(10, 5, 0, 2, 8, 8, pd.Timestamp("2025-01-01"),
        ...     (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01")),
        ...     (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-01")), 12, 12, 12, 12,
        ...     None, True, "", pd.DataFrame())
        >>> ba.table().values.tolist()
        [['target', 10, 5, -5, -50.0], ['buffer', 0, 2, 2, <NA>], ['control', 8, 8, 0, 0.0]]
        """
        before = [self.Tb, self.Bb, self.Cb]
        after = [self.Ta, self.Ba, self.Ca]
        pct = [pd.NA if b == 0 else round((a / b - 1) * 100, 1)
               for b, a in zip(before, after, strict=True)]
        return pd.DataFrame(
            {"area": list(ROLES), "before": before, "after": after,
             "change": np.subtract(after, before), "percent_change": pd.array(pct, dtype="Float64")}
        )


def _months_param(value: Any, *, name: str, func: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError(
            f"The '{name}' parameter of {func} must be a whole number of months >= 1, "
            f"got {value!r}."
        )
    return int(value)


def _check_areas(areas: Any, func: str) -> EvaluationAreas:
    if not isinstance(areas, EvaluationAreas):
        raise TypeError(
            f"The 'areas' parameter of {func} should be an EvaluationAreas (made by "
            f"hotspots.evaluation_areas), got {type(areas)}."
        )
    return areas


def _role_index(areas: EvaluationAreas, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """0 target, 1 buffer, 2 control, -1 none; a point on a shared edge goes to the first."""
    out = np.full(x.size, -1, dtype=np.int64)
    for i, role in enumerate(ROLES):
        geom = areas.geometry(role)
        shapely.prepare(geom)
        free = out == -1
        hit = np.zeros(x.size, bool)
        hit[free] = shapely.intersects_xy(geom, x[free], y[free])
        out[hit] = i
    return out


def _availability(
    before: tuple[pd.Timestamp, pd.Timestamp], after: tuple[pd.Timestamp, pd.Timestamp],
    cover: tuple[pd.Timestamp, pd.Timestamp],
) -> tuple[int, int, str]:
    n_b = covered_months(*before, cover)
    n_a = covered_months(*after, cover)
    want_b = months_between(*before)
    want_a = months_between(*after)
    reasons = []
    data = f"The data cover {period_label(*cover)}"
    if n_a == 0:
        reasons.append(
            f"{data}: there are no data after the start ({month_label(after[0])}) yet. The "
            f"observed evaluation needs {period_label(*after)}; until then only the projected "
            "impact can be shown."
        )
    elif n_a < want_a:
        reasons.append(
            f"{data}: only {n_a} of the {want_a} months after the start ({period_label(*after)}) "
            f"are in the data, so the after period is short. The observed evaluation needs data "
            f"to {month_label(after[1])}; until then only the projected impact can be shown."
        )
    if n_b < want_b:
        reasons.append(
            f"{data}: only {n_b} of the {want_b} months before the start "
            f"({period_label(*before)}) are in the data. Load data from "
            f"{month_label(before[0])}, or shorten months_before."
        )
    return n_b, n_a, " ".join(reasons)


def before_after(
    crimes: gpd.GeoDataFrame,
    areas: EvaluationAreas,
    *,
    start: str | pd.Timestamp,
    months_before: int = DEFAULT_MONTHS,
    months_after: int = DEFAULT_MONTHS,
    categories: str | Sequence[str] | None = None,
) -> BeforeAfter:
    """Count crimes in target, buffer and control before and after ``start``.

    Before is the ``months_before`` months ending with the month before ``start``; after
    is ``months_after`` months from ``start``. Each crime counts in at most one area (a
    point on a shared edge goes to the target, then the buffer). Crimes without a location
    cannot be placed and are left out (noted).

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table (projected CRS, ``month``, ``category``). Not changed.
    areas : EvaluationAreas
        From :func:`evaluation_areas`.
    start : str or Timestamp
        First month of the scheme, ``"YYYY-MM"``.
    months_before, months_after : int, default DEFAULT_MONTHS (12)
    categories : str or list of str, optional
        Crime categories the scheme acts on (default: every crime given).

    Returns
    -------
    BeforeAfter
        The six counts, the periods, whether the data cover them (``available``, with
        ``reason`` when not), and the counts per month.

    Examples
    --------
    >>> import shapely
    >>> areas = evaluation_areas(shapely.Point(0, 0).buffer(100), buffer_m=100,
    ...                          control=shapely.Point(1000, 0).buffer(100))
    >>> crimes = gpd.GeoDataFrame(
    ...     {"month": pd.to_datetime(["2024-06-01", "2024-07-01", "2025-02-01"]),
    ...      "category": ["Burglary"] * 3},
    ...     geometry=[shapely.Point(0, 0), shapely.Point(150, 0), shapely.Point(1000, 0)],
    ...     crs="EPSG:27700")
    >>> ba = before_after(crimes, areas, start="2025-01", months_before=7, months_after=3)
    >>> ba.as_dict(), ba.available
    ({'Tb': 1, 'Ta': 0, 'Bb': 1, 'Ba': 0, 'Cb': 0, 'Ca': 1}, False)
    >>> ba.reason[:48]
    'The data cover 2024-06 to 2025-02: only 2 of the'
    """
    func = "before_after"
    crs = require_projected(crimes, name="crimes")
    areas = _check_areas(areas, func).to_crs(crs)
    start = as_month(start, name="start")
    months_before = _months_param(months_before, name="months_before", func=func)
    months_after = _months_param(months_after, name="months_after", func=func)
    if len(crimes) == 0:
        raise EmptySelectionError(f"{func} got an empty crime table: nothing to count.")
    before = (shift_months(start, -months_before), shift_months(start, -1))
    after = (start, shift_months(start, months_after - 1))
    cover = data_months(crimes, func=func)
    notes: list[str] = []
    keep, chosen = select_categories(crimes, categories, func=func, notes=notes)
    month = pd.to_datetime(crimes["month"]).to_numpy().astype("datetime64[ns]")
    keep &= (month >= before[0].to_datetime64()) & (month <= after[1].to_datetime64())
    x, y = point_coordinates(crimes, func=func)
    located = np.isfinite(x) & np.isfinite(y)
    if (keep & ~located).any():
        notes.append(
            f"{int((keep & ~located).sum()):,} crimes in the periods have no location, so they "
            "cannot be placed in the target, buffer or control; they were left out."
        )
    keep &= located
    role = np.full(len(crimes), -1, dtype=np.int64)
    role[keep] = _role_index(areas, x[keep], y[keep])
    for name, span in ((_BEFORE, before), (_AFTER, after)):
        gaps = missing_months(crimes, *span)
        if gaps:
            notes.append(
                f"No crimes at all are recorded in {', '.join(gaps)} ({name} period): missing "
                "data? Those months count as zero."
            )

    n_b, n_a, reason = _availability(before, after, cover)
    lo, hi = max(before[0], cover[0]), min(after[1], cover[1])
    months = pd.DatetimeIndex(
        [shift_months(lo, i) for i in range(max(0, months_between(lo, hi)))] if lo <= hi else [],
        name="month",
    ).astype("datetime64[ns]")
    counted = role >= 0
    frame = pd.DataFrame({"month": month[counted], "role": np.asarray(ROLES)[role[counted]]})
    monthly = (
        frame.groupby(["month", "role"]).size().unstack("role")
        .reindex(index=months, columns=list(ROLES)).fillna(0).astype("int64")
    )
    monthly.columns.name = None
    monthly.insert(0, "period", np.where(monthly.index < start, _BEFORE, _AFTER))
    monthly = monthly.reset_index()
    is_before = monthly["period"] == _BEFORE
    sums = {
        (r, p): int(monthly.loc[is_before if p == _BEFORE else ~is_before, r].sum())
        for r in ROLES for p in (_BEFORE, _AFTER)
    }
    return BeforeAfter(
        Tb=sums["target", _BEFORE], Ta=sums["target", _AFTER],
        Bb=sums["buffer", _BEFORE], Ba=sums["buffer", _AFTER],
        Cb=sums["control", _BEFORE], Ca=sums["control", _AFTER],
        start=start, before=before, after=after,
        months_before=months_before, months_after=months_after,
        months_before_in_data=n_b, months_after_in_data=n_a,
        categories=chosen, available=not reason, reason=reason, monthly=monthly, notes=notes,
    )


# ---------------------------------------------------------------------------------------
# The evaluation
# ---------------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """Everything the observed before/after evaluation found.

    Attributes
    ----------
    counts : BeforeAfter
        The six counts, periods and monthly counts.
    areas : EvaluationAreas
        The target, buffer and control used.
    available : bool
        False when the data do not cover both periods (``reason`` says why); the measures
        are then None and only the projected impact should be shown.
    reason : str
        Why the evaluation is not available ("" when it is).
    res, res_ci : float, (float, float) or None
        Relative effect size and its 95% confidence interval.
    relative_change : float or None
        Change in the target relative to the control, ``1/RES − 1`` (−0.45: fell 45%).
    significant : bool or None
        True when the 95% interval excludes 1.
    success_measure, buffer_measure : float or None
        ``Ta/Ca − Tb/Cb`` and ``Ba/Ca − Bb/Cb``, the WDQ's denominator and numerator.
    wdq : float or None
        Weighted displacement quotient.
    wdq_meaning : str
        How to read it (:data:`WDQ_BANDS`), or why it is not meaningful.
    net_effect : float or None
        Total net effect (crimes prevented in target and buffer; negative: more crime).
    trend : DataFrame
        ``month, period, target, buffer, control``: crimes per month for the trend chart;
        mark ``counts.start`` on it.
    summary : list of str
        Plain-language sentences for the app and the evidence pack.
    notes : list of str
        Why a measure is undefined, data left out, areas adjusted.
    params : dict
        Start, periods, months, categories, area rules (JSON-serialisable).
    """

    counts: BeforeAfter
    areas: EvaluationAreas
    available: bool
    reason: str
    res: float | None = None
    res_ci: tuple[float, float] | None = None
    relative_change: float | None = None
    significant: bool | None = None
    success_measure: float | None = None
    buffer_measure: float | None = None
    wdq: float | None = None
    wdq_meaning: str = ""
    net_effect: float | None = None
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def measures(self) -> pd.DataFrame:
        """A table of the measures for export: ``measure, value, ci_low, ci_high, meaning``.

        Undefined values are left empty (missing), and ``meaning`` says why.
        """
        ci = self.res_ci or (None, None)
        rows = [
            ("relative effect size (RES)", self.res, ci[0], ci[1],
             "RES > 1: the target improved relative to the control"),
            ("change in target relative to control (%)",
             None if self.relative_change is None else self.relative_change * 100, None, None,
             "1/RES − 1"),
            ("weighted displacement quotient (WDQ)", self.wdq, None, None, self.wdq_meaning),
            ("total net effect (crimes prevented)", self.net_effect, None, None,
             "target and buffer against the control's trend; negative: more crime"),
        ]
        table = pd.DataFrame(rows, columns=["measure", "value", "ci_low", "ci_high", "meaning"])
        for column in ("value", "ci_low", "ci_high"):
            table[column] = pd.array(table[column].tolist(), dtype="Float64")
        return table

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: counts, measures, availability, summary, notes, params."""
        return {
            "available": self.available,
            "reason": self.reason,
            "counts": self.counts.as_dict(),
            "before": self.counts.before_label,
            "after": self.counts.after_label,
            "res": self.res,
            "res_ci": list(self.res_ci) if self.res_ci else None,
            "relative_change": self.relative_change,
            "significant": self.significant,
            "wdq": self.wdq,
            "wdq_meaning": self.wdq_meaning,
            "net_effect": self.net_effect,
            "summary": list(self.summary),
            "notes": list(self.notes),
            "params": dict(self.params),
        }


def _pct(before: int, after: int) -> str:
    if before == 0:
        return f"from none to {after:,}"
    change = (after / before - 1) * 100
    verb = "rose" if change > 0 else "fell" if change < 0 else "did not change"
    amount = f" {abs(change):.0f}%" if change else ""
    return f"{verb}{amount} ({before:,} → {after:,})"


def _sentences(result: EvaluationResult) -> list[str]:
    c = result.counts
    cats = "all crimes" if c.categories is None else ", ".join(c.categories)
    out = [
        f"Crimes counted: {cats}. Before ({c.before_label}): target {c.Tb:,}, buffer {c.Bb:,}, "
        f"control {c.Cb:,}. After ({c.after_label}): target {c.Ta:,}, buffer {c.Ba:,}, "
        f"control {c.Ca:,}."
    ]
    if not result.available:
        return [*out, result.reason]
    out.append(
        f"In the target crime {_pct(c.Tb, c.Ta)}; in the buffer it {_pct(c.Bb, c.Ba)}; in "
        f"the control it {_pct(c.Cb, c.Ca)}."
    )
    if result.res is not None and result.res_ci is not None:
        rel = result.relative_change
        direction = "fell" if rel < 0 else "rose" if rel > 0 else "did not change"
        amount = f" {abs(rel) * 100:.0f}%" if rel else ""
        low, high = result.res_ci
        text = (
            f"Relative to the control, crime in the target {direction}{amount} (relative "
            f"effect size RES = {result.res:.2f}, 95% CI {low:.2f} to {high:.2f}; RES above 1 "
            "means the target improved relative to the control). "
        )
        if low > 1:
            text += "The interval lies above 1: the improvement is unlikely to be chance."
        elif high < 1:
            text += "The interval lies below 1: the target got worse relative to the control."
        else:
            text += "The interval includes 1, so the difference could be chance."
        out.append(text)
    else:
        why = next((n for n in result.notes if "relative effect size" in n), "")
        out.append(f"The effect relative to the control cannot be measured: {why[0].lower()}"
                   f"{why[1:]}" if why else "The effect relative to the control cannot be "
                   "measured.")
    if result.wdq is not None:
        wdq = f"{result.wdq:.2f}".replace("-", "−")
        out.append(f"Weighted displacement quotient WDQ = {wdq}: {result.wdq_meaning}.")
    elif result.wdq_meaning:
        out.append(f"Displacement: {result.wdq_meaning}")
    if result.net_effect is not None:
        n = result.net_effect
        if n >= 0:
            out.append(
                f"Total net effect: about {n:,.0f} fewer crimes in the target and buffer "
                "together than the control's trend predicts (net of any displacement)."
            )
        else:
            out.append(
                f"Total net effect: about {-n:,.0f} more crimes in the target and buffer "
                "together than the control's trend predicts."
            )
    out.append(
        "These are observed changes: they show what happened around the scheme, not on their "
        "own that the scheme caused it (the target and control may differ in other ways)."
    )
    return out


def evaluate(
    crimes: gpd.GeoDataFrame,
    areas: EvaluationAreas,
    *,
    start: str | pd.Timestamp,
    months_before: int = DEFAULT_MONTHS,
    months_after: int = DEFAULT_MONTHS,
    categories: str | Sequence[str] | None = None,
) -> EvaluationResult:
    """Observed before/after evaluation: counts, RES with 95% CI, WDQ, net effect, trend.

    Parameters are those of :func:`before_after`. When the data do not cover both periods,
    the result has ``available`` False and the ``reason``, with counts and the trend so far
    but no measures. A measure that zero counts make undefined is None, with the reason in
    ``notes`` and ``summary``.

    Returns
    -------
    EvaluationResult

    Examples
    --------
    >>> import shapely
    >>> areas = evaluation_areas(shapely.Point(0, 0).buffer(100), buffer_m=100,
    ...                          control=shapely.Point(1000, 0).buffer(100))
    >>> where = {"T": (0, 0), "B": (150, 0), "C": (1000, 0)}
    >>> rows = [(m, p) for m, p, n in [("2024-06", "T", 10), ("2025-06", "T", 5),
    ...         ("2024-06", "B", 10), ("2025-06", "B", 15), ("2024-06", "C", 10),
    ...         ("2025-06", "C", 10)] for _ in range(n)]
    >>> crimes = gpd.GeoDataFrame({"month": pd.to_datetime([f"{m}-01" for m, _ in rows]),
    ...     "category": "Burglary"}, geometry=[shapely.Point(where[p]) for _, p in rows],
    ...     crs="EPSG:27700")
    >>> res = evaluate(crimes, areas, start="2025-01", months_before=7, months_after=6)
    >>> round(res.res, 2), res.wdq, res.net_effect
    (2.0, -1.0, 0.0)
    >>> res.summary[2][:63]
    'Relative to the control, crime in the target fell 50% (relative'
    """
    counts = before_after(crimes, areas, start=start, months_before=months_before,
                          months_after=months_after, categories=categories)
    params: dict[str, Any] = {
        "start": month_label(counts.start),
        "before": counts.before_label,
        "after": counts.after_label,
        "months_before": counts.months_before,
        "months_after": counts.months_after,
        "categories": list(counts.categories) if counts.categories else "all",
        "buffer_rule": areas.buffer_rule,
        "control_rule": areas.control_rule,
        "confidence": 0.95,
    }
    result = EvaluationResult(
        counts=counts, areas=areas, available=counts.available, reason=counts.reason,
        trend=counts.monthly.copy(), notes=[*areas.notes, *counts.notes], params=params,
    )
    if counts.available:
        _measure(result)
    result.summary = _sentences(result)
    return result


def _measure(result: EvaluationResult) -> None:
    """Fill in the measures on ``result`` (counts available); undefined ones get a note."""
    c = _counts(**result.counts.as_dict())
    problem = _res_problem(c)
    if problem:
        result.notes.append(problem[0].upper() + problem[1:])
    else:
        effect = relative_effect_size(c["Tb"], c["Ta"], c["Cb"], c["Ca"])
        result.res = effect.res
        result.res_ci = (effect.ci_low, effect.ci_high)
        result.relative_change = 1.0 / effect.res - 1.0
        result.significant = not (effect.ci_low <= 1.0 <= effect.ci_high)
    problem = _wdq_problem(c)
    if problem:
        result.notes.append(problem[0].upper() + problem[1:])
        result.wdq_meaning = problem[0].upper() + problem[1:]
    else:
        result.success_measure = c["Ta"] / c["Ca"] - c["Tb"] / c["Cb"]
        result.buffer_measure = c["Ba"] / c["Ca"] - c["Bb"] / c["Cb"]
        if result.success_measure < 0:
            result.wdq = result.buffer_measure / result.success_measure
            result.wdq_meaning = _wdq_meaning(result.wdq)
        else:
            result.wdq_meaning = (
                "the target did not improve relative to the control (Ta/Ca − Tb/Cb = "
                f"{result.success_measure:+.3f} is not below 0), so the weighted displacement "
                "quotient is not meaningful (Bowers & Johnson 2003)."
            )
            result.notes.append(result.wdq_meaning[0].upper() + result.wdq_meaning[1:])
    if c["Cb"] == 0:
        result.notes.append(
            "The total net effect is undefined because Cb = 0 (no crimes in the control before "
            "the start)."
        )
    else:
        result.net_effect = total_net_effect(**c)


# ---------------------------------------------------------------------------------------
# Maps and chart
# ---------------------------------------------------------------------------------------


def _bounds(areas_or_bounds: Any, crs: Any) -> tuple[float, float, float, float]:
    if isinstance(areas_or_bounds, EvaluationAreas):
        return areas_or_bounds.to_crs(crs).bounds
    try:
        bounds = tuple(float(v) for v in areas_or_bounds)
    except (TypeError, ValueError):
        bounds = ()
    if len(bounds) != 4 or not all(math.isfinite(v) for v in bounds) or not (
        bounds[0] < bounds[2] and bounds[1] < bounds[3]
    ):
        raise ParameterError(
            "The 'areas_or_bounds' parameter of before_after_maps must be an EvaluationAreas "
            "or (minx, miny, maxx, maxy) in the crimes' CRS with min < max, got "
            f"{areas_or_bounds!r}."
        )
    return bounds  # type: ignore[return-value]


def before_after_maps(
    crimes: gpd.GeoDataFrame,
    areas_or_bounds: EvaluationAreas | tuple[float, float, float, float],
    *,
    start: str | pd.Timestamp,
    months: int = DEFAULT_MONTHS,
    method: str = "kde",
    cell_size: float | None = None,
    bandwidth: float | None = None,
    categories: str | Sequence[str] | None = None,
) -> tuple[HotspotResult, HotspotResult]:
    """Hotspot surfaces for the ``months`` before and after ``start``, on one grid.

    Both results share the grid (same cells, ids and, for KDE, the same bandwidth chosen
    from both periods' crimes together), so they can be shown side by side on one colour
    scale. Scores are crimes per cell (``"count"``) or crimes per km² per month
    (``"kde"``). Built with :func:`hotspots.compare.compare_periods`.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table. Not changed.
    areas_or_bounds : EvaluationAreas or (minx, miny, maxx, maxy)
        The map extent: the bounds of target, buffer and control, or bounds in the
        crimes' CRS. Crimes outside are left out (noted).
    start : str or Timestamp
        First month of the scheme.
    months : int, default 12
        Months on each side.
    method : {"kde", "count"}, default "kde"
    cell_size : float, optional
        Metres; default as in :func:`compare_periods` (shorter side of the extent / 50).
    bandwidth : float, optional
        KDE radius in metres. Default with evaluation areas: :data:`MAP_BANDWIDTH_RULE`;
        with bounds: the normal-reference rule on both periods' crimes together.
    categories : str or list of str, optional

    Returns
    -------
    (HotspotResult, HotspotResult)
        Before and after.

    Examples
    --------
    >>> import shapely
    >>> crimes = gpd.GeoDataFrame(
    ...     {"month": pd.to_datetime(["2024-12-01", "2025-01-01", "2025-01-01"]),
    ...      "category": "Burglary"},
    ...     geometry=[shapely.Point(50, 50), shapely.Point(150, 50), shapely.Point(160, 60)],
    ...     crs="EPSG:27700")
    >>> before, after = before_after_maps(crimes, (0, 0, 199, 99), start="2025-01", months=1,
    ...                                   method="count", cell_size=100)
    >>> before.cells["score"].tolist(), after.cells["score"].tolist()
    ([1.0, 0.0], [0.0, 2.0])
    """
    func = "before_after_maps"
    crs = require_projected(crimes, name="crimes")
    start = as_month(start, name="start")
    months = _months_param(months, name="months", func=func)
    bounds = _bounds(areas_or_bounds, crs)
    rule = None
    if method == "kde" and bandwidth is None and isinstance(areas_or_bounds, EvaluationAreas):
        bandwidth = default_buffer_width(areas_or_bounds.target)
        rule = f"{MAP_BANDWIDTH_RULE} = {bandwidth:g} m"
    comparison = compare_periods(
        crimes,
        before=(shift_months(start, -months), shift_months(start, -1)),
        after=(start, shift_months(start, months - 1)),
        area=shapely.box(*bounds),
        method=method,
        cell_size=cell_size,
        bandwidth=bandwidth,
        categories=categories,
    )
    for result in (comparison.before, comparison.after):
        result.notes.extend(comparison.notes)
        if rule is not None:
            result.params["bandwidth_rule"] = rule
    return comparison.before, comparison.after


def plot_trend(result: EvaluationResult, *, title: str | None = None) -> Any:
    """Return a matplotlib Figure: crimes per month in target, buffer and control.

    The scheme's start is marked with a dashed line. Uses
    :class:`matplotlib.figure.Figure` directly (no pyplot state).

    Examples
    --------
    >>> import shapely
    >>> areas = evaluation_areas(shapely.Point(0, 0).buffer(100), buffer_m=100,
    ...                          control=shapely.Point(1000, 0).buffer(100))
    >>> crimes = gpd.GeoDataFrame({"month": pd.to_datetime(["2024-12-01", "2025-01-01"]),
    ...     "category": "Burglary"}, geometry=[shapely.Point(0, 0)] * 2, crs="EPSG:27700")
    >>> fig = plot_trend(evaluate(crimes, areas, start="2025-01", months_before=1,
    ...                           months_after=1))
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:3]
    ['target', 'buffer', 'control']
    """
    from matplotlib.figure import Figure

    if not isinstance(result, EvaluationResult):
        raise TypeError(f"'result' should be an EvaluationResult, got {type(result)}")
    trend = result.trend
    fig = Figure(figsize=(9, 4), layout="constrained")
    ax = fig.add_subplot()
    colours = {"target": "#d95f02", "buffer": "#7570b3", "control": "#1b9e77"}
    for role in ROLES:
        ax.plot(trend["month"], trend[role], marker="o", markersize=3, label=role,
                color=colours[role])
    start = result.counts.start
    ax.axvline(start, color="#333", linestyle="--", linewidth=1)
    ax.annotate(f"start {month_label(start)}", xy=(start, 1), xycoords=("data", "axes fraction"),
                xytext=(4, -12), textcoords="offset points", fontsize="small")
    ax.set_ylabel("crimes per month")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Crimes per month in the target, buffer and control areas")
    ax.legend(loc="lower left", fontsize="small")
    return fig
