"""Test-only Streamlit page: a folium map with the Draw control, through st_folium.

The browser tests run it with ``streamlit run tests/browser/draw_page.py`` until app.py has
its own Draw control. It shows which assets mode is in use and how many shapes the browser
has sent back, e.g. "1 drawn shape".
"""

from __future__ import annotations

from pathlib import Path

import folium
import folium.plugins
import streamlit as st
from streamlit_folium import st_folium

from hotspots.viz.assets import use_local_assets

st.set_page_config(page_title="hotspots: draw test page")

# Streamlit serves static/ beside this script at /app/static/.
local = use_local_assets(folder=Path(__file__).resolve().parent / "static" / "vendor")
st.caption(f"Map assets: {'local' if local else 'CDN'}")

fmap = folium.Map(location=[52.954, -1.150], zoom_start=15, tiles=None)
folium.Polygon(
    [(52.952, -1.156), (52.952, -1.146), (52.957, -1.146), (52.957, -1.156)],
    color="#b10026",
    fill=True,
    tooltip="Test hotspot",
).add_to(fmap)
folium.plugins.Draw(
    export=False,
    draw_options={"polyline": False, "circle": False, "circlemarker": False},
).add_to(fmap)

state = st_folium(fmap, key="draw", height=420, width=640, returned_objects=["all_drawings"])
drawings = (state or {}).get("all_drawings") or []
st.write(f"{len(drawings)} drawn shape{'' if len(drawings) == 1 else 's'}")
for shape in drawings:
    st.write(f"Drawn: {shape['geometry']['type']}")
