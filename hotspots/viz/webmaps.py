"""Interactive hotspot maps (folium), converted to EPSG:4326 only here, at the edge.

Which cells are drawn and their colours follow :mod:`hotspots.viz.classes`, as on the print
maps.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element

from hotspots.escaping import html_text
from hotspots.methods.stability import stability_statement
from hotspots.privacy import count_labels
from hotspots.result import HotspotResult
from hotspots.schema import street_name
from hotspots.viz.classes import GI_LABELS
from hotspots.viz.classes import MAX_MAP_FEATURES
from hotspots.viz.classes import cells_to_draw
from hotspots.viz.classes import class_colours
from hotspots.viz.colours import GI_COLOURS
from hotspots.viz.colours import SEQUENTIAL
from hotspots.viz.mapelements import AccessibleMap
from hotspots.viz.mapelements import DataGeoJson
from hotspots.viz.mapelements import HeatAssets
from hotspots.viz.mapelements import MapAccessibility

__all__ = [
    "hotspot_map",
    "layer_group",
    "base_map",
    "view_for",
    "lonlat_bounds",
    "areas_layer",
    "hotspot_layer",
    "heat_layer",
    "class_layer",
    "legend_box",
    "legend_entries",
    "labels_layer",
    "area_labels",
    "street_labels",
    "MAX_MAP_FEATURES",
]

#: Surfaces (KDE, counts) with more cells than this are drawn as one shape per colour class.
DISSOLVE_ABOVE = 1_000
#: Distinct crime locations drawn in a heat layer at most (the busiest are kept).
MAX_HEAT_POINTS = 20_000
#: Where an empty map looks when there is nothing to frame (the East Midlands).
DEFAULT_VIEW = (-1.6, 52.9, -1.0, 53.1)
#: Zoom steps of the maps: quarter levels, so a selection can fill its map.
ZOOM_SNAP = 0.25
#: Street names written on a map without base tiles (the busiest streets in view): enough to
#: find one's way, few enough not to cover the hotspots.
MAX_STREET_LABELS = 12


def _escaped(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return ``frame[columns]`` with every text value HTML-escaped (text comes from data files)."""
    # a plain DataFrame: building a GeoDataFrame for a few text columns costs more than the rest
    out = pd.DataFrame({col: frame[col].to_numpy(copy=True) for col in columns},
                       index=frame.index)
    for col in columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(html_text)
    return out


def layer_group(name: str, **options: Any) -> folium.FeatureGroup:
    """A feature group whose ``name`` (user text: a group label, a plan name) is escaped.

    Leaflet's layer control inserts layer names as HTML, so a name is text only once
    escaped (:func:`hotspots.escaping.html_text`).

    Examples
    --------
    >>> layer_group('<img src=x onerror=alert(1)>').layer_name
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return folium.FeatureGroup(name=html_text(name), **options)


def legend_entries(result: HotspotResult, *, only_hotspots: bool = False
                   ) -> list[tuple[str, str]]:
    """The (colour, meaning) rows of a hotspot map's legend, hottest first.

    Examples
    --------
    >>> cells = gpd.GeoDataFrame({"score": [3.0], "hotspot": [True]},
    ...     geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:27700")
    >>> legend_entries(HotspotResult(cells, "count", {}))[0][1]
    'top 5% of cells (crimes per cell)'
    """
    if result.shown_method == "gistar":
        return [(GI_COLOURS[b], name) for b, name in GI_LABELS.items()
                if not only_hotspots or b > 0]
    if result.layer != "cells":
        return [(SEQUENTIAL[-1], "cluster (darker: more crimes)")]
    what = {"kde": "density", "count": "crimes per cell"}.get(result.shown_method, "crimes")
    names = [f"top 5% of cells ({what})", "90–95%", "75–90%", "50–75%", "lower half"]
    rows = list(zip(SEQUENTIAL[::-1], names, strict=True))
    return rows[:1] if only_hotspots else rows


def _legend(result: HotspotResult, title: str) -> str:
    rows = "".join(f'<div><span style="background:{c}"></span>{html_text(lab)}</div>'
                   for c, lab in legend_entries(result))
    statement = " ".join(t for t in (result.method_statement(),
                                     stability_statement(result.params)) if t)
    return legend_box(title, rows, html_text(statement))


def legend_box(title: str, rows_html: str, statement_html: str, *,
               position: str = "bottom:28px;right:10px", max_width: int = 280) -> str:
    """A map legend fixed over the map: a title, colour rows and a statement under them.

    ``rows_html`` is ``<div><span style="background:#hex"></span>label</div>`` rows (the
    span is drawn as a swatch); ``title`` is escaped here, the rows and the statement must
    be escaped by the caller. ``position`` is CSS placing the box.

    Examples
    --------
    >>> box = legend_box("A & B", '<div><span style="background:#f00"></span>hot</div>', "x")
    >>> "A &amp; B" in box and 'id="hotspots-legend"' in box
    True
    """
    style = (f"position:fixed;{position};z-index:1000;\n background:white;padding:8px 10px;"
             f"border:1px solid #888;font:12px sans-serif;max-width:{max_width}px")
    return f"""
<div id="hotspots-legend" style="{style}">
 <b>{html_text(title)}</b>{rows_html}
 <div style="margin-top:4px;color:#444">{statement_html}</div>
 <style>#hotspots-legend span{{display:inline-block;width:14px;height:14px;margin-right:6px;
 vertical-align:middle;border:1px solid #999}}</style>
</div>"""


def lonlat_bounds(bounds: tuple[float, float, float, float] | None, *,
                  crs: str = "EPSG:27700") -> tuple[float, float, float, float]:
    """``bounds`` (in ``crs``) as longitude/latitude; :data:`DEFAULT_VIEW` when there are
    none or they do not convert to valid degrees (an extent far beyond the CRS's area).

    Examples
    --------
    >>> lonlat_bounds(None) == DEFAULT_VIEW
    True
    >>> lonlat_bounds((0.0, 0.0, 1e12, 1e12)) == DEFAULT_VIEW
    True
    """
    if bounds is None or not np.all(np.isfinite(bounds)):
        return DEFAULT_VIEW
    frame = gpd.GeoSeries([shapely.box(*bounds)], crs=crs).to_crs(4326)
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    valid = (np.all(np.isfinite([minx, miny, maxx, maxy])) and -180 <= minx <= maxx <= 180
             and -90 <= miny <= maxy <= 90)
    return (minx, miny, maxx, maxy) if valid else DEFAULT_VIEW


def view_for(
    bounds: tuple[float, float, float, float] | None,
    *,
    crs: str = "EPSG:27700",
    width_px: int = 700,
    height_px: int = 420,
    snap: float = 1.0,
) -> tuple[list[float], float]:
    """Centre (lat, lon) and the largest web-map zoom at which ``bounds`` fit the pixels.

    Maps in tabs that are hidden when drawn cannot measure themselves, so the app gives
    every map its view explicitly rather than relying on fit-to-bounds. The zoom is a
    multiple of ``snap`` (1: whole zoom levels; maps with ``zoomSnap`` set take less).

    Examples
    --------
    >>> view_for((436000, 357000, 444000, 363000))[1]
    12
    """
    minx, miny, maxx, maxy = lonlat_bounds(bounds, crs=crs)
    centre = [float(miny + maxy) / 2, float(minx + maxx) / 2]
    # web mercator: 256 px span 360 degrees of longitude at zoom 0; latitude is stretched
    lat_scale = 1 / np.cos(np.radians(centre[0]))
    zoom_x = np.log2(width_px * 360 / (256 * max(maxx - minx, 1e-9)))
    zoom_y = np.log2(height_px * 360 / (256 * max(maxy - miny, 1e-9) * lat_scale))
    zoom = float(np.clip(np.floor(min(zoom_x, zoom_y) / snap) * snap, 1, 18))
    return centre, int(zoom) if snap == 1.0 else zoom


def base_map(
    bounds: tuple[float, float, float, float] | None,
    *,
    crs: str = "EPSG:27700",
    tiles: str | None = "OpenStreetMap",
    attribution: str | None = None,
    title: str = "Map",
    description: str = "",
    heat: bool = False,
) -> folium.Map:
    """An empty map framed on ``bounds`` (in ``crs``); the stable base for app maps.

    ``tiles`` is ``None``, ``"OpenStreetMap"`` or a URL template (then ``attribution`` is
    required). ``title`` names the map and its frame for assistive technology, and
    ``description`` says where its content is given as text. ``heat`` loads Leaflet.heat
    so that a :func:`heat_layer` can be added later without reloading the map.

    Examples
    --------
    >>> m = base_map((440000, 360000, 441000, 361000), tiles=None)
    >>> [round(v, 2) for v in m.location]
    [53.14, -1.4]
    """
    fmap = AccessibleMap(tiles=tiles, attr=attribution, max_zoom=19, control_scale=True,
                         prefer_canvas=True, zoom_snap=ZOOM_SNAP)
    MapAccessibility(title, description).add_to(fmap)
    if heat:
        HeatAssets().add_to(fmap)
    minx, miny, maxx, maxy = lonlat_bounds(bounds, crs=crs)
    fmap.location = [float(miny + maxy) / 2, float(minx + maxx) / 2]
    fmap.options["zoom"] = (view_for(bounds, crs=crs, snap=ZOOM_SNAP)[1] if bounds is not None
                            else 10)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def labels_layer(
    labels: pd.DataFrame, *, crs: str, name: str, css_class: str = "hotspots-label",
) -> folium.FeatureGroup:
    """Text labels (``label``, ``x``, ``y`` in ``crs``) written on the map, not focusable.

    Labels are plain text (escaped) in a white box, so they read on any base map.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["A <Road>"], "x": [440000.0], "y": [360000.0]})
    >>> m = base_map(None, tiles=None)
    >>> _ = labels_layer(t, crs="EPSG:27700", name="Streets").add_to(m)
    >>> page = m.get_root().render()
    >>> "u0026lt;Road" in page and "<Road>" not in page
    True
    """
    group = layer_group(name)
    if len(labels) == 0:
        return group
    points = gpd.GeoSeries(gpd.points_from_xy(labels["x"], labels["y"]), crs=crs).to_crs(4326)
    font = "italic 11px sans-serif" if "street" in css_class else "bold 12px sans-serif"
    style = (f"font:{font};color:#1a1a1a;background:rgba(255,255,255,0.85);"
             "padding:0 3px;border-radius:2px;white-space:nowrap;transform:translate(-50%,-50%);"
             "display:inline-block")
    for text, point in zip(labels["label"], points, strict=True):
        folium.Marker(
            [point.y, point.x], interactive=False, keyboard=False,
            icon=folium.DivIcon(html=f'<span class="{css_class}" style="{style}">'
                                     f"{html_text(text)}</span>",
                                icon_size=(0, 0), icon_anchor=(0, 0)),
        ).add_to(group)
    return group


def area_labels(areas: gpd.GeoDataFrame, *, area_name: str = "area_name") -> pd.DataFrame:
    """Each area's name at a point inside it (for :func:`labels_layer`).

    Examples
    --------
    >>> a = gpd.GeoDataFrame({"area_name": ["North"]}, geometry=[shapely.box(0, 0, 10, 10)],
    ...                      crs="EPSG:27700")
    >>> area_labels(a).to_dict("records")
    [{'label': 'North', 'x': 5.0, 'y': 5.0}]
    """
    if areas is None or len(areas) == 0 or area_name not in areas:
        return pd.DataFrame({"label": [], "x": [], "y": []})
    inside = areas.geometry.representative_point()
    return pd.DataFrame({"label": areas[area_name].astype(str).to_numpy(),
                         "x": inside.x.to_numpy(), "y": inside.y.to_numpy()})


def street_labels(crimes: gpd.GeoDataFrame, *, n: int = MAX_STREET_LABELS,
                  min_spacing: float = 0.0, avoid: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``n`` busiest named streets, each at the middle of its crimes' map points.

    Context for maps without base tiles: police.uk snaps crimes to points on or near
    streets, so these are real street names at their own places. A street closer than
    ``min_spacing`` (CRS units) to a busier one, or closer than half of it to a point of
    ``avoid`` (``x``, ``y``: e.g. area labels), is skipped so that labels do not overlap.

    Examples
    --------
    >>> c = gpd.GeoDataFrame({"location": ["On or near A Road"] * 2 + ["No Location"]},
    ...     geometry=gpd.points_from_xy([0, 10, 5], [0, 0, 5]), crs="EPSG:27700")
    >>> street_labels(c).to_dict("records")
    [{'label': 'A Road', 'x': 5.0, 'y': 0.0}]
    """
    if crimes is None or len(crimes) == 0 or "location" not in crimes:
        return pd.DataFrame({"label": [], "x": [], "y": []})
    frame = pd.DataFrame({"street": crimes["location"].map(street_name),
                          "x": crimes.geometry.x.to_numpy(), "y": crimes.geometry.y.to_numpy()})
    frame = frame[frame["street"] != ""]
    if len(frame) == 0:
        return pd.DataFrame({"label": [], "x": [], "y": []})
    busiest = frame.groupby("street").agg(n=("x", "size"), x=("x", "median"),
                                          y=("y", "median"))
    busiest = busiest.sort_values("n", ascending=False, kind="stable")
    others = [] if avoid is None else list(zip(avoid["x"], avoid["y"], strict=True))
    keep = []
    for street, row in busiest.iterrows():
        if len(keep) == n:
            break
        clear = all(np.hypot(row.x - x, row.y - y) >= min_spacing for _, x, y in keep)
        if clear and all(np.hypot(row.x - x, row.y - y) >= min_spacing / 2 for x, y in others):
            keep.append((street, row.x, row.y))
    return pd.DataFrame(keep, columns=["label", "x", "y"])


def areas_layer(
    areas: gpd.GeoDataFrame,
    *,
    area_name: str = "area_name",
    sensitive: bool = False,
    name: str = "Areas",
    highlight: list[str] | None = None,
) -> folium.FeatureGroup:
    """Area outlines with escaped tooltips (name, count, rank where present)."""
    group = layer_group(name)
    if areas is None or len(areas) == 0:
        return group
    shown = [c for c in (area_name, "count", "rank") if c in areas.columns]
    outline = _escaped(areas, shown)
    if sensitive and "count" in outline:
        outline["count"] = count_labels(areas["count"])
    chosen = set(highlight or [])
    outline["_w"] = [3.0 if n in chosen else 1.5 for n in areas.get(area_name, [])] or 1.5
    outline = gpd.GeoDataFrame(outline, geometry=areas.geometry.values, crs=areas.crs)
    DataGeoJson(
        outline.to_crs(4326).to_geo_dict(),
        style_function=lambda f: {
            "color": "#333", "weight": f["properties"].get("_w", 1.5), "fill": False,
        },
        tooltip=folium.GeoJsonTooltip(fields=shown) if shown else None,
    ).add_to(group)
    return group


def hotspot_layer(
    result: HotspotResult,
    *,
    sensitive: bool = False,
    name: str | None = None,
    only_hotspots: bool = False,
) -> folium.FeatureGroup:
    """Hotspot cells or clusters coloured by class or score, with escaped tooltips.

    Grid methods draw every cell with a score (Gi*: every significant cell) unless
    ``only_hotspots``, which draws the cells flagged as hotspots only.
    """
    group = layer_group(name or f"Hotspots ({result.method})")
    cells = cells_to_draw(result, only_hotspots)
    if len(cells) == 0:
        return group
    fields = [c for c in ("cell_id", "cluster_id", "count", "score", "gi_class",
                          "top_categories", "top_streets") if c in cells.columns]
    if result.layer == "cells" and result.method != "gistar" and len(cells) > DISSOLVE_ABOVE:
        layer, fields = _dissolved_classes(result, cells)
    else:
        shown = _escaped(cells, fields)
        if "score" in shown:
            shown["score"] = cells["score"].map(lambda v: f"{v:.3g}")
        if sensitive and "count" in shown:
            shown["count"] = count_labels(cells["count"])
        if only_hotspots and result.method != "gistar" and result.layer == "cells":
            shown["_colour"] = SEQUENTIAL[-1]  # one class: "top 5%", as the legend says
        else:
            shown["_colour"] = class_colours(result, cells)
        layer = gpd.GeoDataFrame(shown, geometry=cells.geometry.values, crs=cells.crs)
    _coloured_geojson(layer, fields, opacity=0.7).add_to(group)
    return group


def _coloured_geojson(
    layer: gpd.GeoDataFrame, fields: list[str], *, opacity: float
) -> folium.GeoJson:
    """Polygons filled with their ``_colour`` column, with a tooltip of ``fields``."""
    return DataGeoJson(
        layer.to_crs(4326).to_geo_dict(),
        style_function=lambda f: {
            "fillColor": f["properties"]["_colour"],
            "color": f["properties"]["_colour"],
            "weight": 0.5,
            "fillOpacity": opacity,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields),
    )


def _dissolved_classes(
    result: HotspotResult, cells: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Merge a surface's cells into one shape per colour class (far fewer features to draw)."""
    colours = class_colours(result, cells)
    what = "density" if result.method == "kde" else "crimes per cell"
    rows = []
    for colour in SEQUENTIAL:
        part = cells[colours == colour]
        if len(part) == 0:
            continue
        rows.append({
            "class": f"{what} {part['score'].min():.3g} to {part['score'].max():.3g}",
            "cells": len(part),
            "_colour": colour,
            "geometry": shapely.coverage_union_all(part.geometry.to_numpy()),
        })
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=cells.crs)
    return frame, ["class", "cells"]


def heat_layer(
    crimes: gpd.GeoDataFrame, *, name: str = "Crimes (heat)", max_points: int = MAX_HEAT_POINTS,
    show: bool = False,
) -> folium.FeatureGroup:
    """Crimes as a heat layer (coincident points pooled into weights; never single markers).

    More distinct points than ``max_points`` keeps the busiest ones (the layer says so in
    its name). ``show`` puts it on the map at once (else a layer control switches it on).
    """
    from folium.plugins import HeatMap

    group = layer_group(name, show=show)
    if len(crimes) == 0:
        return group
    pts = crimes.geometry.to_crs(4326)
    pooled = (
        pd.DataFrame({"lat": pts.y.round(6), "lon": pts.x.round(6)})
        .value_counts()
        .rename("n")
        .reset_index()
    )
    if len(pooled) > max_points:
        pooled = pooled.nlargest(max_points, "n")
        group.layer_name = html_text(f"{name}: busiest {max_points:,} points")
    HeatMap(
        pooled[["lat", "lon", "n"]].to_numpy().tolist(), radius=12, blur=15, min_opacity=0.3
    ).add_to(group)
    return group


def class_layer(
    frame: gpd.GeoDataFrame,
    *,
    colours: pd.Series,
    fields: list[str],
    name: str,
    sensitive_count: str | None = None,
    max_features: int = MAX_MAP_FEATURES,
) -> folium.FeatureGroup:
    """Polygons filled with one colour each (``colours``, aligned to ``frame``).

    For change maps, emerging patterns and any classified layer; tooltip text is escaped
    and, with ``sensitive_count``, that column's counts of 1–4 show as "<5".

    Examples
    --------
    >>> import shapely
    >>> box = shapely.box(4e5, 3e5, 4e5 + 99, 3e5 + 99)
    >>> f = gpd.GeoDataFrame({"label": ["<b>"]}, geometry=[box], crs="EPSG:27700")
    >>> m = base_map(None, tiles=None)
    >>> class_layer(f, colours=pd.Series(["#f00"]), fields=["label"], name="t").add_to(m)
    <...>
    >>> page = m.get_root().render()
    >>> "lt;b" in page and '"<b>"' not in page
    True
    """
    group = layer_group(name)
    if len(frame) == 0:
        return group
    if len(frame) > max_features:
        frame = frame.iloc[:max_features]
        colours = colours.iloc[:max_features]
    shown = _escaped(frame, fields)
    if sensitive_count is not None and sensitive_count in frame:
        shown[sensitive_count] = count_labels(frame[sensitive_count])
    shown["_colour"] = list(colours)
    layer = gpd.GeoDataFrame(shown, geometry=frame.geometry.values, crs=frame.crs)
    _coloured_geojson(layer, fields, opacity=0.75).add_to(group)
    return group


def hotspot_map(
    result: HotspotResult,
    *,
    areas: gpd.GeoDataFrame | None = None,
    area_name: str = "area_name",
    sensitive: bool = False,
    title: str = "Hotspots",
    tiles: str | None = "OpenStreetMap",
    layer_control: bool = True,
) -> folium.Map:
    """Return a folium map of a hotspot result, with optional area outlines.

    Cells or clusters are coloured by class (Gi*) or score (others), with tooltips whose
    text is HTML-escaped. For ``sensitive`` groups (VAWG), counts of 1–4 show as "<5".
    ``layer_control=False`` leaves out the layer control, for callers that add layers
    after this (the control must come last: it lists the layers that exist when it is
    drawn, and refers to them by name in the page's script).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"score": [3.0], "hotspot": [True], "count": [3]},
    ...     geometry=[shapely.box(450000, 340000, 450100, 340100)], crs="EPSG:27700")
    >>> m = hotspot_map(HotspotResult(cells, "count", {"cell_size": 100}), tiles=None)
    >>> isinstance(m, folium.Map)
    True
    """
    frame = areas if areas is not None and len(areas) else cells_to_draw(result)
    if len(frame) == 0:
        frame = result.cells
    bounds = tuple(frame.to_crs(result.cells.crs).total_bounds) if len(frame) else None
    fmap = base_map(bounds, crs=str(result.cells.crs), tiles=tiles)
    if areas is not None and len(areas):
        areas_layer(areas, area_name=area_name, sensitive=sensitive).add_to(fmap)
    hotspot_layer(result, sensitive=sensitive, name=f"{title} ({result.method})").add_to(fmap)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(fmap)
    fmap.get_root().html.add_child(Element(_legend(result, title)))
    return fmap
