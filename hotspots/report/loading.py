"""What a report config names, loaded: boundary, crimes, population, harm weights, plan, control.

:func:`load_config_inputs` turns a checked :class:`~hotspots.report.config.ReportConfig`
(paths only) into the tables and settings :func:`hotspots.report.report_from_data` takes,
recording where each came from for the method section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.groups import get_group
from hotspots.groups import load_groups
from hotspots.groups import load_harm_weights
from hotspots.io import load_boundary
from hotspots.io import load_crimes
from hotspots.io.store import read_store
from hotspots.io.tables import read_text_table
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import InterventionType
from hotspots.planning.interventions import load_catalogue
from hotspots.planning.interventions import new_id
from hotspots.planning.interventions import validate_intervention
from hotspots.planning.plans import PlanStore
from hotspots.progress import Progress
from hotspots.report.config import CONTROL_REST
from hotspots.report.config import HARM_EXAMPLE
from hotspots.report.config import ReportConfig
from hotspots.report.settings import EvaluationSettings
from hotspots.report.settings import ReportPlan
from hotspots.report.settings import ReportScope

__all__ = ["ConfigInputs", "load_config_inputs", "population_table", "plan_items"]


@dataclass
class ConfigInputs:
    """Everything a config names, loaded, and where each part came from (``sources``)."""

    crimes: gpd.GeoDataFrame
    load_report: Any
    scope: ReportScope
    plan: ReportPlan
    evaluation: EvaluationSettings
    sources: dict[str, Any]


def population_table(cfg: ReportConfig) -> dict[str, float]:
    """Area name -> residents from the config's population CSV (every problem named)."""
    path = cfg.population_file
    table = read_text_table(path, what="Population file")
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


def plan_items(cfg: ReportConfig, catalogue: Mapping[str, InterventionType]
               ) -> tuple[list[Intervention], str, str | None]:
    """The plan's interventions, its name, and where it came from (None: no plan)."""
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
    names = sorted(areas["area_name"].astype(str))
    missing = [n for n in cfg.areas or [] if n not in set(names)]
    if missing:
        shown = ", ".join(names[:40]) + (" ..." if len(names) > 40 else "")
        raise InputFileError(
            f"Report config {cfg.path or 'config'}: [selection] areas: area name(s) {missing} "
            f"are not in the boundary {cfg.boundary}; its {cfg.area_kind} are: {shown}."
        )


def load_config_inputs(cfg: ReportConfig, *, total: int, progress: Progress | None = None,
                       file_progress: Progress | None = None) -> ConfigInputs:
    """Load what ``cfg`` names; ``progress(step, total, label)`` for the boundary and crimes."""
    groups = load_groups(cfg.groups_file)
    group = get_group(cfg.group, groups)
    catalogue = load_catalogue(cfg.catalogue)
    sources: dict[str, Any] = {"config": cfg.to_dict(), "attribution": cfg.attribution}
    if cfg.catalogue is not None:
        sources["catalogue"] = str(cfg.catalogue)
    areas = None
    if cfg.boundary is not None:
        if progress is not None:
            progress(0, total, f"Reading boundary {cfg.boundary}")
        areas, boundary_report = load_boundary(cfg.boundary, layer=cfg.boundary_layer,
                                               name_column=cfg.name_column, crs=None)
        sources["boundary"] = str(cfg.boundary) + (f" (layer {cfg.boundary_layer})"
                                                   if cfg.boundary_layer else "")
        sources["boundary_detail"] = (f"{boundary_report.features_kept:,} {cfg.area_kind}, "
                                      f"names from {boundary_report.name_column or 'numbers'}")
        if cfg.areas is not None:
            _check_area_names(cfg, areas)
    if cfg.store is not None:
        if progress is not None:
            progress(1, total, f"Reading crimes from store {cfg.store}")
        crimes, load_report = read_store(cfg.store, forces=cfg.forces, boundary=areas)
    else:
        if progress is not None:
            progress(1, total, f"Loading crimes from {len(cfg.inputs)} input(s)")
        crimes, load_report = load_crimes(cfg.inputs, mapping=cfg.mapping, boundary=areas,
                                          progress=file_progress)
    if areas is not None:  # read in its own CRS, now in the CRS chosen for the crimes
        areas = areas.to_crs(crimes.crs)
    population: Any = None
    if cfg.population_file is not None:
        population = population_table(cfg)
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
    items, plan_name, plan_source = plan_items(cfg, catalogue)
    if plan_source:
        sources["plan"] = plan_source
    control = None
    if cfg.control != CONTROL_REST:
        control, _ = load_boundary(cfg.control, layer=cfg.control_layer,
                                   crs=crimes.crs.to_string())
    scope = ReportScope(group=group, groups=groups, areas=areas,
                        include=cfg.areas, area_kind=cfg.area_kind, district=cfg.district,
                        population=population, harm_weights=harm)
    evaluation = EvaluationSettings(buffer_m=cfg.buffer_m, control=control,
                                    months_before=cfg.months_before,
                                    months_after=cfg.months_after, categories=cfg.categories)
    return ConfigInputs(crimes, load_report, scope,
                        ReportPlan(items=items, name=plan_name, catalogue=catalogue),
                        evaluation, sources)
