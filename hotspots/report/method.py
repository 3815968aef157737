"""Section 6 of the evidence pack: method and data.

How each figure was made (method statement and parameters), where every input came from,
the attribution the licences require, and the software versions, so a reader can repeat
the analysis.
"""

from __future__ import annotations

import importlib.metadata as meta
import platform
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from hotspots import __version__
from hotspots.planning.impact import PROJECTION_METHOD
from hotspots.report.plan import EvaluationSection
from hotspots.report.plan import Projection
from hotspots.report.sections import Profile
from hotspots.report.selection import Selection

__all__ = ["OGL_ATTRIBUTION", "method_section", "versions"]

#: Attribution for police.uk crime data and ONS boundaries (both Open Government Licence).
OGL_ATTRIBUTION: tuple[str, ...] = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).",
    "Crime data: data.police.uk (Home Office), Open Government Licence v3.0. Locations are "
    "anonymised to nearby map points and published by month.",
    "Boundaries: Office for National Statistics, Open Government Licence v3.0; contains OS "
    "data © Crown copyright and database right.",
)


def _params_text(params: Mapping[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        if isinstance(value, dict | list) and len(str(value)) > 160:
            continue
        if isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{key} = {value}")
    return "; ".join(parts)


def _auto_figure(auto: Mapping[str, Any]) -> dict[str, Any]:
    """The method contest behind an ``auto`` hotspot map: every candidate's score."""
    if not auto.get("contest"):
        return {"figure": "Method choice (auto)",
                "method": f"No contest: {auto.get('reason', '')}. Rule used: "
                          f"{auto.get('rule', '')}.",
                "params": "", "notes": []}
    fit, held = auto.get("fit_months", ["", ""]), auto.get("held_out_months", ["", ""])
    rows = [f"{c['candidate']}: {c['hit_rate']:.1%} ({c['hit_rate_low']:.1%}-"
            f"{c['hit_rate_high']:.1%}){' - chosen' if c.get('chosen') else ''}"
            for c in auto.get("candidates", [])]
    return {
        "figure": "Method choice (auto)",
        "method": (f"Each candidate was fitted on {fit[0]} to {fit[1]} and scored by the share "
                   f"of the {auto.get('n_held_out', 0):,} crimes of {held[0]} to {held[1]} "
                   f"caught in the top {auto.get('coverage', 0.01):.0%} of the area "
                   f"({auto.get('scoring', '')}). Choice: {auto.get('choice_rule', '')}. "
                   f"Intervals: {auto.get('intervals', '')}. The winner was refitted on all "
                   "months."),
        "params": "; ".join(rows),
        "notes": [],
    }


def versions() -> dict[str, str]:
    """Versions of Python, hotspots and the libraries the report's numbers depend on."""
    out = {"hotspots": __version__, "python": platform.python_version()}
    for name in ("numpy", "pandas", "geopandas", "shapely", "pyproj", "scipy", "matplotlib",
                 "folium", "jinja2", "weasyprint"):
        try:
            out[name] = meta.version(name)
        except meta.PackageNotFoundError:
            continue
    return out


def method_section(sel: Selection, prof: Profile, proj: Projection, ev: EvaluationSection,
                   *, load_report: Any, sources: Mapping[str, Any], static_maps: str,
                   notes: Sequence[str], catalogue_source: str) -> dict[str, Any]:
    """Section 6: how each figure was made, the data sources, attribution and software.

    ``static_maps`` says how the static maps were drawn; ``notes`` are the figures' notes
    (left out, and why).
    """
    p = sel.periods
    kind = sel.area_kind
    figures = []
    if prof.result is not None:
        figures.append({"figure": "Hotspot map and table", "method": prof.method_statement,
                        "params": _params_text(prof.result.params),
                        "notes": list(prof.result.notes)})
        if prof.result.method == "auto":
            figures.append(_auto_figure(prof.result.params.get("auto", {})))
    figures.append({
        "figure": f"Ranking of {kind}",
        "method": (f"Crimes counted in each of the {kind} by point in polygon "
                   "(hotspots.area_summary); rank 1 has the most crimes and ties share a rank; "
                   "concentration = share of crime / share of land"
                   + ("; rate per 1,000 residents = crimes / population x 1,000"
                      if prof.population_source else "") + "."),
        "params": (f"population: {prof.population_source}" if prof.population_source
                   else "no population given, so no rates"),
        "notes": [],
    })
    figures.append({
        "figure": "Monthly trend and comparison",
        "method": ("Crimes per calendar month with every month shown (zeros included). The "
                   f"comparison period {p.compare_label} is the {p.compare_months} months "
                   f"before the report period {p.label}" + ("" if p.comparison_covered else
                                                             " (not covered by the data)")
                   + "."),
        "params": f"report period: {p.label}; comparison: {p.compare_label}",
        "notes": list(p.notes),
    })
    first = f"{p.data_start:%Y-%m}" if p.data_start is not None else "-"
    last = f"{p.data_end:%Y-%m}" if p.data_end is not None else "-"
    figures.append({
        "figure": "Seasonality",
        "method": ("Crimes in each calendar month over every month of data, divided by the "
                   "number of times that month occurs in the data (a mean per month). With "
                   "under two years of data, season and trend cannot be told apart."),
        "params": f"data months: {first} to {last}",
        "notes": [],
    })
    figures.append({
        "figure": "Streets",
        "method": ("police.uk Location with 'On or near' removed, most crimes first; crimes "
                   "without a street count in the share's denominator. police.uk snaps crimes "
                   "to anonymised map points, so a 'street' is the nearest such point."),
        "params": "", "notes": [],
    })
    if proj.impact is not None:
        params = {k: v for k, v in proj.impact.params.items() if k != "types"}
        figures.append({"figure": "Projected outcomes",
                        "method": PROJECTION_METHOD,
                        "params": _params_text(params), "notes": list(proj.notes)})
    if ev.areas is not None:
        params = ev.result.params if ev.result is not None else {
            "start": ev.start, "before": ev.before, "after": ev.after,
            "buffer_rule": ev.areas.buffer_rule, "control_rule": ev.areas.control_rule}
        figures.append({"figure": "Evaluation", "method": " ".join(ev.measures[1:4]),
                        "params": _params_text(params), "notes": list(ev.notes)})

    data_sources = []
    if load_report is not None:
        files = list(load_report.sources)
        shown = ", ".join(files[:4]) + (f" and {len(files) - 4} more" if len(files) > 4 else "")
        months = (f"{load_report.months[0]} to {load_report.months[-1]}"
                  if load_report.months else "no months")
        data_sources.append({"what": "Crimes", "source": shown or "-", "covers": months,
                             "detail": f"{load_report.rows_kept:,} rows kept, CRS "
                                       f"{load_report.crs}"})
    for key, what in (("boundary", "Boundaries"), ("population", "Population"),
                      ("plan", "Intervention plan"), ("harm", "Harm weights")):
        if sources.get(key):
            data_sources.append({"what": what, "source": str(sources[key]), "covers": "",
                                 "detail": str(sources.get(f"{key}_detail", ""))})
    data_sources.append({"what": "Intervention catalogue", "source": catalogue_source,
                         "covers": "", "detail": "effects, ranges and sources per type"})
    data_sources.append({"what": "Crime group", "source": sel.group.source, "covers": "",
                         "detail": f"{sel.group.label}: " + (
                             "every category" if sel.group.matches_all
                             else ", ".join(sel.group.categories))})
    load = None
    if load_report is not None:
        load = {"rows_read": load_report.rows_read, "rows_kept": load_report.rows_kept,
                "dropped": dict(load_report.dropped), "notes": list(load_report.notes),
                "header_lines": load_report.header_lines, "text": load_report.to_text(),
                "crs": load_report.crs}
    attribution = list(OGL_ATTRIBUTION)
    if sources.get("attribution"):
        attribution.insert(0, str(sources["attribution"]))
    return {
        "figures": figures, "sources": data_sources, "attribution": attribution, "load": load,
        "selection": list(sel.info.get("steps", [])), "software": versions(),
        "harm_weights": sel.harm_weights, "static_maps": static_maps,
        "notes": list(notes),
    }
