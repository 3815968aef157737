"""The evaluation's figures: before and after hotspot maps on one grid, and the placebo test.

Drawing for :mod:`hotspots.evaluation` (which never imports this module): the surfaces of
the months before and after a scheme's start, side by side on one colour scale, and the
placebo test's distribution with the target marked. (The monthly trend chart is
:func:`hotspots.viz.charts.evaluation_trend_figure`.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure

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

__all__ = ["MAP_BANDWIDTH_RULE", "PLACEBO_SIZE", "before_after_maps", "placebo_figure"]

#: Size of the placebo chart in inches.
PLACEBO_SIZE = (7.5, 3.4)

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


def placebo_figure(result: Any, *, title: str | None = None) -> Figure:
    """The placebo test: untreated places' relative effect sizes, with the target's marked.

    ``result`` is an :class:`~hotspots.evaluation.before_after.EvaluationResult` with a placebo
    test. The histogram (log scale) shows how large a "fall" places as busy as the target
    showed with no scheme; the solid line is the target's RES, the dashed one the target's
    RES once regression to the mean is allowed for.

    Examples
    --------
    >>> from hotspots.evaluation.placebo import placebo_test
    >>> class R:  # the one attribute used
    ...     placebo = placebo_test(30, 10, np.arange(20, 60), np.arange(22, 62), trend=1.0)
    >>> [line.get_label() for line in placebo_figure(R()).axes[0].get_lines()]
    ['the target (RES 2.90)', 'the target, allowing for regression to the mean (3.10)']
    """
    test = getattr(result, "placebo", None)
    if test is None:
        raise ParameterError("placebo_figure needs an evaluation result with a placebo test "
                             "(evaluate(..., placebo=True) on an area with comparable places).")
    fig = Figure(figsize=PLACEBO_SIZE, layout="constrained")
    ax = fig.add_subplot()
    values = np.log(np.clip(test.placebo_res, 1e-3, None))
    ax.hist(values, bins=min(30, max(8, test.n // 4)), color="#9ecae1", edgecolor="#3182bd",
            label=f"{test.n} untreated places as busy as the target")
    ax.axvline(np.log(test.target_res), color="#b2182b", linewidth=2,
               label=f"the target (RES {test.target_res:.2f})")
    ax.axvline(np.log(test.target_res_rtm), color="#b2182b", linestyle="--",
               label=f"the target, allowing for regression to the mean "
                     f"({test.target_res_rtm:.2f})")
    ticks = np.array([0.25, 0.5, 1, 2, 4, 8])
    ax.set_xticks(np.log(ticks), [f"{t:g}" for t in ticks])
    ax.set_xlabel("relative effect size with no scheme (above 1: a fall relative to the trend)")
    ax.set_ylabel("places")
    ax.legend(fontsize="small", loc="upper left")
    ax.set_title(title or f"Placebo test: permutation p-value of a fall {test.p_fall:.2f}")
    return fig
