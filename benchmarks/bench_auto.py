"""Benchmark: ``--method auto`` on a year of one force, and how well it predicts.

1. Speed: :func:`hotspots.methods.auto.auto_hotspots` end to end (contest of every
   candidate on the first 9 months scored on the last 3, bootstrap, refit of the winner on
   all 12 months, cells GeoDataFrame) on about 100,000 synthetic crimes over a force-sized
   area, against the naive reference measured in the same run: one 100 m count
   (:func:`hotspots.methods.counts.count_hotspots`). Target: auto under 20 s.
2. Accuracy: the share of the *next* quarter's crimes caught in the top 1% of the area by
   auto's map and by the naive previous-period 100 m count, scored like the project's
   check (``pai_common.py``): common 100 m cells, ties by expected share. On the synthetic
   force and, when ``../shared/data`` is present, on Nottingham burglary and robbery 2022
   (train January-September, test October-December, wards).

Synthetic data (seeded): crimes placed on about 60,000 "map points" (police.uk snaps crimes
to anonymous points on streets, denser in towns), with risk from 12 towns plus 300
persistent street-scale hotspots (radius 50-300 m) and 300 single busy points (shops,
stations), Poisson crimes per month.

3. ``--study``: the same held-out comparison on 27 train/test splits of the real data in
   ``../shared/data``: Chicago aggravated assaults (train one year, test the next; all
   crimes for 2012, 2015, 2018, and 10% and 3% random samples of each year 2010-2018, to
   see sparse data with real structure), Cincinnati burglary (2016 and 2017, next year) and
   Nottingham burglary and robbery 2022 (January-September then October-December, and
   January-June then July-September). US data are projected to UTM zone 16N (EPSG:32616)
   here; no boundary (the convex hull of the crimes) except Nottingham (wards).

Run ``python benchmarks/bench_auto.py [--quick] [--seed N] [--study]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.methods.auto import auto_hotspots
from hotspots.methods.candidates import default_candidates
from hotspots.methods.counts import count_hotspots
from hotspots.methods.grid import Grid
from hotspots.methods.scoring import common_grid
from hotspots.methods.scoring import hit_rates

#: Full run: crimes a year, area (km x km), map points.
FULL = (100_000, (40.0, 30.0), 60_000)
QUICK = (10_000, (12.0, 10.0), 12_000)
ORIGIN = (420_000.0, 320_000.0)
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def synthetic_force(seed: int, per_year: int, size_km: tuple[float, float],
                    n_points: int, months: int = 15) -> gpd.GeoDataFrame:
    """Crimes over ``months`` months (12 to train on, 3 to test) on snapped map points."""
    rng = np.random.default_rng(seed)
    w, h = size_km[0] * 1000, size_km[1] * 1000
    towns = rng.uniform([0.1 * w, 0.1 * h], [0.9 * w, 0.9 * h], (12, 2))
    town_sd = rng.uniform(800, 3000, 12)
    n_town = int(0.85 * n_points)
    which = rng.integers(0, 12, n_town)
    pts = np.r_[towns[which] + rng.normal(0, 1, (n_town, 2)) * town_sd[which, None],
                rng.uniform([0, 0], [w, h], (n_points - n_town, 2))]
    pts = np.clip(pts, 0, [w - 1, h - 1])
    risk = np.ones(len(pts))
    centres = pts[rng.integers(0, len(pts), 300)]
    radius = rng.uniform(50, 300, 300)
    for c, r, s in zip(centres, radius, rng.lognormal(1.0, 0.6, 300), strict=True):
        near = np.abs(pts - c).max(axis=1) < 3 * r
        risk[near] += s * np.exp(-((pts[near] - c) ** 2).sum(axis=1) / (2 * r * r))
    busy = rng.integers(0, len(pts), 300)
    risk[busy] += rng.lognormal(1.5, 0.8, 300)
    p = risk / risk.sum()
    frames = []
    for m in range(months):
        idx = rng.choice(len(pts), rng.poisson(per_year / 12), p=p)
        frames.append(pd.DataFrame({
            "x": ORIGIN[0] + pts[idx, 0], "y": ORIGIN[1] + pts[idx, 1],
            "month": pd.Timestamp(2024, 1, 1) + pd.DateOffset(months=m)}))
    d = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(d[["month"]], geometry=gpd.points_from_xy(d.x, d.y),
                            crs="EPSG:27700")


def held_out_ratio(result_cells: gpd.GeoDataFrame, naive_cells: gpd.GeoDataFrame,
                   test: gpd.GeoDataFrame, area: object, bounds: tuple, crs: str) -> tuple:
    """Hit rates at 1% of the area of two outputs on common 100 m cells, and their ratio."""
    common = common_grid(area, crs=crs, bounds=bounds)
    scores = [common.project(*_as_grid(cells, crs)) for cells in (result_cells, naive_cells)]
    tx, ty = test.geometry.x.to_numpy(), test.geometry.y.to_numpy()
    rates = hit_rates(scores, common.cell_index(tx, ty), n_cells=common.n_cells, n_boot=0)
    return float(rates.hit[0]), float(rates.hit[1]), float(rates.hit[0] / rates.hit[1])


def _as_grid(cells: gpd.GeoDataFrame, crs: str) -> tuple[Grid, np.ndarray]:
    b = cells.geometry.bounds
    size = float((b.maxx - b.minx).median())
    x0, y0 = float(b.minx.min()), float(b.miny.min())
    col = np.rint((b.minx - x0) / size).astype(int).to_numpy()
    row = np.rint((b.miny - y0) / size).astype(int).to_numpy()
    grid = Grid(x0, y0, size, int(col.max()) + 1, int(row.max()) + 1, crs)
    values = np.full(grid.shape, np.nan)
    values[row, col] = cells["score"].to_numpy(dtype=float)
    return grid, values


def nottingham(kind: str) -> tuple | None:
    from hotspots.io import load_boundary
    from hotspots.io import load_crimes
    from hotspots.select import select_crimes

    path = SHARED / "nottingham" / f"{kind}_2022.csv.gz"
    if not path.is_file():
        return None
    mapping = {"crs": "EPSG:4326",
               "columns": {"x": "longitude", "y": "latitude", "month": "month"},
               "constants": {"category": kind.capitalize()}}
    crimes, _ = load_crimes(path, mapping=mapping)
    wards, _ = load_boundary(SHARED / "nottingham" / "wards.gpkg")
    train, _ = select_crimes(crimes, start="2022-01", end="2022-09")
    test, _ = select_crimes(crimes, start="2022-10", end="2022-12")
    return train, test, wards


def _us(path: Path, date_column: str, *, dedupe: str | None = None) -> gpd.GeoDataFrame:
    d = pd.read_csv(path).dropna(subset=["longitude", "latitude"])
    if dedupe:
        d = d.drop_duplicates(dedupe)
    date = pd.to_datetime(d[date_column], utc=True).dt.tz_localize(None)
    g = gpd.GeoDataFrame({"date": date, "month": date.dt.to_period("M").dt.to_timestamp()},
                         geometry=gpd.points_from_xy(d["longitude"], d["latitude"]),
                         crs="EPSG:4326")
    return g.to_crs("EPSG:32616")


def study_cases() -> list[tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame, object]]:
    """The real-data train/test splits of ``--study`` (see the module docstring)."""
    cases = []
    chicago = _us(SHARED / "chicago" / "aggravated_assaults.csv.gz", "date")
    year = chicago["date"].dt.year
    for frac, years in ((1.0, (2012, 2015, 2018)), (0.1, range(2010, 2019)),
                        (0.03, range(2010, 2019))):
        for y in years:
            tr, te = chicago[year == y], chicago[year == y + 1]
            if frac < 1:
                tr = tr.sample(frac=frac, random_state=y)
                te = te.sample(frac=frac, random_state=y + 100)
            cases.append((f"Chicago {frac:.0%} {y}", tr, te, None))
    cin = _us(SHARED / "cincinnati" / "burglary.csv.gz", "offense_date", dedupe="incident_no")
    for y in (2016, 2017):
        cases.append((f"Cincinnati {y}", cin[cin["date"].dt.year == y],
                      cin[cin["date"].dt.year == y + 1], None))
    for kind in ("burglary", "robbery"):
        tr, te, wards = nottingham(kind)
        cases.append((f"Nottingham {kind} Jan-Sep", tr, te, wards))
        both = pd.concat([tr, te])
        cases.append((f"Nottingham {kind} Jan-Jun", both[both["month"] < "2022-07-01"],
                       both[(both["month"] >= "2022-07-01") & (both["month"] < "2022-10-01")],
                       wards))
    return cases


def study() -> None:
    """auto on the real splits, and what picking the best point estimate would have given."""
    by_label = {c.label: c for c in default_candidates()}
    print(f"\n{'split':28s} | {'train':>6s} | {'auto':>6s} | {'naive':>6s} | ratio | "
          "argmax ratio | chosen")
    ratios, argmax = [], []
    for name, tr, te, area in study_cases():
        res = auto_hotspots(tr, area=area)
        base = count_hotspots(tr, cell_size=100.0, area=area)
        x, y = tr.geometry.x, tr.geometry.y
        if area is None:
            geom = gpd.GeoSeries(pd.concat([tr.geometry, te.geometry])).union_all().convex_hull
        else:
            geom = area.to_crs(tr.crs).union_all()
        box = (x.min(), y.min(), x.max(), y.max())
        crs = tr.crs.to_string()
        hp, hn, ratio = held_out_ratio(res.cells, base.cells, te, geom, box, crs)
        # the rule not taken: the candidate with the best held-out point estimate
        rows = res.params["auto"]["candidates"]
        top = max(rows, key=lambda r: r["hit_rate"])["candidate"]
        alt = res if top == res.params["chosen"] else auto_hotspots(
            tr, area=area, candidates=[by_label[top]])
        ratio_max = held_out_ratio(alt.cells, base.cells, te, geom, box, crs)[2]
        ratios.append(ratio)
        argmax.append(ratio_max)
        print(f"{name:28s} | {len(tr):6,d} | {hp:6.3f} | {hn:6.3f} | {ratio:5.2f} | "
              f"{ratio_max:12.2f} | {res.params['chosen']}")
    for label, values in (("auto", ratios), ("argmax of the contest", argmax)):
        r = np.array(values)
        print(f"{label}: {len(r)} splits, geometric mean ratio {np.exp(np.log(r).mean()):.3f}, "
              f"median {np.median(r):.3f}, min {r.min():.3f}, below 1.0 in {(r < 1).sum()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--study", action="store_true",
                        help="also score auto on 27 real train/test splits")
    args = parser.parse_args()
    per_year, size_km, n_points = QUICK if args.quick else FULL
    crimes = synthetic_force(args.seed, per_year, size_km, n_points)
    train = crimes[crimes["month"] < pd.Timestamp(2025, 1, 1)]
    test = crimes[crimes["month"] >= pd.Timestamp(2025, 1, 1)]
    print(f"synthetic force: {len(train):,} crimes over 12 months, {size_km[0]:g} x "
          f"{size_km[1]:g} km, {n_points:,} map points, seed {args.seed}")

    t0 = time.perf_counter()
    naive = count_hotspots(train, cell_size=100.0)
    t_naive = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = auto_hotspots(train)
    t_auto = time.perf_counter() - t0
    print(f"{'task':44s} | {'time (s)':>8s} | vs naive count")
    print(f"{'naive 100 m count (reference)':44s} | {t_naive:8.2f} | 1.0x")
    print(f"{'auto end to end (contest + refit)':44s} | {t_auto:8.2f} | "
          f"{t_auto / t_naive:.1f}x   target < 20 s: {'met' if t_auto < 20 else 'MISSED'}")
    print(f"  chosen: {result.params['chosen']}; {result.notes[0]}")

    x, y = train.geometry.x, train.geometry.y
    bounds = (x.min(), y.min(), x.max(), y.max())
    hull = gpd.GeoSeries(train.geometry).union_all().convex_hull
    hp, hn, ratio = held_out_ratio(result.cells, naive.cells, test, hull, bounds,
                                   "EPSG:27700")
    print("\nheld-out hit rate at 1% of the area (next quarter, common 100 m cells)")
    print(f"{'data':28s} | {'auto':>6s} | {'naive':>6s} | ratio | chosen")
    print(f"{'synthetic force':28s} | {hp:6.3f} | {hn:6.3f} | {ratio:5.2f} | "
          f"{result.params['chosen']}")
    for kind in ("burglary", "robbery"):
        data = nottingham(kind)
        if data is None:
            print(f"Nottingham {kind}: ../shared/data absent, skipped")
            continue
        tr, te, wards = data
        res = auto_hotspots(tr, area=wards)
        base = count_hotspots(tr, cell_size=100.0, area=wards)
        area = wards.to_crs(tr.crs).union_all()
        hp, hn, ratio = held_out_ratio(res.cells, base.cells, te, area, area.bounds,
                                       tr.crs.to_string())
        print(f"{'Nottingham ' + kind + ' 2022':28s} | {hp:6.3f} | {hn:6.3f} | {ratio:5.2f} | "
              f"{res.params['chosen']}")
    if args.study:
        study()


if __name__ == "__main__":
    main()
