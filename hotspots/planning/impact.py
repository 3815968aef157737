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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.methods.counts import TOP_SHARE
from hotspots.methods.grid import Grid, count_points, make_grid
from hotspots.months import parse_month
from hotspots.planning.interventions import (
    PLAN_CRS,
    Intervention,
    InterventionType,
    coverage,
    load_catalogue,
    validate_intervention,
)
from hotspots.result import HotspotResult
from hotspots.validation import require_projected

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


def combine_effects(effects: Sequence[float]) -> float:
    """Combined proportional reduction of independent measures: ``1 - prod(1 - e)``.

    Examples
    --------
    >>> round(combine_effects([0.2, 0.2]), 4)
    0.36
    >>> combine_effects([])
    0.0
    """
    survive = 1.0
    for e in effects:
        survive *= 1.0 - float(e)
    return 1.0 - survive


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


# --------------------------------------------------------------------------- inputs


def _month_label(month: pd.Timestamp) -> str:
    return f"{month:%Y-%m}"


def _window(
    crimes: gpd.GeoDataFrame, starts: list[pd.Timestamp], as_of: str | None, months: int,
    notes: list[str],
) -> tuple[pd.Timestamp, pd.Timestamp]:
    if as_of is not None:
        anchor, why = parse_month(as_of, name="as_of"), f"before {as_of} (as_of)"
    else:
        anchor = min(starts)
        why = f"before the plan's first start month, {_month_label(anchor)}"
    last = anchor - pd.DateOffset(months=1)
    data_months = crimes["month"].dropna()
    if len(data_months) and data_months.max() < last:
        newest = data_months.max()
        notes.append(
            f"The data end in {_month_label(newest)}, before the {months} months {why}; the "
            f"baseline is the last {months} months of data instead."
        )
        last = newest
    else:
        notes.append(f"Baseline: the {months} months {why}.")
    first = last - pd.DateOffset(months=months - 1)
    if len(data_months) and data_months.min() > first:
        covered = (last.year - data_months.min().year) * 12 + last.month - data_months.min().month
        notes.append(
            f"The data start in {_month_label(data_months.min())}, so only {max(covered + 1, 0)} "
            f"of the {months} baseline months have crimes; figures are not scaled up."
        )
    return first, last


def _hotspot_geometry(hotspots: Any) -> BaseGeometry | None:
    if hotspots is None:
        return None
    if isinstance(hotspots, HotspotResult):
        cells = hotspots.cells
        hotspots = cells[cells["hotspot"].astype(bool)] if "hotspot" in cells else cells
    if isinstance(hotspots, gpd.GeoDataFrame) and "hotspot" in hotspots.columns:
        hotspots = hotspots[hotspots["hotspot"].astype(bool)]
    if isinstance(hotspots, gpd.GeoDataFrame | gpd.GeoSeries):
        if hotspots.crs is None:
            raise ParameterError(
                "'hotspots' has no CRS; set it with set_crs(...) (e.g. 'EPSG:27700')."
            )
        geoms = hotspots.geometry if isinstance(hotspots, gpd.GeoDataFrame) else hotspots
        return shapely.union_all(shapely.make_valid(geoms.to_crs(PLAN_CRS).dropna().array))
    if isinstance(hotspots, BaseGeometry):
        return hotspots
    raise TypeError(
        "'hotspots' should be a HotspotResult, GeoDataFrame, GeoSeries or shapely geometry, "
        f"got {type(hotspots)}"
    )


def _prepare_crimes(crimes: gpd.GeoDataFrame, weight: str | None,
                    notes: list[str]) -> gpd.GeoDataFrame:
    if not isinstance(crimes, gpd.GeoDataFrame):
        raise TypeError(f"'crimes' should be a GeoDataFrame, got {type(crimes)}")
    require_projected(crimes, name="crimes")
    for column in ("month", "category"):
        if column not in crimes.columns:
            raise ParameterError(
                f"'crimes' has no {column!r} column; load it with hotspots.load_crimes."
            )
    if weight is not None:
        if weight not in crimes.columns:
            raise ParameterError(
                f"The 'weight' parameter names column {weight!r}, which 'crimes' does not "
                f"have; columns: {', '.join(map(str, crimes.columns))}."
            )
        values = pd.to_numeric(crimes[weight], errors="coerce")
        if values.isna().any() or (values < 0).any():
            raise ParameterError(
                f"Column {weight!r} must hold numbers >= 0 to be used as 'weight'; "
                f"{int((values.isna() | (values < 0)).sum()):,} rows do not."
            )
    located = crimes.geometry.notna() & ~crimes.geometry.is_empty
    if not located.all():
        notes.append(f"{int((~located).sum()):,} crimes without a location are left out.")
    out = crimes.loc[located]
    if out.crs is not None and not out.crs.equals(PLAN_CRS):
        out = out.to_crs(PLAN_CRS)
        notes.append(f"Crimes were converted to {PLAN_CRS}, the CRS of the plan.")
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
        Intervention types (default :func:`hotspots.interventions.load_catalogue`).
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
    problems = []
    for iv in items:
        try:
            validate_intervention(iv, catalogue)
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError("\n".join(problems))
    if not isinstance(months, int | np.integer) or isinstance(months, bool) or months < 1:
        raise ParameterError(f"The 'months' parameter must be a whole number >= 1, got {months!r}.")
    months = int(months)
    notes: list[str] = []
    located = _prepare_crimes(crimes, weight, notes)
    first, last = _window(located, [parse_month(iv.start, name="start") for iv in items],
                          as_of, months, notes)
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

    survive = {level: np.ones(n) for level, _ in _LEVELS}
    for j, kind in enumerate(kinds):
        for level, attr in _LEVELS:
            survive[level] = np.where(affected[:, j], survive[level] * (1 - getattr(kind, attr)),
                                      survive[level])
    reduction = {level: 1.0 - survive[level] for level, _ in _LEVELS}

    spot = _hotspot_geometry(hotspots)
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
    after["expected_after"] = w * survive["central"]

    notes.extend(_assumption_notes(items, kinds, table, plan, months, weight, spot))
    harm_weights = dict(crimes.attrs.get("harm_weights", {})) if weight is not None else {}
    if harm_weights:
        notes.append("Harm weights used: " + ", ".join(
            f"{category} {value:g}" for category, value in harm_weights.items()) + ".")
    params = {
        "as_of": as_of, "months": months, "window": [_month_label(first), _month_label(last)],
        "weight": weight, "harm_weights": harm_weights or None,
        "combination": "1 - prod(1 - e) over covering interventions acting on the crime type",
        "types": {kind.key: kind.to_dict() for kind in kinds},
        "n_crimes_in_window": n,
    }
    return ImpactResult(
        interventions=table, plan=pd.DataFrame([plan]), crimes=after,
        window=(_month_label(first), _month_label(last)), months=months, params=params,
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
        grid = make_grid(tuple(base.total_bounds), cell_size=cell_size, crs=PLAN_CRS)
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
