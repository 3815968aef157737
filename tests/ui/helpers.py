"""AppTest helpers: run the app, go to a step, find widgets and text, fake map answers."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import shapely
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


def run_app(timeout: int = 180) -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=timeout).run()


def step(at: AppTest, name: str) -> AppTest:
    return at.radio(key="step").set_value(name).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def widget(elements, label: str):
    """The one widget of ``elements`` (e.g. ``at.selectbox``) with this label."""
    found = [w for w in elements if w.label == label]
    labels = [w.label for w in elements]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}: {labels}"
    return found[0]


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def shown(markdown: str) -> str:
    """Markdown as the page shows it: without the backslashes that escape user text
    (hotspots.escaping.markdown_text)."""
    return re.sub(r"\\([\\`*_{}\[\]()<>#!|~$:&+=.-])", r"\1", str(markdown))


def texts(at: AppTest) -> str:
    """Every message, markdown and caption on the page, as one string, as shown."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in (at.success, at.info, at.warning, at.error, at.subheader):
        parts += [e.value for e in kind]
    return "\n".join(shown(p) for p in parts)


def lonlat(point_27700: shapely.Point) -> dict:
    p = gpd.GeoSeries([point_27700], crs=27700).to_crs(4326).iloc[0]
    return {"lat": p.y, "lng": p.x}


def drawn_feature(geometry_27700) -> dict:
    geom = gpd.GeoSeries([geometry_27700], crs=27700).to_crs(4326).iloc[0]
    return {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geom)}


def draw(map_returns: dict, geometry_27700) -> None:
    feature = drawn_feature(geometry_27700)
    map_returns["plan_map"] = {"last_active_drawing": feature, "all_drawings": [feature]}


def one_month_data(tmp_path: Path) -> Path:
    """A data folder (for HOTSPOTS_DATA): 40 burglaries in one month (2024-01) on Test
    Street, inside the area "Busy"; the area "Quiet" has none."""
    import csv

    from pyproj import Transformer

    folder = tmp_path / "data"
    (folder / "sample_crimes" / "2024-01").mkdir(parents=True)
    (folder / "boundaries").mkdir()
    to_lonlat = Transformer.from_crs(27700, 4326, always_xy=True)
    with (folder / "sample_crimes" / "2024-01" / "2024-01-test-street.csv").open(
            "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                      "Location", "LSOA code", "LSOA name", "Crime type",
                      "Last outcome category", "Context"])
        for i in range(40):
            lon, lat = to_lonlat.transform(440_000 + 7 * i, 360_000 + 5 * i)
            out.writerow([f"id{i}", "2024-01", "Test Police", "Test Police", f"{lon:.6f}",
                          f"{lat:.6f}", "On or near Test Street", "", "", "Burglary", "", ""])
    gpd.GeoDataFrame(
        {"neighbourhood_name": ["Busy", "Quiet"]},
        geometry=[shapely.box(439_500, 359_500, 440_500, 360_500),
                  shapely.box(445_000, 359_500, 446_000, 360_500)], crs="EPSG:27700",
    ).to_file(folder / "boundaries" / "neighbourhoods.gpkg")
    return folder


def layer_html(group) -> str:
    """The page of a feature group drawn on an empty map (what st_folium adds to the map)."""
    import folium

    holder = folium.Map(tiles=None)
    group.add_to(holder)
    return holder.get_root().render()
