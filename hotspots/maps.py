"""Interactive hotspot maps (folium), converted to EPSG:4326 only here, at the edge."""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element

from .result import HotspotResult

__all__ = ["hotspot_map", "GI_COLOURS", "MAX_MAP_FEATURES"]

#: Colours for Gi* bins -3..3 (cold to hot), after the usual ArcGIS hot spot palette.
GI_COLOURS: dict[int, str] = {
    -3: "#4575b4",
    -2: "#91bfdb",
    -1: "#d1e5f0",
    0: "#f7f7f7",
    1: "#fddbc7",
    2: "#ef8a62",
    3: "#b2182b",
}
#: Sequential colours for counts and densities (light to dark), five classes.
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
#: More polygons than this make a page too slow to open; the hottest are kept.
MAX_MAP_FEATURES = 15_000
#: Counts below this are shown as "<5" for sensitive crime groups (DESIGN.md, privacy).
SMALL_COUNT = 5


def _escaped(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return ``frame[columns]`` with every text value HTML-escaped (text comes from data files)."""
    out = frame[columns].copy()
    for col in columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: html.escape(str(v)) if v is not None else "")
    return out


def _suppress(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "<5" if 0 < v < SMALL_COUNT else f"{v:g}")


def _cells_to_draw(result: HotspotResult) -> gpd.GeoDataFrame:
    cells = result.cells
    if result.method == "gistar" and "gi_bin" in cells:
        cells = cells[cells["gi_bin"] != 0]
    elif result.layer == "cells":
        cells = cells[cells["score"] > 0]
    if len(cells) > MAX_MAP_FEATURES:
        cells = cells.nlargest(MAX_MAP_FEATURES, "score")
    return cells


def _colour_column(result: HotspotResult, cells: gpd.GeoDataFrame) -> pd.Series:
    if result.method == "gistar" and "gi_bin" in cells:
        return cells["gi_bin"].astype(int).map(GI_COLOURS)
    if len(cells) == 0:
        return pd.Series([], dtype=object, index=cells.index)
    ranks = cells["score"].rank(pct=True, method="max").to_numpy()
    idx = np.clip(np.ceil(ranks * len(SEQUENTIAL)).astype(int) - 1, 0, len(SEQUENTIAL) - 1)
    return pd.Series(np.array(SEQUENTIAL)[idx], index=cells.index)


def _legend(result: HotspotResult, title: str) -> str:
    if result.method == "gistar":
        labels = {3: "Hot spot (99%)", 2: "Hot spot (95%)", 1: "Hot spot (90%)",
                  -1: "Cold spot (90%)", -2: "Cold spot (95%)", -3: "Cold spot (99%)"}
        rows = "".join(
            f'<div><span style="background:{GI_COLOURS[b]}"></span>{labels[b]}</div>'
            for b in (3, 2, 1, -1, -2, -3)
        )
    else:
        what = {"kde": "density", "count": "crimes per cell"}.get(result.method, "crimes")
        rows = "".join(
            f'<div><span style="background:{c}"></span>{lab}</div>'
            for c, lab in zip(
                SEQUENTIAL[::-1],
                [f"highest {what}", "", "", "", f"lowest {what}"],
                strict=True,
            )
        )
    statement = html.escape(result.method_statement())
    return f"""
<div id="hotspots-legend" style="position:fixed;bottom:28px;right:10px;z-index:1000;
 background:white;padding:8px 10px;border:1px solid #888;font:12px sans-serif;max-width:280px">
 <b>{html.escape(title)}</b>{rows}
 <div style="margin-top:4px;color:#444">{statement}</div>
 <style>#hotspots-legend span{{display:inline-block;width:14px;height:14px;margin-right:6px;
 vertical-align:middle;border:1px solid #999}}</style>
</div>"""


def hotspot_map(
    result: HotspotResult,
    *,
    areas: gpd.GeoDataFrame | None = None,
    area_name: str = "area_name",
    sensitive: bool = False,
    title: str = "Hotspots",
    tiles: str | None = "OpenStreetMap",
) -> folium.Map:
    """Return a folium map of a hotspot result, with optional area outlines.

    Cells or clusters are coloured by class (Gi*) or score (others), with tooltips whose
    text is HTML-escaped. For ``sensitive`` groups (VAWG), counts of 1–4 show as "<5".

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"score": [3.0], "hotspot": [True], "count": [3]},
    ...     geometry=[shapely.box(450000, 340000, 450100, 340100)], crs="EPSG:27700")
    >>> m = hotspot_map(HotspotResult(cells, "count", {"cell_size": 100}), tiles=None)
    >>> type(m).__name__
    'Map'
    """
    cells = _cells_to_draw(result)
    frame = result.cells if len(cells) == 0 else cells
    extent = gpd.GeoSeries(frame.geometry, crs=result.cells.crs)
    if areas is not None and len(areas):
        extent = gpd.GeoSeries(areas.to_crs(result.cells.crs).geometry)
    if len(extent):
        minx, miny, maxx, maxy = extent.to_crs(4326).total_bounds
    else:
        minx, miny, maxx, maxy = (-1.6, 52.9, -1.0, 53.1)
    fmap = folium.Map(tiles=tiles, max_zoom=19, control_scale=True, prefer_canvas=True)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])

    if areas is not None and len(areas):
        shown = [c for c in (area_name, "count", "rank") if c in areas.columns]
        outline = _escaped(areas, shown)
        if sensitive and "count" in outline:
            outline["count"] = _suppress(areas["count"])
        outline = gpd.GeoDataFrame(outline, geometry=areas.geometry.values, crs=areas.crs)
        folium.GeoJson(
            json.loads(outline.to_crs(4326).to_json()),
            name="Areas",
            style_function=lambda _f: {"color": "#333", "weight": 1.5, "fill": False},
            tooltip=folium.GeoJsonTooltip(fields=shown) if shown else None,
        ).add_to(fmap)

    if len(cells):
        fields = [c for c in ("cell_id", "cluster_id", "count", "score", "gi_class",
                              "top_categories", "top_streets") if c in cells.columns]
        shown = _escaped(cells, fields)
        if "score" in shown:
            shown["score"] = cells["score"].map(lambda v: f"{v:.3g}")
        if sensitive and "count" in shown:
            shown["count"] = _suppress(cells["count"])
        shown["_colour"] = _colour_column(result, cells)
        layer = gpd.GeoDataFrame(shown, geometry=cells.geometry.values, crs=cells.crs)
        folium.GeoJson(
            json.loads(layer.to_crs(4326).to_json()),
            name=f"{title} ({result.method})",
            style_function=lambda f: {
                "fillColor": f["properties"]["_colour"],
                "color": f["properties"]["_colour"],
                "weight": 0.5,
                "fillOpacity": 0.7,
            },
            tooltip=folium.GeoJsonTooltip(fields=fields),
        ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.get_root().html.add_child(Element(_legend(result, title)))
    return fmap
