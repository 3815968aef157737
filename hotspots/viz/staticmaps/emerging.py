"""Print maps of emerging hot and cold spots (:func:`hotspots.emerging_hotspots`).

Cells with a pattern are coloured with :data:`hotspots.viz.colours.EMERGING_COLOURS`; the
legend lists the patterns present with their number of cells.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from matplotlib.figure import Figure

from hotspots.errors import ParameterError
from hotspots.methods.emerging import PATTERNS
from hotspots.result import HotspotResult
from hotspots.viz.colours import EMERGING_COLOURS
from hotspots.viz.mapframe import DEFAULT_DPI, save_png, swatch
from hotspots.viz.staticmaps.common import cell_map, check_type, in_map_crs

__all__ = ["emerging_figure", "emerging_png"]


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
    check_type(result, HotspotResult, name="result", func="emerging_figure",
               hint="the EmergingResult that emerging_hotspots returns")
    if "pattern_code" not in result.cells:
        raise ParameterError(
            "emerging_figure needs the result of emerging_hotspots (cells with a "
            f"'pattern_code' column); got a {result.method!r} result. Use hotspot_png for it."
        )
    cells = result.cells
    crs, areas = in_map_crs(cells, areas, name="result.cells")
    codes = cells["pattern_code"].astype(int)
    drawn = cells[codes.to_numpy() != 0]
    present = sorted(set(codes[codes != 0]), key=lambda c: (c < 0, abs(c)))
    entries = [(swatch(EMERGING_COLOURS[c]), f"{PATTERNS[c]} ({int((codes == c).sum()):,} cells)")
               for c in present]
    p = result.params
    subtitle = None
    if {"first_step", "last_step", "n_steps", "step"} <= set(p):
        subtitle = f"{p['n_steps']} {p['step']}s, {p['first_step']} to {p['last_step']}"
    hot = shapely.union_all(drawn.geometry.to_numpy()) if len(drawn) else None
    return cell_map(
        cells, drawn, drawn["pattern_code"].astype(int).map(EMERGING_COLOURS).tolist(), crs,
        areas=areas, area_name=area_name, empty="No emerging hot or cold spot pattern found.",
        avoid=hot, basemap=basemap, legend=entries, credits=credits,
        title=title or "Emerging hot spots", subtitle=subtitle, legend_title="Pattern",
        caption=result.method_statement(), dpi=dpi,
    )


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
    >>> import numpy as np, pandas as pd
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

