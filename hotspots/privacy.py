"""The privacy rule for sensitive crime groups (VAWG, domestic abuse): one home.

Locations of sensitive crimes are published only as aggregates (cells, areas), and counts of
1 to ``SMALL_COUNT - 1`` are shown as ``"<5"`` wherever a table, label or sentence would state
them (DESIGN.md, privacy). Every table, map, chart and report applies the rule through this
module, so the threshold and the wording are defined once.

Examples
--------
>>> count_label(3, sensitive=True), count_label(3, sensitive=False), count_label(0, sensitive=True)
('<5', '3', '0')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SMALL_COUNT",
    "SUPPRESSED",
    "RULE",
    "is_small",
    "any_small",
    "count_label",
    "count_labels",
    "suppress_small_counts",
    "suppress_table",
]

#: Counts from 1 to SMALL_COUNT - 1 are not shown for sensitive groups (DESIGN.md, privacy;
#: the usual statistical-disclosure threshold for small counts in published crime tables).
SMALL_COUNT = 5
#: What is shown in place of a small count.
SUPPRESSED = f"<{SMALL_COUNT}"
#: The rule in words, for run.json, captions and reports.
RULE = (f"Sensitive group: counts of 1-{SMALL_COUNT - 1} are written as '{SUPPRESSED}' in CSV "
        "tables and map labels.")


def is_small(value: Any) -> bool:
    """True when ``value`` is a count that must not be shown (1 to ``SMALL_COUNT - 1``).

    Examples
    --------
    >>> [is_small(v) for v in (0, 1, 4, 4.5, 5, None, float("nan"), "<5")]
    [False, True, True, True, False, False, False, False]
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    return not math.isnan(value) and 0 < value < SMALL_COUNT


def any_small(values: Iterable[Any]) -> bool:
    """True when any of ``values`` is a small count (see :func:`is_small`)."""
    return any(is_small(v) for v in values)


def count_label(value: Any, *, sensitive: bool, spec: str = ",.0f") -> str:
    """``value`` formatted with ``spec``, or ``"<5"`` for a small count of a sensitive group.

    Examples
    --------
    >>> count_label(1234, sensitive=True), count_label(2, sensitive=True, spec="g")
    ('1,234', '<5')
    """
    if sensitive and is_small(value):
        return SUPPRESSED
    return format(value, spec)


def count_labels(values: pd.Series) -> pd.Series:
    """Counts as map labels: ``"<5"`` for 1–4, else the shortest form (``12``, ``2.5``).

    Examples
    --------
    >>> count_labels(pd.Series([0, 3, 12, 2.5])).tolist()
    ['0', '<5', '12', '<5']
    """
    return values.map(lambda v: SUPPRESSED if is_small(v) else f"{v:g}")


def suppress_small_counts(
    frame: pd.DataFrame, columns: Sequence[str] = ("count",)
) -> pd.DataFrame:
    """Return a copy of ``frame`` with counts of 1–4 in ``columns`` replaced by ``"<5"``.

    Examples
    --------
    >>> suppress_small_counts(pd.DataFrame({"count": [0, 3, 12]}))["count"].tolist()
    ['0', '<5', '12']
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(lambda v: SUPPRESSED if is_small(float(v)) else f"{float(v):g}")
    return out


def suppress_table(frame: pd.DataFrame, counts: Sequence[str], derived: Sequence[str] = (),
                   *, sensitive: bool) -> pd.DataFrame:
    """Counts of 1–4 in ``counts`` as "<5" and ``derived`` columns blanked on those rows.

    ``derived`` are figures that would reveal a suppressed count (its share, rate or harm).
    Returns ``frame`` unchanged unless ``sensitive``.

    Examples
    --------
    >>> t = pd.DataFrame({"count": [0, 3, 12], "share": [0.0, 0.2, 0.8]})
    >>> suppress_table(t, ["count"], ["share"], sensitive=True).values.tolist()
    [['0', 0.0], ['<5', ''], ['12', 0.8]]
    """
    if not sensitive or len(frame) == 0:
        return frame
    out = pd.DataFrame(frame).copy()
    small = np.zeros(len(out), dtype=bool)
    for col in (c for c in counts if c in out.columns):
        values = pd.to_numeric(out[col], errors="coerce")
        hit = ((values > 0) & (values < SMALL_COUNT)).to_numpy()
        small |= hit
        out[col] = [(SUPPRESSED if h else ("" if pd.isna(v) else f"{v:.0f}"))
                    for h, v in zip(hit, values, strict=True)]
    for col in derived:
        if col in out.columns:
            out[col] = out[col].astype(object).where(~small, "")
    return out
