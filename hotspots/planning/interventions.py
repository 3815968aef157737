"""Intervention catalogue and planned interventions: what each one covers and acts on.

The catalogue (``hotspots/data/interventions.toml``) lists intervention types (CCTV, street
lighting, alley gates, ...) with their default coverage, the police.uk crime types they act
on, the expected effect with its range and source, and an indicative unit cost. A planned
:class:`Intervention` is one drawn on the map: a point, line or polygon in EPSG:27700 with a
type, a start month and a cost. :func:`coverage` turns it into the area it is assumed to
protect:

* a point is buffered by its radius (``radius_m``, else the type's default);
* a line is buffered by half its width either side (``width_m``, else the type's default),
  with flat ends, so a straight line of length L covers exactly L x width;
* a polygon is the area itself, plus ``radius_m`` when given (or the type's default margin
  for polygon types).

A point drawn for a line type uses half the type's width as radius, and a line drawn for a
point type uses twice its radius as width; a point or line drawn for a polygon type needs an
explicit ``radius_m`` or ``width_m``.
"""

from __future__ import annotations

import logging
import math
import tomllib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.errors import CRSError, InputFileError, ParameterError
from hotspots.months import parse_month
from hotspots.schema import POLICE_UK_CATEGORIES

__all__ = [
    "InterventionType",
    "Intervention",
    "CostEstimate",
    "load_catalogue",
    "validate_intervention",
    "coverage",
    "interventions_frame",
    "check_inside",
    "from_drawing",
    "estimate_cost",
    "new_id",
    "DEFAULT_CATALOGUE_PATH",
    "GEOMETRY_KINDS",
    "PLAN_CRS",
]

log = logging.getLogger(__name__)

#: The bundled catalogue (effects, sources and indicative costs are documented in it).
DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "data" / "interventions.toml"
#: How an intervention type is drawn.
GEOMETRY_KINDS: tuple[str, ...] = ("point", "line", "polygon")
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
#: Words allowed for the strength of evidence behind a type's effect.
EVIDENCE_LEVELS: tuple[str, ...] = (
    "systematic review",
    "single evaluation",
    "household survey analysis",
    "no demonstrated effect",
    "planning assumption",
)

_TYPE_KEYS = (
    "label", "geometry", "radius_m", "width_m", "categories", "effect", "effect_low",
    "effect_high", "evidence", "source", "range_basis", "unit_cost", "cost_unit", "note",
)
_GEOM_KIND = {
    "Point": "point", "MultiPoint": "point",
    "LineString": "line", "MultiLineString": "line",
    "Polygon": "polygon", "MultiPolygon": "polygon",
}


@dataclass(frozen=True)
class InterventionType:
    """One entry of the intervention catalogue.

    Attributes
    ----------
    key : str
        Short name (``"cctv"``, ``"street_lighting"``, ...).
    label : str
        Name shown to people.
    geometry_kind : str
        How it is drawn: ``"point"``, ``"line"`` or ``"polygon"``.
    default_radius_m, default_width_m : float or None
        Default radius (points; margin round polygons) and corridor width (lines), metres.
    categories : tuple of str
        police.uk crime types it acts on.
    effect, effect_low, effect_high : float
        Expected proportional reduction and its planning range, fractions in [0, 1).
    evidence : str
        Strength of the evidence (see :data:`EVIDENCE_LEVELS`).
    source : str
        The evidence, quoted.
    range_basis : str
        How the low/high figures were set.
    unit_cost : float
        Indicative cost in GBP per ``cost_unit``.
    cost_unit : str
        ``"camera"``, ``"km"``, ``"gate"``, ``"household"``, ``"month"``, ...
    note : str
        Caveats shown with the type.

    Examples
    --------
    >>> t = load_catalogue()["anpr"]
    >>> t.effect, t.acts_on("Vehicle crime"), t.acts_on("Burglary")
    (0.0, True, False)
    """

    key: str
    label: str
    geometry_kind: str
    default_radius_m: float | None
    default_width_m: float | None
    categories: tuple[str, ...]
    effect: float
    effect_low: float
    effect_high: float
    evidence: str
    source: str
    range_basis: str
    unit_cost: float
    cost_unit: str
    note: str

    def acts_on(self, category: str) -> bool:
        """True if this type is expected to act on crimes of ``category``."""
        return category in self.categories

    def to_dict(self) -> dict[str, Any]:
        """The type as a JSON-serialisable dict (for run records and exports)."""
        return {
            "key": self.key, "label": self.label, "geometry_kind": self.geometry_kind,
            "default_radius_m": self.default_radius_m, "default_width_m": self.default_width_m,
            "categories": list(self.categories), "effect": self.effect,
            "effect_low": self.effect_low, "effect_high": self.effect_high,
            "evidence": self.evidence, "source": self.source, "range_basis": self.range_basis,
            "unit_cost": self.unit_cost, "cost_unit": self.cost_unit, "note": self.note,
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
        ISO timestamps set by :class:`hotspots.plans.PlanStore`.

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


def _number(value: Any, where: str, problems: list[str], *, low: float = 0.0,
            below_one: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    number = float(value) if ok else math.nan
    if not math.isfinite(number) or number < low or (below_one and number >= 1):
        allowed = "a fraction in [0, 1)" if below_one else f"a number >= {low:g}"
        problems.append(f"{where} should be {allowed}, got {value!r}")
        return math.nan
    return number


def _parse_type(raw_key: str, table: Any, source: str, problems: list[str]) -> InterventionType:
    where = f"[types.{raw_key}]"
    if not isinstance(table, dict):
        problems.append(f"{where} should be a table")
        table = {}
    for name in table:
        if name not in _TYPE_KEYS:
            problems.append(f"{where} has unknown key {name!r}; allowed: {', '.join(_TYPE_KEYS)}")
    for name in ("label", "geometry", "categories", "effect", "source", "unit_cost",
                 "cost_unit"):
        if name not in table:
            problems.append(f"{where} needs {name!r}")
    kind = table.get("geometry", "point")
    if kind not in GEOMETRY_KINDS:
        problems.append(f"{where} geometry should be one of {', '.join(GEOMETRY_KINDS)}, "
                        f"got {kind!r}")
    radius = table.get("radius_m")
    width = table.get("width_m")
    radius = None if radius is None else _number(radius, f"{where} radius_m", problems)
    width = None if width is None else _number(width, f"{where} width_m", problems)
    if kind == "point" and not (radius and radius > 0):
        problems.append(f"{where} is a point type and needs radius_m > 0")
    if kind == "line" and not (width and width > 0):
        problems.append(f"{where} is a line type and needs width_m > 0")
    categories = table.get("categories", [])
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        problems.append(f"{where} categories should be a list of police.uk crime types")
        categories = []
    unknown = [c for c in categories if c not in POLICE_UK_CATEGORIES]
    if unknown:
        problems.append(
            f"{where} categories {unknown} are not police.uk crime types; allowed: "
            + ", ".join(POLICE_UK_CATEGORIES)
        )
    effect = _number(table.get("effect"), f"{where} effect", problems, below_one=True)
    low = _number(table.get("effect_low", effect), f"{where} effect_low", problems,
                  below_one=True)
    high = _number(table.get("effect_high", effect), f"{where} effect_high", problems,
                   below_one=True)
    if all(math.isfinite(v) for v in (effect, low, high)) and not low <= effect <= high:
        problems.append(f"{where} needs effect_low <= effect <= effect_high, got "
                        f"{low:g} <= {effect:g} <= {high:g}")
    evidence = table.get("evidence", "planning assumption")
    if evidence not in EVIDENCE_LEVELS:
        problems.append(f"{where} evidence should be one of {', '.join(EVIDENCE_LEVELS)}, "
                        f"got {evidence!r}")
    texts = {k: table.get(k, "") for k in ("label", "source", "range_basis", "cost_unit", "note")}
    for name, text in texts.items():
        if not isinstance(text, str):
            problems.append(f"{where} {name} should be text, got {text!r}")
    unit_cost = _number(table.get("unit_cost"), f"{where} unit_cost", problems)
    return InterventionType(
        key=raw_key.strip().lower(), label=str(texts["label"]), geometry_kind=str(kind),
        default_radius_m=radius, default_width_m=width, categories=tuple(categories),
        effect=effect, effect_low=low, effect_high=high, evidence=str(evidence),
        source=" ".join(str(texts["source"]).split()),
        range_basis=" ".join(str(texts["range_basis"]).split()), unit_cost=unit_cost,
        cost_unit=str(texts["cost_unit"]), note=" ".join(str(texts["note"]).split()),
    )


def _read_catalogue(path: Path) -> dict[str, InterventionType]:
    if not path.is_file():
        raise InputFileError(f"Intervention catalogue {str(path)!r} does not exist.")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"Intervention catalogue {str(path)!r} is not valid TOML: {exc}"
        ) from None
    tables = data.get("types")
    if not isinstance(tables, dict) or not tables:
        raise InputFileError(
            f"Intervention catalogue {str(path)!r} has no [types.<key>] tables; see "
            f"{DEFAULT_CATALOGUE_PATH} for the layout."
        )
    problems: list[str] = []
    types = {}
    for raw_key, table in tables.items():
        item = _parse_type(raw_key, table, str(path), problems)
        types[item.key] = item
    if problems:
        raise InputFileError(
            f"Intervention catalogue {str(path)!r} has {len(problems)} problem(s):\n  - "
            + "\n  - ".join(problems)
        )
    return types


def load_catalogue(path: str | Path | None = None) -> dict[str, InterventionType]:
    """Return the intervention types: the bundled catalogue, plus or overridden by ``path``.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file of ``[types.<key>]`` tables laid out like
        ``hotspots/data/interventions.toml``. Its types are added; a key that exists already
        replaces the bundled type wholesale (e.g. to use local costs or effects).

    Returns
    -------
    dict
        Key -> :class:`InterventionType`, bundled types first.

    Raises
    ------
    InputFileError
        If a file is missing, not TOML, or has invalid entries (all problems listed).

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> sorted(catalogue)[:3]
    ['alley_gates', 'anpr', 'cctv']
    >>> catalogue["street_lighting"].effect, catalogue["street_lighting"].geometry_kind
    (0.21, 'line')
    """
    types = _read_catalogue(DEFAULT_CATALOGUE_PATH)
    if path is not None:
        user = _read_catalogue(Path(path))
        replaced = sorted(set(user) & set(types))
        if replaced:
            log.info("catalogue %s replaces bundled type(s): %s", path, ", ".join(replaced))
        types.update(user)
    return types


def _catalogue(catalogue: Mapping[str, InterventionType] | None) -> Mapping[str, InterventionType]:
    return load_catalogue() if catalogue is None else catalogue


def _type_of(intervention: Intervention,
             catalogue: Mapping[str, InterventionType]) -> InterventionType:
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


def _dimension(value: Any, name: str, problems: list[str]) -> None:
    if value is None:
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or float(value) < 0:
        problems.append(f"'{name}' must be a number of metres >= 0 or None, got {value!r}")


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
    problems: list[str] = []
    iv = intervention
    if not isinstance(iv.id, str) or not iv.id.strip():
        problems.append(f"'id' must be non-empty text, got {iv.id!r}")
    for name in ("plan", "name", "notes"):
        if not isinstance(getattr(iv, name), str):
            problems.append(f"'{name}' must be text, got {getattr(iv, name)!r}")
    kind = catalogue.get(iv.type) if isinstance(iv.type, str) else None
    if kind is None:
        problems.append(f"'type' {iv.type!r} is not in the catalogue; choose one of "
                        f"{', '.join(catalogue)}")
    try:
        parse_month(iv.start, name="start")
    except ParameterError as exc:
        problems.append(str(exc).replace("The 'start' parameter", "'start'"))
    if iv.cost is not None:
        ok = isinstance(iv.cost, int | float) and not isinstance(iv.cost, bool)
        if not ok or not math.isfinite(float(iv.cost)) or float(iv.cost) < 0:
            problems.append(f"'cost' must be a number of pounds >= 0 (or None if not known), "
                            f"got {iv.cost!r}")
    _dimension(iv.radius_m, "radius_m", problems)
    _dimension(iv.width_m, "width_m", problems)
    geom = iv.geometry
    if not isinstance(geom, BaseGeometry):
        problems.append(f"'geometry' must be a shapely geometry, got {type(geom).__name__}")
    elif geom.is_empty:
        problems.append("'geometry' is empty; draw a point, line or polygon")
    elif iv.geometry_kind == "unknown":
        problems.append(f"'geometry' must be a point, line or polygon, got {geom.geom_type}")
    elif not np.isfinite(np.asarray(geom.bounds, dtype=float)).all():
        problems.append("'geometry' has coordinates that are not finite numbers")
    elif _looks_like_lonlat(geom):
        bounds = tuple(round(b, 4) for b in geom.bounds)
        problems.append(
            f"'geometry' looks like longitude/latitude (bounds {bounds}); interventions are "
            f"stored in {PLAN_CRS} metres. Convert a drawing with "
            "hotspots.interventions.from_drawing(...)"
        )
    elif kind is not None and not problems:
        try:
            _dimensions(iv, kind)
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError(
            f"Intervention {iv.display_name!r} has {len(problems)} problem(s):\n  - "
            + "\n  - ".join(problems)
        )


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
    kind = _type_of(intervention, _catalogue(catalogue))
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
        kind = _type_of(iv, catalogue)
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


# --------------------------------------------------------------------------- helpers


def _area_geometry(area: Any, *, name: str = "area") -> BaseGeometry:
    """A study area as one shapely geometry in EPSG:27700."""
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise CRSError(f"'{name}' has no CRS; set it with set_crs(...) (e.g. '{PLAN_CRS}').")
        geoms = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
        geoms = geoms.to_crs(PLAN_CRS).dropna()
        return shapely.union_all(shapely.make_valid(geoms.array))
    if isinstance(area, BaseGeometry):
        return area
    raise TypeError(
        f"'{name}' should be a GeoDataFrame, GeoSeries or shapely geometry, got {type(area)}"
    )


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
    kind = _type_of(intervention, catalogue)
    shape = _area_geometry(area)
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


# --------------------------------------------------------------------------- costs


@dataclass(frozen=True)
class CostEstimate:
    """An indicative cost: ``quantity`` x ``unit_cost`` (GBP), with how it was worked out."""

    amount: float
    quantity: float
    unit_cost: float
    cost_unit: str
    text: str


def estimate_cost(
    intervention: Intervention,
    catalogue: Mapping[str, InterventionType] | None = None,
    *,
    quantity: float | None = None,
) -> CostEstimate:
    """Estimate the cost of ``intervention`` from its type's indicative unit cost.

    Without ``quantity``: cameras count the drawn points (1 for a single point), ``km`` is
    the drawn line's length, ``gate`` is two per alley line (one at each end) or one per
    point. Households, months and other units need ``quantity``.

    Examples
    --------
    >>> lamps = Intervention(type="street_lighting", start="2025-01",
    ...                      geometry=shapely.LineString([(0, 0), (1500, 0)]))
    >>> estimate_cost(lamps).amount
    90000.0
    >>> estimate_cost(lamps).text
    '1.5 km x GBP 60,000 (indicative) = GBP 90,000'
    """
    kind = _type_of(intervention, _catalogue(catalogue))
    geom, drawn = intervention.geometry, intervention.geometry_kind
    parts = len(shapely.get_parts(geom)) if isinstance(geom, BaseGeometry) else 0
    if quantity is None:
        unit = kind.cost_unit
        if unit == "camera":
            quantity = float(parts) if drawn == "point" else 1.0
        elif unit == "km" and drawn == "line":
            quantity = geom.length / 1000.0
        elif unit == "gate" and drawn in ("line", "point"):
            quantity = float(2 * parts if drawn == "line" else parts)
        else:
            raise ParameterError(
                f"The 'quantity' parameter is needed to cost {kind.label} drawn as a {drawn}: "
                f"give the number of {kind.cost_unit}s."
            )
    quantity = float(quantity)
    if not math.isfinite(quantity) or quantity < 0:
        raise ParameterError(f"The 'quantity' parameter must be a number >= 0, got {quantity!r}.")
    amount = quantity * kind.unit_cost
    unit = kind.cost_unit if quantity == 1 or kind.cost_unit == "km" else f"{kind.cost_unit}s"
    text = (f"{quantity:g} {unit} x GBP {kind.unit_cost:,.0f} (indicative) = "
            f"GBP {amount:,.0f}")
    return CostEstimate(amount=amount, quantity=quantity, unit_cost=kind.unit_cost,
                        cost_unit=kind.cost_unit, text=text)
