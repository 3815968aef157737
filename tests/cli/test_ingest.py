"""``hotspots ingest`` and ``--store`` on the other commands, as a user runs them."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.datasets.national import write_national_archive
from hotspots.io.store import Store
from hotspots.io.store import read_store
from tests.cli.test_report import town  # noqa: F401 - the report's planted town
from tests.cli.test_report import write_config

FORCES = ("cumbria", "north-wales")


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return write_national_archive(tmp_path_factory.mktemp("zips"), months=2, scale=0.02,
                                  seed=5, forces=FORCES)


@pytest.fixture(scope="module")
def store(archive, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    result = run("ingest", *archive.zips, "--store", path, "--quiet")
    assert result.exit_code == 0, result.output
    return path


def test_help_names_the_store_and_its_layout():
    result = run("ingest", "--help")
    assert result.exit_code == 0
    assert "--store" in result.output and "force_slug" in result.output


@pytest.mark.parametrize(("args", "flag"), [
    ([], "--store"),
    (["--store", "{tmp}/s", "--threads", "0"], "--threads"),
    (["--store", "{tmp}/s", "--speed", "3"], "--speed"),
])
def test_bad_flags_exit_2_naming_the_flag(archive, tmp_path, args, flag):
    args = [a.format(tmp=tmp_path) for a in args]
    result = run("ingest", archive.zips[0], *args)
    assert result.exit_code == 2 and flag in result.output


def test_a_missing_input_exits_2_naming_it(tmp_path):
    result = run("ingest", tmp_path / "nope.zip", "--store", tmp_path / "s")
    assert result.exit_code == 2 and "nope.zip" in result.output


def test_a_folder_that_is_not_a_store_is_refused(archive, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    result = run("ingest", archive.zips[0], "--store", tmp_path)
    assert result.exit_code == 2 and "--store" in result.output
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_ingest_writes_run_json_and_a_second_run_adds_nothing(store, archive):
    meta = json.loads((store / "run.json").read_text())
    assert meta["command"] == "ingest"
    files = {f.path for f in Store(store).files()}
    again = run("ingest", *archive.zips, "--store", store)
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output
    assert {f.path for f in Store(store).files()} == files


def test_a_corrupt_member_exits_1_naming_it_and_the_rest_is_stored(archive, tmp_path):
    broken = tmp_path / archive.zips[0].name
    shutil.copy(archive.zips[0], broken)
    member = f"{archive.months[0]}/{archive.months[0]}-cumbria-street.csv"
    with zipfile.ZipFile(broken) as zf:
        info = zf.getinfo(member)
    raw = bytearray(broken.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 10:start + 40] = b"\x00" * 30
    broken.write_bytes(bytes(raw))
    result = run("ingest", broken, "--store", tmp_path / "s")
    assert result.exit_code == 1
    assert member in result.output and "corrupt" in result.output
    assert list(Store(tmp_path / "s").forces()) == ["north-wales"]
    assert (tmp_path / "s" / "run.json").is_file()


def test_find_reads_only_the_forces_and_months_asked_for(store, tmp_path):
    result = run("find", "--store", store, "--force", "Cumbria Constabulary",
                 "--from", "2024-02", "--to", "2024-02", "--method", "count",
                 "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "out" / "run.json").read_text())
    assert meta["load_report"]["months"] == ["2024-02"]
    crimes, _ = read_store(store, forces=["cumbria"], start="2024-02", end="2024-02")
    assert meta["load_report"]["rows_kept"] == len(crimes)
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert summary["count"].sum() <= len(crimes)


@pytest.mark.parametrize(("args", "flag"), [
    (["--force", "cumbria", "{demo}"], "--force"),
    (["--store", "{store}", "--force", "kent"], "--force"),
    (["--store", "{store}", "{demo}"], "--store"),
])
def test_store_flag_mistakes_exit_2_naming_the_flag(store, tmp_path, args, flag):
    demo = tmp_path / "x.csv"
    demo.write_text("a,b\n")
    args = [a.format(store=store, demo=demo) for a in args]
    result = run("find", *args, "--out", tmp_path / "out")
    assert result.exit_code == 2 and flag in result.output, result.output


def test_report_config_reads_a_store_as_it_reads_the_files(town, tmp_path):  # noqa: F811
    """The report's town as police.uk files: from a store, the same figures as from files."""
    from pyproj import Transformer

    from hotspots.io.policeuk import POLICE_UK_COLUMNS

    to_lonlat = Transformer.from_crs(27700, 4326, always_xy=True)
    crimes = pd.read_csv(town / "crimes.csv")
    lon, lat = to_lonlat.transform(crimes["easting"].to_numpy(), crimes["northing"].to_numpy())
    frame = pd.DataFrame({c: "" for c in POLICE_UK_COLUMNS}, index=crimes.index)
    frame["Crime ID"], frame["Month"], frame["Crime type"] = (
        crimes["ref"], crimes["month"], crimes["offence"])
    frame["Reported by"] = frame["Falls within"] = "Town Police"
    frame["Longitude"], frame["Latitude"] = [f"{v:.6f}" for v in lon], [f"{v:.6f}" for v in lat]
    frame["Location"] = crimes["street"]
    police = tmp_path / "police"
    police.mkdir()
    for month, part in frame.groupby("Month"):
        part.to_csv(police / f"{month}-town-street.csv", index=False)
    files = write_config(tmp_path / "files.toml",
                         **{'inputs = ["crimes.csv"]\nmapping = "mapping.toml"':
                            f'inputs = ["{police}"]'})
    store = tmp_path / "store"
    assert run("ingest", police, "--store", store, "--quiet").exit_code == 0
    stored = write_config(tmp_path / "stored.toml",
                          **{'inputs = ["crimes.csv"]\nmapping = "mapping.toml"':
                             f'store = "{store}"\nforces = ["town"]'})
    for name in ("wards.gpkg", "plans.gpkg"):
        shutil.copy(town / name, tmp_path / name)
    numbers = {}
    for label, config in (("files", files), ("store", stored)):
        result = run("report", config, "--out", tmp_path / label)
        assert result.exit_code == 0, result.output
        numbers[label] = json.loads((tmp_path / label / "run.json").read_text())["numbers"]
    assert numbers["store"]["crimes"] == 210
    assert numbers["store"] == numbers["files"]


def test_report_config_wants_inputs_or_a_store(town, tmp_path):  # noqa: F811
    both = write_config(town / "both.toml", **{'mapping = "mapping.toml"':
                                                   f'store = "{tmp_path}"'})
    result = run("report", both, "--out", tmp_path / "o")
    assert result.exit_code == 1 and "data" in result.output and "store" in result.output
    assert "inputs" in result.output
