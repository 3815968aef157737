"""Step 3, Respond: plans of interventions drawn on the map and kept in a GeoPackage."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import folium
import pandas as pd
import streamlit as st

import hotspots
from hotspots.months import shift_month_label
from hotspots.ui.common import ROOT
from hotspots.ui.common import show_map
from hotspots.ui.common import tiles
from hotspots.ui.common import view
from hotspots.viz.webmaps import areas_layer
from hotspots.viz.webmaps import base_map
from hotspots.viz.webmaps import class_layer
from hotspots.viz.webmaps import hotspot_layer


def plan_store():
    from hotspots.planning.plans import PlanStore

    path = Path(os.environ.get("HOTSPOTS_PLANS", ROOT / "plans" / "plans.gpkg"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return PlanStore(path)


def _drawing_key(drawing: dict) -> str:
    """A drawing's geometry as text, to remember which drawings are saved."""
    return json.dumps(drawing.get("geometry"), sort_keys=True)


def default_cost(draft, type_key: str, catalogue) -> tuple[float, str]:
    """The cost the form starts from for ``draft`` as a ``type_key``, and how it is worked out.

    :func:`~hotspots.planning.interventions.estimate_cost` where the drawing says the
    quantity (cameras, km of line, gates); else one unit's indicative cost.
    """
    from hotspots.planning.costs import estimate_cost

    try:
        estimate = estimate_cost(replace(draft, type=type_key), catalogue)
    except hotspots.HotspotsError:
        kind = catalogue[type_key]
        return float(kind.unit_cost or 0), (
            f"GBP {kind.unit_cost:,.0f} per {kind.cost_unit} (indicative): enter the total "
            f"for the number of {kind.cost_unit}s.")
    return estimate.amount, estimate.text


def interventions_layers(items, catalogue) -> folium.FeatureGroup:
    from hotspots.planning.interventions import interventions_frame

    group = folium.FeatureGroup(name="Plan")
    if not items:
        return group
    frame = interventions_frame(items, catalogue=catalogue, geometry="coverage")
    class_layer(frame, colours=pd.Series(["#2b8cbe"] * len(frame)),
                fields=[c for c in ("name", "label", "start", "cost") if c in frame],
                name="Coverage").add_to(group)
    return group


def plan_picker(area_label):
    """Sidebar: choose or create the plan that Respond and Assess work on."""
    st.sidebar.header("Plan")
    try:
        store = plan_store()
    except hotspots.HotspotsError as exc:
        st.sidebar.error(f"The plans file cannot be used: {exc}")
        return None, None
    def listed() -> tuple[list[str], dict[str, str]]:
        # this area's plans first, then the others; each labelled with its area and size
        infos = sorted(store.plans(), key=lambda p: (p.area != area_label, p.name))
        labels = {p.name: f"{p.name} ({p.area or 'no area'}, {p.n_interventions} "
                          f"intervention{'s' if p.n_interventions != 1 else ''})" for p in infos}
        return [p.name for p in infos], labels

    plans, labels = listed()
    new_name = st.sidebar.text_input("New plan name", key="new_plan").strip()
    if st.sidebar.button("Create plan", key="create_plan") and new_name:
        if new_name in plans:
            st.sidebar.warning(f"A plan called {new_name!r} already exists.")
        else:
            store.save_plan(new_name, [], area=area_label)
            st.session_state["plan"] = new_name
            plans, labels = listed()
    if not plans:
        st.sidebar.info("Create a plan to start placing interventions.")
        return store, None
    current = st.session_state.get("plan")
    plan = st.sidebar.selectbox("Plan", plans, format_func=labels.get,
                                index=plans.index(current) if current in plans else 0, key="plan")
    return store, plan


def new_intervention(drawing, store, plan, catalogue, months, area) -> bool:
    """The form that describes a drawn shape and saves it to ``plan``; True once saved."""
    from hotspots.planning.interventions import Intervention
    from hotspots.planning.interventions import check_inside
    from hotspots.planning.interventions import from_drawing

    try:
        geometry, radius = from_drawing(drawing)
    except hotspots.HotspotsError as exc:
        st.error(f"The drawing cannot be used: {exc}")
        return False
    draft = Intervention(type="", geometry=geometry, radius_m=radius, plan=plan)
    kind = draft.geometry_kind
    fitting = [k for k, t in catalogue.items() if t.geometry_kind == kind] or list(catalogue)
    later = [shift_month_label(months[-1], n) for n in range(1, 13)]
    with st.form("new_intervention", clear_on_submit=False):
        st.write(f"New intervention: a {kind} on the map.")
        type_key = st.selectbox("Type", fitting + [k for k in catalogue if k not in fitting],
                                format_func=lambda k: catalogue[k].label, key="iv_type")
        name = st.text_input("Name", key="iv_name")
        start = st.selectbox("Start month", months + later, index=len(months) - 1,
                             key="iv_start")
        cost, how = default_cost(draft, type_key, catalogue)
        cost = st.number_input("Cost (GBP)", min_value=0.0, value=cost, step=500.0,
                               key="iv_cost")
        st.caption(f"Default cost: {how}")
        saved = st.form_submit_button("Save to plan")
    if not saved:
        return False
    iv = replace(draft, type=type_key, start=start, name=name.strip(), cost=cost)
    try:
        store.add(iv)
    except hotspots.HotspotsError as exc:
        st.error(f"Not saved: {exc}")
        return False
    st.success(f"Saved {iv.display_name} to {plan}.")
    warning = check_inside(iv, area) if area is not None else None
    if warning:
        st.warning(warning)
    return True


def respond(store, plan, result, area, areas_all, months, sensitive):
    from hotspots.planning.catalogue import load_catalogue

    catalogue = load_catalogue()
    if store is None or plan is None:
        st.info("Create or choose a plan in the sidebar to place interventions.")
        return
    items = store.load(plan)
    bounds = tuple((areas_all if areas_all is not None else result.cells).total_bounds)
    fmap = base_map(bounds, tiles=tiles())
    from folium.plugins import Draw

    Draw(export=False, draw_options={"circle": False, "circlemarker": False},
         edit_options={"edit": False, "remove": False}).add_to(fmap)
    layers = folium.FeatureGroup(name="layers")
    hotspot_layer(result, sensitive=sensitive, only_hotspots=True).add_to(layers)
    if area is not None:
        areas_layer(area, sensitive=sensitive).add_to(layers)
    interventions_layers(items, catalogue).add_to(layers)
    st.caption("Draw a point (camera), a line (street lighting, alley gates) or a polygon "
               "(target hardening, patrol area) with the toolbar, then describe it below.")
    out = show_map(fmap, key="plan_map", height=480, use_container_width=True,
                    **view(bounds), feature_group_to_add=layers,
                    returned_objects=["last_active_drawing", "all_drawings"])
    drawing = (out or {}).get("last_active_drawing")
    stored = st.session_state.setdefault("saved_drawings", set())
    drawings = [d for d in (out or {}).get("all_drawings") or []
                if json.dumps(d.get("geometry"), sort_keys=True) not in stored]
    st.write(f"{len(drawings)} drawn shape(s) not yet saved." if drawings else
             "No unsaved drawing.")
    if drawing and _drawing_key(drawing) not in stored and new_intervention(
            drawing, store, plan, catalogue, months, area):
        stored.add(_drawing_key(drawing))
        items = store.load(plan)
    if items:
        st.subheader(f"{plan}: {len(items)} intervention(s)")
        table = pd.DataFrame([{"name": i.display_name, "type": catalogue[i.type].label,
                               "start": i.start, "cost": i.cost} for i in items])
        st.dataframe(table, hide_index=True)
        with st.expander("Edit or delete an intervention"):
            names = {i.id: i.display_name for i in items}
            chosen = st.selectbox("Intervention", list(names), format_func=names.get,
                                  key="edit_choice")
            target = next(i for i in items if i.id == chosen)
            new_name = st.text_input("Name", target.name, key=f"edit_name_{chosen}")
            new_start = st.text_input("Start (YYYY-MM)", target.start, key=f"edit_start_{chosen}")
            new_cost = st.number_input("Cost (GBP)", 0.0, value=float(target.cost or 0),
                                       key=f"edit_cost_{chosen}")
            a, b = st.columns(2)
            if a.button("Save changes", key="edit_save"):
                try:
                    store.update(replace(target, name=new_name, start=new_start, cost=new_cost))
                except hotspots.HotspotsError as exc:
                    st.error(f"Not saved: {exc}")
                else:
                    st.success("Saved.")
                    items = store.load(plan)
            if b.button("Delete", key="edit_delete"):
                store.delete(chosen)
                st.success(f"Deleted {names[chosen]}.")
