"""Map furniture: the scale bar, the north arrow, and labels placed clear of each other.

The scale bar is drawn by matplotlib-scalebar. Artists carry a ``gid`` saying what they are
(``"scale-bar"``, ``"north-arrow"``, or the one a caller gives a label), for tests and
post-processing.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.patheffects import withStroke
from matplotlib.text import Text
from matplotlib_scalebar.scalebar import ScaleBar

from hotspots.viz.mapframe import INK
from hotspots.viz.mapframe import MapPage

__all__ = [
    "scale_bar",
    "north_arrow",
    "extent_of",
    "label",
    "label_point",
]


def scale_bar(page: MapPage) -> ScaleBar:
    """Draw a scale bar in the lower left of the map frame and return it.

    matplotlib-scalebar picks a round length of about a fifth of the frame's width and
    writes it in metres or kilometres; one data unit is one metre (the map's projected CRS).
    """
    bar = ScaleBar(
        1.0, units="m", dimension="si-length", length_fraction=0.2, width_fraction=0.012,
        location="lower left", scale_loc="top", color=INK, box_color="white", box_alpha=0.8,
        font_properties={"size": 6.5}, pad=0.3, border_pad=0.6, sep=2,
    )
    bar.set_gid("scale-bar")
    bar.set_zorder(30)
    page.ax.add_artist(bar)
    return bar


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

