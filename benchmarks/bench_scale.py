"""Benchmark: street-level scale (cell size, KDE bandwidth) and grid stability on real data.

Prints, with every figure measured in this run:

1. **Cell size.** The default cell size (median nearest-neighbour distance between
   distinct crime locations, rounded to a readable size, clipped to 50-150 m) on the real
   data in ``../shared/data`` and the demo town, beside the old rule (shorter side of the
   extent / 50), and the time of the rule on 1 million points.
2. **Bandwidth.** The data-driven KDE bandwidth (predictive selection on the latest
   training months; leave-one-cell-out cross-validation) against the old
   normal-reference rule: held-out mean log-likelihood per test crime and hit rate in the
   top 1% of the area on common 100 m cells (ties by expected share, as
   ``../shared/checks/pai_common.py`` scores), and both against the naive previous-period
   100 m count. Nottingham 2022 burglary and robbery (train January-September, test
   October-December, the 20 wards); Chicago aggravated assaults (train one year, test the
   next, the convex hull of the crimes).
3. **Speed.** Cell size and bandwidth selection on 100,000 crimes across a whole force
   (resampled from West Yorkshire's real map points) against one KDE surface on the same
   grid (the reference, in the same run).
4. **Floor.** The chosen bandwidth for uniform floors of 0.1%, 1% and 5%.
5. **Stability.** Share of hotspot area surviving half-cell shifts and one cell-size
   step, for count, KDE and Gi* on pure noise and on planted clusters, and its cost
   against the method's own run time.

Run ``.venv/bin/python benchmarks/bench_scale.py`` from the project root (about a minute
on 2 cores); ``--quick`` skips Chicago and uses smaller synthetic data.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import hotspots.methods.bandwidth as bw
from hotspots.io import load_crimes
from hotspots.methods.bandwidth import normal_reference_bandwidth
from hotspots.methods.bandwidth import select_bandwidth
from hotspots.methods.cells import prepare_cells
from hotspots.methods.density import kde_surface
from hotspots.methods.find import find_hotspots
from hotspots.methods.grid import Grid
from hotspots.methods.grid import choose_cell_size
from hotspots.methods.grid import make_grid
from hotspots.methods.stability import hotspot_stability

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "examples"
#: Evaluation cell (m) and coverage, as ../shared/checks/pai_common.py scores them.
EVAL_CELL = 100.0
COVERAGE = 0.01


def _old_rule(x: np.ndarray, y: np.ndarray) -> float:
    """The previous default: shorter side of the extent / 50, rounded down (sfhotspot)."""
    side = min(np.ptp(x), np.ptp(y)) / 50
    base = 10.0 ** math.floor(math.log10(side))
    return max(s for s in (1.0, 2.0, 2.5, 5.0) if s * base <= side + 1e-9) * base


def _xy(crimes: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    return crimes.geometry.x.to_numpy(), crimes.geometry.y.to_numpy()


def cell_sizes(quick: bool) -> None:
    print("1. Default cell size (street scale) on real data")
    print(f"   {'data':34s} {'crimes':>8s} {'places':>7s} {'spacing':>8s} {'cell':>6s} "
          f"{'old rule':>9s} {'time':>7s}")
    sets: list[tuple[str, gpd.GeoDataFrame]] = []
    wy, _ = load_crimes(DATA / "west-yorkshire" / "2016-07-west-yorkshire-street.csv.gz")
    sets.append(("West Yorkshire, 1 month, all", wy))
    sets.append(("West Yorkshire, 1 month, burglary", wy[wy["category"] == "Burglary"]))
    for kind in ("burglary", "robbery"):
        c, _ = load_crimes(DATA / "nottingham" / f"{kind}_2022.csv.gz",
                           mapping=EXAMPLES / f"nottingham_{kind}.toml")
        sets.append((f"Nottingham {kind} 2022", c))
    if not quick:
        chicago, _ = load_crimes(DATA / "chicago" / "aggravated_assaults.csv.gz",
                                 mapping=EXAMPLES / "chicago_assaults.toml")
        sets.append(("Chicago assaults 2018", chicago[chicago["month"].dt.year == 2018]))
        sets.append(("Chicago assaults 2010-2019", chicago))
    cin, _ = load_crimes(DATA / "cincinnati" / "burglary.csv.gz",
                         mapping=EXAMPLES / "cincinnati_burglary.toml")
    sets.append(("Cincinnati burglary 2016-2018", cin))
    demo, _ = load_crimes(ROOT / "data" / "sample_crimes")
    sets.append(("demo town, all", demo))
    for name, crimes in sets:
        x, y = _xy(crimes)
        t = time.perf_counter()
        choice = choose_cell_size(x, y)
        took = time.perf_counter() - t
        print(f"   {name:34s} {len(x):8,d} {choice.n_locations:7,d} {choice.spacing:7.0f}m "
              f"{choice.cell_size:5g}m {_old_rule(x, y):8g}m {took * 1e3:5.0f}ms")
    rng = np.random.default_rng(0)
    n = 200_000 if quick else 1_000_000
    places = rng.uniform(0, [60_000, 100_000], (n // 3, 2)).round()
    pts = places[rng.integers(0, len(places), n)]
    t = time.perf_counter()
    choice = choose_cell_size(pts[:, 0], pts[:, 1])
    print(f"   {n:,} synthetic crimes at {len(places):,} places: cell {choice.cell_size:g} m "
          f"in {time.perf_counter() - t:.2f} s")


class Scorer:
    """Hit rate at COVERAGE on common 100 m cells, ties by expected share (pai_common)."""

    def __init__(self, area: shapely.Geometry, train: np.ndarray, test: np.ndarray) -> None:
        x0, y0, x1, y1 = area.bounds
        xs = np.arange(math.floor(x0 / EVAL_CELL) * EVAL_CELL, x1, EVAL_CELL)
        ys = np.arange(math.floor(y0 / EVAL_CELL) * EVAL_CELL, y1, EVAL_CELL)
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        inside = shapely.contains_xy(area, gx + EVAL_CELL / 2, gy + EVAL_CELL / 2)
        self.gx, self.gy = gx[inside], gy[inside]
        off = (np.arange(4) + 0.5) * EVAL_CELL / 4
        ox, oy = (a.ravel() for a in np.meshgrid(off, off))
        self.px = (self.gx[:, None] + ox[None, :]).ravel()
        self.py = (self.gy[:, None] + oy[None, :]).ravel()
        self.k = int(math.floor(COVERAGE * self.gx.size))
        self.test = self._counts(test)
        self.naive = self.hits(self._counts(train))

    def _counts(self, xy: np.ndarray) -> np.ndarray:
        key = lambda x, y: (np.floor(x / EVAL_CELL).astype(np.int64) * 10_000_000  # noqa: E731
                            + np.floor(y / EVAL_CELL).astype(np.int64))
        counts = pd.Series(1, index=key(xy[:, 0], xy[:, 1])).groupby(level=0).sum()
        return counts.reindex(key(self.gx, self.gy)).fillna(0).to_numpy()

    def hits(self, score: np.ndarray) -> float:
        order = np.argsort(-score, kind="stable")
        s, t = score[order], self.test[order]
        cut = s[self.k - 1]
        above, tie = s > cut, s == cut
        return float(t[above].sum() + (self.k - above.sum()) / tie.sum() * t[tie].sum()) \
            / self.test.sum()

    def grid_hits(self, grid: Grid, surface: np.ndarray, mask: np.ndarray) -> float:
        values = np.where(mask, surface, -1.0)
        row, col, inside = grid.locate(self.px, self.py)
        sample = np.full(self.px.shape, -1.0)
        sample[inside] = values[row[inside], col[inside]]
        return self.hits(sample.reshape(-1, 16).mean(axis=1))


def _heldout_loglik(grid: Grid, mask: np.ndarray, surface: np.ndarray,
                    test: np.ndarray) -> float:
    """Mean log-likelihood per test crime of the surface's cell probabilities (1% floor)."""
    p = np.where(mask, surface, 0.0)
    p = (1 - bw.UNIFORM_FLOOR) * p / p.sum() + bw.UNIFORM_FLOOR / mask.sum()
    row, col, inside = grid.locate(test[:, 0], test[:, 1])
    inside[inside] &= mask[row[inside], col[inside]]
    return float(np.log(p[row[inside], col[inside]]).mean())


def _split(crimes: gpd.GeoDataFrame, train: tuple[str, str], test: tuple[str, str]):
    month = crimes["month"].dt.strftime("%Y-%m")
    return (crimes[(month >= train[0]) & (month <= train[1])],
            crimes[(month >= test[0]) & (month <= test[1])])


def bandwidths(quick: bool) -> list[tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame, object]]:
    print("\n2. KDE bandwidth: data-driven (default) vs normal-reference (old default)")
    cases = []
    wards = gpd.read_file(DATA / "nottingham" / "wards.gpkg").to_crs(27700)
    for kind in ("burglary", "robbery"):
        c, _ = load_crimes(DATA / "nottingham" / f"{kind}_2022.csv.gz",
                           mapping=EXAMPLES / f"nottingham_{kind}.toml")
        tr, te = _split(c, ("2022-01", "2022-09"), ("2022-10", "2022-12"))
        cases.append((f"Nottingham {kind}", tr, te, wards.union_all()))
    if not quick:
        chicago, _ = load_crimes(DATA / "chicago" / "aggravated_assaults.csv.gz",
                                 mapping=EXAMPLES / "chicago_assaults.toml")
        for year in (2017, 2018):
            tr, te = _split(chicago, (f"{year}-01", f"{year}-12"),
                            (f"{year + 1}-01", f"{year + 1}-12"))
            hull = shapely.MultiPoint(np.r_[np.c_[_xy(tr)], np.c_[_xy(te)]]).convex_hull
            cases.append((f"Chicago {year}->{year + 1}", tr, te, hull))
    print(f"   {'case':24s} {'cell':>5s} {'h new':>7s} {'rule':>5s} {'h old':>7s} "
          f"{'LL new':>7s} {'LL old':>7s} {'hit new':>8s} {'hit old':>8s} {'naive':>6s} "
          f"{'new/old':>8s} {'new/naive':>9s}")
    for name, tr, te, area in cases:
        prep = prepare_cells(tr, func="bench", cell_size=None, area=gpd.GeoSeries(
            [area], crs=tr.crs), weight=None, grid=None)
        months = tr["month"].to_numpy()[prep.kept]
        choice = select_bandwidth(prep.grid, prep.mask, prep.x, prep.y, months=months)
        old = normal_reference_bandwidth(prep.x, prep.y)
        scorer = Scorer(area, np.c_[_xy(tr)], np.c_[_xy(te)])
        test_xy = np.c_[_xy(te)]
        out = {}
        for label, h in (("new", choice.bandwidth), ("old", old)):
            surface = kde_surface(prep.grid, prep.x, prep.y, bandwidth=h)
            out[label] = (_heldout_loglik(prep.grid, prep.mask, surface, test_xy),
                          scorer.grid_hits(prep.grid, surface, prep.mask))
        crit = "pred" if choice.criterion == "predictive" else "cv"
        print(f"   {name:24s} {prep.grid.cell_size:4g}m {choice.bandwidth:6.0f}m {crit:>5s} "
              f"{old:6.0f}m {out['new'][0]:7.2f} {out['old'][0]:7.2f} {out['new'][1]:8.3f} "
              f"{out['old'][1]:8.3f} {scorer.naive:6.3f} {out['new'][1] / out['old'][1]:8.2f} "
              f"{out['new'][1] / scorer.naive:9.2f}")
    return cases


def speed(quick: bool) -> None:
    print("\n3. Speed of the bandwidth choice")
    # A year of one force: 100,000 crimes drawn from the 12,500 real map points of West
    # Yorkshire's month (a 62 km x 102 km force), with months, at the default cell size.
    wy, _ = load_crimes(DATA / "west-yorkshire" / "2016-07-west-yorkshire-street.csv.gz")
    rng = np.random.default_rng(1)
    n = 20_000 if quick else 100_000
    x, y = _xy(wy)
    pick = rng.integers(0, len(x), n)
    x, y = x[pick], y[pick]
    months = np.datetime64("2023-01", "M") + rng.integers(0, 12, n).astype("timedelta64[M]")
    t = time.perf_counter()
    cell = choose_cell_size(x, y).cell_size
    took_cell = time.perf_counter() - t
    grid = make_grid((x.min(), y.min(), x.max(), y.max()), cell_size=cell)
    mask = np.ones(grid.shape, bool)
    t = time.perf_counter()
    choice = select_bandwidth(grid, mask, x, y, months=months)
    took = time.perf_counter() - t
    t = time.perf_counter()
    kde_surface(grid, x, y, bandwidth=choice.bandwidth)
    one = time.perf_counter() - t
    print(f"   {n:,} crimes (force-wide), {grid.n_cells:,} cells of {cell:g} m: cell size "
          f"{took_cell:.2f} s; bandwidth over {len(choice.candidates)} candidates {took:.2f} s "
          f"(chose {choice.bandwidth:.0f} m); one KDE surface {one:.2f} s "
          f"(ratio {took / one:.1f})")


def floors(cases: list) -> None:
    print("\n4. Chosen bandwidth by uniform floor (predictive where months allow)")
    saved = bw.UNIFORM_FLOOR
    try:
        for name, tr, _, area in cases:
            prep = prepare_cells(tr, func="bench", cell_size=None, area=gpd.GeoSeries(
                [area], crs=tr.crs), weight=None, grid=None)
            months = tr["month"].to_numpy()[prep.kept]
            row = []
            for floor in (0.001, 0.01, 0.05):
                bw.UNIFORM_FLOOR = floor
                h = select_bandwidth(prep.grid, prep.mask, prep.x, prep.y, months=months)
                row.append(f"{floor:.1%}: {h.bandwidth:.0f} m")
            print(f"   {name:24s} " + ", ".join(row))
    finally:
        bw.UNIFORM_FLOOR = saved


def stability(quick: bool) -> None:
    print("\n5. Stability (share of hotspot area kept; mean of 5 perturbations)")
    rng = np.random.default_rng(2)
    n = 1_500 if quick else 3_000
    noise = rng.uniform(0, 10_000, (n, 2))
    centres = [(2000, 3000), (6000, 7000), (8000, 2000)]
    planted = np.r_[np.concatenate([rng.normal(c, 80, (150, 2)) for c in centres]),
                    rng.uniform(0, 10_000, (n - 450, 2))]
    for name, xy in (("pure noise", noise), ("3 planted clusters", planted)):
        crimes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                                  crs="EPSG:27700")
        for method in ("count", "kde", "gistar"):
            t = time.perf_counter()
            res = find_hotspots(crimes, method=method)
            run = time.perf_counter() - t
            t = time.perf_counter()
            s = hotspot_stability(crimes, res)
            took = time.perf_counter() - t
            mean = "-" if s["mean"] is None else f"{s['mean']:.2f}"
            print(f"   {name:20s} {method:7s} cell {res.params['cell_size']:4g} m, "
                  f"{res.n_hotspots:5d} hot cells: stability {mean} "
                  f"({took:.2f} s; the method {run:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip Chicago, smaller data")
    args = parser.parse_args()
    cell_sizes(args.quick)
    cases = bandwidths(args.quick)
    speed(args.quick)
    floors(cases)
    stability(args.quick)


if __name__ == "__main__":
    main()
