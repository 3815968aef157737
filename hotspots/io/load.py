"""``load_crimes``: police.uk files, folders and archives, or mapped CSVs, to one table."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import InputFileError
from hotspots.errors import NotCrimeFileError
from hotspots.io.boundaries import as_boundary_geometry
from hotspots.io.columnar import FAST_PARSE_MIN_BYTES
from hotspots.io.columnar import policeuk_fast_text
from hotspots.io.coords import BNG
from hotspots.io.coords import WGS84
from hotspots.io.coords import crs_text
from hotspots.io.coords import same_crs
from hotspots.io.coords import transformer
from hotspots.io.generic import ColumnMapping
from hotspots.io.generic import check_columns
from hotspots.io.generic import read_generic
from hotspots.io.generic import read_mapping
from hotspots.io.limits import READ_BLOCK_BYTES
from hotspots.io.policeuk import POLICE_UK_REQUIRED
from hotspots.io.policeuk import PoliceUkPool
from hotspots.io.policeuk import policeuk_delimiter
from hotspots.io.policeuk import read_policeuk_table
from hotspots.io.report import DROP_OUT_OF_RANGE
from hotspots.io.report import DROP_OUTSIDE_BOUNDARY
from hotspots.io.report import DROP_OUTSIDE_UK
from hotspots.io.report import LoadReport
from hotspots.io.report import unknown_category_note
from hotspots.io.sources import Entry
from hotspots.io.sources import OpenArchives
from hotspots.io.sources import expand_sources
from hotspots.io.sources import open_entry
from hotspots.io.textcsv import CsvReader
from hotspots.io.textcsv import CsvTable
from hotspots.io.textlines import DEFAULT_ENCODING
from hotspots.progress import Progress
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import POLICE_UK_CATEGORIES
from hotspots.spatial import CRSChoice
from hotspots.spatial import choose_crs
from hotspots.spatial import crs_problem

__all__ = ["load_crimes"]

log = logging.getLogger(__name__)

#: A file up to this size (decompressed) is read whole first: a police.uk file whose parse
#: cannot differ from the validated reader's is then parsed by pyarrow
#: (:func:`hotspots.io.columnar.policeuk_fast_text`, 3 to 5 times faster from a few
#: thousand rows; small files below FAST_PARSE_MIN_BYTES excepted); police.uk's own monthly
#: files are at most ~15 MB. Larger files, and any other file, stream through the validated
#: reader, which never holds more than a block.
FAST_READ_BYTES = 64 << 20


def _target_crs(crs: Any) -> CRS:
    try:
        target = CRS.from_user_input(crs)
    except ProjCRSError:
        raise CRSError(
            f"The 'crs' parameter {crs!r} is not a CRS pyproj knows; use e.g. 'EPSG:27700' "
            "(British National Grid) or a UTM zone such as 'EPSG:32630'."
        ) from None
    problem = crs_problem(target)
    if problem:
        raise CRSError(f"The 'crs' parameter cannot be used: {problem}.")
    if not target.is_projected:
        raise CRSError(
            f"The 'crs' parameter must be a projected CRS in metres, got {crs!r} "
            "(geographic). Use 'EPSG:27700' for GB data."
        )
    unit = target.axis_info[0].unit_name if target.axis_info else ""
    if unit not in ("metre", "meter", "m"):
        raise CRSError(f"The 'crs' parameter {crs!r} measures in {unit!r}, not metres; use a "
                       "metric CRS such as 'EPSG:27700' or a UTM zone.")
    return target


def _read_entry(
    entry: Entry, mapping: ColumnMapping | None, crs: CRS | None, archives: OpenArchives,
) -> tuple[pa.Table, LoadReport, CRS] | CsvTable:
    """Read one entry; raise EmptyFileError / InputFileError / ColumnMappingError.

    Returns the text of a police.uk file (checked later, pooled with others: see
    :class:`~hotspots.io.policeuk.PoliceUkPool`), or for a mapped file the rows, their
    report and the CRS the file's coordinates were given in (the rows are in ``crs``, or
    still in that CRS when ``crs`` is None).
    """
    encoding = mapping.encoding if mapping is not None and mapping.encoding else DEFAULT_ENCODING
    given = mapping is not None and mapping.encoding is not None
    with open_entry(entry, archives) as opened:
        stream: BinaryIO = opened
        if not given:  # a file in the declared encoding is read by the validated reader
            head, whole = _read_head(opened)
            if whole and len(head) >= FAST_PARSE_MIN_BYTES:
                text = policeuk_fast_text(head)
                if text is not None:
                    return text
            stream = _Resumed(head, opened)
        reader = CsvReader(stream, source=entry.label, encoding=encoding, encoding_given=given)
        columns = reader.header()
        delimiter = policeuk_delimiter(columns)
        if delimiter is not None:
            return read_policeuk_table(reader, source=entry.label, delimiter=delimiter)
        if mapping is None:
            shown = ", ".join(repr(c[:40]) for c in columns[:20])
            more = f" and {len(columns) - 20:,} more" if len(columns) > 20 else ""
            raise NotCrimeFileError(
                f"{entry.label} is not a police.uk street-level crime file. Columns found: "
                f"{shown}{more}. Expected the police.uk columns "
                f"{', '.join(POLICE_UK_REQUIRED)} (Context optional). For any other crime CSV, "
                "give a column mapping (--mapping FILE.toml, or mapping= in Python) saying "
                "which columns hold x/y, month or date, and category."
            )
        columns = reader.header(delimiter=mapping.delimiter)
        check_columns(mapping, columns, source=entry.label)
        return (*read_generic(reader, source=entry.label, mapping=mapping, crs=crs),
                CRS.from_user_input(mapping.crs))


def _read_head(stream: BinaryIO) -> tuple[bytes, bool]:
    """The first bytes of ``stream``, and whether they are the whole file.

    Reads up to :data:`FAST_READ_BYTES`, and stops early at a block without a line break (a
    line too long for pyarrow's parse to be used, which the validated reader skips as it
    streams past, never holding it).
    """
    blocks: list[bytes] = []
    total = 0
    while total <= FAST_READ_BYTES:
        block = stream.read(READ_BLOCK_BYTES)
        if not block:
            return b"".join(blocks), True
        blocks.append(block)
        total += len(block)
        if b"\n" not in block and b"\r" not in block:
            break
    return b"".join(blocks), False


class _Resumed:
    """A stream whose first bytes were already read: ``head``, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head, self.stream, self.at = head, stream, 0

    def read(self, size: int = -1) -> bytes:
        if self.at >= len(self.head):
            return self.stream.read(size)
        if size is None or size < 0:
            out, self.at = self.head[self.at:] + self.stream.read(), len(self.head)
            return out
        out = self.head[self.at:self.at + size]
        self.at += len(out)
        return out


def _skip(entry: Entry, exc: InputFileError | ColumnMappingError, skipped: list[str]) -> None:
    """Named by the user: raise the error. Found in a folder or archive: skip it, noted."""
    if entry.explicit:
        raise exc
    skipped.append(f"Skipped {entry.label}: {exc}")


def _drain(pool: PoliceUkPool, read: list[tuple[pa.Table, LoadReport, CRS]],
           skipped: list[str]) -> None:
    """Check the police.uk files pooled so far; add their rows to ``read``."""
    done, failed = pool.drain()
    for entry, exc in failed:
        _skip(entry, exc, skipped)
    for entries, frame, report in done:
        read.append((frame, report, WGS84))
        log.info("read %s file(s) from %s: %d rows kept of %d", len(entries), entries[0].label,
                 report.rows_kept, report.rows_read)


def _xy(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    return table["x"].to_numpy().astype(float), table["y"].to_numpy().astype(float)


def _lonlat(table: pa.Table, source_crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    x, y = _xy(table)
    if same_crs(source_crs, WGS84):
        return x, y
    return transformer(source_crs, WGS84).transform(x, y)


def _project(table: pa.Table, report: LoadReport, source_crs: CRS,
             choice: CRSChoice) -> tuple[pa.Table, LoadReport]:
    """Rows of one file projected to the chosen CRS; rows it does not serve are dropped."""
    lon, lat = _lonlat(table, source_crs)
    keep = choice.covers(np.asarray(lon), np.asarray(lat))
    x, y = transformer(source_crs, choice.crs).transform(*_xy(table), errcheck=False)
    keep &= np.isfinite(x) & np.isfinite(y)
    n_out = int((~keep).sum())
    report.crs = crs_text(choice.crs)
    table = table.set_column(table.column_names.index("x"), "x", pa.array(x, pa.float64()))
    table = table.set_column(table.column_names.index("y"), "y", pa.array(y, pa.float64()))
    if n_out:
        reason = DROP_OUTSIDE_UK if same_crs(choice.crs, BNG) else DROP_OUT_OF_RANGE
        report.dropped[reason] = report.dropped.get(reason, 0) + n_out
        report.rows_kept -= n_out
        table = table.filter(pa.array(keep))
    return table, report


def _choose_and_project(
    read: list[tuple[pa.Table, LoadReport, CRS]],
) -> tuple[list[tuple[pa.Table, LoadReport]], CRSChoice]:
    """Choose one projected CRS for every file read (in their own CRSs), then project."""
    lons, lats = zip(*(_lonlat(table, source) for table, _, source in read), strict=True)
    choice = choose_crs(np.concatenate(lons), np.concatenate(lats))
    return [_project(t, r, source, choice) for t, r, source in read], choice


def _assemble(tables: list[pa.Table], crs: CRS, flags: set[str]) -> gpd.GeoDataFrame:
    """The crime table of the files' checked rows: one Arrow table, made pandas once."""
    joined = (pa.concat_tables(tables, promote_options="default") if len(tables) > 1
              else tables[0])
    table = joined.drop_columns(["x", "y"]).to_pandas()
    for column in table.columns:
        if column in flags:
            table[column] = table[column].fillna(False).astype(bool)
        elif column == "offence_code":
            table[column] = table[column].fillna("").astype("str")
    extras = [c for c in table.columns if c not in CRIME_COLUMNS]
    geometry = gpd.points_from_xy(joined["x"].to_numpy(), joined["y"].to_numpy(), crs=crs)
    frame = table[[*CRIME_COLUMNS, *extras]]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def _nothing_kept(given: list[str], reports: list[LoadReport], skipped: list[str]) -> None:
    """Raise: rows were read, but every one was dropped (the reasons, file by file)."""
    merged = reports[0]
    for other in reports[1:]:
        merged = merged.merge(other)
    reasons = ", ".join(f"{reason}: {n:,}" for reason, n in merged.dropped.items())
    notes = " ".join([*merged.notes[:5], *skipped[:5]])
    raise InputFileError(
        f"No crimes could be kept from {', '.join(given)}: all {merged.rows_read:,} rows "
        f"read were dropped ({reasons or 'no data rows'}). {notes}".rstrip()
        + " Check the file's columns, delimiter, coordinates and months.")


def _summarise(table: gpd.GeoDataFrame, report: LoadReport) -> None:
    report.rows_kept = len(table)
    months = pd.Series(table["month"].dropna().unique(), dtype="datetime64[ns]")
    report.months = sorted(months.dt.strftime("%Y-%m").tolist())
    counts = table["category"].value_counts()
    report.categories = {str(k): int(v) for k, v in counts.items()}
    note = unknown_category_note(report.categories, POLICE_UK_CATEGORIES)
    if note:
        report.notes.append(note)


def load_crimes(
    sources: str | Path | Sequence[str | Path],
    *,
    mapping: str | Path | Mapping[str, Any] | ColumnMapping | None = None,
    boundary: gpd.GeoDataFrame | gpd.GeoSeries | str | Path | None = None,
    crs: str | None = None,
    progress: Progress | None = None,
) -> tuple[gpd.GeoDataFrame, LoadReport]:
    """Load crimes from police.uk CSVs, folders, archives or mapped CSVs into one table.

    Each CSV is recognised by its header: the police.uk street-level columns are read as
    police.uk; anything else needs ``mapping``. Files are streamed one at a time
    (gzip and zip members are decompressed on the fly). Every row is accounted for in the
    report: kept, or dropped with a reason.

    Parameters
    ----------
    sources : path or list of paths
        CSV files (plain or ``.csv.gz``), folders (searched recursively for CSVs and zips),
        or police.uk archive zips (``YYYY-MM/YYYY-MM-<force>-street.csv`` members;
        outcomes and stop-and-search members are skipped with a note).
    mapping : path, dict or ColumnMapping, optional
        Column mapping for CSVs not in police.uk format; see :func:`read_mapping`.
    boundary : GeoDataFrame, GeoSeries or path, optional
        Study area in any CRS; crimes outside it are dropped as "outside the boundary".
    crs : str, optional
        Projected CRS of the returned table. Default (None): chosen once for all the
        files read, from the crimes' longitude/latitude (:func:`hotspots.spatial.choose_crs`):
        British National Grid (EPSG:27700) for data in the UK, else the WGS 84 UTM zone
        of the data's median location; the report's ``crs`` and notes say which and why,
        and rows the chosen CRS does not serve (outside the UK for British National Grid,
        beyond the neighbouring zones for UTM) are dropped and counted.
    progress : callable, optional
        ``progress(done, total, label)``, called after each file is read.

    Returns
    -------
    crimes : GeoDataFrame
        The canonical crime table (``hotspots.schema.CRIME_COLUMNS``, any extra mapped
        columns such as ``offence_code`` or flags, then ``geometry``) in ``crs``.
    report : LoadReport
        What was read, kept and dropped, and why.

    Raises
    ------
    InputFileError
        A file is missing, empty, not a crime CSV, or has swapped or unusable coordinates.
    ColumnMappingError
        The mapping is invalid or names a column the file lacks.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "2022-01-force-street.csv")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write(
    ...         "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    ...         "LSOA code,LSOA name,Crime type,Last outcome category,Context\\n"
    ...         "a1,2022-01,Force,Force,-1.55,53.80,On or near X,E01,L 001A,Burglary,,\\n"
    ...         ",2022-01,Force,Force,,,No Location,,,Anti-social behaviour,,\\n")
    >>> crimes, report = load_crimes(path)
    >>> len(crimes), report.rows_read, report.dropped, crimes.crs.to_epsg()
    (1, 2, {'no coordinates': 1}, 27700)
    """
    target = None if crs is None else _target_crs(crs)
    col_mapping = read_mapping(mapping) if mapping is not None else None
    entries, notes = expand_sources(sources)
    read: list[tuple[pa.Table, LoadReport, CRS]] = []
    skipped: list[str] = []
    pool = PoliceUkPool(crs=target)
    with OpenArchives() as archives:
        for done, entry in enumerate(entries, start=1):
            try:
                got = _read_entry(entry, col_mapping, target, archives)
            except (InputFileError, ColumnMappingError) as exc:
                _skip(entry, exc, skipped)
            else:
                if isinstance(got, CsvTable):
                    pool.add(entry, entry.label, got)
                else:  # keep the files' order: police.uk files read so far come first
                    _drain(pool, read, skipped)
                    read.append(got)
                if pool.full:
                    _drain(pool, read, skipped)
            if progress is not None:
                progress(done, len(entries), entry.label)
        _drain(pool, read, skipped)
    given = [str(s) for s in ([sources] if isinstance(sources, str | Path) else sources)]
    if not read:
        why = " ".join([*notes, *skipped]) or "no CSV files were found."
        raise InputFileError(f"No crimes loaded from {', '.join(given)}. {why}")
    if not any(file_report.rows_kept for _, file_report, _ in read):
        _nothing_kept(given, [r for _, r, _ in read], skipped)
    if target is None:
        projected, choice = _choose_and_project(read)
        target = choice.crs
        notes.append(f"Coordinates projected to {choice.reason}.")
    else:
        projected = [(frame, file_report) for frame, file_report, _ in read]
    del read
    report = LoadReport(crs=target.to_string(), notes=notes)
    frames: list[pa.Table] = []
    for frame, file_report in projected:
        frames.append(frame)
        report = report.merge(file_report)
    del projected
    report.notes.extend(skipped)
    clip = as_boundary_geometry(boundary, crs=target) if boundary is not None else None
    flags = set(col_mapping.flags) if col_mapping is not None else set()
    table = _assemble(frames, target, flags)
    del frames
    if clip is not None:
        inside = shapely.intersects_xy(clip, table.geometry.x.to_numpy(),
                                       table.geometry.y.to_numpy())
        n_out = int((~inside).sum())
        if n_out:
            report.dropped[DROP_OUTSIDE_BOUNDARY] = (
                report.dropped.get(DROP_OUTSIDE_BOUNDARY, 0) + n_out
            )
            table = table.loc[inside].reset_index(drop=True)
        if len(table) == 0:
            report.notes.append("No crime lies inside the boundary: check it covers the data.")
    _summarise(table, report)
    if not report.is_consistent():  # pragma: no cover - a bug, not bad input
        raise RuntimeError(f"Load report does not add up: {report.to_dict()}")
    return table, report
