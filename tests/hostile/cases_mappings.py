"""Hostile column mappings (TOML files): every key with a bad type or value, delimiters,
encodings and formats that cannot work, and files that are not TOML, too deep or too big.
Each is refused before any data is read, naming the mapping file, the key and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hotspots.errors import ColumnMappingError
from hotspots.io import load_crimes
from hotspots.io.config import CONSTANT_KEYS
from hotspots.io.config import MAPPING_KEYS
from tests.hostile.builders import N
from tests.hostile.builders import mapped
from tests.hostile.builders import mapping
from tests.hostile.builders import toml
from tests.hostile.builders import write
from tests.hostile.expect import Case
from tests.hostile.expect import Loads
from tests.hostile.expect import Refuses

TOML = "mapping.toml"


def load_with_file(inputs: tuple[Path, Path]) -> Any:
    return load_crimes(inputs[0], mapping=inputs[1])


def toml_case(name: str, text: str | bytes, expect: Any, *, data: str | None = None) -> Case:
    """The standard mapped file, with the mapping written as ``text`` to mapping.toml."""
    return Case(f"mapping/{name}",
                lambda d: (write(d, "mapped.csv", data if data is not None else mapped()),
                           write(d, TOML, text)),
                expect, load_with_file)


def key_case(name: str, expect: Any, columns: dict | None = None, **changes: Any) -> Case:
    """The standard mapping with top-level keys (or ``[columns]``) changed."""
    base = mapping(**changes)
    if columns is not None:
        base["columns"] = {k: v for k, v in {**base["columns"], **columns}.items()
                           if v is not None}
    return toml_case(name, toml(base), expect)


def bad(*says: str) -> Refuses:
    return Refuses((TOML, *says), ColumnMappingError)


def key_cases() -> list[Case]:
    return [
        key_case("valid", Loads(N)),
        key_case("crs-missing", bad("'crs'", "required", "EPSG:4326"), crs=None),
        key_case("crs-number-4326", Loads(N), crs=4326),
        key_case("crs-bool", bad("'crs'", "CRS name"), crs=True),
        key_case("crs-list", bad("'crs'", "CRS name"), crs=["EPSG:4326"]),
        key_case("crs-table", bad("'crs'", "CRS name"), crs={"epsg": 4326}),
        key_case("crs-empty", bad("'crs'", "not a CRS pyproj knows"), crs=""),
        key_case("crs-unknown", bad("'crs'", "not a CRS pyproj knows"), crs="EPSG:0"),
        key_case("crs-geocentric", bad("'crs'", "geocentric"), crs="EPSG:4978"),
        key_case("crs-engineering", bad("'crs'", "engineering"),
                 crs='LOCAL_CS["grid",LOCAL_DATUM["x",0],UNIT["metre",1]]'),
        key_case("crs-script", bad("'crs'", "not a CRS pyproj knows"),
                 crs="<script>alert(1)</script>"),
        key_case("columns-x-missing", bad("'columns.x'", "required"), columns={"x": None}),
        key_case("columns-x-number", bad("'columns.x'", "string"), columns={"x": 3}),
        key_case("columns-x-empty", bad("'columns.x'"), columns={"x": ""}),
        key_case("columns-x-list", bad("'columns.x'", "string"), columns={"x": ["lon"]}),
        key_case("columns-x-not-in-file", bad("longitude", "mapped.csv", "lon"),
                 columns={"x": "longitude"}),
        key_case("columns-y-table", bad("'columns.y'"), columns={"y": {"a": 1}}),
        key_case("columns-no-month-or-date", bad("'columns'", "month or a date"),
                 columns={"month": None}),
        key_case("columns-no-category", bad("'columns'", "category"),
                 columns={"category": None}),
        key_case("columns-unknown-key", bad("'columns.lattitude'"),
                 columns={"lattitude": "lat"}),
        key_case("columns-weight-bool", bad("'columns.weight'"), columns={"weight": False}),
        key_case("columns-flags-number", bad("'columns.flags"), columns={"flags": 7}),
        key_case("columns-flags-nested", bad("'columns.flags"), columns={"flags": [["a"]]}),
        toml_case("columns-not-a-table", 'crs = "EPSG:4326"\ncolumns = "lon"\n',
                  bad("'columns'")),
        key_case("constants-category-table", bad("'constants.category'"),
                 constants={"category": {"a": 1}}),
        key_case("constants-and-column", bad("'constants.category'", "keep one"),
                 constants={"category": "Burglary"}),
        key_case("constants-unknown", bad("'constants.colour'"), constants={"colour": "red"}),
        key_case("unknown-top-key", bad("'colums'"), colums={"x": "lon"}),
        key_case("delimiter-empty", bad("'delimiter'", "one character"), delimiter=""),
        key_case("delimiter-two-chars", bad("'delimiter'", "one character"), delimiter=";;"),
        key_case("delimiter-word", bad("'delimiter'", "one character"), delimiter="comma"),
        key_case("delimiter-number", bad("'delimiter'"), delimiter=1),
        key_case("delimiter-quote", bad("'delimiter'", "cannot separate"), delimiter='"'),
        key_case("delimiter-newline", bad("'delimiter'", "cannot separate"), delimiter="\n"),
        key_case("delimiter-letter", bad("'delimiter'", "letter or digit"), delimiter="a"),
        key_case("delimiter-nul", bad("'delimiter'"), delimiter="\x00"),
        key_case("encoding-bogus", bad("'encoding'", "bogus"), encoding="bogus-8"),
        key_case("encoding-number", bad("'encoding'"), encoding=8),
        key_case("encoding-empty", bad("'encoding'"), encoding=""),
        key_case("encoding-not-text", bad("'encoding'", "rot13"), encoding="rot13"),
        key_case("encoding-base64", bad("'encoding'", "base64"), encoding="base64"),
        key_case("encoding-utf16-declared-valid", Loads(N), encoding="utf-8"),
        key_case("month-format-bogus", bad("'month_format'"), month_format="%Q-%Z"),
        key_case("month-format-empty", bad("'month_format'"), month_format=""),
        key_case("month-format-number", bad("'month_format'"), month_format=12),
        key_case("month-format-no-year", bad("'month_format'"), month_format="%m"),
        key_case("date-format-no-day", bad("'date_format'"), date_format="%m/%Y",
                 columns={"month": None, "date": "month"}),
        key_case("date-format-literal", bad("'date_format'"), date_format="yesterday",
                 columns={"month": None, "date": "month"}),
        key_case("date-format-list", bad("'date_format'"), date_format=["%Y"],
                 columns={"month": None, "date": "month"}),
    ]


def every_key_cases() -> list[Case]:
    """Each ``[columns]`` key given a number, and each ``[constants]`` key a list."""
    out = [key_case(f"columns-{key}-int", bad(f"'columns.{key}'", "string"),
                    columns={key: 12}) for key in MAPPING_KEYS]
    out += [key_case(f"constants-{key}-list", bad(f"'constants.{key}'"),
                     constants={key: ["a", "b"]}) for key in CONSTANT_KEYS]
    return out


def file_cases() -> list[Case]:
    deep = "x = " + "[" * 200 + "]" * 200 + "\n"
    tables = "".join(f"[{'.'.join(['a'] * k)}]\n" for k in range(1, 60))
    good = toml(mapping())
    return [
        toml_case("toml-syntax-error", 'crs = "EPSG:4326\n[columns\nx = lon\n',
                  bad("not valid TOML")),
        toml_case("toml-empty", "", bad("'crs'")),
        toml_case("toml-binary", bytes(range(256)) * 4, bad()),
        toml_case("toml-nul-byte", good.encode() + b"\x00", bad()),
        toml_case("toml-utf16", good.encode("utf-16"), bad()),
        toml_case("toml-deep-array", deep + good, bad("deep")),
        toml_case("toml-deep-array-100k", "x = " + "[" * 100_000 + "]" * 100_000 + "\n" + good,
                  bad("deep")),
        toml_case("toml-deep-inline-tables", "x = " + "{a = " * 5_000 + "1" + "}" * 5_000
                  + "\n" + good, bad("deep")),
        toml_case("toml-deep-tables", good + tables, bad("deep")),
        toml_case("toml-huge", good + "# " + "x" * (2 << 20) + "\n", bad("bytes")),
        toml_case("toml-duplicate-key", 'crs = "EPSG:4326"\ncrs = "EPSG:27700"\n',
                  bad("not valid TOML")),
        toml_case("toml-is-csv", mapped(), bad("not valid TOML")),
        toml_case("toml-html-in-key", good.replace('"x" = "lon"', '"<b>x</b>" = "lon"'),
                  bad("<b>x</b>")),
        Case("mapping/toml-missing", lambda d: (write(d, "mapped.csv", mapped()),
                                                d / "missing.toml"),
             Refuses(("missing.toml",)), load_with_file),
        Case("mapping/toml-is-a-folder", lambda d: (write(d, "mapped.csv", mapped()),
                                                    (d / "folder.toml").mkdir() or
                                                    d / "folder.toml"),
             Refuses(("folder.toml",)), load_with_file),
    ]


def cases() -> list[Case]:
    return key_cases() + every_key_cases() + file_cases()
