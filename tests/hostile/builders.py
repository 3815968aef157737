"""Small, deterministic builders for hostile inputs: police.uk rows, mappings, zips.

Every file is generated here, in the test's temporary folder (no binary blobs are
committed). Zip archives are written with :mod:`zipfile` and then patched where a hostile
feature cannot be written directly (encryption flags, Deflate64, lying sizes, a table of
contents listing tens of thousands of members).
"""

from __future__ import annotations

import io
import json
import struct
import warnings
import zipfile
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hotspots.io.policeuk import POLICE_UK_COLUMNS

HEADER = ",".join(POLICE_UK_COLUMNS)
#: Rows in a generated file (all valid unless a case breaks some).
N = 12
CATEGORIES = ("Burglary", "Robbery", "Vehicle crime", "Anti-social behaviour")


def fields(i: int, *, month: str = "2022-01", lon: str | None = None, lat: str | None = None,
           location: str | None = None, category: str | None = None) -> list[str]:
    """The 12 fields of valid police.uk row ``i`` (Leeds, a few hundred metres apart)."""
    return [
        f"id{i:04d}", month, "West Yorkshire Police", "West Yorkshire Police",
        lon if lon is not None else f"{-1.55 + 0.001 * (i % 7):.6f}",
        lat if lat is not None else f"{53.80 + 0.001 * (i % 5):.6f}",
        location if location is not None else f"On or near Street {i % 4}",
        "E01011365", "Leeds 111B",
        category if category is not None else CATEGORIES[i % len(CATEGORIES)],
        "Under investigation", "",
    ]


def row(i: int, **changes: str) -> str:
    """Row ``i`` as a CSV line (fields joined by commas, not quoted)."""
    return ",".join(fields(i, **changes))


def police(lines: Iterable[str] | None = None, *, n: int = N, eol: str = "\n",
           header: str = HEADER, last_eol: bool = True) -> str:
    """A police.uk file: the header and ``lines`` (default: ``n`` valid rows)."""
    body = list(lines) if lines is not None else [row(i) for i in range(n)]
    return eol.join([header, *body]) + (eol if last_eol else "")


def rows_with(n: int = N, **by_index: str) -> list[str]:
    """``n`` valid rows, with the rows named ``r<i>`` replaced by the given text."""
    return [by_index.get(f"r{i}", row(i)) for i in range(n)]


def write(folder: Path, name: str, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


# --------------------------------------------------------------------------- mapped files

#: A mapped file's columns, and rows of it (Nottingham, lon/lat).
MAPPED_HEADER = ("lon", "lat", "month", "type", "notes")


def mapped_rows(n: int = N, *, sep: str = ",") -> list[str]:
    return [sep.join([f"{-1.15 + 0.001 * (i % 6):.5f}", f"{52.95 + 0.001 * (i % 4):.5f}",
                      "2022-01", CATEGORIES[i % 3], f"note {i}"]) for i in range(n)]


def mapped(lines: Iterable[str] | None = None, *, n: int = N, sep: str = ",",
           eol: str = "\n") -> str:
    body = list(lines) if lines is not None else mapped_rows(n, sep=sep)
    return eol.join([sep.join(MAPPED_HEADER), *body]) + eol


def toml_value(value: Any) -> str:
    """A TOML literal for str, bool, int, float, list or dict (inline table)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(value)


def toml(data: dict[str, Any]) -> str:
    """A TOML document: top-level keys, then one [table] per dict value."""
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in data.items()
             if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines.append(f"[{json.dumps(key)}]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def mapping(**changes: Any) -> dict[str, Any]:
    """The mapping for :func:`mapped` files, with top-level keys replaced or added."""
    base: dict[str, Any] = {"crs": "EPSG:4326", "columns": {"x": "lon", "y": "lat",
                                                            "month": "month",
                                                            "category": "type"}}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


# --------------------------------------------------------------------------- zips


def zip_bytes(members: Sequence[tuple[str, bytes | str]], *,
              compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf, \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are wanted here
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def _central_entries(data: bytes) -> dict[str, int]:
    """Member name -> offset of its central directory record."""
    end = data.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HLL", data[end + 10:end + 20])
    out, pos = {}, offset
    for _ in range(count):
        n_name, n_extra, n_comment = struct.unpack("<HHH", data[pos + 28:pos + 34])
        out[data[pos + 46:pos + 46 + n_name].decode("utf-8", "replace")] = pos
        pos += 46 + n_name + n_extra + n_comment
    return out


def patch_member(data: bytes, name: str, *, flag: int | None = None,
                 method: int | None = None, file_size: int | None = None,
                 corrupt: bool = False) -> bytes:
    """``data`` (a zip) with member ``name``'s headers changed, or its data damaged."""
    out = bytearray(data)
    central = _central_entries(data)[name]
    (local,) = struct.unpack("<L", data[central + 42:central + 46])
    if flag is not None:
        for at in (local + 6, central + 8):
            old = struct.unpack("<H", out[at:at + 2])[0]
            out[at:at + 2] = struct.pack("<H", old | flag)
    if method is not None:
        for at in (local + 8, central + 10):
            out[at:at + 2] = struct.pack("<H", method)
    if file_size is not None:
        out[local + 22:local + 26] = struct.pack("<L", file_size)
        out[central + 24:central + 28] = struct.pack("<L", file_size)
    if corrupt:
        n_name, n_extra = struct.unpack("<HH", data[local + 26:local + 30])
        start = local + 30 + n_name + n_extra
        (size,) = struct.unpack("<L", data[central + 20:central + 24])
        for k in range(start + size // 3, start + 2 * size // 3):
            out[k] ^= 0x5A
    return bytes(out)


def many_members(n: int, *, claim: int | None = None) -> bytes:
    """A zip of ``n`` empty stored members, written by hand (fast); ``claim`` makes its end
    record say it holds that many instead."""
    local, central = bytearray(), bytearray()
    for i in range(n):
        name = f"m{i}.csv".encode()
        offset = len(local)
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0,
                             len(name), 0) + name
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0,
                               len(name), 0, 0, 0, 0, 0, offset) + name
    count = n if claim is None else claim
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF),
                      min(count, 0xFFFF), len(central), len(local), 0)
    return bytes(local + central + end)


# --------------------------------------------------------------------------- bombs


def gzip_repeated(block: bytes, times: int) -> bytes:
    """A gzip file of ``times`` members, each ``block`` compressed: it expands to
    ``times * len(block)`` bytes while costing only ``times`` small members to write."""
    import gzip

    member = gzip.compress(block, compresslevel=9, mtime=0)
    return member * times


def deflate_repeated(block: bytes, times: int) -> bytes:
    """A raw deflate stream of ``block`` ``times`` over, built from one fully flushed block
    repeated (each is self-contained), then an empty final block."""
    import zlib

    encoder = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = encoder.compress(block) + encoder.flush(zlib.Z_FULL_FLUSH)
    return segment * times + b"\x03\x00"


def zip_raw_member(name: str, deflated: bytes, *, file_size: int, crc: int = 0) -> bytes:
    """A zip of one deflated member written by hand, declaring ``file_size`` (which may lie)."""
    raw_name = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated),
                        file_size, len(raw_name), 0) + raw_name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                          len(deflated), file_size, len(raw_name), 0, 0, 0, 0, 0, 0) + raw_name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central),
                      len(local) + len(deflated), 0)
    return local + deflated + central + end
