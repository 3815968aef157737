"""``hotspots ingest``: police.uk files, folders and archives into the GeoParquet store.

Each street-level CSV (a file, or a member of a monthly archive zip) is read on its own,
checked by the columnar reader (:mod:`hotspots.io.columnar`: the rules of
:func:`hotspots.io.load_crimes`), and stored in one transaction
(:meth:`hotspots.io.store.Store.replace_source`). So the whole archive is never in memory
(one member at a time), an interrupted run keeps what it finished, and a re-run is cheap:

* **unchanged** sources are skipped without being read: a zip member whose CRC-32 and size
  match the manifest, or a file whose size and modification time match (or, when those
  changed, whose BLAKE2b hash still matches);
* **changed** sources are read again and replace what they stored, atomically;
* a police.uk street file is known by its name (``2024-01-metropolitan-street.csv``), so
  the same month and force in a later archive (monthly archives overlap) is the same
  source: unchanged, it is skipped; revised, it replaces the earlier copy. Within one run
  the first copy found is read (as ``load_crimes`` does) and the others are noted;
* a corrupt member, a file that is not police.uk street data, or one whose rows lie outside
  the store's CRS is reported by name and skipped; the rest are stored.

The store's CRS is chosen from the first file stored (British National Grid for UK data,
as ``load_crimes`` chooses), and every later file must be in it.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import logging
import platform
import threading
import time
import zipfile
import zlib
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hotspots.errors import EmptyFileError
from hotspots.errors import HotspotsError
from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.io.columnar import load_policeuk_file
from hotspots.io.coords import same_crs
from hotspots.io.report import LoadReport
from hotspots.io.sources import STREET_FILE
from hotspots.io.sources import Entry
from hotspots.io.sources import expand_sources
from hotspots.io.store import SourceRecord
from hotspots.io.store import Store
from hotspots.io.store import StoredFile
from hotspots.io.store import force_slug
from hotspots.io.write import write_json
from hotspots.progress import Progress

__all__ = ["INGEST_THREADS", "IngestSummary", "SkippedSource", "ingest", "source_key",
           "write_ingest_run"]

log = logging.getLogger(__name__)

#: Sources read at once. Two threads keep both cores of a small machine busy: CSV parsing,
#: decompression, projection and Parquet writing release the GIL; the manifest is written
#: by the calling thread alone.
INGEST_THREADS = 2
#: Errors that mean "this member is corrupt": a bad CRC or deflate stream, a truncated zip
#: or gzip member.
CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile, OSError)


@dataclass(frozen=True)
class SkippedSource:
    """A source not stored, and why (in words that name it).

    ``empty`` marks a file with a header and no crimes (a force with nothing to publish
    that month): noted, not an error.
    """

    label: str
    reason: str
    empty: bool = False


@dataclass
class IngestSummary:
    """What one ``ingest`` run did.

    Attributes
    ----------
    store : Path
        The store folder.
    added, replaced, unchanged : list of str
        Sources stored for the first time, stored again because they changed, and skipped
        because the store holds them unchanged.
    skipped : list of SkippedSource
        Sources not stored (corrupt, not police.uk, wrong CRS, empty), with the reason.
    rows_read, rows_stored : int
        Data rows read from the sources read this run, and rows stored from them.
    files_written : int
        Parquet files written.
    seconds : float
        Wall time of the run.
    report : LoadReport
        The load reports of the sources read this run, merged.
    notes : list of str
        Sources found but not read (outcomes files, duplicates), and the store's CRS.
    """

    store: Path
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedSource] = field(default_factory=list)
    rows_read: int = 0
    rows_stored: int = 0
    files_written: int = 0
    seconds: float = 0.0
    report: LoadReport = field(default_factory=LoadReport)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        """Rows read per second of wall time."""
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (for ``run.json``)."""
        return {
            "store": str(self.store), "added": self.added, "replaced": self.replaced,
            "unchanged": self.unchanged,
            "skipped": [{"source": s.label, "reason": s.reason, "empty": s.empty}
                        for s in self.skipped],
            "rows_read": self.rows_read, "rows_stored": self.rows_stored,
            "files_written": self.files_written, "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1), "notes": self.notes,
            "load_report": self.report.to_dict(),
        }

    def to_text(self) -> str:
        """A few lines for the console."""
        lines = [
            f"{len(self.added)} source(s) added, {len(self.replaced)} replaced, "
            f"{len(self.unchanged)} unchanged (skipped), {len(self.skipped)} not stored "
            f"({sum(s.empty for s in self.skipped)} of them empty).",
            f"Read {self.rows_read:,} rows, stored {self.rows_stored:,} in "
            f"{self.files_written:,} file(s), {self.seconds:.1f} s "
            f"({self.rows_per_second:,.0f} rows/s).",
        ]
        lines += [f"{'empty' if s.empty else 'not stored'}: {s.label}: {s.reason}"
                  for s in self.skipped]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def source_key(entry: Entry) -> str:
    """The manifest key of a source: a police.uk street file by name, anything else by path.

    Examples
    --------
    >>> source_key(Entry(Path("a/2024.zip"), "2024-01/2024-01-kent-street.csv"))
    'policeuk:2024-01-kent-street.csv'
    """
    name = entry.basename.lower().removesuffix(".gz")
    if STREET_FILE.match(name):
        return f"policeuk:{name}"
    where = str(entry.path.resolve())
    return f"file:{where}" + (f"!{entry.member}" if entry.member else "")


def _file_slug(entry: Entry) -> str | None:
    """``kent`` from ``2024-01-kent-street.csv``; None for other names."""
    name = entry.basename.lower().removesuffix(".gz")
    return name[8:-len("-street.csv")] if STREET_FILE.match(name) else None


def _entries(inputs: Sequence[str | Path], summary: IngestSummary) -> list[Entry]:
    """Every street CSV of the inputs; an input that cannot be listed is reported, skipped."""
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for item in inputs:
        try:
            found, notes = expand_sources([item])
        except InputFileError as exc:
            if not Path(item).exists():
                raise
            summary.skipped.append(SkippedSource(str(item), str(exc)))
            continue
        summary.notes.extend(notes)
        for entry in found:
            key = source_key(entry)
            if key.startswith("policeuk:") and key in seen:
                summary.notes.append(f"Skipped {entry.label}: the same police.uk month and "
                                     f"force file was already read from {seen[key]} "
                                     "(archives overlap).")
                continue
            seen[key] = entry.label
            entries.append(entry)
    return entries


class _Archives:
    """Zip archives opened once per thread (members are read one by one, never all)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[zipfile.ZipFile] = []

    def get(self, path: Path) -> zipfile.ZipFile:
        opened = getattr(self._local, "open", None)
        if opened is None:
            opened = self._local.open = {}
        if path not in opened:
            opened[path] = zipfile.ZipFile(path)
            with self._lock:
                self._all.append(opened[path])
        return opened[path]

    def close(self) -> None:
        for zf in self._all:
            zf.close()


@dataclass
class _Prepared:
    """A source read and written by a worker thread, waiting for its manifest commit."""

    entry: Entry
    key: str
    size: int
    mtime_ns: int
    hash: str
    outcome: str  # "store", "touch" or "skip"
    reason: str = ""
    table_rows: int = 0
    report: LoadReport | None = None
    crs: Any = None
    crs_reason: str = ""
    written: list[StoredFile] = field(default_factory=list)
    empty: bool = False
    existed: bool = False
    path: str = ""
    record: SourceRecord | None = None


def _fingerprint(entry: Entry, archives: _Archives) -> tuple[int, int, str | None]:
    """(size, mtime_ns, hash or None): a zip member's hash is its CRC-32 and size."""
    stat = entry.path.stat()
    if entry.member is None:
        return stat.st_size, stat.st_mtime_ns, None
    info = archives.get(entry.path).getinfo(entry.member)
    return info.file_size, stat.st_mtime_ns, f"crc32:{info.CRC:08x}:{info.file_size}"


def _read(entry: Entry, archives: _Archives) -> tuple[bytes, str | None]:
    """The entry's CSV bytes (decompressed), and the BLAKE2b hash of a plain file's bytes."""
    gz = entry.basename.lower().endswith(".gz")
    if entry.member is None:
        raw = entry.path.read_bytes()
        digest = "blake2b:" + hashlib.blake2b(raw, digest_size=20).hexdigest()
    else:
        raw = archives.get(entry.path).read(entry.member)
        digest = None
    return (gzip.decompress(raw) if gz else raw), digest


def _unchanged(record: SourceRecord | None, size: int, mtime_ns: int, hash_: str | None) -> bool:
    if record is None:
        return False
    if hash_ is not None:
        return record.hash == hash_
    return record.size == size and record.mtime_ns == mtime_ns


def _prepare(entry: Entry, key: str, known: SourceRecord | None, size: int, mtime_ns: int,
             hash_: str | None, store: Store, archives: _Archives, path: str) -> _Prepared:
    """Read, check and write one source's files (a worker thread; no manifest access)."""
    known_hash = known.hash if known is not None else None
    job = _Prepared(entry, key, size, mtime_ns, hash_ or "", "skip", existed=known is not None,
                    path=path)
    try:
        data, digest = _read(entry, archives)
    except CORRUPT as exc:
        job.reason = f"corrupt or unreadable ({exc})."
        return job
    job.hash = hash_ or digest or ""
    if known_hash is not None and known_hash == job.hash:
        job.outcome = "touch"
        return job
    try:
        table, report, crs, reason = load_policeuk_file(data, source=entry.label)
    except HotspotsError as exc:
        job.reason, job.empty = str(exc), isinstance(exc, EmptyFileError)
        return job
    del data
    slug = _file_slug(entry)
    job.record = _record(job, report)
    job.written = store.write_parts(job.record, table, crs,
                                    fallback_slug=force_slug(slug or "unknown"))
    job.outcome, job.report, job.crs, job.crs_reason = "store", report, crs, reason
    job.table_rows = table.num_rows
    return job


def _record(job: _Prepared, report: LoadReport) -> SourceRecord:
    return SourceRecord(
        key=job.key, label=job.entry.label, path=job.path,
        member=job.entry.member, size=job.size, mtime_ns=job.mtime_ns, hash=job.hash,
        rows_read=report.rows_read, rows_kept=report.rows_kept, report=report.to_dict(),
        ingested=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def _finish(job: _Prepared, store: Store, summary: IngestSummary,
            reports: list[LoadReport]) -> None:
    """Commit one prepared source to the manifest (the calling thread only).

    Its report is added to ``reports`` (merged into the summary's once, at the end).
    """
    label = job.entry.label
    if job.outcome == "unchanged":
        summary.unchanged.append(label)
        return
    if job.outcome == "touch":
        store.touch_source(job.key, size=job.size, mtime_ns=job.mtime_ns)
        summary.unchanged.append(label)
        return
    if job.outcome == "skip":
        summary.skipped.append(SkippedSource(label, job.reason, job.empty))
        (log.info if job.empty else log.warning)("not stored: %s: %s", label, job.reason)
        return
    report = job.report
    assert report is not None  # noqa: S101 - set with outcome "store"
    summary.rows_read += report.rows_read
    reports.append(report)
    current = store.crs
    if current is None:
        store.set_crs(job.crs, job.crs_reason)
    elif not same_crs(job.crs, current):
        store.discard(job.written)
        summary.skipped.append(SkippedSource(
            label, f"its crimes were projected to {job.crs.to_string()}, but the store "
            f"holds {current.to_string()} data; put data from elsewhere in another store."))
        return
    assert job.record is not None  # noqa: S101 - set with outcome "store"
    slug = _file_slug(job.entry)
    aliases = [(slug, stored.force_slug) for stored in job.written] if slug is not None else []
    store.commit_source(job.record, job.written, aliases=aliases)
    summary.files_written += len(job.written)
    summary.rows_stored += job.table_rows
    (summary.replaced if job.existed else summary.added).append(label)


def ingest(
    inputs: str | Path | Sequence[str | Path], *, store: str | Path,
    progress: Progress | None = None, threads: int = INGEST_THREADS,
) -> IngestSummary:
    """Stream police.uk files, folders and monthly archive zips into a GeoParquet store.

    Parameters
    ----------
    inputs : path or list of paths
        police.uk street-level CSVs (plain or ``.gz``), folders of them, or monthly archive
        zips (``YYYY-MM/YYYY-MM-<force>-street.csv`` members; outcomes and stop-and-search
        members are skipped with a note).
    store : path
        The store folder (created with its manifest if missing).
    progress : callable, optional
        ``progress(done, total, label)`` after each source; the label ends with the rows
        read per second so far.
    threads : int
        Sources read at once (default :data:`INGEST_THREADS`).

    Returns
    -------
    IngestSummary
        Sources added, replaced, unchanged and not stored (with reasons), rows and time.

    Raises
    ------
    InputFileError
        An input does not exist, or ``store`` is a folder of another kind of store.

    Examples
    --------
    >>> import tempfile
    >>> from hotspots.datasets.national import write_national_archive
    >>> folder = tempfile.mkdtemp()
    >>> archive = write_national_archive(folder + "/zips", months=1, scale=0.0005)
    >>> first = ingest(archive.zips, store=folder + "/store")
    >>> again = ingest(archive.zips, store=folder + "/store")
    >>> len(first.added) + len(first.skipped), len(again.added), again.unchanged == first.added
    (43, 0, True)
    """
    started = time.perf_counter()
    items = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    if not items:
        raise InputFileError("No input given: pass at least one CSV file, folder or zip.")
    if not isinstance(threads, int) or threads < 1:
        raise ParameterError(f"The 'threads' parameter must be a whole number >= 1, got "
                             f"{threads!r}.")
    summary = IngestSummary(store=Path(store))
    archives = _Archives()
    with Store(store, create=True) as opened, ThreadPoolExecutor(threads) as pool:
        removed = opened.tidy()
        if removed:
            summary.notes.append(f"Removed {removed} file(s) an interrupted run had left in "
                                 "the store (never listed in its manifest).")
        entries = _entries(items, summary)
        resolved = functools.cache(lambda path: str(path.resolve()))  # once per zip, not member
        pending: deque[Future[_Prepared]] = deque()
        reports: list[LoadReport] = []
        done = 0

        def finish_one() -> None:
            nonlocal done
            job = pending.popleft().result()
            _finish(job, opened, summary, reports)
            done += 1
            _tell(progress, done, len(entries), job.entry.label, summary, started)

        try:
            for entry in entries:
                key = source_key(entry)
                try:
                    size, mtime_ns, hash_ = _fingerprint(entry, archives)
                except CORRUPT as exc:
                    pending.append(_done(_Prepared(entry, key, 0, 0, "", "skip",
                                                   f"corrupt or unreadable ({exc}).")))
                else:
                    record = opened.source(key)
                    if _unchanged(record, size, mtime_ns, hash_):
                        pending.append(_done(_Prepared(entry, key, size, mtime_ns,
                                                       hash_ or "", "unchanged")))
                    else:
                        pending.append(pool.submit(
                            _prepare, entry, key, record, size, mtime_ns, hash_, opened,
                            archives, resolved(entry.path)))
                while len(pending) > 2 * threads:
                    finish_one()
            while pending:
                finish_one()
        finally:
            for future in pending:
                future.cancel()
            archives.close()
        summary.report = LoadReport.merge_all(reports)
        if opened.crs is not None:
            summary.notes.append(f"Store CRS: {opened.crs_reason}.")
    summary.seconds = time.perf_counter() - started
    return summary


def write_ingest_run(summary: IngestSummary, *, inputs: Sequence[str | Path]) -> Path:
    """Write ``STORE/run.json``: the tool, the inputs and what this run did; return its path."""
    from hotspots import __version__

    run = {
        "tool": "hotspots", "version": __version__, "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "ingest", "inputs": [str(i) for i in inputs], **summary.to_dict(),
    }
    return write_json(summary.store / "run.json", run)


def _done(job: _Prepared) -> Future[_Prepared]:
    future: Future[_Prepared] = Future()
    future.set_result(job)
    return future


def _tell(progress: Progress | None, done: int, total: int, label: str,
          summary: IngestSummary, started: float) -> None:
    if progress is not None:
        rate = summary.rows_read / max(time.perf_counter() - started, 1e-9)
        progress(done, total, f"{label} ({rate:,.0f} rows/s)")
