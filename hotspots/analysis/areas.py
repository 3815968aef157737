"""Crime per area: counts, harm, ranks and concentration for a set of polygons.

The areas (wards, neighbourhoods, beats, ...) may come in any CRS; they are reprojected to
the crimes' projected CRS, where areas are measured. Crimes in no area and crimes counted in
more than one area (overlapping polygons, or a point exactly on a shared edge) are reported
in ``summary.attrs`` and in ``summary.attrs["notes"]``, never dropped silently.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.points import crime_points
from hotspots.methods.points import crime_weights
from hotspots.validation import float_param
from hotspots.validation import require_projected

__all__ = ["AREA_COLUMNS", "area_summary", "concentration_statement"]

logger = logging.getLogger(__name__)

#: Columns of :func:`area_summary` (``geometry`` comes last).
AREA_COLUMNS: tuple[str, ...] = (
    "area_name",
    "count",
    "harm",
    "rank",
    "share_of_crime",
    "area_km2",
    "share_of_area",
    "concentration",
    "crimes_per_km2",
)

_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def _name_column(areas: gpd.GeoDataFrame, name_column: str, *, explicit: bool) -> str:
    """The column that names the areas: ``name_column``, or the first text column."""
    if name_column in areas.columns:
        return name_column
    columns = ", ".join(map(str, areas.columns.drop(areas.geometry.name)))
    if explicit:
        raise ColumnMappingError(
            f"The 'name_column' parameter of area_summary is {name_column!r}, but areas has "
            f"no such column. Columns: {columns or 'none'}."
        )
    text = [
        c for c in areas.columns
        if c != areas.geometry.name
        and (pd.api.types.is_string_dtype(areas[c]) or pd.api.types.is_object_dtype(areas[c]))
    ]
    # prefer a column that says it holds names (ward_name, LSOA21NM), else the first text one
    named = [c for c in text if "name" in str(c).lower() or str(c).upper().endswith("NM")]
    if named or text:
        column = (named or text)[0]
        logger.info("area_summary: areas have no %r column; naming them by %r",
                    name_column, column)
        return str(column)
    raise ColumnMappingError(
        f"areas has no {name_column!r} column and no other text column to name the areas by. "
        f"Columns: {columns or 'none'}. Add a name column or pass name_column=..."
    )


def _projected_areas(areas: Any, crs: CRS) -> gpd.GeoDataFrame:
    if not isinstance(areas, gpd.GeoDataFrame):
        raise TypeError(f"'areas' should be a GeoDataFrame, got {type(areas)}")
    if len(areas) == 0:
        raise EmptySelectionError("'areas' has no polygons. Pass a boundary layer with areas.")
    if areas.crs is None:
        raise CRSError(
            "'areas' has no CRS. Set it with areas.set_crs(...) (e.g. 'EPSG:4326' for "
            "longitude/latitude, 'EPSG:27700' for British National Grid)."
        )
    geoms = areas.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = shapely.get_type_id(geoms[present])
    if not np.isin(kinds, [int(k) for k in _POLYGONAL]).all():
        found = sorted({shapely.GeometryType(k).name.title() for k in kinds.tolist()})
        raise ParameterError(
            f"'areas' must be polygons, got {', '.join(found)} geometries. Pass area "
            "boundaries (Polygon or MultiPolygon), e.g. wards or neighbourhoods."
        )
    return areas.to_crs(crs)


def area_summary(
    crimes: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    name_column: str | None = "area_name",
    weight: str | None = None,
) -> gpd.GeoDataFrame:
    """Count crimes (and sum their harm) in each area and say how concentrated they are.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table (points in a projected CRS, metres).
    areas : GeoDataFrame
        Polygons in any CRS (reprojected to the crimes' CRS).
    name_column : str
        Column naming the areas. When the default ``"area_name"`` is missing, the first
        text column with "name" in its name (or ending "NM", as in ONS files) is used, else
        the first text column (``attrs["name_column"]`` says which); a name passed
        explicitly must exist.
    weight : str, optional
        Column of harm weights to sum into ``harm``; without it ``harm`` equals ``count``.

    Returns
    -------
    GeoDataFrame
        One row per area, in the order and with the index of ``areas``, in the crimes' CRS:
        ``area_name``, ``count``, ``harm``, ``rank`` (1 = most crimes; ties share a rank),
        ``share_of_crime`` (of the crimes inside any area), ``area_km2``, ``share_of_area``
        (of the areas' union), ``concentration`` (share_of_crime / share_of_area),
        ``crimes_per_km2`` and ``geometry``. Areas without crimes have count 0.
        ``attrs`` holds ``n_crimes``, ``n_in_areas``, ``unassigned`` (crimes in no area),
        ``multiple`` (crimes counted in more than one area), ``name_column``, ``weight``
        and ``notes``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> areas = gpd.GeoDataFrame({"area_name": ["West", "East"]},
    ...     geometry=[box(0, 0, 100, 100), box(100, 0, 300, 100)], crs="EPSG:27700")
    >>> crimes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([10, 20, 30, 150, 999],
    ...     [10, 10, 10, 50, 999]), crs="EPSG:27700")
    >>> s = area_summary(crimes, areas)
    >>> s[["area_name", "count", "rank"]].to_dict("list")
    {'area_name': ['West', 'East'], 'count': [3, 1], 'rank': [1, 2]}
    >>> s["concentration"].round(3).tolist()
    [2.25, 0.375]
    >>> s.attrs["unassigned"]
    1
    """
    require_projected(crimes, name="crimes")
    if len(crimes) == 0:
        raise EmptySelectionError(
            "area_summary got no crimes. Widen the selection (area, crime group or period)."
        )
    crs = CRS.from_user_input(crimes.crs)
    explicit = name_column is not None and name_column != "area_name"
    projected = _projected_areas(areas, crs)
    name = _name_column(projected, name_column or "area_name", explicit=explicit)
    x, y, located = crime_points(crimes, func="area_summary")
    weights = crime_weights(crimes, weight, func="area_summary")

    points = gpd.GeoDataFrame(
        {"_w": weights[located]},
        geometry=gpd.points_from_xy(x[located], y[located]),
        crs=crs,
    )
    polygons = projected.geometry.reset_index(drop=True)
    hit_point, hit_area = polygons.sindex.query(points.geometry, predicate="intersects")
    n_areas = len(projected)
    count = np.bincount(hit_area, minlength=n_areas).astype(np.int64)
    harm = np.bincount(hit_area, weights=points["_w"].to_numpy()[hit_point], minlength=n_areas)
    per_point = np.bincount(hit_point, minlength=len(points))
    n_in = int((per_point > 0).sum())
    unassigned = int((per_point == 0).sum()) + int((~located).sum())
    multiple = int((per_point > 1).sum())

    area_km2 = np.nan_to_num(shapely.area(polygons.to_numpy()) / 1e6)  # missing -> 0
    union_km2 = float(shapely.area(shapely.union_all(polygons.to_numpy()))) / 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        share_of_crime = count / n_in if n_in else np.full(n_areas, np.nan)
        share_of_area = area_km2 / union_km2 if union_km2 > 0 else np.full(n_areas, np.nan)
        concentration = np.where(share_of_area > 0, share_of_crime / share_of_area, np.nan)
        per_km2 = np.where(area_km2 > 0, count / area_km2, np.nan)
    rank = pd.Series(count).rank(method="min", ascending=False).astype(np.int64).to_numpy()

    summary = gpd.GeoDataFrame(
        {
            "area_name": projected[name].astype(str).to_numpy(),
            "count": count,
            "harm": harm,
            "rank": rank,
            "share_of_crime": share_of_crime,
            "area_km2": area_km2,
            "share_of_area": share_of_area,
            "concentration": concentration,
            "crimes_per_km2": per_km2,
        },
        geometry=projected.geometry.to_numpy(),
        crs=crs,
        index=projected.index,
    )
    notes = []
    if name != (name_column or "area_name"):
        notes.append(f"areas have no {name_column!r} column; areas are named by {name!r}.")
    if unassigned:
        notes.append(
            f"{unassigned:,} of {len(crimes):,} crimes are in none of the {n_areas:,} areas "
            f"({int((~located).sum()):,} of them have no location); they are not counted."
        )
    if multiple:
        notes.append(
            f"{multiple:,} crimes fall in more than one area (overlapping polygons or exactly "
            "on a shared edge) and are counted in each, so counts add up to more than "
            f"{n_in:,} and shares of crime to more than 100%."
        )
    if weight is not None:
        notes.append(f"harm = sum of {weight!r}; rank and shares are by count.")
    for note in notes:
        logger.info("area_summary: %s", note)
    summary.attrs.update(
        n_crimes=len(crimes), n_in_areas=n_in, unassigned=unassigned, multiple=multiple,
        name_column=name, weight=weight, notes=notes,
    )
    return summary


def _percent(value: float) -> str:
    if 0 < value < 0.01:
        return "under 1%"
    if 0.99 < value < 1:
        return "over 99%"
    return f"{value:.0%}"


def concentration_statement(summary: pd.DataFrame, share: float = 0.5) -> str:
    """Say how few areas hold a given share of crime, e.g. for a bid's problem statement.

    Parameters
    ----------
    summary : DataFrame
        A table from :func:`area_summary` (needs ``count``, ``share_of_crime`` and
        ``share_of_area``).
    share : float
        The share of crime to account for, in (0, 1].

    Returns
    -------
    str
        For example ``"50% of crime is in 3 of 20 areas covering 9% of the land (those 3
        areas hold 52%)."``: the fewest areas, busiest first, whose crimes reach ``share``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"count": [6, 2, 1, 1], "share_of_crime": [0.6, 0.2, 0.1, 0.1],
    ...                       "share_of_area": [0.1, 0.2, 0.3, 0.4]})
    >>> concentration_statement(table)
    '50% of crime is in 1 of 4 areas covering 10% of the land (that area holds 60%).'
    """
    share = float_param(share, name="share", func="concentration_statement", allow_none=False,
                        high=1.0, closed_high=True)
    missing = [c for c in ("count", "share_of_crime", "share_of_area") if c not in summary]
    if missing:
        raise ColumnMappingError(
            f"concentration_statement needs an area_summary table; 'summary' has no "
            f"{', '.join(map(repr, missing))} column(s)."
        )
    n = len(summary)
    if n == 0 or summary["count"].sum() == 0:
        return f"There is no crime in any of the {n:,} areas."
    ordered = summary.sort_values(["count", "share_of_area"], ascending=[False, True])
    reached = ordered["share_of_crime"].cumsum().to_numpy()
    k = int(np.searchsorted(reached, share - 1e-12)) + 1
    k = min(k, n)
    held = float(reached[k - 1])
    land = float(ordered["share_of_area"].iloc[:k].sum())
    those = "that area holds" if k == 1 else f"those {k} areas hold"
    target = f"{share:.0%}" if math.isclose(share * 100, round(share * 100)) else f"{share:.1%}"
    return (
        f"{target} of crime is in {k:,} of {n:,} areas covering {_percent(land)} of the land "
        f"({those} {_percent(held)})."
    )
