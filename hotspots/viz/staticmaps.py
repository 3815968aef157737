"""Print-resolution static maps and charts (matplotlib) for reports and bid evidence packs.

Every map is a 7 × 6 inch page (1,400 × 1,200 pixels at the default 200 dpi, fits A4) in
the result's projected CRS (British National Grid for GB data): a title, the map with a
scale bar and a north arrow, a legend, the method statement as a caption, and a credits
line. Colours and classes are those of the interactive maps (:mod:`hotspots.maps`,
:data:`hotspots.compare.CHANGE_COLOURS`, :data:`hotspots.trends.EMERGING_COLOURS`).

Web basemap tiles are drawn only when they can be: with ``basemap="auto"`` (the default) the
contextily package must be installed and the tile server must answer within 2 seconds, else
the map shows boundaries and context only (the normal case offline); nothing can hang and
nothing fails for want of tiles. For sensitive crime groups (``sensitive=True``) no label
shows a count of 1–4 (they read "<5") and no crime location is ever drawn.

Each ``*_png`` function writes a PNG (no timestamps in it, so the same input gives the same
bytes) and returns its path; the matching ``*_figure`` function returns the
:class:`~matplotlib.figure.Figure` to inspect or embed. No pyplot state is used (Agg only).
Texts drawn on a map carry a ``gid`` saying what they are, for tests and post-processing:
``"hotspot-label"``, ``"area-label"``, ``"role-label"``, ``"intervention-label"``,
``"scale-bar"``, ``"north-arrow"`` and ``"message"`` (an empty map's explanation).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from hotspots.analysis.change import (
    CHANGE_CLASSES,
    LARGE_CHANGE_SHARE,
    NO_CHANGE_SHARE,
    PeriodComparison,
)
from hotspots.errors import ParameterError
from hotspots.methods.patterns import PATTERNS
from hotspots.privacy import SMALL_COUNT, SUPPRESSED, is_small
from hotspots.result import HotspotResult
from hotspots.viz.charts import (
    CHART_CREDITS,
    categories_figure,
    categories_png,
    seasonality_figure,
    seasonality_png,
    trend_figure,
    trend_png,
)
from hotspots.viz.colours import (
    CHANGE_COLOURS,
    EMERGING_COLOURS,
    GI_COLOURS,
    PLAN_COLOURS,
    ROLE_COLOURS,
    ROLE_EDGES,
    SEQUENTIAL,
)
from hotspots.viz.mapframe import (
    AREA_EDGE,
    BASEMAPS,
    DEFAULT_CREDITS,
    DEFAULT_DPI,
    INK,
    LAND,
    MAP_SIZE,
    MUTED,
    MapPage,
    add_tiles,
    dissolve_parts,
    draw_lines,
    draw_polygons,
    extent_of,
    label,
    label_point,
    map_crs,
    map_page,
    message,
    north_arrow,
    outline_swatch,
    save_png,
    scale_bar,
    swatch,
    to_map_crs,
    union_bounds,
    want_tiles,
)
from hotspots.viz.webmaps import _cells_to_draw, _colour_column

__all__ = [
    "hotspot_png",
    "hotspot_figure",
    "change_png",
    "change_figure",
    "plan_png",
    "plan_figure",
    "evaluation_png",
    "evaluation_figure",
    "emerging_png",
    "emerging_figure",
    "trend_png",
    "trend_figure",
    "seasonality_png",
    "seasonality_figure",
    "categories_png",
    "categories_figure",
    "suppressed",
    "BASEMAPS",
    "DEFAULT_CREDITS",
    "CHART_CREDITS",
    "DEFAULT_DPI",
    "MAP_SIZE",
    "LABEL_TOP",
]

#: How many hotspots get a label with their crime count (the largest by count).
LABEL_TOP = 5
#: Areas are named on the map only when there are at most this many (else it is clutter).
MAX_AREA_LABELS = 25
#: Interventions are named on the plan map only when there are at most this many.
MAX_PLAN_LABELS = 25
#: Fill and edge of hotspots drawn under a plan: a pale red, so that the coverage colours
#: drawn over it stay recognisable.
HOT_FILL = "#fee0d2"
_HOT_EDGE = "#de2d26"
_METHOD_NAMES = {
    "gistar": "Getis-Ord Gi* hot and cold spots",
    "kde": "kernel density",
    "count": "crimes per grid cell",
    "dbscan": "DBSCAN clusters",
    "hdbscan": "HDBSCAN clusters",
}
_HOT_RULES = {
    "gistar": "Gi*, hot at 95% or more",
    "kde": "top 5% of cells by density",
    "count": "top 5% of cells by count",
    "dbscan": "DBSCAN cluster",
    "hdbscan": "HDBSCAN cluster",
}
_COUNTED = ("count", "dbscan", "hdbscan")  # methods whose score is a number of crimes
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


# --------------------------------------------------------------------------- helpers


def suppressed(value: float, *, sensitive: bool) -> str:
    """A count as printed on a map: ``"<5"`` for 1–4 when ``sensitive``, else with commas.

    Examples
    --------
    >>> suppressed(3, sensitive=True), suppressed(3, sensitive=False), suppressed(1234.0,
    ...     sensitive=True)
    ('<5', '3', '1,234')
    """
    if sensitive and is_small(value):
        return SUPPRESSED
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def _check_type(value: Any, kind: type, *, name: str, func: str, hint: str) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"'{name}' of {func} should be {hint}, got {type(value)}")


def _check_bool(value: Any, *, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"The '{name}' parameter must be True or False, got {value!r}.")
    return bool(value)


def _credits(credits: str | None) -> str:
    return DEFAULT_CREDITS if credits is None else str(credits)


def _context_legend(areas: gpd.GeoDataFrame | None, study: Any) -> list:
    """Legend entries for what :func:`_context` will draw."""
    if areas is not None and len(areas):
        return [(outline_swatch(AREA_EDGE, linewidth=0.8), "Area boundaries")]
    if study is not None and not shapely.is_empty(study):
        return [(outline_swatch(AREA_EDGE, linewidth=0.8, linestyle="dashed"),
                 "Study area (cells analysed)")]
    return []


def _context(page: MapPage, areas: gpd.GeoDataFrame | None, study: Any, tiles: bool) -> None:
    """Land fill (when there are no tiles) and boundaries under and over the data."""
    if areas is not None and len(areas):
        geoms = areas.geometry.to_numpy()
        if not tiles:
            draw_polygons(page.ax, geoms, facecolors=LAND, zorder=1)
        draw_polygons(page.ax, geoms, facecolors="none", edgecolors=AREA_EDGE,
                      linewidth=0.6, zorder=5)
    elif study is not None and not shapely.is_empty(study):
        if not tiles:
            draw_polygons(page.ax, [study], facecolors=LAND, zorder=1)
        draw_polygons(page.ax, [study], facecolors="none", edgecolors=AREA_EDGE,
                      linewidth=0.6, zorder=5, linestyle="dashed")


def _area_labels(
    page: MapPage, areas: gpd.GeoDataFrame | None, area_name: str, *, sensitive: bool,
    placed: list, avoid: Any = None,
) -> None:
    """Name the areas (when few enough) away from ``avoid``; their boxes go into ``placed``."""
    if areas is None or not len(areas) or area_name not in areas or len(areas) > MAX_AREA_LABELS:
        return
    counts = areas["count"].to_numpy() if "count" in areas else None
    clearance = 0.03 * page.width_m
    x0, y0, x1, y1 = page.extent
    view = shapely.box(x0 + 0.04 * page.width_m, y0 + 0.04 * page.height_m,
                       x1 - 0.04 * page.width_m, y1 - 0.04 * page.height_m)
    for i, (name, geom) in enumerate(zip(areas[area_name].astype(str),
                                         areas.geometry.to_numpy(), strict=True)):
        shown = geom.intersection(view)
        if shown.is_empty or shown.area < 0.25 * geom.area:
            continue  # mostly outside the map: no name
        point = label_point(shown, avoid=avoid, clearance=clearance)
        text = name if counts is None else f"{name}\n{suppressed(counts[i], sensitive=sensitive)}"
        artist = page.ax.text(point.x, point.y, text, ha="center", va="center", fontsize=5.8,
                              color=MUTED, style="italic", zorder=8, path_effects=_HALO,
                              gid="area-label")
        placed.append(extent_of(artist, page.fig))


def _finish(page: MapPage) -> Figure:
    scale_bar(page)
    north_arrow(page)
    return page.fig


def _study_area(cells: gpd.GeoDataFrame) -> Any:
    if len(cells) == 0:
        return shapely.Polygon()
    return shapely.coverage_union_all(cells.geometry.to_numpy())


def _draw_classes(page: MapPage, frame: gpd.GeoDataFrame, colours: Sequence[str], *,
                  tiles: bool, grid: bool) -> None:
    """Fill polygons by class colour. Grid cells of one colour are merged first, so that
    no seams show between cells and the file stays small."""
    if len(frame) == 0:
        return
    alpha = 0.72 if tiles else 1.0
    geoms = frame.geometry.to_numpy()
    colours = list(colours)
    if not grid:
        draw_polygons(page.ax, geoms, facecolors=colours, edgecolors=_HOT_EDGE,
                      linewidth=0.5, alpha=alpha, zorder=3)
        return
    merged, fills = [], []
    for colour in dict.fromkeys(colours):
        mine = np.array([c == colour for c in colours])
        merged.append(shapely.coverage_union_all(geoms[mine]))
        fills.append(colour)
    draw_polygons(page.ax, merged, facecolors=fills, edgecolors="none" if tiles else fills,
                  linewidth=0.0 if tiles else 0.3, alpha=alpha, zorder=3)


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


def _n_candidates(result: HotspotResult) -> int:
    """How many cells :func:`hotspots.maps._cells_to_draw` would draw without its cap."""
    cells = result.cells
    if result.method == "gistar" and "gi_bin" in cells:
        return int((cells["gi_bin"] != 0).sum())
    if result.layer == "cells" and len(cells):
        return int((cells["score"] > 0).sum())
    return len(cells)


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
    if result.method == "gistar" and "gi_bin" in cells:
        names = {3: "Hot spot (99%)", 2: "Hot spot (95%)", 1: "Hot spot (90%)",
                 -1: "Cold spot (90%)", -2: "Cold spot (95%)", -3: "Cold spot (99%)"}
        entries = [(swatch(GI_COLOURS[b]), names[b]) for b in (3, 2, 1, -1, -2, -3)]
        return entries, "Gi* hot and cold spots (confidence)"
    what = {"count": "Crimes per cell"}.get(result.method, "Crimes")
    if result.method == "kde":
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


# --------------------------------------------------------------------------- hotspots


def hotspot_figure(
    result: HotspotResult,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    sensitive: bool = False,
    basemap: str | None = "auto",
    credits: str | None = None,
    label_top: int = LABEL_TOP,
    dpi: float = DEFAULT_DPI,
) -> Figure:
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
    _check_type(result, HotspotResult, name="result", func=func,
                hint="a HotspotResult (from find_hotspots and the hotspot methods)")
    sensitive = _check_bool(sensitive, name="sensitive")
    if isinstance(label_top, bool) or not isinstance(label_top, int | np.integer) or label_top < 0:
        raise ParameterError(
            f"The 'label_top' parameter of {func} must be a whole number >= 0, got {label_top!r}."
        )
    crs = map_crs(result.cells, name="result.cells")
    areas = to_map_crs(areas, crs, name="areas")
    cells = _cells_to_draw(result)
    colours = _colour_column(result, cells)
    shapes = _hotspot_areas(result)
    tiles = want_tiles(basemap)

    entries, legend_title = _hotspot_legend(result, cells, colours, sensitive=sensitive)
    rule = "hot at 95% or more" if result.method == "gistar" else "top 5% of cells"
    if result.layer == "cells" and shapes:
        entries.append((outline_swatch(INK, linewidth=1.0), f"Hotspot ({rule})"))
    study = _study_area(result.cells) if result.layer == "cells" and areas is None else None
    entries += _context_legend(areas, study)
    caption = [result.method_statement()]
    candidates = _n_candidates(result)
    if len(cells) < candidates:
        caption.append(f"The {len(cells):,} highest-scoring of {candidates:,} cells are drawn "
                       "(as on the interactive map).")
    n_labels = min(label_top, sum(1 for _, c in shapes if c > 0))
    if n_labels:
        caption.append(f"Labels: crimes in each of the {n_labels} largest hotspots.")
    if sensitive:
        caption.append(f"Sensitive crime group: counts of 1–{SMALL_COUNT - 1} are shown as "
                       f"<{SMALL_COUNT} and no crime locations are mapped.")
    name = _METHOD_NAMES.get(result.method, result.method)
    page = map_page(
        union_bounds(areas) or union_bounds(result.cells), title=title or f"Crime hotspots: {name}",
        legend=entries, legend_title=legend_title, caption=" ".join(caption),
        credits=_credits(credits), dpi=dpi,
    )
    tiles = tiles and add_tiles(page, crs)
    _context(page, areas, study, tiles)
    _draw_classes(page, cells, colours, tiles=tiles, grid=result.layer == "cells")
    hot_union = shapely.union_all([g for g, _ in shapes]) if shapes else None
    if result.layer == "cells" and shapes:
        draw_polygons(page.ax, [g for g, _ in shapes], facecolors="none", edgecolors=INK,
                      linewidth=0.9, zorder=6)
    if len(cells) == 0:
        message(page.ax, "No cells to show: no crimes or no significant cells.")
    placed: list = []
    _area_labels(page, areas, area_name, sensitive=sensitive, placed=placed, avoid=hot_union)
    _top_labels(page, shapes, label_top, sensitive=sensitive, placed=placed)
    return _finish(page)


def hotspot_png(
    result: HotspotResult,
    path: str | Path,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    sensitive: bool = False,
    dpi: float = DEFAULT_DPI,
    basemap: str | None = "auto",
    credits: str | None = None,
    label_top: int = LABEL_TOP,
) -> Path:
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
    areas : GeoDataFrame or GeoSeries, optional
        Boundaries drawn for context (any CRS; reprojected to the result's). They frame
        the map; without them the map is framed on the study area's cells. With an
        ``area_name`` column and at most 25 areas, the areas are named; with a ``count``
        column (e.g. :func:`hotspots.area_summary`) their counts are shown too.
    area_name : str, default "area_name"
        Column of ``areas`` with the names.
    title : str, optional
        Default "Crime hotspots: <method>".
    sensitive : bool, default False
        For sensitive crime groups (VAWG, domestic abuse): counts of 1–4 in labels and
        legend read "<5", and the caption says so. No crime points are ever drawn.
    dpi : float, default 200
        Resolution; the page is 7 × 6 inches (1,400 × 1,200 pixels at 200 dpi).
    basemap : {"auto", "none"}, default "auto"
        "auto" draws OpenStreetMap tiles only if contextily is installed and the tile
        server answers within 2 s; otherwise (and with "none") boundaries only.
    credits : str, optional
        Data credits line; default :data:`DEFAULT_CREDITS` (police.uk and ONS, OGL v3.0).
    label_top : int, default 5
        How many hotspots to label with their crime count (0 for none).

    Returns
    -------
    Path

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
    fig = hotspot_figure(result, areas=areas, area_name=area_name, title=title,
                         sensitive=sensitive, basemap=basemap, credits=credits,
                         label_top=label_top, dpi=dpi)
    return save_png(fig, path, dpi=dpi)


# --------------------------------------------------------------------------- change


def change_figure(
    comparison: PeriodComparison,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    basemap: str | None = "auto",
    credits: str | None = None,
    sensitive: bool = False,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """Return the print map of a period comparison as a Figure (see :func:`change_png`)."""
    _check_type(comparison, PeriodComparison, name="comparison", func="change_figure",
                hint="the PeriodComparison that compare_periods returns")
    cells = comparison.cells
    crs = map_crs(cells, name="comparison.cells")
    areas = to_map_crs(areas, crs, name="areas")
    drawn = cells[cells["change_class"] != CHANGE_CLASSES[2]]
    tiles = want_tiles(basemap)
    entries = []
    for cls in CHANGE_CLASSES[::-1]:
        n = int((drawn["change_class"] == cls).sum())
        text = cls.capitalize() + (" (not coloured)" if cls == CHANGE_CLASSES[2] else
                                   f" ({n:,} cells)")
        entries.append((swatch(CHANGE_COLOURS[cls]), text))
    study = _study_area(cells) if areas is None else None
    entries += _context_legend(areas, study)
    p = comparison.params
    unit = comparison.summary.get("change_units", "crimes per cell per month")
    how = (f"quartic kernel density (bandwidth {p['bandwidth']:.0f} m) on "
           if comparison.method == "kde" and "bandwidth" in p else "crimes counted on ")
    sensitive = _check_bool(sensitive, name="sensitive")
    totals = [comparison.summary.get("total_before", 0), comparison.summary.get("total_after", 0)]
    sentences = list(comparison.sentences[:2])
    if sensitive and any(is_small(t) for t in totals):
        sentences = [f"A period has fewer than {SMALL_COUNT} crimes, so the totals are not shown "
                     "(sensitive crime group)."]
    caption = " ".join(sentences + [
        f"Change is the after rate minus the before rate, in {unit}, from {how}"
        f"{p.get('cell_size', 0):g} m grid cells. Within {NO_CHANGE_SHARE:.0%} of the largest "
        f"absolute change counts as little or no change; beyond {LARGE_CHANGE_SHARE:.0%} as "
        "large (a display convention, not a significance test).",
    ])
    page = map_page(
        union_bounds(areas) or union_bounds(cells),
        title=title or "Change in crime between two periods",
        subtitle=f"Before: {p.get('before', '')} ({p.get('months_before', '?')} months)   ·   "
                 f"After: {p.get('after', '')} ({p.get('months_after', '?')} months)",
        legend=entries, legend_title=f"Change in {unit}", caption=caption,
        credits=_credits(credits), dpi=dpi,
    )
    tiles = tiles and add_tiles(page, crs)
    _context(page, areas, study, tiles)
    _draw_classes(page, drawn, drawn["change_class"].map(CHANGE_COLOURS).tolist(), tiles=tiles,
                  grid=True)
    if len(drawn) == 0:
        message(page.ax, "Little or no change anywhere.")
    _area_labels(page, areas, area_name, sensitive=sensitive, placed=[])
    return _finish(page)


def change_png(
    comparison: PeriodComparison,
    path: str | Path,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    sensitive: bool = False,
    dpi: float = DEFAULT_DPI,
    basemap: str | None = "auto",
    credits: str | None = None,
) -> Path:
    """Write a print map (PNG) of the change between two periods; return its path.

    Cells are coloured by ``change_class`` with :data:`hotspots.compare.CHANGE_COLOURS`
    (blue for less crime, red for more; "little or no change" is not coloured). The
    caption gives the totals, the cells that became or stopped being hotspots, and the
    class rule; with ``sensitive``, totals under 5 are not printed and area counts read
    "<5". Options as in :func:`hotspot_png`.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots.analysis.change import compare_periods
    >>> crimes = gpd.GeoDataFrame(
    ...     {"month": pd.to_datetime(["2024-01-01"] + ["2024-02-01"] * 3)},
    ...     geometry=gpd.points_from_xy([50, 150, 150, 150], [50] * 4), crs="EPSG:27700")
    >>> comp = compare_periods(crimes, before=("2024-01", "2024-01"),
    ...                        after=("2024-02", "2024-02"), cell_size=100)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     change_png(comp, Path(tmp) / "change.png", basemap="none", dpi=50).suffix
    '.png'
    """
    fig = change_figure(comparison, areas=areas, area_name=area_name, title=title,
                        basemap=basemap, credits=credits, sensitive=sensitive, dpi=dpi)
    return save_png(fig, path, dpi=dpi)


# --------------------------------------------------------------------------- emerging


def emerging_figure(
    result: HotspotResult,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    basemap: str | None = "auto",
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """Return the print map of emerging hot spots as a Figure (see :func:`emerging_png`)."""
    _check_type(result, HotspotResult, name="result", func="emerging_figure",
                hint="the EmergingResult that emerging_hotspots returns")
    if "pattern_code" not in result.cells:
        raise ParameterError(
            "emerging_figure needs the result of emerging_hotspots (cells with a "
            f"'pattern_code' column); got a {result.method!r} result. Use hotspot_png for it."
        )
    cells = result.cells
    crs = map_crs(cells, name="result.cells")
    areas = to_map_crs(areas, crs, name="areas")
    codes = cells["pattern_code"].astype(int)
    drawn = cells[codes.to_numpy() != 0]
    present = sorted(set(codes[codes != 0]), key=lambda c: (c < 0, abs(c)))
    entries = [(swatch(EMERGING_COLOURS[c]), f"{PATTERNS[c]} ({int((codes == c).sum()):,} cells)")
               for c in present]
    study = _study_area(cells) if areas is None else None
    entries += _context_legend(areas, study)
    p = result.params
    subtitle = None
    if {"first_step", "last_step", "n_steps", "step"} <= set(p):
        subtitle = f"{p['n_steps']} {p['step']}s, {p['first_step']} to {p['last_step']}"
    tiles = want_tiles(basemap)
    page = map_page(
        union_bounds(areas) or union_bounds(cells), title=title or "Emerging hot spots",
        subtitle=subtitle, legend=entries, legend_title="Pattern",
        caption=result.method_statement(), credits=_credits(credits), dpi=dpi,
    )
    tiles = tiles and add_tiles(page, crs)
    _context(page, areas, study, tiles)
    _draw_classes(page, drawn, drawn["pattern_code"].astype(int).map(EMERGING_COLOURS).tolist(),
                  tiles=tiles, grid=True)
    if len(drawn) == 0:
        message(page.ax, "No emerging hot or cold spot pattern found.")
    hot = shapely.union_all(drawn.geometry.to_numpy()) if len(drawn) else None
    _area_labels(page, areas, area_name, sensitive=False, placed=[], avoid=hot)
    return _finish(page)


def emerging_png(
    result: HotspotResult,
    path: str | Path,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    dpi: float = DEFAULT_DPI,
    basemap: str | None = "auto",
    credits: str | None = None,
) -> Path:
    """Write a print map (PNG) of emerging hot and cold spots; return its path.

    Cells with a pattern are coloured with :data:`hotspots.trends.EMERGING_COLOURS`; the
    legend lists the patterns present with their number of cells. Options as in
    :func:`hotspot_png`.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots.methods.emerging import emerging_hotspots
    >>> months = pd.date_range("2024-01-01", periods=12, freq="MS").repeat(3)
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy(np.tile([50, 150, 250], 12), [50] * 36),
    ...     crs="EPSG:27700")
    >>> res = emerging_hotspots(crimes, cell_size=100)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     emerging_png(res, Path(tmp) / "emerging.png", basemap="none", dpi=50).name
    'emerging.png'
    """
    fig = emerging_figure(result, areas=areas, area_name=area_name, title=title,
                          basemap=basemap, credits=credits, dpi=dpi)
    return save_png(fig, path, dpi=dpi)


# --------------------------------------------------------------------------- evaluation


def evaluation_figure(
    evaluation_areas: Any,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    basemap: str | None = "auto",
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """Return the print map of evaluation areas as a Figure (see :func:`evaluation_png`)."""
    from hotspots.evaluation.areas import ROLES, EvaluationAreas

    _check_type(evaluation_areas, EvaluationAreas, name="evaluation_areas",
                func="evaluation_figure", hint="the EvaluationAreas that evaluation_areas returns")
    frame = evaluation_areas.frame
    crs = map_crs(frame, name="evaluation_areas")
    areas = to_map_crs(areas, crs, name="areas")
    tiles = want_tiles(basemap)
    entries = [
        (swatch(ROLE_COLOURS[role], edge=ROLE_EDGES[role]),
         f"{role.capitalize()} ({frame.loc[frame['role'] == role, 'area_km2'].iloc[0]:.2f} km²)")
        for role in ROLES
    ]
    entries += _context_legend(areas, None)
    ea = evaluation_areas
    caption = (
        f"Target: where the scheme works. Buffer (for displacement and diffusion of benefits): "
        f"{ea.buffer_rule}. Control (for the background trend): {ea.control_rule}. The areas "
        "do not overlap, so no crime counts twice. Measures: relative effect size (RES) with "
        "its 95% confidence interval, weighted displacement quotient (WDQ) and total net effect."
        + "".join(f" {note}" for note in ea.notes)
    )
    page = map_page(
        union_bounds(frame), title=title or "Evaluation areas: target, buffer and control",
        legend=entries, legend_title="Area", caption=caption, credits=_credits(credits),
        dpi=dpi, pad=0.08,
    )
    tiles = tiles and add_tiles(page, crs)
    _context(page, areas, None, tiles)
    _area_labels(page, areas, area_name, sensitive=False, placed=[],
                 avoid=shapely.union_all([ea.target, ea.buffer]))
    for i, role in enumerate(ROLES[::-1]):  # control under buffer under target
        geom = ea.geometry(role)
        draw_polygons(page.ax, [geom], facecolors=ROLE_COLOURS[role],
                      edgecolors=ROLE_EDGES[role], linewidth=0.9,
                      alpha=0.6 if tiles else 1.0, zorder=3 + i * 0.1)
        point = _role_label_point(ea, role)
        page.ax.text(point.x, point.y, role.capitalize(), ha="center", va="center",
                     fontsize=7.5, fontweight="bold", color=INK, zorder=9, path_effects=_HALO,
                     gid="role-label")
    return _finish(page)


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


def evaluation_png(
    evaluation_areas: Any,
    path: str | Path,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str = "area_name",
    title: str | None = None,
    dpi: float = DEFAULT_DPI,
    basemap: str | None = "auto",
    credits: str | None = None,
) -> Path:
    """Write a print map (PNG) of the target, buffer and control areas; return its path.

    The caption says how the buffer and control were made and which measures will be
    reported. Options as in :func:`hotspot_png`.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots.evaluation.before_after import evaluation_areas
    >>> ea = evaluation_areas(shapely.Point(0, 0).buffer(250),
    ...                       control=shapely.box(1000, 0, 1400, 400))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     evaluation_png(ea, Path(tmp) / "areas.png", basemap="none", dpi=50).name
    'areas.png'
    """
    fig = evaluation_figure(evaluation_areas, areas=areas, area_name=area_name, title=title,
                            basemap=basemap, credits=credits, dpi=dpi)
    return save_png(fig, path, dpi=dpi)


# --------------------------------------------------------------------------- plan


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


def plan_figure(
    interventions: gpd.GeoDataFrame | None,
    coverage: gpd.GeoDataFrame | None,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    hotspots: HotspotResult | gpd.GeoDataFrame | None = None,
    title: str | None = None,
    basemap: str | None = "auto",
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """Return the print map of an intervention plan as a Figure (see :func:`plan_png`)."""
    frames = [f for f in (coverage, interventions) if f is not None]
    if isinstance(hotspots, HotspotResult):
        hot_cells = hotspots.cells
    elif hotspots is None or isinstance(hotspots, gpd.GeoDataFrame):
        hot_cells = hotspots
    else:
        raise TypeError(f"'hotspots' of plan_figure should be a HotspotResult or GeoDataFrame, "
                        f"got {type(hotspots)}")
    first = next((f for f in (*frames, hot_cells) if f is not None), None)
    crs = map_crs(first, name="coverage") if first is not None else "EPSG:27700"
    drawn = to_map_crs(interventions, crs, name="interventions")
    cover = to_map_crs(coverage, crs, name="coverage")
    areas = to_map_crs(areas, crs, name="areas")
    hot = to_map_crs(hot_cells, crs, name="hotspots")
    if hot is not None and "hotspot" in hot:
        hot = hot[hot["hotspot"].astype(bool).to_numpy()]
    colours = _type_colours(cover, drawn)
    labels = _type_labels(drawn, cover)
    entries = [(swatch(colours[t], edge=colours[t], alpha=0.45), labels.get(t, t))
               for t in colours]
    if hot is not None and len(hot):
        method = (f" ({_HOT_RULES.get(hotspots.method, hotspots.method)})"
                  if isinstance(hotspots, HotspotResult) else "")
        entries.append((swatch(HOT_FILL, edge=_HOT_EDGE, hatch="////"), f"Hotspot{method}"))
    entries += _context_legend(areas, None)
    bounds = union_bounds(cover, drawn)
    pad, min_size = 0.5, 800.0
    if bounds is None:
        bounds, pad, min_size = union_bounds(hot) or union_bounds(areas), 0.04, 200.0
    tiles = want_tiles(basemap)
    page = map_page(bounds, title=title or "Intervention plan", legend=entries,
                    legend_title="Interventions", caption=_plan_caption(drawn, cover, labels,
                                                                          hotspots),
                    credits=_credits(credits), dpi=dpi, pad=pad, min_size=min_size)
    tiles = tiles and add_tiles(page, crs)
    _context(page, areas, None, tiles)
    if hot is not None and len(hot):
        draw_polygons(page.ax, dissolve_parts(hot.geometry.to_numpy()), facecolors=HOT_FILL,
                      edgecolors=_HOT_EDGE, linewidth=0.8, alpha=0.8 if tiles else 1.0,
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
    return _finish(page)


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


def plan_png(
    interventions: gpd.GeoDataFrame | None,
    coverage: gpd.GeoDataFrame | None,
    path: str | Path,
    *,
    areas: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    hotspots: HotspotResult | gpd.GeoDataFrame | None = None,
    title: str | None = None,
    dpi: float = DEFAULT_DPI,
    basemap: str | None = "auto",
    credits: str | None = None,
) -> Path:
    """Write a print map (PNG) of an intervention plan and its coverage; return its path.

    Parameters
    ----------
    interventions, coverage : GeoDataFrame or None
        From :func:`hotspots.interventions.interventions_frame` with ``geometry="drawn"``
        (cameras as points, lit streets as lines, gated alleys as polygons) and
        ``geometry="coverage"``. Coverage is filled in one colour per intervention type,
        the drawn geometry on top, each named when there are at most 25. An empty plan
        gives a map that says so.
    path : str or Path
        The ``.png`` to write.
    areas : GeoDataFrame or GeoSeries, optional
        Boundaries for context. The map is framed on the plan, not on the areas.
    hotspots : HotspotResult or GeoDataFrame, optional
        Hotspots drawn under the plan (cells flagged ``hotspot``), to show what it covers.
    title, dpi, basemap, credits
        As in :func:`hotspot_png`.

    Returns
    -------
    Path

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
    fig = plan_figure(interventions, coverage, areas=areas, hotspots=hotspots, title=title,
                      basemap=basemap, credits=credits, dpi=dpi)
    return save_png(fig, path, dpi=dpi)

