"""What an evidence pack is asked for: scope, periods, method, plan, evaluation and output.

:func:`hotspots.report.report_from_data` takes these small dataclasses instead of two dozen
keywords, and a :class:`~hotspots.report.config.ReportConfig` hands out the same objects for
the keys they share, so the app, the CLI and a config file describe a report the same way.

Examples
--------
>>> ReportPeriods(start="2025-01", end="2025-12").comparison is None
True
>>> OutputOptions(pdf=False).zip
True
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from hotspots.groups import CrimeGroup
    from hotspots.planning.catalogue import InterventionType
    from hotspots.planning.interventions import Intervention

__all__ = [
    "ReportScope",
    "ReportPeriods",
    "ReportPlan",
    "EvaluationSettings",
    "OutputOptions",
]


@dataclass(frozen=True)
class ReportScope:
    """What the report is about: the crime group, the areas, and how they are described.

    Attributes
    ----------
    group : str or CrimeGroup
        Crime group; sensitive groups (VAWG) get the privacy rule.
    groups : dict, optional
        Groups to look ``group`` up in (default :func:`hotspots.load_groups`).
    areas : GeoDataFrame, optional
        Boundary areas with ``area_name`` (from :func:`hotspots.load_boundary`): the
        district the report ranks areas in, and the control's "rest of the area".
    include : list of str, optional
        Names of the areas making up the bid area (default: all of ``areas``).
    area_kind, district : str
        What the areas are called ("wards"); the district's name.
    population : str or dict, optional
        Column of ``areas`` holding residents, or area name -> residents: rates per 1,000.
    harm_weights : dict, optional
        Category -> weight: harm figures are added and hotspots are weighted by harm.
    """

    group: str | CrimeGroup = "all"
    groups: Mapping[str, CrimeGroup] | None = None
    areas: gpd.GeoDataFrame | None = None
    include: Sequence[str] | None = None
    area_kind: str = "areas"
    district: str | None = None
    population: str | Mapping[str, float] | None = None
    harm_weights: Mapping[str, float] | None = None


@dataclass(frozen=True)
class ReportPeriods:
    """The report period and its comparison, as months ``"YYYY-MM"`` (None: the default).

    Default period: the last 12 months of data; default comparison: the same number of
    months just before it.
    """

    start: str | None = None
    end: str | None = None
    compare_start: str | None = None
    compare_end: str | None = None

    @property
    def comparison(self) -> tuple[str, str] | None:
        """``(compare_start, compare_end)`` when a comparison period is given."""
        if self.compare_start and self.compare_end:
            return self.compare_start, self.compare_end
        return None


@dataclass(frozen=True)
class ReportPlan:
    """The intervention plan (may be empty: the plan sections then say so)."""

    items: Sequence[Intervention] = ()
    name: str = ""
    catalogue: Mapping[str, InterventionType] | None = None


@dataclass
class EvaluationSettings:
    """How the before/after evaluation is set up (the config's ``[evaluation]``).

    ``control`` None is the rest of the report's areas; ``categories`` None counts the
    crime group's crimes.
    """

    buffer_m: float | None = None
    control: Any = None
    months_before: int = 12
    months_after: int = 12
    categories: list[str] | None = None


@dataclass(frozen=True)
class OutputOptions:
    """What the bundle holds and how it is drawn (the config's ``title`` and ``[output]``).

    ``points`` None exports crime points unless the group is sensitive; ``tiles`` draws
    base tiles on the maps where reachable.
    """

    title: str = ""
    points: bool | None = None
    tiles: bool = True
    pdf: bool = True
    zip: bool = True
