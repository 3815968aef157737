"""Polygons for the data.police.uk client: what to send, how to split, boundaries read.

The API takes an area in the URL as ``poly=lat,lng:lat,lng:...`` (one ring, closed by the
server), so long rings are simplified (:func:`query_polygon`), and an area with more than
10,000 crimes in a month is cut into quadrants (:func:`quadrants`). All geometry here is in
longitude/latitude (EPSG:4326).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry import Polygon
from shapely.geometry import box

from hotspots.errors import CRSError
from hotspots.errors import ParameterError
from hotspots.errors import PoliceAPIError

__all__ = [
    "MAX_POLY_VERTICES",
    "MIN_SPLIT_METRES",
    "query_polygon",
    "poly_param",
    "quadrants",
    "extent_metres",
    "polygon_parts",
    "boundary_polygon",
    "n_vertices",
]

log = logging.getLogger(__name__)

#: Most vertices sent in a ``poly`` parameter. About 20 characters each, so a query URL
#: stays near 2 KB, far below the 8 KB request-line limit common to web servers.
MAX_POLY_VERTICES = 100
#: Decimal places of the coordinates sent (1e-6 degree is about 0.1 m; police.uk map
#: points are published to 6 places).
POLY_DECIMALS = 6
#: First growth/simplification tolerance tried by :func:`query_polygon`; doubled until
#: the polygon has few enough vertices.
SIMPLIFY_START_METRES = 10.0
#: A part of an area this small (longest side) cannot hold 10,000 crimes in a month (the
#: busiest square kilometres of England see a few thousand a month): if it still answers
#: 503, the service is down rather than the area too busy.
MIN_SPLIT_METRES = 250.0
#: Metres per degree of latitude (mean), to state tolerances in metres.
METRES_PER_DEGREE = 111_320.0
#: Doublings of the tolerance tried before falling back to the grown bounding box.
_MAX_DOUBLINGS = 24


def n_vertices(polygon: Polygon) -> int:
    """Vertices of the outer ring (the closing point not counted)."""
    return len(polygon.exterior.coords) - 1


def query_polygon(
    polygon: Polygon, *, max_vertices: int = MAX_POLY_VERTICES
) -> tuple[Polygon, float]:
    """Return the polygon to send for ``polygon``, and how far it was grown (metres).

    The rule: the outer ring (holes are ignored, the API takes one ring); if it has more
    than ``max_vertices`` vertices, it is grown by a tolerance *t* (mitred buffer) and
    simplified with the same *t* (Douglas-Peucker, topology preserved), *t* starting at
    :data:`SIMPLIFY_START_METRES` (in degrees of latitude) and doubling until at most
    ``max_vertices`` remain. Simplifying moves the boundary by at most *t*, so the grown
    and simplified ring still covers the original: no crime inside is missed, and those
    returned outside are dropped afterwards. Should that ever fail, the bounding box grown
    by *t* is sent instead.

    Examples
    --------
    >>> circle = shapely.Point(-1.13, 52.635).buffer(0.01, quad_segs=250)
    >>> sent, grown = query_polygon(circle)
    >>> n_vertices(sent) <= MAX_POLY_VERTICES, sent.covers(circle), grown > 0
    (True, True, True)
    """
    ring = Polygon(polygon.exterior)
    if n_vertices(ring) <= max_vertices:
        return ring, 0.0
    tolerance = SIMPLIFY_START_METRES / METRES_PER_DEGREE
    for _ in range(_MAX_DOUBLINGS):
        grown = ring.buffer(tolerance, join_style="mitre")
        simple = shapely.simplify(grown, tolerance, preserve_topology=True)
        if isinstance(simple, Polygon) and not simple.is_empty:
            simple = Polygon(simple.exterior)
            if n_vertices(simple) <= max_vertices and simple.covers(ring):
                return simple, tolerance * METRES_PER_DEGREE
        tolerance *= 2
    fallback = box(*ring.buffer(tolerance).bounds)  # pragma: no cover - never seen
    return fallback, tolerance * METRES_PER_DEGREE  # pragma: no cover


def poly_param(polygon: Polygon) -> str:
    """The ``poly`` parameter: ``lat,lng:lat,lng:...`` (the API closes the ring itself).

    Examples
    --------
    >>> poly_param(box(-1.14, 52.63, -1.12, 52.64))
    '52.63,-1.12:52.64,-1.12:52.64,-1.14:52.63,-1.14'
    """
    coords = list(polygon.exterior.coords)[:-1]
    return ":".join(f"{_num(lat)},{_num(lon)}" for lon, lat in coords)


def _num(value: float) -> str:
    text = f"{value:.{POLY_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def quadrants(polygon: Polygon) -> list[Polygon]:
    """Cut ``polygon`` at the middle of its bounding box; return the non-empty pieces.

    Examples
    --------
    >>> [p.bounds for p in quadrants(box(0, 0, 2, 2))][:2]
    [(0.0, 0.0, 1.0, 1.0), (1.0, 0.0, 2.0, 1.0)]
    """
    minx, miny, maxx, maxy = polygon.bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    quarters = (box(minx, miny, cx, cy), box(cx, miny, maxx, cy),
                box(minx, cy, cx, maxy), box(cx, cy, maxx, maxy))
    parts = []
    for quarter in quarters:
        piece = polygon.intersection(quarter)
        parts.extend(g for g in shapely.get_parts(piece)
                     if isinstance(g, Polygon) and g.area > 0)
    return parts


def extent_metres(polygon: Polygon) -> float:
    """Longest side of the bounding box, in metres (approximately)."""
    minx, miny, maxx, maxy = polygon.bounds
    lat = math.radians((miny + maxy) / 2)
    return max((maxx - minx) * math.cos(lat), maxy - miny) * METRES_PER_DEGREE


def polygon_parts(polygon: Any, *, name: str) -> list[Polygon]:
    """The polygons of a Polygon/MultiPolygon in lon/lat, or raise naming ``name``."""
    if not isinstance(polygon, Polygon | MultiPolygon) or polygon.is_empty:
        empty = " (empty)" if getattr(polygon, "is_empty", False) else ""
        raise ParameterError(
            f"The '{name}' parameter must be a non-empty shapely Polygon or MultiPolygon in "
            f"longitude/latitude, got {type(polygon).__name__}{empty}."
        )
    check_degrees(polygon.bounds, name=name)
    return [p for p in shapely.get_parts(polygon) if not p.is_empty]


def check_degrees(bounds: Sequence[float], *, name: str) -> None:
    """Refuse bounds that cannot be longitude/latitude (metres passed as degrees)."""
    minx, miny, maxx, maxy = bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise CRSError(
            f"'{name}' has coordinates from ({minx:.0f}, {miny:.0f}) to ({maxx:.0f}, "
            f"{maxy:.0f}), which look like metres, but shapely geometries are read as "
            "longitude/latitude (EPSG:4326). Pass a GeoSeries or GeoDataFrame that carries "
            "its CRS, e.g. gpd.GeoSeries([polygon], crs='EPSG:27700')."
        )


def boundary_polygon(answer: Any, label: str) -> Polygon | MultiPolygon:
    """The polygon of a ``[{"latitude": "..", "longitude": ".."}, ...]`` boundary answer.

    An invalid ring (self-crossing) is repaired with :func:`shapely.make_valid`.

    Examples
    --------
    >>> boundary_polygon([{"latitude": "52.0", "longitude": "-1.0"},
    ...                   {"latitude": "52.1", "longitude": "-1.0"},
    ...                   {"latitude": "52.1", "longitude": "-0.9"}], "force/id").bounds
    (-1.0, 52.0, -0.9, 52.1)
    """
    if not isinstance(answer, list) or not answer:
        raise PoliceAPIError(
            f"data.police.uk gave no boundary points for neighbourhood {label} "
            f"(answer: {str(answer)[:80]!r})."
        )
    try:
        points = [(float(p["longitude"]), float(p["latitude"])) for p in answer]
    except (TypeError, KeyError, ValueError):
        raise PoliceAPIError(
            f"The boundary of neighbourhood {label} is not a list of "
            f'{{"latitude": .., "longitude": ..}} points (first item: {answer[0]!r}).'
        ) from None
    distinct = len(set(points))
    if distinct < 3:
        raise PoliceAPIError(
            f"The boundary of neighbourhood {label} has {distinct} distinct point(s); a "
            "polygon needs at least 3."
        )
    polygon = Polygon(points)
    if polygon.is_valid:
        return polygon
    log.warning("boundary of %s is not a valid polygon; repaired with make_valid", label)
    parts = [g for g in shapely.get_parts(shapely.make_valid(polygon))
             if isinstance(g, Polygon | MultiPolygon) and g.area > 0]
    return shapely.union_all(parts)
