"""Projected impact of an intervention plan: crimes prevented, as a range, and at what cost.

The projection is simple and transparent, and every result states it in its ``notes``:

* **Baseline.** The crimes in each intervention's coverage, of the crime types its
  catalogue entry acts on, in a baseline window of ``months`` months (default 12): the
  months before ``as_of`` or, by default, before the plan's first start month. The same
  window is used for every intervention so that per-intervention and plan figures add up.
  If the data end earlier, the window is moved back to end with the last month of data.
* **Effect.** Expected prevented = baseline x effect, for the catalogue's low, central and
  high effects. ANPR (effect 0) prevents nothing.
* **Overlaps.** A crime covered by several interventions is counted once, and the
  reductions combine multiplicatively under the usual independence assumption:
  ``r = 1 - prod_k (1 - e_k)`` over the interventions that cover it and act on its type.
  (Two 20% measures give 36%, not 40%.)
* **Assumptions.** Crime would otherwise continue at the baseline level (no trend or
  season adjustment); no displacement or diffusion of benefits is modelled; effects are
  the catalogue's, which are review averages or planning assumptions, not promises.
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
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.methods.counts import TOP_SHARE
from hotspots.methods.grid import Grid
from hotspots.methods.grid import count_points
from hotspots.methods.grid import make_grid
from hotspots.months import month_label
from hotspots.months import parse_month
from hotspots.planning.baseline import baseline_crimes
from hotspots.planning.baseline import baseline_window
from hotspots.planning.baseline import hotspot_geometry
from hotspots.planning.catalogue import InterventionType
from hotspots.planning.catalogue import load_catalogue
from hotspots.planning.interventions import PLAN_CRS
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import coverage
from hotspots.planning.interventions import validate_interventions
from hotspots.result import HotspotResult

__all__ = [
    "ImpactResult",
    "ProjectedCounts",
    "projected_impact",
    "projected_counts",
    "combine_effects",
    "DEFAULT_BASELINE_MONTHS",
]

#: Months of crime before the start that make the baseline (DESIGN.md: "the last 12 months").
DEFAULT_BASELINE_MONTHS = 12
_LEVELS = (("low", "effect_low"), ("central", "effect"), ("high", "effect_high"))
_SUFFIX = {"low": "_low", "central": "", "high": "_high"}


def combine_effects(effects: ArrayLike) -> Any:
    """Combined proportional reduction of independent measures: ``1 - prod(1 - e)``.

    ``effects`` is one sequence of effects (a float comes back), or an array whose last
    axis holds, for each crime, the effect of every measure (0 where a measure does not
    act on it): an array of one reduction per crime comes back. The measures are applied
    in order, so every crime's reduction is computed the same way.

    Examples
    --------
    >>> round(combine_effects([0.2, 0.2]), 4)
    0.36
    >>> combine_effects([])
    0.0
    >>> combine_effects([[0.2, 0.5], [0.2, 0.0]]).round(4).tolist()
    [0.6, 0.2]
    """
    effects = np.asarray(effects, dtype=float)
    survive = np.ones(effects.shape[:-1])
    for k in range(effects.shape[-1]):
        survive = survive * (1.0 - effects[..., k])
    reduction = 1.0 - survive
    return float(reduction) if reduction.ndim == 0 else reduction


@dataclass
class ImpactResult:
    """What :func:`projected_impact` returns.

    Attributes
    ----------
    interventions : DataFrame
        One row per intervention, as if it were alone: ``id, name, type, label, start,
        cost, effect, effect_low, effect_high, crimes_in_coverage`` (all types),
        ``baseline`` (crimes of the types it acts on), ``prevented_low, prevented,
        prevented_high``, ``cost_per_crime_prevented`` (cost / central prevented; NaN when
        the cost is unknown or nothing is prevented, see ``notes``) and, when weighted,
        ``harm_baseline, harm_prevented_low, harm_prevented, harm_prevented_high``; with
        hotspots, ``hotspot_share_covered``.
    plan : DataFrame
        One row for the whole plan, overlaps counted once: the same measures, plus
        ``reduction_pct`` (central prevented / baseline), ``prevented_if_added``
        (sum of the per-intervention figures) and ``overlap_adjustment`` (what counting
        overlaps once removes), ``total_cost``, ``cost_complete`` and, with hotspots,
        ``hotspot_crimes``, ``hotspot_crimes_covered`` and ``hotspot_share_covered``.
    crimes : GeoDataFrame
        The baseline-window crimes with ``targeted`` (covered by an intervention acting on
        its type), ``n_interventions``, ``reduction_low/reduction/reduction_high`` and
        ``expected_after`` (weight x (1 - reduction)): the "projected after" table.
    window : tuple of str
        First and last baseline months, ``"YYYY-MM"``.
    months : int
        Length of the window; prevented figures are per this many months.
    params : dict
        Everything used: window, weight, harm weights, catalogue entries used.
    notes : list of str
        Assumptions and caveats in plain language.
    """

    interventions: pd.DataFrame
    plan: pd.DataFrame
    crimes: gpd.GeoDataFrame
    window: tuple[str, str]
    months: int
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Headline sentences for the app and evidence packs.

        Examples
        --------
        >>> row = {"baseline": 100.0, "prevented_low": 10.0, "prevented": 20.0,
        ...        "prevented_high": 30.0, "reduction_pct": 20.0, "total_cost": 50000.0,
        ...        "cost_complete": True, "cost_per_crime_prevented": 2500.0}
        >>> r = ImpactResult(pd.DataFrame(), pd.DataFrame([row]), gpd.GeoDataFrame(),
        ...                  ("2024-01", "2024-12"), 12, {})
        >>> r.summary()[0]
        'Baseline: 100 targeted crimes in the coverage in 2024-01 to 2024-12 (12 months).'
        >>> r.summary()[1]
        'Projected reduction: about 20 crimes per 12 months (range 10 to 30), 20% of the baseline.'
        """
        p = self.plan.iloc[0]
        out = [
            f"Baseline: {p['baseline']:,.0f} targeted crimes in the coverage in "
            f"{self.window[0]} to {self.window[1]} ({self.months} months).",
        ]
        if p["baseline"] <= 0:
            out.append("No crimes of the types these interventions act on fell inside their "
                       "coverage in the baseline, so no reduction is projected.")
            return out
        out.append(
            f"Projected reduction: about {p['prevented']:,.0f} crimes per {self.months} months "
            f"(range {p['prevented_low']:,.0f} to {p['prevented_high']:,.0f}), "
            f"{p['reduction_pct']:.0f}% of the baseline."
        )
        if bool(p.get("cost_complete")) and math.isfinite(p.get("cost_per_crime_prevented",
                                                                 math.nan)):
            out.append(f"Cost: GBP {p['total_cost']:,.0f}, about GBP "
                       f"{p['cost_per_crime_prevented']:,.0f} per crime prevented.")
        share = p.get("hotspot_share_covered", math.nan)
        if isinstance(share, float) and math.isfinite(share):
            out.append(f"The plan covers {share:.0%} of the targeted crime in the hotspots.")
        return out


# --------------------------------------------------------------------------- projection


def _safe_ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def projected_impact(
    crimes: gpd.GeoDataFrame,
    interventions: Sequence[Intervention],
    catalogue: Mapping[str, InterventionType] | None = None,
    *,
    as_of: str | None = None,
    months: int = DEFAULT_BASELINE_MONTHS,
    weight: str | None = None,
    hotspots: Any = None,
) -> ImpactResult:
    """Project what a plan of interventions would prevent, per intervention and overall.

    Parameters
    ----------
    crimes : GeoDataFrame
        Canonical crime table (all categories: each intervention picks the types it acts
        on). It is not changed.
    interventions : sequence of Intervention
        The plan. Each is validated.
    catalogue : dict, optional
        Intervention types (default :func:`hotspots.planning.catalogue.load_catalogue`).
    as_of : str, optional
        ``"YYYY-MM"``: the baseline is the ``months`` months before it. Default: before the
        earliest start month of the plan.
    months : int, default 12
        Baseline length; prevented figures are per this many months.
    weight : str, optional
        Column of harm weights (e.g. after :func:`hotspots.apply_harm`): harm columns are
        added, summing it.
    hotspots : HotspotResult, GeoDataFrame, GeoSeries or shapely geometry, optional
        Hotspot polygons or the area of concern. A HotspotResult or a frame with a
        ``hotspot`` column uses only the hotspot rows. Gives the share of the targeted
        crime in the hotspots that the plan covers.

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
    >>> cols = ["baseline", "prevented_low", "prevented", "prevented_high"]
    >>> res.plan[cols].round(2).values.tolist()
    [[10.0, 1.5, 3.7, 4.5]]
    >>> res.plan["cost_per_crime_prevented"].round(2).tolist()
    [1000.0]
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
    first, last = baseline_window(
        located, [parse_month(iv.start, name="start") for iv in items], as_of, months, notes)
    in_window = (located["month"] >= first) & (located["month"] <= last)
    base = located.loc[in_window.to_numpy()]
    w = (np.ones(len(base)) if weight is None
         else pd.to_numeric(base[weight]).to_numpy(dtype=float))
    categories = base["category"].astype("str").to_numpy()

    kinds = [catalogue[iv.type] for iv in items]
    covers = [coverage(iv, catalogue) for iv in items]
    n, k = len(base), len(items)
    inside = np.zeros((n, k), dtype=bool)
    acts = np.zeros((n, k), dtype=bool)
    for j, (kind, cover) in enumerate(zip(kinds, covers, strict=True)):
        hit = base.sindex.query(cover, predicate="intersects") if n else np.array([], int)
        inside[hit, j] = True
        acts[:, j] = np.isin(categories, list(kind.categories))
    affected = inside & acts

    reduction = {
        level: combine_effects(np.where(affected, [getattr(kind, attr) for kind in kinds], 0.0))
        for level, attr in _LEVELS
    }

    spot = hotspot_geometry(hotspots)
    in_spot = None
    if spot is not None:
        shapely.prepare(spot)
        in_spot = shapely.intersects(spot, base.geometry.array) if n else np.zeros(0, bool)
        in_spot = np.asarray(in_spot, dtype=bool)

    rows = []
    for j, (iv, kind) in enumerate(zip(items, kinds, strict=True)):
        row: dict[str, Any] = {
            "id": iv.id, "name": iv.display_name, "type": iv.type, "label": kind.label,
            "start": iv.start, "cost": math.nan if iv.cost is None else float(iv.cost),
            "effect": kind.effect, "effect_low": kind.effect_low,
            "effect_high": kind.effect_high,
            "crimes_in_coverage": float(inside[:, j].sum()),
            "baseline": float(affected[:, j].sum()),
        }
        for level, attr in _LEVELS:
            row[f"prevented{_SUFFIX[level]}"] = row["baseline"] * getattr(kind, attr)
        if weight is not None:
            row["harm_baseline"] = float(w[affected[:, j]].sum())
            for level, attr in _LEVELS:
                row[f"harm_prevented{_SUFFIX[level]}"] = row["harm_baseline"] * getattr(kind,
                                                                                         attr)
        row["cost_per_crime_prevented"] = _safe_ratio(row["cost"], row["prevented"])
        if in_spot is not None:
            row["hotspot_share_covered"] = _safe_ratio(
                float((affected[:, j] & in_spot).sum()), float((acts[:, j] & in_spot).sum())
            )
        rows.append(row)
    table = pd.DataFrame(rows)

    targeted = affected.any(axis=1)
    plan: dict[str, Any] = {
        "n_interventions": k,
        "crimes_in_coverage": float(inside.any(axis=1).sum()),
        "baseline": float(targeted.sum()),
    }
    for level, _ in _LEVELS:
        plan[f"prevented{_SUFFIX[level]}"] = float(reduction[level].sum())
    plan["reduction_pct"] = 100 * _safe_ratio(plan["prevented"], plan["baseline"])
    plan["prevented_if_added"] = float(table["prevented"].sum())
    plan["overlap_adjustment"] = plan["prevented_if_added"] - plan["prevented"]
    if weight is not None:
        plan["harm_baseline"] = float(w[targeted].sum())
        for level, _ in _LEVELS:
            plan[f"harm_prevented{_SUFFIX[level]}"] = float((w * reduction[level]).sum())
    known = table["cost"].notna()
    plan["total_cost"] = float(table.loc[known, "cost"].sum())
    plan["cost_complete"] = bool(known.all())
    plan["cost_per_crime_prevented"] = (
        _safe_ratio(plan["total_cost"], plan["prevented"]) if plan["cost_complete"] else math.nan
    )
    if in_spot is not None:
        any_acts = acts.any(axis=1)
        plan["hotspot_crimes"] = float((any_acts & in_spot).sum())
        plan["hotspot_crimes_covered"] = float((targeted & in_spot).sum())
        plan["hotspot_share_covered"] = _safe_ratio(plan["hotspot_crimes_covered"],
                                                    plan["hotspot_crimes"])

    after = base.copy()
    after["targeted"] = targeted
    after["n_interventions"] = affected.sum(axis=1).astype(int)
    for level, _ in _LEVELS:
        after[f"reduction{_SUFFIX[level]}"] = reduction[level]
    after["expected_after"] = w * (1.0 - reduction["central"])

    notes.extend(_assumption_notes(items, kinds, table, plan, months, weight, spot))
    harm_weights = dict(crimes.attrs.get("harm_weights", {})) if weight is not None else {}
    if harm_weights:
        notes.append("Harm weights used: " + ", ".join(
            f"{category} {value:g}" for category, value in harm_weights.items()) + ".")
    params = {
        "as_of": as_of, "months": months, "window": [month_label(first), month_label(last)],
        "weight": weight, "harm_weights": harm_weights or None,
        "combination": "1 - prod(1 - e) over covering interventions acting on the crime type",
        "types": {kind.key: kind.to_dict() for kind in kinds},
        "n_crimes_in_window": n,
    }
    return ImpactResult(
        interventions=table, plan=pd.DataFrame([plan]), crimes=after,
        window=(month_label(first), month_label(last)), months=months, params=params,
        notes=notes,
    )


def _assumption_notes(
    items: list[Intervention], kinds: list[InterventionType], table: pd.DataFrame,
    plan: dict[str, Any], months: int, weight: str | None, spot: BaseGeometry | None,
) -> list[str]:
    notes = [
        f"Prevented crimes are per {months} months once every intervention is in place, "
        "assuming crime in the coverage would otherwise stay at the baseline level (no trend "
        "or season adjustment) and no displacement or diffusion of benefits.",
        "Effects are the catalogue's (review averages or planning assumptions, see each "
        "type's source); low and high use the catalogue's planning range, not a statistical "
        "interval.",
        "A crime covered by several interventions is counted once; their effects combine as "
        "1 - (1 - e1)(1 - e2)... (independence assumption).",
    ]
    if plan["overlap_adjustment"] > 1e-9:
        notes.append(
            f"Overlapping coverage: adding the interventions' own figures would claim "
            f"{plan['prevented_if_added']:,.1f} prevented; counting each crime once gives "
            f"{plan['prevented']:,.1f}."
        )
    for iv, kind in zip(items, kinds, strict=True):
        if kind.effect_high == 0:
            notes.append(
                f"{iv.display_name!r} ({kind.label}): no reduction is projected - "
                f"{kind.evidence}. Its value is in detection, not prevention."
            )
        elif kind.evidence == "planning assumption":
            notes.append(f"{iv.display_name!r} ({kind.label}): the effect is a planning "
                         "assumption, not a measured figure.")
    for row in table.itertuples(index=False):
        if math.isnan(row.cost):
            notes.append(f"{row.name!r}: no cost given, so no cost per crime prevented.")
        elif row.prevented <= 0:
            notes.append(f"{row.name!r}: prevents no crimes in the projection, so cost per "
                         "crime prevented is not defined (shown as NaN).")
    if not plan["cost_complete"]:
        notes.append("Plan cost per crime prevented is not given: some costs are missing.")
    if weight is not None:
        notes.append(f"Harm is the sum of column {weight!r} over the targeted crimes.")
    if spot is None:
        notes.append("No hotspot polygons were given, so the share of hotspot crime covered "
                     "is not computed.")
    else:
        notes.append("Hotspot share covered = targeted crimes inside both the hotspots and the "
                     "plan's coverage / crimes inside the hotspots of the types the plan acts "
                     "on.")
    return notes


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
