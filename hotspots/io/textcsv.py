"""The one streaming CSV reader behind every loader: bounded memory, every row accounted for.

A stream of bytes (a file, or a gzip or zip member decompressing on the fly) is decoded in
blocks of :data:`~hotspots.io.limits.READ_BLOCK_BYTES`, cut into lines at ``\\r\\n``, ``\\r``
or ``\\n``, and each line into fields. Nothing longer than
:data:`~hotspots.io.limits.MAX_LINE_CHARS` is ever held: a longer line is skipped as it
streams past. Every line after the header is a data row, kept or dropped with a reason
(:mod:`hotspots.io.report`):

* ``line too long``, ``field too long``: past the limits of :mod:`hotspots.io.limits`;
* ``too many fields``, ``too few fields``: a row whose fields do not match the header
  (an unquoted delimiter inside a value shifts every field after it; a truncated last line
  stops early) is dropped, never read shifted or padded;
* ``unbalanced quote``: a quote that opens a field and never closes on its line. In a
  police.uk file a field never holds a line break, so the next line starts a new row
  instead of being swallowed; in a mapped file a quoted field may span up to
  :data:`~hotspots.io.limits.MAX_RECORD_LINES` lines, only if the record it makes has the
  header's number of fields and none of the lines it swallows is a whole row of its own;
* ``NUL bytes (binary data)``, ``undecodable text``: bytes that are not text (decoding is
  :mod:`hotspots.io.textlines`'s job).

Examples
--------
>>> import io
>>> data = b"a,b,c\\r1,2,3\\r4,5\\r6,7,8,9\\r10,11,12"
>>> table = read_csv_columns(io.BytesIO(data), source="x.csv", columns=["a", "c"])
>>> table.columns["a"].tolist(), table.rows_read, table.dropped
(['1', '10'], 4, {'too few fields': 1, 'too many fields': 1})
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from operator import itemgetter
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hotspots.errors import EmptyFileError
from hotspots.errors import InputFileError
from hotspots.io.limits import MAX_COLUMNS
from hotspots.io.limits import MAX_FIELD_CHARS
from hotspots.io.limits import MAX_HEADER_CHARS
from hotspots.io.limits import MAX_LINE_CHARS
from hotspots.io.limits import MAX_RECORD_LINES
from hotspots.io.report import DROP_FIELD_TOO_LONG
from hotspots.io.report import DROP_TOO_FEW_FIELDS
from hotspots.io.report import DROP_TOO_MANY_FIELDS
from hotspots.io.report import DROP_UNBALANCED_QUOTE
from hotspots.io.textlines import DEFAULT_ENCODING
from hotspots.io.textlines import TOO_LONG
from hotspots.io.textlines import DroppedLine
from hotspots.io.textlines import TextLines

__all__ = [
    "CsvTable",
    "CsvReader",
    "column_text",
    "text_series",
    "text_array",
    "joined_text",
    "strip_text",
    "TextColumn",
    "read_csv_columns",
    "check_delimiter",
    "split_header",
]

#: Chunks a column may have before they are joined into one array.
_MAX_CHUNKS = 64
#: Rows turned into columns at a time (bounds the memory of rows held as Python lists).
_BLOCK_ROWS = 65_536


def check_delimiter(delimiter: object) -> str | None:
    """None if ``delimiter`` can separate CSV fields, else why not.

    Examples
    --------
    >>> check_delimiter(";") is None, check_delimiter("\\t") is None
    (True, True)
    >>> check_delimiter("")
    "'' should be one character, such as ',' ';' or '\\\\t'"
    >>> check_delimiter('"')
    '\\'"\\' cannot separate fields (it is a quote, a line break or a space)'
    """
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        return f"{delimiter!r} should be one character, such as ',' ';' or '\\t'"
    if delimiter in "\"\r\n \x00" or delimiter.isalnum():
        return f"{delimiter!r} cannot separate fields (it is a quote, a line break or a space)" \
            if not delimiter.isalnum() else f"{delimiter!r} is a letter or digit, not a separator"
    return None


def split_header(line: str, *, delimiter: str = ",") -> list[str]:
    """Column names of a header line (byte-order mark and surrounding spaces removed).

    Examples
    --------
    >>> split_header('\\ufeff Month ,"Crime type",x')
    ['Month', 'Crime type', 'x']
    """
    row = next(csv.reader([line.lstrip("\ufeff")], delimiter=delimiter), [])
    return [c.strip().lstrip("\ufeff").strip() for c in row]


@dataclass
class CsvTable:
    """What :func:`read_csv_columns` read: text columns of the rows kept, and the rest.

    Attributes
    ----------
    header : list of str
        The file's column names.
    blocks : dict
        Column name -> blocks (Arrow arrays, compact) of the text of the rows whose
        structure is sound, in file order; :attr:`columns` makes them Series when first
        asked for, and :func:`column_text` gathers them from many tables (small files
        pooled cheaply).
    rows_read : int
        Data rows (lines after the header, blank lines excepted; a record that spans lines
        is one row).
    dropped : dict
        Reason -> rows dropped for their structure (fields, quotes, length, bytes).
    blank_lines : int
        Empty lines, skipped (not rows).
    notes : list of str
        Plain-language notes (encoding, multi-line records, a truncated last line).
    """

    header: list[str]
    blocks: dict[str, list[pa.Array]]
    rows_read: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    blank_lines: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rows_kept(self) -> int:
        """Rows whose structure is sound (each column's length)."""
        return self.rows_read - sum(self.dropped.values())

    @cached_property
    def columns(self) -> dict[str, pd.Series]:
        """Column name -> ``str`` Series of the rows whose structure is sound."""
        return {name: text_series(parts) for name, parts in self.blocks.items()}


def _needs_strip(block: pa.Array) -> bool:
    """Whether a value of ``block`` may start or end with whitespace (a quick, sound test).

    Every whitespace character is an ASCII byte up to 0x20 or a character whose UTF-8 bytes
    are all 0x80 or more: if no value starts or ends with such a byte, stripping changes
    nothing.
    """
    n = len(block)
    if n == 0 or block.null_count == n:
        return False
    kind = np.int64 if pa.types.is_large_string(block.type) else np.int32
    _, offsets_buffer, data_buffer = block.buffers()
    if data_buffer is None:
        return False
    offsets = np.frombuffer(offsets_buffer, dtype=kind)[block.offset:block.offset + n + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    starts, stops = offsets[:-1], offsets[1:]
    full = stops > starts
    if not full.all():
        starts, stops = starts[full], stops[full]
    edges = np.concatenate((data[starts], data[stops - 1]))
    return bool(((edges <= 0x20) | (edges >= 0x80)).any())


def strip_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """``pyarrow.compute.utf8_trim_whitespace(values)`` (pandas's ``str.strip()``), skipping
    the blocks where no value starts or ends with whitespace (most of them, in practice).

    Examples
    --------
    >>> strip_text(pa.chunked_array([["a", " b\\u00a0", None, ""]])).to_pylist()
    ['a', 'b', None, '']
    """
    if not any(_needs_strip(block) for block in values.chunks):
        return values
    return pc.utf8_trim_whitespace(values)


def joined_text(parts: list[pa.Array]) -> pa.ChunkedArray:
    """Blocks of text (Arrow arrays) as one chunked array, without copying the text.

    Blocks of mixed types (``string`` from pyarrow's parser, ``large_string`` from
    :class:`CsvReader`) are made ``large_string``; many small blocks (small files pooled)
    are joined into one, since string kernels run per chunk.

    Examples
    --------
    >>> joined_text([pa.array(["a"]), pa.array(["b"], pa.large_string())]).to_pylist()
    ['a', 'b']
    """
    types = {block.type for block in parts}
    kind = types.pop() if len(types) == 1 else pa.large_string()
    chunks = [block if block.type == kind else block.cast(kind) for block in parts]
    if len(chunks) > _MAX_CHUNKS:
        chunks = [pa.concat_arrays(chunks)]
    return pa.chunked_array(chunks, type=kind)


def text_series(parts: Iterable[pa.Array]) -> pd.Series:
    """One ``str`` Series of blocks of text (Arrow arrays), without copying the text.

    Examples
    --------
    >>> text_series([pa.array(["a", "b"]), pa.array(["c"])]).tolist()
    ['a', 'b', 'c']
    """
    chunks = [block.cast(pa.large_string()) for block in parts]
    if len(chunks) > _MAX_CHUNKS:  # many small files: one array (string kernels run per chunk)
        chunks = [pa.concat_arrays(chunks)]
    return pd.Series(pa.chunked_array(chunks, type=pa.large_string()), dtype="str")


#: Text handed to the row checks: an Arrow array (what the readers make) or a ``str`` Series.
TextColumn = pa.Array | pa.ChunkedArray | pd.Series


def text_array(values: TextColumn) -> pa.ChunkedArray:
    """Text as one Arrow chunked array, without copying Arrow-backed text.

    The row checks (:mod:`hotspots.io.clean`) work on Arrow text; a ``str`` Series (pandas
    keeps it in Arrow) is taken as it is, any other Series is made ``str`` first.

    Examples
    --------
    >>> text_array(pd.Series(["a", "b"])).to_pylist()
    ['a', 'b']
    >>> text_array(pa.array(["c"])).to_pylist()
    ['c']
    """
    if isinstance(values, pa.ChunkedArray):
        return values
    if isinstance(values, pa.Array):
        return pa.chunked_array([values])
    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        values = values.astype("str")
    out = pa.array(values.array)
    return out if isinstance(out, pa.ChunkedArray) else pa.chunked_array([out])


def column_text(tables: Iterable[CsvTable], name: str) -> list[pa.Array]:
    """The blocks of text of column ``name`` of several tables, in order.

    Examples
    --------
    >>> import io
    >>> a = read_csv_columns(io.BytesIO(b"x,y\\n1,2\\n"), source="a.csv", columns=["x"])
    >>> b = read_csv_columns(io.BytesIO(b"x,y\\n3,4\\n"), source="b.csv", columns=["x"])
    >>> text_series(column_text([a, b], "x")).tolist()
    ['1', '3']
    """
    return [block for table in tables for block in table.blocks[name]]


class CsvReader:
    """Read the header of a CSV stream, then the columns wanted (see the module docstring).

    Parameters
    ----------
    stream : binary file
        The CSV bytes (decompressed).
    source : str
        The file's name in messages.
    encoding : str
        Declared encoding (a byte-order mark overrides it).
    encoding_given : bool
        True when the user declared ``encoding`` (no Windows-1252 fallback then).
    comment : str, optional
        Lines starting with this text (after spaces) are comments: skipped, not rows.
    """

    def __init__(self, stream: BinaryIO, *, source: str, encoding: str = DEFAULT_ENCODING,
                 encoding_given: bool = False, comment: str | None = None) -> None:
        self.source = source
        self.lines = TextLines(stream, source=source, encoding=encoding, given=encoding_given)
        self._iter: Iterator[str | DroppedLine] = iter(self.lines)
        if comment:
            self._iter = (line for line in self._iter
                          if line.__class__ is not str or not line.lstrip().startswith(comment))
        self.leading_blank = 0
        self.header_line = self._first_line()

    def _first_line(self) -> str:
        for line in self._iter:
            if isinstance(line, DroppedLine):
                if line is TOO_LONG:
                    raise InputFileError(
                        f"{self.source}: the first line (the header) is longer than "
                        f"{MAX_LINE_CHARS:,} characters, so this is not a CSV file this tool "
                        "can read. Check that it is a CSV file with a header line.")
                raise InputFileError(
                    f"{self.source}: the header line holds {line.reason}, so this is not a "
                    "CSV text file. Save it as CSV (UTF-8) and load that.")
            if line.strip():
                if len(line) > MAX_HEADER_CHARS:
                    raise InputFileError(
                        f"{self.source}: the header line is {len(line):,} characters long, "
                        f"more than the {MAX_HEADER_CHARS:,} allowed. Check that the first "
                        "line of the file is its header.")
                return line
            self.leading_blank += 1
        raise EmptyFileError(f"{self.source} is empty (not even a header line). Check that "
                             "the download or export finished, or remove it from the inputs.")

    def header(self, *, delimiter: str = ",") -> list[str]:
        """The column names, split at ``delimiter``."""
        names = split_header(self.header_line, delimiter=delimiter)
        if len(names) > MAX_COLUMNS:
            raise InputFileError(
                f"{self.source}: the header has {len(names):,} columns, more than the "
                f"{MAX_COLUMNS:,} allowed (Excel's own limit). Check the delimiter.")
        return names

    def read(self, columns: Collection[str] | Callable[[str], bool], *, delimiter: str = ",",
             multiline: bool = False) -> CsvTable:
        """Read every row; return the ``columns`` wanted (names, or a test on a name)."""
        header = self.header(delimiter=delimiter)
        wanted = columns if callable(columns) else (lambda c: c in columns)
        names = [c for c in dict.fromkeys(header) if wanted(c)]
        twice = [c for c in names if header.count(c) > 1]
        if twice:
            raise InputFileError(
                f"{self.source}: column(s) {', '.join(map(repr, twice))} appear more than once "
                "in the header, so which one to read is unclear. Rename or remove the copies.")
        index = [header.index(c) for c in names]
        state = _RowState(len(header), delimiter, multiline, self._iter)
        blocks: list[list[pa.Array]] = [[] for _ in names]
        getter = itemgetter(*index) if len(index) > 1 else None

        def flush() -> None:
            if not state.rows or not index:
                state.rows.clear()
                return
            if getter is None:
                blocks[0].append(pa.array([r[index[0]] for r in state.rows], pa.large_string()))
            else:
                for k, values in enumerate(zip(*map(getter, state.rows), strict=True)):
                    blocks[k].append(pa.array(values, pa.large_string()))
            state.rows.clear()

        state.run(flush)
        flush()
        by_name = dict(zip(names, blocks, strict=True))
        notes = self.lines.notes()
        if state.multiline_rows:
            notes.append(f"{self.source}: {state.multiline_rows:,} row(s) hold line breaks "
                         "inside quoted fields; each was read as one row.")
        if state.last_short and not self.lines.ended_with_newline:
            notes.append(f"{self.source}: the last line ends without a line break and has too "
                         "few fields, so the file looks truncated (a download cut short?); "
                         "that row was dropped.")
        if self.leading_blank + state.blank:
            notes.append(f"{self.source}: skipped {self.leading_blank + state.blank:,} blank "
                         "line(s).")
        return CsvTable(header=header, blocks=by_name, rows_read=state.n_read,
                        dropped={k: v for k, v in state.dropped.items() if v},
                        blank_lines=self.leading_blank + state.blank, notes=notes)


class _RowState:
    """The row loop of :meth:`CsvReader.read` and its counts."""

    def __init__(self, width: int, delimiter: str, multiline: bool,
                 lines: Iterator[str | DroppedLine]) -> None:
        self.width = width
        self.delimiter = delimiter
        self.multiline = multiline
        self.lines = lines
        self.rows: list[list[str]] = []
        self.dropped: dict[str, int] = {}
        self.n_read = 0
        self.blank = 0
        self.multiline_rows = 0
        self.last_short = False

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def run(self, flush: Callable[[], None]) -> None:
        width, delimiter, rows = self.width, self.delimiter, self.rows
        for line in self.lines:
            if line.__class__ is not str:
                self.n_read += 1
                self.drop(line.reason)  # type: ignore[union-attr]
                continue
            if '"' in line:  # type: ignore[operator]
                self.quoted(line)  # type: ignore[arg-type]
            else:
                fields = line.split(delimiter)  # type: ignore[union-attr]
                if len(fields) == width and len(line) <= MAX_FIELD_CHARS:  # type: ignore[arg-type]
                    self.n_read += 1
                    self.last_short = False
                    rows.append(fields)
                else:
                    self.check(fields, line)  # type: ignore[arg-type]
            if len(rows) >= _BLOCK_ROWS:
                flush()

    def check(self, fields: list[str], line: str) -> None:
        """Count and keep (or drop) a row whose width or length needs a closer look."""
        if len(fields) == 1 and not line.strip():
            self.blank += 1
            return
        self.n_read += 1
        self.last_short = len(fields) < self.width
        if len(fields) > self.width:
            self.drop(DROP_TOO_MANY_FIELDS)
        elif len(fields) < self.width:
            self.drop(DROP_TOO_FEW_FIELDS)
        elif max(map(len, fields)) > MAX_FIELD_CHARS:
            self.drop(DROP_FIELD_TOO_LONG)
        else:
            self.rows.append(fields)

    def quoted(self, line: str) -> None:
        try:
            fields = _parse(line, self.delimiter)
        except _FieldTooLongError:
            self.n_read += 1
            self.drop(DROP_FIELD_TOO_LONG)
            return
        if fields is not None:
            self.check(fields, line)
            return
        if self.multiline:
            taken: list[str | DroppedLine] = []
            record = line
            for extra in self.lines:
                taken.append(extra)
                if extra.__class__ is not str:
                    break
                if '"' not in extra and len(extra.split(self.delimiter)) == self.width:
                    break  # a whole row of its own: the quote was stray, not a line break
                record = f"{record}\n{extra}"
                if len(record) > MAX_LINE_CHARS:
                    break
                try:
                    fields = _parse(record, self.delimiter)
                except _FieldTooLongError:
                    break
                if fields is not None:
                    if len(fields) == self.width:
                        self.multiline_rows += 1
                        self.check(fields, record)
                        return
                    break
                if len(taken) >= MAX_RECORD_LINES - 1:
                    break
            self.n_read += 1
            self.drop(DROP_UNBALANCED_QUOTE)
            self.replay(taken)
            return
        self.n_read += 1
        self.last_short = True
        self.drop(DROP_UNBALANCED_QUOTE)

    def replay(self, lines: list[str | DroppedLine]) -> None:
        """Read again, as rows of their own, lines taken while looking for a closing quote."""
        saved, self.multiline = self.multiline, False
        try:
            for line in lines:
                if line.__class__ is not str:
                    self.n_read += 1
                    self.drop(line.reason)  # type: ignore[union-attr]
                elif '"' in line:  # type: ignore[operator]
                    self.quoted(line)  # type: ignore[arg-type]
                else:
                    self.check(line.split(self.delimiter), line)  # type: ignore[union-attr]
        finally:
            self.multiline = saved


class _FieldTooLongError(Exception):
    """A field longer than the csv module reads (and than MAX_FIELD_CHARS)."""


def _parse(text: str, delimiter: str) -> list[str] | None:
    """The fields of one record with quotes, or None when a quoted field is left open."""
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise _FieldTooLongError from None
        if "end of data" in str(exc):
            return None
    # a quote in the middle of a value ('"a"b'): read leniently, as spreadsheets do
    try:
        return next(csv.reader([text], delimiter=delimiter))
    except csv.Error:  # pragma: no cover - the lenient reader only fails on the field limit
        raise _FieldTooLongError from None


def read_csv_columns(stream: BinaryIO, *, source: str, columns: Collection[str],
                     delimiter: str = ",", encoding: str = DEFAULT_ENCODING,
                     encoding_given: bool = False, multiline: bool = False) -> CsvTable:
    """Read the ``columns`` of a CSV stream as text, dropping structurally broken rows.

    See the module docstring for the rules; :class:`CsvReader` reads the header first when
    the columns depend on it.
    """
    reader = CsvReader(stream, source=source, encoding=encoding, encoding_given=encoding_given)
    return reader.read(columns, delimiter=delimiter, multiline=multiline)
