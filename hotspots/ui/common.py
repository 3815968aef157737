"""Shared pieces of the app's views: map views, side-by-side maps, trend charts, settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import folium
import streamlit as st
import streamlit_folium

from hotspots.escaping import markdown_text as md
from hotspots.ui.maps import app_map
from hotspots.ui.maps import legend
from hotspots.ui.maps import map_view
from hotspots.viz.colours import ROLE_COLOURS
from hotspots.viz.webmaps import class_layer
from hotspots.viz.webmaps import hotspot_layer
from hotspots.viz.webmaps import layer_group
from hotspots.viz.webmaps import legend_entries

ROOT = Path(__file__).resolve().parents[2]
#: Uploads larger than this are refused with a message (Streamlit's own cap is set higher).
MAX_UPLOAD_MB = 200
METHOD_LABELS = {
    "auto": "Auto (the ranking that best predicts held-out months)",
    "gistar": "Getis-Ord Gi* (significant hot spots)",
    "kde": "Kernel density (quartic)",
    "count": "Grid counts",
    "dbscan": "DBSCAN clusters",
    "hdbscan": "HDBSCAN clusters",
}


def show_map(fmap: folium.Map, **kwargs):
    """``streamlit_folium.st_folium``, looked up at call time (tests replace it)."""
    return streamlit_folium.st_folium(fmap, **kwargs)


def data_dir() -> Path:
    """The demo folder (sample_crimes/ and boundaries/); HOTSPOTS_DATA points elsewhere."""
    return Path(os.environ.get("HOTSPOTS_DATA", ROOT / "data"))


def tiles() -> str | None:
    """Base-map tiles (``HOTSPOTS_TILES``, see :mod:`hotspots.viz.tiles`); None for none."""
    from hotspots.ui.maps import tile_config

    return tile_config().folium_tiles


def view(bounds, *, height: int = 420, width: int | None = None) -> dict:
    """Explicit centre and zoom for st_folium (maps in hidden tabs cannot fit themselves)."""
    return map_view(bounds, height=height, **({"width": width} if width else {}))


def url_param(name: str, default, options):
    value = st.query_params.get(name, default)
    return value if value in options else default


def side_by_side(results, labels, bounds, key, sensitive, areas=None,
                 caption="hotspot cells (top 5% of cells in each period)") -> None:
    """Two hotspot results on identical maps (same view), e.g. before and after."""
    columns = st.columns(2)
    for column, result, label in zip(columns, results, labels, strict=True):
        with column:
            st.caption(f"{md(label)}: {md(caption)}.")
            layers = layer_group(label)
            hotspot_layer(result, sensitive=sensitive, name=label,
                          only_hotspots=True).add_to(layers)
            if areas is not None:
                class_layer(areas.frame, colours=areas.frame["role"].map(ROLE_COLOURS),
                            fields=["role"], name="Evaluation areas").add_to(layers)
            fmap = app_map(bounds, title=f"Map: {label}",
                           description="The tables on this page give the same figures.")
            show_map(fmap, **view(bounds, height=340, width=420), key=f"{key}_{label}",
                     height=340, use_container_width=True, feature_group_to_add=layers,
                     returned_objects=[])
            entries = legend_entries(result, only_hotspots=True)
            if areas is not None:
                entries += [(ROLE_COLOURS[r], f"{r} area") for r in ROLE_COLOURS]
            legend(f"Legend: {label}", entries)


def trend_chart(result: Any, start: str) -> None:
    """The evaluation's monthly trend: the evidence pack's chart (control on its own axis)."""
    from hotspots.viz.charts import evaluation_trend_figure

    figure(evaluation_trend_figure(result),
           alt=f"Monthly crimes in the target, buffer and control areas before and after the "
               f"start of the scheme ({start}); the counts are in the table above.")
    st.caption(f"Dotted line: the start of the scheme ({start}). Target and buffer use the "
               "left axis, the control area the right axis.")


def figure(fig, *, alt: str) -> None:
    """A matplotlib figure as an image with a text alternative (``st.pyplot`` gives none)."""
    import base64
    import html
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    st.markdown(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
                'style="max-width:100%">', unsafe_allow_html=True)

