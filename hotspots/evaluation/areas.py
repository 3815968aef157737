"""The three areas of a before/after evaluation: target, buffer ring and control.

Public through :mod:`hotspots` (``evaluation_areas``, ``EvaluationAreas``).
The areas never overlap, so no crime counts twice: the buffer is a ring outside the
target, and any part of a control that overlaps target or buffer is cut away (noted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely
from pyproj import CRS

from hotspots.errors import CRSError
from hotspots.errors import ParameterError
from hotspots.validation import check_positive
from hotspots.validation import require_projected

__all__ = ["ROLES", "BUFFER_RULE", "CONTROL_REST", "EvaluationAreas", "evaluation_areas",
           "default_buffer_width"]

#: The roles, in the order a crime on a shared edge is assigned to them.
ROLES: tuple[str, ...] = ("target", "buffer", "control")
#: Default buffer width: the target's equivalent radius sqrt(area/π), rounded to the
#: nearest BUFFER_ROUND_M, so a circular target of radius r gets a ring from r to 2r (the
#: ring the demo scheme uses; wide enough to catch displacement to nearby streets).
BUFFER_RULE = "as wide as the target's equivalent radius sqrt(area/π), rounded to 10 m"
BUFFER_ROUND_M = 10.0
#: Segments per quarter circle when buffering (smooth rings; shapely's default is 16).
QUAD_SEGS = 32
#: The control rule when the control is the rest of the study area.
CONTROL_REST = "the rest of the study area outside the target and buffer"
_M2_PER_KM2 = 1.0e6


def default_buffer_width(target: shapely.Geometry) -> float:
    """The default buffer width for ``target``: see :data:`BUFFER_RULE`.

    Examples
    --------
    >>> default_buffer_width(shapely.Point(0, 0).buffer(250, quad_segs=32))
    250.0
    """
    radius = math.sqrt(target.area / math.pi)
    return max(BUFFER_ROUND_M, round(radius / BUFFER_ROUND_M) * BUFFER_ROUND_M)


@dataclass(frozen=True)
class EvaluationAreas:
    """Target, buffer and control polygons in one projected CRS; they never overlap.

    Attributes
    ----------
    target, buffer, control : shapely geometry
        The polygons (the buffer is a ring outside the target).
    crs : str
        Their CRS (metres).
    buffer_m : float or None
        The buffer's width, when it was built as a ring (None when drawn).
    buffer_rule, control_rule : str
        How the buffer and control were made, in words, for method statements.
    notes : tuple of str
        Adjustments made (overlaps cut away, defaults used).
    """

    target: Any
    buffer: Any
    control: Any
    crs: str
    buffer_m: float | None
    buffer_rule: str
    control_rule: str
    notes: tuple[str, ...] = ()

    def geometry(self, role: str) -> Any:
        """The polygon of ``role`` ("target", "buffer" or "control")."""
        if role not in ROLES:
            raise ParameterError(
                f"The 'role' parameter must be one of {', '.join(map(repr, ROLES))}; got {role!r}."
            )
        return getattr(self, role)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Bounds of all three areas together."""
        return tuple(shapely.union_all([self.target, self.buffer, self.control]).bounds)

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """One row per role: ``role, description, area_km2, geometry`` (for maps, export).

        Passing it back to :func:`evaluation_areas` rebuilds the same areas.
        """
        descriptions = {
            "target": "where the scheme works",
            "buffer": f"displacement buffer: {self.buffer_rule}",
            "control": f"control: {self.control_rule}",
        }
        geoms = [self.geometry(r) for r in ROLES]
        return gpd.GeoDataFrame(
            {"role": list(ROLES), "description": [descriptions[r] for r in ROLES],
             "area_km2": [g.area / _M2_PER_KM2 for g in geoms]},
            geometry=geoms, crs=self.crs,
        )

    def to_crs(self, crs: Any) -> EvaluationAreas:
        """The same areas in another projected CRS (itself if already there)."""
        target_crs = CRS.from_user_input(crs)
        if target_crs == CRS.from_user_input(self.crs):
            return self
        moved = gpd.GeoSeries([self.target, self.buffer, self.control], crs=self.crs)
        moved = moved.to_crs(target_crs)
        return EvaluationAreas(moved.iloc[0], moved.iloc[1], moved.iloc[2],
                               target_crs.to_string(), self.buffer_m, self.buffer_rule,
                               self.control_rule, self.notes)


def _polygon(value: Any, *, name: str, crs: CRS) -> Any:
    """One valid polygonal geometry in ``crs`` (a bare geometry is taken to be in ``crs``)."""
    if isinstance(value, shapely.Geometry):
        geom = shapely.make_valid(value)
    elif isinstance(value, gpd.GeoDataFrame | gpd.GeoSeries):
        if value.crs is None:
            raise CRSError(
                f"The '{name}' given has no CRS. Set it with .set_crs(...) (e.g. 'EPSG:27700' "
                "for British National Grid, 'EPSG:4326' for longitude/latitude)."
            )
        geoms = value.to_crs(crs).geometry.dropna()
        geom = shapely.union_all(shapely.make_valid(geoms.array)) if len(geoms) else None
    else:
        raise TypeError(
            f"'{name}' should be a shapely polygon, GeoDataFrame or GeoSeries, got {type(value)}"
        )
    if geom is None or geom.is_empty or geom.area <= 0:
        kind = "nothing" if geom is None or geom.is_empty else f"a {geom.geom_type}"
        raise ParameterError(
            f"'{name}' must be a polygon with an area; got {kind}. To use a point or a line, "
            "buffer it first, e.g. shapely.Point(x, y).buffer(150) for 150 m around a camera."
        )
    return geom


def _working_crs(target: Any, crs: Any, notes: list[str]) -> CRS:
    if crs is not None:
        chosen = CRS.from_user_input(crs)
    else:
        given = getattr(target, "crs", None)
        chosen = CRS.from_user_input("EPSG:27700")
        if given is not None:
            given = CRS.from_user_input(given)
            if given.is_projected:
                chosen = given
            else:
                notes.append(
                    f"The target is in {given.to_string()} (degrees); the areas are built in "
                    "EPSG:27700 (British National Grid). Pass crs= for data outside GB."
                )
    require_projected(gpd.GeoSeries([], crs=chosen), name="crs")
    return chosen


def _from_roles(layer: gpd.GeoDataFrame, crs: CRS) -> dict[str, Any]:
    roles = layer["role"].astype("str").str.strip().str.lower()
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ParameterError(
            f"The 'role' column of the target layer has {unknown}; allowed roles are "
            f"{', '.join(map(repr, ROLES))}."
        )
    if not (roles == "target").any():
        raise ParameterError(
            "The target layer has a 'role' column but no row with role 'target'; mark the "
            "scheme's area as 'target'."
        )
    return {
        role: _polygon(layer.loc[(roles == role).to_numpy()], name=f"{role} rows", crs=crs)
        for role in ROLES if (roles == role).any()
    }


def evaluation_areas(
    target: Any,
    *,
    buffer_m: float | None = None,
    control: Any = None,
    study_area: Any = None,
    crs: Any = None,
) -> EvaluationAreas:
    """Build the target, buffer and control areas of a before/after evaluation.

    Parameters
    ----------
    target : shapely polygon, GeoDataFrame or GeoSeries
        Where the scheme works (several polygons are merged). A GeoDataFrame with a
        ``role`` column (target/buffer/control, like ``data/boundaries/demo_scheme.gpkg``
        or :attr:`EvaluationAreas.frame`) gives all three at once; ``buffer_m``,
        ``control`` or ``study_area`` override its buffer or control rows.
    buffer_m : float, optional
        Width of the buffer ring around the target, in metres. Default
        (:data:`BUFFER_RULE`): the target's equivalent radius, rounded to 10 m.
    control : shapely polygon, GeoDataFrame or GeoSeries, optional
        A drawn control area, comparable to the target and untouched by the scheme. Any
        part overlapping the target or buffer is cut away (noted).
    study_area : shapely polygon, GeoDataFrame or GeoSeries, optional
        Used when no control is given: the control is then the rest of the study area
        outside the target and buffer (e.g. the district).
    crs : str, optional
        Projected CRS to build in; bare shapely geometries are taken to be in it. Default:
        the target's CRS if projected, else EPSG:27700.

    Returns
    -------
    EvaluationAreas

    Raises
    ------
    ParameterError
        No control and no study area, an area with no polygon, or a control that lies
        wholly inside the target and buffer.

    Examples
    --------
    >>> areas = evaluation_areas(shapely.Point(0, 0).buffer(250, quad_segs=32),
    ...                          control=shapely.box(1000, 0, 1400, 400))
    >>> areas.buffer_m, areas.frame["role"].tolist()
    (250.0, ['target', 'buffer', 'control'])
    >>> round(areas.buffer.area / areas.target.area, 2)  # a ring from r to 2r
    3.0
    """
    notes: list[str] = []
    crs = _working_crs(target, crs, notes)
    drawn: dict[str, Any] = {}
    if isinstance(target, gpd.GeoDataFrame) and "role" in target.columns:
        drawn = _from_roles(target, crs)
        target_geom = drawn["target"]
    else:
        target_geom = _polygon(target, name="target", crs=crs)

    if buffer_m is None and "buffer" in drawn:
        buffer_geom = drawn["buffer"].difference(target_geom)
        width, buffer_rule = None, "drawn (the layer's buffer rows), outside the target"
    else:
        if buffer_m is None:
            width = default_buffer_width(target_geom)
            buffer_rule = f"a ring {width:g} m wide around the target ({BUFFER_RULE})"
        else:
            width = check_positive(buffer_m, name="buffer_m")
            buffer_rule = f"a ring {width:g} m wide around the target"
        buffer_geom = target_geom.buffer(width, quad_segs=QUAD_SEGS).difference(target_geom)
    inner = shapely.union_all([target_geom, buffer_geom])

    if control is not None or (study_area is None and "control" in drawn):
        if control is not None:
            control_geom = _polygon(control, name="control", crs=crs)
            control_rule = "drawn"
        else:
            control_geom = drawn["control"]
            control_rule = "drawn (the layer's control rows)"
        overlap = control_geom.intersection(inner).area
        if overlap > 0:
            control_geom = control_geom.difference(inner)
            notes.append(
                f"The control overlapped the target or buffer by {overlap / _M2_PER_KM2:.3f} km²; "
                "that part was cut away so that no crime counts twice."
            )
    elif study_area is not None:
        control_geom = _polygon(study_area, name="study_area", crs=crs).difference(inner)
        control_rule = CONTROL_REST
    else:
        raise ParameterError(
            "evaluation_areas needs a control: pass control=<polygon> (an area like the target "
            "that the scheme does not touch) or study_area=<boundary> to use the rest of it."
        )
    if control_geom.is_empty or control_geom.area <= 0:
        raise ParameterError(
            "The control lies wholly inside the target and buffer, so nothing is left to compare "
            "with; draw the control elsewhere or narrow the buffer (buffer_m)."
        )
    if study_area is not None and control is not None:
        notes.append("A control was drawn, so the study area was not used as the control.")
    return EvaluationAreas(target_geom, buffer_geom, control_geom, crs.to_string(), width,
                           buffer_rule, control_rule, tuple(notes))
