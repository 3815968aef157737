"""Benchmark: calibrated significance (issue 9). Timings of Gi* inference, false alarms, power.

1. Gi* p-values on a 500 × 500 grid (250,000 cells, 0.5 crimes a cell): the exact
   randomization law and 999 Monte Carlo draws (target: under 10 s), against the reference
   measured in the same run: 999 full-map shuffles with neighbour sums by convolution (the
   textbook permutation test), and the normal approximation.
2. False alarms: maps of pure noise (crimes uniform over a square of 60 × 60 cells of
   100 m) at 0.2 crimes a cell (sparse) and 2 a cell (dense); the share of maps on which each
   method at its defaults flags any hotspot (nominal: at most 5%), next to Gi* with the
   old normal approximation.
3. Power: the same maps with a planted 3 × 3 block of extra crimes; the share of maps on
   which a hotspot touches the block.

Run ``python benchmarks/bench_significance.py [--maps 40] [--quick]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np

from hotspots.methods.clusters import dbscan_hotspots
from hotspots.methods.clusters import hdbscan_hotspots
from hotspots.methods.counts import count_hotspots
from hotspots.methods.density import kde_hotspots
from hotspots.methods.gistar import gistar_hotspots
from hotspots.methods.inference import randomization_tails
from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR
from hotspots.methods.neighbours import disc
from hotspots.methods.neighbours import neighbour_sum
from hotspots.methods.stats import two_sided_p

CELL = 100.0
SIDE = 60  # cells a side of the noise maps
DENSITIES = {"sparse 0.2/cell": 0.2, "dense 2/cell": 2.0}
BLOCK = (slice(28, 31), slice(28, 31))  # planted 3 x 3 cells
BLOCK_EXTRA = {"sparse 0.2/cell": 3.0, "dense 2/cell": 6.0}  # extra crimes a block cell


def methods() -> dict[str, Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]]:
    """Each method at its defaults (grid methods on 100 m cells); returns the hotspots."""
    def hot(result):
        return result.cells[result.cells["hotspot"]]

    return {
        "gistar": lambda c: hot(gistar_hotspots(c, cell_size=CELL)),
        "gistar (normal, old)": lambda c: hot(gistar_hotspots(c, cell_size=CELL,
                                                              inference="normal")),
        "count": lambda c: hot(count_hotspots(c, cell_size=CELL)),
        "kde": lambda c: hot(kde_hotspots(c, cell_size=CELL)),
        "dbscan": lambda c: hot(dbscan_hotspots(c)),
        "hdbscan": lambda c: hot(hdbscan_hotspots(c)),
    }


def noise_map(rng: np.random.Generator, density: float, extra: float = 0.0) -> gpd.GeoDataFrame:
    """Crimes uniform over the square, plus ``extra`` a cell uniform over the block."""
    n = rng.poisson(density * SIDE * SIDE)
    xy = rng.uniform(0, SIDE * CELL, (n, 2))
    if extra:
        k = rng.poisson(extra * 9)
        lo = np.array([BLOCK[1].start, BLOCK[0].start]) * CELL
        xy = np.vstack([xy, lo + rng.uniform(0, 3 * CELL, (k, 2))])
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                            crs="EPSG:27700")


def rates(maps: int, seed: int, skip: set[str]) -> None:
    """Print the false-alarm and power table."""
    block = gpd.GeoSeries.from_xy([(BLOCK[1].start + 1.5) * CELL],
                                  [(BLOCK[0].start + 1.5) * CELL]).buffer(1.5 * CELL,
                                                                          cap_style="square")
    print(f"\n{'method':22s} {'density':16s} {'false alarms':>14s} {'power':>8s} {'s/map':>7s}")
    for label, density in DENSITIES.items():
        for name, run in methods().items():
            if name in skip:
                continue
            rng = np.random.default_rng(seed)
            alarms = found = 0
            start = time.perf_counter()
            for _ in range(maps):
                alarms += len(run(noise_map(rng, density))) > 0
                hot = run(noise_map(rng, density, BLOCK_EXTRA[label]))
                found += bool(hot.intersects(block.iloc[0]).any())
            per_map = (time.perf_counter() - start) / (2 * maps)
            print(f"{name:22s} {label:16s} {alarms:>5d}/{maps:<3d} {alarms / maps:5.0%} "
                  f"{found / maps:7.0%} {per_map:7.2f}")


def timings(repeats: int) -> None:
    """Print Gi* inference timings on 250,000 cells."""
    rng = np.random.default_rng(0)
    values = rng.poisson(0.5, (500, 500)).astype(float)
    mask = np.ones(values.shape, bool)
    footprint = disc(QUEEN_DISTANCE_FACTOR)

    def best(f: Callable[[], object]) -> float:
        out = []
        for _ in range(repeats):
            t = time.perf_counter()
            f()
            out.append(time.perf_counter() - t)
        return min(out)

    def shuffles() -> None:
        observed = neighbour_sum(values, footprint)
        at_least = np.zeros(values.shape)
        flat = values.ravel()
        for _ in range(999):
            at_least += neighbour_sum(rng.permutation(flat).reshape(values.shape),
                                      footprint) >= observed

    ref = best(shuffles) if repeats else float("nan")
    rows = {
        "exact law (default)": best(lambda: randomization_tails(values, mask, footprint)),
        "exact law, conditional null": best(lambda: randomization_tails(
            values, mask, footprint, null="conditional")),
        "999 permutations (grouped draws)": best(lambda: randomization_tails(
            values, mask, footprint, inference="permutation")),
        "999 permutations, conditional": best(lambda: randomization_tails(
            values, mask, footprint, null="conditional", inference="permutation")),
        "normal approximation (old)": best(lambda: two_sided_p(values)),
    }
    print(f"Gi* p-values on {values.size:,} cells (0.5 crimes a cell), best of {repeats}:")
    print(f"  reference: 999 full-map shuffles + convolution: {ref:7.2f} s")
    for name, seconds in rows.items():
        print(f"  {name:36s} {seconds:7.3f} s   ({ref / seconds:8.1f}x faster than the "
              "reference; target < 10 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--maps", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--quick", action="store_true", help="10 maps, no HDBSCAN, 1 repeat")
    a = ap.parse_args()
    maps = 10 if a.quick else a.maps
    timings(1 if a.quick else 3)
    rates(maps, a.seed, {"hdbscan"} if a.quick else set())


if __name__ == "__main__":
    main()
