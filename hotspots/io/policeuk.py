"""The police.uk street-level crime CSV (data.police.uk downloads and monthly archives).

The file has 12 columns: ``Crime ID, Month, Reported by, Falls within, Longitude, Latitude,
Location, LSOA code, LSOA name, Crime type, Last outcome category, Context`` (``Context``
is optional here). Rows are read as text straight from the (gzip or zip member) stream and
mapped to the canonical crime table:

============================  ==========================================
police.uk column              canonical column
============================  ==========================================
Crime ID                      ``crime_id`` (blank for anti-social behaviour)
Month                         ``month`` (first day of the month)
Reported by                   ``force`` (the force that recorded the crime)
Longitude, Latitude           ``geometry`` (WGS84, projected on load)
Location                      ``location`` ("On or near ...")
LSOA code, LSOA name          ``lsoa_code``, ``lsoa_name``
Crime type                    ``category``
Last outcome category         ``outcome``
============================  ==========================================

``Falls within`` and ``Context`` are not kept. Rows without coordinates (``Location`` =
"No Location") are dropped and counted; repeated header lines are removed and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np
import pyarrow as pa
from pyproj import CRS

from hotspots.errors import EmptyFileError
from hotspots.errors import InputFileError
from hotspots.io.clean import WGS84
from hotspots.io.clean import add_structure
from hotspots.io.clean import check_rows
from hotspots.io.clean import drop_repeated_headers
from hotspots.io.clean import keep_rows
from hotspots.io.clean import note_repeated_headers
from hotspots.io.clean import repeated_header_rows
from hotspots.io.clean import tidy_table
from hotspots.io.coords import check_whole_file
from hotspots.io.coords import numeric_coordinates
from hotspots.io.report import DROP_NON_NUMERIC
from hotspots.io.report import DROP_OTHER_CRS
from hotspots.io.report import DROP_OUT_OF_RANGE
from hotspots.io.report import DROP_OUTSIDE_UK
from hotspots.io.report import DROP_ZERO_COORDINATES
from hotspots.io.report import LoadReport
from hotspots.io.textcsv import CsvReader
from hotspots.io.textcsv import CsvTable
from hotspots.io.textcsv import column_text
from hotspots.io.textcsv import joined_text

__all__ = [
    "POOL_ROWS",
    "PoliceUkPool",
    "check_policeuk",
    "read_policeuk_table",
    "POLICE_UK_CANONICAL",
    "POLICE_UK_COLUMNS",
    "POLICE_UK_REQUIRED",
    "is_policeuk_header",
    "policeuk_delimiter",
    "POLICE_UK_DELIMITERS",
    "read_policeuk",
]

#: The columns of a police.uk street-level CSV, in file order, and the canonical column each
#: becomes (``x``/``y`` hold the coordinate text; ``""``: not kept).
POLICE_UK_CANONICAL: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "force",
    "Falls within": "",
    "Longitude": "x",
    "Latitude": "y",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "category",
    "Last outcome category": "outcome",
    "Context": "",
}
#: The columns of a police.uk street-level CSV, in file order.
POLICE_UK_COLUMNS: tuple[str, ...] = tuple(POLICE_UK_CANONICAL)
#: The columns a file must have to be read as police.uk (``Context`` is optional).
POLICE_UK_REQUIRED: tuple[str, ...] = POLICE_UK_COLUMNS[:-1]

#: Rows of small police.uk files gathered before their rows are checked together: their
#: text (11 short Python strings a row, some 60 MB at this size) is held once at a time,
#: and the fixed cost of checking a frame (a few milliseconds) is paid once per pool.
POOL_ROWS = 100_000

_RENAME = {column: canonical for column, canonical in POLICE_UK_CANONICAL.items() if canonical}


#: Separators a police.uk file may come with: police.uk's own comma, then the tab of a
#: spreadsheet's "Unicode text" export (UTF-16, tab-separated) and the semicolon of a CSV
#: export in a European locale. A police.uk column name holds none of them.
POLICE_UK_DELIMITERS = (",", "\t", ";")


def policeuk_delimiter(columns: list[str] | tuple[str, ...]) -> str | None:
    """The separator of a police.uk header read as comma-separated ``columns``, else None.

    Examples
    --------
    >>> policeuk_delimiter(list(POLICE_UK_COLUMNS))
    ','
    >>> policeuk_delimiter([";".join(POLICE_UK_COLUMNS)])
    ';'
    >>> policeuk_delimiter(["month", "longitude", "latitude"]) is None
    True
    """
    for delimiter in POLICE_UK_DELIMITERS:
        names = columns if delimiter == "," else "".join(columns).split(delimiter)
        found = {c.strip().strip('"').lstrip("\ufeff") for c in names}
        if set(POLICE_UK_REQUIRED) <= found:
            return delimiter
    return None


def is_policeuk_header(columns: list[str] | tuple[str, ...]) -> bool:
    """Return True if ``columns`` (a header row) is a police.uk street-level header.

    The header may use any of :data:`POLICE_UK_DELIMITERS` (see :func:`policeuk_delimiter`).

    Examples
    --------
    >>> is_policeuk_header(list(POLICE_UK_COLUMNS))
    True
    >>> is_policeuk_header(["month", "longitude", "latitude"])
    False
    """
    return policeuk_delimiter(columns) is not None


def read_policeuk_table(reader: CsvReader, *, source: str, delimiter: str = ",") -> CsvTable:
    """The text of the police.uk columns of the file whose header ``reader`` has read.

    A police.uk field never holds a line break, so each line is one row (a stray quote
    costs one row, not the rest of the file). Raises :class:`EmptyFileError` when the file
    has a header and no data row.
    """
    table = reader.read(_RENAME, delimiter=delimiter, multiline=False)
    if table.rows_read == 0:
        raise EmptyFileError(f"No crimes in {source}: the file has a header but no data rows "
                             "(an incomplete download or export?). Remove it from the inputs "
                             "or export it again.")
    return table


def read_policeuk(
    reader: CsvReader, *, source: str, crs: CRS | None
) -> tuple[pa.Table, LoadReport]:
    """Read the rows of a police.uk street CSV whose header ``reader`` has read.

    Returns checked rows and their report. The Arrow table has the canonical columns except
    ``geometry``, plus projected ``x`` and ``y`` in ``crs`` (left in lon/lat when ``crs``
    is None); :func:`hotspots.io.load_crimes` assembles the table.
    """
    return check_policeuk(read_policeuk_table(reader, source=source), source=source, crs=crs)


def _raw(tables: list[CsvTable]) -> pa.Table:
    """The raw table (canonical names, Arrow text) of one or more police.uk files' text."""
    return pa.table({canonical: joined_text(column_text(tables, name))
                     for name, canonical in _RENAME.items()})


def check_policeuk(
    table: CsvTable, *, source: str, crs: CRS | None
) -> tuple[pa.Table, LoadReport]:
    """Check the rows of one police.uk file read by :func:`read_policeuk_table`.

    Returns the rows kept as an Arrow table (see :func:`hotspots.io.clean.keep_rows`) and
    the file's report; the one row check of ``load_crimes`` and the store.
    """
    raw, n_header = drop_repeated_headers(_raw([table]), _HEADER_TEXT, source=source,
                                          table=table)
    out, report = tidy_table(raw, source=source, input_crs=WGS84, output_crs=crs, **_NAMES)
    note_repeated_headers(report, n_header, source=source, why=_WHY_HEADERS)
    add_structure(report, table)
    return out, report


_HEADER_TEXT = {"month": "Month", "category": "Crime type"}
_NAMES = {"x_name": "Longitude", "y_name": "Latitude", "fix": " in the file"}
_WHY_HEADERS = " (files concatenated with their headers?)"
#: Drop reasons that, when they take every row of a pooled file, may hide a fault of the
#: whole file (swapped columns, another CRS): such a file is checked again on its own.
_WHOLE_FILE_REASONS = (DROP_NON_NUMERIC, DROP_OUTSIDE_UK, DROP_OTHER_CRS, DROP_OUT_OF_RANGE,
                       DROP_ZERO_COORDINATES)


@dataclass
class PoliceUkPool:
    """Small police.uk files gathered and checked together: time grows with rows, not files.

    A police.uk archive holds one file per force and month (1,600 to 4,800 of them), many
    with a few rows; checking each as its own frame costs milliseconds of fixed pandas work
    per file. The pool reads each file's text (:func:`read_policeuk_table`), then checks up
    to :data:`POOL_ROWS` rows at once with the same row checks as one file
    (:func:`hotspots.io.clean.check_rows`). Notes and structural drops still name each
    file. Checks that judge a file as a whole (swapped columns, another CRS) run on the
    pool; if they refuse it, every file is checked on its own, and so is any file none of
    whose rows was kept for a coordinate reason, so a broken file is skipped with its own
    message exactly as when read alone.

    Examples
    --------
    >>> import io
    >>> head = ",".join(POLICE_UK_COLUMNS) + "\\n"
    >>> rows = ["a,2022-01,F,F,-1.55,53.80,On or near A,E01,L,Burglary,,\\n",
    ...         "b,2022-02,F,F,-1.54,53.81,On or near B,E01,L,Robbery,,\\n"]
    >>> pool = PoliceUkPool(crs=None)
    >>> for k, text in enumerate(rows):
    ...     reader = CsvReader(io.BytesIO((head + text).encode()), source=f"f{k}.csv")
    ...     pool.add(k, f"f{k}.csv", read_policeuk_table(reader, source=f"f{k}.csv"))
    >>> done, failed = pool.drain()
    >>> [(keys, len(frame), report.sources) for keys, frame, report in done], failed
    ([([0, 1], 2, ['f0.csv', 'f1.csv'])], [])
    """

    crs: CRS | None
    parts: list[tuple[Any, str, CsvTable]] = field(default_factory=list)
    rows: int = 0

    def add(self, key: Any, label: str, table: CsvTable) -> None:
        """Add a file's text (``key`` comes back with its result, ``label`` names it)."""
        self.parts.append((key, label, table))
        self.rows += table.rows_kept

    @property
    def full(self) -> bool:
        """True once the pool holds :data:`POOL_ROWS` rows: drain it."""
        return self.rows >= POOL_ROWS

    def drain(self) -> tuple[list[tuple[list[Any], pa.Table, LoadReport]],
                             list[tuple[Any, InputFileError]]]:
        """Check the files pooled and empty the pool.

        Returns ``(done, failed)``: ``done`` holds (keys of the files, rows kept, report),
        ``failed`` (key, error) for each file refused as a whole.
        """
        parts, self.parts, self.rows = self.parts, [], 0
        if len(parts) <= 1:
            return self._alone(parts)
        return self._pooled(parts)

    def _alone(self, parts: list[tuple[Any, str, CsvTable]]) -> tuple[list, list]:
        done, failed = [], []
        for key, label, table in parts:
            try:
                out, report = check_policeuk(table, source=label, crs=self.crs)
            except InputFileError as exc:
                failed.append((key, exc))
            else:
                done.append(([key], out, report))
        return done, failed

    def _pooled(self, parts: list[tuple[Any, str, CsvTable]]) -> tuple[list, list]:
        tables = [table for _, _, table in parts]
        labels = [label for _, label, _ in parts]
        raw = _raw(tables)
        member = np.repeat(np.arange(len(parts)), [t.rows_kept for t in tables])
        repeated = repeated_header_rows(raw, _HEADER_TEXT)
        n_header = np.bincount(member[repeated], minlength=len(parts))
        if repeated.any():
            raw, member = raw.filter(pa.array(~repeated)), member[~repeated]
        source = f"{len(parts):,} files ({labels[0]} to {labels[-1]})"
        try:
            checked = check_rows(raw, source=source, input_crs=WGS84, output_crs=self.crs,
                                 **_NAMES)
        except InputFileError:  # a file is wrong as a whole: find which, one by one
            return self._alone(parts)
        reason = checked.reason
        kept = np.bincount(member[reason == ""], minlength=len(parts))
        whole = np.bincount(member[np.isin(reason, _WHOLE_FILE_REASONS)], minlength=len(parts))
        rows_left = np.bincount(member, minlength=len(parts))
        broken = np.array([t.rows_read - t.rows_kept for t in tables])
        # Read again alone: files that may be wrong as a whole, and files of header lines only.
        again = ((kept == 0) & (whole > 0)) | ((rows_left == 0) & (broken == 0))
        again |= _wrong_as_a_whole(raw, member, labels, crs=self.crs)
        pooled = np.flatnonzero(~again)
        out, report = keep_rows(raw, checked, sources=[labels[k] for k in pooled],
                                output_crs=self.crs, rows=~again[member])
        for k in pooled:
            note_repeated_headers(report, int(n_header[k]), source=labels[k], why=_WHY_HEADERS)
            add_structure(report, tables[k])
        report.header_lines = int(n_header[~again].sum())
        done, failed = self._alone([parts[k] for k in np.flatnonzero(again)])
        return [([parts[k][0] for k in pooled], out, report), *done], failed


def _wrong_as_a_whole(raw: pa.Table, member: np.ndarray, labels: list[str], *,
                      crs: CRS | None) -> np.ndarray:
    """Which pooled files fail the whole-file coordinate checks when judged on their own."""
    x, y = numeric_coordinates(raw["x"], raw["y"])
    numeric = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    bounds = np.searchsorted(member, np.arange(len(labels) + 1))
    wrong = np.zeros(len(labels), dtype=bool)
    for k, label in enumerate(labels):
        rows = slice(bounds[k], bounds[k + 1])
        use = numeric[rows]
        if not use.any():
            continue
        try:
            check_whole_file(x[rows][use], y[rows][use], input_crs=WGS84, output_crs=crs,
                             source=label, **_NAMES)
        except InputFileError:
            wrong[k] = True
    return wrong
