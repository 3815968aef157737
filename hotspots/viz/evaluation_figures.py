"""The evaluation's figures: before and after hotspot maps on one grid, and the trend chart.

Drawing for :mod:`hotspots.evaluation` (which never imports this module): the surfaces of
the months before and after a scheme's start, side by side on one colour scale, and crimes
per month in the target, buffer and control areas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.analysis.change import compare_periods
from hotspots.errors import ParameterError
from hotspots.evaluation.areas import EvaluationAreas
from hotspots.evaluation.areas import default_buffer_width
from hotspots.evaluation.counts import DEFAULT_MONTHS
from hotspots.evaluation.counts import check_months
from hotspots.months import as_month
from hotspots.months import shift_months
from hotspots.result import HotspotResult
from hotspots.validation import require_projected

__all__ = ["MAP_BANDWIDTH_RULE", "before_after_maps"]

#: Default KDE bandwidth of before_after_maps given evaluation areas: the scale of the
#: scheme, so the maps resolve the target rather than smoothing it into its surroundings
#: (the town-wide normal-reference rule gives bandwidths of several hundred metres).
MAP_BANDWIDTH_RULE = "the target's equivalent radius sqrt(area/π), rounded to 10 m"


def _bounds(areas_or_bounds: Any, crs: Any) -> tuple[float, float, float, float]:
    if isinstance(areas_or_bounds, EvaluationAreas):
        return areas_or_bounds.to_crs(crs).bounds
    try:
        bounds = tuple(float(v) for v in areas_or_bounds)
    except (TypeError, ValueError):
        bounds = ()
    if len(bounds) != 4 or not all(math.isfinite(v) for v in bounds) or not (
        bounds[0] < bounds[2] and bounds[1] < bounds[3]
    ):
        raise ParameterError(
            "The 'areas_or_bounds' parameter of before_after_maps must be an EvaluationAreas "
            "or (minx, miny, maxx, maxy) in the crimes' CRS with min < max, got "
            f"{areas_or_bounds!r}."
        )
    return bounds  # type: ignore[return-value]


def before_after_maps(
    crimes: gpd.GeoDataFrame,
    areas_or_bounds: EvaluationAreas | tuple[float, float, float, float],
    *,
    start: str | pd.Timestamp,
    months: int = DEFAULT_MONTHS,
    method: str = "kde",
    cell_size: float | None = None,
    bandwidth: float | None = None,
    categories: str | Sequence[str] | None = None,
) -> tuple[HotspotResult, HotspotResult]:
    """Hotspot surfaces for the ``months`` before and after ``start``, on one grid.

    Both results share the grid (same cells, ids and, for KDE, the same bandwidth chosen
    from both periods' crimes together), so they can be shown side by side on one colour
    scale. Scores are crimes per cell (``"count"``) or crimes per km² per month
    (``"kde"``). Built with :func:`hotspots.analysis.change.compare_periods`.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table. Not changed.
    areas_or_bounds : EvaluationAreas or (minx, miny, maxx, maxy)
        The map extent: the bounds of target, buffer and control, or bounds in the
        crimes' CRS. Crimes outside are left out (noted).
    start : str or Timestamp
        First month of the scheme.
    months : int, default 12
        Months on each side.
    method : {"kde", "count"}, default "kde"
    cell_size : float, optional
        Metres; default as in :func:`compare_periods` (street scale from the crimes).
    bandwidth : float, optional
        KDE radius in metres. Default with evaluation areas: :data:`MAP_BANDWIDTH_RULE`;
        with bounds: the normal-reference rule on both periods' crimes together.
    categories : str or list of str, optional

    Returns
    -------
    (HotspotResult, HotspotResult)
        Before and after.

    Examples
    --------
    >>> import shapely
    >>> crimes = gpd.GeoDataFrame(
    ...     {"month": pd.to_datetime(["2024-12-01", "2025-01-01", "2025-01-01"]),
    ...      "category": "Burglary"},
    ...     geometry=[shapely.Point(50, 50), shapely.Point(150, 50), shapely.Point(160, 60)],
    ...     crs="EPSG:27700")
    >>> before, after = before_after_maps(crimes, (0, 0, 199, 99), start="2025-01", months=1,
    ...                                   method="count", cell_size=100)
    >>> before.cells["score"].tolist(), after.cells["score"].tolist()
    ([1.0, 0.0], [0.0, 2.0])
    """
    func = "before_after_maps"
    crs = require_projected(crimes, name="crimes")
    start = as_month(start, name="start")
    months = check_months(months, name="months", func=func)
    bounds = _bounds(areas_or_bounds, crs)
    rule = None
    if method == "kde" and bandwidth is None and isinstance(areas_or_bounds, EvaluationAreas):
        bandwidth = default_buffer_width(areas_or_bounds.target)
        rule = f"{MAP_BANDWIDTH_RULE} = {bandwidth:g} m"
    comparison = compare_periods(
        crimes,
        before=(shift_months(start, -months), shift_months(start, -1)),
        after=(start, shift_months(start, months - 1)),
        area=shapely.box(*bounds),
        method=method,
        cell_size=cell_size,
        bandwidth=bandwidth,
        categories=categories,
    )
    for result in (comparison.before, comparison.after):
        result.notes.extend(comparison.notes)
        if rule is not None:
            result.params["bandwidth_rule"] = rule
    return comparison.before, comparison.after
