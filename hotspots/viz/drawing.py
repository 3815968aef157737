"""Shapes on a print map: frames into the map's CRS, bounds, polygons and lines as collections.

Geometries are drawn as single matplotlib collections (one path per polygon, holes included),
never one artist per shape, so a map of thousands of cells stays quick and its file small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.collections import PathCollection
from matplotlib.path import Path as MplPath

from hotspots.errors import CRSError
from hotspots.validation import require_projected

__all__ = [
    "to_map_crs",
    "map_crs",
    "union_bounds",
    "polygon_path",
    "draw_polygons",
    "draw_lines",
    "dissolve_parts",
]


def to_map_crs(frame: Any, crs: Any, *, name: str) -> gpd.GeoDataFrame | None:
    """``frame`` (GeoDataFrame or GeoSeries) in ``crs`` as a new GeoDataFrame; None stays None."""
    if frame is None:
        return None
    if isinstance(frame, gpd.GeoSeries):
        frame = gpd.GeoDataFrame(geometry=frame)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"'{name}' should be a GeoDataFrame or GeoSeries, got {type(frame)}")
    if frame.crs is None:
        raise CRSError(
            f"'{name}' has no CRS. Set it with .set_crs(...) (e.g. 'EPSG:27700' for British "
            "National Grid, 'EPSG:4326' for longitude/latitude)."
        )
    frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
    return frame.to_crs(crs)


def map_crs(frame: gpd.GeoDataFrame, *, name: str) -> Any:
    """The CRS a map is drawn in: the frame's own, which must be projected (metres)."""
    return require_projected(frame, name=name)


def union_bounds(*frames: Any) -> tuple[float, float, float, float] | None:
    """Bounds of every non-empty frame or geometry together (None when all are empty)."""
    boxes = []
    for item in frames:
        if item is None:
            continue
        if isinstance(item, gpd.GeoDataFrame | gpd.GeoSeries):
            if len(item) == 0:
                continue
            b = item.total_bounds
        else:
            if shapely.is_empty(item):
                continue
            b = np.asarray(item.bounds)
        if np.all(np.isfinite(b)):
            boxes.append(b)
    if not boxes:
        return None
    arr = np.vstack(boxes)
    return (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max())


def _ring_codes(n: int) -> np.ndarray:
    codes = np.full(n, MplPath.LINETO, dtype=MplPath.code_type)
    codes[0] = MplPath.MOVETO
    codes[-1] = MplPath.CLOSEPOLY
    return codes


def polygon_path(geom: Any) -> MplPath | None:
    """A matplotlib path of a (multi)polygon, holes included (rings oriented for filling)."""
    verts, codes = [], []
    for part in shapely.get_parts(geom):
        if part.geom_type == "MultiPolygon" or part.geom_type == "GeometryCollection":
            sub = polygon_path(part)
            if sub is not None:
                verts.append(sub.vertices)
                codes.append(sub.codes)
            continue
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        part = shapely.orient_polygons(part)
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) >= 4:
                verts.append(xy)
                codes.append(_ring_codes(len(xy)))
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def draw_polygons(
    ax: Axes,
    geoms: Sequence[Any] | np.ndarray,
    *,
    facecolors: Any,
    edgecolors: Any = "none",
    linewidth: float = 0.0,
    alpha: float | None = None,
    zorder: float = 2,
    hatch: str | None = None,
    linestyle: str = "solid",
) -> PathCollection | None:
    """Draw polygons (one colour each, or one for all) as a single collection."""
    paths, keep = [], []
    for i, geom in enumerate(geoms):
        path = polygon_path(geom) if geom is not None else None
        if path is not None:
            paths.append(path)
            keep.append(i)
    if not paths:
        return None

    def _pick(colours: Any) -> Any:
        if isinstance(colours, str) or colours is None:
            return colours
        return [list(colours)[i] for i in keep]

    collection = PathCollection(
        paths, facecolors=_pick(facecolors), edgecolors=_pick(edgecolors),
        linewidths=linewidth, alpha=alpha, zorder=zorder, hatch=hatch, linestyle=linestyle,
    )
    collection.set_transform(ax.transData)
    ax.add_collection(collection, autolim=False)
    return collection


def draw_lines(
    ax: Axes, geoms: Sequence[Any], *, colors: Any, linewidth: float, zorder: float = 4
) -> LineCollection | None:
    """Draw line geometries (one colour each, or one for all)."""
    segments, colours = [], []
    listed = None if isinstance(colors, str) else list(colors)
    for i, geom in enumerate(geoms):
        for part in shapely.get_parts(geom):
            if part.geom_type in ("LineString", "LinearRing"):
                segments.append(np.asarray(part.coords)[:, :2])
                colours.append(colors if listed is None else listed[i])
    if not segments:
        return None
    lines = LineCollection(segments, colors=colours, linewidths=linewidth, zorder=zorder,
                           capstyle="round", joinstyle="round")
    ax.add_collection(lines, autolim=False)
    return lines


def dissolve_parts(geoms: Sequence[Any]) -> list[Any]:
    """Merge touching polygons into separate connected shapes (e.g. runs of hot cells)."""
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return []
    merged = shapely.union_all(np.asarray(geoms, dtype=object), grid_size=None)
    return [p for p in shapely.get_parts(merged) if p.area > 0]

