"""Turn the ``sources`` given to ``load_crimes`` into CSV streams, with archive limits.

A source is a CSV file (plain or gzip), a folder (searched recursively), or a zip archive
such as police.uk's, whose members are ``YYYY-MM/YYYY-MM-<force>-street.csv``. Each CSV
becomes an :class:`Entry`, opened lazily, one at a time, as a decompressing stream, so that
the text of a whole archive is never held in memory.

Archives are checked before anything is decompressed: an archive listing more than
:data:`~hotspots.io.limits.MAX_MEMBERS` members is refused (its table of contents is read
from the end of the file first, so a member-count bomb is never listed in memory); members
that are encrypted, use a compression Python cannot read (Deflate64), are archives
themselves, have unsafe names or declare a size past the limits are skipped with a note
naming them. While a stream is read, its output is counted: a gzip file or member that
expands more than :data:`~hotspots.io.limits.MAX_RATIO` times (a zip bomb) is stopped, and a
damaged one (corrupt, truncated, bad checksum) raises an error naming the file or member,
which the loader turns into a note when the member was found inside an archive or folder.
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import BinaryIO

from hotspots.errors import InputFileError
from hotspots.io.limits import MAX_CENTRAL_DIRECTORY_BYTES
from hotspots.io.limits import MAX_MEMBER_BYTES
from hotspots.io.limits import MAX_MEMBERS
from hotspots.io.limits import MAX_RATIO
from hotspots.io.limits import RATIO_GRACE_BYTES
from hotspots.io.limits import describe_bytes
from hotspots.io.textcsv import CsvReader

__all__ = [
    "Entry",
    "OpenArchives",
    "open_entry",
    "expand_sources",
    "zip_members",
    "member_problem",
    "sniff_kind",
    "upload_header",
    "MAX_HEADER_BYTES",
]

#: police.uk files that are not street-level crimes: skipped with a note.
OTHER_POLICE_UK = re.compile(r"-(outcomes|stop-and-search)\.csv(\.gz)?$", re.IGNORECASE)
#: A police.uk street file name: ``2016-07-west-yorkshire-street.csv``.
STREET_FILE = re.compile(r"^\d{4}-\d{2}-.+-street\.csv(\.gz)?$", re.IGNORECASE)
#: The most bytes of an upload the app reads when it sniffs a header.
MAX_HEADER_BYTES = 65_536
#: Compression methods Python's zipfile reads (stored, deflate, bzip2, lzma).
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
                    zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
#: Names of compression methods Python cannot read, for the note (PKWARE APPNOTE 4.4.5).
OTHER_METHODS = {9: "Deflate64", 10: "PKWARE DCL Implode", 6: "Implode", 93: "Zstandard",
                 95: "XZ", 98: "PPMd", 99: "AES-encrypted"}

_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz")
_ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".tar", ".tar.gz", ".tgz", ".jar")
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0", "xls"),
    (b"SQLite format 3\x00", "sqlite"),
    (b"%PDF", "pdf"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "rar"),
)
_NOT_CSV = {
    "zip": "a zip archive (or an Excel .xlsx workbook), not CSV text: give the .zip itself "
           "as the input, or save the workbook as CSV (UTF-8)",
    "xls": "an Excel 97-2003 workbook (.xls), not CSV text: save it as CSV (UTF-8)",
    "sqlite": "a SQLite database (perhaps a GeoPackage), not CSV text: give the crimes as "
              "CSV (a boundary goes to --boundary)",
    "pdf": "a PDF document, not CSV text: give the crimes as CSV",
    "7z": "a 7-Zip archive, which this tool does not open: extract it first",
    "rar": "a RAR archive, which this tool does not open: extract it first",
}


@dataclass(frozen=True)
class Entry:
    """One CSV to read: a file, or a member of a zip archive."""

    path: Path
    member: str | None = None
    explicit: bool = True  # named by the user (errors raise) or found inside (skipped)
    info: zipfile.ZipInfo | None = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.path.name}:{self.member}" if self.member else str(self.path)

    @property
    def basename(self) -> str:
        return Path(self.member).name if self.member else self.path.name


def sniff_kind(head: bytes) -> str:
    """What the first bytes of a file say it is: ``"gzip"``, ``"zip"``, ..., or ``"text"``.

    Examples
    --------
    >>> sniff_kind(b"\\x1f\\x8b\\x08"), sniff_kind(b"Crime ID,Month")
    ('gzip', 'text')
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "text"


# --------------------------------------------------------------------------- archives


def _directory_size(handle: BinaryIO, label: str) -> tuple[int, int] | None:
    """(members, bytes) of a zip's central directory, read from its end records; None if
    there is no end record (zipfile then says the file is not a zip)."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_len = min(size, 22 + 65_535)
    handle.seek(size - tail_len)
    tail = handle.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + 22 > len(tail):
        return None
    _, _, _, _, count, cd_size, cd_offset, _ = struct.unpack("<4s4H2LH", tail[pos:pos + 22])
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        start = size - tail_len + pos - 20
        if start >= 0:
            handle.seek(start)
            locator = handle.read(20)
            if locator[:4] == b"PK\x06\x07":
                (offset,) = struct.unpack("<Q", locator[8:16])
                handle.seek(offset)
                record = handle.read(56)
                if record[:4] == b"PK\x06\x06" and len(record) == 56:
                    count, cd_size = struct.unpack("<QQ", record[32:48])
    return int(count), int(cd_size)


def _check_directory(path: Path, label: str) -> None:
    with open(path, "rb") as handle:
        found = _directory_size(handle, label)
    if found is None:
        return
    count, cd_size = found
    if count > MAX_MEMBERS or cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise InputFileError(
            f"Archive {label} lists {count:,} members ({describe_bytes(cd_size)} of table of "
            f"contents), more than the {MAX_MEMBERS:,} allowed (a police.uk download of every "
            "force for three years has about 4,800). It was not opened. Split it into "
            "smaller archives, or extract the files you need.")


def zip_members(path: Path) -> list[zipfile.ZipInfo]:
    """The members of archive ``path`` (directories excluded), after the member-count check.

    Raises :class:`InputFileError` for a file that is not a zip, or lists too many members.
    """
    _check_directory(path, str(path))
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise InputFileError(
            f"{path} is not a valid zip archive ({exc}). If it was downloaded, download it "
            "again; if it is a CSV file, name it .csv.") from None
    if len(infos) > MAX_MEMBERS:
        raise InputFileError(
            f"Archive {path} holds {len(infos):,} members, more than the {MAX_MEMBERS:,} "
            "allowed. Split it into smaller archives.")
    return infos


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name)
            is not None or any(ord(c) < 32 for c in name))


def member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a member cannot be read safely (None when it can)."""
    name = info.filename
    if _unsafe_name(name):
        return ("its name is unsafe (an absolute path, '..' or control characters), so it "
                "was not read")
    if info.flag_bits & 0x1:
        return "it is encrypted (password-protected): extract it with the password first"
    if info.compress_type not in READABLE_METHODS:
        method = OTHER_METHODS.get(info.compress_type, f"method {info.compress_type}")
        return (f"it is compressed with {method}, which Python cannot read: re-zip the "
                "archive with ordinary (deflate) compression")
    if info.file_size > MAX_MEMBER_BYTES:
        return (f"it declares {describe_bytes(info.file_size)} uncompressed, more than the "
                f"{describe_bytes(MAX_MEMBER_BYTES)} allowed for one file")
    if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1):
        return (f"it would expand from {describe_bytes(info.compress_size)} to "
                f"{describe_bytes(info.file_size)}, more than {MAX_RATIO} times (a zip bomb?)")
    return None


class OpenArchives:
    """Zip archives kept open while their members are read (each opened once, not per member).

    Use as a context manager; :func:`open_entry` takes it to open members.
    """

    def __init__(self) -> None:
        self._open: dict[Path, zipfile.ZipFile] = {}

    def get(self, path: Path) -> zipfile.ZipFile:
        """The open archive at ``path``."""
        if path not in self._open:
            try:
                self._open[path] = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise InputFileError(f"{path} is not a valid zip archive ({exc}).") from None
        return self._open[path]

    def close(self) -> None:
        """Close every archive opened."""
        for archive in self._open.values():
            archive.close()
        self._open.clear()

    def __enter__(self) -> OpenArchives:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# --------------------------------------------------------------------------- streams


class _Guarded:
    """A read-only stream that counts what it gives and turns decoder errors into ours.

    ``consumed()`` (optional) says how many compressed bytes the decoder has taken so far:
    the ratio is then checked as the data stream, so a bomb built of repeated compressed
    blocks (gzip members, flushed deflate blocks) stops after
    :data:`~hotspots.io.limits.RATIO_GRACE_BYTES`, not at 100 times the whole file.
    """

    def __init__(self, stream: Any, *, label: str, compressed: int | None,
                 consumed: Callable[[], int] | None = None) -> None:
        self.stream = stream
        self.label = label
        self.compressed = compressed
        self.consumed = consumed
        self.limit = float("inf")  # a plain file: streamed, however long
        if compressed is not None:
            self.limit = min(MAX_MEMBER_BYTES, max(RATIO_GRACE_BYTES, MAX_RATIO * compressed))
        self.out = 0

    def read(self, n: int = -1) -> bytes:
        want = n if n is not None and n >= 0 else 1 << 20
        try:
            data = self.stream.read(want)
        except Exception as exc:
            raise _read_error(exc, self.label) from None
        self.out += len(data)
        if self.out > self.limit:
            self._bomb(self.compressed)
        if self.consumed is not None and self.out > RATIO_GRACE_BYTES:
            taken = max(int(self.consumed()), 1)
            if self.out > MAX_RATIO * taken:
                self._bomb(taken)
        return data

    def _bomb(self, compressed: int | None) -> None:
        limit = min(self.limit, self.out)
        ratio = (f", {self.out / max(compressed, 1):,.0f} times the {describe_bytes(compressed)} "
                 "of compressed data read" if compressed else "")
        raise InputFileError(
            f"{self.label} expands to more than {describe_bytes(limit)}{ratio}: past the "
            f"limit of {MAX_RATIO} to 1 for compressed data (a zip bomb, or not a crime "
            "file). It was not read.")

    def readline(self, limit: int = -1) -> bytes:  # pragma: no cover - not used by readers
        return self.read(limit)


def _consumed(raw: Any, info: zipfile.ZipInfo) -> Callable[[], int]:
    """How many compressed bytes ``raw`` (a zip member being read) has taken so far."""
    left = getattr(raw, "_compress_left", None)  # CPython's ZipExtFile; else the whole size
    if left is None:
        return lambda: info.compress_size
    return lambda: info.compress_size - raw._compress_left


def _read_error(exc: BaseException, label: str) -> InputFileError:
    """An error while decompressing or reading, as a message naming the file or member."""
    if isinstance(exc, InputFileError):
        return exc
    if isinstance(exc, EOFError):
        why = ("it is cut short: the compressed data end before their end marker (an "
               "incomplete download?). Download it again")
    elif isinstance(exc, gzip.BadGzipFile):
        why = f"it is not a valid gzip file ({exc}). Download it again, or give the CSV itself"
    elif isinstance(exc, zipfile.BadZipFile):
        why = f"it is damaged ({exc}). Download the archive again"
    elif isinstance(exc, zlib.error | lzma.LZMAError):
        why = f"its compressed data are damaged ({exc}). Download it again"
    elif isinstance(exc, NotImplementedError | RuntimeError):
        why = f"it cannot be decompressed ({exc})"
    else:
        why = f"it could not be read ({type(exc).__name__}: {exc})"
    return InputFileError(f"Could not read {label}: {why}.")


@contextmanager
def open_entry(entry: Entry, archives: OpenArchives | None = None) -> Iterator[BinaryIO]:
    """Open an entry as a guarded binary stream of CSV text (gzip decompressed on the fly).

    The stream raises :class:`InputFileError` naming the entry when the data are damaged or
    expand past the limits; files that are not text (zip, Excel, PDF, ...) are refused.
    """
    own = archives is None
    archives = archives or OpenArchives()
    label = entry.label
    try:
        if entry.member is None:
            raw: Any = open(entry.path, "rb")  # noqa: SIM115 - closed below
            size, deflated, info = os.path.getsize(entry.path), None, None
        else:
            archive = archives.get(entry.path)
            info = entry.info or archive.getinfo(entry.member)
            problem = member_problem(info)
            if problem:
                raise InputFileError(f"Could not read {label}: {problem}.")
            try:
                raw = archive.open(info)
            except Exception as exc:
                raise _read_error(exc, label) from None
            size = info.file_size
            deflated = None if info.compress_type == zipfile.ZIP_STORED else info.compress_size
        try:
            try:
                kind = sniff_kind(bytes(raw.peek(16)[:16]))
            except Exception as exc:  # a damaged member fails on its first bytes
                raise _read_error(exc, label) from None
            if kind == "gzip":
                with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                    yield _Guarded(unzipped, label=label, compressed=size,  # type: ignore[misc]
                                   consumed=raw.tell)
            elif kind != "text":
                raise InputFileError(f"{label} is {_NOT_CSV[kind]}.")
            elif entry.basename.lower().endswith(".gz"):
                raise InputFileError(
                    f"Could not read {label}: it is named .gz but is not gzip data. Rename it "
                    "without .gz if it is plain CSV.")
            else:
                yield _Guarded(raw, label=label, compressed=deflated,  # type: ignore[misc]
                               consumed=None if deflated is None else _consumed(raw, info))
        finally:
            raw.close()
    except (OSError, EOFError, zlib.error) as exc:  # opening, or closing a damaged stream
        raise _read_error(exc, label) from None
    finally:
        if own:
            archives.close()


def upload_header(name: str, data: bytes) -> list[str] | None:
    """The header of an uploaded CSV (plain or gzip), or None for archives and unreadable
    files; read through the same limits as every other input.

    Examples
    --------
    >>> upload_header("a.csv.gz", gzip.compress(b"Month,x\\n2022-01,1\\n"))
    ['Month', 'x']
    """
    raw = io.BytesIO(data)
    kind = sniff_kind(data[:16])
    if kind == "gzip":
        stream: Any = _Guarded(gzip.GzipFile(fileobj=raw, mode="rb"), label=name,
                               compressed=len(data), consumed=raw.tell)
    elif kind == "text":
        stream = _Guarded(raw, label=name, compressed=None)
    else:
        return None
    try:
        return CsvReader(stream, source=name).header() or None
    except InputFileError:
        return None


# --------------------------------------------------------------------------- listing


def _zip_entries(path: Path, notes: list[str]) -> list[Entry]:
    infos = zip_members(path)
    found, others, nested, refused, mac = [], [], [], [], 0
    for info in sorted(infos, key=lambda i: i.filename):
        name = info.filename
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if name.startswith("__MACOSX") or base.startswith("._"):
            mac += 1
            continue
        lower = base.lower()
        if lower.endswith(_ARCHIVE_SUFFIXES):
            nested.append(name)
        elif not lower.endswith(_CSV_SUFFIXES):
            others.append(name)
        else:
            problem = member_problem(info)
            if problem:
                refused.append(f"Skipped {path.name}:{name}: {problem}.")
            else:
                found.append(Entry(path, name, explicit=False, info=info))
    notes.extend(refused)
    if nested:
        notes.append(f"Skipped {len(nested):,} archive(s) inside {path.name} "
                     f"({_first(nested)}): archives inside archives are not opened; extract "
                     "them and give them as inputs.")
    if others:
        notes.append(f"Skipped {len(others):,} member(s) of {path.name} that are not CSV "
                     f"files ({_first(others)}).")
    if mac:
        notes.append(f"Skipped {mac:,} macOS metadata member(s) of {path.name} (__MACOSX, "
                     "._ files): they hold no data.")
    return _street_entries(found, path.name, notes, empty=(
        f"No crime CSV found in archive {path}: give a police.uk download (members such as "
        "2024-01/2024-01-force-street.csv) or the CSV files themselves."))


def _first(names: list[str], n: int = 3) -> str:
    shown = ", ".join(names[:n])
    return shown + (f" and {len(names) - n:,} more" if len(names) > n else "")


def _folder_entries(folder: Path, notes: list[str]) -> list[Entry]:
    found: list[Entry] = []
    others: list[str] = []
    n_files = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        n_files += 1
        if n_files > MAX_MEMBERS:
            raise InputFileError(
                f"Folder {folder} holds more than {MAX_MEMBERS:,} files; give a smaller "
                "folder (one force or a few months) or archives.")
        lower = path.name.lower()
        if lower.endswith(".zip"):
            try:
                found.extend(_zip_entries(path, notes))
            except InputFileError as exc:
                notes.append(f"Skipped {path}: {exc}")
        elif lower.endswith(_CSV_SUFFIXES):
            found.append(Entry(path, None, explicit=False))
        else:
            others.append(str(path.relative_to(folder)))
    if others:
        notes.append(f"Skipped {len(others):,} file(s) in {folder} that are not CSV or zip "
                     f"({_first(others)}).")
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
