"""Print maps of hotspot results: cells or clusters by class, hotspots outlined and labelled.

Colours and classes are those of the interactive map (:mod:`hotspots.viz.classes`): Gi* by
confidence bin, counts and densities in five classes by percentile of the drawn cells.
Touching hot cells are outlined as one hotspot and the largest are labelled with their
number of crimes ("<5" for 1-4 in sensitive groups).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from typing import Unpack

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure

from hotspots.errors import ParameterError
from hotspots.privacy import SMALL_COUNT
from hotspots.result import HotspotResult
from hotspots.viz.classes import GI_LABELS
from hotspots.viz.classes import cells_to_draw
from hotspots.viz.classes import class_colours
from hotspots.viz.classes import n_candidates
from hotspots.viz.colours import GI_COLOURS
from hotspots.viz.colours import SEQUENTIAL
from hotspots.viz.drawing import dissolve_parts
from hotspots.viz.drawing import draw_polygons
from hotspots.viz.drawing import union_bounds
from hotspots.viz.furniture import label
from hotspots.viz.mapframe import INK
from hotspots.viz.mapframe import MapPage
from hotspots.viz.mapframe import message
from hotspots.viz.mapframe import outline_swatch
from hotspots.viz.mapframe import swatch
from hotspots.viz.mapframe import wrap
from hotspots.viz.staticmaps.common import BOUNDARY_KEYS
from hotspots.viz.staticmaps.common import HOTSPOT_KEYS
from hotspots.viz.staticmaps.common import MapOptions
from hotspots.viz.staticmaps.common import area_labels
from hotspots.viz.staticmaps.common import check_bool
from hotspots.viz.staticmaps.common import check_type
from hotspots.viz.staticmaps.common import draw_classes
from hotspots.viz.staticmaps.common import finish
from hotspots.viz.staticmaps.common import in_map_crs
from hotspots.viz.staticmaps.common import map_style
from hotspots.viz.staticmaps.common import open_map
from hotspots.viz.staticmaps.common import save_map
from hotspots.viz.staticmaps.common import study_area
from hotspots.viz.staticmaps.common import suppressed

__all__ = [
    "METHOD_NAMES",
    "HOT_RULES",
    "hotspot_figure",
    "hotspot_png",
    "boundary_figure",
    "boundary_png",
]

#: What each method's map shows, for the default title.
METHOD_NAMES = {
    "gistar": "Getis-Ord Gi* hot and cold spots",
    "kde": "kernel density",
    "count": "crimes per grid cell",
    "dbscan": "DBSCAN clusters",
    "hdbscan": "HDBSCAN clusters",
}
#: What makes a cell a hotspot, per method (legend text).
HOT_RULES = {
    "gistar": "Gi*, hot at 95% or more",
    "kde": "top 5% of cells by density",
    "count": "top 5% of cells by count",
    "dbscan": "DBSCAN cluster",
    "hdbscan": "HDBSCAN cluster",
}
_COUNTED = ("count", "dbscan", "hdbscan")  # methods whose score is a number of crimes


def _hotspot_areas(result: HotspotResult) -> list[tuple[Any, float]]:
    """Each hotspot as one shape with its crime count: touching hot cells merge."""
    cells = result.cells
    if len(cells) == 0:
        return []
    hot = cells[cells["hotspot"].astype(bool).to_numpy()]
    counts = hot["count"].to_numpy(dtype=float) if "count" in hot else np.zeros(len(hot))
    if result.layer != "cells":
        return list(zip(hot.geometry.to_numpy(), counts, strict=True))
    parts = dissolve_parts(hot.geometry.to_numpy())
    if not parts:
        return []
    tree = shapely.STRtree(parts)
    cell_idx, part_idx = tree.query(shapely.point_on_surface(hot.geometry.to_numpy()),
                                    predicate="within")
    totals = np.bincount(part_idx, weights=counts[cell_idx], minlength=len(parts))
    return list(zip(parts, totals, strict=True))


def _top_labels(page: MapPage, shapes: list[tuple[Any, float]], n: int, *,
                sensitive: bool, placed: list) -> int:
    """Label the ``n`` largest shapes by count (ties: south-west first); return how many."""
    if n <= 0 or not shapes:
        return 0
    order = sorted(range(len(shapes)), key=lambda i: (-shapes[i][1], shapes[i][0].bounds))
    chosen = [i for i in order if shapes[i][1] > 0][:n]
    for i in chosen:
        geom, count = shapes[i]
        point = shapely.point_on_surface(geom)
        label(page, (point.x, point.y), suppressed(count, sensitive=sensitive), placed=placed,
              gid="hotspot-label")
    return len(chosen)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _range_text(lo: float, hi: float, *, counted: bool, sensitive: bool) -> str:
    if counted:
        a, b = suppressed(lo, sensitive=sensitive), suppressed(hi, sensitive=sensitive)
    else:
        a, b = _number(lo), _number(hi)
    return a if a == b else f"{a} to {b}"


def _hotspot_legend(
    result: HotspotResult, cells: gpd.GeoDataFrame, colours: pd.Series, *, sensitive: bool
) -> tuple[list, str]:
    method = result.shown_method  # auto: the method it chose
    if method == "gistar" and "gi_bin" in cells:
        entries = [(swatch(GI_COLOURS[b]), name) for b, name in GI_LABELS.items()]
        return entries, "Gi* hot and cold spots (confidence)"
    what = {"count": "Crimes per cell"}.get(method, "Crimes")
    if result.method == "auto" and method == "count":
        what = "Ranking score (crimes per cell, smoothed or tie-broken)"
    if method == "kde":
        what = f"Density ({result.params.get('density_units', 'crimes per km²')})"
    elif result.layer == "clusters":
        what = "Crimes per cluster"
    shares = ["Top 5%", "90–95%", "75–90%", "50–75%", "Lower half"]
    counted = result.method in _COUNTED
    entries = []
    for colour, share in zip(SEQUENTIAL[::-1], shares, strict=True):
        part = cells["score"][colours == colour]
        text = share
        if len(part):
            span = _range_text(part.min(), part.max(), counted=counted, sensitive=sensitive)
            text += f" ({span})"
        entries.append((swatch(colour), text))
    noun = "clusters" if result.layer == "clusters" else "cells"
    return entries, f"{what}, by percentile of the {noun} shown"



def hotspot_figure(result: HotspotResult, **options: Unpack[MapOptions]) -> Figure:
    """Return the print map of a hotspot result as a Figure (see :func:`hotspot_png`).

    Examples
    --------
    >>> cells = gpd.GeoDataFrame({"score": [9.0, 1.0], "hotspot": [True, False],
    ...     "count": [9, 1]}, geometry=[shapely.box(0, 0, 100, 100),
    ...     shapely.box(100, 0, 200, 100)], crs="EPSG:27700")
    >>> fig = hotspot_figure(HotspotResult(cells, "count", {"cell_size": 100}), basemap="none")
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "hotspot-label"]
    ['9']
    """
    func = "hotspot_figure"
    check_type(result, HotspotResult, name="result", func=func,
               hint="a HotspotResult (from find_hotspots and the hotspot methods)")
    o = map_style(options, HOTSPOT_KEYS, func=func)
    sensitive, label_top = check_bool(o.sensitive, name="sensitive"), o.label_top
    if isinstance(label_top, bool) or not isinstance(label_top, int | np.integer) or label_top < 0:
        raise ParameterError(
            f"The 'label_top' parameter of {func} must be a whole number >= 0, got {label_top!r}."
        )
    crs, areas = in_map_crs(result.cells, o.areas, name="result.cells")
    cells = cells_to_draw(result)
    colours = class_colours(result, cells)
    shapes = _hotspot_areas(result)

    entries, legend_title = _hotspot_legend(result, cells, colours, sensitive=sensitive)
    rule = "hot at 95% or more" if result.shown_method == "gistar" else "top 5% of cells"
    if result.layer == "cells" and shapes:
        entries.append((outline_swatch(INK, linewidth=1.0), f"Hotspot ({rule})"))
    study = study_area(result.cells) if result.layer == "cells" and areas is None else None
    caption = [result.method_statement()]
    candidates = n_candidates(result)
    if len(cells) < candidates:
        caption.append(f"The {len(cells):,} highest-scoring of {candidates:,} cells are drawn "
                       "(as on the interactive map).")
    n_labels = min(label_top, sum(1 for _, c in shapes if c > 0))
    if n_labels:
        caption.append(f"Labels: crimes in each of the {n_labels} largest hotspots.")
    if sensitive:
        caption.append(f"Sensitive crime group: counts of 1–{SMALL_COUNT - 1} are shown as "
                       f"<{SMALL_COUNT} and no crime locations are mapped.")
    name = METHOD_NAMES.get(result.shown_method, result.shown_method)
    if result.method == "auto":
        name = f"auto: {name}"
    page, tiles = open_map(
        union_bounds(areas) or union_bounds(result.cells), crs, basemap=o.basemap, areas=areas,
        study=study, legend=entries, credits=o.credits,
        title=o.title or f"Crime hotspots: {name}", legend_title=legend_title,
        caption=" ".join(caption), dpi=o.dpi,
    )
    draw_classes(page, cells, colours, tiles=tiles, grid=result.layer == "cells")
    hot_union = shapely.union_all([g for g, _ in shapes]) if shapes else None
    if result.layer == "cells" and shapes:
        draw_polygons(page.ax, [g for g, _ in shapes], facecolors="none", edgecolors=INK,
                      linewidth=0.9, zorder=6)
    if len(cells) == 0:
        message(page.ax, "No cells to show: no crimes or no significant cells.")
    placed: list = []
    area_labels(page, areas, o.area_name, sensitive=sensitive, placed=placed, avoid=hot_union)
    _top_labels(page, shapes, label_top, sensitive=sensitive, placed=placed)
    return finish(page)


def hotspot_png(result: HotspotResult, path: str | Path,
                **options: Unpack[MapOptions]) -> Path:
    """Write a print map (PNG) of a hotspot result and return its path.

    Cells (or clusters) are coloured as on the interactive map: Gi* by confidence bin,
    counts and densities in five classes by percentile of the drawn cells (the darkest is
    the top 5%). Touching hotspot cells are outlined together as one hotspot, and the
    ``label_top`` largest hotspots are labelled with their number of crimes.

    Parameters
    ----------
    result : HotspotResult
        From :func:`hotspots.find_hotspots` or any hotspot method. Not changed.
    path : str or Path
        The ``.png`` to write (folders are created; the file is replaced atomically).
    **options
        ``areas``, ``area_name``, ``title`` (default "Crime hotspots: <method>"),
        ``sensitive``, ``label_top``, ``basemap``, ``credits`` and ``dpi``, as described
        in :class:`~hotspots.viz.staticmaps.common.MapStyle`.

    Examples
    --------
    >>> import tempfile
    >>> cells = gpd.GeoDataFrame({"score": [9.0, 1.0], "hotspot": [True, False],
    ...     "count": [9, 1]}, geometry=[shapely.box(0, 0, 100, 100),
    ...     shapely.box(100, 0, 200, 100)], crs="EPSG:27700")
    >>> result = HotspotResult(cells, "count", {"cell_size": 100})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = hotspot_png(result, Path(tmp) / "hot.png", basemap="none", dpi=50)
    ...     path.name, path.stat().st_size > 0
    ('hot.png', True)
    """
    return save_map(hotspot_figure(result, **options), path, options)


# --------------------------------------------------------------------------- no hotspots


def boundary_figure(areas: gpd.GeoDataFrame | gpd.GeoSeries, *, note: str,
                    **options: Unpack[MapOptions]) -> Figure:
    """Return a print map of boundaries only, with ``note`` saying why (e.g. no hotspots).

    Examples
    --------
    >>> areas = gpd.GeoDataFrame({"area_name": ["North"]},
    ...     geometry=[shapely.box(0, 0, 500, 500)], crs="EPSG:27700")
    >>> fig = boundary_figure(areas, note="No crimes in the period.", basemap="none")
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "message"]
    ['No crimes in the period.']
    """
    o = map_style(options, BOUNDARY_KEYS, func="boundary_figure")
    crs, areas = in_map_crs(areas, areas, name="areas")
    page, _ = open_map(union_bounds(areas), crs, basemap=o.basemap, areas=areas, legend=[],
                       legend_title=None, credits=o.credits, title=o.title or "Crime hotspots",
                       caption="", dpi=o.dpi)
    message(page.ax, "\n".join(wrap(note, width_in=4.5, fontsize=10)))
    area_labels(page, areas, o.area_name, sensitive=False, placed=[])
    return finish(page)


def boundary_png(areas: gpd.GeoDataFrame | gpd.GeoSeries, path: str | Path, *, note: str,
                 **options: Unpack[MapOptions]) -> Path:
    """Write a print map (PNG) of boundaries only, with a note; return its path.

    For a report with nothing to map (no crimes, or no hotspots could be found): the
    boundaries frame the map and name the areas, and ``note`` says why it is empty.
    Options (``area_name``, ``title``, ``basemap``, ``credits``, ``dpi``) as in
    :class:`~hotspots.viz.staticmaps.common.MapStyle`.
    """
    return save_map(boundary_figure(areas, note=note, **options), path, options)
