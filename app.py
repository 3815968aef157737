"""hotspots: the Streamlit front end. Widgets and layout only; figures come from the library.

Read in SARA order: Scan (where), Analyse (what, when, which streets, how it changed),
Respond (plan interventions), Assess (projected and observed effect).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

st.set_page_config(page_title="hotspots: Safer Streets planning", page_icon="📍", layout="wide")

import folium  # noqa: E402  (set_page_config must run first)
import shapely  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

import hotspots  # noqa: E402
from hotspots import assets  # noqa: E402
from hotspots.export import suppress_small_counts  # noqa: E402
from hotspots.find import METHODS, find_hotspots  # noqa: E402
from hotspots.groups import load_groups  # noqa: E402
from hotspots.io import load_boundary, load_crimes  # noqa: E402
from hotspots.maps import (  # noqa: E402
    areas_layer,
    base_map,
    class_layer,
    heat_layer,
    hotspot_layer,
    view_for,
)
from hotspots.profile import place_profile  # noqa: E402
from hotspots.runs import hotspot_table  # noqa: E402
from hotspots.select import select_crimes  # noqa: E402

ROOT = Path(__file__).resolve().parent
#: The demo folder (sample_crimes/ and boundaries/); HOTSPOTS_DATA points the app elsewhere.
DATA_DIR = Path(os.environ.get("HOTSPOTS_DATA", ROOT / "data"))
DEMO_CRIMES = DATA_DIR / "sample_crimes"
DEMO_BOUNDARY = DATA_DIR / "boundaries" / "neighbourhoods.gpkg"
#: Uploads larger than this are refused with a message (Streamlit's own cap is set higher).
MAX_UPLOAD_MB = 200
METHOD_LABELS = {
    "gistar": "Getis-Ord Gi* (significant hot spots)",
    "kde": "Kernel density (quartic)",
    "count": "Grid counts",
    "dbscan": "DBSCAN clusters",
    "hdbscan": "HDBSCAN clusters",
}
ROLE_COLOURS = {"target": "#2b8cbe", "buffer": "#a6bddb", "control": "#bdbdbd"}
TILES = None if os.environ.get("HOTSPOTS_TILES", "osm").lower() == "none" else "OpenStreetMap"

if hasattr(assets, "use_local_assets"):
    assets.use_local_assets()


# ----------------------------------------------------------------------------- data
@st.cache_data(show_spinner="Loading crimes…", max_entries=4)
def crimes_from_paths(paths: tuple[str, ...], mapping: str | None):
    return load_crimes(list(paths), mapping=mapping)


@st.cache_data(show_spinner="Loading crimes…", max_entries=4)
def crimes_from_upload(digest: str, _files: tuple[tuple[str, bytes], ...], mapping: str | None):
    folder = Path(tempfile.mkdtemp(prefix=f"hotspots-{digest[:8]}-"))
    paths = []
    for name, data in _files:
        path = folder / Path(name).name
        path.write_bytes(data)
        paths.append(str(path))
    return load_crimes(paths, mapping=json.loads(mapping) if mapping else None)


@st.cache_data(show_spinner="Loading boundaries…", max_entries=4)
def areas_from_path(path: str):
    return load_boundary(path)


@st.cache_data(show_spinner="Loading boundaries…", max_entries=4)
def areas_from_upload(digest: str, name: str, _data: bytes):
    folder = Path(tempfile.mkdtemp(prefix=f"hotspots-b-{digest[:8]}-"))
    path = folder / Path(name).name
    path.write_bytes(_data)
    return load_boundary(str(path))


def view(bounds) -> dict:
    """Explicit centre and zoom for st_folium (maps in hidden tabs cannot fit themselves)."""
    centre, zoom = view_for(bounds)
    return {"center": centre, "zoom": zoom}


def _csv_header(name: str, data: bytes) -> list[str] | None:
    """The header of an uploaded CSV (plain or gzip), or None for zips and unreadable files."""
    import csv
    import gzip
    import io

    if name.lower().endswith(".zip"):
        return None
    try:
        raw = gzip.decompress(data) if name.lower().endswith(".gz") else data
        first = raw[:65536].decode("utf-8-sig", errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return None
    return next(csv.reader(io.StringIO(first)), None)


def mapping_form(blobs) -> str | None:
    """Sidebar: a column mapping for uploads that are not in police.uk format (JSON text)."""
    from hotspots.io import POLICE_UK_COLUMNS
    from hotspots.schema import POLICE_UK_CATEGORIES

    header = _csv_header(*blobs[0])
    if header is None or set(POLICE_UK_COLUMNS[:11]) <= {h.strip() for h in header}:
        return None
    with st.sidebar.expander("Column mapping (this file is not in police.uk format)",
                             expanded=True):
        st.caption(f"Columns found: {', '.join(header)}")
        pick = ["(none)"] + header

        def column(label, guess, key):
            found = next((h for h in header if h.lower() in guess), "(none)")
            return st.selectbox(label, pick, index=pick.index(found), key=key)

        crs = st.radio("Coordinates", ["EPSG:4326", "EPSG:27700"], key="map_crs",
                       format_func={"EPSG:4326": "longitude/latitude",
                                    "EPSG:27700": "easting/northing (BNG)"}.get)
        x = column("x (longitude or easting)", ("longitude", "lon", "x", "easting"), "map_x")
        y = column("y (latitude or northing)", ("latitude", "lat", "y", "northing"), "map_y")
        month = column("Month or date", ("month", "date", "offence_date"), "map_month")
        category = column("Crime type column", ("category", "crime_type", "crime type"),
                          "map_category")
        constant = st.selectbox("…or one crime type for every row", ["(none)"]
                                + list(POLICE_UK_CATEGORIES), key="map_constant")
        location = column("Location / street (optional)", ("location", "street"), "map_loc")
    problems = [n for n, v in (("x", x), ("y", y), ("month or date", month)) if v == "(none)"]
    if category == "(none)" and constant == "(none)":
        problems.append("a crime type column or a single crime type")
    if problems:
        st.info("Choose " + ", ".join(problems) + " in the column mapping (sidebar).")
        st.stop()
    columns = {"x": x, "y": y, "month": month}
    if location != "(none)":
        columns["location"] = location
    constants = {}
    if category != "(none)":
        columns["category"] = category
    else:
        constants["category"] = constant
    return json.dumps({"crs": crs, "columns": columns, "constants": constants}, sort_keys=True)


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
    return h.hexdigest()


def data_source():
    """Sidebar: where the crimes and areas come from. Returns (key, crimes, report, areas)."""
    st.sidebar.header("Data")
    choice = st.sidebar.radio(
        "Crimes", ["Demo town", "Upload files", "data.police.uk"], key="source",
        help="The demo is a synthetic town in police.uk format (data/README.md).",
    )
    if choice == "Demo town":
        crimes, report = crimes_from_paths((str(DEMO_CRIMES),), None)
        areas, _ = areas_from_path(str(DEMO_BOUNDARY))
        return "demo", crimes, report, areas
    if choice == "data.police.uk":
        return police_api_source()

    files = st.sidebar.file_uploader(
        "police.uk CSVs, a police.uk zip, or a force CSV",
        type=["csv", "zip", "gz"], accept_multiple_files=True, key="crime_files",
    )
    boundary = st.sidebar.file_uploader(
        "Boundaries (GeoPackage, GeoJSON, zipped Shapefile)",
        type=["gpkg", "geojson", "json", "zip", "kml"], key="boundary_file",
    )
    if not files:
        st.info("Upload crime files in the sidebar, or switch back to the demo town.")
        st.stop()
    too_big = [f.name for f in files if f.size > MAX_UPLOAD_MB * 1024 * 1024]
    if too_big:
        st.error(
            f"{', '.join(too_big)} is larger than {MAX_UPLOAD_MB} MB. Split it by month, or run "
            "the command line (`hotspots find`), which has no size limit."
        )
        st.stop()
    blobs = tuple((f.name, f.getvalue()) for f in files)
    mapping = mapping_form(blobs)
    digest = _digest(*(n for n, _ in blobs), *(b for _, b in blobs), mapping or "")
    try:
        crimes, report = crimes_from_upload(digest, blobs, mapping)
    except hotspots.HotspotsError as exc:
        st.error(f"Could not load the crime files: {exc}")
        st.stop()
    areas = None
    if boundary is not None:
        try:
            areas, _ = areas_from_upload(
                _digest(boundary.name, boundary.getvalue()), boundary.name, boundary.getvalue()
            )
        except hotspots.HotspotsError as exc:
            st.sidebar.error(f"Boundary not used: {exc}")
    return f"upload:{digest}", crimes, report, areas


@st.cache_data(show_spinner="Asking data.police.uk…", ttl=3600)
def api_list(what: str, force: str = ""):
    from hotspots.policeapi import PoliceAPI

    api = PoliceAPI()
    if what == "forces":
        return api.forces()
    if what == "months":
        return api.available_months()
    return api.neighbourhoods(force)


def police_api_source():
    """Sidebar: fetch crimes and neighbourhood boundaries from the police.uk API."""
    from hotspots.policeapi import PoliceAPI, fetch_crimes, fetch_neighbourhood_boundaries

    try:
        forces = api_list("forces")
        months = api_list("months")
    except hotspots.HotspotsError as exc:
        st.error(str(exc))
        st.stop()
    names = {f["id"]: f["name"] for f in forces}
    force = st.sidebar.selectbox("Force", list(names), format_func=names.get, key="api_force")
    hoods = {n["id"]: n["name"] for n in api_list("neighbourhoods", force)}
    chosen = st.sidebar.multiselect("Neighbourhoods", list(hoods), format_func=hoods.get,
                                    key="api_hoods")
    wanted = st.sidebar.multiselect("Months", months, default=months[:3], key="api_months")
    fetched = st.session_state.get("api_data")
    if st.sidebar.button("Fetch", key="api_fetch", disabled=not (chosen and wanted)):
        bar = st.progress(0.0, text="Fetching from data.police.uk…")

        def progress(done, total, label):
            bar.progress(min(1.0, done / max(total, 1)), text=f"{label} ({done}/{total})")

        try:
            api = PoliceAPI()
            areas = fetch_neighbourhood_boundaries(api, force, chosen, progress=progress)
            crimes, report = fetch_crimes(api, areas, wanted, force=names[force],
                                          progress=progress)
        except hotspots.HotspotsError as exc:
            st.error(str(exc))
            st.stop()
        fetched = (f"api:{force}:{'|'.join(chosen)}:{'|'.join(wanted)}", crimes, report, areas)
        st.session_state["api_data"] = fetched
    if fetched is None:
        st.info("Choose a force, neighbourhoods and months, then press Fetch.")
        st.stop()
    return fetched


# ----------------------------------------------------------------------------- filters
def _param(name: str, default, options):
    value = st.query_params.get(name, default)
    return value if value in options else default


def filters(report, areas, groups):
    st.sidebar.header("Scan")
    area_names = sorted(areas["area_name"].astype(str)) if areas is not None else []
    wanted = [a for a in st.query_params.get("areas", "").split("|") if a in area_names]
    chosen = st.sidebar.multiselect(
        "Areas (none = all)", area_names, default=wanted, key="areas",
    )
    keys = list(groups)
    group = st.sidebar.selectbox(
        "Crime group", keys, index=keys.index(_param("group", "neighbourhood", keys)),
        format_func=lambda k: groups[k].label, key="group",
    )
    months = report.months
    if len(months) > 1:
        start, end = st.sidebar.select_slider(
            "Period", options=months, key="period",
            value=(_param("from", months[max(0, len(months) - 12)], months),
                   _param("to", months[-1], months)),
        )
    else:
        start = end = months[0]
        st.sidebar.caption(f"Period: {start} (one month of data)")
    methods = list(METHODS)
    method = st.sidebar.selectbox(
        "Method", methods, index=methods.index(_param("method", "gistar", methods)),
        format_func=METHOD_LABELS.get, key="method",
    )
    with st.sidebar.expander("Method settings"):
        cell_size = st.number_input("Cell size (m, 0 = automatic)", 0, 5000, 0, 25, key="cell")
        bandwidth = st.number_input("KDE bandwidth (m, 0 = rule of thumb)", 0, 5000, 0, 50,
                                    key="bw")
    st.query_params.update({"group": group, "from": start, "to": end, "method": method,
                            "areas": "|".join(chosen)})
    return chosen, group, start, end, method, float(cell_size), float(bandwidth)


@st.cache_data(show_spinner="Finding hotspots…", max_entries=32)
def analysis(key, _crimes, _areas, chosen, group, start, end, method, cell_size, bandwidth):
    area = None
    if _areas is not None:
        area = _areas[_areas["area_name"].isin(chosen)] if chosen else _areas
    selected, selection = select_crimes(_crimes, group=group, start=start, end=end, area=area)
    if len(selected) == 0:
        return selected, selection, None, area
    result = find_hotspots(
        selected, method=method, cell_size=cell_size or None, bandwidth=bandwidth or None,
        area=area,
    )
    return selected, selection, result, area


# ----------------------------------------------------------------------------- views
def scan(selected, result, area, areas_all, groups, group, sensitive):
    c1, c2, c3 = st.columns(3)
    c1.metric("Crimes selected", f"{len(selected):,}")
    c2.metric("Hotspots", f"{result.n_hotspots:,}")
    c3.metric("Cells or clusters", f"{len(result.cells):,}")
    if groups[group].note:
        st.caption(groups[group].note)
    bounds = tuple((areas_all if areas_all is not None else selected).total_bounds)
    fmap = base_map(bounds, tiles=TILES)
    layers = folium.FeatureGroup(name="layers")
    hotspot_layer(result, sensitive=sensitive).add_to(layers)
    if area is not None:
        areas_layer(area, sensitive=sensitive).add_to(layers)
    if st.toggle("Show crimes as a heat layer", key="heat") and not sensitive:
        heat_layer(selected).add_to(layers)
    out = st_folium(
        fmap, key="scan_map", **view(bounds), height=520, use_container_width=True,
        feature_group_to_add=layers, returned_objects=["last_clicked"],
    )
    st.caption(f"Method: {result.method_statement()} Click a hotspot or area for its profile.")
    clicked = (out or {}).get("last_clicked")
    if clicked:
        profile_panel(selected, result, area, clicked, sensitive)
    st.subheader("Hotspots, hottest first")
    table = hotspot_table(result, sensitive=sensitive)
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
    shown = "<5" if sensitive and 0 < profile.crimes < 5 else f"{profile.crimes:,}"
    a.metric("Crimes", shown)
    b.metric("Share of the selection",
             f"{profile.share_of_surroundings:.1%}" if profile.share_of_surroundings else "–")
    c.metric("Area", f"{profile.area_km2:.2f} km²")
    left, mid, right = st.columns(3)
    left.dataframe(profile.by_category, hide_index=True)
    mid.bar_chart(profile.by_month.set_index("month")["count"])
    right.dataframe(profile.streets, hide_index=True)


@st.cache_data(show_spinner="Comparing periods…", max_entries=16)
def period_comparison(key, _crimes, _area, group, before, after, method, cell_size):
    from hotspots.compare import compare_periods

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    return compare_periods(selected, before=before, after=after, area=_area, method=method,
                           cell_size=cell_size or None)


@st.cache_data(show_spinner="Finding emerging hot spots…", max_entries=8)
def emerging(key, _crimes, _area, group, cell_size):
    from hotspots.trends import emerging_hotspots

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    return emerging_hotspots(selected, cell_size=cell_size or None, area=_area)


@st.cache_data(show_spinner="Scoring methods on a held-out period…", max_entries=8)
def method_comparison(key, _crimes, _area, group, train, test, cell_size):
    from hotspots.accuracy import compare_methods

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    train_set, _ = select_crimes(selected, start=train[0], end=train[1])
    test_set, _ = select_crimes(selected, start=test[0], end=test[1])
    return compare_methods(train_set, test_set, area=_area, cell_size=cell_size or None)


def _shift(month: str, n: int) -> str:
    return (pd.Period(month, "M") + n).strftime("%Y-%m")


def analyse(key, crimes, area, areas_all, months, group, start, end, cell_size, sensitive):
    from hotspots.compare import CHANGE_COLOURS
    from hotspots.trends import EMERGING_COLOURS, PATTERN_RULES, cell_series

    bounds = tuple((areas_all if areas_all is not None else crimes).total_bounds)
    st.subheader("How did it change?")
    length = len(pd.period_range(start, end, freq="M"))
    default_before = (max(months[0], _shift(start, -length)), _shift(start, -1))
    if default_before[1] < months[0]:
        default_before = (months[0], months[0])
    c1, c2, c3 = st.columns([2, 2, 1])
    before = c1.select_slider("Before", options=months, value=default_before, key="before")
    after = c2.select_slider("After", options=months, value=(start, end), key="after")
    how = c3.radio("Compare", ["count", "kde"], key="change_method",
                   format_func={"count": "counts", "kde": "dual KDE"}.get)
    try:
        comparison = period_comparison(key, crimes, area, group, tuple(before), tuple(after),
                                       how, cell_size)
    except hotspots.HotspotsError as exc:
        st.warning(str(exc))
        comparison = None
    if comparison is not None:
        for sentence in comparison.sentences:
            st.write(sentence)
        left, right = st.columns(2)
        for column, side, label in ((left, comparison.before, "Before"),
                                    (right, comparison.after, "After")):
            with column:
                st.caption(f"{label}: {side.method_statement()}")
                layers = folium.FeatureGroup(name=label)
                hotspot_layer(side, sensitive=sensitive, name=label,
                              only_hotspots=True).add_to(layers)
                st_folium(base_map(bounds, tiles=TILES), **view(bounds), key=f"map_{label.lower()}",
                          height=360, use_container_width=True, feature_group_to_add=layers,
                          returned_objects=[])
        changed = comparison.cells[comparison.cells["change_class"] != "little or no change"]
        layers = folium.FeatureGroup(name="Change")
        class_layer(changed, colours=changed["change_class"].map(CHANGE_COLOURS),
                    fields=["cell_id", "before", "after", "change_class", "status"],
                    name="Change", sensitive_count=None).add_to(layers)
        st.caption("Change map: blue for less crime, red for more ("
                   + ", ".join(CHANGE_COLOURS) + ").")
        st_folium(base_map(bounds, tiles=TILES), **view(bounds), key="map_change", height=420,
                  use_container_width=True, feature_group_to_add=layers, returned_objects=[])

    st.subheader("Where is it emerging?")
    result = None
    try:
        result = emerging(key, crimes, area, group, cell_size)
    except hotspots.HotspotsError as exc:
        st.info(f"Emerging hot spots need a longer series: {exc}")
    if result is not None:
        st.caption(result.method_statement())
        drawn = result.cells[result.cells["pattern_code"] != 0]
        layers = folium.FeatureGroup(name="Emerging")
        class_layer(drawn, colours=drawn["pattern_code"].map(EMERGING_COLOURS),
                    fields=["cell_id", "pattern", "n_hot_steps", "trend"],
                    name="Emerging").add_to(layers)
        out = st_folium(base_map(bounds, tiles=TILES), **view(bounds), key="map_emerging",
                        height=420, use_container_width=True, feature_group_to_add=layers,
                        returned_objects=["last_clicked"])
        legend = drawn.groupby("pattern").size().rename("cells").reset_index()
        legend["rule"] = legend["pattern"].map(
            lambda p: PATTERN_RULES.get(p, "the mirror image of the hot rule"))
        st.dataframe(legend, hide_index=True)
        clicked = (out or {}).get("last_clicked")
        if clicked:
            import geopandas as gpd

            where = gpd.GeoSeries([shapely.Point(clicked["lng"], clicked["lat"])],
                                  crs=4326).to_crs(result.cells.crs).iloc[0]
            hit = result.cells[result.cells.contains(where)]
            if len(hit):
                series = cell_series(result, hit.iloc[0]["cell_id"])
                st.write(f"Cell {hit.iloc[0]['cell_id']}: {hit.iloc[0]['pattern']}")
                if not sensitive:
                    st.line_chart(series.set_index(series.columns[0]).select_dtypes("number"))

    st.subheader("Which method should I trust here?")
    if len(months) < 6:
        st.info("Scoring methods needs at least 6 months: a training and a later test period.")
        return
    test_default = (months[-3], months[-1])
    test = st.select_slider("Test period (the methods are trained on the months before it)",
                            options=months[3:], value=test_default, key="test_period")
    train = (months[0], _shift(test[0], -1))
    if st.button("Score the methods", key="score_methods"):
        from hotspots.accuracy import recommend

        try:
            table = method_comparison(key, crimes, area, group, train, tuple(test), cell_size)
        except hotspots.HotspotsError as exc:
            st.warning(str(exc))
            return
        _row, sentence = recommend(table)
        st.success(sentence)
        st.dataframe(table, hide_index=True)


# ----------------------------------------------------------------------------- respond
def plan_store():
    from hotspots.plans import PlanStore

    path = Path(os.environ.get("HOTSPOTS_PLANS", ROOT / "plans" / "plans.gpkg"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return PlanStore(path)


def _drawn_geometry(feature: dict):
    """A drawn GeoJSON feature (EPSG:4326) as a shapely geometry in EPSG:27700."""
    import geopandas as gpd

    geom = shapely.geometry.shape(feature["geometry"])
    return gpd.GeoSeries([geom], crs=4326).to_crs(27700).iloc[0]


def _kind(geom) -> str:
    return {"Point": "point", "LineString": "line"}.get(geom.geom_type, "polygon")


def interventions_layers(items, catalogue) -> folium.FeatureGroup:
    from hotspots.interventions import interventions_frame

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
    plans = [p.name for p in store.plans()]
    new_name = st.sidebar.text_input("New plan name", key="new_plan").strip()
    if st.sidebar.button("Create plan", key="create_plan") and new_name:
        if new_name in plans:
            st.sidebar.warning(f"A plan called {new_name!r} already exists.")
        else:
            store.save_plan(new_name, [], area=area_label)
            st.session_state["plan"] = new_name
            plans = [p.name for p in store.plans()]
    if not plans:
        st.sidebar.info("Create a plan to start placing interventions.")
        return store, None
    current = st.session_state.get("plan")
    plan = st.sidebar.selectbox("Plan", plans,
                                index=plans.index(current) if current in plans else 0, key="plan")
    return store, plan


def respond(store, plan, result, area, areas_all, months, sensitive):
    from hotspots.interventions import Intervention, check_inside, load_catalogue

    catalogue = load_catalogue()
    if store is None or plan is None:
        st.info("Create or choose a plan in the sidebar to place interventions.")
        return
    items = store.load(plan)
    bounds = tuple((areas_all if areas_all is not None else result.cells).total_bounds)
    fmap = base_map(bounds, tiles=TILES)
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
    out = st_folium(fmap, key="plan_map", height=480, use_container_width=True,
                    **view(bounds), feature_group_to_add=layers,
                    returned_objects=["last_active_drawing", "all_drawings"])
    drawing = (out or {}).get("last_active_drawing")
    stored = st.session_state.setdefault("saved_drawings", set())
    drawings = [d for d in (out or {}).get("all_drawings") or []
                if json.dumps(d.get("geometry"), sort_keys=True) not in stored]
    st.write(f"{len(drawings)} drawn shape(s) not yet saved." if drawings else
             "No unsaved drawing.")
    if drawing and json.dumps(drawing.get("geometry"), sort_keys=True) in stored:
        drawing = None
    if drawing:
        geom = _drawn_geometry(drawing)
        kind = _kind(geom)
        fitting = [k for k, t in catalogue.items() if t.geometry_kind == kind] or list(catalogue)
        with st.form("new_intervention", clear_on_submit=False):
            st.write(f"New intervention: a {kind} on the map.")
            kind_key = st.selectbox("Type", fitting + [k for k in catalogue if k not in fitting],
                                    format_func=lambda k: catalogue[k].label, key="iv_type")
            name = st.text_input("Name", key="iv_name")
            start = st.selectbox("Start month", months + _future(months), index=len(months) - 1,
                                 key="iv_start")
            cost = st.number_input("Cost (GBP)", min_value=0.0,
                                   value=float(catalogue[kind_key].unit_cost or 0), step=500.0,
                                   key="iv_cost")
            saved = st.form_submit_button("Save to plan")
        if saved:
            iv = Intervention(type=kind_key, geometry=geom, start=start, plan=plan,
                              name=name.strip(), cost=cost)
            try:
                store.add(iv)
            except hotspots.HotspotsError as exc:
                st.error(f"Not saved: {exc}")
            else:
                stored.add(json.dumps(drawing.get("geometry"), sort_keys=True))
                st.success(f"Saved {iv.display_name} to {plan}.")
                warning = check_inside(iv, area) if area is not None else None
                if warning:
                    st.warning(warning)
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
                from dataclasses import replace

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


def _future(months: list[str]) -> list[str]:
    return [_shift(months[-1], n) for n in range(1, 13)]


# ----------------------------------------------------------------------------- assess
def assess(crimes_all, area, result, items, months, sensitive):
    from hotspots.evaluation import evaluate, evaluation_areas
    from hotspots.impact import projected_impact
    from hotspots.interventions import coverage, load_catalogue

    if not items:
        st.info("Add interventions to a plan (3 Respond) to see what they could change.")
        return
    catalogue = load_catalogue()
    in_area = crimes_all
    if area is not None:
        in_area, _ = select_crimes(crimes_all, area=area)
    st.subheader("Projected: what the plan could prevent")
    harm_file = st.file_uploader("Harm weights (CSV: category, weight), optional",
                                 type=["csv"], key="harm_file")
    use_harm = st.checkbox("Weight by harm", value=harm_file is not None, key="use_harm",
                           help="Without a file, the bundled example weights are used: they "
                                "are illustrative, not official figures.")
    weight = None
    if use_harm:
        from hotspots.groups import apply_harm, load_harm_weights

        try:
            if harm_file is not None:
                path = Path(tempfile.mkdtemp()) / "harm.csv"
                path.write_bytes(harm_file.getvalue())
                weights = load_harm_weights(path)
            else:
                weights = load_harm_weights()
            in_area = apply_harm(in_area, weights, default=1.0)
            weight = "weight"
        except hotspots.HotspotsError as exc:
            st.error(f"Harm weights not used: {exc}")
    try:
        impact = projected_impact(in_area, items, catalogue, hotspots=result, weight=weight)
    except hotspots.HotspotsError as exc:
        st.error(str(exc))
        return
    plan_row = impact.plan.iloc[0]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Crimes in coverage (baseline)", f"{plan_row['baseline']:,.0f}")
    c2.metric("Expected prevented",
              f"{plan_row['prevented']:,.0f} ({plan_row['prevented_low']:,.0f}–"
              f"{plan_row['prevented_high']:,.0f})")
    cost = plan_row.get("cost_per_crime_prevented")
    c3.metric("Cost per crime prevented", "–" if pd.isna(cost) else f"£{cost:,.0f}")
    share = plan_row.get("hotspot_share_covered")
    c4.metric("Hotspot crime covered", "–" if share is None or pd.isna(share) else f"{share:.0%}")
    if weight is not None and "harm_prevented" in impact.plan:
        h1, h2 = st.columns(2)
        h1.metric("Harm in coverage (baseline)", f"{plan_row['harm_baseline']:,.0f}")
        h2.metric("Expected harm prevented",
                  f"{plan_row['harm_prevented']:,.0f} ({plan_row['harm_prevented_low']:,.0f}–"
                  f"{plan_row['harm_prevented_high']:,.0f})")
    for sentence in impact.summary():
        st.write(sentence)
    table = impact.interventions.drop(columns=["id"], errors="ignore")
    if sensitive:
        table = suppress_small_counts(table, ("crimes_in_coverage", "baseline"))
    st.dataframe(table, hide_index=True)
    with st.expander("Assumptions"):
        for note in impact.notes:
            st.write("- " + note)
    from hotspots.impact import projected_counts

    bounds = tuple(in_area.total_bounds)
    try:
        projected = projected_counts(in_area, items, catalogue, cell_size=200)
    except hotspots.HotspotsError as exc:
        st.info(f"No before/after projection map: {exc}")
    else:
        side_by_side(projected.results(), ("Baseline", "Projected after the plan"), bounds,
                     "proj", sensitive,
                     caption="hotspot cells (at or above the baseline's top-5% threshold)")

    st.subheader("Observed: what happened after the start")
    start = min(i.start for i in items)
    target = shapely.union_all([coverage(i, catalogue) for i in items])
    cats = sorted({c for i in items for c in catalogue[i.type].categories})
    from hotspots.schema import POLICE_UK_CATEGORIES

    c1, c2, c3 = st.columns(3)
    months_before = c1.number_input("Months before", 1, 36, 12, key="ev_before")
    months_after = c2.number_input("Months after", 1, 36, 12, key="ev_after")
    buffer_m = c3.number_input("Buffer ring width (m, 0 = rule)", 0, 2000, 0, 50, key="ev_buf")
    chosen = st.multiselect("Crime types to evaluate", list(POLICE_UK_CATEGORIES),
                            default=cats, key="ev_categories")
    try:
        areas = evaluation_areas(target, buffer_m=buffer_m or None,
                                 study_area=area if area is not None else None,
                                 crs="EPSG:27700") if area is not None else evaluation_areas(
            target, buffer_m=buffer_m or None, study_area=shapely.box(*crimes_all.total_bounds),
            crs="EPSG:27700")
        ev = evaluate(crimes_all, areas, start=start, months_before=int(months_before),
                      months_after=int(months_after), categories=chosen or None)
    except hotspots.HotspotsError as exc:
        st.warning(str(exc))
        return
    if not ev.available:
        st.info(f"Not yet measurable: {ev.reason} The projected figures above are the plan's "
                "evidence until data after the start arrive.")
        return
    c1, c2, c3 = st.columns(3)
    lo, hi = ev.res_ci if ev.res_ci else (float("nan"), float("nan"))
    c1.metric("Relative effect size (95% CI)",
              f"{ev.res:.2f} ({lo:.2f}–{hi:.2f})" if ev.res is not None else "undefined")
    c2.metric("Weighted displacement quotient",
              f"{ev.wdq:.2f}" if ev.wdq is not None else "undefined")
    c3.metric("Total net effect (crimes)",
              f"{ev.net_effect:,.0f}" if ev.net_effect is not None else "undefined")
    for sentence in ev.summary:
        st.write(sentence)
    counts = ev.counts.table()
    if sensitive:
        counts = suppress_small_counts(counts, [c for c in counts.columns if c != "area"])
    st.dataframe(counts, hide_index=True)
    trend_chart(ev.trend, start)
    from hotspots.evaluation import before_after_maps

    maps = before_after_maps(crimes_all, areas, start=start, months=int(months_after),
                             method="count", cell_size=200, categories=chosen or None)
    side_by_side(maps, (f"{int(months_after)} months before", f"{int(months_after)} months "
                        "after"), tuple(in_area.total_bounds), "obs", sensitive, areas=areas)


def side_by_side(results, labels, bounds, key, sensitive, areas=None,
                 caption="hotspot cells (top 5% of cells in each period)") -> None:
    """Two hotspot results on identical maps (same view), e.g. before and after."""
    columns = st.columns(2)
    for column, result, label in zip(columns, results, labels, strict=True):
        with column:
            st.caption(f"{label}: {caption}.")
            layers = folium.FeatureGroup(name=label)
            hotspot_layer(result, sensitive=sensitive, name=label,
                          only_hotspots=True).add_to(layers)
            if areas is not None:
                class_layer(areas.frame, colours=areas.frame["role"].map(ROLE_COLOURS),
                            fields=["role"], name="Evaluation areas").add_to(layers)
            st_folium(base_map(bounds, tiles=TILES), **view(bounds), key=f"{key}_{label}",
                      height=340, use_container_width=True, feature_group_to_add=layers,
                      returned_objects=[])


def trend_chart(trend: pd.DataFrame, start: str) -> None:
    import altair as alt

    long = trend.melt(id_vars=[c for c in ("month", "period") if c in trend],
                      value_vars=[c for c in ("target", "buffer", "control") if c in trend],
                      var_name="area", value_name="crimes")
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("month:T", title="Month"), y=alt.Y("crimes:Q", title="Crimes per month"),
        color="area:N")
    rule = alt.Chart(pd.DataFrame({"month": [pd.Timestamp(f"{start}-01")]})).mark_rule(
        color="black", strokeDash=[4, 4]).encode(x="month:T")
    st.altair_chart(lines + rule, use_container_width=True)
    st.caption(f"Dashed line: the start of the scheme ({start}).")


def evidence_pack(crimes, report, areas, chosen, group, start, end, method, cell_size,
                  bandwidth, store, plan, sensitive):
    """One action from the selected area and plan to the bid evidence pack (a zip)."""
    from hotspots.report import report_from_data

    st.subheader("Evidence pack for a bid")
    st.caption("Report (HTML and PDF), print-resolution maps, tables and a GeoPackage of "
               "every layer, for the selected areas, crime group, period and plan.")
    points = False
    if sensitive:
        st.info("This crime group is sensitive: the pack aggregates locations to cells and "
                "areas, and counts of 1 to 4 appear as \"<5\".")
    else:
        points = st.checkbox("Include crime points in the GeoPackage", value=False,
                             key="pack_points")
    if not st.button("Build evidence pack", key="build_pack"):
        return
    items = store.load(plan) if store is not None and plan else []
    params = {k: v for k, v in (("cell_size", cell_size), ("bandwidth", bandwidth)) if v}
    out = Path(tempfile.mkdtemp(prefix="hotspots-pack-"))
    bar = st.progress(0.0, text="Building the evidence pack…")

    def progress(done, total, label):
        bar.progress(min(1.0, done / max(total, 1)), text=label)

    try:
        bundle = report_from_data(
            crimes, report, out=out, areas=areas, include=chosen or None, group=group,
            period=(start, end), method=method, method_params=params, plan_items=items,
            plan_name=plan or "", points=points, tiles=TILES is not None, progress=progress)
    except hotspots.HotspotsError as exc:
        st.error(f"The evidence pack could not be built: {exc}")
        return
    bar.progress(1.0, text="Done")
    for note in bundle.notes:
        st.caption(note)
    zip_path = bundle.paths.get("zip")
    if zip_path:
        st.download_button("Download the evidence pack (zip)", Path(zip_path).read_bytes(),
                           file_name="evidence_pack.zip", mime="application/zip",
                           key="pack_download")
    st.success(f"Evidence pack built in {out}.")


def load_report_panel(report):
    with st.expander(f"Load report: {report.rows_kept:,} of {report.rows_read:,} rows kept"):
        st.text(report.to_text())
        st.dataframe(
            pd.Series(report.categories, name="crimes").rename_axis("category").reset_index(),
            hide_index=True,
        )


# ----------------------------------------------------------------------------- page
def main() -> None:
    st.title("Crime hotspots and Safer Streets planning")
    groups = load_groups()
    key, crimes, report, areas = data_source()
    chosen, group, start, end, method, cell_size, bandwidth = filters(report, areas, groups)
    sensitive = groups[group].sensitive
    try:
        selected, selection, result, area = analysis(
            key, crimes, areas, tuple(chosen), group, start, end, method, cell_size, bandwidth
        )
    except hotspots.HotspotsError as exc:
        st.error(str(exc))
        st.stop()
    load_report_panel(report)
    if result is None:
        st.warning(
            f"No crimes in the group {groups[group].label} in {', '.join(chosen) or 'the data'} "
            f"between "
            f"{start} and {end}: {selection.get('why', 'the selection is empty')}. Choose a "
            "longer period, another crime group or more areas."
        )
        st.stop()
    # One step at a time (not st.tabs, which would compute every step on each change).
    steps = ["1 Scan", "2 Analyse", "3 Respond", "4 Assess"]
    step = st.radio("Step", steps, horizontal=True, key="step", label_visibility="collapsed",
                    index=steps.index(_param("step", steps[0], steps)))
    st.query_params["step"] = step
    area_label = ", ".join(chosen) or "All areas"
    if step == steps[0]:
        scan(selected, result, area, areas, groups, group, sensitive)
    elif step == steps[1]:
        analyse(key, crimes, area, areas, report.months, group, start, end, cell_size,
                sensitive)
    else:
        store, plan = plan_picker(area_label)
        if step == steps[2]:
            respond(store, plan, result, area, areas, report.months, sensitive)
        else:
            items = store.load(plan) if store is not None and plan else []
            assess(crimes, area, result, items, report.months, sensitive)
            evidence_pack(crimes, report, areas, chosen, group, start, end, method, cell_size,
                          bandwidth, store, plan, sensitive)
    st.caption(f"hotspots {hotspots.__version__}. Crime data: police.uk, Open Government "
               "Licence v3.0 (demo data is synthetic).")


main()
