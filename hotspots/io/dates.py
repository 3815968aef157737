"""Months and dates read from text, column by column: one bad value drops its row only.

:func:`parse_months` and :func:`parse_dates` never raise on a value: unreadable ones come
back as ``NaT`` (dropped as "bad date"), and readable ones outside the years crime can have
been recorded in (:data:`~hotspots.io.limits.EARLIEST_YEAR` to next year) are flagged
(dropped as "month out of range") before pandas is asked to hold them, so ``0000-01`` or
``9999-12`` cannot stop a load. :func:`check_date_format` checks a format given in a
column mapping before any file is read.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa  # noqa: F401 - used by the examples
import pyarrow.compute as pc

from hotspots.io.limits import EARLIEST_YEAR
from hotspots.io.limits import LATEST_YEAR_AHEAD
from hotspots.io.textcsv import TextColumn
from hotspots.io.textcsv import text_array
from hotspots.io.textcsv import text_series
from hotspots.months import is_month_text

__all__ = ["DATE_FORMATS", "parse_months", "month_values", "parse_dates", "year_range",
           "check_date_format", "check_month_text"]

#: Date formats tried, in order, when a mapping gives a date column without a format. Each
#: value is read with the first format that reads it, so a column mixing ISO 8601 and
#: day-first dates loses none; day-first is the UK convention.
DATE_FORMATS = ("ISO8601", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y",
                "%d.%m.%Y")

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
#: Month forms read without a format: 2022-01, 2022/01, 2022-01-31 (and a time after it),
#: 01/2022, 31/01/2022 (day first), Jan 2022, January 2022.
_YEAR_FIRST = r"^\s*(?P<y>\d{4})[-/.](?P<m>\d{1,2})(?:[-/.]\d{1,2})?(?:[T ].*)?\s*$"
_MONTH_FIRST = r"^\s*(?:\d{1,2}[-/.])?(?P<m>\d{1,2})[-/.](?P<y>\d{4})(?:[T ].*)?\s*$"
_NAMED = r"^\s*(?P<n>[A-Za-z]{3,9})[ -](?P<y>\d{4})\s*$"
_PATTERNS = [re.compile(p) for p in (_YEAR_FIRST, _MONTH_FIRST, _NAMED)]


def year_range(today: dt.date | None = None) -> tuple[int, int]:
    """The first and last year a crime month may have (EARLIEST_YEAR to next year).

    Examples
    --------
    >>> year_range(dt.date(2025, 6, 1))
    (1900, 2026)
    """
    today = today or dt.date.today()
    return EARLIEST_YEAR, today.year + LATEST_YEAR_AHEAD


def check_month_text(text: str) -> str:
    """``text`` if it is a month written ``YYYY-MM`` in :func:`year_range`, else ValueError.

    For config files (a pydantic ``AfterValidator``): the message says what to write.

    Examples
    --------
    >>> check_month_text("2024-03")
    '2024-03'
    >>> check_month_text("9999-12")
    Traceback (most recent call last):
    ...
    ValueError: '9999-12' is not a month crime data can have (years 1900 to ...)
    """
    if not is_month_text(text):
        raise ValueError(f"{text!r} is not a month written YYYY-MM, e.g. 2024-03")
    first, last = year_range()
    if not first <= int(text[:4]) <= last:
        raise ValueError(f"{text!r} is not a month crime data can have (years {first} to "
                         f"{last})")
    return text


def _month_of(text: str) -> tuple[int, int] | None:
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        month = _MONTH_NAMES.get(parts["n"][:3].lower()) if parts.get("n") else int(parts["m"])
        if month is None or not 1 <= month <= 12:
            return None
        return int(parts["y"]), month
    return None


def _stamps(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    """First days of months (NaT where year is 0), as datetime64[ns]."""
    out = np.full(len(years), np.datetime64("NaT", "ns"))
    ok = years > 0
    index = (years[ok] - 1970) * 12 + (months[ok] - 1)
    out[ok] = index.astype("datetime64[M]").astype("datetime64[ns]")
    return out


def _series(text: TextColumn) -> pd.Series:
    if isinstance(text, pd.Series):
        return text
    chunks = text_array(text).chunks
    return text_series(chunks) if chunks else pd.Series([], dtype="str")


def parse_months(text: TextColumn, *, fmt: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """The first day of each value's month, and where a readable month is out of range.

    Returns ``(months, out_of_range)``: ``months`` is ``NaT`` where a value cannot be read
    or is out of range; ``out_of_range`` is True where it was read but its year is outside
    :func:`year_range`. Without ``fmt``, the forms of ``_PATTERNS`` are read (each
    distinct value once, from Arrow's dictionary of the column); with ``fmt`` (a
    ``strftime`` format) values are read with it. ``text`` is Arrow text or a Series (the
    result has its index).

    Examples
    --------
    >>> months, far = parse_months(pd.Series(["2022-01", "02/2022", "Mar 2022", "9999-12",
    ...                                       "x"]))
    >>> [str(m)[:7] for m in months], far.tolist()
    (['2022-01', '2022-02', '2022-03', 'NaT', 'NaT'], [False, False, False, True, False])
    """
    if fmt is not None:
        stamps, far = _read_dates(_series(text).str.strip(), fmt)
        months = stamps.dt.to_period("M").dt.start_time.astype("datetime64[ns]")
        return months, far
    values, far = month_values(text)
    index = text.index if isinstance(text, pd.Series) else None
    return pd.Series(values, index=index, dtype="datetime64[ns]"), far


def month_values(text: TextColumn) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_months` without a format, as numpy arrays (``datetime64[ns]``, bool).

    Each distinct value is read once (Arrow's dictionary of the column).

    Examples
    --------
    >>> months, far = month_values(pa.array(["2022-01", "2022-01", "0000-01"]))
    >>> months.astype("datetime64[M]").astype(str).tolist(), far.tolist()
    (['2022-01', '2022-01', 'NaT'], [False, False, True])
    """
    first, last = year_range()
    nat = np.datetime64("NaT", "ns")
    if len(text) == 0:
        return np.full(0, nat), np.zeros(0, dtype=bool)
    encoded = pc.dictionary_encode(text_array(text)).combine_chunks()
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    uniques = encoded.dictionary.to_pylist()
    years = np.zeros(len(uniques), dtype=np.int64)
    nums = np.ones(len(uniques), dtype=np.int64)
    far_u = np.zeros(len(uniques), dtype=bool)
    for i, value in enumerate(uniques):
        found = _month_of(str(value))
        if found is None:
            continue
        if first <= found[0] <= last:
            years[i], nums[i] = found
        else:
            far_u[i] = True
    parsed = _stamps(years, nums)
    if not len(parsed):
        return np.full(len(codes), nat), np.zeros(len(codes), dtype=bool)
    valid = codes >= 0
    safe = np.maximum(codes, 0)
    return np.where(valid, parsed[safe], nat), valid & far_u[safe]


def _read_dates(stripped: pd.Series, fmt: str) -> tuple[pd.Series, np.ndarray]:
    """Timestamps read with ``fmt`` (NaT where not), and where the year is out of range."""
    first, last = year_range()
    try:
        stamps = pd.to_datetime(stripped, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        try:  # mixed UTC offsets ("...Z" and "...+01:00"): read each as UTC
            stamps = pd.to_datetime(stripped, format=fmt, errors="coerce", utc=True)
        except (ValueError, TypeError):  # a format pandas cannot use: nothing is read
            stamps = pd.Series(pd.NaT, index=stripped.index, dtype="datetime64[ns]")
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        # ISO 8601 with an offset ("2017-05-25T00:00:00Z"): keep the clock time as written
        # (one offset), or the UTC time (several).
        stamps = stamps.dt.tz_localize(None)
    year = stamps.dt.year
    far = (stamps.notna() & ((year < first) | (year > last))).to_numpy()
    stamps = stamps.where(~far)
    return stamps.astype("datetime64[ns]"), far


def parse_dates(text: TextColumn, *, fmt: str | None = None
                ) -> tuple[pd.Series, dict[str, int], np.ndarray]:
    """Timestamps (``NaT`` where unreadable or out of range), the formats used, and where
    a readable date is out of range.

    Without ``fmt``, each value is read with the first of :data:`DATE_FORMATS` that reads
    it; the returned dict counts the values each format read.

    Examples
    --------
    >>> stamps, used, far = parse_dates(pd.Series(["2022-01-05", "06/01/2022", "0001-01-01"]))
    >>> [str(s)[:10] for s in stamps], used, far.tolist()
    (['2022-01-05', '2022-01-06', 'NaT'], {'ISO8601': 1, '%d/%m/%Y': 1}, [False, False, True])
    """
    text = _series(text)
    stripped = text.str.strip()
    formats = (fmt,) if fmt is not None else DATE_FORMATS
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    far = np.zeros(len(text), dtype=bool)
    todo = (stripped != "").to_numpy(dtype=bool, na_value=False).copy()
    used: dict[str, int] = {}
    for candidate in formats:
        if not todo.any():
            break
        stamps, far_here = _read_dates(stripped[todo], candidate)
        read = stamps.notna().to_numpy()
        if read.any():
            out.iloc[np.flatnonzero(todo)[read]] = stamps[read].to_numpy()
            used[candidate] = int(read.sum())
        where = np.flatnonzero(todo)
        far[where[far_here]] = True
        todo[where[read | far_here]] = False
    return out, used, far


def check_date_format(fmt: object, *, needs_day: bool) -> str | None:
    """None if ``fmt`` reads dates (with the day when ``needs_day``), else why not.

    Examples
    --------
    >>> check_date_format("%d/%m/%Y", needs_day=True) is None
    True
    >>> check_date_format("%Y", needs_day=False)
    "'%Y' does not give the month: use e.g. '%m/%Y' or '%Y-%m'"
    """
    if not isinstance(fmt, str) or "%" not in fmt:
        return (f"{fmt!r} is not a strftime format (it needs directives such as %d, %m and "
                "%Y, e.g. '%d/%m/%Y')")
    sample = dt.datetime(2023, 11, 27, 13, 45, 56)
    try:
        written = sample.strftime(fmt)
        read = pd.to_datetime(written, format=fmt)
    except (ValueError, TypeError, OverflowError) as exc:
        return f"{fmt!r} is not a format pandas can read dates with ({exc})"
    parts = (("year", read.year == 2023), ("month", read.month == 11))
    if needs_day:
        parts += (("day", read.day == 27),)
    missing = [name for name, ok in parts if not ok]
    if missing:
        example = "'%d/%m/%Y'" if needs_day else "'%m/%Y' or '%Y-%m'"
        return f"{fmt!r} does not give the {' and '.join(missing)}: use e.g. {example}"
    return None
