"""A fast, columnar reader for police.uk street-level CSVs (pyarrow), with the loader's rules.

:func:`read_policeuk_table` reads one police.uk street CSV (bytes or a path) with pyarrow's
multi-threaded CSV parser and checks every row with vectorised (Arrow and numpy) code; it
returns an Arrow table of the canonical columns plus ``x`` and ``y`` (no shapely geometry:
that is built only when a GeoDataFrame is asked for, by :func:`crimes_from_table`).
:func:`project_table` then projects a file read in longitude/latitude to the CRS
:func:`hotspots.spatial.choose_crs` picks, as :func:`hotspots.io.load_crimes` does.

**The same rules as the validated reader, by construction.** pyarrow only *parses*; every
row check is the shared one. The text columns pyarrow reads are handed, as a
:class:`~hotspots.io.textcsv.CsvTable`, to :func:`hotspots.io.policeuk.check_policeuk`, the
function ``load_crimes`` checks police.uk rows with (repeated headers, coordinates against
the declared CRS, months and their range, categories, whole-file faults and their
messages). pyarrow parses a file only when its parse cannot differ from the validated
reader's (:func:`fast_parse_ok`: UTF-8 without a byte-order mark, no quote, NUL byte or
lone carriage return, every line within :data:`~hotspots.io.limits.MAX_FIELD_CHARS`; then
the same number of fields on every line and no blank line: :func:`policeuk_fast_text`,
which ``load_crimes`` uses too); any other file, and any file under
:data:`FAST_PARSE_MIN_BYTES`, is read by that reader
(:class:`~hotspots.io.textcsv.CsvReader`), which counts its structural drops. The checks
work on the Arrow columns (:mod:`hotspots.io.clean`) and return an Arrow table. Tests
compare the result with ``load_crimes`` on the demo data, the West Yorkshire file and
hand-made edge cases, with pyarrow parsing files of every size.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import threading
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pyproj import CRS
from pyproj import Transformer

from hotspots.errors import InputFileError
from hotspots.io.coords import BNG
from hotspots.io.coords import WGS84
from hotspots.io.coords import crs_text
from hotspots.io.coords import same_crs
from hotspots.io.limits import MAX_FIELD_CHARS
from hotspots.io.policeuk import POLICE_UK_CANONICAL
from hotspots.io.policeuk import check_policeuk
from hotspots.io.policeuk import policeuk_delimiter
from hotspots.io.policeuk import read_policeuk_table as read_policeuk_text
from hotspots.io.report import DROP_OUT_OF_RANGE
from hotspots.io.report import DROP_OUTSIDE_UK
from hotspots.io.report import LoadReport
from hotspots.io.report import unknown_category_note
from hotspots.io.sources import MAX_HEADER_BYTES
from hotspots.io.textcsv import CsvReader
from hotspots.io.textcsv import CsvTable
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import POLICE_UK_CATEGORIES
from hotspots.schema import STRING_COLUMNS
from hotspots.spatial import CRSChoice
from hotspots.spatial import choose_crs

__all__ = [
    "TABLE_SCHEMA",
    "fast_parse_ok",
    "policeuk_fast_text",
    "FAST_PARSE_MIN_BYTES",
    "read_policeuk_table",
    "project_table",
    "copy_report",
    "transformer",
    "summarise_table",
    "load_policeuk_file",
    "crimes_from_table",
    "geoparquet_table",
]

#: police.uk column -> canonical column, for the columns kept.
RENAME: dict[str, str] = {c: canonical for c, canonical in POLICE_UK_CANONICAL.items() if canonical}
#: The Arrow schema of a checked table: the canonical columns (no geometry) plus x, y.
TABLE_SCHEMA = pa.schema(
    [(c, pa.timestamp("ns") if c in ("month", "date") else
      pa.float64() if c == "weight" else pa.string()) for c in CRIME_COLUMNS]
    + [("x", pa.float64()), ("y", pa.float64())]
)

#: Files smaller than this are read by the validated reader even when pyarrow's parse would
#: be the same: for a few rows it is faster (0.07 ms for one row against pyarrow's 0.27 ms;
#: they break even near 10 KB, and pyarrow is 3.5 times faster at 5,000 rows).
FAST_PARSE_MIN_BYTES = 16 << 10

_LOCAL = threading.local()
#: A carriage return not followed by a line feed (a CR-only line end).
_LONE_CR = re.compile(rb"\r(?!\n)")


def transformer(source: CRS, target: CRS) -> Transformer:
    """``Transformer.from_crs(source, target, always_xy=True)``, made once per thread.

    Making one takes ~30 ms, as long as projecting 100,000 points: a store of thousands of
    files makes it once.
    """
    cache = getattr(_LOCAL, "transformers", None)
    if cache is None:
        cache = _LOCAL.transformers = {}
    key = (source.srs, target.srs)
    if key not in cache:
        cache[key] = Transformer.from_crs(source, target, always_xy=True)
    return cache[key]


# --------------------------------------------------------------------------- reading


def _line_end(data: bytes) -> int:
    """Where the first line of ``data`` ends (no copy of the rest)."""
    end = data.find(b"\n", 0, MAX_HEADER_BYTES)
    return min(len(data), MAX_HEADER_BYTES) if end < 0 else end


def _header(data: bytes) -> list[str]:
    line = data[:_line_end(data)].split(b"\r", 1)[0]
    text = line.decode("utf-8", errors="replace").lstrip("\ufeff")
    return next(csv.reader(io.StringIO(text)), [])


#: Every line of a file in which each aligned window of this many bytes holds a line feed
#: is shorter than two windows: at most MAX_FIELD_CHARS - 1 bytes.
_WINDOW = (MAX_FIELD_CHARS + 1) // 2


def _short_lines(data: bytes) -> bool:
    """True if every line of ``data`` is surely within MAX_FIELD_CHARS (a quick sufficient test).

    A line of 2w - 1 bytes or more holds a whole aligned window of w bytes, so if every
    window holds a line feed, no line is that long. False means "look closer", not "too long".

    Examples
    --------
    >>> _short_lines(b"a,b\\n" * 20_000), _short_lines(b"a" * 40_000 + b"\\n")
    (True, False)
    """
    find = data.find
    return all(find(b"\n", start, start + _WINDOW) >= 0
               for start in range(0, len(data) - _WINDOW + 1, _WINDOW))


def fast_parse_ok(data: bytes) -> bool:
    """True if pyarrow's parse of ``data`` cannot differ from the validated reader's.

    That is: UTF-8 without a byte-order mark, no quote (a stray one costs its own row in the
    validated reader), no NUL byte, no carriage return outside a CRLF, and no line longer
    than :data:`~hotspots.io.limits.MAX_FIELD_CHARS` bytes (so no field or line is over a
    limit). police.uk's own files pass; a file that does not is read by the validated reader.

    Examples
    --------
    >>> fast_parse_ok(b"a,b\\r\\n1,2\\r\\n"), fast_parse_ok(b'a,b\\n"1,2\\n')
    (True, False)
    """
    if data.startswith(b"\xef\xbb\xbf") or b'"' in data or b"\x00" in data:
        return False
    if b"\r" in data and _LONE_CR.search(data) is not None:
        return False
    if len(data) > MAX_FIELD_CHARS and not _short_lines(data):
        ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        starts = np.concatenate(([0], ends + 1))
        stops = np.concatenate((ends, [len(data)]))
        if int((stops - starts).max()) > MAX_FIELD_CHARS:
            return False
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _lines(data: bytes) -> int:
    """How many lines ``data`` holds (a last line without a line feed counts).

    Examples
    --------
    >>> _lines(b"a\\nb\\n"), _lines(b"a\\n\\nb"), _lines(b"")
    (2, 3, 0)
    """
    ends = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 10))  # 2.5x bytes.count
    return ends + (len(data) > 0 and not data.endswith(b"\n"))


def _arrow_text(data: bytes, names: list[str]) -> CsvTable | None:
    """The police.uk columns' text as pyarrow parses it; None when it must not be used."""
    bare = [n.strip() for n in names]
    if len(set(bare)) < len(bare) or not fast_parse_ok(data):
        return None
    wanted = [n for n, b in zip(names, bare, strict=True) if b in RENAME]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, include_columns=wanted,
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowTypeError, ValueError):
        return None  # a line with too many or too few fields: the validated reader counts it
    if table.num_rows + 1 != _lines(data):
        return None  # blank lines, which pyarrow skips: the validated reader counts and notes them
    blocks = {n.strip(): list(table[n].chunks) or [pa.array([], pa.string())]
              for n in table.column_names}
    return CsvTable(header=bare, blocks=blocks, rows_read=table.num_rows)


def policeuk_fast_text(data: bytes) -> CsvTable | None:
    """The police.uk columns' text of a whole file, parsed by pyarrow; None if it must not be.

    None unless the header is a comma-separated police.uk header, the file passes
    :func:`fast_parse_ok` (so the parse cannot differ from the validated reader's), every
    line has the header's fields, no line is blank (pyarrow skips blank lines; the validated
    reader counts and notes them) and there is at least one row: the validated reader
    (:class:`~hotspots.io.textcsv.CsvReader`) then reads the file, counting and noting
    what it drops. ``load_crimes`` and the store both use it.

    Examples
    --------
    >>> head = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    ...         "LSOA code,LSOA name,Crime type,Last outcome category,Context\\n")
    >>> text = policeuk_fast_text((head + "a,2022-01,F,F,-1.5,53.8,X,E01,L,Burglary,,\\n").encode())
    >>> text.rows_read, text.blocks["Month"][0].to_pylist()
    (1, ['2022-01'])
    >>> policeuk_fast_text((head + '"a,2022-01,F,F,-1.5,53.8,X,E01,L,Burglary,,\\n').encode())
    """
    names = _header(data)
    if policeuk_delimiter(names) != ",":
        return None
    text = _arrow_text(data, names)
    return text if text is not None and text.rows_read > 0 else None


def _read_bytes(data: bytes | str | Path) -> bytes:
    if isinstance(data, bytes):
        return data
    path = Path(data)
    if path.name.lower().endswith(".gz"):
        with pa.input_stream(str(path), compression="gzip") as stream:
            return stream.read()
    return path.read_bytes()


def _validated_text(data: bytes, source: str) -> CsvTable:
    """The police.uk columns' text as the validated (streaming) reader reads it."""
    reader = CsvReader(io.BytesIO(data), source=source)
    delimiter = policeuk_delimiter(reader.header()) or ","
    return read_policeuk_text(reader, source=source, delimiter=delimiter)


def read_policeuk_table(
    data: bytes | str | Path, *, source: str, crs: CRS | None,
) -> tuple[pa.Table, LoadReport]:
    """Read one police.uk street CSV into a checked Arrow table and its load report.

    The table has the canonical columns (``hotspots.schema.CRIME_COLUMNS``, no geometry)
    plus ``x`` and ``y`` in ``crs``, or in longitude/latitude when ``crs`` is None (then
    :func:`project_table` chooses the CRS, as :func:`hotspots.io.load_crimes` does).
    Rows are checked by :func:`hotspots.io.policeuk.check_policeuk`, as ``load_crimes``
    checks them.

    Parameters
    ----------
    data : bytes or path
        The file's bytes (e.g. a zip member), or a path to a ``.csv`` or ``.csv.gz`` file.
    source : str
        How messages and the report name the file.
    crs : pyproj.CRS or None
        Projected CRS of the returned ``x``/``y``.

    Raises
    ------
    InputFileError
        The file is empty, not a police.uk street file, or its coordinates are wrong as a
        whole; the message names ``source``.

    Examples
    --------
    >>> text = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    ...         "LSOA code,LSOA name,Crime type,Last outcome category,Context\\n"
    ...         "a1,2022-01,Force,Force,-1.55,53.80,On or near X,E01,L 001A,Burglary,,\\n"
    ...         ",2022-01,Force,Force,,,No Location,,,Anti-social behaviour,,\\n")
    >>> table, report = read_policeuk_table(text.encode(), source="demo.csv", crs=BNG)
    >>> table.num_rows, report.rows_read, report.dropped
    (1, 2, {'no coordinates': 1})
    """
    data = _read_bytes(data)
    names = _header(data)
    if not data[:_line_end(data)].strip():
        # Blank lines first, or no text at all: the validated reader skips them (and says
        # so) or refuses the file with load_crimes's message.
        names = CsvReader(io.BytesIO(data), source=source).header()
    if policeuk_delimiter(names) is None and policeuk_delimiter(
            _validated_header(data, source)) is None:
        raise InputFileError(
            f"{source} is not a police.uk street-level crime file (columns found: "
            f"{', '.join(repr(c.strip()) for c in names)}); the store takes police.uk "
            "street-level CSVs only. Load other crime CSVs with a column mapping "
            "(hotspots find --mapping FILE.toml).")
    text = policeuk_fast_text(data) if len(data) >= FAST_PARSE_MIN_BYTES else None
    if text is None:  # raises the reader's message for a file without rows
        text = _validated_text(data, source)
    checked, report = check_policeuk(text, source=source, crs=crs)
    return checked.select(TABLE_SCHEMA.names).cast(TABLE_SCHEMA), report


def _validated_header(data: bytes, source: str) -> list[str]:
    """The header as the validated reader reads it (any encoding with a byte-order mark)."""
    try:
        return CsvReader(io.BytesIO(data[:MAX_HEADER_BYTES * 4]), source=source).header()
    except InputFileError:
        return []


# --------------------------------------------------------------------------- projecting


def copy_report(report: LoadReport) -> LoadReport:
    """A copy of ``report`` whose lists and dicts are its own."""
    return dataclasses.replace(report, sources=list(report.sources), dropped=dict(report.dropped),
                               months=list(report.months), categories=dict(report.categories),
                               notes=list(report.notes))


def project_table(
    table: pa.Table, report: LoadReport, *, choice: CRSChoice | None = None,
) -> tuple[pa.Table, LoadReport, CRSChoice]:
    """Project a table read in longitude/latitude, as ``load_crimes`` does with ``crs=None``.

    ``choice`` defaults to :func:`hotspots.spatial.choose_crs` on the table's points; rows
    the chosen CRS does not serve (outside the UK for British National Grid) are dropped
    and counted. Returns new objects; the inputs are not changed.

    Examples
    --------
    >>> t = pa.table({"x": [-1.55, -1.5, 20.0], "y": [53.8, 53.7, 10.0]})
    >>> r = LoadReport(sources=["a.csv"], rows_read=3, rows_kept=3)
    >>> out, report, choice = project_table(t, r)
    >>> out.num_rows, report.dropped, choice.crs.to_epsg()
    (2, {'coordinates outside the UK': 1}, 27700)
    """
    lon = table["x"].to_numpy()
    lat = table["y"].to_numpy()
    if choice is None:
        choice = choose_crs(lon, lat)
    keep = choice.covers(lon, lat)
    x, y = transformer(WGS84, choice.crs).transform(lon, lat, errcheck=False)
    keep &= np.isfinite(x) & np.isfinite(y)
    n_out = int((~keep).sum())
    report = copy_report(report)
    report.crs = crs_text(choice.crs)
    table = table.set_column(table.schema.get_field_index("x"), "x", pa.array(x))
    table = table.set_column(table.schema.get_field_index("y"), "y", pa.array(y))
    if n_out:
        reason = DROP_OUTSIDE_UK if same_crs(choice.crs, BNG) else DROP_OUT_OF_RANGE
        report.dropped = {**report.dropped, reason: report.dropped.get(reason, 0) + n_out}
        report.rows_kept -= n_out
        table = table.filter(pa.array(keep))
    return table, report, choice


def summarise_table(table: pa.Table, report: LoadReport) -> LoadReport:
    """``report`` with the kept rows' months and categories, and a note on unknown ones.

    As ``load_crimes`` summarises its table: months ``YYYY-MM`` sorted, categories counted
    (most frequent first), and categories outside the 14 police.uk types noted (kept).
    """
    out = copy_report(report)
    out.rows_kept = table.num_rows
    months = pc.unique(table["month"]).drop_null()
    out.months = sorted(pc.strftime(months, format="%Y-%m").to_pylist())
    counts = pc.value_counts(table["category"]).to_pylist()
    ordered = sorted(counts, key=lambda c: -c["counts"])
    out.categories = {str(c["values"]): int(c["counts"]) for c in ordered}
    note = unknown_category_note(out.categories, POLICE_UK_CATEGORIES)
    if note:
        out.notes.append(note)
    return out


def crimes_from_table(table: pa.Table, crs: Any) -> gpd.GeoDataFrame:
    """The canonical crime table (a GeoDataFrame of points in ``crs``) from a checked table.

    Points are built from the ``x``/``y`` columns; any other extra column is kept after the
    canonical ones.

    Examples
    --------
    >>> t = pa.table({"category": ["Burglary"], "x": [430000.0], "y": [433000.0]})
    >>> crimes_from_table(t, "EPSG:27700").geometry.x.tolist()
    [430000.0]
    """
    frame = table.drop_columns([c for c in ("x", "y", "geometry") if c in table.column_names])
    pandas = frame.to_pandas()
    for column in CRIME_COLUMNS:
        if column not in pandas:
            pandas[column] = _default_column(column, len(pandas))
    extras = [c for c in pandas.columns if c not in CRIME_COLUMNS]
    geometry = gpd.points_from_xy(table["x"].to_numpy(), table["y"].to_numpy(), crs=crs)
    return gpd.GeoDataFrame(pandas[[*CRIME_COLUMNS, *extras]], geometry=geometry, crs=crs)


def _default_column(column: str, n: int) -> pd.Series:
    if column in STRING_COLUMNS:
        return pd.Series([""] * n, dtype="str")
    if column == "weight":
        return pd.Series(np.ones(n))
    return pd.Series(np.full(n, np.datetime64("NaT", "ns")))


def load_policeuk_file(
    data: bytes | str | Path, *, source: str, crs: CRS | None = None,
) -> tuple[pa.Table, LoadReport, CRS, str]:
    """One police.uk file as ``load_crimes(file, crs=crs)`` loads it.

    Returns the checked table, its report, its CRS and why that CRS. With ``crs=None`` the
    CRS is chosen from the file's points and the report says so, as
    :func:`hotspots.io.load_crimes` does (a file with no point left raises its
    :class:`~hotspots.errors.CRSError`).

    Examples
    --------
    >>> text = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    ...         "LSOA code,LSOA name,Crime type,Last outcome category,Context\\n"
    ...         "a1,2022-01,Force,Force,-1.55,53.80,On or near X,E01,L 001A,Burglary,,\\n")
    >>> table, report, crs, why = load_policeuk_file(text.encode(), source="demo.csv")
    >>> crs.to_epsg(), report.months, report.categories
    (27700, ['2022-01'], {'Burglary': 1})
    """
    notes: list[str] = []
    if crs is None:
        table, file_report = read_policeuk_table(data, source=source, crs=None)
        table, file_report, choice = project_table(table, file_report)
        crs, reason = choice.crs, choice.reason
        notes.append(f"Coordinates projected to {choice.reason}.")
    else:
        table, file_report = read_policeuk_table(data, source=source, crs=crs)
        reason = f"{crs_text(crs)}, as asked"
    report = LoadReport(crs=crs_text(crs), notes=notes).merge(file_report)
    return table, summarise_table(table, report), crs, reason


# --------------------------------------------------------------------------- GeoParquet

#: GeoParquet metadata version written.
GEOPARQUET_VERSION = "1.1.0"



def _wkb_points(x: np.ndarray, y: np.ndarray) -> pa.Array:
    """Little-endian WKB points (21 bytes each) built in one numpy pass."""
    n = len(x)
    dtype = np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])
    raw = np.empty(n, dtype=dtype)
    raw["order"], raw["kind"], raw["x"], raw["y"] = 1, 1, x, y
    offsets = np.arange(0, 21 * n + 1, 21, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(raw.tobytes())])


_CRS_JSON: dict[str, dict] = {}


def _crs_json(crs: CRS) -> dict:
    """PROJJSON of ``crs``, worked out once per CRS (read only: it is dumped as it is)."""
    found = _CRS_JSON.get(crs.srs)
    if found is None:
        found = _CRS_JSON[crs.srs] = crs.to_json_dict()
    return found


def geoparquet_table(table: pa.Table, crs: CRS) -> pa.Table:
    """``table`` (with ``x``/``y``) plus a WKB ``geometry`` column and GeoParquet metadata.

    Examples
    --------
    >>> t = geoparquet_table(pa.table({"x": [1.0, 3.0], "y": [2.0, 4.0]}), CRS(27700))
    >>> json.loads(t.schema.metadata[b"geo"])["columns"]["geometry"]["bbox"]
    [1.0, 2.0, 3.0, 4.0]
    """
    x = table["x"].to_numpy()
    y = table["y"].to_numpy()
    bbox = ([float(x.min()), float(y.min()), float(x.max()), float(y.max())]
            if len(x) else [])
    geo = {
        "version": GEOPARQUET_VERSION,
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"],
                                 "crs": _crs_json(crs), "bbox": bbox}},
    }
    out = table.append_column("geometry", _wkb_points(x, y))
    return out.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
