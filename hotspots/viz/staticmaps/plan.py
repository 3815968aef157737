"""Print maps of an intervention plan: coverage by type, the drawn interventions, hotspots.

Coverage is filled in one colour per intervention type, the drawn geometry on top (cameras
as points, lit streets as lines, gated alleys as polygons), each named when there are few;
hotspots are drawn under the plan to show what it covers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from typing import Unpack

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from hotspots.result import HotspotResult
from hotspots.viz.colours import PLAN_COLOURS
from hotspots.viz.drawing import dissolve_parts
from hotspots.viz.drawing import draw_lines
from hotspots.viz.drawing import draw_polygons
from hotspots.viz.drawing import map_crs
from hotspots.viz.drawing import to_map_crs
from hotspots.viz.drawing import union_bounds
from hotspots.viz.furniture import label
from hotspots.viz.mapframe import MapPage
from hotspots.viz.mapframe import message
from hotspots.viz.mapframe import swatch
from hotspots.viz.staticmaps.common import HOT_EDGE
from hotspots.viz.staticmaps.common import HOT_FILL
from hotspots.viz.staticmaps.common import PLAN_KEYS
from hotspots.viz.staticmaps.common import MapOptions
from hotspots.viz.staticmaps.common import finish
from hotspots.viz.staticmaps.common import map_style
from hotspots.viz.staticmaps.common import open_map
from hotspots.viz.staticmaps.common import save_map
from hotspots.viz.staticmaps.hotspot import HOT_RULES

__all__ = ["MAX_PLAN_LABELS", "plan_figure", "plan_png"]

#: Interventions are named on the plan map only when there are at most this many.
MAX_PLAN_LABELS = 25
#: The CRS of a plan map with nothing to take one from (British National Grid).
BNG = "EPSG:27700"


def _type_colours(*frames: gpd.GeoDataFrame | None) -> dict[str, str]:
    types = sorted({str(t) for f in frames if f is not None and "type" in f for t in f["type"]})
    return {t: PLAN_COLOURS[i % len(PLAN_COLOURS)] for i, t in enumerate(types)}


def _type_labels(*frames: gpd.GeoDataFrame | None) -> dict[str, str]:
    labels: dict[str, str] = {}
    for f in frames:
        if f is None or "type" not in f:
            continue
        names = f["label"] if "label" in f else f["type"]
        for t, lab in zip(f["type"].astype(str), names.astype(str), strict=True):
            labels.setdefault(t, lab or t)
    return labels


def _plan_caption(drawn: gpd.GeoDataFrame | None, cover: gpd.GeoDataFrame | None,
                  labels: dict[str, str], hotspots: Any) -> str:
    source = drawn if drawn is not None and len(drawn) else cover
    if source is None or len(source) == 0:
        text = "No interventions in this plan yet."
    else:
        counts = source["type"].astype(str).value_counts()
        kinds = ", ".join(f"{n} × {labels.get(t, t)}" for t, n in sorted(counts.items()))
        text = f"{len(source)} intervention{'s' if len(source) != 1 else ''}: {kinds}."
        if cover is not None and len(cover):
            area = shapely.union_all(cover.geometry.to_numpy()).area / 1e6
            text += f" Coverage {area:.2f} km² (overlaps counted once)."
        if "cost" in source and source["cost"].notna().any():
            text += f" Cost £{source['cost'].sum():,.0f} where given."
        if "start" in source and source["start"].astype(str).str.len().gt(0).any():
            starts = sorted(set(source["start"].astype(str)) - {""})
            text += f" Start {starts[0]}" + (f" to {starts[-1]}." if len(starts) > 1 else ".")
        text += (" Shaded: the area each intervention is assumed to cover; dots and lines: "
                 "where it is placed.")
    if isinstance(hotspots, HotspotResult):
        text += f" Hotspots: {hotspots.method_statement()}"
    return text


def plan_figure(interventions: gpd.GeoDataFrame | None, coverage: gpd.GeoDataFrame | None,
                **options: Unpack[MapOptions]) -> Figure:
    """Return the print map of an intervention plan as a Figure (see :func:`plan_png`)."""
    o = map_style(options, PLAN_KEYS, func="plan_figure")
    hotspots = o.hotspots
    frames = [f for f in (coverage, interventions) if f is not None]
    if isinstance(hotspots, HotspotResult):
        hot_cells = hotspots.cells
    elif hotspots is None or isinstance(hotspots, gpd.GeoDataFrame):
        hot_cells = hotspots
    else:
        raise TypeError(f"'hotspots' of plan_figure should be a HotspotResult or GeoDataFrame, "
                        f"got {type(hotspots)}")
    first = next((f for f in (*frames, hot_cells) if f is not None), None)
    crs = map_crs(first, name="coverage") if first is not None else BNG
    drawn = to_map_crs(interventions, crs, name="interventions")
    cover = to_map_crs(coverage, crs, name="coverage")
    areas = to_map_crs(o.areas, crs, name="areas")
    hot = to_map_crs(hot_cells, crs, name="hotspots")
    if hot is not None and "hotspot" in hot:
        hot = hot[hot["hotspot"].astype(bool).to_numpy()]
    colours = _type_colours(cover, drawn)
    labels = _type_labels(drawn, cover)
    entries = [(swatch(colours[t], edge=colours[t], alpha=0.45), labels.get(t, t))
               for t in colours]
    if hot is not None and len(hot):
        method = (f" ({HOT_RULES.get(hotspots.method, hotspots.method)})"
                  if isinstance(hotspots, HotspotResult) else "")
        entries.append((swatch(HOT_FILL, edge=HOT_EDGE, hatch="////"), f"Hotspot{method}"))
    bounds = union_bounds(cover, drawn)
    pad, min_size = 0.5, 800.0
    if bounds is None:
        bounds, pad, min_size = union_bounds(hot) or union_bounds(areas), 0.04, 200.0
    page, tiles = open_map(
        bounds, crs, basemap=o.basemap, areas=areas, legend=entries, credits=o.credits,
        title=o.title or "Intervention plan", legend_title="Interventions",
        caption=_plan_caption(drawn, cover, labels, hotspots), dpi=o.dpi, pad=pad,
        min_size=min_size,
    )
    if hot is not None and len(hot):
        draw_polygons(page.ax, dissolve_parts(hot.geometry.to_numpy()), facecolors=HOT_FILL,
                      edgecolors=HOT_EDGE, linewidth=0.8, alpha=0.8 if tiles else 1.0,
                      zorder=3, hatch="////")
    if cover is not None and len(cover):
        c = [colours[str(t)] for t in cover["type"]] if "type" in cover else PLAN_COLOURS[0]
        draw_polygons(page.ax, cover.geometry.to_numpy(), facecolors=c, alpha=0.45, zorder=4)
        draw_polygons(page.ax, cover.geometry.to_numpy(), facecolors="none", edgecolors=c,
                      linewidth=0.9, zorder=6)
    if drawn is not None and len(drawn):
        _draw_interventions(page, drawn, colours)
    if bounds is None or not frames or all(len(f) == 0 for f in frames):
        message(page.ax, "No interventions in this plan yet.")
    return finish(page)


def _draw_interventions(page: MapPage, drawn: gpd.GeoDataFrame, colours: dict[str, str]) -> None:
    geoms = drawn.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    c = [colours.get(str(t), PLAN_COLOURS[0]) for t in drawn.get("type", [""] * len(drawn))]
    points = np.isin(kinds, (0, 4))
    lines = np.isin(kinds, (1, 5))
    polys = np.isin(kinds, (3, 6))
    if lines.any():
        draw_lines(page.ax, geoms[lines], colors=[c[i] for i in np.flatnonzero(lines)],
                   linewidth=2.2, zorder=7)
    if polys.any():
        draw_polygons(page.ax, geoms[polys], facecolors="none",
                      edgecolors=[c[i] for i in np.flatnonzero(polys)], linewidth=1.3,
                      zorder=7, linestyle="dashed")
    if points.any():
        xy = shapely.get_coordinates(shapely.centroid(geoms[points]))
        page.ax.scatter(xy[:, 0], xy[:, 1], s=26, c=[c[i] for i in np.flatnonzero(points)],
                        edgecolors="white", linewidths=0.8, zorder=8)
    if len(drawn) <= MAX_PLAN_LABELS and "name" in drawn:
        placed = [
            Bbox.from_extents(x - 5, y - 5, x + 5, y + 5)
            for x, y in page.ax.transData.transform(shapely.get_coordinates(
                shapely.centroid(geoms[points])))
        ] if points.any() else []
        anchors = shapely.point_on_surface(geoms)
        for name, point in zip(drawn["name"].astype(str), anchors, strict=True):
            if name.strip():
                label(page, (point.x, point.y), name, placed=placed, fontsize=6.3, boxed=False,
                      gid="intervention-label")


def plan_png(interventions: gpd.GeoDataFrame | None, coverage: gpd.GeoDataFrame | None,
             path: str | Path, **options: Unpack[MapOptions]) -> Path:
    """Write a print map (PNG) of an intervention plan and its coverage; return its path.

    Parameters
    ----------
    interventions, coverage : GeoDataFrame or None
        From :func:`hotspots.planning.interventions.interventions_frame` with
        ``geometry="drawn"``
        (cameras as points, lit streets as lines, gated alleys as polygons) and
        ``geometry="coverage"``. Coverage is filled in one colour per intervention type,
        the drawn geometry on top, each named when there are at most 25. An empty plan
        gives a map that says so.
    path : str or Path
        The ``.png`` to write.
    **options
        ``areas`` (boundaries for context; the map is framed on the plan, not on them),
        ``hotspots`` (drawn under the plan, to show what it covers), ``title``,
        ``basemap``, ``credits`` and ``dpi``, as in
        :class:`~hotspots.viz.staticmaps.common.MapStyle`.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots.planning.interventions import Intervention, interventions_frame
    >>> cam = Intervention(type="cctv", geometry=shapely.Point(440000, 360000),
    ...                    start="2025-01", name="Camera 1")
    >>> drawn = interventions_frame([cam], geometry="drawn")
    >>> cover = interventions_frame([cam], geometry="coverage")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     plan_png(drawn, cover, Path(tmp) / "plan.png", basemap="none", dpi=50).name
    'plan.png'
    """
    return save_map(plan_figure(interventions, coverage, **options), path, options)
