"""The crimes a report draws on: its periods, and the group's crimes in the district and bid area.

:func:`resolve_periods` fills in the report and comparison periods from what the data cover;
:func:`select_for_report` selects the crime group's crimes for the whole district and the bid
area, in both periods, with :func:`hotspots.select_crimes`, so the report counts exactly what
the app and the CLI count. Every section (:mod:`hotspots.report.sections`,
:mod:`hotspots.report.plan`) works from the :class:`Selection` made here.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.errors import ParameterError
from hotspots.groups import CrimeGroup
from hotspots.groups import apply_harm
from hotspots.months import month_label
from hotspots.months import months_between
from hotspots.months import parse_month
from hotspots.months import period_label
from hotspots.months import shift_months
from hotspots.select import select_crimes

__all__ = ["Periods", "Selection", "resolve_periods", "select_for_report", "area_union"]


@dataclass(frozen=True)
class Periods:
    """The report period, the comparison period, and what the data cover."""

    start: pd.Timestamp
    end: pd.Timestamp
    compare_start: pd.Timestamp
    compare_end: pd.Timestamp
    data_start: pd.Timestamp | None
    data_end: pd.Timestamp | None
    comparison_covered: bool
    notes: tuple[str, ...] = ()

    @property
    def months(self) -> int:
        return months_between(self.start, self.end)

    @property
    def compare_months(self) -> int:
        return months_between(self.compare_start, self.compare_end)

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)

    @property
    def compare_label(self) -> str:
        return period_label(self.compare_start, self.compare_end)


def resolve_periods(
    crimes: pd.DataFrame,
    *,
    start: str | None = None,
    end: str | None = None,
    compare_start: str | None = None,
    compare_end: str | None = None,
    default_months: int = 12,
) -> Periods:
    """Fill in the report and comparison periods from what the data cover.

    Default period: the last ``default_months`` months of data (or up to ``end``);
    default comparison: the same number of months just before it.

    Examples
    --------
    >>> crimes = pd.DataFrame({"month": pd.date_range("2024-01-01", "2025-12-01", freq="MS")})
    >>> p = resolve_periods(crimes)
    >>> p.label, p.compare_label, p.comparison_covered
    ('2025-01 to 2025-12', '2024-01 to 2024-12', True)
    """
    notes: list[str] = []
    months = pd.to_datetime(crimes["month"]).dropna() if len(crimes) else pd.Series([])
    first = months.min() if len(months) else None
    last = months.max() if len(months) else None
    stop = parse_month(end, name="to") if end else last
    if stop is None:
        stop = parse_month(start, name="from") if start else pd.Timestamp.now().normalize(
        ).replace(day=1)
    begin = (parse_month(start, name="from") if start
             else shift_months(stop, -(default_months - 1)))
    if start is None and first is not None and begin < first:
        notes.append(f"The data start in {month_label(first)}, so the report period starts "
                     f"there instead of {month_label(begin)} ({months_between(first, stop)} "
                     "months).")
        begin = first
    length = months_between(begin, stop)
    if compare_start and compare_end:
        c_first = parse_month(compare_start, name="compare_from")
        c_last = parse_month(compare_end, name="compare_to")
    else:
        c_first, c_last = shift_months(begin, -length), shift_months(begin, -1)
    covered = first is not None and c_first >= first and c_last <= last
    if not covered:
        cover = (f"{month_label(first)} to {month_label(last)}" if first is not None
                 else "no months")
        notes.append(f"The data cover {cover}, not the whole comparison period "
                     f"{month_label(c_first)} to {month_label(c_last)}, so no change is given.")
    if first is not None and (begin < first or stop > last):
        notes.append(f"The data cover {month_label(first)} to {month_label(last)}, not the "
                     f"whole report period {month_label(begin)} to {month_label(stop)}.")
    return Periods(begin, stop, c_first, c_last, first, last, covered, tuple(notes))


@dataclass
class Selection:
    """The crime tables every section draws on, and how they were selected."""

    group: CrimeGroup
    periods: Periods
    all_crimes: gpd.GeoDataFrame
    group_crimes: gpd.GeoDataFrame
    district: gpd.GeoDataFrame
    bid: gpd.GeoDataFrame
    comparison: gpd.GeoDataFrame
    bid_all_months: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame | None
    bid_areas: gpd.GeoDataFrame | None
    area_names: list[str]
    area_kind: str
    harm_weights: dict[str, float] | None
    info: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def weighted(self) -> bool:
        return self.harm_weights is not None

    @property
    def whole_district(self) -> bool:
        return self.areas is None or self.bid_areas is None or len(self.bid_areas) == len(
            self.areas)


def select_for_report(
    crimes: gpd.GeoDataFrame,
    *,
    group: CrimeGroup,
    groups: Mapping[str, CrimeGroup] | None,
    periods: Periods,
    areas: gpd.GeoDataFrame | None,
    include: Sequence[str] | None,
    area_kind: str,
    harm_weights: Mapping[str, float] | None,
) -> Selection:
    """Select the group's crimes for the district and the bid area, both periods."""
    notes: list[str] = []
    bid_areas = areas
    if areas is not None and include is not None:
        names = areas["area_name"].astype(str)
        missing = [n for n in include if n not in set(names)]
        if missing:
            raise ParameterError(
                f"Area name(s) {missing} are not in the boundary; its {area_kind} are: "
                f"{', '.join(sorted(names)[:40])}{' ...' if len(names) > 40 else ''}."
            )
        bid_areas = areas[names.isin(list(include)).to_numpy()]
    group_crimes, group_info = select_crimes(crimes, group=group, groups=groups)
    notes.extend(group_info.get("notes", []))
    if harm_weights is not None and len(group_crimes):
        group_crimes = apply_harm(group_crimes, harm_weights, default=None)
    start, end = month_label(periods.start), month_label(periods.end)
    c_start, c_end = month_label(periods.compare_start), month_label(periods.compare_end)
    district, _ = select_crimes(group_crimes, start=start, end=end, area=areas)
    bid, info = select_crimes(crimes, group=group, groups=groups, start=start, end=end,
                              area=bid_areas)
    bid = group_crimes.loc[bid.index] if len(bid) else group_crimes.iloc[:0]
    comparison, _ = select_crimes(group_crimes, start=c_start, end=c_end, area=bid_areas)
    bid_all, _ = select_crimes(group_crimes, area=bid_areas)
    names = (list(bid_areas["area_name"].astype(str)) if bid_areas is not None else [])
    return Selection(
        group=group, periods=periods, all_crimes=crimes, group_crimes=group_crimes,
        district=district, bid=bid, comparison=comparison, bid_all_months=bid_all,
        areas=areas, bid_areas=bid_areas, area_names=names, area_kind=area_kind,
        harm_weights=dict(harm_weights) if harm_weights is not None else None, info=info,
        notes=notes,
    )


def area_union(frame: gpd.GeoDataFrame | None) -> Any:
    """The union of ``frame``'s (made valid) shapes, or None for no frame or no rows."""
    if frame is None or len(frame) == 0:
        return None
    return shapely.union_all(shapely.make_valid(frame.geometry.array))
