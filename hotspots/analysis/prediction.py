"""Does a hotspot map predict next period's crime? Hit rate, PAI and PEI of one output.

A hotspot output is made on a training period and scored on a later test period. For a
chosen share of the study area (the *coverage*), the output's top-ranked cells (or
polygons) are taken until they cover that share, and:

* hit rate = n / N: the share of the test period's crimes that fall in them;
* PAI (Prediction Accuracy Index, Chainey, Tompson & Uhlig 2008) = (n / N) / (a / A): the
  hit rate per unit of area, 1 meaning no better than spreading patrols evenly;
* PEI (Predictive Efficiency Index, Hunt 2016) = n / n*: the share of the most the same area
  could have caught, ``n*`` being the test crimes in the best possible selection of the same
  size (the cells with the most test-period crimes).

How the selection and the study area are defined (stated in every output, ``STUDY_AREA_RULE``
and ``SELECTION_RULE``):

* Ranking: the output's hotspots first, then the other cells, each by ``score`` (highest
  first), ties kept in the output's order. For counts, KDE and Gi* this is simply the score
  order; for emerging hot spots it puts the cells hot now (new, intensifying, ...) first.
* Grid outputs: the study area is the output's cells (the cells that intersect the study
  area), so A = number of cells × cell area and N = test crimes in those cells. Whole cells
  are taken, k = floor(coverage × K) of the K cells: a partial last cell never counts, and
  a / A = k / K is reported beside the coverage asked for. n* = the k largest test counts.
* Polygon outputs (clusters): A = area of the study-area polygon, N = test crimes inside it.
  Whole polygons are taken in rank order while the area of their union (clipped to the
  study area) stays within coverage × A; the first that would overshoot ends the selection.
  n* is the best set of cells of a comparison grid with the same total area (rounded to
  whole cells), so for free-form polygons PEI is approximate and may exceed 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import Grid
from hotspots.methods.grid import count_points
from hotspots.methods.grid import default_cell_size
from hotspots.methods.grid import make_grid
from hotspots.methods.grid import study_area_mask
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry
from hotspots.spatial import point_coordinates
from hotspots.validation import float_param
from hotspots.validation import require_projected

__all__ = [
    "COMPARABLE_SHARE",
    "DEFAULT_COVERAGES",
    "SELECTION_RULE",
    "STUDY_AREA_RULE",
    "check_coverages",
    "located_xy",
    "prediction_accuracy",
]

#: Shares of the study area at which accuracy is reported. Small shares match how hotspot
#: maps are used (a few places get the extra patrols or the scheme); PAI at 1–5% of the
#: area is the usual report in the PAI literature (e.g. Chainey, Tompson & Uhlig 2008 and
#: the crime-forecasting challenges that followed, which scored 0.25–5%).
DEFAULT_COVERAGES: tuple[float, ...] = (0.01, 0.02, 0.05)
#: A row is comparable at its coverage when at least this share of the coverage asked for
#: was actually selected. PAI falls as the area grows, so a method whose polygons cover only
#: 1% of the area cannot be ranked against cells covering 5% (a rule of this project: 80%
#: leaves room for whole cells and polygons, which rarely hit the share exactly).
COMPARABLE_SHARE = 0.8
#: Relative slack when comparing areas (floating-point unions of polygons).
AREA_SLACK = 1e-9

STUDY_AREA_RULE = (
    "grid outputs: the study area is the output's cells (those intersecting the study area); "
    "A = number of cells x cell area, N = test crimes in those cells. Polygon outputs: A = the "
    "study-area polygon's area, N = test crimes inside it. Test crimes outside are not counted."
)
SELECTION_RULE = (
    "rank the output's hotspots first, then the rest, each by score (highest first, ties in "
    "output order); take whole cells or polygons in that order until the next would exceed "
    "coverage x A (a partial last cell or polygon is not counted); report the area share "
    "actually taken. PEI = n / n*, n* = test crimes in the best selection of the same number "
    "of cells (grid outputs) or of comparison-grid cells of the same area (polygons)."
)


# --------------------------------------------------------------------------- checks


def check_coverages(coverages: Any, *, func: str) -> tuple[float, ...]:
    """Shares of the study area as sorted unique floats in (0, 1]; raise naming ``func``.

    Examples
    --------
    >>> check_coverages([0.05, 0.01, 0.05], func="prediction_accuracy")
    (0.01, 0.05)
    """
    values = (coverages,) if isinstance(coverages, int | float) else coverages
    try:
        shares = [float_param(c, name="coverages", func=func, allow_none=False, high=1.0,
                              closed_high=True) for c in values]
    except (TypeError, ParameterError):
        shares = []
    if not shares:
        raise ParameterError(
            f"The 'coverages' parameter of {func} must be shares of the study area in (0, 1] "
            f"(0.05 = 5%), e.g. (0.01, 0.02, 0.05); got {coverages!r}."
        )
    return tuple(sorted(set(shares)))


def _check_result(result: Any, func: str) -> HotspotResult:
    if not isinstance(result, HotspotResult):
        raise TypeError(f"'result' of {func} should be a HotspotResult, got {type(result)}.")
    missing = [c for c in ("score", "hotspot") if c not in result.cells.columns]
    if missing:
        raise ParameterError(
            f"{func} needs 'score' and 'hotspot' columns in result.cells; {missing} missing."
        )
    return result


def located_xy(points: gpd.GeoDataFrame, *, name: str, func: str) -> tuple[np.ndarray, np.ndarray]:
    """x, y of the points that have a location (projected CRS checked, naming ``name``)."""
    require_projected(points, name=name)
    x, y = point_coordinates(points, func=func)
    located = np.isfinite(x) & np.isfinite(y)
    return x[located], y[located]


def _ranking(cells: pd.DataFrame) -> np.ndarray:
    """Positions in rank order: hotspots first, then by score descending, ties stable."""
    score = cells["score"].to_numpy(dtype=float)
    score = np.where(np.isfinite(score), score, -np.inf)
    hot = cells["hotspot"].to_numpy(dtype=bool)
    return np.lexsort((np.arange(len(cells)), -score, ~hot))


# --------------------------------------------------------------------------- grid outputs


def _cell_counts(cells: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Test crimes per cell (cells: equal, aligned squares) and the cell area."""
    bounds = shapely.bounds(np.asarray(cells.geometry.array))
    size = float(np.median(bounds[:, 2] - bounds[:, 0]))
    widths = np.r_[bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]]
    if size <= 0 or not np.allclose(widths, size, rtol=1e-6):
        raise ParameterError(
            "prediction_accuracy: the result's cells are not equal squares; grid outputs "
            "need the square cells the grid methods return."
        )
    x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
    col = np.rint((bounds[:, 0] - x0) / size).astype(np.int64)
    row = np.rint((bounds[:, 1] - y0) / size).astype(np.int64)
    nx = int(col.max()) + 1
    cell_keys = row * nx + col
    by_key = np.argsort(cell_keys, kind="stable")
    sorted_keys = cell_keys[by_key]
    pc = np.floor((x - x0) / size).astype(np.int64)
    pr = np.floor((y - y0) / size).astype(np.int64)
    inside = (pc >= 0) & (pc < nx) & (pr >= 0) & (pr <= int(row.max()))
    keys = pr[inside] * nx + pc[inside]
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found = sorted_keys[at] == keys
    counts = np.bincount(by_key[at[found]], minlength=len(cells)).astype(float)
    return counts, size * size


def _grid_accuracy(
    result: HotspotResult, x: np.ndarray, y: np.ndarray, coverages: tuple[float, ...]
) -> list[dict[str, Any]]:
    cells = result.cells
    counts, cell_area = _cell_counts(cells, x, y)
    K = len(cells)
    N = float(counts.sum())
    order = _ranking(cells)
    best = np.sort(counts)[::-1]
    rows = []
    for cov in coverages:
        k = math.floor(cov * K + 1e-9)
        n = float(counts[order[:k]].sum())
        n_star = float(best[:k].sum())
        note = ""
        if k == 0:
            note = (f"{cov:.2%} of {K} cells is less than one cell: nothing selected; use a "
                    "larger coverage or a smaller cell size.")
        rows.append(_row(cov, "cells", k, k * cell_area, K * cell_area, n, N, n_star, note))
    return rows


def _row(
    coverage: float, units: str, k: int, a: float, A: float, n: float, N: float,
    n_star: float, note: str,
) -> dict[str, Any]:
    hit = n / N if N > 0 else math.nan
    share = a / A if A > 0 else math.nan
    comparable = bool(k > 0 and share >= COMPARABLE_SHARE * coverage * (1 - AREA_SLACK))
    if k > 0 and not comparable:
        note = (note + " " if note else "") + (
            f"only {share:.2%} of the area could be selected (all of the output, or up to "
            f"a {units[:-1]} that would overshoot): not comparable with outputs at "
            f"{coverage:.0%}."
        )
    pai = hit / share if k > 0 and share > 0 and N > 0 else math.nan
    pei = n / n_star if n_star > 0 else math.nan
    return {
        "coverage": coverage,
        "area_share": share,
        "units": units,
        "n_units": int(k),
        "area_km2": a / 1e6,
        "study_area_km2": A / 1e6,
        "n": int(round(n)),
        "N": int(round(N)),
        "n_star": int(round(n_star)),
        "hit_rate": hit,
        "pai": pai,
        "pei": pei,
        "comparable": comparable,
        "note": note,
    }


# --------------------------------------------------------------------------- polygon outputs


def _polygon_accuracy(
    result: HotspotResult,
    x: np.ndarray,
    y: np.ndarray,
    coverages: tuple[float, ...],
    area_geom: shapely.Geometry,
    grid: Grid | None,
) -> list[dict[str, Any]]:
    shapely.prepare(area_geom)
    inside = shapely.contains_xy(area_geom, x, y) | shapely.intersects_xy(
        area_geom.boundary, x, y)
    x, y = x[inside], y[inside]
    N = float(x.size)
    A = float(area_geom.area)
    polys = np.asarray(result.cells.geometry.array)[_ranking(result.cells)]
    if grid is None:
        grid = make_grid(area_geom.bounds, crs=result.cells.crs,
                         cell_size=default_cell_size(x, y, bounds=area_geom.bounds))
    mask = study_area_mask(grid, gpd.GeoSeries([area_geom], crs=result.cells.crs))
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=result.cells.crs)
    best = np.sort(count_points(grid, pts)[mask])[::-1]
    rows = []
    for cov in coverages:
        limit = cov * A * (1 + AREA_SLACK)
        union = shapely.Polygon()
        k = 0
        for poly in polys:
            grown = shapely.intersection(shapely.union(union, poly), area_geom)
            if grown.area > limit:
                break
            union, k = grown, k + 1
        shapely.prepare(union)
        n = float((shapely.contains_xy(union, x, y) | shapely.intersects_xy(
            union.boundary, x, y)).sum()) if k else 0.0
        k_cells = int(round(union.area / grid.cell_area))
        n_star = float(best[:k_cells].sum())
        note = ""
        if k == 0 and len(polys):
            note = (f"the top-ranked polygon alone covers more than {cov:.2%} of the study "
                    "area: nothing selected.")
        rows.append(_row(cov, "polygons", k, union.area, A, n, N, n_star, note))
    return rows


def prediction_accuracy(
    result: HotspotResult,
    test: gpd.GeoDataFrame,
    *,
    coverages: Sequence[float] | float = DEFAULT_COVERAGES,
    area: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    grid: Grid | None = None,
) -> pd.DataFrame:
    """Hit rate, PAI and PEI of a hotspot output against later (test-period) crimes.

    Parameters
    ----------
    result : HotspotResult
        A hotspot output made on an earlier (training) period: grid cells
        (``layer="cells"``) or polygons (``layer="clusters"``), with ``score`` and
        ``hotspot``.
    test : GeoDataFrame
        The test period's crimes (points, same projected CRS).
    coverages : float or sequence of float, default DEFAULT_COVERAGES (1%, 2%, 5%)
        Shares of the study area to select.
    area : GeoDataFrame, GeoSeries or shapely geometry, optional
        Study area for polygon outputs (default: the convex hull of the polygons and the
        test crimes, with a note). Grid outputs use their own cells as the study area.
    grid : Grid, optional
        Comparison grid for the PEI of polygon outputs (default: the default cell size
        over the study area).

    Returns
    -------
    DataFrame
        One row per coverage: ``coverage``, ``area_share`` (a / A actually taken),
        ``units`` ("cells" or "polygons"), ``n_units`` (how many taken), ``area_km2``,
        ``study_area_km2``, ``n``, ``N``, ``n_star``, ``hit_rate`` (n / N), ``pai``
        ((n / N) / (a / A)), ``pei`` (n / n*), ``comparable`` (at least
        :data:`COMPARABLE_SHARE` of the coverage was selected), ``note``. ``attrs``
        carries the study area and selection rules and how many test crimes fell outside
        the study area.

    Examples
    --------
    A 10 × 10 grid whose top-scored cell holds 6 of the 20 test crimes; 1% of the area is
    that one cell, so PAI = (6/20) / (1/100) = 30; the best single cell holds 8, so
    PEI = 6/8.

    >>> import geopandas as gpd
    >>> from hotspots.methods.grid import make_grid
    >>> grid = make_grid((0, 0, 99, 99), cell_size=10)
    >>> score = np.zeros(grid.shape); score[0, 0] = 5.0
    >>> cells = grid.to_geodataframe({"score": score, "hotspot": score > 0})
    >>> result = HotspotResult(cells, "count", {})
    >>> x = [5.0] * 6 + [55.0] * 8 + [95.0] * 6; y = [5.0] * 6 + [55.0] * 8 + list(range(6))
    >>> test = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")
    >>> row = prediction_accuracy(result, test, coverages=0.01).iloc[0]
    >>> int(row["n"]), int(row["N"]), float(row["hit_rate"]), float(row["pai"]), float(row["pei"])
    (6, 20, 0.3, 30.0, 0.75)
    """
    func = "prediction_accuracy"
    result = _check_result(result, func)
    covs = check_coverages(coverages, func=func)
    x, y = located_xy(test, name="test", func=func)
    notes: list[str] = []
    if len(result.cells) == 0:
        raise EmptySelectionError(
            f"{func}: the result has no {result.layer}; there is nothing to score."
        )
    if result.layer == "cells":
        rows = _grid_accuracy(result, x, y, covs)
    else:
        if area is None:
            hull = shapely.union_all(
                [shapely.union_all(np.asarray(result.cells.geometry.array)),
                 shapely.multipoints(np.c_[x, y])]
            ).convex_hull
            area_geom = hull
            notes.append("No study area given: the convex hull of the polygons and the test "
                         "crimes was used.")
        else:
            area_geom = area_geometry(area, result.cells.crs, func=func)
        rows = _polygon_accuracy(result, x, y, covs, area_geom, grid)
    table = pd.DataFrame(rows)
    outside = int(x.size - table["N"].iloc[0])
    if outside:
        notes.append(f"{outside:,} of {x.size:,} test crimes fall outside the study area and "
                     "are not counted in N.")
    table.attrs.update({"study_area_rule": STUDY_AREA_RULE, "selection_rule": SELECTION_RULE,
                        "test_crimes": int(x.size), "outside": outside, "notes": notes})
    return table
