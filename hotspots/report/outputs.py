"""The files of the evidence pack: privacy-suppressed tables and layers, figures, the zip.

Private helpers of :mod:`hotspots.report`: they turn the sections' raw numbers
(:mod:`hotspots._report_sections`, :mod:`hotspots._report_plan`) into the bundle's tables,
GeoPackage layers, maps and charts, applying the privacy rule for sensitive crime groups:
counts of 1-4 become "<5" (and figures derived from them are blanked), and no point layer
is written unless points were asked for.
"""

from __future__ import annotations

import importlib.metadata as meta
import platform
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspots import __version__
from hotspots.io.write import atomic_path
from hotspots.privacy import SUPPRESSED, any_small, suppress_table
from hotspots.report.figures import StaticMaps, evaluation_trend_chart
from hotspots.report.plan import EvaluationSection, Projection
from hotspots.report.sections import Profile, Selection

if TYPE_CHECKING:  # pragma: no cover
    from hotspots.report.build import ReportData

__all__ = [
    "OGL_ATTRIBUTION",
    "suppress_layer",
    "suppress_sentences",
    "export_tables",
    "export_layers",
    "draw_figures",
    "interactive_map",
    "method_section",
    "versions",
    "write_zip",
]

#: Attribution for police.uk crime data and ONS boundaries (both Open Government Licence).
OGL_ATTRIBUTION: tuple[str, ...] = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).",
    "Crime data: data.police.uk (Home Office), Open Government Licence v3.0. Locations are "
    "anonymised to nearby map points and published by month.",
    "Boundaries: Office for National Statistics, Open Government Licence v3.0; contains OS "
    "data © Crown copyright and database right.",
)
#: Area columns that would reveal a suppressed count (rates and shares of it).
AREA_DERIVED = ("harm", "rate_per_1000", "crimes_per_km2", "share_of_crime", "concentration")
#: Rows of the hotspot table printed in the report (the CSV has them all).
HOTSPOT_ROWS = 15
#: Map tiles for the interactive map (the static maps leave tiles to hotspots.staticmaps).
TILES = "OpenStreetMap"


# --------------------------------------------------------------------------- privacy


def suppress_layer(frame: gpd.GeoDataFrame, counts: Sequence[str], derived: Sequence[str],
                   *, sensitive: bool) -> gpd.GeoDataFrame:
    """:func:`suppress_table` for a layer (suppressed columns are written as text)."""
    if not sensitive:
        return frame
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    table = suppress_table(attributes, counts, derived, sensitive=True)
    for col in table.columns:
        if table[col].dtype == object:
            table[col] = table[col].astype(str)
    return gpd.GeoDataFrame(table, geometry=frame.geometry.to_numpy(), crs=frame.crs)


def suppress_sentences(data: ReportData) -> None:
    """Sensitive groups: sentences that would state a count of 1-4 are replaced."""
    withheld = ("Counts of 1 to 4 are not shown here (privacy rule for sensitive crime "
                "groups).")
    proj = data.projection
    if proj.plan and any_small([proj.plan.get("baseline"), proj.plan.get("crimes_in_coverage")]):
        proj.sentences = [withheld]
    result = data.evaluation.result
    if result is not None and any_small(list(result.counts.as_dict().values())):
        result.summary = [withheld, *result.summary[2:]]


# --------------------------------------------------------------------------- tables


def headline_table(data: ReportData) -> pd.DataFrame:
    """The summary's figures as ``figure, value`` rows (small counts suppressed)."""
    s, p, sens = data.summary, data.profile, data.sensitive
    rows: list[tuple[str, Any]] = [
        ("area", s.area_label), ("crime group", s.group["label"]), ("period", s.period),
        ("crimes", s.crimes), ("harm", s.harm), ("comparison period", s.comparison_period),
        ("comparison crimes", s.comparison_crimes), ("change", s.change),
        ("change (%)", None if s.change_pct is None else round(s.change_pct, 1)),
        ("district crimes", s.district_crimes),
        ("share of district crime", s.share_of_crime),
        ("share of district land", s.share_of_land),
        ("hotspots", s.n_hotspots), ("share of crime in hotspots", p.hotspot_crime_share),
        ("share of area in hotspots", p.hotspot_area_share),
    ]
    counted = {"crimes", "comparison crimes", "district crimes"}
    small_change = any_small([s.crimes, s.comparison_crimes])
    out = []
    for name, value in rows:
        if sens and name in counted and any_small([value]):
            value = SUPPRESSED
        elif sens and name in ("change", "change (%)") and small_change:
            value = ""
        out.append({"figure": name, "value": "" if value is None else value})
    return pd.DataFrame(out).astype({"value": str})


def export_tables(data: ReportData, sel: Selection) -> dict[str, pd.DataFrame]:
    """Every table of the report, as written to ``tables/*.csv`` and shown in the HTML."""
    sens = data.sensitive
    prof, plan, proj, ev = data.profile, data.plan, data.projection, data.evaluation
    tables = {"summary": headline_table(data)}
    if len(prof.hotspots):
        hot = prof.hotspots.drop(columns=["row", "col"], errors="ignore")
        derived = ["harm"] + (["score"] if prof.result.method == "count" else [])
        tables["hotspots"] = suppress_table(hot, ["count"], derived, sensitive=sens)
    tables["categories"] = suppress_table(
        prof.categories, ["count", "comparison"], ["harm", "change", "percent_change", "share"],
        sensitive=sens)
    monthly = prof.monthly.assign(month=prof.monthly["month"].dt.strftime("%Y-%m"))
    tables["monthly"] = suppress_table(monthly, ["count"], sensitive=sens)
    tables["seasonality"] = suppress_table(prof.seasonality, ["crimes"], ["mean_per_month"],
                                           sensitive=sens)
    tables["streets"] = suppress_table(prof.streets, ["count"], ["share"], sensitive=sens)
    if prof.areas is not None:
        areas = pd.DataFrame(prof.areas.drop(columns="geometry"))
        tables["areas"] = suppress_table(areas, ["count"], AREA_DERIVED, sensitive=sens)
    if plan.items:
        tables["interventions"] = plan.table
        tables["evidence"] = plan.evidence
    if proj.impact is not None:
        per = proj.table.drop(columns=["id"], errors="ignore")
        derived = [c for c in per.columns if c.startswith(("prevented", "harm_"))]
        tables["projected_interventions"] = suppress_table(
            per, ["crimes_in_coverage", "baseline"],
            [*derived, "cost_per_crime_prevented", "hotspot_share_covered"], sensitive=sens)
        row = pd.DataFrame([proj.plan])
        derived = [c for c in row.columns if c.startswith(("prevented", "harm_"))]
        tables["projected_plan"] = suppress_table(
            row, ["crimes_in_coverage", "baseline", "hotspot_crimes", "hotspot_crimes_covered"],
            [*derived, "cost_per_crime_prevented", "overlap_adjustment", "reduction_pct"],
            sensitive=sens)
    if ev.result is not None:
        tables["evaluation_counts"] = suppress_table(
            ev.result.counts.table(), ["before", "after"], ["change", "percent_change"],
            sensitive=sens)
        tables["evaluation_measures"] = ev.result.measures()
        trend = ev.result.trend.assign(month=ev.result.trend["month"].dt.strftime("%Y-%m"))
        tables["evaluation_trend"] = suppress_table(trend, ["target", "buffer", "control"],
                                                    sensitive=sens)
    load = data.method.get("load")
    if load:
        tables["load_report"] = pd.DataFrame(
            [{"what": "rows read", "rows": load["rows_read"]},
             {"what": "rows kept", "rows": load["rows_kept"]}]
            + [{"what": f"dropped: {reason}", "rows": n} for reason, n in load["dropped"].items()]
        )
    steps = sel.info.get("steps", [])
    if steps:
        tables["selection"] = pd.DataFrame(steps)
    return tables


def intervention_sites(drawn: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    def site(geom: Any) -> Any:
        if geom.geom_type in ("Point", "MultiPoint"):
            return geom.centroid if geom.geom_type == "MultiPoint" else geom
        if geom.geom_type in ("LineString", "MultiLineString"):
            return shapely.line_interpolate_point(geom, 0.5, normalized=True)
        return geom.representative_point()

    return gpd.GeoDataFrame(
        drawn.drop(columns="geometry"), geometry=[site(g) for g in drawn.geometry],
        crs=drawn.crs,
    )


def export_layers(data: ReportData, sel: Selection) -> dict[str, gpd.GeoDataFrame]:
    sens = data.sensitive
    prof, plan, ev = data.profile, data.plan, data.evaluation
    layers: dict[str, gpd.GeoDataFrame] = {}
    if prof.result is not None and len(prof.result.cells):
        derived = ["harm"] + (["score"] if prof.result.method == "count" else [])
        layers["hotspots"] = suppress_layer(prof.result.cells, ["count"], derived,
                                            sensitive=sens)
    if prof.areas is not None:
        layers["areas"] = suppress_layer(prof.areas, ["count"], AREA_DERIVED, sensitive=sens)
    elif sel.areas is not None:
        layers["areas"] = gpd.GeoDataFrame(
            {"area_name": sel.areas["area_name"].astype(str).to_numpy(), "count": 0,
             "in_bid_area": sel.areas["area_name"].isin(sel.area_names).to_numpy()},
            geometry=sel.areas.geometry.to_numpy(), crs=sel.areas.crs)
    if plan.items:
        cover = plan.coverage.copy()
        cover["drawn_wkt"] = [shapely.to_wkt(g, rounding_precision=3)
                              for g in plan.drawn.geometry]
        layers["interventions"] = cover
        if not sens or data.points:  # sensitive groups get no point layers at all
            layers["intervention_sites"] = intervention_sites(plan.drawn)
        union = shapely.union_all(plan.coverage.geometry.array)
        layers["coverage"] = gpd.GeoDataFrame(
            {"plan": [plan.name], "n_interventions": [len(plan.items)],
             "area_km2": [union.area / 1e6]}, geometry=[union], crs=plan.coverage.crs)
    if ev.areas is not None:
        layers["evaluation_areas"] = ev.areas.frame
    if data.points and len(sel.bid):
        layers["crimes"] = sel.bid
    return layers


# --------------------------------------------------------------------------- figures


def draw_figures(data: ReportData, sel: Selection, out: Path, maps: StaticMaps) -> dict[str, Path]:
    figures: dict[str, Path] = {}
    prof, plan, ev, s = data.profile, data.plan, data.evaluation, data.summary
    label = s.group["label"]
    if not s.empty or sel.bid_areas is not None:
        framing = sel.bid_areas
        if prof.areas is not None:  # with counts, so the map can label them
            framing = prof.areas[prof.areas["in_bid_area"]]
        figures["map_hotspots"] = maps.hotspots(
            prof.result, out / "maps" / "hotspots.png", areas=sel.areas, bid=framing,
            title=f"{label}: hotspots, {s.period}", sensitive=data.sensitive)
    if plan.items:
        figures["map_plan"] = maps.plan(plan.drawn, plan.coverage, out / "maps" / "plan.png",
                                        areas=sel.areas, hotspots=prof.result,
                                        title=f"Intervention plan: {plan.name or 'plan'}")
    if ev.areas is not None:
        figures["map_evaluation"] = maps.evaluation(
            ev.areas, out / "maps" / "evaluation.png", areas=sel.areas,
            title="Evaluation areas: target, buffer and control")
    if not s.empty:
        figures["chart_monthly"] = maps.trend(
            prof.monthly, out / "charts" / "monthly.png",
            title=f"{label}: crimes per month in {s.area_label[:60]}")
        figures["chart_categories"] = maps.categories(
            prof.categories, out / "charts" / "categories.png",
            title=f"{label}: crimes by type, {s.period}", sensitive=data.sensitive)
    if len(sel.bid_all_months):
        figures["chart_seasonality"] = maps.seasonality(
            prof.seasonality, out / "charts" / "seasonality.png",
            title="Mean crimes per calendar month, all months of data")
    if ev.result is not None:
        figures["chart_evaluation"] = evaluation_trend_chart(
            ev.result, out / "charts" / "evaluation_trend.png")
    return figures


def interactive_map(data: ReportData, sel: Selection, *, tiles: bool) -> str | None:
    import folium

    from hotspots.viz.assets import render_html
    from hotspots.viz.webmaps import areas_layer, base_map, class_layer, hotspot_map

    prof, plan, ev = data.profile, data.plan, data.evaluation
    tile_name = TILES if tiles else None
    shown_areas = None
    if prof.areas is not None:
        shown_areas = prof.areas[prof.areas["in_bid_area"]] if not sel.whole_district else (
            prof.areas)
    elif sel.bid_areas is not None:
        shown_areas = sel.bid_areas
    if prof.result is not None:
        fmap = hotspot_map(prof.result, areas=shown_areas, sensitive=data.sensitive,
                           title=f"{data.summary.group['label']}: hotspots", tiles=tile_name)
    elif shown_areas is not None and len(shown_areas):
        fmap = base_map(tuple(shown_areas.to_crs(27700).total_bounds), tiles=tile_name)
        areas_layer(shown_areas, sensitive=data.sensitive).add_to(fmap)
    else:
        return None
    if plan.items:
        class_layer(plan.coverage, colours=pd.Series(["#2b8cbe"] * len(plan.coverage)),
                    fields=["name", "label", "start"], name="Plan coverage").add_to(fmap)
    if ev.areas is not None:
        roles = ev.areas.frame
        colours = roles["role"].map({"target": "#2b8cbe", "buffer": "#a6bddb",
                                     "control": "#bdbdbd"})
        group = class_layer(roles, colours=colours, fields=["role", "description"],
                            name="Evaluation areas")
        group.show = False
        group.add_to(fmap)
    if prof.result is None and (plan.items or ev.areas is not None):
        folium.LayerControl(collapsed=True).add_to(fmap)  # hotspot_map adds its own
    return render_html(fmap)


# --------------------------------------------------------------------------- method and data


def _params_text(params: Mapping[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        if isinstance(value, dict | list) and len(str(value)) > 160:
            continue
        if isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{key} = {value}")
    return "; ".join(parts)


def versions() -> dict[str, str]:
    out = {"hotspots": __version__, "python": platform.python_version()}
    for name in ("numpy", "pandas", "geopandas", "shapely", "pyproj", "scipy", "matplotlib",
                 "folium", "jinja2", "weasyprint"):
        try:
            out[name] = meta.version(name)
        except meta.PackageNotFoundError:
            continue
    return out


def method_section(sel: Selection, prof: Profile, proj: Projection, ev: EvaluationSection,
                    *, load_report: Any, sources: Mapping[str, Any], maps: StaticMaps,
                    catalogue_source: str) -> dict[str, Any]:
    p = sel.periods
    kind = sel.area_kind
    figures = []
    if prof.result is not None:
        figures.append({"figure": "Hotspot map and table", "method": prof.method_statement,
                        "params": _params_text(prof.result.params),
                        "notes": list(prof.result.notes)})
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
                        "method": ("Crimes of the types each intervention acts on, inside its "
                                   "coverage in the baseline window, times the catalogue's "
                                   "effect (low, central, high); overlaps counted once, "
                                   "effects combined as 1 - (1 - e1)(1 - e2)..."),
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
                "header_lines": load_report.header_lines, "text": load_report.to_text()}
    attribution = list(OGL_ATTRIBUTION)
    if sources.get("attribution"):
        attribution.insert(0, str(sources["attribution"]))
    return {
        "figures": figures, "sources": data_sources, "attribution": attribution, "load": load,
        "selection": list(sel.info.get("steps", [])), "software": versions(),
        "harm_weights": sel.harm_weights, "static_maps": maps.source,
        "notes": list(maps.notes),
    }


# --------------------------------------------------------------------------- writing


def write_zip(out: Path, paths: Mapping[str, Path], name: str) -> Path:
    target = out / name
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(set(paths.values())):
                archive.write(path, arcname=str(Path(out.name) / path.relative_to(out)))
    return target
