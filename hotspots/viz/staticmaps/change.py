"""Print maps of how crime moved over time, cell by cell: two periods, and emerging hot spots.

Change maps colour cells by ``change_class`` (:func:`hotspots.compare_periods`) with
:data:`hotspots.viz.colours.CHANGE_COLOURS` (blue for less crime, red for more; "little or
no change" is not coloured). Emerging hot spot maps colour cells by pattern
(:func:`hotspots.emerging_hotspots`) with :data:`hotspots.viz.colours.EMERGING_COLOURS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Unpack

import shapely
from matplotlib.figure import Figure

from hotspots.analysis.change import CHANGE_CLASSES
from hotspots.analysis.change import LARGE_CHANGE_SHARE
from hotspots.analysis.change import NO_CHANGE_SHARE
from hotspots.analysis.change import PeriodComparison
from hotspots.errors import ParameterError
from hotspots.methods.patterns import PATTERNS
from hotspots.privacy import SMALL_COUNT
from hotspots.privacy import is_small
from hotspots.result import HotspotResult
from hotspots.viz.colours import CHANGE_COLOURS
from hotspots.viz.colours import EMERGING_COLOURS
from hotspots.viz.mapframe import swatch
from hotspots.viz.staticmaps.common import AREA_KEYS
from hotspots.viz.staticmaps.common import CHANGE_KEYS
from hotspots.viz.staticmaps.common import MapOptions
from hotspots.viz.staticmaps.common import cell_map
from hotspots.viz.staticmaps.common import check_bool
from hotspots.viz.staticmaps.common import check_type
from hotspots.viz.staticmaps.common import in_map_crs
from hotspots.viz.staticmaps.common import map_style
from hotspots.viz.staticmaps.common import save_map

__all__ = ["change_figure", "change_png", "emerging_figure", "emerging_png"]


def change_figure(comparison: PeriodComparison, **options: Unpack[MapOptions]) -> Figure:
    """Return the print map of a period comparison as a Figure (see :func:`change_png`)."""
    check_type(comparison, PeriodComparison, name="comparison", func="change_figure",
               hint="the PeriodComparison that compare_periods returns")
    o = map_style(options, CHANGE_KEYS, func="change_figure")
    cells = comparison.cells
    crs, areas = in_map_crs(cells, o.areas, name="comparison.cells")
    drawn = cells[cells["change_class"] != CHANGE_CLASSES[2]]
    entries = []
    for cls in CHANGE_CLASSES[::-1]:
        n = int((drawn["change_class"] == cls).sum())
        text = cls.capitalize() + (" (not coloured)" if cls == CHANGE_CLASSES[2] else
                                   f" ({n:,} cells)")
        entries.append((swatch(CHANGE_COLOURS[cls]), text))
    p = comparison.params
    unit = comparison.summary.get("change_units", "crimes per cell per month")
    how = (f"quartic kernel density (bandwidth {p['bandwidth']:.0f} m) on "
           if comparison.method == "kde" and "bandwidth" in p else "crimes counted on ")
    sensitive = check_bool(o.sensitive, name="sensitive")
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
    return cell_map(
        cells, drawn, drawn["change_class"].map(CHANGE_COLOURS).tolist(), crs, areas=areas,
        area_name=o.area_name, empty="Little or no change anywhere.", sensitive=sensitive,
        basemap=o.basemap, legend=entries, credits=o.credits,
        title=o.title or "Change in crime between two periods",
        subtitle=f"Before: {p.get('before', '')} ({p.get('months_before', '?')} months)   ·   "
                 f"After: {p.get('after', '')} ({p.get('months_after', '?')} months)",
        legend_title=f"Change in {unit}", caption=caption, dpi=o.dpi,
    )


def change_png(comparison: PeriodComparison, path: str | Path,
               **options: Unpack[MapOptions]) -> Path:
    """Write a print map (PNG) of the change between two periods; return its path.

    Cells are coloured by ``change_class`` with :data:`hotspots.viz.colours.CHANGE_COLOURS`
    (blue for less crime, red for more; "little or no change" is not coloured). The
    caption gives the totals, the cells that became or stopped being hotspots, and the
    class rule; with ``sensitive``, totals under 5 are not printed and area counts read
    "<5". Options (``areas``, ``area_name``, ``title``, ``sensitive``, ``basemap``,
    ``credits``, ``dpi``) as in :class:`~hotspots.viz.staticmaps.common.MapStyle`.

    Examples
    --------
    >>> import tempfile
    >>> import geopandas as gpd, pandas as pd
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
    return save_map(change_figure(comparison, **options), path, options)


# --------------------------------------------------------------------------- emerging


def emerging_figure(result: HotspotResult, **options: Unpack[MapOptions]) -> Figure:
    """Return the print map of emerging hot spots as a Figure (see :func:`emerging_png`)."""
    check_type(result, HotspotResult, name="result", func="emerging_figure",
               hint="the EmergingResult that emerging_hotspots returns")
    if "pattern_code" not in result.cells:
        raise ParameterError(
            "emerging_figure needs the result of emerging_hotspots (cells with a "
            f"'pattern_code' column); got a {result.method!r} result. Use hotspot_png for it."
        )
    o = map_style(options, AREA_KEYS, func="emerging_figure")
    cells = result.cells
    crs, areas = in_map_crs(cells, o.areas, name="result.cells")
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
        areas=areas, area_name=o.area_name, empty="No emerging hot or cold spot pattern found.",
        avoid=hot, basemap=o.basemap, legend=entries, credits=o.credits,
        title=o.title or "Emerging hot spots", subtitle=subtitle, legend_title="Pattern",
        caption=result.method_statement(), dpi=o.dpi,
    )


def emerging_png(result: HotspotResult, path: str | Path,
                 **options: Unpack[MapOptions]) -> Path:
    """Write a print map (PNG) of emerging hot and cold spots; return its path.

    Cells with a pattern are coloured with :data:`hotspots.viz.colours.EMERGING_COLOURS`;
    the legend lists the patterns present with their number of cells. Options
    (``areas``, ``area_name``, ``title``, ``basemap``, ``credits``, ``dpi``) as in
    :class:`~hotspots.viz.staticmaps.common.MapStyle`.

    Examples
    --------
    >>> import tempfile
    >>> import geopandas as gpd, numpy as np, pandas as pd
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
    return save_map(emerging_figure(result, **options), path, options)

