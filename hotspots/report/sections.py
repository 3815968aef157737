"""The numbers and tables of the evidence pack's summary and problem profile.

Public through :mod:`hotspots.report`. Every figure here is computed by the functions the
rest of the product uses (:func:`hotspots.select_crimes`, :func:`hotspots.find_hotspots`,
:func:`hotspots.area_summary`, :mod:`hotspots.profile`), so the report says exactly what the
app and the CLI say; :mod:`hotspots._report_plan` does the same for the plan sections. The
sections are plain dataclasses holding numbers and DataFrames (raw, not suppressed);
:mod:`hotspots.report` turns them into files, applying the privacy rule.
"""

from __future__ import annotations

import calendar
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.areas import area_summary, concentration_statement
from hotspots.analysis.profile import category_counts, monthly_counts, top_streets
from hotspots.errors import HotspotsError
from hotspots.groups import CrimeGroup, apply_harm
from hotspots.methods.find import find_hotspots
from hotspots.months import parse_month
from hotspots.pipelines.find import hotspot_table
from hotspots.privacy import count_label
from hotspots.result import HotspotResult
from hotspots.select import select_crimes

__all__ = [
    "Periods",
    "Selection",
    "Summary",
    "Profile",
    "resolve_periods",
    "select_for_report",
    "summary_section",
    "find_report_hotspots",
    "profile_section",
    "TOP_STREETS",
]

log = logging.getLogger(__name__)

#: Streets listed in the problem profile (a page-length table).
TOP_STREETS = 10


# --------------------------------------------------------------------------- periods


def _shift(month: pd.Timestamp, n: int) -> pd.Timestamp:
    return month + pd.DateOffset(months=n)


def _label(month: pd.Timestamp) -> str:
    return f"{month:%Y-%m}"


def _n_months(first: pd.Timestamp, last: pd.Timestamp) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


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
        return _n_months(self.start, self.end)

    @property
    def compare_months(self) -> int:
        return _n_months(self.compare_start, self.compare_end)

    @property
    def label(self) -> str:
        first, last = _label(self.start), _label(self.end)
        return first if first == last else f"{first} to {last}"

    @property
    def compare_label(self) -> str:
        first, last = _label(self.compare_start), _label(self.compare_end)
        return first if first == last else f"{first} to {last}"


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
    begin = parse_month(start, name="from") if start else _shift(stop, -(default_months - 1))
    if start is None and first is not None and begin < first:
        notes.append(f"The data start in {_label(first)}, so the report period starts there "
                     f"instead of {_label(begin)} ({_n_months(first, stop)} months).")
        begin = first
    length = _n_months(begin, stop)
    if compare_start and compare_end:
        c_first = parse_month(compare_start, name="compare_from")
        c_last = parse_month(compare_end, name="compare_to")
    else:
        c_first, c_last = _shift(begin, -length), _shift(begin, -1)
    covered = first is not None and c_first >= first and c_last <= last
    if not covered:
        cover = f"{_label(first)} to {_label(last)}" if first is not None else "no months"
        notes.append(f"The data cover {cover}, not the whole comparison period "
                     f"{_label(c_first)} to {_label(c_last)}, so no change is given.")
    if first is not None and (begin < first or stop > last):
        notes.append(f"The data cover {_label(first)} to {_label(last)}, not the whole report "
                     f"period {_label(begin)} to {_label(stop)}.")
    return Periods(begin, stop, c_first, c_last, first, last, covered, tuple(notes))


# --------------------------------------------------------------------------- selection


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
    from hotspots.errors import ParameterError

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
    start, end = _label(periods.start), _label(periods.end)
    c_start, c_end = _label(periods.compare_start), _label(periods.compare_end)
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


def _union(frame: gpd.GeoDataFrame | None) -> Any:
    if frame is None or len(frame) == 0:
        return None
    return shapely.union_all(shapely.make_valid(frame.geometry.array))


def _count_text(n: float | int, sensitive: bool) -> str:
    return count_label(n, sensitive=sensitive)


def _share(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if 0 < value < 0.001:
        return "under 0.1%"
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


# --------------------------------------------------------------------------- 1 summary


@dataclass
class Summary:
    """Section 1: the headline figures."""

    title: str
    area_label: str
    area_names: list[str]
    area_kind: str
    group: dict[str, Any]
    period: str
    months: int
    crimes: int
    harm: float | None
    comparison_period: str
    comparison_crimes: int | None
    comparison_harm: float | None
    change: int | None
    change_pct: float | None
    district_label: str | None
    district_crimes: int | None
    share_of_crime: float | None
    share_of_land: float | None
    n_hotspots: int
    empty: bool
    n_areas: int = 0
    sentences: list[str] = field(default_factory=list)


def summary_section(sel: Selection, *, title: str, district_label: str | None,
                    n_hotspots: int) -> Summary:
    """Headline figures: crimes, harm, change, share of the district's crime and land."""
    g, p = sel.group, sel.periods
    sensitive = g.sensitive
    if sel.bid_areas is None:
        area_label = "the whole data extent"
    elif sel.whole_district and len(sel.area_names) == 1:
        area_label = sel.area_names[0]
    elif sel.whole_district:
        area_label = f"all {len(sel.area_names)} {sel.area_kind}" + (
            f" of {district_label}" if district_label else "")
    elif len(sel.area_names) > 6:
        area_label = f"{len(sel.area_names)} {sel.area_kind} ({', '.join(sel.area_names[:6])} ...)"
    else:
        area_label = ", ".join(sel.area_names)
    crimes = len(sel.bid)
    harm = float(sel.bid["weight"].sum()) if sel.weighted else None
    comp = len(sel.comparison) if p.comparison_covered else None
    comp_harm = (float(sel.comparison["weight"].sum())
                 if sel.weighted and p.comparison_covered else None)
    change = None if comp is None else crimes - comp
    change_pct = None if not comp else 100.0 * (crimes - comp) / comp
    share_crime = share_land = None
    district_crimes = None
    if sel.areas is not None:
        district_crimes = len(sel.district)
        if not sel.whole_district:
            share_crime = crimes / district_crimes if district_crimes else None
            land = _union(sel.areas)
            share_land = _union(sel.bid_areas).area / land.area if land.area > 0 else None
    out = Summary(
        title=title, area_label=area_label, area_names=sel.area_names, area_kind=sel.area_kind,
        group={**g.to_dict(), "basis": (sel.info.get("group") or {}).get("basis", "")},
        period=p.label, months=p.months, crimes=crimes, harm=harm,
        comparison_period=p.compare_label, comparison_crimes=comp, comparison_harm=comp_harm,
        change=change, change_pct=change_pct, district_label=district_label,
        district_crimes=district_crimes, share_of_crime=share_crime, share_of_land=share_land,
        n_hotspots=n_hotspots, empty=crimes == 0,
        n_areas=len(sel.areas) if sel.areas is not None else 0,
    )
    out.sentences = _summary_sentences(out, sensitive)
    return out


def _summary_sentences(s: Summary, sensitive: bool) -> list[str]:
    label = s.group["label"]
    if s.empty:
        return [f"No crimes in the group {label} were recorded in {s.area_label} in "
                f"{s.period}: there is nothing to map, rank or profile, and the sections "
                "below say so."]
    out = [f"{_count_text(s.crimes, sensitive)} crimes in the group {label} were recorded "
           f"in {s.area_label} in {s.period} ({s.months} months)."]
    if s.harm is not None:
        out.append(f"Their harm, weighted by category, totals {s.harm:,.1f}.")
    if s.comparison_crimes is None:
        out.append(f"There are no data for the comparison period {s.comparison_period}, so "
                   "no change is given.")
    elif s.comparison_crimes == 0:
        out.append(f"There were none in the comparison period {s.comparison_period}.")
    else:
        verb = "up" if s.change > 0 else "down" if s.change < 0 else "unchanged"
        pct = abs(s.change_pct)
        # a difference is not a count of crimes, so it is shown unless a count it comes from
        # is itself a small count (the counts are then "<5" and so is the difference)
        hidden = sensitive and (0 < s.crimes < 5 or 0 < s.comparison_crimes < 5)
        amount = (f" {pct:.1f}%" if pct < 1 else f" {pct:.0f}%") + (
            " (a few crimes)" if hidden else f" ({abs(s.change):,} crimes)")
        amount = amount if s.change else ""
        out.append(f"That is {verb}{amount} on the {s.comparison_period} comparison period "
                   f"({_count_text(s.comparison_crimes, sensitive)} crimes).")
    whole = s.district_label or f"all {s.n_areas} {s.area_kind}"
    if s.share_of_crime is not None and s.share_of_land is not None:
        ratio = s.share_of_crime / s.share_of_land if s.share_of_land else math.nan
        times = (f": {ratio:.1f} times its share of the land" if math.isfinite(ratio)
                 else "")
        out.append(f"{s.area_label} holds {_share(s.share_of_crime)} of these crimes in "
                   f"{whole} ({_count_text(s.district_crimes, sensitive)}) on "
                   f"{_share(s.share_of_land)} of the land{times}.")
    elif s.district_crimes is not None:
        out.append(f"The report covers the whole of {whole}.")
    return out


# --------------------------------------------------------------------------- 2 profile


@dataclass
class Profile:
    """Section 2: where, what, when, which streets, which areas."""

    result: HotspotResult | None
    method_statement: str
    hotspots: pd.DataFrame
    hotspot_crimes: int
    hotspot_crime_share: float | None
    hotspot_area_share: float | None
    hotspot_statement: str
    categories: pd.DataFrame
    monthly: pd.DataFrame
    seasonality: pd.DataFrame
    streets: pd.DataFrame
    areas: gpd.GeoDataFrame | None
    concentration: str
    population_source: str | None
    notes: list[str] = field(default_factory=list)


def find_report_hotspots(sel: Selection, *, method: str,
                         params: Mapping[str, Any]) -> tuple[HotspotResult | None, str]:
    """Hotspots in the bid area's crimes; (None, why) when there are none to find."""
    if len(sel.bid) == 0:
        return None, "There are no crimes in the selection, so no hotspots were computed."
    try:
        result = find_hotspots(sel.bid, method=method, area=sel.bid_areas,
                               weight="weight" if sel.weighted else None, **dict(params))
    except HotspotsError as exc:
        return None, f"Hotspots could not be computed: {exc}"
    return result, ""


def _hotspot_concentration(sel: Selection, result: HotspotResult | None,
                           sensitive: bool) -> tuple[int, float | None, float | None, str]:
    if result is None or result.n_hotspots == 0 or len(sel.bid) == 0:
        return 0, None, None, ("No hotspots were found." if result is not None else "")
    hot = _union(result.cells[result.cells["hotspot"].astype(bool)].to_crs(sel.bid.crs))
    shapely.prepare(hot)
    inside = int(shapely.intersects(hot, sel.bid.geometry.array).sum())
    crime_share = inside / len(sel.bid)
    area = _union(sel.bid_areas)
    area_share = hot.intersection(area).area / area.area if area is not None else None
    what = "cells" if result.layer == "cells" else "clusters"
    where = (f" covering {_share(area_share)} of the area" if area_share is not None else "")
    text = (f"The {result.n_hotspots:,} hotspot {what}{where} hold {_share(crime_share)} of "
            f"the crimes ({_count_text(inside, sensitive)} of {len(sel.bid):,}).")
    return inside, crime_share, area_share, text


def _categories(sel: Selection) -> pd.DataFrame:
    table = category_counts(sel.bid, weight="weight" if sel.weighted else None)
    if not sel.periods.comparison_covered:
        return table
    before = sel.comparison["category"].astype(str).value_counts()
    cats = list(table["category"]) + [c for c in before.index if c not in set(table["category"])]
    table = table.set_index("category").reindex(cats)
    table["count"] = table["count"].fillna(0).astype(int)
    table["share"] = table["share"].fillna(0.0)
    table["comparison"] = before.reindex(cats).fillna(0).astype(int).to_numpy()
    table["change"] = table["count"] - table["comparison"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(table["comparison"] > 0,
                       100.0 * table["change"] / table["comparison"].replace(0, np.nan), np.nan)
    table["percent_change"] = np.round(pct, 1)
    return table.reset_index()


def _monthly(sel: Selection) -> pd.DataFrame:
    p = sel.periods
    first = p.compare_start if p.comparison_covered else p.start
    table = monthly_counts(sel.bid_all_months, start=first, end=p.end)
    table["period"] = np.where(table["month"] >= p.start, "report period", "comparison")
    return table


def _seasonality(sel: Selection) -> pd.DataFrame:
    """Crimes per calendar month over every month of data, and the mean per month."""
    months = pd.to_datetime(sel.all_crimes["month"]).dropna()
    covered = pd.Series(months.unique()).dt.month.value_counts() if len(months) else pd.Series(
        dtype=int)
    got = pd.to_datetime(sel.bid_all_months["month"]).dt.month.value_counts()
    numbers = range(1, 13)
    table = pd.DataFrame({
        "month_of_year": list(numbers),
        "name": [calendar.month_abbr[m] for m in numbers],
        "months_in_data": [int(covered.get(m, 0)) for m in numbers],
        "crimes": [int(got.get(m, 0)) for m in numbers],
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        table["mean_per_month"] = np.where(table["months_in_data"] > 0,
                                           table["crimes"] / table["months_in_data"].replace(
                                               0, np.nan), np.nan).round(2)
    return table


def _population(areas: gpd.GeoDataFrame, population: Any,
                notes: list[str]) -> pd.Series | None:
    if population is None:
        return None
    if isinstance(population, str):
        if population not in areas.columns:
            raise HotspotsError(
                f"The population column {population!r} is not in the boundary; its columns "
                f"are {', '.join(map(str, areas.columns.drop(areas.geometry.name)))}."
            )
        values = pd.to_numeric(areas[population], errors="coerce")
    else:
        lookup = {str(k): v for k, v in dict(population).items()}
        values = pd.to_numeric(areas["area_name"].astype(str).map(lookup), errors="coerce")
    missing = areas["area_name"][values.isna().to_numpy()].astype(str).tolist()
    if missing:
        notes.append(f"No population for {len(missing)} area(s) ({', '.join(missing[:5])}"
                     f"{' ...' if len(missing) > 5 else ''}); their rate is left blank.")
    return values


def _area_table(sel: Selection, population: Any,
                notes: list[str]) -> tuple[gpd.GeoDataFrame | None, str]:
    if sel.areas is None:
        return None, ""
    if len(sel.district) == 0:
        return None, f"There are no crimes in any of the {sel.area_kind} to rank."
    summary = area_summary(sel.district, sel.areas, weight="weight" if sel.weighted else None)
    notes.extend(summary.attrs.get("notes", []))
    pop = _population(sel.areas, population, notes)
    table = summary.copy()
    table["in_bid_area"] = table["area_name"].isin(sel.area_names).to_numpy()
    if pop is not None:
        table["population"] = pop.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = 1000.0 * table["count"] / table["population"]
        table["rate_per_1000"] = rate.where(table["population"] > 0).round(2)
    statement = concentration_statement(summary).replace("areas", sel.area_kind)
    table = table.sort_values(["rank", "area_name"]).reset_index(drop=True)
    return table, statement


def profile_section(sel: Selection, result: HotspotResult | None, why_none: str, *,
                    population: Any = None, population_source: str | None = None) -> Profile:
    """Problem profile: hotspots, categories, trend, seasonality, streets, area ranking."""
    sensitive = sel.group.sensitive
    notes = list(sel.notes)
    if why_none:
        notes.append(why_none)
    n_in, crime_share, area_share, statement = _hotspot_concentration(sel, result, sensitive)
    hot = (hotspot_table(result) if result is not None and result.n_hotspots
           else pd.DataFrame())
    areas, concentration = _area_table(sel, population, notes)
    return Profile(
        result=result,
        method_statement=result.method_statement() if result is not None else why_none,
        hotspots=hot, hotspot_crimes=n_in, hotspot_crime_share=crime_share,
        hotspot_area_share=area_share, hotspot_statement=statement,
        categories=_categories(sel), monthly=_monthly(sel), seasonality=_seasonality(sel),
        streets=top_streets(sel.bid, n=TOP_STREETS), areas=areas, concentration=concentration,
        population_source=population_source if population is not None else None, notes=notes,
    )
