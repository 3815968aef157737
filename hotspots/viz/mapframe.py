"""The page of a print map: layout, polygons, scale bar, north arrow, basemap, saving.

Private helpers of :mod:`hotspots.staticmaps`. A page is a fixed-size matplotlib
:class:`~matplotlib.figure.Figure` (no pyplot state, Agg canvas) laid out top to bottom:
title, map frame, legend, caption (the method statement) and a credits line. Sizes are in
inches so that a page prints the same at any dpi; the map frame's data extent is fitted to
the frame's shape, so one metre is the same length across and up (British National Grid).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import socket
import textwrap
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import withStroke
from matplotlib.text import Text

from hotspots.errors import CRSError, ParameterError
from hotspots.io.write import atomic_path
from hotspots.validation import check_choice, check_positive, require_projected

log = logging.getLogger("hotspots.staticmaps")

#: Page size of a map in inches: fits an A4 page with margins (A4 is 8.27 × 11.69 in).
MAP_SIZE = (7.0, 6.0)
#: Default resolution: 200 dpi is print quality for a 7 in wide figure (1,400 pixels).
DEFAULT_DPI = 200
#: Credits printed under every map unless others are given (both under OGL v3.0).
DEFAULT_CREDITS = (
    "Crime data: police.uk, Open Government Licence v3.0. Boundaries: ONS, Open Government "
    "Licence v3.0 (contains OS data © Crown copyright and database right)."
)
#: Choices of ``basemap``: "auto" draws web tiles only when contextily is installed and the
#: tile server answers within TILE_TIMEOUT_S; "none" never tries.
BASEMAPS: tuple[str, ...] = ("auto", "none")
#: Tile server probed before any tile is requested.
TILE_HOST = ("tile.openstreetmap.org", 443)
#: Longest wait for the probe; the probe runs in a thread, so a slow DNS cannot hang a map.
TILE_TIMEOUT_S = 2.0
#: A failed probe is remembered this long, so a report of many maps waits only once.
TILE_RETRY_S = 300.0
#: Attribution required by OpenStreetMap tiles.
TILE_CREDIT = "Basemap © OpenStreetMap contributors."
#: PNG metadata: no "Software" version string, so the same map gives the same bytes.
PNG_METADATA: dict[str, Any] = {"Software": None}

# Inches of the page furniture (the map frame gets what is left).
_MARGIN = 0.22
_TOP = 0.14
_GAP = 0.10
_LEGEND_FONT = 7.5
_CAPTION_FONT = 7.0
_CREDITS_FONT = 6.0
_CHAR_EM = 0.55  # mean width of a DejaVu Sans character, in ems (for wrapping)
#: Colours of the page.
INK = "#222222"
MUTED = "#555555"
LAND = "#f4f3ef"
AREA_EDGE = "#5a5a5a"

_probe_state: dict[str, float | bool] = {"when": -math.inf, "ok": False}


# --------------------------------------------------------------------------- layout


@dataclass
class MapPage:
    """A laid-out map page: the figure, its map axes and the fitted extent (x0, y0, x1, y1)."""

    fig: Figure
    ax: Axes
    extent: tuple[float, float, float, float]
    credits: Text
    notes: list[str] = field(default_factory=list)

    @property
    def width_m(self) -> float:
        return self.extent[2] - self.extent[0]

    @property
    def height_m(self) -> float:
        return self.extent[3] - self.extent[1]


def wrap(text: str, *, width_in: float, fontsize: float) -> list[str]:
    """Lines of ``text`` wrapped to fit ``width_in`` inches at ``fontsize`` points."""
    chars = max(20, int(width_in * 72 / (fontsize * _CHAR_EM)))
    lines: list[str] = []
    for paragraph in str(text).splitlines():
        lines.extend(textwrap.wrap(paragraph, chars) or [""])
    return lines


def legend_columns(labels: Sequence[str], width_in: float) -> int:
    """How many legend columns fit the page width given the longest label."""
    longest = max((len(s) for s in labels), default=0) + 6  # swatch and spacing
    per_column = longest * _LEGEND_FONT * _CHAR_EM / 72
    return int(max(1, min(4, width_in // max(per_column, 1e-9))))


def fit_extent(
    bounds: Sequence[float], box: tuple[float, float], *, pad: float = 0.04, min_size: float = 200.0
) -> tuple[float, float, float, float]:
    """Grow ``bounds`` by ``pad`` (share of the larger side) to the shape of ``box`` (w, h).

    Examples
    --------
    >>> fit_extent((0, 0, 1000, 1000), (2.0, 1.0), pad=0.0)
    (-500.0, 0.0, 1500.0, 1000.0)
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = max(x1 - x0, min_size), max(y1 - y0, min_size)
    grow = pad * max(w, h)
    w, h = w + 2 * grow, h + 2 * grow
    aspect = box[0] / box[1]
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def new_figure(size: tuple[float, float], dpi: float) -> Figure:
    """A white figure on an Agg canvas (no pyplot, no display)."""
    fig = Figure(figsize=size, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _height_in(artist: Artist, fig: Figure) -> float:
    """Drawn height of ``artist`` in inches."""
    return artist.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi


def _width_in(artist: Artist, fig: Figure) -> float:
    return artist.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi


def _place_legend(fig: Figure, legend: Sequence[tuple[Artist, str]], legend_title: str | None,
                  *, bottom_in: float) -> Artist:
    """The legend, lower left at ``bottom_in``, in as many columns as fit the page width."""
    W, H = fig.get_size_inches()
    inner = W - 2 * _MARGIN
    handles, labels = [h for h, _ in legend], [t for _, t in legend]
    ncol = legend_columns(labels, inner)
    while True:
        artist = fig.legend(
            handles, labels, loc="lower left", ncols=ncol,
            bbox_to_anchor=(_MARGIN / W, bottom_in / H), bbox_transform=fig.transFigure,
            frameon=False, fontsize=_LEGEND_FONT, title=legend_title, alignment="left",
            title_fontproperties={"size": _LEGEND_FONT + 0.5, "weight": "bold"},
            borderaxespad=0.0, borderpad=0.0, handlelength=1.7, handleheight=1.0,
            columnspacing=1.6, labelspacing=0.4,
        )
        if ncol == 1 or _width_in(artist, fig) <= inner:
            return artist
        artist.remove()
        ncol -= 1


def map_page(
    bounds: Sequence[float] | None,
    *,
    title: str,
    legend: Sequence[tuple[Artist, str]],
    legend_title: str | None,
    caption: str,
    credits: str,
    dpi: float,
    subtitle: str | None = None,
    pad: float = 0.04,
    min_size: float = 200.0,
) -> MapPage:
    """Lay out a map page and return it with an empty, fitted map frame.

    The page is built from the bottom up, measuring each block as drawn: credits, caption
    (the method statement), legend (as many columns as fit), then the map frame takes the
    height left under the title. ``bounds`` None gives a frame with no data (a message is
    expected in it).
    """
    dpi = check_positive(dpi, name="dpi")
    fig = new_figure(MAP_SIZE, dpi)
    W, H = MAP_SIZE
    inner = W - 2 * _MARGIN
    x = _MARGIN / W

    y = 0.1  # inches from the bottom
    credit_lines = wrap(credits, width_in=inner, fontsize=_CREDITS_FONT)
    credits_text = fig.text(x, y / H, "\n".join(credit_lines), ha="left", va="bottom",
                            fontsize=_CREDITS_FONT, color=MUTED, linespacing=1.25)
    y += _height_in(credits_text, fig) + 0.07
    if caption:
        lines = wrap(caption, width_in=inner, fontsize=_CAPTION_FONT)
        text = fig.text(x, y / H, "\n".join(lines), ha="left", va="bottom",
                        fontsize=_CAPTION_FONT, color=INK, linespacing=1.25)
        y += _height_in(text, fig) + _GAP
    if legend:
        artist = _place_legend(fig, legend, legend_title, bottom_in=y)
        y += _height_in(artist, fig) + _GAP

    top = H - _TOP
    head = fig.text(x, top / H, "\n".join(wrap(title, width_in=inner, fontsize=14.5)),
                    ha="left", va="top", fontsize=12.5, fontweight="bold", color=INK)
    top -= _height_in(head, fig) + 0.08
    if subtitle:
        sub = fig.text(x, top / H, subtitle, ha="left", va="top", fontsize=8.5, color=MUTED)
        top -= _height_in(sub, fig) + 0.04
    map_h = top - _GAP - y
    if map_h < 1.5:
        raise ParameterError(
            f"The title, legend and caption leave {max(map_h, 0):.1f} of the {H:g} inches of "
            "the page for the map (1.5 needed); shorten the title, caption or credits."
        )
    ax = fig.add_axes((x, y / H, inner / W, map_h / H))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    for spine in ax.spines.values():
        spine.set_edgecolor("#777777")
        spine.set_linewidth(0.8)
    if bounds is None or not np.all(np.isfinite(bounds)):
        extent = (0.0, 0.0, inner, map_h)
    else:
        extent = fit_extent(bounds, (inner, map_h), pad=pad, min_size=min_size)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="datalim")
    return MapPage(fig, ax, extent, credits_text)


def message(ax: Axes, text: str) -> None:
    """A grey message in the middle of an empty map frame."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=10,
            color=MUTED, zorder=20, gid="message")


# --------------------------------------------------------------------------- geometry


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


# --------------------------------------------------------------------------- furniture


def swatch(colour: str, *, edge: str | None = None, alpha: float = 1.0,
           hatch: str | None = None) -> Patch:
    """A legend square."""
    return Patch(facecolor=colour, edgecolor=edge or "#999999", linewidth=0.5, alpha=alpha,
                 hatch=hatch)


def outline_swatch(colour: str, *, linewidth: float = 1.2, linestyle: str = "solid") -> Patch:
    """A legend square drawn as an outline only."""
    return Patch(facecolor="none", edgecolor=colour, linewidth=linewidth, linestyle=linestyle)


def line_swatch(colour: str, *, linewidth: float = 2.0, marker: str | None = None) -> Line2D:
    """A legend line (or marker, with ``linewidth`` 0)."""
    return Line2D([], [], color=colour, linewidth=linewidth, marker=marker, markersize=6,
                  markeredgecolor="white", markeredgewidth=0.8)


def nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10^k metres) of about a fifth of ``span``.

    Examples
    --------
    >>> nice_length(7300.0), nice_length(900.0)
    (1000.0, 100.0)
    """
    target = span / 5.0
    power = 10.0 ** math.floor(math.log10(target))
    for step in (5.0, 2.0, 1.0):
        if step * power <= target:
            return step * power
    return power


def distance_label(metres: float) -> str:
    """``"500 m"``, ``"1 km"``, ``"2.5 km"``.

    Examples
    --------
    >>> distance_label(500.0), distance_label(2000.0), distance_label(2500.0)
    ('500 m', '2 km', '2.5 km')
    """
    if metres < 1000:
        return f"{metres:g} m"
    return f"{metres / 1000:g} km"


def scale_bar(page: MapPage) -> float:
    """Draw a two-segment black and white scale bar in the lower left; return its length."""
    ax, (x0, y0, _, _) = page.ax, page.extent
    length = nice_length(page.width_m)
    h = page.height_m * 0.012
    left, base = x0 + page.width_m * 0.035, y0 + page.height_m * 0.045
    backing = Rectangle(
        (left - page.width_m * 0.012, base - page.height_m * 0.02),
        length + page.width_m * 0.05, h + page.height_m * 0.065,
        facecolor="white", edgecolor="none", alpha=0.8, zorder=29,
    )
    ax.add_patch(backing)
    for i, colour in enumerate((INK, "white")):
        ax.add_patch(Rectangle((left + i * length / 2, base), length / 2, h, facecolor=colour,
                               edgecolor=INK, linewidth=0.6, zorder=30))
    for at, text in ((0.0, "0"), (length, distance_label(length))):
        ax.text(left + at, base + h * 1.6, text, ha="center", va="bottom", fontsize=6.5,
                color=INK, zorder=30, gid="scale-bar")
    return length


def north_arrow(page: MapPage) -> None:
    """A simple north arrow (grid north) in the upper right of the map frame."""
    ax, (_, _, x1, y1) = page.ax, page.extent
    size = page.height_m * 0.075
    cx, top = x1 - page.width_m * 0.045, y1 - page.height_m * 0.09
    tip, base, half = (cx, top), top - size, size * 0.32
    ax.add_patch(Polygon([tip, (cx - half, base), (cx, base + size * 0.28)], closed=True,
                         facecolor=INK, edgecolor=INK, linewidth=0.6, zorder=30))
    ax.add_patch(Polygon([tip, (cx + half, base), (cx, base + size * 0.28)], closed=True,
                         facecolor="white", edgecolor=INK, linewidth=0.6, zorder=30))
    ax.text(cx, top + size * 0.12, "N", ha="center", va="bottom", fontsize=9,
            fontweight="bold", color=INK, zorder=30, gid="north-arrow")


#: Where a label may go relative to its anchor, in points, tried in this order.
_LABEL_SPOTS = (
    (7, 7, "left", "bottom"), (-7, 7, "right", "bottom"), (7, -7, "left", "top"),
    (-7, -7, "right", "top"), (16, 18, "left", "bottom"), (-16, 18, "right", "bottom"),
    (16, -18, "left", "top"), (-16, -18, "right", "top"), (0, 28, "center", "bottom"),
    (0, -28, "center", "top"),
)


def extent_of(artist: Artist, fig: Figure) -> Any:
    """The drawn bounding box of ``artist`` in display units."""
    return artist.get_window_extent(fig.canvas.get_renderer())


def label(page: MapPage, xy: tuple[float, float], text: str, *, placed: list,
          fontsize: float = 7.0, boxed: bool = True, gid: str | None = None) -> Text:
    """A label with a short leader from ``xy`` (boxed, or plain text with a white halo),
    placed where it overlaps no label in ``placed`` (display boxes; the new one is
    appended) and stays inside the frame."""
    frame = page.ax.get_window_extent(page.fig.canvas.get_renderer())
    note = None
    for dx, dy, ha, va in _LABEL_SPOTS:
        if note is not None:
            note.remove()
        style: dict[str, Any] = (
            {"fontweight": "bold",
             "bbox": {"boxstyle": "round,pad=0.25", "facecolor": "white",
                      "edgecolor": "#444444", "linewidth": 0.6, "alpha": 0.92}}
            if boxed else {"path_effects": [withStroke(linewidth=2.2, foreground="white")]}
        )
        note = page.ax.annotate(
            text, xy=xy, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
            color=INK, zorder=40, ha=ha, va=va, gid=gid,
            arrowprops={"arrowstyle": "-", "color": "#444444", "linewidth": 0.6,
                        "shrinkA": 0, "shrinkB": 0},
            **style,
        )
        note.update_positions(page.fig.canvas.get_renderer())
        box = Text.get_window_extent(note).padded(6 if boxed else 2)  # text, not the leader
        inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                  and box.y1 <= frame.y1)
        if inside and not any(box.overlaps(other) for other in placed):
            break
    placed.append(box)
    return note


def label_point(geom: Any, *, avoid: Any = None, clearance: float = 0.0) -> Any:
    """Where to write a polygon's name: the pole of inaccessibility of its largest part,
    away from ``avoid`` (buffered by ``clearance``) when some of the polygon is left."""
    from shapely.ops import polylabel

    shape = geom
    if avoid is not None and not shapely.is_empty(avoid):
        rest = geom.difference(avoid.buffer(clearance))
        if not rest.is_empty and rest.area > 0.15 * geom.area:
            shape = rest
    parts = [p for p in shapely.get_parts(shape) if p.geom_type == "Polygon" and p.area > 0]
    if not parts:
        return shapely.point_on_surface(geom)
    biggest = max(parts, key=lambda p: p.area)
    return polylabel(biggest, tolerance=max(1.0, math.sqrt(biggest.area) / 200))


# --------------------------------------------------------------------------- basemap


def _probe(host: tuple[str, int], timeout: float) -> bool:
    answer: list[bool] = []

    def _connect() -> None:
        try:
            with socket.create_connection(host, timeout=timeout):
                answer.append(True)
        except Exception:  # any failure to connect means: no tiles
            answer.append(False)

    worker = threading.Thread(target=_connect, daemon=True, name="hotspots-tile-probe")
    worker.start()
    worker.join(timeout)
    return bool(answer and answer[0])


def tiles_reachable(*, timeout: float | None = None) -> bool:
    """Whether the tile server answers within ``timeout`` seconds (default
    :data:`TILE_TIMEOUT_S`); a failure is remembered for :data:`TILE_RETRY_S`."""
    timeout = TILE_TIMEOUT_S if timeout is None else timeout
    now = time.monotonic()
    if not _probe_state["ok"] and now - float(_probe_state["when"]) < TILE_RETRY_S:
        return False
    ok = _probe(TILE_HOST, timeout)
    _probe_state.update(when=now, ok=ok)
    return ok


def want_tiles(basemap: Any) -> bool:
    """Decide, without anything that can hang, whether to try web tiles for ``basemap``."""
    if basemap is None:
        return False
    check_choice(basemap, name="basemap", choices=BASEMAPS)
    if basemap == "none":
        return False
    if importlib.util.find_spec("contextily") is None:
        log.info("No basemap tiles: contextily is not installed; drawing boundaries only.")
        return False
    if not tiles_reachable():
        log.info("No basemap tiles: %s did not answer within %g s.", TILE_HOST[0],
                 TILE_TIMEOUT_S)
        return False
    return True


def add_tiles(page: MapPage, crs: Any) -> bool:
    """Draw OpenStreetMap tiles under the map; any failure leaves the map without them."""
    try:
        ctx = importlib.import_module("contextily")
        ctx.add_basemap(page.ax, crs=crs, source=ctx.providers.OpenStreetMap.Mapnik,
                        attribution=False, zorder=0)
    except Exception as exc:  # any tile failure must still give a map (brief: never fail)
        log.warning("Basemap tiles could not be drawn (%s); drawing boundaries only.", exc)
        return False
    x0, y0, x1, y1 = page.extent
    page.ax.set_xlim(x0, x1)
    page.ax.set_ylim(y0, y1)
    page.credits.set_text(page.credits.get_text() + " " + TILE_CREDIT)
    return True


# --------------------------------------------------------------------------- saving


def save_png(fig: Figure, path: str | Path, *, dpi: float) -> Path:
    """Write ``fig`` as a PNG of exactly size × dpi pixels, atomically, without timestamps."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ParameterError(
            f"The 'path' parameter must name a .png file, got {str(path)!r}; e.g. 'maps/hot.png'."
        )
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png", metadata=PNG_METADATA, facecolor="white")
    return path
