"""``hotspots trends`` through click's runner, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.methods.patterns import PATTERN_RULES

TOWN = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "town.gpkg"
#: The demo's planted emerging hot spot (Kestle Retail Park car park, vehicle crime).
RETAIL_PARK = shapely.Point(437_500, 358_350).buffer(150)


def invoke(*args):
    return CliRunner().invoke(main, ["trends", *map(str, args)], catch_exceptions=False)


# --------------------------------------------------------------------------- flags


def test_help():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and "--out" in result.output


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--step", "fortnight"], "--step"),
        (["--cell-size", "0"], "--cell-size"),
        (["--from", "2024-13"], "--from"),
        (["--from", "2025-06", "--to", "2025-01"], "--from"),
        (["--group", "burglary-ish"], "--group"),
        (["--knox-iterations", "0"], "--knox-iterations"),
        (["--distance", "-10"], "--distance"),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(tmp_path, args, flag):
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["trends", str(src), "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert flag in result.output
    assert not out.exists(), "nothing is written for a bad flag"


def test_missing_out_is_a_flag_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    result = CliRunner().invoke(main, ["trends", str(src)])
    assert result.exit_code == 2 and "--out" in result.output


def test_too_few_months_exit_1_with_a_message(tmp_path, one_month_csv):
    path, mapping = one_month_csv
    result = CliRunner().invoke(main, ["trends", str(path), "--mapping", str(mapping),
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "single" in result.output and "Error" in result.output


def test_not_a_crime_file_exits_1(tmp_path):
    bad = tmp_path / "rota.csv"
    bad.write_text("name,shift\nAlex,early\n")
    result = CliRunner().invoke(main, ["trends", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "rota.csv" in result.output


# --------------------------------------------------------------------------- runs


@pytest.fixture(scope="module")
def demo_trends(tmp_path_factory, demo):
    out = tmp_path_factory.mktemp("trends") / "out"
    result = invoke(demo, "--group", "neighbourhood", "--boundary", TOWN, "--cell-size", "100",
                    "--no-tiles", "-q", "--out", out)
    return result, out


def test_trends_on_demo_writes_every_output(demo_trends):
    result, out = demo_trends
    assert result.exit_code == 0, result.output
    assert result.output == ""  # -q
    assert {p.name for p in out.iterdir()} == {
        "trends.gpkg", "emerging.csv", "series.csv", "map.html", "run.json"}
    assert [name for name, _ in pyogrio.list_layers(out / "trends.gpkg")] == ["emerging"]
    cells = gpd.read_file(out / "trends.gpkg", layer="emerging")
    assert cells.crs.to_epsg() == 27700
    assert {"pattern", "pattern_code", "score", "hotspot", "mk_p"} <= set(cells.columns)
    run = json.loads((out / "run.json").read_text())
    assert run["command"] == "trends" and run["method"] == "emerging"
    assert run["params"]["step"] == "month" and run["params"]["n_steps"] == 24
    assert run["params"]["pattern_rules"] == PATTERN_RULES
    assert run["near_repeat"]["run"] is False
    assert "needs the exact date" in run["near_repeat"]["message"]
    assert run["group"]["key"] == "neighbourhood"


def test_trends_finds_the_planted_emerging_site(demo_trends):
    _, out = demo_trends
    table = pd.read_csv(out / "emerging.csv")
    cells = gpd.read_file(out / "trends.gpkg", layer="emerging")
    at_site = cells[cells.intersects(RETAIL_PARK)]
    busiest = at_site.loc[at_site["count"].idxmax()]
    assert busiest["pattern"] == "Consecutive Hot Spot"
    assert busiest["cell_id"] in set(table["cell_id"])
    # emerging.csv lists hot patterns first, and only cells with a pattern
    assert (table["pattern"] != "No Pattern Detected").all()
    assert table["pattern_code"].iloc[0] > 0
    series = pd.read_csv(out / "series.csv")
    site = series[series["cell_id"] == busiest["cell_id"]]
    assert len(site) == 24
    assert (site.loc[site["step"] < "2025-01", "status"] != "hot").all()
    page = (out / "map.html").read_text()
    assert "Consecutive Hot Spot" in page and "hotspots-legend" in page
    assert "polyline points" in page  # per-cell count charts in the popups


def test_trends_on_dated_data_runs_near_repeats(tmp_path, dated_csv):
    path, mapping = dated_csv(tmp_path, repeats=True)
    out = tmp_path / "out"
    result = invoke(path, "--mapping", mapping, "--knox-iterations", "49", "--seed", "3",
                    "--no-tiles", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "near_repeat.csv").is_file()
    knox = pd.read_csv(out / "near_repeat.csv")
    first = knox.iloc[0]
    assert (first["distance_band"], first["time_band"]) == ("0-100 m", "0-7 days")
    assert first["p_value"] == pytest.approx(1 / 50) and bool(first["significant"])
    run = json.loads((out / "run.json").read_text())
    assert run["near_repeat"]["run"] is True
    assert run["near_repeat"]["iterations"] == 49 and run["near_repeat"]["seed"] == 3
    assert run["near_repeat"]["message"].startswith("Within 100 m and 7 days of a burglary")
    assert "near repeats: Within 100 m" in result.output
    assert "  reading 1/1: " in result.output  # each file read is reported
    assert run["params"]["step"] == "month"  # 14 months of dated data: monthly steps


def test_trends_sensitive_group_suppresses_small_counts(tmp_path, dated_csv):
    path, mapping = dated_csv(tmp_path, repeats=False)
    frame = pd.read_csv(path)
    # plant a new cluster: 8 offences a month in one spot over the last four months
    late = pd.DataFrame({
        "ref": [f"L{i}" for i in range(32)], "easting": 441_510.0, "northing": 361_510.0,
        "offence_date": [f"15/{m:02d}/{y}" for y, m in
                         [(2024, 11), (2024, 12), (2025, 1), (2025, 2)] for _ in range(8)],
        "offence": "Burglary"})
    frame = pd.concat([frame, late], ignore_index=True)
    frame["offence"] = "Violence and sexual offences"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    result = invoke(path, "--mapping", mapping, "--group", "vawg", "--knox-iterations", "9",
                    "--cell-size", "250", "--no-tiles", "-q", "--out", out)
    assert result.exit_code == 0, result.output
    series = pd.read_csv(out / "series.csv", dtype=str)
    table = pd.read_csv(out / "emerging.csv", dtype=str)
    assert len(series) and len(table)  # the planted cluster has a pattern
    assert "<5" in set(series["count"])
    assert not series["count"].isin(["1", "2", "3", "4"]).any()
    assert not table["count"].isin(["1", "2", "3", "4"]).any()
    page = (out / "map.html").read_text()
    assert "polyline points" not in page  # no per-cell count charts
    run = json.loads((out / "run.json").read_text())
    assert "<5" in run["privacy"]
    assert "violent or sexual offence" in run["near_repeat"]["message"]
