"""Ingest: resumable, idempotent, replaces what changed, and survives corrupt members."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from hotspots.datasets.national import write_national_archive
from hotspots.errors import InputFileError
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.io.store import Store
from hotspots.io.store import read_store
from hotspots.pipelines import ingest as ingest_module
from hotspots.pipelines.ingest import ingest

HEADER = ",".join(POLICE_UK_COLUMNS)


def _row(i: int, month: str = "2024-01", category: str = "Burglary") -> str:
    return (f"c{i},{month},Test Police,Test Police,-1.5{i % 10},53.80{i % 7},On or near X,"
            f"E01,L 001A,{category},,")


def _csv(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return write_national_archive(tmp_path_factory.mktemp("zips"), months=2, scale=0.001,
                                  seed=7)


def test_second_run_adds_nothing(archive, tmp_path):
    first = ingest(archive.zips, store=tmp_path / "s")
    files = {f.path for f in Store(tmp_path / "s").files()}
    again = ingest(archive.zips, store=tmp_path / "s")
    assert first.added and first.rows_stored > 0
    assert again.added == [] and again.replaced == [] and again.rows_read == 0
    assert sorted(again.unchanged) == sorted(first.added)
    assert {f.path for f in Store(tmp_path / "s").files()} == files


def test_a_changed_file_is_replaced_and_its_old_rows_are_gone(tmp_path):
    folder = tmp_path / "in"
    a = _csv(folder / "2024-01-test-street.csv", [_row(i) for i in range(5)])
    _csv(folder / "2024-02-test-street.csv", [_row(i, "2024-02") for i in range(3)])
    ingest(folder, store=tmp_path / "s")
    old = {f.path for f in Store(tmp_path / "s").files(start="2024-01", end="2024-01")}
    _csv(a, [_row(i, category="Robbery") for i in range(7)])
    summary = ingest(folder, store=tmp_path / "s")
    assert summary.replaced == [str(a)]
    assert len(summary.unchanged) == 1
    crimes, _ = read_store(tmp_path / "s", start="2024-01", end="2024-01")
    assert len(crimes) == 7 and set(crimes["category"]) == {"Robbery"}
    assert not any((tmp_path / "s" / p).exists() for p in old)


def test_a_touched_but_identical_file_is_not_stored_again(tmp_path):
    import os

    path = _csv(tmp_path / "2024-01-test-street.csv", [_row(i) for i in range(4)])
    ingest(path, store=tmp_path / "s")
    os.utime(path, ns=(1, 1))
    summary = ingest(path, store=tmp_path / "s")
    assert summary.unchanged == [str(path)] and summary.rows_read == 0


def test_a_revised_member_in_a_later_archive_replaces_only_that_member(archive, tmp_path):
    ingest(archive.zips, store=tmp_path / "s")
    revised = tmp_path / "revised.zip"
    target = "2024-01/2024-01-kent-street.csv"
    with zipfile.ZipFile(archive.zips[0]) as src, zipfile.ZipFile(revised, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == target:
                data = data.replace(b"Burglary", b"Robbery")
            out.writestr(name, data)
    summary = ingest([revised], store=tmp_path / "s")
    assert summary.replaced == [f"revised.zip:{target}"]
    assert summary.added == []
    crimes, _ = read_store(tmp_path / "s", forces=["kent"], start="2024-01", end="2024-01")
    assert "Burglary" not in set(crimes["category"])


def test_a_corrupt_member_is_named_and_skipped_and_the_rest_stored(archive, tmp_path):
    broken = tmp_path / "2024-01.zip"
    shutil.copy(archive.zips[0], broken)
    with zipfile.ZipFile(broken) as zf:
        info = zf.getinfo("2024-01/2024-01-kent-street.csv")
    raw = bytearray(broken.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 10:start + 40] = b"\x00" * 30  # garble the deflate stream
    broken.write_bytes(bytes(raw))
    summary = ingest([broken], store=tmp_path / "s")
    corrupt = [s.label for s in summary.skipped if "corrupt" in s.reason]
    assert corrupt == ["2024-01.zip:2024-01/2024-01-kent-street.csv"]
    empty = [s for s in summary.skipped if "header but no data rows" in s.reason]
    assert len(summary.added) + len(empty) == 42  # every other member is stored
    assert "kent" not in Store(tmp_path / "s").forces()
    reference = ingest(archive.zips[:1], store=tmp_path / "whole")
    assert len(reference.added) == len(summary.added) + 1


def test_an_interrupted_run_keeps_what_it_finished_and_resumes(archive, tmp_path, monkeypatch):
    real = Store.commit_source
    calls = {"n": 0}

    def failing(self, record, written, **options):
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt
        return real(self, record, written, **options)

    monkeypatch.setattr(Store, "commit_source", failing)
    with pytest.raises(KeyboardInterrupt):
        ingest(archive.zips, store=tmp_path / "s")
    monkeypatch.setattr(Store, "commit_source", real)
    assert len(Store(tmp_path / "s").sources()) == 9
    read_store(tmp_path / "s")  # what was committed reads
    summary = ingest(archive.zips, store=tmp_path / "s")
    assert len(summary.unchanged) == 9
    assert len(Store(tmp_path / "s").sources()) == len(summary.added) + 9
    complete = ingest(archive.zips, store=tmp_path / "fresh")
    a, _ = read_store(tmp_path / "s")
    b, _ = read_store(tmp_path / "fresh")
    assert len(a) == len(b) == complete.rows_stored


def test_overlapping_archives_read_each_street_file_once(archive, tmp_path):
    copy = tmp_path / "again.zip"
    shutil.copy(archive.zips[0], copy)
    summary = ingest([archive.zips[0], copy], store=tmp_path / "s")
    assert any("already read from" in n for n in summary.notes)
    assert not any(label.startswith("again.zip") for label in summary.added)


def test_files_that_are_not_police_uk_are_named_and_skipped(tmp_path):
    folder = tmp_path / "in"
    _csv(folder / "2024-01-test-street.csv", [_row(i) for i in range(3)])
    (folder / "other.csv").write_text("a,b\n1,2\n")
    summary = ingest(folder, store=tmp_path / "s")
    assert len(summary.added) == 1
    assert [s.label for s in summary.skipped] == [str(folder / "other.csv")]
    assert "not a police.uk street-level crime file" in summary.skipped[0].reason


def test_data_outside_the_stores_crs_is_refused_by_name(tmp_path):
    uk = _csv(tmp_path / "2024-01-uk-street.csv", [_row(i) for i in range(3)])
    chicago = _csv(tmp_path / "chicago.csv", [
        f"c{i},2024-01,CPD,CPD,-87.6{i},41.8{i},On or near X,,,Robbery,," for i in range(3)])
    summary = ingest([uk, chicago], store=tmp_path / "s")
    assert [s.label for s in summary.skipped] == [str(chicago)]
    assert "EPSG:27700" in summary.skipped[0].reason
    assert Store(tmp_path / "s").crs.to_epsg() == 27700


def test_a_missing_input_is_an_error(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        ingest(tmp_path / "nope.zip", store=tmp_path / "s")


def test_threads_do_not_change_what_is_stored(archive, tmp_path):
    ingest(archive.zips, store=tmp_path / "one", threads=1)
    ingest(archive.zips, store=tmp_path / "two", threads=2)
    a, ra = read_store(tmp_path / "one")
    b, rb = read_store(tmp_path / "two")
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert ra.rows_read == rb.rows_read and ra.dropped == rb.dropped


def test_progress_reports_each_source_with_a_rate(tmp_path):
    _csv(tmp_path / "in" / "2024-01-test-street.csv", [_row(i) for i in range(3)])
    seen = []
    ingest(tmp_path / "in", store=tmp_path / "s", progress=lambda *a: seen.append(a))
    assert seen[-1][:2] == (1, 1) and seen[-1][2].endswith("rows/s)")


def test_source_keys_name_police_uk_files_by_name():
    from hotspots.io.sources import Entry

    assert ingest_module.source_key(Entry(Path("x/2024-01-kent-street.csv.gz"))) == (
        "policeuk:2024-01-kent-street.csv")
    assert ingest_module.source_key(Entry(Path("/d/a.csv"))) == "file:/d/a.csv"
