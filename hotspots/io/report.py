"""What a load read, kept and dropped, and why: nothing is dropped silently.

Counting rule, used by every loader: ``rows_read`` counts *data* rows. A repeated header
line (left behind when files are concatenated) is not a data row, so it is counted in
``header_lines`` (and named in ``notes``), never in ``rows_read`` or ``dropped``. Hence,
always, ``rows_read == rows_kept + sum(dropped.values())``.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

__all__ = [
    "LoadReport",
    "BoundaryReport",
    "DROP_NO_COORDINATES",
    "DROP_NON_NUMERIC",
    "DROP_OUTSIDE_UK",
    "DROP_OUT_OF_RANGE",
    "DROP_BAD_DATE",
    "DROP_NO_CATEGORY",
    "DROP_OUTSIDE_BOUNDARY",
    "DROP_MONTH_OUT_OF_RANGE",
    "DROP_OTHER_CRS",
    "DROP_ZERO_COORDINATES",
    "DROP_LINE_TOO_LONG",
    "DROP_FIELD_TOO_LONG",
    "DROP_TOO_MANY_FIELDS",
    "DROP_TOO_FEW_FIELDS",
    "DROP_UNBALANCED_QUOTE",
    "DROP_BINARY",
    "DROP_UNDECODABLE",
    "STRUCTURE_REASONS",
    "REPEATED_HEADER",
    "UNKNOWN_CATEGORY",
    "unknown_category_note",
]

#: Blank coordinates (police.uk writes "No Location" in ``Location`` for these).
DROP_NO_COORDINATES = "no coordinates"
#: Coordinates that are not numbers.
DROP_NON_NUMERIC = "non-numeric coordinates"
#: Numeric coordinates outside the generous UK box (or the GB eastings/northings range).
DROP_OUTSIDE_UK = "coordinates outside the UK"
#: Numeric coordinates that are not valid in their CRS (non-UK data).
DROP_OUT_OF_RANGE = "coordinates out of range"
#: A month or date that could not be read.
DROP_BAD_DATE = "bad date"
#: A blank crime category.
DROP_NO_CATEGORY = "no category"
#: A month or date outside the years crimes can have been recorded in (``0000-01``,
#: ``9999-12``; see :data:`hotspots.io.limits.EARLIEST_YEAR`).
DROP_MONTH_OUT_OF_RANGE = "month out of range"
#: A row whose coordinates look like another CRS than the rest of its file (one
#: longitude/latitude row in a file of eastings/northings).
DROP_OTHER_CRS = "coordinates in another CRS"
#: Coordinates of exactly (0, 0): a placeholder for "no location", not a place.
DROP_ZERO_COORDINATES = "zero coordinates (0, 0)"
#: The row's line is longer than :data:`hotspots.io.limits.MAX_LINE_CHARS`.
DROP_LINE_TOO_LONG = "line too long"
#: A field is longer than :data:`hotspots.io.limits.MAX_FIELD_CHARS`.
DROP_FIELD_TOO_LONG = "field too long"
#: More fields than the header (an unquoted delimiter inside a value shifts the rest).
DROP_TOO_MANY_FIELDS = "too many fields"
#: Fewer fields than the header (a truncated line).
DROP_TOO_FEW_FIELDS = "too few fields"
#: A quote opens a field and is not closed on the row's line (or within the lines a mapped
#: file's quoted field may span).
DROP_UNBALANCED_QUOTE = "unbalanced quote"
#: The line holds NUL bytes: binary data, not text.
DROP_BINARY = "NUL bytes (binary data)"
#: The line is not text in the file's declared encoding.
DROP_UNDECODABLE = "undecodable text"
#: The reasons the CSV reader itself drops rows for (their structure, not their values).
STRUCTURE_REASONS = (DROP_LINE_TOO_LONG, DROP_FIELD_TOO_LONG, DROP_TOO_MANY_FIELDS,
                     DROP_TOO_FEW_FIELDS, DROP_UNBALANCED_QUOTE, DROP_BINARY, DROP_UNDECODABLE)
#: Points outside the study-area boundary given to the loader.
DROP_OUTSIDE_BOUNDARY = "outside the boundary"
#: Header lines repeated inside the data (reported in ``header_lines``, not in ``dropped``).
REPEATED_HEADER = "repeated header line"
#: Categories that are not one of the 14 police.uk crime types: kept, but noted.
UNKNOWN_CATEGORY = "unknown category"


def unknown_category_note(categories: dict[str, int], known: Collection[str]) -> str | None:
    """The note on kept rows whose category is not ``known`` (None when there are none).

    ``categories`` maps each category to its row count, most frequent first.

    Examples
    --------
    >>> unknown_category_note({"Burglary": 3, "Arson": 1}, {"Burglary"})[:60]
    '1 rows have a category that is not one of the 14 police.uk c'
    """
    unknown = {k: v for k, v in categories.items() if k not in known}
    if not unknown:
        return None
    listed = ", ".join(f"{k!r} ({v:,})" for k, v in list(unknown.items())[:10])
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    return (f"{sum(unknown.values()):,} rows have a category that is not one of the 14 "
            f"police.uk crime types ({UNKNOWN_CATEGORY}); they are kept: {listed}{more}. "
            "Crime groups match categories by exact name.")


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _add_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + int(value)
    return out


@dataclass
class LoadReport:
    """What a call to :func:`hotspots.io.load_crimes` read, kept and dropped.

    Attributes
    ----------
    sources : list of str
        Files read; zip members appear as ``"archive.zip:2016-07/2016-07-force-street.csv"``.
    rows_read : int
        Data rows read (repeated header lines are not data rows; see ``header_lines``).
    rows_kept : int
        Rows in the returned table.
    dropped : dict
        Reason (one of the ``DROP_*`` constants of this module) -> number of rows.
    months : list of str
        Sorted ``"YYYY-MM"`` months covered by kept rows.
    categories : dict
        Kept rows per category.
    crs : str
        CRS of the returned table.
    notes : list of str
        Plain-language notes: files skipped and why, header lines removed, unknown categories.
    header_lines : int
        Repeated header lines removed from inside the data.

    Examples
    --------
    >>> a = LoadReport(sources=["a.csv"], rows_read=10, rows_kept=9,
    ...                dropped={"no coordinates": 1}, months=["2022-01"],
    ...                categories={"Burglary": 9}, crs="EPSG:27700")
    >>> b = LoadReport(sources=["b.csv"], rows_read=5, rows_kept=5, months=["2022-02"],
    ...                categories={"Burglary": 3, "Robbery": 2}, crs="EPSG:27700")
    >>> m = a.merge(b)
    >>> m.rows_read, m.rows_kept, m.categories["Burglary"], m.months
    (15, 14, 12, ['2022-01', '2022-02'])
    >>> m.is_consistent()
    True
    """

    sources: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)
    crs: str = ""
    notes: list[str] = field(default_factory=list)
    header_lines: int = 0

    @property
    def rows_dropped(self) -> int:
        """Total rows dropped, all reasons."""
        return int(sum(self.dropped.values()))

    def is_consistent(self) -> bool:
        """True when ``rows_read == rows_kept + sum(dropped.values())``."""
        return self.rows_read == self.rows_kept + self.rows_dropped

    def merge(self, other: LoadReport) -> LoadReport:
        """Return a new report that adds ``other`` to this one (neither is changed)."""
        notes = list(self.notes)
        crs = self.crs or other.crs
        if self.crs and other.crs and self.crs != other.crs:
            notes.append(f"Merged reports in different CRSs: {self.crs} and {other.crs}.")
        return LoadReport(
            sources=[*self.sources, *other.sources],
            rows_read=self.rows_read + other.rows_read,
            rows_kept=self.rows_kept + other.rows_kept,
            dropped=_add_counts(self.dropped, other.dropped),
            months=sorted(set(self.months) | set(other.months)),
            categories=dict(sorted(_add_counts(self.categories, other.categories).items())),
            crs=crs,
            notes=notes + [n for n in other.notes],
            header_lines=self.header_lines + other.header_lines,
        )

    @staticmethod
    def merge_all(reports: Iterable[LoadReport]) -> LoadReport:
        """``LoadReport().merge(a).merge(b)...`` in one pass (time linear in the reports).

        Examples
        --------
        >>> a = LoadReport(sources=["a"], rows_read=2, rows_kept=1, dropped={"bad date": 1})
        >>> b = LoadReport(sources=["b"], rows_read=1, rows_kept=1, months=["2022-01"])
        >>> LoadReport.merge_all([a, b]) == LoadReport().merge(a).merge(b)
        True
        """
        out = LoadReport()
        months: set[str] = set()
        for other in reports:
            if out.crs and other.crs and out.crs != other.crs:
                out.notes.append(f"Merged reports in different CRSs: {out.crs} and {other.crs}.")
            out.crs = out.crs or other.crs
            out.sources.extend(other.sources)
            out.rows_read += other.rows_read
            out.rows_kept += other.rows_kept
            out.header_lines += other.header_lines
            for key, value in other.dropped.items():
                out.dropped[key] = out.dropped.get(key, 0) + int(value)
            for key, value in other.categories.items():
                out.categories[key] = out.categories.get(key, 0) + int(value)
            months.update(other.months)
            out.notes.extend(other.notes)
        out.months = sorted(months)
        out.categories = dict(sorted(out.categories.items()))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-serialisable dict (adds ``rows_dropped``)."""
        out = asdict(self)
        out["rows_dropped"] = self.rows_dropped
        return out

    def to_text(self) -> str:
        """Return a several-line human summary, as the CLI prints it.

        Examples
        --------
        >>> r = LoadReport(sources=["x.csv"], rows_read=3, rows_kept=2,
        ...                dropped={"bad date": 1}, months=["2022-01"],
        ...                categories={"Robbery": 2}, crs="EPSG:27700")
        >>> print(r.to_text().splitlines()[0])
        Read 3 rows from 1 file: x.csv
        """
        n = len(self.sources)
        shown = ", ".join(self.sources[:3]) + (f" and {n - 3} more" if n > 3 else "")
        lines = [f"Read {_rows(self.rows_read)} from {n} file{'s' if n != 1 else ''}: {shown}"]
        share = f" ({self.rows_kept / self.rows_read:.1%})" if self.rows_read else ""
        period = f"{self.months[0]} to {self.months[-1]}" if self.months else "no months"
        lines.append(
            f"Kept {_rows(self.rows_kept)}{share}, {period}, {len(self.categories)} "
            f"categor{'y' if len(self.categories) == 1 else 'ies'}, CRS {self.crs or 'unknown'}."
        )
        if self.dropped:
            lines.append(f"Dropped {_rows(self.rows_dropped)}:")
            lines.extend(f"  {reason}: {count:,}" for reason, count in self.dropped.items())
        if self.header_lines:
            lines.append(f"Removed {self.header_lines:,} {REPEATED_HEADER}(s) inside the data.")
        lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)


@dataclass
class BoundaryReport:
    """What :func:`hotspots.io.load_boundary` read, repaired and dropped.

    Attributes
    ----------
    source : str
        The file (and member or layer) read.
    layer : str or None
        The layer read.
    features_read, features_kept : int
        Features in the file, and in the returned table.
    repaired : int
        Invalid geometries repaired with ``shapely.make_valid``.
    dropped : dict
        Reason -> features dropped (empty geometry, no polygonal part).
    source_crs, crs : str
        CRS of the file, and of the returned table.
    name_column : str
        The column copied into ``area_name`` (``""`` when names were generated).
    notes : list of str
        Plain-language notes.

    Examples
    --------
    >>> BoundaryReport(source="wards.gpkg", features_read=2, features_kept=2).to_dict()["source"]
    'wards.gpkg'
    """

    source: str = ""
    layer: str | None = None
    features_read: int = 0
    features_kept: int = 0
    repaired: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    source_crs: str = ""
    crs: str = ""
    name_column: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-serialisable dict."""
        return asdict(self)

    def as_notes(self) -> list[str]:
        """What a reader of the crimes' load report must know: areas dropped or repaired,
        and the notes (overlaps resolved, names generated), each naming the file.

        Examples
        --------
        >>> BoundaryReport(source="w.gpkg", features_read=3, features_kept=2,
        ...                dropped={"wholly inside earlier areas": 1}).as_notes()
        ['Boundary w.gpkg: 1 of 3 areas dropped (wholly inside earlier areas: 1).']
        """
        notes = []
        if self.dropped:
            reasons = ", ".join(f"{k}: {v:,}" for k, v in self.dropped.items())
            notes.append(f"Boundary {self.source}: {sum(self.dropped.values()):,} of "
                         f"{self.features_read:,} areas dropped ({reasons}).")
        if self.repaired:
            notes.append(f"Boundary {self.source}: repaired {self.repaired:,} invalid "
                         "geometries.")
        notes.extend(f"Boundary {self.source}: {note}" for note in self.notes)
        return notes

    def to_text(self) -> str:
        """Return a short human summary."""
        lines = [
            f"Read {self.features_read:,} areas from {self.source}"
            + (f" (layer {self.layer})" if self.layer else "")
            + f" in {self.source_crs}; kept {self.features_kept:,} in {self.crs}.",
        ]
        if self.repaired:
            lines.append(f"Repaired {self.repaired:,} invalid geometries.")
        lines.extend(f"Dropped {count:,}: {reason}" for reason, count in self.dropped.items())
        lines.append(
            f"Area names from column {self.name_column!r}."
            if self.name_column
            else "Area names generated (no name column found)."
        )
        lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)
