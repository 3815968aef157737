"""Held-out hit rate on one common grid: how ``auto`` and ``compare`` score a hotspot ranking.

Every ranking (grid cells of any size, or cluster polygons) is averaged onto the same
100 m cells of the study area, the top ``coverage`` share of those cells is taken, and the
score is the share of later (held-out) crimes that fall in them. Ties at the cut-off count
by their expected share: if 3 cells tie for the last 2 places, each counts 2/3 of its
crimes, whatever the row order (a map and its mirror image score the same). Intervals come
from a seeded bootstrap over the held-out crimes, paired across rankings, so differences
between rankings get intervals too.

This is the scoring of the project's accuracy check (``pai_common.py``): 16 sample points a
cell, a floor below every score where a ranking says nothing, and ties by expected share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import shapely
from scipy import sparse

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import Grid
from hotspots.methods.grid import make_grid
from hotspots.methods.stats import kth_largest
from hotspots.validation import check_choice
from hotspots.validation import float_param

__all__ = [
    "COMMON_CELL_SIZE",
    "DEFAULT_COVERAGE",
    "N_BOOT",
    "CONFIDENCE",
    "CommonGrid",
    "HitRates",
    "common_grid",
    "n_selected",
    "selection_weights",
    "hit_rates",
    "bootstrap_rule",
    "reality_check",
]

#: Side of the common scoring cells, in metres. A street block, and the scale of the bar
#: every ranking has to clear (issue 9: the naive previous-period count on 100 m cells).
COMMON_CELL_SIZE = 100.0
#: Share of the study area a ranking is scored at: the top 1% of the area, the coverage of
#: the project's accuracy target (issue 9) and within the 0.25-5% that the PAI literature
#: and the crime-forecasting challenges score (Chainey, Tompson & Uhlig 2008).
DEFAULT_COVERAGE = 0.01
#: Sample points per side of a common cell (4 x 4 = 16) when averaging a ranking onto it,
#: as the project's accuracy check does; exact for aligned cells of 25, 50 or 100 m.
SAMPLES_PER_SIDE = 4
#: Bootstrap replicates: 999, the usual count for percentile intervals at 95% (Davison &
#: Hinkley 1997, sec. 5.2.3: (B + 1) * 0.025 is then a whole number).
N_BOOT = 999
#: Confidence level of every interval.
CONFIDENCE = 0.95
#: Replicates drawn at once (bounds memory: CHUNK x cells with held-out crimes).
CHUNK = 100
#: How the study-area cells of the common grid are chosen, for ``params``.
COMMON_GRID_RULE = (
    "common {cell:g} m cells (origin a multiple of {cell:g} m) whose centre lies in the study "
    "area; every ranking is averaged onto them from 16 sample points a cell"
)
TIE_RULE = (
    "the top floor(coverage x cells) common cells are taken; cells tied at the cut-off each "
    "count (places left / cells tied) of their crimes (their expected share)"
)
#: What the bootstrap resamples: the scoring cells (with their held-out crimes), or the
#: held-out crimes one by one.
BOOTSTRAP_UNITS: tuple[str, ...] = ("cells", "crimes")
BOOTSTRAP_RULE = (
    "percentile bootstrap over the {unit} ({what}; {n_boot} replicates, seed {seed}), paired "
    "across rankings; {level:.0%} intervals"
)
_BOOTSTRAP_WHAT = {
    "cells": "the study area's scoring cells resampled with replacement, each with its "
             "held-out crimes",
    "crimes": "held-out crimes resampled with replacement",
}


def bootstrap_rule(unit: str, n_boot: int, seed: int) -> str:
    """The bootstrap's rule in words, for ``params`` and tables.

    Examples
    --------
    >>> bootstrap_rule("crimes", 999, 0).split(";")[0]
    'percentile bootstrap over the crimes (held-out crimes resampled with replacement'
    """
    return BOOTSTRAP_RULE.format(unit=unit, what=_BOOTSTRAP_WHAT[unit], n_boot=n_boot,
                                 seed=seed, level=CONFIDENCE)


@dataclass(frozen=True)
class CommonGrid:
    """The common scoring cells of a study area.

    Attributes
    ----------
    grid : Grid
        A grid of :data:`COMMON_CELL_SIZE` cells over the study area, origin snapped.
    mask : numpy.ndarray of bool
        True for the cells whose centre lies in the study area (the scoring cells).
    rule : str
        The rule, for ``params``.
    """

    grid: Grid
    mask: np.ndarray
    #: The latest grid's sample cells (candidates on one grid are scored one after another).
    _last_samples: dict[Grid, tuple[list[np.ndarray], list[np.ndarray]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @property
    def n_cells(self) -> int:
        """K, the number of scoring cells."""
        return int(self.mask.sum())

    @property
    def area_km2(self) -> float:
        """A: the scoring cells' area in km² (the study area, to within the cell edges)."""
        return self.n_cells * self.grid.cell_area / 1e6

    @property
    def rule(self) -> str:
        return COMMON_GRID_RULE.format(cell=self.grid.cell_size)

    def cell_index(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index (0..K-1, row-major over the scoring cells) of each point's cell; -1 outside."""
        lookup = np.full(self.grid.shape, -1, dtype=np.int64)
        lookup[self.mask] = np.arange(self.n_cells)
        row, col, inside = self.grid.locate(np.asarray(x, float), np.asarray(y, float))
        out = np.full(row.shape, -1, dtype=np.int64)
        out[inside] = lookup[row[inside], col[inside]]
        return out

    def totals(self, x: np.ndarray, y: np.ndarray,
               weights: np.ndarray | None = None) -> np.ndarray:
        """Crimes (or summed ``weights``) per scoring cell, shape (K,)."""
        idx = self.cell_index(x, y)
        inside = idx >= 0
        w = None if weights is None else np.asarray(weights, float)[inside]
        return np.bincount(idx[inside], weights=w, minlength=self.n_cells).astype(float)

    def _samples(self) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = np.nonzero(self.mask)
        c = self.grid.cell_size
        off = (np.arange(SAMPLES_PER_SIDE) + 0.5) * c / SAMPLES_PER_SIDE
        ox, oy = np.meshgrid(off, off)
        px = (self.grid.x0 + cols * c)[:, None] + ox.ravel()[None, :]
        py = (self.grid.y0 + rows * c)[:, None] + oy.ravel()[None, :]
        return px.ravel(), py.ravel()

    def _sample_cells(self, grid: Grid) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Where the sample points fall on ``grid``: per offset, the padded row (times the
        padded width) and padded column of every scoring cell's sample (0: off ``grid``);
        :meth:`_samples` and :meth:`Grid.locate`, once per row and column, not per point.
        """
        rows, cols = np.nonzero(self.mask)
        c = self.grid.cell_size
        off = (np.arange(SAMPLES_PER_SIDE) + 0.5) * c / SAMPLES_PER_SIDE
        px = (self.grid.x0 + np.arange(self.grid.nx) * c)[:, None] + off[None, :]
        py = (self.grid.y0 + np.arange(self.grid.ny) * c)[:, None] + off[None, :]
        col = np.floor((px - grid.x0) / grid.cell_size).astype(np.int64)
        row = np.floor((py - grid.y0) / grid.cell_size).astype(np.int64)
        col = np.where((col >= 0) & (col < grid.nx), col + 1, 0)
        row = np.where((row >= 0) & (row < grid.ny), row + 1, 0)
        row_part = [row[rows, a] * (grid.nx + 2) for a in range(SAMPLES_PER_SIDE)]
        col_part = [col[cols, b] for b in range(SAMPLES_PER_SIDE)]
        return row_part, col_part

    def project(self, grid: Grid, values: np.ndarray, *, floor: float | None = None
                ) -> np.ndarray:
        """Average a ranking on ``grid`` (an array of ``grid.shape``) onto the scoring cells.

        Sample points off ``grid``, or where ``values`` is not finite, take ``floor``
        (default: one below the lowest finite value), so a ranking never gains from saying
        nothing about a place.

        Examples
        --------
        >>> common = common_grid(None, bounds=(0, 0, 199, 99), crs="EPSG:27700")
        >>> fine = make_grid((0, 0, 199, 99), cell_size=50)
        >>> values = np.arange(8.0).reshape(fine.shape)  # rows: [0 1 2 3], [4 5 6 7]
        >>> common.project(fine, values).tolist()
        [2.5, 4.5]
        """
        values = np.asarray(values, dtype=float)
        if values.shape != grid.shape:
            raise ParameterError(
                f"project needs values of the grid's shape {grid.shape}, got {values.shape}."
            )
        finite = np.isfinite(values)
        if floor is None:
            floor = float(values[finite].min()) - 1.0 if finite.any() else 0.0
        # Sample points read their cell's value, or the floor (off the grid, not finite).
        padded = np.full((grid.ny + 2, grid.nx + 2), floor)
        padded[1:-1, 1:-1] = np.where(finite, values, floor)
        flat = padded.ravel()
        if grid not in self._last_samples:
            self._last_samples.clear()  # one grid's kept: 8 indexes of every scoring cell
            self._last_samples[grid] = self._sample_cells(grid)
        row_part, col_part = self._last_samples[grid]
        if all((r == row_part[0]).all() for r in row_part) and all(
                (c == col_part[0]).all() for c in col_part):
            # Every sample of a cell reads the same value (a coarser grid aligned with this
            # one): their mean is that value, exactly (sums of equal values by powers of 2).
            return flat[row_part[0] + col_part[0]]
        def sample(i: int) -> np.ndarray:  # the i-th sample point of every scoring cell
            a, b = divmod(i, SAMPLES_PER_SIDE)
            return flat[row_part[a] + col_part[b]]

        if SAMPLES_PER_SIDE == 4:
            # The mean of the 16 samples, summed in the order numpy's pairwise sum adds 16
            # values (eight pairs i, i + 8, then a tree), without a (cells x 16) matrix:
            # the same floating-point result (tests pin it), in less time and memory.
            def pair(j: int) -> np.ndarray:
                return sample(j) + sample(j + 8)

            if all((part[0] == part[1]).all() and (part[2] == part[3]).all()
                   for part in (row_part, col_part)):
                # A grid of half-size cells aligned with this one: samples 0-1 and 2-3 of
                # each side read one cell, so pairs 0 = 1 = 4 = 5 (cells A + C) and
                # 2 = 3 = 6 = 7 (B + D), and the tree above is 4 ((A + C) + (B + D)),
                # doubling being exact: the same result from four samples.
                return (pair(0) + pair(2)) / 4
            total = (pair(0) + pair(1)) + (pair(2) + pair(3))
            total = total + ((pair(4) + pair(5)) + (pair(6) + pair(7)))
            return total / 16
        return np.column_stack([sample(i) for i in range(SAMPLES_PER_SIDE ** 2)]).mean(axis=1)

    def project_polygons(self, polygons: Sequence[shapely.Geometry] | np.ndarray,
                         scores: np.ndarray) -> np.ndarray:
        """Average polygon scores onto the scoring cells (a sample point takes the highest
        score of the polygons it lies in; points in none take one below the lowest score).

        Examples
        --------
        >>> common = common_grid(None, bounds=(0, 0, 199, 99), crs="EPSG:27700")
        >>> common.project_polygons([shapely.box(0, 0, 50, 100)], np.array([4.0])).tolist()
        [3.5, 3.0]
        """
        scores = np.asarray(scores, dtype=float)
        geoms = np.asarray(polygons, dtype=object)
        finite = np.isfinite(scores)
        floor = float(scores[finite].min()) - 1.0 if finite.any() else 0.0
        px, py = self._samples()
        sample = np.full(px.shape, floor)
        if len(geoms):
            tree = shapely.STRtree(geoms)
            pts = shapely.points(px, py)
            pi, gi = tree.query(pts, predicate="within")
            s = np.where(np.isfinite(scores[gi]), scores[gi], floor)
            best = np.full(px.shape, -np.inf)
            np.maximum.at(best, pi, s)
            sample = np.where(np.isfinite(best), np.maximum(best, floor), floor)
        return sample.reshape(self.n_cells, -1).mean(axis=1)


def common_grid(area: shapely.Geometry | None, *, crs: str,
                bounds: tuple[float, float, float, float] | None = None,
                cell_size: float = COMMON_CELL_SIZE) -> CommonGrid:
    """The common scoring cells: ``cell_size`` cells whose centre lies in ``area``.

    Without ``area``, every cell whose centre lies within ``bounds`` (the crimes' extent).

    Examples
    --------
    >>> common = common_grid(shapely.box(0, 0, 1000, 500), crs="EPSG:27700")
    >>> common.n_cells, common.area_km2
    (50, 0.5)
    """
    cell_size = float_param(cell_size, name="cell_size", func="common_grid", allow_none=False)
    if area is None and bounds is None:
        raise ParameterError("common_grid needs a study 'area' or the 'bounds' of the crimes.")
    box = area.bounds if area is not None else tuple(float(v) for v in bounds)
    grid = make_grid(box, cell_size=cell_size, crs=crs)
    cx, cy = grid.centres()
    if area is None:
        minx, miny, maxx, maxy = box
        mask = (cx >= minx) & (cx <= maxx) & (cy >= miny) & (cy <= maxy)
        if not mask.any():  # an extent narrower than one cell: keep the cells it touches
            mask = np.ones(grid.shape, bool)
    else:
        shapely.prepare(area)
        mask = shapely.contains_xy(area, cx, cy)
    if not mask.any():
        raise EmptySelectionError(
            f"The study area holds no {cell_size:g} m scoring cell centre; it is too small "
            "to score a hotspot ranking on."
        )
    return CommonGrid(grid, mask)


def n_selected(coverage: float, n_cells: int) -> int:
    """Cells in the top ``coverage`` of ``n_cells``: floor(coverage x K), at least 1.

    Examples
    --------
    >>> n_selected(0.01, 7457), n_selected(0.01, 50)
    (74, 1)
    """
    return max(1, math.floor(coverage * n_cells + 1e-9))


def selection_weights(score: np.ndarray, k: int) -> np.ndarray:
    """Each cell's share of the top ``k`` by ``score``: 1 above the cut, 0 below, and cells
    tied at the cut-off share the places left (their expected share under a random order).

    Examples
    --------
    Five cells, the top 2: one clear winner, then three tied for one place.

    >>> selection_weights(np.array([5.0, 3, 3, 3, 1]), 2).round(3).tolist()
    [1.0, 0.333, 0.333, 0.333, 0.0]
    """
    score = np.asarray(score, dtype=float)
    n = score.size
    k = min(max(int(k), 0), n)
    out = np.zeros(n)
    if k == 0:
        return out
    score = np.where(np.isfinite(score), score, -np.inf)
    cut = kth_largest(score, k)
    above = score > cut
    tied = score == cut
    out[above] = 1.0
    out[tied] = (k - above.sum()) / tied.sum()
    return out


@dataclass(frozen=True)
class HitRates:
    """Held-out hit rates of several rankings at one coverage, with bootstrap replicates.

    ``hit[c] = n[c] / N``: the share of held-out crimes (or harm) in ranking ``c``'s top
    ``k`` of ``K`` cells; ``pai = hit / (k / K)``; ``pei = n / n_star`` with ``n_star`` the
    most any choice of ``k`` cells catches. ``boot_*`` hold the bootstrap replicates
    (rows: replicates; for ``boot_hit`` and ``boot_pei``, columns: rankings);
    ``selection`` each ranking's selection weights over the K cells (rows: rankings).
    """

    coverage: float
    k: int
    K: int
    N: float
    n: np.ndarray
    n_star: float
    boot_hit: np.ndarray
    boot_pei: np.ndarray
    n_boot: int
    seed: int
    unit: str = "cells"
    selection: np.ndarray | None = None

    @property
    def hit(self) -> np.ndarray:
        return self.n / self.N if self.N > 0 else np.full(self.n.shape, np.nan)

    @property
    def area_share(self) -> float:
        return self.k / self.K

    @property
    def pai(self) -> np.ndarray:
        if self.N <= 0:
            return np.full(self.n.shape, np.nan)
        return self.n * self.K / (self.N * self.k)

    @property
    def pei(self) -> np.ndarray:
        return self.n / self.n_star if self.n_star > 0 else np.full(self.n.shape, np.nan)

    def interval(self, replicates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval at :data:`CONFIDENCE` of replicates (rows) per column."""
        tail = (1.0 - CONFIDENCE) / 2.0 * 100.0
        replicates = np.asarray(replicates, dtype=float)
        lo = np.full(replicates.shape[1:], np.nan)
        hi = lo.copy()
        some = np.isfinite(replicates).any(axis=0)
        if some.any():
            lo[some], hi[some] = np.nanpercentile(replicates[:, some], [tail, 100.0 - tail],
                                                  axis=0)
        return lo, hi

    def hit_interval(self) -> tuple[np.ndarray, np.ndarray]:
        return self.interval(self.boot_hit)

    def pai_interval(self) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.interval(self.boot_hit)
        return lo / self.area_share, hi / self.area_share

    def pei_interval(self) -> tuple[np.ndarray, np.ndarray]:
        return self.interval(self.boot_pei)

    def difference(self, a: int, b: int) -> tuple[float, float, float]:
        """Hit rate of ranking ``a`` minus ranking ``b``, and its paired interval."""
        d = self.boot_hit[:, a] - self.boot_hit[:, b]
        lo, hi = self.interval(d[:, None])
        return float(self.hit[a] - self.hit[b]), float(lo[0]), float(hi[0])

    def difference_se(self, a: int, b: int) -> float:
        """Bootstrap standard error of the paired difference in hit rate, ``a`` minus ``b``."""
        d = self.boot_hit[:, a] - self.boot_hit[:, b]
        return float(np.std(d[np.isfinite(d)], ddof=1)) if np.isfinite(d).sum() > 1 else np.nan


def hit_rates(
    scores: Sequence[np.ndarray] | np.ndarray,
    test_cell: np.ndarray,
    *,
    n_cells: int,
    coverage: float = DEFAULT_COVERAGE,
    test_weights: np.ndarray | None = None,
    n_boot: int = N_BOOT,
    seed: int = 0,
    unit: str = "cells",
) -> HitRates:
    """Score rankings of the common cells against held-out crimes, with paired bootstrap.

    Parameters
    ----------
    scores : sequence of arrays of shape (K,)
        One ranking per candidate, on the scoring cells (higher is hotter).
    test_cell : array of int
        The scoring cell of each held-out crime (:meth:`CommonGrid.cell_index`); -1 for
        crimes outside the study area, which are left out.
    n_cells : int
        K, the number of scoring cells.
    coverage : float, default DEFAULT_COVERAGE (0.01)
        Share of the scoring cells taken: the top ``n_selected(coverage, K)``.
    test_weights : array, optional
        A weight per held-out crime (harm): hit rates are then shares of harm.
    n_boot : int, default N_BOOT (999)
        Bootstrap replicates, the same resamples for every ranking (paired).
    seed : int, default 0
        Seed of the bootstrap.
    unit : {"cells", "crimes"}, default "cells"
        What the bootstrap resamples: the K scoring cells with their held-out crimes (a
        cluster bootstrap), or the held-out crimes one by one.

    Returns
    -------
    HitRates

    Examples
    --------
    Ten cells, the top 1 (10%): ranking A puts cell 0 first and catches 6 of 10 crimes;
    ranking B ties cells 0 and 1 for the place and catches half of 6 + 2.

    >>> test = np.array([0] * 6 + [1] * 2 + [5] * 2)
    >>> a = np.r_[9.0, np.zeros(9)]; b = np.r_[1.0, 1.0, np.zeros(8)]
    >>> rates = hit_rates([a, b], test, n_cells=10, coverage=0.1, n_boot=99)
    >>> rates.hit.tolist(), rates.pai.tolist(), rates.pei.tolist()
    ([0.6, 0.4], [6.0, 4.0], [1.0, 0.6666666666666666])
    """
    coverage = float_param(coverage, name="coverage", func="hit_rates", allow_none=False,
                           high=1.0, closed_high=True)
    check_choice(unit, name="unit", choices=BOOTSTRAP_UNITS)
    test_cell = np.asarray(test_cell, dtype=np.int64)
    weights = (np.ones(test_cell.size) if test_weights is None
               else np.asarray(test_weights, dtype=float))
    inside = test_cell >= 0
    cells_in, w_in = test_cell[inside], weights[inside]
    S = np.vstack([selection_weights(s, n_selected(coverage, n_cells)) for s in scores])
    if S.shape[1] != n_cells:
        raise ParameterError(f"hit_rates: each ranking needs {n_cells} cells, got {S.shape[1]}.")
    k = n_selected(coverage, n_cells)
    totals = np.bincount(cells_in, weights=w_in, minlength=n_cells)
    N = float(totals.sum())
    n = S @ totals
    n_star = float(np.sort(totals)[::-1][:k].sum())
    if unit == "cells":
        boot_hit, boot_pei = _bootstrap_cells(totals, S, k, n_boot=n_boot, seed=seed)
    else:
        boot_hit, boot_pei = _bootstrap_crimes(cells_in, w_in, S, k, n_boot=n_boot, seed=seed)
    return HitRates(coverage, k, n_cells, N, n, n_star, boot_hit, boot_pei, n_boot, seed, unit,
                    S)


def _bootstrap_cells(totals: np.ndarray, S: np.ndarray, k: int, *, n_boot: int,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Replicates of hit rate and PEI per ranking: the K cells resampled with replacement.

    Only cells with held-out crimes matter, so each replicate draws how many of its K
    cells land among those G cells (binomial), then which (multinomial): the exact
    distribution of a K-of-K resample restricted to them.
    """
    K = totals.size
    C = S.shape[0]
    nz = np.flatnonzero(totals > 0)
    if nz.size == 0 or n_boot <= 0:
        return np.full((max(n_boot, 0), C), np.nan), np.full((max(n_boot, 0), C), np.nan)
    t = totals[nz]
    G = nz.size
    S_nz = S[:, nz]
    order = np.argsort(-t, kind="stable")
    t_sorted = t[order]
    rng = np.random.default_rng(seed)
    hit = np.empty((n_boot, C))
    pei = np.empty((n_boot, C))
    for start in range(0, n_boot, CHUNK):
        b = min(CHUNK, n_boot - start)
        landed = rng.binomial(K, G / K, size=b)
        which = rng.integers(0, G, size=int(landed.sum()))
        rows = np.repeat(np.arange(b), landed)
        pi = np.bincount(rows * G + which, minlength=b * G).reshape(b, G).astype(float)
        N_b = pi @ t
        n_b = (pi * t) @ S_nz.T
        # n*: the k largest cells of the resampled map (a cell drawn twice counts twice)
        P = pi[:, order]
        before = np.cumsum(P, axis=1) - P
        star = np.clip(k - before, 0.0, P) @ t_sorted
        with np.errstate(invalid="ignore", divide="ignore"):
            hit[start:start + b] = n_b / N_b[:, None]
            pei[start:start + b] = n_b / star[:, None]
    return hit, pei


def _bootstrap_crimes(cells: np.ndarray, weights: np.ndarray, S: np.ndarray, k: int, *,
               n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Replicates of hit rate and PEI per ranking: crimes resampled with replacement."""
    C = S.shape[0]
    if cells.size == 0 or n_boot <= 0:
        return np.full((max(n_boot, 0), C), np.nan), np.full((max(n_boot, 0), C), np.nan)
    # Crimes are exchangeable within a (cell, weight) group, so resampling crimes is a
    # multinomial draw over the groups.
    groups, group_of, count = np.unique(np.c_[cells, weights], axis=0, return_inverse=True,
                                        return_counts=True)
    del group_of
    g_cell = groups[:, 0].astype(np.int64)
    g_weight = groups[:, 1]
    cols, col_of = np.unique(g_cell, return_inverse=True)
    p = count / count.sum()
    S_cols = S[:, cols]
    to_cols = sparse.csr_matrix((np.ones(col_of.size), (np.arange(col_of.size), col_of)),
                                shape=(col_of.size, cols.size))
    rng = np.random.default_rng(seed)
    hit = np.empty((n_boot, C))
    pei = np.empty((n_boot, C))
    for start in range(0, n_boot, CHUNK):
        b = min(CHUNK, n_boot - start)
        draws = rng.multinomial(int(count.sum()), p, size=b) * g_weight
        tot = np.asarray((to_cols.T @ draws.T).T)
        N_b = tot.sum(axis=1)
        n_b = tot @ S_cols.T
        if k < cols.size:
            star = np.partition(tot, cols.size - k, axis=1)[:, cols.size - k:].sum(axis=1)
        else:
            star = N_b
        with np.errstate(invalid="ignore", divide="ignore"):
            hit[start:start + b] = n_b / N_b[:, None]
            pei[start:start + b] = n_b / star[:, None]
    return hit, pei



def reality_check(rates: HitRates, benchmark: int) -> tuple[int, float]:
    """Does the best ranking beat the ``benchmark`` ranking beyond what chance explains?

    White's (2000) Reality Check for data snooping: the statistic is the largest gain in
    hit rate of any ranking over the benchmark; its null distribution is that of the
    largest bootstrap gain, each centred on its observed value. Returns the best ranking
    and the p-value (1.0 when the benchmark is itself the best).

    Examples
    --------
    Ranking 1 catches 9 of the 10 crimes where the benchmark catches 1: clearly better.

    >>> test = np.array([0] * 9 + [5])
    >>> a = np.r_[0.0, 0, 0, 0, 0, 9, 0, 0, 0, 0]; b = np.r_[9.0, np.zeros(9)]
    >>> best, p = reality_check(hit_rates([a, b], test, n_cells=10, coverage=0.1,
    ...                                   unit="crimes"), 0)
    >>> best, p < 0.05
    (1, True)
    """
    hit = np.nan_to_num(rates.hit, nan=-np.inf)
    best = int(np.argmax(hit))
    if best == benchmark or not np.isfinite(hit[best]):
        return benchmark, 1.0
    gain = rates.hit - rates.hit[benchmark]
    boot = rates.boot_hit - rates.boot_hit[:, [benchmark]] - gain[None, :]
    others = np.delete(boot, benchmark, axis=1)
    if not np.isfinite(others).any():
        return best, math.nan
    largest = np.nanmax(others, axis=1)
    return best, float(np.mean(largest >= gain[best]))
