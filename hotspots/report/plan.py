"""The plan sections of the evidence pack: interventions, projected outcomes, evaluation.

The numbers come from :func:`hotspots.planning.interventions.interventions_frame`,
:func:`hotspots.projected_impact` (the same call, with the same selection, as the app's Assess
step), :func:`hotspots.evaluation.design.plan_evaluation` and :func:`hotspots.evaluate`, run on
the selection made in :mod:`hotspots.report.selection`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import HotspotsError
from hotspots.evaluation.areas import EvaluationAreas
from hotspots.evaluation.areas import evaluation_areas
from hotspots.evaluation.before_after import EvaluationResult
from hotspots.evaluation.before_after import evaluate
from hotspots.evaluation.design import plan_evaluation
from hotspots.evaluation.power import EvaluationPlan
from hotspots.months import month_label
from hotspots.months import parse_month
from hotspots.months import shift_months
from hotspots.planning.impact import ImpactResult
from hotspots.planning.impact import projected_impact
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import InterventionType
from hotspots.planning.interventions import coverage
from hotspots.planning.interventions import interventions_frame
from hotspots.report.selection import Selection
from hotspots.report.selection import area_union
from hotspots.report.settings import EvaluationSettings
from hotspots.result import HotspotResult

__all__ = [
    "MEASURES",
    "counted_categories",
    "PlanSection",
    "Projection",
    "EvaluationSection",
    "plan_section",
    "projection_section",
    "evaluation_section",
    "short_source",
]

#: What the evaluation plan promises to report (formulas as in DESIGN.md).
MEASURES: tuple[str, ...] = (
    "Crimes in the target, buffer and control areas in the months before and after the "
    "start.",
    "Relative effect size RES = (Tb·Ca)/(Ta·Cb) against the control area, with its 95% "
    "confidence interval from Var(ln RES) = D·(1/Tb + 1/Ta + 1/Cb + 1/Ca), D the "
    "overdispersion of the monthly counts (quasi-Poisson; Farrington et al. 2007 when the "
    "series is short); RES above 1 means the target improved relative to the control.",
    "A difference-in-differences on monthly counts (quasi-Poisson, month and area effects) "
    "against matched comparison places: the 10 untreated places of the scheme's shape most "
    "like the target in crime level and trend before the start.",
    "A placebo test: the same change measured on the 99 untreated places that were as busy as "
    "the target before the start, allowing for regression to the mean (empirical Bayes), with "
    "a permutation p-value. A fall is reported as significant only when this test and the "
    "difference-in-differences agree.",
    "Weighted displacement quotient WDQ = (Ba/Ca − Bb/Cb)/(Ta/Ca − Tb/Cb) (Bowers & Johnson "
    "2003): below 0 crime moved to the buffer, above 0 the buffer benefited too.",
    "Total net effect = [Tb(Ca/Cb) − Ta] + [Bb(Ca/Cb) − Ba]: crimes prevented in the target "
    "and buffer together, net of displacement.",
    "A monthly trend of the three areas with the start marked. None of these shows on its "
    "own that the scheme caused a change.",
)


# --------------------------------------------------------------------------- 3 plan


_CITATION = re.compile(r"^(.{5,160}?\(\d{4}\))")


def short_source(source: str) -> str:
    """The author-and-year part of a catalogue source, for tables.

    Examples
    --------
    >>> short_source("Welsh, B. C. & Farrington, D. P. (2008). Effects of improved lighting.")
    'Welsh, B. C. & Farrington, D. P. (2008)'
    """
    text = " ".join(str(source).split())
    match = _CITATION.match(text)
    if match:
        return match.group(1)
    return text if len(text) <= 80 else text[:77].rstrip() + "..."


@dataclass
class PlanSection:
    """Section 3: the interventions, where they are, what they cost, the evidence."""

    name: str
    items: list[Intervention]
    coverage: gpd.GeoDataFrame | None
    drawn: gpd.GeoDataFrame | None
    table: pd.DataFrame
    evidence: pd.DataFrame
    total_cost: float
    cost_complete: bool
    coverage_km2: float
    message: str = ""


def plan_section(items: Sequence[Intervention], catalogue: Mapping[str, InterventionType], *,
                 name: str = "") -> PlanSection:
    """The plan's interventions as a table, with coverage and the catalogue's evidence."""
    items = list(items)
    if not items:
        why = (f"The plan {name!r} has no interventions" if name else "No plan was given")
        return PlanSection(name, [], None, None, pd.DataFrame(), pd.DataFrame(), 0.0, True, 0.0,
                           message=f"{why}, so there is no intervention plan, projected outcome "
                           "or evaluation plan to show. Add interventions in the app "
                           "(Respond) or in the config's [plan] section.")
    cover = interventions_frame(items, catalogue=catalogue, geometry="coverage")
    drawn = interventions_frame(items, catalogue=catalogue, geometry="drawn")
    kinds = [catalogue[iv.type] for iv in items]
    table = pd.DataFrame({
        "name": [iv.display_name for iv in items],
        "type": [k.label for k in kinds],
        "start": [iv.start for iv in items],
        "cost": cover["cost"].to_numpy(),
        "coverage_ha": (cover["coverage_m2"] / 1e4).round(2).to_numpy(),
        "effect": [k.effect for k in kinds],
        "effect_low": [k.effect_low for k in kinds],
        "effect_high": [k.effect_high for k in kinds],
        "evidence": [k.evidence for k in kinds],
        "source": [short_source(k.source) for k in kinds],
    })
    seen = dict.fromkeys(iv.type for iv in items)
    evidence = pd.DataFrame({
        "type": [catalogue[t].label for t in seen],
        "acts_on": [", ".join(catalogue[t].categories) for t in seen],
        "evidence": [catalogue[t].evidence for t in seen],
        "source": [" ".join(catalogue[t].source.split()) for t in seen],
        "range_basis": [" ".join(catalogue[t].range_basis.split()) for t in seen],
    })
    known = table["cost"].notna()
    union = shapely.union_all(cover.geometry.array)
    return PlanSection(
        name=name, items=items, coverage=cover, drawn=drawn, table=table, evidence=evidence,
        total_cost=float(table.loc[known, "cost"].sum()), cost_complete=bool(known.all()),
        coverage_km2=float(union.area) / 1e6,
    )


# --------------------------------------------------------------------------- 4 projection


@dataclass
class Projection:
    """Section 4: projected outcomes of the plan."""

    impact: ImpactResult | None
    plan: dict[str, Any]
    table: pd.DataFrame
    sentences: list[str]
    notes: list[str]
    message: str = ""
    counted: str = ""
    figures: list[dict[str, str]] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """The projected reduction in one sentence (for the summary), or ""."""
        return next((s for s in self.sentences if s.startswith("Projected reduction")), "")


def counted_categories(sel: Selection, items: Sequence[Intervention],
                       catalogue: Mapping[str, InterventionType]) -> list[str]:
    """The crime types the projection counts: the plan's, within the selection's group."""
    acted = dict.fromkeys(c for iv in items for c in catalogue[iv.type].categories)
    if sel.group.matches_all:
        return list(acted)
    return [c for c in acted if c in sel.group.categories]


def projection_section(sel: Selection, plan: PlanSection,
                       catalogue: Mapping[str, InterventionType],
                       result: HotspotResult | None) -> Projection:
    """:func:`hotspots.projected_impact` on the selection's crime group, as the app runs it."""
    if not plan.items:
        return Projection(None, {}, pd.DataFrame(), [], [], message=plan.message)
    try:
        impact = projected_impact(sel.all_crimes, plan.items, catalogue, group=sel.group,
                                  harm_weights=sel.harm_weights, hotspots=result,
                                  study_area=sel.bid_areas)
    except HotspotsError as exc:
        return Projection(None, {}, pd.DataFrame(), [], [],
                          message=f"The projected impact could not be computed: {exc}")
    row = {k: (v.item() if isinstance(v, np.generic) else v)
           for k, v in impact.plan.iloc[0].to_dict().items()}
    return Projection(impact, row, impact.interventions.copy(), impact.summary(),
                      list(impact.notes), counted=impact.counted,
                      figures=impact.figures(sensitive=sel.group.sensitive))


# --------------------------------------------------------------------------- 5 evaluation


@dataclass
class EvaluationSection:
    """Section 5: the evaluation plan, and observed results when data after the start exist."""

    areas: EvaluationAreas | None
    start: str
    before: str
    after: str
    measures: tuple[str, ...]
    result: EvaluationResult | None
    observed: bool
    message: str = ""
    notes: list[str] = field(default_factory=list)
    power: EvaluationPlan | None = None


def _power(sel: Selection, areas: EvaluationAreas, start: Any, region: Any,
           projection: Projection | None, settings: EvaluationSettings,
           categories: list[str] | None) -> tuple[EvaluationPlan | None, str]:
    if projection is None or not projection.plan:
        return None, ""
    effect = projection.plan.get("reduction_pct")
    if effect is None or not np.isfinite(effect) or effect <= 0:
        return None, "The plan projects no fall, so there is no evaluation power to plan for."
    try:
        return plan_evaluation(
            sel.group_crimes, areas.target, start=start, effect=float(effect) / 100,
            region=region, exclude=shapely.union_all([areas.target, areas.buffer]),
            months_before=settings.months_before, categories=categories), ""
    except HotspotsError as exc:
        return None, f"The evaluation's power could not be worked out: {exc}"


def evaluation_section(sel: Selection, plan: PlanSection,
                       catalogue: Mapping[str, InterventionType],
                       settings: EvaluationSettings, *,
                       projection: Projection | None = None) -> EvaluationSection:
    """Target (the plan's coverage), buffer and control; the power plan; :func:`evaluate`.

    The crime types counted are, by default, the projection's (the plan's types within the
    crime group), so the evaluation measures what the projection promised.
    """
    if not plan.items:
        return EvaluationSection(None, "", "", "", MEASURES, None, False, message=plan.message)
    start = min(parse_month(iv.start, name="start") for iv in plan.items)
    first = month_label(start)
    # both ends always written, even for one month (the evaluation plan states its windows)
    before = (f"{month_label(shift_months(start, -settings.months_before))} to "
              f"{month_label(shift_months(start, -1))}")
    after = f"{first} to {month_label(shift_months(start, settings.months_after - 1))}"
    target = shapely.union_all([coverage(iv, catalogue) for iv in plan.items])
    rest = area_union(sel.areas)
    if rest is None and len(sel.all_crimes):
        rest = shapely.box(*sel.all_crimes.total_bounds)
    try:
        areas = evaluation_areas(
            target, buffer_m=settings.buffer_m, control=settings.control,
            study_area=rest if settings.control is None else None, crs="EPSG:27700",
        )
    except HotspotsError as exc:
        return EvaluationSection(None, first, before, after, MEASURES, None, False,
                                 message=f"The evaluation areas could not be built: {exc}")
    crimes = sel.all_crimes if settings.categories else sel.group_crimes
    categories = settings.categories or counted_categories(sel, plan.items, catalogue) or None
    notes = list(areas.notes)
    power, why = _power(sel, areas, start, rest, projection, settings, categories)
    if why:
        notes.append(why)
    if len(crimes) == 0:
        return EvaluationSection(areas, first, before, after, MEASURES, None, False,
                                 message="There are no crimes to count in the evaluation areas.",
                                 notes=notes, power=power)
    try:
        result = evaluate(crimes, areas, start=start, months_before=settings.months_before,
                          months_after=settings.months_after, categories=categories,
                          study_area=rest)
    except HotspotsError as exc:
        return EvaluationSection(areas, first, before, after, MEASURES, None, False,
                                 message=f"The evaluation could not be run: {exc}", notes=notes,
                                 power=power)
    message = "" if result.available else (
        f"Not yet measurable: {result.reason} The projected outcomes are the plan's evidence "
        "until then.")
    return EvaluationSection(areas, first, before, after, MEASURES, result,
                             result.available, message=message,
                             notes=[*notes, *result.notes], power=power)
