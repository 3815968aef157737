"""Shared by the period-based analyses (compare, evaluation): months, categories, points.

Months are ``pd.Timestamp`` first-of-month values, as the canonical crime table's ``month``
column holds them; periods are ``(first, last)`` pairs with both ends included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from hotspots.errors import CRSError, EmptySelectionError, ParameterError
from hotspots.select import parse_month

__all__ = [
    "as_month",
    "months_between",
    "shift_months",
    "month_label",
    "period_label",
    "data_months",
    "covered_months",
    "missing_months",
    "select_categories",
    "point_coordinates",
    "area_geometry",
]


def as_month(value: Any, *, name: str) -> pd.Timestamp:
    """Return the first day of the month of ``value`` (``"YYYY-MM"``, date or Timestamp).

    Examples
    --------
    >>> as_month("2025-01", name="start"), as_month(pd.Timestamp("2025-01-17"), name="start")
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2025-01-01 00:00:00'))
    """
    if isinstance(value, str):
        return parse_month(value, name=name)
    if isinstance(value, pd.Timestamp | dt.date | np.datetime64) and not pd.isna(value):
        stamp = pd.Timestamp(value)
        return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)
    raise ParameterError(
        f"The '{name}' parameter must be a month written YYYY-MM (e.g. '2025-01') or a "
        f"date, got {value!r}."
    )


def months_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Number of months from ``first`` to ``last``, both included.

    Examples
    --------
    >>> months_between(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01"))
    12
    """
    return (last.year - first.year) * 12 + last.month - first.month + 1


def shift_months(month: pd.Timestamp, n: int) -> pd.Timestamp:
    """The first day of the month ``n`` months after ``month`` (before, if ``n`` < 0).

    Examples
    --------
    >>> shift_months(pd.Timestamp("2025-01-01"), -12)
    Timestamp('2024-01-01 00:00:00')
    """
    index = month.year * 12 + month.month - 1 + n
    return pd.Timestamp(year=index // 12, month=index % 12 + 1, day=1)


def month_label(month: pd.Timestamp) -> str:
    """``"YYYY-MM"``."""
    return f"{month:%Y-%m}"


def period_label(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """``"2024-01 to 2024-12"``, or one month alone."""
    return month_label(first) if first == last else f"{month_label(first)} to {month_label(last)}"


def data_months(crimes: pd.DataFrame, *, func: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month present in ``crimes`` (the span the data cover)."""
    if "month" not in crimes.columns:
        raise ParameterError(
            f"{func}: 'crimes' has no 'month' column, so periods cannot be selected; load "
            "it with hotspots.load_crimes."
        )
    months = pd.to_datetime(crimes["month"]).dropna()
    if months.empty:
        raise EmptySelectionError(f"{func}: no crime in 'crimes' has a month; nothing to compare.")
    return as_month(months.min(), name="month"), as_month(months.max(), name="month")


def covered_months(
    first: pd.Timestamp, last: pd.Timestamp, cover: tuple[pd.Timestamp, pd.Timestamp]
) -> int:
    """How many months of ``first..last`` lie within the data's ``cover`` span."""
    lo, hi = max(first, cover[0]), min(last, cover[1])
    return months_between(lo, hi) if lo <= hi else 0


def missing_months(crimes: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> list[str]:
    """Months in ``first..last`` (inside the data's span) with no crime at all in ``crimes``."""
    present = {month_label(m) for m in pd.to_datetime(crimes["month"]).dropna().unique()}
    if not present:
        return []
    lo, hi = min(present), max(present)
    wanted = [month_label(shift_months(first, i)) for i in range(months_between(first, last))]
    return [m for m in wanted if lo <= m <= hi and m not in present]


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------


def select_categories(
    crimes: pd.DataFrame, categories: str | Sequence[str] | None, *, func: str,
    notes: list[str],
) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Rows in ``categories`` (all rows for None), and the categories as a tuple."""
    if categories is None:
        return np.ones(len(crimes), bool), None
    chosen = (categories,) if isinstance(categories, str) else tuple(categories)
    if not chosen or not all(isinstance(c, str) and c for c in chosen):
        raise ParameterError(
            f"The 'categories' parameter of {func} must be a crime category, a list of them "
            f"or None (all crimes), got {categories!r}."
        )
    if "category" not in crimes.columns:
        raise ParameterError(
            f"{func}: 'crimes' has no 'category' column to select {list(chosen)} from; load "
            "it with hotspots.load_crimes."
        )
    found = set(crimes["category"].astype("str").unique())
    absent = [c for c in chosen if c not in found]
    if absent:
        notes.append(
            f"No crimes of {', '.join(repr(c) for c in absent)} in the data; check the spelling "
            "(police.uk names, e.g. 'Vehicle crime')."
        )
    return np.array(crimes["category"].isin(list(chosen)), dtype=bool), chosen


def point_coordinates(crimes: gpd.GeoDataFrame, *, func: str) -> tuple[np.ndarray, np.ndarray]:
    """x, y of point crimes; NaN where a crime has no location."""
    geoms = np.asarray(crimes.geometry.array)
    kinds = shapely.get_type_id(geoms)
    other = (kinds != shapely.GeometryType.POINT) & (kinds != shapely.GeometryType.MISSING)
    if other.any():
        raise ParameterError(
            f"{func} needs point geometries in 'crimes'; {int(other.sum())} row(s) are not "
            "points. Use the crimes' locations (e.g. centroids) instead."
        )
    x = np.full(len(crimes), np.nan)
    y = np.full(len(crimes), np.nan)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    coords = shapely.get_coordinates(geoms[present])
    x[present], y[present] = coords[:, 0], coords[:, 1]
    return x, y


def area_geometry(area: Any, crs: CRS, *, func: str) -> shapely.Geometry:
    """One geometry in ``crs`` from a GeoDataFrame/GeoSeries (any CRS) or a bare geometry."""
    if isinstance(area, shapely.Geometry):
        geom = area
    elif isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise CRSError(
                f"The 'area' given to {func} has no CRS. Set it with area.set_crs(...) "
                "(e.g. 'EPSG:27700')."
            )
        geom = shapely.union_all(shapely.make_valid(area.to_crs(crs).geometry.dropna().array))
    else:
        raise TypeError(
            f"The 'area' parameter of {func} should be a GeoDataFrame, GeoSeries or shapely "
            f"geometry (in the crimes' CRS), got {type(area)}."
        )
    if geom is None or geom.is_empty or geom.area <= 0:
        raise EmptySelectionError(
            f"The 'area' given to {func} has no polygon with an area; pass at least one polygon."
        )
    return geom
