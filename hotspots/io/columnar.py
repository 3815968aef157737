"""A fast, columnar reader for police.uk street-level CSVs (pyarrow), with the loader's rules.

:func:`read_policeuk_table` reads one police.uk street CSV (bytes or a path) with pyarrow's
multi-threaded CSV parser and checks every row with vectorised (Arrow and numpy) code; it
returns an Arrow table of the canonical columns plus ``x`` and ``y`` (no shapely geometry:
that is built only when a GeoDataFrame is asked for, by :func:`crimes_from_table`).
:func:`project_table` then projects a file read in longitude/latitude to the CRS
:func:`hotspots.spatial.choose_crs` picks, as :func:`hotspots.io.load_crimes` does.

**The same rules as the pandas reader.** Kept and dropped rows, drop reasons, the canonical
values and the CRS choice are those of :func:`hotspots.io.load_crimes` reading the same file
(tests compare the two on the demo data, the West Yorkshire file and hand-made edge cases).
Where the rules live:

* shared, imported from their one home: the police.uk header test
  (:func:`~hotspots.io.policeuk.is_policeuk_header`), the column names
  (:data:`~hotspots.io.policeuk.POLICE_UK_CANONICAL`), the month rule
  (:func:`~hotspots.io.clean.parse_months`, applied to each distinct month text), the
  coordinate boxes and the majority share (:data:`~hotspots.io.clean.GB_BNG_BOX`,
  :data:`~hotspots.io.clean.WORLD_LONLAT_BOX`, :data:`~hotspots.io.clean.MAJORITY`,
  :data:`~hotspots.spatial.UK_LONLAT_BOX`), the drop reasons (``hotspots.io.report``),
  the CRS choice (:func:`~hotspots.spatial.choose_crs`) and every message about a bad file:
  when a check here finds a whole-file problem (swapped or unusable coordinates, a header
  with no data, text that is not UTF-8 or not CSV) it hands the file to the pandas
  functions (:func:`~hotspots.io.clean.read_text_csv`,
  :func:`~hotspots.io.clean.drop_repeated_headers`,
  :func:`~hotspots.io.clean.clean_coordinates`), which raise the one message.
* re-stated here, vectorised (the overlap to unify with the pandas reader): the per-row
  coordinate checks of :func:`~hotspots.io.clean.clean_coordinates` (:func:`coordinate_reasons`),
  the order of the drop reasons of :func:`~hotspots.io.clean.tidy` (:data:`DROP_ORDER`:
  coordinates, then month, then category), the repeated-header test of
  :func:`~hotspots.io.policeuk.read_policeuk` (:data:`REPEATED_HEADER_TEXT`) and the
  projection step of ``load_crimes`` (:func:`project_table`).

A file pyarrow cannot parse exactly as pandas does (short rows, unbalanced quotes, another
encoding) is read by the pandas reader's own :func:`~hotspots.io.clean.read_text_csv`, then
checked here as usual, so the result is the same either way.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
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

from hotspots.errors import EmptyFileError
from hotspots.errors import InputFileError
from hotspots.io.clean import BNG
from hotspots.io.clean import GB_BNG_BOX
from hotspots.io.clean import MAJORITY
from hotspots.io.clean import WGS84
from hotspots.io.clean import WORLD_LONLAT_BOX
from hotspots.io.clean import clean_coordinates
from hotspots.io.clean import drop_repeated_headers
from hotspots.io.clean import note_repeated_headers
from hotspots.io.clean import parse_months
from hotspots.io.clean import read_text_csv
from hotspots.io.policeuk import POLICE_UK_CANONICAL
from hotspots.io.policeuk import is_policeuk_header
from hotspots.io.report import DROP_BAD_DATE
from hotspots.io.report import DROP_NO_CATEGORY
from hotspots.io.report import DROP_NO_COORDINATES
from hotspots.io.report import DROP_NON_NUMERIC
from hotspots.io.report import DROP_OUT_OF_RANGE
from hotspots.io.report import DROP_OUTSIDE_UK
from hotspots.io.report import UNKNOWN_CATEGORY
from hotspots.io.report import LoadReport
from hotspots.io.sources import MAX_HEADER_BYTES
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import POLICE_UK_CATEGORIES
from hotspots.schema import STRING_COLUMNS
from hotspots.spatial import UK_LONLAT_BOX
from hotspots.spatial import CRSChoice
from hotspots.spatial import choose_crs

__all__ = [
    "TABLE_SCHEMA",
    "DROP_ORDER",
    "REPEATED_HEADER_TEXT",
    "coordinate_reasons",
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
#: The text a repeated header line holds in these canonical columns (files concatenated with
#: their headers), as :func:`hotspots.io.policeuk.read_policeuk` tests it.
REPEATED_HEADER_TEXT: dict[str, str] = {"month": "Month", "category": "Crime type"}
#: Why a row is dropped, in the order the checks apply (a row gets the first that fails), as
#: :func:`hotspots.io.clean.tidy` applies them; code 0 keeps the row.
DROP_ORDER: tuple[str, ...] = (DROP_NO_COORDINATES, DROP_NON_NUMERIC, DROP_OUTSIDE_UK,
                               DROP_OUT_OF_RANGE, DROP_BAD_DATE, DROP_NO_CATEGORY)
_CODE = {reason: i + 1 for i, reason in enumerate(DROP_ORDER)}
#: The Arrow schema of a checked table: the canonical columns (no geometry) plus x, y.
TABLE_SCHEMA = pa.schema(
    [(c, pa.timestamp("ns") if c in ("month", "date") else
      pa.float64() if c == "weight" else pa.string()) for c in CRIME_COLUMNS]
    + [("x", pa.float64()), ("y", pa.float64())]
)
#: The message ending the pandas reader gives for a police.uk file that is not UTF-8.
_UTF8_FIX = "; police.uk files are UTF-8. Re-save the file as UTF-8."
_LOCAL_FIX = " in the file"


_LOCAL = threading.local()


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


def _inside(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def _to_float(text: pa.ChunkedArray | pa.Array, blank: np.ndarray) -> np.ndarray:
    """Numbers from trimmed text as ``pd.to_numeric(errors="coerce")`` reads them (NaN if not)."""
    nulled = pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), text)
    try:
        return pc.cast(nulled, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Some text is not a plain number: read it exactly as the pandas reader does.
        series = pd.Series(text.to_pandas(), dtype="str")
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _whole_file_problem(x_text: Any, y_text: Any, *, output_crs: CRS | None, source: str) -> None:
    """Let the pandas reader raise its message for coordinates wrong as a whole."""
    clean_coordinates(pd.Series(x_text.to_pandas(), dtype="str"),
                      pd.Series(y_text.to_pandas(), dtype="str"), input_crs=WGS84,
                      output_crs=output_crs, source=source, x_name="Longitude",
                      y_name="Latitude", fix=_LOCAL_FIX)
    raise RuntimeError(  # pragma: no cover - the two readers disagree: a bug
        f"The columnar reader found a whole-file coordinate problem in {source} that "
        "hotspots.io.clean.clean_coordinates does not; please report it.")


def coordinate_reasons(
    x_text: pa.ChunkedArray | pa.Array, y_text: pa.ChunkedArray | pa.Array, *,
    output_crs: CRS | None, source: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check police.uk longitude/latitude text; return x, y and a drop code per row.

    The vectorised form of :func:`hotspots.io.clean.clean_coordinates` for longitude/latitude
    input: codes index :data:`DROP_ORDER` from 1 (0 keeps the row). ``output_crs=None``
    leaves the values in longitude/latitude. Whole-file problems raise that function's
    :class:`~hotspots.errors.InputFileError`.

    Examples
    --------
    >>> x, y, code = coordinate_reasons(pa.array(["-1.5", "", "abc", "-80.0"]),
    ...                                 pa.array(["53.8", "", "1", "40.0"]),
    ...                                 output_crs=BNG, source="demo.csv")
    >>> [DROP_ORDER[c - 1] if c else "kept" for c in code]
    ['kept', 'no coordinates', 'non-numeric coordinates', 'coordinates outside the UK']
    """
    xs, ys = pc.utf8_trim_whitespace(x_text), pc.utf8_trim_whitespace(y_text)
    blank = (pc.equal(xs, "").to_numpy(zero_copy_only=False)
             | pc.equal(ys, "").to_numpy(zero_copy_only=False))
    x, y = _to_float(xs, blank), _to_float(ys, blank)
    code = np.zeros(len(x), dtype=np.uint8)
    code[blank] = _CODE[DROP_NO_COORDINATES]
    numeric = np.isfinite(x) & np.isfinite(y)
    non_numeric = ~blank & ~numeric
    code[non_numeric] = _CODE[DROP_NON_NUMERIC]
    n_numeric = int(numeric.sum())
    if n_numeric == 0 and non_numeric.any():
        _whole_file_problem(xs, ys, output_crs=output_crs, source=source)
    if output_crs == BNG:
        box, outside = UK_LONLAT_BOX, _CODE[DROP_OUTSIDE_UK]
    else:
        box, outside = WORLD_LONLAT_BOX, _CODE[DROP_OUT_OF_RANGE]
    if n_numeric:
        xn, yn = x[numeric], y[numeric]
        n_in = int(_inside(xn, yn, box).sum())
        checks = (box, UK_LONLAT_BOX) if box == WORLD_LONLAT_BOX else (box,)
        swapped = any(
            n_in_check <= MAJORITY * n_numeric
            and int(_inside(yn, xn, check).sum()) > MAJORITY * n_numeric
            for check in checks
            for n_in_check in (int(_inside(xn, yn, check).sum()),)
        )
        looks_bng = (_inside(xn, yn, GB_BNG_BOX) & ~_inside(xn, yn, box)
                     & ~_inside(xn, yn, WORLD_LONLAT_BOX))
        if swapped or int(looks_bng.sum()) > MAJORITY * n_numeric or n_in == 0:
            _whole_file_problem(xs, ys, output_crs=output_crs, source=source)
        code[numeric & ~_inside(x, y, box)] = outside
    ok = code == 0
    if output_crs is not None and output_crs != WGS84 and ok.any():
        px, py = transformer(WGS84, output_crs).transform(x[ok], y[ok], errcheck=False)
        x, y = x.copy(), y.copy()
        x[ok], y[ok] = px, py
        code[ok & ~(np.isfinite(x) & np.isfinite(y))] = _CODE[DROP_OUT_OF_RANGE]
    return x, y, code


# --------------------------------------------------------------------------- reading


def _line_end(data: bytes) -> int:
    """Where the first line of ``data`` ends (no copy of the rest)."""
    end = data.find(b"\n", 0, MAX_HEADER_BYTES)
    return min(len(data), MAX_HEADER_BYTES) if end < 0 else end


def _header(data: bytes) -> list[str]:
    line = data[:_line_end(data)].rstrip(b"\r")
    text = line.decode("utf-8", errors="replace").lstrip("\ufeff")
    return next(csv.reader(io.StringIO(text)), [])


def _arrow_csv(data: bytes, names: list[str]) -> pa.Table | None:
    """The kept police.uk columns as text, renamed; None where pyarrow cannot match pandas."""
    bare = [n.strip() for n in names]
    if len(set(bare)) < len(bare):
        return None  # duplicated names: pandas renames them ("Location.1")
    wanted = [n for n, b in zip(names, bare, strict=True) if b in RENAME]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, include_columns=wanted,
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowTypeError, ValueError):
        return None
    return table.rename_columns([RENAME[n.strip()] for n in table.column_names])


def _pandas_csv(data: bytes, source: str) -> pa.Table:
    raw = read_text_csv(io.BytesIO(data), RENAME, source=source, encoding="UTF-8",
                        fix=_UTF8_FIX)
    raw.columns = [RENAME[c] for c in raw.columns]
    return pa.Table.from_pandas(raw.astype("str"), preserve_index=False)


def _read_bytes(data: bytes | str | Path) -> bytes:
    if isinstance(data, bytes):
        return data
    path = Path(data)
    if path.name.lower().endswith(".gz"):
        with pa.input_stream(str(path), compression="gzip") as stream:
            return stream.read()
    return path.read_bytes()


def _repeated_headers(raw: pa.Table, source: str) -> tuple[pa.Table, int]:
    repeated = None
    for column, text in REPEATED_HEADER_TEXT.items():
        same = pc.equal(pc.utf8_trim_whitespace(raw[column]), text)
        repeated = same if repeated is None else pc.and_(repeated, same)
    n_header = int(pc.sum(repeated).as_py() or 0) if raw.num_rows else 0
    if n_header == raw.num_rows:
        # Nothing but headers: the pandas reader's check raises its message.
        drop_repeated_headers(raw.select(list(REPEATED_HEADER_TEXT)).to_pandas(),
                              REPEATED_HEADER_TEXT, source=source)
    if n_header:
        raw = raw.filter(pc.invert(repeated))
    return raw, n_header


#: Month text already parsed, shared by every file read (a store holds few distinct values).
_MONTH_CACHE: dict[str, np.datetime64] = {}
_MONTH_CACHE_SIZE = 100_000


def _months(text: pa.ChunkedArray) -> np.ndarray:
    """``parse_months`` of each row, parsing each distinct text once (a file holds few)."""
    encoded = pc.dictionary_encode(text).combine_chunks()
    uniques = encoded.dictionary.to_pylist()
    missing = [u for u in uniques if u not in _MONTH_CACHE]
    if missing:
        if len(_MONTH_CACHE) + len(missing) > _MONTH_CACHE_SIZE:
            _MONTH_CACHE.clear()
        parsed = parse_months(pd.Series(missing, dtype="str")).to_numpy(dtype="datetime64[ns]")
        _MONTH_CACHE.update(zip(missing, parsed, strict=True))
    values = np.array([_MONTH_CACHE[u] for u in uniques], dtype="datetime64[ns]")
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    if len(values) == 0:
        return np.full(len(indices), np.datetime64("NaT", "ns"))
    return values[indices]


def read_policeuk_table(
    data: bytes | str | Path, *, source: str, crs: CRS | None,
) -> tuple[pa.Table, LoadReport]:
    """Read one police.uk street CSV into a checked Arrow table and its load report.

    The table has the canonical columns (``hotspots.schema.CRIME_COLUMNS``, no geometry)
    plus ``x`` and ``y`` in ``crs``, or in longitude/latitude when ``crs`` is None (then
    :func:`project_table` chooses the CRS, as :func:`hotspots.io.load_crimes` does).

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
        The file is empty, not a police.uk street file, not UTF-8 CSV, or its coordinates
        are wrong as a whole; the message names ``source``.

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
    if not data[:_line_end(data)].strip():
        raise EmptyFileError(f"No crimes in {source}: the file is empty.")
    names = _header(data)
    if not is_policeuk_header(names):
        raise InputFileError(
            f"{source} is not a police.uk street-level crime file (columns found: "
            f"{', '.join(repr(c.strip()) for c in names)}); the store takes police.uk "
            "street-level CSVs only. Load other crime CSVs with a column mapping "
            "(hotspots find --mapping FILE.toml).")
    raw = _arrow_csv(data, names)
    if raw is None:
        raw = _pandas_csv(data, source)
    raw, n_header = _repeated_headers(raw, source)
    report = LoadReport(sources=[source], rows_read=raw.num_rows,
                        crs="" if crs is None else crs.to_string())
    x, y, code = coordinate_reasons(raw["x"], raw["y"], output_crs=crs, source=source)
    month = _months(raw["month"])
    code[(np.isnat(month)) & (code == 0)] = _CODE[DROP_BAD_DATE]
    category = pc.utf8_trim_whitespace(raw["category"])
    blank = pc.equal(category, "").to_numpy(zero_copy_only=False)
    code[blank & (code == 0)] = _CODE[DROP_NO_CATEGORY]
    keep = code == 0
    counts = np.bincount(code, minlength=len(DROP_ORDER) + 1)
    order = sorted(range(1, len(DROP_ORDER) + 1), key=lambda c: -counts[c])
    report.dropped = {DROP_ORDER[c - 1]: int(counts[c]) for c in order if counts[c]}
    mask = pa.array(keep)
    columns: dict[str, Any] = {}
    for column in CRIME_COLUMNS:
        if column in STRING_COLUMNS:
            text = category if column == "category" else pc.utf8_trim_whitespace(raw[column])
            columns[column] = pc.filter(text, mask)
        elif column == "month":
            columns[column] = pa.array(month[keep], pa.timestamp("ns"))
        elif column == "date":
            columns[column] = pa.nulls(int(keep.sum()), pa.timestamp("ns"))
        else:
            columns[column] = pa.array(np.ones(int(keep.sum())))
    columns["x"], columns["y"] = pa.array(x[keep]), pa.array(y[keep])
    table = pa.table(columns, schema=TABLE_SCHEMA)
    report.rows_kept = table.num_rows
    note_repeated_headers(report, n_header, source=source,
                          why=" (files concatenated with their headers?)")
    return table, report


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
    report.crs = choice.crs.to_string()
    table = table.set_column(table.schema.get_field_index("x"), "x", pa.array(x))
    table = table.set_column(table.schema.get_field_index("y"), "y", pa.array(y))
    if n_out:
        reason = DROP_OUTSIDE_UK if choice.crs == BNG else DROP_OUT_OF_RANGE
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
    out.months = sorted(pd.DatetimeIndex(months.to_numpy(zero_copy_only=False))
                        .strftime("%Y-%m").tolist())
    counts = pc.value_counts(table["category"]).to_pylist()
    ordered = sorted(counts, key=lambda c: -c["counts"])
    out.categories = {str(c["values"]): int(c["counts"]) for c in ordered}
    unknown = {k: v for k, v in out.categories.items() if k not in POLICE_UK_CATEGORIES}
    if unknown:
        listed = ", ".join(f"{k!r} ({v:,})" for k, v in list(unknown.items())[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        out.notes.append(
            f"{sum(unknown.values()):,} rows have a category that is not one of the 14 "
            f"police.uk crime types ({UNKNOWN_CATEGORY}); they are kept: {listed}{more}. "
            "Crime groups match categories by exact name."
        )
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
        reason = f"{crs.to_string()}, as asked"
    report = LoadReport(crs=crs.to_string(), notes=notes).merge(file_report)
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
                                 "crs": crs.to_json_dict(), "bbox": bbox}},
    }
    out = table.append_column("geometry", _wkb_points(x, y))
    return out.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
