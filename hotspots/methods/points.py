"""Crimes as arrays for the point methods: coordinates with a "located" mask, and weights.

The clustering methods (:mod:`hotspots.methods.clusters`) and the area summaries
(:mod:`hotspots.analysis.areas`) work on each crime's point rather than on a grid; these
two functions check the crime table once and return plain arrays aligned with it.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import ColumnMappingError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.validation import require_projected

__all__ = ["crime_points", "crime_weights"]


def crime_weights(crimes: gpd.GeoDataFrame, weight: str | None, *, func: str) -> np.ndarray:
    """Return the weight of each crime: the ``weight`` column, or 1.0 each.

    ``func`` names the public function in error messages.

    Examples
    --------
    >>> import geopandas as gpd
    >>> crimes = gpd.GeoDataFrame({"harm": [2.0, 0.5]},
    ...                           geometry=gpd.points_from_xy([0, 1], [0, 0]))
    >>> crime_weights(crimes, "harm", func="demo").tolist()
    [2.0, 0.5]
    >>> crime_weights(crimes, None, func="demo").tolist()
    [1.0, 1.0]
    """
    if weight is None:
        return np.ones(len(crimes))
    if weight not in crimes.columns:
        raise ColumnMappingError(
            f"The 'weight' parameter of {func} names column {weight!r}, which crimes does "
            f"not have. Columns: {', '.join(map(str, crimes.columns))}."
        )
    try:
        values = pd.to_numeric(crimes[weight], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ColumnMappingError(
            f"Column {weight!r} (the 'weight' of {func}) must be numeric; got values such as "
            f"{crimes[weight].iloc[0]!r}."
        ) from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise ColumnMappingError(
            f"Column {weight!r} (the 'weight' of {func}) has {int(bad.sum()):,} missing or "
            "infinite values. Fill them (e.g. with 1.0) before clustering."
        )
    return values


def crime_points(crimes: Any, *, func: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``x, y`` of the crimes and a mask of those with a location.

    Checks that ``crimes`` is in a projected CRS, is not empty, holds only points (or
    missing / empty geometries) and that at least one crime has a location; ``func``
    names the public function in error messages. ``x`` and ``y`` are NaN where a crime
    has no location.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> crimes = gpd.GeoDataFrame(geometry=[shapely.Point(1, 2), None], crs="EPSG:27700")
    >>> x, y, located = crime_points(crimes, func="demo")
    >>> x.tolist(), located.tolist()
    ([1.0, nan], [True, False])
    """
    require_projected(crimes, name="crimes")
    if len(crimes) == 0:
        raise EmptySelectionError(
            f"{func} got no crimes. Widen the selection (area, crime group or period)."
        )
    geoms = crimes.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = shapely.get_type_id(geoms[located])
    if (kinds != shapely.GeometryType.POINT).any():
        found = sorted(set(kinds.tolist()) - {int(shapely.GeometryType.POINT)})
        names = ", ".join(shapely.GeometryType(k).name.title() for k in found)
        raise ParameterError(
            f"The 'crimes' of {func} must be points, got {names} geometries. Use the "
            "centroids (crimes.set_geometry(crimes.centroid)) if that is what you mean."
        )
    x = np.full(len(crimes), np.nan)
    y = np.full(len(crimes), np.nan)
    x[located] = shapely.get_x(geoms[located])
    y[located] = shapely.get_y(geoms[located])
    located &= np.isfinite(x) & np.isfinite(y)
    if not located.any():
        raise EmptySelectionError(f"None of the {len(crimes):,} crimes given to {func} has a "
                                  "location (all geometries are missing or empty).")
    return x, y, located
