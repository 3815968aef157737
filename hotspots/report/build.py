"""The bid evidence pack: one call builds the HTML and PDF report, maps, tables and layers.

Bid writers for Safer Streets style funding need evidence that an area is a hotspot, what
the problem is, what will be done, what it will cost and how it will be evaluated.
:func:`build_report` makes all of it from a config file (``hotspots report CONFIG --out
DIR``); :func:`report_from_data` makes it from tables already in memory (the app's button).

The bundle (``out``):

``report.html``
    Self-contained (images inline, styles inline, the interactive map embedded with
    Leaflet inlined), printable, in six sections: summary, problem profile, intervention
    plan, projected outcomes, evaluation plan (with observed results once data after the
    start exist), method and data.
``report.pdf``
    The same content (WeasyPrint).
``maps/*.png``, ``charts/*.png``
    Static maps at print resolution, and the charts.
``tables/*.csv``
    Every table in the report.
``layers.gpkg``
    EPSG:27700 layers: ``hotspots``, ``areas``, ``interventions`` (coverage polygons, with
    the drawn shape as WKT), ``intervention_sites`` (points), ``coverage`` (the plan's
    coverage, overlaps merged), ``evaluation_areas`` (target, buffer, control), and
    ``crimes`` (points) only when points are exported. Sensitive groups get no point layer
    at all unless points are asked for.
``run.json``, ``evidence_pack.zip``
    Everything used, for reproducibility; and a zip of the bundle.

Privacy: for sensitive crime groups (VAWG), layers and tables are aggregated to grid cells
and areas with no crime points unless ``points=True`` is asked for explicitly, and counts of
1–4 appear as "<5" in tables, layers and labels. The report states the rule applied.
"""

from __future__ import annotations

import datetime as dt
import logging
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspots import __version__
from hotspots.groups import CrimeGroup, get_group, load_groups
from hotspots.io.write import atomic_path, write_geopackage, write_json, write_table
from hotspots.planning.catalogue import InterventionType, load_catalogue
from hotspots.planning.interventions import Intervention
from hotspots.progress import Progress
from hotspots.report.config import CONTROL_REST, HARM_EXAMPLE, ReportConfig, read_report_config
from hotspots.report.figures import StaticMaps
from hotspots.report.outputs import (
    OGL_ATTRIBUTION,
    draw_figures,
    export_layers,
    export_tables,
    interactive_map,
    method_section,
    suppress_sentences,
    write_zip,
)
from hotspots.report.plan import (
    EvaluationSection,
    EvaluationSettings,
    PlanSection,
    Projection,
    evaluation_section,
    plan_section,
    projection_section,
)
from hotspots.report.sections import (
    Profile,
    Summary,
    find_report_hotspots,
    profile_section,
    resolve_periods,
    select_for_report,
    summary_section,
)

__all__ = [
    "ReportBundle",
    "ReportData",
    "ReportConfig",
    "EvaluationSettings",
    "build_report",
    "report_from_data",
    "read_report_config",
    "privacy_rule",
    "OGL_ATTRIBUTION",
]

log = logging.getLogger(__name__)


_STEPS = 8


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


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


# --------------------------------------------------------------------------- results


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
        for key in ("baseline", "prevented_low", "prevented", "prevented_high",
                    "harm_prevented_low", "harm_prevented", "harm_prevented_high",
                    "cost_per_crime_prevented", "hotspot_share_covered"):
            if key in pr.plan:
                out[f"projected_{key}"] = pr.plan[key]
        if ev.result is not None:
            out["evaluation"] = ev.result.to_dict()
        return out


@dataclass
class ReportBundle:
    """What :func:`build_report` and :func:`report_from_data` wrote, and the numbers used.

    Attributes
    ----------
    out : Path
        The bundle folder.
    paths : dict
        Name -> path of every file written (``html``, ``pdf``, ``geopackage``, ``zip``,
        ``run``, ``map_*``, ``chart_*``, ``table_*``).
    data : ReportData
        The sections' numbers and tables.
    notes : list of str
        What was adjusted or left out, and why (also in the report).
    """

    out: Path
    paths: dict[str, Path]
    data: ReportData
    notes: list[str] = field(default_factory=list)

    @property
    def html(self) -> Path:
        return self.paths["html"]

    @property
    def pdf(self) -> Path | None:
        return self.paths.get("pdf")


def _step(progress: Progress | None, step: int, label: str) -> None:
    log.info(label)
    if progress is not None:
        progress(step, _STEPS, label)


def _check_inputs(crimes: Any, areas: Any, include: Any) -> None:
    from hotspots.errors import ColumnMappingError, ParameterError
    from hotspots.validation import require_projected

    if not isinstance(crimes, gpd.GeoDataFrame):
        raise TypeError(f"'crimes' should be a GeoDataFrame, got {type(crimes)}")
    require_projected(crimes, name="crimes")
    if "month" not in crimes.columns or "category" not in crimes.columns:
        raise ColumnMappingError("'crimes' needs 'month' and 'category' columns; load it with "
                                 "hotspots.load_crimes.")
    if areas is not None:
        if not isinstance(areas, gpd.GeoDataFrame) or "area_name" not in areas.columns:
            raise ColumnMappingError("'areas' should be a GeoDataFrame with an 'area_name' "
                                     "column, as hotspots.load_boundary returns.")
    if include is not None and areas is None:
        raise ParameterError("The 'include' parameter names areas, but no 'areas' were given.")
    if isinstance(include, str):
        raise ParameterError(f"The 'include' parameter should be a list of area names, got "
                             f"the text {include!r}; write [{include!r}].")


def report_from_data(
    crimes: gpd.GeoDataFrame,
    load_report: Any = None,
    *,
    out: str | Path,
    areas: gpd.GeoDataFrame | None = None,
    include: Sequence[str] | None = None,
    group: str | CrimeGroup = "all",
    groups: Mapping[str, CrimeGroup] | None = None,
    period: tuple[str | None, str | None] | None = None,
    comparison: tuple[str, str] | None = None,
    method: str = "gistar",
    method_params: Mapping[str, Any] | None = None,
    plan_items: Sequence[Intervention] = (),
    plan_name: str = "",
    catalogue: Mapping[str, InterventionType] | None = None,
    harm_weights: Mapping[str, float] | None = None,
    population: str | Mapping[str, float] | None = None,
    evaluation: EvaluationSettings | None = None,
    points: bool | None = None,
    title: str = "",
    area_kind: str = "areas",
    district: str | None = None,
    sources: Mapping[str, Any] | None = None,
    tiles: bool = True,
    pdf: bool = True,
    zip_bundle: bool = True,
    progress: Progress | None = None,
) -> ReportBundle:
    """Build the evidence pack from tables already in memory (the app's "report" button).

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table as loaded (all categories and months; the group, period
        and area are selected here). Not changed.
    load_report : LoadReport, optional
        What loading read and dropped, for the method section.
    out : str or Path
        The bundle folder (created; files of the same names are replaced).
    areas : GeoDataFrame, optional
        Boundary areas with ``area_name`` (from :func:`hotspots.load_boundary`): the
        district the report ranks areas in, and the control's "rest of the area".
    include : list of str, optional
        Names of the areas making up the bid area (default: all of ``areas``).
    group : str or CrimeGroup
        Crime group; sensitive groups (VAWG) get the privacy rule.
    groups : dict, optional
        Groups to look ``group`` up in (default :func:`hotspots.load_groups`).
    period : (str, str), optional
        First and last month ``"YYYY-MM"`` (either may be None). Default: the last 12 months
        of data.
    comparison : (str, str), optional
        Comparison period. Default: the same number of months just before ``period``.
    method, method_params
        Hotspot method and its parameters (as :func:`hotspots.find_hotspots`).
    plan_items : list of Intervention
        The plan (may be empty: sections 3-5 then say so). ``plan_name`` names it.
    catalogue : dict, optional
        Intervention types (default :func:`hotspots.load_catalogue`).
    harm_weights : dict, optional
        Category -> weight: harm figures are added and hotspots are weighted by harm.
    population : str or dict, optional
        Column of ``areas`` holding residents, or area name -> residents: rates per 1,000.
    evaluation : EvaluationSettings, optional
        Buffer, control (None: the rest of ``areas``), months before/after, categories.
    points : bool, optional
        Export crime points (layer ``crimes``). Default: True unless the group is sensitive.
    title, area_kind, district : str
        The report's title; what the areas are called ("wards"); the district's name.
    sources : dict, optional
        Provenance for the method section: ``boundary``, ``population``, ``plan``,
        ``harm``, ``attribution`` (with optional ``<key>_detail``) and ``config``.
    tiles, pdf, zip_bundle : bool
        Base tiles on the interactive map; write ``report.pdf``; write the zip.
    progress : callable, optional
        ``progress(step, total, label)``.

    Returns
    -------
    ReportBundle

    Examples
    --------
    >>> import tempfile, shapely
    >>> crimes = gpd.GeoDataFrame(
    ...     {"category": ["Burglary"] * 30, "month": pd.Timestamp("2024-06-01"),
    ...      "location": "On or near High Street", "weight": 1.0},
    ...     geometry=[shapely.Point(440000 + 7 * i, 360000 + 5 * i) for i in range(30)],
    ...     crs="EPSG:27700")
    >>> bundle = report_from_data(crimes, out=tempfile.mkdtemp(), method="count",
    ...                           method_params={"cell_size": 50}, pdf=False, tiles=False)
    >>> bundle.data.summary.crimes, bundle.html.name
    (30, 'report.html')
    """
    from hotspots.report.html import render_report

    include = list(include) if include else None  # an empty choice means every area
    _check_inputs(crimes, areas, include)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sources = dict(sources or {})
    catalogue = load_catalogue() if catalogue is None else dict(catalogue)
    groups = load_groups() if groups is None else groups
    chosen = get_group(group, groups)
    if areas is not None:
        areas = areas.to_crs(crimes.crs)

    _step(progress, 0, f"Selecting {chosen.label}")
    start, end = period if period is not None else (None, None)
    c_start, c_end = comparison if comparison is not None else (None, None)
    periods = resolve_periods(crimes, start=start, end=end, compare_start=c_start,
                              compare_end=c_end)
    sel = select_for_report(crimes, group=chosen, groups=groups, periods=periods, areas=areas,
                            include=include, area_kind=area_kind, harm_weights=harm_weights)

    _step(progress, 1, f"Finding hotspots ({method}) in {len(sel.bid):,} crimes")
    result, why_none = find_report_hotspots(sel, method=method, params=method_params or {})

    _step(progress, 2, "Profiling the problem, the plan and its evaluation")
    summary = summary_section(sel, title="", district_label=district,
                              n_hotspots=result.n_hotspots if result is not None else 0)
    summary.title = title or f"{chosen.label} in {summary.area_label}: evidence pack"
    pop_source = sources.get("population") or (population if isinstance(population, str)
                                                else "population table given")
    prof = profile_section(sel, result, why_none, population=population,
                           population_source=str(pop_source) if population is not None else None)
    plan = plan_section(plan_items, catalogue, name=plan_name)
    proj = projection_section(sel, plan, catalogue, result)
    settings = evaluation or EvaluationSettings()
    ev = evaluation_section(sel, plan, catalogue, settings)
    maps = StaticMaps(tiles=tiles)
    wants_points = (not chosen.sensitive) if points is None else bool(points)
    data = ReportData(
        title=summary.title, created=_now(), summary=summary, profile=prof, plan=plan,
        projection=proj, evaluation=ev, method={}, privacy=privacy_rule(chosen,
                                                                          points=wants_points),
        sensitive=chosen.sensitive, points=wants_points,
    )

    if chosen.sensitive:
        suppress_sentences(data)

    _step(progress, 3, "Drawing maps and charts")
    data.figures = draw_figures(data, sel, out, maps)
    data.method = method_section(sel, prof, proj, ev, load_report=load_report, sources=sources,
                                  maps=maps, catalogue_source=str(sources.get(
                                      "catalogue", "hotspots/data/interventions.toml")))
    data.interactive_map = interactive_map(data, sel, tiles=tiles)

    _step(progress, 4, "Writing tables and layers")
    paths: dict[str, Path] = dict(data.figures)
    data.tables = export_tables(data, sel)
    for name, table in data.tables.items():
        paths[f"table_{name}"] = write_table(out / "tables" / f"{name}.csv", table)
    layers = export_layers(data, sel)
    if layers:
        paths["geopackage"] = write_geopackage(out / "layers.gpkg", layers)
    else:
        data.notes.append("No layers to write (no boundary, no crimes and no plan), so there "
                          "is no layers.gpkg.")
    data.notes.extend(data.method["notes"])

    _step(progress, 5, "Writing report.html")
    html_path = out / "report.html"
    with atomic_path(html_path) as tmp:
        tmp.write_text(render_report(data), encoding="utf-8")
    paths["html"] = html_path

    if pdf:
        _step(progress, 6, "Writing report.pdf")
        from hotspots.errors import PDFUnavailableError
        from hotspots.report.pdf import write_pdf

        try:
            paths["pdf"] = write_pdf(render_report(data, for_print=True), out / "report.pdf")
        except PDFUnavailableError as exc:
            data.notes.append(f"No report.pdf: {exc}")
            log.warning("No report.pdf: %s", exc)

    _step(progress, 7, "Writing run.json and the zip")
    run = {
        "tool": "hotspots", "version": __version__, "python": platform.python_version(),
        "created": data.created, "command": "report", "title": data.title,
        "config": sources.get("config"), "group": chosen.to_dict(),
        "period": periods.label, "comparison": periods.compare_label,
        "method": method, "method_params": dict(method_params or {}),
        "hotspot_params": result.params if result is not None else None,
        "plan": {"name": plan_name, "n_interventions": len(plan.items)},
        "privacy": data.privacy, "points": wants_points, "numbers": data.numbers(),
        "load_report": load_report.to_dict() if load_report is not None else None,
        "selection": sel.info, "sources": {k: v for k, v in sources.items() if k != "config"},
        "software": data.method["software"], "notes": data.notes,
        "outputs": {k: str(v.relative_to(out)) for k, v in paths.items()},
    }
    paths["run"] = write_json(out / "run.json", run)
    if zip_bundle:
        paths["zip"] = write_zip(out, paths, "evidence_pack.zip")
    return ReportBundle(out=out, paths=paths, data=data, notes=list(data.notes))


# --------------------------------------------------------------------------- from a config


def _population_table(cfg: ReportConfig) -> dict[str, float]:
    from hotspots.errors import InputFileError

    path = cfg.population_file
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputFileError(f"Population file {str(path)!r} could not be read: {exc}") from None
    need = [cfg.population_name_column, cfg.population_value_column]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise InputFileError(
            f"Population file {str(path)!r} has no column(s) {missing} (set "
            "[boundary] population_name_column / population_value_column); its columns are "
            f"{', '.join(table.columns)}."
        )
    values = pd.to_numeric(table[cfg.population_value_column], errors="coerce")
    bad = table.loc[values.isna() | (values < 0), cfg.population_name_column].tolist()
    if bad:
        raise InputFileError(f"Population file {str(path)!r}: the population of {bad[:5]} is "
                             "not a number >= 0.")
    return dict(zip(table[cfg.population_name_column].str.strip(), values, strict=True))


def _plan_items(cfg: ReportConfig, catalogue: Mapping[str, InterventionType]
                ) -> tuple[list[Intervention], str, str | None]:
    from hotspots.errors import InputFileError, ParameterError
    from hotspots.planning.interventions import new_id, validate_intervention
    from hotspots.planning.plans import PlanStore

    if cfg.plans_file is not None:
        items = PlanStore(cfg.plans_file, catalogue=catalogue).load(cfg.plan_name)
        return items, cfg.plan_name or "", f"{cfg.plans_file} (plan {cfg.plan_name!r})"
    if not cfg.interventions:
        return [], "", None
    name = cfg.plan_name or "Plan in the config"
    items, problems = [], []
    for i, row in enumerate(cfg.interventions, start=1):
        try:
            geom = shapely.from_wkt(row.wkt)
            iv = Intervention(type=row.type, geometry=geom, start=row.start, plan=name,
                              name=row.name, cost=row.cost, radius_m=row.radius_m,
                              width_m=row.width_m, notes=row.notes, id=row.id or new_id())
            validate_intervention(iv, catalogue)
        except (shapely.errors.GEOSException, ParameterError) as exc:
            problems.append(f"[[plan.interventions]] #{i}: {exc}")
            continue
        items.append(iv)
    if problems:
        raise InputFileError(f"Report config {cfg.path or 'config'}: " + "; ".join(problems))
    return items, name, f"{len(items)} intervention(s) written in {cfg.path or 'the config'}"


def _check_area_names(cfg: ReportConfig, areas: gpd.GeoDataFrame) -> None:
    from hotspots.errors import InputFileError

    names = sorted(areas["area_name"].astype(str))
    missing = [n for n in cfg.areas or [] if n not in set(names)]
    if missing:
        shown = ", ".join(names[:40]) + (" ..." if len(names) > 40 else "")
        raise InputFileError(
            f"Report config {cfg.path or 'config'}: [selection] areas: area name(s) {missing} "
            f"are not in the boundary {cfg.boundary}; its {cfg.area_kind} are: {shown}."
        )


def build_report(
    config: str | Path | ReportConfig | Mapping[str, Any],
    *,
    out: str | Path,
    progress: Progress | None = None,
    file_progress: Progress | None = None,
) -> ReportBundle:
    """Build the evidence pack from a config file: load, select, analyse, write the bundle.

    Parameters
    ----------
    config : path, ReportConfig or dict
        A TOML file (see :func:`read_report_config` for the keys), a checked config, or a
        dict with the same layout (paths relative to the working folder).
    out : str or Path
        The bundle folder.
    progress, file_progress : callable, optional
        ``progress(step, total, label)`` for the report's steps and for the files read.

    Returns
    -------
    ReportBundle
        Paths of everything written, the numbers used, and notes.

    Raises
    ------
    InputFileError
        The config or a file it names cannot be used (the message names the key or file).
    """
    from hotspots.groups import load_harm_weights
    from hotspots.io import load_boundary, load_crimes
    from hotspots.report.config import report_config_from_dict

    if isinstance(config, ReportConfig):
        cfg = config
    elif isinstance(config, Mapping):
        cfg = report_config_from_dict(config, base=Path.cwd())
    else:
        cfg = read_report_config(config)
    groups = load_groups(cfg.groups_file)
    group = get_group(cfg.group, groups)
    catalogue = load_catalogue(cfg.catalogue)
    sources: dict[str, Any] = {"config": cfg.to_dict(), "attribution": cfg.attribution}
    if cfg.catalogue is not None:
        sources["catalogue"] = str(cfg.catalogue)
    areas = None
    if cfg.boundary is not None:
        if progress is not None:
            progress(0, _STEPS + 2, f"Reading boundary {cfg.boundary}")
        areas, boundary_report = load_boundary(cfg.boundary, layer=cfg.boundary_layer,
                                               name_column=cfg.name_column)
        sources["boundary"] = str(cfg.boundary) + (f" (layer {cfg.boundary_layer})"
                                                   if cfg.boundary_layer else "")
        sources["boundary_detail"] = (f"{boundary_report.features_kept:,} {cfg.area_kind}, "
                                      f"names from {boundary_report.name_column or 'numbers'}")
        if cfg.areas is not None:
            _check_area_names(cfg, areas)
    if progress is not None:
        progress(1, _STEPS + 2, f"Loading crimes from {len(cfg.inputs)} input(s)")
    crimes, load_report = load_crimes(cfg.inputs, mapping=cfg.mapping, boundary=areas,
                                      progress=file_progress)
    population: Any = None
    if cfg.population_file is not None:
        population = _population_table(cfg)
        sources["population"] = str(cfg.population_file)
    elif cfg.population_column is not None:
        population = cfg.population_column
        sources["population"] = f"column {cfg.population_column!r} of {cfg.boundary}"
    harm = None
    if cfg.harm is not None:
        harm = load_harm_weights(None if cfg.harm == HARM_EXAMPLE else cfg.harm)
        sources["harm"] = ("the bundled example weights (illustrative, not official)"
                           if cfg.harm == HARM_EXAMPLE else str(cfg.harm))
        sources["harm_detail"] = ", ".join(f"{k} {v:g}" for k, v in harm.items())
    items, plan_name, plan_source = _plan_items(cfg, catalogue)
    if plan_source:
        sources["plan"] = plan_source
    control = None
    if cfg.control != CONTROL_REST:
        control, _ = load_boundary(cfg.control, layer=cfg.control_layer)
    settings = EvaluationSettings(buffer_m=cfg.buffer_m, control=control,
                                  months_before=cfg.months_before,
                                  months_after=cfg.months_after, categories=cfg.categories)
    def after_loading(step: int, total: int, label: str) -> None:
        if progress is not None:
            progress(step + 2, total + 2, label)

    return report_from_data(
        crimes, load_report, out=out, areas=areas, include=cfg.areas, group=group,
        groups=groups, period=(cfg.start, cfg.end),
        comparison=((cfg.compare_start, cfg.compare_end) if cfg.compare_start else None),
        method=cfg.method, method_params=cfg.method_params, plan_items=items,
        plan_name=plan_name, catalogue=catalogue, harm_weights=harm, population=population,
        evaluation=settings, points=cfg.points, title=cfg.title, area_kind=cfg.area_kind,
        district=cfg.district, sources=sources, tiles=cfg.tiles, pdf=cfg.pdf,
        zip_bundle=cfg.zip, progress=after_loading,
    )
