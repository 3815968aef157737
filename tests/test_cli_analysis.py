"""``hotspots trends`` and ``hotspots compare`` through click's runner, as a user runs them.

The commands are invoked directly (the lead registers them on ``hotspots.cli.main``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from hotspots.cli.analysis import compare, emerging_map, trends
from hotspots.methods.patterns import PATTERN_RULES

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "sample_crimes"
TOWN = ROOT / "data" / "boundaries" / "town.gpkg"
NOTTINGHAM_MAPPING = ROOT / "examples" / "nottingham_burglary.toml"
#: The demo's planted emerging hot spot (Kestle Retail Park car park, vehicle crime).
RETAIL_PARK = shapely.Point(437_500, 358_350).buffer(150)


def invoke(command, *args):
    return CliRunner().invoke(command, [str(a) for a in args], catch_exceptions=False)


def need_demo() -> None:
    if not (DEMO / "planted.json").is_file():
        pytest.skip(f"demo data {DEMO} is absent (run 'hotspots sample')")


def dated_csv(tmp_path: Path, *, repeats: bool, seed: int = 0) -> tuple[Path, Path]:
    """A force-extract-like CSV (eastings, northings, offence dates) and its TOML mapping.

    600 burglaries over 3 km x 3 km and 14 months; with ``repeats`` each of 200 is followed
    by another within 60 m and 1-5 days.
    """
    rng = np.random.default_rng(seed)
    n = 600
    xy = rng.uniform(0, 3000, (n, 2)) + [440_000, 360_000]
    days = rng.integers(0, 425, n)
    if repeats:
        src = rng.choice(n, 200, replace=False)
        xy = np.r_[xy, xy[src] + rng.uniform(-40, 40, (200, 2))]
        days = np.r_[days, days[src] + rng.integers(1, 6, 200)]
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    path = tmp_path / "extract.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ref", "easting", "northing", "offence_date", "offence"])
        for i, ((x, y), d) in enumerate(zip(xy, dates, strict=True)):
            writer.writerow([f"R{i}", f"{x:.1f}", f"{y:.1f}", d.strftime("%d/%m/%Y"),
                             "Burglary"])
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'crs = "EPSG:27700"\ndate_format = "%d/%m/%Y"\n\n[columns]\nx = "easting"\n'
        'y = "northing"\ndate = "offence_date"\ncategory = "offence"\ncrime_id = "ref"\n'
    )
    return path, mapping


# --------------------------------------------------------------------------- flags


@pytest.mark.parametrize("command", [trends, compare])
def test_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and "--out" in result.output


@pytest.mark.parametrize(
    ("command", "args", "flag"),
    [
        (trends, ["--step", "fortnight"], "--step"),
        (trends, ["--cell-size", "0"], "--cell-size"),
        (trends, ["--from", "2024-13"], "--from"),
        (trends, ["--from", "2025-06", "--to", "2025-01"], "--from"),
        (trends, ["--group", "burglary-ish"], "--group"),
        (trends, ["--knox-iterations", "0"], "--knox-iterations"),
        (trends, ["--distance", "-10"], "--distance"),
        (compare, ["--coverage", "1.5"], "--coverage"),
        (compare, ["--recommend-at", "0"], "--recommend-at"),
        (compare, ["--methods", "kde,magic"], "--methods"),
        (compare, ["--train-to", "2025-06", "--test-from", "2025-03"], "--train-to"),
        (compare, ["--test-from", "2025-09", "--test-to", "2025-07"], "--test-from"),
        (compare, ["--train-from", "2025-1"], "--train-from"),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(tmp_path, command, args, flag):
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(command, [str(src), "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert flag in result.output
    assert not out.exists(), "nothing is written for a bad flag"


def test_missing_out_is_a_flag_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    result = CliRunner().invoke(trends, [str(src)])
    assert result.exit_code == 2 and "--out" in result.output


def test_data_errors_exit_1_with_a_message(tmp_path):
    path, mapping = dated_csv(tmp_path, repeats=False)
    frame = pd.read_csv(path)
    frame["offence_date"] = "15/03/2024"  # a single month: no trend to find
    one_month = tmp_path / "one_month.csv"
    frame.to_csv(one_month, index=False)
    result = CliRunner().invoke(trends, [str(one_month), "--mapping", str(mapping),
                                         "--out", str(tmp_path / "o1")])
    assert result.exit_code == 1
    assert "single" in result.output and "Error" in result.output
    result = CliRunner().invoke(compare, [str(one_month), "--mapping", str(mapping),
                                          "--out", str(tmp_path / "o2")])
    assert result.exit_code == 1
    assert "too few to train" in result.output


def test_not_a_crime_file_exits_1(tmp_path):
    bad = tmp_path / "rota.csv"
    bad.write_text("name,shift\nAlex,early\n")
    result = CliRunner().invoke(trends, [str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "rota.csv" in result.output


# --------------------------------------------------------------------------- trends


@pytest.fixture(scope="module")
def demo_trends(tmp_path_factory):
    need_demo()
    out = tmp_path_factory.mktemp("trends") / "out"
    result = invoke(trends, DEMO, "--group", "neighbourhood", "--boundary", TOWN,
                    "--cell-size", "100", "--no-tiles", "-q", "--out", out)
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


def test_trends_on_dated_data_runs_near_repeats(tmp_path):
    path, mapping = dated_csv(tmp_path, repeats=True)
    out = tmp_path / "out"
    result = invoke(trends, path, "--mapping", mapping, "--knox-iterations", "49",
                    "--seed", "3", "--no-tiles", "--out", out)
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
    assert run["params"]["step"] == "month"  # 14 months of dated data: monthly steps


def test_trends_sensitive_group_suppresses_small_counts(tmp_path):
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
    result = invoke(trends, path, "--mapping", mapping, "--group", "vawg", "--knox-iterations",
                    "9", "--cell-size", "250", "--no-tiles", "-q", "--out", out)
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


# --------------------------------------------------------------------------- compare


@pytest.fixture(scope="module")
def demo_compare(tmp_path_factory):
    need_demo()
    out = tmp_path_factory.mktemp("compare") / "out"
    result = invoke(compare, DEMO, "--group", "neighbourhood", "--boundary", TOWN,
                    "--methods", "count,kde,gistar,dbscan,emerging", "--no-tiles", "--out", out)
    return result, out


def test_compare_on_demo_writes_every_output(demo_compare):
    result, out = demo_compare
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "comparison.csv", "comparison.png", "hotspots.gpkg", "map.html", "run.json"}
    assert (out / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["method"]) == {"count", "kde", "gistar", "dbscan", "emerging"}
    assert sorted(table["coverage"].unique()) == [0.01, 0.02, 0.05]
    run = json.loads((out / "run.json").read_text())
    # default periods: the last three months are the test
    assert run["periods"] == {"train_from": "2024-01", "train_to": "2025-09",
                              "test_from": "2025-10", "test_to": "2025-12"}
    rec = run["recommendation"]
    at5 = table[(table["coverage"] == 0.05) & table["comparable"]]
    assert rec["pai"] == pytest.approx(at5["pai"].max())
    assert rec["label"] == at5.iloc[0]["label"]
    assert rec["sentence"] in result.output
    layers = [name for name, _ in pyogrio.list_layers(out / "hotspots.gpkg")]
    assert layers in (["cells"], ["clusters"])
    assert gpd.read_file(out / "hotspots.gpkg").crs.to_epsg() == 27700
    assert run["study_area"] == "the study area given"


@pytest.mark.realdata
def test_compare_nottingham_burglary(shared_data, tmp_path):
    src = shared_data / "nottingham" / "burglary_2022.csv.gz"
    wards = shared_data / "nottingham" / "wards.gpkg"
    if not src.is_file() or not NOTTINGHAM_MAPPING.is_file():
        pytest.skip("Nottingham burglary data or its example mapping is absent")
    out = tmp_path / "out"
    result = invoke(compare, src, "--mapping", NOTTINGHAM_MAPPING, "--boundary", wards,
                    "--train-from", "2022-01", "--train-to", "2022-09", "--test-from",
                    "2022-10", "--test-to", "2022-12", "--no-tiles", "--out", out)
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert (run["n_train"], run["n_test"]) == (1320, 475)
    assert run["recommendation"]["pai"] > 3
    assert "PAI" in run["recommendation"]["sentence"]


def test_emerging_map_without_patterns_has_a_legend():
    from hotspots.methods.emerging import emerging_hotspots

    months = pd.to_datetime(["2024-01-01", "2024-02-01"] * 5)
    crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
                              geometry=gpd.points_from_xy(np.arange(10) * 100.0 + 440_000,
                                                          [360_000.0] * 10), crs="EPSG:27700")
    fmap = emerging_map(emerging_hotspots(crimes, cell_size=100), tiles=None)
    assert "No emerging pattern found" in fmap.get_root().render()
