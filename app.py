"""hotspots: the Streamlit front end. Widgets and layout only; figures come from the library."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

st.set_page_config(page_title="hotspots: Safer Streets planning", page_icon="📍", layout="wide")

import hotspots  # noqa: E402  (set_page_config must run first)
from hotspots.assets import render_html  # noqa: E402
from hotspots.find import METHODS, find_hotspots  # noqa: E402
from hotspots.groups import load_groups  # noqa: E402
from hotspots.io import load_boundary, load_crimes  # noqa: E402
from hotspots.maps import hotspot_map  # noqa: E402
from hotspots.runs import hotspot_table  # noqa: E402
from hotspots.select import select_crimes  # noqa: E402

ROOT = Path(__file__).resolve().parent
DEMO_CRIMES = ROOT / "data" / "sample_crimes"
DEMO_BOUNDARY = ROOT / "data" / "boundaries" / "neighbourhoods.gpkg"
METHOD_LABELS = {
    "gistar": "Getis-Ord Gi* (statistically significant hot spots)",
    "kde": "Kernel density (quartic)",
    "count": "Grid counts",
    "dbscan": "DBSCAN clusters",
    "hdbscan": "HDBSCAN clusters",
}


@st.cache_data(show_spinner="Loading crimes…")
def demo_crimes(path: str):
    crimes, report = load_crimes(path)
    return crimes, report


@st.cache_data(show_spinner="Loading boundaries…")
def demo_areas(path: str):
    areas, _report = load_boundary(path)
    return areas


@st.cache_data(show_spinner="Finding hotspots…")
def hotspots_for(path: str, group: str, start: str, end: str, method: str, cell_size: float):
    crimes, _ = demo_crimes(path)
    areas = demo_areas(str(DEMO_BOUNDARY))
    selected, selection = select_crimes(crimes, group=group, start=start, end=end)
    if len(selected) == 0:
        return selected, selection, None
    result = find_hotspots(selected, method=method, cell_size=cell_size or None, area=areas)
    return selected, selection, result


def _param(name: str, default: str, options: list[str]) -> str:
    value = st.query_params.get(name, default)
    return value if value in options else default


crimes, report = demo_crimes(str(DEMO_CRIMES))
areas = demo_areas(str(DEMO_BOUNDARY))
groups = load_groups()
months = report.months

st.title("Crime hotspots")
st.caption(
    "Demo data: a synthetic town in police.uk format (see data/README.md). "
    f"hotspots {hotspots.__version__}."
)

with st.sidebar:
    st.header("Scan")
    group_keys = list(groups)
    group = st.selectbox(
        "Crime group",
        group_keys,
        index=group_keys.index(_param("group", "neighbourhood", group_keys)),
        format_func=lambda k: groups[k].label,
    )
    start, end = st.select_slider(
        "Period",
        options=months,
        value=(
            _param("from", months[max(0, len(months) - 12)], months),
            _param("to", months[-1], months),
        ),
    )
    method = st.selectbox(
        "Method",
        list(METHODS),
        index=list(METHODS).index(_param("method", "gistar", list(METHODS))),
        format_func=METHOD_LABELS.get,
    )
    cell_size = st.number_input(
        "Cell size (m, 0 = automatic)", min_value=0, max_value=2000, value=0, step=25
    )
    st.query_params.update({"group": group, "from": start, "to": end, "method": method})

selected, selection, result = hotspots_for(
    str(DEMO_CRIMES), group, start, end, method, float(cell_size)
)
sensitive = groups[group].sensitive

if result is None:
    st.warning(
        f"No {groups[group].label} crimes between {start} and {end}. "
        "Choose a longer period or another crime group."
    )
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric("Crimes selected", f"{len(selected):,}")
c2.metric("Hotspots", f"{result.n_hotspots:,}")
c3.metric("Months", f"{start} to {end}")
if groups[group].note:
    st.info(groups[group].note)

fmap = hotspot_map(result, areas=areas, sensitive=sensitive, title=groups[group].label, tiles=None)
components.html(render_html(fmap), height=560)
st.caption(f"Method: {result.method_statement()}")

left, right = st.columns(2)
with left:
    st.subheader("Hotspots, hottest first")
    table = hotspot_table(result, sensitive=sensitive)
    st.dataframe(table.drop(columns=["row", "col"], errors="ignore").head(50), hide_index=True)
with right:
    st.subheader("What was loaded")
    st.text(report.to_text())
    st.dataframe(
        pd.Series(report.categories, name="crimes").rename_axis("category").reset_index(),
        hide_index=True,
    )
