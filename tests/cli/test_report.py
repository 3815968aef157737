"""``hotspots report CONFIG --out DIR`` through click's runner, on a small planted town.

The town: two 1 km wards, West and East, in British National Grid; every month 20
burglaries spread over West, 15 more on one street corner (the planted hotspot, at E 440300,
N 360300) and 10 vehicle crimes in East, from 2024-01 to 2025-06. A plan file holds
"Option A" (a camera on the hotspot from 2025-01) and "Option B" (empty).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.planning.interventions import Intervention
from hotspots.planning.plans import PlanStore

MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)][:18]
HOTSPOT = (440_300.0, 360_300.0)
WEST = shapely.box(440_000, 360_000, 441_000, 361_000)
EAST = shapely.box(441_000, 360_000, 442_000, 361_000)


def invoke(*args: object):
    return CliRunner().invoke(main, ["report", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("town")
    rng = np.random.default_rng(7)
    rows = []
    for month in MONTHS:
        for _ in range(20):
            x, y = rng.uniform(440_050, 440_950), rng.uniform(360_050, 360_950)
            rows.append((month, x, y, "Burglary", "On or near Mill Lane"))
        for _ in range(15):
            x, y = HOTSPOT[0] + rng.uniform(-20, 20), HOTSPOT[1] + rng.uniform(-20, 20)
            rows.append((month, x, y, "Burglary", "On or near Corner Street"))
        for _ in range(10):
            x, y = rng.uniform(441_050, 441_950), rng.uniform(360_050, 360_950)
            rows.append((month, x, y, "Vehicle crime", "On or near East Road"))
    frame = pd.DataFrame(rows, columns=["month", "easting", "northing", "offence", "street"])
    frame.insert(0, "ref", [f"R{i}" for i in range(len(frame))])
    frame.to_csv(folder / "crimes.csv", index=False)
    (folder / "mapping.toml").write_text(
        'crs = "EPSG:27700"\n[columns]\nx = "easting"\ny = "northing"\nmonth = "month"\n'
        'category = "offence"\nlocation = "street"\ncrime_id = "ref"\n')
    gpd.GeoDataFrame({"ward_name": ["West", "East"], "residents": [1000, 2000]},
                     geometry=[WEST, EAST], crs="EPSG:27700").to_file(folder / "wards.gpkg")
    store = PlanStore(folder / "plans.gpkg")
    store.save_plan("Option A", [Intervention(type="cctv", geometry=shapely.Point(*HOTSPOT),
                                              start="2025-01", cost=20_000,
                                              name="Corner camera")], area="West")
    store.save_plan("Option B", [], area="West")
    write_config(folder / "report.toml")
    return folder


def write_config(path: Path, **replace: str) -> Path:
    text = (
        'title = "Burglary on Corner Street"\n'
        '[data]\ninputs = ["crimes.csv"]\nmapping = "mapping.toml"\n'
        '[boundary]\nfile = "wards.gpkg"\nname_column = "ward_name"\nkind = "wards"\n'
        'population_column = "residents"\n'
        '[selection]\nareas = ["West"]\ngroup = "neighbourhood"\nfrom = "2025-01"\n'
        'to = "2025-06"\n'
        '[method]\nname = "count"\ncell_size = 100\n'
        '[plan]\nfile = "plans.gpkg"\nname = "Option A"\n'
        '[evaluation]\nmonths_before = 6\nmonths_after = 6\n'
        '[output]\npdf = false\ntiles = false\n'
    )
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return path


def test_report_writes_the_bundle(town: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack"
    result = invoke(town / "report.toml", "--out", out)
    assert result.exit_code == 0, result.output
    for name in ("report.html", "layers.gpkg", "run.json", "evidence_pack.zip",
                 "maps/hotspots.png", "maps/plan.png", "maps/evaluation.png",
                 "tables/areas.csv", "tables/projected_plan.csv"):
        assert (out / name).is_file(), name
    assert not (out / "report.pdf").exists()  # [output] pdf = false
    run = json.loads((out / "run.json").read_text())
    numbers = run["numbers"]
    # 6 months x (20 spread + 15 on the corner) burglaries in West; the same in the 6 before
    assert numbers["crimes"] == 210 and numbers["comparison_crimes"] == 210
    # neighbourhood crime includes East's 10 vehicle crimes a month: 270 in the district
    assert numbers["change"] == 0 and numbers["district_crimes"] == 270
    assert numbers["share_of_crime"] == pytest.approx(210 / 270)
    assert numbers["share_of_land"] == pytest.approx(0.5)
    assert numbers["n_interventions"] == 1 and numbers["plan_cost"] == 20_000
    # the camera's 100 m covers the corner: baseline = 6 months x 15 + the spread ones nearby
    assert numbers["projected_baseline"] >= 90
    # issue 10: the projection is on the baseline corrected for regression to the mean (the
    # corner was picked for being busy), with intervals and cost-benefit figures
    assert numbers["projected_baseline_expected"] <= numbers["projected_baseline"]
    assert numbers["projected_prevented"] == pytest.approx(
        0.13 * numbers["projected_baseline_expected"])
    assert numbers["projected_prevented_lo95"] <= numbers["projected_prevented"] <= numbers[
        "projected_prevented_hi95"]
    assert "Crimes counted: Neighbourhood crime (" in result.output
    assert "Benefit-cost ratio" in result.output
    assert run["config"]["plan_name"] == "Option A" and run["command"] == "report"
    areas = pd.read_csv(out / "tables" / "areas.csv")
    west = areas.set_index("area_name").loc["West"]
    assert west["count"] == 210 and west["rate_per_1000"] == pytest.approx(210.0)
    hot = pyogrio.read_dataframe(out / "layers.gpkg", layer="hotspots")
    top = hot.sort_values("score", ascending=False).iloc[0].geometry
    assert top.contains(shapely.Point(HOTSPOT)) or top.distance(shapely.Point(HOTSPOT)) < 30
    assert "wrote" in result.output and "report.html" in result.output


def test_plan_flag_chooses_another_saved_plan(town: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    result = invoke(town / "report.toml", "--out", out, "--plan", "Option B", "-q")
    assert result.exit_code == 0, result.output
    assert result.output == ""
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("The plan &#39;Option B&#39; has no interventions") >= 3
    assert json.loads((out / "run.json").read_text())["plan"]["n_interventions"] == 0


def test_period_flags_override_the_config(town: Path, tmp_path: Path) -> None:
    out = tmp_path / "p"
    result = invoke(town / "report.toml", "--out", out, "--from", "2025-04", "--to", "2025-06",
                    "--no-zip", "-q")
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["period"] == "2025-04 to 2025-06" and run["comparison"] == "2025-01 to 2025-03"
    assert run["numbers"]["crimes"] == 105
    assert not (out / "evidence_pack.zip").exists()


@pytest.mark.parametrize(("args", "flag"), [
    (["--from", "2024-13"], "--from"),
    (["--to", "June"], "--to"),
    (["--from", "2025-06", "--to", "2025-01"], "--from"),
    (["--plan", "Option C"], "--plan"),
])
def test_bad_flags_exit_2_naming_the_flag(town: Path, tmp_path: Path, args, flag) -> None:
    result = invoke(town / "report.toml", "--out", tmp_path / "x", *args)
    assert result.exit_code == 2
    assert flag in result.output
    if flag == "--plan":
        assert "'Option A', 'Option B'" in result.output


def test_missing_config_or_out_exit_2(town: Path, tmp_path: Path) -> None:
    assert invoke(tmp_path / "nope.toml", "--out", tmp_path / "x").exit_code == 2
    result = invoke(town / "report.toml")
    assert result.exit_code == 2 and "--out" in result.output


def test_plan_flag_needs_a_plans_file(town: Path, tmp_path: Path) -> None:
    config = write_config(town / "noplan.toml",
                          **{'[plan]\nfile = "plans.gpkg"\nname = "Option A"\n': ""})
    result = invoke(config, "--out", tmp_path / "x", "--plan", "Option A")
    assert result.exit_code == 2 and "--plan" in result.output
    assert "names no plans file" in result.output


@pytest.mark.parametrize(("change", "expected"), [
    ({'group = "neighbourhood"': "group = 5"},
     "'selection.group': input should be a valid string; got 5"),
    ({'group = "neighbourhood"': 'group = "nosuch"'}, "Unknown crime group 'nosuch'"),
    ({'areas = ["West"]': 'areas = ["North"]'}, "['North'] are not in the boundary"),
    ({'name = "count"': 'name = "magic"'}, "'method.name': input should be 'auto', 'gistar'"),
    ({'mapping = "mapping.toml"': 'mapping = "missing.toml"'},
     "'data.mapping': value error, 'missing.toml' does not exist"),
])
def test_bad_config_exits_1_naming_file_and_key(town: Path, tmp_path: Path, change,
                                                expected) -> None:
    config = write_config(town / "bad.toml", **change)
    result = invoke(config, "--out", tmp_path / "x")
    assert result.exit_code == 1
    assert expected in result.output
    if expected.startswith("'"):  # a key of the config file: the message names the file
        assert "bad.toml" in result.output


def test_no_pdf_flag_overrides_the_config(town: Path, tmp_path: Path) -> None:
    config = write_config(town / "pdf.toml", **{"pdf = false": "pdf = true"})
    out = tmp_path / "np"
    result = invoke(config, "--out", out, "--no-pdf", "-q")
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file() and not (out / "report.pdf").exists()
