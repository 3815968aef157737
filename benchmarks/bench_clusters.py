"""Benchmark: DBSCAN on distinct map points with counts vs plain scikit-learn DBSCAN.

police.uk snaps crimes to a fixed set of anonymised map points, so a year of a force's
crime sits on far fewer distinct points than there are crimes. The data here imitate that:
crimes drawn onto ~15,000 map points (clumped around town centres, with a heavy-tailed
number of crimes per point), in British National Grid metres.

Run ``python benchmarks/bench_clusters.py [--quick] [--seed N]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
from sklearn.cluster import DBSCAN
from sklearn.metrics import adjusted_rand_score

from hotspots.methods.clusters import DEFAULT_EPS
from hotspots.methods.clusters import cluster_labels
from hotspots.methods.clusters import dbscan_hotspots
from hotspots.methods.clusters import default_min_samples

#: Full run: crimes, distinct map points, side of the square study area in metres.
FULL = (200_000, 15_000, 20_000.0)
#: Quick run (for CI smoke checks).
QUICK = (30_000, 5_000, 10_000.0)
ORIGIN = (430_000.0, 330_000.0)


def snapped_crimes(seed: int, n_crimes: int, n_points: int, side: float) -> np.ndarray:
    """Return ``(n_crimes, 2)`` coordinates snapped to ``n_points`` police.uk-like map points."""
    rng = np.random.default_rng(seed)
    n_centres = 25
    centres = rng.uniform(0, side, (n_centres, 2))
    n_clumped = int(n_points * 0.7)
    clumped = centres[rng.integers(0, n_centres, n_clumped)] + rng.normal(
        0, side / 40, (n_clumped, 2)
    )
    spread = rng.uniform(0, side, (n_points - n_clumped, 2))
    points = np.unique(np.round(np.vstack([clumped, spread])), axis=0)
    popularity = rng.lognormal(0.0, 1.0, len(points))  # real data: few points hold many
    pick = rng.choice(len(points), n_crimes, p=popularity / popularity.sum())
    return points[pick] + np.asarray(ORIGIN)


def _best_time(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def _agreement(ours: np.ndarray, reference: np.ndarray) -> str:
    if np.array_equal(ours, reference):
        return "identical clusters"
    return f"ARI {adjusted_rand_score(reference, ours):.6f}"


def run(seed: int = 0, quick: bool = False) -> list[dict]:
    """Time collapsed DBSCAN against plain scikit-learn DBSCAN on the same data and parameters.

    Returns one dict per task with ``task``, ``ours_s``, ``reference_s``, ``ratio``
    (reference / ours: above 1 means ours is faster), ``agreement`` and the data sizes.
    """
    n_crimes, n_points, side = QUICK if quick else FULL
    repeats = 1 if quick else 2
    xy = snapped_crimes(seed, n_crimes, n_points, side)
    x, y = xy[:, 0], xy[:, 1]
    eps = DEFAULT_EPS
    min_samples = default_min_samples(x, y, eps=eps)
    n_unique = len(np.unique(xy, axis=0))
    sizes = {"n_crimes": n_crimes, "n_unique_points": n_unique, "eps": eps,
             "min_samples": min_samples}

    ref_s, reference = _best_time(
        lambda: DBSCAN(eps=eps, min_samples=min_samples).fit_predict(xy), repeats
    )
    ours_s, ours = _best_time(
        lambda: cluster_labels(x, y, eps=eps, min_samples=min_samples), repeats
    )
    rows = [{
        "task": "DBSCAN labels (collapsed vs plain)",
        "ours_s": ours_s,
        "reference_s": ref_s,
        "ratio": ref_s / ours_s,
        "agreement": _agreement(ours, reference),
        "n_clusters": int(reference.max()) + 1,
        **sizes,
    }]

    crimes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")
    full_s, result = _best_time(
        lambda: dbscan_hotspots(crimes, eps=eps, min_samples=min_samples), repeats
    )
    counts = np.sort(result.cells["count"].to_numpy())
    ref_counts = np.sort(np.bincount(reference[reference >= 0]))
    rows.append({
        "task": "dbscan_hotspots end to end (clusters + polygons) vs plain labels",
        "ours_s": full_s,
        "reference_s": ref_s,
        "ratio": ref_s / full_s,
        "agreement": (
            "identical cluster sizes" if np.array_equal(counts, ref_counts)
            else "cluster sizes differ"
        ),
        "n_clusters": len(result.cells),
        **sizes,
    })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, one repeat")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for row in run(seed=args.seed, quick=args.quick):
        print(
            f"{row['task']}: ours {row['ours_s']:.3f} s, sklearn {row['reference_s']:.3f} s, "
            f"{row['ratio']:.1f}x faster; {row['agreement']} "
            f"({row['n_crimes']:,} crimes on {row['n_unique_points']:,} points, "
            f"eps={row['eps']:g}, min_samples={row['min_samples']}, "
            f"{row['n_clusters']} clusters)"
        )


if __name__ == "__main__":
    main()
