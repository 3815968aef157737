"""The GeoParquet crime store: police.uk data partitioned by force and month, with a manifest.

Layout of a store folder::

    STORE/
      _manifest.sqlite                      what is stored: sources, files, the store's CRS
      crimes/force_slug=<force>/year_month=<YYYY-MM>/
        part-<id>.parquet                   GeoParquet: canonical columns, x, y, WKB geometry
        _part-<id>.report.json              the load report of the file these rows came from

Partition folders are Hive-style (``key=value``), so pyarrow, DuckDB or GDAL can read
``crimes/`` as one partitioned dataset; files whose names start with ``_`` are ignored by
them. The manifest (SQLite, one transaction per source file) lists the files each source
wrote: readers read only the files it lists, so a file written by an interrupted run is
never read, and a replaced source's old files are deleted only after the manifest points
to the new ones. :func:`read_store` reads only the partitions asked for (partition pruning
by the manifest's force and month columns).

Each file holds the canonical crime columns (``hotspots.schema.CRIME_COLUMNS``) plus
``x``/``y`` (the projected coordinates, so that counts and grids need no geometry) and
``geometry`` (the same points as WKB, with GeoParquet 1.1 metadata: encoding, CRS as
PROJJSON, bounding box), so ``geopandas.read_parquet`` opens any file as it is.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import nullcontext
from dataclasses import astuple
from dataclasses import dataclass
from dataclasses import fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import shapely
from pyproj import CRS

from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.io.boundaries import as_boundary_geometry
from hotspots.io.columnar import TABLE_SCHEMA
from hotspots.io.columnar import copy_report
from hotspots.io.columnar import crimes_from_table
from hotspots.io.columnar import summarise_table
from hotspots.io.parts import force_slug
from hotspots.io.parts import partitions
from hotspots.io.parts import write_part
from hotspots.io.report import DROP_OUTSIDE_BOUNDARY
from hotspots.io.report import LoadReport
from hotspots.months import is_month_text

__all__ = ["STORE_VERSION", "MANIFEST_NAME", "CRIMES_DIR", "PARTITION_KEYS", "force_slug",
           "Store", "StoredFile", "SourceRecord", "read_store_table", "read_store"]

#: Version of the layout and manifest; a store written by another version is refused.
STORE_VERSION = 1
#: The manifest's file name in the store folder.
MANIFEST_NAME = "_manifest.sqlite"
#: The folder of the partitioned GeoParquet files.
CRIMES_DIR = "crimes"
#: Partition keys, outermost first (Hive folder names ``force_slug=...``, ``year_month=...``).
PARTITION_KEYS = ("force_slug", "year_month")
_FILE_COLUMNS = "path, source_key, force_slug, force, year_month, rows, xmin, ymin, xmax, ymax"
_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    key TEXT PRIMARY KEY, label TEXT NOT NULL, path TEXT NOT NULL, member TEXT,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL,
    rows_read INTEGER NOT NULL, rows_kept INTEGER NOT NULL, report TEXT NOT NULL,
    ingested TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, source_key TEXT NOT NULL, force_slug TEXT NOT NULL,
    force TEXT NOT NULL, year_month TEXT NOT NULL, rows INTEGER NOT NULL,
    xmin REAL, ymin REAL, xmax REAL, ymax REAL);
CREATE INDEX IF NOT EXISTS files_partition ON files (force_slug, year_month);
CREATE INDEX IF NOT EXISTS files_source ON files (source_key);
CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, force_slug TEXT NOT NULL);
"""


@dataclass(frozen=True)
class StoredFile:
    """One Parquet file of the store: its partition, rows, extent and source."""

    path: str
    source_key: str
    force_slug: str
    force: str
    year_month: str
    rows: int
    xmin: float = np.nan
    ymin: float = np.nan
    xmax: float = np.nan
    ymax: float = np.nan


@dataclass(frozen=True)
class SourceRecord:
    """What the manifest knows of one source file: where, its fingerprint, its report."""

    key: str
    label: str
    path: str
    member: str | None
    size: int
    mtime_ns: int
    hash: str
    rows_read: int
    rows_kept: int
    report: dict[str, Any]
    ingested: str

    def load_report(self) -> LoadReport:
        """The source's load report as a :class:`LoadReport`."""
        fields = {k: v for k, v in self.report.items() if k != "rows_dropped"}
        return LoadReport(**fields)


# --------------------------------------------------------------------------- the store


class Store:
    """A store folder and its manifest.

    Parameters
    ----------
    root : path
        The store folder.
    create : bool
        Create the folder and an empty manifest if missing (ingest does); otherwise a
        missing or foreign folder is an :class:`~hotspots.errors.InputFileError`.

    Examples
    --------
    >>> import tempfile
    >>> store = Store(tempfile.mkdtemp(), create=True)
    >>> store.crs is None, store.forces(), store.months()
    (True, {}, [])
    """

    def __init__(self, root: str | Path, *, create: bool = False) -> None:
        self.root = Path(root)
        manifest = self.root / MANIFEST_NAME
        if not manifest.is_file():
            if not create:
                why = ("does not exist" if not self.root.exists() else
                       f"has no {MANIFEST_NAME}, so it is not a hotspots store")
                raise InputFileError(
                    f"Store {str(self.root)!r} {why}. Make one with 'hotspots ingest "
                    f"INPUT... --store {self.root}'.")
            self.root.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(manifest, timeout=60.0, check_same_thread=False)
        self._crs: tuple[str, CRS] | None = None
        if create:
            # WAL: readers (batch workers) never wait for the writer; NORMAL sync keeps
            # each transaction atomic (a power cut may lose the last commits, not corrupt).
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA_SQL)
        self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            version = self._meta("version")
        except sqlite3.DatabaseError as exc:
            raise InputFileError(
                f"Store {str(self.root)!r}: its manifest {MANIFEST_NAME} cannot be read "
                f"({exc}). Ingest the data again into a new folder.") from None
        if version is None:
            with self._db:
                self._db.execute("INSERT INTO meta VALUES ('version', ?)", (str(STORE_VERSION),))
        elif version != str(STORE_VERSION):
            raise InputFileError(
                f"Store {str(self.root)!r} was written by store version {version}; this "
                f"hotspots reads version {STORE_VERSION}. Ingest the data again into a new "
                "folder.")

    # -- reading the manifest

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    @property
    def crs(self) -> CRS | None:
        """The store's CRS (every file is in it), or None while it is empty."""
        text = self._meta("crs")
        if text is None:
            return None
        if self._crs is None or self._crs[0] != text:  # parsed once, not per source
            self._crs = (text, CRS.from_user_input(text))
        return self._crs[1]

    @property
    def crs_reason(self) -> str:
        """Why the store has its CRS (chosen from the first file ingested)."""
        return self._meta("crs_reason") or ""

    def forces(self) -> dict[str, str]:
        """Force slug -> force name, for every force stored."""
        rows = self._db.execute(
            "SELECT force_slug, MIN(force) FROM files GROUP BY force_slug ORDER BY force_slug")
        return {slug: name for slug, name in rows}

    def forces_within(self, bounds: tuple[float, float, float, float]) -> list[str]:
        """Slugs of the forces with a stored file whose extent meets ``bounds`` (x0, y0, x1, y1)."""
        rows = self._db.execute(
            "SELECT DISTINCT force_slug FROM files WHERE xmax >= ? AND xmin <= ? AND "
            "ymax >= ? AND ymin <= ? ORDER BY force_slug",
            (bounds[0], bounds[2], bounds[1], bounds[3]))
        return [r[0] for r in rows]

    def months(self) -> list[str]:
        """Every month stored, ``YYYY-MM``, sorted."""
        rows = self._db.execute("SELECT DISTINCT year_month FROM files ORDER BY year_month")
        return [r[0] for r in rows]

    def source(self, key: str) -> SourceRecord | None:
        """The manifest's record of a source, or None."""
        row = self._db.execute("SELECT * FROM sources WHERE key = ?", (key,)).fetchone()
        return None if row is None else _record(row)

    def sources(self) -> list[SourceRecord]:
        """Every source stored, by key."""
        return [_record(r) for r in self._db.execute("SELECT * FROM sources ORDER BY key")]

    def resolve_forces(self, values: Iterable[str] | None, *, name: str = "force") -> list[str]:
        """Slugs of the forces named (by slug, name, or police.uk file name); None: all.

        Raises :class:`~hotspots.errors.ParameterError` naming every unknown value and
        listing the forces stored.
        """
        known = self.forces()
        if values is None:
            return list(known)
        aliases = dict(self._db.execute("SELECT alias, force_slug FROM aliases"))
        out: list[str] = []
        unknown: list[str] = []
        for value in values:
            slug = force_slug(value)
            slug = slug if slug in known else aliases.get(slug, aliases.get(value.lower()))
            if slug is None or slug not in known:
                unknown.append(value)
            elif slug not in out:
                out.append(slug)
        if unknown:
            listed = ", ".join(known) or "none (the store is empty)"
            raise ParameterError(
                f"The '{name}' value(s) {', '.join(map(repr, unknown))} name no force in "
                f"store {str(self.root)!r}. Forces stored: {listed}.")
        return out

    def files(self, *, forces: Iterable[str] | None = None, start: str | None = None,
              end: str | None = None) -> list[StoredFile]:
        """The files of the partitions asked for (forces as slugs; months both included)."""
        for month, key in ((start, "start"), (end, "end")):
            if month is not None and not is_month_text(month):
                raise ParameterError(f"The '{key}' month must be written YYYY-MM, got "
                                     f"{month!r}.")
        query = f"SELECT {_FILE_COLUMNS} FROM files"
        where, args = [], []
        if forces is not None:
            slugs = list(forces)
            if not slugs:
                return []
            where.append(f"force_slug IN ({', '.join('?' * len(slugs))})")
            args += slugs
        if start is not None:
            where.append("year_month >= ?")
            args.append(start)
        if end is not None:
            where.append("year_month <= ?")
            args.append(end)
        if where:
            query += " WHERE " + " AND ".join(where)
        rows = self._db.execute(query + " ORDER BY force_slug, year_month, path", args)
        return [StoredFile(*r) for r in rows]

    def files_of(self, key: str) -> list[StoredFile]:
        """The files a source wrote."""
        rows = self._db.execute(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE source_key = ? ORDER BY path", (key,))
        return [StoredFile(*r) for r in rows]

    # -- writing

    def set_crs(self, crs: CRS, reason: str) -> None:
        """Fix the store's CRS (once, from the first file ingested)."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('crs', ?)", (crs.to_string(),))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('crs_reason', ?)", (reason,))

    def add_alias(self, alias: str, slug: str) -> None:
        """Let ``--force`` find ``slug`` by ``alias`` too (e.g. the police.uk file name)."""
        with self._db:
            self._db.execute("INSERT OR IGNORE INTO aliases VALUES (?, ?)", (alias, slug))

    def touch_source(self, key: str, *, size: int, mtime_ns: int) -> None:
        """Record a new size/mtime for a source whose content hash is unchanged."""
        with self._db:
            self._db.execute("UPDATE sources SET size = ?, mtime_ns = ? WHERE key = ?",
                             (size, mtime_ns, key))

    def write_parts(self, record: SourceRecord, table: pa.Table, crs: CRS, *,
                    fallback_slug: str = "unknown") -> list[StoredFile]:
        """Write ``table`` (one source's checked rows, in ``crs``) as new partition files.

        One file per force and month, under new names, so nothing the manifest lists is
        touched: until :meth:`commit_source` lists them, no reader sees them. Safe to call
        from several threads at once (it writes files only). A failure removes what it
        wrote.
        """
        written: list[StoredFile] = []
        try:
            for (slug, name, month), part in partitions(table, fallback_slug):
                written.append(self._write_part(record, slug, name, month, part, crs))
        except BaseException:
            self.discard(written)
            raise
        return written

    def commit_source(self, record: SourceRecord, written: list[StoredFile], *,
                      aliases: Iterable[tuple[str, str]] = ()) -> None:
        """Make ``written`` the whole of ``record``'s rows, in one manifest transaction.

        The source's previous files are deleted after the transaction, so a reader sees
        either the old files or the new ones, never both or neither. ``aliases`` (alias,
        slug) are added in the same transaction (see :meth:`add_alias`).
        """
        old = self.files_of(record.key)
        with self._db:
            self._db.execute("DELETE FROM files WHERE source_key = ?", (record.key,))
            self._db.executemany(f"INSERT INTO files ({_FILE_COLUMNS}) VALUES "
                                 f"({', '.join('?' * len(fields(StoredFile)))})",
                                 [astuple(f) for f in written])
            self._db.execute(
                "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.key, record.label, record.path, record.member, record.size,
                 record.mtime_ns, record.hash, record.rows_read, record.rows_kept,
                 json.dumps(record.report), record.ingested))
            self._db.executemany("INSERT OR IGNORE INTO aliases VALUES (?, ?)", list(aliases))
        self.discard(old)

    def replace_source(self, record: SourceRecord, table: pa.Table, *,
                       fallback_slug: str = "unknown") -> list[StoredFile]:
        """Store ``table`` (checked rows, in the store's CRS) as the whole of one source.

        :meth:`write_parts` then :meth:`commit_source`: a failure before the manifest
        transaction leaves the store as it was.
        """
        crs = self.crs
        if crs is None:
            raise ParameterError("The store has no CRS yet: call set_crs() first.")
        written = self.write_parts(record, table, crs, fallback_slug=fallback_slug)
        self.commit_source(record, written)
        return written

    def discard(self, files: Iterable[StoredFile]) -> None:
        """Delete files (and their reports) that no manifest entry lists any more."""
        for stored in files:
            self._remove(stored.path)

    def _write_part(self, record: SourceRecord, slug: str, name: str, month: str,
                    part: pa.Table, crs: CRS) -> StoredFile:
        folder = Path(CRIMES_DIR) / f"force_slug={slug}" / f"year_month={month}"
        report = {**record.report, "stored_rows": part.num_rows, "partition":
                  {"force_slug": slug, "year_month": month}}
        path = write_part(self.root, folder, part, crs, report=report)
        x, y = pc.min_max(part["x"]), pc.min_max(part["y"])
        return StoredFile(path, record.key, slug, name, month, part.num_rows,
                          x["min"].as_py(), y["min"].as_py(), x["max"].as_py(),
                          y["max"].as_py())

    def _remove(self, relative: str) -> None:
        path = self.root / relative
        for leftover in (path, path.with_name(f"_{path.stem}.report.json")):
            leftover.unlink(missing_ok=True)

    def tidy(self) -> int:
        """Delete files no manifest entry lists (left by an interrupted run); return how many."""
        listed = {r[0] for r in self._db.execute("SELECT path FROM files")}
        removed = 0
        for path in (self.root / CRIMES_DIR).rglob("*"):
            relative = path.relative_to(self.root).as_posix()
            if not path.is_file() or (path.suffix == ".parquet" and relative in listed):
                continue
            if path.name.startswith("_part-") and path.name.endswith(".report.json"):
                stem = path.name[1:].removesuffix(".report.json")
                if path.with_name(f"{stem}.parquet").relative_to(self.root).as_posix() in listed:
                    continue
            path.unlink()
            removed += 1
        return removed

    def close(self) -> None:
        """Close the manifest."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _record(row: tuple) -> SourceRecord:
    fields = list(row)
    fields[9] = json.loads(fields[9])
    return SourceRecord(*fields)


@contextmanager
def _opened(store: Store | str | Path) -> Iterator[Store]:
    with (nullcontext(store) if isinstance(store, Store) else Store(store)) as opened:
        yield opened


def read_store_table(
    store: Store | str | Path, *, forces: Iterable[str] | None = None,
    start: str | None = None, end: str | None = None,
    columns: list[str] | None = None,
) -> tuple[pa.Table, list[StoredFile]]:
    """The stored rows of some forces and months as one Arrow table, and the files read.

    Only the partitions asked for are opened (the manifest says which files hold them).
    ``forces`` are slugs, names or police.uk file names (default: all); ``start``/``end``
    are ``YYYY-MM`` (both included). ``columns`` defaults to every column but ``geometry``.
    """
    with _opened(store) as opened:
        slugs = opened.resolve_forces(forces) if forces is not None else None
        files = opened.files(forces=slugs, start=start, end=end)
        wanted = columns or [f.name for f in TABLE_SCHEMA]
        if not files:
            return TABLE_SCHEMA.empty_table().select(wanted), []
        paths = [str(opened.root / f.path) for f in files]
        dataset = ds.dataset(paths, format="parquet")
        return dataset.to_table(columns=wanted), files


def _read_report(store: Store, files: list[StoredFile], table: pa.Table,
                 forces: Iterable[str] | None, start: str | None,
                 end: str | None) -> LoadReport:
    """The load report of a store read: the stored reports of the sources read."""
    crs = store.crs
    what = (f"forces {', '.join(sorted({f.force_slug for f in files}))}" if forces is not None
            else "all forces")
    period = f"{start or 'the first month'} to {end or 'the last month'}"
    report = LoadReport(crs=crs.to_string() if crs is not None else "", notes=[
        f"Read {len(files):,} file(s) of store {store.root} ({what}, {period}); "
        f"the store's CRS: {store.crs_reason or 'unknown'}."])
    by_source: dict[str, list[StoredFile]] = {}
    for stored in files:
        by_source.setdefault(stored.source_key, []).append(stored)
    for key, chosen in by_source.items():
        record = store.source(key)
        if record is None:  # pragma: no cover - the manifest lists files with sources
            continue
        part = record.load_report()
        n_all = len(store.files_of(key))
        if n_all > len(chosen):
            rows = sum(f.rows for f in chosen)
            part = LoadReport(sources=[record.label], rows_read=rows, rows_kept=rows,
                              crs=part.crs, notes=[
                                  f"{record.label}: {len(chosen)} of its {n_all} force-month "
                                  f"partitions read ({rows:,} rows); its {part.rows_dropped:,} "
                                  "dropped rows are counted in the store's report of the "
                                  "whole file."])
        report = report.merge(part)
    report = copy_report(report)
    report.notes = list(dict.fromkeys(report.notes))  # each file's CRS note once
    return summarise_table(table, report)


def read_store(
    store: str | Path | Store, *, forces: Iterable[str] | None = None,
    start: str | None = None, end: str | None = None,
    boundary: gpd.GeoDataFrame | gpd.GeoSeries | str | Path | None = None,
) -> tuple[gpd.GeoDataFrame, LoadReport]:
    """Read some forces and months of a store as the canonical crime table, with its report.

    The table is what :func:`hotspots.io.load_crimes` returns for the same police.uk files
    (same rows, values and CRS), restricted to the partitions read; the report merges the
    stored load reports of the files read (rows dropped on ingest included) and says which
    partitions were read.

    Parameters
    ----------
    store : path or Store
        A store made by ``hotspots ingest``.
    forces : list of str, optional
        Forces by slug (``west-yorkshire``), name (``West Yorkshire Police``) or police.uk
        file name; default all.
    start, end : str, optional
        First and last month, ``YYYY-MM``, both included.
    boundary : GeoDataFrame, GeoSeries or path, optional
        Study area in any CRS; crimes outside it are dropped as "outside the boundary",
        as :func:`hotspots.io.load_crimes` drops them. Without ``forces``, only the forces
        whose stored extent meets the boundary's are read.

    Raises
    ------
    InputFileError
        ``store`` is not a store.
    ParameterError
        A force is not in the store, or a month is not written ``YYYY-MM``.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots.datasets.national import write_national_archive
    >>> from hotspots.pipelines.ingest import ingest
    >>> folder = tempfile.mkdtemp()
    >>> archive = write_national_archive(folder + "/zips", months=2, scale=0.0005)
    >>> _ = ingest(archive.zips, store=folder + "/store")
    >>> crimes, report = read_store(folder + "/store", forces=["cumbria"], start="2024-02")
    >>> sorted(crimes["force"].unique()), report.months, crimes.crs.to_epsg()
    (['Cumbria Constabulary'], ['2024-02'], 27700)
    """
    with _opened(store) as opened:
        crs = opened.crs or CRS.from_epsg(27700)
        clip = as_boundary_geometry(boundary, crs=crs) if boundary is not None else None
        if clip is not None and forces is None:
            forces = opened.forces_within(tuple(clip.bounds))
        table, files = read_store_table(opened, forces=forces, start=start, end=end)
        report = _read_report(opened, files, table, forces, start, end)
    if clip is not None:
        inside = shapely.intersects_xy(clip, table["x"].to_numpy(), table["y"].to_numpy())
        n_out = int((~inside).sum())
        if n_out:
            report.dropped = {**report.dropped,
                              DROP_OUTSIDE_BOUNDARY: report.dropped.get(DROP_OUTSIDE_BOUNDARY, 0)
                              + n_out}
            table = table.filter(pa.array(inside))
            report = summarise_table(table, report)
        if table.num_rows == 0:
            report.notes.append("No crime lies inside the boundary: check it covers the data.")
    return crimes_from_table(table, crs), report
