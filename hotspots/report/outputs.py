"""The files of the evidence pack: privacy-suppressed tables and layers, and the zip.

They turn the sections' raw numbers (:mod:`hotspots.report.sections`,
:mod:`hotspots.report.plan`) into the bundle's tables and GeoPackage layers, applying the
privacy rule for sensitive crime groups: counts of 1-4 become "<5" (and figures derived from
them are blanked), and no point layer is written unless points were asked for.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.io.write import atomic_path
from hotspots.privacy import SUPPRESSED
from hotspots.privacy import any_small
from hotspots.privacy import suppress_table
from hotspots.report.data import ReportData
from hotspots.report.selection import Selection

__all__ = [
    "AREA_DERIVED",
    "suppress_layer",
    "suppress_sentences",
    "headline_table",
    "export_tables",
    "intervention_sites",
    "export_layers",
    "write_zip",
]

#: Area columns that would reveal a suppressed count (rates and shares of it).
AREA_DERIVED = ("harm", "rate_per_1000", "crimes_per_km2", "share_of_crime", "concentration")


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
    """One point per intervention: points as drawn, the middle of lines, inside polygons."""
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
    """Every layer of ``layers.gpkg`` (sensitive groups: suppressed, and no point layers)."""
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


# --------------------------------------------------------------------------- writing


def write_zip(out: Path, paths: Mapping[str, Path], name: str) -> Path:
    """Zip every file in ``paths`` (under the bundle folder's name) to ``out / name``."""
    target = out / name
    with atomic_path(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(set(paths.values())):
                archive.write(path, arcname=str(Path(out.name) / path.relative_to(out)))
    return target
