"""Siting an intervention: by drawing on the map, or by choosing a hotspot, an area, a street
or typed coordinates (the keyboard and screen-reader route), then describing it in a form.

The form belongs to one drawing or place: its widgets are keyed by the geometry, so a new
drawing starts from fresh defaults (never the last intervention's type, name or cost), and
the cost follows the chosen type (the library's ``estimate_cost``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import geopandas as gpd
import shapely
import streamlit as st

import hotspots
from hotspots.escaping import markdown_text as md
from hotspots.months import shift_month_label
from hotspots.planning.interventions import PLAN_CRS
from hotspots.ui.places import Place

__all__ = ["SITE_CHOICES", "site_from_list", "intervention_form", "geometry_key", "flash"]

#: How an intervention can be placed without drawing; "map" is the drawing on the map.
SITE_CHOICES = {
    "map": "Draw it on the map",
    "hotspot": "At a hotspot",
    "area": "Across an area",
    "street": "On a street from the data",
    "coordinates": "At typed coordinates",
}
#: Coordinate systems for typed coordinates.
COORDINATE_SYSTEMS = {"EPSG:27700": "easting and northing (British National Grid, m)",
                      "EPSG:4326": "latitude and longitude (degrees)"}


def geometry_key(geometry: shapely.Geometry) -> str:
    """A short stable key for a geometry (keys the form of the intervention sited there)."""
    text = json.dumps(shapely.geometry.mapping(geometry), sort_keys=True, default=list)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def flash(kind: str, text: str) -> None:
    """Keep a message (plain text: shown escaped) to show after the rerun that follows a
    change."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    """The kept messages, in one container that is always there (so that the elements after
    it keep their places, and expanders their state, when it is empty)."""
    slot = st.container()
    for kind, text in st.session_state.pop("flash", []):
        getattr(slot, kind)(md(text))  # plain sentences quoting plan and place names


def site_from_list(how: str, hot: list[Place], areas: list[Place], streets: list[Place],
                   crs) -> tuple[shapely.Geometry | None, str]:
    """The geometry (EPSG:27700) and a default name for a place chosen from a list."""
    options = {"hotspot": hot, "area": areas, "street": streets}.get(how)
    if options is not None:
        if not options:
            st.info(f"No {how} to choose in this selection.")
            return None, ""
        labels = [p.label for p in options]
        label = st.selectbox(SITE_CHOICES[how], labels, key=f"site_{how}")
        place = options[labels.index(label)]
        geometry = place.geometry
        if how == "hotspot" and st.checkbox("As a point at its centre (e.g. a camera)",
                                            key="site_hot_point"):
            geometry = geometry.centroid
        shape = gpd.GeoSeries([geometry], crs=crs).to_crs(PLAN_CRS).iloc[0]
        return shape, label.split(": ", 1)[-1]
    system = st.radio("Coordinates as", list(COORDINATE_SYSTEMS), key="site_crs",
                      format_func=COORDINATE_SYSTEMS.get, horizontal=True)
    a, b = st.columns(2)
    if system == "EPSG:27700":
        x = a.number_input("Easting (m)", 0.0, 700_000.0, None, 10.0, key="site_x")
        y = b.number_input("Northing (m)", 0.0, 1_300_000.0, None, 10.0, key="site_y")
    else:
        y = a.number_input("Latitude", 49.0, 61.0, None, 0.0001, format="%.6f", key="site_lat")
        x = b.number_input("Longitude", -9.0, 2.0, None, 0.0001, format="%.6f", key="site_lon")
    if x is None or y is None:
        st.caption("Type both coordinates to place a point there.")
        return None, ""
    point = gpd.GeoSeries([shapely.Point(x, y)], crs=system).to_crs(PLAN_CRS).iloc[0]
    return point, f"Point at {point.x:,.0f} E, {point.y:,.0f} N"


def default_cost(draft, type_key: str, catalogue) -> tuple[float, str]:
    """The cost the form starts from for ``draft`` as a ``type_key``, and how it is worked out.

    :func:`~hotspots.planning.costs.estimate_cost` where the geometry says the quantity
    (cameras, km of line, gates); else one unit's indicative cost.
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


def intervention_form(geometry, radius, *, name: str, store, plan, catalogue, months,
                      area) -> bool:
    """Describe the intervention sited at ``geometry`` and save it to ``plan``; True if saved."""
    from hotspots.planning.interventions import Intervention
    from hotspots.planning.interventions import check_inside

    draft = Intervention(type="", geometry=geometry, radius_m=radius, plan=plan)
    kind = draft.geometry_kind
    k = geometry_key(geometry)
    fitting = [t for t, v in catalogue.items() if v.geometry_kind == kind] or list(catalogue)
    types = fitting + [t for t in catalogue if t not in fitting]
    later = [shift_month_label(months[-1], n) for n in range(1, 13)]
    with st.container(border=True):
        st.markdown(f"**New intervention: a {kind} on the map{f' ({md(name)})' if name else ''}.**")
        type_key = st.selectbox("Type", types, format_func=lambda t: catalogue[t].label,
                                key=f"iv_type_{k}")
        label = st.text_input("Name", value=name, key=f"iv_name_{k}")
        start = st.selectbox("Start month", months + later, index=len(months) - 1,
                             key=f"iv_start_{k}")
        amount, how = default_cost(draft, type_key, catalogue)
        cost = st.number_input("Cost (GBP)", min_value=0.0, value=float(amount), step=500.0,
                               key=f"iv_cost_{k}_{type_key}")
        st.caption(f"Default cost for {catalogue[type_key].label}: {how}")
        if not st.button("Save to plan", key=f"iv_save_{k}", type="primary"):
            return False
    iv = replace(draft, type=type_key, start=start, name=label.strip(), cost=cost)
    try:
        store.add(iv)
    except hotspots.HotspotsError as exc:
        st.error(f"Not saved: {md(exc, lines=True)}")
        return False
    flash("success", f"Saved {iv.display_name} to {plan}.")
    warning = check_inside(iv, area) if area is not None else None
    if warning:
        flash("warning", warning)
    return True
