"""Distance-band neighbourhoods on a grid: which cells are neighbours, and sums over them.

Gi* (:mod:`hotspots.methods.gistar`) and its space-time version
(:mod:`hotspots.methods.cube`) both use binary distance-band weights: cell ``j`` is a
neighbour of cell ``i`` when their centres are at most a given distance apart, ``i``
included. On a grid that neighbourhood is the same disc of cells around every cell, so the
neighbour sums of a whole grid (or a stack of grids) are one correlation with that disc.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage
from scipy import signal

from hotspots.errors import ParameterError

__all__ = [
    "QUEEN_DISTANCE_FACTOR",
    "DEFAULT_DISTANCE_RULE",
    "disc",
    "neighbour_sum",
    "neighbourhood_distance",
]

#: Default neighbourhood distance in cell sizes: √2, i.e. the cell and its 8 queen
#: neighbours (centres at 1 and √2 cells). This is sfhotspot's default (``nb_dist`` =
#: cell size × √2) and the usual contiguity for lattice data; the 1e-9 slack keeps the
#: diagonal neighbours in despite floating-point rounding of √2.
QUEEN_DISTANCE_FACTOR = math.sqrt(2.0) * (1.0 + 1e-9)
#: How the default distance is chosen, recorded in ``params["distance_rule"]``.
DEFAULT_DISTANCE_RULE = "default: cell_size × √2 (queen, sfhotspot)"
#: Relative slack when testing "centre within distance", against rounding of distances.
DISTANCE_SLACK = 1e-9
#: Footprints with at most this many cells are summed directly (exact, and faster than
#: FFT for small discs, measured on a 500×500 grid); larger ones use FFT convolution.
DIRECT_SUM_MAX_CELLS = 49
#: The widest neighbourhood, in cells from the centre: the disc's bounding square then has
#: (2 x 999 + 1)² ≈ 4 million cells, the grid cell cap (grid.MAX_CELLS). Beyond it the
#: disc alone would take gigabytes (a distance of 1e7 m on 100 m cells asked for 298 GiB).
MAX_NEIGHBOURHOOD_RADIUS_CELLS = 999


def disc(radius_cells: float) -> np.ndarray:
    """Boolean disc of cells whose centres are within ``radius_cells`` of the middle one.

    Examples
    --------
    >>> disc(QUEEN_DISTANCE_FACTOR).astype(int).tolist()
    [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    >>> int(disc(2.5).sum())
    21
    """
    limit = radius_cells * radius_cells * (1.0 + DISTANCE_SLACK)
    k = math.floor(math.sqrt(limit))
    offsets = np.arange(-k, k + 1)
    return offsets[:, None] ** 2 + offsets[None, :] ** 2 <= limit


def neighbour_sum(values: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over the footprint around each cell (zero beyond the grid).

    ``values`` is one grid ``(rows, cols)`` or a stack of grids ``(steps, rows, cols)``;
    each grid is summed on its own with the same 2-D ``footprint``.

    Examples
    --------
    >>> neighbour_sum(np.ones((3, 3)), disc(1.0)).tolist()
    [[3.0, 4.0, 3.0], [4.0, 5.0, 4.0], [3.0, 4.0, 3.0]]
    """
    weights = footprint.astype(float)
    weights = weights.reshape((1,) * (values.ndim - 2) + weights.shape)
    if footprint.size <= DIRECT_SUM_MAX_CELLS:
        return ndimage.correlate(values, weights, mode="constant", cval=0.0)
    return signal.fftconvolve(values, weights, mode="same", axes=(-2, -1))


def neighbourhood_distance(distance: float | None, cell_size: float) -> tuple[float, str]:
    """The neighbourhood distance in metres and its rule: ``distance``, or the queen default.

    Examples
    --------
    >>> neighbourhood_distance(None, 100.0)[1]
    'default: cell_size × √2 (queen, sfhotspot)'
    >>> neighbourhood_distance(250.0, 100.0)
    (250.0, 'user')
    >>> try:
    ...     neighbourhood_distance(1e7, 100.0)
    ... except ParameterError as err:
    ...     print(str(err)[:58])
    The 'distance' (--distance) of 1e+07 m is 100,000 cells of
    """
    if distance is None:
        return cell_size * QUEEN_DISTANCE_FACTOR, DEFAULT_DISTANCE_RULE
    if distance / cell_size >= MAX_NEIGHBOURHOOD_RADIUS_CELLS + 1:
        limit = MAX_NEIGHBOURHOOD_RADIUS_CELLS * cell_size
        raise ParameterError(
            f"The 'distance' (--distance) of {distance:g} m is {distance / cell_size:,.0f} "
            f"cells of {cell_size:g} m; a neighbourhood may reach at most "
            f"{MAX_NEIGHBOURHOOD_RADIUS_CELLS} cells ({limit:g} m here). Use a smaller "
            "distance or a larger cell size."
        )
    return distance, "user"
