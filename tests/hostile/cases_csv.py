"""Hostile CSV text: encodings, line endings, delimiters, quotes, fields, headers, sizes,
NUL bytes, formulas, HTML and Unicode tricks. Each case with its expected outcome."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotspots.errors import ColumnMappingError
from hotspots.errors import EmptyFileError
from hotspots.errors import InputFileError
from hotspots.errors import NotCrimeFileError
from hotspots.io import load_crimes
from hotspots.schema import POLICE_UK_CATEGORIES
from tests.hostile.builders import HEADER
from tests.hostile.builders import MAPPED_HEADER
from tests.hostile.builders import N
from tests.hostile.builders import fields
from tests.hostile.builders import mapped
from tests.hostile.builders import mapped_rows
from tests.hostile.builders import mapping
from tests.hostile.builders import police
from tests.hostile.builders import row
from tests.hostile.builders import rows_with
from tests.hostile.builders import write
from tests.hostile.expect import Case
from tests.hostile.expect import Loads
from tests.hostile.expect import Refuses

FILE = "2022-01-test-street.csv"
EOLS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def load(path: Any) -> Any:
    return load_crimes(path)


def load_mapped(inputs: tuple[Path, dict]) -> Any:
    return load_crimes(inputs[0], mapping=inputs[1])


def police_case(name: str, data: str | bytes, expect: Any, *, filename: str = FILE,
                encoding: str = "utf-8") -> Case:
    return Case(f"csv/{name}", lambda d: write(d, filename, data, encoding=encoding), expect,
                load)


def mapped_case(name: str, data: str | bytes, expect: Any, *, filename: str = "mapped.csv",
                file_encoding: str = "utf-8", **changes: Any) -> Case:
    return Case(f"csv/{name}",
                lambda d: (write(d, filename, data, encoding=file_encoding), mapping(**changes)),
                expect, load_mapped)


# --------------------------------------------------------------------------- checks


def valid_categories(crimes: Any, report: Any) -> None:
    """No field shifted into the category (the LSOA name, a coordinate, ...)."""
    assert set(crimes["category"]) <= set(POLICE_UK_CATEGORIES), set(crimes["category"])
    assert set(crimes["lsoa_name"]) == {"Leeds 111B"}, set(crimes["lsoa_name"])


def has_location(text: str) -> Callable[[Any, Any], None]:
    """The location read as written (the loaders strip surrounding spaces and tabs)."""
    text = text.strip()

    def check(crimes: Any, report: Any) -> None:
        assert text in set(crimes["location"]), (text, sorted(set(crimes["location"]))[:5])
        valid_categories(crimes, report)
    return check


def has_column(column: str, text: str) -> Callable[[Any, Any], None]:
    def check(crimes: Any, report: Any) -> None:
        assert text in set(crimes[column]), (text, sorted(set(crimes[column]))[:5])
    return check


# --------------------------------------------------------------------------- encodings

CAFE = "On or near Café Street"
ENCODINGS: dict[str, tuple[Callable[[str], bytes], tuple[str, ...]]] = {
    "utf8": (lambda t: t.encode("utf-8"), ()),
    "utf8-bom": (lambda t: t.encode("utf-8-sig"), ()),
    "utf16le-bom": (lambda t: t.encode("utf-16"), ()),
    "utf16be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), ()),
    "utf16le-nobom": (lambda t: t.encode("utf-16-le"), (r"UTF-16 \(little-endian\)",)),
    "utf16be-nobom": (lambda t: t.encode("utf-16-be"), (r"UTF-16 \(big-endian\)",)),
    "utf32-bom": (lambda t: t.encode("utf-32"), ()),
    "cp1252": (lambda t: t.encode("cp1252"), ("Windows-1252",)),
    "latin1": (lambda t: t.encode("latin-1"), ("Windows-1252",)),
}


def encoding_cases() -> list[Case]:
    out = []
    for enc, (encode, notes) in ENCODINGS.items():
        for eol_name, eol in EOLS.items():
            text = police([row(i, location=CAFE) for i in range(N)], eol=eol)
            out.append(police_case(f"encoding-{enc}-{eol_name}", encode(text),
                                   Loads(N, notes=notes, check=has_location(CAFE))))
    tsv = "\r\n".join(["\t".join(MAPPED_HEADER),
                       *(r.replace(",", "\t") for r in mapped_rows())]) + "\r\n"
    cafe_rows = [r.replace("Burglary", "Café burglary") for r in mapped_rows(sep=";")]
    police_text = police([row(i, location=CAFE) for i in range(N)], eol="\r\n")
    for sep_name, sep in (("tsv", "\t"), ("semicolon", ";")):
        # a police.uk file saved by a spreadsheet: "Unicode text" (UTF-16, tabs) or a
        # European-locale CSV (semicolons); no mapping needed
        for enc in ("utf16le-bom", "utf8"):
            out.append(police_case(f"policeuk-{sep_name}-{enc}-crlf",
                                   ENCODINGS[enc][0](police_text.replace(",", sep)),
                                   Loads(N, check=has_location(CAFE))))
    out += [
        Case("csv/utf16-tsv-crlf-declared",
             lambda d: (write(d, "export.tsv", tsv.encode("utf-16")),
                        mapping(delimiter="\t", encoding="utf-16")), Loads(N), load_mapped),
        Case("csv/utf16-tsv-crlf-undeclared",  # the BOM says UTF-16 without being told
             lambda d: (write(d, "export.tsv", tsv.encode("utf-16")),
                        mapping(delimiter="\t")), Loads(N), load_mapped),
        mapped_case("cp1252-declared-semicolon", mapped(cafe_rows, sep=";"),
                    Loads(N, check=has_column("category", "Café burglary")),
                    file_encoding="cp1252", delimiter=";", encoding="cp1252"),
        mapped_case("cp1252-undeclared-semicolon", mapped(cafe_rows, sep=";"),
                    Loads(N, notes=("Windows-1252",),
                          check=has_column("category", "Café burglary")),
                    file_encoding="cp1252", delimiter=";"),
        mapped_case("utf8-declared-but-cp1252-row",
                    mapped(mapped_rows()[:3] + [mapped_rows()[3].replace("note", "caf\xe9")]
                           + mapped_rows()[4:]).encode("utf-8").replace(b"caf\xc3\xa9",
                                                                        b"caf\xe9"),
                    Loads(N - 1, {"undecodable text": 1}), encoding="utf-8"),
        mapped_case("bom-overrides-declared-latin1", mapped().encode("utf-8-sig"),
                    Loads(N, notes=("byte-order mark",)), encoding="latin-1"),
        mapped_case("utf16-declared-but-utf8", mapped(),
                    Refuses(("mapped.csv", "not utf-16 text", "encoding"), InputFileError),
                    encoding="utf-16"),
    ]
    return out


# --------------------------------------------------------------------------- delimiters


def delimiter_cases() -> list[Case]:
    out = []
    for sep_name, sep in {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|",
                          "colon": ":"}.items():
        for eol_name, eol in EOLS.items():
            out.append(mapped_case(f"delimiter-{sep_name}-{eol_name}",
                                   mapped(sep=sep, eol=eol), Loads(N),
                                   **({} if sep == "," else {"delimiter": sep})))
    out.append(mapped_case("delimiter-mismatch", mapped(sep=";"),
                           Refuses(("mapped.csv", "lacks columns", "lon"),
                                   ColumnMappingError)))
    return out


# --------------------------------------------------------------------------- quotes


def quoted(values: list[str]) -> str:
    return ",".join('"' + v.replace('"', '""') + '"' for v in values)


def quote_cases() -> list[Case]:
    stray = row(3, location='"On or near Broken')
    lines_break = [row(i) for i in range(3)] + [
        ",".join(fields(3)[:6] + ['"On or near']),
        "Park\"," + ",".join(fields(3)[7:])] + [row(i) for i in range(4, N)]
    out = [
        police_case("quotes-every-field", police([quoted(fields(i)) for i in range(N)]),
                    Loads(N, check=valid_categories)),
        police_case("quotes-comma-in-location",
                    police(rows_with(r2=",".join(fields(2)[:6] + ['"On or near Park, Hill"']
                                                  + fields(2)[7:]))),
                    Loads(N, check=has_location("On or near Park, Hill"))),
        police_case("quotes-doubled", police(rows_with(
            r2=",".join(fields(2)[:6] + ['"On or near ""The"" Lane"'] + fields(2)[7:]))),
            Loads(N, check=has_location('On or near "The" Lane'))),
        police_case("quotes-stray-opening", police(rows_with(r3=stray)),
                    Loads(N - 1, {"unbalanced quote": 1}, check=valid_categories)),
        police_case("quotes-stray-last-row", police(rows_with(r11=row(11, location='"Oops'))),
                    Loads(N - 1, {"unbalanced quote": 1})),
        police_case("quotes-two-stray", police(rows_with(r3=stray, r8=row(8, location='"X'))),
                    Loads(N - 2, {"unbalanced quote": 2}, check=valid_categories)),
        police_case("quotes-inside-value", police(rows_with(
            r4=row(4, location='On or near O"Brien Street'))),
            Loads(N, check=has_location('On or near O"Brien Street'))),
        police_case("quotes-text-after-closing", police(rows_with(
            r4=row(4, location='"On or near"X'))), Loads(N, check=has_location("On or nearX"))),
        police_case("quotes-line-break-in-field", police(lines_break),
                    Loads(N - 1, {"unbalanced quote": 1, "too few fields": 1})),
        police_case("quotes-closing-on-later-line", police(rows_with(
            r3=stray, r6=row(6, location='On or near B"'))),
            Loads(N - 1, {"unbalanced quote": 1}, check=valid_categories)),
        police_case("quotes-unterminated-at-eof",
                    police(rows_with(r11=row(11, location='"On or near End')), last_eol=False),
                    Loads(N - 1, {"unbalanced quote": 1}, notes=("truncated",))),
    ]
    rows = mapped_rows()
    multi = rows[:4] + [rows[4].replace("note 4", '"line one\nline two, still"')] + rows[5:]
    open_only = rows[:4] + [rows[4].replace("note 4", '"unclosed')] + rows[5:]
    closed_later = (rows[:4] + [rows[4].replace("note 4", '"open')] + rows[5:7]
                    + [rows[7].replace("note 7", 'close"')] + rows[8:])
    out += [
        mapped_case("quotes-mapped-multiline-field", mapped(multi),
                    Loads(N, notes=("line breaks inside quoted fields",))),
        mapped_case("quotes-mapped-stray", mapped(open_only),
                    Loads(N - 1, {"unbalanced quote": 1})),
        mapped_case("quotes-mapped-stray-closed-rows-later", mapped(closed_later),
                    Loads(N - 1, {"unbalanced quote": 1})),
        mapped_case("quotes-mapped-delimiters-inside",
                    mapped(rows[:2] + [rows[2].replace("note 2", '"a, b; c"')] + rows[3:]),
                    Loads(N)),
    ]
    return out


# --------------------------------------------------------------------------- fields


def field_cases() -> list[Case]:
    cut = row(11)
    return [
        police_case("fields-extra-comma-in-location",
                    police(rows_with(r5=row(5, location="On or near Park, Hill"))),
                    Loads(N - 1, {"too many fields": 1}, check=valid_categories)),
        police_case("fields-one-missing", police(rows_with(r5=",".join(fields(5)[:11]))),
                    Loads(N - 1, {"too few fields": 1})),
        police_case("fields-thirty", police(rows_with(r5=row(5) + "," * 18)),
                    Loads(N - 1, {"too many fields": 1})),
        police_case("fields-all-empty", police(rows_with(r5="," * 11)),
                    Loads(N - 1, {"no coordinates": 1})),
        police_case("fields-spaces-line", police(rows_with(r5="     ") + [row(5)]),
                    Loads(N, notes=("blank line",))),
        police_case("fields-blank-lines", police([row(0), "", "", row(1), ""]
                                                 + [row(i) for i in range(2, N)]),
                    Loads(N, notes=("skipped 3 blank",))),
        police_case("fields-truncated-in-category",
                    police(rows_with(r11=cut[:cut.index(fields(11)[9]) + 2]), last_eol=False),
                    Loads(N - 1, {"too few fields": 1}, notes=("truncated",),
                          check=valid_categories)),
        police_case("fields-truncated-in-outcome",
                    police(rows_with(r11=cut[:cut.index("Under investigation") + 9]),
                           last_eol=False),
                    Loads(N - 1, {"too few fields": 1}, notes=("truncated",))),
        police_case("fields-no-final-line-break", police(last_eol=False), Loads(N)),
        mapped_case("fields-mapped-extra", mapped(mapped_rows()[:3] + [mapped_rows()[3] + ",x"]
                                                  + mapped_rows()[4:]),
                    Loads(N - 1, {"too many fields": 1})),
        mapped_case("fields-mapped-missing",
                    mapped(mapped_rows()[:3] + [mapped_rows()[3].rsplit(",", 1)[0]]
                           + mapped_rows()[4:]), Loads(N - 1, {"too few fields": 1})),
    ]


# --------------------------------------------------------------------------- headers


def header_cases() -> list[Case]:
    rows = [row(i) for i in range(N)]
    return [
        police_case("header-repeated-twice", police(rows[:5] + [HEADER] + rows[5:9] + [HEADER]
                                                    + rows[9:]),
                    Loads(N, header_lines=2, notes=("repeated header line",))),
        police_case("header-repeated-with-bom", police(rows[:6] + ["\ufeff" + HEADER]
                                                       + rows[6:]),
                    Loads(N, header_lines=1)),
        mapped_case("header-mapped-repeated",
                    mapped(mapped_rows()[:6] + [",".join(MAPPED_HEADER)] + mapped_rows()[6:]),
                    Loads(N, header_lines=1)),
        police_case("header-only", HEADER + "\n",
                    Refuses((FILE, "header but no data rows"), EmptyFileError)),
        police_case("header-twice-only", HEADER + "\n" + HEADER + "\n",
                    Refuses((FILE, "header but no data rows"), EmptyFileError)),
        police_case("header-empty-file", "", Refuses((FILE, "empty"), EmptyFileError)),
        police_case("header-whitespace-file", "  \n\n \r\n",
                    Refuses((FILE, "empty"), EmptyFileError)),
        police_case("header-bom-only", "\ufeff", Refuses((FILE, "empty"), EmptyFileError)),
        police_case("header-homoglyph", police().replace("Crime ID", "Cr\u0456me ID", 1),
                    Refuses((FILE, "not a police.uk street-level crime file",
                             "Cr\u0456me ID", "mapping"), NotCrimeFileError)),
        police_case("header-duplicate-column", police().replace("Context", "Month", 1),
                    Refuses((FILE, "'Month'", "more than once"), InputFileError)),
    ]


# --------------------------------------------------------------------------- sizes


def size_cases() -> list[Case]:
    return [
        police_case("size-field-40k", police(rows_with(r4=row(4, location="x" * 40_000))),
                    Loads(N - 1, {"field too long": 1})),
        police_case("size-line-2mib", police(rows_with(r4=row(4, location="x" * (2 << 20)))),
                    Loads(N - 1, {"line too long": 1})),
        police_case("size-line-20mb-commas", police(rows_with(r4="," * 20_000_000)),
                    Loads(N - 1, {"line too long": 1})),
        police_case("size-header-100k", HEADER + ",x" * 50_000 + "\n" + row(0) + "\n",
                    Refuses((FILE, "header line is 100,", "allowed"), InputFileError)),
        police_case("size-header-2mib", "a" * (2 << 20) + "\n" + row(0) + "\n",
                    Refuses((FILE, "first line .the header. is longer"), InputFileError)),
        police_case("size-header-20000-columns", ",".join(["a"] * 20_000) + "\n1\n",
                    Refuses((FILE, "20,000 columns", "delimiter"), InputFileError)),
        police_case("size-row-400k-fields", police(rows_with(r4="," * 400_000)),
                    Loads(N - 1, {"too many fields": 1})),
    ]


# --------------------------------------------------------------------------- bytes


def byte_cases() -> list[Case]:
    return [
        police_case("nul-in-row", police(rows_with(r3=row(3, location="On or\x00near"))),
                    Loads(N - 1, {"NUL bytes (binary data)": 1})),
        police_case("nul-padding-at-end", police().encode() + b"\x00" * 1000,
                    Loads(N, {"NUL bytes (binary data)": 1})),
        police_case("nul-binary-file", bytes(range(256)) * 64,
                    Refuses(("binary.csv", "NUL bytes", "not a CSV text file"), InputFileError),
                    filename="binary.csv"),
    ]


# --------------------------------------------------------------------------- text


def text_cases() -> list[Case]:
    kept_as_written = {
        "formula-equals": '=HYPERLINK("http://evil.example/x";"click")',
        "formula-plus": "+cmd|' /C calc'!A0",
        "formula-minus": "-2+3+cmd|' /C calc'!A0",
        "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0",
        "formula-tab": "\t=1+1",
        "html-script": "<script>alert(1)</script>",
        "html-img": "\"><img src=x onerror=alert(1)>",
        "html-js-url": "javascript:alert(document.cookie)",
        "markdown-image": "![b](http://127.0.0.2/beacon.png)",
        "unicode-rtl-override": "On or near \u202eteerts\u202c Lane",
        "unicode-bom-inside": "On or near \ufeffLane",
        "unicode-emoji": "On or near \U0001f6a8 Street",
        "unicode-line-separator": "On or near A\u2028B",
        "unicode-vertical-tab": "On or near A\x0bB",
        "unicode-combining": "On or near Ze\u0301bra",
    }
    out = []
    for name, text in kept_as_written.items():
        location = '"' + text.replace('"', '""') + '"' if '"' in text or "," in text else text
        out.append(police_case(f"text-{name}", police(rows_with(
            r2=",".join(fields(2)[:6] + [location] + fields(2)[7:]))),
            Loads(N, check=has_location(text))))
    out += [
        police_case("text-html-category", police(rows_with(r2=row(2, category="<b>Burglary</b>"))),
                    Loads(N, notes=("not one of the 14 police.uk crime types",))),
        police_case("text-zero-width-category",
                    police(rows_with(r2=row(2, category="Burglary\u200b"))),
                    Loads(N, notes=("not one of the 14 police.uk crime types",))),
        police_case("text-nbsp-around-coordinates", police(rows_with(
            r2=row(2, lon="\u00a0-1.551000\u00a0", lat=" 53.801000 "))), Loads(N)),
    ]
    return out


def cases() -> list[Case]:
    return (encoding_cases() + delimiter_cases() + quote_cases() + field_cases()
            + header_cases() + size_cases() + byte_cases() + text_cases())
