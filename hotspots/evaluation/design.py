"""The evaluation plan for a bid: how many months after the start are needed to see the effect.

:func:`plan_evaluation` sets up the evaluation the scheme will get
(:func:`hotspots.evaluation.before_after.evaluate`) from the data before the start: the
target's monthly rate, corrected for regression to the mean (:mod:`hotspots.evaluation.rtm`);
the matched comparison places (:mod:`hotspots.evaluation.matching`) and their rate; the
overdispersion of the monthly counts (:mod:`hotspots.evaluation.did`); and from them the months
of data after the start needed to detect the expected effect with 80% power
(:mod:`hotspots.evaluation.power`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.evaluation.did import DISPERSION_MIN_DF
from hotspots.evaluation.did import pearson_dispersion
from hotspots.evaluation.matching import MATCHED_PLACES
from hotspots.evaluation.matching import match_places
from hotspots.evaluation.measures import FARRINGTON_RULE
from hotspots.evaluation.measures import farrington_dispersion
from hotspots.evaluation.places import comparable_places
from hotspots.evaluation.places import monthly_counts
from hotspots.evaluation.power import EvaluationPlan
from hotspots.evaluation.power import design_power
from hotspots.evaluation.power import months_needed
from hotspots.evaluation.rtm import fit_reference
from hotspots.evaluation.verdict import MIN_MATCHED
from hotspots.months import as_month
from hotspots.months import month_label
from hotspots.months import shift_months
from hotspots.select import select_categories

__all__ = ["plan_evaluation"]


def plan_evaluation(
    crimes: gpd.GeoDataFrame,
    target: BaseGeometry,
    *,
    start: str | pd.Timestamp,
    effect: float,
    region: BaseGeometry,
    exclude: BaseGeometry | None = None,
    months_before: int = 12,
    categories: str | Sequence[str] | None = None,
    n_matched: int = MATCHED_PLACES,
) -> EvaluationPlan:
    """Months after ``start`` needed to detect ``effect`` with 80% power (module notes).

    Parameters
    ----------
    crimes : GeoDataFrame
        Crimes in a projected CRS (the target's).
    target : shapely polygon
        The scheme's coverage.
    start : str or Timestamp
        The scheme's first month. If the data end before it, the last ``months_before``
        months of data are the baseline.
    effect : float
        Expected proportional fall (e.g. the projection's combined effect).
    region : shapely polygon
        The study area comparison places are chosen from.
    exclude : shapely geometry, optional
        Where no comparison place may be (default: the target and a ring as wide as its
        equivalent radius, as the evaluation's buffer).
    months_before : int, default 12
    categories : str or list of str, optional
        Crime types counted (default: all given).
    n_matched : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> xy = rng.uniform(0, 2000, (6000, 2))
    >>> months = pd.to_datetime(rng.choice(pd.date_range("2024-01-01", periods=12,
    ...                                                  freq="MS"), 6000))
    >>> crimes = gpd.GeoDataFrame({"month": months, "category": "Burglary"},
    ...     geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")
    >>> plan = plan_evaluation(crimes, shapely.box(900, 900, 1100, 1100), start="2025-01",
    ...                        effect=0.4, region=shapely.box(0, 0, 2000, 2000))
    >>> plan.months_needed, round(plan.target_per_month, 1)
    (29, 4.7)
    """
    if not isinstance(target, BaseGeometry) or target.is_empty or target.area <= 0:
        raise ParameterError("plan_evaluation needs the target as a polygon with an area.")
    start = as_month(start, name="start")
    notes: list[str] = []
    keep, _ = select_categories(crimes, categories, func="plan_evaluation", notes=notes)
    chosen = crimes.loc[keep]
    last = shift_months(start, -1)
    data_last = pd.to_datetime(crimes["month"]).max() if len(crimes) else last
    if pd.notna(data_last) and data_last < last:
        notes.append(f"The data end in {month_label(data_last)}, before the start: the plan "
                     f"uses the last {months_before} months of data as the before period.")
        last = data_last
    first = shift_months(last, -(months_before - 1))
    if exclude is None:
        radius = float(np.sqrt(target.area / np.pi))
        exclude = target.buffer(radius)
    target_monthly = monthly_counts(chosen, [target], first=first, last=last)[0]
    places = comparable_places(chosen, target, region=region, first=first, last=last,
                               exclude=exclude, crs=str(crimes.crs))
    eb = fit_reference(np.append(places.monthly.sum(axis=1), target_monthly.sum()))
    expected = eb.estimate(target_monthly.sum()) if len(places) else float(target_monthly.sum())
    per_month_t = max(expected, 0.5) / months_before
    if len(places) >= MIN_MATCHED and places.monthly.sum() > 0:
        matched = match_places(target_monthly, places.monthly, n=n_matched)
        comparison = places.monthly[matched.index]
        what = f"against {matched.index.size} matched places"
    else:
        rest = shapely.difference(region, exclude)
        comparison = monthly_counts(chosen, [rest], first=first, last=last)
        what = "against the rest of the area"
        notes.append("Too few comparable places for a matched comparison: the plan assumes "
                     "the rest of the area as the comparison.")
    per_month_c = max(float(comparison.sum()), 0.5) / months_before
    phi, df = pearson_dispersion(target_monthly, comparison)
    if phi is not None and df >= DISPERSION_MIN_DF:
        dispersion = max(1.0, phi)
        rule = f"max(1, Pearson chi2/df of the before months) = {dispersion:.2f} on {df} df"
    else:
        dispersion = farrington_dispersion(2 * (expected + comparison.sum()))
        rule = f"{FARRINGTON_RULE}, N the expected four counts over 12 v 12 months"
    kw: dict[str, Any] = dict(target_per_month=per_month_t, comparison_per_month=per_month_c,
                              months_before=months_before, effect=effect,
                              dispersion=dispersion)
    needed = months_needed(**kw) if effect > 0 else None
    power_12 = design_power(months_after=12, **kw)
    if effect <= 0:
        notes.append("The plan projects no fall, so there is no effect to detect.")
    notes.append(eb.statement(float(target_monthly.sum()),
                              what=f"before-period count ({month_label(first)} to "
                                   f"{month_label(last)})"))
    return EvaluationPlan(effect=float(effect), target_per_month=per_month_t,
                          comparison_per_month=per_month_c, months_before=months_before,
                          dispersion=dispersion, dispersion_rule=rule, months_needed=needed,
                          power_12=power_12, comparison=what, notes=notes)
