"""The page of a print map: layout, legend, caption, credits, swatches, saving.

A page is a fixed-size matplotlib :class:`~matplotlib.figure.Figure` (no pyplot state, Agg
canvas) laid out top to bottom: title, map frame, legend, caption (the method statement) and a
credits line. Sizes are in inches so that a page prints the same at any dpi; the map frame's
data extent is fitted to the frame's shape, so one metre is the same length across and up
(British National Grid). What is drawn in the frame lives beside it: shapes in
:mod:`hotspots.viz.drawing`, scale bar, north arrow and labels in
:mod:`hotspots.viz.furniture`, web tiles in :mod:`hotspots.viz.basemap`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text

from hotspots.errors import ParameterError
from hotspots.io.write import atomic_path
from hotspots.validation import check_positive

__all__ = [
    "MAP_SIZE",
    "DEFAULT_DPI",
    "DEFAULT_CREDITS",
    "PNG_METADATA",
    "INK",
    "MUTED",
    "LAND",
    "AREA_EDGE",
    "MapPage",
    "wrap",
    "legend_columns",
    "fit_extent",
    "new_figure",
    "map_page",
    "message",
    "swatch",
    "outline_swatch",
    "save_png",
]

#: Page size of a map in inches: fits an A4 page with margins (A4 is 8.27 × 11.69 in).
MAP_SIZE = (7.0, 6.0)
#: Default resolution: 200 dpi is print quality for a 7 in wide figure (1,400 pixels).
DEFAULT_DPI = 200
#: Credits printed under every map unless others are given (both under OGL v3.0).
DEFAULT_CREDITS = (
    "Crime data: police.uk, Open Government Licence v3.0. Boundaries: ONS, Open Government "
    "Licence v3.0 (contains OS data © Crown copyright and database right)."
)
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



# --------------------------------------------------------------------------- legend swatches


def swatch(colour: str, *, edge: str | None = None, alpha: float = 1.0,
           hatch: str | None = None) -> Patch:
    """A legend square."""
    return Patch(facecolor=colour, edgecolor=edge or "#999999", linewidth=0.5, alpha=alpha,
                 hatch=hatch)


def outline_swatch(colour: str, *, linewidth: float = 1.2, linestyle: str = "solid") -> Patch:
    """A legend square drawn as an outline only."""
    return Patch(facecolor="none", edgecolor=colour, linewidth=linewidth, linestyle=linestyle)


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
