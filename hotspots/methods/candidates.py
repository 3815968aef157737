"""The rankings ``--method auto`` tries: method x cell size x bandwidth, at street scale.

A :class:`Candidate` is one way of ranking places from past crimes: a smoothed count, a
long-run count, a recency-weighted count, a kernel density surface or Gi* z. Each computes
its ranking as an array on a grid (:meth:`Candidate.surface`), fast enough to score a dozen
on a year of one force's crimes, and names the ``find_hotspots`` method that makes the same
ranking as a full result (:meth:`Candidate.method_params`).

The smoothed count is the default ranking (:data:`DEFAULT_CANDIDATE`): each 100 m cell's
expected crimes under a Poisson-gamma model whose prior is centred on the cell's
neighbourhood (empirical Bayes, as in small-area disease mapping: Clayton & Kaldor 1987,
Biometrics 43:671). With ``x`` the cell's count and ``m`` the neighbourhood's mean count a
cell (quartic kernel density within :data:`SMOOTHING_BANDWIDTH`), a gamma prior of mean
``m`` and shape ``a`` gives the posterior mean ``(x + a) m / (m + a)``: close to the count
where crime is dense (large ``m``), close to the neighbourhood where it is sparse. The shape
``a = 1`` (an exponential prior: the maximum-entropy positive distribution with a given
mean) lets the data decide how far a cell may stand out from its surroundings.

Counts are ranked with ties broken by the density of crimes around each cell (a quartic
kernel of :data:`TIE_BREAK_CELLS` cells), lexicographically: the tie-break never reorders
cells with different counts. Grids come from :func:`hotspots.methods.grid.make_grid` over the
study area, so the surfaces align cell for cell with the results ``find_hotspots`` returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from hotspots.errors import ParameterError
from hotspots.methods.density import H_PER_SD
from hotspots.methods.density import kde_surface
from hotspots.methods.gistar import gistar_z
from hotspots.methods.grid import Grid

__all__ = [
    "Candidate",
    "COUNT_CELL_SIZES",
    "RECENCY_HALF_LIFE_MONTHS",
    "KDE_BANDWIDTHS",
    "GISTAR_DISTANCES",
    "FAMILIES",
    "default_candidates",
    "recency_weights",
    "tie_broken",
    "smoothed_count",
]

#: Candidate families, in the order tables list them.
FAMILIES: tuple[str, ...] = ("count", "recency", "smoothed", "kde", "gistar")
#: Cell sizes of the long-run count (metres): the 100 m bar itself and a coarser 200 m.
#: (A 50 m count averaged onto the 100 m scoring cells ranks exactly as the 100 m count,
#: so it would add nothing to the contest.)
COUNT_CELL_SIZES: tuple[float, ...] = (100.0, 200.0)
#: Half-life of the recency weights, in months: a crime a quarter old counts half, a year
#: old 1/16. A quarter is the horizon of a tasking cycle and of compare's default test
#: period; prospective hotspotting finds risk decays over weeks to months (Bowers, Johnson
#: & Pease 2004, Br J Criminol 44:641), which monthly police.uk data cannot resolve finer.
RECENCY_HALF_LIFE_MONTHS = 3.0
#: Cell size of the recency-weighted count (metres): the scale of the 100 m bar.
RECENCY_CELL_SIZE = 100.0
#: KDE bandwidths (quartic radius, metres): street (100 m) to neighbourhood (600 m), the
#: range issue 9 asks auto to search; Chainey (2013) found PAI best at small bandwidths.
KDE_BANDWIDTHS: tuple[float, ...] = (100.0, 150.0, 200.0, 300.0, 400.0, 600.0)
#: KDE cells (metres): at least 3 cells a bandwidth, so the grid samples the kernel
#: finely (density.MIN_BANDWIDTH_CELLS); 25 m for the 100 m bandwidth, else 50 m.
KDE_CELL_SIZE = 50.0
KDE_FINE_CELL_SIZE = 25.0
#: Gi* neighbourhood distances (metres) on GISTAR_CELL_SIZE cells: z as a ranking.
GISTAR_DISTANCES: tuple[float, ...] = (100.0, 200.0, 400.0)
GISTAR_CELL_SIZE = 50.0
#: Ties in a count are broken by the quartic kernel density at this bandwidth (metres): cells
#: whose own counts cannot separate them are ordered by their neighbourhood. 400 m is the
#: middle of the KDE bandwidths searched; on held-out real data (Nottingham, Chicago,
#: Cincinnati, 27 train/test splits) 400-600 m tie-breaks beat 100-200 m ones.
TIE_BREAK_BANDWIDTH = 400.0
#: Shape of the gamma prior of the smoothed count: 1, an exponential prior around the
#: neighbourhood mean (coefficient of variation 1; see the module docstring).
SMOOTHING_SHAPE = 1.0
#: Neighbourhood of the default smoothed count: the quartic kernel bandwidth (metres) of its
#: prior mean. 400 m, a few minutes' walk, the middle of the KDE bandwidths searched; on
#: held-out real data (Nottingham, Chicago at full and 3-10% sampling, Cincinnati: 27
#: train/test splits) it caught 18% more than the naive count (geometric mean) and never
#: less than 0.99 of it; 200 m and 600 m neighbourhoods are candidates too.
SMOOTHING_BANDWIDTH = 400.0
#: Neighbourhoods of the other smoothed-count candidates (metres).
SMOOTHING_BANDWIDTHS: tuple[float, ...] = (200.0, 400.0, 600.0)
SMOOTHED_CELL_SIZE = 100.0


@dataclass(frozen=True)
class Candidate:
    """One ranking auto can choose.

    Parameters
    ----------
    family : {"count", "recency", "kde", "gistar"}
    cell_size : float
        Grid cell side in metres.
    bandwidth : float, optional
        KDE bandwidth (quartic radius) in metres.
    distance : float, optional
        Gi* neighbourhood distance in metres.
    half_life : float, optional
        Half-life of the recency weights, in months.
    shape : float, optional
        Shape of the smoothed count's gamma prior (its bandwidth is the neighbourhood's).

    Examples
    --------
    >>> Candidate("kde", 50.0, bandwidth=300.0).label
    'KDE, bandwidth 300 m (50 m cells)'
    >>> round(Candidate("kde", 50.0, bandwidth=300.0).smoothing)
    106
    """

    family: str
    cell_size: float
    bandwidth: float | None = None
    distance: float | None = None
    half_life: float | None = None
    shape: float | None = None

    @property
    def method(self) -> str:
        """The ``find_hotspots`` method that makes this ranking as a full result."""
        return "count" if self.family in ("recency", "smoothed") else self.family

    @property
    def label(self) -> str:
        cells = f"{self.cell_size:g} m cells"
        if self.family == "count":
            return f"Count ({cells})"
        if self.family == "recency":
            return f"Recency-weighted count, half-life {self.half_life:g} months ({cells})"
        if self.family == "smoothed":
            return f"Smoothed count, neighbourhood {self.bandwidth:g} m ({cells})"
        if self.family == "kde":
            return f"KDE, bandwidth {self.bandwidth:g} m ({cells})"
        return f"Gi* z, neighbours within {self.distance:g} m ({cells})"

    @property
    def smoothing(self) -> float:
        """How far the ranking pools crimes: the per-axis standard deviation of its kernel (m).

        A square cell of side c: c/√12; the quartic kernel of radius h: h/(2√2); Gi*'s disc
        of radius d over cells of side c: √(d²/4 + c²/12).
        """
        cell = self.cell_size / math.sqrt(12.0)
        if self.family == "smoothed":  # between the cell and its neighbourhood
            return math.sqrt(cell * float(self.bandwidth) / H_PER_SD["quartic"])
        if self.family == "kde":
            return float(self.bandwidth) / H_PER_SD["quartic"]
        if self.family == "gistar":
            return math.sqrt(float(self.distance) ** 2 / 4.0 + cell * cell)
        return cell

    def method_params(self) -> dict[str, Any]:
        """Keyword arguments of ``find_hotspots`` for this ranking (recency adds a weight)."""
        params: dict[str, Any] = {"method": self.method, "cell_size": self.cell_size}
        if self.family == "kde":
            params["bandwidth"] = self.bandwidth
        if self.family == "gistar":
            params["distance"] = self.distance
        return params

    def record(self) -> dict[str, Any]:
        """The candidate as plain data, for ``params`` and ``run.json``."""
        out: dict[str, Any] = {"candidate": self.label, "family": self.family,
                               "method": self.method, "cell_size": self.cell_size}
        for name in ("bandwidth", "distance", "half_life", "shape"):
            value = getattr(self, name)
            if value is not None:
                out[name if name != "half_life" else "half_life_months"] = value
        out["smoothing_m"] = round(self.smoothing, 1)
        return out

    def surface(self, grid: Grid, mask: np.ndarray, x: np.ndarray, y: np.ndarray,
                weights: np.ndarray, age: np.ndarray | None, *,
                densities: dict[tuple[Any, ...], np.ndarray] | None = None) -> np.ndarray:
        """This ranking on ``grid`` from crimes at ``x, y``: NaN off the study-area ``mask``.

        ``weights`` are the crimes' weights (1, or harm); ``age`` their age in months
        (0 = the latest month), needed by the recency family. ``densities``, a dict shared
        by the candidates of one contest (the same crimes), keeps each kernel density made
        (the same grid and bandwidth give the same surface), so candidates sharing one are
        not made twice.

        Examples
        --------
        >>> from hotspots.methods.grid import make_grid
        >>> g = make_grid((0, 0, 299, 99), cell_size=100)
        >>> x, y = np.array([50.0, 50, 150, 250]), np.array([50.0, 50, 50, 50])
        >>> s = Candidate("count", 100.0).surface(g, np.ones(g.shape, bool), x, y,
        ...                                       np.ones(4), None)
        >>> np.floor(s).tolist()  # the counts
        [[2.0, 1.0, 1.0]]
        >>> bool(s[0, 1] > s[0, 2])  # the tie goes to the cell beside the busiest
        True
        """
        def density(bandwidth: float) -> np.ndarray:
            key = (grid.x0, grid.y0, grid.cell_size, grid.shape, float(bandwidth))
            if densities is None:
                return kde_surface(grid, x, y, bandwidth=bandwidth, weights=weights)
            if key not in densities:
                densities[key] = kde_surface(grid, x, y, bandwidth=bandwidth, weights=weights)
            return densities[key]

        if self.family == "kde":
            out = density(self.bandwidth)
        elif self.family == "gistar":
            binned = _bin(grid, x, y, weights)
            out = gistar_z(np.where(mask, binned, 0.0), mask,
                           radius_cells=self.distance / self.cell_size)
        else:
            w = weights
            if self.family == "recency":
                w = weights * recency_weights(age, half_life=self.half_life)
            value = np.where(mask, _bin(grid, x, y, w), 0.0)
            if self.family == "smoothed":
                mean = density(self.bandwidth)
                value = smoothed_count(value, np.where(mask, mean, 0.0) * grid.cell_area / 1e6,
                                       shape=self.shape)
            tie = density(TIE_BREAK_BANDWIDTH)
            out = tie_broken(value, np.where(mask, tie, 0.0))
        return np.where(mask, out, np.nan)


def _bin(grid: Grid, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    row, col, inside = grid.locate(x, y)
    flat = row[inside] * grid.nx + col[inside]
    return np.bincount(flat, weights=w[inside], minlength=grid.n_cells).reshape(grid.shape)


def recency_weights(age: np.ndarray | None, *, half_life: float | None) -> np.ndarray:
    """0.5 ** (age / half_life): a crime ``half_life`` months old counts half.

    Examples
    --------
    >>> recency_weights(np.array([0, 3, 6]), half_life=3.0).tolist()
    [1.0, 0.5, 0.25]
    """
    if age is None or half_life is None:
        raise ParameterError("recency_weights needs the crimes' ages (months) and a half-life.")
    return np.power(0.5, np.asarray(age, dtype=float) / float(half_life))


def smoothed_count(count: np.ndarray, mean: np.ndarray, *, shape: float) -> np.ndarray:
    """Posterior mean count of each cell: ``(count + shape) * mean / (mean + shape)``.

    The Poisson-gamma posterior mean for a cell with ``count`` crimes and a gamma prior of
    mean ``mean`` (the neighbourhood's mean count a cell) and shape ``shape``; 0 where the
    neighbourhood has no crime.

    Examples
    --------
    >>> smoothed_count(np.array([0.0, 4, 4, 40]), np.array([1.0, 1, 4, 40]), shape=1.0)
    array([ 0.5,  2.5,  4. , 40. ])
    """
    count = np.asarray(count, dtype=float)
    mean = np.asarray(mean, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (count + shape) * mean / (mean + shape)
    return np.where(mean > 0, out, 0.0)


def tie_broken(value: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """``value`` with ties broken by ``tie``, never reordering different values.

    Adds ``tie / max(tie)`` times half the smallest gap between distinct values.

    Examples
    --------
    >>> tie_broken(np.array([2.0, 1, 1, 0]), np.array([0.0, 1, 3, 2])).tolist()
    [2.0, 1.1666666666666667, 1.5, 0.3333333333333333]
    """
    value = np.asarray(value, dtype=float)
    tie = np.asarray(tie, dtype=float)
    levels = np.unique(value[np.isfinite(value)])
    gaps = np.diff(levels)
    gap = float(gaps[gaps > 0].min()) if (gaps > 0).any() else 1.0
    top = float(np.nanmax(tie)) if np.isfinite(tie).any() else 0.0
    if top <= 0:
        return value
    return value + 0.5 * gap * np.clip(tie, 0.0, None) / top


def default_candidates(*, cell_size: float | None = None,
                       bandwidth: float | None = None) -> list[Candidate]:
    """The candidates auto scores, street scale: smoothed counts, counts, recency, KDE, Gi*.

    The first is the default ranking (the smoothed count with a 400 m neighbourhood), which
    auto keeps unless another beats it clearly. ``cell_size`` fixes every candidate's cell
    size; ``bandwidth`` fixes the KDE bandwidth and the smoothed count's neighbourhood.

    Examples
    --------
    >>> [c.family for c in default_candidates()].count("kde")
    6
    >>> {c.cell_size for c in default_candidates(cell_size=75.0)}
    {75.0}
    """
    smoothed = [bandwidth] if bandwidth is not None else [SMOOTHING_BANDWIDTH] + [
        h for h in SMOOTHING_BANDWIDTHS if h != SMOOTHING_BANDWIDTH]
    cands = [Candidate("smoothed", cell_size or SMOOTHED_CELL_SIZE, bandwidth=h,
                       shape=SMOOTHING_SHAPE) for h in smoothed]
    cands += [Candidate("count", c) for c in (COUNT_CELL_SIZES if cell_size is None
                                              else (cell_size,))]
    cands.append(Candidate("recency", cell_size or RECENCY_CELL_SIZE,
                           half_life=RECENCY_HALF_LIFE_MONTHS))
    for h in KDE_BANDWIDTHS if bandwidth is None else (bandwidth,):
        cell = cell_size or (KDE_FINE_CELL_SIZE if h < 3 * KDE_CELL_SIZE else KDE_CELL_SIZE)
        cands.append(Candidate("kde", cell, bandwidth=h))
    for d in GISTAR_DISTANCES:
        cell = cell_size or GISTAR_CELL_SIZE
        if d > cell:
            cands.append(Candidate("gistar", cell, distance=d))
    return cands
