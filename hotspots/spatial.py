"""Geometry helpers shared by the methods and analyses: one home for areas, points and CRSs.

The area and point helpers work in the caller's projected CRS (checked once by
:func:`hotspots.validation.require_projected`); :func:`choose_crs` picks that CRS for
data given in longitude/latitude.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError

__all__ = [
    "LOCATION_PRECISION",
    "distinct_locations",
    "UK_LONLAT_BOX",
    "BNG_EPSG",
    "CRSChoice",
    "choose_crs",
    "crs_problem",
    "looks_like_degrees",
    "area_of_use",
    "point_coordinates",
    "area_geometry",
]

#: A generous longitude/latitude box around the UK (west, south, east, north) in degrees:
#: Great Britain, Northern Ireland, Scilly, Orkney and Shetland (which reach about -8.2 to
#: 1.8 E and 49.9 to 60.9 N) with half a degree or more to spare on every side.
UK_LONLAT_BOX = (-11.0, 49.0, 3.0, 61.5)
#: British National Grid, the projection of GB data (Ordnance Survey; EPSG:27700).
BNG_EPSG = 27700
#: Data are "in the UK" when more than this share of their points lie in UK_LONLAT_BOX.
UK_MAJORITY = 0.5
#: A UTM zone is 6° wide; data spanning more than this many degrees of longitude are
#: distorted by more than about 0.1% at the edges of one zone's projection (a note says so).
UTM_WIDE_SPAN = 12.0


@dataclass(frozen=True)
class CRSChoice:
    """A projected CRS chosen for data in longitude/latitude, and why.

    Attributes
    ----------
    crs : pyproj.CRS
        The projected CRS.
    reason : str
        One sentence for the load report and ``run.json``.
    west, south, east, north : float
        The longitude/latitude bounds over which the CRS serves the data (its area of use,
        widened by one zone each side for UTM): points outside are not credible.
    """

    crs: CRS
    reason: str
    west: float
    south: float
    east: float
    north: float

    def covers(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """True for points the CRS serves."""
        return (lon >= self.west) & (lon <= self.east) & (lat >= self.south) & (
            lat <= self.north)


def crs_problem(crs: CRS) -> str | None:
    """None if points can be given in ``crs``, else why not (a clause naming the CRS kind).

    Points need a geographic CRS (longitude/latitude) or a map projection; a geocentric,
    engineering (local grid, no link to the Earth), vertical or compound CRS is refused.

    Examples
    --------
    >>> crs_problem(CRS.from_epsg(27700)) is None, crs_problem(CRS.from_epsg(4326)) is None
    (True, True)
    >>> crs_problem(CRS.from_epsg(4978))[:40]
    'EPSG:4978 is geocentric (x, y, z in metr'
    """
    name = crs.to_string()
    if crs.is_geocentric:
        return (f"{name} is geocentric (x, y, z in metres from the Earth's centre), not a map "
                "CRS: give longitude/latitude ('EPSG:4326') or a projection such as "
                "'EPSG:27700'")
    if crs.type_name == "Engineering CRS" or getattr(crs, "is_engineering", False):
        return (f"{name!r} is an engineering (local) CRS with no link to places on the Earth, "
                "so its coordinates cannot be placed on a map: give the real CRS, e.g. "
                "'EPSG:27700' for British National Grid")
    if crs.is_compound:
        horizontal = next((c for c in crs.sub_crs_list if c.is_geographic or c.is_projected),
                          None)
        hint = f"its horizontal part {horizontal.to_string()!r}" if horizontal is not None \
            else "a 2-D CRS"
        return f"{name} is a compound (3-D) CRS: give {hint} instead"
    if crs.is_vertical or not (crs.is_geographic or crs.is_projected):
        return (f"{name} ({crs.type_name}) is not a map CRS: give longitude/latitude "
                "('EPSG:4326') or a projection such as 'EPSG:27700'")
    return None


def looks_like_degrees(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where ``(x, y)`` could be longitude/latitude (|x| <= 180 and |y| <= 90).

    In a projected CRS such values are within 180 m of its false origin, which for the
    projections crime data use (British National Grid, UTM, Web Mercator) is at sea or far
    from any data: they are degrees typed into a file of metres.

    Examples
    --------
    >>> looks_like_degrees(np.array([-1.5, 430000.0]), np.array([53.8, 433000.0])).tolist()
    [True, False]
    """
    return (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0)


#: Degrees a CRS's area of use is widened by before points are called outside it (one UTM
#: zone, as :func:`choose_crs` serves its neighbours too).
AREA_OF_USE_MARGIN = 6.0


def area_of_use(crs: CRS) -> tuple[float, float, float, float] | None:
    """The longitude/latitude box where ``crs`` is used, widened by AREA_OF_USE_MARGIN.

    None when pyproj knows no area of use (a custom PROJ string), or for geographic CRSs,
    which serve the whole Earth.

    Examples
    --------
    >>> [round(v) for v in area_of_use(CRS.from_epsg(27700))]
    [-15, 44, 8, 67]
    """
    aou = crs.area_of_use
    if aou is None or crs.is_geographic:
        return None
    m = AREA_OF_USE_MARGIN
    return (max(aou.west - m, -180.0), max(aou.south - m, -90.0), min(aou.east + m, 180.0),
            min(aou.north + m, 90.0))


def _utm_zone(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone whose area of use holds ``(lon, lat)`` (nearest centre on a tie)."""
    infos = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    infos = [i for i in infos if "UTM zone" in i.name]
    if not infos:  # pragma: no cover - every lon/lat outside the poles has a zone
        raise CRSError(f"No UTM zone found for longitude {lon:.3f}, latitude {lat:.3f}.")

    def off_centre(info: Any) -> float:
        a = info.area_of_use
        return abs(0.5 * (a.west + a.east) - lon)

    best = min(infos, key=off_centre)
    return CRS.from_authority(best.auth_name, best.code)


def choose_crs(lon: ArrayLike, lat: ArrayLike) -> CRSChoice:
    """Choose the projected CRS for points given in longitude/latitude (WGS 84).

    British National Grid (EPSG:27700) when most points lie in the UK
    (:data:`UK_LONLAT_BOX`); otherwise the WGS 84 UTM zone (EPSG:326xx north, 327xx south)
    holding the median point, found with ``pyproj.database.query_utm_crs_info``. UTM keeps
    distances and areas within 0.04% across its 6° zone, which is what the grid and
    distance methods need.

    Examples
    --------
    >>> choose_crs([-87.63, -87.70], [41.88, 41.80]).crs.to_epsg()
    32616
    >>> choose_crs([-1.15, -1.20], [52.95, 53.00]).crs.to_epsg()
    27700
    """
    lon = np.asarray(lon, dtype=float).ravel()
    lat = np.asarray(lat, dtype=float).ravel()
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    lon, lat = lon[ok], lat[ok]
    if lon.size == 0:
        raise CRSError("Cannot choose a projected CRS: no point has a valid longitude/latitude.")
    west, south, east, north = UK_LONLAT_BOX
    in_uk = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    if in_uk.mean() > UK_MAJORITY:
        crs = CRS.from_epsg(BNG_EPSG)
        return CRSChoice(crs, f"{crs.to_string()} ({crs.name}): the data lie in the UK "
                         f"({in_uk.mean():.0%} of points)", west, south, east, north)
    mid_lon, mid_lat = float(np.median(lon)), float(np.median(lat))
    crs = _utm_zone(mid_lon, mid_lat)
    reason = (f"{crs.to_string()} ({crs.name}): the UTM zone of the data's median location "
              f"({mid_lon:.3f}, {mid_lat:.3f}), chosen automatically because the data lie "
              "outside Great Britain")
    span = float(np.percentile(lon, 99) - np.percentile(lon, 1))
    if span > UTM_WIDE_SPAN:
        reason += (f"; the data span {span:.0f}° of longitude, so distances far from the "
                   "zone are distorted: pass a CRS suited to the whole area")
    a = crs.area_of_use
    # Served: the zone and one zone either side, one degree across the equator.
    return CRSChoice(crs, reason, max(a.west - 6.0, -180.0), max(a.south - 1.0, -90.0),
                     min(a.east + 6.0, 180.0), min(a.north + 1.0, 90.0))


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


#: Locations closer than this (metres) are the same place: police.uk gives lon/lat to six
#: decimals (about 0.1 m), so rounding to 1 m merges only float noise.
LOCATION_PRECISION = 1.0


def distinct_locations(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The distinct crime locations, an ``(m, 2)`` array (rounded to LOCATION_PRECISION).

    Examples
    --------
    >>> distinct_locations(np.array([0.2, 0.4, 10.0]), np.array([0.0, 0.1, 5.0])).tolist()
    [[0.0, 0.0], [10.0, 5.0]]
    """
    xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) == 0:
        return xy
    return np.unique(np.round(xy / LOCATION_PRECISION), axis=0) * LOCATION_PRECISION
