"""police.uk street-level CSVs: single files, gzip, archives, folders, and broken inputs."""

from __future__ import annotations

import csv
import gzip
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import CRSError
from hotspots.errors import InputFileError
from hotspots.io import LoadReport
from hotspots.io import load_crimes
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import POLICE_UK_CATEGORIES

WY_FILE = "west-yorkshire/2016-07-west-yorkshire-street.csv.gz"
WY_MEMBER = "2016-07/2016-07-west-yorkshire-street.csv"
#: A rough British National Grid box around West Yorkshire (west, south, east, north).
WY_BOX = (380_000, 395_000, 470_000, 465_000)
HEADER = ",".join(POLICE_UK_COLUMNS)


def _row(month="2022-01", lon="-1.5491", lat="53.8002", category="Burglary", crime_id="id1"):
    return (f"{crime_id},{month},Test Police,Test Police,{lon},{lat},On or near Park Row,"
            f"E01011365,Leeds 111B,{category},Under investigation,")


def _write(path: Path, lines: list[str], *, bom: bool = False) -> Path:
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wy_text(shared_data: Path) -> str:
    with gzip.open(shared_data / WY_FILE, "rt", encoding="utf-8", newline="") as fh:
        return fh.read()


def _check_consistent(report: LoadReport) -> None:
    assert report.rows_read == report.rows_kept + sum(report.dropped.values())


@pytest.fixture(scope="module")
def wy(shared_data):
    """The West Yorkshire month, loaded once for the module."""
    return load_crimes(shared_data / WY_FILE)


# --- the real West Yorkshire month ------------------------------------------------------


@pytest.mark.realdata
def test_west_yorkshire_counts(wy, shared_data):
    crimes, report = wy
    assert report.rows_read == 27_176
    assert report.dropped == {"no coordinates": 1_347}
    assert report.rows_kept == len(crimes) == 27_176 - 1_347
    _check_consistent(report)
    assert report.months == ["2016-07"]
    assert len(report.categories) == 14
    assert set(report.categories) == set(POLICE_UK_CATEGORIES)
    assert sum(report.categories.values()) == len(crimes)
    assert report.crs == "EPSG:27700"
    assert report.header_lines == 0

    # Oracle: the ASB facts read independently with the csv module.
    with gzip.open(shared_data / WY_FILE, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    asb = [r for r in rows if r["Crime type"] == "Anti-social behaviour"]
    assert len(asb) == 7_429
    assert all(r["Crime ID"] == "" for r in asb)
    asb_with_xy = sum(1 for r in asb if r["Longitude"] != "")
    kept_asb = crimes[crimes["category"] == "Anti-social behaviour"]
    assert len(kept_asb) == asb_with_xy == report.categories["Anti-social behaviour"]
    assert (kept_asb["crime_id"] == "").all()
    assert (crimes.loc[crimes["category"] != "Anti-social behaviour", "crime_id"] != "").all()


@pytest.mark.realdata
def test_west_yorkshire_table_shape(wy):
    crimes, _ = wy
    assert list(crimes.columns) == [*CRIME_COLUMNS, "geometry"]
    assert crimes.crs.to_epsg() == 27700
    assert (crimes.geom_type == "Point").all()
    assert (crimes["month"] == pd.Timestamp("2016-07-01")).all()
    assert crimes["month"].dtype == "datetime64[ns]"
    assert crimes["date"].isna().all()
    assert (crimes["weight"] == 1.0).all()
    assert (crimes["force"] == "West Yorkshire Police").all()
    assert not crimes["location"].str.contains("No Location").any()
    for column in ("crime_id", "category", "location", "lsoa_code", "lsoa_name", "outcome"):
        assert not crimes[column].isna().any(), column
    x, y = crimes.geometry.x, crimes.geometry.y
    inside = (x >= WY_BOX[0]) & (x <= WY_BOX[2]) & (y >= WY_BOX[1]) & (y <= WY_BOX[3])
    assert inside.mean() > 0.999, f"{(~inside).sum()} points outside West Yorkshire's box"


@pytest.mark.realdata
def test_west_yorkshire_first_point_projected(wy):
    # The file's first data row is at -1.550626, 53.597400 (Swithen Hill, Barnsley 005C),
    # about 429,838 E 411,297 N on the National Grid; 5 m covers the difference between
    # the Helmert and OSTN15 WGS84 -> OSGB36 transformations.
    crimes, _ = wy
    point = crimes.geometry.iloc[0]
    assert crimes["location"].iloc[0] == "On or near Swithen Hill"
    np.testing.assert_allclose([point.x, point.y], [429_838.0, 411_297.0], atol=5.0)


@pytest.mark.realdata
def test_archive_zip_folder_bom_and_repeated_header_agree(wy, shared_data, tmp_path):
    crimes, _ = wy
    text = _wy_text(shared_data)

    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(WY_MEMBER, text)
        zf.writestr("2016-07/2016-07-west-yorkshire-outcomes.csv", "Crime ID,Month\n")
        zf.writestr("2016-07/2016-07-west-yorkshire-stop-and-search.csv", "Type,Date\n")
    from_zip, zip_report = load_crimes(archive)
    assert zip_report.sources == [f"archive.zip:{WY_MEMBER}"]
    assert any("outcomes/stop-and-search" in n for n in zip_report.notes)
    pd.testing.assert_frame_equal(pd.DataFrame(from_zip), pd.DataFrame(crimes))

    folder = tmp_path / "folder" / "2016" / "07"
    folder.mkdir(parents=True)
    (folder / "2016-07-west-yorkshire-street.csv.gz").write_bytes(
        (shared_data / WY_FILE).read_bytes()
    )
    (folder / "2016-07-west-yorkshire-outcomes.csv").write_text("Crime ID,Month\n")
    from_folder, folder_report = load_crimes(tmp_path / "folder")
    assert folder_report.rows_kept == len(crimes)
    assert from_folder.geometry.equals(crimes.geometry)

    lines = text.splitlines()
    middle = len(lines) // 2
    doctored = ["\ufeff" + lines[0], *lines[1:middle], "\ufeff" + lines[0], *lines[middle:]]
    bom_file = tmp_path / "with-bom-and-header.csv"
    bom_file.write_text("\n".join(doctored) + "\n", encoding="utf-8")
    from_bom, bom_report = load_crimes(bom_file)
    assert bom_report.header_lines == 1
    assert bom_report.rows_read == 27_176
    _check_consistent(bom_report)
    assert any("repeated header line" in n for n in bom_report.notes)
    assert "Removed 1 repeated header line" in bom_report.to_text()
    pd.testing.assert_frame_equal(pd.DataFrame(from_bom), pd.DataFrame(crimes))


@pytest.mark.realdata
def test_overlapping_archives_read_each_month_once(shared_data, tmp_path):
    text = _wy_text(shared_data)
    for name in ("a.zip", "b.zip"):
        with zipfile.ZipFile(tmp_path / name, "w") as zf:
            zf.writestr(WY_MEMBER, text)
    crimes, report = load_crimes([tmp_path / "a.zip", tmp_path / "b.zip"])
    assert report.rows_read == 27_176
    assert any("already read from a.zip" in n for n in report.notes)


@pytest.mark.realdata
def test_boundary_clips_and_counts(wy, shared_data):
    crimes, _ = wy
    leeds = gpd.GeoDataFrame(geometry=[shapely.box(-1.60, 53.77, -1.50, 53.82)], crs=4326)
    clipped, report = load_crimes(shared_data / WY_FILE, boundary=leeds)
    expected = int(crimes.intersects(leeds.to_crs(27700).union_all()).sum())
    assert 0 < len(clipped) == expected < len(crimes)
    assert report.dropped["outside the boundary"] == len(crimes) - expected
    assert report.dropped["no coordinates"] == 1_347
    _check_consistent(report)


# --- small synthetic files -------------------------------------------------------------


def test_small_file_progress_and_report_text(tmp_path):
    path = _write(tmp_path / "2022-01-test-street.csv", [HEADER, _row(), _row(crime_id="id2")])
    calls = []
    crimes, report = load_crimes(path, progress=lambda *a: calls.append(a))
    assert calls == [(1, 1, str(path))]
    assert len(crimes) == 2
    text = report.to_text()
    assert "Read 2 rows from 1 file" in text and "EPSG:27700" in text
    assert report.to_dict()["rows_kept"] == 2


def test_context_column_is_optional_and_bom_tolerated(tmp_path):
    header = ",".join(POLICE_UK_COLUMNS[:-1])
    path = _write(tmp_path / "no-context.csv", [header, _row()[:-1]], bom=True)
    crimes, report = load_crimes(path)
    assert len(crimes) == 1 and crimes["crime_id"].iloc[0] == "id1"


def test_input_is_not_modified_and_files_merge(tmp_path):
    a = _write(tmp_path / "a.csv", [HEADER, _row(month="2022-01")])
    b = _write(tmp_path / "b.csv", [HEADER, _row(month="2022-03", category="Robbery"),
                                    _row(lon="", lat="")])
    crimes, report = load_crimes([a, b])
    assert report.sources == [str(a), str(b)]
    assert report.months == ["2022-01", "2022-03"]
    assert report.categories == {"Burglary": 1, "Robbery": 1}
    assert report.dropped == {"no coordinates": 1}
    _check_consistent(report)


def test_rows_with_problems_are_dropped_and_reported(tmp_path):
    lines = [
        HEADER,
        _row(),
        _row(lon="abc", lat="53.8"),           # non-numeric
        _row(lon="2.3522", lat="48.8566"),     # Paris: outside the UK
        _row(month="2022-13"),                 # bad month
        _row(month="July"),                    # bad month
        _row(category=""),                     # no category
        _row(category="Kidnap"),               # unknown category: kept, noted
        ",2022-01,Test Police,Test Police,,,No Location,,,Anti-social behaviour,,",
    ]
    crimes, report = load_crimes(_write(tmp_path / "mixed.csv", lines))
    assert report.rows_read == 8
    assert report.dropped == {
        "non-numeric coordinates": 1,
        "coordinates outside the UK": 1,
        "bad date": 2,
        "no category": 1,
        "no coordinates": 1,
    }
    assert report.rows_kept == len(crimes) == 2
    _check_consistent(report)
    assert set(crimes["category"]) == {"Burglary", "Kidnap"}
    assert any("'Kidnap' (1)" in n and "unknown category" in n for n in report.notes)


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(InputFileError, match=r"empty\.csv is empty .*download or export"):
        load_crimes(path)


def test_header_only_file_is_an_error(tmp_path):
    path = _write(tmp_path / "header-only.csv", [HEADER])
    with pytest.raises(InputFileError, match=r"No crimes in .*header-only\.csv"):
        load_crimes(path)


def test_wrong_header_names_file_columns_and_mapping(tmp_path):
    path = _write(tmp_path / "shopping.csv", ["item,price", "apples,2"])
    with pytest.raises(InputFileError) as err:
        load_crimes(path)
    message = str(err.value)
    assert "shopping.csv" in message
    assert "'item', 'price'" in message
    assert "Crime ID" in message and "Crime type" in message
    assert "--mapping" in message


def test_all_non_numeric_coordinates_is_an_error(tmp_path):
    path = _write(tmp_path / "text.csv", [HEADER, _row(lon="west", lat="north"),
                                          _row(lon="x", lat="y")])
    with pytest.raises(InputFileError, match=r"none of the 2 values.*'Longitude'/'Latitude'"):
        load_crimes(path)


def test_swapped_longitude_latitude_is_an_error(tmp_path):
    rows = [_row(lon="53.80", lat="-1.55"), _row(lon="53.79", lat="-1.54"), _row()]
    path = _write(tmp_path / "swapped.csv", [HEADER, *rows])
    with pytest.raises(InputFileError, match=r"swapped.*2 of 3 rows.*Swap the two columns"):
        load_crimes(path)


def test_missing_input_and_geographic_crs_are_refused(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        load_crimes(tmp_path / "nope.csv")
    path = _write(tmp_path / "ok.csv", [HEADER, _row()])
    with pytest.raises(CRSError, match="projected"):
        load_crimes(path, crs="EPSG:4326")


def test_folder_skips_non_crime_files_with_notes(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    _write(folder / "2022-01-test-street.csv", [HEADER, _row()])
    _write(folder / "notes.csv", ["a,b", "1,2"])
    (folder / "empty.csv").write_text("")
    crimes, report = load_crimes(folder)
    assert len(crimes) == 1
    assert any("notes.csv" in n and "not a police.uk" in n for n in report.notes)
    assert any("empty.csv" in n for n in report.notes)


def test_folder_without_crimes_is_an_error(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    _write(folder / "notes.csv", ["a,b", "1,2"])
    with pytest.raises(InputFileError, match=r"No crimes loaded.*notes\.csv"):
        load_crimes(folder)


def test_gzip_member_in_zip_and_bad_zip(tmp_path):
    payload = gzip.compress(("\n".join([HEADER, _row()]) + "\n").encode())
    archive = tmp_path / "nested.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2022-01/2022-01-test-street.csv.gz", payload)
    crimes, report = load_crimes(archive)
    assert len(crimes) == 1
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match="not a valid zip"):
        load_crimes(bad)


def test_reads_stream_without_whole_text(tmp_path):
    # A 24 MB line is skipped as it streams past: the reader never holds it (or the file).
    import tracemalloc

    path = tmp_path / "2022-01-test-street.csv"
    with path.open("w") as fh:
        fh.write(HEADER + "\n" + _row() + "\n" + "," * (24 << 20) + "\n" + _row() + "\n")
    tracemalloc.start()
    try:
        crimes, report = load_crimes(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(crimes) == 2 and report.dropped == {"line too long": 1}
    assert peak < 12 << 20, f"peak {peak / 2**20:.1f} MiB while reading a 24 MiB line"
