"""The evidence pack for a bid: sections, figures, tables, HTML and PDF, one folder and a zip.

The data flow down, one module per step:

``config``
    Reads and checks the TOML (:func:`read_report_config`); ``loading`` loads what it names.
``settings``
    What a report is asked for: :class:`ReportScope`, :class:`ReportPeriods`,
    :class:`ReportPlan`, :class:`EvaluationSettings`,
    :class:`OutputOptions`.
``selection``, ``sections``, ``plan``
    The crimes selected and each section's numbers; ``data`` holds them all
    (:class:`ReportData`) with the privacy rule.
``figures``, ``outputs``, ``method``, ``html``, ``pdf``
    Maps and charts, tables, layers and the zip, the method section, the page and the PDF.
``build``
    :func:`report_from_data` (tables in memory) and :func:`build_report` (a config file).
"""

from hotspots.report.build import ReportBundle
from hotspots.report.build import build_report
from hotspots.report.build import report_from_data
from hotspots.report.config import ReportConfig
from hotspots.report.config import read_report_config
from hotspots.report.data import ReportData
from hotspots.report.data import privacy_rule
from hotspots.report.method import OGL_ATTRIBUTION
from hotspots.report.settings import EvaluationSettings
from hotspots.report.settings import OutputOptions
from hotspots.report.settings import ReportPeriods
from hotspots.report.settings import ReportPlan
from hotspots.report.settings import ReportScope

__all__ = [
    "EvaluationSettings",
    "OGL_ATTRIBUTION",
    "OutputOptions",
    "ReportBundle",
    "ReportConfig",
    "ReportData",
    "ReportPeriods",
    "ReportPlan",
    "ReportScope",
    "build_report",
    "privacy_rule",
    "read_report_config",
    "report_from_data",
]
