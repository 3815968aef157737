"""Geometry helpers shared by the methods and analyses: one home for areas and points.

Both work in the caller's projected CRS (checked once by
:func:`hotspots.validation.require_projected`).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError

__all__ = ["point_coordinates", "area_geometry"]


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
