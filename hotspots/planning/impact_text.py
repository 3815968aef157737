"""A projection in words: its assumptions, headline sentences and display figures.

One formatting for the app's Assess step and the evidence pack, so both show the same text
for the same plan and selection (:meth:`hotspots.planning.impact.ImpactResult.figures`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["assumption_notes", "summary_sentences", "display_figures", "money", "interval",
           "WITHHELD"]


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def money(value: Any) -> str:
    """GBP with thousands separators ("–" when missing).

    Examples
    --------
    >>> money(12345.6), money(float("nan"))
    ('£12,346', '–')
    """
    return f"£{float(value):,.0f}" if _finite(value) else "–"


def interval(row: dict[str, Any], name: str, fmt: str = "{:,.1f}", level: str = "95") -> str:
    """"a–b" from ``{name}_lo{level}`` and ``{name}_hi{level}`` ("–" when missing)."""
    lo, hi = row.get(f"{name}_lo{level}"), row.get(f"{name}_hi{level}")
    if not (_finite(lo) and _finite(hi)):
        return "–"
    return f"{fmt.format(float(lo))}–{fmt.format(float(hi))}"


def assumption_notes(plan: dict[str, Any], table: pd.DataFrame, items: list[Any],
                     kinds: list[Any], months: int, weight: str | None,
                     spot: Any) -> list[str]:
    """The projection's assumptions and caveats, in plain language."""
    notes = [
        f"Prevented crimes are per {months} months once every intervention is in place, "
        "assuming crime in the coverage would otherwise stay at its expected level (corrected "
        "for regression to the mean; no trend or season adjustment) and no displacement or "
        "diffusion of benefits.",
        "Effects are the catalogue's (review averages or planning assumptions, see each "
        "type's source). Within a type, coverage is a union: a crime seen by two cameras "
        "counts once for CCTV, so several units of one type over the same crimes project "
        "what one does (review effects are per scheme, not per unit). Across types, a crime "
        "covered by several is reduced by 1 - (1 - e1)(1 - e2)... (independence "
        "assumption).",
    ]
    if plan["overlap_adjustment"] > 1e-9:
        notes.append(
            f"Overlapping coverage: adding the interventions' own figures would claim "
            f"{plan['prevented_if_added']:,.1f} prevented; counting each crime once per type "
            f"gives {plan['prevented']:,.1f}."
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
        notes.append("Plan cost per crime prevented and benefit-cost ratio are not given: "
                     "some costs are missing.")
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


def summary_sentences(result: Any) -> list[str]:
    """Headline sentences of an :class:`~hotspots.planning.impact.ImpactResult`."""
    p = result.plan.iloc[0].to_dict()
    out = [
        f"Baseline: {p['baseline']:,.0f} targeted crimes in the coverage in "
        f"{result.window[0]} to {result.window[1]} ({result.months} months).",
    ]
    if p["baseline"] <= 0:
        out.append("No crimes of the types these interventions act on fell inside their "
                   "coverage in the baseline, so no reduction is projected.")
        return out
    if _finite(p.get("baseline_expected")) and abs(p["baseline_expected"] - p["baseline"]) > 0.05:
        out.append(f"Corrected for regression to the mean, about {p['baseline_expected']:,.1f} "
                   f"would be expected in a year like it without the scheme.")
    out.append(
        f"Projected reduction: about {p['prevented']:,.1f} crimes per {result.months} months "
        f"(80% interval {interval(p, 'prevented', level='80')}, 95% interval "
        f"{interval(p, 'prevented')}), {p['reduction_pct']:.0f}% of the expected baseline."
    )
    if bool(p.get("cost_complete")) and _finite(p.get("cost_per_crime_prevented")):
        out.append(f"Cost: GBP {p['total_cost']:,.0f}, about GBP "
                   f"{p['cost_per_crime_prevented']:,.0f} per crime prevented (95% interval "
                   f"{interval(p, 'cost_per_crime_prevented', '£{:,.0f}')}).")
    if _finite(p.get("costs_avoided")):
        text = (f"Costs of crime avoided: about GBP {p['costs_avoided']:,.0f} (95% interval "
                f"{interval(p, 'costs_avoided', '£{:,.0f}')}), a lower bound: "
                f"{p.get('costed_share', 0):.0%} of the prevented crimes have a confirmed unit "
                "cost, the rest count 0.")
        if bool(p.get("cost_complete")) and _finite(p.get("bcr")):
            text += (f" Benefit-cost ratio {p['bcr']:.2f} (95% interval "
                     f"{interval(p, 'bcr', '{:.2f}')}).")
        out.append(text)
    share = p.get("hotspot_share_covered", math.nan)
    if _finite(share):
        out.append(f"The plan covers {share:.0%} of the targeted crime in the hotspots.")
    return out


#: Privacy rule for sensitive groups: figures resting on 1-4 crimes are withheld.
WITHHELD = "<5 crimes in the baseline: figures withheld (privacy rule)"


def display_figures(result: Any, *, sensitive: bool = False) -> list[dict[str, str]]:
    """The headline figures as ``{"key", "label", "value"}``: the app's metrics and the pack's
    cards (the same text in both). For a sensitive group with 1-4 baseline crimes only the
    cost is shown."""
    p = result.plan.iloc[0].to_dict()
    months = result.months
    if sensitive and 0 < p.get("baseline", 0) < 5:
        return [{"key": "prevented", "label": WITHHELD, "value": "–"},
                {"key": "total_cost", "label": "total cost", "value": money(p.get("total_cost"))}]
    cards = [
        {"key": "baseline", "label": f"targeted crimes in the coverage, {result.window[0]} to "
                                     f"{result.window[1]}", "value": f"{p['baseline']:,.0f}"},
        {"key": "baseline_expected", "label": "expected without the scheme (corrected for "
                                              "regression to the mean)",
         "value": f"{p.get('baseline_expected', p['baseline']):,.1f}"},
        {"key": "prevented", "label": f"crimes prevented per {months} months (80% and 95% "
                                      "intervals)",
         "value": f"{p['prevented']:,.1f} ({interval(p, 'prevented', level='80')}; "
                  f"{interval(p, 'prevented')})"},
        {"key": "reduction_pct", "label": "of the expected baseline",
         "value": f"{p['reduction_pct']:.0f}%" if _finite(p.get("reduction_pct")) else "–"},
    ]
    if "harm_prevented" in p:
        cards.append({"key": "harm_prevented", "label": "harm prevented (95% interval)",
                      "value": f"{p['harm_prevented']:,.1f} ({interval(p, 'harm_prevented')})"})
    cards.append({"key": "total_cost", "label": "total cost" + (
        "" if p.get("cost_complete") else " (some costs missing)"),
        "value": money(p.get("total_cost"))})
    cards.append({"key": "cost_per_crime", "label": "cost per crime prevented (95% interval)",
                  "value": f"{money(p.get('cost_per_crime_prevented'))} "
                           f"({interval(p, 'cost_per_crime_prevented', '£{:,.0f}')})"
                  if _finite(p.get("cost_per_crime_prevented")) else "–"})
    cards.append({"key": "costs_avoided",
                  "label": f"costs of crime avoided, lower bound ({p.get('costed_share', 0):.0%} "
                           "of prevented crimes costed; 95% interval)",
                  "value": f"{money(p.get('costs_avoided'))} "
                           f"({interval(p, 'costs_avoided', '£{:,.0f}')})"
                  if _finite(p.get("costs_avoided")) else "–"})
    cards.append({"key": "bcr", "label": "benefit-cost ratio, lower bound (95% interval)",
                  "value": f"{p['bcr']:.2f} ({interval(p, 'bcr', '{:.2f}')})"
                  if _finite(p.get("bcr")) else "–"})
    if "hotspot_share_covered" in p:
        share = p.get("hotspot_share_covered")
        cards.append({"key": "hotspot_share_covered", "label": "of the hotspots' crime covered",
                      "value": f"{share:.0%}" if _finite(share) else "–"})
    return cards
