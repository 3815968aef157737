"""Benchmark: emerging hot spots on 24 monthly steps over a 500 x 500 (250,000-cell) grid.

Times three things on the same synthetic data (crimes clumped around town centres in
British National Grid metres, with one planted emerging hot spot):

1. the space-time Gi* alone (:func:`hotspots.methods.cube.gistar_cube`: all steps in one
   convolution, then Benjamini–Hochberg per step), against the reference of calling
   :func:`hotspots.methods.gistar.gistar_grid` once per step;
2. the Mann–Kendall test on all 250,000 series (vectorised,
   :func:`hotspots.methods.mannkendall.mann_kendall`), against a per-cell loop over
   :func:`scipy.stats.kendalltau` timed on a sample and scaled up;
3. :func:`hotspots.methods.emerging.emerging_hotspots` end to end (grid, counts, Gi*, FDR,
   Mann–Kendall, patterns and the cells GeoDataFrame).

Target: the space-time Gi* (1.) and the whole analysis (3.) in under 10 seconds.

Run ``python benchmarks/bench_trends.py [--quick] [--seed N]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from hotspots.methods.cube import gistar_cube
from hotspots.methods.emerging import emerging_hotspots
from hotspots.methods.gistar import gistar_grid
from hotspots.methods.mannkendall import mann_kendall
from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR

#: Full run: cells per side, monthly steps, crimes per month.
FULL = (500, 24, 20_000)
#: Quick run (CI smoke check).
QUICK = (200, 24, 4_000)
ORIGIN = (430_000.0, 330_000.0)
CELL = 50.0
#: Series timed with the per-cell scipy loop (then scaled to all cells).
MK_SAMPLE = 2_000


def synthetic_crimes(seed: int, side_cells: int, months: int, per_month: int) -> gpd.GeoDataFrame:
    """Crimes clumped around 30 centres over ``side_cells`` x 50 m, plus one emerging clump."""
    rng = np.random.default_rng(seed)
    side = side_cells * CELL
    centres = rng.uniform(0.1 * side, 0.9 * side, (30, 2))
    starts = pd.date_range("2024-01-01", periods=months, freq="MS")
    xs, ms = [], []
    for t, start in enumerate(starts):
        n = rng.poisson(per_month)
        clumped = centres[rng.integers(0, len(centres), n // 2)] + rng.normal(0, side / 60,
                                                                               (n // 2, 2))
        spread = rng.uniform(0, side, (n - n // 2, 2))
        parts = [clumped, spread]
        if t >= months // 2:
            parts.append(rng.normal(side * 0.3, 60.0, (40 + 5 * t, 2)))
        block = np.vstack(parts)
        xs.append(block)
        ms.append(np.full(len(block), start))
    xy = np.clip(np.vstack(xs), 0, side - 1e-6) + np.asarray(ORIGIN)
    month = pd.to_datetime(np.concatenate(ms)).astype("datetime64[ns]")
    return gpd.GeoDataFrame(
        {"month": month, "date": pd.Series(pd.NaT, index=range(len(month)),
                                           dtype="datetime64[ns]")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs="EPSG:27700",
    )


def _best_time(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(seed: int = 0, quick: bool = False) -> list[dict]:
    """Return one dict per task: ``task``, ``ours_s``, ``reference_s``, ``ratio``, ``agreement``."""
    side, months, per_month = QUICK if quick else FULL
    repeats = 1 if quick else 2
    crimes = synthetic_crimes(seed, side, months, per_month)
    total_s, result = _best_time(lambda: emerging_hotspots(crimes, cell_size=CELL), repeats)
    counts, mask = result.counts, result.mask
    sizes = {"n_cells": int(mask.sum()), "n_steps": counts.shape[0], "n_crimes": len(crimes)}

    cube_s, (z, _) = _best_time(
        lambda: gistar_cube(counts, mask, radius_cells=QUEEN_DISTANCE_FACTOR), repeats
    )

    def per_step() -> np.ndarray:
        return np.stack([gistar_grid(c, mask, radius_cells=QUEEN_DISTANCE_FACTOR)[0]
                         for c in counts])

    loop_s, z_ref = _best_time(per_step, repeats)
    diff = float(np.nanmax(np.abs(z - z_ref)))
    rows = [{
        "task": "space-time Gi* (one convolution) vs gistar_grid per step",
        "ours_s": cube_s, "reference_s": loop_s, "ratio": loop_s / cube_s,
        "agreement": f"max |z diff| {diff:.1e}", **sizes,
    }]

    series = z[:, mask].T
    mk_s, mk = _best_time(lambda: mann_kendall(series), repeats)
    rng = np.random.default_rng(seed)
    sample = rng.choice(series.shape[0], min(MK_SAMPLE, series.shape[0]), replace=False)
    steps = np.arange(series.shape[1])
    start = time.perf_counter()
    taus = [stats.kendalltau(steps, series[i]).statistic for i in sample]
    ref_mk_s = (time.perf_counter() - start) * series.shape[0] / len(sample)
    same_sign = np.mean(np.sign(np.nan_to_num(taus)) == np.sign(mk.s[sample]))
    rows.append({
        "task": "Mann-Kendall, all cells (vectorised) vs scipy.kendalltau per cell (scaled)",
        "ours_s": mk_s, "reference_s": ref_mk_s, "ratio": ref_mk_s / mk_s,
        "agreement": f"sign of S = sign of tau in {same_sign:.1%} of sampled cells", **sizes,
    })
    rows.append({
        "task": "emerging_hotspots end to end vs (per-step Gi* + per-cell MK) references",
        "ours_s": total_s, "reference_s": loop_s + ref_mk_s,
        "ratio": (loop_s + ref_mk_s) / total_s,
        "agreement": "patterns: " + ", ".join(
            f"{k} {v}" for k, v in result.params["pattern_counts"].items()
        ),
        **sizes,
    })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 x 200 grid, one repeat")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for row in run(seed=args.seed, quick=args.quick):
        print(f"{row['task']}\n  ours {row['ours_s']:.2f} s, reference {row['reference_s']:.2f} s,"
              f" ratio {row['ratio']:.1f}x; {row['agreement']}\n"
              f"  ({row['n_cells']:,} cells x {row['n_steps']} steps, {row['n_crimes']:,} crimes)")
    print("target: space-time Gi* and end to end under 10 s")


if __name__ == "__main__":
    main()
