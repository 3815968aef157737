"""The evidence pack as one self-contained HTML page (Jinja2, autoescaped).

Images are inlined as base64 data URIs, the styles are inline, and the interactive map is
embedded in an ``<iframe srcdoc>`` with Leaflet inlined
(:func:`hotspots.viz.assets.render_html`),
so the page works offline apart from the map tiles. Print styles put each section on a new
page and show the static map instead of the interactive one; :func:`render_report` with
``for_print=True`` leaves the interactive map out altogether (the PDF's input). Every text
that comes from data files (area names, streets, plan names) is escaped by Jinja2.

Tables carry ``id="table-<name>"`` and each cell ``data-col="<column>"``, and headline
figures ``data-figure="<name>"``, so the page can be checked against the library's numbers.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from hotspots.privacy import count_label
from hotspots.privacy import suppress_table
from hotspots.report.data import ReportData

__all__ = ["render_report", "TEMPLATE_DIR", "HOTSPOT_ROWS", "fmt_count", "fmt_share"]

#: Where the page template lives (``report.html.j2``).
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
DASH = "–"
#: Rows of the hotspot table printed in the report (the CSV has them all).
HOTSPOT_ROWS = 15


# --------------------------------------------------------------------------- formats


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _cell(value: Any, render: Callable[[float], str], *, finite: bool = True) -> str:
    """A table cell: text passes through (empty text: a dash), a missing number (or, with
    ``finite``, an infinite one) is a dash, anything else is ``render(float(value))``."""
    if isinstance(value, str):
        return value or DASH
    if _missing(value) or (finite and not math.isfinite(float(value))):
        return DASH
    return render(float(value))


def fmt_count(value: Any) -> str:
    """A count with thousands separators; text (such as "<5") passes through.

    Examples
    --------
    >>> fmt_count(12345), fmt_count("<5"), fmt_count(None)
    ('12,345', '<5', '–')
    """
    return _cell(value, "{:,.0f}".format, finite=False)


def fmt_share(value: Any) -> str:
    """A fraction as a percentage: one decimal under 10%, none above.

    Examples
    --------
    >>> fmt_share(0.0512), fmt_share(0.4), fmt_share(None)
    ('5.1%', '40%', '–')
    """
    return _cell(value, lambda v: f"{v:.1%}" if abs(v) < 0.1 else f"{v:.0%}")


def _percent(value: Any) -> str:
    """A value already in percent, signed."""
    return _cell(value, lambda v: f"{v:+.1f}%".replace("-", "−"), finite=False)


def _signed(value: Any) -> str:
    return _cell(value, lambda v: f"{v:+,.0f}".replace("-", "−"), finite=False)


def _decimal(digits: int) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        return _cell(value, lambda v: f"{v:,.{digits}f}")

    return fmt


def _p_value(value: Any) -> str:
    return _cell(value, lambda v: "<0.001" if v < 0.001 else f"{v:.3f}")


def _money(value: Any) -> str:
    return _cell(value, "£{:,.0f}".format)


def _yes(value: Any) -> str:
    return "yes" if value is True or value == "True" else ""


def _text(value: Any) -> str:
    return DASH if _missing(value) else str(value)


FORMATS: dict[str, Callable[[Any], str]] = {
    "count": fmt_count, "share": fmt_share, "percent": _percent, "signed": _signed,
    "f1": _decimal(1), "f2": _decimal(2), "p": _p_value, "money": _money, "yes": _yes,
    "text": _text,
}
_NUMERIC = {"count", "share", "percent", "signed", "f1", "f2", "p", "money"}


def _table(name: str, frame: pd.DataFrame | None, spec: Sequence[tuple[str, str, str]], *,
           limit: int | None = None, highlight: str | None = None,
           caption: str = "") -> dict[str, Any] | None:
    """A table for the template: headers and formatted cells, only columns present."""
    if frame is None or len(frame) == 0:
        return None
    cols = [(c, h, f) for c, h, f in spec if c in frame.columns]
    shown = frame.head(limit) if limit else frame
    rows = []
    for record in shown.to_dict("records"):
        cells = [{"col": c, "text": FORMATS[f](record[c]), "num": f in _NUMERIC}
                 for c, _, f in cols]
        rows.append({"cells": cells, "strong": bool(highlight and record.get(highlight) is True)})
    more = len(frame) - len(shown)
    return {"id": f"table-{name}", "headers": [{"text": h, "num": f in _NUMERIC}
                                               for _, h, f in cols],
            "rows": rows, "caption": caption,
            "more": f"{more:,} more rows in tables/{name}.csv" if more > 0 else ""}


# --------------------------------------------------------------------------- images


@lru_cache(maxsize=64)
def _data_uri_cached(path: str, mtime: float) -> str:
    data = Path(path).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _data_uri(path: Path | None) -> str | None:
    if path is None or not Path(path).is_file():
        return None
    return _data_uri_cached(str(path), Path(path).stat().st_mtime)


# --------------------------------------------------------------------------- context


_HOTSPOT_SPEC = (
    ("rank", "Rank", "count"), ("cell_id", "Cell", "text"), ("cluster_id", "Cluster", "text"),
    ("count", "Crimes", "count"), ("harm", "Harm", "f1"), ("score", "Score", "f2"),
    ("gi_class", "Gi* class", "text"), ("top_categories", "Main types", "text"),
    ("top_streets", "Main streets", "text"), ("easting", "Easting", "count"),
    ("northing", "Northing", "count"),
)
_CATEGORY_SPEC = (
    ("category", "Crime type", "text"), ("count", "Crimes", "count"),
    ("share", "Share", "share"), ("harm", "Harm", "f1"),
    ("comparison", "Comparison period", "count"), ("change", "Change", "signed"),
    ("percent_change", "Change %", "percent"),
)
_SEASON_SPEC = (("name", "Month", "text"), ("months_in_data", "Months of data", "count"),
                ("crimes", "Crimes", "count"), ("mean_per_month", "Mean per month", "f1"))
_STREET_SPEC = (("street", "Street or place", "text"), ("count", "Crimes", "count"),
                ("share", "Share", "share"))
_AREA_SPEC = (
    ("rank", "Rank", "count"), ("area_name", "Name", "text"), ("count", "Crimes", "count"),
    ("harm", "Harm", "f1"), ("share_of_crime", "Share of crime", "share"),
    ("share_of_area", "Share of land", "share"), ("concentration", "Concentration", "f2"),
    ("population", "Residents", "count"), ("rate_per_1000", "Per 1,000 residents", "f2"),
    ("in_bid_area", "Bid area", "yes"),
)
_PLAN_SPEC = (
    ("name", "Intervention", "text"), ("type", "Type", "text"), ("start", "Start", "text"),
    ("cost", "Cost", "money"), ("coverage_ha", "Coverage (ha)", "f2"),
    ("effect_text", "Expected effect (range)", "text"), ("evidence", "Evidence", "text"),
    ("source", "Source", "text"),
)
_IMPACT_SPEC = (
    ("name", "Intervention", "text"), ("label", "Type", "text"),
    ("baseline", "Baseline crimes", "count"),
    ("prevented_text", "Prevented if alone (catalogue range)", "text"),
    ("harm_prevented", "Harm prevented if alone", "f1"),
    ("cost_per_crime_prevented", "Cost per crime prevented", "money"),
    ("hotspot_share_covered", "Hotspot crime covered", "share"),
)
_TYPES_SPEC = (
    ("label", "Type", "text"), ("n_interventions", "Interventions", "count"),
    ("coverage_ha", "Coverage (ha, overlaps once)", "f2"), ("baseline", "Baseline crimes", "count"),
    ("effect", "Effect", "share"), ("prevented", "Prevented if alone", "f1"),
)
_COMPARISONS_SPEC = (
    ("comparison", "Comparison", "text"), ("how", "How it was chosen", "text"),
    ("Cb", "Before", "count"), ("Ca", "After", "count"), ("res", "RES", "f2"),
    ("ci_low", "95% CI low", "f2"), ("ci_high", "95% CI high", "f2"),
    ("p_value", "p-value", "p"),
)
_COUNTS_SPEC = (("area", "Area", "text"), ("before", "Before", "count"),
                ("after", "After", "count"), ("change", "Change", "signed"),
                ("percent_change", "Change %", "percent"))
_MEASURES_SPEC = (("measure", "Measure", "text"), ("value", "Value", "f2"),
                  ("ci_low", "95% CI low", "f2"), ("ci_high", "95% CI high", "f2"),
                  ("meaning", "Reading", "text"))


def _range_text(frame: pd.DataFrame, prefix: str, digits: int = 1) -> list[str]:
    out = []
    for low, mid, high in zip(frame[f"{prefix}_low"], frame[prefix], frame[f"{prefix}_high"],
                              strict=True):
        if isinstance(mid, str):
            out.append(mid)
        else:
            out.append(f"{float(mid):,.{digits}f} ({float(low):,.{digits}f}–"
                       f"{float(high):,.{digits}f})")
    return out


def _plan_table(data: ReportData) -> dict[str, Any] | None:
    frame = data.tables.get("interventions")
    if frame is None:
        return None
    frame = frame.copy()
    frame["effect_text"] = [f"{e:.0%} ({lo:.0%}–{hi:.0%})" for e, lo, hi in
                            zip(frame["effect"], frame["effect_low"], frame["effect_high"],
                                strict=True)]
    return _table("interventions", frame, _PLAN_SPEC)


def _impact_table(data: ReportData) -> dict[str, Any] | None:
    frame = data.tables.get("projected_interventions")
    if frame is None:
        return None
    frame = frame.copy()
    frame["prevented_text"] = _range_text(frame, "prevented")
    return _table("projected_interventions", frame, _IMPACT_SPEC)


def _types_table(data: ReportData) -> dict[str, Any] | None:
    impact = data.projection.impact
    if impact is None or not len(impact.types):
        return None
    frame = suppress_table(impact.types, ["baseline"], ["prevented"], sensitive=data.sensitive)
    return _table("projected_types", frame, _TYPES_SPEC,
                  caption="Per intervention type: its interventions' coverage is one area, so "
                          "overlapping units of one type count each crime once.")


def _figure_cards(data: ReportData) -> list[dict[str, str]]:
    s, sens = data.summary, data.sensitive

    def count(value: Any) -> str:
        if value is None:
            return DASH
        return count_label(value, sensitive=sens)

    cards = [{"key": "crimes", "label": f"crimes, {s.period}", "value": count(s.crimes)}]
    if s.harm is not None:
        cards.append({"key": "harm", "label": "harm (weighted)", "value": f"{s.harm:,.1f}"})
    if s.change is not None:
        small = sens and (0 < s.crimes < 5 or 0 < (s.comparison_crimes or 0) < 5)
        pct = "" if s.change_pct is None else f" ({s.change_pct:+.0f}%)".replace("-", "−")
        cards.append({"key": "change", "label": f"vs {s.comparison_period}",
                      "value": "–" if small else _signed(s.change) + pct})
    if s.share_of_crime is not None:
        cards.append({"key": "share_of_crime", "label": "of the district's crime",
                      "value": fmt_share(s.share_of_crime)})
        cards.append({"key": "share_of_land", "label": "of the district's land",
                      "value": fmt_share(s.share_of_land)})
    cards.append({"key": "hotspots", "label": "hotspots", "value": f"{s.n_hotspots:,}"})
    return cards


def _outcome_cards(data: ReportData) -> list[dict[str, str]]:
    """The projection's headline figures, exactly as the app shows them."""
    if not data.projection.plan:
        return []
    return [dict(card) for card in data.projection.figures]


def _evaluation_cards(r: Any) -> list[dict[str, str]]:
    ci = r.res_ci or (math.nan, math.nan)
    cards = [
        {"key": "res", "label": "relative effect size against the control area (95% CI)",
         "value": DASH if r.res is None else f"{r.res:.2f} ({ci[0]:.2f}–{ci[1]:.2f})"},
    ]
    if r.did is not None:
        lo, hi = r.did.res_ci
        against = "matched places" if r.matched is not None else "the control area"
        cards.append({"key": "did", "label": f"difference-in-differences against {against}, "
                                             "as RES (95% CI)",
                      "value": f"{r.did.res:.2f} ({lo:.2f}–{hi:.2f})"})
    if r.placebo is not None:
        cards.append({"key": "placebo", "label": f"placebo test: p-value of a fall "
                                                 f"({r.placebo.n} places)",
                      "value": f"{r.placebo.p_fall:.2f}"})
    cards += [
        {"key": "verdict", "label": "verdict (" + " and ".join(r.tests) + ")",
         "value": r.verdict or DASH},
        {"key": "wdq", "label": "weighted displacement quotient",
         "value": DASH if r.wdq is None else f"{r.wdq:.2f}".replace("-", "−")},
        {"key": "net_effect", "label": "total net effect (crimes)",
         "value": DASH if r.net_effect is None else f"{r.net_effect:,.0f}"},
    ]
    return cards


def _evaluation_context(data: ReportData) -> dict[str, Any]:
    ev = data.evaluation
    out: dict[str, Any] = {"message": ev.message, "start": ev.start, "before": ev.before,
                           "after": ev.after, "measures": list(ev.measures),
                           "observed": ev.observed, "notes": ev.notes, "areas": None,
                           "summary": [], "cards": [], "counts": None,
                           "measures_table": None, "comparisons": None,
                           "power": ev.power.sentence() if ev.power is not None else "",
                           "power_notes": list(ev.power.notes) if ev.power is not None else []}
    if ev.areas is not None:
        frame = ev.areas.frame
        out["areas"] = [{"role": r, "description": d, "km2": f"{a:.2f}"} for r, d, a in
                        zip(frame["role"], frame["description"], frame["area_km2"],
                            strict=True)]
    if ev.result is not None:
        r = ev.result
        out["summary"] = list(r.summary)
        out["counts"] = _table("evaluation_counts", data.tables.get("evaluation_counts"),
                               _COUNTS_SPEC)
        if ev.observed:
            out["measures_table"] = _table("evaluation_measures",
                                           data.tables.get("evaluation_measures"),
                                           _MEASURES_SPEC)
            comparisons = r.comparisons().astype({"Cb": float, "Ca": float})
            comparisons = suppress_table(comparisons, ["Cb", "Ca"], sensitive=data.sensitive)
            out["comparisons"] = _table("evaluation_comparisons", comparisons,
                                        _COMPARISONS_SPEC)
            out["cards"] = _evaluation_cards(r)
    return out


def _context(data: ReportData, *, for_print: bool) -> dict[str, Any]:
    s, prof, plan, proj = data.summary, data.profile, data.plan, data.projection
    fig = {k: _data_uri(v) for k, v in data.figures.items()}
    kind = s.area_kind
    return {
        "data": data, "s": s, "for_print": for_print, "fig": fig,
        "interactive_map": None if for_print else data.interactive_map,
        "headline": _figure_cards(data),
        "hotspots": _table("hotspots", data.tables.get("hotspots"), _HOTSPOT_SPEC,
                           limit=HOTSPOT_ROWS),
        "categories": _table("categories", data.tables.get("categories"), _CATEGORY_SPEC),
        "seasonality": _table("seasonality", data.tables.get("seasonality"), _SEASON_SPEC),
        "streets": _table("streets", data.tables.get("streets"), _STREET_SPEC),
        "areas": _table("areas", data.tables.get("areas"), _AREA_SPEC, limit=60,
                        highlight="in_bid_area"),
        "kind": kind,
        "plan_table": _plan_table(data),
        "evidence": (data.tables["evidence"].to_dict("records")
                     if "evidence" in data.tables else []),
        "plan_cost": _money(plan.total_cost) + ("" if plan.cost_complete
                                                else " (some costs are not given)"),
        "outcome_cards": _outcome_cards(data),
        "impact_table": _impact_table(data),
        "types_table": _types_table(data),
        "impact_notes": proj.notes,
        "ev": _evaluation_context(data),
        "method": data.method,
        "load_dropped": list((data.method.get("load") or {}).get("dropped", {}).items()),
        "profile_notes": prof.notes,
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["count"] = fmt_count
    env.filters["share"] = fmt_share
    env.filters["money"] = _money
    return env


def render_report(data: ReportData, *, for_print: bool = False) -> str:
    """Render the report as one HTML page.

    Parameters
    ----------
    data : ReportData
        From :func:`hotspots.report.report_from_data`.
    for_print : bool
        Leave the interactive map out and show the static maps (the PDF's input).

    Returns
    -------
    str
        The whole page.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(**_context(data, for_print=for_print))
