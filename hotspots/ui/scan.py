"""Step 1, Scan: the hotspot map, its legend, the hotspot table, and a place's profile.

Everything the map does can be done without it: the table under the map and the "Open the
profile of" list open the same profile as a click on a hotspot or an area.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from hotspots.escaping import markdown_text as md
from hotspots.pipelines.find import hotspot_table
from hotspots.ui.common import show_map
from hotspots.ui.maps import app_map
from hotspots.ui.maps import context_layers
from hotspots.ui.maps import framed_bounds
from hotspots.ui.maps import legend
from hotspots.ui.maps import map_view
from hotspots.ui.places import MAX_LISTED
from hotspots.ui.places import Place
from hotspots.ui.places import area_places
from hotspots.ui.places import hotspot_places
from hotspots.ui.places import place_at
from hotspots.ui.profile import profile_panel
from hotspots.viz.webmaps import heat_layer
from hotspots.viz.webmaps import hotspot_layer
from hotspots.viz.webmaps import legend_entries

#: The first entry of the profile list: no profile open.
NO_PROFILE = "(none)"
#: Columns of p-values, shown to three decimals ("<0.001" below that).
P_COLUMNS = ("gi_p", "gi_p_fdr", "p_value", "p")
MAP_HEIGHT = 520


def p_text(value) -> str:
    """A p-value as a reader quotes it: three decimals, "<0.001" below that.

    Examples
    --------
    >>> p_text(0.04321), p_text(3e-9), p_text(float("nan"))
    ('0.043', '<0.001', '')
    """
    if value is None or pd.isna(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


@st.cache_resource(show_spinner="Naming the hotspots…", max_entries=16)
def _places(context, _result, _crimes_all, _area, sensitive):
    return hotspot_places(_result, _crimes_all, sensitive=sensitive), area_places(_area)


def _set_target(place: Place | None) -> None:
    st.session_state["profile_target"] = None if place is None else (place.kind, place.id)
    st.session_state["profile_pick"] = NO_PROFILE if place is None else place.label


def _target(places: list[Place]) -> Place | None:
    wanted = st.session_state.get("profile_target")
    return next((p for p in places if (p.kind, p.id) == wanted), None) if wanted else None


def scan(selected, crimes_all, result, area, groups, group, sensitive, *, key, context,
         period):
    """The Scan step. ``context`` identifies the selection: a profile never outlives it."""
    state = st.session_state
    if state.get("profile_context") != context:
        state["profile_context"] = context
        _set_target(None)
    c1, c2, c3 = st.columns(3)
    c1.metric("Crimes selected", f"{len(selected):,}")
    c2.metric("Hotspots", f"{result.n_hotspots:,}")
    c3.metric("Cells or clusters", f"{len(result.cells):,}")
    if groups[group].note:
        st.caption(md(groups[group].note))
    hot, areas = _places(context, result, crimes_all, area, sensitive)

    bounds = framed_bounds(area, selected)
    fmap = app_map(bounds, title="Hotspot map",
                   description="The hotspot table and the profile list below the map give "
                               "the same information.", heat=True)
    layers = folium.FeatureGroup(name="layers")
    hotspot_layer(result, sensitive=sensitive).add_to(layers)
    context_layers(layers, key=key, area=area, crimes_all=crimes_all, sensitive=sensitive)
    heat = st.toggle("Show crimes as a heat layer", key="heat", disabled=sensitive,
                     help="Not for sensitive groups: a heat layer shows where single crimes "
                          "were." if sensitive else "Crimes drawn as a smooth heat surface.")
    if sensitive:
        st.caption(f"The heat layer is off for {md(groups[group].label)}: it would show where "
                   "single crimes happened. Hotspots are shown as cells only.")
    elif heat:
        heat_layer(selected, show=True).add_to(layers)
    out = show_map(fmap, key="scan_map", **map_view(bounds, height=MAP_HEIGHT),
                   height=MAP_HEIGHT, use_container_width=True, feature_group_to_add=layers,
                   returned_objects=["last_clicked"])
    legend("Legend: hotspot map", legend_entries(result),
           note=result.method_statement(),
           outline="area outline, with its name" if area is not None else None)
    _map_click(out, selected.crs, hot, areas)

    st.subheader("Hotspots and areas")
    labels = [NO_PROFILE] + [p.label for p in hot[:MAX_LISTED]] + [p.label for p in areas]
    if state.get("profile_pick") not in labels:
        state["profile_pick"] = NO_PROFILE
    st.selectbox("Open the profile of", labels, key="profile_pick",
                 on_change=_picked, args=(hot + areas,),
                 help="Every hotspot with crimes (hottest first) and every area; the same "
                      "profile opens from a click on the map.")
    _hotspot_table(result, hot, sensitive, context)
    _area_table(selected, areas, sensitive, context)
    target = _target(hot + areas)
    if target is not None:
        profile_panel(selected, target, sensitive=sensitive, group_label=groups[group].label,
                      period=period)
    elif state.get("profile_missed"):
        st.info(md(state["profile_missed"]))


def _picked(places: list[Place]) -> None:
    label = st.session_state.get("profile_pick")
    place = next((p for p in places if p.label == label), None)
    st.session_state["profile_target"] = None if place is None else (place.kind, place.id)
    st.session_state["profile_missed"] = None


def _map_click(out, crs, hot: list[Place], areas: list[Place]) -> None:
    """A new click on the map opens the profile of the hotspot or area under it."""
    clicked = (out or {}).get("last_clicked")
    state = st.session_state
    if not clicked or clicked == state.get("scan_last_click"):
        return
    state["scan_last_click"] = clicked
    where = gpd.GeoSeries([shapely.Point(clicked["lng"], clicked["lat"])],
                          crs=4326).to_crs(crs).iloc[0]
    place = place_at(where, hot, areas)
    _set_target(place)
    state["profile_missed"] = None if place is not None else (
        "No hotspot or area at the point clicked: click inside a coloured hotspot or an area "
        "outline, or choose from the list.")


def _hotspot_table(result, hot: list[Place], sensitive: bool, context) -> None:
    table = hotspot_table(result, sensitive=sensitive)
    ident = "cell_id" if "cell_id" in table else ("cluster_id" if "cluster_id" in table
                                                   else None)
    if ident is None or len(hot) == 0:
        st.write("No hotspots: no place with crimes in it holds more crime than chance would "
                 "put there (the method statement above says how this was tested).")
        return
    by_id = {p.id: p for p in hot[:MAX_LISTED]}
    table = table[table[ident].astype(str).isin(by_id)].copy()
    table.insert(1, "near", [by_id[str(i)].near for i in table[ident]])
    for col in P_COLUMNS:
        if col in table:
            table[col] = table[col].map(p_text)
    shown = table.drop(columns=["row", "col", "label", "geometry"], errors="ignore")
    st.caption("Select a row to open its profile. Hotspots with crimes in them, hottest "
               "first (at most 100).")
    key = f"hot_table_{abs(hash(context)) % 10**8}"
    st.dataframe(shown, hide_index=True, selection_mode="single-row", key=key,
                 on_select=lambda: _table_selected(key, shown[ident].astype(str).tolist(),
                                                   by_id))


def _table_selected(key: str, ids: list[str], by_id: dict[str, Place]) -> None:
    rows = st.session_state[key].selection.rows
    if rows:
        _set_target(by_id[ids[rows[0]]])
        st.session_state["profile_missed"] = None


@st.cache_resource(show_spinner=False, max_entries=16)
def _area_counts(context, _selected, _areas: tuple[Place, ...]) -> pd.DataFrame:
    shapes = gpd.GeoDataFrame({"area": [p.id for p in _areas]},
                              geometry=[p.geometry for p in _areas], crs=_selected.crs)
    hits = gpd.sjoin(_selected[["geometry"]], shapes, predicate="within", how="inner")
    counts = hits.groupby("area").size().reindex(shapes["area"], fill_value=0)
    table = pd.DataFrame({"area": counts.index, "crimes": counts.to_numpy()})
    table["share"] = table["crimes"] / max(len(_selected), 1)
    return table.sort_values(["crimes", "area"], ascending=[False, True]).reset_index(drop=True)


def _area_table(selected, areas: list[Place], sensitive: bool, context) -> None:
    """The areas of the selection with their crimes; selecting a row opens its profile."""
    from hotspots.privacy import suppress_table

    if not areas:
        return
    table = _area_counts(context, selected, tuple(areas))
    shown = suppress_table(table, ["crimes"], ["share"], sensitive=sensitive)
    shown = shown.assign(share=[v if isinstance(v, str) else f"{v:.1%}" for v in shown["share"]])
    st.caption("Areas, busiest first. Select a row to open its profile.")
    by_id = {p.id: p for p in areas}
    key = f"area_table_{abs(hash(context)) % 10**8}"
    st.dataframe(shown, hide_index=True, selection_mode="single-row", key=key,
                 on_select=lambda: _table_selected(key, table["area"].astype(str).tolist(),
                                                   by_id))
