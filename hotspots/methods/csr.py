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
hull of the crimes), re-runs the same clustering, and keeps a cluster only when its scan
statistic (Kulldorff's log-likelihood ratio of its crimes against its area's share) beats
the best cluster of every simulation (Monte Carlo test of the maximum, which controls the
family-wise error: Kulldorff 1997; Besag & Diggle 1977).
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
    "cluster_zones",
    "scan_llr",
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


def scan_llr(counts: np.ndarray, expected: np.ndarray, total: int) -> np.ndarray:
    """Kulldorff's Poisson log-likelihood ratio of each zone, 0 where it is not raised.

    ``counts`` crimes in zones that would hold ``expected`` under complete spatial
    randomness, out of ``total``: ``n ln(n/E) + (N−n) ln((N−n)/(N−E))`` for ``n > E``
    (Kulldorff 1997, the spatial scan statistic). It grows with both the size and the
    excess of a cluster, so one test serves large and small, dense clusters.

    Examples
    --------
    >>> scan_llr(np.array([10.0, 2.0]), np.array([2.0, 2.0]), 100).round(2).tolist()
    [8.81, 0.0]
    """
    n = np.asarray(counts, dtype=float)
    e = np.clip(np.asarray(expected, dtype=float), 1e-12, None)
    big_n = float(total)
    rest, rest_e = big_n - n, np.clip(big_n - e, 1e-12, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(n > 0, n * np.log(n / e), 0.0)
        outside = np.where(rest > 0, rest * np.log(rest / rest_e), 0.0)
    return np.where(n > e, inside + outside, 0.0)


def cluster_zones(x: np.ndarray, y: np.ndarray, labels: np.ndarray,
                  buffer: float) -> tuple[np.ndarray, np.ndarray]:
    """Crimes and area (m²) of each cluster's convex hull buffered by ``buffer`` metres.

    The same zones :func:`hotspots.methods.clustertable.cluster_table` draws, in label
    order, so observed and simulated clusters are measured alike.
    """
    keep = labels >= 0
    lab = labels[keep]
    order = np.argsort(lab, kind="stable")
    ids, index, counts = np.unique(lab[order], return_inverse=True, return_counts=True)
    hulls = shapely.convex_hull(
        shapely.multipoints(shapely.points(x[keep][order], y[keep][order]), indices=index)
    )
    return counts.astype(float), shapely.area(shapely.buffer(hulls, buffer))


@dataclass
class ClusterTest:
    """The Monte Carlo CSR test of a clustering.

    Attributes
    ----------
    p : numpy.ndarray
        One p-value per observed cluster, in label order: (1 + simulations whose best
        cluster scores at least as high) / (1 + simulations). NaN when the test could not
        run.
    null_max : numpy.ndarray
        The best cluster's scan statistic on each simulated map.
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
        (never, when the clusters were not tested: they are then descriptive)."""
        cells = cells.copy()
        ids = np.sort(cells["label"].to_numpy())  # p is in label order, rows by size
        cells["p_value"] = self.p[np.searchsorted(ids, cells["label"].to_numpy())]
        # untested clusters are descriptive: listed, never flagged as hotspots
        cells["hotspot"] = (cells["p_value"] <= self.params["alpha"]).to_numpy()
        return cells

    def summary(self) -> dict[str, Any]:
        """``hotspot_rule``, ``flag`` ("tested" or "descriptive") and ``csr_test``."""
        rule = ("tested: a scan statistic above the best cluster's on every map simulated "
                "under complete spatial randomness (Monte Carlo, family-wise 5%)" if self.tested
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
    labels: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    labels_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    buffer: float,
    area_geom: shapely.Geometry | None,
    simulations: int = CLUSTER_SIMULATIONS,
    seed: int,
    alpha: float = FDR_ALPHA,
    rule: str,
) -> ClusterTest:
    """Monte Carlo scan test of clusters against complete spatial randomness (CSR).

    Each cluster is a zone (its members' convex hull buffered by ``buffer``) scored by
    Kulldorff's log-likelihood ratio (:func:`scan_llr`) against the crimes CSR puts in it;
    the same clustering is re-run on ``simulations`` maps of uniform crimes and a cluster's
    p-value is (1 + maps whose best zone scores at least as high) / (1 + maps). The maximum
    over zones makes it a family-wise test (Kulldorff 1997; Besag & Diggle 1977).

    Parameters
    ----------
    labels : numpy.ndarray of int
        Cluster label of each located crime (-1 = noise); p-values come out in label order,
        as :func:`hotspots.methods.clustertable.cluster_table` orders its rows.
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
    buffer : float
        Metres around each hull (as the cluster table draws it).

    Examples
    --------
    >>> from sklearn.cluster import DBSCAN
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.uniform(0, 1000, 200), rng.normal(500, 5, 40)]
    >>> y = np.r_[rng.uniform(0, 1000, 200), rng.normal(500, 5, 40)]
    >>> run = lambda a, b: DBSCAN(eps=30, min_samples=5).fit_predict(np.c_[a, b])
    >>> labels = run(x, y)
    >>> test = cluster_csr_test(labels, x, y, run, buffer=15, area_geom=None, seed=1,
    ...                         rule="DBSCAN")
    >>> float(test.p[np.argmax(np.bincount(labels[labels >= 0]))])
    0.05
    """
    region, where = cluster_region(x, y, area_geom)
    params: dict[str, Any] = {
        "null": f"complete spatial randomness: {x.size:,} crimes uniform within {where}",
        "test": ("Monte Carlo scan test: each cluster's log-likelihood ratio against the "
                 "best cluster of every simulated map (Kulldorff 1997; family-wise error)"),
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
            np.full(len(np.unique(labels[labels >= 0])), np.nan), np.empty(0), params,
            [f"The clusters were not tested against a null: {why}. They are descriptive: "
             "dense groups of crimes, not shown to be more than chance."],
        )
    region_m2 = float(region.area)
    total = int(x.size)

    def zone_llr(px: np.ndarray, py: np.ndarray, lab: np.ndarray) -> np.ndarray:
        counts, areas = cluster_zones(px, py, lab, buffer)
        return scan_llr(counts, total * np.minimum(areas, region_m2) / region_m2, total)

    observed = zone_llr(x, y, labels) if (labels >= 0).any() else np.empty(0)
    rng = np.random.default_rng(seed)
    null_max = np.zeros(simulations)
    for s in range(simulations):
        sx, sy = uniform_points(region, total, rng)
        lab = labels_of(sx, sy)
        if (lab >= 0).any():
            null_max[s] = zone_llr(sx, sy, lab).max()
    beaten = (null_max[None, :] >= observed[:, None]).sum(axis=1)
    p = np.where(observed > 0, (beaten + 1.0) / (simulations + 1.0), 1.0)
    params["null_best_llr"] = {
        "min": round(float(null_max.min()), 2), "median": round(float(np.median(null_max)), 2),
        "max": round(float(null_max.max()), 2),
    }
    kept = int((p <= alpha).sum())
    notes = [
        f"Tested against complete spatial randomness: {simulations} maps of {total:,} crimes "
        f"placed uniformly within {where}, clustered the same way, gave best clusters with "
        f"scan statistics (log-likelihood ratio) of {null_max.min():.1f}–{null_max.max():.1f}; "
        f"{kept:,} of {observed.size:,} clusters beat all of them and are hotspots."
    ]
    return ClusterTest(p, null_max, params, notes)
