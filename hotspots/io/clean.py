"""Steps shared by the loaders: reading a CSV as text, and checking every row.

Each loader reads one file as text (:func:`read_text_csv`, :func:`drop_repeated_headers`),
turns it into a *raw* frame of text columns named as the canonical table (``x`` and ``y``
hold the coordinate text), then calls :func:`tidy`, which checks every row, drops the bad
ones with a reason, projects the coordinates and returns a frame ready to concatenate plus a
:class:`LoadReport` for that file.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping
from typing import BinaryIO

import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj import Transformer

from hotspots.errors import EmptyFileError
from hotspots.errors import InputFileError
from hotspots.io.report import DROP_BAD_DATE
from hotspots.io.report import DROP_NO_CATEGORY
from hotspots.io.report import DROP_NO_COORDINATES
from hotspots.io.report import DROP_NON_NUMERIC
from hotspots.io.report import DROP_OUT_OF_RANGE
from hotspots.io.report import DROP_OUTSIDE_UK
from hotspots.io.report import REPEATED_HEADER
from hotspots.io.report import LoadReport
from hotspots.schema import STRING_COLUMNS
from hotspots.spatial import UK_LONLAT_BOX

__all__ = [
    "WGS84",
    "BNG",
    "read_text_csv",
    "drop_repeated_headers",
    "note_repeated_headers",
    "clean_coordinates",
    "parse_months",
    "parse_dates",
    "tidy",
]

#: A generous British National Grid box (west, south, east, north) in metres around the
#: EPSG:27700 area of use (about -104 km to 688 km east, -16 km to 1,250 km north).
GB_BNG_BOX = (-120_000.0, -20_000.0, 800_000.0, 1_300_000.0)
#: The valid range of longitude/latitude.
WORLD_LONLAT_BOX = (-180.0, -90.0, 180.0, 90.0)
#: Share of the numeric rows that must look swapped (or in the other CRS) before we
#: refuse the file instead of dropping rows: "most rows only make sense swapped".
MAJORITY = 0.5
#: Date formats tried, in order, when a mapping gives a date column without a format;
#: the one that reads the most values wins. Day-first is the UK convention.
DATE_FORMATS = ("ISO8601", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y")

_MONTH_PATTERN = r"^\s*(\d{4})[-/](\d{1,2})(?:[-/]\d{1,2})?(?:[T ].*)?\s*$"

WGS84 = CRS.from_epsg(4326)
BNG = CRS.from_epsg(27700)


def _bare(name: str) -> str:
    return name.strip().lstrip("\ufeff")


def read_text_csv(
    stream: BinaryIO,
    columns: Collection[str],
    *,
    source: str,
    sep: str = ",",
    encoding: str = "utf-8",
    fix: str,
) -> pd.DataFrame:
    """The ``columns`` of a CSV stream, every value as text (blank, never NaN).

    Column names are read without surrounding spaces or a byte-order mark. ``fix`` ends
    the message raised when the bytes are not ``encoding`` text.
    """
    utf8 = encoding.lower() in ("utf-8", "utf8")
    try:
        raw = pd.read_csv(
            stream,
            usecols=lambda c: _bare(c) in columns,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            sep=sep,
            encoding="utf-8-sig" if utf8 else encoding,
        )
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{source} is not {encoding} text ({exc.reason} at byte {exc.start}){fix}"
        ) from None
    except pd.errors.ParserError as exc:
        raise InputFileError(f"Could not read {source} as CSV: {exc}") from None
    raw.columns = [_bare(c) for c in raw.columns]
    return raw


def drop_repeated_headers(
    raw: pd.DataFrame, header: Mapping[str, str], *, source: str
) -> tuple[pd.DataFrame, int]:
    """``raw`` without the rows that repeat its header, and how many there were.

    ``header`` maps columns of ``raw`` to their header text; a row holding all of them is a
    header line left inside the data (files concatenated with their headers). Raises
    :class:`EmptyFileError` when no data row is left.
    """
    repeated = np.ones(len(raw), dtype=bool)
    for column, text in header.items():
        repeated &= (raw[column].str.strip() == text).to_numpy()
    n_header = int(repeated.sum())
    if n_header:
        raw = raw.loc[~repeated].reset_index(drop=True)
    if len(raw) == 0:
        raise EmptyFileError(f"No crimes in {source}: the file has a header but no data rows.")
    return raw, n_header


def note_repeated_headers(report: LoadReport, n_header: int, *, source: str,
                          why: str = "") -> None:
    """Count and name in ``report`` the header lines :func:`drop_repeated_headers` removed."""
    if n_header:
        report.header_lines = n_header
        report.notes.append(f"{source}: removed {n_header:,} {REPEATED_HEADER}(s) inside the "
                            f"data{why}.")


def _inside(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def _checks_for(input_crs: CRS, output_crs: CRS | None) -> tuple[tuple | None, tuple | None, str]:
    """Return (box, other-convention box, drop reason) for coordinates in ``input_crs``.

    Lon/lat bound for British National Grid must lie in the UK; any other lon/lat (or an
    output CRS still to be chosen, ``None``) need only be valid degrees, and values that
    fit neither but look like BNG metres are caught as such.
    """
    if input_crs == WGS84:
        if output_crs == BNG:
            return UK_LONLAT_BOX, GB_BNG_BOX, DROP_OUTSIDE_UK
        return WORLD_LONLAT_BOX, GB_BNG_BOX, DROP_OUT_OF_RANGE
    if input_crs == BNG:
        return GB_BNG_BOX, UK_LONLAT_BOX, DROP_OUTSIDE_UK
    return None, None, DROP_OUT_OF_RANGE


def _swapped(xn: np.ndarray, yn: np.ndarray, box: tuple, n_numeric: int) -> int:
    """How many rows only make sense swapped (0 unless a majority do).

    Checked against ``box`` and, for lon/lat, against the UK box too: UK lon/lat swapped
    (x ≈ 53, y ≈ -1) are still valid degrees, but put nearly every crime in the sea off
    Somalia, while exchanged they fall in the UK.
    """
    for check in (box, UK_LONLAT_BOX) if box == WORLD_LONLAT_BOX else (box,):
        n_in = int(_inside(xn, yn, check).sum())
        n_swapped = int(_inside(yn, xn, check).sum())
        if n_in <= MAJORITY * n_numeric and n_swapped > MAJORITY * n_numeric:
            return n_swapped
    return 0


def _describe_crs(crs: CRS) -> str:
    if crs == WGS84:
        return "longitude/latitude (EPSG:4326)"
    if crs == BNG:
        return "eastings/northings (EPSG:27700)"
    return crs.to_string()


def _outside_uk_hint(xn: np.ndarray, yn: np.ndarray, input_crs: CRS,
                     output_crs: CRS | None) -> str:
    degrees = _inside(xn, yn, WORLD_LONLAT_BOX).mean() > MAJORITY
    if input_crs == WGS84 and output_crs == BNG and degrees:
        return (" These look like longitude/latitude outside the UK: leave the output CRS "
                "unset (crs=None) to project them to the UTM zone of the data.")
    return ""


def clean_coordinates(
    x_text: pd.Series,
    y_text: pd.Series,
    *,
    input_crs: CRS,
    output_crs: CRS | None,
    source: str,
    x_name: str,
    y_name: str,
    fix: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check coordinate text; return projected x, y and a per-row drop reason ("" = keep).

    ``output_crs=None`` checks the values but leaves them in ``input_crs`` (the loader
    chooses the output CRS once all files are read).

    Raises :class:`InputFileError` when the coordinates are wrong as a whole: swapped
    columns, the wrong CRS, or no numeric coordinate at all. ``fix`` says where to fix it.
    """
    n = len(x_text)
    reason = np.full(n, "", dtype=object)
    xs = x_text.str.strip()
    ys = y_text.str.strip()
    blank = ((xs == "") | (ys == "")).to_numpy()
    reason[blank] = DROP_NO_COORDINATES
    x = pd.to_numeric(xs, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    y = pd.to_numeric(ys, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    numeric = np.isfinite(x) & np.isfinite(y)
    non_numeric = ~blank & ~numeric
    reason[non_numeric] = DROP_NON_NUMERIC
    n_numeric = int(numeric.sum())
    if n_numeric == 0 and non_numeric.any():
        bad = xs[non_numeric].iloc[0], ys[non_numeric].iloc[0]
        raise InputFileError(
            f"No usable coordinates in {source}: none of the {int(non_numeric.sum()):,} "
            f"values in columns {x_name!r}/{y_name!r} is a number (first: {bad[0]!r}, "
            f"{bad[1]!r}). Check that these are the coordinate columns{fix}."
        )
    box, other_box, outside_reason = _checks_for(input_crs, output_crs)
    if box is not None and n_numeric:
        xn, yn = x[numeric], y[numeric]
        n_in = int(_inside(xn, yn, box).sum())
        n_swapped = _swapped(xn, yn, box, n_numeric)
        described = _describe_crs(input_crs)
        if n_swapped:
            raise InputFileError(
                f"The coordinates in {source} look swapped: {n_swapped:,} of {n_numeric:,} "
                f"rows only make sense with {x_name!r} and {y_name!r} exchanged (expected "
                f"{described} with x in [{box[0]}, {box[2]}] and y in [{box[1]}, {box[3]}]; "
                f"first row has x={xn[0]}, y={yn[0]}). Swap the two columns{fix}."
            )
        if other_box is not None:
            looks_other = _inside(xn, yn, other_box)
            if input_crs != BNG:
                # The BNG box holds lon/lat values too; a point in the lon/lat box, or any
                # valid degrees, read as metres, would be a few metres from the BNG origin,
                # in the sea: such values are degrees, not metres.
                looks_other &= ~_inside(xn, yn, box) & ~_inside(xn, yn, WORLD_LONLAT_BOX)
            n_other = int(looks_other.sum())
            if n_other > MAJORITY * n_numeric:
                other = BNG if input_crs == WGS84 else WGS84
                raise InputFileError(
                    f"The coordinates in {source} were read as {described}, but "
                    f"{n_other:,} of {n_numeric:,} rows look like {_describe_crs(other)} "
                    f"(first row x={xn[0]}, y={yn[0]}). Set crs = '{other.to_string()}'{fix}."
                )
        if n_in == 0:
            raise InputFileError(
                f"None of the {n_numeric:,} coordinates in {source} lies in the expected "
                f"range for {described} (x in [{box[0]}, {box[2]}], y in [{box[1]}, "
                f"{box[3]}]; first row x={xn[0]}, y={yn[0]}). Check the coordinate "
                f"columns and the CRS{fix}.{_outside_uk_hint(xn, yn, input_crs, output_crs)}"
            )
        outside = numeric & ~_inside(x, y, box)
        reason[outside] = outside_reason
    ok = reason == ""
    if output_crs is not None and input_crs != output_crs and ok.any():
        transformer = Transformer.from_crs(input_crs, output_crs, always_xy=True)
        px, py = transformer.transform(x[ok], y[ok], errcheck=False)
        x = x.copy()
        y = y.copy()
        x[ok], y[ok] = px, py
        bad = ok & ~(np.isfinite(x) & np.isfinite(y))
        reason[bad] = DROP_OUT_OF_RANGE
    return x, y, reason


def parse_months(text: pd.Series, *, fmt: str | None = None) -> pd.Series:
    """Return the first day of each value's month (``NaT`` where unreadable).

    Without ``fmt``, reads ``YYYY-MM``, ``YYYY-MM-DD`` (and ``/`` separators, and a
    trailing time). With ``fmt`` (a ``strftime`` format) values are read with it.
    """
    if fmt is not None:
        stamps = pd.to_datetime(text.str.strip(), format=fmt, errors="coerce")
        months = stamps.dt.to_period("M").dt.start_time
        return months.astype("datetime64[ns]")
    # A file holds few distinct months: parse each distinct value once.
    codes, uniques = pd.factorize(text)
    parts = pd.Series(uniques, dtype="str").str.extract(_MONTH_PATTERN)
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    frame = pd.DataFrame({"year": year, "month": month, "day": 1})
    parsed = pd.to_datetime(frame, errors="coerce").astype("datetime64[ns]").to_numpy()
    nat = np.datetime64("NaT", "ns")
    values = np.where(codes >= 0, parsed[np.maximum(codes, 0)], nat) if len(parsed) else nat
    return pd.Series(values, index=text.index, dtype="datetime64[ns]")


def parse_dates(text: pd.Series, *, fmt: str | None = None) -> tuple[pd.Series, str]:
    """Return timestamps (``NaT`` where unreadable) and the format used.

    Without ``fmt``, each of :data:`DATE_FORMATS` is tried and the one that reads the
    most values is used.
    """
    stripped = text.str.strip()
    formats = (fmt,) if fmt is not None else DATE_FORMATS
    best, best_fmt, best_n = None, formats[0], -1
    for candidate in formats:
        stamps = pd.to_datetime(stripped, format=candidate, errors="coerce")
        n_ok = int(stamps.notna().sum())
        if n_ok > best_n:
            best, best_fmt, best_n = stamps, candidate, n_ok
        if n_ok == int((stripped != "").sum()):
            break
    if isinstance(best.dtype, pd.DatetimeTZDtype):
        # ISO 8601 with an offset ("2017-05-25T00:00:00Z"): keep the clock time as written.
        best = best.dt.tz_localize(None)
    return best.astype("datetime64[ns]"), best_fmt


def tidy(
    raw: pd.DataFrame,
    *,
    source: str,
    input_crs: CRS,
    output_crs: CRS | None,
    x_name: str,
    y_name: str,
    fix: str,
    month_format: str | None = None,
    date_format: str | None = None,
) -> tuple[pd.DataFrame, LoadReport]:
    """Check every row of a raw frame; return kept rows (with ``x``, ``y``) and a report.

    ``raw`` has text columns ``x``, ``y``, ``month`` and/or ``date``, the canonical string
    columns, and optionally ``weight`` (float) and extra columns kept as they are.
    """
    report = LoadReport(sources=[source], rows_read=len(raw),
                        crs="" if output_crs is None else output_crs.to_string())
    x, y, reason = clean_coordinates(
        raw["x"], raw["y"], input_crs=input_crs, output_crs=output_crs, source=source,
        x_name=x_name, y_name=y_name, fix=fix,
    )
    date = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if "date" in raw:
        date, used = parse_dates(raw["date"], fmt=date_format)
        if date_format is None and date.notna().any():
            report.notes.append(f"{source}: dates read with format {used!r}.")
    if "month" in raw:
        month = parse_months(raw["month"], fmt=month_format)
        unread = date.isna() & (raw["date"].str.strip() != "") if "date" in raw else None
        if unread is not None and unread.any():
            report.notes.append(
                f"{source}: {int(unread.sum()):,} dates could not be read and were left "
                "blank; the month column was used."
            )
    else:
        month = date.dt.to_period("M").dt.start_time.astype("datetime64[ns]")
    bad_month = (month.isna().to_numpy()) & (reason == "")
    reason[bad_month] = DROP_BAD_DATE
    no_category = (raw["category"].str.strip() == "").to_numpy() & (reason == "")
    reason[no_category] = DROP_NO_CATEGORY

    keep = reason == ""
    counts = pd.Series(reason[~keep]).value_counts()
    report.dropped = {str(k): int(v) for k, v in counts.items()}
    n_kept = int(keep.sum())
    out = pd.DataFrame(index=pd.RangeIndex(n_kept))
    for col in STRING_COLUMNS:
        if col in raw:
            out[col] = raw[col][keep].astype("str").str.strip().array
        else:
            out[col] = pd.Series("", index=out.index, dtype="str")
    out["month"] = month.to_numpy()[keep]
    out["date"] = date.to_numpy()[keep]
    out["weight"] = raw["weight"].to_numpy(dtype=float)[keep] if "weight" in raw else 1.0
    for col in raw.columns:
        if col not in out and col not in ("x", "y"):
            out[col] = raw[col][keep].array
    out["x"] = x[keep]
    out["y"] = y[keep]
    report.rows_kept = len(out)
    return out, report
