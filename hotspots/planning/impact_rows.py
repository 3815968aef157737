"""The tables of a projection: one row per intervention, per type, and for the whole plan.

Built by :func:`hotspots.planning.impact.projected_impact` from the coverage of every baseline
crime (:mod:`hotspots.planning.exposure`); every figure is scaled by the regression-to-the-mean
factor and the plan's figures get the simulation's intervals
(:mod:`hotspots.planning.uncertainty`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from hotspots.planning.exposure import LEVELS
from hotspots.planning.exposure import Exposure
from hotspots.planning.interventions import Intervention
from hotspots.planning.uncertainty import Simulated

__all__ = ["intervention_rows", "type_rows", "plan_row", "add_intervals", "safe_ratio"]

_SUFFIX = {"low": "_low", "central": "", "high": "_high"}
_BOUNDS = ("lo80", "hi80", "lo95", "hi95")


def safe_ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator is not above 0.

    Examples
    --------
    >>> safe_ratio(3, 4), safe_ratio(3, 0)
    (0.75, nan)
    """
    return numerator / denominator if denominator > 0 else math.nan


def intervention_rows(items: list[Intervention], ex: Exposure, w: np.ndarray, factor: float,
                       weight: str | None, in_spot: np.ndarray | None) -> pd.DataFrame:
    rows = []
    for j, iv in enumerate(items):
        kind = ex.kinds[ex.type_keys.index(iv.type)]
        hit = ex.inside[:, j] & ex.acts[:, j]
        row: dict[str, Any] = {
            "id": iv.id, "name": iv.display_name, "type": iv.type, "label": kind.label,
            "start": iv.start, "cost": math.nan if iv.cost is None else float(iv.cost),
            "effect": kind.effect, "effect_low": kind.effect_low,
            "effect_high": kind.effect_high,
            "crimes_in_coverage": float(ex.inside[:, j].sum()), "baseline": float(hit.sum()),
        }
        for level, attr in LEVELS.items():
            row[f"prevented{_SUFFIX[level]}"] = row["baseline"] * getattr(kind, attr) * factor
        if weight is not None:
            row["harm_baseline"] = float(w[hit].sum())
            row["harm_prevented"] = row["harm_baseline"] * kind.effect * factor
        row["cost_per_crime_prevented"] = safe_ratio(row["cost"], row["prevented"])
        if in_spot is not None:
            row["hotspot_share_covered"] = safe_ratio(
                float((hit & in_spot).sum()), float((ex.acts[:, j] & in_spot).sum()))
        rows.append(row)
    return pd.DataFrame(rows)


def type_rows(items: list[Intervention], ex: Exposure, factor: float) -> pd.DataFrame:
    rows = []
    for t, (key, kind) in enumerate(zip(ex.type_keys, ex.kinds, strict=True)):
        baseline = float(ex.affected[:, t].sum())
        rows.append({"type": key, "label": kind.label,
                     "n_interventions": sum(iv.type == key for iv in items),
                     "coverage_ha": ex.type_covers[t].area / 1e4, "baseline": baseline,
                     "effect": kind.effect, "prevented": baseline * kind.effect * factor})
    return pd.DataFrame(rows)


def plan_row(ex: Exposure, table: pd.DataFrame, reduction: dict[str, np.ndarray],
              w: np.ndarray, c: np.ndarray, factor: float, weight: str | None,
              in_spot: np.ndarray | None) -> dict[str, Any]:
    targeted = ex.targeted
    plan: dict[str, Any] = {
        "n_interventions": len(table), "n_types": len(ex.type_keys),
        "crimes_in_coverage": float(ex.inside.any(axis=1).sum()),
        "baseline": float(targeted.sum()),
        "baseline_expected": float(targeted.sum()) * factor, "rtm_factor": factor,
        "prevented": float(reduction["central"].sum()) * factor,
        "prevented_range_low": float(reduction["low"].sum()) * factor,
        "prevented_range_high": float(reduction["high"].sum()) * factor,
    }
    plan["reduction_pct"] = 100 * safe_ratio(plan["prevented"], plan["baseline_expected"])
    plan["prevented_if_added"] = float(table["prevented"].sum())
    plan["overlap_adjustment"] = plan["prevented_if_added"] - plan["prevented"]
    if weight is not None:
        plan["harm_baseline"] = float(w[targeted].sum())
        plan["harm_prevented"] = float((w * reduction["central"]).sum()) * factor
    known = table["cost"].notna()
    plan["total_cost"] = float(table.loc[known, "cost"].sum())
    plan["cost_complete"] = bool(known.all())
    complete = plan["cost_complete"] and plan["total_cost"] > 0
    plan["cost_per_crime_prevented"] = (
        safe_ratio(plan["total_cost"], plan["prevented"]) if complete else math.nan)
    costed = np.isfinite(c)
    plan["costs_avoided"] = float((reduction["central"] * np.nan_to_num(c)).sum()) * factor
    plan["costed_share"] = safe_ratio(float(reduction["central"][costed].sum()),
                                       float(reduction["central"].sum()))
    plan["bcr"] = safe_ratio(plan["costs_avoided"], plan["total_cost"]) if complete else (
        math.nan)
    if in_spot is not None:
        any_acts = ex.acts.any(axis=1)
        plan["hotspot_crimes"] = float((any_acts & in_spot).sum())
        plan["hotspot_crimes_covered"] = float((targeted & in_spot).sum())
        plan["hotspot_share_covered"] = safe_ratio(plan["hotspot_crimes_covered"],
                                                    plan["hotspot_crimes"])
    return plan


def add_intervals(plan: dict[str, Any], sim: Simulated, weight: str | None) -> None:
    names = ["prevented", "costs_avoided"] + (["harm_prevented"] if weight is not None else [])
    names += [n for n in ("bcr", "cost_per_crime_prevented") if n in sim.quantiles]
    for name in names:
        for bound in _BOUNDS:
            plan[f"{name}_{bound}"] = sim.get(name, bound)
