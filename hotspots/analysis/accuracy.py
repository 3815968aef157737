"""Does a hotspot map predict next period's crime? Hit rate, PAI and PEI, and method comparison.

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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import EmptySelectionError, HotspotsError, ParameterError
from hotspots.methods.grid import Grid, count_points, default_cell_size, make_grid, study_area_mask
from hotspots.result import HotspotResult
from hotspots.validation import require_projected

__all__ = [
    "COMPARABLE_SHARE",
    "DEFAULT_COVERAGES",
    "KDE_BANDWIDTH_CELLS",
    "SELECTION_RULE",
    "STUDY_AREA_RULE",
    "compare_methods",
    "default_candidates",
    "plot_comparison",
    "prediction_accuracy",
    "recommend",
    "run_candidate",
    "study_area_and_grid",
]

#: Shares of the study area at which accuracy is reported. Small shares match how hotspot
#: maps are used (a few places get the extra patrols or the scheme); PAI at 1–5% of the
#: area is the usual report in the PAI literature (e.g. Chainey, Tompson & Uhlig 2008 and
#: the crime-forecasting challenges that followed, which scored 0.25–5%).
DEFAULT_COVERAGES: tuple[float, ...] = (0.01, 0.02, 0.05)
#: KDE bandwidths tried by default, in cells: fine, medium and coarse smoothing (with the
#: default cell size of 1/50 of the short side, 2–8 cells is roughly 100–800 m over a
#: city), so the comparison shows how much the bandwidth matters, the question Chainey
#: (2013) studied for KDE hotspot maps.
KDE_BANDWIDTH_CELLS: tuple[float, ...] = (2.0, 4.0, 8.0)
#: A row is comparable at its coverage when at least this share of the coverage asked for
#: was actually selected. PAI falls as the area grows, so a method whose polygons cover only
#: 1% of the area cannot be ranked against cells covering 5% (a rule of this project: 80%
#: leaves room for whole cells and polygons, which rarely hit the share exactly).
COMPARABLE_SHARE = 0.8
#: Relative gap in PAI under which a runner-up is named as "about as accurate".
CLOSE_PAI = 0.10
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


def _check_coverages(coverages: Any, func: str) -> tuple[float, ...]:
    if isinstance(coverages, int | float):
        coverages = (coverages,)
    try:
        values = tuple(float(c) for c in coverages)
    except (TypeError, ValueError):
        raise ParameterError(
            f"The 'coverages' parameter of {func} must be numbers in (0, 1], e.g. "
            f"(0.01, 0.02, 0.05); got {coverages!r}."
        ) from None
    bad = [c for c in values if not (0 < c <= 1) or not math.isfinite(c)]
    if not values or bad:
        raise ParameterError(
            f"The 'coverages' parameter of {func} must be shares of the study area in (0, 1] "
            f"(0.05 = 5%); got {coverages!r}."
        )
    return tuple(sorted(set(values)))


def _check_result(result: Any, func: str) -> HotspotResult:
    if not isinstance(result, HotspotResult):
        raise TypeError(f"'result' of {func} should be a HotspotResult, got {type(result)}.")
    missing = [c for c in ("score", "hotspot") if c not in result.cells.columns]
    if missing:
        raise ParameterError(
            f"{func} needs 'score' and 'hotspot' columns in result.cells; {missing} missing."
        )
    return result


def _points_xy(points: gpd.GeoDataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    require_projected(points, name=name)
    geoms = np.asarray(points.geometry.array)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    coords = shapely.get_coordinates(geoms[ok])
    return coords[:, 0], coords[:, 1]


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
        grid = make_grid(area_geom.bounds, cell_size=default_cell_size(area_geom.bounds),
                         crs=result.cells.crs)
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


def _area_geometry(area: Any, crs: Any) -> shapely.Geometry:
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise ParameterError("The 'area' has no CRS; set it with area.set_crs(...).")
        return area.to_crs(crs).union_all()
    if isinstance(area, shapely.Geometry):
        return area
    raise TypeError(
        f"'area' should be a GeoDataFrame, GeoSeries or shapely geometry, got {type(area)}."
    )


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
    covs = _check_coverages(coverages, func)
    x, y = _points_xy(test, "test")
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
            area_geom = _area_geometry(area, result.cells.crs)
        rows = _polygon_accuracy(result, x, y, covs, area_geom, grid)
    table = pd.DataFrame(rows)
    outside = int(x.size - table["N"].iloc[0])
    if outside:
        notes.append(f"{outside:,} of {x.size:,} test crimes fall outside the study area and "
                     "are not counted in N.")
    table.attrs.update({"study_area_rule": STUDY_AREA_RULE, "selection_rule": SELECTION_RULE,
                        "test_crimes": int(x.size), "outside": outside, "notes": notes})
    return table


# --------------------------------------------------------------------------- comparison


def default_candidates(cell_size: float) -> list[dict[str, Any]]:
    """The methods and parameters :func:`compare_methods` tries by default.

    Grid counts; KDE at :data:`KDE_BANDWIDTH_CELLS` × ``cell_size`` and at its default
    (normal-reference) bandwidth; Gi*; DBSCAN and HDBSCAN with their defaults; emerging
    hot spots.

    Examples
    --------
    >>> [c["method"] for c in default_candidates(100)][:3]
    ['count', 'kde', 'kde']
    >>> default_candidates(100)[1]
    {'method': 'kde', 'bandwidth': 200.0}
    """
    candidates: list[dict[str, Any]] = [{"method": "count"}]
    candidates += [{"method": "kde", "bandwidth": float(b * cell_size)}
                   for b in KDE_BANDWIDTH_CELLS]
    candidates += [{"method": "kde"}, {"method": "gistar"}, {"method": "dbscan"},
                   {"method": "hdbscan"}, {"method": "emerging"}]
    return candidates


_CANDIDATE_KEYS = {
    "count": (),
    "kde": ("bandwidth",),
    "gistar": ("distance",),
    "dbscan": ("eps", "min_samples"),
    "hdbscan": ("min_cluster_size", "min_samples"),
    "emerging": ("distance", "step"),
}


def _check_candidate(candidate: Any) -> dict[str, Any]:
    if not isinstance(candidate, Mapping) or candidate.get("method") not in _CANDIDATE_KEYS:
        raise ParameterError(
            f"Each candidate must be a dict with 'method' one of "
            f"{', '.join(map(repr, _CANDIDATE_KEYS))} (and that method's options), got "
            f"{candidate!r}."
        )
    allowed = _CANDIDATE_KEYS[candidate["method"]]
    extra = [k for k in candidate if k != "method" and k not in allowed]
    if extra:
        raise ParameterError(
            f"Candidate {dict(candidate)!r}: {extra} not options of {candidate['method']!r} "
            f"(allowed: {', '.join(allowed) or 'none'})."
        )
    return dict(candidate)


def run_candidate(
    train: gpd.GeoDataFrame,
    candidate: Mapping[str, Any],
    *,
    grid: Grid,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
) -> HotspotResult:
    """Run one candidate (``{"method": ..., options}``) on the training crimes.

    Grid methods and emerging hot spots use ``grid`` and ``area``; clustering uses neither.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspots.methods.grid import make_grid
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 15], [5, 6, 5]),
    ...                        crs="EPSG:27700")
    >>> run_candidate(pts, {"method": "count"}, grid=make_grid((0, 0, 19, 9), cell_size=10)
    ...               ).cells["count"].tolist()
    [2.0, 1.0]
    """
    cand = _check_candidate(candidate)
    method = cand.pop("method")
    if method == "emerging":
        from hotspots.methods.emerging import emerging_hotspots

        return emerging_hotspots(train, grid=grid, area=area, **cand)
    from hotspots.methods.find import find_hotspots

    if method in ("dbscan", "hdbscan"):
        return find_hotspots(train, method=method, **cand)
    return find_hotspots(train, method=method, grid=grid, area=area, **cand)


def _label(method: str, result: HotspotResult | None, candidate: Mapping[str, Any]) -> str:
    params = result.params if result is not None else {}
    if method == "count":
        return "Grid counts"
    if method == "kde":
        h = params.get("bandwidth", candidate.get("bandwidth"))
        given = "bandwidth" in candidate
        text = f"{h:.0f} m" if h is not None else "default"
        return f"KDE (bandwidth {text}{'' if given else ', default rule'})"
    if method == "gistar":
        return "Gi* hot spots"
    if method == "dbscan":
        return f"DBSCAN clusters (eps {params.get('eps', candidate.get('eps', 0)):g} m)"
    if method == "hdbscan":
        return "HDBSCAN clusters"
    return "Emerging hot spots"


def _param_text(candidate: Mapping[str, Any], result: HotspotResult | None) -> str:
    parts = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
             for k, v in candidate.items() if k != "method"]
    if result is not None and "cell_size" in result.params:
        parts.insert(0, f"cell_size={result.params['cell_size']:g}")
    return ", ".join(parts)


def study_area_and_grid(
    train: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    cell_size: float | None = None,
) -> tuple[gpd.GeoSeries | gpd.GeoDataFrame, str, Grid]:
    """The study area, its plain-language definition, and the shared grid of a comparison.

    Without ``area``, the study area is the convex hull of the training and test crimes.
    The grid covers the study area's bounds with ``cell_size`` (default: the shorter side
    / 50, rounded down), origin snapped, in the crimes' CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1000, 0], [0, 0, 800]),
    ...                        crs="EPSG:27700")
    >>> area, rule, grid = study_area_and_grid(pts, pts, cell_size=100)
    >>> round(float(area.area.iloc[0])), rule.split(" (")[0], grid.shape
    (400000, 'convex hull of the training and test crimes', (9, 11))
    """
    crs = require_projected(train, name="train")
    require_projected(test, name="test")
    if area is None:
        tx, ty = _points_xy(train, "train")
        sx, sy = _points_xy(test, "test")
        hull = shapely.multipoints(np.c_[np.r_[tx, sx], np.r_[ty, sy]]).convex_hull
        if hull.area <= 0:
            raise EmptySelectionError(
                "compare_methods: the crimes lie on a line or a point, so they have no area; "
                "pass a study area ('area')."
            )
        area = gpd.GeoSeries([hull], crs=crs)
        rule = "convex hull of the training and test crimes (no study area given)"
    else:
        rule = "the study area given"
    geom = _area_geometry(area, crs)
    grid = make_grid(geom.bounds, cell_size=cell_size, crs=crs)
    return area, rule, grid


def compare_methods(
    train: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    coverages: Sequence[float] | float = DEFAULT_COVERAGES,
    candidates: Iterable[Mapping[str, Any]] | None = None,
    cell_size: float | None = None,
) -> pd.DataFrame:
    """Rank hotspot methods by how well a map of the training period predicts the test period.

    Every candidate is run on ``train`` (grid methods on one shared grid over the study
    area) and scored with :func:`prediction_accuracy` against ``test``.

    Parameters
    ----------
    train, test : GeoDataFrame
        Crimes of the training period and of the later test period (projected CRS).
    area : GeoDataFrame or GeoSeries, optional
        Study area. Default: the convex hull of the training and test crimes (stated in
        ``attrs["study_area"]``).
    coverages : float or sequence of float, default (0.01, 0.02, 0.05)
        Shares of the study area to score at.
    candidates : iterable of dict, optional
        ``{"method": "kde", "bandwidth": 300}`` and so on; methods ``count``, ``kde``,
        ``gistar``, ``dbscan``, ``hdbscan``, ``emerging``. Default
        :func:`default_candidates`.
    cell_size : float, optional
        Cell size of the shared grid (default: the shorter side of the study area / 50,
        rounded down; :func:`hotspots.grid.default_cell_size`).

    Returns
    -------
    DataFrame
        Tidy: one row per candidate and coverage with ``method``, ``label``, ``params``,
        ``coverage`` and the columns of :func:`prediction_accuracy`, plus ``rank`` (by PAI
        among the comparable rows of each coverage, 1 = best); sorted by coverage, then
        comparable rows by PAI (best first), then the rest. A
        candidate that could not run keeps its rows with NaN scores and the reason in
        ``note``. ``attrs`` holds the rules, the grid and the study-area definition.

    Examples
    --------
    >>> import geopandas as gpd
    >>> rng = np.random.default_rng(0)
    >>> def crimes(n):
    ...     xy = np.r_[rng.uniform(0, 2000, (n, 2)), rng.normal(500, 40, (n, 2))]
    ...     return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
    ...                             crs="EPSG:27700")
    >>> table = compare_methods(crimes(300), crimes(100), cell_size=100, coverages=0.05,
    ...                         candidates=[{"method": "count"}, {"method": "gistar"}])
    >>> table[["method", "coverage", "rank"]].values.tolist()
    [['gistar', 0.05, 1], ['count', 0.05, 2]]
    >>> bool(table["pai"].iloc[0] > 5)
    True
    """
    func = "compare_methods"
    covs = _check_coverages(coverages, func)
    crs = require_projected(train, name="train")
    require_projected(test, name="test")
    if len(train) == 0 or len(test) == 0:
        raise EmptySelectionError(
            f"{func} needs crimes in both periods; got {len(train):,} training and "
            f"{len(test):,} test crimes. Check the training and test months."
        )
    cands = [_check_candidate(c) for c in (candidates if candidates is not None else [])]
    area, area_rule, grid = study_area_and_grid(train, test, area=area, cell_size=cell_size)
    area_geom = _area_geometry(area, crs)
    if candidates is None:
        cands = default_candidates(grid.cell_size)

    rows: list[dict[str, Any]] = []
    for order, cand in enumerate(cands):
        result, error = None, ""
        try:
            result = run_candidate(train, cand, grid=grid, area=area)
            scores = prediction_accuracy(result, test, coverages=covs, area=area_geom,
                                         grid=grid)
        except HotspotsError as exc:
            error = f"could not run: {exc}"
            scores = pd.DataFrame({"coverage": covs, "note": error})
        label = _label(cand["method"], result, cand)
        for rec in scores.to_dict("records"):
            rows.append({"method": cand["method"], "label": label,
                         "params": _param_text(cand, result), "candidate": order, **rec})
    table = pd.DataFrame(rows)
    for col in ("area_share", "hit_rate", "pai", "pei"):
        if col not in table:
            table[col] = np.nan
    table["comparable"] = table.get("comparable", False)
    table["comparable"] = table["comparable"].fillna(False).astype(bool)
    ranked = table["pai"].where(table["comparable"])
    table["rank"] = (
        ranked.groupby(table["coverage"]).rank(ascending=False, method="min").astype("Int64")
    )
    table["_order"] = ~table["comparable"]
    table = table.sort_values(["coverage", "_order", "pai", "hit_rate", "candidate"],
                              ascending=[True, True, False, False, True], na_position="last",
                              kind="stable").drop(columns="_order").reset_index(drop=True)
    table.attrs.update({
        "study_area": area_rule,
        "study_area_rule": STUDY_AREA_RULE,
        "selection_rule": SELECTION_RULE,
        "grid": {"cell_size": grid.cell_size, "origin": (grid.x0, grid.y0),
                 "shape": grid.shape, "crs": grid.crs},
        "n_train": len(train),
        "n_test": len(test),
    })
    return table


def recommend(table: pd.DataFrame, *, coverage: float = 0.05) -> tuple[pd.Series, str]:
    """Pick the method with the highest PAI at ``coverage`` and say why, in plain words.

    Only comparable rows count (those that selected at least :data:`COMPARABLE_SHARE` of
    the coverage: a method whose clusters cover 1% of the area is not ranked at 5%). Ties
    in PAI go to the higher hit rate, then to the earlier candidate.

    Parameters
    ----------
    table : DataFrame
        From :func:`compare_methods`.
    coverage : float, default 0.05
        The share of the study area the recommendation is for.

    Returns
    -------
    row : Series
        The recommended row of ``table``.
    sentence : str
        A plain-language recommendation, naming a close runner-up when there is one.

    Examples
    --------
    >>> table = pd.DataFrame({"method": ["kde", "count"], "label": ["KDE", "Grid counts"],
    ...     "coverage": [0.05, 0.05], "hit_rate": [0.3, 0.2], "pai": [6.0, 4.0],
    ...     "pei": [0.8, 0.5], "n": [30, 20], "N": [100, 100], "candidate": [1, 0]})
    >>> row, text = recommend(table)
    >>> row["method"], text.split(":")[0]
    ('kde', 'At 5% of the study area, KDE would have captured 30% of the test-period crimes')
    """
    coverage = float(coverage)
    if "coverage" not in table or "pai" not in table:
        raise ParameterError("recommend needs the table that compare_methods returns.")
    at = table[np.isclose(table["coverage"].astype(float), coverage)]
    if len(at) == 0:
        have = ", ".join(f"{c:g}" for c in sorted(table["coverage"].unique()))
        raise ParameterError(
            f"recommend: the table has no rows at coverage {coverage:g}; it has {have}."
        )
    valid = at[at["pai"].notna()]
    if "comparable" in valid:
        valid = valid[valid["comparable"].astype(bool)]
    if len(valid) == 0:
        raise EmptySelectionError(
            f"No method could be scored at {coverage:.0%} of the study area (see the 'note' "
            "column); try a larger coverage or a smaller cell size."
        )
    ordered = valid.sort_values(["pai", "hit_rate", "candidate"],
                                ascending=[False, False, True], kind="stable")
    best = ordered.iloc[0]
    pei = best.get("pei", math.nan)
    pei_text = (f", {pei:.0%} of the most any selection of that size could have caught"
                if pd.notna(pei) else "")
    sentence = (
        f"At {coverage:.0%} of the study area, {best['label']} would have captured "
        f"{best['hit_rate']:.0%} of the test-period crimes: {int(best['n'])} of "
        f"{int(best['N'])}, PAI {best['pai']:.1f}{pei_text}. It is the most accurate of the "
        f"{len(valid)} methods that could be scored at this coverage"
    )
    if len(ordered) > 1:
        second = ordered.iloc[1]
        if second["pai"] >= (1 - CLOSE_PAI) * best["pai"]:
            sentence += (f"; {second['label']} is about as accurate (PAI "
                         f"{second['pai']:.1f}), so either will do")
    if best["pai"] < 1:
        sentence += ("; but no method beat spreading resources evenly (PAI < 1), so the "
                     "hotspots of the training period did not persist")
    sentence += ". One test period is a guide, not a guarantee: check again as new data arrive."
    return best, sentence


def plot_comparison(table: pd.DataFrame, *, title: str = "Which method predicts best?") -> Any:
    """Return a matplotlib Figure: PAI of each method at each coverage (grouped bars).

    Uses :class:`matplotlib.figure.Figure` directly (no pyplot state), so it is safe in
    the app and in threads. Save it with ``fig.savefig(path, dpi=150)``.

    Examples
    --------
    >>> table = pd.DataFrame({"label": ["KDE", "KDE", "Grid counts", "Grid counts"],
    ...     "coverage": [0.01, 0.05, 0.01, 0.05], "pai": [9.0, 6.0, 7.0, 4.0],
    ...     "candidate": [1, 1, 0, 0]})
    >>> fig = plot_comparison(table)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:2]
    ['KDE', 'Grid counts']
    """
    from matplotlib.figure import Figure

    table = table.copy()
    comparable = (table["comparable"].astype(bool) if "comparable" in table
                  else pd.Series(True, index=table.index))
    table["_ranked"] = table["pai"].where(comparable)
    covs = sorted(table["coverage"].unique())
    order = (table[table["coverage"] == covs[-1]]
             .sort_values("_ranked", ascending=True, na_position="first")["label"].tolist())
    order = list(dict.fromkeys(order + table["label"].tolist()))[::-1]
    fig = Figure(figsize=(9, 0.45 * len(order) + 2.0), layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / max(len(covs), 1)
    ypos = np.arange(len(order))
    colours = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")
    for i, cov in enumerate(covs):
        sub = table[table["coverage"] == cov].drop_duplicates("label").set_index("label")
        sub = sub.reindex(order)
        values = sub["pai"].to_numpy(dtype=float)
        ok = sub["_ranked"].notna().to_numpy()
        offset = ypos + (i - (len(covs) - 1) / 2) * height
        colour = colours[i % len(colours)]
        ax.barh(offset[ok], np.nan_to_num(values[ok]), height, color=colour,
                label=f"{cov:.0%} of area")
        if (~ok).any():
            ax.barh(offset[~ok], np.nan_to_num(values[~ok]), height, color="none",
                    edgecolor=colour, hatch="///", linewidth=0.8)
    ax.set_yticks(ypos, order)
    ax.invert_yaxis()
    ax.axvline(1.0, color="#555", linestyle=":", linewidth=1)
    xlabel = "Prediction Accuracy Index (PAI): share of test crimes / share of area"
    if not comparable.all():
        xlabel += (f"\nhatched: covers under {COMPARABLE_SHARE:.0%} of that share of the "
                   "area, not ranked")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    return fig
