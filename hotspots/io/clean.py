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
    repeated = np.ones(len(raw), dtype=bool)
    for column, text in header.items():
        repeated &= (raw[column].str.strip() == text).to_numpy(dtype=bool, na_value=False)
    n_header = int(repeated.sum())
    if n_header:
        raw = raw.loc[~repeated].reset_index(drop=True)
    broken = 0 if table is None else table.rows_read - table.rows_kept
    if len(raw) == 0 and broken == 0:
        raise EmptyFileError(f"No crimes in {source}: the file has a header but no data rows.")
    return raw, n_header


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
    report = LoadReport(sources=[source], rows_read=len(raw),
                        crs="" if output_crs is None else output_crs.to_string())
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
                report.notes.append(
                    f"{source}: {int(unread.sum()):,} dates could not be read and were left "
                    "blank; the month column was used."
                )
            far = far_month
        else:
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
    report.notes.extend(_month_notes(source, used, int(far_rows.sum())))

    keep = reason == ""
    counts = pd.Series(reason[~keep]).value_counts()
    report.dropped = {str(k): int(v) for k, v in counts.items()}
    n_kept = int(keep.sum())
    out = pd.DataFrame(index=pd.RangeIndex(n_kept))
    for col in STRING_COLUMNS:
        if col in raw:
            out[col] = raw[col][keep].astype("str").str.strip().array
        else:
            out[col] = pd.Series("", index=out.index, dtype="str")
    out["month"] = month.to_numpy()[keep]
    out["date"] = date.to_numpy()[keep]
    out["weight"] = raw["weight"].to_numpy(dtype=float)[keep] if "weight" in raw else 1.0
    for col in raw.columns:
        if col not in out and col not in ("x", "y"):
            out[col] = raw[col][keep].array
    out["x"] = x[keep]
    out["y"] = y[keep]
    report.rows_kept = len(out)
    return out, report
