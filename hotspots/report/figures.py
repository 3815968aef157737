"""Figures for the evidence pack: charts, and static maps at print resolution.

Static maps come from :mod:`hotspots.staticmaps` when it is installed (print-quality maps
with basemap tiles where reachable). Until then, or if it fails, a plain fallback here draws
the same content (boundaries, hotspots, coverage, evaluation areas) without tiles, and the
report notes which was used. Everything uses :class:`matplotlib.figure.Figure` directly,
never pyplot's global state, and writes PNGs atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from hotspots.io.write import atomic_path
from hotspots.result import HotspotResult
from hotspots.viz.colours import PERIOD_COLOURS, ROLE_COLOURS

__all__ = [
    "MAP_DPI",
    "CHART_DPI",
    "StaticMaps",
    "monthly_chart",
    "category_chart",
    "seasonality_chart",
    "evaluation_trend_chart",
]

log = logging.getLogger(__name__)

#: Static maps: 200 dpi is print resolution for an A4 page (hotspots.staticmaps' default).
MAP_DPI = 200
#: Charts: 150 dpi is sharp on paper at the size they are printed (half to full width).
CHART_DPI = 150
#: Colours: hotspots as in hotspots.maps (darkest sequential class), the plan in blue, and
#: the evaluation roles as in the app.
HOT = "#bd0026"
COVER = "#2b8cbe"
#: Trend lines of the evaluation chart (as hotspots.evaluation.plot_trend).
ROLE_LINES = {"target": "#d95f02", "buffer": "#7570b3", "control": "#1b9e77"}


def _save(fig: Figure, path: Path, dpi: int) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return path


# --------------------------------------------------------------------------- charts


def monthly_chart(monthly: pd.DataFrame, path: Path, *, title: str, start: Any = None) -> Path:
    """Crimes per month (bars), the comparison period grey and the report period coloured."""
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = fig.add_subplot()
    colours = [PERIOD_COLOURS.get(p, "#d95f02") for p in monthly.get("period", [])]
    ax.bar(pd.to_datetime(monthly["month"]), monthly["count"], width=25,
           color=colours or "#d95f02")
    handles = [Patch(color=c, label=p) for p, c in PERIOD_COLOURS.items()
               if "period" in monthly and (monthly["period"] == p).any()]
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize="small")
    if start is not None:
        ax.axvline(pd.Timestamp(start), color="#333", linestyle="--", linewidth=1)
    ax.set_ylabel("crimes per month")
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    return _save(fig, path, CHART_DPI)


def category_chart(categories: pd.DataFrame, path: Path, *, title: str) -> Path:
    """Horizontal bars of crimes per category (largest on top)."""
    top = categories.head(12).iloc[::-1]
    fig = Figure(figsize=(8, 0.45 * max(len(top), 2) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(top["category"].astype(str), top["count"], color="#d95f02")
    if "comparison" in top:
        ax.scatter(top["comparison"], top["category"].astype(str), color="#333", zorder=3,
                   marker="|", s=200, label="comparison period")
        ax.legend(loc="lower right", fontsize="small")
    ax.set_xlabel("crimes")
    ax.set_title(title)
    return _save(fig, path, CHART_DPI)


def seasonality_chart(seasonality: pd.DataFrame, path: Path, *, title: str) -> Path:
    """Mean crimes per calendar month over all the data."""
    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(seasonality["name"], seasonality["mean_per_month"].fillna(0), color="#7570b3")
    ax.set_ylabel("mean crimes per month")
    ax.set_title(title)
    return _save(fig, path, CHART_DPI)


def evaluation_trend_chart(result: Any, path: Path) -> Path:
    """Crimes per month in target and buffer (left axis) and control (right axis).

    The control is usually far larger than the target, so it gets its own axis; the
    scheme's start is marked with a dashed line.
    """
    trend = result.trend
    fig = Figure(figsize=(9, 3.8), layout="constrained")
    ax = fig.add_subplot()
    months = pd.to_datetime(trend["month"])
    lines = []
    for role in ("target", "buffer"):
        lines += ax.plot(months, trend[role], marker="o", markersize=3, label=role,
                         color=ROLE_LINES[role])
    ax.set_ylabel("target and buffer: crimes per month")
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    lines += right.plot(months, trend["control"], marker="s", markersize=3, linestyle="--",
                        label="control (right axis)", color=ROLE_LINES["control"])
    right.set_ylabel("control: crimes per month")
    right.set_ylim(bottom=0)
    start = pd.Timestamp(result.counts.start)
    ax.axvline(start, color="#333", linestyle=":", linewidth=1.2)
    ax.annotate(f"start {start:%Y-%m}", xy=(start, 1), xycoords=("data", "axes fraction"),
                xytext=(4, -12), textcoords="offset points", fontsize="small")
    ax.legend(handles=lines, loc="lower left", fontsize="small")
    ax.set_title("Crimes per month in the target, buffer and control areas")
    return _save(fig, path, CHART_DPI)


# --------------------------------------------------------------------------- static maps


def _scale_bar(ax: Any) -> None:
    """A scale bar of a round length, about a fifth of the map's width (metres)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    raw = width / 5
    power = 10 ** np.floor(np.log10(raw)) if raw > 0 else 1
    length = max((m * power for m in (1, 2, 5) if m * power <= raw), default=power)
    x, y = x0 + 0.04 * width, y0 + 0.05 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", linewidth=3, solid_capstyle="butt")
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x + length / 2, y + 0.015 * (y1 - y0), text, ha="center", va="bottom",
            fontsize=8)


def _frame(ax: Any, bounds: tuple[float, float, float, float] | None, title: str) -> None:
    if bounds is not None and np.all(np.isfinite(bounds)):
        minx, miny, maxx, maxy = bounds
        pad = 0.05 * max(maxx - minx, maxy - miny, 100.0)
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    _scale_bar(ax)
    ax.annotate("British National Grid (EPSG:27700)", xy=(0.99, 0.01),
                xycoords="axes fraction", ha="right", va="bottom", fontsize=7, color="#555")


def _context(ax: Any, areas: gpd.GeoDataFrame | None, bid: gpd.GeoDataFrame | None) -> None:
    if areas is not None and len(areas):
        areas.to_crs(27700).boundary.plot(ax=ax, color="#9e9e9e", linewidth=0.6)
    if bid is not None and len(bid):
        bid.to_crs(27700).boundary.plot(ax=ax, color="black", linewidth=1.4)


def _bounds(*frames: Any) -> tuple[float, float, float, float] | None:
    for frame in frames:
        if frame is not None and len(frame):
            return tuple(frame.to_crs(27700).total_bounds)
    return None


def fallback_hotspot_png(result: HotspotResult | None, path: Path, *,
                         areas: gpd.GeoDataFrame | None, bid: gpd.GeoDataFrame | None,
                         title: str) -> Path:
    fig = Figure(figsize=(8, 7), layout="constrained")
    ax = fig.add_subplot()
    handles = []
    if result is not None and len(result.cells):
        cells = result.cells.to_crs(27700)
        scored = cells[cells["score"] > 0] if result.method in ("count", "kde") else cells
        if len(scored) and result.layer == "cells":
            scored.plot(ax=ax, column="score", cmap="YlOrRd", alpha=0.5, linewidth=0)
        hot = cells[cells["hotspot"].astype(bool)]
        if len(hot):
            hot.plot(ax=ax, color=HOT, linewidth=0)
            handles.append(Patch(color=HOT, label=f"hotspot ({len(hot):,})"))
    _context(ax, areas, bid)
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize="small")
    _frame(ax, _bounds(bid, areas, result.cells if result is not None else None), title)
    return _save(fig, path, MAP_DPI)


def fallback_plan_png(drawn: gpd.GeoDataFrame, cover: gpd.GeoDataFrame, path: Path, *,
                      areas: gpd.GeoDataFrame | None, hotspots: gpd.GeoDataFrame | None,
                      title: str) -> Path:
    fig = Figure(figsize=(8, 7), layout="constrained")
    ax = fig.add_subplot()
    if hotspots is not None and len(hotspots):
        hotspots.to_crs(27700).plot(ax=ax, color=HOT, alpha=0.45, linewidth=0)
    cover.to_crs(27700).plot(ax=ax, color=COVER, alpha=0.35, edgecolor=COVER, linewidth=0.8)
    drawn = drawn.to_crs(27700)
    for kind, style in (("point", {"marker": "o", "markersize": 30}),
                        ("line", {"linewidth": 2.5}), ("polygon", {"facecolor": "none",
                                                                   "linewidth": 1.5})):
        part = drawn[drawn["geometry_kind"] == kind]
        if len(part):
            part.plot(ax=ax, color="#08306b", **style)
    _context(ax, areas, None)
    handles = [Patch(color=COVER, alpha=0.35, label="coverage"),
               Patch(color="#08306b", label="interventions")]
    if hotspots is not None and len(hotspots):
        handles.insert(0, Patch(color=HOT, alpha=0.45, label="hotspots"))
    ax.legend(handles=handles, loc="upper right", fontsize="small")
    minx, miny, maxx, maxy = cover.to_crs(27700).total_bounds
    span = max(maxx - minx, maxy - miny, 1000.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    _frame(ax, (cx - span, cy - span, cx + span, cy + span), title)
    return _save(fig, path, MAP_DPI)


def fallback_evaluation_png(areas_eval: Any, path: Path, *,
                            areas: gpd.GeoDataFrame | None, title: str) -> Path:
    fig = Figure(figsize=(8, 7), layout="constrained")
    ax = fig.add_subplot()
    frame = areas_eval.frame.to_crs(27700)
    for role, colour in ROLE_COLOURS.items():
        frame[frame["role"] == role].plot(ax=ax, color=colour, alpha=0.8, edgecolor="#333",
                                          linewidth=0.6)
    _context(ax, areas, None)
    ax.legend(handles=[Patch(color=c, label=r) for r, c in ROLE_COLOURS.items()],
              loc="upper right", fontsize="small")
    _frame(ax, tuple(frame.total_bounds), title)
    return _save(fig, path, MAP_DPI)


class StaticMaps:
    """Draws the report's static maps with :mod:`hotspots.staticmaps`, or the fallback.

    ``notes`` records each map drawn by the fallback and why, for the report's method
    section.
    """

    def __init__(self, *, tiles: bool = True) -> None:
        self.basemap = "auto" if tiles else "none"
        self.notes: list[str] = []
        try:
            from hotspots.viz import staticmaps
        except ImportError:
            staticmaps = None
        self.module = staticmaps

    def _call(self, name: str, fallback: Callable[[], Path], *args: Any, **kwargs: Any) -> Path:
        func = getattr(self.module, name, None) if self.module is not None else None
        if func is None:
            return fallback()
        try:
            written = func(*args, **kwargs)
        except Exception as exc:  # a map style problem must not lose the whole report
            log.warning("hotspots.staticmaps.%s failed (%s); using the plain map", name, exc)
            self.notes.append(f"The {name} map was drawn without basemap styling because "
                              f"hotspots.staticmaps.{name} failed: {exc}")
            return fallback()
        return Path(written) if written is not None else Path(args[-1])

    @property
    def source(self) -> str:
        if self.module is None:
            return ("Static maps: boundaries and layers drawn with matplotlib, without basemap "
                    "tiles.")
        return "Static maps: hotspots.staticmaps (matplotlib; basemap tiles where reachable)."

    def hotspots(self, result: HotspotResult | None, path: Path, *,
                 areas: gpd.GeoDataFrame | None, bid: gpd.GeoDataFrame | None, title: str,
                 sensitive: bool) -> Path:
        def fallback() -> Path:
            return fallback_hotspot_png(result, path, areas=areas, bid=bid, title=title)

        if result is None:
            return fallback()
        return self._call("hotspot_png", fallback, result, path,
                          areas=bid if bid is not None else areas, title=title,
                          sensitive=sensitive, dpi=MAP_DPI, basemap=self.basemap)

    def plan(self, drawn: gpd.GeoDataFrame, cover: gpd.GeoDataFrame, path: Path, *,
             areas: gpd.GeoDataFrame | None, hotspots: HotspotResult | None,
             title: str) -> Path:
        def fallback() -> Path:
            hot = None
            if hotspots is not None and hotspots.n_hotspots:
                hot = hotspots.cells[hotspots.cells["hotspot"].astype(bool)]
            return fallback_plan_png(drawn, cover, path, areas=areas, hotspots=hot,
                                     title=title)

        return self._call("plan_png", fallback, drawn, cover, path, areas=areas,
                          hotspots=hotspots, title=title, dpi=MAP_DPI, basemap=self.basemap)

    def evaluation(self, areas_eval: Any, path: Path, *, areas: gpd.GeoDataFrame | None,
                   title: str) -> Path:
        def fallback() -> Path:
            return fallback_evaluation_png(areas_eval, path, areas=areas, title=title)

        return self._call("evaluation_png", fallback, areas_eval, path, areas=areas,
                          title=title, dpi=MAP_DPI, basemap=self.basemap)

    def trend(self, monthly: pd.DataFrame, path: Path, *, title: str) -> Path:
        """Crimes per month, the comparison and report periods as two series."""
        def fallback() -> Path:
            return monthly_chart(monthly, path, title=title)

        series = pd.DataFrame({"month": pd.to_datetime(monthly["month"])})
        for period, label in (("comparison", "comparison period"),
                              ("report period", "report period")):
            series[label] = monthly["count"].where(monthly["period"] == period).astype(float)
        series = series.dropna(axis=1, how="all")
        return self._call("trend_png", fallback, series, path, title=title, dpi=CHART_DPI)

    def categories(self, categories: pd.DataFrame, path: Path, *, title: str,
                   sensitive: bool) -> Path:
        def fallback() -> Path:
            return category_chart(categories, path, title=title)

        return self._call("categories_png", fallback, categories[["category", "count"]], path,
                          sensitive=sensitive, title=title, dpi=CHART_DPI)

    def seasonality(self, seasonality: pd.DataFrame, path: Path, *, title: str) -> Path:
        def fallback() -> Path:
            return seasonality_chart(seasonality, path, title=title)

        return self._call("seasonality_png", fallback, seasonality, path,
                          value="mean_per_month", title=title, dpi=CHART_DPI)
