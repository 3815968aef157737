"""Projected impact of an intervention plan: crimes prevented, with intervals, and their value.

One projection, used by the app's Assess step, the CLI (``hotspots report``) and the evidence
pack: :func:`projected_impact`. Every result states its rule in ``counted`` and its ``notes``:

* **Crimes counted.** With a crime ``group`` (the selection's), only that group's crimes; of
  those, the crime types each intervention's catalogue entry acts on, inside its coverage, in
  a baseline window of ``months`` months (default 12) before ``as_of`` or, by default, before
  the plan's first start month. Crimes are counted wherever the coverage lies, not only inside
  the selected areas (a warning says when coverage reaches outside them).
* **Overlaps** (:mod:`hotspots.planning.exposure`). Within a type, coverage is a union (three
  cameras over one street are one CCTV scheme: a crime seen by two cameras counts once);
  across types, a crime's reduction is ``1 - prod(1 - e_t)``.
* **Regression to the mean** (:func:`hotspots.planning.baseline.rtm_baseline`). Places get
  schemes because they were busy, and busy years are partly chance: the coverage's count is
  corrected by empirical Bayes against the same shape placed across the study area, and every
  projected figure is scaled by the correction.
* **Uncertainty** (:mod:`hotspots.planning.uncertainty`). A seeded simulation over each type's
  effect range, the corrected count's posterior and overdispersed yearly counts gives 80% and
  95% intervals around the central figure (central effects, corrected baseline).
* **Cost-benefit** (:mod:`hotspots.planning.crime_costs`). Costs of crime avoided from the Home
  Office unit costs (Heeks et al. 2018, 2015/16 prices) where a confirmed figure exists for the
  category (a lower bound otherwise), the benefit-cost ratio and the cost per crime prevented.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.evaluation.rtm import NO_REFERENCE
from hotspots.groups import CrimeGroup
from hotspots.groups import apply_harm
from hotspots.methods.counts import TOP_SHARE
from hotspots.methods.grid import Grid
from hotspots.methods.grid import count_points
from hotspots.methods.grid import make_grid
from hotspots.months import month_label
from hotspots.months import parse_month
from hotspots.planning.baseline import RTMBaseline
from hotspots.planning.baseline import baseline_crimes
from hotspots.planning.baseline import baseline_window
from hotspots.planning.baseline import hotspot_geometry
from hotspots.planning.baseline import rtm_baseline
from hotspots.planning.catalogue import InterventionType
from hotspots.planning.catalogue import load_catalogue
from hotspots.planning.crime_costs import UnitCosts
from hotspots.planning.crime_costs import as_mapping
from hotspots.planning.crime_costs import costs_of
from hotspots.planning.crime_costs import load_unit_costs
from hotspots.planning.exposure import LEVELS
from hotspots.planning.exposure import combine_effects
from hotspots.planning.exposure import exposure
from hotspots.planning.impact_rows import add_intervals
from hotspots.planning.impact_rows import intervention_rows
from hotspots.planning.impact_rows import plan_row
from hotspots.planning.impact_rows import type_rows
from hotspots.planning.impact_text import assumption_notes
from hotspots.planning.impact_text import display_figures
from hotspots.planning.impact_text import summary_sentences
from hotspots.planning.interventions import PLAN_CRS
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import validate_interventions
from hotspots.planning.uncertainty import SEED
from hotspots.planning.uncertainty import SIMULATIONS
from hotspots.planning.uncertainty import Simulated
from hotspots.planning.uncertainty import simulate_prevented
from hotspots.result import HotspotResult
from hotspots.select import select_crimes

__all__ = [
    "ImpactResult",
    "ProjectedCounts",
    "projected_impact",
    "projected_counts",
    "combine_effects",
    "DEFAULT_BASELINE_MONTHS",
    "PROJECTION_METHOD",
]

#: Months of crime before the start that make the baseline (DESIGN.md: "the last 12 months").
DEFAULT_BASELINE_MONTHS = 12
#: The method, in one paragraph, for method statements.
PROJECTION_METHOD = (
    "Crimes of the selected group, of the types each intervention acts on, inside its coverage "
    "in the baseline window (wherever the coverage lies); within a type the coverages are one "
    "area (a crime seen by two cameras counts once), across types a crime's reduction is "
    "1 - (1 - e1)(1 - e2)...; the count is corrected for regression to the mean by empirical "
    "Bayes against places of the same shape across the study area; 80% and 95% intervals by a "
    "seeded simulation over the catalogue's effect ranges and overdispersed counts; costs of "
    "crime avoided from the Home Office unit costs (Heeks et al. 2018, 2015/16 prices, lower "
    "bounds) for the benefit-cost ratio.")
_SUFFIX = {"low": "_low", "central": "", "high": "_high"}


@dataclass
class ImpactResult:
    """What :func:`projected_impact` returns.

    Attributes
    ----------
    interventions : DataFrame
        One row per intervention, as if it were alone: ``id, name, type, label, start,
        cost, effect, effect_low, effect_high, crimes_in_coverage`` (all types),
        ``baseline`` (crimes of the types it acts on), ``prevented_low, prevented,
        prevented_high`` (the catalogue's planning range, scaled by the regression-to-the-mean
        correction), ``cost_per_crime_prevented`` and, when weighted, ``harm_baseline,
        harm_prevented``; with hotspots, ``hotspot_share_covered``.
    types : DataFrame
        One row per intervention type: ``type, label, n_interventions, coverage_ha,
        baseline`` (crimes its coverage union holds and it acts on), ``effect`` and
        ``prevented`` (as if it were alone).
    plan : DataFrame
        One row for the whole plan: ``baseline`` (targeted crimes seen), ``baseline_expected``
        and ``rtm_factor`` (corrected for regression to the mean), ``prevented`` (central)
        with ``prevented_lo80, prevented_hi80, prevented_lo95, prevented_hi95``,
        ``reduction_pct``, ``prevented_if_added`` and ``overlap_adjustment``,
        ``total_cost``, ``cost_complete``, ``cost_per_crime_prevented``, ``costs_avoided``,
        ``bcr`` (each with its intervals), ``costed_share``; harm and hotspot columns as
        for interventions.
    crimes : GeoDataFrame
        The baseline-window crimes counted, with ``targeted``, ``n_types``,
        ``reduction_low/reduction/reduction_high`` and ``expected_after``.
    window : tuple of str
        First and last baseline months, ``"YYYY-MM"``.
    months : int
        Length of the window; prevented figures are per this many months.
    counted : str
        Which crimes were counted, in words (shown wherever the figures are).
    rtm : RTMBaseline or None
    simulation : Simulated or None
    unit_costs : UnitCosts or None
    params : dict
    notes : list of str
    """

    interventions: pd.DataFrame
    plan: pd.DataFrame
    crimes: gpd.GeoDataFrame
    window: tuple[str, str]
    months: int
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    types: pd.DataFrame = field(default_factory=pd.DataFrame)
    counted: str = ""
    rtm: RTMBaseline | None = None
    simulation: Simulated | None = None
    unit_costs: UnitCosts | None = None

    def summary(self) -> list[str]:
        """Headline sentences for the app and evidence packs.

        Examples
        --------
        >>> row = {"baseline": 100.0, "baseline_expected": 90.0, "prevented": 18.0,
        ...        "prevented_lo80": 12.0, "prevented_hi80": 25.0, "prevented_lo95": 9.0,
        ...        "prevented_hi95": 29.0, "reduction_pct": 20.0, "total_cost": 50000.0,
        ...        "cost_complete": True, "cost_per_crime_prevented": 2777.8}
        >>> r = ImpactResult(pd.DataFrame(), pd.DataFrame([row]), gpd.GeoDataFrame(),
        ...                  ("2024-01", "2024-12"), 12, {})
        >>> r.summary()[0]
        'Baseline: 100 targeted crimes in the coverage in 2024-01 to 2024-12 (12 months).'
        >>> r.summary()[2][:71]
        'Projected reduction: about 18.0 crimes per 12 months (80% interval 12.0'
        """
        return summary_sentences(self)

    def figures(self, *, sensitive: bool = False) -> list[dict[str, str]]:
        """Headline figures (key, label, value text): the app's metrics, the pack's cards.

        ``sensitive``: withhold figures resting on 1-4 crimes (the privacy rule).
        """
        return display_figures(self, sensitive=sensitive)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the plan row, counted, window, corrections, simulation, costs."""
        row = {k: (v.item() if isinstance(v, np.generic) else v)
               for k, v in self.plan.iloc[0].to_dict().items()}
        return {"counted": self.counted, "window": list(self.window), "months": self.months,
                "plan": row, "rtm": self.rtm.to_dict() if self.rtm else None,
                "simulation": self.simulation.to_dict() if self.simulation else None,
                "unit_costs": self.unit_costs.to_dict() if self.unit_costs else None,
                "notes": list(self.notes)}


# --------------------------------------------------------------------------- projection


def _select_group(crimes: gpd.GeoDataFrame, group: str | CrimeGroup | None,
                  groups: Mapping[str, CrimeGroup] | None) -> tuple[gpd.GeoDataFrame, str]:
    if group is None:
        return crimes, "every crime given"
    chosen, info = select_crimes(crimes, group=group, groups=groups)
    g = info.get("group") or {}
    label = g.get("label", str(group))
    cats = g.get("categories") or []
    what = "every category" if cats == ["*"] else ", ".join(cats)
    # "Neighbourhood crime (…)", "Anti-social behaviour crimes (…)": never "crime crimes"
    noun = "" if label.lower().rstrip("s").endswith("crime") else " crimes"
    return chosen, f"{label}{noun} ({what})"


def _counted(group_text: str, window: tuple[str, str], outside: str) -> str:
    return (f"Crimes counted: {group_text}, of the types each intervention acts on, inside its "
            f"coverage, {window[0]} to {window[1]}, wherever the coverage lies{outside}. The "
            "app, the command line and the evidence pack all count this way.")


def _outside_share(footprint: BaseGeometry, study_area: Any) -> tuple[str, float | None]:
    if study_area is None or footprint.is_empty:
        return "", None
    shape = study_area if isinstance(study_area, BaseGeometry) else shapely.union_all(
        gpd.GeoSeries(study_area.geometry if hasattr(study_area, "geometry") else study_area)
        .to_crs(PLAN_CRS).array)
    outside = 1.0 - footprint.intersection(shape).area / footprint.area
    return (" (also outside the selected areas)" if outside > 0.01 else
            " (all of it inside the selected areas)"), outside


def _region(study_area: Any, located: gpd.GeoDataFrame) -> BaseGeometry | None:
    if study_area is not None:
        if isinstance(study_area, BaseGeometry):
            return study_area
        frame = study_area if isinstance(study_area, gpd.GeoDataFrame | gpd.GeoSeries) else None
        if frame is not None and len(frame):
            return shapely.union_all(shapely.make_valid(frame.to_crs(PLAN_CRS).geometry.array))
    if len(located) == 0:
        return None
    return shapely.box(*located.total_bounds)


def projected_impact(
    crimes: gpd.GeoDataFrame,
    interventions: Sequence[Intervention],
    catalogue: Mapping[str, InterventionType] | None = None,
    *,
    group: str | CrimeGroup | None = None,
    groups: Mapping[str, CrimeGroup] | None = None,
    harm_weights: Mapping[str, float] | None = None,
    as_of: str | None = None,
    months: int = DEFAULT_BASELINE_MONTHS,
    weight: str | None = None,
    hotspots: Any = None,
    study_area: Any = None,
    rtm: bool = True,
    unit_costs: UnitCosts | Mapping[str, float] | str | None = "bundled",
    simulations: int = SIMULATIONS,
    seed: int = SEED,
) -> ImpactResult:
    """Project what a plan of interventions would prevent (the module notes give the rules).

    Parameters
    ----------
    crimes : GeoDataFrame
        Canonical crime table, all categories. It is not changed.
    interventions : sequence of Intervention
        The plan. Each is validated.
    catalogue : dict, optional
        Intervention types (default :func:`hotspots.planning.catalogue.load_catalogue`).
    group : str or CrimeGroup, optional
        Count only this crime group (the app's and the report's selection).
    groups : dict, optional
        Groups to look ``group`` up in.
    harm_weights : dict, optional
        Category -> harm weight (categories without one weigh 1): harm figures are added.
    as_of : str, optional
        ``"YYYY-MM"``: the baseline is the ``months`` months before it. Default: before the
        earliest start month of the plan.
    months : int, default 12
        Baseline length; prevented figures are per this many months.
    weight : str, optional
        A column of harm weights already in ``crimes`` (instead of ``harm_weights``).
    hotspots : HotspotResult, GeoDataFrame, GeoSeries or shapely geometry, optional
        Hotspots: gives the share of the targeted crime in them that the plan covers.
    study_area : GeoDataFrame, GeoSeries or shapely geometry, optional
        The selected areas: comparable places for the regression-to-the-mean correction are
        taken from it (default: the crimes' extent), and coverage outside it is noted.
    rtm : bool, default True
        Correct the baseline for regression to the mean.
    unit_costs : "bundled", UnitCosts, dict or None
        Unit costs of crime (default: :func:`hotspots.planning.crime_costs.load_unit_costs`);
        None for no cost-benefit figures.
    simulations, seed : int
        The uncertainty simulation (:mod:`hotspots.planning.uncertainty`).

    Returns
    -------
    ImpactResult

    Examples
    --------
    >>> pts = gpd.GeoDataFrame(
    ...     {"category": ["Burglary"] * 10, "month": pd.Timestamp("2024-06-01")},
    ...     geometry=gpd.points_from_xy([0] * 10, [0] * 10), crs="EPSG:27700")
    >>> plan = [Intervention(type="alley_gates", start="2025-01", cost=3700,
    ...                      geometry=shapely.LineString([(-100, 0), (100, 0)]))]
    >>> res = projected_impact(pts, plan)
    >>> res.plan[["baseline", "prevented", "cost_per_crime_prevented"]].round(2).values.tolist()
    [[10.0, 3.7, 1000.0]]
    >>> res.counted[:48]
    'Crimes counted: every crime given, of the types '
    """
    catalogue = load_catalogue() if catalogue is None else catalogue
    items = list(interventions)
    if not items:
        raise ParameterError(
            "The 'interventions' parameter is empty: add at least one intervention to the "
            "plan before projecting its impact."
        )
    validate_interventions(items, catalogue)
    if not isinstance(months, int | np.integer) or isinstance(months, bool) or months < 1:
        raise ParameterError(f"The 'months' parameter must be a whole number >= 1, got {months!r}.")
    months = int(months)
    notes: list[str] = []
    located = baseline_crimes(crimes, weight, notes)
    located, group_text = _select_group(located, group, groups)
    if harm_weights is not None:
        located = apply_harm(located, harm_weights, default=1.0)
        weight = "weight"
        notes.append("Harm weights applied; categories without a weight weigh 1.")
    first, last = baseline_window(
        located, [parse_month(iv.start, name="start") for iv in items], as_of, months, notes)
    in_window = (located["month"] >= first) & (located["month"] <= last)
    base = located.loc[in_window.to_numpy()]
    window = (month_label(first), month_label(last))
    w = (np.ones(len(base)) if weight is None
         else pd.to_numeric(base[weight]).to_numpy(dtype=float))
    ex = exposure(base, items, catalogue)
    reduction = {level: ex.reduction(level) for level in LEVELS}
    region = _region(study_area, located)
    acted = sorted({c for kind in ex.kinds for c in kind.categories})
    rb = None
    if rtm and ex.targeted.any():
        pool = located[located["category"].astype("str").isin(acted).to_numpy()]
        rb = rtm_baseline(pool, ex.footprint, first=first, last=last, region=region)
    factor = rb.factor if rb is not None else 1.0
    costs = load_unit_costs() if isinstance(unit_costs, str) else as_mapping(unit_costs)
    c = costs_of(base["category"].astype("str"), costs)
    spot = hotspot_geometry(hotspots)
    in_spot = None
    if spot is not None:
        shapely.prepare(spot)
        in_spot = np.asarray(shapely.intersects(spot, base.geometry.array) if len(base)
                             else np.zeros(0, bool), dtype=bool)
    table = intervention_rows(items, ex, w, factor, weight, in_spot)
    plan = plan_row(ex, table, reduction, w, c, factor, weight, in_spot)
    sim = None
    targeted = ex.targeted
    if targeted.any():
        complete = plan["cost_complete"] and plan["total_cost"] > 0
        sim = simulate_prevented(
            ex.affected[targeted], ex.ranges(), eb=rb.eb if rb is not None else NO_REFERENCE,
            count=rb.observed if rb is not None else None, weights=w[targeted],
            unit_costs=c[targeted], total_cost=plan["total_cost"] if complete else None,
            dispersion=rb.dispersion if rb is not None else 1.0, runs=simulations,
            seed=seed)
        add_intervals(plan, sim, weight)
    after = base.copy()
    after["targeted"] = targeted
    after["n_types"] = ex.affected.sum(axis=1).astype(int)
    for level in LEVELS:
        after[f"reduction{_SUFFIX[level]}"] = reduction[level]
    after["expected_after"] = w * (1.0 - reduction["central"])
    outside_text, outside = _outside_share(ex.footprint, study_area)
    counted = _counted(group_text, window, outside_text)
    notes.insert(0, counted)
    if outside is not None and outside > 0.01:
        notes.append(f"{outside:.0%} of the plan's coverage lies outside the selected areas; "
                     "crimes there are counted too (every crime of the group in the data).")
    if plan["baseline"] == 0:
        notes.append("No crimes of the types the plan acts on lie inside its coverage in the "
                     "baseline window: check that the plan is drawn where the data are.")
    if rb is not None:
        notes.append(rb.statement)
    if sim is not None:
        notes.append(
            f"Intervals: {sim.runs:,} simulations (seed {sim.seed}) drawing each type's effect "
            "from a triangular distribution over its planning range, the coverage's expected "
            "count from its empirical Bayes posterior and the year's count with overdispersion "
            f"{sim.dispersion:.2f}; 80% and 95% intervals are the 10-90th and 2.5-97.5th "
            "percentiles.")
    if costs is not None:
        notes.append(costs.statement())
        notes.extend(costs.notes)
    notes.extend(assumption_notes(plan, table, items, [catalogue[iv.type] for iv in items],
                                  months, weight, spot))
    harm = dict(located.attrs.get("harm_weights", {})) if weight is not None else {}
    if harm:
        notes.append("Harm weights used: " + ", ".join(
            f"{category} {value:g}" for category, value in harm.items()) + ".")
    params = {
        "as_of": as_of, "months": months, "window": list(window), "weight": weight,
        "harm_weights": harm or None, "counted": counted,
        "group": getattr(group, "key", group),
        "combination": ("within a type: union of its coverages; across types: "
                        "1 - prod(1 - e) over the types covering the crime and acting on it"),
        "rtm": rb.to_dict() if rb is not None else None,
        "simulation": sim.to_dict() if sim is not None else None,
        "unit_costs": costs.to_dict() if costs is not None else None,
        "types": {kind.key: kind.to_dict() for kind in ex.kinds},
        "n_crimes_in_window": len(base),
    }
    return ImpactResult(
        interventions=table, plan=pd.DataFrame([plan]), crimes=after, window=window,
        months=months, params=params, notes=notes, types=type_rows(items, ex, factor),
        counted=counted, rtm=rb, simulation=sim, unit_costs=costs,
    )




# --------------------------------------------------------------------------- grid counts


@dataclass
class ProjectedCounts:
    """Crimes per grid cell in the baseline window and projected after the plan.

    Attributes
    ----------
    cells : GeoDataFrame
        One row per cell with baseline crime: ``cell_id, row, col, before,
        after_low_effect, after, after_high_effect, prevented``.
    grid : Grid
    impact : ImpactResult
        The projection the counts come from.
    """

    cells: gpd.GeoDataFrame
    grid: Grid
    impact: ImpactResult

    def results(self, *, top_share: float = TOP_SHARE) -> tuple[HotspotResult, HotspotResult]:
        """Before and projected-after maps as HotspotResults with one shared threshold.

        Hotspots are the cells at or above the score of the top ``top_share`` of baseline
        cells; the same threshold is applied after, so hotspots that the plan brings below
        it disappear from the after map.
        """
        before = self.cells["before"].to_numpy()
        if len(before):
            n_top = max(1, math.ceil(top_share * len(before)))
            threshold = max(np.sort(before)[::-1][n_top - 1], np.finfo(float).tiny)
        else:
            threshold = math.inf
        params = {
            "cell_size": self.grid.cell_size, "top_share": top_share,
            "window": list(self.impact.window), "weight": self.impact.params.get("weight"),
        }
        out = []
        for column, label in (("before", "baseline"), ("after", "projected after the plan")):
            cells = self.cells.copy()
            cells["score"] = cells[column]
            cells["hotspot"] = cells[column] >= threshold
            out.append(HotspotResult(cells=cells, method="count", params=dict(params),
                                     notes=[f"Crimes per cell, {label} ({self.impact.window[0]} "
                                            f"to {self.impact.window[1]} baseline)."]))
        return out[0], out[1]


def projected_counts(
    crimes: gpd.GeoDataFrame,
    interventions: Sequence[Intervention],
    catalogue: Mapping[str, InterventionType] | None = None,
    *,
    grid: Grid | None = None,
    cell_size: float | None = None,
    as_of: str | None = None,
    months: int = DEFAULT_BASELINE_MONTHS,
    weight: str | None = None,
) -> ProjectedCounts:
    """Expected crimes per grid cell before and after the plan, for side-by-side maps.

    ``before`` counts (or sums ``weight`` over) the baseline-window crimes of every type;
    ``after`` sums each crime's expected remainder, weight x (1 - combined reduction), with
    the central effects (``after_low_effect``/``after_high_effect`` with the low/high).

    Parameters
    ----------
    grid : Grid, optional
        The grid to count on (e.g. the one of a hotspot result, so maps align). Default: a
        grid over the baseline crimes with ``cell_size`` (or the default cell size).

    Examples
    --------
    >>> pts = gpd.GeoDataFrame(
    ...     {"category": ["Burglary"] * 4, "month": pd.Timestamp("2024-06-01")},
    ...     geometry=gpd.points_from_xy([5, 5, 5, 95], [5, 5, 5, 95]), crs="EPSG:27700")
    >>> plan = [Intervention(type="alley_gates", start="2025-01",
    ...                      geometry=shapely.LineString([(0, 5), (10, 5)]))]
    >>> counts = projected_counts(pts, plan, cell_size=10)
    >>> counts.cells[["cell_id", "before", "after"]].round(2).values.tolist()
    [['E0N0', 3.0, 1.89], ['E90N90', 1.0, 1.0]]
    """
    impact = projected_impact(crimes, interventions, catalogue, as_of=as_of, months=months,
                              weight=weight)
    base = impact.crimes
    if grid is None:
        if not len(base):
            raise ParameterError(
                "There are no crimes in the baseline window to map; pass a 'grid' or check "
                f"the data cover {impact.window[0]} to {impact.window[1]}."
            )
        grid = make_grid(tuple(base.total_bounds), cell_size=cell_size, crs=PLAN_CRS,
                         points=(base.geometry.x.to_numpy(), base.geometry.y.to_numpy()))
    w = np.ones(len(base)) if weight is None else pd.to_numeric(base[weight]).to_numpy(float)
    frame = gpd.GeoDataFrame(
        {"w": w, "after": base["expected_after"].to_numpy(),
         "after_low": w * (1 - base["reduction_low"].to_numpy()),
         "after_high": w * (1 - base["reduction_high"].to_numpy())},
        geometry=base.geometry.to_numpy(), crs=base.crs,
    )
    layers = {
        "before": count_points(grid, frame, weight="w"),
        "after_low_effect": count_points(grid, frame, weight="after_low"),
        "after": count_points(grid, frame, weight="after"),
        "after_high_effect": count_points(grid, frame, weight="after_high"),
    }
    layers["prevented"] = layers["before"] - layers["after"]
    cells = grid.to_geodataframe(layers, mask=layers["before"] > 0)
    off = len(base) - int(count_points(grid, frame).sum())
    if off:
        impact.notes.append(f"{off:,} baseline crimes lie outside the grid and are not mapped.")
    return ProjectedCounts(cells=cells, grid=grid, impact=impact)
