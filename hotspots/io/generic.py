"""Any crime CSV, through a column mapping (force extracts, reduced police.uk files).

A mapping says which column of the file holds each field of the canonical crime table.
It is a TOML file (or the same structure as a dict)::

    crs = "EPSG:4326"            # CRS of x/y: "EPSG:4326" for longitude/latitude,
                                 # "EPSG:27700" for British National Grid eastings/northings
    # date_format = "%d/%m/%Y"   # optional strftime format of the date column
    # month_format = "%m/%Y"     # optional format of the month column
    # delimiter = ","            # optional, default ","; one character ("\t" for tabs)
    # encoding = "utf-8"         # optional; default UTF-8, with lines that are not UTF-8
                                 #   read as Windows-1252 (noted); a BOM always wins

    [columns]                    # canonical key = "column in the file"
    x = "longitude"              # required
    y = "latitude"               # required
    month = "month"              # month or date (or both) required, unless a constant
    date = "offence_date"        # full date/time; gives month when month is not mapped
    category = "crime_type"      # required, unless a constant
    crime_id = "urn"             # optional: crime_id, location, lsoa_code, lsoa_name,
    location = "street"          #   outcome, force
    lsoa_code = "lsoa_code"
    weight = "harm"              # optional numeric column (e.g. a harm score)
    offence_code = "ho_code"     # optional: kept as column ``offence_code``
    flags = ["domestic_abuse"]   # optional yes/no columns, kept under their own names

    [constants]                  # the same value for every row
    category = "Burglary"        # e.g. a one-crime-type file
    force = "Nottinghamshire Police"

Months read ``2022-01`` and ``2022-01-01`` alike. Without ``date_format``, dates are read
as ISO 8601 or, failing that, day-first (``31/01/2022``), and the report says which.
``date_format`` may also be written under ``[columns]``, next to ``date``.
Flag values ``1/true/t/yes/y`` are true and ``0/false/f/no/n`` or blank are false (case
ignored); anything else is false and counted in the report's notes.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import CRS

from hotspots.errors import ColumnMappingError
from hotspots.io.clean import add_structure
from hotspots.io.clean import drop_repeated_headers
from hotspots.io.clean import note_repeated_headers
from hotspots.io.clean import raw_table
from hotspots.io.clean import tidy_table
from hotspots.io.coords import text_floats
from hotspots.io.report import LoadReport
from hotspots.io.textcsv import CsvReader
from hotspots.io.textcsv import joined_text
from hotspots.io.textcsv import text_series
from hotspots.validation import parse_config
from hotspots.validation import read_toml

__all__ = ["ColumnMapping", "read_mapping", "read_generic", "check_columns"]

_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n", ""})
#: Where the mapping format is described, for messages.
_FORMAT_DOCS = "see hotspots/data/README.md for the format"


@dataclass(frozen=True)
class ColumnMapping:
    """A validated column mapping; build it with :func:`read_mapping`.

    Attributes
    ----------
    crs : str
        CRS of the x/y columns.
    columns : dict
        Canonical key -> column name in the file.
    flags : tuple of str
        Yes/no columns kept under their own names.
    constants : dict
        Canonical key -> value for every row.
    date_format, month_format : str or None
        ``strftime`` formats of the date and month columns (None: detect).
    delimiter : str
        The field separator (one character).
    encoding : str or None
        The declared encoding; None: UTF-8, with lines that are not UTF-8 read as
        Windows-1252 (and noted).
    source : str
        Where the mapping came from (a path, or ``"<dict>"``).
    """

    crs: str
    columns: dict[str, str]
    flags: tuple[str, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    month_format: str | None = None
    delimiter: str = ","
    encoding: str | None = None
    source: str = "<dict>"

    def file_columns(self) -> list[str]:
        """The file's columns the mapping reads, each once, in mapping order."""
        names = [*self.columns.values(), *self.flags]
        return list(dict.fromkeys(names))

    def to_dict(self) -> dict[str, Any]:
        """The mapping as a dict that :func:`read_mapping` accepts (JSON-serialisable)."""
        out: dict[str, Any] = {"crs": self.crs, "columns": dict(self.columns)}
        if self.flags:
            out["columns"]["flags"] = list(self.flags)
        if self.constants:
            out["constants"] = dict(self.constants)
        for key in ("date_format", "month_format"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.delimiter != ",":
            out["delimiter"] = self.delimiter
        if self.encoding is not None:
            out["encoding"] = self.encoding
        return out


def read_mapping(path_or_dict: str | Path | Mapping[str, Any] | ColumnMapping) -> ColumnMapping:
    """Read and validate a column mapping from a TOML file or a dict.

    Every problem is collected and reported at once in a :class:`ColumnMappingError`, each
    with its key (``columns.x``) and the file.

    Parameters
    ----------
    path_or_dict : str, Path, dict or ColumnMapping
        A TOML file, or a dict with the same structure (see the module docstring).

    Returns
    -------
    ColumnMapping

    Examples
    --------
    >>> m = read_mapping({"crs": "EPSG:4326",
    ...                   "columns": {"x": "longitude", "y": "latitude", "month": "month"},
    ...                   "constants": {"category": "Burglary"}})
    >>> m.columns["x"], m.constants["category"]
    ('longitude', 'Burglary')
    >>> read_mapping({"crs": "EPSG:4326", "columns": {"x": "lon", "y": "lat"}})
    Traceback (most recent call last):
    ...
    hotspots.errors.ColumnMappingError: Column mapping <dict> has 2 problems:
      - 'columns': needs a month or a date column (month = "..." or date = "..."); got {'x': 'lon', 'y': 'lat'}
      - 'columns': needs the crime category: category = "...", or for a one-type file [constants] category = "Burglary"; got {'x': 'lon', 'y': 'lat'}
    """  # noqa: E501  (the doctest shows messages whole)
    from hotspots.io.config import MappingFile  # pydantic, only when a mapping is read

    if isinstance(path_or_dict, ColumnMapping):
        return path_or_dict
    if isinstance(path_or_dict, str | Path):
        source, label = str(path_or_dict), f"Mapping file {str(path_or_dict)!r}"
        try:
            data = read_toml(path_or_dict, what="Mapping file", error=ColumnMappingError)
        except ColumnMappingError as exc:
            raise ColumnMappingError(f"{exc} Give a TOML column mapping; {_FORMAT_DOCS}.") \
                from None
    elif isinstance(path_or_dict, Mapping):
        source, label, data = "<dict>", "Column mapping <dict>", dict(path_or_dict)
    else:
        raise TypeError(
            f"'mapping' should be a TOML file path or a dict, got {type(path_or_dict)}"
        )
    model = parse_config(MappingFile, data, source=label, error=ColumnMappingError)
    top = model.model_fields_set
    return ColumnMapping(
        crs=model.crs,
        columns=model.written_columns(data),
        flags=model.columns.flags,
        constants=model.written_constants(data),
        date_format=model.date_format if "date_format" in top else model.columns.date_format,
        month_format=model.month_format if "month_format" in top else
        model.columns.month_format,
        delimiter=model.delimiter,
        encoding=model.encoding,
        source=source,
    )


def check_columns(mapping: ColumnMapping, found: list[str], *, source: str) -> None:
    """Raise :class:`ColumnMappingError` if the file lacks a column the mapping names."""
    problems = []
    keyed = [*mapping.columns.items(), *(("flags", f) for f in mapping.flags)]
    for key, column in keyed:
        if column not in found:
            close = difflib.get_close_matches(column, found, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"mapping key {key!r} names column {column!r}{hint}")
    if problems:
        raise ColumnMappingError(
            f"{source} lacks columns named in mapping {mapping.source}: "
            + "; ".join(problems)
            + f". The file has columns: {', '.join(repr(c) for c in found)}. Name them in the "
            "mapping exactly as the header writes them (or check the delimiter and encoding)."
        )


def _flag_values(text: pd.Series) -> tuple[np.ndarray, int]:
    lowered = text.str.strip().str.lower()
    truthy = lowered.isin(_TRUE).to_numpy()
    unknown = int((~lowered.isin(_TRUE | _FALSE)).sum())
    return truthy, unknown


def read_generic(
    reader: CsvReader, *, source: str, mapping: ColumnMapping, crs: CRS | None
) -> tuple[pa.Table, LoadReport]:
    """Read the rows of a mapped CSV whose header ``reader`` has read.

    Returns checked rows and their report. The Arrow table has the canonical columns except
    ``geometry``, any extra mapped columns, and projected ``x`` and ``y`` in ``crs`` (left
    in the mapping's CRS when ``crs`` is None). Quoted fields may hold line breaks (Excel
    writes them), up to :data:`hotspots.io.limits.MAX_RECORD_LINES` lines.
    """
    table = reader.read(mapping.file_columns(), delimiter=mapping.delimiter, multiline=True)
    xcol, ycol = mapping.columns["x"], mapping.columns["y"]
    raw_file = pa.table({name: joined_text(blocks) for name, blocks in table.blocks.items()})
    raw_file, n_header = drop_repeated_headers(raw_file, {xcol: xcol, ycol: ycol},
                                               source=source, table=table)
    n = raw_file.num_rows
    raw: dict[str, Any] = {}
    for key, column in mapping.columns.items():
        if key != "weight":
            raw[key] = raw_file[column]
    for key, value in mapping.constants.items():
        raw[key] = pa.repeat(pa.scalar(str(value), pa.large_string()), n)
    notes = []
    if "weight" in mapping.columns:
        column = mapping.columns["weight"]
        weight = pd.Series(text_floats(pc.utf8_trim_whitespace(raw_file[column])))
        bad = weight.isna() | (weight < 0) | ~np.isfinite(weight.fillna(0))
        if bad.any():
            notes.append(
                f"{source}: {int(bad.sum()):,} values of weight column {column!r} are blank, "
                "negative or not numbers; they were set to 1.0."
            )
        raw["weight"] = weight.where(~bad, 1.0).to_numpy(dtype=float)
    for flag in mapping.flags:
        values, unknown = _flag_values(text_series(raw_file[flag].chunks))
        raw[flag] = values
        if unknown:
            notes.append(
                f"{source}: {unknown:,} values of flag column {flag!r} are not yes/no "
                "values (1/0, true/false, yes/no); they were read as false."
            )
    del raw_file
    fix = f" in the file or in mapping {mapping.source}"
    out, report = tidy_table(
        raw_table(raw),
        source=source,
        input_crs=CRS.from_user_input(mapping.crs),
        output_crs=crs,
        x_name=xcol,
        y_name=ycol,
        fix=fix,
        month_format=mapping.month_format,
        date_format=mapping.date_format,
    )
    report.notes.extend(notes)
    note_repeated_headers(report, n_header, source=source)
    add_structure(report, table)
    return out, report
