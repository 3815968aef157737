"""Turn the ``sources`` given to ``load_crimes`` into a list of CSV streams to read.

A source is a CSV file (plain or ``.gz``), a folder (searched recursively), or a police.uk
archive zip whose members are ``YYYY-MM/YYYY-MM-<force>-street.csv``. Each CSV becomes
an :class:`Entry`, opened lazily, one at a time, as a decompressing stream, so that the
text of a whole archive is never held in memory.
"""

from __future__ import annotations

import gzip
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hotspots.errors import InputFileError

__all__ = ["Entry", "open_entry", "first_line", "expand_sources", "MAX_HEADER_BYTES"]

#: police.uk files that are not street-level crimes: skipped with a note.
OTHER_POLICE_UK = re.compile(r"-(outcomes|stop-and-search)\.csv(\.gz)?$", re.IGNORECASE)
#: A police.uk street file name: ``2016-07-west-yorkshire-street.csv``.
STREET_FILE = re.compile(r"^\d{4}-\d{2}-.+-street\.csv(\.gz)?$", re.IGNORECASE)
#: The longest header line we read when sniffing a file's format.
MAX_HEADER_BYTES = 65_536

_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz")


@dataclass(frozen=True)
class Entry:
    """One CSV to read: a file, or a member of a zip archive."""

    path: Path
    member: str | None = None
    explicit: bool = True  # named by the user (errors raise) or found inside (skipped)

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.member}" if self.member else str(self.path)

    @property
    def basename(self) -> str:
        return Path(self.member).name if self.member else self.path.name


@contextmanager
def open_entry(entry: Entry) -> Iterator[BinaryIO]:
    """Open an entry as a binary stream of CSV text (gzip decompressed on the fly)."""
    gz = entry.basename.lower().endswith(".gz")
    try:
        if entry.member is None:
            with (gzip.open(entry.path, "rb") if gz else open(entry.path, "rb")) as fh:
                yield fh
        else:
            with zipfile.ZipFile(entry.path) as zf, zf.open(entry.member) as member:
                if gz:
                    with gzip.GzipFile(fileobj=member) as fh:
                        yield fh
                else:
                    yield member
    except gzip.BadGzipFile:
        raise InputFileError(f"{entry.label} is not a valid gzip file.") from None
    except zipfile.BadZipFile:
        raise InputFileError(f"{entry.path} is not a valid zip archive.") from None


def first_line(entry: Entry) -> bytes:
    """Return the first line of an entry (b"" for an empty file)."""
    with open_entry(entry) as fh:
        return fh.readline(MAX_HEADER_BYTES)


def _zip_entries(path: Path, notes: list[str]) -> list[Entry]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except zipfile.BadZipFile:
        raise InputFileError(f"{path} is not a valid zip archive.") from None
    found = [Entry(path, name, explicit=False) for name in sorted(names)
             if not name.startswith("__MACOSX") and name.lower().endswith(_CSV_SUFFIXES)]
    return _street_entries(found, path.name, notes, empty=f"No crime CSV found in archive {path}.")


def _folder_entries(folder: Path, notes: list[str]) -> list[Entry]:
    found: list[Entry] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        lower = path.name.lower()
        if lower.endswith(".zip"):
            found.extend(_zip_entries(path, notes))
        elif lower.endswith(_CSV_SUFFIXES):
            found.append(Entry(path, None, explicit=False))
    return _street_entries(found, str(folder), notes,
                           empty=f"No CSV or zip file found in folder {folder}.")


def _street_entries(found: list[Entry], where: str, notes: list[str], *,
                    empty: str) -> list[Entry]:
    """``found`` without police.uk outcomes and stop-and-search files, which are noted."""
    entries = [e for e in found if not OTHER_POLICE_UK.search(e.basename)]
    if len(entries) < len(found):
        notes.append(
            f"Skipped {len(found) - len(entries):,} outcomes/stop-and-search file(s) in "
            f"{where} (not street-level crimes)."
        )
    if not entries:
        notes.append(empty)
    return entries


def expand_sources(sources: object) -> tuple[list[Entry], list[str]]:
    """Return the entries to read from ``sources`` and notes on what was skipped.

    The same file named twice is read once; a police.uk street file for the same month and
    force met again (archives overlap) is read once, from the first place it was found.
    """
    if isinstance(sources, str | Path):
        sources = [sources]
    try:
        items = list(sources)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"'sources' should be a path or a list of paths, got {type(sources)}"
        ) from None
    if not items:
        raise InputFileError("No input given: pass at least one CSV file, folder or zip.")
    notes: list[str] = []
    found: list[Entry] = []
    for item in items:
        if not isinstance(item, str | Path):
            raise TypeError(f"Each source should be a path, got {item!r} ({type(item)})")
        path = Path(item)
        if not path.exists():
            raise InputFileError(f"Input {str(item)!r} does not exist.")
        if path.is_dir():
            found.extend(_folder_entries(path, notes))
        elif path.name.lower().endswith(".zip"):
            found.extend(_zip_entries(path, notes))
        else:
            found.append(Entry(path, None, explicit=True))
    entries: list[Entry] = []
    seen: set[tuple[Path, str | None]] = set()
    street: dict[str, Entry] = {}
    for entry in found:
        key = (entry.path.resolve(), entry.member)
        if key in seen:
            notes.append(f"Read {entry.label} once although it was given more than once.")
            continue
        seen.add(key)
        name = entry.basename.lower().removesuffix(".gz")
        if STREET_FILE.match(name):
            if name in street:
                notes.append(
                    f"Skipped {entry.label}: the same police.uk month and force file was "
                    f"already read from {street[name].label} (archives overlap)."
                )
                continue
            street[name] = entry
        entries.append(entry)
    return entries, notes
