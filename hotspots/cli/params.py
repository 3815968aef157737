"""Flag types whose range is checked as the command line is parsed, before any data is read.

Bad values are flag errors (exit code 2, the flag named): a distance that is not a finite
number of metres, a cell size past the grid's limit, a month outside the years crime data
can have. The limits are the library's own (imported when a flag is parsed, so that
``hotspots --help`` stays quick).
"""

from __future__ import annotations

import math
from typing import Any

import click

__all__ = ["Metres", "check_month_range"]


class Metres(click.ParamType):
    """A finite number of metres in ``(0, high]`` (``high``: a dotted path to the limit).

    Examples
    --------
    >>> Metres().convert("25", None, None)
    25.0
    >>> Metres().convert("nan", None, None)
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: 'nan' is not a finite number of metres greater than 0.
    """

    name = "metres"

    def __init__(self, high: str | None = None) -> None:
        self.high = high

    def _limit(self) -> float:
        if self.high is None:
            return math.inf
        module, _, name = self.high.rpartition(".")
        from importlib import import_module

        return float(getattr(import_module(module), name))

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of metres.", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} is not a finite number of metres greater than 0.", param, ctx)
        high = self._limit()
        if number > high:
            self.fail(f"{value!r} is more than the limit of {high:g} metres.", param, ctx)
        return number


def check_month_range(value: str | None) -> str | None:
    """Raise a flag error for a ``YYYY-MM`` month whose year crime data cannot have.

    Examples
    --------
    >>> check_month_range("2024-03")
    '2024-03'
    >>> check_month_range("0000-01")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: '0000-01' is not a month crime data can have (years 1900 to ...).
    """
    if value is None:
        return value
    from hotspots.io.dates import check_month_text

    try:
        return check_month_text(value)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}.") from None
