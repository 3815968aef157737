"""``hotspots batch``, as a user runs it: help, flag and data errors, outputs, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.datasets.national import write_national_archive
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.pipelines.ingest import ingest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batchcli")
    archive = write_national_archive(folder / "zips", months=2, scale=0.02, seed=5,
                                     forces=("cumbria", "city-of-london"))
    # A force with anti-social behaviour only: a victim-based job there has nothing to do.
    rows = [f"a{i},2024-01,Test Police,Test Police,-1.2{i % 10},53.6{i % 7},On or near X,"
            f"E01,L 001A,Anti-social behaviour,," for i in range(30)]
    asb = folder / "in" / "2024-01-test-street.csv"
    asb.parent.mkdir()
    asb.write_text("\n".join([",".join(POLICE_UK_COLUMNS), *rows]) + "\n")
    ingest([*archive.zips, asb], store=folder / "store")
    return folder / "store"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "batch.toml"
    path.write_text(text)
    return path


def test_help():
    result = run("batch", "--help")
    assert result.exit_code == 0
    for flag in ("--store", "--out", "--scheduler", "--workers"):
        assert flag in result.output


@pytest.mark.parametrize(("args", "flag"), [
    (["--out", "{tmp}/o"], "--store"),
    (["--store", "{store}"], "--out"),
    (["--store", "{store}", "--out", "{tmp}/o", "--scheduler", "localhost"], "--scheduler"),
    (["--store", "{store}", "--out", "{tmp}/o", "--workers", "0"], "--workers"),
    (["--store", "{tmp}", "--out", "{tmp}/o"], "--store"),
])
def test_bad_flags_exit_2_naming_the_flag(store, tmp_path, args, flag):
    config = _config(tmp_path, "[jobs]\nmethods = 'count'\n")
    args = [a.format(tmp=tmp_path, store=store) for a in args]
    result = run("batch", config, *args)
    assert result.exit_code == 2 and flag in result.output, result.output


def test_a_bad_config_exits_1_naming_the_file_and_the_key(store, tmp_path):
    config = _config(tmp_path, "[jobs]\nmethods = ['magic']\n[summary]\ntop = 0\n")
    result = run("batch", config, "--store", store, "--out", tmp_path / "o")
    assert result.exit_code == 1
    for text in ("batch.toml", "jobs.methods", "summary.top"):
        assert text in result.output
    assert not (tmp_path / "o").exists()


def test_a_force_not_in_the_store_exits_1_naming_it(store, tmp_path):
    config = _config(tmp_path, "[jobs]\nforces = ['kent']\n")
    result = run("batch", config, "--store", store, "--out", tmp_path / "o")
    assert result.exit_code == 1 and "'kent'" in result.output and "cumbria" in result.output


def test_a_serial_run_writes_every_output_and_run_json(store, tmp_path):
    config = _config(tmp_path, "[jobs]\nforces = ['cumbria']\nmethods = 'count'\n"
                               "[output]\nmap = false\n")
    result = run("batch", config, "--store", store, "--out", tmp_path / "o",
                 "--scheduler", "serial")
    assert result.exit_code == 0, result.output
    assert "[2/2 jobs]" in result.output and "rows/s" in result.output
    meta = json.loads((tmp_path / "o" / "run.json").read_text())
    assert meta["command"] == "batch" and meta["statuses"] == {"done": 2}
    index = pd.read_csv(tmp_path / "o" / "index.csv")
    for folder in index["folder"]:
        assert (tmp_path / "o" / folder / "run.json").is_file()
    again = run("batch", config, "--store", store, "--out", tmp_path / "o",
                "--scheduler", "serial", "--quiet")
    assert again.exit_code == 0 and again.output == ""
    assert set(pd.read_csv(tmp_path / "o" / "index.csv")["status"]) == {"unchanged"}


def test_a_failed_job_exits_1_naming_it_and_keeps_the_others(store, tmp_path):
    config = _config(tmp_path, "[jobs]\ngroups = 'victim_based'\nmethods = 'count'\n"
                               "[output]\nmap = false\n")
    result = run("batch", config, "--store", store, "--out", tmp_path / "o",
                 "--scheduler", "serial")
    index = pd.read_csv(tmp_path / "o" / "index.csv").set_index("unit")
    failed = index[index["status"] == "failed"]
    assert list(failed.index) == ["test"] and result.exit_code == 1
    assert "No crimes left" in result.output
    for job in failed["job"]:
        assert job in result.output
    done = index[index["status"] == "done"]
    assert set(done.index) == {"cumbria", "city-of-london"}
    for folder in done["folder"]:
        assert (tmp_path / "o" / folder / "summary.csv").is_file()


@pytest.mark.slow
def test_the_default_local_cluster_runs_the_jobs(store, tmp_path):
    config = _config(tmp_path, "[jobs]\nforces = ['cumbria']\ngroups = 'neighbourhood'\n"
                               "methods = 'count'\n[output]\nmap = false\n")
    result = run("batch", config, "--store", store, "--out", tmp_path / "o",
                 "--workers", "1", "--dashboard", "")
    assert result.exit_code == 0, result.output
    assert "local cluster of 1 worker process(es)" in result.output
    meta = json.loads((tmp_path / "o" / "run.json").read_text())
    assert meta["statuses"] == {"done": 1} and meta["scheduler"].startswith("local cluster")
