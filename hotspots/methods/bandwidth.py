"""Choosing the kernel density bandwidth from the data.

The default is chosen by likelihood on the analysis grid, over a log-spaced set of
street-to-neighbourhood candidates (:func:`candidate_bandwidths`):

- **Predictive selection**, when the crimes span at least two months and the latest
  months hold enough crimes: the surface of the earlier months, for each candidate, is
  scored by the mean log-likelihood of the crimes of the latest months (the last quarter
  of the months, at least one), the question hotspot maps answer. This is the
  forecasting criterion of Johnson, Bowers and others for prospective hotspotting, and
  the held-out log score of Gneiting & Raftery (2007).
- **Leave-one-cell-out likelihood cross-validation** otherwise (Duin 1976; Silverman
  1986, §3.4.4): the density at each occupied cell from the crimes in *other* cells.
  police.uk crimes are snapped to shared map points, so plain leave-one-out would see
  each crime's neighbours at distance zero and favour tiny bandwidths; leaving out the
  whole cell (street-scale cells hold about one map point) removes them.

Both work on the grid counts: each candidate is one FFT convolution of the counts with
the kernel sampled on the grid, so the choice costs a few convolutions of the grid
whatever the number of crimes. The cell probabilities are mixed with a small uniform
floor (:data:`UNIFORM_FLOOR`) so that a crime in a cell the surface does not reach costs
a finite penalty rather than minus infinity.

The normal-reference rule (:func:`normal_reference_bandwidth`), the old default, stays
available: it targets one smooth bump and oversmooths clustered crime (measured in
``benchmarks/bench_scale.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal

from hotspots.errors import ParameterError
from hotspots.methods.grid import Grid
from hotspots.methods.kernels import H_PER_SD
from hotspots.methods.kernels import KERNELS
from hotspots.methods.kernels import kernel_stencil
from hotspots.validation import check_choice

__all__ = [
    "BandwidthChoice",
    "candidate_bandwidths",
    "default_bandwidth",
    "fallback_bandwidth",
    "normal_reference_bandwidth",
    "select_bandwidth",
]

#: Candidate quartic radii run from street to neighbourhood scale, 50 m to 3.2 km, in
#: steps of √2 (13 values); narrower than :data:`MIN_CANDIDATE_CELLS` cells the grid
#: cannot resolve the kernel and they are skipped, and the range is extended upwards to
#: at least :data:`MIN_UPPER_CELLS` cells on coarse grids. Other kernels use the bandwidth
#: of equal per-axis variance (``H_PER_SD``).
CANDIDATE_RANGE = (50.0, 3200.0)
CANDIDATE_STEP = math.sqrt(2.0)
MIN_CANDIDATE_CELLS = 1.5
MIN_UPPER_CELLS = 16.0
#: Weight of the uniform floor mixed into the cell probabilities: 1% of the probability
#: spread evenly over the study-area cells (a crime where no kernel reaches costs
#: log(0.01 / cells) instead of minus infinity). Measured (benchmarks/bench_scale.py):
#: floors of 0.1% and 5% move the choice on Nottingham and Chicago by at most one √2 step.
UNIFORM_FLOOR = 0.01
#: Predictive selection holds out the latest quarter of the months (at least one).
HOLDOUT_SHARE = 0.25
#: ... and needs at least this many crimes in them; otherwise cross-validation is used.
MIN_HOLDOUT_CRIMES = 30
#: IQR / 1.349 estimates a normal standard deviation robustly (Silverman 1986, §3.4.2).
IQR_PER_SD = 1.349
#: Scott's normal-reference rule in d dimensions scales as n^(−1/(d+4)); d = 2 here
#: (Scott 1992, Multivariate Density Estimation, eq. 6.42).
SCOTT_EXPONENT = -1.0 / 6.0
#: When too few distinct places leave nothing to choose by, a bandwidth of this many
#: cells (a small, visible smoothing) is used, and a note says so.
FALLBACK_BANDWIDTH_CELLS = 3.0
#: The normal-reference rule's description, for ``params["bandwidth_rule"]``.
NORMAL_REFERENCE_RULE = (
    "normal reference (Scott) rule: sigma = mean over x, y of min(sd, IQR/1.349), "
    "sigma_k = sigma * n^(-1/6), bandwidth = {factor:.4g} * sigma_k ({kernel})"
)
PREDICTIVE_RULE = (
    "predictive selection: the surface of {train} that best predicts the {n_test:,} "
    "crimes of {test}"
)
CV_RULE = "leave-one-cell-out likelihood cross-validation"


@dataclass(frozen=True)
class BandwidthChoice:
    """A bandwidth chosen from the data, with every candidate's score.

    Attributes
    ----------
    bandwidth : float
        The chosen bandwidth in metres (radius; sd for the Gaussian kernel).
    rule : str
        How it was chosen, for ``params["bandwidth_rule"]``.
    criterion : str
        ``"predictive"``, ``"cross-validation"`` or ``"fallback"``.
    candidates, scores : tuple of float
        Every candidate (m) and its mean log-likelihood per crime scored (higher is better).
    notes : tuple of str
        Plain-language notes (choice at the edge of the range, fallback).
    """

    bandwidth: float
    rule: str
    criterion: str
    candidates: tuple[float, ...] = ()
    scores: tuple[float, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def params(self) -> dict[str, Any]:
        """The entries for a result's ``params``."""
        return {
            "bandwidth_rule": self.rule,
            "bandwidth_criterion": self.criterion,
            "bandwidth_score": (
                f"mean log-likelihood per crime of the cell probabilities on the analysis "
                f"grid, each crime's kernel edge-corrected to the study area, with a "
                f"{UNIFORM_FLOOR:.0%} uniform floor"),
            "bandwidth_candidates": [round(c, 1) for c in self.candidates],
            "bandwidth_scores": [round(s, 4) for s in self.scores],
        }


def _spread(values: np.ndarray) -> float:
    """min(sd, IQR/1.349), or sd where the IQR is zero (as R's bw.nrd0 does)."""
    sd = float(np.std(values, ddof=1))
    q75, q25 = np.percentile(values, [75, 25])
    robust = float(q75 - q25) / IQR_PER_SD
    return min(sd, robust) if robust > 0 else sd


def normal_reference_bandwidth(x: ArrayLike, y: ArrayLike, *, kernel: str = "quartic") -> float:
    """Return the normal-reference (Scott) bandwidth for points, in the units of ``x, y``.

    The rule: ``sigma = mean(min(sd_x, IQR_x/1.349), min(sd_y, IQR_y/1.349))`` (an axis
    whose IQR is zero uses its sd), the Gaussian bandwidth ``sigma_k = sigma * n**(-1/6)``
    (Scott's rule for two dimensions), then the ``kernel``'s bandwidth with the same
    per-axis variance: ``h = 2*sqrt(2)*sigma_k`` for the quartic radius, ``sqrt(6)*sigma_k``
    for the Epanechnikov radius, ``sigma_k`` for the Gaussian. The rule targets smooth,
    single-peaked data, so on clustered crime it oversmooths (it was the default before
    :func:`select_bandwidth`).

    Raises
    ------
    ParameterError
        If there are fewer than two points, or they all coincide.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(0, 100, 10_000), rng.normal(0, 100, 10_000)
    >>> round(normal_reference_bandwidth(x, y) / (2 * 2**0.5 * 100 * 10_000 ** (-1 / 6)), 1)
    1.0
    """
    check_choice(kernel, name="kernel", choices=KERNELS)
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.size != y.size:
        raise ParameterError(
            f"normal_reference_bandwidth needs x and y of the same length, got {x.size} and "
            f"{y.size}."
        )
    if x.size < 2:
        raise ParameterError(
            f"normal_reference_bandwidth needs at least 2 points to measure their spread, got "
            f"{x.size}. Pass a bandwidth instead."
        )
    sigma = 0.5 * (_spread(x) + _spread(y))
    if not sigma > 0:
        raise ParameterError(
            "normal_reference_bandwidth cannot measure a spread: all points are at the same "
            "place. Pass a bandwidth instead."
        )
    return H_PER_SD[kernel] * sigma * x.size**SCOTT_EXPONENT


def fallback_bandwidth(cell_size: float, notes: list[str]) -> tuple[float, str]:
    """The bandwidth used when the crimes leave nothing to choose by, and its rule.

    :data:`FALLBACK_BANDWIDTH_CELLS` cells; a note saying so is appended to ``notes``.

    Examples
    --------
    >>> notes = []
    >>> fallback_bandwidth(50.0, notes), len(notes)
    ((150.0, 'fallback: 3 x cell_size'), 1)
    """
    h = FALLBACK_BANDWIDTH_CELLS * cell_size
    notes.append(
        f"Too few distinct crime locations to choose a bandwidth from the data; used "
        f"{FALLBACK_BANDWIDTH_CELLS:g} cells ({h:g} m). Pass a bandwidth to change it."
    )
    return h, f"fallback: {FALLBACK_BANDWIDTH_CELLS:g} x cell_size"


def candidate_bandwidths(cell_size: float, *, kernel: str = "quartic") -> list[float]:
    """The bandwidths :func:`select_bandwidth` tries on cells of ``cell_size`` metres.

    Examples
    --------
    >>> candidate_bandwidths(100.0)[:3], len(candidate_bandwidths(100.0))
    ([200.0, 282.8, 400.0], 9)
    """
    check_choice(kernel, name="kernel", choices=KERNELS)
    low, high = CANDIDATE_RANGE
    top = max(high, MIN_UPPER_CELLS * cell_size)
    k_max = math.ceil(math.log(top / low) / math.log(CANDIDATE_STEP) - 1e-9)
    radii = [round(low * CANDIDATE_STEP**k, 1) for k in range(k_max + 1)]
    factor = H_PER_SD[kernel] / H_PER_SD["quartic"]
    return [round(r * factor, 1) for r in radii if r >= MIN_CANDIDATE_CELLS * cell_size]


def _cell_probabilities(counts: np.ndarray, stencil: np.ndarray, mask: np.ndarray,
                        leave_out: bool) -> np.ndarray:
    """Probability of each study-area cell under the kernel surface of ``counts``.

    Each crime's kernel is edge-corrected to sum to one over the study area. With
    ``leave_out``, each cell's own crimes are left out of its value (the stencil's
    centre times its count) and each cell's probability is its value over the crimes
    left, so ``p[i]`` is the leave-one-cell-out density of cell ``i``.
    """
    kernel = stencil / stencil.sum()
    # Edge correction (Diggle 1985): each crime's kernel is rescaled to sum to one over the
    # study area, so wide kernels are not penalised for the mass they spill beyond it.
    inside = signal.fftconvolve(mask.astype(float), kernel, mode="same")
    sources = np.where(counts > 0, counts / np.maximum(inside, 1e-12), 0.0)
    smooth = signal.fftconvolve(sources, kernel, mode="same")
    if leave_out:
        centre = kernel[kernel.shape[0] // 2, kernel.shape[1] // 2]
        smooth = smooth - centre * sources
        rest = counts.sum() - counts
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(rest > 0, smooth / rest, 0.0)
    else:
        total = float(smooth[mask].sum())
        p = smooth / total if total > 0 else np.zeros_like(smooth)
    p = np.clip(p, 0.0, None)
    n_cells = int(mask.sum())
    return (1.0 - UNIFORM_FLOOR) * p + UNIFORM_FLOOR / n_cells


def _holdout(months: np.ndarray | None, n: int) -> tuple[np.ndarray | None, list[str]]:
    """Boolean 'held out' flags for the latest months, or None when not possible."""
    if months is None or n == 0:
        return None, []
    values = np.asarray(months, dtype="datetime64[M]")
    if values.shape != (n,) or np.isnat(values).any():
        return None, []
    distinct = np.unique(values)
    if distinct.size < 2:
        return None, []
    k = max(1, math.ceil(HOLDOUT_SHARE * distinct.size))
    held = distinct[-k:]
    flags = np.isin(values, held)
    return flags, [str(m) for m in held]


def _months_text(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"


def select_bandwidth(
    grid: Grid,
    mask: np.ndarray,
    x: ArrayLike,
    y: ArrayLike,
    *,
    months: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    kernel: str = "quartic",
) -> BandwidthChoice:
    """Choose the KDE bandwidth for crimes at ``x, y`` on ``grid`` by likelihood.

    Predictive selection when ``months`` (one per crime) span two or more months and the
    latest quarter of them holds at least :data:`MIN_HOLDOUT_CRIMES` crimes; otherwise
    leave-one-cell-out likelihood cross-validation (see the module docstring). Each of
    :func:`candidate_bandwidths` is scored by the mean log-likelihood per crime scored,
    under the cell probabilities of the surface restricted to the study area (``mask``)
    and mixed with :data:`UNIFORM_FLOOR`; the best is chosen. With fewer than two occupied
    cells, :func:`fallback_bandwidth`.

    Parameters
    ----------
    grid : Grid
        The analysis grid.
    mask : numpy.ndarray of bool
        Study-area cells (shape ``grid.shape``).
    x, y : array-like
        Crime coordinates (those in the study area).
    months : array-like, optional
        Month of each crime (anything ``numpy.datetime64`` reads).
    weights : array-like, optional
        Weight of each crime (e.g. harm): weighted counts and likelihood.
    kernel : {"quartic", "epanechnikov", "gaussian"}, default "quartic"

    Returns
    -------
    BandwidthChoice

    Examples
    --------
    >>> from hotspots.methods.grid import make_grid
    >>> rng = np.random.default_rng(0)
    >>> xy = np.r_[rng.normal(2500, 150, (1500, 2)), rng.uniform(0, 5000, (500, 2))]
    >>> g = make_grid((0, 0, 4999, 4999), cell_size=50)
    >>> choice = select_bandwidth(g, np.ones(g.shape, bool), xy[:, 0], xy[:, 1])
    >>> choice.criterion, 200 <= choice.bandwidth <= 800
    ('cross-validation', True)
    """
    check_choice(kernel, name="kernel", choices=KERNELS)
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    w = np.ones(x.size) if weights is None else np.asarray(weights, dtype=float).ravel()
    mask = np.asarray(mask, dtype=bool)
    cell = grid.cell_size
    row, col, inside = grid.locate(x, y)
    inside &= np.isfinite(x) & np.isfinite(y)
    inside[inside] &= mask[row[inside], col[inside]]

    def counts(select: np.ndarray) -> np.ndarray:
        flat = row[select] * grid.nx + col[select]
        return np.bincount(flat, weights=w[select], minlength=grid.n_cells).reshape(grid.shape)

    notes: list[str] = []
    all_counts = counts(inside)
    if int((all_counts > 0).sum()) < 2:
        h, rule = fallback_bandwidth(cell, notes)
        return BandwidthChoice(h, rule, "fallback", notes=tuple(notes))
    held, held_months = _holdout(None if months is None else np.asarray(months), x.size)
    criterion = "cross-validation"
    if held is not None and int((inside & held).sum()) >= MIN_HOLDOUT_CRIMES \
            and int((inside & ~held).sum()) > 0:
        criterion = "predictive"
        train, test = counts(inside & ~held), counts(inside & held)
        train_months = sorted({str(m) for m in np.asarray(months, dtype="datetime64[M]")[~held]})
        rule = PREDICTIVE_RULE.format(
            train=_months_text(train_months), test=_months_text(held_months),
            n_test=int((inside & held).sum()),
        )
    else:
        train = test = all_counts
        rule = CV_RULE
        if held is not None:
            notes.append(
                f"Too few crimes in the latest months ({int((inside & held).sum())}, fewer "
                f"than {MIN_HOLDOUT_CRIMES}) to choose the bandwidth by prediction; chosen "
                "by leave-one-cell-out cross-validation instead."
            )
    candidates = candidate_bandwidths(cell, kernel=kernel)
    total = float(test[mask].sum())
    scores = []
    for h in candidates:
        p = _cell_probabilities(train, kernel_stencil(kernel, h, cell), mask,
                                leave_out=criterion == "cross-validation")
        scores.append(float((test[mask] * np.log(p[mask])).sum()) / total)
    best = int(np.argmax(scores))
    h = candidates[best]
    if best in (0, len(candidates) - 1) and len(candidates) > 1:
        edge = "smallest" if best == 0 else "largest"
        notes.append(
            f"The chosen bandwidth ({h:g} m) is the {edge} candidate tried; the data may "
            f"favour an even {'narrower' if best == 0 else 'wider'} kernel."
        )
    return BandwidthChoice(h, rule, criterion, tuple(candidates), tuple(scores), tuple(notes))


def default_bandwidth(grid: Grid, mask: np.ndarray, x: ArrayLike, y: ArrayLike,
                      **options: Any) -> float:
    """The default KDE bandwidth in metres: :func:`select_bandwidth`'s choice.

    ``options`` (``months``, ``weights``, ``kernel``) are those of :func:`select_bandwidth`.

    Examples
    --------
    >>> from hotspots.methods.grid import make_grid
    >>> g = make_grid((0, 0, 999, 999), cell_size=50)
    >>> default_bandwidth(g, np.ones(g.shape, bool), [500.0], [500.0])  # one place
    150.0
    """
    return select_bandwidth(grid, mask, x, y, **options).bandwidth
