"""Step 3, Respond: plans of interventions, sited on the map or from lists, kept in a GeoPackage.

A plan belongs to the data source and areas it was made on; opening it on other data says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import folium
import pandas as pd
import streamlit as st

import hotspots
from hotspots.escaping import markdown_text as md
from hotspots.ui.common import ROOT
from hotspots.ui.common import show_map
from hotspots.ui.maps import app_map
from hotspots.ui.maps import context_layers
from hotspots.ui.maps import framed_bounds
from hotspots.ui.maps import legend
from hotspots.ui.maps import map_view
from hotspots.ui.places import area_places
from hotspots.ui.places import hotspot_places
from hotspots.ui.places import street_places
from hotspots.ui.plan_edit import edit_panel
from hotspots.ui.plan_edit import plan_table
from hotspots.ui.site import SITE_CHOICES
from hotspots.ui.site import intervention_form
from hotspots.ui.site import show_flash
from hotspots.ui.site import site_from_list
from hotspots.viz.webmaps import class_layer
from hotspots.viz.webmaps import hotspot_layer
from hotspots.viz.webmaps import legend_entries

MAP_HEIGHT = 480
COVERAGE_COLOUR = "#2b8cbe"


def plan_store():
    from hotspots.planning.plans import PlanStore

    path = Path(os.environ.get("HOTSPOTS_PLANS", ROOT / "plans" / "plans.gpkg"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return PlanStore(path)


def _drawing_key(drawing: dict) -> str:
    """A drawing's geometry as text, to remember which drawings are saved."""
    return json.dumps(drawing.get("geometry"), sort_keys=True)


def interventions_layers(items, catalogue) -> folium.FeatureGroup:
    from hotspots.planning.interventions import interventions_frame

    group = folium.FeatureGroup(name="Plan")
    if not items:
        return group
    frame = interventions_frame(items, catalogue=catalogue, geometry="coverage")
    class_layer(frame, colours=pd.Series([COVERAGE_COLOUR] * len(frame)),
                fields=[c for c in ("name", "label", "start", "cost") if c in frame],
                name="Coverage").add_to(group)
    return group


def plan_picker(area_label: str, source_label: str):
    """Sidebar: choose or create the plan that Respond and Assess work on.

    Returns ``(store, plan name, warning)``; the warning says when the plan was made on
    other data or for other areas.
    """
    st.sidebar.header("Plan")
    try:
        store = plan_store()
    except hotspots.HotspotsError as exc:
        st.sidebar.error(f"The plans file cannot be used: {md(exc, lines=True)}")
        return None, None, None

    def listed():
        # plans for this data and area first, then this data, then the others
        infos = sorted(store.plans(), key=lambda p: (p.source != source_label,
                                                     p.area != area_label, p.name))
        labels = {p.name: f"{p.name} ({p.area or 'no area'}, {p.source or 'data not recorded'}"
                          f"; {p.n_interventions} intervention"
                          f"{'s' if p.n_interventions != 1 else ''})" for p in infos}
        return [p.name for p in infos], labels, {p.name: p for p in infos}

    plans, labels, infos = listed()
    # a form: the name and the button arrive together (Enter in the box creates the plan too)
    with st.sidebar.form("new_plan_form", border=False, clear_on_submit=True):
        new_name = st.text_input("New plan name", key="new_plan").strip()
        create = st.form_submit_button("Create plan")
    if create and not new_name:
        st.sidebar.warning("Type a name for the new plan first.")
    elif create:
        try:  # created only if absent, under the store's lock (another session may race)
            store.create_plan(new_name, area=area_label, source=source_label)
        except hotspots.HotspotsError:
            st.sidebar.warning(f"A plan called {md(repr(new_name))} already exists.")
        else:
            st.session_state["current_plan"] = new_name
            st.sidebar.success(f"Created the plan {md(repr(new_name))}.")
        plans, labels, infos = listed()
    if not plans:
        st.sidebar.info("Create a plan to start placing interventions.")
        return store, None, None
    # The choice is kept under its own name as well as the widget's: Streamlit forgets a
    # widget's state on any run that does not draw it (the Scan and Analyse steps).
    state = st.session_state
    if state.get("current_plan") not in plans:
        state["current_plan"] = plans[0]
    state["plan"] = state["current_plan"]
    plan = st.sidebar.selectbox("Plan", plans, format_func=labels.get, key="plan",
                                on_change=_plan_chosen)
    return store, plan, infos[plan].made_for(area=area_label, source=source_label)


def _plan_chosen() -> None:
    st.session_state["current_plan"] = st.session_state["plan"]


def plan_mismatch(store, plan, warning, *, area_label, source_label) -> None:
    """Say that the plan was made on other data or areas; offer to record the current ones."""
    if not warning:
        return
    st.warning(f"{md(warning)} Its baseline, maps and figures here use the data you are looking "
               "at now.")
    if st.button("Record the current data and areas for this plan", key="plan_rebind"):
        store.save_plan(plan, store.load(plan), area=area_label, source=source_label)
        st.rerun()


@st.cache_resource(show_spinner=False, max_entries=8)
def _streets(key: str, _crimes):
    return street_places(_crimes)


def respond(store, plan, result, area, months, sensitive, *, selected, crimes_all, key):
    from hotspots.planning.catalogue import load_catalogue

    catalogue = load_catalogue()
    show_flash()
    if store is None or plan is None:
        st.info("Create or choose a plan in the sidebar to place interventions.")
        return
    items = store.load(plan)
    # the base map frames all the data and stays the same, so drawings survive changes of
    # the selection; the view moves to the selection
    fmap = app_map(framed_bounds(None, crimes_all), title="Plan map",
                   description="Interventions can also be placed from the lists under "
                               "'Where', and the plan table lists them.")
    from folium.plugins import Draw

    Draw(export=False, draw_options={"circle": False, "circlemarker": False},
         edit_options={"edit": False, "remove": False}).add_to(fmap)
    layers = folium.FeatureGroup(name="layers")
    hotspot_layer(result, sensitive=sensitive, only_hotspots=True).add_to(layers)
    context_layers(layers, key=key, area=area, crimes_all=crimes_all, sensitive=sensitive)
    interventions_layers(items, catalogue).add_to(layers)

    how = st.radio("Where", list(SITE_CHOICES), format_func=SITE_CHOICES.get, key="site_how",
                   horizontal=True,
                   help="Every way gives the same form; the lists work with the keyboard.")
    if how == "map":
        st.caption("Draw a point (camera), a line (street lighting, alley gates) or a polygon "
                   "(target hardening, patrol area) with the toolbar, then describe it below.")
    bounds = framed_bounds(area, selected)
    out = show_map(fmap, key="plan_map", height=MAP_HEIGHT, use_container_width=True,
                   **map_view(bounds, height=MAP_HEIGHT), feature_group_to_add=layers,
                   returned_objects=["last_active_drawing", "all_drawings"])
    legend("Legend: plan map", legend_entries(result, only_hotspots=True)
           + [(COVERAGE_COLOUR, "area an intervention covers")],
           outline="area outline, with its name" if area is not None else None)
    stored = st.session_state.setdefault("saved_drawings", set())
    if how == "map":
        _from_drawing(out, stored, store, plan, catalogue, months, area)
    else:
        hot = hotspot_places(result, crimes_all, sensitive=sensitive, limit=100)
        geometry, name = site_from_list(how, hot, area_places(area), _streets(key, crimes_all),
                                        selected.crs)
        if geometry is not None and intervention_form(
                geometry, None, name=name, store=store, plan=plan, catalogue=catalogue,
                months=months, area=area):
            st.rerun()
    if items:
        plan_table(plan, items, catalogue)
        edit_panel(store, items, months)
    else:
        st.write(f"{md(plan)} has no interventions yet.")


def _from_drawing(out, stored, store, plan, catalogue, months, area) -> None:
    from hotspots.planning.interventions import from_drawing

    drawing = (out or {}).get("last_active_drawing")
    drawings = [d for d in (out or {}).get("all_drawings") or []
                if _drawing_key(d) not in stored]
    st.write(f"{len(drawings)} drawn shape(s) not yet saved." if drawings else
             "No unsaved drawing.")
    if not drawing or _drawing_key(drawing) in stored:
        return
    try:
        geometry, radius = from_drawing(drawing)
    except hotspots.HotspotsError as exc:
        st.error(f"The drawing cannot be used: {md(exc, lines=True)}")
        return
    if intervention_form(geometry, radius, name="", store=store, plan=plan,
                         catalogue=catalogue, months=months, area=area):
        stored.add(_drawing_key(drawing))
        st.rerun()
