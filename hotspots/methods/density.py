"""Kernel density on the grid: quartic by default, computed by binning plus FFT convolution.

The surface is the kernel sum ``f(c) = sum_i w_i K(|c - x_i|)`` evaluated at every cell
centre ``c``, in crimes (or weight units) per km². Rather than loop over points, points
are *linearly binned* onto a lattice of cell centres (each point's weight split
bilinearly between the four centres around it, which keeps the error second order in the
cell size, where simple binning is first order), and the lattice is convolved with the
kernel sampled at cell-centre offsets (:func:`scipy.signal.fftconvolve`, zero padded, so
nothing wraps around). The lattice is padded by the kernel's reach, so points near or
beyond the grid's edge still contribute their share.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import signal

from hotspots.errors import ParameterError
from hotspots.methods.bandwidth import default_bandwidth
from hotspots.methods.bandwidth import fallback_bandwidth
from hotspots.methods.bandwidth import select_bandwidth
from hotspots.methods.cells import CellInputs
from hotspots.methods.cells import StudyArea
from hotspots.methods.cells import check_top_share
from hotspots.methods.cells import grid_method_doc
from hotspots.methods.cells import prepare_cells
from hotspots.methods.cells import ranked_cells
from hotspots.methods.counts import TOP_SHARE
from hotspots.methods.csr import FDR_ALPHA
from hotspots.methods.csr import csr_flags
from hotspots.methods.csr import disc_csr_p
from hotspots.methods.csr import study_area_m2
from hotspots.methods.grid import Grid
from hotspots.methods.kernels import H_PER_SD
from hotspots.methods.kernels import KERNELS
from hotspots.methods.kernels import kernel_stencil
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry
from hotspots.validation import check_choice
from hotspots.validation import float_param

__all__ = [
    "KERNELS",
    "H_PER_SD",
    "default_bandwidth",
    "fallback_bandwidth",
    "kde_surface",
    "kernel_reach_mask",
    "kde_hotspots",
]

#: Square metres in a square kilometre: densities are reported per km².
M2_PER_KM2 = 1.0e6
#: Below this many cells per bandwidth (radius), the grid under-samples the kernel and the
#: surface's total mass drifts by more than ~0.5% (measured: quartic 1.5% at 2 cells,
#: 0.2% at 3); a note says so.
MIN_BANDWIDTH_CELLS = 3.0
#: The null of the KDE hotspot flag (:mod:`hotspots.methods.csr`), for ``params``.
KDE_NULL = (
    "complete spatial randomness: crimes within one bandwidth of the cell centre ~ "
    "Binomial(N, area of that disc inside the study area / study area), one-sided, "
    "Benjamini-Hochberg over the study-area cells"
)


def _linear_bin(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, *, x0: float, y0: float, cell: float,
    shape: tuple[int, int],
) -> np.ndarray:
    """Split each weight bilinearly onto the 4 lattice nodes around it (node (r, c) is at
    ``(x0 + c*cell, y0 + r*cell)``); points whose 4 nodes are not all on the lattice are
    dropped (callers pad the lattice so those are too far away to matter)."""
    ny, nx = shape
    u = (x - x0) / cell
    v = (y - y0) / cell
    i = np.floor(u)
    j = np.floor(v)
    ok = (i >= 0) & (i < nx - 1) & (j >= 0) & (j < ny - 1)
    i, j, fu, fv, w = (
        i[ok].astype(np.int64), j[ok].astype(np.int64), (u - i)[ok], (v - j)[ok], w[ok]
    )
    flat = j * nx + i
    size = nx * ny
    out = np.bincount(flat, weights=w * (1 - fu) * (1 - fv), minlength=size)
    out += np.bincount(flat + 1, weights=w * fu * (1 - fv), minlength=size)
    out += np.bincount(flat + nx, weights=w * (1 - fu) * fv, minlength=size)
    out += np.bincount(flat + nx + 1, weights=w * fu * fv, minlength=size)
    return out.reshape(shape)


def kernel_reach_mask(occupied: np.ndarray, footprint: np.ndarray) -> np.ndarray:
    """Where a kernel with this ``footprint`` centred on an ``occupied`` node reaches.

    The dilation of ``occupied`` by ``footprint`` (a centred square of booleans): the
    convolution of the two 0/1 arrays, a whole number at every node, is above 0.5. It is
    computed in single precision, about 1.5 times as fast, when the FFT's round-off bound
    (``4 eps log2(N) ||occupied||_2 ||footprint||_2``, below 0.1 for any grid this tool
    allows) stays under 0.25, so the rounding can never cross 0.5; otherwise in double.

    Examples
    --------
    >>> occupied = np.zeros((5, 7), bool)
    >>> occupied[2, 1] = True
    >>> disc = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)
    >>> kernel_reach_mask(occupied, disc).astype(int)[1:4, :4].tolist()
    [[0, 1, 0, 0], [1, 1, 1, 0], [0, 1, 0, 0]]
    """
    occupied = np.asarray(occupied, bool)
    footprint = np.asarray(footprint, bool)
    size = (occupied.shape[0] + footprint.shape[0]) * (occupied.shape[1] + footprint.shape[1])
    bound = (4 * float(np.finfo(np.float32).eps) * math.log2(max(size, 2))
             * math.sqrt(int(occupied.sum())) * math.sqrt(int(footprint.sum())))
    dtype = np.float32 if bound < 0.25 else np.float64
    return signal.fftconvolve(occupied.astype(dtype), footprint.astype(dtype),
                              mode="same") > 0.5


def kde_surface(
    grid: Grid,
    x: ArrayLike,
    y: ArrayLike,
    *,
    bandwidth: float,
    weights: ArrayLike | None = None,
    kernel: str = "quartic",
) -> np.ndarray:
    """Return the kernel density at every cell centre of ``grid``, per km².

    ``density(c) = sum_i w_i K(|c - (x_i, y_i)|) * 1e6`` with, for bandwidth ``h``:

    - quartic: ``K(d) = 3/(π h²) (1 − d²/h²)²`` for ``d < h``;
    - epanechnikov: ``K(d) = 2/(π h²) (1 − d²/h²)`` for ``d < h``;
    - gaussian: ``K(d) = exp(−d²/(2h²)) / (2π h²)``, cut at ``d = 4h``.

    Computed by linear binning onto the lattice of cell centres and FFT convolution with
    the kernel sampled at cell-centre offsets (see the module docstring). Points off the
    grid contribute where their kernel reaches it. Summed over cells times the cell area
    in km², the surface returns the total weight of the points whose kernels lie within
    the grid, to within the sampling of the kernel on the grid (0.2% for a quartic
    bandwidth of 3 cells, less for wider).

    Parameters
    ----------
    grid : Grid
        Where to evaluate (cell centres), in a metric CRS.
    x, y : array-like
        Point coordinates in the grid's CRS.
    bandwidth : float
        Kernel radius in metres (standard deviation for ``"gaussian"``).
    weights : array-like, optional
        Non-negative weight per point (e.g. harm); default 1.
    kernel : {"quartic", "epanechnikov", "gaussian"}, default "quartic"

    Returns
    -------
    numpy.ndarray
        Density per km², shape ``grid.shape`` (row 0 south).

    Examples
    --------
    >>> from hotspots.methods.grid import make_grid
    >>> g = make_grid((0, 0, 999, 999), cell_size=10)
    >>> d = kde_surface(g, [500.0], [500.0], bandwidth=100)
    >>> round(float(d.sum()) * g.cell_area / 1e6, 3)  # one crime's mass
    1.0
    """
    func = "kde_surface"
    if not isinstance(grid, Grid):
        raise TypeError(f"'grid' should be a hotspots.Grid, got {type(grid)}")
    bandwidth = float_param(bandwidth, name="bandwidth", func=func, allow_none=False)
    check_choice(kernel, name="kernel", choices=KERNELS)
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=float).ravel()
    if not (x.size == y.size == w.size):
        raise ParameterError(
            f"{func} needs x, y and weights of the same length, got {x.size}, {y.size} "
            f"and {w.size}."
        )
    finite = np.isfinite(x) & np.isfinite(y)
    if not (np.isfinite(w) & (w >= 0)).all():
        raise ParameterError(f"The 'weights' of {func} must be finite numbers >= 0.")

    cell = grid.cell_size
    stencil = kernel_stencil(kernel, bandwidth, cell)
    pad = stencil.shape[0] // 2 + 1
    shape = (grid.ny + 2 * pad, grid.nx + 2 * pad)
    lattice = _linear_bin(
        x[finite], y[finite], w[finite],
        x0=grid.x0 + (0.5 - pad) * cell, y0=grid.y0 + (0.5 - pad) * cell,
        cell=cell, shape=shape,
    )
    density = signal.fftconvolve(lattice, stencil, mode="same")
    # FFT round-off leaves ~1e-16 noise where the exact sum is zero; zero it out exactly
    # where no kernel reaches.
    reached = kernel_reach_mask(lattice > 0, stencil > 0)
    density = np.where(reached, np.maximum(density, 0.0), 0.0)
    return density[pad : pad + grid.ny, pad : pad + grid.nx] * M2_PER_KM2


def _bandwidth_and_rule(
    bandwidth: float | None, kernel: str, prep: CellInputs, months: np.ndarray | None,
    notes: list[str],
) -> tuple[float, dict[str, Any]]:
    """The bandwidth and its ``params`` entries: the user's, or chosen from the data."""
    if bandwidth is not None:
        return bandwidth, {"bandwidth_rule": "user"}
    choice = select_bandwidth(prep.grid, prep.mask, prep.x, prep.y, months=months,
                              weights=prep.weights, kernel=kernel)
    notes.extend(choice.notes)
    return choice.bandwidth, choice.params()


def _months(crimes: gpd.GeoDataFrame, prep: CellInputs) -> np.ndarray | None:
    """The month of each crime ``prep`` kept, if the table has a usable month column."""
    if "month" not in crimes.columns:
        return None
    try:
        months = pd.to_datetime(crimes["month"]).to_numpy()[prep.kept]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(months).any() else months


@grid_method_doc
def kde_hotspots(crimes: gpd.GeoDataFrame, *, weight: str | None = None,
                 cell_size: float | None = None, bandwidth: float | None = None,
                 kernel: str = "quartic", area: StudyArea | None = None,
                 top_share: float = TOP_SHARE, grid: Grid | None = None) -> HotspotResult:
    """Kernel density of crimes on a grid; the densest cells are hotspots.

    Parameters
    ----------
    {inputs}
    bandwidth : float, optional
        Kernel radius in metres (the standard deviation for ``"gaussian"``). Default:
        chosen from the data by :func:`hotspots.methods.bandwidth.select_bandwidth`
        (predictive selection on the latest months when the crimes span two or more
        months and have a ``month`` column, else leave-one-cell-out likelihood
        cross-validation). The rule, candidates and scores are recorded in ``params``
        (``bandwidth_rule``, ``bandwidth_candidates``, ``bandwidth_scores``; the rule is
        ``"user"`` when given).
    kernel : {"quartic", "epanechnikov", "gaussian"}, default "quartic"
    {area}
    top_share : float, default TOP_SHARE (0.05)
        Largest share of study-area cells called hotspots (the densest; ties in).
    {grid}

    Returns
    -------
    HotspotResult
        ``cells`` has ``cell_id, row, col, count`` (``weight_sum`` when weighted),
        ``density`` (crimes, or weight, per km²), ``crimes_within_bandwidth``, ``csr_p``
        (P(at least that many) under complete spatial randomness, :data:`KDE_NULL`),
        ``csr_p_fdr`` (Benjamini–Hochberg), ``score`` (= density) and ``hotspot`` (top
        share, at least one crime in the cell, ``csr_p_fdr`` below 5%); ``method`` is
        ``"kde"``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> rng = np.random.default_rng(1)
    >>> xy = np.r_[rng.uniform(0, 2000, (200, 2)), rng.normal(1500, 30, (100, 2))]
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
    ...                        crs="EPSG:27700")
    >>> res = kde_hotspots(pts, cell_size=50, bandwidth=200)
    >>> res.cells.loc[res.cells["score"].idxmax(), "cell_id"]
    'E1500N1500'
    >>> res.params["bandwidth_rule"], res.params["density_units"]
    ('user', 'crimes per km²')
    """
    func = "kde_hotspots"
    bandwidth = float_param(bandwidth, name="bandwidth", func=func)
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ParameterError(
            f"The 'kernel' parameter of {func} must be one of {', '.join(map(repr, KERNELS))}; "
            f"got {kernel!r}."
        )
    top_share = check_top_share(top_share, func=func)
    prep = prepare_cells(
        crimes, func=func, cell_size=cell_size, area=area, weight=weight, grid=grid
    )
    cell = prep.grid.cell_size
    notes = list(prep.notes)
    h, bandwidth_params = _bandwidth_and_rule(bandwidth, kernel, prep, _months(crimes, prep),
                                              notes)
    if h < MIN_BANDWIDTH_CELLS * cell:
        notes.append(
            f"The bandwidth ({h:g} m) spans fewer than {MIN_BANDWIDTH_CELLS:g} cells of "
            f"{cell:g} m, so the grid samples the kernel coarsely; use a smaller cell size "
            "or a larger bandwidth for a smooth surface."
        )
    density = kde_surface(prep.grid, prep.x, prep.y, bandwidth=h, weights=prep.weights,
                          kernel=kernel)
    density[~prep.mask] = 0.0
    # The hotspot flag: top share, a crime in the cell, and more crimes within one
    # bandwidth of the centre than complete spatial randomness explains (methods.csr).
    geom = None if area is None else area_geometry(area, prep.grid.crs, func=func)
    study_m2, measured = study_area_m2(prep, geom)
    within, p = disc_csr_p(prep, h, study_m2, cells=density > 0)
    q, significant = csr_flags(p)
    cells = ranked_cells(
        prep, {"density": density, "crimes_within_bandwidth": within, "csr_p": p,
               "csr_p_fdr": q}, density, top_share, significant=significant,
    )
    notes.append(
        f"{int(significant[prep.mask].sum()):,} cell(s) have more crimes within {h:.0f} m "
        "than complete spatial randomness explains (5% false discovery rate); "
        f"{int(cells['hotspot'].sum()):,} of them are in the top share and hold a crime, "
        "and are hotspots."
    )
    stencil_mass = float(kernel_stencil(kernel, h, cell).sum()) * cell * cell
    params = {
        **prep.params,
        "n_crimes": int(prep.x.size),
        "bandwidth": h,
        **bandwidth_params,
        "kernel": kernel,
        "density_units": f"{'weight' if weight else 'crimes'} per km²",
        "kernel_mass_on_grid": round(stencil_mass, 4),
        "top_share": top_share,
        "null": KDE_NULL,
        "fdr_alpha": FDR_ALPHA,
        "study_area_m2": round(study_m2, 1),
        "study_area_measure": measured,
        "n_significant": int(significant[prep.mask].sum()),
        "hotspot_rule": (
            f"in the top {top_share:.0%} of cells by density, at least one crime in the "
            "cell, and more crimes within one bandwidth than CSR explains (BH-adjusted p < "
            f"{FDR_ALPHA:g})"
        ),
    }
    return HotspotResult(cells=cells, method="kde", params=params, notes=notes)
