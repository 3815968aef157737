"""The row checks on Arrow columns read text exactly as pandas did (issue 13, ingest speed).

The checks (:mod:`hotspots.io.clean`, :mod:`hotspots.io.coords`, :mod:`hotspots.io.dates`)
work on Arrow text with ``pyarrow.compute``; these tests pin what counts as a number, as
blank and as a month against pandas, the rules they had when they worked on pandas text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hotspots.io.clean import check_rows
from hotspots.io.clean import keep_rows
from hotspots.io.clean import text_equals
from hotspots.io.clean import tidy
from hotspots.io.columnar import fast_parse_ok
from hotspots.io.coords import BNG
from hotspots.io.coords import WGS84
from hotspots.io.coords import clean_coordinates
from hotspots.io.coords import numeric_coordinates
from hotspots.io.coords import text_floats
from hotspots.io.dates import month_values
from hotspots.io.dates import parse_months
from hotspots.io.limits import MAX_FIELD_CHARS
from hotspots.io.report import DROP_NO_COORDINATES
from hotspots.io.report import DROP_NON_NUMERIC
from hotspots.io.textcsv import strip_text

#: Number-like text, and text that is not a number: each read as pandas.to_numeric reads it.
NUMBER_FORMS = [
    "1", "+1", "-1", "1.", ".5", "-.5", "+.5", "1e5", "1E5", "1e+5", "1e-5", "1.0e-5", "1.e5",
    "00001", "0.0000", "-0", "+0", "-0.0", "-0.0e0", "1e500", "-1e500", "1e-500", "inf",
    "-inf", "Infinity", "nan", "NaN", "-53.123456789012345", "430000.0000001",
    "123456789012345678901", "9" * 400, "1e0000000000000000005", "0", "-0.000",
]
NOT_NUMBERS = ["1.5e", "e5", "1_000", "1,5", "0x10", "1d5", "1.5.5", "--1", "1 2", "\uff11",
               "\u0663", ".", "-", "", "True", "None", "N/A", "\u00bd", "1j"]


def _pandas(values: list[str]) -> np.ndarray:
    return pd.to_numeric(pd.Series(values, dtype="str"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)


@pytest.mark.parametrize("value", NUMBER_FORMS + NOT_NUMBERS)
def test_a_value_is_a_number_exactly_when_pandas_reads_one(value):
    # alone (a column Arrow reads whole, or refuses and pandas reads), and among numbers
    for column in ([value], ["-1.5", value, "53.8"]):
        got = text_floats(pa.chunked_array([column]))
        np.testing.assert_array_equal(got, _pandas(column))
        assert np.array_equal(np.signbit(got), np.signbit(_pandas(column)))


def test_random_coordinates_are_read_to_the_same_double():
    rng = np.random.default_rng(13)
    text = ([repr(float(v)) for v in rng.uniform(-180, 180, 20_000)]
            + [f"{v:.6f}" for v in rng.uniform(-8, 2, 20_000)]
            + [f"{v:.17g}" for v in rng.uniform(-1e6, 1e6, 20_000)])
    np.testing.assert_array_equal(text_floats(pa.chunked_array([text])), _pandas(text))


def test_whitespace_is_stripped_as_pandas_stripped_it():
    values = [" 1.5", "\t2\u00a0", "\u20033\u2003", "\u3000", "\x1c4\x1f", "5\u200b", " "]
    old = pd.Series(values, dtype="str").str.strip()
    x = pa.array(values)
    got, _ = numeric_coordinates(x, x)
    np.testing.assert_array_equal(got, _pandas(old.tolist()))
    assert text_equals(x, "").tolist() == (old == "").tolist()
    assert text_equals(x, "1.5").tolist() == (old == "1.5").tolist()


def test_a_missing_value_is_not_blank_but_not_a_number():
    x = pa.array(["430000", None, "431000"])
    y = pa.array(["433000", "433000", ""])
    _, _, why = clean_coordinates(x, y, input_crs=BNG, output_crs=BNG, source="f.csv",
                                  x_name="x", y_name="y", fix="")
    old = pd.Series(x.to_pylist(), dtype="str")  # how pandas compared: NaN == "" is False
    assert not bool((old.str.strip() == "").iloc[1])
    assert why.tolist() == ["", DROP_NON_NUMERIC, DROP_NO_COORDINATES]


def test_months_read_per_distinct_value_as_before():
    text = ["2022-01", " 2022-01 ", "01/2022", "Jan 2022", "2022-13", "9999-12", "", None,
            "2022/02/28", "0000-01", "2022-01"]
    values, far = month_values(pa.array(text))
    series, far_series = parse_months(pd.Series(text, dtype="str"))
    np.testing.assert_array_equal(values, series.to_numpy())
    np.testing.assert_array_equal(far, far_series)
    assert far.tolist() == [t in ("9999-12", "0000-01") for t in text]


def test_tidy_keeps_a_pandas_frame_for_callers_that_want_one():
    raw = pd.DataFrame({"x": ["-1.55", "-1.54", ""], "y": ["53.8", "53.81", ""],
                        "month": ["2022-01"] * 3, "category": [" Burglary ", "", "Robbery"],
                        "crime_id": ["a", "b", "c"]}, dtype="str")
    out, report = tidy(raw, source="api", input_crs=WGS84, output_crs=BNG, x_name="lon",
                       y_name="lat", fix="")
    assert isinstance(out, pd.DataFrame)
    assert out["category"].tolist() == ["Burglary"]
    assert out["crime_id"].tolist() == ["a"]
    assert str(out["month"].dtype) == "datetime64[ns]"
    assert report.dropped == {"no category": 1, "no coordinates": 1}
    assert report.rows_read == 3 and report.rows_kept == 1


def test_keep_rows_returns_arrow_with_the_canonical_columns_then_extras():
    raw = pa.table({"x": ["430000"], "y": ["433000"], "month": ["2022-01"],
                    "category": ["Burglary"], "offence_code": [" 58A "]})
    checked = check_rows(raw, source="f", input_crs=BNG, output_crs=BNG, x_name="x",
                         y_name="y", fix="")
    table, report = keep_rows(raw, checked, sources=["f"], output_crs=BNG)
    assert table.column_names[-3:] == ["offence_code", "x", "y"]
    assert table["offence_code"].to_pylist() == [" 58A "]  # extras kept as they are
    assert table["location"].to_pylist() == [""]
    assert table["weight"].to_pylist() == [1.0]
    assert report.crs == "EPSG:27700"


def test_fast_parse_needs_every_carriage_return_before_a_line_feed():
    plain = b"a,b\r\n1,2\r\n3,4\r\n"
    assert fast_parse_ok(plain)
    assert not fast_parse_ok(plain + b"5,6\r")  # a lone CR at the very end
    assert not fast_parse_ok(plain.replace(b"1,2\r\n", b"1,2\r3,4\n"))  # one in the middle
    assert fast_parse_ok("a,b\n\u00e9,\u00fc\n".encode())  # UTF-8 text that is not ASCII
    assert not fast_parse_ok("a,b\n\u00e9,1\n".encode("latin-1"))  # not UTF-8


def test_fast_parse_refuses_every_file_with_a_line_over_the_field_limit():
    rng = np.random.default_rng(7)
    for _ in range(200):
        lengths = rng.integers(MAX_FIELD_CHARS - 3, MAX_FIELD_CHARS + 3, size=rng.integers(1, 4))
        data = b"".join(b"a" * int(n) + b"\n" for n in rng.permutation(
            np.concatenate([lengths, rng.integers(1, 200, size=50)])))
        assert fast_parse_ok(data) == bool(lengths.max() <= MAX_FIELD_CHARS)


def test_strip_text_is_arrows_trim_on_any_block():
    rng = np.random.default_rng(3)
    pieces = ["a", "Z", "1", " ", "\t", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "\u00e9",
              "\u200b", "\r", ""]
    values = ["".join(rng.choice(pieces, size=rng.integers(0, 4))) for _ in range(3_000)]
    values[::97] = [None] * len(values[::97])
    for kind in (pa.string(), pa.large_string()):
        whole = pa.array(values, kind)
        for block in (whole, whole.slice(5, 1_000), whole.slice(2_990)):
            column = pa.chunked_array([block, block.slice(1)])
            expected = pc.utf8_trim_whitespace(column)
            assert strip_text(column).equals(expected)
    clean = pa.chunked_array([pa.array(["a b", "c", None, "", "d\u00e9e"]).slice(1)])
    assert strip_text(clean) is clean  # nothing to strip: the same array, not a copy
