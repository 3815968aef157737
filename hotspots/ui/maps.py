"""The app's maps: a named, zoomable base map framed on the selection, context without tiles,
and every legend also written as HTML beside the map (WCAG 1.1.1, 1.4.1).

Every map in the app is made here, so that each one

* is framed on what the user selected (the chosen areas, else the selected crimes);
* has a title for its frame and a labelled region (screen readers announce which map it is);
* shows area outlines and names, and, where no base tiles load (``HOTSPOTS_TILES=none``, a
  locked-down network), the names of the busiest streets from the data itself;
* says in text where the same information is given without the map.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import streamlit as st

from hotspots.errors import ParameterError
from hotspots.escaping import markdown_text as md
from hotspots.viz.tiles import NONE
from hotspots.viz.tiles import TileSource
from hotspots.viz.tiles import tile_source
from hotspots.viz.webmaps import ZOOM_SNAP
from hotspots.viz.webmaps import area_labels
from hotspots.viz.webmaps import areas_layer
from hotspots.viz.webmaps import base_map
from hotspots.viz.webmaps import labels_layer
from hotspots.viz.webmaps import street_labels
from hotspots.viz.webmaps import view_for

__all__ = ["tile_config", "framed_bounds", "app_map", "context_layers", "legend", "map_view"]

#: The width in pixels the app assumes for a full-width map when it chooses the zoom (the
#: main column at 1280-1400 px screens with the sidebar open); half of it for side-by-side maps.
MAP_WIDTH_PX = 860
#: Margin around the selection when framing a map, as a share of its width and height.
FRAME_MARGIN = 0.04
#: Without areas, a map frames the crimes between these quantiles of x and y (all but the
#: 0.5% strays on each side).
FRAME_QUANTILES = (0.005, 0.995)


def tile_config() -> TileSource:
    """The configured tile source; a configuration error is shown once and no tiles used."""
    try:
        return tile_source()
    except ParameterError as exc:
        if not st.session_state.get("_tiles_error_shown"):
            st.session_state["_tiles_error_shown"] = True
            st.error(f"Base-map tiles are off: {md(exc, lines=True)}")
        return NONE


def framed_bounds(area: gpd.GeoDataFrame | None, crimes: gpd.GeoDataFrame
                  ) -> tuple[float, float, float, float] | None:
    """What a map frames: the selected areas, else the selected crimes, with a small margin."""
    if area is not None and len(area):
        minx, miny, maxx, maxy = (float(v) for v in area.total_bounds)
    elif crimes is None or len(crimes) == 0:
        return None
    else:  # the bulk of the crimes: a few stray points (a force-wide file) must not set the view
        xs, ys = crimes.geometry.x.to_numpy(), crimes.geometry.y.to_numpy()
        (minx, maxx), (miny, maxy) = (np.nanquantile(v, FRAME_QUANTILES) for v in (xs, ys))
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    dx = max(maxx - minx, 200.0) * FRAME_MARGIN
    dy = max(maxy - miny, 200.0) * FRAME_MARGIN
    return (minx - dx, miny - dy, maxx + dx, maxy + dy)


def map_view(bounds, *, height: int, width: int = MAP_WIDTH_PX) -> dict:
    """Centre and zoom for ``st_folium``: the largest zoom at which ``bounds`` fit."""
    centre, zoom = view_for(bounds, width_px=width, height_px=height, snap=ZOOM_SNAP)
    return {"center": centre, "zoom": zoom}


def app_map(bounds, *, title: str, description: str, heat: bool = False) -> folium.Map:
    """A base map for the app: configured tiles, a title and description, zoomable page."""
    tiles = tile_config()
    return base_map(bounds, tiles=tiles.folium_tiles, attribution=tiles.attribution,
                    title=title, description=description, heat=heat)


@st.cache_resource(show_spinner=False, max_entries=16)
def _streets(key: str, area_names: tuple[str, ...], _crimes: gpd.GeoDataFrame, _area):
    inside = _crimes
    if _area is not None and len(_area):
        inside = _crimes[_crimes.geometry.within(_area.geometry.union_all())]
    bounds = framed_bounds(_area, inside)
    spacing = 0.0 if bounds is None else max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / 9
    avoid = area_labels(_area) if _area is not None else None
    return street_labels(inside, min_spacing=spacing, avoid=avoid)


def context_layers(layers: folium.FeatureGroup, *, key: str, area: gpd.GeoDataFrame | None,
                   crimes_all: gpd.GeoDataFrame | None, sensitive: bool = False) -> None:
    """Add area outlines with their names and, without tiles, the busiest streets' names.

    Street names come from every crime in the view (all groups), so they give context
    without pointing at the crimes of a sensitive group.
    """
    if area is not None and len(area):
        areas_layer(area, sensitive=sensitive).add_to(layers)
        labels_layer(area_labels(area), crs=str(area.crs), name="Area names",
                     css_class="hotspots-area-label").add_to(layers)
    if tile_config().available or crimes_all is None or len(crimes_all) == 0:
        return
    names = tuple(sorted(area["area_name"].astype(str))) if area is not None else ()
    streets = _streets(key, names, crimes_all, area)
    labels_layer(streets, crs=str(crimes_all.crs), name="Street names",
                 css_class="hotspots-street-label").add_to(layers)


def legend(title: str, entries: Sequence[tuple[str, str]], *, note: str | None = None,
           outline: str | None = None) -> None:
    """The map's legend as HTML beside the map: a swatch and a meaning per row.

    ``outline`` adds a row for area outlines. Colour is never the only cue: each row says
    what it means in words.
    """
    rows = "".join(
        f'<li><span aria-hidden="true" style="display:inline-block;width:14px;height:14px;'
        f'margin-right:6px;vertical-align:middle;border:1px solid #555;background:{colour}">'
        f"</span>{html.escape(label)}</li>" for colour, label in entries)
    if outline:
        rows += ('<li><span aria-hidden="true" style="display:inline-block;width:14px;'
                 'height:14px;margin-right:6px;vertical-align:middle;border:2px solid #333">'
                 f"</span>{html.escape(outline)}</li>")
    text = f"<p style='margin:0 0 4px 0'>{html.escape(note)}</p>" if note else ""
    st.markdown(
        f'<div class="hotspots-legend"><strong>{html.escape(title)}</strong>'
        f'<ul style="list-style:none;padding-left:0;margin:4px 0">{rows}</ul>{text}</div>',
        unsafe_allow_html=True)
