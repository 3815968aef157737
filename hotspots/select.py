"""Select crimes by crime group, period and area, saying what each step removed."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import CRSError
from hotspots.errors import ParameterError
from hotspots.groups import CrimeGroup
from hotspots.groups import get_group
from hotspots.io.boundaries import as_boundary_geometry
from hotspots.months import parse_month

__all__ = ["select_crimes", "group_mask", "select_categories"]

BASIS_CATEGORIES = "categories"
BASIS_CODES = "offence codes"
BASIS_FLAGS = "flags"


def group_mask(crimes: pd.DataFrame, group: CrimeGroup) -> tuple[np.ndarray, str, list[str]]:
    """Return which rows belong to ``group``, the basis used, and notes.

    Offence codes are used when the group lists them and the table has an
    ``offence_code`` column (with any of the group's flag columns OR-ed in); else flags,
    when the table has any of the group's flag columns; else categories.

    Examples
    --------
    >>> g = CrimeGroup("b", "Burglary", ("Burglary",), False, "", "")
    >>> mask, basis, _ = group_mask(pd.DataFrame({"category": ["Burglary", "Drugs"]}), g)
    >>> mask.tolist(), basis
    ([True, False], 'categories')
    """
    notes: list[str] = []
    flags = [f for f in group.flags if f in crimes.columns]
    flag_mask = np.zeros(len(crimes), dtype=bool)
    for flag in flags:
        flag_mask |= crimes[flag].fillna(False).astype(bool).to_numpy()
    if group.offence_codes and "offence_code" in crimes.columns:
        codes = {c.strip().upper() for c in group.offence_codes}
        found = crimes["offence_code"].astype("str").str.strip().str.upper()
        mask = found.isin(codes).to_numpy() | flag_mask
        basis = BASIS_CODES + (f" and {BASIS_FLAGS}" if flags else "")
    elif flags:
        mask, basis = flag_mask, BASIS_FLAGS
    else:
        if group.matches_all:
            mask = np.ones(len(crimes), dtype=bool)
        else:
            mask = crimes["category"].isin(list(group.categories)).to_numpy()
        basis = BASIS_CATEGORIES
        unused = [f for f in group.flags if f not in crimes.columns]
        if group.offence_codes or unused:
            notes.append(
                f"Group {group.key!r} was selected by police.uk categories: the data have no "
                + ("offence_code column" if group.offence_codes else "")
                + (" or " if group.offence_codes and unused else "")
                + (f"flag column(s) {', '.join(unused)}" if unused else "")
                + "."
            )
    return mask, basis, notes


def _area_mask(crimes: gpd.GeoDataFrame, area: Any) -> np.ndarray:
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None or crimes.crs is None:
            raise CRSError(
                "'area' and 'crimes' both need a CRS to be compared; set it with "
                "set_crs(...) (e.g. 'EPSG:27700')."
            )
        shape = as_boundary_geometry(area, crs=crimes.crs)
    elif isinstance(area, shapely.Geometry):
        shape = area  # taken to be in the crimes' CRS
        shapely.prepare(shape)
    else:
        raise TypeError(
            f"'area' should be a GeoDataFrame, GeoSeries or shapely geometry, got {type(area)}"
        )
    return shapely.intersects(shape, crimes.geometry.array).astype(bool)


def select_crimes(
    crimes: gpd.GeoDataFrame,
    *,
    group: str | CrimeGroup | None = None,
    start: str | None = None,
    end: str | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    groups: Mapping[str, CrimeGroup] | None = None,
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Keep the crimes of a group, in a period, inside an area (each step optional).

    Parameters
    ----------
    crimes : GeoDataFrame
        A canonical crime table. It is not changed.
    group : str or CrimeGroup, optional
        Crime group (a key of ``groups``, e.g. ``"neighbourhood"``, or a CrimeGroup).
    start, end : str, optional
        First and last month, ``"YYYY-MM"``, both included.
    area : GeoDataFrame, GeoSeries or shapely geometry, optional
        Keep crimes inside (or on the edge of) it; any CRS (a bare geometry is taken to be
        in the crimes' CRS).
    groups : dict, optional
        Groups to look ``group`` up in (default :func:`hotspots.groups.load_groups`).

    Returns
    -------
    selected : GeoDataFrame
        The rows kept, with their original index. May be empty.
    selection : dict
        JSON-serialisable: ``rows_in``, ``rows_out``, ``steps`` (rows before/after each
        step), ``group`` (with the ``basis``: categories, offence codes or flags),
        ``period``, ``area``, ``notes``, and ``why`` when nothing is left.

    Examples
    --------
    >>> import shapely
    >>> crimes = gpd.GeoDataFrame(
    ...     {"category": ["Burglary", "Drugs", "Robbery"],
    ...      "month": pd.to_datetime(["2022-01-01", "2022-01-01", "2022-05-01"])},
    ...     geometry=[shapely.Point(0, 0)] * 3, crs="EPSG:27700")
    >>> selected, info = select_crimes(crimes, group="neighbourhood", end="2022-03")
    >>> len(selected), info["rows_in"], [s["rows_after"] for s in info["steps"]]
    (1, 3, [2, 1])
    """
    if not isinstance(crimes, gpd.GeoDataFrame):
        raise TypeError(f"'crimes' should be a GeoDataFrame, got {type(crimes)}")
    first = parse_month(start, name="start") if start is not None else None
    last = parse_month(end, name="end") if end is not None else None
    if (first is not None or last is not None) and "month" not in crimes.columns:
        raise ParameterError(
            "'crimes' has no 'month' column, so it cannot be selected by period; load it "
            "with hotspots.load_crimes."
        )
    if first is not None and last is not None and first > last:
        raise ParameterError(
            f"The 'start' month {start!r} is after the 'end' month {end!r}; swap them."
        )
    info: dict[str, Any] = {
        "rows_in": len(crimes),
        "rows_out": len(crimes),
        "steps": [],
        "group": None,
        "period": {"from": start, "to": end},
        "area": area is not None,
        "notes": [],
    }
    keep = np.ones(len(crimes), dtype=bool)

    def _step(name: str, detail: str, mask: np.ndarray) -> None:
        before = int(keep.sum())
        keep[:] = keep & mask
        info["steps"].append(
            {"step": name, "detail": detail, "rows_before": before, "rows_after": int(keep.sum())}
        )

    if group is not None:
        chosen = get_group(group, groups)
        mask, basis, notes = group_mask(crimes, chosen)
        info["group"] = {**chosen.to_dict(), "basis": basis}
        info["notes"].extend(notes)
        _step("group", f"{chosen.label} (by {basis})", mask)
    if first is not None or last is not None:
        months = crimes["month"]
        mask = np.ones(len(crimes), dtype=bool)
        if first is not None:
            mask &= (months >= first).to_numpy()
        if last is not None:
            mask &= (months <= last).to_numpy()
        _step("period", f"{start or 'start'} to {end or 'end'}", mask)
    if area is not None:
        _step("area", "inside the area", _area_mask(crimes, area))

    info["rows_out"] = int(keep.sum())
    if info["rows_out"] == 0:
        info["why"] = _why_empty(crimes, info)
    return crimes.loc[keep].copy(), info


def _why_empty(crimes: gpd.GeoDataFrame, info: dict[str, Any]) -> str:
    if info["rows_in"] == 0:
        return "the crime table given is empty"
    step = next(s for s in info["steps"] if s["rows_after"] == 0)
    if step["step"] == "group":
        found = ", ".join(sorted(crimes["category"].astype("str").unique())[:14])
        return (
            f"the group {step['detail']} matched none of the {step['rows_before']:,} crimes "
            f"(categories in the data: {found})"
        )
    if step["step"] == "period":
        months = crimes["month"].dropna()
        cover = (
            f"{months.min():%Y-%m} to {months.max():%Y-%m}" if len(months) else "no months"
        )
        return (
            f"none of the {step['rows_before']:,} crimes left falls in {step['detail']} "
            f"(the data cover {cover})"
        )
    return f"none of the {step['rows_before']:,} crimes left lies inside the area"


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
