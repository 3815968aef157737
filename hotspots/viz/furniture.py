"""Map furniture: the scale bar, the north arrow, and labels placed clear of each other.

Texts carry a ``gid`` saying what they are (``"scale-bar"``, ``"north-arrow"``, or the one
a caller gives a label), for tests and post-processing.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.text import Text

from hotspots.viz.mapframe import INK, MapPage

__all__ = [
    "nice_length",
    "distance_label",
    "scale_bar",
    "north_arrow",
    "extent_of",
    "label",
    "label_point",
]


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

