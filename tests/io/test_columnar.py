"""The columnar police.uk reader gives what load_crimes gives: rows, values, reports, errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hotspots.io.columnar as columnar
import hotspots.io.load as load
from hotspots.errors import HotspotsError
from hotspots.io import load_crimes
from hotspots.io.columnar import crimes_from_table
from hotspots.io.columnar import fast_parse_ok
from hotspots.io.columnar import load_policeuk_file
from hotspots.io.coords import BNG
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.io.report import DROP_NON_NUMERIC

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "sample_crimes"
WY_FILE = "west-yorkshire/2016-07-west-yorkshire-street.csv.gz"
HEADER = ",".join(POLICE_UK_COLUMNS)


def _row(month="2022-01", lon="-1.5491", lat="53.8002", category="Burglary", crime_id="id1",
         location="On or near Park Row"):
    return (f"{crime_id},{month},Test Police,Test Police,{lon},{lat},{location},"
            f"E01011365,Leeds 111B,{category},Under investigation,")


@pytest.fixture(autouse=True)
def _pyarrow_for_every_size(monkeypatch):
    """The columnar reader parses small files with pyarrow too (when it may), so these small
    cases compare pyarrow's parse with the validated reader's (load_crimes reads them)."""
    monkeypatch.setattr(columnar, "FAST_PARSE_MIN_BYTES", 0)


def _columnar(path: Path, crs=None):
    """What the columnar reader makes of ``path``, as load_crimes would return it."""
    target = None if crs is None else BNG
    table, report, got_crs, _ = load_policeuk_file(path, source=str(path), crs=target)
    return crimes_from_table(table, got_crs), report


def assert_same_load(path: Path, *, crs: str | None = None) -> None:
    """load_crimes(path) and the columnar reader agree: rows, values, CRS, report, or error."""
    try:
        expected, expected_report = load_crimes(path, crs=crs)
    except HotspotsError as exc:
        with pytest.raises(type(exc)) as caught:
            _columnar(path, crs)
        assert str(caught.value) == str(exc)
        return
    got, report = _columnar(path, crs)
    assert got.crs == expected.crs
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                  pd.DataFrame(expected.drop(columns="geometry")))
    assert got.geometry.geom_equals_exact(expected.geometry, 0).all()
    assert report.to_dict() == expected_report.to_dict()


def _write(path: Path, lines: list[str], *, bom: bool = False, newline: str = "\n") -> Path:
    path.write_bytes((("\ufeff" if bom else "") + newline.join(lines) + newline).encode())
    return path


# --- the demo data and the real West Yorkshire month ---------------------------------------


@pytest.mark.parametrize("month", ["2024-01", "2024-07", "2025-12"])
def test_demo_months_load_identically(month):
    assert_same_load(DEMO / month / f"{month}-kestleshire-street.csv")


def test_demo_month_with_a_given_crs_loads_identically():
    assert_same_load(DEMO / "2024-03" / "2024-03-kestleshire-street.csv", crs="EPSG:27700")


@pytest.mark.realdata
def test_west_yorkshire_loads_identically(shared_data):
    path = shared_data / WY_FILE
    assert_same_load(path)
    got, report = _columnar(path)
    # the facts the data README gives: 27,176 rows, 1,347 without coordinates
    assert report.rows_read == 27_176
    assert report.dropped == {"no coordinates": 1_347}
    assert len(got) == 27_176 - 1_347


@pytest.mark.realdata
def test_west_yorkshire_with_repeated_headers_loads_identically(shared_data, tmp_path):
    with gzip.open(shared_data / WY_FILE, "rt", encoding="utf-8", newline="") as fh:
        text = fh.read()
    header, body = text.split("\n", 1)
    lines = body.splitlines()
    doubled = tmp_path / "doubled.csv"
    doubled.write_text("\n".join([header, *lines[:5000], header, *lines[5000:9000]]) + "\n",
                       encoding="utf-8")
    assert_same_load(doubled)


# --- hand-made edge cases ----------------------------------------------------------------

EDGE_CASES = {
    "plain": [HEADER, _row(), _row(crime_id="", category="Anti-social behaviour")],
    "blank and bad coordinates": [HEADER, _row(), _row(lon="", lat=""), _row(lon="abc"),
                                  _row(lon="inf"), _row(lat="nan"), _row(lon=" -1.6 ")],
    "outside the UK": [HEADER, _row(), _row(), _row(lon="2.35", lat="48.85")],
    "out of range": [HEADER, _row(), _row(), _row(lon="-200", lat="95")],
    "bad months": [HEADER, _row(), _row(month="2022-13"), _row(month="Jan 2022"),
                   _row(month=" 2022-02 "), _row(month="2022/03"), _row(month="2022-04-15"),
                   _row(month="2022-13", lon=""), _row(month="x", category="")],
    "blank category": [HEADER, _row(), _row(category=""), _row(category="  "),
                       _row(category="", lon="abc")],
    "unknown category": [HEADER, _row(), _row(category="Burglary "), _row(category="Arson")],
    "padding and unicode spaces": [HEADER, _row(location="\u00a0On or near X\u2003"),
                                   _row(category="\tRobbery "), _row(crime_id=" id9 ")],
    "quoted commas and newlines": [HEADER, _row(location='"On or near A, B"'),
                                   _row(location='"On or near\nC"'),
                                   _row(location='"say ""hi"""')],
    "repeated headers": [HEADER, _row(), HEADER, _row(month="2022-02"), HEADER],
    "short rows": [HEADER, _row(), "x1,2022-01,Test Police,Test Police,-1.5,53.8"],
    "blank lines": [HEADER, "", _row(), "", _row(month="2022-02"), "   "],
    "empty lines only": [HEADER, _row(), "", _row(month="2022-02")],
    "trailing empty lines": [HEADER, _row(), _row(), "", ""],
    "crlf empty line": [HEADER + "\r", _row() + "\r", "\r", _row() + "\r"],
    "empty lines before the header": ["", "", HEADER, _row()],
    "no text at all": [""],
    "header only": [HEADER],
    "all coordinates bad": [HEADER, _row(lon="x"), _row(lon="y")],
    "swapped": [HEADER, _row(lon="53.8", lat="-1.5"), _row(lon="53.7", lat="-1.6")],
    "eastings and northings": [HEADER, _row(lon="430000", lat="433000"),
                               _row(lon="431000", lat="434000")],
    "every row outside": [HEADER, _row(lon="2.35", lat="48.85")],
    "mixed months": [HEADER, *[_row(month=f"2022-{m:02d}") for m in range(1, 13)]],
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases_load_identically(tmp_path, name):
    path = _write(tmp_path / "edge.csv", EDGE_CASES[name])
    assert_same_load(path)
    assert_same_load(path, crs="EPSG:27700")


def test_bom_crlf_extra_and_reordered_columns_load_identically(tmp_path):
    columns = list(POLICE_UK_COLUMNS)
    order = [columns[i] for i in (9, 0, 1, 2, 3, 5, 4, 6, 7, 8, 10)] + ["Extra"]
    lines = [",".join(order)]
    for i in range(6):
        values = dict(zip(columns, _row(crime_id=f"c{i}").split(","), strict=False))
        values["Extra"] = "x"
        lines.append(",".join(values.get(c, "") for c in order))
    path = _write(tmp_path / "odd.csv", lines, bom=True, newline="\r\n")
    assert_same_load(path)


def test_not_utf8_fails_like_load_crimes(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n" + _row(location="On or near Caf\xe9 Row") + "\n")
                     .encode("latin-1"))
    assert_same_load(path)


def test_gzip_file_loads_identically(tmp_path):
    path = tmp_path / "2022-01-test-street.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join([HEADER, _row(), _row(lon="")]) + "\n")
    assert_same_load(path)


def test_a_large_file_with_mess_loads_identically(tmp_path):
    """Enough rows for pyarrow to parse in several blocks, with mess spread through."""
    rng = np.random.default_rng(5)
    lines = [HEADER]
    for i in range(60_000):
        lon, lat = f"{rng.uniform(-2.0, -1.0):.6f}", f"{rng.uniform(53.0, 54.0):.6f}"
        kind = i % 97
        if kind == 0:
            lon = lat = ""
        elif kind == 1:
            lon = "n/a"
        location = '"On or near\nTwo Lines"' if kind == 2 else "On or near Y"
        month = "2022-13" if kind == 3 else f"2022-{1 + i % 12:02d}"
        lines.append(_row(month=month, lon=lon, lat=lat, location=location, crime_id=f"c{i}"))
        if i == 30_000:
            lines.append(HEADER)
    assert_same_load(_write(tmp_path / "big.csv", lines))


# --- the parse: pyarrow only where it cannot differ ----------------------------------------


def test_fast_parse_only_for_files_the_validated_reader_would_read_the_same():
    plain = "\n".join([HEADER, _row(), _row(month="2022-02")]).encode() + b"\n"
    assert fast_parse_ok(plain)
    assert fast_parse_ok(plain.replace(b"\n", b"\r\n"))
    assert not fast_parse_ok(plain.replace(b"On or near", b'"On or near'))  # a quote
    assert not fast_parse_ok(plain.replace(b"\n", b"\r"))  # CR-only line ends
    assert not fast_parse_ok(plain + b"x\x00y\n")  # NUL bytes
    assert not fast_parse_ok(b"\xef\xbb\xbf" + plain)  # a byte-order mark
    assert not fast_parse_ok(plain.replace(b"Park Row", "Café Row".encode("latin-1")))
    assert not fast_parse_ok(plain + b"a" * 40_000 + b"\n")  # a line over the field limit


HOSTILE_CASES = {
    "stray quote": [HEADER, _row(), _row(location='"On or near A'), _row(), _row()],
    "extra unquoted comma": [HEADER, _row(), _row(location="On or near A, B"), _row()],
    "truncated last line": [HEADER, _row(), _row(), _row()[:30]],
    "months out of range": [HEADER, _row(), _row(month="0000-01"), _row(month="9999-12")],
    "zero coordinates": [HEADER, _row(), _row(lon="0", lat="0"), _row()],
    "nul byte": [HEADER, _row(), _row(location="On or near \x00A"), _row()],
}


@pytest.mark.parametrize("name", list(HOSTILE_CASES))
def test_hostile_rows_load_as_load_crimes_loads_them(tmp_path, name):
    path = _write(tmp_path / "hostile.csv", HOSTILE_CASES[name])
    assert_same_load(path)


def test_cr_only_and_utf16_tab_files_load_as_load_crimes_loads_them(tmp_path):
    lines = [HEADER, _row(), _row(month="2022-02"), _row(lon="")]
    cr = tmp_path / "cr.csv"
    cr.write_bytes(("\r".join(lines) + "\r").encode())
    assert_same_load(cr)
    tsv = tmp_path / "unicode-text.csv"
    tsv.write_bytes(("\r\n".join(line.replace(",", "\t") for line in lines) + "\r\n")
                    .encode("utf-16"))
    assert_same_load(tsv)


def test_an_empty_file_fails_like_load_crimes(tmp_path):
    path = tmp_path / "2022-01-test-street.csv"
    path.write_bytes(b"")
    assert_same_load(path)


def _load_frame(path: Path):
    crimes, report = load_crimes(path)
    return pd.DataFrame(crimes.drop(columns="geometry")), crimes.geometry, report.to_dict()


@pytest.mark.parametrize("name", [*EDGE_CASES, *HOSTILE_CASES])
def test_load_crimes_parses_with_pyarrow_as_the_validated_reader_reads(tmp_path, monkeypatch,
                                                                       name):
    lines = EDGE_CASES[name] if name in EDGE_CASES else HOSTILE_CASES[name]
    path = _write(tmp_path / "2022-01-test-street.csv", lines)
    try:
        streamed = _load_frame(path)
    except HotspotsError as exc:
        monkeypatch.setattr(load, "FAST_PARSE_MIN_BYTES", 0)
        with pytest.raises(type(exc)) as caught:
            _load_frame(path)
        assert str(caught.value) == str(exc)
        return
    monkeypatch.setattr(load, "FAST_PARSE_MIN_BYTES", 0)
    fast = _load_frame(path)
    pd.testing.assert_frame_equal(fast[0], streamed[0])
    assert fast[1].geom_equals_exact(streamed[1], 0).all()
    assert fast[2] == streamed[2]


@pytest.mark.parametrize(("block", "limit"), [(4096, 10_000), (1 << 20, 1024), (4096, 1 << 26)])
def test_load_crimes_reads_a_file_past_its_head_as_it_streams(tmp_path, monkeypatch, block,
                                                              limit):
    lines = [HEADER, *[_row(month=f"2022-{1 + k % 12:02d}", crime_id=f"id{k}")
                       for k in range(400)], "", _row(lon="abc")]
    path = _write(tmp_path / "2022-01-test-street.csv", lines)
    expected = _load_frame(path)
    monkeypatch.setattr(load, "READ_BLOCK_BYTES", block)
    monkeypatch.setattr(load, "FAST_READ_BYTES", limit)
    monkeypatch.setattr(load, "FAST_PARSE_MIN_BYTES", 0)
    got = _load_frame(path)
    pd.testing.assert_frame_equal(got[0], expected[0])
    assert got[2] == expected[2]
    assert got[2]["rows_read"] == 401 and got[2]["dropped"] == {DROP_NON_NUMERIC: 1}
    assert any("blank line" in note for note in got[2]["notes"])
