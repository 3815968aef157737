"""Crimes in the target, buffer and control areas, before and after a scheme's start.

The counting step of the observed evaluation (:mod:`hotspots.evaluation.before_after`):
each crime is placed in at most one area and one period, and the counts say whether the
data cover both periods in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.evaluation.areas import ROLES
from hotspots.evaluation.areas import EvaluationAreas
from hotspots.months import as_month
from hotspots.months import covered_months
from hotspots.months import data_months
from hotspots.months import missing_months
from hotspots.months import month_label
from hotspots.months import months_between
from hotspots.months import period_label
from hotspots.months import shift_months
from hotspots.select import select_categories
from hotspots.spatial import point_coordinates
from hotspots.validation import require_projected

__all__ = ["DEFAULT_MONTHS", "BeforeAfter", "before_after", "check_months"]

#: Months before and after the start: a full year each, so both periods hold every season
#: once (the usual design of before/after area evaluations, e.g. Bowers & Johnson 2003).
DEFAULT_MONTHS = 12

_BEFORE, _AFTER = "before", "after"


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


def check_months(value: Any, *, name: str, func: str) -> int:
    """Return ``value`` as an int if it is a whole number of months >= 1, else raise.

    Examples
    --------
    >>> check_months(6, name="months_after", func="before_after")
    6
    >>> check_months(0, name="months_after", func="before_after")
    Traceback (most recent call last):
    ...
    hotspots.errors.ParameterError: The 'months_after' parameter of before_after must be a \
whole number of months >= 1, got 0.
    """
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
        From :func:`hotspots.evaluation.areas.evaluation_areas`.
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
    >>> from hotspots.evaluation.areas import evaluation_areas
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
    months_before = check_months(months_before, name="months_before", func=func)
    months_after = check_months(months_after, name="months_after", func=func)
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
