"""Months and periods: the one home for parsing, shifting, counting and labelling months.

Months are ``pd.Timestamp`` first-of-month values, as the canonical crime table's ``month``
column holds them; arithmetic goes through ``pd.Period`` (monthly frequency); periods are
``(first, last)`` pairs with both ends included. Text is always ``"YYYY-MM"``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError

__all__ = [
    "MONTH_PATTERN",
    "is_month_text",
    "parse_month",
    "as_month",
    "months_between",
    "shift_months",
    "shift_month_label",
    "month_label",
    "period_label",
    "data_months",
    "covered_months",
    "missing_months",
]

#: A month written YYYY-MM (months 01-12), the form every command, file and config uses.
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_month_text(value: object) -> bool:
    """True for text written ``YYYY-MM`` with a month from 01 to 12.

    Examples
    --------
    >>> is_month_text("2024-03"), is_month_text("2024-13"), is_month_text("2024-3")
    (True, False, False)
    """
    return isinstance(value, str) and MONTH_PATTERN.match(value) is not None


def parse_month(value: str, *, name: str) -> pd.Timestamp:
    """Return the first day of a ``"YYYY-MM"`` month, or raise a ParameterError naming it.

    Examples
    --------
    >>> parse_month("2022-03", name="start")
    Timestamp('2022-03-01 00:00:00')
    """
    text = value.strip() if isinstance(value, str) else None
    if text is None or not is_month_text(text):
        raise ParameterError(
            f"The '{name}' parameter must be a month written YYYY-MM (e.g. '2022-01'), "
            f"got {value!r}."
        )
    return pd.Period(text, freq="M").to_timestamp()


def as_month(value: Any, *, name: str) -> pd.Timestamp:
    """Return the first day of the month of ``value`` (``"YYYY-MM"``, date, Timestamp, Period).

    Examples
    --------
    >>> as_month("2025-01", name="start"), as_month(pd.Timestamp("2025-01-17"), name="start")
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2025-01-01 00:00:00'))
    >>> as_month(pd.Period("2025-01", freq="M"), name="start")
    Timestamp('2025-01-01 00:00:00')
    """
    if isinstance(value, str):
        return parse_month(value, name=name)
    if isinstance(value, pd.Period):
        value = value.start_time
    if isinstance(value, pd.Timestamp | dt.date | np.datetime64) and not pd.isna(value):
        stamp = pd.Timestamp(value)
        return pd.Timestamp(year=stamp.year, month=stamp.month, day=1)
    raise ParameterError(
        f"The '{name}' parameter must be a month written YYYY-MM (e.g. '2025-01') or a "
        f"date, got {value!r}."
    )


def months_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Number of months from ``first`` to ``last``, both included.

    Examples
    --------
    >>> months_between(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01"))
    12
    """
    return (last.year - first.year) * 12 + last.month - first.month + 1


def shift_months(month: pd.Timestamp, n: int) -> pd.Timestamp:
    """The first day of the month ``n`` months after ``month`` (before, if ``n`` < 0).

    Examples
    --------
    >>> shift_months(pd.Timestamp("2025-01-01"), -12)
    Timestamp('2024-01-01 00:00:00')
    """
    index = month.year * 12 + month.month - 1 + n
    return pd.Timestamp(year=index // 12, month=index % 12 + 1, day=1)


def shift_month_label(month: str, n: int, *, name: str = "month") -> str:
    """The ``"YYYY-MM"`` month ``n`` months after the ``"YYYY-MM"`` ``month`` (before, if < 0).

    For month pickers and command-line defaults, which hold months as text.

    Examples
    --------
    >>> shift_month_label("2025-01", -1), shift_month_label("2024-12", 12)
    ('2024-12', '2025-12')
    """
    return month_label(shift_months(parse_month(month, name=name), n))


def month_label(month: pd.Timestamp) -> str:
    """``"YYYY-MM"``."""
    return f"{month:%Y-%m}"


def period_label(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """``"2024-01 to 2024-12"``, or one month alone."""
    return month_label(first) if first == last else f"{month_label(first)} to {month_label(last)}"


def data_months(crimes: pd.DataFrame, *, func: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month present in ``crimes`` (the span the data cover)."""
    if "month" not in crimes.columns:
        raise ParameterError(
            f"{func}: 'crimes' has no 'month' column, so periods cannot be selected; load "
            "it with hotspots.load_crimes."
        )
    months = pd.to_datetime(crimes["month"]).dropna()
    if months.empty:
        raise EmptySelectionError(f"{func}: no crime in 'crimes' has a month; nothing to compare.")
    return as_month(months.min(), name="month"), as_month(months.max(), name="month")


def covered_months(
    first: pd.Timestamp, last: pd.Timestamp, cover: tuple[pd.Timestamp, pd.Timestamp]
) -> int:
    """How many months of ``first..last`` lie within the data's ``cover`` span."""
    lo, hi = max(first, cover[0]), min(last, cover[1])
    return months_between(lo, hi) if lo <= hi else 0


def missing_months(crimes: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> list[str]:
    """Months in ``first..last`` (inside the data's span) with no crime at all in ``crimes``."""
    present = {month_label(m) for m in pd.to_datetime(crimes["month"]).dropna().unique()}
    if not present:
        return []
    lo, hi = min(present), max(present)
    wanted = [month_label(shift_months(first, i)) for i in range(months_between(first, last))]
    return [m for m in wanted if lo <= m <= hi and m not in present]
