"""hotspots: find crime hotspots and plan Safer Streets interventions.

The public API is re-exported here; everything else is private. Names load lazily, on
first use (PEP 562), so ``import hotspots`` and ``hotspots --help`` stay quick: scikit-learn,
matplotlib, folium and the rest load only when a name that needs them is used.

Examples
--------
>>> import hotspots
>>> "gistar" in hotspots.METHODS
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

__version__ = "0.1.0"

#: Where each public name is defined: module -> names. The one place to look up when a
#: public name moves; ``__all__`` and the ``TYPE_CHECKING`` imports below list the same
#: names (tests/test_api.py checks that the three agree).
_EXPORTS: dict[str, tuple[str, ...]] = {
    # errors
    "hotspots.errors": ("HotspotsError", "InputFileError", "ColumnMappingError", "CRSError",
                        "ParameterError", "EmptySelectionError", "OfflineError"),
    # loading and selection
    "hotspots.io": ("load_crimes", "load_boundary", "read_mapping", "ColumnMapping",
                    "LoadReport", "BoundaryReport"),
    "hotspots.groups": ("CrimeGroup", "load_groups", "get_group", "load_harm_weights",
                        "apply_harm"),
    "hotspots.select": ("select_crimes",),
    "hotspots.schema": ("CRIME_COLUMNS", "POLICE_UK_CATEGORIES", "empty_crimes"),
    # grids and methods
    "hotspots.methods.grid": ("Grid", "make_grid", "default_cell_size", "count_points",
                              "study_area_mask"),
    "hotspots.methods.find": ("METHODS", "MethodSettings", "find_hotspots"),
    "hotspots.result": ("HotspotResult",),
    "hotspots.methods.counts": ("count_hotspots",),
    "hotspots.methods.density": ("kde_hotspots", "kde_surface", "default_bandwidth"),
    "hotspots.methods.gistar": ("gistar_hotspots", "gistar_grid"),
    "hotspots.methods.clusters": ("dbscan_hotspots", "hdbscan_hotspots", "cluster_labels"),
    "hotspots.analysis.areas": ("area_summary", "concentration_statement"),
    # trends and accuracy
    "hotspots.methods.emerging": ("emerging_hotspots", "cell_series"),
    "hotspots.methods.mannkendall": ("mann_kendall",),
    "hotspots.analysis.prediction": ("prediction_accuracy",),
    "hotspots.analysis.accuracy": ("compare_methods", "recommend"),
    "hotspots.methods.nearrepeat": ("knox_test", "near_repeat_possible"),
    # planning and evaluation
    "hotspots.planning.catalogue": ("InterventionType", "load_catalogue"),
    "hotspots.planning.interventions": ("Intervention", "coverage", "check_inside"),
    "hotspots.planning.plans": ("PlanStore",),
    "hotspots.planning.impact": ("projected_impact", "projected_counts", "ImpactResult"),
    "hotspots.evaluation.areas": ("evaluation_areas", "EvaluationAreas"),
    "hotspots.evaluation.counts": ("before_after",),
    "hotspots.evaluation.measures": ("relative_effect_size", "weighted_displacement_quotient",
                                     "total_net_effect"),
    "hotspots.evaluation.before_after": ("evaluate", "EvaluationResult"),
    "hotspots.analysis.change": ("compare_periods", "PeriodComparison"),
    # evidence pack
    "hotspots.report.build": ("build_report", "report_from_data", "ReportBundle",
                              "EvaluationSettings"),
    # data.police.uk
    "hotspots.policeapi": ("PoliceAPI", "fetch_crimes", "fetch_neighbourhood_boundaries"),
    # outputs and pipelines (what the commands run)
    "hotspots.viz.webmaps": ("hotspot_map",),
    "hotspots.pipelines.selection": ("Selection",),
    "hotspots.pipelines.find": ("run_find", "FindRun"),
    "hotspots.pipelines.trends": ("run_trends", "TrendsRun"),
    "hotspots.pipelines.compare": ("run_compare", "CompareRun"),
    # national scale: the store, ingest and batch runs
    "hotspots.io.store": ("Store", "read_store"),
    "hotspots.pipelines.ingest": ("ingest", "IngestSummary"),
    "hotspots.pipelines.batch": ("run_batch", "plan_jobs", "BatchRun", "JobResult"),
    "hotspots.pipelines.batch_config": ("BatchConfig", "read_batch_config"),
    "hotspots.datasets.national": ("write_national_archive",),
    # demo data
    "hotspots.datasets.sample": ("write_sample", "planted", "SampleSummary", "DEFAULT_SEED"),
}

_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

#: The public names, sorted (``_EXPORTS`` groups them by module and theme).
__all__ = [
    "CRIME_COLUMNS",
    "DEFAULT_SEED",
    "METHODS",
    "POLICE_UK_CATEGORIES",
    "BatchConfig",
    "BatchRun",
    "BoundaryReport",
    "CRSError",
    "ColumnMapping",
    "ColumnMappingError",
    "CompareRun",
    "CrimeGroup",
    "EmptySelectionError",
    "EvaluationAreas",
    "EvaluationResult",
    "EvaluationSettings",
    "FindRun",
    "Grid",
    "HotspotResult",
    "HotspotsError",
    "ImpactResult",
    "IngestSummary",
    "InputFileError",
    "Intervention",
    "InterventionType",
    "JobResult",
    "LoadReport",
    "MethodSettings",
    "OfflineError",
    "ParameterError",
    "PeriodComparison",
    "PlanStore",
    "PoliceAPI",
    "ReportBundle",
    "SampleSummary",
    "Selection",
    "Store",
    "TrendsRun",
    "__version__",
    "apply_harm",
    "area_summary",
    "before_after",
    "build_report",
    "cell_series",
    "check_inside",
    "cluster_labels",
    "compare_methods",
    "compare_periods",
    "concentration_statement",
    "count_hotspots",
    "count_points",
    "coverage",
    "dbscan_hotspots",
    "default_bandwidth",
    "default_cell_size",
    "emerging_hotspots",
    "empty_crimes",
    "evaluate",
    "evaluation_areas",
    "fetch_crimes",
    "fetch_neighbourhood_boundaries",
    "find_hotspots",
    "get_group",
    "gistar_grid",
    "gistar_hotspots",
    "hdbscan_hotspots",
    "hotspot_map",
    "ingest",
    "kde_hotspots",
    "kde_surface",
    "knox_test",
    "load_boundary",
    "load_catalogue",
    "load_crimes",
    "load_groups",
    "load_harm_weights",
    "make_grid",
    "mann_kendall",
    "near_repeat_possible",
    "plan_jobs",
    "planted",
    "prediction_accuracy",
    "projected_counts",
    "projected_impact",
    "read_batch_config",
    "read_mapping",
    "read_store",
    "recommend",
    "relative_effect_size",
    "report_from_data",
    "run_batch",
    "run_compare",
    "run_find",
    "run_trends",
    "select_crimes",
    "study_area_mask",
    "total_net_effect",
    "weighted_displacement_quotient",
    "write_national_archive",
    "write_sample",
]

if TYPE_CHECKING:  # pragma: no cover
    from hotspots.analysis.accuracy import compare_methods
    from hotspots.analysis.accuracy import recommend
    from hotspots.analysis.areas import area_summary
    from hotspots.analysis.areas import concentration_statement
    from hotspots.analysis.change import PeriodComparison
    from hotspots.analysis.change import compare_periods
    from hotspots.analysis.prediction import prediction_accuracy
    from hotspots.datasets.national import write_national_archive
    from hotspots.datasets.sample import DEFAULT_SEED
    from hotspots.datasets.sample import SampleSummary
    from hotspots.datasets.sample import planted
    from hotspots.datasets.sample import write_sample
    from hotspots.errors import ColumnMappingError
    from hotspots.errors import CRSError
    from hotspots.errors import EmptySelectionError
    from hotspots.errors import HotspotsError
    from hotspots.errors import InputFileError
    from hotspots.errors import OfflineError
    from hotspots.errors import ParameterError
    from hotspots.evaluation.areas import EvaluationAreas
    from hotspots.evaluation.areas import evaluation_areas
    from hotspots.evaluation.before_after import EvaluationResult
    from hotspots.evaluation.before_after import evaluate
    from hotspots.evaluation.counts import before_after
    from hotspots.evaluation.measures import relative_effect_size
    from hotspots.evaluation.measures import total_net_effect
    from hotspots.evaluation.measures import weighted_displacement_quotient
    from hotspots.groups import CrimeGroup
    from hotspots.groups import apply_harm
    from hotspots.groups import get_group
    from hotspots.groups import load_groups
    from hotspots.groups import load_harm_weights
    from hotspots.io import BoundaryReport
    from hotspots.io import ColumnMapping
    from hotspots.io import LoadReport
    from hotspots.io import load_boundary
    from hotspots.io import load_crimes
    from hotspots.io import read_mapping
    from hotspots.io.store import Store
    from hotspots.io.store import read_store
    from hotspots.methods.clusters import cluster_labels
    from hotspots.methods.clusters import dbscan_hotspots
    from hotspots.methods.clusters import hdbscan_hotspots
    from hotspots.methods.counts import count_hotspots
    from hotspots.methods.density import default_bandwidth
    from hotspots.methods.density import kde_hotspots
    from hotspots.methods.density import kde_surface
    from hotspots.methods.emerging import cell_series
    from hotspots.methods.emerging import emerging_hotspots
    from hotspots.methods.find import METHODS
    from hotspots.methods.find import MethodSettings
    from hotspots.methods.find import find_hotspots
    from hotspots.methods.gistar import gistar_grid
    from hotspots.methods.gistar import gistar_hotspots
    from hotspots.methods.grid import Grid
    from hotspots.methods.grid import count_points
    from hotspots.methods.grid import default_cell_size
    from hotspots.methods.grid import make_grid
    from hotspots.methods.grid import study_area_mask
    from hotspots.methods.mannkendall import mann_kendall
    from hotspots.methods.nearrepeat import knox_test
    from hotspots.methods.nearrepeat import near_repeat_possible
    from hotspots.pipelines.batch import BatchRun
    from hotspots.pipelines.batch import JobResult
    from hotspots.pipelines.batch import plan_jobs
    from hotspots.pipelines.batch import run_batch
    from hotspots.pipelines.batch_config import BatchConfig
    from hotspots.pipelines.batch_config import read_batch_config
    from hotspots.pipelines.compare import CompareRun
    from hotspots.pipelines.compare import run_compare
    from hotspots.pipelines.find import FindRun
    from hotspots.pipelines.find import run_find
    from hotspots.pipelines.ingest import IngestSummary
    from hotspots.pipelines.ingest import ingest
    from hotspots.pipelines.selection import Selection
    from hotspots.pipelines.trends import TrendsRun
    from hotspots.pipelines.trends import run_trends
    from hotspots.planning.catalogue import InterventionType
    from hotspots.planning.catalogue import load_catalogue
    from hotspots.planning.impact import ImpactResult
    from hotspots.planning.impact import projected_counts
    from hotspots.planning.impact import projected_impact
    from hotspots.planning.interventions import Intervention
    from hotspots.planning.interventions import check_inside
    from hotspots.planning.interventions import coverage
    from hotspots.planning.plans import PlanStore
    from hotspots.policeapi import PoliceAPI
    from hotspots.policeapi import fetch_crimes
    from hotspots.policeapi import fetch_neighbourhood_boundaries
    from hotspots.report.build import EvaluationSettings
    from hotspots.report.build import ReportBundle
    from hotspots.report.build import build_report
    from hotspots.report.build import report_from_data
    from hotspots.result import HotspotResult
    from hotspots.schema import CRIME_COLUMNS
    from hotspots.schema import POLICE_UK_CATEGORIES
    from hotspots.schema import empty_crimes
    from hotspots.select import select_crimes
    from hotspots.viz.webmaps import hotspot_map


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562), then keep it here."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'hotspots' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
