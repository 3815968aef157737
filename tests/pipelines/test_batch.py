"""Batch runs: the grid, idempotent re-runs, failures kept apart, retries, Dask == serial."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from hotspots.datasets.national import write_national_archive
from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.groups import get_group
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.io.store import read_store
from hotspots.pipelines import batch as batch_module
from hotspots.pipelines.batch import SERIAL
from hotspots.pipelines.batch import plan_jobs
from hotspots.pipelines.batch import run_batch
from hotspots.pipelines.batch_config import batch_config_from_dict
from hotspots.pipelines.batch_config import read_batch_config
from hotspots.pipelines.ingest import ingest
from hotspots.select import group_mask

ROOT = Path(__file__).resolve().parents[2]
FORCES = ("cumbria", "north-wales")
#: What must agree between two runs of the same jobs (not timings, not folders).
COMPARED = ["job", "unit", "kind", "group", "from", "to", "method", "status", "rows_read",
            "crimes", "hotspots", "error"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """Two forces, two months, about 1,000 rows each (the synthetic national archive)."""
    folder = tmp_path_factory.mktemp("batch")
    archive = write_national_archive(folder / "zips", months=2, scale=0.08, seed=11,
                                     forces=FORCES)
    ingest(archive.zips, store=folder / "store")
    return folder / "store"


def _cfg(**jobs):
    return batch_config_from_dict({"jobs": {"forces": "all", **jobs},
                                   "summary": {"top": 3, "harm": "example"},
                                   "output": {"map": False}})


@pytest.fixture(scope="module")
def serial(store, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run = run_batch(_cfg(), store=store, out=out, scheduler=SERIAL)
    return run, out


def test_plan_is_the_grid_of_forces_groups_periods_and_methods(store, tmp_path):
    cfg = batch_config_from_dict({"jobs": {
        "forces": ["Cumbria Constabulary", "north-wales"], "groups": ["vawg", "serious_violence"],
        "periods": [{"from": "2024-01", "to": "2024-01"}, {"from": "2024-02"}],
        "methods": ["auto", "kde", "gistar"]}})
    jobs = plan_jobs(cfg, store=store, out=tmp_path)
    assert len(jobs) == 2 * 2 * 2 * 3
    assert {j.unit for j in jobs} == set(FORCES)
    assert {(j.start, j.end) for j in jobs} == {("2024-01", "2024-01"), ("2024-02", None)}
    assert len({j.id for j in jobs}) == len(jobs)
    default = plan_jobs(batch_config_from_dict({}), store=store, out=tmp_path)
    assert {(j.group, j.start, j.end, j.method) for j in default} == {
        ("neighbourhood", "2024-01", "2024-02", "auto"), ("vawg", "2024-01", "2024-02", "auto")}


def test_a_force_missing_from_the_store_is_named(store, tmp_path):
    cfg = batch_config_from_dict({"jobs": {"forces": ["kent", "cumbria"]}})
    with pytest.raises(ParameterError, match=r"jobs\.forces.*'kent'.*cumbria, north-wales"):
        plan_jobs(cfg, store=store, out=tmp_path)


def test_serial_run_writes_every_job_the_index_and_the_national_summary(serial, store):
    run, out = serial
    assert [r.status for r in run.results] == ["done"] * 4
    index = pd.read_csv(out / "index.csv")
    assert len(index) == 4 and set(index["status"]) == {"done"}
    for folder in index["folder"]:
        job_run = json.loads((out / folder / "run.json").read_text())
        assert job_run["command"] == "find" and job_run["batch"]["fingerprint"]
        assert (out / folder / "summary.csv").is_file()
        assert not (out / folder / "map.html").exists()  # map = false
    # Each job's crimes are the store's crimes of its force and group.
    for _, row in index.iterrows():
        crimes, _ = read_store(store, forces=[row["unit"]])
        mask, _, _ = group_mask(crimes, get_group(row["group"]))
        assert row["crimes"] == int(mask.sum()) > 50
        assert row["rows_read"] == len(crimes)
    summary = pd.read_csv(out / "national_summary.csv")
    for (group, _method), part in summary.groupby(["group", "method"]):
        assert set(part["unit"]) <= set(FORCES) and len(part) <= 2 * 3
        # national rank by count is the rank of the counts across forces
        counts = pd.to_numeric(part["count"], errors="coerce")
        if group != "vawg" or (counts >= 5).all():
            expected = counts.rank(method="min", ascending=False).astype(int)
            assert list(part["national_rank_count"]) == list(expected)
        assert part["harm"].notna().any() or group == "vawg"
        assert ((part["share"].dropna() > 0) & (part["share"].dropna() <= 1)).all()
    forces = pd.read_csv(out / "forces.csv")
    assert set(forces["unit"]) == set(FORCES) and (forces["share_in_top"] <= 1).all()
    meta = json.loads((out / "run.json").read_text())
    assert meta["command"] == "batch" and meta["jobs"] == 4 and meta["statuses"] == {"done": 4}


def test_top_hotspots_match_each_job_summary(serial):
    run, out = serial
    for result in run.results:
        table = pd.read_csv(Path(result.folder) / "summary.csv")
        assert len(result.top) == min(3, len(table))
        for top, (_, row) in zip(result.top, table.iterrows(), strict=False):
            assert top["easting"] == pytest.approx(row["easting"])
            if str(row["count"]) != "<5":
                assert top["count"] == pytest.approx(float(row["count"]))
                assert top["share"] == pytest.approx(float(row["count"]) / result.crimes)


def test_a_second_run_runs_nothing_and_changes_nothing(serial, store):
    run, out = serial
    stamps = {p: p.stat().st_mtime_ns for p in (out / "jobs").rglob("*")}
    again = run_batch(_cfg(), store=store, out=out, scheduler=SERIAL)
    assert [r.status for r in again.results] == ["unchanged"] * 4
    assert {p: p.stat().st_mtime_ns for p in (out / "jobs").rglob("*")} == stamps
    index = pd.read_csv(out / "index.csv")
    assert [r.crimes for r in again.results] == [r.crimes for r in run.results]
    assert list(index["status"]) == ["unchanged"] * 4
    assert [r.top for r in again.results] == [r.top for r in run.results]


def test_changed_settings_run_again(serial, store, tmp_path):
    import shutil

    out = shutil.copytree(serial[1], tmp_path / "out")
    cfg = batch_config_from_dict({"jobs": {"forces": ["cumbria"], "groups": "neighbourhood"},
                                  "summary": {"top": 2}, "output": {"map": False}})
    again = run_batch(cfg, store=store, out=out, scheduler=SERIAL)
    assert [r.status for r in again.results] == ["done"]
    assert len(again.results[0].top) <= 2


def _police_csv(path: Path, force: str, rows: list[tuple[str, float, float]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(POLICE_UK_COLUMNS)
        for i, (category, lon, lat) in enumerate(rows):
            writer.writerow([f"x{i}", "2024-01", force, force, lon, lat,
                             "On or near X", "E01", "L 001A", category, "", ""])
    return path


@pytest.fixture
def asb_only_store(tmp_path) -> Path:
    """Force A with burglaries; force B with anti-social behaviour only."""
    a = [("Burglary", -1.55 + 0.0004 * (i % 7), 53.80 + 0.0004 * (i % 5)) for i in range(60)]
    b = [("Anti-social behaviour", -1.20 + 0.0003 * (i % 4), 53.60) for i in range(20)]
    _police_csv(tmp_path / "in" / "2024-01-force-a-street.csv", "Force A Police", a)
    _police_csv(tmp_path / "in" / "2024-01-force-b-street.csv", "Force B Police", b)
    ingest(tmp_path / "in", store=tmp_path / "store")
    return tmp_path / "store"


def test_a_job_failing_on_its_data_is_reported_and_the_others_are_kept(asb_only_store,
                                                                         tmp_path):
    cfg = batch_config_from_dict({"jobs": {"groups": "victim_based", "methods": "count"},
                                  "output": {"map": False}})
    run = run_batch(cfg, store=asb_only_store, out=tmp_path / "out", scheduler=SERIAL)
    status = {r.job.unit: r for r in run.results}
    assert status["force-a"].status == "done" and status["force-a"].crimes == 60
    assert status["force-b"].status == "failed"
    assert "No crimes left" in status["force-b"].error
    index = pd.read_csv(tmp_path / "out" / "index.csv")
    assert index.set_index("unit").loc["force-b", "status"] == "failed"
    assert not (tmp_path / "out" / "jobs" / run.failed[0].job.id).exists()
    meta = json.loads((tmp_path / "out" / "run.json").read_text())
    assert meta["failed"][0]["job"] == run.failed[0].job.id


def test_an_unexpected_failure_is_retried(asb_only_store, tmp_path, monkeypatch):
    real, calls = batch_module.run_job, []

    def flaky(job, settings):
        calls.append(job.id)
        if calls.count(job.id) == 1:
            raise RuntimeError("worker lost")
        return real(job, settings)

    monkeypatch.setattr(batch_module, "run_job", flaky)
    cfg = batch_config_from_dict({"jobs": {"forces": ["force-a"], "groups": "victim_based",
                                           "methods": "count"},
                                  "output": {"map": False}, "run": {"retries": 1}})
    run = run_batch(cfg, store=asb_only_store, out=tmp_path / "out", scheduler=SERIAL)
    assert [r.status for r in run.results] == ["done"] and len(calls) == 2
    calls.clear()
    cfg0 = batch_config_from_dict({"jobs": {"groups": "victim_based", "methods": "count"},
                                   "output": {"map": False}, "run": {"retries": 0}})
    run = run_batch(cfg0, store=asb_only_store, out=tmp_path / "out0", scheduler=SERIAL)
    assert {r.status for r in run.results} == {"failed"}
    assert "RuntimeError: worker lost (after 1 tries)" in run.results[0].error


def test_no_half_written_job_folder_is_left_by_a_failure(asb_only_store, tmp_path,
                                                         monkeypatch):
    import hotspots.pipelines.find as find_module

    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(find_module, "run_find", broken)
    cfg = batch_config_from_dict({"jobs": {"forces": ["force-a"], "groups": "victim_based"},
                                  "run": {"retries": 0}})
    run = run_batch(cfg, store=asb_only_store, out=tmp_path / "out", scheduler=SERIAL)
    assert run.results[0].status == "failed" and "MemoryError" in run.results[0].error
    assert list((tmp_path / "out" / "jobs").iterdir()) == []


def test_config_errors_name_the_file_and_every_key(tmp_path):
    path = tmp_path / "b.toml"
    path.write_text('[jobs]\nforces = ["kent"]\nareas = "nope.gpkg"\nmethods = ["magic"]\n'
                    'periods = [{from = "2024-13"}]\n[run]\nretries = -1\nspeed = 3\n')
    with pytest.raises(InputFileError) as err:
        read_batch_config(path)
    text = str(err.value)
    for key in ("b.toml", "jobs.areas", "jobs.methods", "2024-13", "run.retries", "run.speed"):
        assert key in text, key


def test_unknown_group_is_named(tmp_path):
    with pytest.raises(InputFileError, match="jobs.groups.*burglary-ish"):
        batch_config_from_dict({"jobs": {"groups": ["vawg", "burglary-ish"]}})


def test_forces_and_areas_together_are_refused(tmp_path):
    boundary = ROOT / "data" / "boundaries" / "neighbourhoods.gpkg"
    with pytest.raises(InputFileError, match="forces or areas"):
        batch_config_from_dict({"jobs": {"forces": ["kent"], "areas": str(boundary)}})


@pytest.mark.parametrize("name", ["batch_national.toml", "batch_two_forces.toml"])
def test_the_example_configs_are_valid(name):
    cfg = read_batch_config(ROOT / "examples" / name)
    assert cfg.groups and cfg.methods


@pytest.mark.slow
def test_a_two_worker_dask_cluster_gives_the_serial_results(serial, store, tmp_path):
    from distributed import LocalCluster

    run, out = serial
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        dask_run = run_batch(_cfg(), store=store, out=tmp_path,
                             scheduler=cluster.scheduler_address)
    assert dask_run.scheduler.startswith("cluster at tcp://")
    serial_index = pd.read_csv(out / "index.csv")[COMPARED]
    dask_index = pd.read_csv(tmp_path / "index.csv")[COMPARED]
    serial_index["status"] = "done"  # the fixture's folder was re-run (unchanged) above
    pd.testing.assert_frame_equal(dask_index, serial_index)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "national_summary.csv"),
                                  pd.read_csv(out / "national_summary.csv"))
    for folder in dask_index["job"]:
        for name in ("summary.csv",):
            assert ((tmp_path / "jobs" / folder / name).read_bytes()
                    == (out / "jobs" / folder / name).read_bytes())


def test_jobs_per_area_read_the_forces_that_reach_each_area(store, tmp_path):
    import geopandas as gpd
    import shapely
    from pyproj import Transformer

    centre = Transformer.from_crs(4326, 27700, always_xy=True).transform(-3.0, 54.55)
    x, y = centre
    boxes = [shapely.box(x - 15_000, y - 15_000, x, y + 15_000),
             shapely.box(x, y - 15_000, x + 15_000, y + 15_000)]
    gpd.GeoDataFrame({"name": ["West Cumbria", "East Cumbria"]}, geometry=boxes,
                     crs=27700).to_file(tmp_path / "areas.gpkg")
    cfg = batch_config_from_dict({"jobs": {"areas": str(tmp_path / "areas.gpkg"),
                                           "area_name_column": "name", "groups": "all",
                                           "methods": "count"},
                                  "output": {"map": False}})
    run = run_batch(cfg, store=store, out=tmp_path / "out", scheduler=SERIAL)
    assert sorted(r.job.unit for r in run.results) == ["East Cumbria", "West Cumbria"]
    assert {r.status for r in run.results} == {"done"}
    crimes, _ = read_store(store, forces=["cumbria"])
    for r, box in zip(sorted(run.results, key=lambda r: r.job.unit), boxes[::-1],
                      strict=True):
        inside = shapely.intersects_xy(box, crimes.geometry.x, crimes.geometry.y)
        assert r.job.kind == "area"
        assert r.crimes == int(inside.sum()) > 0
        assert r.force == "Cumbria Constabulary"


def test_job_cells_layer_holds_the_cells_with_crimes_or_flagged(serial, store, tmp_path):
    # A batch job writes the occupied cells of find's cells layer (force-wide grids are
    # mostly empty), says so in run.json, and its other outputs equal find's.
    import geopandas as gpd

    from hotspots.methods.find import MethodSettings
    from hotspots.pipelines.find import OCCUPIED_CELLS_RULE
    from hotspots.pipelines.find import run_find
    from hotspots.pipelines.selection import Selection

    run, out = serial
    result = next(r for r in run.results if r.job.group == "neighbourhood")
    folder = Path(result.folder)
    job_run = json.loads((folder / "run.json").read_text())
    assert job_run["batch"]["cells_layer"] == OCCUPIED_CELLS_RULE
    run_find(Selection(store=store, forces=(result.job.unit,), group="neighbourhood"),
             MethodSettings.from_params("auto", {}), out=tmp_path / "find", tiles=None,
             stability=False)
    full = gpd.read_file(tmp_path / "find" / "hotspots.gpkg", layer="cells")
    job = gpd.read_file(folder / "hotspots.gpkg", layer="cells")
    keep = (full["count"] > 0) | full["hotspot"].astype(bool)
    assert 0 < len(job) == int(keep.sum()) < len(full)
    expected = full[keep].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.DataFrame(job.drop(columns="geometry")),
                                  pd.DataFrame(expected.drop(columns="geometry")))
    assert job.geometry.geom_equals(expected.geometry).all()
    pd.testing.assert_frame_equal(pd.read_csv(folder / "summary.csv"),
                                  pd.read_csv(tmp_path / "find" / "summary.csv"))


def test_the_jobs_of_a_force_and_period_read_the_store_once(store, tmp_path, monkeypatch):
    from contextlib import nullcontext

    import hotspots.io.store as store_module
    import hotspots.pipelines.selection as selection_module

    real, reads = store_module.read_store, []

    def counted(*args, **kwargs):
        reads.append(tuple(kwargs.get("forces") or ()))
        return real(*args, **kwargs)

    monkeypatch.setattr(store_module, "read_store", counted)
    cfg = _cfg(groups=["neighbourhood", "vawg"], methods=["count", "kde"])
    shared = run_batch(cfg, store=store, out=tmp_path / "shared", scheduler=SERIAL)
    assert len(shared.results) == 2 * 2 * len(FORCES)
    assert sorted(reads) == sorted((f,) for f in FORCES)  # one read per force
    # the shared read changes nothing: the same results as each job reading on its own
    reads.clear()
    monkeypatch.setattr(selection_module, "shared_store_reads", nullcontext)
    alone = run_batch(cfg, store=store, out=tmp_path / "alone", scheduler=SERIAL)
    assert len(reads) == len(alone.results)
    assert [(r.job, r.status, r.crimes, r.hotspots, r.rows_read, r.top)
            for r in alone.results] == [(r.job, r.status, r.crimes, r.hotspots, r.rows_read,
                                         r.top) for r in shared.results]
    for r in shared.results:
        folder = Path(r.folder).name
        for name in ("summary.csv", "areas.csv"):
            a = tmp_path / "shared" / "jobs" / folder / name
            if a.exists():
                pd.testing.assert_frame_equal(
                    pd.read_csv(a), pd.read_csv(tmp_path / "alone" / "jobs" / folder / name))


def test_a_job_map_is_the_find_map_and_only_on_request(store, tmp_path):
    import re

    from hotspots.methods.find import MethodSettings
    from hotspots.pipelines.find import run_find
    from hotspots.pipelines.selection import Selection

    assert batch_config_from_dict({}).map is False  # national runs write no maps by default
    cfg = batch_config_from_dict({"jobs": {"forces": ["cumbria"], "groups": ["neighbourhood"],
                                           "methods": ["auto", "gistar"]},
                                  "output": {"map": True}})
    run = run_batch(cfg, store=store, out=tmp_path / "out", scheduler=SERIAL)
    for result in run.results:
        assert result.status == "done"
        run_find(Selection(store=store, forces=("cumbria",), group="neighbourhood"),
                 MethodSettings.from_params(result.job.method, {}),
                 out=tmp_path / result.job.method, tiles=None, stability=False)
        pages = [re.sub(r"[0-9a-f]{32}", "ID", (folder / "map.html").read_text())
                 for folder in (Path(result.folder), tmp_path / result.job.method)]
        assert pages[0] == pages[1], result.job.id  # compact frames draw the same map
