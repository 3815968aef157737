"""Null models of complete spatial randomness (CSR) for the count, KDE and cluster flags.

Under CSR the ``N`` crimes of the study area fall independently and uniformly over it, so
the number in any fixed region ``R`` is Binomial(``N``, area(``R``) / ``A``). The ranking
methods use that exactly:

* count: a cell's crimes against Binomial(``N``, cell area / ``A``);
* KDE: the crimes within one bandwidth of the cell centre against Binomial(``N``,
  area of that disc inside the study area / ``A``).

The p-values are one-sided (more crimes than CSR explains), corrected by Benjamini–Hochberg
over the study-area cells, and a cell is flagged only when the corrected value is below
:data:`FDR_ALPHA`. ``A`` is the area of the study area (the boundary given, or the
bounding box of the crimes), not of the cells covering it; cells cut by its edge are given
a full cell's (or disc's share of the covering cells') probability, which errs on the
conservative side.

Clusters (DBSCAN, HDBSCAN) have no closed-form null: :func:`cluster_csr_test` simulates
the same number of crimes uniformly within the study area (the boundary, or the convex
hull of the crimes), re-runs the same clustering, and keeps a cluster only when its size
beats the largest cluster of the simulations (Monte Carlo test of the maximum, which
controls the family-wise error: Besag & Diggle 1977).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from numbers import Integral
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy import stats
from scipy.spatial import cKDTree

from hotspots.errors import ParameterError
from hotspots.methods.cells import CellInputs
from hotspots.methods.neighbours import disc
from hotspots.methods.neighbours import neighbour_sum
from hotspots.methods.stats import benjamini_hochberg

__all__ = [
    "CLUSTER_SIMULATIONS",
    "FDR_ALPHA",
    "MIN_SIMULATIONS",
    "ClusterTest",
    "check_simulations",
    "csr_flags",
    "cluster_csr_test",
    "count_csr_p",
    "disc_csr_p",
    "study_area_m2",
    "uniform_points",
]

#: False discovery rate of the count and KDE flags (Benjamini–Hochberg): 5%, the level of
#: the Gi* hotspot rule (hot at 95%).
FDR_ALPHA = 0.05
#: Simulations of the cluster test: 19 is the fewest with which a Monte Carlo test can
#: reach 5% (p = 1 / (19 + 1); Besag & Diggle 1977), and keeps DBSCAN on 100,000 crimes
#: to ~25 s (measured: 1.2 s a run).
CLUSTER_SIMULATIONS = 19
#: The fewest simulations accepted (other than 0, no test): 1 / (19 + 1) = 5%.
MIN_SIMULATIONS = 19
#: Uniform points are drawn in batches of this many times the number still needed, over
#: the region's bounding box, keeping those inside (rejection sampling).
_OVERDRAW = 1.3


def study_area_m2(prep: CellInputs, area_geom: shapely.Geometry | None) -> tuple[float, str]:
    """The study area in m² for the CSR null, and how it was measured.

    The boundary's area when one is given; else the bounding box of the crimes; when the
    crimes span no area (one point, a straight north-south line), the covering cells.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspots.methods.cells import prepare_cells
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 300], [0, 200]),
    ...                        crs="EPSG:27700")
    >>> prep = prepare_cells(pts, func="demo", cell_size=100, area=None, weight=None,
    ...                      grid=None)
    >>> study_area_m2(prep, None)
    (60000.0, 'bounding box of the crimes')
    """
    cell_area = prep.grid.cell_size ** 2
    cells = float(prep.mask.sum()) * cell_area
    if area_geom is not None:
        return float(area_geom.area), "area of the boundary given"
    box = float(np.ptp(prep.x) * np.ptp(prep.y)) if prep.x.size else 0.0
    if box < cell_area:
        return cells, "cells of the study area (the crimes span less than one cell)"
    return box, "bounding box of the crimes"


def count_csr_p(count: np.ndarray, n_crimes: int, probability: float) -> np.ndarray:
    """P(X ≥ count) for X ~ Binomial(n_crimes, probability), per cell (NaN stays NaN).

    Examples
    --------
    >>> count_csr_p(np.array([0.0, 1.0, 5.0]), 100, 0.01).round(4).tolist()
    [1.0, 0.634, 0.0034]
    """
    count = np.asarray(count, dtype=float)
    p = np.minimum(max(probability, 0.0), 1.0)
    out = stats.binom.sf(np.ceil(count) - 1, n_crimes, p)
    return np.where(np.isnan(count), np.nan, np.minimum(out, 1.0))


def disc_csr_p(
    prep: CellInputs, radius: float, study_m2: float, *, cells: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Crimes within ``radius`` of each cell centre and their CSR p-value, full-grid arrays.

    Only cells where ``cells`` is True are measured (others: count 0, p 1). The disc's
    probability is ``π r² / study_m2`` times the share of the disc's covering cells that
    are study-area cells (its part inside the study area).
    """
    grid = prep.grid
    within = np.zeros(grid.shape)
    p = np.ones(grid.shape)
    rows, cols = np.nonzero(cells & prep.mask)
    if rows.size == 0 or prep.x.size == 0:
        return within, np.where(prep.mask, p, np.nan)
    footprint = disc(radius / grid.cell_size)
    share = neighbour_sum(prep.mask.astype(float), footprint) / footprint.sum()
    cx = grid.x0 + (cols + 0.5) * grid.cell_size
    cy = grid.y0 + (rows + 0.5) * grid.cell_size
    tree = cKDTree(np.column_stack([prep.x, prep.y]))
    k = tree.query_ball_point(np.column_stack([cx, cy]), r=radius, return_length=True)
    probability = np.minimum(np.pi * radius * radius * share[rows, cols] / study_m2, 1.0)
    within[rows, cols] = k
    p[rows, cols] = stats.binom.sf(k - 1, prep.x.size, probability)
    return within, np.where(prep.mask, np.minimum(p, 1.0), np.nan)


def csr_flags(p: np.ndarray, *, alpha: float = FDR_ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini–Hochberg adjusted p (NaN stays NaN) and the flags ``adjusted < alpha``.

    Examples
    --------
    >>> q, flag = csr_flags(np.array([0.0001, 0.5, np.nan]))
    >>> flag.tolist()
    [True, False, False]
    """
    q = benjamini_hochberg(p)
    return q, np.nan_to_num(q, nan=1.0) < alpha


# ----------------------------------------------------------------------------- clusters


def uniform_points(
    region: shapely.Geometry, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniformly at random in ``region`` (rejection from its bounding box).

    Examples
    --------
    >>> x, y = uniform_points(shapely.box(0, 0, 10, 10), 5, np.random.default_rng(0))
    >>> x.size, bool((x >= 0).all() and (x <= 10).all())
    (5, True)
    """
    x0, y0, x1, y1 = region.bounds
    shapely.prepare(region)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    need = n
    fill = max(region.area / max((x1 - x0) * (y1 - y0), 1e-12), 1e-3)
    while need > 0:
        m = int(need / fill * _OVERDRAW) + 16
        x = rng.uniform(x0, x1, m)
        y = rng.uniform(y0, y1, m)
        keep = shapely.contains_xy(region, x, y)
        xs.append(x[keep][:need])
        ys.append(y[keep][:need])
        need -= int(xs[-1].size)
    return np.concatenate(xs), np.concatenate(ys)


def _densities(x: np.ndarray, y: np.ndarray, labels: np.ndarray, buffer: float) -> np.ndarray:
    """Crimes per km² of each cluster's convex hull buffered by ``buffer`` metres."""
    order = np.argsort(labels, kind="stable")
    ids, index, counts = np.unique(labels[order], return_inverse=True, return_counts=True)
    hulls = shapely.convex_hull(
        shapely.multipoints(shapely.points(x[order], y[order]), indices=index)
    )
    return counts / (shapely.area(shapely.buffer(hulls, buffer)) / 1e6)


@dataclass
class ClusterTest:
    """The Monte Carlo CSR test of a clustering.

    Attributes
    ----------
    p : numpy.ndarray
        One p-value per observed cluster: (1 + simulations whose largest cluster is at
        least as big) / (1 + simulations). NaN when the test could not run.
    null_max : numpy.ndarray
        The largest cluster (crimes) of each simulation.
    params : dict
        What was done, for ``params``.
    notes : list of str
        Plain-language notes.
    """

    p: np.ndarray
    null_max: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def tested(self) -> bool:
        """True when simulations were run (else the clusters are descriptive)."""
        return self.null_max.size > 0

    def flag(self, cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """A copy of the cluster table with ``p_value``; ``hotspot`` where p <= alpha
        (left as it is, True, when the clusters were not tested)."""
        cells = cells.copy()
        cells["p_value"] = self.p
        if self.tested:
            cells["hotspot"] = self.p <= self.params["alpha"]
        return cells

    def summary(self) -> dict[str, Any]:
        """``hotspot_rule``, ``flag`` ("tested" or "descriptive") and ``csr_test``."""
        rule = ("tested: bigger than the largest cluster of every simulation under "
                "complete spatial randomness (Monte Carlo, family-wise 5%)" if self.tested
                else "descriptive: not tested against a null")
        return {"hotspot_rule": rule, "flag": "tested" if self.tested else "descriptive",
                "csr_test": self.params}


def check_simulations(simulations: Any, seed: Any, *, func: str) -> tuple[int, int]:
    """Check the ``simulations`` (0, or at least 19) and ``seed`` of a cluster test.

    Examples
    --------
    >>> check_simulations(19, 0, func="demo")
    (19, 0)
    """
    for name, value in (("simulations", simulations), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
            raise ParameterError(
                f"The '{name}' parameter of {func} must be an int in [0, inf), got {value!r}."
            )
    if 0 < simulations < MIN_SIMULATIONS:
        raise ParameterError(
            f"The 'simulations' parameter of {func} must be 0 (no test) or at least "
            f"{MIN_SIMULATIONS} (the fewest with which a Monte Carlo test can reach 5%), "
            f"got {simulations}."
        )
    return int(simulations), int(seed)


def cluster_region(
    x: np.ndarray, y: np.ndarray, area_geom: shapely.Geometry | None
) -> tuple[shapely.Geometry | None, str]:
    """Where crimes are simulated: the boundary, else the convex hull of the crimes.

    None when that has no area (fewer than three points, or all on one line).
    """
    if area_geom is not None:
        return area_geom, "the boundary given"
    if x.size < 3:
        return None, "the convex hull of the crimes"
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])))
    if hull.area <= 0:
        return None, "the convex hull of the crimes"
    return hull, "the convex hull of the crimes"


def cluster_csr_test(
    sizes: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    labels_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    area_geom: shapely.Geometry | None,
    simulations: int = CLUSTER_SIMULATIONS,
    seed: int,
    alpha: float = FDR_ALPHA,
    rule: str,
    density_buffer: float | None = None,
) -> ClusterTest:
    """Monte Carlo test of cluster sizes against the largest cluster under CSR.

    Parameters
    ----------
    sizes : numpy.ndarray
        Crimes in each observed cluster.
    x, y : numpy.ndarray
        The located crimes that were clustered.
    labels_of : callable
        ``labels_of(x, y)`` re-runs the same clustering (the same parameters and default
        rules) on simulated points and returns their labels (-1 = noise).
    area_geom : shapely geometry or None
        The boundary, or None for the convex hull of the crimes.
    simulations : int
        Simulated maps (0: no test; the flags are then descriptive).
    seed : int
        Seed of the simulations.
    alpha : float
        A cluster is significant when its p-value is at most ``alpha``.
    rule : str
        The clustering rule re-run, for ``params``.
    density_buffer : float, optional
        Test the clusters' density (crimes per km² of the convex hull buffered by this
        many metres, as the cluster table measures it; ``sizes`` then holds the observed
        densities) instead of their size. HDBSCAN needs it: its leaf clusters of pure noise
        are large but no denser than the background.

    Examples
    --------
    >>> from sklearn.cluster import DBSCAN
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.uniform(0, 1000, 200), rng.normal(500, 5, 40)]
    >>> y = np.r_[rng.uniform(0, 1000, 200), rng.normal(500, 5, 40)]
    >>> run = lambda a, b: DBSCAN(eps=30, min_samples=5).fit_predict(np.c_[a, b])
    >>> labels = run(x, y)
    >>> sizes = np.bincount(labels[labels >= 0])
    >>> test = cluster_csr_test(sizes, x, y, run, area_geom=None, seed=1, rule="DBSCAN")
    >>> float(test.p[np.argmax(sizes)])
    0.05
    """
    region, where = cluster_region(x, y, area_geom)
    params: dict[str, Any] = {
        "null": f"complete spatial randomness: {x.size:,} crimes uniform within {where}",
        "test": ("Monte Carlo test of the " + ("densest" if density_buffer else "largest")
                 + " cluster (family-wise error)"),
        "simulations": simulations,
        "seed": seed,
        "alpha": alpha,
        "rerun": rule,
    }
    if simulations == 0 or region is None:
        why = ("no simulations were asked for" if simulations == 0 else
               f"{where} has no area (too few crimes, or all on one line)")
        params["simulations"] = 0
        return ClusterTest(
            np.full(len(sizes), np.nan), np.empty(0), params,
            [f"The clusters were not tested against a null: {why}. They are descriptive: "
             "dense groups of crimes, not shown to be more than chance."],
        )
    rng = np.random.default_rng(seed)
    null_max = np.zeros(simulations)
    for s in range(simulations):
        sx, sy = uniform_points(region, x.size, rng)
        lab = labels_of(sx, sy)
        keep = lab >= 0
        if not keep.any():
            continue
        if density_buffer is None:
            null_max[s] = np.bincount(lab[keep]).max()
        else:
            null_max[s] = _densities(sx[keep], sy[keep], lab[keep], density_buffer).max()
    sizes = np.asarray(sizes, dtype=float)
    beaten = (null_max[None, :] >= sizes[:, None]).sum(axis=1)
    p = (beaten + 1.0) / (simulations + 1.0)
    what, unit = (("largest", "crimes") if density_buffer is None
                  else ("densest", "crimes per km²"))
    params[f"null_{what}_cluster"] = {
        "min": round(float(null_max.min()), 1), "median": round(float(np.median(null_max)), 1),
        "max": round(float(null_max.max()), 1), "unit": unit,
    }
    kept = int((p <= alpha).sum())
    notes = [
        f"Tested against complete spatial randomness: {simulations} maps of {x.size:,} "
        f"crimes placed uniformly within {where}, clustered the same way, had {what} "
        f"clusters of {null_max.min():,.0f}–{null_max.max():,.0f} {unit}; {kept:,} of "
        f"{len(sizes):,} clusters beat all of them and are hotspots."
    ]
    return ClusterTest(p, null_max, params, notes)
