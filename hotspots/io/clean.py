"""Steps shared by the loaders: a read CSV to a raw frame, and checking every row.

Each loader reads one file with :class:`hotspots.io.textcsv.CsvReader` (which drops rows
whose structure is broken), turns the columns into a *raw* frame of text columns named as
the canonical table (``x`` and ``y`` hold the coordinate text) with
:func:`drop_repeated_headers`, then calls :func:`tidy`, which checks every row over whole
columns (:func:`hotspots.io.coords.clean_coordinates`, :func:`hotspots.io.dates.parse_months`,
:func:`hotspots.io.dates.parse_dates`), drops the bad ones with a reason, projects the
coordinates and returns a frame ready to concatenate plus a :class:`LoadReport` for that
file. :func:`add_structure` adds the reader's own drops to that report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import CRS

from hotspots.errors import EmptyFileError
from hotspots.io.coords import BNG
from hotspots.io.coords import WGS84
from hotspots.io.coords import clean_coordinates
from hotspots.io.dates import parse_dates
from hotspots.io.dates import parse_months
from hotspots.io.dates import year_range
from hotspots.io.report import DROP_BAD_DATE
from hotspots.io.report import DROP_MONTH_OUT_OF_RANGE
from hotspots.io.report import DROP_NO_CATEGORY
from hotspots.io.report import REPEATED_HEADER
from hotspots.io.report import LoadReport
from hotspots.io.textcsv import CsvTable
from hotspots.schema import STRING_COLUMNS

__all__ = [
    "WGS84",
    "BNG",
    "drop_repeated_headers",
    "note_repeated_headers",
    "add_structure",
    "tidy",
    "check_rows",
    "keep_rows",
    "CheckedRows",
    "repeated_header_rows",
]


def drop_repeated_headers(
    raw: pd.DataFrame, header: Mapping[str, str], *, source: str, table: CsvTable | None = None,
) -> tuple[pd.DataFrame, int]:
    """``raw`` without the rows that repeat its header, and how many there were.

    ``header`` maps columns of ``raw`` to their header text; a row holding all of them is a
    header line left inside the data (files concatenated with their headers). Raises
    :class:`EmptyFileError` when the file has no data row at all (rows the reader dropped,
    counted in ``table``, are data rows).
    """
    repeated = repeated_header_rows(raw, header)
    n_header = int(repeated.sum())
    if n_header:
        raw = raw.loc[~repeated].reset_index(drop=True)
    broken = 0 if table is None else table.rows_read - table.rows_kept
    if len(raw) == 0 and broken == 0:
        raise EmptyFileError(f"No crimes in {source}: the file has a header but no data rows "
                             "(an incomplete download or export?). Remove it from the inputs "
                             "or export it again.")
    return raw, n_header


def repeated_header_rows(raw: pd.DataFrame, header: Mapping[str, str]) -> np.ndarray:
    """Which rows of ``raw`` repeat its header (``header`` maps columns to header text).

    Examples
    --------
    >>> raw = pd.DataFrame({"month": ["2022-01", "Month"], "category": ["Robbery", "Crime type"]})
    >>> repeated_header_rows(raw, {"month": "Month", "category": "Crime type"}).tolist()
    [False, True]
    """
    repeated = np.ones(len(raw), dtype=bool)
    for column, text in header.items():
        repeated &= (raw[column].str.strip() == text).to_numpy(dtype=bool, na_value=False)
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
    raw: pd.DataFrame,
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
    notes: list[str] = []
    x, y, reason = clean_coordinates(
        raw["x"], raw["y"], input_crs=input_crs, output_crs=output_crs, source=source,
        x_name=x_name, y_name=y_name, fix=fix,
    )
    date = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    far = np.zeros(len(raw), dtype=bool)
    used: dict[str, int] = {}
    if "date" in raw:
        date, used, far = parse_dates(raw["date"], fmt=date_format)
        if date_format is not None:
            used = {}
    if "month" in raw:
        month, far_month = parse_months(raw["month"], fmt=month_format)
        if "date" in raw:
            unread = date.isna() & ~far & (raw["date"].str.strip() != "")
            if unread.any():
                notes.append(
                    f"{source}: {int(unread.sum()):,} dates could not be read and were left "
                    "blank; the month column was used."
                )
        far = far_month
    else:
        month = date.dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    far_rows = far & (reason == "")
    reason[far_rows] = DROP_MONTH_OUT_OF_RANGE
    bad_month = (month.isna().to_numpy()) & (reason == "")
    reason[bad_month] = DROP_BAD_DATE
    no_category = (raw["category"].str.strip() == "").to_numpy(dtype=bool, na_value=True) & (
        reason == "")
    reason[no_category] = DROP_NO_CATEGORY
    notes.extend(_month_notes(source, used, int(far_rows.sum())))
    return CheckedRows(x=x, y=y, month=month.to_numpy(), date=date.to_numpy(), reason=reason,
                       notes=notes)


def keep_rows(
    raw: pd.DataFrame, checked: CheckedRows, *, sources: list[str], output_crs: CRS | None,
    rows: np.ndarray | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """The rows :func:`check_rows` kept, ready to concatenate, and their report.

    ``rows`` (boolean, optional) limits the rows accounted for (read, kept or dropped) to
    those marked; the others are left out entirely (a pooled file read again on its own).
    """
    reason = checked.reason if rows is None else np.where(rows, checked.reason, "-")
    counted = reason != "-"
    keep = reason == ""
    report = LoadReport(sources=list(sources), rows_read=int(counted.sum()),
                        crs="" if output_crs is None else output_crs.to_string(),
                        notes=list(checked.notes))
    counts = pd.Series(reason[counted & ~keep]).value_counts()
    report.dropped = {str(k): int(v) for k, v in counts.items()}
    n_kept = int(keep.sum())
    out = pd.DataFrame(index=pd.RangeIndex(n_kept))
    for col in STRING_COLUMNS:
        if col in raw:
            out[col] = raw[col][keep].astype("str").str.strip().array
        else:
            out[col] = pd.Series("", index=out.index, dtype="str")
    out["month"] = checked.month[keep]
    out["date"] = checked.date[keep]
    out["weight"] = raw["weight"].to_numpy(dtype=float)[keep] if "weight" in raw else 1.0
    for col in raw.columns:
        if col not in out and col not in ("x", "y"):
            out[col] = raw[col][keep].array
    out["x"] = checked.x[keep]
    out["y"] = checked.y[keep]
    report.rows_kept = len(out)
    return out, report


def tidy(
    raw: pd.DataFrame,
    *,
    source: str,
    input_crs: CRS,
    output_crs: CRS | None,
    x_name: str,
    y_name: str,
    fix: str,
    month_format: str | None = None,
    date_format: str | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Check every row of a raw frame; return kept rows (with ``x``, ``y``) and a report.

    ``raw`` has text columns ``x``, ``y``, ``month`` and/or ``date``, the canonical string
    columns, and optionally ``weight`` (float) and extra columns kept as they are.
    """
    checked = check_rows(raw, source=source, input_crs=input_crs, output_crs=output_crs,
                         x_name=x_name, y_name=y_name, fix=fix, month_format=month_format,
                         date_format=date_format)
    return keep_rows(raw, checked, sources=[source], output_crs=output_crs)
