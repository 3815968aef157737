"""Where the app's crimes and areas come from (demo, uploads, data.police.uk) and the filters."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

import hotspots
from hotspots.escaping import markdown_text as md
from hotspots.io import load_boundary
from hotspots.io import load_crimes
from hotspots.io.policeuk import is_policeuk_header
from hotspots.io.sources import upload_header
from hotspots.methods.find import DEFAULT_METHOD
from hotspots.methods.find import METHODS
from hotspots.methods.find import find_hotspots
from hotspots.select import select_crimes
from hotspots.ui.common import MAX_UPLOAD_MB
from hotspots.ui.common import METHOD_LABELS
from hotspots.ui.common import data_dir
from hotspots.ui.common import url_param


def without_folder(report, folder: Path):
    """``report`` with ``folder`` taken out of its file names and notes.

    The app never shows server paths (a checkout, a temporary upload folder): file names
    are given relative to the folder they were loaded from.
    """
    prefix = str(folder).rstrip("/") + "/"

    def short(text: str) -> str:
        return str(text).replace(prefix, "")

    return dataclasses.replace(report, sources=[short(s) for s in report.sources],
                               notes=[short(n) for n in report.notes])


def _stamp(paths: tuple[str, ...]) -> str:
    """Names, sizes and times of the files under ``paths``: changes when any file changes."""
    parts = []
    for path in paths:
        files = [Path(path)] if Path(path).is_file() else sorted(Path(path).rglob("*"))
        parts += [f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files if f.is_file()]
    return _digest(*parts)


def crimes_from_paths(paths: tuple[str, ...], mapping: str | None):
    """Crimes from files on the server, kept on disk between server starts (see README)."""
    return _crimes_in_memory(paths, mapping, _stamp(paths))


# Large tables are cached as resources (shared, never copied: nothing changes its input, see
# ARCHITECTURE.md): st.cache_data would unpickle 100,000 crimes on every rerun (0.2 s).
@st.cache_resource(show_spinner=False, max_entries=4)
def _crimes_in_memory(paths: tuple[str, ...], mapping: str | None, stamp: str):
    return _crimes_from_paths(paths, mapping, stamp)


@st.cache_data(show_spinner="Loading crimes…", max_entries=4, persist="disk")
def _crimes_from_paths(paths: tuple[str, ...], mapping: str | None, stamp: str):
    crimes, report = load_crimes(list(paths), mapping=mapping)
    return crimes, without_folder(report, data_dir())


@st.cache_resource(show_spinner="Loading crimes…", max_entries=4)
def crimes_from_upload(digest: str, _files: tuple[tuple[str, bytes], ...], mapping: str | None):
    folder = Path(tempfile.mkdtemp(prefix=f"hotspots-{digest[:8]}-"))
    paths = []
    for name, data in _files:
        path = folder / Path(name).name
        path.write_bytes(data)
        paths.append(str(path))
    crimes, report = load_crimes(paths, mapping=json.loads(mapping) if mapping else None)
    return crimes, without_folder(report, folder)


@st.cache_data(show_spinner="Loading boundaries…", max_entries=4)
def areas_from_path(path: str):
    return load_boundary(path)


@st.cache_data(show_spinner="Loading boundaries…", max_entries=4)
def areas_from_upload(digest: str, name: str, _data: bytes):
    folder = Path(tempfile.mkdtemp(prefix=f"hotspots-b-{digest[:8]}-"))
    path = folder / Path(name).name
    path.write_bytes(_data)
    return load_boundary(str(path))


def mapping_form(blobs) -> str | None:
    """Sidebar: a column mapping for uploads that are not in police.uk format (JSON text)."""
    from hotspots.schema import POLICE_UK_CATEGORIES

    header = upload_header(*blobs[0])
    if header is None or is_policeuk_header(header):
        return None
    with st.sidebar.expander("Column mapping (this file is not in police.uk format)",
                             expanded=True):
        st.caption(f"Columns found: {md(', '.join(header))}")
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
    """Sidebar: where the crimes and areas come from.

    Returns ``(key, label, crimes, report, areas)``: ``key`` identifies the crimes *and* the
    areas (a boundary uploaded after the crimes changes it, so nothing cached for the crimes
    alone is reused), ``label`` names the source for people (plans record it).
    """
    st.sidebar.header("Data")
    choice = st.sidebar.radio(
        "Crimes", ["Demo town", "Upload files", "data.police.uk"], key="source",
        help="The demo is a synthetic town in police.uk format (data/README.md).",
    )
    if choice == "Demo town":
        paths = (str(data_dir() / "sample_crimes"),)
        crimes, report = crimes_from_paths(paths, None)
        areas, _ = areas_from_path(str(data_dir() / "boundaries" / "neighbourhoods.gpkg"))
        # the key names the files' state too: another demo folder is other data
        return f"demo:{_stamp(paths)[:12]}", "Demo town", crimes, report, areas
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
        st.error(f"Could not load the crime files: {md(exc, lines=True)}")
        st.stop()
    areas, key = None, f"upload:{digest}"
    label = "upload: " + ", ".join(sorted(f.name for f in files)[:3]) + (
        f" and {len(files) - 3} more" if len(files) > 3 else "")
    if boundary is not None:
        area_digest = _digest(boundary.name, boundary.getvalue())
        try:
            areas, _ = areas_from_upload(area_digest, boundary.name, boundary.getvalue())
        except hotspots.HotspotsError as exc:
            st.sidebar.error(f"Boundary not used: {md(exc, lines=True)}")
        else:
            key += f"|areas:{area_digest}"
            label += f" with {boundary.name}"
    return key, label, crimes, report, areas


@st.cache_data(show_spinner="Asking data.police.uk…", ttl=3600)
def api_list(what: str, force: str = ""):
    from hotspots.policeapi.client import PoliceAPI

    api = PoliceAPI()
    if what == "forces":
        return api.forces()
    if what == "months":
        return api.available_months()
    return api.neighbourhoods(force)


def police_api_source():
    """Sidebar: fetch crimes and neighbourhood boundaries from the police.uk API."""
    from hotspots.policeapi.client import PoliceAPI
    from hotspots.policeapi.client import fetch_crimes
    from hotspots.policeapi.client import fetch_neighbourhood_boundaries

    try:
        forces = api_list("forces")
        months = api_list("months")
    except hotspots.HotspotsError as exc:
        st.error(md(exc, lines=True))
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
            st.error(md(exc, lines=True))
            st.stop()
        fetched = (f"api:{force}:{'|'.join(chosen)}:{'|'.join(wanted)}",
                   f"data.police.uk: {names[force]}, {len(chosen)} neighbourhood"
                   f"{'s' if len(chosen) != 1 else ''}", crimes, report, areas)
        st.session_state["api_data"] = fetched
    if fetched is None:
        st.info("Choose a force, neighbourhoods and months, then press Fetch.")
        st.stop()
    return fetched


def filters(report, areas, groups):
    st.sidebar.header("Scan")
    area_names = sorted(areas["area_name"].astype(str)) if areas is not None else []
    wanted = [a for a in st.query_params.get("areas", "").split("|") if a in area_names]
    if area_names:
        chosen = st.sidebar.multiselect(
            "Areas (none = all)", area_names, default=wanted, key="areas",
        )
    else:  # an empty, disabled list would only be a grey label
        chosen = []
        st.sidebar.caption("Areas: no boundaries loaded, so the whole data is used. Upload a "
                           "boundary file to choose areas.")
    keys = list(groups)
    group = st.sidebar.selectbox(
        "Crime group", keys, index=keys.index(url_param("group", "neighbourhood", keys)),
        format_func=lambda k: groups[k].label, key="group",
    )
    months = report.months
    if len(months) > 1:
        start, end = st.sidebar.select_slider(
            "Period", options=months, key="period",
            value=(url_param("from", months[max(0, len(months) - 12)], months),
                   url_param("to", months[-1], months)),
        )
    else:
        start = end = months[0]
        st.sidebar.caption(f"Period: {md(start)} (one month of data)")
    methods = list(METHODS)
    method = st.sidebar.selectbox(
        "Method", methods, index=methods.index(url_param("method", DEFAULT_METHOD, methods)),
        format_func=METHOD_LABELS.get, key="method",
    )
    with st.sidebar.expander("Method settings"):
        cell_size = st.number_input("Cell size (m, 0 = automatic)", 0, 5000, 0, 25, key="cell")
        bandwidth = st.number_input("KDE bandwidth (m, 0 = rule of thumb)", 0, 5000, 0, 50,
                                    key="bw")
    st.query_params.update({"group": group, "from": start, "to": end, "method": method,
                            "areas": "|".join(chosen)})
    return chosen, group, start, end, method, float(cell_size), float(bandwidth)


@st.cache_resource(show_spinner=False, max_entries=32)  # app.py shows what it is doing
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


def load_report_panel(report):
    with st.expander(f"Load report: {report.rows_kept:,} of {report.rows_read:,} rows kept"):
        st.text(report.to_text())
        st.dataframe(
            pd.Series(report.categories, name="crimes").rename_axis("category").reset_index(),
            hide_index=True,
        )
