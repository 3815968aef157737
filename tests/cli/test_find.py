"""``hotspots find``, run through click's test runner as a user would run it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Transformer

from hotspots.cli import main
from hotspots.cli.find import METHOD_CHOICES
from hotspots.methods.find import METHODS
from hotspots.viz.assets import assets_dir

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "sample_crimes"
NEIGHBOURHOODS = ROOT / "data" / "boundaries" / "neighbourhoods.gpkg"
HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
          "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
TO_LONLAT = Transformer.from_crs(27700, 4326, always_xy=True)


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def police_csv(path: Path, rows: list[tuple[str, float, float, str]], month="2024-03") -> Path:
    """A police.uk street CSV from (category, easting, northing, location) rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i, (category, e, n, location) in enumerate(rows):
            lon, lat = TO_LONLAT.transform(e, n)
            writer.writerow([f"id{i}", month, "Test Police", "Test Police", f"{lon:.6f}",
                             f"{lat:.6f}", location, "E01000001", "Test 001A", category, "", ""])
    return path


def test_method_choices_are_the_library_methods():
    assert METHOD_CHOICES == METHODS


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--method", "magic"], "--method"),
        (["--cell-size", "0"], "--cell-size"),
        (["--bandwidth", "-5"], "--bandwidth"),
        (["--from", "2024-13"], "--from"),
        (["--group", "burglary-ish"], "--group"),
        (["--from", "2025-06", "--to", "2025-01"], "--from"),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(tmp_path, args, flag):
    result = CliRunner().invoke(main, ["find", str(DEMO), "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert flag in result.output
    assert not list(tmp_path.iterdir()), "nothing is written for a bad flag"


def test_find_on_demo_writes_every_output(tmp_path):
    out = tmp_path / "out"
    result = run("find", DEMO, "--boundary", NEIGHBOURHOODS, "--group", "neighbourhood",
                 "--from", "2025-01", "--to", "2025-12", "--out", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "hotspots.gpkg", "summary.csv", "areas.csv", "map.html", "run.json"}
    layers = dict(pyogrio.list_layers(out / "hotspots.gpkg"))
    assert set(layers) == {"cells", "areas"}
    cells = gpd.read_file(out / "hotspots.gpkg", layer="cells")
    assert cells.crs.to_epsg() == 27700
    assert {"score", "hotspot"} <= set(cells.columns)
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == cells["hotspot"].sum() > 0
    assert summary["score"].is_monotonic_decreasing
    areas = pd.read_csv(out / "areas.csv")
    run_json = json.loads((out / "run.json").read_text())
    # the default method is auto (issue 9): the contest is recorded in run.json
    assert run_json["method"] == "auto"
    assert run_json["period"] == {"from": "2025-01", "to": "2025-12"}
    assert run_json["group"]["key"] == "neighbourhood"
    assert run_json["params"]["auto"]["held_out_months"] == ["2025-10", "2025-12"]
    assert run_json["params"]["chosen"] in run_json["method_statement"]
    report = run_json["load_report"]
    assert report["rows_read"] == report["rows_kept"] + sum(report["dropped"].values())
    assert areas["count"].sum() == run_json["selection"]["rows_out"]
    assert "Read 67,841 rows" in result.output  # the load report is shown


def test_map_is_standalone_and_escapes_text_from_data(tmp_path):
    evil = '<script>alert("x")</script> Street'
    rows = [("Burglary", 440_000 + i % 3, 360_000, evil) for i in range(30)]
    rows += [("Burglary", 441_000 + 50 * i, 361_000 + 37 * i, "Quiet Road") for i in range(30)]
    src = police_csv(tmp_path / "evil.csv", rows)
    boundary = gpd.GeoDataFrame({"name": ['<img src=x onerror="alert(1)">']},
                                geometry=[shapely.box(439_000, 359_000, 443_000, 363_000)],
                                crs="EPSG:27700")
    boundary.to_file(tmp_path / "b.gpkg")
    result = run("find", src, "--boundary", tmp_path / "b.gpkg", "--method", "dbscan",
                 "--eps", "100", "--min-samples", "10", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "o" / "map.html").read_text()
    # escaped once by us; folium's JSON may further encode "&" as \\u0026
    assert "&lt;script&gt;" in page.replace("\\u0026", "&")
    assert '<script>alert("x")' not in page
    assert '<img src=x onerror' not in page
    assert "clusters" in dict(pyogrio.list_layers(tmp_path / "o" / "hotspots.gpkg"))
    if assets_dir() is not None:
        assert "cdn.jsdelivr.net/npm/leaflet" not in page
        assert "L.map(" in page or "L.map" in page


def test_sensitive_group_suppresses_small_counts(tmp_path):
    rows = [("Violence and sexual offences", 440_050, 360_050, "Bar Street")] * 3
    rows += [("Violence and sexual offences", 441_550, 361_550, "Club Lane")] * 40
    src = police_csv(tmp_path / "v.csv", rows)
    halves = gpd.GeoDataFrame(
        {"area_name": ["West", "East"]},
        geometry=[shapely.box(439_000, 359_000, 441_000, 363_000),
                  shapely.box(441_000, 359_000, 443_000, 363_000)], crs="EPSG:27700")
    halves.to_file(tmp_path / "halves.gpkg")
    result = run("find", src, "--group", "vawg", "--boundary", tmp_path / "halves.gpkg",
                 "--method", "count", "--cell-size", "500", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    areas = pd.read_csv(tmp_path / "o" / "areas.csv", dtype=str).set_index("area_name")
    assert areas.loc["West", "count"] == "<5"
    assert areas.loc["East", "count"] == "40"
    assert "<5" in json.loads((tmp_path / "o" / "run.json").read_text())["privacy"]


def test_not_a_crime_file_exits_1_naming_the_file(tmp_path):
    bad = tmp_path / "staff_rota.csv"
    bad.write_text("name,shift\nAlex,early\n")
    result = CliRunner().invoke(main, ["find", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "staff_rota.csv" in result.output
    assert "Traceback" not in result.output


def test_empty_selection_says_why(tmp_path):
    src = police_csv(tmp_path / "b.csv", [("Burglary", 440_000, 360_000, "A Road")] * 5)
    result = CliRunner().invoke(main, ["find", str(src), "--group", "asb", "--out",
                                       str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "No crimes left" in result.output and "Burglary" in result.output


@pytest.mark.realdata
def test_west_yorkshire_month(shared_data, tmp_path):
    src = shared_data / "west-yorkshire" / "2016-07-west-yorkshire-street.csv.gz"
    result = run("find", src, "--group", "neighbourhood", "--method", "kde", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "run.json").read_text())["load_report"]
    assert report["rows_read"] == 27_176
    assert report["dropped"] == {"no coordinates": 1_347}


@pytest.mark.realdata
def test_nottingham_burglary_through_a_mapping_by_ward(shared_data, tmp_path):
    src = shared_data / "nottingham" / "burglary_2022.csv.gz"
    result = run("find", src, "--mapping", ROOT / "examples" / "nottingham_burglary.toml",
                 "--boundary", shared_data / "nottingham" / "wards.gpkg", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    areas = pd.read_csv(tmp_path / "areas.csv")
    assert len(areas) == 20
    assert areas["count"].sum() == 1_795
    assert areas["rank"].min() == 1


def test_boundary_with_no_crimes_inside_says_so(tmp_path):
    src = police_csv(tmp_path / "b.csv", [("Burglary", 440_000, 360_000, "A Road")] * 5)
    far = gpd.GeoDataFrame({"area_name": ["Elsewhere"]},
                           geometry=[shapely.box(300_000, 300_000, 301_000, 301_000)],
                           crs="EPSG:27700")
    far.to_file(tmp_path / "far.gpkg")
    result = CliRunner().invoke(main, ["find", str(src), "--boundary", str(tmp_path / "far.gpkg"),
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "All 5 located crimes fall outside the boundary" in result.output
    assert "far.gpkg" in result.output


def test_geojson_in_metres_without_crs_is_refused(tmp_path):
    path = tmp_path / "metres.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"area_name": "A"},
        "geometry": shapely.geometry.mapping(shapely.box(439_000, 359_000, 441_000, 361_000))}]}))
    src = police_csv(tmp_path / "b.csv", [("Burglary", 440_000, 360_000, "A Road")] * 5)
    result = CliRunner().invoke(main, ["find", str(src), "--boundary", str(path),
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "look like metres" in result.output and "metres.geojson" in result.output
