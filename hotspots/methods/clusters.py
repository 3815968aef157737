"""Density clustering of crimes: DBSCAN and HDBSCAN labels, and the hotspot methods on them.

police.uk snaps every crime to one of a fixed set of anonymised map points, so many
crimes share exact coordinates. DBSCAN is run on the distinct points, with the number of
crimes at each as its ``sample_weight``: a point is core when the crimes within ``eps``
number at least ``min_samples``, which is exactly the test plain DBSCAN applies to each
of the coincident crimes. The distinct points are kept in order of their first crime, so
clusters are discovered in the same order as plain DBSCAN discovers them and a border
point reachable from two clusters joins the same one (the first discovered) in both.
The labels are therefore identical to scikit-learn's DBSCAN on every crime, at a
fraction of the cost. HDBSCAN in scikit-learn takes no sample weights, so it runs on
every crime. The clusters become polygons with a summary table in
:mod:`hotspots.methods.clustertable`.

A cluster is a hotspot only when it is bigger than chance makes them: the same number of
crimes is placed uniformly at random within the study area (the boundary, or the convex
hull of the crimes) :data:`~hotspots.methods.csr.CLUSTER_SIMULATIONS` times, clustered
with the same parameters (those the defaults chose on the real crimes: re-choosing them on
each random map would lower the density bar to what noise reaches, and real clusters would
be compared with large, sparse chance ones). Each cluster is scored by Kulldorff's scan
statistic (the log-likelihood ratio of its crimes against what its area holds under CSR,
which rewards both size and excess), and a cluster must score above the best cluster of
every simulation (:func:`hotspots.methods.csr.cluster_csr_test`; a Monte Carlo test of the
maximum: the chance of any false hotspot on a map of pure noise is at most 5%). HDBSCAN on
more than :data:`HDBSCAN_MAX_TESTED` crimes is too slow to simulate; its clusters are then
labelled descriptive in every output and none is flagged as a hotspot."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from numbers import Integral
from numbers import Real
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN
from sklearn.cluster import HDBSCAN
from sklearn.neighbors import KDTree

from hotspots.errors import ParameterError
from hotspots.methods.clustertable import cluster_notes
from hotspots.methods.clustertable import cluster_table
from hotspots.methods.csr import CLUSTER_SIMULATIONS
from hotspots.methods.csr import check_simulations
from hotspots.methods.csr import cluster_csr_test
from hotspots.methods.inference import SEED
from hotspots.methods.points import crime_points
from hotspots.methods.points import crime_weights
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry
from hotspots.validation import check_choice

__all__ = [
    "DEFAULT_EPS",
    "HDBSCAN_MAX_TESTED",
    "cluster_labels",
    "dbscan_hotspots",
    "default_min_samples",
    "hdbscan_hotspots",
]

logger = logging.getLogger(__name__)

#: Default DBSCAN radius, metres. police.uk map points sit a few tens of metres apart
#: along streets; 100 m is about one urban street block, the scale of the micro-place
#: hotspots that place-based interventions (lighting, CCTV, alley gates) act on.
DEFAULT_EPS = 100.0
#: Default core rule: a crime is core when its ``eps``-neighbourhood holds at least as many
#: crimes as the 90th percentile over all crimes' neighbourhoods. Crime concentrates in
#: few places (about 50% of crime at 2-6% of street segments: Weisburd 2015, "The law of
#: crime concentration and the criminology of place", Criminology 53(2)), so hotspots are
#: expected among the busiest 10% of neighbourhoods. (The 95th percentile was tried first:
#: on the demo data it let only the town centre through and missed the planted estate.)
CORE_PERCENTILE = 90.0
#: Smallest default ``min_samples``: scikit-learn's own default for DBSCAN.
MIN_SAMPLES_FLOOR = 5
#: HDBSCAN cluster selection. "leaf" gives the fine, homogeneous clusters wanted for
#: micro-place hotspots; "eom" (scikit-learn's default) tends to return a few district-wide
#: clusters on crime data (on Nottingham burglary 2022 it puts 99% of crimes in 2 clusters).
HDBSCAN_SELECTION = "leaf"
#: Buffer around HDBSCAN cluster hulls, metres (HDBSCAN has no ``eps``): half the
#: default DBSCAN radius, as DBSCAN hulls are buffered by ``eps / 2``.
HDBSCAN_BUFFER = DEFAULT_EPS / 2
#: HDBSCAN clusters are tested by simulation up to this many crimes: one run takes ~1.5 s
#: at 20,000 uniform crimes and 37 s at 100,000 (measured, scikit-learn 1.9, one core),
#: so 19 simulations would take ~12 minutes at a force's yearly volume. Above it the
#: clusters are descriptive, and every output says so.
HDBSCAN_MAX_TESTED = 20_000

#: The largest DBSCAN radius (metres): 10 km spans a whole town, so a larger eps makes
#: one cluster of everything, not hotspots, and its hull (buffered by eps / 2) would cover
#: a region the map cannot frame.
MAX_EPS = 10_000.0

# ----------------------------------------------------------------------------- checks


def _check_eps(value: Any, *, func: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not math.isfinite(value)
        or value <= 0
        or value > MAX_EPS
    ):
        raise ParameterError(
            f"The 'eps' parameter (--eps) of {func} must be a float in (0.0, {MAX_EPS:g}] "
            f"metres, got {value!r}. Street-scale clusters use 50 to 500 m."
        )
    return float(value)


def _check_int(value: Any, *, name: str, func: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ParameterError(
            f"The '{name}' parameter of {func} must be an int in [{low}, inf), got {value!r}."
        )
    return int(value)


def _xy(x: Any, y: Any, *, func: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ParameterError(
            f"'x' and 'y' of {func} must be 1-D arrays of the same length, got shapes "
            f"{x.shape} and {y.shape}."
        )
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        raise ParameterError(
            f"'x' and 'y' of {func} must be finite; {int(bad.sum()):,} of {len(x):,} points "
            "are NaN or infinite. Drop crimes without coordinates first."
        )
    return x, y


# --------------------------------------------------------------------------- clustering


@dataclass(frozen=True)
class _Collapsed:
    """Distinct points in order of their first crime, and each crime's point."""

    x: np.ndarray
    y: np.ndarray
    counts: np.ndarray
    codes: np.ndarray

    @property
    def xy(self) -> np.ndarray:
        return np.column_stack([self.x, self.y])


def _collapse(x: np.ndarray, y: np.ndarray) -> _Collapsed:
    """Group coincident points; distinct points come in order of first appearance.

    ``pd.factorize`` numbers values in order of first appearance, so factorizing the pair
    codes keeps that order for (x, y) pairs too.
    """
    code_x, uniq_x = pd.factorize(x)
    code_y, _ = pd.factorize(y)
    pair = code_x.astype(np.int64) * (int(code_y.max()) + 1) + code_y
    codes, uniques = pd.factorize(pair)
    first = np.empty(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return _Collapsed(x=x[first], y=y[first], counts=np.bincount(codes), codes=codes)


def _weighted_neighbour_counts(points: _Collapsed, eps: float) -> np.ndarray:
    """Crimes within ``eps`` of each distinct point (itself included)."""
    neighbours = KDTree(points.xy).query_radius(points.xy, r=eps)
    sizes = np.fromiter((len(n) for n in neighbours), dtype=np.int64, count=len(neighbours))
    flat = points.counts[np.concatenate(neighbours)]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return np.add.reduceat(flat, starts)


def _default_min_samples(points: _Collapsed, eps: float) -> int:
    per_point = _weighted_neighbour_counts(points, eps)
    per_crime = np.repeat(per_point, points.counts)
    level = float(np.percentile(per_crime, CORE_PERCENTILE))
    return max(MIN_SAMPLES_FLOOR, math.ceil(level - 1e-9))


def default_min_samples(x: Any, y: Any, *, eps: float = DEFAULT_EPS) -> int:
    """Default ``min_samples``: the 90th percentile of crimes within ``eps`` of each crime.

    A crime is then core when its neighbourhood is among the busiest 10%
    (:data:`CORE_PERCENTILE`), and never with fewer than :data:`MIN_SAMPLES_FLOOR` crimes.

    Examples
    --------
    >>> default_min_samples([0.0] * 20 + [500.0], [0.0] * 20 + [0.0])
    20
    >>> default_min_samples([0, 1000, 2000], [0, 0, 0])
    5
    """
    eps = _check_eps(eps, func="default_min_samples")
    x, y = _xy(x, y, func="default_min_samples")
    if len(x) == 0:
        return MIN_SAMPLES_FLOOR
    return _default_min_samples(_collapse(x, y), eps)


def _core_size(
    value: Any, points: _Collapsed, eps: float, *, name: str, func: str, low: int, within: str
) -> tuple[int, str]:
    """``value`` checked, or the default of :func:`default_min_samples`; and the rule used."""
    rule = "given"
    if value is None:
        value = _default_min_samples(points, eps)
        rule = (
            f"default: {CORE_PERCENTILE:g}th percentile of crimes within {within} of each "
            f"crime, at least {MIN_SAMPLES_FLOOR}"
        )
    return _check_int(value, name=name, func=func, low=low), rule


def _dbscan_labels(
    points: _Collapsed, x: np.ndarray, y: np.ndarray, eps: float, min_samples: int,
    collapse: bool,
) -> np.ndarray:
    """DBSCAN labels per crime: on the distinct points weighted by their counts, or on
    every crime (``collapse=False``); both give the same labels."""
    model = DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree")
    if not collapse:
        return model.fit_predict(np.column_stack([x, y]))
    labels = model.fit_predict(points.xy, sample_weight=points.counts.astype(float))
    return labels[points.codes]


def _hdbscan_labels(
    x: np.ndarray, y: np.ndarray, min_cluster_size: int, min_samples: int | None,
    selection: str,
) -> np.ndarray:
    if len(x) < max(2, min_cluster_size):
        return np.full(len(x), -1, dtype=np.intp)  # no cluster can be that big
    if min_samples is not None and min_samples > len(x):
        raise ParameterError(
            f"The 'min_samples' parameter of HDBSCAN must be at most the number of crimes "
            f"({len(x):,}), got {min_samples}. Choose a smaller min_samples."
        )
    model = HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=min_samples,
        cluster_selection_method=selection,
        copy=True,
    )
    return model.fit_predict(np.column_stack([x, y]))


def cluster_labels(
    x: Any,
    y: Any,
    *,
    method: str = "dbscan",
    eps: float | None = None,
    min_samples: int | None = None,
    min_cluster_size: int | None = None,
    collapse: bool = True,
    selection: str = HDBSCAN_SELECTION,
) -> np.ndarray:
    """Return the cluster label of each point (``-1`` = noise), as scikit-learn numbers them.

    Parameters
    ----------
    x, y : array-like
        Projected coordinates in metres, one entry per crime (coincident points allowed).
    method : {"dbscan", "hdbscan"}
        The clustering algorithm.
    eps : float, optional
        DBSCAN radius in metres; default :data:`DEFAULT_EPS`. Ignored by HDBSCAN.
    min_samples : int, optional
        Crimes within ``eps`` (itself included) that make a point core; default
        :func:`default_min_samples`. For HDBSCAN, the neighbourhood size for core
        distances (default: ``min_cluster_size``, scikit-learn's rule).
    min_cluster_size : int, optional
        HDBSCAN only: the smallest cluster; default :func:`default_min_samples` at
        :data:`DEFAULT_EPS`.
    collapse : bool
        DBSCAN only: cluster the distinct points weighted by their counts (fast) rather than
        every point. Both give identical labels.
    selection : {"leaf", "eom"}
        HDBSCAN only: cluster selection method; default :data:`HDBSCAN_SELECTION`.

    Returns
    -------
    numpy.ndarray
        Integer labels aligned with ``x``; the labels match the ``label`` column of
        :func:`dbscan_hotspots` / :func:`hdbscan_hotspots` run with the same parameters.

    Examples
    --------
    >>> x = [0, 0, 0, 10, 10, 500, 1000, 1000, 1000, 1005]
    >>> y = [0, 0, 0, 0, 0, 500, 1000, 1000, 1000, 1000]
    >>> cluster_labels(x, y, eps=50, min_samples=3).tolist()
    [0, 0, 0, 0, 0, -1, 1, 1, 1, 1]
    """
    func = "cluster_labels"
    check_choice(method, name="method", choices=("dbscan", "hdbscan"))
    check_choice(selection, name="selection", choices=("leaf", "eom"))
    x, y = _xy(x, y, func=func)
    if len(x) == 0:
        return np.empty(0, dtype=np.intp)
    points = _collapse(x, y)
    if method == "hdbscan":
        size, _ = _core_size(min_cluster_size, points, DEFAULT_EPS, name="min_cluster_size",
                             func=func, low=2, within=f"{DEFAULT_EPS:g} m")
        ms = None if min_samples is None else _check_int(
            min_samples, name="min_samples", func=func, low=1
        )
        return _hdbscan_labels(x, y, size, ms, selection)
    eps = DEFAULT_EPS if eps is None else _check_eps(eps, func=func)
    min_samples, _ = _core_size(min_samples, points, eps, name="min_samples", func=func,
                                low=1, within="eps")
    return _dbscan_labels(points, x, y, eps, min_samples, collapse)


# --------------------------------------------------------------------------- public API


def dbscan_hotspots(
    crimes: gpd.GeoDataFrame,
    *,
    eps: float | None = None,
    min_samples: int | None = None,
    weight: str | None = None,
    collapse: bool = True,
    top: int = 3,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    simulations: int = CLUSTER_SIMULATIONS,
    seed: int = SEED,
) -> HotspotResult:
    """Find crime clusters with DBSCAN and return them as polygons.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table (points in a projected CRS, metres).
    eps : float, optional
        Neighbourhood radius in metres; default :data:`DEFAULT_EPS` (100 m, a street block).
    min_samples : int, optional
        Crimes within ``eps`` of a crime (itself included) that make it core; default
        :func:`default_min_samples` (the busiest 10% of neighbourhoods, at least 5).
    weight : str, optional
        Column of harm weights, summed into ``harm``. Clusters are found on counts.
    collapse : bool
        Cluster the distinct map points weighted by their crime counts (default; same
        clusters as plain DBSCAN, much faster on police.uk data), or every crime.
    top : int
        How many categories and streets to list per cluster.
    area : GeoDataFrame or GeoSeries, optional
        The study area in which the CSR simulations place crimes; default the convex
        hull of the crimes.
    simulations : int, default CLUSTER_SIMULATIONS (19)
        Maps of uniformly random crimes clustered to test the clusters; 0 skips the test
        (the clusters are then descriptive, and the outputs say so).
    seed : int, default SEED
        Seed of the simulations.

    Returns
    -------
    HotspotResult
        ``layer="clusters"``; one row per cluster, hottest first, with ``cluster_id``
        (1 = most crimes), ``label`` (the per-crime label from :func:`cluster_labels`),
        ``count``, ``harm``, ``area_km2``, ``density`` (crimes/km²), ``top_categories``,
        ``top_streets``, ``months``, ``p_value`` (the CSR test, module docstring),
        ``score`` (= count) and ``hotspot`` (``p_value`` at most 5%). The polygon is the
        convex hull of the members buffered by ``eps / 2``, so one-point and
        straight-line clusters have an area too.

    Examples
    --------
    >>> import geopandas as gpd
    >>> crimes = gpd.GeoDataFrame(
    ...     {"category": ["Burglary"] * 6 + ["Robbery"],
    ...      "location": ["On or near High Street"] * 7},
    ...     geometry=gpd.points_from_xy([0, 0, 0, 10, 10, 20, 900], [0] * 7),
    ...     crs="EPSG:27700")
    >>> res = dbscan_hotspots(crimes, eps=50, min_samples=3)
    >>> res.cells[["cluster_id", "count", "top_categories", "hotspot"]].to_dict("records")
    [{'cluster_id': 1, 'count': 6, 'top_categories': 'Burglary (6)', 'hotspot': False}]
    >>> res.params["flag"], res.params["csr_test"]["simulations"]
    ('descriptive', 0)
    >>> res.cells["top_streets"].tolist()
    ['High Street (6)']
    >>> res.params["n_unique_points"], res.params["n_noise"]
    (4, 1)
    """
    func = "dbscan_hotspots"
    x, y, located = crime_points(crimes, func=func)
    weights = crime_weights(crimes, weight, func=func)
    top = _check_int(top, name="top", func=func, low=1)
    eps_rule = "given"
    if eps is None:
        eps, eps_rule = DEFAULT_EPS, f"default {DEFAULT_EPS:g} m (street-block scale)"
    eps = _check_eps(eps, func=func)
    if not isinstance(collapse, bool | np.bool_):
        raise ParameterError(
            f"The 'collapse' parameter of {func} must be True or False, got {collapse!r}."
        )
    simulations, seed = check_simulations(simulations, seed, func=func)
    geom = None if area is None else area_geometry(area, crimes.crs, func=func)
    points = _collapse(x[located], y[located])
    min_samples, ms_rule = _core_size(min_samples, points, eps, name="min_samples", func=func,
                                      low=1, within="eps")

    labels = np.full(len(crimes), -1, dtype=np.int64)
    labels[located] = _dbscan_labels(points, x[located], y[located], eps, min_samples, collapse)
    cells = cluster_table(crimes, labels, x, y, weights, buffer=eps / 2, top=top)

    def rerun(sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
        return _dbscan_labels(_collapse(sx, sy), sx, sy, eps, min_samples, True)

    test = cluster_csr_test(
        labels[located], x[located], y[located], rerun, buffer=eps / 2, area_geom=geom,
        simulations=simulations if len(cells) else 0, seed=seed,
        rule=f"DBSCAN with the same eps ({eps:g} m) and min_samples ({min_samples})",
    )
    cells = test.flag(cells)

    n_noise = int((labels < 0).sum())
    params = {
        "eps": eps,
        "eps_rule": eps_rule,
        "min_samples": min_samples,
        "min_samples_rule": ms_rule,
        "collapse": bool(collapse),
        "n_crimes": len(crimes),
        "n_unique_points": len(points.counts),
        "n_clusters": len(cells),
        "n_noise": n_noise,
        "buffer_m": eps / 2,
        "weight": weight,
        "top": top,
        "implementation": "sklearn.cluster.DBSCAN"
        + (" on distinct points with counts as sample_weight" if collapse else ""),
        **test.summary(),
    }
    call = f"hotspots.clusters.cluster_labels(x, y, eps={eps:g}, min_samples={min_samples})"
    notes = cluster_notes(
        n=len(crimes), labels=labels, n_clusters=len(cells),
        n_unlocated=int((~located).sum()), weight=weight, call=call,
    )
    if len(cells) == 0:
        notes.append(
            f"No clusters: no {eps:g} m neighbourhood holds {min_samples} crimes. "
            "Try a larger eps or a smaller min_samples."
        )
    else:
        notes += test.notes
    return _clusters_result("dbscan", cells, params, notes)


def hdbscan_hotspots(
    crimes: gpd.GeoDataFrame,
    *,
    min_cluster_size: int | None = None,
    min_samples: int | None = None,
    weight: str | None = None,
    top: int = 3,
    selection: str = HDBSCAN_SELECTION,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    simulations: int = CLUSTER_SIMULATIONS,
    seed: int = SEED,
) -> HotspotResult:
    """Find crime clusters with HDBSCAN and return them as polygons.

    scikit-learn's HDBSCAN takes no sample weights, so it runs on every crime (coincident
    crimes included); ``params["n_unique_points"]`` says how many distinct points there are.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table (points in a projected CRS, metres).
    min_cluster_size : int, optional
        The fewest crimes a cluster may hold; default :func:`default_min_samples` at
        :data:`DEFAULT_EPS` (a cluster holds at least as many crimes as the busiest 10% of
        100 m neighbourhoods), at least 5.
    min_samples : int, optional
        Neighbourhood size for HDBSCAN's core distances; default ``min_cluster_size``
        (scikit-learn's rule).
    weight : str, optional
        Column of harm weights, summed into ``harm``.
    top : int
        How many categories and streets to list per cluster.
    selection : {"leaf", "eom"}
        HDBSCAN cluster selection; default :data:`HDBSCAN_SELECTION`.
    area, simulations, seed
        The CSR test, as in :func:`dbscan_hotspots`. Above :data:`HDBSCAN_MAX_TESTED`
        crimes no simulations are run and the clusters are descriptive.

    Returns
    -------
    HotspotResult
        As :func:`dbscan_hotspots`, with polygons buffered by :data:`HDBSCAN_BUFFER`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> xy = np.vstack([rng.normal(0, 10, (30, 2)), rng.normal(2000, 10, (30, 2)),
    ...                 rng.uniform(-5000, 5000, (20, 2))])
    >>> crimes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
    ...                           crs="EPSG:27700")
    >>> res = hdbscan_hotspots(crimes, min_cluster_size=10)
    >>> res.params["n_clusters"], bool(res.cells["count"].min() >= 30)
    (2, True)
    """
    func = "hdbscan_hotspots"
    x, y, located = crime_points(crimes, func=func)
    weights = crime_weights(crimes, weight, func=func)
    top = _check_int(top, name="top", func=func, low=1)
    check_choice(selection, name="selection", choices=("leaf", "eom"))
    points = _collapse(x[located], y[located])
    min_cluster_size, size_rule = _core_size(
        min_cluster_size, points, DEFAULT_EPS, name="min_cluster_size", func=func, low=2,
        within=f"{DEFAULT_EPS:g} m",
    )
    if min_samples is not None:
        min_samples = _check_int(min_samples, name="min_samples", func=func, low=1)
    simulations, seed = check_simulations(simulations, seed, func=func)
    geom = None if area is None else area_geometry(area, crimes.crs, func=func)

    labels = np.full(len(crimes), -1, dtype=np.int64)
    labels[located] = _hdbscan_labels(
        x[located], y[located], min_cluster_size, min_samples, selection
    )
    cells = cluster_table(crimes, labels, x, y, weights, buffer=HDBSCAN_BUFFER, top=top)

    def rerun(sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
        return _hdbscan_labels(sx, sy, min_cluster_size, min_samples, selection)

    too_many = int(located.sum()) > HDBSCAN_MAX_TESTED
    test = cluster_csr_test(
        labels[located], x[located], y[located], rerun, buffer=HDBSCAN_BUFFER,
        area_geom=geom, simulations=0 if too_many or len(cells) == 0 else simulations,
        seed=seed,
        rule=f"HDBSCAN with the same min_cluster_size ({min_cluster_size}), min_samples "
             f"and {selection} selection",
    )
    cells = test.flag(cells)
    params = {
        "min_cluster_size": min_cluster_size,
        "min_cluster_size_rule": size_rule,
        "min_samples": min_samples if min_samples is not None else min_cluster_size,
        "cluster_selection_method": selection,
        "collapse": False,
        "sample_weight": "not supported by sklearn HDBSCAN: run on all points",
        "n_crimes": len(crimes),
        "n_unique_points": len(points.counts),
        "n_clusters": len(cells),
        "n_noise": int((labels < 0).sum()),
        "buffer_m": HDBSCAN_BUFFER,
        "weight": weight,
        "top": top,
        "implementation": "sklearn.cluster.HDBSCAN",
        **test.summary(),
    }
    call = (
        "hotspots.clusters.cluster_labels(x, y, method='hdbscan', "
        f"min_cluster_size={min_cluster_size}, min_samples={params['min_samples']}, "
        f"selection={selection!r})"
    )
    notes = [
        f"HDBSCAN ran on all {int(located.sum()):,} crimes ({len(points.counts):,} distinct "
        "points): scikit-learn's HDBSCAN has no sample weights, so coincident crimes are not "
        "collapsed."
    ]
    notes += cluster_notes(
        n=len(crimes), labels=labels, n_clusters=len(cells),
        n_unlocated=int((~located).sum()), weight=weight, call=call,
    )
    if len(cells) == 0:
        notes.append("No clusters found. Try a smaller min_cluster_size.")
    elif too_many and simulations:
        notes.append(
            f"The clusters are descriptive: with {int(located.sum()):,} crimes (more than "
            f"{HDBSCAN_MAX_TESTED:,}) HDBSCAN is too slow to re-run on {simulations} maps of "
            "random crimes, so they were not tested against chance. Use DBSCAN, a shorter "
            "period or a smaller area for tested clusters."
        )
    else:
        notes += test.notes
    return _clusters_result("hdbscan", cells, params, notes)


def _clusters_result(method: str, cells: gpd.GeoDataFrame, params: dict[str, Any],
                     notes: list[str]) -> HotspotResult:
    logger.info("%s_hotspots: %s", method, notes[0])
    return HotspotResult(cells=cells, method=method, params=params, layer="clusters",
                         notes=notes)
