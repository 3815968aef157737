"""The limits every reader applies, in one place, each with where its value comes from.

The CSV reader (:mod:`hotspots.io.textcsv`), the archive opener (:mod:`hotspots.io.sources`)
and the config readers check these before they allocate anything, so a hostile or broken
file costs a bounded amount of memory and time and is refused (or its rows dropped) with a
message that names the limit. A faster reader (a columnar fast path) must apply the same
limits and the same drop reasons (:mod:`hotspots.io.report`).

Examples
--------
>>> MAX_FIELD_CHARS, MAX_RATIO
(32767, 100)
>>> describe_bytes(3 * 1024 ** 3)
'3.0 GiB'
"""

from __future__ import annotations

# The config files' limits live with the TOML reader (a base module); listed here too.
from hotspots.validation import MAX_CONFIG_BYTES
from hotspots.validation import MAX_CONFIG_DEPTH

__all__ = [
    "READ_BLOCK_BYTES",
    "MAX_HEADER_CHARS",
    "MAX_LINE_CHARS",
    "MAX_FIELD_CHARS",
    "MAX_RECORD_LINES",
    "MAX_COLUMNS",
    "MAX_MEMBERS",
    "MAX_CENTRAL_DIRECTORY_BYTES",
    "MAX_RATIO",
    "RATIO_GRACE_BYTES",
    "MAX_MEMBER_BYTES",
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "EARLIEST_YEAR",
    "LATEST_YEAR_AHEAD",
    "describe_bytes",
]

#: Bytes read from a (decompressing) stream at a time: memory per open file is a few of these.
READ_BLOCK_BYTES = 1 << 20
#: The longest header line read (characters). The widest real crime file (a force extract
#: of ~200 columns) has a header of a few thousand characters.
MAX_HEADER_CHARS = 65_536
#: The longest line (characters) read as a row; a longer line is skipped without being held
#: in memory and counted as dropped ("line too long"). A police.uk row is about 250
#: characters; 1 MiB holds 32 fields at the field limit.
MAX_LINE_CHARS = 1 << 20
#: The longest field (characters): Excel's limit on the text in one cell (Microsoft, "Excel
#: specifications and limits": 32,767 characters), so no spreadsheet export holds longer.
MAX_FIELD_CHARS = 32_767
#: Lines one record of a mapped (non-police.uk) CSV may span: quoted fields may hold line
#: breaks (Excel writes them for multi-line notes). A quote that is never closed would
#: otherwise swallow the rest of the file. police.uk files never break a field, so there a
#: record is always one line.
MAX_RECORD_LINES = 20
#: The most columns a header may have: Excel's limit on columns in a sheet (16,384).
MAX_COLUMNS = 16_384
#: The most members an archive may list. A police.uk download of every force for 36 months
#: has about 4,800 (street, outcomes and stop-and-search files); ten times that is allowed.
MAX_MEMBERS = 50_000
#: The largest central directory (the archive's table of contents) read: about 400 bytes
#: per member at MAX_MEMBERS (police.uk member names are ~50 characters; a record is 46
#: bytes plus its name and extra fields).
MAX_CENTRAL_DIRECTORY_BYTES = 400 * MAX_MEMBERS
#: The most a compressed stream may expand (uncompressed / compressed bytes): Apache POI's
#: zip-bomb guard (``ZipSecureFile``) refuses entries that inflate more than 100 times
#: (its minimum inflate ratio, 0.01). police.uk CSVs deflate about 5 to 1.
MAX_RATIO = 100
#: The ratio is enforced only past this many uncompressed bytes: tiny, repetitive files
#: (a header and a few identical rows) compress far better than 100 to 1 and are harmless.
RATIO_GRACE_BYTES = 16 << 20
#: The most bytes one compressed member or file may expand to (ZIP's own 32-bit size limit,
#: 4 GiB, which Apache POI also uses as its maximum entry size); police.uk files are < 50 MB.
MAX_MEMBER_BYTES = 4 << 30
#: Months before January of this year are out of range ("month out of range"): recorded
#: crime data in digital form do not predate it, and pandas cannot hold dates before 1677.
EARLIEST_YEAR = 1900
#: Months more than this many years after the current year are out of range (a typo, such
#: as 2204 for 2024, not a future crime).
LATEST_YEAR_AHEAD = 1


def describe_bytes(n: float) -> str:
    """A byte count for people: ``'16.0 MiB'``."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GiB"  # pragma: no cover
