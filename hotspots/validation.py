"""Shared checks: CRS, parameters. One place, so every message reads the same."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
from pyproj import CRS

from hotspots.errors import CRSError, ParameterError

__all__ = ["require_projected", "check_positive", "check_fraction", "check_choice"]

BNG = "EPSG:27700"


def require_projected(gdf: Any, *, name: str = "gdf") -> CRS:
    """Return the CRS of ``gdf`` if it measures in metres, else raise :class:`CRSError`.

    Anything that measures distance or area calls this once, so that a geographic
    or missing CRS is refused with the same advice everywhere.
    """
    if not isinstance(gdf, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(f"'{name}' should be a GeoDataFrame or GeoSeries, got {type(gdf)}")
    crs = gdf.crs
    if crs is None:
        raise CRSError(
            f"'{name}' has no CRS. Set it with gdf.set_crs(...) (e.g. 'EPSG:4326' for "
            f"longitude/latitude, '{BNG}' for British National Grid eastings/northings)."
        )
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        raise CRSError(
            f"'{name}' is in a geographic CRS ({crs.to_string()}), whose units are degrees; "
            f"distances and areas need metres. Reproject first, e.g. gdf.to_crs('{BNG}') for "
            "GB data, or load it with hotspots.load_crimes, which does this for you."
        )
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter", "m"):
        raise CRSError(
            f"'{name}' is in {crs.to_string()}, whose unit is {unit!r}, not metres. "
            f"Reproject to a metric CRS such as '{BNG}'."
        )
    return crs


def check_positive(value: Any, *, name: str, allow_none: bool = False) -> float | None:
    """Return ``value`` as a float if it is finite and > 0; raise a ParameterError naming it."""
    if value is None and allow_none:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(
            f"The '{name}' parameter must be a number greater than 0, got {value!r}."
        ) from None
    if not math.isfinite(number) or number <= 0:
        raise ParameterError(
            f"The '{name}' parameter must be a number greater than 0, got {value!r}."
        )
    return number


def check_fraction(value: Any, *, name: str, low: float = 0.0, high: float = 1.0) -> float:
    """Return ``value`` as a float in the open interval (low, high) or raise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (low < number < high):
        raise ParameterError(
            f"The '{name}' parameter must be a number in ({low}, {high}), got {value!r}."
        )
    return number


def check_choice(value: Any, *, name: str, choices: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``choices`` or raise a ParameterError listing them."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"The '{name}' parameter must be one of {allowed}; got {value!r}.")
    return value
