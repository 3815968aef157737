"""Observed before/after evaluation of a scheme: :func:`evaluate` and what it found.

Once data after a scheme's start exist, crime in the target area (where the scheme works) is
compared with a control area and a buffer ring around the target, for a period before and
after the start. The steps each have their module: the three areas
(:mod:`hotspots.evaluation.areas`), the six counts (:mod:`hotspots.evaluation.counts`), the
measures with their formulas and sources (:mod:`hotspots.evaluation.measures`), comparable
untreated places (:mod:`hotspots.evaluation.places`), the matched comparison
(:mod:`hotspots.evaluation.matching`), the difference-in-differences on monthly counts with its
overdispersion (:mod:`hotspots.evaluation.did`), the placebo test
(:mod:`hotspots.evaluation.placebo`) and the verdict they give together
(:mod:`hotspots.evaluation.verdict`). This module puts them together into an
:class:`EvaluationResult`; :mod:`hotspots.evaluation.wording` writes its sentences. Maps and
charts are drawn by :mod:`hotspots.viz.evaluation_figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.evaluation.areas import CONTROL_REST
from hotspots.evaluation.areas import EvaluationAreas
from hotspots.evaluation.counts import DEFAULT_MONTHS
from hotspots.evaluation.counts import BeforeAfter
from hotspots.evaluation.counts import before_after
from hotspots.evaluation.did import MonthlyDiD
from hotspots.evaluation.matching import MATCHED_PLACES
from hotspots.evaluation.matching import MatchedComparison
from hotspots.evaluation.measures import EffectMeasures
from hotspots.evaluation.measures import effect_measures
from hotspots.evaluation.placebo import PLACEBO_PLACES
from hotspots.evaluation.placebo import PlaceboTest
from hotspots.evaluation.places import comparable_places
from hotspots.evaluation.power import detectable_effect
from hotspots.evaluation.verdict import ALPHA
from hotspots.evaluation.verdict import judge
from hotspots.evaluation.wording import comparisons_table
from hotspots.evaluation.wording import sentences
from hotspots.months import month_label
from hotspots.select import select_categories

__all__ = [
    "EvaluationResult",
    "evaluate",
    "study_region",
]


@dataclass(kw_only=True)
class EvaluationResult(EffectMeasures):
    """Everything the observed before/after evaluation found.

    The measures are those of :class:`~hotspots.evaluation.measures.EffectMeasures`
    (``res``, ``res_ci``, ``relative_change``, ``success_measure``, ``buffer_measure``,
    ``wdq``, ``wdq_meaning``, ``net_effect``, ``dispersion``) against the control area;
    ``res_ci`` is widened for overdispersion. ``significant`` is the verdict's: True only
    when the tests it rests on agree (see ``verdict``), not merely when ``res_ci`` excludes 1.

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
    verdict : str
        ``"fell"``, ``"rose"`` or ``"no clear change"`` (:mod:`hotspots.evaluation.verdict`);
        ``""`` when not available.
    tests : list of str
        The tests the verdict rests on.
    did, did_control : MonthlyDiD or None
        Difference-in-differences against the matched places (or the control when there
        are none) and against the control area.
    matched : MatchedComparison or None
    placebo : PlaceboTest or None
    detectable_effect : float or None
        Smallest fall these counts could detect with 80% power.
    trend : DataFrame
        ``month, period, target, buffer, control``: crimes per month for the trend chart;
        mark ``counts.start`` on it.
    summary : list of str
        Plain-language sentences for the app and the evidence pack.
    notes : list of str
        Why a measure is undefined, corrections, data left out, areas adjusted.
    params : dict
        Start, periods, months, categories, area rules, tests (JSON-serialisable).
    """

    counts: BeforeAfter
    areas: EvaluationAreas
    available: bool
    reason: str
    verdict: str = ""
    tests: list[str] = field(default_factory=list)
    did: MonthlyDiD | None = None
    did_control: MonthlyDiD | None = None
    matched: MatchedComparison | None = None
    placebo: PlaceboTest | None = None
    detectable_effect: float | None = None
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def comparisons(self) -> pd.DataFrame:
        """Each comparison's RES, interval and p-value (:func:`comparisons_table`)."""
        return comparisons_table(self)

    def measures(self) -> pd.DataFrame:
        """A table of the measures for export: ``measure, value, ci_low, ci_high, meaning``.

        Undefined values are left empty (missing), and ``meaning`` says why.
        """
        ci = self.res_ci or (None, None)
        rows = [
            ("relative effect size (RES), against the control area", self.res, ci[0], ci[1],
             f"RES > 1: the target improved relative to the control; interval widened by "
             f"D = {self.dispersion:.2f} for overdispersion"),
            ("change in target relative to control (%)",
             None if self.relative_change is None else self.relative_change * 100, None, None,
             "1/RES − 1"),
        ]
        if self.did is not None:
            rows.append(("difference-in-differences rate ratio"
                         + (", against matched places" if self.matched else ""),
                         self.did.ratio, self.did.ci[0], self.did.ci[1],
                         f"below 1: the target fell relative to the comparison; p = "
                         f"{self.did.p_value:.3f}"))
        if self.placebo is not None:
            rows.append(("RES allowing for regression to the mean (placebo test)",
                         self.placebo.target_res_rtm, None, None,
                         f"permutation p-value of a fall {self.placebo.p_fall:.3f} against "
                         f"{self.placebo.n} placebo places"))
        rows += [
            ("weighted displacement quotient (WDQ)", self.wdq, None, None, self.wdq_meaning),
            ("total net effect (crimes prevented)", self.net_effect, None, None,
             "target and buffer against the control's trend; negative: more crime"),
        ]
        table = pd.DataFrame(rows, columns=["measure", "value", "ci_low", "ci_high", "meaning"])
        for column in ("value", "ci_low", "ci_high"):
            table[column] = pd.array(table[column].tolist(), dtype="Float64")
        return table

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: counts, measures, tests, verdict, summary, notes, params."""
        return {
            "available": self.available,
            "reason": self.reason,
            "counts": self.counts.as_dict(),
            "before": self.counts.before_label,
            "after": self.counts.after_label,
            "res": self.res,
            "res_ci": list(self.res_ci) if self.res_ci else None,
            "dispersion": self.dispersion,
            "relative_change": self.relative_change,
            "significant": self.significant,
            "verdict": self.verdict,
            "tests": list(self.tests),
            "did": self.did.to_dict() if self.did else None,
            "did_control": self.did_control.to_dict() if self.did_control else None,
            "matched": self.matched.to_dict() if self.matched else None,
            "placebo": self.placebo.to_dict() if self.placebo else None,
            "detectable_effect": self.detectable_effect,
            "wdq": self.wdq,
            "wdq_meaning": self.wdq_meaning,
            "net_effect": self.net_effect,
            "summary": list(self.summary),
            "notes": list(self.notes),
            "params": dict(self.params),
        }


def study_region(areas: EvaluationAreas, crimes: gpd.GeoDataFrame,
                 study_area: Any = None) -> Any:
    """Where comparable places may lie: ``study_area``, else target + buffer + control when
    the control is the rest of the study area, else the crimes' bounding box."""
    if study_area is not None:
        if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries):
            return shapely.union_all(study_area.to_crs(crimes.crs).geometry.array)
        return study_area
    if areas.control_rule == CONTROL_REST:
        return shapely.union_all([areas.target, areas.buffer, areas.control])
    located = crimes[crimes.geometry.notna() & ~crimes.geometry.is_empty]
    box = shapely.box(*located.total_bounds) if len(located) else shapely.Polygon()
    return shapely.union_all([box, areas.target, areas.buffer, areas.control])


def _outside_note(areas: EvaluationAreas, region: Any) -> str | None:
    if areas.control_rule != CONTROL_REST or areas.target.area <= 0:
        return None
    outside = 1.0 - areas.target.intersection(region).area / areas.target.area
    if outside > 0.01:
        return (f"{outside:.0%} of the target lies outside the selected area whose rest is the "
                "control: the comparison is with an area the scheme is not part of. Select "
                "the area that contains the scheme.")
    return None


def _judgement(crimes: gpd.GeoDataFrame, areas: EvaluationAreas, counts: BeforeAfter,
               region: Any, *, matched: bool, placebo: bool, n_matched: int,
               n_placebos: int) -> tuple[Any, dict[str, Any]]:
    keep, _ = select_categories(crimes, counts.categories, func="evaluate", notes=[])
    monthly = counts.monthly
    after = (monthly["period"] == "after").to_numpy()
    places_monthly = np.zeros((0, len(monthly)))
    info: dict[str, Any] = {"n_places": 0}
    if (matched or placebo) and region is not None and not region.is_empty:
        places = comparable_places(
            crimes.loc[keep], areas.target, region=region, first=counts.before[0],
            last=counts.after[1], exclude=shapely.union_all([areas.target, areas.buffer]),
            crs=str(crimes.crs))
        places_monthly = places.monthly
        info = places.to_dict()
    verdict = judge(monthly["target"].to_numpy(), monthly["control"].to_numpy(),
                    places_monthly, after, n_matched=n_matched, n_placebos=n_placebos,
                    matched=matched, placebo=placebo)
    return verdict, info


def evaluate(
    crimes: gpd.GeoDataFrame,
    areas: EvaluationAreas,
    *,
    start: str | pd.Timestamp,
    months_before: int = DEFAULT_MONTHS,
    months_after: int = DEFAULT_MONTHS,
    categories: str | Sequence[str] | None = None,
    study_area: Any = None,
    matched: bool = True,
    placebo: bool = True,
    n_matched: int = MATCHED_PLACES,
    n_placebos: int = PLACEBO_PLACES,
) -> EvaluationResult:
    """Observed before/after evaluation: counts, RES, WDQ, net effect, DiD, placebo test.

    Parameters
    ----------
    crimes, areas, start, months_before, months_after, categories
        As for :func:`hotspots.evaluation.counts.before_after`.
    study_area : polygon, GeoDataFrame or GeoSeries, optional
        Where comparable untreated places may lie (:func:`study_region` by default).
    matched : bool, default True
        Compare with the :data:`~hotspots.evaluation.matching.MATCHED_PLACES` places most
        like the target before the start (difference-in-differences).
    placebo : bool, default True
        Run the placebo test on :data:`~hotspots.evaluation.placebo.PLACEBO_PLACES`
        untreated places as busy as the target was.
    n_matched, n_placebos : int

    Returns
    -------
    EvaluationResult
        When the data do not cover both periods, ``available`` is False with the
        ``reason``, the counts and the trend so far, and no measures.

    Examples
    --------
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
    >>> round(res.res, 2), res.wdq, res.net_effect, res.verdict
    (2.0, -1.0, 0.0, 'no clear change')
    """
    counts = before_after(crimes, areas, start=start, months_before=months_before,
                          months_after=months_after, categories=categories)
    region = study_region(areas, crimes, study_area) if counts.available else None
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
        "alpha": ALPHA,
        "matched": matched, "n_matched": n_matched if matched else 0,
        "placebo": placebo, "n_placebos": n_placebos if placebo else 0,
        "continuity_correction": "0.5 added to every count when one is 0",
    }
    notes = [*areas.notes, *counts.notes]
    if not counts.available:
        result = EvaluationResult(counts=counts, areas=areas, available=False,
                                  reason=counts.reason, trend=counts.monthly.copy(),
                                  notes=notes, params=params)
        result.summary = sentences(result)
        return result
    verdict, places_info = _judgement(crimes, areas, counts, region, matched=matched,
                                      placebo=placebo, n_matched=n_matched,
                                      n_placebos=n_placebos)
    found = effect_measures(counts.as_dict(), dispersion=verdict.did_control.dispersion)
    did = verdict.did_matched or verdict.did_control
    months = counts.months_before_in_data
    per_month_t = max(counts.Tb, 0.5) / months
    per_month_c = max(counts.Cb, 0.5) / months
    mde = detectable_effect(target_per_month=per_month_t, comparison_per_month=per_month_c,
                            months_before=months, months_after=counts.months_after_in_data,
                            dispersion=found.dispersion)
    values = found.values()
    values["significant"] = verdict.significant
    outside = _outside_note(areas, region)
    params.update({
        "dispersion_rule": verdict.did_control.dispersion_rule,
        "tests": list(verdict.tests), "places": places_info,
    })
    result = EvaluationResult(
        counts=counts, areas=areas, available=True, reason="", **values,
        verdict=verdict.verdict, tests=list(verdict.tests), did=did,
        did_control=verdict.did_control, matched=verdict.matched, placebo=verdict.placebo,
        detectable_effect=1.0 if mde is None else mde, trend=counts.monthly.copy(),
        notes=[*notes, *found.notes, *verdict.notes, *([outside] if outside else [])],
        params=params,
    )
    result.summary = sentences(result)
    return result
