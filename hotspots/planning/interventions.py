"""Planned interventions: what each one drawn on the map covers, checked before it is used.

A planned :class:`Intervention` is one drawn on the map: a point, line or polygon in
EPSG:27700 with a type from the catalogue (:mod:`hotspots.planning.catalogue`), a start month
and a cost. :func:`coverage` turns it into the area it is assumed to protect:

* a point is buffered by its radius (``radius_m``, else the type's default);
* a line is buffered by half its width either side (``width_m``, else the type's default),
  with flat ends, so a straight line of length L covers exactly L x width;
* a polygon is the area itself, plus ``radius_m`` when given (or the type's default margin
  for polygon types).

A point drawn for a line type uses half the type's width as radius, and a line drawn for a
point type uses twice its radius as width; a point or line drawn for a polygon type needs an
explicit ``radius_m`` or ``width_m``. Costs are estimated by :mod:`hotspots.planning.costs`.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.months import parse_month
from hotspots.planning.catalogue import InterventionType
from hotspots.planning.catalogue import load_catalogue
from hotspots.spatial import area_geometry
from hotspots.validation import Problems

__all__ = [
    "Intervention",
    "validate_intervention",
    "validate_interventions",
    "type_of",
    "coverage",
    "interventions_frame",
    "check_inside",
    "from_drawing",
    "new_id",
    "PLAN_CRS",
]

log = logging.getLogger(__name__)

#: Interventions are stored and measured in British National Grid (DESIGN.md).
PLAN_CRS = "EPSG:27700"
#: Segments per quarter circle when buffering: a circle's area is then within 0.01% of pi r^2
#: (a regular 256-gon has area pi r^2 (1 - (2 pi / 256)^2 / 6 + ...)).
QUAD_SEGS = 64
#: Coverage sticking out of the study area by less than this share counts as inside (drawing
#: tolerance: a circle approximated by 32 segments, shapely's default, differs from a true
#: circle of the same radius by 0.64% of its area).
INSIDE_TOLERANCE = 0.01
#: Longitude/latitude box of the UK and its waters (west, south, east, north), to catch
#: drawings passed in degrees instead of metres.
UK_LONLAT_BOX = (-11.0, 49.0, 3.0, 62.0)

_GEOM_KIND = {
    "Point": "point", "MultiPoint": "point",
    "LineString": "line", "MultiLineString": "line",
    "Polygon": "polygon", "MultiPolygon": "polygon",
}


def new_id() -> str:
    """Return a new random intervention id (a UUID4 string)."""
    return str(uuid.uuid4())


@dataclass(kw_only=True)
class Intervention:
    """A planned intervention drawn on the map.

    Attributes
    ----------
    type : str
        A catalogue key (``"cctv"``, ``"street_lighting"``, ...).
    geometry : shapely geometry
        Point, line or polygon (or multi-part) in EPSG:27700 metres.
    start : str
        First month in place, ``"YYYY-MM"``.
    plan : str
        Name of the plan it belongs to.
    name : str
        Label shown on maps and tables (e.g. "Camera 3, Market Place").
    cost : float or None
        Total cost in GBP; ``None`` when not known (cost-effectiveness is then not computed).
    radius_m, width_m : float or None
        Overrides of the type's default coverage.
    notes : str
        Free text.
    id : str
        Unique id (a UUID4 string by default).
    created, updated : str
        ISO timestamps set by :class:`hotspots.planning.plans.PlanStore`.

    Examples
    --------
    >>> iv = Intervention(type="cctv", geometry=shapely.Point(438500, 361350), start="2025-01")
    >>> len(iv.id), iv.cost is None
    (36, True)
    """

    type: str
    geometry: BaseGeometry
    start: str = ""
    plan: str = ""
    name: str = ""
    cost: float | None = None
    radius_m: float | None = None
    width_m: float | None = None
    notes: str = ""
    id: str = field(default_factory=new_id)
    created: str = ""
    updated: str = ""

    @property
    def geometry_kind(self) -> str:
        """``"point"``, ``"line"`` or ``"polygon"``: how this one was drawn."""
        return _GEOM_KIND.get(getattr(self.geometry, "geom_type", ""), "unknown")

    @property
    def display_name(self) -> str:
        """The name, or the type and the start of the id when it has none."""
        return self.name or f"{self.type} {self.id[:8]}"


# --------------------------------------------------------------------------- catalogue


def _catalogue(catalogue: Mapping[str, InterventionType] | None) -> Mapping[str, InterventionType]:
    return load_catalogue() if catalogue is None else catalogue


def type_of(intervention: Intervention,
            catalogue: Mapping[str, InterventionType] | None = None) -> InterventionType:
    """The catalogue entry of ``intervention``'s type (default catalogue: the bundled one).

    Examples
    --------
    >>> type_of(Intervention(type="cctv", geometry=shapely.Point(0, 0))).label
    'CCTV (fixed cameras)'
    """
    catalogue = _catalogue(catalogue)
    kind = catalogue.get(intervention.type)
    if kind is None:
        raise ParameterError(
            f"Intervention {intervention.display_name!r} has unknown type "
            f"{intervention.type!r}; the catalogue has: {', '.join(catalogue)}."
        )
    return kind


# --------------------------------------------------------------------------- validation


def _looks_like_lonlat(geom: BaseGeometry) -> bool:
    """True if every coordinate lies in the UK's longitude/latitude box.

    In British National Grid that box is a few metres of sea south-west of the Isles of
    Scilly (or west of the grid's false origin), so no real intervention is drawn there.
    """
    minx, miny, maxx, maxy = geom.bounds
    return UK_LONLAT_BOX[0] <= minx <= maxx <= UK_LONLAT_BOX[2] and (
        UK_LONLAT_BOX[1] <= miny <= maxy <= UK_LONLAT_BOX[3]
    )


def _amount(value: Any, what: str, problems: Problems) -> None:
    """Record a problem unless ``value`` is None or a finite number >= 0 (``what`` says which)."""
    if value is None:
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or float(value) < 0:
        problems.add(f"{what}, got {value!r}")


def validate_intervention(
    intervention: Intervention, catalogue: Mapping[str, InterventionType] | None = None
) -> None:
    """Check every field of ``intervention``; raise once, listing every problem.

    Checks: the type is in the catalogue; ``start`` is a ``YYYY-MM`` month; ``cost`` is
    None or a number >= 0; ``radius_m``/``width_m`` are None or >= 0; the geometry is a
    non-empty point, line or polygon (or multi-part) in metres (not longitude/latitude);
    a point or line drawn for a polygon type has the radius or width it needs.

    Raises
    ------
    ParameterError
        Naming each field, the value received and what is allowed.

    Examples
    --------
    >>> bad = Intervention(type="drone", geometry=shapely.Point(-1.4, 53.1), start="2025-13",
    ...                    cost=-5)
    >>> try:
    ...     validate_intervention(bad)
    ... except ParameterError as exc:
    ...     print(str(exc).count("\\n  - "))
    4
    """
    if not isinstance(intervention, Intervention):
        raise TypeError(f"'intervention' should be an Intervention, got {type(intervention)}")
    catalogue = _catalogue(catalogue)
    iv = intervention
    problems = Problems(f"Intervention {iv.display_name!r}")
    if not isinstance(iv.id, str) or not iv.id.strip():
        problems.add(f"'id' must be non-empty text, got {iv.id!r}")
    for name in ("plan", "name", "notes"):
        if not isinstance(getattr(iv, name), str):
            problems.add(f"'{name}' must be text, got {getattr(iv, name)!r}")
    kind = catalogue.get(iv.type) if isinstance(iv.type, str) else None
    if kind is None:
        problems.add(f"'type' {iv.type!r} is not in the catalogue; choose one of "
                     f"{', '.join(catalogue)}")
    try:
        parse_month(iv.start, name="start")
    except ParameterError as exc:
        problems.add(str(exc).replace("The 'start' parameter", "'start'"))
    _amount(iv.cost, "'cost' must be a number of pounds >= 0 (or None if not known)", problems)
    _amount(iv.radius_m, "'radius_m' must be a number of metres >= 0 or None", problems)
    _amount(iv.width_m, "'width_m' must be a number of metres >= 0 or None", problems)
    geom = iv.geometry
    if not isinstance(geom, BaseGeometry):
        problems.add(f"'geometry' must be a shapely geometry, got {type(geom).__name__}")
    elif geom.is_empty:
        problems.add("'geometry' is empty; draw a point, line or polygon")
    elif iv.geometry_kind == "unknown":
        problems.add(f"'geometry' must be a point, line or polygon, got {geom.geom_type}")
    elif not np.isfinite(np.asarray(geom.bounds, dtype=float)).all():
        problems.add("'geometry' has coordinates that are not finite numbers")
    elif _looks_like_lonlat(geom):
        bounds = tuple(round(b, 4) for b in geom.bounds)
        problems.add(
            f"'geometry' looks like longitude/latitude (bounds {bounds}); interventions are "
            f"stored in {PLAN_CRS} metres. Convert a drawing with "
            "hotspots.planning.interventions.from_drawing(...)"
        )
    elif kind is not None and not problems:
        try:
            _dimensions(iv, kind)
        except ParameterError as exc:
            problems.add(str(exc))
    problems.raise_if_any()


def validate_interventions(
    items: Iterable[Intervention], catalogue: Mapping[str, InterventionType] | None = None
) -> None:
    """Validate every intervention of a plan; raise once, with every one's problems.

    Examples
    --------
    >>> ok = Intervention(type="cctv", geometry=shapely.Point(438500, 361350), start="2025-01")
    >>> bad = Intervention(type="cctv", geometry=shapely.Point(438500, 361350), start="soon",
    ...                    name="Camera 2")
    >>> try:
    ...     validate_interventions([ok, bad])
    ... except ParameterError as exc:
    ...     print(str(exc)[:34])
    Intervention 'Camera 2': 'start' m
    """
    catalogue = _catalogue(catalogue)
    messages = []
    for iv in items:
        try:
            validate_intervention(iv, catalogue)
        except ParameterError as exc:
            messages.append(str(exc))
    if messages:
        raise ParameterError("\n".join(messages))


# --------------------------------------------------------------------------- coverage


def _dimensions(intervention: Intervention, kind: InterventionType) -> float:
    """Return the radius (points, polygon margin) or width (lines) that applies."""
    drawn = intervention.geometry_kind
    radius, width = intervention.radius_m, intervention.width_m
    if drawn == "polygon":
        if radius is not None:
            return float(radius)
        return float(kind.default_radius_m or 0.0) if kind.geometry_kind == "polygon" else 0.0
    if drawn == "point":
        value = radius
        if value is None:
            value = kind.default_radius_m or (
                kind.default_width_m / 2 if kind.default_width_m else None
            )
        if not value:
            raise ParameterError(
                f"'radius_m' is needed: {kind.label} is drawn as a {kind.geometry_kind}, so a "
                "point needs a radius in metres (or draw the area as a polygon)"
            )
        return float(value)
    value = width
    if value is None:
        value = kind.default_width_m or (
            2 * kind.default_radius_m if kind.default_radius_m else None
        )
    if not value:
        raise ParameterError(
            f"'width_m' is needed: {kind.label} is drawn as a {kind.geometry_kind}, so a line "
            "needs a corridor width in metres (or draw the area as a polygon)"
        )
    return float(value)


def coverage(
    intervention: Intervention, catalogue: Mapping[str, InterventionType] | None = None
) -> BaseGeometry:
    """Return the area (EPSG:27700) that ``intervention`` is assumed to cover.

    Points are buffered by the radius, lines by half the width either side with flat ends,
    polygons are kept (plus a margin when a radius applies); see the module notes for the
    defaults. An invalid polygon (e.g. self-crossing) is repaired and a warning logged.

    Returns
    -------
    shapely Polygon or MultiPolygon

    Examples
    --------
    >>> cam = Intervention(type="cctv", geometry=shapely.Point(0, 0), start="2025-01")
    >>> round(coverage(cam).area / (math.pi * 100**2), 3)
    1.0
    >>> lamps = Intervention(type="street_lighting", start="2025-01",
    ...                      geometry=shapely.LineString([(0, 0), (500, 0)]))
    >>> coverage(lamps).area
    20000.0
    """
    kind = type_of(intervention, catalogue)
    geom = intervention.geometry
    if not isinstance(geom, BaseGeometry) or geom.is_empty:
        raise ParameterError(
            f"Intervention {intervention.display_name!r} has no geometry; draw it first."
        )
    size = _dimensions(intervention, kind)
    drawn = intervention.geometry_kind
    if drawn == "polygon":
        if not geom.is_valid:
            log.warning("intervention %s: invalid polygon repaired (%s)",
                        intervention.display_name, shapely.is_valid_reason(geom))
            geom = shapely.make_valid(geom)
            parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon",
                                                                           "MultiPolygon")]
            geom = shapely.union_all(parts)
        out = geom.buffer(size, quad_segs=QUAD_SEGS) if size > 0 else geom
    elif drawn == "point":
        out = geom.buffer(size, quad_segs=QUAD_SEGS)
    elif drawn == "line":
        out = geom.buffer(size / 2, quad_segs=QUAD_SEGS, cap_style="flat")
    else:
        raise ParameterError(
            f"Intervention {intervention.display_name!r} geometry must be a point, line or "
            f"polygon, got {geom.geom_type}."
        )
    return out


def interventions_frame(
    items: Iterable[Intervention],
    *,
    catalogue: Mapping[str, InterventionType] | None = None,
    geometry: str = "drawn",
) -> gpd.GeoDataFrame:
    """Return one row per intervention, in EPSG:27700, with its type's effect and coverage.

    Parameters
    ----------
    items : iterable of Intervention
    catalogue : dict, optional
        Default :func:`load_catalogue`.
    geometry : {"drawn", "coverage"}
        The active geometry: the drawn point/line/polygon, or the coverage polygon.

    Returns
    -------
    GeoDataFrame
        Columns ``id, plan, type, label, name, start, cost, radius_m, width_m, notes,
        geometry_kind, effect, effect_low, effect_high, coverage_m2, created, updated`` and
        ``geometry``.

    Examples
    --------
    >>> cam = Intervention(type="cctv", geometry=shapely.Point(0, 0), start="2025-01",
    ...                    name="Camera 1")
    >>> frame = interventions_frame([cam], geometry="coverage")
    >>> frame[["name", "label", "effect"]].values.tolist()
    [['Camera 1', 'CCTV (fixed cameras)', 0.13]]
    >>> frame.geometry.iloc[0].geom_type
    'Polygon'
    """
    if geometry not in ("drawn", "coverage"):
        raise ParameterError(
            f"The 'geometry' parameter must be 'drawn' or 'coverage', got {geometry!r}."
        )
    catalogue = _catalogue(catalogue)
    rows, geoms = [], []
    for iv in items:
        kind = type_of(iv, catalogue)
        cover = coverage(iv, catalogue)
        rows.append({
            "id": iv.id, "plan": iv.plan, "type": iv.type, "label": kind.label,
            "name": iv.name, "start": iv.start,
            "cost": np.nan if iv.cost is None else float(iv.cost),
            "radius_m": np.nan if iv.radius_m is None else float(iv.radius_m),
            "width_m": np.nan if iv.width_m is None else float(iv.width_m),
            "notes": iv.notes, "geometry_kind": iv.geometry_kind, "effect": kind.effect,
            "effect_low": kind.effect_low, "effect_high": kind.effect_high,
            "coverage_m2": float(cover.area), "created": iv.created, "updated": iv.updated,
        })
        geoms.append(cover if geometry == "coverage" else iv.geometry)
    columns = ["id", "plan", "type", "label", "name", "start", "cost", "radius_m", "width_m",
               "notes", "geometry_kind", "effect", "effect_low", "effect_high", "coverage_m2",
               "created", "updated"]
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=PLAN_CRS), crs=PLAN_CRS)


# --------------------------------------------------------------------------- study area


def check_inside(
    intervention: Intervention,
    area: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    *,
    catalogue: Mapping[str, InterventionType] | None = None,
) -> str | None:
    """Return a warning if the intervention's coverage reaches outside the study area.

    Crimes outside the study area are usually not in the data, so the projected impact of
    coverage outside it is understated (or zero). This does not raise: the planner decides.

    Parameters
    ----------
    intervention : Intervention
    area : GeoDataFrame, GeoSeries or shapely geometry
        The study area; a bare geometry is taken to be in EPSG:27700.
    catalogue : dict, optional

    Returns
    -------
    str or None
        ``None`` when the coverage lies inside (within :data:`INSIDE_TOLERANCE`), else a
        message saying how much is outside.

    Raises
    ------
    CRSError, EmptySelectionError, TypeError
        If ``area`` is not a study area: a frame without CRS, no polygon with an area, or
        another kind of object (:func:`hotspots.spatial.area_geometry`).

    Examples
    --------
    >>> town = shapely.box(0, 0, 1000, 1000)
    >>> cam = Intervention(type="cctv", geometry=shapely.Point(500, 500), start="2025-01")
    >>> check_inside(cam, town) is None
    True
    >>> far = Intervention(type="cctv", geometry=shapely.Point(5000, 500), start="2025-01",
    ...                    name="Camera 9")
    >>> check_inside(far, town)[:45]
    "'Camera 9' (CCTV (fixed cameras)) lies entire"
    """
    catalogue = _catalogue(catalogue)
    kind = type_of(intervention, catalogue)
    shape = area_geometry(area, CRS.from_user_input(PLAN_CRS), func="check_inside")
    cover = coverage(intervention, catalogue)
    if cover.area <= 0:
        return None
    outside = 1.0 - shape.intersection(cover).area / cover.area
    label = f"{intervention.display_name!r} ({kind.label})"
    if outside >= 1.0 - 1e-12:
        return (
            f"{label} lies entirely outside the study area: its coverage does not overlap "
            "it, so no crimes in the data fall inside it and its projected impact is zero. "
            "Check where it was drawn, or widen the study area."
        )
    if outside > INSIDE_TOLERANCE:
        return (
            f"{label}: {outside:.0%} of its coverage lies outside the study area; crimes "
            "there are not in the data, so its projected impact is understated."
        )
    return None


def from_drawing(
    drawing: Mapping[str, Any], *, crs: str = "EPSG:4326"
) -> tuple[BaseGeometry, float | None]:
    """Turn a drawn GeoJSON feature (e.g. from a Leaflet Draw control) into EPSG:27700.

    Parameters
    ----------
    drawing : dict
        A GeoJSON Feature or geometry. A Leaflet circle arrives as a Point feature with
        ``properties.radius`` in metres; that radius is returned.
    crs : str
        CRS of the coordinates (Leaflet: ``"EPSG:4326"`` longitude/latitude).

    Returns
    -------
    (geometry, radius_m)
        The geometry in EPSG:27700 and the drawn circle's radius (or ``None``).

    Examples
    --------
    >>> feature = {"type": "Feature", "properties": {"radius": 120},
    ...            "geometry": {"type": "Point", "coordinates": [-1.4036, 53.1357]}}
    >>> geom, radius = from_drawing(feature)
    >>> round(geom.x, -2), round(geom.y, -2), radius
    (440000.0, 360000.0, 120.0)
    """
    if not isinstance(drawing, Mapping):
        raise TypeError(f"'drawing' should be a GeoJSON dict, got {type(drawing)}")
    geometry = drawing.get("geometry", drawing) if drawing.get("type") == "Feature" else drawing
    try:
        shape = shapely.geometry.shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise ParameterError(f"'drawing' is not a GeoJSON geometry ({exc}): {drawing!r}") from None
    props = drawing.get("properties") or {}
    radius = props.get("radius") if isinstance(props, Mapping) else None
    try:
        radius = None if radius is None else float(radius)
    except (TypeError, ValueError):
        raise ParameterError(
            f"'drawing' has a radius that is not a number: {radius!r}"
        ) from None
    projected = gpd.GeoSeries([shape], crs=crs).to_crs(PLAN_CRS).iloc[0]
    return projected, radius
