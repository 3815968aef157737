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
    layers in the analysis CRS (EPSG:27700 for GB data, the UTM zone chosen on loading
    elsewhere): ``hotspots``, ``areas``, ``interventions`` (coverage polygons, with
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
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import geopandas as gpd

from hotspots import __version__
from hotspots.errors import ColumnMappingError
from hotspots.errors import ParameterError
from hotspots.errors import PDFUnavailableError
from hotspots.groups import get_group
from hotspots.groups import load_groups
from hotspots.io.write import atomic_path
from hotspots.io.write import write_geopackage
from hotspots.io.write import write_json
from hotspots.io.write import write_table
from hotspots.methods.find import MethodSettings
from hotspots.planning.catalogue import load_catalogue
from hotspots.progress import Progress
from hotspots.report.config import ReportConfig
from hotspots.report.config import read_report_config
from hotspots.report.config import report_config_from_dict
from hotspots.report.data import ReportData
from hotspots.report.data import privacy_rule
from hotspots.report.figures import STATIC_MAPS
from hotspots.report.figures import draw_figures
from hotspots.report.figures import interactive_map
from hotspots.report.html import render_report
from hotspots.report.loading import load_config_inputs
from hotspots.report.method import method_section
from hotspots.report.outputs import export_layers
from hotspots.report.outputs import export_tables
from hotspots.report.outputs import suppress_sentences
from hotspots.report.outputs import write_zip
from hotspots.report.pdf import write_pdf
from hotspots.report.plan import evaluation_section
from hotspots.report.plan import plan_section
from hotspots.report.plan import projection_section
from hotspots.report.sections import find_report_hotspots
from hotspots.report.sections import profile_section
from hotspots.report.sections import summary_section
from hotspots.report.selection import resolve_periods
from hotspots.report.selection import select_for_report
from hotspots.report.settings import EvaluationSettings
from hotspots.report.settings import OutputOptions
from hotspots.report.settings import ReportPeriods
from hotspots.report.settings import ReportPlan
from hotspots.report.settings import ReportScope
from hotspots.validation import require_projected

__all__ = ["ReportBundle", "report_from_data", "build_report"]

log = logging.getLogger(__name__)

#: Steps reported through ``progress`` by :func:`report_from_data`.
STEPS = 8
#: Where the bundled intervention catalogue is, for the method section.
CATALOGUE_SOURCE = "hotspots/data/interventions.toml"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


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
        progress(step, STEPS, label)


def _check_inputs(crimes: Any, scope: ReportScope, include: list[str] | None) -> None:
    if not isinstance(crimes, gpd.GeoDataFrame):
        raise TypeError(f"'crimes' should be a GeoDataFrame, got {type(crimes)}")
    require_projected(crimes, name="crimes")
    if "month" not in crimes.columns or "category" not in crimes.columns:
        raise ColumnMappingError("'crimes' needs 'month' and 'category' columns; load it with "
                                 "hotspots.load_crimes.")
    areas = scope.areas
    if areas is not None:
        if not isinstance(areas, gpd.GeoDataFrame) or "area_name" not in areas.columns:
            raise ColumnMappingError("'areas' should be a GeoDataFrame with an 'area_name' "
                                     "column, as hotspots.load_boundary returns.")
    if include is not None and areas is None:
        raise ParameterError("The 'include' parameter names areas, but no 'areas' were given.")
    if isinstance(scope.include, str):
        raise ParameterError(f"The 'include' parameter should be a list of area names, got "
                             f"the text {scope.include!r}; write [{scope.include!r}].")


def report_from_data(
    crimes: gpd.GeoDataFrame,
    load_report: Any = None,
    *,
    out: str | Path,
    scope: ReportScope | None = None,
    periods: ReportPeriods | None = None,
    method: MethodSettings | None = None,
    plan: ReportPlan | None = None,
    evaluation: EvaluationSettings | None = None,
    output: OutputOptions | None = None,
    sources: Mapping[str, Any] | None = None,
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
    scope : ReportScope, optional
        Crime group, areas and the bid area's names, population, harm weights (default:
        every crime, no boundary).
    periods : ReportPeriods, optional
        Report and comparison periods (default: the last 12 months of data, and the 12
        before).
    method : MethodSettings, optional
        Hotspot method and its parameters (default Gi*, as :func:`hotspots.find_hotspots`).
    plan : ReportPlan, optional
        The plan's interventions, name and catalogue (default: no plan; sections 3-5 then
        say so).
    evaluation : EvaluationSettings, optional
        Buffer, control (None: the rest of the areas), months before/after, categories.
    output : OutputOptions, optional
        Title, crime points in the GeoPackage, base tiles, PDF and zip.
    sources : dict, optional
        Provenance for the method section: ``boundary``, ``population``, ``plan``,
        ``harm``, ``attribution`` (with optional ``<key>_detail``) and ``config``.
    progress : callable, optional
        ``progress(step, total, label)``.

    Returns
    -------
    ReportBundle

    Examples
    --------
    >>> import tempfile, shapely, pandas as pd
    >>> crimes = gpd.GeoDataFrame(
    ...     {"category": ["Burglary"] * 30, "month": pd.Timestamp("2024-06-01"),
    ...      "location": "On or near High Street", "weight": 1.0},
    ...     geometry=[shapely.Point(440000 + 7 * i, 360000 + 5 * i) for i in range(30)],
    ...     crs="EPSG:27700")
    >>> bundle = report_from_data(crimes, out=tempfile.mkdtemp(),
    ...                           method=MethodSettings("count", cell_size=50),
    ...                           output=OutputOptions(pdf=False, tiles=False))
    >>> bundle.data.summary.crimes, bundle.html.name
    (30, 'report.html')
    """
    scope = scope or ReportScope()
    periods = periods or ReportPeriods()
    method = method or MethodSettings()
    plan = plan or ReportPlan()
    output = output or OutputOptions()
    include = list(scope.include) if scope.include else None  # empty: every area
    _check_inputs(crimes, scope, include)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sources = dict(sources or {})
    catalogue = load_catalogue() if plan.catalogue is None else dict(plan.catalogue)
    groups = load_groups() if scope.groups is None else scope.groups
    chosen = get_group(scope.group, groups)
    areas = scope.areas.to_crs(crimes.crs) if scope.areas is not None else None

    _step(progress, 0, f"Selecting {chosen.label}")
    resolved = resolve_periods(crimes, start=periods.start, end=periods.end,
                               compare_start=periods.compare_start,
                               compare_end=periods.compare_end)
    sel = select_for_report(crimes, group=chosen, groups=groups, periods=resolved, areas=areas,
                            include=include, area_kind=scope.area_kind,
                            harm_weights=scope.harm_weights)

    _step(progress, 1, f"Finding hotspots ({method.method}) in {len(sel.bid):,} crimes")
    result, why_none = find_report_hotspots(sel, method=method.method, params=method.params)

    _step(progress, 2, "Profiling the problem, the plan and its evaluation")
    summary = summary_section(sel, title="", district_label=scope.district,
                              n_hotspots=result.n_hotspots if result is not None else 0)
    summary.title = output.title or f"{chosen.label} in {summary.area_label}: evidence pack"
    population = scope.population
    pop_source = sources.get("population") or (population if isinstance(population, str)
                                                else "population table given")
    prof = profile_section(sel, result, why_none, population=population,
                           population_source=str(pop_source) if population is not None else None)
    plan_part = plan_section(plan.items, catalogue, name=plan.name)
    proj = projection_section(sel, plan_part, catalogue, result)
    ev = evaluation_section(sel, plan_part, catalogue, evaluation or EvaluationSettings(),
                            projection=proj)
    wants_points = (not chosen.sensitive) if output.points is None else bool(output.points)
    data = ReportData(
        title=summary.title, created=_now(), summary=summary, profile=prof, plan=plan_part,
        projection=proj, evaluation=ev, method={},
        privacy=privacy_rule(chosen, points=wants_points), sensitive=chosen.sensitive,
        points=wants_points,
    )
    if chosen.sensitive:
        suppress_sentences(data)

    _step(progress, 3, "Drawing maps and charts")
    data.figures, figure_notes = draw_figures(data, sel, out, tiles=output.tiles)
    data.method = method_section(
        sel, prof, proj, ev, load_report=load_report, sources=sources,
        static_maps=STATIC_MAPS, notes=figure_notes,
        catalogue_source=str(sources.get("catalogue", CATALOGUE_SOURCE)))
    data.interactive_map = interactive_map(data, sel, tiles=output.tiles)

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

    if output.pdf:
        _step(progress, 6, "Writing report.pdf")
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
        "period": resolved.label, "comparison": resolved.compare_label,
        "method": method.method, "method_params": method.params,
        "hotspot_params": result.params if result is not None else None,
        "plan": {"name": plan.name, "n_interventions": len(plan_part.items)},
        "privacy": data.privacy, "points": wants_points, "numbers": data.numbers(),
        "load_report": load_report.to_dict() if load_report is not None else None,
        "selection": sel.info, "sources": {k: v for k, v in sources.items() if k != "config"},
        "software": data.method["software"], "notes": data.notes,
        "outputs": {k: str(v.relative_to(out)) for k, v in paths.items()},
    }
    paths["run"] = write_json(out / "run.json", run)
    if output.zip:
        paths["zip"] = write_zip(out, paths, "evidence_pack.zip")
    return ReportBundle(out=out, paths=paths, data=data, notes=list(data.notes))


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
    if isinstance(config, ReportConfig):
        cfg = config
    elif isinstance(config, Mapping):
        cfg = report_config_from_dict(config, base=Path.cwd())
    else:
        cfg = read_report_config(config)
    inputs = load_config_inputs(cfg, total=STEPS + 2, progress=progress,
                                file_progress=file_progress)

    def after_loading(step: int, total: int, label: str) -> None:
        if progress is not None:
            progress(step + 2, total + 2, label)

    return report_from_data(
        inputs.crimes, inputs.load_report, out=out, scope=inputs.scope, periods=cfg.periods,
        method=cfg.method_settings, plan=inputs.plan, evaluation=inputs.evaluation,
        output=cfg.output_options, sources=inputs.sources, progress=after_loading,
    )
