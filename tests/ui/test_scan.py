"""The Scan step: profiles open from the map, the list and the table; sensitive groups keep
their small counts hidden everywhere; a profile never outlives its selection."""

from __future__ import annotations

import pandas as pd
import shapely

from hotspots.privacy import is_small
from tests.ui.helpers import lonlat
from tests.ui.helpers import metric
from tests.ui.helpers import run_app
from tests.ui.helpers import shown
from tests.ui.helpers import texts


def profile_options(at) -> list[str]:
    return list(at.selectbox(key="profile_pick").options)


def open_profile(at, label: str):
    return at.selectbox(key="profile_pick").select(label).run()


def shown_counts(at) -> list:
    """Every value in a count column of every table on the page."""
    values = []
    for df in at.dataframe:
        frame = df.value
        for col in frame.columns:
            if str(col) in ("count", "crimes", "before", "after"):
                values += list(frame[col])
    return values


def test_vawg_profiles_never_show_counts_of_one_to_four(plans_file, map_returns):
    at = run_app()
    at.selectbox(key="group").select("vawg").run()
    assert not at.exception
    options = [o for o in profile_options(at) if o != "(none)"]
    assert any(o.startswith("Hotspot") for o in options) and any(
        o.startswith("Area") for o in options)
    suppressed = 0
    for label in options[:4] + [o for o in options if o.startswith("Area")][:6]:
        open_profile(at, label)
        assert not at.exception
        assert texts(at).count("Profile: ") == 1
        counts = shown_counts(at)
        assert not any(is_small(v) for v in counts if not isinstance(v, str)), (label, counts)
        if metric(at, "Crimes") == "<5":
            assert metric(at, "Share of the selection") == "–"  # the share would reveal it
        if any(v == "<5" for v in counts):
            suppressed += 1
            assert not at.get("arrow_bar_chart") and not at.get("bar_chart"), label
    # the demo town's VAWG hotspots have months with 1 to 4 crimes: those were suppressed
    assert suppressed >= 1


def test_the_heat_layer_is_off_for_vawg_and_says_why(plans_file, map_returns):
    at = run_app()
    at.selectbox(key="group").select("vawg").run()
    toggle = at.toggle(key="heat")
    assert toggle.disabled
    assert "The heat layer is off for" in texts(at)
    at.selectbox(key="group").select("neighbourhood").run()
    assert not at.toggle(key="heat").disabled


def test_clicking_inside_an_area_opens_the_area_not_an_empty_cell(plans_file, map_returns):
    at = run_app()
    at.selectbox(key="method").select("count").run()
    assert not at.exception
    import geopandas as gpd
    import numpy as np

    from hotspots.io import load_crimes
    from hotspots.select import select_crimes
    from hotspots.ui.common import data_dir

    areas = gpd.read_file(data_dir() / "boundaries" / "neighbourhoods.gpkg").to_crs(27700)
    crimes, _ = load_crimes([str(data_dir() / "sample_crimes")])
    selected, _ = select_crimes(crimes, group="neighbourhood", start="2025-01", end="2025-12")
    tree = shapely.STRtree(selected.geometry.to_numpy())

    def far_from_crimes(area):
        """A point inside ``area`` at least 150 m from any selected crime, or None."""
        minx, miny, maxx, maxy = area.bounds
        for x in np.arange(minx, maxx, 50):
            for y in np.arange(miny, maxy, 50):
                p = shapely.Point(x, y)
                if area.contains(p) and tree.query(p.buffer(150)).size == 0:
                    return p
        return None

    # no hotspot with crimes there: the click must give the area's profile
    name, point = next((n, p) for n, g in zip(areas["neighbourhood_name"], areas.geometry,
                                              strict=True)
                       if (p := far_from_crimes(g)) is not None)
    map_returns["scan_map"] = {"last_clicked": lonlat(point)}
    at.run()
    assert not at.exception
    heading = next(shown(s.value) for s in at.subheader if s.value.startswith("Profile: "))
    assert heading == f"Profile: Area: {name}"
    assert metric(at, "Crimes") != "0"


def test_a_profile_is_closed_when_the_group_or_method_changes(plans_file, map_returns):
    at = run_app()
    first = next(o for o in profile_options(at) if o.startswith("Hotspot"))
    open_profile(at, first)
    assert f"Profile: {first}" in texts(at)
    # the map still reports the old click, as st_folium does: it must not reopen anything
    at.selectbox(key="group").select("asb").run()
    assert not at.exception
    assert "Profile: " not in texts(at)
    assert at.selectbox(key="profile_pick").value == "(none)"
    open_profile(at, next(o for o in profile_options(at) if o.startswith("Area")))
    assert "Profile: Area" in texts(at)
    at.selectbox(key="method").select("kde").run()
    assert "Profile: " not in texts(at)


def test_hotspot_list_and_table_offer_only_places_with_crimes(plans_file, map_returns):
    at = run_app()
    hot = [o for o in profile_options(at) if o.startswith("Hotspot")]
    assert hot and all(not o.endswith(", 0 crimes") for o in hot)
    table = next(df.value for df in at.dataframe if "near" in df.value.columns)
    assert (pd.to_numeric(table["count"]) > 0).all()
    assert table["near"].str.len().gt(0).any()  # a street to find it by


def test_map_click_outside_everything_says_so(plans_file, map_returns):
    at = run_app()
    map_returns["scan_map"] = {"last_clicked": lonlat(shapely.Point(300_000, 100_000))}
    at.run()
    assert "No hotspot or area at the point clicked" in texts(at)


def test_the_app_uses_the_configured_tile_server(plans_file, map_returns, monkeypatch):
    from tests.ui.helpers import layer_html

    monkeypatch.setenv("HOTSPOTS_TILES", "https://tiles.example.police.uk/{z}/{x}/{y}.png")
    monkeypatch.setenv("HOTSPOTS_TILES_ATTRIBUTION", "Force tile server")
    at = run_app()
    assert not at.exception
    call = next(c for c in map_returns["_calls"] if c["key"] == "scan_map")
    page = call["map"].get_root().render()
    assert "tiles.example.police.uk/{z}/{x}/{y}.png" in page and "Force tile server" in page
    layers = layer_html(call["feature_group_to_add"])
    assert "hotspots-area-label" in layers and "hotspots-street-label" not in layers
    assert "Base map: tiles from tiles.example.police.uk (Force tile server)." in texts(at)


def test_without_tiles_the_map_names_the_busiest_streets(plans_file, map_returns, monkeypatch):
    from tests.ui.helpers import layer_html

    monkeypatch.setenv("HOTSPOTS_TILES", "none")
    at = run_app()
    call = next(c for c in map_returns["_calls"] if c["key"] == "scan_map")
    assert "tileLayer" not in call["map"].get_root().render()
    layers = layer_html(call["feature_group_to_add"])
    assert layers.count("hotspots-street-label") >= 5
    assert "Base map: no base map" in texts(at)


def test_the_area_table_counts_each_area_and_the_map_zooms_to_the_choice(plans_file,
                                                                         map_returns):
    at = run_app()
    table = next(df.value for df in at.dataframe if "area" in df.value.columns)
    assert len(table) == 10 and table["crimes"].sum() <= int(
        metric(at, "Crimes selected").replace(",", ""))
    assert table["crimes"].is_monotonic_decreasing
    whole = next(c for c in map_returns["_calls"] if c["key"] == "scan_map")
    at.multiselect(key="areas").set_value(["Hollinmoor"]).run()
    chosen = [c for c in map_returns["_calls"] if c["key"] == "scan_map"][-1]
    assert chosen["zoom"] >= whole["zoom"] + 1  # framed on the one area
    assert chosen["center"] != whole["center"]
    table = next(df.value for df in at.dataframe if "area" in df.value.columns)
    assert table["area"].tolist() == ["Hollinmoor"]
