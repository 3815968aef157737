"""Hostile archives and compressed files: damaged, truncated, encrypted, Deflate64, bombs by
ratio and by member count, nested archives, unsafe member names, files that lie about what
they are. Members found inside an archive are skipped with a note naming them; a file named
by the user that cannot be read is a clean error."""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from hotspots.errors import InputFileError
from tests.hostile.builders import HEADER
from tests.hostile.builders import N
from tests.hostile.builders import many_members
from tests.hostile.builders import patch_member
from tests.hostile.builders import police
from tests.hostile.builders import row
from tests.hostile.builders import write
from tests.hostile.builders import zip_bytes
from tests.hostile.cases_csv import load
from tests.hostile.expect import Case
from tests.hostile.expect import Loads
from tests.hostile.expect import Refuses

GOOD = police()


def member(month: int, force: str = "test") -> str:
    return f"2022-{month:02d}/2022-{month:02d}-{force}-street.csv"


def good_members(n: int = 2) -> list[tuple[str, str]]:
    return [(member(m), police([row(i, month=f"2022-{m:02d}") for i in range(N)]))
            for m in range(1, n + 1)]


Data = bytes | Callable[[], bytes]  # bytes, or a function making them when the case runs


def _bytes(data: Data) -> bytes:
    return data() if callable(data) else data


def zip_case(name: str, data: Data, expect: Any, *, filename: str = "archive.zip") -> Case:
    return Case(f"archive/{name}", lambda d: write(d, filename, _bytes(data)), expect, load)


def file_case(name: str, data: Data, expect: Any, filename: str) -> Case:
    return Case(f"archive/{name}", lambda d: write(d, filename, _bytes(data)), expect, load)


BOMB_LINE = b"," * 20_000_000  # a 20 MB line of commas: about 20 kB deflated


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def damaged_cases() -> list[Case]:
    two = zip_bytes([*good_members(2), (member(3), police([row(i, month="2022-03")
                                                           for i in range(N)]))])
    stored = zip_bytes(good_members(2), compression=zipfile.ZIP_STORED)
    gz = _gzip(GOOD.encode())
    return [
        zip_case("valid-three-members", two, Loads(3 * N)),
        zip_case("corrupt-member", patch_member(two, member(2), corrupt=True),
                 Loads(2 * N, notes=("2022-02-test-street.csv", "damaged|decompress"))),
        zip_case("stored-member-bad-crc", patch_member(stored, member(1), corrupt=True),
                 Loads(N, notes=("2022-01-test-street.csv", "damaged"))),
        zip_case("member-declares-fewer-bytes",
                 patch_member(two, member(1), file_size=100),
                 Loads(2 * N, notes=("2022-01-test-street.csv", "damaged|CRC"))),
        zip_case("truncated-archive", two[: len(two) // 2],
                 Refuses(("archive.zip", "not a valid zip archive", "download it again"),
                         InputFileError)),
        zip_case("not-a-zip", b"this is not a zip file\n" * 50,
                 Refuses(("archive.zip", "not a valid zip archive"), InputFileError)),
        zip_case("empty-archive", zip_bytes([]),
                 Refuses(("archive.zip", "No crime CSV found in archive"), InputFileError)),
        zip_case("only-a-folder", zip_bytes([("2022-01/", b"")]),
                 Refuses(("No crime CSV found in archive",), InputFileError)),
        zip_case("encrypted-member", patch_member(two, member(2), flag=0x1),
                 Loads(2 * N, notes=("2022-02-test-street.csv", "encrypted",
                                     "password"))),
        zip_case("deflate64-member", patch_member(two, member(3), method=9),
                 Loads(2 * N, notes=("2022-03-test-street.csv", "Deflate64", "re-zip"))),
        zip_case("zstandard-member", patch_member(two, member(3), method=93),
                 Loads(2 * N, notes=("Zstandard",))),
        zip_case("unknown-method-member", patch_member(two, member(3), method=77),
                 Loads(2 * N, notes=("method 77",))),
        zip_case("all-members-encrypted",
                 patch_member(zip_bytes(good_members(1)), member(1), flag=0x1),
                 Refuses(("No crimes loaded from", "archive.zip", "encrypted"),
                         InputFileError)),
        file_case("gz-corrupt", gz[:20] + bytes(b ^ 0x33 for b in gz[20:60]) + gz[60:],
                  Refuses(("street.csv.gz", "Could not read"), InputFileError),
                  "2022-01-test-street.csv.gz"),
        file_case("gz-truncated", gz[: len(gz) // 2],
                  Refuses(("street.csv.gz", "cut short", "Download it again"), InputFileError),
                  "2022-01-test-street.csv.gz"),
        file_case("gz-trailing-garbage", gz + b"garbage after the end" * 10,
                  Refuses(("street.csv.gz", "not a valid gzip file"), InputFileError),
                  "2022-01-test-street.csv.gz"),
        file_case("gz-two-streams", gz + gz,
                  Loads(2 * N, header_lines=1, notes=("street.csv.gz: removed 1 repeated header",)),
                  "2022-01-test-street.csv.gz"),
        file_case("gz-named-but-plain", GOOD.encode(),
                  Refuses(("street.csv.gz", "not gzip data", "Rename it"), InputFileError),
                  "2022-01-test-street.csv.gz"),
        file_case("gzip-named-csv", gz, Loads(N), "2022-01-test-street.csv"),
        file_case("xlsx-named-csv", zip_bytes([("[Content_Types].xml", "<Types/>"),
                                               ("xl/workbook.xml", "<workbook/>")]),
                  Refuses(("crimes.csv", "xlsx", "save the workbook as CSV"), InputFileError),
                  "crimes.csv"),
        file_case("xls-named-csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500,
                  Refuses(("crimes.csv", "Excel 97-2003"), InputFileError), "crimes.csv"),
        file_case("pdf-named-csv", b"%PDF-1.7\n" + b"x" * 300,
                  Refuses(("crimes.csv", "PDF"), InputFileError), "crimes.csv"),
        file_case("geopackage-named-csv", b"SQLite format 3\x00" + b"\x00" * 300,
                  Refuses(("crimes.csv", "SQLite"), InputFileError), "crimes.csv"),
        zip_case("member-is-xlsx", zip_bytes([*good_members(1), (
            member(2), zip_bytes([("xl/workbook.xml", "<workbook/>")]))]),
            Loads(N, notes=("2022-02-test-street.csv", "xlsx"))),
        zip_case("member-gzip-valid", zip_bytes([(member(1) + ".gz", _gzip(GOOD.encode()))]),
                 Loads(N)),
        zip_case("member-gzip-corrupt", zip_bytes([*good_members(1), (
            member(2) + ".gz", gz[: len(gz) // 2])], compression=zipfile.ZIP_STORED),
            Loads(N, notes=("2022-02-test-street.csv.gz", "cut short"))),
    ]


@cache
def _line_zip() -> bytes:
    return zip_bytes([(member(1), BOMB_LINE)])


def _rows() -> bytes:
    return (row(0) + "\n").encode() * 600_000  # valid rows, 100+ MB, ~1000 to 1 in gzip


def bomb_cases() -> list[Case]:
    line_zip = _line_zip
    return [
        zip_case("bomb-ratio-member", line_zip,
                 Refuses(("archive.zip", "2022-01-test-street.csv", "zip bomb"),
                         InputFileError)),
        zip_case("bomb-ratio-member-beside-good", lambda: zip_bytes([*good_members(1),
                                                                     (member(2), BOMB_LINE)]),
                 Loads(N, notes=("2022-02-test-street.csv", "more than 100 times"))),
        zip_case("bomb-lying-small-size",
                 lambda: patch_member(line_zip(), member(1), file_size=10_000),
                 Refuses(("archive.zip", "2022-01-test-street.csv"), InputFileError)),
        file_case("bomb-gzip-line", lambda: _gzip(HEADER.encode() + b"\n" + BOMB_LINE),
                  Refuses(("street.csv.gz", "expands to more than", "100 to 1"),
                          InputFileError), "2022-01-test-street.csv.gz"),
        file_case("bomb-gzip-valid-rows", lambda: _gzip(police().encode() + _rows()),
                  Refuses(("street.csv.gz", "expands to more than", "zip bomb"),
                          InputFileError), "2022-01-test-street.csv.gz"),
        zip_case("bomb-gzip-member", lambda: zip_bytes([*good_members(1), (
            member(2) + ".gz", _gzip(police().encode() + _rows()))],
            compression=zipfile.ZIP_STORED),
            Loads(N, notes=("2022-02-test-street.csv.gz", "expands to more than"))),
        zip_case("bomb-60000-members", lambda: many_members(60_000),
                 Refuses(("archive.zip", "lists 60,000 members", "50,000 allowed"),
                         InputFileError)),
        zip_case("bomb-end-record-claims-65535", many_members(3, claim=70_000),
                 Refuses(("archive.zip", "65,535 members"), InputFileError)),
    ]


def structure_cases() -> list[Case]:
    inner = zip_bytes(good_members(1))
    return [
        zip_case("nested-zip-beside-good", zip_bytes([*good_members(1),
                                                      ("2022-02/inner.zip", inner)]),
                 Loads(N, notes=("inner.zip", "archives inside archives"))),
        zip_case("nested-zip-only", zip_bytes([("inner.zip", inner)]),
                 Refuses(("No crimes", "inner.zip", "extract"), InputFileError)),
        zip_case("path-traversal-names", zip_bytes([
            *good_members(1), ("../../evil/2022-02-test-street.csv", GOOD),
            ("/etc/2022-03-test-street.csv", GOOD), ("C:\\x\\2022-04-test-street.csv", GOOD)]),
            Loads(N, notes=("unsafe",))),
        zip_case("readme-and-junk", zip_bytes([*good_members(1), ("README.txt", "hi"),
                                               ("__MACOSX/._x.csv", b"\x00\x05"),
                                               ("2022-01/._2022-01-test-street.csv", b"x")]),
                 Loads(N, notes=("README.txt.* not a police.uk", "macOS"))),
        zip_case("outcomes-skipped", zip_bytes([*good_members(1), (
            "2022-01/2022-01-test-outcomes.csv", "Crime ID,Month\nx,2022-01\n")]),
            Loads(N, notes=("outcomes/stop-and-search",))),
        zip_case("duplicate-member-names", zip_bytes([*good_members(1), *good_members(1)]),
                 Loads(N, notes=("once",))),
        zip_case("member-not-crimes", zip_bytes([*good_members(1), (
            "2022-02/notes.csv", "a,b\n1,2\n")]),
            Loads(N, notes=("notes.csv", "not a police.uk street-level crime file"))),
        zip_case("member-header-only", zip_bytes([*good_members(1), (member(2), police([]))]),
                 Loads(N, notes=("2022-02-test-street.csv", "header but no data rows"))),
        zip_case("many-one-row-members", lambda: zip_bytes(
            [(member(1, f"f{k}"), police([row(k)])) for k in range(2_000)]),
            Loads(2_000)),
    ]


def pooled_cases() -> list[Case]:
    """Small members are checked together (time grows with rows, not members); each
    member's faults are still its own."""
    def month(m: int, **changes: str) -> list[str]:
        return [row(i, month=f"2022-{m:02d}", **changes) for i in range(N)]

    swapped = [row(i, lon="53.80", lat="-1.55") for i in range(N)]
    header_again = [*month(2)[:6], HEADER, *month(2)[6:]]
    return [
        zip_case("pooled-member-swapped", zip_bytes([*good_members(3), (member(4), police(
            swapped))]), Loads(3 * N, notes=(r"Skipped archive.zip:2022-04/2022-04-test-street"
                                             r"\.csv: .*(Swap|swap)",))),
        zip_case("pooled-member-repeated-header", zip_bytes([*good_members(1), (
            member(2), police(header_again))]),
            Loads(2 * N, header_lines=1, notes=("2022-02-test-street.csv: removed 1 "
                                                "repeated header",))),
        zip_case("pooled-member-only-header-lines", zip_bytes([*good_members(1), (
            member(2), police([HEADER, HEADER]))]),
            Loads(N, notes=("2022-02-test-street.csv.* header but no data rows",))),
        zip_case("pooled-member-no-location", zip_bytes([*good_members(1), (
            member(2), police(month(2, lon="", lat="", location="No Location")))]),
            Loads(N, {"no coordinates": N})),
        zip_case("pooled-member-months-out-of-range", zip_bytes([*good_members(1), (
            member(2), police([row(i, month="9999-12") for i in range(N)]))]),
            Loads(N, {"month out of range": N})),
        zip_case("pooled-member-zero-coordinates", zip_bytes([*good_members(2), (
            member(3), police(month(3, lon="0", lat="0")))]),
            Loads(2 * N, {"zero coordinates (0, 0)": N})),
        zip_case("pooled-member-broken-rows", zip_bytes([*good_members(1), (
            member(2), police([*month(2)[:10], row(10) + ",extra", row(11)[:40]]))]),
            Loads(2 * N - 2, {"too many fields": 1, "too few fields": 1})),
    ]


def folder_cases() -> list[Case]:
    def build(folder: Path) -> Path:
        root = folder / "downloads"
        write(root, "2022-01-a-street.csv", GOOD)
        write(root, "broken.zip", b"PK\x03\x04 not really")
        write(root, "photo.jpg", b"\xff\xd8\xff\xe0")
        write(root, "sub/2022-02-a-street.csv.gz",
              gzip.compress(police([row(i, month="2022-02") for i in range(N)]).encode()))
        return root

    def build_bad(folder: Path) -> Path:
        root = folder / "downloads"
        write(root, "2022-01-a-street.csv", GOOD)
        write(root, "2022-02-a-street.csv.gz", zlib.compress(GOOD.encode()))
        return root

    return [
        Case("archive/folder-with-broken-zip-and-junk", build,
             Loads(2 * N, notes=("broken.zip", "photo.jpg")), load),
        Case("archive/folder-with-bad-gz", build_bad,
             Loads(N, notes=("2022-02-a-street.csv.gz", "not gzip data")), load),
    ]


def cases() -> list[Case]:
    return (damaged_cases() + bomb_cases() + structure_cases() + pooled_cases()
            + folder_cases())
