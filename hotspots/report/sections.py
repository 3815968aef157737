"""The numbers and tables of the evidence pack's summary and problem profile.

Every figure here is computed by the functions the rest of the product uses
(:func:`hotspots.find_hotspots`, :func:`hotspots.area_summary`,
:mod:`hotspots.analysis.profile`) on the :class:`~hotspots.report.selection.Selection`, so
the report says exactly what the app and the CLI say; :mod:`hotspots.report.plan` does the
same for the plan sections. The sections are plain dataclasses holding numbers and
DataFrames (raw, not suppressed); :mod:`hotspots.report.outputs` turns them into files,
applying the privacy rule.
"""

from __future__ import annotations

import calendar
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.areas import area_summary
from hotspots.analysis.areas import concentration_statement
from hotspots.analysis.profile import category_counts
from hotspots.analysis.profile import monthly_counts
from hotspots.analysis.profile import top_streets
from hotspots.errors import HotspotsError
from hotspots.methods.find import find_hotspots
from hotspots.pipelines.find import hotspot_table
from hotspots.privacy import count_label
from hotspots.report.selection import Selection
from hotspots.report.selection import area_union
from hotspots.result import HotspotResult

__all__ = [
    "Summary",
    "Profile",
    "summary_section",
    "find_report_hotspots",
    "profile_section",
    "TOP_STREETS",
]

log = logging.getLogger(__name__)

#: Streets listed in the problem profile (a page-length table).
TOP_STREETS = 10


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
            land = area_union(sel.areas)
            share_land = area_union(sel.bid_areas).area / land.area if land.area > 0 else None
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
    out = [f"{count_label(s.crimes, sensitive=sensitive)} crimes in the group {label} were "
           f"recorded in {s.area_label} in {s.period} ({s.months} months)."]
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
                   f"({count_label(s.comparison_crimes, sensitive=sensitive)} crimes).")
    whole = s.district_label or f"all {s.n_areas} {s.area_kind}"
    if s.share_of_crime is not None and s.share_of_land is not None:
        ratio = s.share_of_crime / s.share_of_land if s.share_of_land else math.nan
        times = (f": {ratio:.1f} times its share of the land" if math.isfinite(ratio)
                 else "")
        out.append(f"{s.area_label} holds {_share(s.share_of_crime)} of these crimes in "
                   f"{whole} ({count_label(s.district_crimes, sensitive=sensitive)}) on "
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
        return 0, None, None, (
            "No hotspots were found: no place holds more crime than chance would put there "
            "(see the method statement for the test)." if result is not None else "")
    hot = area_union(result.cells[result.cells["hotspot"].astype(bool)].to_crs(sel.bid.crs))
    shapely.prepare(hot)
    inside = int(shapely.intersects(hot, sel.bid.geometry.array).sum())
    crime_share = inside / len(sel.bid)
    area = area_union(sel.bid_areas)
    area_share = hot.intersection(area).area / area.area if area is not None else None
    what = "cells" if result.layer == "cells" else "clusters"
    where = (f" covering {_share(area_share)} of the area" if area_share is not None else "")
    text = (f"The {result.n_hotspots:,} hotspot {what}{where} hold {_share(crime_share)} of "
            f"the crimes ({count_label(inside, sensitive=sensitive)} of {len(sel.bid):,}).")
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
