"""The emerging hot spot web map: cells coloured by pattern, each with its monthly counts.

:func:`emerging_map` draws an :func:`hotspots.methods.emerging.emerging_hotspots` result
with folium, as ``hotspots trends`` and ``hotspots compare`` write it to ``map.html``.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element

from hotspots.escaping import html_text
from hotspots.methods.patterns import PATTERN_RULES
from hotspots.methods.patterns import PATTERNS
from hotspots.privacy import suppress_small_counts
from hotspots.viz.colours import EMERGING_COLOURS
from hotspots.viz.mapelements import DataGeoJson
from hotspots.viz.webmaps import lonlat_bounds

__all__ = ["MAX_MAP_CELLS", "emerging_map"]

#: Most emerging cells drawn on the map (hot patterns first); more make the page slow.
MAX_MAP_CELLS = 15_000


def _sparkline(counts: np.ndarray, bins: np.ndarray) -> str:
    """A small inline SVG of a cell's counts per step, hot steps red and cold steps blue."""
    w, h, pad = 180.0, 40.0, 3.0
    top = max(float(counts.max()), 1.0)
    xs = np.linspace(pad, w - pad, counts.size)
    ys = h - pad - (counts / top) * (h - 2 * pad)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{"#d7301f" if b > 0 else "#2171b5"}"/>'
        for x, y, b in zip(xs, ys, bins, strict=True) if b != 0
    )
    return (f'<svg width="{w:.0f}" height="{h:.0f}" xmlns="http://www.w3.org/2000/svg">'
            f'<polyline points="{line}" fill="none" stroke="#555" stroke-width="1.2"/>{dots}'
            "</svg>")


def emerging_map(
    result: Any,
    *,
    areas: gpd.GeoDataFrame | None = None,
    sensitive: bool = False,
    title: str = "Emerging hot spots",
    tiles: str | None = "OpenStreetMap",
) -> folium.Map:
    """Return a folium map of an emerging hot spot result: cells coloured by pattern.

    Cells with no pattern are not drawn. Each drawn cell has a tooltip (pattern, crimes,
    hot and cold steps, trend) and, unless ``sensitive``, a popup with its monthly counts
    as a small chart (hot steps red, cold steps blue). The legend lists the patterns shown,
    each with its rule.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspots.methods.emerging import emerging_hotspots
    >>> months = pd.to_datetime(["2024-01-01", "2024-02-01"] * 3)
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy([440000] * 6, [360000] * 6), crs="EPSG:27700")
    >>> type(emerging_map(emerging_hotspots(crimes, cell_size=100), tiles=None)).__name__
    'Map'
    """
    cells = result.cells
    drawn = cells[cells["pattern_code"] != 0]
    if len(drawn) > MAX_MAP_CELLS:
        drawn = drawn.assign(_hot=drawn["hotspot"]).sort_values(
            ["_hot", "score"], ascending=False).head(MAX_MAP_CELLS).drop(columns="_hot")
    extent = areas if areas is not None and len(areas) else (drawn if len(drawn) else cells)
    minx, miny, maxx, maxy = lonlat_bounds(
        tuple(extent.total_bounds) if len(extent) else None, crs=str(extent.crs))
    fmap = folium.Map(tiles=tiles, max_zoom=19, control_scale=True, prefer_canvas=True)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    if areas is not None and len(areas):
        outline = gpd.GeoDataFrame(geometry=areas.geometry.values, crs=areas.crs)
        DataGeoJson(outline.to_crs(4326).to_geo_dict(), name="Areas",
                       style_function=lambda _f: {"color": "#333", "weight": 1.5,
                                                  "fill": False}).add_to(fmap)
    if len(drawn):
        count = drawn["count"].map(lambda v: f"{v:g}")
        if sensitive:
            count = suppress_small_counts(drawn[["count"]], ("count",))["count"]
        shown = pd.DataFrame({
            "cell_id": drawn["cell_id"].astype(str).map(html_text),
            "pattern": drawn["pattern"].astype(str),
            "crimes": count.to_numpy(),
            "hot_steps": drawn["n_hot_steps"].astype(int).to_numpy(),
            "cold_steps": drawn["n_cold_steps"].astype(int).to_numpy(),
            "trend": drawn["trend"].astype(str).to_numpy(),
            "_colour": drawn["pattern_code"].map(EMERGING_COLOURS).to_numpy(),
        }, index=drawn.index)
        fields = ["cell_id", "pattern", "crimes", "hot_steps", "cold_steps", "trend"]
        popup = None
        if not sensitive:
            rows, cols = drawn["row"].to_numpy(), drawn["col"].to_numpy()
            counts = result.counts[:, rows, cols].T
            bins = result.bins[:, rows, cols].T
            labels = result.steps.labels
            shown["chart"] = [
                f"<b>{cid}</b>: crimes per {result.steps.unit}, {labels[0]} to {labels[-1]}<br>"
                + _sparkline(c, b)
                for cid, c, b in zip(shown["cell_id"], counts, bins, strict=True)
            ]
            popup = folium.GeoJsonPopup(fields=["chart"], labels=False)
        layer = gpd.GeoDataFrame(shown, geometry=drawn.geometry.values, crs=drawn.crs)
        DataGeoJson(
            layer.to_crs(4326).to_geo_dict(),
            name=html_text(title),
            style_function=lambda f: {"fillColor": f["properties"]["_colour"],
                                      "color": f["properties"]["_colour"], "weight": 0.5,
                                      "fillOpacity": 0.75},
            tooltip=folium.GeoJsonTooltip(fields=fields),
            popup=popup,
        ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    present = sorted(set(drawn["pattern_code"].astype(int)), key=lambda c: (c < 0, abs(c)))
    rows_html = "".join(
        f'<div title="{html_text(PATTERN_RULES.get(PATTERNS[c], PATTERN_RULES["Cold spots"]))}">'
        f'<span style="background:{EMERGING_COLOURS[c]}"></span>{PATTERNS[c]}</div>'
        for c in present
    ) or "<div>No emerging pattern found</div>"
    statement = html_text(result.method_statement()) + " Hover a pattern for its rule."
    legend = f"""
<div id="hotspots-legend" style="position:fixed;bottom:24px;left:12px;z-index:1000;
 background:white;padding:8px 10px;border:1px solid #888;font:12px sans-serif;max-width:300px">
 <b>{html_text(title)}</b>{rows_html}
 <div style="margin-top:4px;color:#444">{statement}</div>
 <style>#hotspots-legend span{{display:inline-block;width:14px;height:14px;margin-right:6px;
 vertical-align:middle;border:1px solid #999}}</style>
</div>"""
    fmap.get_root().html.add_child(Element(legend))
    return fmap
