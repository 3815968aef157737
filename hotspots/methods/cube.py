"""The space-time cube: crimes counted per time step on one grid, and Gi* for every step.

The cube has shape ``(steps, rows, cols)``. :func:`count_cube` fills it from the checked
grid inputs (:func:`hotspots.methods.cells.prepare_cells`) and each crime's step
(:func:`hotspots.methods.timesteps.time_steps`); :func:`gistar_cube` computes Getis-Ord
Gi* for all steps at once, one convolution of the whole cube with the neighbourhood disc,
each step standardised by its own mean and standard deviation over the study area. The
p-values of each step come from the randomization null of
:mod:`hotspots.methods.inference` (exact by default), as for a single Gi* map.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from hotspots.methods.cells import CellInputs
from hotspots.methods.gistar import gi_inputs
from hotspots.methods.inference import DEFAULT_INFERENCE
from hotspots.methods.inference import DEFAULT_NULL
from hotspots.methods.inference import PERMUTATIONS
from hotspots.methods.inference import SEED
from hotspots.methods.inference import check_inference
from hotspots.methods.inference import randomization_tails
from hotspots.methods.neighbours import disc
from hotspots.methods.neighbours import neighbour_sum
from hotspots.validation import float_param

__all__ = ["count_cube", "gistar_cube"]


def count_cube(prep: CellInputs, step: np.ndarray, n_steps: int) -> tuple[np.ndarray, int, int]:
    """Crimes (or summed weights) per step and cell, by the rules the grid counts use.

    Parameters
    ----------
    prep : CellInputs
        The checked grid, study area and crimes of the analysis.
    step : numpy.ndarray of int
        The step of every row of the crime table (``TimeSteps.index``; -1 for none).
    n_steps : int
        Number of steps.

    Returns
    -------
    counts : numpy.ndarray, shape (steps, rows, cols)
        Zero off the study area.
    n_counted : int
        Crimes counted: in a study-area cell and in a step.
    n_undated : int
        Crimes in a study-area cell left out because they have no step.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspots.methods.cells import prepare_cells
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 15], [5, 5, 5]),
    ...                        crs="EPSG:27700")
    >>> prep = prepare_cells(pts, func="demo", cell_size=10, area=None, weight=None, grid=None)
    >>> counts, n, undated = count_cube(prep, np.array([0, 1, -1]), 2)
    >>> counts.tolist(), n, undated
    ([[[1.0, 0.0]], [[1.0, 0.0]]], 2, 1)
    """
    g = prep.grid
    index = np.asarray(step)[prep.kept]
    row, col, keep = g.locate(prep.x, prep.y)
    keep[keep] &= prep.mask[row[keep], col[keep]]
    undated = keep & (index < 0)
    keep &= index >= 0
    w = np.ones(index.size) if prep.weights is None else prep.weights
    flat = (index[keep] * g.ny + row[keep]) * g.nx + col[keep]
    counts = np.bincount(flat, weights=w[keep], minlength=n_steps * g.n_cells)
    return counts.reshape(n_steps, g.ny, g.nx), int(keep.sum()), int(undated.sum())


def gistar_cube(
    values: ArrayLike,
    mask: ArrayLike | None,
    *,
    radius_cells: float,
    inference: str = DEFAULT_INFERENCE,
    null: str = DEFAULT_NULL,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Getis-Ord Gi* z-scores and p-values for every step of a space-time cube at once.

    Each step ``values[t]`` is treated exactly as :func:`hotspots.methods.gistar.gistar_grid`
    treats one grid: binary weights within ``radius_cells`` (the cell itself included),
    mean and population standard deviation over the study-area cells of that step,
    neighbours only inside the study area. All steps share one convolution.

    Parameters
    ----------
    values : array-like, shape (steps, rows, cols)
        Counts (or weight sums) per step and cell.
    mask : array-like of bool, shape (rows, cols), or None
        Study-area cells; None for all.
    radius_cells : float
        Neighbourhood radius in cells (√2: the 3 × 3 queen neighbourhood).
    inference, null, permutations, seed
        How each step's p-values are computed, as in
        :func:`hotspots.methods.gistar.gistar_hotspots` (default: exact law of the
        neighbour sum under total randomization; step ``t`` of a Monte Carlo run is
        seeded with ``seed + t``).

    Returns
    -------
    z, p : numpy.ndarray, shape (steps, rows, cols)
        z-scores and two-sided p-values, NaN off the mask; z = 0, p = 1 in a step whose
        values are constant (e.g. no crimes that step).

    Examples
    --------
    >>> from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR
    >>> cube = np.zeros((2, 5, 5)); cube[0, 2, 2] = 9.0
    >>> z, p = gistar_cube(cube, None, radius_cells=QUEEN_DISTANCE_FACTOR)
    >>> round(float(z[0, 2, 2]), 3), float(z[1, 2, 2])
    (1.333, 0.0)
    """
    radius = float_param(radius_cells, name="radius_cells", func="gistar_cube",
                         allow_none=False)
    inference, null, permutations, seed = check_inference(
        inference, null, permutations, seed, func="gistar_cube"
    )
    cube, mask = gi_inputs(values, mask, func="gistar_cube", ndim=3)
    x = cube[:, mask]
    footprint = disc(radius)
    n = x.shape[1]
    mean = x.mean(axis=1)
    sd = x.std(axis=1)
    W = np.rint(neighbour_sum(mask[None].astype(float), footprint)[0])[mask]
    local = neighbour_sum(np.where(mask[None], cube, 0.0), footprint)[:, mask]
    spread = np.sqrt(np.maximum(n * W - W * W, 0.0) / max(n - 1, 1))
    denominator = sd[:, None] * spread[None, :]
    numerator = local - mean[:, None] * W[None, :]
    z_mask = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=z_mask, where=denominator > 0)
    z = np.full(cube.shape, np.nan)
    z[:, mask] = z_mask
    p = np.full(cube.shape, np.nan)
    if inference == "normal":
        p[:, mask] = special.erfc(np.abs(z_mask) / math.sqrt(2.0))  # = 2 P(Z > |z|), fast
        return z, p
    for t in range(cube.shape[0]):
        if not sd[t] > 0:
            p[t][mask] = 1.0
            continue
        tails = randomization_tails(cube[t], mask, footprint, null=null, inference=inference,
                                    permutations=permutations, seed=seed + t)
        p[t] = tails.two_sided
    return z, p
