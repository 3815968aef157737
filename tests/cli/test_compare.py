"""``hotspots compare`` through click's runner, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from hotspots.analysis.accuracy import default_candidates
from hotspots.cli import main
from hotspots.cli.compare import METHOD_CHOICES
from hotspots.cli.compare import RECOMMEND_AT
from hotspots.methods.scoring import DEFAULT_COVERAGE

ROOT = Path(__file__).resolve().parents[2]
TOWN = ROOT / "data" / "boundaries" / "town.gpkg"
NOTTINGHAM_MAPPING = ROOT / "examples" / "nottingham_burglary.toml"


def invoke(*args):
    return CliRunner().invoke(main, ["compare", *map(str, args)], catch_exceptions=False)


def test_method_choices_are_the_candidates():
    assert set(METHOD_CHOICES) == {c["method"] for c in default_candidates()}
    assert RECOMMEND_AT == DEFAULT_COVERAGE


def test_help():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and "--out" in result.output


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--coverage", "1.5"], "--coverage"),
        (["--recommend-at", "0"], "--recommend-at"),
        (["--methods", "kde,magic"], "--methods"),
        (["--train-to", "2025-06", "--test-from", "2025-03"], "--train-to"),
        (["--train-to", "2025-06", "--test-from", "2025-06"], "--train-to"),
        (["--train-from", "2025-06", "--train-to", "2025-03"], "--train-from"),
        (["--test-from", "2025-09", "--test-to", "2025-07"], "--test-from"),
        (["--train-from", "2025-1"], "--train-from"),
        (["--group", "burglary-ish"], "--group"),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(tmp_path, args, flag):
    src = tmp_path / "in.csv"
    src.write_text("x\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(src), "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert flag in result.output
    assert not out.exists(), "nothing is written for a bad flag"


def test_too_few_months_exit_1_with_a_message(tmp_path, one_month_csv):
    path, mapping = one_month_csv
    result = CliRunner().invoke(main, ["compare", str(path), "--mapping", str(mapping),
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "too few to train" in result.output


@pytest.fixture(scope="module")
def demo_compare(tmp_path_factory, demo):
    out = tmp_path_factory.mktemp("compare") / "out"
    result = invoke(demo, "--group", "neighbourhood", "--boundary", TOWN,
                    "--methods", "count,kde,dbscan,emerging", "--no-tiles", "--out", out)
    return result, out


def test_compare_on_demo_writes_every_output(demo_compare):
    result, out = demo_compare
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "comparison.csv", "comparison.png", "hotspots.gpkg", "map.html", "run.json"}
    assert (out / "comparison.png").read_bytes()[:4] == b"\x89PNG"
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["method"]) == {"count", "kde", "dbscan", "emerging"}
    assert sorted(table["coverage"].unique()) == [0.01, 0.02, 0.05]
    # the naive 100 m count is in the table whatever --methods says
    assert table["baseline"].sum() == 3
    run = json.loads((out / "run.json").read_text())
    # default periods: the last three months are the test
    assert run["periods"] == {"train_from": "2024-01", "train_to": "2025-09",
                              "test_from": "2025-10", "test_to": "2025-12"}
    rec = run["recommendation"]
    at1 = table[(table["coverage"] == 0.01) & table["comparable"]]
    assert rec["hit_rate"] == pytest.approx(at1["hit_rate"].max())
    assert rec["label"] == at1.iloc[0]["label"]
    assert rec["hit_rate_low"] <= rec["hit_rate"] <= rec["hit_rate_high"]
    assert run["recommend_at"] == 0.01 and "bootstrap" in run["intervals"]
    assert rec["sentence"] in result.output
    assert "trained on 2024-01 to 2025-09, tested on 2025-10 to 2025-12" in result.output
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
    result = invoke(src, "--mapping", NOTTINGHAM_MAPPING, "--boundary", wards,
                    "--train-from", "2022-01", "--train-to", "2022-09", "--test-from",
                    "2022-10", "--test-to", "2022-12", "--methods", "auto,count",
                    "--no-tiles", "--out", out)
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert (run["n_train"], run["n_test"]) == (1320, 475)
    assert run["study_area_km2"] == pytest.approx(74.6, abs=0.2)  # the wards, not 81.7
    rec = run["recommendation"]
    assert rec["method"] == "auto" and rec["pai"] > 10  # at 1% of the area
    assert rec["gain_vs_naive_low"] > 0  # beats the naive count beyond chance
    assert "PAI" in rec["sentence"] and "naive 100 m count" in rec["sentence"]
