"""The GeoParquet store: layout, GeoParquet files, partition pruning, the manifest."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspots.datasets.national import write_national_archive
from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.io import load_crimes
from hotspots.io.store import CRIMES_DIR
from hotspots.io.store import MANIFEST_NAME
from hotspots.io.store import Store
from hotspots.io.store import force_slug
from hotspots.io.store import read_store
from hotspots.io.store import read_store_table
from hotspots.pipelines.ingest import ingest


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Three synthetic national months (about 1,500 rows) as monthly zips."""
    return write_national_archive(tmp_path_factory.mktemp("zips"), months=3, scale=0.001,
                                  seed=3)


@pytest.fixture(scope="module")
def store(archive, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("store") / "store"
    ingest(archive.zips, store=root)
    return root


@pytest.mark.parametrize(("name", "slug"), [
    ("West Yorkshire Police", "west-yorkshire"),
    ("Metropolitan Police Service", "metropolitan"),
    ("Avon and Somerset Constabulary", "avon-and-somerset"),
    ("Devon & Cornwall Police", "devon-and-cornwall"),
    ("Police Service of Northern Ireland", "northern-ireland"),
    ("  ", "unknown"),
])
def test_force_slug(name, slug):
    assert force_slug(name) == slug


def test_layout_is_hive_partitioned_by_force_and_month(store, archive):
    opened = Store(store)
    files = opened.files()
    assert files
    for stored in files:
        parts = Path(stored.path).parts
        assert parts[0] == CRIMES_DIR
        assert parts[1] == f"force_slug={stored.force_slug}"
        assert parts[2] == f"year_month={stored.year_month}"
        report = store / Path(stored.path).with_name(f"_{Path(stored.path).stem}.report.json")
        assert json.loads(report.read_text())["stored_rows"] == stored.rows
    with_rows = {slug for slug, n in archive.rows_by_force.items() if n}
    assert set(opened.forces()) <= with_rows and len(opened.forces()) >= 40
    assert opened.months() == ["2024-01", "2024-02", "2024-03"]


def test_files_are_geoparquet_with_the_stored_crs(store):
    stored = Store(store).files(forces=["cumbria"])[0]
    frame = gpd.read_parquet(store / stored.path)
    assert frame.crs.to_epsg() == 27700
    np.testing.assert_array_equal(frame.geometry.x.to_numpy(), frame["x"].to_numpy())
    np.testing.assert_array_equal(frame.geometry.y.to_numpy(), frame["y"].to_numpy())
    assert len(frame) == stored.rows


def test_store_read_equals_load_crimes_of_the_same_files(store, archive, tmp_path):
    """One force over every month: the rows load_crimes reads from the same members."""
    import zipfile

    paths = []
    for path in archive.zips:
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith("-kent-street.csv"))
            out = tmp_path / Path(name).name
            out.write_bytes(zf.read(name))
            paths.append(out)
    expected, expected_report = load_crimes(paths)
    got, report = read_store(store, forces=["kent"])
    key = ["month", "crime_id", "category", "location"]
    a = pd.DataFrame(got.drop(columns="geometry")).sort_values(key, kind="stable")
    b = pd.DataFrame(expected.drop(columns="geometry")).sort_values(key, kind="stable")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    assert got.crs == expected.crs
    assert report.rows_read == expected_report.rows_read
    assert report.dropped == expected_report.dropped
    assert report.months == expected_report.months
    assert report.categories == expected_report.categories
    assert report.is_consistent()


def test_partition_pruning_reads_only_the_partitions_asked_for(store, tmp_path):
    """Every other partition's files are made unreadable: the read must not touch them."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(store, copy)
    opened = Store(copy)
    wanted = {(f.force_slug, f.year_month) for f in opened.files(forces=["cumbria", "kent"],
                                                                 start="2024-02")}
    assert wanted == {(s, m) for s in ("cumbria", "kent") for m in ("2024-02", "2024-03")}
    for stored in opened.files():
        if (stored.force_slug, stored.year_month) not in wanted:
            (copy / stored.path).write_bytes(b"not parquet")
    table, files = read_store_table(copy, forces=["cumbria", "Kent Police"], start="2024-02")
    assert {(f.force_slug, f.year_month) for f in files} == wanted
    assert set(table["force"].to_pylist()) == {"Cumbria Constabulary", "Kent Police"}
    assert table.num_rows == sum(f.rows for f in files)
    crimes, report = read_store(copy, forces=["cumbria"], start="2024-03", end="2024-03")
    assert report.months == ["2024-03"]
    assert len(crimes) == report.rows_kept


def test_forces_are_found_by_slug_name_or_file_name(store):
    opened = Store(store)
    assert opened.resolve_forces(["metropolitan", "Metropolitan Police Service",
                                  "West Yorkshire Police"]) == ["metropolitan", "west-yorkshire"]


def test_unknown_force_is_named_with_the_forces_stored(store):
    with pytest.raises(ParameterError, match=r"'gotham'.*Forces stored: avon-and-somerset"):
        read_store(store, forces=["gotham"])


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    with pytest.raises(InputFileError, match="is not a hotspots store.*hotspots ingest"):
        Store(tmp_path)
    with pytest.raises(InputFileError, match="does not exist"):
        read_store(tmp_path / "missing")


def test_a_store_of_another_version_is_refused(tmp_path):
    Store(tmp_path, create=True).close()
    with sqlite3.connect(tmp_path / MANIFEST_NAME) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    with pytest.raises(InputFileError, match="version 99"):
        Store(tmp_path)


def test_bad_months_are_refused(store):
    with pytest.raises(ParameterError, match="'start' month must be written YYYY-MM"):
        read_store(store, start="2024-1")


def test_tidy_removes_files_the_manifest_does_not_list(store, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(store, copy)
    orphan = copy / CRIMES_DIR / "force_slug=kent" / "year_month=2024-01" / "part-orphan.parquet"
    orphan.write_bytes(b"left by a crash")
    opened = Store(copy)
    before = len(opened.files())
    assert opened.tidy() == 1
    assert not orphan.exists()
    assert len(opened.files()) == before
    read_store(copy)  # every listed file still reads
