"""Comparable places: the scheme's own shape placed across the study area, with their counts.

Matched comparison areas (:mod:`hotspots.evaluation.matching`), the placebo test
(:mod:`hotspots.evaluation.placebo`) and the regression-to-the-mean correction
(:mod:`hotspots.evaluation.rtm`) all need the same thing: many untreated places like the
target, and their crimes per month. Here a place is the target's footprint translated on a
lattice whose steps are the footprint's bounding-box width and height, so places never
overlap and each has exactly the target's shape and area. A place is kept when at least
:data:`MIN_INSIDE` of it lies in the study area and none of it touches the excluded area
(the target and its buffer). With more than :data:`MAX_PLACES` lattice positions the steps are
widened evenly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.months import months_between
from hotspots.months import shift_months
from hotspots.spatial import point_coordinates

__all__ = ["MIN_INSIDE", "MAX_PLACES", "PLACES_RULE", "Places", "comparable_places",
           "monthly_counts"]

#: Share of a place that must lie inside the study area (places cut by the edge would count
#: fewer crimes than a full place; 0.9 leaves a tolerance for boundary detail).
MIN_INSIDE = 0.9
#: Most lattice positions considered (beyond it the lattice is thinned evenly): enough for a
#: placebo test of 99 places and 10 matched places with room to choose, and quick to count.
MAX_PLACES = 3000
#: The rule, in words, for method statements.
PLACES_RULE = ("the scheme's footprint translated on a lattice with steps of its "
               "bounding-box width and height (places never overlap), kept when at least "
               f"{MIN_INSIDE:.0%} lies in the study area and none of it in the target or buffer")


@dataclass
class Places:
    """Untreated places of the target's shape and their crimes per month.

    Attributes
    ----------
    offsets : ndarray of shape (P, 2)
        How far each place is moved from the footprint, metres.
    monthly : ndarray of shape (P, M)
        Crimes per place and month.
    months : DatetimeIndex
        The M months.
    footprint : shapely geometry
        The target's footprint.
    crs : str
    step : (float, float)
        Lattice steps, metres.
    rule : str
        How the places were made, in words.
    """

    offsets: np.ndarray
    monthly: np.ndarray
    months: pd.DatetimeIndex
    footprint: BaseGeometry
    crs: str
    step: tuple[float, float]
    rule: str

    def __len__(self) -> int:
        return int(self.offsets.shape[0])

    def geometries(self, index: Any = None) -> gpd.GeoSeries:
        """The places' polygons (all, or those at ``index``)."""
        offsets = self.offsets if index is None else self.offsets[np.asarray(index)]
        geoms = [shapely.affinity.translate(self.footprint, dx, dy) for dx, dy in offsets]
        return gpd.GeoSeries(geoms, crs=self.crs)

    def to_dict(self) -> dict[str, Any]:
        return {"n_places": len(self), "step_m": [round(s, 1) for s in self.step],
                "rule": self.rule}


def _month_index(crimes: gpd.GeoDataFrame, first: pd.Timestamp, n_months: int) -> np.ndarray:
    month = pd.to_datetime(crimes["month"])
    number = (month.dt.year * 12 + month.dt.month).to_numpy(dtype=float)
    base = first.year * 12 + first.month
    index = np.where(np.isfinite(number), number - base, -1).astype(np.int64)
    index[(index < 0) | (index >= n_months)] = -1
    return index


def monthly_counts(crimes: gpd.GeoDataFrame, polygons: Any, *, first: pd.Timestamp,
                   last: pd.Timestamp) -> np.ndarray:
    """Crimes per polygon and month, ``first`` to ``last``: shape (len(polygons), months).

    A crime on a shared edge counts in every polygon it touches (places never overlap, so
    only edges are shared).

    Examples
    --------
    >>> crimes = gpd.GeoDataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"])},
    ...     geometry=[shapely.Point(5, 5), shapely.Point(15, 5)], crs="EPSG:27700")
    >>> boxes = [shapely.box(0, 0, 10, 10), shapely.box(10.5, 0, 20, 10)]
    >>> monthly_counts(crimes, boxes, first=pd.Timestamp("2024-01-01"),
    ...                last=pd.Timestamp("2024-02-01")).tolist()
    [[1, 0], [0, 1]]
    """
    n_months = months_between(first, last)
    geoms = np.asarray(list(polygons), dtype=object)
    out = np.zeros((geoms.size, max(n_months, 0)), dtype=np.int64)
    if geoms.size == 0 or n_months <= 0 or len(crimes) == 0:
        return out
    month = _month_index(crimes, first, n_months)
    x, y = point_coordinates(crimes, func="monthly_counts")
    keep = (month >= 0) & np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        return out
    points = shapely.points(x[keep], y[keep])
    tree = shapely.STRtree(geoms)
    pts, polys = tree.query(points, predicate="intersects")
    np.add.at(out, (polys, month[keep][pts]), 1)
    return out


def _lattice(region: BaseGeometry, footprint: BaseGeometry, max_places: int
             ) -> tuple[np.ndarray, tuple[float, float]]:
    fx0, fy0, fx1, fy1 = footprint.bounds
    sx, sy = max(fx1 - fx0, 1.0), max(fy1 - fy0, 1.0)
    rx0, ry0, rx1, ry1 = region.bounds
    ni = np.arange(math.floor((rx0 - fx1) / sx), math.ceil((rx1 - fx0) / sx) + 1)
    nj = np.arange(math.floor((ry0 - fy1) / sy), math.ceil((ry1 - fy0) / sy) + 1)
    thin = max(1, math.ceil(math.sqrt(ni.size * nj.size / max_places)))
    ni, nj = ni[::thin], nj[::thin]
    ii, jj = np.meshgrid(ni, nj, indexing="ij")
    return np.column_stack([ii.ravel() * sx, jj.ravel() * sy]), (sx * thin, sy * thin)


def comparable_places(
    crimes: gpd.GeoDataFrame,
    footprint: BaseGeometry,
    *,
    region: BaseGeometry,
    first: str | pd.Timestamp,
    last: str | pd.Timestamp,
    exclude: BaseGeometry | None = None,
    max_places: int = MAX_PLACES,
    crs: str = "EPSG:27700",
) -> Places:
    """Places of ``footprint``'s shape across ``region``, and their crimes per month.

    Parameters
    ----------
    crimes : GeoDataFrame
        Already filtered to the crime types of interest, in the CRS of the geometries.
    footprint : shapely polygon
        The target.
    region : shapely polygon
        The study area the places must lie in.
    first, last : str or Timestamp
        Months to count (both included).
    exclude : shapely geometry, optional
        No place may overlap it (default: the footprint itself).

    Examples
    --------
    >>> crimes = gpd.GeoDataFrame({"month": pd.to_datetime(["2024-01-01"] * 3)},
    ...     geometry=[shapely.Point(150, 50), shapely.Point(250, 50), shapely.Point(50, 50)],
    ...     crs="EPSG:27700")
    >>> places = comparable_places(crimes, shapely.box(0, 0, 100, 100),
    ...     region=shapely.box(0, 0, 300, 100), first="2024-01", last="2024-01")
    >>> places.offsets.tolist(), places.monthly.ravel().tolist()
    ([[100.0, 0.0], [200.0, 0.0]], [1, 1])
    """
    if not isinstance(footprint, BaseGeometry) or footprint.is_empty or footprint.area <= 0:
        raise ParameterError("comparable_places needs a footprint polygon with an area.")
    if not isinstance(region, BaseGeometry) or region.is_empty or region.area <= 0:
        raise ParameterError("comparable_places needs a study area ('region') with an area.")
    first = pd.Timestamp(first).to_period("M").to_timestamp()
    last = pd.Timestamp(last).to_period("M").to_timestamp()
    exclude = footprint if exclude is None else exclude
    offsets, step = _lattice(region, footprint, max_places)
    polys = np.asarray([shapely.affinity.translate(footprint, dx, dy) for dx, dy in offsets],
                       dtype=object)
    if polys.size:
        shapely.prepare(region)
        inside = shapely.area(shapely.intersection(polys, region)) / footprint.area
        clash = shapely.area(shapely.intersection(polys, exclude)) > 1e-6 * footprint.area
        keep = (inside >= MIN_INSIDE) & ~clash
        offsets, polys = offsets[keep], polys[keep]
    monthly = monthly_counts(crimes, polys, first=first, last=last)
    months = pd.DatetimeIndex([shift_months(first, i) for i in range(monthly.shape[1])])
    return Places(offsets=offsets.astype(float), monthly=monthly, months=months,
                  footprint=footprint, crs=crs, step=step, rule=PLACES_RULE)
