"""Time steps for space-time analyses: each crime assigned to a month, week or day.

:func:`time_steps` chooses the unit (or takes the one asked for), numbers the steps from
the first crime to the last, empty steps included, and says in plain language when there
are too few steps for a trend to mean much.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspots.errors import ColumnMappingError
from hotspots.errors import EmptySelectionError
from hotspots.validation import check_choice

__all__ = ["MIN_MONTHLY_STEPS", "MIN_STEPS", "STEPS", "STEP_RULE", "TimeSteps", "time_steps"]

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
