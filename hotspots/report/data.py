"""The report's content: every section's numbers and tables, its figures, the privacy rule.

:class:`ReportData` is what the renderers (:mod:`hotspots.report.html`) and the writers
(:mod:`hotspots.report.outputs`) are handed: the data flow down to them, nothing is imported
back from the module that builds the pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pandas as pd

from hotspots.groups import CrimeGroup
from hotspots.report.plan import EvaluationSection
from hotspots.report.plan import PlanSection
from hotspots.report.plan import Projection
from hotspots.report.sections import Profile
from hotspots.report.sections import Summary

__all__ = ["ReportData", "privacy_rule"]


def privacy_rule(group: CrimeGroup, *, points: bool) -> str:
    """The privacy rule applied, in one or two sentences for the report.

    Examples
    --------
    >>> g = CrimeGroup("vawg", "VAWG", ("Public order",), True, "", "")
    >>> privacy_rule(g, points=False)[:60]
    'VAWG is a sensitive crime group: exported layers and tables '
    """
    if group.sensitive and not points:
        return (f"{group.label} is a sensitive crime group: exported layers and tables are "
                "aggregated to grid cells and areas, no crime locations are listed, and counts "
                "of 1 to 4 are shown as \"<5\" in tables, layers and map labels.")
    if group.sensitive:
        return (f"{group.label} is a sensitive crime group, but crime points were asked for "
                "explicitly (points = true): the layer 'crimes' lists crime locations. Tables, "
                "layers and map labels still show counts of 1 to 4 as \"<5\".")
    if points:
        return ("Not a sensitive crime group: counts are shown in full, and the layer 'crimes' "
                "holds the selected crimes as points (police.uk's anonymised map points).")
    return ("Not a sensitive crime group: counts are shown in full; crime points were not "
            "exported (points = false).")


@dataclass
class ReportData:
    """Everything the report shows: the sections' numbers and tables, and its figures.

    ``tables`` are the export-ready tables (small counts already suppressed for sensitive
    groups); the section objects hold the raw numbers, for the app and for tests.
    """

    title: str
    created: str
    summary: Summary
    profile: Profile
    plan: PlanSection
    projection: Projection
    evaluation: EvaluationSection
    method: dict[str, Any]
    privacy: str
    sensitive: bool
    points: bool
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)
    interactive_map: str | None = None
    notes: list[str] = field(default_factory=list)

    def numbers(self) -> dict[str, Any]:
        """The headline numbers (JSON-ready), as written to ``run.json``."""
        s, p, pr, ev = self.summary, self.profile, self.projection, self.evaluation
        out: dict[str, Any] = {
            "area": s.area_label, "group": s.group["key"], "period": s.period,
            "crimes": s.crimes, "harm": s.harm, "comparison_period": s.comparison_period,
            "comparison_crimes": s.comparison_crimes, "change": s.change,
            "change_pct": s.change_pct, "district_crimes": s.district_crimes,
            "share_of_crime": s.share_of_crime, "share_of_land": s.share_of_land,
            "n_hotspots": s.n_hotspots, "hotspot_crime_share": p.hotspot_crime_share,
            "hotspot_area_share": p.hotspot_area_share,
            "n_interventions": len(self.plan.items), "plan_cost": self.plan.total_cost,
        }
        for key, value in pr.plan.items():
            out[f"projected_{key}"] = value
        if pr.impact is not None:
            out["projection"] = pr.impact.to_dict()
        if ev.power is not None:
            out["evaluation_plan"] = ev.power.to_dict()
        if ev.result is not None:
            out["evaluation"] = ev.result.to_dict()
        return out
