"""Coordinates read from text: checked against their declared CRS, row by row and as a whole.

:func:`clean_coordinates` works on whole Arrow text columns (``pyarrow.compute`` and
numpy, no per-row Python). Rows that cannot be placed are dropped with a reason (blank, not
numbers, exactly (0, 0), in another CRS than the rest of the file, outside the CRS's area
of use); a file
whose coordinates are wrong as a whole (swapped columns, longitude/latitude declared as
metres or the other way round, nothing where the CRS is used) is refused with a message
that says what the numbers look like and how to fix it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import CRS
from pyproj import Transformer

from hotspots.errors import InputFileError
from hotspots.io.report import DROP_NO_COORDINATES
from hotspots.io.report import DROP_NON_NUMERIC
from hotspots.io.report import DROP_OTHER_CRS
from hotspots.io.report import DROP_OUT_OF_RANGE
from hotspots.io.report import DROP_OUTSIDE_UK
from hotspots.io.report import DROP_ZERO_COORDINATES
from hotspots.io.textcsv import TextColumn
from hotspots.io.textcsv import strip_text
from hotspots.io.textcsv import text_array
from hotspots.io.textcsv import text_series
from hotspots.spatial import UK_LONLAT_BOX
from hotspots.spatial import area_of_use
from hotspots.spatial import looks_like_degrees

__all__ = ["WGS84", "BNG", "GB_BNG_BOX", "WORLD_LONLAT_BOX", "MAJORITY", "clean_coordinates",
           "describe_crs", "transformer", "check_whole_file", "numeric_coordinates",
           "text_floats", "crs_text", "same_crs"]

#: A generous British National Grid box (west, south, east, north) in metres around the
#: EPSG:27700 area of use (about -104 km to 688 km east, -16 km to 1,250 km north).
GB_BNG_BOX = (-120_000.0, -20_000.0, 800_000.0, 1_300_000.0)
#: The valid range of longitude/latitude.
WORLD_LONLAT_BOX = (-180.0, -90.0, 180.0, 90.0)
#: Values above this (in absolute value) in a longitude/latitude file are metres of some
#: projection, not mistyped degrees: dropped as "coordinates in another CRS".
METRES_NOT_DEGREES = 1_000.0
#: Share of the numeric rows that must look swapped (or in the other CRS) before we
#: refuse the file instead of dropping rows: "most rows only make sense swapped".
MAJORITY = 0.5

WGS84 = CRS.from_epsg(4326)
BNG = CRS.from_epsg(27700)
_TRANSFORMERS: dict[tuple[str, str], Transformer] = {}


def transformer(source: CRS, target: CRS) -> Transformer:
    """An ``always_xy`` transformer from ``source`` to ``target``, made once and reused.

    Examples
    --------
    >>> transformer(WGS84, BNG) is transformer(WGS84, BNG)
    True
    """
    key = (source.to_wkt(), target.to_wkt())
    if key not in _TRANSFORMERS:
        _TRANSFORMERS[key] = Transformer.from_crs(source, target, always_xy=True)
    return _TRANSFORMERS[key]


_CRS_TEXT: dict[str, str] = {}
_SAME: dict[tuple[str, str], bool] = {}


def same_crs(a: CRS | None, b: CRS | None) -> bool:
    """``a == b`` for CRSs, worked out once per pair (pyproj compares in ~50 µs).

    Examples
    --------
    >>> same_crs(BNG, CRS.from_epsg(27700)), same_crs(BNG, WGS84), same_crs(None, BNG)
    (True, False, False)
    """
    if a is None or b is None:
        return a is b
    key = (a.srs, b.srs)
    found = _SAME.get(key)
    if found is None:
        found = _SAME[key] = bool(a == b)
    return found


def crs_text(crs: CRS) -> str:
    """``crs.to_string()``, worked out once per CRS (it takes ~0.3 ms: once per file adds up).

    Examples
    --------
    >>> crs_text(BNG)
    'EPSG:27700'
    """
    text = _CRS_TEXT.get(crs.srs)
    if text is None:
        text = _CRS_TEXT[crs.srs] = crs.to_string()
    return text


def describe_crs(crs: CRS) -> str:
    """How messages name a CRS: ``'eastings/northings (EPSG:27700)'``.

    Examples
    --------
    >>> describe_crs(WGS84), describe_crs(CRS.from_epsg(3857))
    ('longitude/latitude (EPSG:4326)', 'EPSG:3857 (WGS 84 / Pseudo-Mercator, in metres)')
    """
    if same_crs(crs, WGS84):
        return "longitude/latitude (EPSG:4326)"
    if same_crs(crs, BNG):
        return "eastings/northings (EPSG:27700)"
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    unit = {"metre": "metres", "degree": "degrees"}.get(unit, unit)
    return f"{crs.to_string()} ({crs.name}{', in ' + unit if unit else ''})"


def _inside(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    west, south, east, north = box
    across = (x >= west) | (x <= east) if west > east else (x >= west) & (x <= east)
    return across & (y >= south) & (y <= north)


def _checks_for(input_crs: CRS, output_crs: CRS | None) -> tuple[tuple | None, tuple | None, str]:
    """Return (box, other-convention box, drop reason) for coordinates in ``input_crs``.

    Lon/lat bound for British National Grid must lie in the UK; any other lon/lat (or an
    output CRS still to be chosen, ``None``) need only be valid degrees, and values that
    fit neither but look like BNG metres are caught as such.
    """
    if same_crs(input_crs, WGS84):
        if same_crs(output_crs, BNG):
            return UK_LONLAT_BOX, GB_BNG_BOX, DROP_OUTSIDE_UK
        return WORLD_LONLAT_BOX, GB_BNG_BOX, DROP_OUT_OF_RANGE
    if same_crs(input_crs, BNG):
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


def _span(xn: np.ndarray, yn: np.ndarray) -> str:
    return (f"x from {np.min(xn):,.6g} to {np.max(xn):,.6g}, y from {np.min(yn):,.6g} to "
            f"{np.max(yn):,.6g}")


def _outside_uk_hint(xn: np.ndarray, yn: np.ndarray, input_crs: CRS,
                     output_crs: CRS | None) -> str:
    degrees = _inside(xn, yn, WORLD_LONLAT_BOX).mean() > MAJORITY
    if same_crs(input_crs, WGS84) and same_crs(output_crs, BNG) and degrees:
        return (" These look like longitude/latitude outside the UK: leave the output CRS "
                "unset (crs=None) to project them to the UTM zone of the data.")
    return ""


def _lonlat(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    if crs.is_geographic:
        return x, y
    lon, lat = transformer(crs, WGS84).transform(x, y, errcheck=False)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def check_whole_file(xn: np.ndarray, yn: np.ndarray, *, input_crs: CRS,
                     output_crs: CRS | None, source: str, x_name: str, y_name: str,
                     fix: str) -> None:
    """Refuse coordinates that are wrong as a whole (see the module docstring).

    ``xn``, ``yn`` are the file's numeric coordinates (blank, non-numeric and (0, 0) rows
    left out). Raises :class:`InputFileError` for swapped columns, another CRS, or none in
    range; :func:`clean_coordinates` calls it, and so does a reader that checks many files'
    rows at once (:class:`hotspots.io.policeuk.PoliceUkPool`), file by file.

    Examples
    --------
    >>> check_whole_file(np.array([-1.5]), np.array([53.8]), input_crs=WGS84, output_crs=None,
    ...                  source="f.csv", x_name="x", y_name="y", fix="")
    >>> try:
    ...     check_whole_file(np.array([53.8]), np.array([-1.5]), input_crs=WGS84,
    ...                      output_crs=None, source="f.csv", x_name="x", y_name="y", fix="")
    ... except InputFileError as exc:
    ...     print(str(exc)[:40])
    The coordinates in f.csv look swapped: 1
    """
    n_numeric = len(xn)
    described = describe_crs(input_crs)
    box, other_box, _ = _checks_for(input_crs, output_crs)
    if box is not None:
        n_swapped = _swapped(xn, yn, box, n_numeric)
        if n_swapped:
            raise InputFileError(
                f"The coordinates in {source} look swapped: {n_swapped:,} of {n_numeric:,} "
                f"rows only make sense with {x_name!r} and {y_name!r} exchanged (expected "
                f"{described} with x in [{box[0]}, {box[2]}] and y in [{box[1]}, {box[3]}]; "
                f"first row has x={xn[0]}, y={yn[0]}). Swap the two columns{fix}."
            )
    if not input_crs.is_geographic:
        degrees = looks_like_degrees(xn, yn)
        if degrees.sum() > MAJORITY * n_numeric:
            raise InputFileError(
                f"The coordinates in {source} were read as {described}, but "
                f"{int(degrees.sum()):,} of {n_numeric:,} rows look like longitude/latitude "
                f"in degrees ({_span(xn[degrees], yn[degrees])}). Set crs = 'EPSG:4326'{fix}."
            )
    if other_box is not None:
        looks_other = _inside(xn, yn, other_box)
        if not same_crs(input_crs, BNG):
            # The BNG box holds lon/lat values too; a point in the lon/lat box, or any
            # valid degrees, read as metres, would be a few metres from the BNG origin,
            # in the sea: such values are degrees, not metres.
            looks_other &= ~_inside(xn, yn, box) & ~_inside(xn, yn, WORLD_LONLAT_BOX)
        n_other = int(looks_other.sum())
        if n_other > MAJORITY * n_numeric:
            other = BNG if same_crs(input_crs, WGS84) else WGS84
            raise InputFileError(
                f"The coordinates in {source} were read as {described}, but "
                f"{n_other:,} of {n_numeric:,} rows look like {describe_crs(other)} "
                f"(first row x={xn[0]}, y={yn[0]}). Set crs = '{other.to_string()}'{fix}."
            )
    if input_crs.is_geographic:
        metres = ~_inside(xn, yn, WORLD_LONLAT_BOX)
        if metres.sum() > MAJORITY * n_numeric:
            raise InputFileError(
                f"The coordinates in {source} were read as {described}, but {int(metres.sum()):,}"
                f" of {n_numeric:,} rows are not valid degrees ({_span(xn, yn)}): they look "
                f"like metres of a projected CRS. Set crs to that CRS (e.g. 'EPSG:27700' for "
                f"British National Grid){fix}."
            )
    if box is not None and not _inside(xn, yn, box).any():
        raise InputFileError(
            f"None of the {n_numeric:,} coordinates in {source} lies in the expected "
            f"range for {described} (x in [{box[0]}, {box[2]}], y in [{box[1]}, "
            f"{box[3]}]; first row x={xn[0]}, y={yn[0]}). Check the coordinate "
            f"columns and the CRS{fix}.{_outside_uk_hint(xn, yn, input_crs, output_crs)}"
        )


def text_floats(stripped: pa.ChunkedArray) -> np.ndarray:
    """Stripped text as floats, as ``pandas.to_numeric(errors="coerce")`` reads it.

    NaN where blank or not a number. The whole column is cast by Arrow (fast); when one
    value is not a number Arrow can read, the column is read by ``pandas.to_numeric``
    instead, so what counts as a number is pandas's. Where both read a value they agree
    (both round correctly), except that pandas reads ``-0`` as +0.0: zeros are read again
    by pandas (there are few).

    Examples
    --------
    >>> text_floats(pa.chunked_array([["1.5", "", "1e3", "-0"]])).tolist()
    [1.5, nan, 1000.0, -0.0]
    >>> text_floats(pa.chunked_array([["-0", "2"]])).tolist()
    [0.0, 2.0]
    >>> text_floats(pa.chunked_array([["1.5", "x", "inf"]])).tolist()
    [1.5, nan, inf]
    """
    blank = pc.equal(stripped, "")
    text = pc.if_else(blank, pa.scalar(None, stripped.type), stripped)
    try:
        values = pc.cast(text, pa.float64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _pandas_floats(stripped)
    if (values == 0).any():  # the sign of a zero is pandas's, which depends on the column
        return _pandas_floats(stripped)
    return np.array(values, dtype=float)  # writable, NaN where blank


def _pandas_floats(stripped: pa.ChunkedArray) -> np.ndarray:
    series = text_series(stripped.chunks) if stripped.num_chunks else pd.Series([], dtype="str")
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def numeric_coordinates(x_text: TextColumn, y_text: TextColumn) -> tuple[np.ndarray, np.ndarray]:
    """Coordinate text as floats (NaN where blank or not a number; see :func:`text_floats`).

    Examples
    --------
    >>> numeric_coordinates(pd.Series([" 1.5", "x"]), pd.Series(["2", ""]))[0].tolist()
    [1.5, nan]
    """
    x = text_floats(strip_text(text_array(x_text)))
    y = text_floats(strip_text(text_array(y_text)))
    return x, y


def clean_coordinates(
    x_text: TextColumn,
    y_text: TextColumn,
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

    Examples
    --------
    >>> x = pd.Series(["430000", "", "-1.55", "0", "431000"])
    >>> y = pd.Series(["433000", "", "53.8", "0", "434000"])
    >>> _, _, why = clean_coordinates(x, y, input_crs=BNG, output_crs=BNG, source="f.csv",
    ...                               x_name="x", y_name="y", fix="")
    >>> why.tolist()
    ['', 'no coordinates', 'coordinates in another CRS', 'zero coordinates (0, 0)', '']
    """
    xs = strip_text(text_array(x_text))
    ys = strip_text(text_array(y_text))
    n = len(xs)
    reason = np.full(n, "", dtype=object)
    # A missing value is not blank (as pandas compares text): it is "not a number" below.
    blank = pc.fill_null(pc.or_(pc.equal(xs, ""), pc.equal(ys, "")), False)
    blank = blank.to_numpy(zero_copy_only=False) if n else np.zeros(0, dtype=bool)
    reason[blank] = DROP_NO_COORDINATES
    x = text_floats(xs)
    y = text_floats(ys)
    numeric = np.isfinite(x) & np.isfinite(y)
    non_numeric = ~blank & ~numeric
    reason[non_numeric] = DROP_NON_NUMERIC
    zero = numeric & (x == 0) & (y == 0)
    reason[zero] = DROP_ZERO_COORDINATES
    free = ~(blank | non_numeric | zero)  # reason == "", kept up to date below
    numeric &= ~zero
    n_numeric = int(numeric.sum())
    if n_numeric == 0 and non_numeric.any():
        first = int(np.flatnonzero(non_numeric)[0])
        bad = tuple(np.nan if v is None else v for v in (xs[first].as_py(), ys[first].as_py()))
        raise InputFileError(
            f"No usable coordinates in {source}: none of the {int(non_numeric.sum()):,} "
            f"values in columns {x_name!r}/{y_name!r} is a number (first: {bad[0]!r}, "
            f"{bad[1]!r}). Check that these are the coordinate columns{fix}."
        )
    box, _, outside_reason = _checks_for(input_crs, output_crs)
    if n_numeric:
        xn, yn = x[numeric], y[numeric]
        check_whole_file(xn, yn, input_crs=input_crs, output_crs=output_crs, source=source,
                           x_name=x_name, y_name=y_name, fix=fix)
        if input_crs.is_geographic:  # not degrees at all: metres of some projection
            other = numeric & ~_inside(x, y, WORLD_LONLAT_BOX) & (
                (np.abs(x) > METRES_NOT_DEGREES) | (np.abs(y) > METRES_NOT_DEGREES))
        else:
            other = numeric & looks_like_degrees(x, y)
        reason[free & other] = DROP_OTHER_CRS
        free &= ~other
        if box is not None:
            outside = free & numeric & ~_inside(x, y, box)
            reason[outside] = outside_reason
            free &= ~outside
        served = area_of_use(input_crs)
        if served is not None and not same_crs(input_crs, BNG):
            todo = free & numeric
            lon, lat = _lonlat(x[todo], y[todo], input_crs)
            inside = np.isfinite(lon) & np.isfinite(lat) & _inside(lon, lat, served)
            if todo.any() and not inside.any():
                raise InputFileError(
                    f"None of the {int(todo.sum()):,} coordinates in {source} lies where "
                    f"{describe_crs(input_crs)} is used ({_span(x[todo], y[todo])}; its area "
                    f"of use is longitude {served[0]:g} to {served[2]:g}, latitude "
                    f"{served[1]:g} to {served[3]:g}, with a margin). Check the CRS{fix}."
                )
            where = np.flatnonzero(todo)[~inside]
            reason[where] = DROP_OUT_OF_RANGE
            free[where] = False
    ok = free
    if output_crs is not None and not same_crs(input_crs, output_crs) and ok.any():
        px, py = transformer(input_crs, output_crs).transform(x[ok], y[ok], errcheck=False)
        x = x.copy()
        y = y.copy()
        x[ok], y[ok] = px, py
        bad = ok & ~(np.isfinite(x) & np.isfinite(y))
        reason[bad] = DROP_OUT_OF_RANGE
    return x, y, reason
