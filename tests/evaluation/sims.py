"""Seeded simulations of the evaluation tests: grids of places with no scheme (or a planted one).

Used by the tests and by ``benchmarks/bench_evaluation.py``. A study area is a ``side`` x
``side`` grid of cells (places); each cell has an underlying monthly rate (one rate for all:
complete spatial randomness; or gamma-distributed: some places busier than others), optionally
with month-to-month extra-Poisson variation. The target is chosen the way schemes are: the
cell with most crimes before the start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hotspots.evaluation.measures import relative_effect_size
from hotspots.evaluation.verdict import judge


@dataclass(frozen=True)
class Scenario:
    """One kind of study area (see module notes)."""

    side: int = 20
    per_cell_month: float = 0.75
    shape: float | None = None
    month_dispersion: float | None = None
    months_before: int = 12
    months_after: int = 12


#: 250 m cells over a 5 km square, 12 v 12 months (the issue's "13% significant" case).
CSR_250 = Scenario()
#: The same with places that differ (gamma rates, shape 1) and extra-Poisson months.
VARIED_250 = Scenario(shape=1.0, month_dispersion=0.3)
#: 100 m cells, 6 v 6 months, sparse (the issue's "median RES 1.79" case).
SPARSE_100 = Scenario(side=50, per_cell_month=0.12, months_before=6, months_after=6)
SCENARIOS = {"csr_250m_12v12": CSR_250, "varied_250m_12v12": VARIED_250,
             "sparse_100m_6v6": SPARSE_100}


def simulate(scenario: Scenario, seed: int, *, effect: float = 0.0, busiest: bool = True):
    """Counts of one run: (target, control, places, after) as :func:`judge` takes them,
    and the old evaluation's answer: (Poisson RES interval excludes 1 above, RES)."""
    rng = np.random.default_rng(seed)
    s = scenario
    n = s.side * s.side
    m = s.months_before + s.months_after
    rate = np.full(n, s.per_cell_month)
    if s.shape:
        rate = rng.gamma(s.shape, s.per_cell_month / s.shape, n)
    lam = np.repeat(rate[:, None], m, axis=1)
    if s.month_dispersion:
        lam = lam * rng.gamma(1 / s.month_dispersion, s.month_dispersion, (n, m))
    counts = rng.poisson(lam)
    after = np.arange(m) >= s.months_before
    before = counts[:, ~after].sum(axis=1)
    target = int(np.argmax(before)) if busiest else int(rng.integers(n))
    if effect:
        counts[target, after] = rng.binomial(counts[target, after], 1 - effect)
    row, col = divmod(target, s.side)
    ring = [(row + dr) * s.side + col + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)
            if 0 <= row + dr < s.side and 0 <= col + dc < s.side]
    others = np.ones(n, bool)
    others[ring] = False  # the target and its buffer of neighbouring cells
    control = counts[others].sum(axis=0)
    old = relative_effect_size(counts[target, ~after].sum(), counts[target, after].sum(),
                               control[~after].sum(), control[after].sum())
    return (counts[target], control, counts[others], after), (old.ci_low > 1, old.res)


def run(scenario: Scenario, seeds: range, *, effect: float = 0.0, busiest: bool = True):
    """Share of runs with a verdict "fell", share where the old interval said so, median
    old RES."""
    fell, old_sig, old_res = [], [], []
    for seed in seeds:
        args, (sig, res) = simulate(scenario, seed, effect=effect, busiest=busiest)
        fell.append(judge(*args).verdict == "fell")
        old_sig.append(sig)
        old_res.append(res)
    return float(np.mean(fell)), float(np.mean(old_sig)), float(np.median(old_res))


def crime_world(seed: int, *, side_m: float = 3000.0, cell: float = 250.0,
                per_month: float = 600.0, shape: float | None = None, months: int = 24):
    """Crime points over a square (no scheme anywhere), and the busiest cell of the first
    half as the target: (crimes, target polygon, study area polygon)."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    k = int(side_m // cell)
    n = rng.poisson(per_month * months)
    if shape:
        rates = rng.gamma(shape, 1 / shape, k * k)
        index = rng.choice(k * k, n, p=rates / rates.sum())
        xy = np.column_stack([(index % k) * cell, (index // k) * cell]) + rng.uniform(
            0, cell, (n, 2))
    else:
        xy = rng.uniform(0, side_m, (n, 2))
    month = pd.date_range("2024-01-01", periods=months, freq="MS")[rng.integers(0, months, n)]
    crimes = gpd.GeoDataFrame({"month": month, "category": "Burglary"},
                              geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
                              crs="EPSG:27700")
    first = xy[np.asarray(month < month.min() + pd.DateOffset(months=months // 2))]
    cells = (first[:, 0] // cell).astype(int) + k * (first[:, 1] // cell).astype(int)
    best = int(np.bincount(cells, minlength=k * k).argmax())
    x0, y0 = (best % k) * cell, (best // k) * cell
    return crimes, shapely.box(x0, y0, x0 + cell, y0 + cell), shapely.box(0, 0, side_m, side_m)
