"""Step 1, Scan: the hotspot map, its table, and the profile of a clicked place."""

from __future__ import annotations

import folium
import shapely
import streamlit as st

from hotspots.analysis.profile import place_profile
from hotspots.pipelines.find import hotspot_table
from hotspots.privacy import count_label
from hotspots.ui.common import show_map
from hotspots.ui.common import tiles
from hotspots.ui.common import view
from hotspots.viz.webmaps import areas_layer
from hotspots.viz.webmaps import base_map
from hotspots.viz.webmaps import heat_layer
from hotspots.viz.webmaps import hotspot_layer


def scan(selected, result, area, areas_all, groups, group, sensitive):
    c1, c2, c3 = st.columns(3)
    c1.metric("Crimes selected", f"{len(selected):,}")
    c2.metric("Hotspots", f"{result.n_hotspots:,}")
    c3.metric("Cells or clusters", f"{len(result.cells):,}")
    if groups[group].note:
        st.caption(groups[group].note)
    bounds = tuple((areas_all if areas_all is not None else selected).total_bounds)
    fmap = base_map(bounds, tiles=tiles())
    layers = folium.FeatureGroup(name="layers")
    hotspot_layer(result, sensitive=sensitive).add_to(layers)
    if area is not None:
        areas_layer(area, sensitive=sensitive).add_to(layers)
    if st.toggle("Show crimes as a heat layer", key="heat") and not sensitive:
        heat_layer(selected).add_to(layers)
    out = show_map(
        fmap, key="scan_map", **view(bounds), height=520, use_container_width=True,
        feature_group_to_add=layers, returned_objects=["last_clicked"],
    )
    st.caption(f"Method: {result.method_statement()} Click a hotspot or area for its profile.")
    clicked = (out or {}).get("last_clicked")
    if clicked:
        profile_panel(selected, result, area, clicked, sensitive)
    st.subheader("Hotspots, hottest first")
    table = hotspot_table(result, sensitive=sensitive)
    if table.empty:
        st.info("No hotspots: no place holds more crime than chance would put there "
                "(the method statement above says how this was tested).")
    st.caption("Only places with crimes are listed: a place with none is never offered "
               "for an intervention.")
    st.dataframe(table.drop(columns=["row", "col", "label"], errors="ignore").head(100),
                 hide_index=True)


def profile_panel(selected, result, area, clicked, sensitive):
    point = shapely.Point(clicked["lng"], clicked["lat"])
    import geopandas as gpd

    where = gpd.GeoSeries([point], crs=4326).to_crs(selected.crs).iloc[0]
    hit = result.cells[result.cells.contains(where)]
    name = None
    if len(hit):
        row = hit.iloc[0]
        place = row.geometry
        name = str(row.get("cell_id", row.get("cluster_id", "hotspot")))
    elif area is not None and area.contains(where).any():
        row = area[area.contains(where)].iloc[0]
        place, name = row.geometry, str(row["area_name"])
    if name is None:
        st.info("No hotspot or area at that point.")
        return
    profile = place_profile(selected, place, name=name)
    st.subheader(f"Profile: {name}")
    a, b, c = st.columns(3)
    shown = count_label(profile.crimes, sensitive=sensitive, spec=",")
    a.metric("Crimes", shown)
    b.metric("Share of the selection",
             f"{profile.share_of_surroundings:.1%}" if profile.share_of_surroundings else "–")
    c.metric("Area", f"{profile.area_km2:.2f} km²")
    left, mid, right = st.columns(3)
    left.dataframe(profile.by_category, hide_index=True)
    mid.bar_chart(profile.by_month.set_index("month")["count"])
    right.dataframe(profile.streets, hide_index=True)
