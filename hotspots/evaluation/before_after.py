"""Observed before/after evaluation of a scheme: :func:`evaluate` and what it found.

Once data after a scheme's start exist, crime in the target area (where the scheme works) is
compared with a control area and a buffer ring around the target, for a period before and
after the start. The steps each have their module: the three areas
(:mod:`hotspots.evaluation.areas`), the six counts (:mod:`hotspots.evaluation.counts`), and
the measures, with their formulas and sources (:mod:`hotspots.evaluation.measures`). This
module puts them together into an :class:`EvaluationResult` with plain-language sentences.
Maps and the trend chart are drawn by :mod:`hotspots.viz.evaluation_figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspots.evaluation.areas import EvaluationAreas
from hotspots.evaluation.counts import DEFAULT_MONTHS
from hotspots.evaluation.counts import BeforeAfter
from hotspots.evaluation.counts import before_after
from hotspots.evaluation.measures import EffectMeasures
from hotspots.evaluation.measures import effect_measures
from hotspots.months import month_label

__all__ = [
    "EvaluationResult",
    "evaluate",
]


@dataclass(kw_only=True)
class EvaluationResult(EffectMeasures):
    """Everything the observed before/after evaluation found.

    The measures are those of :class:`~hotspots.evaluation.measures.EffectMeasures`
    (``res``, ``res_ci``, ``relative_change``, ``significant``, ``success_measure``,
    ``buffer_measure``, ``wdq``, ``wdq_meaning``, ``net_effect``): None where zero counts
    make them undefined, or where the evaluation is not available.

    Attributes
    ----------
    counts : BeforeAfter
        The six counts, periods and monthly counts.
    areas : EvaluationAreas
        The target, buffer and control used.
    available : bool
        False when the data do not cover both periods (``reason`` says why); the measures
        are then None and only the projected impact should be shown.
    reason : str
        Why the evaluation is not available ("" when it is).
    trend : DataFrame
        ``month, period, target, buffer, control``: crimes per month for the trend chart;
        mark ``counts.start`` on it.
    summary : list of str
        Plain-language sentences for the app and the evidence pack.
    notes : list of str
        Why a measure is undefined, data left out, areas adjusted.
    params : dict
        Start, periods, months, categories, area rules (JSON-serialisable).
    """

    counts: BeforeAfter
    areas: EvaluationAreas
    available: bool
    reason: str
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def measures(self) -> pd.DataFrame:
        """A table of the measures for export: ``measure, value, ci_low, ci_high, meaning``.

        Undefined values are left empty (missing), and ``meaning`` says why.
        """
        ci = self.res_ci or (None, None)
        rows = [
            ("relative effect size (RES)", self.res, ci[0], ci[1],
             "RES > 1: the target improved relative to the control"),
            ("change in target relative to control (%)",
             None if self.relative_change is None else self.relative_change * 100, None, None,
             "1/RES − 1"),
            ("weighted displacement quotient (WDQ)", self.wdq, None, None, self.wdq_meaning),
            ("total net effect (crimes prevented)", self.net_effect, None, None,
             "target and buffer against the control's trend; negative: more crime"),
        ]
        table = pd.DataFrame(rows, columns=["measure", "value", "ci_low", "ci_high", "meaning"])
        for column in ("value", "ci_low", "ci_high"):
            table[column] = pd.array(table[column].tolist(), dtype="Float64")
        return table

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: counts, measures, availability, summary, notes, params."""
        return {
            "available": self.available,
            "reason": self.reason,
            "counts": self.counts.as_dict(),
            "before": self.counts.before_label,
            "after": self.counts.after_label,
            "res": self.res,
            "res_ci": list(self.res_ci) if self.res_ci else None,
            "relative_change": self.relative_change,
            "significant": self.significant,
            "wdq": self.wdq,
            "wdq_meaning": self.wdq_meaning,
            "net_effect": self.net_effect,
            "summary": list(self.summary),
            "notes": list(self.notes),
            "params": dict(self.params),
        }


def _pct(before: int, after: int) -> str:
    if before == 0:
        return f"from none to {after:,}"
    change = (after / before - 1) * 100
    verb = "rose" if change > 0 else "fell" if change < 0 else "did not change"
    amount = f" {abs(change):.0f}%" if change else ""
    return f"{verb}{amount} ({before:,} → {after:,})"


def _sentences(result: EvaluationResult) -> list[str]:
    c = result.counts
    cats = "all crimes" if c.categories is None else ", ".join(c.categories)
    out = [
        f"Crimes counted: {cats}. Before ({c.before_label}): target {c.Tb:,}, buffer {c.Bb:,}, "
        f"control {c.Cb:,}. After ({c.after_label}): target {c.Ta:,}, buffer {c.Ba:,}, "
        f"control {c.Ca:,}."
    ]
    if not result.available:
        return [*out, result.reason]
    out.append(
        f"In the target crime {_pct(c.Tb, c.Ta)}; in the buffer it {_pct(c.Bb, c.Ba)}; in "
        f"the control it {_pct(c.Cb, c.Ca)}."
    )
    if result.res is not None and result.res_ci is not None:
        rel = result.relative_change
        direction = "fell" if rel < 0 else "rose" if rel > 0 else "did not change"
        amount = f" {abs(rel) * 100:.0f}%" if rel else ""
        low, high = result.res_ci
        text = (
            f"Relative to the control, crime in the target {direction}{amount} (relative "
            f"effect size RES = {result.res:.2f}, 95% CI {low:.2f} to {high:.2f}; RES above 1 "
            "means the target improved relative to the control). "
        )
        if low > 1:
            text += "The interval lies above 1: the improvement is unlikely to be chance."
        elif high < 1:
            text += "The interval lies below 1: the target got worse relative to the control."
        else:
            text += "The interval includes 1, so the difference could be chance."
        out.append(text)
    else:
        why = next((n for n in result.notes if "relative effect size" in n), "")
        out.append(f"The effect relative to the control cannot be measured: {why[0].lower()}"
                   f"{why[1:]}" if why else "The effect relative to the control cannot be "
                   "measured.")
    if result.wdq is not None:
        wdq = f"{result.wdq:.2f}".replace("-", "−")
        out.append(f"Weighted displacement quotient WDQ = {wdq}: {result.wdq_meaning}.")
    elif result.wdq_meaning:
        out.append(f"Displacement: {result.wdq_meaning}")
    if result.net_effect is not None:
        n = result.net_effect
        if n >= 0:
            out.append(
                f"Total net effect: about {n:,.0f} fewer crimes in the target and buffer "
                "together than the control's trend predicts (net of any displacement)."
            )
        else:
            out.append(
                f"Total net effect: about {-n:,.0f} more crimes in the target and buffer "
                "together than the control's trend predicts."
            )
    out.append(
        "These are observed changes: they show what happened around the scheme, not on their "
        "own that the scheme caused it (the target and control may differ in other ways)."
    )
    return out


def evaluate(
    crimes: gpd.GeoDataFrame,
    areas: EvaluationAreas,
    *,
    start: str | pd.Timestamp,
    months_before: int = DEFAULT_MONTHS,
    months_after: int = DEFAULT_MONTHS,
    categories: str | Sequence[str] | None = None,
) -> EvaluationResult:
    """Observed before/after evaluation: counts, RES with 95% CI, WDQ, net effect, trend.

    Parameters are those of :func:`before_after`. When the data do not cover both periods,
    the result has ``available`` False and the ``reason``, with counts and the trend so far
    but no measures. A measure that zero counts make undefined is None, with the reason in
    ``notes`` and ``summary``.

    Returns
    -------
    EvaluationResult

    Examples
    --------
    >>> import shapely
    >>> from hotspots.evaluation.areas import evaluation_areas
    >>> areas = evaluation_areas(shapely.Point(0, 0).buffer(100), buffer_m=100,
    ...                          control=shapely.Point(1000, 0).buffer(100))
    >>> where = {"T": (0, 0), "B": (150, 0), "C": (1000, 0)}
    >>> rows = [(m, p) for m, p, n in [("2024-06", "T", 10), ("2025-06", "T", 5),
    ...         ("2024-06", "B", 10), ("2025-06", "B", 15), ("2024-06", "C", 10),
    ...         ("2025-06", "C", 10)] for _ in range(n)]
    >>> crimes = gpd.GeoDataFrame({"month": pd.to_datetime([f"{m}-01" for m, _ in rows]),
    ...     "category": "Burglary"}, geometry=[shapely.Point(where[p]) for _, p in rows],
    ...     crs="EPSG:27700")
    >>> res = evaluate(crimes, areas, start="2025-01", months_before=7, months_after=6)
    >>> round(res.res, 2), res.wdq, res.net_effect
    (2.0, -1.0, 0.0)
    >>> res.summary[2][:63]
    'Relative to the control, crime in the target fell 50% (relative'
    """
    counts = before_after(crimes, areas, start=start, months_before=months_before,
                          months_after=months_after, categories=categories)
    params: dict[str, Any] = {
        "start": month_label(counts.start),
        "before": counts.before_label,
        "after": counts.after_label,
        "months_before": counts.months_before,
        "months_after": counts.months_after,
        "categories": list(counts.categories) if counts.categories else "all",
        "buffer_rule": areas.buffer_rule,
        "control_rule": areas.control_rule,
        "confidence": 0.95,
    }
    found = effect_measures(counts.as_dict()) if counts.available else EffectMeasures()
    result = EvaluationResult(
        counts=counts, areas=areas, available=counts.available, reason=counts.reason,
        **found.values(), trend=counts.monthly.copy(),
        notes=[*areas.notes, *counts.notes, *found.notes], params=params,
    )
    result.summary = _sentences(result)
    return result
