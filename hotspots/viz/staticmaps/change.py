"""Print maps of the change between two periods (:func:`hotspots.compare_periods`).

Cells are coloured by ``change_class`` with :data:`hotspots.viz.colours.CHANGE_COLOURS`
(blue for less crime, red for more); "little or no change" is not coloured.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from matplotlib.figure import Figure

from hotspots.analysis.change import (
    CHANGE_CLASSES,
    LARGE_CHANGE_SHARE,
    NO_CHANGE_SHARE,
    PeriodComparison,
)
from hotspots.privacy import SMALL_COUNT, is_small
from hotspots.viz.colours import CHANGE_COLOURS
from hotspots.viz.mapframe import DEFAULT_DPI, save_png, swatch
from hotspots.viz.staticmaps.common import cell_map, check_bool, check_type, in_map_crs

__all__ = ["change_figure", "change_png"]


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
    check_type(comparison, PeriodComparison, name="comparison", func="change_figure",
               hint="the PeriodComparison that compare_periods returns")
    cells = comparison.cells
    crs, areas = in_map_crs(cells, areas, name="comparison.cells")
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
    sensitive = check_bool(sensitive, name="sensitive")
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
        area_name=area_name, empty="Little or no change anywhere.", sensitive=sensitive,
        basemap=basemap, legend=entries, credits=credits,
        title=title or "Change in crime between two periods",
        subtitle=f"Before: {p.get('before', '')} ({p.get('months_before', '?')} months)   ·   "
                 f"After: {p.get('after', '')} ({p.get('months_after', '?')} months)",
        legend_title=f"Change in {unit}", caption=caption, dpi=dpi,
    )


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
    >>> import pandas as pd
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

