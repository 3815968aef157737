"""Benchmark: the grid hotspot methods against their reference implementations.

Same synthetic data for every task, in one process (seeded): a mixture of Gaussian crime
clusters over a uniform background on a 10 km square in British National Grid metres,
counted on a 500 x 500 grid of 20 m cells (250,000 cells).

1. Getis-Ord Gi*: ``hotspots.methods.gistar`` versus ``esda.G_Local(star=True, transform="B",
   permutations=0)``, the reference timed *including* building its libpysal weights
   (a binary ``DistanceBand`` over the cell centres at the same queen distance; esda adds
   the self-weight). Agreement: largest absolute difference in z.
2. Kernel density: ``hotspots.methods.density.kde_surface`` versus
   ``sklearn.neighbors.KernelDensity`` with the same kernel shape (quartic is not in
   scikit-learn, so Epanechnikov against Epanechnikov, whose bandwidth is the radius in
   both, and Gaussian against Gaussian, whose bandwidth is the standard deviation in
   both), at the same cell centres, scikit-learn's density times n (and per km²).
   Agreement: largest absolute difference as a share of the peak. Evaluating
   scikit-learn at all 250,000 centres would take minutes, so it is timed on a random
   subsample of centres (plus the peak cell) and its time scaled up linearly; the output
   says so.
3. If ``benchmarks/bench_clusters.py`` exists with ``run(seed)``, its rows are printed too.

Run ``python benchmarks/bench_methods.py`` (full, a few minutes on 2 cores) or with
``--quick`` (small data, seconds).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import math
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from hotspots.methods.density import kde_surface
from hotspots.methods.gistar import gistar_grid
from hotspots.methods.gistar import gistar_hotspots
from hotspots.methods.grid import Grid
from hotspots.methods.grid import count_points
from hotspots.methods.grid import make_grid
from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR

#: Full run: points, grid side in cells, cell size (m), sklearn evaluation sample size.
FULL = {"n_points": 200_000, "side_cells": 500, "cell": 20.0, "kde_sample": 4_000,
        "full_eval_limit_s": 120.0}
#: Quick smoke run.
QUICK = {"n_points": 20_000, "side_cells": 150, "cell": 20.0, "kde_sample": 1_000,
         "full_eval_limit_s": 3.0}
#: South-west corner of the synthetic study area (somewhere in the East Midlands).
ORIGIN = (430_000.0, 330_000.0)
#: Kernel bandwidths for the KDE comparison, in cells: Epanechnikov radius, Gaussian sd.
#: Linear binning adds cell²/6 of variance per axis, so agreement at the sharpest peaks
#: improves as (cell / bandwidth)²; these are typical of hotspot maps (200 m and 100 m).
EPANECHNIKOV_CELLS = 10.0
GAUSSIAN_CELLS = 5.0


def synthetic_points(seed: int, n_points: int, side: float) -> np.ndarray:
    """``(n, 2)`` points: 70% in 40 Gaussian clusters (sd 60-600 m), 30% uniform."""
    rng = np.random.default_rng(seed)
    n_clusters = 40
    centres = rng.uniform(0.1 * side, 0.9 * side, (n_clusters, 2))
    sds = np.exp(rng.uniform(np.log(60.0), np.log(600.0), n_clusters))
    share = rng.dirichlet(np.ones(n_clusters))
    n_clustered = int(0.7 * n_points)
    which = rng.choice(n_clusters, n_clustered, p=share)
    clustered = centres[which] + rng.normal(size=(n_clustered, 2)) * sds[which, None]
    background = rng.uniform(0, side, (n_points - n_clustered, 2))
    xy = np.vstack([clustered, background])
    xy = xy[(xy >= 0).all(axis=1) & (xy < side).all(axis=1)]
    return xy + np.asarray(ORIGIN)


def _best_time(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def _esda_gistar(counts: np.ndarray, grid: Grid) -> tuple[np.ndarray, float, float]:
    """esda's Gi* z as a grid, and the seconds spent on weights and on G_Local."""
    import esda
    import libpysal

    cx, cy = grid.centres()
    centres = np.c_[cx.ravel(), cy.ravel()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        w = libpysal.weights.DistanceBand(
            centres, threshold=grid.cell_size * QUEEN_DISTANCE_FACTOR, binary=True,
            silence_warnings=True,
        )
        weights_s = time.perf_counter() - start
        g = esda.G_Local(counts.ravel(), w, star=True, transform="B", permutations=0)
        local_s = time.perf_counter() - start - weights_s
    return np.asarray(g.Zs).reshape(grid.shape), weights_s, local_s


def bench_gistar(xy: np.ndarray, grid: Grid, repeats: int) -> list[dict]:
    crimes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=grid.crs)
    counts = count_points(grid, crimes)
    mask = np.ones(grid.shape, bool)
    ours_s, (z, _) = _best_time(
        lambda: gistar_grid(counts, mask, radius_cells=QUEEN_DISTANCE_FACTOR), repeats
    )
    full_s, result = _best_time(lambda: gistar_hotspots(crimes, grid=grid), repeats)
    ref_s, (z_ref, weights_s, local_s) = _best_time(lambda: _esda_gistar(counts, grid), 1)
    diff = float(np.nanmax(np.abs(z - z_ref)))
    cells = result.cells
    z_full = np.full(grid.shape, np.nan)
    z_full[cells["row"], cells["col"]] = cells["gi_z"]
    diff_full = float(np.nanmax(np.abs(z_full - z_ref)))
    return [
        {
            "task": "Gi* z from grid counts",
            "detail": f"gistar_grid on {grid.n_cells:,} cells vs esda.G_Local + libpysal "
                      "DistanceBand construction (queen distance, self-weight added by esda): "
                      f"{weights_s:.1f} s weights + {local_s:.1f} s G_Local",
            "ours_s": ours_s, "reference_s": ref_s, "ratio": ref_s / ours_s,
            "agreement": f"max |dz| {diff:.1e}",
        },
        {
            "task": "Gi* end to end",
            "detail": f"gistar_hotspots: {len(crimes):,} points -> {grid.n_cells:,}-cell "
                      "GeoDataFrame with classes, vs esda + DistanceBand given the counts",
            "ours_s": full_s, "reference_s": ref_s, "ratio": ref_s / full_s,
            "agreement": f"max |dz| {diff_full:.1e}",
        },
    ]


def bench_kde(
    xy: np.ndarray, grid: Grid, kernel: str, bandwidth: float, *, sample: int, repeats: int,
    seed: int, rtol: float = 0.0, full_eval_limit_s: float = 120.0,
) -> dict:
    """Time kde_surface against scikit-learn; scikit-learn runs on every centre when that
    is projected to take under ``full_eval_limit_s``, else on a subsample, scaled up."""
    from sklearn.neighbors import KernelDensity

    ours_s, density = _best_time(
        lambda: kde_surface(grid, xy[:, 0], xy[:, 1], bandwidth=bandwidth, kernel=kernel),
        repeats,
    )
    cx, cy = grid.centres()
    rng = np.random.default_rng(seed)
    flat = rng.choice(grid.n_cells, size=min(sample, grid.n_cells), replace=False)
    flat = np.unique(np.r_[flat, np.argmax(density)])

    # The tree is built once whatever the number of queries: time it apart, and scale
    # only the queries up to the full grid.
    fit_s, kde = _best_time(
        lambda: KernelDensity(kernel=kernel, bandwidth=bandwidth, rtol=rtol).fit(xy), 1
    )
    query_s, log_density = _best_time(
        lambda: kde.score_samples(np.c_[cx.ravel()[flat], cy.ravel()[flat]]), 1
    )
    scale = grid.n_cells / flat.size
    if scale > 1 and query_s * scale < full_eval_limit_s:
        flat = np.arange(grid.n_cells)
        query_s, log_density = _best_time(
            lambda: kde.score_samples(np.c_[cx.ravel(), cy.ravel()]), 1
        )
        scale = 1.0
    ref = np.exp(log_density) * len(xy) * 1e6
    ref_s = fit_s + query_s * scale
    peak = float(density.max())
    diff = float(np.max(np.abs(density.ravel()[flat] - ref))) / peak
    how = (
        f"fit {fit_s:.2f} s + queries timed on {flat.size:,} of {grid.n_cells:,} centres "
        f"({query_s:.2f} s), scaled x{scale:.1f} (extrapolated)" if scale > 1
        else f"run on all {grid.n_cells:,} centres (fit {fit_s:.2f} s + {query_s:.2f} s)"
    )
    return {
        "task": f"KDE {kernel}" + (f" (sklearn rtol={rtol:g})" if rtol else ""),
        "detail": f"kde_surface h={bandwidth:g} m, {len(xy):,} points, {grid.n_cells:,} "
                  f"cells vs sklearn KernelDensity(rtol={rtol:g}); sklearn {how}",
        "ours_s": ours_s, "reference_s": ref_s, "ratio": ref_s / ours_s,
        "agreement": f"max |diff| {100 * diff:.3f}% of peak"
                     + (f" over {flat.size:,} centres" if scale > 1 else ""),
    }


def bench_clusters_rows(seed: int, quick: bool) -> list[dict] | str:
    path = Path(__file__).with_name("bench_clusters.py")
    if not path.exists():
        return "benchmarks/bench_clusters.py not found; clustering benchmark skipped"
    spec = importlib.util.spec_from_file_location("bench_clusters", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run = getattr(module, "run", None)
    if run is None:
        return "benchmarks/bench_clusters.py has no run(seed); clustering benchmark skipped"
    if "quick" in inspect.signature(run).parameters:
        return run(seed, quick=quick)
    return run(seed)


def _print_table(rows: list[dict]) -> None:
    head = ("task", "ours (s)", "reference (s)", "ratio", "agreement")
    lines = [
        (
            str(r.get("task", "?")),
            f"{r['ours_s']:.3f}" if "ours_s" in r else "-",
            f"{r['reference_s']:.2f}" if "reference_s" in r else "-",
            f"{r['ratio']:.0f}x" if r.get("ratio", 0) >= 10 else f"{r.get('ratio', 0):.1f}x",
            str(r.get("agreement", "")),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]

    def fmt(cols: tuple[str, ...]) -> str:
        cells = [cols[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(cols[1:4], widths[1:4], strict=True)]
        return " | ".join([*cells, cols[4]])

    print(fmt(head))
    print("-" * (sum(widths) + 12))
    for line in lines:
        print(fmt(line))
    print()
    shown = {"task", "ours_s", "reference_s", "ratio", "agreement", "detail"}
    for r in rows:
        extra = ", ".join(f"{k}={v}" for k, v in r.items() if k not in shown)
        print(f"- {r.get('task')}: {r.get('detail', '')}{'; ' if r.get('detail') and extra else ''}"
              f"{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, one repeat")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cfg = QUICK if args.quick else FULL
    repeats = 1 if args.quick else 3
    side = cfg["side_cells"] * cfg["cell"]
    xy = synthetic_points(args.seed, cfg["n_points"], side)
    grid = make_grid(
        (ORIGIN[0], ORIGIN[1], ORIGIN[0] + side - 1.0, ORIGIN[1] + side - 1.0),
        cell_size=cfg["cell"],
    )
    print(
        f"{len(xy):,} points, grid {grid.ny} x {grid.nx} = {grid.n_cells:,} cells of "
        f"{grid.cell_size:g} m, seed {args.seed}, {os.cpu_count()} CPUs visible"
    )
    rows = bench_gistar(xy, grid, repeats)
    kde_runs = (
        # (kernel, bandwidth in cells, sklearn rtol, sklearn sample size)
        ("epanechnikov", EPANECHNIKOV_CELLS, 0.0, cfg["kde_sample"]),
        ("gaussian", GAUSSIAN_CELLS, 0.0, cfg["kde_sample"] // 4),
        # Our Gaussian is cut at 4 sd (3.4e-4 of the mass dropped), so letting sklearn prune
        # at a similar relative tolerance is the like-for-like comparison.
        ("gaussian", GAUSSIAN_CELLS, 1e-4, cfg["kde_sample"]),
    )
    for kernel, cells, rtol, sample in kde_runs:
        rows.append(bench_kde(xy, grid, kernel, cells * grid.cell_size, sample=sample,
                              repeats=repeats, seed=args.seed, rtol=rtol,
                              full_eval_limit_s=cfg["full_eval_limit_s"]))
    clusters = bench_clusters_rows(args.seed, args.quick)
    if isinstance(clusters, str):
        print(clusters)
    else:
        rows.extend(clusters)
    print()
    _print_table(rows)
    print("\nratio = reference time / our time (above 1: ours is faster).")


if __name__ == "__main__":
    main()
