"""run_find: the ``hotspots find`` pipeline called from Python, with its settings objects."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pyogrio
import pytest

from hotspots.methods.find import MethodSettings
from hotspots.methods.find import find_hotspots
from hotspots.pipelines.find import FIND_STEPS
from hotspots.pipelines.find import hotspot_table
from hotspots.pipelines.find import run_find
from hotspots.pipelines.selection import Selection
from hotspots.pipelines.selection import load_selection
from tests.pipelines.conftest import HOTSPOT
from tests.pipelines.conftest import MAPPING


@pytest.fixture(scope="module")
def counted(extract, halves, tmp_path_factory):
    out = tmp_path_factory.mktemp("find")
    steps = []
    run = run_find(Selection(extract, mapping=MAPPING, boundary=halves, group="neighbourhood",
                             start="2024-03"),
                   MethodSettings("count", cell_size=100), out=out, tiles=None,
                   progress=lambda *a: steps.append(a))
    return run, out, steps


def test_find_writes_every_output(counted):
    run, out, _ = counted
    assert set(run.outputs) == {"geopackage", "summary", "areas", "map", "run"}
    assert {p.name for p in out.iterdir()} == {
        "hotspots.gpkg", "summary.csv", "areas.csv", "map.html", "run.json"}
    assert [name for name, _ in pyogrio.list_layers(out / "hotspots.gpkg")] == ["cells", "areas"]
    areas = pd.read_csv(out / "areas.csv").set_index("area_name")
    assert areas["count"].sum() == 4 * 20  # burglaries from 2024-03 to 2024-06


def test_find_uses_the_method_settings(counted, extract):
    run, out, _ = counted
    assert run.result.method == "count" and run.result.params["cell_size"] == 100
    top = run.result.cells.sort_values("score", ascending=False).iloc[0]
    assert top.geometry.equals(HOTSPOT)
    record = json.loads((out / "run.json").read_text())
    assert record["command"] == "find" and record["method"] == "count"
    assert record["period"] == {"from": "2024-03", "to": None}
    assert record["inputs"] == [str(extract)]
    assert record["mapping"] == MAPPING and record["boundary"].endswith("halves.gpkg")
    assert record["group"]["key"] == "neighbourhood"


def test_find_reports_every_step(counted):
    _, _, steps = counted
    assert [(done, total) for done, total, _ in steps] == [(i, FIND_STEPS) for i in range(5)]
    assert steps[3][2] == "Finding hotspots (count) in 80 crimes"


def test_default_method_is_auto(extract, tmp_path):
    # issue 9: auto is the default; the extract's 6 months allow a contest
    run = run_find(Selection(extract, mapping=MAPPING), out=tmp_path, tiles=None)
    assert run.result.method == "auto"
    assert run.result.params["chosen"]
    assert not (tmp_path / "areas.csv").exists()


def test_method_settings_run_find_hotspots(extract):
    crimes = load_selection(Selection(extract, mapping=MAPPING)).crimes
    settings = MethodSettings("kde", cell_size=50, bandwidth=200)
    ours = settings.run(crimes).cells
    direct = find_hotspots(crimes, method="kde", cell_size=50, bandwidth=200).cells
    pd.testing.assert_frame_equal(pd.DataFrame(ours), pd.DataFrame(direct))


def test_hotspot_table_is_hottest_first_and_suppresses_small_counts(counted):
    run, _, _ = counted
    table = hotspot_table(run.result)
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert table["score"].is_monotonic_decreasing
    assert {"easting", "northing", "longitude", "latitude"} <= set(table.columns)
    small = run.result.cells.assign(count=3.0, hotspot=True)
    hidden = hotspot_table(dataclasses.replace(run.result, cells=small), sensitive=True)
    assert set(hidden["count"]) == {"<5"}


def test_find_records_the_stability_of_the_map(counted):
    run, out, _ = counted
    stability = run.result.params["stability"]
    shares = [stability[k] for k in ("shift_x", "shift_y", "shift_xy", "smaller_cells",
                                     "larger_cells")]
    assert all(0.0 <= s <= 1.0 for s in shares)
    assert stability["mean"] == pytest.approx(sum(shares) / 5, abs=1e-3)
    assert (stability["smaller_cell_size"], stability["larger_cell_size"]) == (75.0, 125.0)
    record = json.loads((out / "run.json").read_text())
    assert record["stability"] == record["params"]["stability"] == stability
    assert "Stability: " in (out / "map.html").read_text(encoding="utf-8")


def test_find_can_skip_the_stability_check(extract, halves, tmp_path):
    run = run_find(Selection(extract, mapping=MAPPING, group="neighbourhood"),
                   MethodSettings("count", cell_size=100), out=tmp_path, tiles=None,
                   stability=False)
    assert "stability" not in run.result.params
    assert json.loads((tmp_path / "run.json").read_text())["stability"] is None
