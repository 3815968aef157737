"""What every print map shares: inputs in the map's CRS, the page with its context, labels.

:func:`open_map` lays out a page (title, legend, caption, credits), draws web tiles when
wanted and reachable, and the boundaries for context; :func:`finish` adds the scale bar and
north arrow. Counts are printed through :func:`suppressed`, so that for sensitive crime
groups no label shows a count of 1-4.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import TypedDict

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from hotspots.errors import ParameterError
from hotspots.privacy import SUPPRESSED
from hotspots.privacy import is_small
from hotspots.viz.basemap import add_tiles
from hotspots.viz.basemap import want_tiles
from hotspots.viz.drawing import draw_polygons
from hotspots.viz.drawing import map_crs
from hotspots.viz.drawing import to_map_crs
from hotspots.viz.drawing import union_bounds
from hotspots.viz.furniture import extent_of
from hotspots.viz.furniture import label_point
from hotspots.viz.furniture import north_arrow
from hotspots.viz.furniture import scale_bar
from hotspots.viz.mapframe import AREA_EDGE
from hotspots.viz.mapframe import DEFAULT_CREDITS
from hotspots.viz.mapframe import DEFAULT_DPI
from hotspots.viz.mapframe import LAND
from hotspots.viz.mapframe import MUTED
from hotspots.viz.mapframe import MapPage
from hotspots.viz.mapframe import map_page
from hotspots.viz.mapframe import message
from hotspots.viz.mapframe import outline_swatch
from hotspots.viz.mapframe import save_png

__all__ = [
    "LABEL_TOP",
    "MapOptions",
    "PAGE_KEYS",
    "AREA_KEYS",
    "HOTSPOT_KEYS",
    "CHANGE_KEYS",
    "PLAN_KEYS",
    "BOUNDARY_KEYS",
    "MapStyle",
    "map_style",
    "save_map",
    "MAX_AREA_LABELS",
    "HOT_FILL",
    "HOT_EDGE",
    "HALO",
    "suppressed",
    "check_type",
    "check_bool",
    "credits_line",
    "in_map_crs",
    "context_legend",
    "draw_context",
    "open_map",
    "area_labels",
    "finish",
    "study_area",
    "draw_classes",
    "cell_map",
]

#: How many hotspots get a label with their crime count (the largest by count).
LABEL_TOP = 5
#: Areas are named on the map only when there are at most this many (else it is clutter).
MAX_AREA_LABELS = 25
#: Fill and edge of hotspots drawn under a plan: a pale red, so that the coverage colours
#: drawn over it stay recognisable.
HOT_FILL = "#fee0d2"
HOT_EDGE = "#de2d26"
#: A white halo that keeps text readable over any fill.
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


# --------------------------------------------------------------------------- options


class MapOptions(TypedDict, total=False):
    """The keywords of the print maps (see :class:`MapStyle`); each map takes some of them,
    listed in its ``*_KEYS`` tuple here."""

    areas: gpd.GeoDataFrame | gpd.GeoSeries | None
    area_name: str
    title: str | None
    basemap: str | None
    credits: str | None
    dpi: float
    sensitive: bool
    label_top: int
    hotspots: Any


#: Keywords of every map, and of each kind of map.
PAGE_KEYS = ("title", "basemap", "credits", "dpi")
AREA_KEYS = ("areas", "area_name", *PAGE_KEYS)
HOTSPOT_KEYS = (*AREA_KEYS, "sensitive", "label_top")
CHANGE_KEYS = (*AREA_KEYS, "sensitive")
PLAN_KEYS = ("areas", "hotspots", *PAGE_KEYS)
BOUNDARY_KEYS = ("area_name", *PAGE_KEYS)


@dataclass(frozen=True)
class MapStyle:
    """Every keyword a print map takes, with its default; each map takes some of them.

    Attributes
    ----------
    areas : GeoDataFrame or GeoSeries, optional
        Boundaries drawn for context (any CRS; reprojected to the map's). They frame the
        map (the plan map is framed on the plan); without them the map is framed on the
        study area's cells. With an ``area_name`` column and at most 25 areas, the areas
        are named; with a ``count`` column (e.g. :func:`hotspots.area_summary`) their
        counts are shown too.
    area_name : str, default "area_name"
        Column of ``areas`` with the names.
    title : str, optional
        The map's title (each map has a default).
    basemap : {"auto", "none"}, default "auto"
        "auto" draws OpenStreetMap tiles only if contextily is installed and the tile
        server answers within 2 s; otherwise (and with "none") boundaries only.
    credits : str, optional
        Data credits line; default :data:`DEFAULT_CREDITS` (police.uk and ONS, OGL v3.0).
    dpi : float, default 200
        Resolution; the page is 7 × 6 inches (1,400 × 1,200 pixels at 200 dpi).
    sensitive : bool, default False
        For sensitive crime groups (VAWG, domestic abuse): counts of 1–4 in labels and
        legend read "<5", and the caption says so. No crime points are ever drawn.
    label_top : int, default 5
        How many hotspots to label with their crime count (0 for none).
    hotspots : HotspotResult or GeoDataFrame, optional
        Hotspots drawn under a plan (cells flagged ``hotspot``), to show what it covers.
    """

    areas: Any = None
    area_name: str = "area_name"
    title: str | None = None
    basemap: str | None = "auto"
    credits: str | None = None
    dpi: float = DEFAULT_DPI
    sensitive: Any = False
    label_top: Any = LABEL_TOP
    hotspots: Any = None


def map_style(options: Mapping[str, Any], keys: Sequence[str], *, func: str) -> MapStyle:
    """The :class:`MapStyle` of ``options``, which may hold only the given ``keys``.

    Examples
    --------
    >>> map_style({"dpi": 100}, PAGE_KEYS, func="f").basemap
    'auto'
    >>> try:
    ...     map_style({"sensitive": True}, PAGE_KEYS, func="f")
    ... except TypeError as exc:
    ...     print(str(exc).split(";")[0])
    f() got an unexpected keyword argument 'sensitive'
    """
    allowed = set(keys)
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise TypeError(f"{func}() got an unexpected keyword argument "
                        f"{', '.join(map(repr, unknown))}; its options are "
                        f"{', '.join(sorted(allowed))}")
    return MapStyle(**options)


def save_map(fig: Figure, path: str | Path, options: Mapping[str, Any]) -> Path:
    """Write a map's figure as a PNG at the ``dpi`` of its ``options``; return the path."""
    return save_png(fig, path, dpi=options.get("dpi", DEFAULT_DPI))


# --------------------------------------------------------------------------- drawing


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


def check_type(value: Any, kind: type, *, name: str, func: str, hint: str) -> None:
    """Raise TypeError naming ``name`` of ``func`` unless ``value`` is a ``kind``."""
    if not isinstance(value, kind):
        raise TypeError(f"'{name}' of {func} should be {hint}, got {type(value)}")


def check_bool(value: Any, *, name: str) -> bool:
    """``value`` as a bool, or a ParameterError naming ``name`` unless it is True or False."""
    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"The '{name}' parameter must be True or False, got {value!r}.")
    return bool(value)


def credits_line(credits: str | None) -> str:
    """The credits printed under a map: ``credits``, or :data:`DEFAULT_CREDITS`."""
    return DEFAULT_CREDITS if credits is None else str(credits)


def in_map_crs(frame: gpd.GeoDataFrame, areas: Any, *, name: str) -> tuple[Any, Any]:
    """The CRS a map of ``frame`` is drawn in (projected), and ``areas`` reprojected to it."""
    crs = map_crs(frame, name=name)
    return crs, to_map_crs(areas, crs, name="areas")


def context_legend(areas: gpd.GeoDataFrame | None, study: Any) -> list:
    """Legend entries for what :func:`draw_context` will draw."""
    if areas is not None and len(areas):
        return [(outline_swatch(AREA_EDGE, linewidth=0.8), "Area boundaries")]
    if study is not None and not shapely.is_empty(study):
        return [(outline_swatch(AREA_EDGE, linewidth=0.8, linestyle="dashed"),
                 "Study area (cells analysed)")]
    return []


def draw_context(page: MapPage, areas: gpd.GeoDataFrame | None, study: Any, tiles: bool) -> None:
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


def open_map(
    bounds: Sequence[float] | None,
    crs: Any,
    *,
    basemap: str | None,
    areas: gpd.GeoDataFrame | None,
    study: Any = None,
    legend: list[tuple[Artist, str]],
    credits: str | None,
    **layout: Any,
) -> tuple[MapPage, bool]:
    """Lay out a map page with the legend (context entries appended), then draw web tiles
    when wanted and reachable, and the context (land, boundaries or the study area).

    ``layout`` goes to :func:`hotspots.viz.mapframe.map_page` (title, subtitle,
    legend_title, caption, dpi, pad, min_size). Returns the page and whether tiles were
    drawn.
    """
    tiles = want_tiles(basemap)
    page = map_page(bounds, legend=[*legend, *context_legend(areas, study)],
                    credits=credits_line(credits), **layout)
    tiles = tiles and add_tiles(page, crs)
    draw_context(page, areas, study, tiles)
    return page, tiles


def area_labels(
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
                              color=MUTED, style="italic", zorder=8, path_effects=HALO,
                              gid="area-label")
        placed.append(extent_of(artist, page.fig))


def finish(page: MapPage) -> Figure:
    """Add the scale bar and north arrow, and return the page's figure."""
    scale_bar(page)
    north_arrow(page)
    return page.fig


def study_area(cells: gpd.GeoDataFrame) -> Any:
    """The cells analysed, as one shape (outlined when no boundary is given)."""
    if len(cells) == 0:
        return shapely.Polygon()
    return shapely.coverage_union_all(cells.geometry.to_numpy())


def draw_classes(page: MapPage, frame: gpd.GeoDataFrame, colours: Sequence[str], *,
                 tiles: bool, grid: bool) -> None:
    """Fill polygons by class colour. Grid cells of one colour are merged first, so that
    no seams show between cells and the file stays small."""
    if len(frame) == 0:
        return
    alpha = 0.72 if tiles else 1.0
    geoms = frame.geometry.to_numpy()
    colours = list(colours)
    if not grid:
        draw_polygons(page.ax, geoms, facecolors=colours, edgecolors=HOT_EDGE,
                      linewidth=0.5, alpha=alpha, zorder=3)
        return
    merged, fills = [], []
    for colour in dict.fromkeys(colours):
        mine = np.array([c == colour for c in colours])
        merged.append(shapely.coverage_union_all(geoms[mine]))
        fills.append(colour)
    draw_polygons(page.ax, merged, facecolors=fills, edgecolors="none" if tiles else fills,
                  linewidth=0.0 if tiles else 0.3, alpha=alpha, zorder=3)


def cell_map(
    cells: gpd.GeoDataFrame,
    drawn: gpd.GeoDataFrame,
    colours: Sequence[str],
    crs: Any,
    *,
    areas: gpd.GeoDataFrame | None,
    area_name: str,
    empty: str,
    sensitive: bool = False,
    avoid: Any = None,
    **page: Any,
) -> Figure:
    """A map of grid cells coloured by class: ``drawn`` (of ``cells``) in ``colours``.

    Framed on ``areas`` (else on the cells, the study area outlined); ``empty`` is said in
    the frame when nothing is drawn; areas are named away from ``avoid``. ``page`` goes to
    :func:`open_map` (basemap, legend, credits and the layout).
    """
    study = study_area(cells) if areas is None else None
    layout, tiles = open_map(union_bounds(areas) or union_bounds(cells), crs, areas=areas,
                             study=study, **page)
    draw_classes(layout, drawn, colours, tiles=tiles, grid=True)
    if len(drawn) == 0:
        message(layout.ax, empty)
    area_labels(layout, areas, area_name, sensitive=sensitive, placed=[], avoid=avoid)
    return finish(layout)
