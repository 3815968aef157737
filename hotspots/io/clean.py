"""Steps shared by the loaders: a read CSV to a raw table, and checking every row.

Each loader reads one file with :class:`hotspots.io.textcsv.CsvReader` (which drops rows
whose structure is broken), or pyarrow's parser (:mod:`hotspots.io.columnar`), and hands
the text as a *raw* Arrow table whose columns are named as the canonical table (``x`` and
``y`` hold the coordinate text) to :func:`drop_repeated_headers`, then
:func:`check_rows` and :func:`keep_rows` (or :func:`tidy`, both at once, for a pandas
frame). These check every row over whole Arrow columns with ``pyarrow.compute`` and numpy
(:func:`hotspots.io.coords.clean_coordinates`, :func:`hotspots.io.dates.parse_months`,
:func:`hotspots.io.dates.parse_dates`), drop the bad ones with a reason, project the
coordinates and return an Arrow table ready to concatenate plus a :class:`LoadReport` for
that file. :func:`add_structure` adds the reader's own drops to that report. Text is
compared as pandas compares it (``str.strip()`` is ``utf8_trim_whitespace``; a missing
value equals no text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import CRS

from hotspots.errors import EmptyFileError
from hotspots.io.coords import BNG
from hotspots.io.coords import WGS84
from hotspots.io.coords import clean_coordinates
from hotspots.io.coords import crs_text
from hotspots.io.dates import month_values
from hotspots.io.dates import parse_dates
from hotspots.io.dates import parse_months
from hotspots.io.dates import year_range
from hotspots.io.report import DROP_BAD_DATE
from hotspots.io.report import DROP_MONTH_OUT_OF_RANGE
from hotspots.io.report import DROP_NO_CATEGORY
from hotspots.io.report import REPEATED_HEADER
from hotspots.io.report import LoadReport
from hotspots.io.textcsv import CsvTable
from hotspots.io.textcsv import TextColumn
from hotspots.io.textcsv import strip_text
from hotspots.io.textcsv import text_array
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import STRING_COLUMNS

__all__ = [
    "WGS84",
    "BNG",
    "drop_repeated_headers",
    "note_repeated_headers",
    "add_structure",
    "tidy",
    "tidy_table",
    "raw_table",
    "text_equals",
    "check_rows",
    "keep_rows",
    "CheckedRows",
    "repeated_header_rows",
]


def raw_table(raw: pa.Table | pd.DataFrame | Mapping[str, TextColumn]) -> pa.Table:
    """A raw table as Arrow: a pandas frame or a dict of columns is converted (text kept).

    Examples
    --------
    >>> raw_table(pd.DataFrame({"x": ["1"], "weight": [2.0]})).schema.types
    [DataType(large_string), DataType(double)]
    """
    if isinstance(raw, pa.Table):
        return raw
    if isinstance(raw, pd.DataFrame):
        return pa.Table.from_pandas(raw, preserve_index=False).replace_schema_metadata(None)
    return pa.table({name: text_array(values) if not isinstance(values, np.ndarray)
                     else pa.array(values) for name, values in raw.items()})


def text_equals(values: TextColumn, text: str) -> np.ndarray:
    """Where stripped ``values`` equal ``text`` (a missing value equals nothing).

    As pandas compares its text (``series.str.strip() == text``), on Arrow columns.

    Examples
    --------
    >>> text_equals(pa.array([" Month ", "2022-01", None]), "Month").tolist()
    [True, False, False]
    """
    column = text_array(values)
    if len(column) == 0:
        return np.zeros(0, dtype=bool)
    same = pc.fill_null(pc.equal(strip_text(column), text), False)
    return same.to_numpy(zero_copy_only=False)


def drop_repeated_headers(
    raw: pa.Table, header: Mapping[str, str], *, source: str, table: CsvTable | None = None,
) -> tuple[pa.Table, int]:
    """``raw`` without the rows that repeat its header, and how many there were.

    ``header`` maps columns of ``raw`` to their header text; a row holding all of them is a
    header line left inside the data (files concatenated with their headers). Raises
    :class:`EmptyFileError` when the file has no data row at all (rows the reader dropped,
    counted in ``table``, are data rows).
    """
    raw = raw_table(raw)
    repeated = repeated_header_rows(raw, header)
    n_header = int(repeated.sum())
    if n_header:
        raw = raw.filter(pa.array(~repeated))
    broken = 0 if table is None else table.rows_read - table.rows_kept
    if raw.num_rows == 0 and broken == 0:
        raise EmptyFileError(f"No crimes in {source}: the file has a header but no data rows "
                             "(an incomplete download or export?). Remove it from the inputs "
                             "or export it again.")
    return raw, n_header


def repeated_header_rows(raw: pa.Table, header: Mapping[str, str]) -> np.ndarray:
    """Which rows of ``raw`` repeat its header (``header`` maps columns to header text).

    Examples
    --------
    >>> raw = pa.table({"month": ["2022-01", "Month"], "category": ["Robbery", "Crime type"]})
    >>> repeated_header_rows(raw, {"month": "Month", "category": "Crime type"}).tolist()
    [False, True]
    """
    repeated = np.ones(raw.num_rows, dtype=bool)
    for column, text in header.items():
        if not repeated.any():
            break
        repeated &= text_equals(raw[column], text)
    return repeated


def note_repeated_headers(report: LoadReport, n_header: int, *, source: str,
                          why: str = "") -> None:
    """Count and name in ``report`` the header lines :func:`drop_repeated_headers` removed.

    Header lines are not data rows: they leave ``rows_read`` (see :mod:`hotspots.io.report`).
    """
    if n_header:
        report.header_lines = n_header
        report.notes.append(f"{source}: removed {n_header:,} {REPEATED_HEADER}(s) inside the "
                            f"data{why}.")


def add_structure(report: LoadReport, table: CsvTable) -> None:
    """Add the rows the CSV reader dropped (and its notes) to a file's ``report``."""
    for reason, count in table.dropped.items():
        report.dropped[reason] = report.dropped.get(reason, 0) + count
        report.rows_read += count
    report.notes.extend(table.notes)


def _month_notes(source: str, used: dict[str, int], n_far: int) -> list[str]:
    notes = []
    if len(used) == 1:
        notes.append(f"{source}: dates read with format {next(iter(used))!r}.")
    elif used:
        listed = ", ".join(f"{fmt!r} ({n:,})" for fmt, n in used.items())
        notes.append(f"{source}: dates read with several formats: {listed}.")
    if n_far:
        first, last = year_range()
        notes.append(f"{source}: {n_far:,} row(s) have a month or date before {first} or after "
                     f"{last} ({DROP_MONTH_OUT_OF_RANGE}); they were dropped.")
    return notes


@dataclass
class CheckedRows:
    """Every row of a raw frame checked: values read, and why each row is dropped.

    ``reason`` is ``""`` for a row kept, else one of the ``DROP_*`` reasons of
    :mod:`hotspots.io.report`; ``x``/``y`` are projected (or left in the input CRS),
    ``month``/``date`` are ``datetime64[ns]``; ``notes`` name the source.
    """

    x: np.ndarray
    y: np.ndarray
    month: np.ndarray
    date: np.ndarray
    reason: np.ndarray
    notes: list[str]


def check_rows(
    raw: pa.Table | pd.DataFrame,
    *,
    source: str,
    input_crs: CRS,
    output_crs: CRS | None,
    x_name: str,
    y_name: str,
    fix: str,
    month_format: str | None = None,
    date_format: str | None = None,
) -> CheckedRows:
    """Check every row of a raw frame over whole columns (see :func:`tidy`).

    Raises :class:`~hotspots.errors.InputFileError` when the coordinates are wrong as a
    whole (:func:`hotspots.io.coords.clean_coordinates`).
    """
    raw = raw_table(raw)
    names = raw.column_names
    notes: list[str] = []
    x, y, reason = clean_coordinates(
        raw["x"], raw["y"], input_crs=input_crs, output_crs=output_crs, source=source,
        x_name=x_name, y_name=y_name, fix=fix,
    )
    n = raw.num_rows
    date = np.full(n, np.datetime64("NaT", "ns"))
    far = np.zeros(n, dtype=bool)
    used: dict[str, int] = {}
    if "date" in names:
        dates, used, far = parse_dates(raw["date"], fmt=date_format)
        date = dates.to_numpy(dtype="datetime64[ns]")
        if date_format is not None:
            used = {}
    if "month" in names:
        if month_format is None:
            month, far_month = month_values(raw["month"])
        else:
            months, far_month = parse_months(raw["month"], fmt=month_format)
            month = months.to_numpy(dtype="datetime64[ns]")
        if "date" in names:
            unread = np.isnat(date) & ~far & ~text_equals(raw["date"], "")
            if unread.any():
                notes.append(
                    f"{source}: {int(unread.sum()):,} dates could not be read and were left "
                    "blank; the month column was used."
                )
        far = far_month
    else:
        month = (pd.Series(date).dt.to_period("M").dt.start_time
                 .to_numpy(dtype="datetime64[ns]"))
    free = reason == ""
    far_rows = far & free
    reason[far_rows] = DROP_MONTH_OUT_OF_RANGE
    free &= ~far_rows
    bad_month = np.isnat(month) & free
    reason[bad_month] = DROP_BAD_DATE
    free &= ~bad_month
    no_category = text_equals(raw["category"], "") & free
    reason[no_category] = DROP_NO_CATEGORY
    notes.extend(_month_notes(source, used, int(far_rows.sum())))
    return CheckedRows(x=x, y=y, month=month, date=date, reason=reason, notes=notes)


def keep_rows(
    raw: pa.Table | pd.DataFrame, checked: CheckedRows, *, sources: list[str],
    output_crs: CRS | None, rows: np.ndarray | None = None,
) -> tuple[pa.Table, LoadReport]:
    """The rows :func:`check_rows` kept, as an Arrow table ready to concatenate, and their report.

    The table has the canonical columns but ``geometry`` (text stripped, ``""`` for a
    column ``raw`` lacks; ``weight`` 1.0 unless given), the extra columns of ``raw`` as
    they are, then ``x`` and ``y``. ``rows`` (boolean, optional) limits the rows accounted
    for (read, kept or dropped) to those marked; the others are left out entirely (a pooled
    file read again on its own).
    """
    raw = raw_table(raw)
    names = raw.column_names
    reason = checked.reason if rows is None else np.where(rows, checked.reason, "-")
    keep = reason == ""
    counted = ~keep & (reason != "-")
    report = LoadReport(sources=list(sources),
                        rows_read=int(keep.sum() + counted.sum()),
                        crs="" if output_crs is None else crs_text(output_crs),
                        notes=list(checked.notes))
    if counted.any():
        counts = pd.Series(reason[counted]).value_counts()
        report.dropped = {str(k): int(v) for k, v in counts.items()}
    n_kept = int(keep.sum())
    mask = pa.array(keep)
    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for col in CRIME_COLUMNS:
        if col in STRING_COLUMNS:
            columns[col] = (_stripped_text(raw[col].filter(mask)) if col in names
                            else pa.repeat(pa.scalar("", pa.string()), n_kept))
        elif col in ("month", "date"):
            values = checked.month if col == "month" else checked.date
            columns[col] = pa.array(values[keep], pa.timestamp("ns"))
        elif col == "weight":
            columns[col] = (pc.cast(raw["weight"], pa.float64()).filter(mask) if col in names
                            else pa.array(np.ones(n_kept)))
    for col in names:
        if col not in columns and col not in ("x", "y"):
            columns[col] = raw[col].filter(mask)
    columns["x"] = pa.array(checked.x[keep])
    columns["y"] = pa.array(checked.y[keep])
    report.rows_kept = n_kept
    return pa.table(columns), report


def _stripped_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Kept text, stripped, as ``string`` (what the store and ``load_crimes`` hold)."""
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())  # a constant given as a number, say
    return pc.cast(strip_text(values), pa.string())


def tidy_table(
    raw: pa.Table | pd.DataFrame,
    *,
    source: str,
    input_crs: CRS,
    output_crs: CRS | None,
    x_name: str,
    y_name: str,
    fix: str,
    month_format: str | None = None,
    date_format: str | None = None,
) -> tuple[pa.Table, LoadReport]:
    """Check every row of a raw table; return kept rows (Arrow, with ``x``, ``y``) and a report.

    ``raw`` has text columns ``x``, ``y``, ``month`` and/or ``date``, the canonical string
    columns, and optionally ``weight`` (float) and extra columns kept as they are.
    """
    checked = check_rows(raw, source=source, input_crs=input_crs, output_crs=output_crs,
                         x_name=x_name, y_name=y_name, fix=fix, month_format=month_format,
                         date_format=date_format)
    return keep_rows(raw, checked, sources=[source], output_crs=output_crs)


def tidy(raw: pa.Table | pd.DataFrame, **options: Any) -> tuple[pd.DataFrame, LoadReport]:
    """:func:`tidy_table` with the kept rows as a pandas frame (for callers that want one).

    ``options`` are :func:`tidy_table`'s (``source``, ``input_crs``, ``output_crs``, ...).

    Examples
    --------
    >>> raw = pd.DataFrame({"x": ["-1.55", ""], "y": ["53.8", ""], "month": ["2022-01"] * 2,
    ...                     "category": ["Burglary"] * 2})
    >>> out, report = tidy(raw, source="f.csv", input_crs=WGS84, output_crs=None,
    ...                    x_name="x", y_name="y", fix="")
    >>> len(out), report.dropped
    (1, {'no coordinates': 1})
    """
    out, report = tidy_table(raw, **options)
    return out.to_pandas(), report
