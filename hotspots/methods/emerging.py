"""Emerging hot spots: Gi* per time step on one aligned grid, Mann–Kendall trends, Esri classes.

The crimes are counted on one grid for every time step (a space-time cube of shape
``(steps, rows, cols)``). Getis-Ord Gi* is computed for every step at once (one
convolution of the whole cube with a 2-D disc, each step standardised by its own mean
and standard deviation over the study area), the p-values are corrected for multiple
testing with Benjamini–Hochberg within each step, and each cell-step is called hot or
cold when its corrected p-value is below 0.10 (90% confidence, :data:`BIN_ALPHA`). A
Mann–Kendall test on each cell's series of Gi* z-scores says whether clustering is
intensifying or diminishing. Each cell then gets one pattern of the Esri Emerging Hot
Spot Analysis scheme (:data:`PATTERN_RULES`).

Pattern rules (hot; cold mirrors them with "cold" for "hot"; T = number of steps; a cell
is "≥ 90%" when it is hot in at least 90% of the T steps):

* New hot spot: hot in the final step, never hot before.
* Consecutive hot spot: a single uninterrupted run of ≥ 2 hot steps ending in the final
  step, never hot before that run, hot in < 90% of steps.
* Intensifying hot spot: hot in ≥ 90% of steps including the final one, and a significant
  increasing Mann–Kendall trend in its Gi* z-scores.
* Persistent hot spot: hot in ≥ 90% of steps including the final one, no significant trend.
* Diminishing hot spot: hot in ≥ 90% of steps including the final one, and a significant
  decreasing trend.
* Sporadic hot spot: hot in the final step, hot before the final run of hot steps (on
  again, off again), < 90% hot, never cold.
* Oscillating hot spot: hot in the final step, cold in some earlier step, < 90% hot, and
  neither new nor consecutive.
* Historical hot spot: not hot in the final step, but hot in ≥ 90% of steps.
* No pattern detected: none of the above, hot or cold.

Edge cases, resolved the same way every time:

1. The final step decides the family: a cell hot in the final step gets a hot pattern, one
   cold in the final step a cold pattern. Otherwise a cell hot (cold) in ≥ 90% of steps is
   a historical hot (cold) spot.
2. Persistent requires the final step to be hot. Esri's wording does not say; a cell hot
   in ≥ 90% of steps but not in the final one is historical here, the more specific
   pattern (the place has cooled off, which is what a planner needs to know).
3. Within the hot family the first rule that applies wins, in the order new, consecutive,
   (intensifying, persistent, diminishing when ≥ 90%), oscillating, sporadic; so a cell
   cold long ago and hot for the first time now is "new", as in R's sfdep.

This module computes Gi* per step on spatial neighbours only (the cell and the cells
within ``distance``); Esri's tool also includes the same cells in earlier time steps
(its "neighbourhood time step") and standardises over the whole cube. Per-step
standardisation keeps each month's hot spots relative to that month, so town-wide
seasonality does not make every cell hot in December.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from scipy import ndimage, signal, special

from hotspots.errors import ColumnMappingError, EmptySelectionError, ParameterError
from hotspots.methods.cells import prepare_cells
from hotspots.methods.gistar import QUEEN_DISTANCE_FACTOR
from hotspots.methods.grid import Grid
from hotspots.methods.stats import benjamini_hochberg, two_sided_p
from hotspots.result import HotspotResult
from hotspots.validation import check_choice, float_param

__all__ = [
    "BIN_ALPHA",
    "HOT_SHARE",
    "MK_ALPHA",
    "MIN_MONTHLY_STEPS",
    "PATTERNS",
    "PATTERN_RULES",
    "STEP_RULE",
    "EmergingResult",
    "MannKendall",
    "TimeSteps",
    "cell_series",
    "classify_patterns",
    "emerging_hotspots",
    "emerging_series",
    "gistar_cube",
    "mann_kendall",
    "time_steps",
]

log = logging.getLogger(__name__)

#: A cell-step is hot (cold) when its Gi* z is positive (negative) and its p-value, after
#: Benjamini–Hochberg correction within the step, is below this: 90% confidence, the
#: lowest of the three confidence levels Esri's Emerging Hot Spot Analysis counts as
#: significant (its Gi_Bin ±1..±3).
BIN_ALPHA = 0.10
#: Share of steps a cell must be hot in for the "≥ 90%" patterns (intensifying,
#: persistent, diminishing, historical): Esri's Emerging Hot Spot Analysis definitions.
HOT_SHARE = 0.90
#: Two-sided significance level of the Mann–Kendall trend test, as in Esri's tool.
MK_ALPHA = 0.05
#: Esri's space-time cube needs at least 10 time steps for the trend test to be
#: meaningful; the automatic step choice uses months when there are at least this many.
MIN_MONTHLY_STEPS = 10
#: Fewer steps than this cannot be analysed at all (a trend needs two points).
MIN_STEPS = 2
#: Choices for ``step``.
STEPS: tuple[str, ...] = ("auto", "month", "week", "day")
#: The automatic rule, recorded in ``params["step_rule"]``.
STEP_RULE = (
    "auto: months when the data span at least 10 calendar months (Esri's minimum of 10 "
    "time steps); otherwise, when every crime has an exact date, weeks (Monday to Sunday) "
    "if they give at least 10 steps, else days; otherwise months, with a note"
)

#: Pattern codes and names, as in Esri's Emerging Hot Spot Analysis output (CATEGORY).
PATTERNS: dict[int, str] = {
    1: "New Hot Spot",
    2: "Consecutive Hot Spot",
    3: "Intensifying Hot Spot",
    4: "Persistent Hot Spot",
    5: "Diminishing Hot Spot",
    6: "Sporadic Hot Spot",
    7: "Oscillating Hot Spot",
    8: "Historical Hot Spot",
    0: "No Pattern Detected",
    -1: "New Cold Spot",
    -2: "Consecutive Cold Spot",
    -3: "Intensifying Cold Spot",
    -4: "Persistent Cold Spot",
    -5: "Diminishing Cold Spot",
    -6: "Sporadic Cold Spot",
    -7: "Oscillating Cold Spot",
    -8: "Historical Cold Spot",
}
#: The rule behind each hot pattern, written into every output (cold mirrors hot).
PATTERN_RULES: dict[str, str] = {
    "New Hot Spot": "hot in the final step; never hot before",
    "Consecutive Hot Spot": (
        "a single uninterrupted run of at least 2 hot steps ending in the final step; never "
        "hot before that run; hot in less than 90% of steps"
    ),
    "Intensifying Hot Spot": (
        "hot in at least 90% of steps including the final one; significant increasing "
        "Mann-Kendall trend in the Gi* z-scores"
    ),
    "Persistent Hot Spot": (
        "hot in at least 90% of steps including the final one; no significant trend"
    ),
    "Diminishing Hot Spot": (
        "hot in at least 90% of steps including the final one; significant decreasing trend"
    ),
    "Sporadic Hot Spot": (
        "hot in the final step; also hot before the final run of hot steps (on-again, "
        "off-again); hot in less than 90% of steps; never cold"
    ),
    "Oscillating Hot Spot": (
        "hot in the final step; cold in some earlier step; hot in less than 90% of steps; "
        "not new or consecutive"
    ),
    "Historical Hot Spot": "not hot in the final step; hot in at least 90% of steps",
    "No Pattern Detected": "none of the hot or cold patterns",
    "Cold spots": "the same rules with cold in place of hot and decreasing for increasing",
    "Precedence": (
        "the final step decides the family (hot in the final step: a hot pattern; cold: a "
        "cold pattern; neither: historical if hot or cold in at least 90% of steps); within "
        "a family the first rule that applies wins: new, consecutive, intensifying / "
        "persistent / diminishing, oscillating, sporadic"
    ),
    "Significance": (
        "a step is hot (cold) where Gi* z > 0 (< 0) and the Benjamini-Hochberg adjusted "
        "p-value of that step is below 0.10 (90% confidence); trends: Mann-Kendall, "
        "two-sided, alpha 0.05"
    ),
}


# --------------------------------------------------------------------------- Mann–Kendall


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


# --------------------------------------------------------------------------- classes


def _family(
    on: np.ndarray, other: np.ndarray, trend: np.ndarray, hot_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pattern magnitudes 1..8 for one family (``on`` = hot for hot spots), and "mostly on".

    ``trend`` is +1 for a trend towards this family (increasing for hot), -1 away.
    """
    steps = on.shape[1]
    n_on = on.sum(axis=1)
    final = on[:, -1]
    mostly = n_on >= hot_share * steps - 1e-9
    run = np.cumprod(on[:, ::-1], axis=1).sum(axis=1)
    other_before = other[:, :-1].any(axis=1)
    code = np.zeros(on.shape[0], dtype=np.int64)
    # Later assignments only touch cells no earlier rule took, in precedence order.
    rules = (
        (final & (n_on == 1), 1),
        (final & ~mostly & (run >= 2) & (n_on == run), 2),
        (final & mostly & (trend > 0), 3),
        (final & mostly & (trend == 0), 4),
        (final & mostly & (trend < 0), 5),
        (final & ~mostly & other_before, 7),
        (final & ~mostly, 6),
        (~final & mostly, 8),
    )
    for condition, value in rules:
        code[(code == 0) & condition] = value
    return code, mostly


def classify_patterns(
    bins: ArrayLike, trend: ArrayLike, *, hot_share: float = HOT_SHARE
) -> np.ndarray:
    """Return the Esri emerging pattern code of each cell (see :data:`PATTERNS`).

    Parameters
    ----------
    bins : array-like of int, shape (cells, steps)
        Per step: 1 for a significant hot spot, -1 for a cold spot, 0 otherwise (only
        the sign is used, so Gi bins −3..3 work too). Steps in time order.
    trend : array-like of int, shape (cells,)
        Mann–Kendall trend of each cell's Gi* z-scores: 1 increasing, -1 decreasing, 0 none.
    hot_share : float, default HOT_SHARE (0.9)
        Share of steps for the "≥ 90%" patterns.

    Returns
    -------
    numpy.ndarray of int
        Codes 1..8 (new, consecutive, intensifying, persistent, diminishing, sporadic,
        oscillating, historical hot spot), -1..-8 the cold mirrors, 0 no pattern. The
        rules, and how ties between them are broken, are in :data:`PATTERN_RULES` and the
        module docstring.

    Examples
    --------
    >>> bins = [[0, 0, 0, 0, 0, 1],     # hot only in the final step
    ...         [1, 1, 1, 1, 1, 1],     # always hot, rising
    ...         [1, 0, 1, 0, 0, 1],     # on and off, never cold
    ...         [-1, 0, 0, 1, 0, 1]]    # cold once, now hot
    >>> [PATTERNS[c] for c in classify_patterns(bins, [0, 1, 0, 0])]
    ['New Hot Spot', 'Intensifying Hot Spot', 'Sporadic Hot Spot', 'Oscillating Hot Spot']
    """
    b = np.sign(np.asarray(bins))
    if b.ndim != 2 or b.shape[1] < MIN_STEPS:
        raise ParameterError(
            f"classify_patterns needs 'bins' of shape (cells, steps) with at least "
            f"{MIN_STEPS} steps, got shape {b.shape}."
        )
    t = np.sign(np.asarray(trend)).astype(np.int64).ravel()
    if t.shape[0] != b.shape[0]:
        raise ParameterError(
            f"classify_patterns needs one 'trend' per cell: {b.shape[0]} cells, got {t.shape[0]}."
        )
    hot_share = float_param(hot_share, name="hot_share", func="classify_patterns",
                            allow_none=False, high=1.0, closed_high=True)
    hot, cold = b > 0, b < 0
    hot_code, hot_mostly = _family(hot, cold, t, hot_share)
    cold_code, cold_mostly = _family(cold, hot, -t, hot_share)
    code = np.zeros(b.shape[0], dtype=np.int64)
    code[hot[:, -1]] = hot_code[hot[:, -1]]
    code[cold[:, -1]] = -cold_code[cold[:, -1]]
    neither = ~hot[:, -1] & ~cold[:, -1]
    code[neither & hot_mostly] = 8
    code[neither & cold_mostly] = -8
    return code


# --------------------------------------------------------------------------- time steps


@dataclass(frozen=True)
class TimeSteps:
    """The time steps of a space-time analysis.

    Attributes
    ----------
    unit : str
        ``"month"``, ``"week"`` or ``"day"``.
    starts : pandas.DatetimeIndex
        First day of each step, contiguous (steps without crimes included).
    index : numpy.ndarray of int
        Step of each crime (-1 where the crime has no usable month or date).
    rule : str
        How the unit was chosen.
    notes : tuple of str
        Plain-language notes.
    """

    unit: str
    starts: pd.DatetimeIndex
    index: np.ndarray
    rule: str
    notes: tuple[str, ...] = ()

    @property
    def labels(self) -> list[str]:
        """Readable step labels: ``2024-01`` for months, ISO dates for weeks and days."""
        fmt = "%Y-%m" if self.unit == "month" else "%Y-%m-%d"
        return [d.strftime(fmt) for d in self.starts]

    def __len__(self) -> int:
        return len(self.starts)


def _month_steps(month: pd.Series) -> tuple[pd.DatetimeIndex, np.ndarray]:
    m = pd.to_datetime(month)
    ordinal = (m.dt.year * 12 + m.dt.month - 1).to_numpy(dtype=float)
    ok = np.isfinite(ordinal)
    first = int(np.nanmin(ordinal))
    index = np.full(len(m), -1, dtype=np.int64)
    index[ok] = ordinal[ok].astype(np.int64) - first
    n = int(index.max()) + 1
    start = pd.Timestamp(year=first // 12, month=first % 12 + 1, day=1)
    return pd.date_range(start, periods=n, freq="MS"), index


def _day_steps(date: pd.Series, days: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    d = pd.to_datetime(date).dt.normalize()
    first = d.min()
    if days == 7:
        first = first - pd.Timedelta(days=first.day_of_week)  # back to Monday
    offset = ((d - first).dt.days // days).to_numpy(dtype=float)
    index = np.where(np.isfinite(offset), np.nan_to_num(offset, nan=-1), -1).astype(np.int64)
    n = int(index.max()) + 1
    return pd.date_range(first, periods=n, freq=f"{days}D"), index


def time_steps(crimes: pd.DataFrame, *, step: str = "auto") -> TimeSteps:
    """Assign each crime to a time step: months, weeks or days, chosen or automatic.

    Parameters
    ----------
    crimes : DataFrame
        A canonical crime table (``month``, and ``date`` for weeks and days).
    step : {"auto", "month", "week", "day"}, default "auto"
        The rule for ``"auto"`` is :data:`STEP_RULE`: months when the data span at least
        :data:`MIN_MONTHLY_STEPS` calendar months; else weeks (Monday–Sunday), or days
        if there are fewer than 10 weeks, when every crime has an exact date; else months.
        Steps run from the first to the last crime, with empty steps kept.

    Returns
    -------
    TimeSteps

    Raises
    ------
    ColumnMappingError
        If weeks or days are asked for but the crimes have no exact dates (police.uk
        data has months only).

    Examples
    --------
    >>> crimes = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-12-01"]),
    ...                        "date": pd.to_datetime([None, None])})
    >>> steps = time_steps(crimes)
    >>> steps.unit, len(steps), steps.index.tolist(), steps.labels[-1]
    ('month', 12, [0, 11], '2024-12')
    """
    check_choice(step, name="step", choices=STEPS)
    if len(crimes) == 0:
        raise EmptySelectionError("time_steps got no crimes: nothing to divide into steps.")
    has_month = "month" in crimes.columns and crimes["month"].notna().any()
    dates = crimes["date"] if "date" in crimes.columns else pd.Series(pd.NaT, index=crimes.index)
    dated = bool(dates.notna().all())
    notes: list[str] = []
    if step in ("week", "day") and not dated:
        missing = int(dates.isna().sum())
        raise ColumnMappingError(
            f"Weekly or daily steps need an exact date for every crime; {missing:,} of "
            f"{len(crimes):,} have none. police.uk data gives only the month: use "
            "step='month', or load a force extract with its date column mapped (date = ...)."
        )
    if not has_month and not dated:
        raise ColumnMappingError(
            "time_steps needs a 'month' (or 'date') column with values; none were found."
        )
    months = crimes["month"] if has_month else dates.dt.to_period("M").dt.start_time
    if step == "auto":
        starts, index = _month_steps(months)
        if len(starts) >= MIN_MONTHLY_STEPS:
            unit, rule = "month", STEP_RULE
        elif dated:
            starts, index = _day_steps(dates, 7)
            unit = "week"
            if len(starts) < MIN_MONTHLY_STEPS:
                starts, index = _day_steps(dates, 1)
                unit = "day"
            rule = STEP_RULE
        else:
            unit, rule = "month", STEP_RULE
            notes.append(
                f"Only {len(starts)} monthly steps and no exact dates: trends over fewer than "
                f"{MIN_MONTHLY_STEPS} steps are weak (Esri requires {MIN_MONTHLY_STEPS})."
            )
    elif step == "month":
        starts, index = _month_steps(months)
        unit, rule = "month", "user: months"
    else:
        starts, index = _day_steps(dates, 7 if step == "week" else 1)
        unit, rule = step, f"user: {step}s"
    if step != "auto" and len(starts) < MIN_MONTHLY_STEPS:
        notes.append(
            f"Only {len(starts)} {unit}ly steps: trends over fewer than {MIN_MONTHLY_STEPS} "
            "steps are weak (Esri requires 10)."
        )
    if len(starts) < MIN_STEPS:
        raise EmptySelectionError(
            f"The crimes span a single {unit}, so there is no trend to find; emerging hot "
            f"spots need at least {MIN_STEPS} steps (10 or more recommended). Use a longer "
            "period or a shorter step (step='week' or 'day' with dated data)."
        )
    return TimeSteps(unit=unit, starts=starts, index=index, rule=rule, notes=tuple(notes))


# --------------------------------------------------------------------------- Gi* cube


def _disc(radius_cells: float) -> np.ndarray:
    """Cells whose centres lie within ``radius_cells`` of the middle one (1e-9 slack)."""
    limit = radius_cells * radius_cells * (1.0 + 1e-9)
    k = math.floor(math.sqrt(limit))
    offsets = np.arange(-k, k + 1)
    return offsets[:, None] ** 2 + offsets[None, :] ** 2 <= limit


#: Footprints of at most this many cells are summed directly, larger ones by FFT (the
#: same switch as hotspots.gistar, where it was measured on a 500 x 500 grid).
DIRECT_SUM_MAX_CELLS = 49


def _neighbour_sums(cube: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """Sum over the 2-D footprint around every cell of every step (zero beyond the grid)."""
    weights = footprint.astype(float)
    if footprint.size <= DIRECT_SUM_MAX_CELLS:
        return ndimage.correlate(cube, weights[None], mode="constant", cval=0.0)
    return signal.fftconvolve(cube, weights[None], mode="same", axes=(1, 2))


def gistar_cube(
    values: ArrayLike, mask: ArrayLike | None, *, radius_cells: float
) -> tuple[np.ndarray, np.ndarray]:
    """Getis-Ord Gi* z-scores and p-values for every step of a space-time cube at once.

    Each step ``values[t]`` is treated exactly as :func:`hotspots.gistar.gistar_grid`
    treats one grid: binary weights within ``radius_cells`` (the cell itself included),
    mean and population standard deviation over the study-area cells of that step,
    neighbours only inside the study area. All steps share one convolution.

    Parameters
    ----------
    values : array-like, shape (steps, rows, cols)
        Counts (or weight sums) per step and cell.
    mask : array-like of bool, shape (rows, cols), or None
        Study-area cells; None for all.
    radius_cells : float
        Neighbourhood radius in cells (√2: the 3 × 3 queen neighbourhood).

    Returns
    -------
    z, p : numpy.ndarray, shape (steps, rows, cols)
        z-scores and two-sided normal p-values, NaN off the mask; z = 0, p = 1 in a step
        whose values are constant (e.g. no crimes that step).

    Examples
    --------
    >>> cube = np.zeros((2, 5, 5)); cube[0, 2, 2] = 9.0
    >>> z, p = gistar_cube(cube, None, radius_cells=QUEEN_DISTANCE_FACTOR)
    >>> round(float(z[0, 2, 2]), 3), float(z[1, 2, 2])
    (1.333, 0.0)
    """
    radius = float_param(radius_cells, name="radius_cells", func="gistar_cube",
                         allow_none=False)
    cube = np.asarray(values, dtype=float)
    if cube.ndim != 3:
        raise ParameterError(
            f"gistar_cube needs a 3-D array (steps, rows, cols), got shape {cube.shape}."
        )
    mask = np.ones(cube.shape[1:], bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != cube.shape[1:]:
        raise ParameterError(
            f"gistar_cube needs 'mask' of shape {cube.shape[1:]}, got {mask.shape}."
        )
    if not mask.any():
        raise ParameterError("gistar_cube got a 'mask' with no True cells: no study area.")
    x = cube[:, mask]
    if not np.isfinite(x).all():
        raise ParameterError("gistar_cube needs finite 'values' on every study-area cell.")
    footprint = _disc(radius)
    n = x.shape[1]
    mean = x.mean(axis=1)
    sd = x.std(axis=1)
    W = np.rint(_neighbour_sums(mask[None].astype(float), footprint)[0])[mask]
    local = _neighbour_sums(np.where(mask[None], cube, 0.0), footprint)[:, mask]
    spread = np.sqrt(np.maximum(n * W - W * W, 0.0) / max(n - 1, 1))
    denominator = sd[:, None] * spread[None, :]
    numerator = local - mean[:, None] * W[None, :]
    z_mask = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=z_mask, where=denominator > 0)
    z = np.full(cube.shape, np.nan)
    z[:, mask] = z_mask
    p = np.full(cube.shape, np.nan)
    p[:, mask] = special.erfc(np.abs(z_mask) / math.sqrt(2.0))  # = 2 P(Z > |z|), fast
    return z, p


# --------------------------------------------------------------------------- results


@dataclass
class EmergingResult(HotspotResult):
    """An emerging hot spot result: the cells with their pattern, plus the space-time cube.

    Besides the :class:`~hotspots.result.HotspotResult` attributes (``cells`` has one row
    per study-area cell), it keeps the per-step arrays so that :func:`cell_series` can
    draw any cell's time series.

    Attributes
    ----------
    steps : TimeSteps
        The time steps.
    grid : Grid
        The grid the cube is on.
    mask : numpy.ndarray of bool
        Study-area cells, shape ``grid.shape``.
    counts, gi_z, gi_p, gi_p_fdr : numpy.ndarray, shape (steps, rows, cols)
        Crimes (or weight sums), Gi* z, raw and (if ``fdr``) corrected p-values.
    bins : numpy.ndarray of int8, shape (steps, rows, cols)
        1 hot, -1 cold, 0 not significant (at :data:`BIN_ALPHA`).
    """

    steps: TimeSteps | None = None
    grid: Grid | None = None
    mask: np.ndarray | None = None
    counts: np.ndarray | None = None
    gi_z: np.ndarray | None = None
    gi_p: np.ndarray | None = None
    gi_p_fdr: np.ndarray | None = None
    bins: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def method_statement(self) -> str:
        """A plain-language sentence that says how this result was made (for legends)."""
        p = self.params
        fdr = ("after Benjamini-Hochberg FDR correction within each step" if p.get("fdr")
               else "without FDR correction")
        weighted = " Weighted by harm." if p.get("weight") else ""
        return (
            f"Emerging hot spots: Getis-Ord Gi* per {p['step']} ({p['n_steps']} steps, "
            f"{p['first_step']} to {p['last_step']}) on {p['cell_size']:g} m grid cells, "
            f"neighbours within {p['distance']:.0f} m; hot or cold at "
            f"{100 * (1 - BIN_ALPHA):.0f}% confidence {fdr}; Mann-Kendall trend (alpha "
            f"{MK_ALPHA:g}); Esri Emerging Hot Spot patterns.{weighted} "
            f"{p['n_crimes']:,} crimes."
        )


def _crime_cells(
    crimes: gpd.GeoDataFrame, prep: Any, area: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, col and a keep flag for each crime, by the rules prepare_cells counts with."""
    geoms = np.asarray(crimes.geometry.array)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    x = np.full(len(crimes), np.nan)
    y = np.full(len(crimes), np.nan)
    coords = shapely.get_coordinates(geoms[present])
    x[present], y[present] = coords[:, 0], coords[:, 1]
    keep = np.isfinite(x) & np.isfinite(y)
    if area is not None:
        geom = area.to_crs(crimes.crs).union_all()
        shapely.prepare(geom)
        inside = np.zeros(len(crimes), bool)
        inside[keep] = shapely.contains_xy(geom, x[keep], y[keep]) | shapely.intersects_xy(
            geom.boundary, x[keep], y[keep]
        )
        keep &= inside
    row, col, on_grid = prep.grid.locate(np.nan_to_num(x), np.nan_to_num(y))
    keep &= on_grid
    keep[keep] &= prep.mask[row[keep], col[keep]]
    return row, col, keep


def _bh_per_step(p: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.full(p.shape, np.nan)
    for t in range(p.shape[0]):
        out[t][mask] = benjamini_hochberg(p[t][mask])
    return out


def emerging_hotspots(
    crimes: gpd.GeoDataFrame,
    *,
    cell_size: float | None = None,
    distance: float | None = None,
    step: str = "auto",
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    weight: str | None = None,
    fdr: bool = True,
    grid: Grid | None = None,
) -> EmergingResult:
    """Emerging hot and cold spots: Gi* per time step, Mann–Kendall trend, Esri patterns.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table: points in a projected CRS (metres), with ``month``
        (and ``date`` for weekly or daily steps).
    cell_size : float, optional
        Cell side in metres (default: the shorter side of the extent / 50, rounded).
    distance : float, optional
        Gi* neighbourhood distance in metres between cell centres (binary weights, the
        cell itself included); default ``cell_size × √2``, the cell and its 8 neighbours.
    step : {"auto", "month", "week", "day"}, default "auto"
        Time step; the automatic rule is :data:`STEP_RULE`.
    area : GeoDataFrame or GeoSeries, optional
        Study area (grid over its bounds, cells intersecting it, crimes inside it).
    weight : str, optional
        Column of non-negative weights (e.g. harm): Gi* on summed weight per cell-step.
    fdr : bool, default True
        Benjamini–Hochberg correction of the p-values within each step before binning.
    grid : Grid, optional
        A grid to use instead of building one (to align with other results).

    Returns
    -------
    EmergingResult
        ``cells`` has one row per study-area cell: ``cell_id, row, col, count`` (all
        steps), ``pattern`` (name), ``pattern_code`` (:data:`PATTERNS`), ``n_hot_steps``,
        ``n_cold_steps``, ``final_bin`` (1 hot, -1 cold, 0), ``final_gi_z``, ``mean_gi_z``,
        ``mk_s``, ``mk_z``, ``mk_p``, ``trend`` ("increasing", "decreasing", "none"),
        ``score`` (= mean Gi* z over the steps: higher is hotter for longer) and
        ``hotspot`` (a hot pattern that is hot in the final step: codes 1–7). ``params``
        holds the step unit and rule, the class rules (:data:`PATTERN_RULES`) and the
        significance levels. Pattern rules: see the module docstring.

    Examples
    --------
    >>> import geopandas as gpd
    >>> rng = np.random.default_rng(0)
    >>> months = np.repeat(pd.date_range("2024-01-01", periods=12, freq="MS"), 60)
    >>> xy = rng.uniform(0, 1000, (months.size, 2))
    >>> late = months >= pd.Timestamp("2024-12-01")
    >>> xy[late] = rng.uniform(500, 600, (int(late.sum()), 2))   # all of December in one cell
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")
    >>> res = emerging_hotspots(crimes, cell_size=100)
    >>> res.cells.set_index("cell_id").loc["E500N500", "pattern"]
    'New Hot Spot'
    >>> res.params["n_steps"], res.params["step"]
    (12, 'month')
    """
    func = "emerging_hotspots"
    distance = float_param(distance, name="distance", func=func)
    if not isinstance(fdr, bool | np.bool_):
        raise ParameterError(f"The 'fdr' parameter of {func} must be True or False, got {fdr!r}.")
    check_choice(step, name="step", choices=STEPS)
    prep = prepare_cells(
        crimes, func=func, cell_size=cell_size, area=area, weight=weight, grid=grid
    )
    steps = time_steps(crimes, step=step)
    notes = list(prep.notes) + list(steps.notes)
    row, col, keep = _crime_cells(crimes, prep, area)
    undated = keep & (steps.index < 0)
    if undated.any():
        notes.append(f"{int(undated.sum()):,} crimes have no month or date and were left out.")
    keep &= steps.index >= 0
    g = prep.grid
    n_steps = len(steps)
    w = np.ones(len(crimes)) if weight is None else crimes[weight].to_numpy(dtype=float)
    flat = (steps.index[keep] * g.ny + row[keep]) * g.nx + col[keep]
    counts = np.bincount(flat, weights=w[keep], minlength=n_steps * g.n_cells)
    counts = counts.reshape(n_steps, g.ny, g.nx)

    cell = g.cell_size
    if distance is None:
        distance, rule = cell * QUEEN_DISTANCE_FACTOR, "default: cell_size × √2 (queen, sfhotspot)"
    else:
        rule = "user"
    z, p = gistar_cube(counts, prep.mask, radius_cells=distance / cell)
    p_used = _bh_per_step(p, prep.mask) if fdr else p
    sig = p_used < BIN_ALPHA
    bins = np.where(sig & (z > 0), 1, np.where(sig & (z < 0), -1, 0)).astype(np.int8)
    quiet = [steps.labels[t] for t in range(n_steps) if counts[t][prep.mask].sum() == 0]
    if quiet:
        notes.append(
            f"{len(quiet)} step(s) have no crimes in the study area ({', '.join(quiet[:5])}"
            f"{', ...' if len(quiet) > 5 else ''}): no cell is hot or cold in them."
        )

    series = z[:, prep.mask].T  # (cells, steps)
    mk = mann_kendall(series)
    code = classify_patterns(bins[:, prep.mask].T, mk.trend)
    cells = _emerging_frame(prep, counts, z, bins, mk, code)
    params = {
        **prep.params,
        "n_crimes": int(keep.sum()),
        "step": steps.unit,
        "step_rule": steps.rule,
        "n_steps": n_steps,
        "first_step": steps.labels[0],
        "last_step": steps.labels[-1],
        "distance": distance,
        "distance_rule": rule,
        "fdr": bool(fdr),
        "bin_rule": (
            f"hot (cold) where Gi* z > 0 (< 0) and the "
            f"{'Benjamini-Hochberg adjusted (within each step) ' if fdr else ''}two-sided "
            f"p-value < {BIN_ALPHA:g} ({100 * (1 - BIN_ALPHA):.0f}% confidence)"
        ),
        "trend_test": f"Mann-Kendall on each cell's Gi* z-scores, two-sided, alpha {MK_ALPHA:g}",
        "hot_share": HOT_SHARE,
        "pattern_rules": dict(PATTERN_RULES),
        "hotspot_rule": "a hot pattern that is hot in the final step (codes 1-7)",
        "score": "mean Gi* z over the steps",
        "pattern_counts": {
            PATTERNS[c]: int((code == c).sum()) for c in sorted(PATTERNS) if (code == c).any()
        },
    }
    return EmergingResult(
        cells=cells,
        method="emerging",
        params=params,
        notes=notes,
        steps=steps,
        grid=g,
        mask=prep.mask,
        counts=counts,
        gi_z=z,
        gi_p=p,
        gi_p_fdr=p_used if fdr else None,
        bins=bins,
    )


def _emerging_frame(
    prep: Any,
    counts: np.ndarray,
    z: np.ndarray,
    bins: np.ndarray,
    mk: MannKendall,
    code: np.ndarray,
) -> gpd.GeoDataFrame:
    g, mask = prep.grid, prep.mask
    shape = g.shape

    def _full(values: np.ndarray, fill: Any = 0) -> np.ndarray:
        out = np.full(shape, fill, dtype=np.asarray(values).dtype)
        out[mask] = values
        return out

    z_mask = z[:, mask]
    b_mask = bins[:, mask]
    trend = np.array(["none", "increasing", "decreasing"], dtype=object)[
        np.where(mk.trend > 0, 1, np.where(mk.trend < 0, 2, 0))
    ]
    names = np.vectorize(PATTERNS.__getitem__, otypes=[object])(code) if code.size else code
    layers: dict[str, np.ndarray] = {
        "count": counts.sum(axis=0),
        "pattern": _full(np.asarray(names, dtype=object), ""),
        "pattern_code": _full(code),
        "n_hot_steps": _full((b_mask > 0).sum(axis=0)),
        "n_cold_steps": _full((b_mask < 0).sum(axis=0)),
        "final_bin": _full(b_mask[-1].astype(np.int64)),
        "final_gi_z": _full(z_mask[-1], np.nan),
        "mean_gi_z": _full(z_mask.mean(axis=0), np.nan),
        "mk_s": _full(mk.s, np.nan),
        "mk_z": _full(mk.z, np.nan),
        "mk_p": _full(mk.p, np.nan),
        "trend": _full(trend, ""),
        "score": _full(z_mask.mean(axis=0), 0.0),
        "hotspot": _full((code >= 1) & (code <= 7), False),
    }
    return g.to_geodataframe(layers, mask=mask)


def _check_emerging(result: Any, func: str) -> EmergingResult:
    if not isinstance(result, EmergingResult) or result.counts is None:
        raise TypeError(
            f"'result' of {func} should be the EmergingResult that emerging_hotspots returns, "
            f"got {type(result)}."
        )
    return result


def cell_series(result: EmergingResult, cell_id: str) -> pd.DataFrame:
    """Return one cell's time series: crimes, Gi* z, p-values and hot/cold per step.

    Parameters
    ----------
    result : EmergingResult
        From :func:`emerging_hotspots`.
    cell_id : str
        A ``cell_id`` of ``result.cells`` (e.g. from a map click).

    Returns
    -------
    DataFrame
        One row per step: ``step`` (label), ``start`` (first day), ``count``, ``gi_z``,
        ``gi_p``, ``gi_p_fdr`` (NaN when FDR was off), ``bin`` (1, -1, 0) and ``status``
        ("hot", "cold", "not significant").

    Examples
    --------
    >>> import geopandas as gpd
    >>> months = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01"])
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy([5, 5, 25], [5, 5, 5]), crs="EPSG:27700")
    >>> res = emerging_hotspots(crimes, cell_size=10)
    >>> cell_series(res, "E0N0")[["step", "count"]].values.tolist()
    [['2024-01', 1.0], ['2024-02', 1.0]]
    """
    result = _check_emerging(result, "cell_series")
    match = result.cells.index[result.cells["cell_id"] == cell_id]
    if len(match) == 0:
        raise ParameterError(
            f"cell_series: no cell {cell_id!r} in the result's study area; cell ids look like "
            f"{result.cells['cell_id'].iloc[0]!r}."
        )
    r = int(result.cells.at[match[0], "row"])
    c = int(result.cells.at[match[0], "col"])
    bins = result.bins[:, r, c].astype(np.int64)
    p_fdr = (
        result.gi_p_fdr[:, r, c] if result.gi_p_fdr is not None
        else np.full(bins.size, np.nan)
    )
    return pd.DataFrame(
        {
            "step": result.steps.labels,
            "start": result.steps.starts,
            "count": result.counts[:, r, c],
            "gi_z": result.gi_z[:, r, c],
            "gi_p": result.gi_p[:, r, c],
            "gi_p_fdr": p_fdr,
            "bin": bins,
            "status": np.array(["cold", "not significant", "hot"], dtype=object)[bins + 1],
        }
    )


def emerging_series(result: EmergingResult, *, patterns_only: bool = True) -> pd.DataFrame:
    """Return the long table of every cell's series (``cell_id`` + :func:`cell_series` columns).

    With ``patterns_only`` (default), only cells with a pattern other than "No Pattern
    Detected" are included, which keeps the table small enough to export.

    Examples
    --------
    >>> import geopandas as gpd
    >>> months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy([5, 25], [5, 5]), crs="EPSG:27700")
    >>> emerging_series(emerging_hotspots(crimes, cell_size=10), patterns_only=False).shape
    (6, 9)
    """
    result = _check_emerging(result, "emerging_series")
    cells = result.cells
    if patterns_only:
        cells = cells[cells["pattern_code"] != 0]
    rows = cells["row"].to_numpy()
    cols = cells["col"].to_numpy()
    n_steps = len(result.steps)
    bins = result.bins[:, rows, cols].T.astype(np.int64)
    p_fdr = (
        result.gi_p_fdr[:, rows, cols].T if result.gi_p_fdr is not None
        else np.full(bins.shape, np.nan)
    )
    return pd.DataFrame(
        {
            "cell_id": np.repeat(cells["cell_id"].to_numpy(), n_steps),
            "step": np.tile(np.asarray(result.steps.labels, dtype=object), len(cells)),
            "start": np.tile(result.steps.starts.to_numpy(), len(cells)),
            "count": result.counts[:, rows, cols].T.ravel(),
            "gi_z": result.gi_z[:, rows, cols].T.ravel(),
            "gi_p": result.gi_p[:, rows, cols].T.ravel(),
            "gi_p_fdr": p_fdr.ravel(),
            "bin": bins.ravel(),
            "status": np.array(["cold", "not significant", "hot"], dtype=object)[
                bins.ravel() + 1
            ],
        }
    )
