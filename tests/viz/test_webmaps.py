"""Interactive maps: zoomable pages, named frames, Leaflet.heat loaded with the base map,
labels that give context without tiles, and legends that match what is drawn."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import ParameterError
from hotspots.result import HotspotResult
from hotspots.viz.colours import SEQUENTIAL
from hotspots.viz.tiles import tile_source
from hotspots.viz.webmaps import base_map
from hotspots.viz.webmaps import heat_layer
from hotspots.viz.webmaps import hotspot_layer
from hotspots.viz.webmaps import labels_layer
from hotspots.viz.webmaps import legend_entries
from hotspots.viz.webmaps import street_labels
from hotspots.viz.webmaps import view_for


def surface(n: int = 40, seed: int = 3) -> HotspotResult:
    rng = np.random.default_rng(seed)
    boxes = [shapely.box(440_000 + 100 * i, 360_000, 440_100 + 100 * i, 360_100)
             for i in range(n)]
    score = rng.gamma(1.0, 2.0, n)
    cells = gpd.GeoDataFrame({"cell_id": [f"c{i}" for i in range(n)], "score": score,
                              "count": np.round(score), "hotspot": score >= np.quantile(score, .9)},
                             geometry=boxes, crs="EPSG:27700")
    return HotspotResult(cells, "count", {"cell_size": 100})


def test_the_map_page_lets_people_zoom_and_names_the_map():
    page = base_map((440_000, 360_000, 441_000, 361_000), tiles=None, title="Hotspot map",
                    description="The table below lists them.").get_root().render()
    assert "user-scalable=no" not in page and "maximum-scale" not in page
    assert 'content="width=device-width, initial-scale=1.0"' in page
    assert '"Hotspot map"' in page and "frameElement" in page and '"region"' in page


def test_heat_plugin_is_loaded_with_the_base_map_before_any_heat_layer():
    plain = base_map(None, tiles=None).get_root().render()
    ready = base_map(None, tiles=None, heat=True).get_root().render()
    assert "leaflet_heat.min.js" not in plain
    assert "leaflet_heat.min.js" in ready  # the layer added later finds L.heatLayer


def test_heat_layer_is_shown_when_asked():
    crimes = gpd.GeoDataFrame(geometry=gpd.points_from_xy([440_000, 440_050], [360_000] * 2),
                              crs="EPSG:27700")
    assert heat_layer(crimes, show=True).show
    assert not heat_layer(crimes).show


def test_labels_are_escaped_and_never_take_keyboard_focus():
    fmap = base_map(None, tiles=None)
    labels = pd.DataFrame({"label": ["<script>x</script>"], "x": [440_000.0], "y": [360_000.0]})
    labels_layer(labels, crs="EPSG:27700", name="Streets").add_to(fmap)
    page = fmap.get_root().render()
    assert "<script>x</script>" not in page
    assert '"keyboard": false' in page and '"interactive": false' in page


def test_street_labels_are_the_busiest_streets_kept_apart():
    streets = (["On or near Busy Road"] * 30 + ["On or near Next Door"] * 20
               + ["On or near Far Lane"] * 10 + ["No Location"] * 40)
    xs = [0.0] * 30 + [10.0] * 20 + [900.0] * 10 + [500.0] * 40
    crimes = gpd.GeoDataFrame({"location": streets},
                              geometry=gpd.points_from_xy(xs, [0.0] * 100), crs="EPSG:27700")
    assert street_labels(crimes)["label"].tolist() == ["Busy Road", "Next Door", "Far Lane"]
    spaced = street_labels(crimes, min_spacing=100)
    assert spaced["label"].tolist() == ["Busy Road", "Far Lane"]  # Next Door is 10 m away
    avoided = street_labels(crimes, min_spacing=100,
                            avoid=pd.DataFrame({"x": [940.0], "y": [0.0]}))
    assert avoided["label"].tolist() == ["Busy Road"]  # 40 m from an area's name
    kept = street_labels(crimes, min_spacing=100,
                         avoid=pd.DataFrame({"x": [960.0], "y": [0.0]}))
    assert kept["label"].tolist() == ["Busy Road", "Far Lane"]  # 60 m: half the spacing


def test_view_fits_the_selection_at_quarter_zoom_steps():
    bounds = (436_000, 357_000, 444_000, 363_000)
    _, whole = view_for(bounds)
    _, fine = view_for(bounds, snap=0.25)
    assert whole == 12 and whole <= fine < whole + 1 and (fine * 4) % 1 == 0


def test_only_hotspot_maps_use_the_one_colour_their_legend_shows():
    result = surface()
    entries = legend_entries(result, only_hotspots=True)
    assert entries == [(SEQUENTIAL[-1], "top 5% of cells (crimes per cell)")]
    group = hotspot_layer(result, only_hotspots=True)
    geojson = next(iter(group._children.values()))
    colours = {f["properties"]["_colour"] for f in geojson.data["features"]}
    assert colours == {SEQUENTIAL[-1]}
    assert len(legend_entries(result)) == 5


def test_tile_source_from_the_environment():
    assert tile_source({}).url == "OpenStreetMap"
    assert tile_source({"HOTSPOTS_TILES": "none"}).url is None
    own = tile_source({"HOTSPOTS_TILES": "https://tiles.example/{z}/{x}/{y}.png?key={key}",
                       "HOTSPOTS_TILES_ATTRIBUTION": "© Example", "HOTSPOTS_TILES_KEY": "k1"})
    assert own.url.endswith("?key=k1") and own.attribution == "© Example"
    assert "k1" not in own.label
    page = base_map(None, tiles=own.url, attribution=own.attribution).get_root().render()
    assert "tiles.example" in page and "\\u00a9 Example" in page
    with pytest.raises(ParameterError, match="HOTSPOTS_TILES_ATTRIBUTION"):
        tile_source({"HOTSPOTS_TILES": "https://t.example/{z}/{x}/{y}.png"})
    with pytest.raises(ParameterError, match=r"\{x\}"):
        tile_source({"HOTSPOTS_TILES": "https://t.example/{z}/{y}.png",
                     "HOTSPOTS_TILES_ATTRIBUTION": "x"})
    with pytest.raises(ParameterError, match="HOTSPOTS_TILES_KEY"):
        tile_source({"HOTSPOTS_TILES": "https://t.example/{z}/{x}/{y}?k={key}",
                     "HOTSPOTS_TILES_ATTRIBUTION": "x"})
