"""How well does a hotspot map predict later crime? Hit rate, PAI and PEI, with intervals.

A hotspot output made on an earlier (training) period is scored against the crimes of a
later (test) period, the way ``--method auto`` and ``compare`` score every candidate
(:mod:`hotspots.methods.scoring`):

* One study area for every output: the area given (else the convex hull of the output and
  the test crimes), cut into common 100 m cells, those whose centre lies in it. A = their
  number K times the cell area; N = the test crimes in them.
* Every output, grid cells of any size or cluster polygons, is averaged onto those cells
  from 16 sample points a cell (a point outside the output scores below everything), and
  the cells are ranked by that score.
* At coverage c, the top k = floor(c x K) cells are taken (at least one); cells tied at the
  cut-off count by their expected share. n = test crimes in them, hit rate = n / N,
  PAI = (n / N) / (k / K), PEI = n / n*, n* the most any k cells hold.
* 95% intervals by a seeded percentile bootstrap (by default over the scoring cells, each
  with its test crimes; or over single test crimes), paired across outputs.
* A polygon output that covers less than :data:`COMPARABLE_SHARE` of the cells taken is
  marked not comparable: the rest of its selection is chance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import Grid
from hotspots.methods.scoring import COMMON_CELL_SIZE
from hotspots.methods.scoring import N_BOOT
from hotspots.methods.scoring import TIE_RULE
from hotspots.methods.scoring import CommonGrid
from hotspots.methods.scoring import HitRates
from hotspots.methods.scoring import bootstrap_rule
from hotspots.methods.scoring import common_grid
from hotspots.methods.scoring import hit_rates
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry
from hotspots.spatial import point_coordinates
from hotspots.validation import float_param
from hotspots.validation import require_projected

__all__ = [
    "COMPARABLE_SHARE",
    "DEFAULT_COVERAGES",
    "BOOTSTRAP_UNIT",
    "SELECTION_RULE",
    "STUDY_AREA_RULE",
    "accuracy_rows",
    "check_coverages",
    "located_xy",
    "output_scores",
    "prediction_accuracy",
]

#: Shares of the study area at which accuracy is reported. Small shares match how hotspot
#: maps are used (a few places get the extra patrols or the scheme); PAI at 1-5% of the
#: area is the usual report in the PAI literature (e.g. Chainey, Tompson & Uhlig 2008 and
#: the crime-forecasting challenges that followed, which scored 0.25-5%).
DEFAULT_COVERAGES: tuple[float, ...] = (0.01, 0.02, 0.05)
#: A row is comparable at its coverage when the output itself ranked at least this share of
#: the cells taken (the rest are chance picks among cells it says nothing about). A rule of
#: this project: 80% leaves room for polygons, which rarely fill a share exactly.
COMPARABLE_SHARE = 0.8
#: The bootstrap's unit for accuracy intervals: the scoring cells with their test crimes
#: (a cluster bootstrap; repeat victimisation makes a place's crimes move together).
BOOTSTRAP_UNIT = "cells"

STUDY_AREA_RULE = (
    "one study area for every output: the area given (else the convex hull of the output and "
    "the test crimes), as common {cell:g} m cells whose centre lies in it; A = cells x cell "
    "area, N = test crimes in those cells. Test crimes outside are not counted."
)
SELECTION_RULE = (
    "each output's score is averaged onto the common cells from 16 sample points a cell "
    "(points outside the output score below everything); " + TIE_RULE + "; hit rate = n / N, "
    "PAI = (n / N) / (k / K), PEI = n / n*, n* = the most test crimes any k cells hold"
)


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
    if "score" not in result.cells.columns:
        raise ParameterError(f"{func} needs a 'score' column in result.cells; it is missing.")
    if len(result.cells) == 0:
        raise EmptySelectionError(
            f"{func}: the result has no {result.layer}; there is nothing to score."
        )
    return result


def located_xy(points: gpd.GeoDataFrame, *, name: str, func: str) -> tuple[np.ndarray, np.ndarray]:
    """x, y of the points that have a location (projected CRS checked, naming ``name``)."""
    require_projected(points, name=name)
    x, y = point_coordinates(points, func=func)
    located = np.isfinite(x) & np.isfinite(y)
    return x[located], y[located]


def _as_grid(cells: gpd.GeoDataFrame) -> tuple[Grid, np.ndarray] | None:
    """The grid and score array of equal, aligned square cells; None for other shapes."""
    bounds = shapely.bounds(np.asarray(cells.geometry.array))
    widths = bounds[:, 2] - bounds[:, 0]
    heights = bounds[:, 3] - bounds[:, 1]
    size = float(np.median(widths))
    if size <= 0 or not (np.allclose(widths, size, rtol=1e-6)
                         and np.allclose(heights, size, rtol=1e-6)):
        return None
    x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
    col = np.rint((bounds[:, 0] - x0) / size).astype(np.int64)
    row = np.rint((bounds[:, 1] - y0) / size).astype(np.int64)
    if not (np.allclose(x0 + col * size, bounds[:, 0]) and np.allclose(y0 + row * size,
                                                                        bounds[:, 1])):
        return None
    grid = Grid(x0, y0, size, int(col.max()) + 1, int(row.max()) + 1,
                cells.crs.to_string() if cells.crs is not None else "")
    values = np.full(grid.shape, np.nan)
    values[row, col] = cells["score"].to_numpy(dtype=float)
    return grid, values


def output_scores(result: HotspotResult, common: CommonGrid) -> tuple[np.ndarray, np.ndarray]:
    """A hotspot output on the common cells: its averaged score, and where it ranks at all.

    Returns ``(score, ranked)``, both of shape (K,): ``ranked`` is True for common cells
    the output covers (with a finite score) at least in part.

    Examples
    --------
    >>> from hotspots.methods.grid import make_grid
    >>> from hotspots.methods.scoring import common_grid
    >>> grid = make_grid((0, 0, 399, 199), cell_size=200)
    >>> cells = grid.to_geodataframe({"score": np.array([[1.0, 5.0]]), "hotspot":
    ...                               np.array([[False, True]])})
    >>> common = common_grid(None, crs="EPSG:27700", bounds=(0, 0, 399, 199))
    >>> output_scores(HotspotResult(cells, "count", {}), common)[0].tolist()
    [1.0, 1.0, 5.0, 5.0, 1.0, 1.0, 5.0, 5.0]
    """
    cells = result.cells
    score = cells["score"].to_numpy(dtype=float)
    on_grid = _as_grid(cells) if result.layer == "cells" else None
    if on_grid is not None:
        grid, values = on_grid
        projected = common.project(grid, values)
        covered = common.project(grid, np.isfinite(values).astype(float), floor=0.0)
    else:
        geoms = np.asarray(cells.geometry.array)
        projected = common.project_polygons(geoms, score)
        covered = common.project_polygons(geoms, np.ones(len(geoms)))
    return projected, covered > 0


def study_area(result_geoms: np.ndarray | None, x: np.ndarray, y: np.ndarray,
               area: Any, crs: Any, *, func: str) -> tuple[shapely.Geometry, str]:
    """The study area geometry and how it was chosen (the area given, else a convex hull)."""
    if area is not None:
        return area_geometry(area, crs, func=func), "the study area given"
    parts = [shapely.multipoints(np.c_[x, y])] if x.size else []
    if result_geoms is not None and len(result_geoms):
        b = shapely.bounds(result_geoms)
        corners = np.r_[b[:, [0, 1]], b[:, [2, 3]], b[:, [0, 3]], b[:, [2, 1]]]
        parts.append(shapely.multipoints(corners))
    hull = shapely.union_all(parts).convex_hull if parts else shapely.Polygon()
    if hull.area <= 0:
        raise EmptySelectionError(
            f"{func}: the output and the test crimes lie on a line or a point, so they have "
            "no area; pass a study area ('area')."
        )
    return hull, "convex hull of the output and the test crimes (no study area given)"


def accuracy_rows(rates: HitRates, index: int, *, ranked: np.ndarray,
                  cell_area: float) -> dict[str, Any]:
    """One table row (hit rate, PAI, PEI and their intervals) for ranking ``index``.

    ``ranked`` marks the common cells the output ranks itself (see :func:`output_scores`).
    """
    lo, hi = rates.hit_interval()
    plo, phi = rates.pai_interval()
    elo, ehi = rates.pei_interval()
    i = index
    ranked_share = _ranked_share(rates, i, ranked)
    comparable = bool(ranked_share >= COMPARABLE_SHARE - 1e-9)
    note = "" if comparable else (
        f"the output ranks only {ranked_share:.0%} of the {rates.k:,} cells taken at "
        f"{rates.coverage:.0%}; the rest are chance picks: not comparable")
    return {
        "coverage": rates.coverage,
        "area_share": rates.area_share,
        "n_cells": rates.k,
        "area_km2": rates.k * cell_area / 1e6,
        "study_area_km2": rates.K * cell_area / 1e6,
        "n": round(float(rates.n[i]), 2),
        "N": int(round(rates.N)),
        "n_star": int(round(rates.n_star)),
        "hit_rate": float(rates.hit[i]),
        "hit_rate_low": float(lo[i]),
        "hit_rate_high": float(hi[i]),
        "pai": float(rates.pai[i]),
        "pai_low": float(plo[i]),
        "pai_high": float(phi[i]),
        "pei": float(rates.pei[i]),
        "pei_low": float(elo[i]),
        "pei_high": float(ehi[i]),
        "ranked_share": ranked_share,
        "comparable": comparable,
        "note": note,
    }


def _ranked_share(rates: HitRates, index: int, ranked: np.ndarray) -> float:
    """Share of ranking ``index``'s selection that falls on cells it ranks itself."""
    weights = rates.selection[index]
    return float(weights[ranked].sum() / weights.sum()) if weights.sum() > 0 else 0.0


def prediction_accuracy(
    result: HotspotResult,
    test: gpd.GeoDataFrame,
    *,
    coverages: Sequence[float] | float = DEFAULT_COVERAGES,
    area: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    cell_size: float = COMMON_CELL_SIZE,
    n_boot: int = N_BOOT,
    seed: int = 0,
    unit: str = BOOTSTRAP_UNIT,
) -> pd.DataFrame:
    """Hit rate, PAI and PEI of a hotspot output against later (test-period) crimes.

    Parameters
    ----------
    result : HotspotResult
        A hotspot output made on an earlier (training) period: grid cells of any size or
        polygons, with ``score`` (higher is hotter).
    test : GeoDataFrame
        The test period's crimes (points, same projected CRS).
    coverages : float or sequence of float, default DEFAULT_COVERAGES (1%, 2%, 5%)
        Shares of the study area to select.
    area : GeoDataFrame, GeoSeries or shapely geometry, optional
        Study area (default: the convex hull of the output and the test crimes).
    cell_size : float, default COMMON_CELL_SIZE (100 m)
        Side of the common scoring cells.
    n_boot : int, default N_BOOT (999)
        Bootstrap replicates for the intervals.
    seed : int, default 0
        Seed of the bootstrap.
    unit : {"cells", "crimes"}, default "cells"
        What the bootstrap resamples (see :func:`hotspots.methods.scoring.hit_rates`).

    Returns
    -------
    DataFrame
        One row per coverage: ``coverage``, ``area_share`` (k / K), ``n_cells`` (k),
        ``area_km2``, ``study_area_km2``, ``n`` (expected, ties by share), ``N``,
        ``n_star``, ``hit_rate``, ``pai``, ``pei``, each with ``_low`` and ``_high``
        (95% interval), ``ranked_share``, ``comparable``, ``note``. ``attrs`` carries the
        rules and how many test crimes fell outside the study area.

    Examples
    --------
    A 10 x 10 grid of 10 m cells scored on 10 m common cells: the top-scored cell holds 6
    of the 20 test crimes; 1% of the area is that one cell, so PAI = (6/20) / (1/100) = 30;
    the best single cell holds 8, so PEI = 6/8.

    >>> import geopandas as gpd
    >>> from hotspots.methods.grid import make_grid
    >>> grid = make_grid((0, 0, 99, 99), cell_size=10)
    >>> score = np.zeros(grid.shape); score[0, 0] = 5.0
    >>> cells = grid.to_geodataframe({"score": score, "hotspot": score > 0})
    >>> result = HotspotResult(cells, "count", {})
    >>> x = [5.0] * 6 + [55.0] * 8 + [95.0] * 6; y = [5.0] * 6 + [55.0] * 8 + list(range(6))
    >>> test = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")
    >>> row = prediction_accuracy(result, test, coverages=0.01, cell_size=10,
    ...                           n_boot=99).iloc[0]
    >>> float(row["n"]), int(row["N"]), float(row["hit_rate"]), float(row["pai"]), float(row["pei"])
    (6.0, 20, 0.3, 30.0, 0.75)
    """
    func = "prediction_accuracy"
    result = _check_result(result, func)
    covs = check_coverages(coverages, func=func)
    crs = require_projected(result.cells, name="result.cells")
    x, y = located_xy(test, name="test", func=func)
    geom, area_rule = study_area(np.asarray(result.cells.geometry.array), x, y, area, crs,
                                 func=func)
    common = common_grid(geom, crs=crs.to_string(), cell_size=cell_size)
    score, ranked = output_scores(result, common)
    test_cell = common.cell_index(x, y)
    rows = []
    for cov in covs:
        rates = hit_rates([score], test_cell, n_cells=common.n_cells, coverage=cov,
                          n_boot=n_boot, seed=seed, unit=unit)
        rows.append(accuracy_rows(rates, 0, ranked=ranked, cell_area=common.grid.cell_area))
    table = pd.DataFrame(rows)
    outside = int((test_cell < 0).sum())
    notes = [] if not outside else [
        f"{outside:,} of {x.size:,} test crimes fall outside the study area's cells and are "
        "not counted in N."]
    table.attrs.update({
        "study_area": area_rule,
        "study_area_rule": STUDY_AREA_RULE.format(cell=cell_size),
        "selection_rule": SELECTION_RULE,
        "intervals": bootstrap_rule(unit, n_boot, seed),
        "test_crimes": int(x.size), "outside": outside, "notes": notes,
    })
    return table

