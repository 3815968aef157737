"""The 2-D smoothing kernels of kernel density, and the kernel sampled on a grid.

One home for the kernel shapes, shared by the surface (:mod:`hotspots.methods.density`)
and the bandwidth choice (:mod:`hotspots.methods.bandwidth`).
"""

from __future__ import annotations

import math

import numpy as np

from hotspots.errors import ParameterError
from hotspots.methods.grid import MAX_CELLS

__all__ = ["KERNELS", "H_PER_SD", "GAUSSIAN_TRUNCATION", "kernel_reach", "kernel_stencil"]

#: Kernels offered. ``bandwidth`` is the radius for quartic and Epanechnikov, the
#: standard deviation for Gaussian.
KERNELS: tuple[str, ...] = ("quartic", "epanechnikov", "gaussian")

#: Bandwidth / per-axis standard deviation for each 2-D kernel, so that a Gaussian
#: reference bandwidth converts to the kernel of equal variance. The per-axis variance
#: is E[r²]/2 over the kernel: quartic 3/(πh²)(1−r²/h²)² has E[r²] = h²/4, so h²/8 per
#: axis and h = 2√2·σ; Epanechnikov 2/(πh²)(1−r²/h²) has E[r²] = h²/3, so h = √6·σ;
#: the Gaussian's bandwidth is its σ. (Checked numerically in tests/test_density.py.)
H_PER_SD: dict[str, float] = {
    "quartic": 2.0 * math.sqrt(2.0),
    "epanechnikov": math.sqrt(6.0),
    "gaussian": 1.0,
}
#: The Gaussian kernel is cut at this many bandwidths (standard deviations); the mass
#: beyond, exp(−4²/2) ≈ 3.4e-4 of the total, is dropped.
GAUSSIAN_TRUNCATION = 4.0


def kernel_reach(kernel: str, bandwidth: float) -> float:
    """Distance beyond which the kernel is zero.

    Examples
    --------
    >>> kernel_reach("quartic", 200.0), kernel_reach("gaussian", 50.0)
    (200.0, 200.0)
    """
    return bandwidth * (GAUSSIAN_TRUNCATION if kernel == "gaussian" else 1.0)


def _kernel_values(kernel: str, d2: np.ndarray, bandwidth: float) -> np.ndarray:
    """Kernel ``K(d)`` per m² at squared distances ``d2`` (m²)."""
    h2 = bandwidth * bandwidth
    t = d2 / h2
    if kernel == "quartic":
        return np.where(t < 1.0, 3.0 / (math.pi * h2) * (1.0 - t) ** 2, 0.0)
    if kernel == "epanechnikov":
        return np.where(t < 1.0, 2.0 / (math.pi * h2) * (1.0 - t), 0.0)
    inside = t <= GAUSSIAN_TRUNCATION**2
    return np.where(inside, np.exp(-0.5 * t) / (2.0 * math.pi * h2), 0.0)


def kernel_stencil(kernel: str, bandwidth: float, cell_size: float) -> np.ndarray:
    """The kernel (per m²) sampled at cell-centre offsets, a (2k+1, 2k+1) array centred on (k, k).

    Raises :class:`~hotspots.errors.ParameterError` when the stencil would pass the grid
    cell cap.

    Examples
    --------
    >>> s = kernel_stencil("quartic", 300.0, 100.0)
    >>> s.shape, round(float(s.sum()) * 100 * 100, 2)
    ((7, 7), 1.0)
    """
    k = math.ceil(kernel_reach(kernel, bandwidth) / cell_size)
    if (2 * k + 1) ** 2 > MAX_CELLS:
        raise ParameterError(
            f"The 'bandwidth' (--bandwidth) of {bandwidth:g} m spans {2 * k + 1:,} cells of "
            f"{cell_size:g} m each "
            "way, too many to compute. Choose a larger cell size or a smaller bandwidth."
        )
    offsets = np.arange(-k, k + 1) * cell_size
    d2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    return _kernel_values(kernel, d2, bandwidth)
