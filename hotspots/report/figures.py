"""The evidence pack's figures: print maps and charts, and the interactive map.

Every static figure is drawn by :mod:`hotspots.viz.staticmaps` (maps with basemap tiles
where reachable, charts) at print resolution; the interactive map by
:mod:`hotspots.viz.webmaps`, as one self-contained page. A figure that cannot be drawn is
left out with a note saying why, so one map never loses the whole report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import folium
import matplotlib
import pandas as pd

from hotspots.report.data import ReportData
from hotspots.report.selection import Selection
from hotspots.viz import staticmaps
from hotspots.viz.assets import render_html
from hotspots.viz.colours import ROLE_COLOURS
from hotspots.viz.webmaps import areas_layer
from hotspots.viz.webmaps import base_map
from hotspots.viz.webmaps import class_layer
from hotspots.viz.webmaps import hotspot_map

__all__ = [
    "MAP_DPI",
    "CHART_DPI",
    "STATIC_MAPS",
    "TILES",
    "draw_figures",
    "interactive_map",
]

log = logging.getLogger(__name__)

#: Static maps: 200 dpi is print resolution for an A4 page (hotspots.viz.staticmaps' default).
MAP_DPI = 200
#: Charts: 150 dpi is sharp on paper at the size they are printed (half to full width).
CHART_DPI = 150
#: How the static maps were made, for the method section.
STATIC_MAPS = "Static maps: hotspots.staticmaps (matplotlib; basemap tiles where reachable)."
#: Map tiles for the interactive map (the static maps leave tiles to hotspots.viz.staticmaps).
TILES = "OpenStreetMap"
#: Colour of the plan's coverage on the interactive map.
COVER = "#2b8cbe"


def _drawn(name: str, draw: Callable[[], Path], notes: list[str]) -> Path | None:
    """``draw()``'s path, or None with a note when the figure cannot be drawn."""
    try:
        return Path(draw())
    except Exception as exc:  # a map style problem must not lose the whole report
        log.warning("The %s figure could not be drawn: %s", name, exc)
        notes.append(f"The {name} figure could not be drawn ({type(exc).__name__}: {exc}), "
                     "so the report leaves it out.")
        return None


def _monthly_series(monthly: pd.DataFrame) -> pd.DataFrame:
    """Crimes per month as two series: the comparison period and the report period."""
    series = pd.DataFrame({"month": pd.to_datetime(monthly["month"])})
    for period, label in (("comparison", "comparison period"),
                          ("report period", "report period")):
        series[label] = monthly["count"].where(monthly["period"] == period).astype(float)
    return series.dropna(axis=1, how="all")


def draw_figures(data: ReportData, sel: Selection, out: Path, *,
                 tiles: bool) -> tuple[dict[str, Path], list[str]]:
    """Draw every map and chart the report holds under ``out``.

    Returns
    -------
    figures : dict
        ``map_*`` and ``chart_*`` name -> PNG path, for the figures drawn.
    notes : list of str
        Figures left out, and why.
    """
    prof, plan, ev, s = data.profile, data.plan, data.evaluation, data.summary
    label = s.group["label"]
    basemap = "auto" if tiles else "none"
    maps, charts = out / "maps", out / "charts"
    todo: dict[str, Callable[[], Path]] = {}
    if not s.empty or sel.bid_areas is not None:
        framing = sel.bid_areas
        if prof.areas is not None:  # with counts, so the map can label them
            framing = prof.areas[prof.areas["in_bid_area"]]
        shown = framing if framing is not None else sel.areas
        title = f"{label}: hotspots, {s.period}"
        if prof.result is None:
            todo["map_hotspots"] = lambda: staticmaps.boundary_png(
                shown, maps / "hotspots.png", title=title, dpi=MAP_DPI, basemap=basemap,
                note=prof.method_statement or "No hotspots were computed.")
        else:
            todo["map_hotspots"] = lambda: staticmaps.hotspot_png(
                prof.result, maps / "hotspots.png", areas=shown, title=title,
                sensitive=data.sensitive, dpi=MAP_DPI, basemap=basemap)
    if plan.items:
        todo["map_plan"] = lambda: staticmaps.plan_png(
            plan.drawn, plan.coverage, maps / "plan.png", areas=sel.areas, hotspots=prof.result,
            title=f"Intervention plan: {plan.name or 'plan'}", dpi=MAP_DPI, basemap=basemap)
    if ev.areas is not None:
        todo["map_evaluation"] = lambda: staticmaps.evaluation_png(
            ev.areas, maps / "evaluation.png", areas=sel.areas,
            title="Evaluation areas: target, buffer and control", dpi=MAP_DPI, basemap=basemap)
    if not s.empty:
        todo["chart_monthly"] = lambda: staticmaps.trend_png(
            _monthly_series(prof.monthly), charts / "monthly.png",
            title=f"{label}: crimes per month in {s.area_label[:60]}", dpi=CHART_DPI)
        todo["chart_categories"] = lambda: staticmaps.categories_png(
            prof.categories[["category", "count"]], charts / "categories.png",
            sensitive=data.sensitive, title=f"{label}: crimes by type, {s.period}",
            dpi=CHART_DPI)
    if len(sel.bid_all_months):
        todo["chart_seasonality"] = lambda: staticmaps.seasonality_png(
            prof.seasonality, charts / "seasonality.png", value="mean_per_month",
            title="Mean crimes per calendar month, all months of data", dpi=CHART_DPI)
    if ev.result is not None:
        todo["chart_evaluation"] = lambda: staticmaps.evaluation_trend_png(
            ev.result, charts / "evaluation_trend.png", dpi=CHART_DPI)
    figures: dict[str, Path] = {}
    notes: list[str] = []
    # Titles and labels hold user text (group labels, plan and area names, crime types):
    # drawn as written, never parsed as mathtext ("$x$"), the rule of hotspots.escaping.
    with matplotlib.rc_context({"text.parse_math": False}):
        for name, draw in todo.items():
            path = _drawn(name.split("_", 1)[1], draw, notes)
            if path is not None:
                figures[name] = path
    return figures, notes


def interactive_map(data: ReportData, sel: Selection, *, tiles: bool) -> str | None:
    """The report's interactive map as one HTML page (Leaflet inlined), or None."""
    prof, plan, ev = data.profile, data.plan, data.evaluation
    tile_name = TILES if tiles else None
    shown_areas = None
    if prof.areas is not None:
        shown_areas = prof.areas[prof.areas["in_bid_area"]] if not sel.whole_district else (
            prof.areas)
    elif sel.bid_areas is not None:
        shown_areas = sel.bid_areas
    if prof.result is not None:
        fmap = hotspot_map(prof.result, areas=shown_areas, sensitive=data.sensitive,
                           title=f"{data.summary.group['label']}: hotspots", tiles=tile_name,
                           layer_control=False)
    elif shown_areas is not None and len(shown_areas):
        fmap = base_map(tuple(shown_areas.total_bounds), crs=str(shown_areas.crs),
                        tiles=tile_name)
        areas_layer(shown_areas, sensitive=data.sensitive).add_to(fmap)
    else:
        return None
    if plan.items:
        class_layer(plan.coverage, colours=pd.Series([COVER] * len(plan.coverage)),
                    fields=["name", "label", "start"], name="Plan coverage").add_to(fmap)
    if ev.areas is not None:
        roles = ev.areas.frame
        group = class_layer(roles, colours=roles["role"].map(ROLE_COLOURS),
                            fields=["role", "description"], name="Evaluation areas")
        group.show = False
        group.add_to(fmap)
    # Last: the control lists (and its script refers to) the layers that exist when it is
    # added; made first, the plan and evaluation layers were missing and broke the map.
    folium.LayerControl(collapsed=True).add_to(fmap)
    return render_html(fmap)
