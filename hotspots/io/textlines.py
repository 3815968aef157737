"""Text lines from a byte stream: decoded block by block, line ends of every kind, bounded.

The first layer of :mod:`hotspots.io.textcsv`. A byte-order mark decides the encoding
(UTF-8, UTF-16 LE/BE, UTF-32); a UTF-16 file without one is recognised by its zero bytes.
Otherwise the declared encoding is used; with the default (UTF-8, not declared), a line
that is not UTF-8 is read as Windows-1252, the encoding Excel saves CSV in on UK Windows,
and a note says how many. Lines end at ``\\r\\n``, ``\\r`` or ``\\n``. A line longer
than :data:`~hotspots.io.limits.MAX_LINE_CHARS` is skipped as it streams past, never held;
it, and lines holding NUL bytes or undecodable text, come out as :class:`DroppedLine`.

Examples
--------
>>> import io
>>> data = codecs.BOM_UTF16_LE + "a,b\\r\\nc\\x00,d\\re".encode("utf-16-le")
>>> [x if isinstance(x, str) else x.reason for x in TextLines(io.BytesIO(data), source="t")]
['a,b', 'NUL bytes (binary data)', 'e']
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import BinaryIO

from hotspots.errors import InputFileError
from hotspots.io.limits import MAX_LINE_CHARS
from hotspots.io.limits import READ_BLOCK_BYTES
from hotspots.io.report import DROP_BINARY
from hotspots.io.report import DROP_LINE_TOO_LONG
from hotspots.io.report import DROP_UNDECODABLE

__all__ = [
    "DEFAULT_ENCODING",
    "FALLBACK_ENCODING",
    "DroppedLine",
    "TOO_LONG",
    "TextLines",
    "check_encoding",
    "sniff_encoding",
]

#: The encoding of police.uk files, and of mapped files that do not declare one.
DEFAULT_ENCODING = "utf-8"
#: What a line that is not UTF-8 is read as when no encoding was declared: Windows-1252,
#: the "ANSI" code page Excel uses for CSV on UK and US Windows.
FALLBACK_ENCODING = "cp1252"
_EOL = re.compile(r"\r\n|\r|\n")
_ESCAPED = re.compile("[\udc80-\udcff]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Share of zero bytes in every other position that marks UTF-16 text without a BOM.
_UTF16_ZEROS = 0.4


def check_encoding(encoding: object) -> str | None:
    """None if ``encoding`` names a text encoding Python can decode CSV with, else why not.

    Examples
    --------
    >>> check_encoding("cp1252") is None, check_encoding("utf-16") is None
    (True, True)
    >>> check_encoding("base64")
    "'base64' is not a text encoding"
    >>> check_encoding("klingon")
    "'klingon' is not an encoding Python knows (e.g. 'utf-8', 'cp1252', 'utf-16')"
    """
    if not isinstance(encoding, str) or not encoding.strip():
        return f"{encoding!r} is not an encoding name (e.g. 'utf-8', 'cp1252', 'utf-16')"
    try:
        codecs.lookup(encoding)
    except LookupError:
        return (f"{encoding!r} is not an encoding Python knows (e.g. 'utf-8', 'cp1252', "
                "'utf-16')")
    try:
        sample = "Month,x\r\n".encode(encoding)
        decoded = codecs.getincrementaldecoder(encoding)(errors="strict").decode(
            sample, final=True)
    except LookupError:
        return f"{encoding!r} is not a text encoding"
    except (UnicodeError, ValueError, TypeError):
        return f"{encoding!r} cannot encode plain text such as 'Month,x'"
    if decoded.lstrip("\ufeff") != "Month,x\r\n":
        return f"{encoding!r} does not read back plain text such as 'Month,x'"
    return None


def _ascii_compatible(encoding: str) -> bool:
    try:
        return 'a,"\r\n'.encode(encoding) == b'a,"\r\n'
    except (UnicodeError, LookupError):  # pragma: no cover - checked by check_encoding
        return False


def sniff_encoding(head: bytes, declared: str, *, given: bool) -> tuple[str, int, str]:
    """The encoding to decode a stream starting with ``head``, the BOM length, and a note.

    A byte-order mark wins over ``declared``; text full of zero bytes in every other
    position is UTF-16 without a BOM (only when the declared encoding is ASCII-like).

    Examples
    --------
    >>> sniff_encoding(codecs.BOM_UTF16_LE + "a,b".encode("utf-16-le"), "utf-8", given=False)
    ('utf-16-le', 2, '')
    >>> sniff_encoding("a,b\\n".encode("utf-16-be"), "utf-8", given=False)[:2]
    ('utf-16-be', 0)
    """
    for bom, codec in _BOMS:
        if head.startswith(bom):
            note = ""
            if given and codecs.lookup(declared).name not in (
                    codecs.lookup(codec).name, codecs.lookup(codec.rsplit("-", 1)[0]).name):
                note = (f"it starts with a {codec.upper()} byte-order mark, so it was read as "
                        f"{codec.upper()}, not as the declared {declared!r}")
            return codec, len(bom), note
    sample = head[:4096]
    if len(sample) >= 4 and _ascii_compatible(declared):
        odd, even = sample[1::2], sample[0::2]
        if odd.count(0) > _UTF16_ZEROS * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le", 0, "it is UTF-16 (little-endian) text without a byte-order mark"
        if even.count(0) > _UTF16_ZEROS * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be", 0, "it is UTF-16 (big-endian) text without a byte-order mark"
    return declared, 0, ""


class DroppedLine:
    """A line that is not read as a row, and why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


TOO_LONG = DroppedLine(DROP_LINE_TOO_LONG)
_BINARY = DroppedLine(DROP_BINARY)
_UNDECODABLE = DroppedLine(DROP_UNDECODABLE)


class TextLines:
    """Lines of a byte stream, decoded block by block; too-long lines skipped unheld."""

    def __init__(self, stream: BinaryIO, *, source: str, encoding: str = "utf-8",
                 given: bool = False) -> None:
        self.stream = stream
        self.source = source
        head = stream.read(READ_BLOCK_BYTES)
        codec, skip, self.encoding_note = sniff_encoding(head, encoding, given=given)
        self.codec = codec
        self.ascii = _ascii_compatible(codec)
        self.fallback = not given and codecs.lookup(codec).name == "utf-8"
        errors = "surrogateescape" if self.ascii else "replace"
        self.decoder = codecs.getincrementaldecoder(codec)(errors=errors)
        self.first = head[skip:]
        self.ended_with_newline = True
        self.n_fallback = 0
        self.n_replaced = 0

    def _decode(self, block: bytes, final: bool) -> str:
        try:
            return self.decoder.decode(block, final=final)
        except UnicodeError as exc:  # errors= handles bytes; not a missing UTF-16 BOM
            raise InputFileError(
                f"{self.source} is not {self.codec} text ({exc}). Give the file's real "
                "encoding (encoding = \"...\" in a column mapping), or save it as UTF-8."
            ) from None

    def _blocks(self) -> Iterator[tuple[str, bool]]:
        block, final = self.first, False
        self.first = b""
        while True:
            if not block:
                yield self._decode(b"", True), True
                return
            text = self._decode(block, False)
            block = self.stream.read(READ_BLOCK_BYTES)
            yield text, final

    def _clean(self, line: str, dirty: bool) -> str | DroppedLine:
        if not dirty:
            return line
        if "\x00" in line:
            return _BINARY
        if self.ascii and _ESCAPED.search(line):
            if not self.fallback:
                return _UNDECODABLE
            self.n_fallback += 1
            raw = line.encode(self.codec, errors="surrogateescape")
            return raw.decode(FALLBACK_ENCODING, errors="replace")
        if not self.ascii and "\ufffd" in line:
            self.n_replaced += 1
        return line

    def __iter__(self) -> Iterator[str | DroppedLine]:
        pending = ""
        skipping = False
        for chunk, final in self._blocks():
            text = pending + chunk
            dirty = "\x00" in text or (_ESCAPED.search(text) is not None if self.ascii
                                       else "\ufffd" in text)
            held = ""
            if not final and text.endswith("\r"):
                text, held = text[:-1], "\r"
            parts = _EOL.split(text)
            pending = parts.pop() + held
            if skipping and parts:
                # the end of an over-long line: everything before its line break goes
                parts[0] = None  # type: ignore[call-overload]
                skipping = False
            for line in parts:
                if line is None:
                    yield TOO_LONG
                elif len(line) > MAX_LINE_CHARS:
                    yield TOO_LONG
                else:
                    yield self._clean(line, dirty)
            if len(pending) > MAX_LINE_CHARS:
                skipping, pending = True, ""
            elif skipping:
                pending = ""
        if skipping:
            self.ended_with_newline = False
            yield TOO_LONG
        elif pending:
            self.ended_with_newline = False
            yield self._clean(pending, True)

    def notes(self) -> list[str]:
        """What the decoding did that a reader should be told (encoding, fallbacks)."""
        out = []
        if self.encoding_note:
            out.append(f"{self.source}: {self.encoding_note}.")
        if self.n_fallback:
            out.append(
                f"{self.source}: {self.n_fallback:,} line(s) are not UTF-8 and were read as "
                f"Windows-1252 ({FALLBACK_ENCODING}, Excel's encoding); if that is wrong, "
                "save the file as UTF-8 or give its encoding (encoding = \"...\" in a "
                "column mapping)."
            )
        if self.n_replaced:
            out.append(f"{self.source}: {self.n_replaced:,} line(s) hold bytes that are not "
                       f"{self.codec} text; they are shown as \ufffd.")
        return out
