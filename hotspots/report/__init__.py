"""The evidence pack for a bid: sections, figures, tables, HTML and PDF, one folder and a zip.

``build`` assembles the pack from a config or from data already loaded; ``config`` reads the
TOML; ``sections`` and ``plan`` compute each section's figures; ``figures`` draws the maps and
charts; ``outputs`` writes tables, layers and the zip; ``html`` and ``pdf`` render the report.
"""

from hotspots.report.build import (
    OGL_ATTRIBUTION,
    EvaluationSettings,
    ReportBundle,
    ReportConfig,
    ReportData,
    build_report,
    privacy_rule,
    read_report_config,
    report_from_data,
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
