"""Print maps of an evaluation's target, buffer and control areas.

The caption says how the buffer and control were made and which measures will be
reported (relative effect size, weighted displacement quotient, total net effect).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from typing import Unpack

import shapely
from matplotlib.figure import Figure

from hotspots.evaluation.areas import ROLES
from hotspots.evaluation.areas import EvaluationAreas
from hotspots.viz.colours import ROLE_COLOURS
from hotspots.viz.colours import ROLE_EDGES
from hotspots.viz.drawing import draw_polygons
from hotspots.viz.drawing import union_bounds
from hotspots.viz.furniture import label_point
from hotspots.viz.mapframe import INK
from hotspots.viz.mapframe import swatch
from hotspots.viz.staticmaps.common import AREA_KEYS
from hotspots.viz.staticmaps.common import HALO
from hotspots.viz.staticmaps.common import MapOptions
from hotspots.viz.staticmaps.common import area_labels
from hotspots.viz.staticmaps.common import check_type
from hotspots.viz.staticmaps.common import finish
from hotspots.viz.staticmaps.common import in_map_crs
from hotspots.viz.staticmaps.common import map_style
from hotspots.viz.staticmaps.common import open_map
from hotspots.viz.staticmaps.common import save_map

__all__ = ["evaluation_figure", "evaluation_png"]


def evaluation_figure(evaluation_areas: Any, **options: Unpack[MapOptions]) -> Figure:
    """Return the print map of evaluation areas as a Figure (see :func:`evaluation_png`)."""
    check_type(evaluation_areas, EvaluationAreas, name="evaluation_areas",
               func="evaluation_figure", hint="the EvaluationAreas that evaluation_areas returns")
    o = map_style(options, AREA_KEYS, func="evaluation_figure")
    frame = evaluation_areas.frame
    crs, areas = in_map_crs(frame, o.areas, name="evaluation_areas")
    entries = [
        (swatch(ROLE_COLOURS[role], edge=ROLE_EDGES[role]),
         f"{role.capitalize()} ({frame.loc[frame['role'] == role, 'area_km2'].iloc[0]:.2f} km²)")
        for role in ROLES
    ]
    ea = evaluation_areas
    caption = (
        f"Target: where the scheme works. Buffer (for displacement and diffusion of benefits): "
        f"{ea.buffer_rule}. Control (for the background trend): {ea.control_rule}. The areas "
        "do not overlap, so no crime counts twice. Measures: relative effect size (RES) with "
        "its 95% confidence interval, weighted displacement quotient (WDQ) and total net effect."
        + "".join(f" {note}" for note in ea.notes)
    )
    page, tiles = open_map(
        union_bounds(frame), crs, basemap=o.basemap, areas=areas, legend=entries,
        credits=o.credits, title=o.title or "Evaluation areas: target, buffer and control",
        legend_title="Area", caption=caption, dpi=o.dpi, pad=0.08,
    )
    area_labels(page, areas, o.area_name, sensitive=False, placed=[],
                avoid=shapely.union_all([ea.target, ea.buffer]))
    for i, role in enumerate(ROLES[::-1]):  # control under buffer under target
        geom = ea.geometry(role)
        draw_polygons(page.ax, [geom], facecolors=ROLE_COLOURS[role],
                      edgecolors=ROLE_EDGES[role], linewidth=0.9,
                      alpha=0.6 if tiles else 1.0, zorder=3 + i * 0.1)
        point = _role_label_point(ea, role)
        page.ax.text(point.x, point.y, role.capitalize(), ha="center", va="center",
                     fontsize=7.5, fontweight="bold", color=INK, zorder=9, path_effects=HALO,
                     gid="role-label")
    return finish(page)


def _role_label_point(ea: Any, role: str) -> Any:
    """Target and control: their visual centre. Buffer: the middle of the ring above the
    target (a ring's visual centre would sit beside the target's name)."""
    geom = ea.geometry(role)
    if role == "buffer":
        centre = ea.target.centroid
        line = shapely.LineString([(centre.x, ea.target.bounds[3]), (centre.x, geom.bounds[3])])
        above = [p for p in shapely.get_parts(line.intersection(geom)) if p.length > 0]
        if above:
            return max(above, key=lambda p: p.bounds[3]).interpolate(0.5, normalized=True)
    return label_point(geom)


def evaluation_png(evaluation_areas: Any, path: str | Path,
                   **options: Unpack[MapOptions]) -> Path:
    """Write a print map (PNG) of the target, buffer and control areas; return its path.

    The caption says how the buffer and control were made and which measures will be
    reported. Options (``areas``, ``area_name``, ``title``, ``basemap``, ``credits``,
    ``dpi``) as in :class:`~hotspots.viz.staticmaps.common.MapStyle`.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots.evaluation.areas import evaluation_areas
    >>> ea = evaluation_areas(shapely.Point(0, 0).buffer(250),
    ...                       control=shapely.box(1000, 0, 1400, 400))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     evaluation_png(ea, Path(tmp) / "areas.png", basemap="none", dpi=50).name
    'areas.png'
    """
    return save_map(evaluation_figure(evaluation_areas, **options), path, options)

