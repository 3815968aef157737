"""Getis-Ord Gi* on grid counts: statistically significant hot and cold spots.

For cell ``i`` with binary distance-band weights ``w_ij`` (the cell itself included) and
``W_i = sum_j w_ij``::

    Gi* = (sum_j w_ij x_j − x̄ W_i) / (S · sqrt((n W_i − W_i²) / (n − 1)))

where ``x̄`` and ``S`` (population standard deviation) are taken over the ``n`` cells of
the study area (Getis & Ord 1992; Ord & Getis 1995). This is the z-score that
``esda.G_Local(star=True, transform="B")`` reports. The neighbour sums are a convolution
of the masked grid with a disc, so the whole grid costs one or two convolutions instead of
a weights matrix; cells at the study area's edge use only the neighbours inside it.

The p-values come from :mod:`hotspots.methods.inference`: exact, under total randomization
by default (complete spatial randomness and Monte Carlo are options; the normal
approximation of z is kept as ``inference="normal"`` for comparison only: it calls pure
noise hot on sparse street-level grids), then
Benjamini–Hochberg over the study-area cells. A cell is a hotspot when it is hot at 95%
or more after that correction *and* holds at least one crime: a place with no crime is
never offered for an intervention, although its Gi* class stays in ``gi_bin``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from numpy.typing import ArrayLike

from hotspots.errors import ParameterError
from hotspots.methods.cells import StudyArea
from hotspots.methods.cells import cells_frame
from hotspots.methods.cells import grid_method_doc
from hotspots.methods.cells import prepare_cells
from hotspots.methods.grid import Grid
from hotspots.methods.inference import DEFAULT_INFERENCE
from hotspots.methods.inference import DEFAULT_NULL
from hotspots.methods.inference import PERMUTATIONS
from hotspots.methods.inference import SEED
from hotspots.methods.inference import check_inference
from hotspots.methods.inference import randomization_tails
from hotspots.methods.neighbours import disc
from hotspots.methods.neighbours import neighbour_sum
from hotspots.methods.neighbours import neighbourhood_distance
from hotspots.methods.stats import benjamini_hochberg
from hotspots.methods.stats import two_sided_p
from hotspots.result import HotspotResult
from hotspots.validation import float_param

__all__ = [
    "gistar_grid",
    "gistar_z",
    "gistar_hotspots",
    "gi_classes",
    "gi_inputs",
    "CONFIDENCE_BINS",
    "HOTSPOT_MIN_BIN",
    "HOTSPOT_RULE",
]

#: (p below, |bin|): confidence classes at 99%, 95% and 90%, the bins of Esri's Hot Spot
#: Analysis (Gi_Bin), applied to the FDR-adjusted p-value when ``fdr`` is on.
CONFIDENCE_BINS: tuple[tuple[float, int], ...] = ((0.01, 3), (0.05, 2), (0.10, 1))
#: A cell is a hotspot when hot at 95% confidence or more (gi_bin >= 2): the conventional
#: 5% significance level. It must also hold at least one crime (:data:`HOTSPOT_RULE`).
HOTSPOT_MIN_BIN = 2
#: The hotspot rule as ``params`` and the method statement state it.
HOTSPOT_RULE = "hot at 95% confidence or more (gi_bin >= 2) and at least one crime in the cell"


def _gistar(
    values: np.ndarray, mask: np.ndarray, footprint: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return ``(z, W, constant)``; z is NaN off the mask and 0 where it is undefined."""
    x = values[mask]
    n = x.size
    mean = float(x.mean())
    constant = n < 2 or float(np.ptp(x)) == 0.0
    masked = np.where(mask, values, 0.0)
    W = np.rint(neighbour_sum(mask.astype(float), footprint))
    z = np.full(values.shape, np.nan)
    if constant:
        z[mask] = 0.0
        return z, W, True
    sd = float(np.std(x))
    local = neighbour_sum(masked, footprint)
    Wm = W[mask]
    # W is a whole number of cells: the denominator of each count, looked up (the same
    # arithmetic on the same numbers as cell by cell)
    w = np.arange(int(Wm.max()) + 1 if Wm.size else 1, dtype=float)
    denominator = (sd * np.sqrt(np.maximum(n * w - w * w, 0.0) / (n - 1)))[Wm.astype(np.intp)]
    numerator = local[mask] - mean * Wm
    safe = denominator > 0
    z_mask = np.zeros(n)
    z_mask[safe] = numerator[safe] / denominator[safe]
    z[mask] = z_mask
    return z, W, False


def _p_values(
    values: np.ndarray, mask: np.ndarray, footprint: np.ndarray, z: np.ndarray,
    constant: bool, *, inference: str, null: str, permutations: int, seed: int,
    counts: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, str, dict]:
    """Two-sided p, the direction of each test (sign), the p-value rule and its params."""
    if inference == "normal":
        return two_sided_p(z), z, "two-sided normal approximation of z", {"inference": "normal"}
    tails = randomization_tails(values, mask, footprint, counts=counts, null=null,
                                inference=inference, permutations=permutations, seed=seed)
    p = np.where(mask, 1.0, np.nan) if constant else tails.two_sided
    direction = np.where(z == 0, 0.0, np.where(tails.upper <= tails.lower, 1.0, -1.0))
    return p, direction, tails.rule, tails.params


def gi_inputs(
    values: ArrayLike, mask: ArrayLike | None, *, func: str, ndim: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Check the cell values and study-area mask of a Gi* computation; return them as arrays.

    ``values`` is one grid (``ndim=2``) or a stack of grids ``(steps, rows, cols)``
    (``ndim=3``); ``mask`` has the shape of one grid (None: every cell). ``func`` names
    the public function in error messages.

    Examples
    --------
    >>> values, mask = gi_inputs([[1, 2], [3, 4]], None, func="demo")
    >>> values.dtype.name, mask.tolist()
    ('float64', [[True, True], [True, True]])
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != ndim:
        layout = "(rows, cols)" if ndim == 2 else "(steps, rows, cols)"
        raise ParameterError(
            f"{func} needs a {ndim}-D array of cell values {layout}, got shape {values.shape}."
        )
    shape = values.shape[-2:]
    mask = np.ones(shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != shape:
        raise ParameterError(
            f"{func} needs 'mask' of the same shape as a grid of 'values' {shape}, "
            f"got {mask.shape}."
        )
    if not mask.any():
        raise ParameterError(f"{func} got a 'mask' with no True cells: no study area.")
    if not np.isfinite(values).all() and not np.isfinite(values[..., mask]).all():
        raise ParameterError(f"{func} needs finite 'values' on every study-area cell.")
    return values, mask


def gistar_grid(
    values: ArrayLike,
    mask: ArrayLike | None,
    *,
    radius_cells: float,
    inference: str = DEFAULT_INFERENCE,
    null: str = DEFAULT_NULL,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Return Getis-Ord Gi* z-scores and two-sided p-values for a grid of values.

    Parameters
    ----------
    values : array-like, 2-D
        Cell values (counts or weight sums), indexed ``[row, col]``.
    mask : array-like of bool, 2-D, or None
        True for cells in the study area; others are neither counted in ``n``, ``x̄``,
        ``S`` nor used as neighbours. None: every cell.
    radius_cells : float
        Neighbourhood radius in cells: cell ``j`` is a neighbour of ``i`` (weight 1) when
        their centres are at most ``radius_cells`` cells apart; ``i`` is its own
        neighbour. ``QUEEN_DISTANCE_FACTOR`` (√2, :mod:`hotspots.methods.neighbours`)
        gives the 3×3 queen neighbourhood.
    inference, null, permutations, seed
        How the p-values are computed, as in :func:`gistar_hotspots` (default: the exact
        law of the neighbour sum under total randomization).

    Returns
    -------
    z, p : numpy.ndarray
        Gi* z-scores and two-sided p-values, NaN off the mask. Where the values are
        constant (S = 0), or a cell's neighbourhood is the whole study area, z is 0 and p
        is 1.

    Examples
    --------
    >>> from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR
    >>> values = np.zeros((5, 5)); values[2, 2] = 9.0
    >>> z, p = gistar_grid(values, None, radius_cells=QUEEN_DISTANCE_FACTOR)
    >>> round(float(z[2, 2]), 3), round(float(z[0, 0]), 3)
    (1.333, -0.436)
    """
    radius = float_param(radius_cells, name="radius_cells", func="gistar_grid",
                         allow_none=False)
    inference, null, permutations, seed = check_inference(
        inference, null, permutations, seed, func="gistar_grid"
    )
    values, mask = gi_inputs(values, mask, func="gistar_grid")
    footprint = disc(radius)
    z, _, constant = _gistar(values, mask, footprint)
    p, _, _, _ = _p_values(values, mask, footprint, z, constant, inference=inference,
                           null=null, permutations=permutations, seed=seed)
    return z, p


def gistar_z(values: ArrayLike, mask: ArrayLike | None, *, radius_cells: float) -> np.ndarray:
    """The Gi* z-scores of :func:`gistar_grid` alone (no p-values: a ranking needs none).

    Examples
    --------
    >>> from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR
    >>> values = np.zeros((5, 5)); values[2, 2] = 9.0
    >>> z = gistar_z(values, None, radius_cells=QUEEN_DISTANCE_FACTOR)
    >>> bool((z == gistar_grid(values, None, radius_cells=QUEEN_DISTANCE_FACTOR)[0]).all())
    True
    """
    radius = float_param(radius_cells, name="radius_cells", func="gistar_z", allow_none=False)
    values, mask = gi_inputs(values, mask, func="gistar_z")
    return _gistar(values, mask, disc(radius))[0]


def gi_classes(z: ArrayLike, p: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return Gi bins in −3..3 and labels ("Hot spot (99%)", ..., "Not significant").

    A cell is in bin ±3, ±2 or ±1 when ``p`` is below 0.01, 0.05 or 0.10
    (:data:`CONFIDENCE_BINS`), signed by ``z`` (only its sign is used: any array whose
    sign gives the direction will do); else 0. NaN gives 0.

    Examples
    --------
    >>> bins, labels = gi_classes([3.0, -2.0, 0.5], [0.003, 0.04, 0.6])
    >>> bins.tolist(), labels.tolist()
    ([3, -2, 0], ['Hot spot (99%)', 'Cold spot (95%)', 'Not significant'])
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    size = np.zeros(z.shape, dtype=np.int64)
    for alpha, level in sorted(CONFIDENCE_BINS, reverse=True):
        size[p < alpha] = level
    bins = np.where(z > 0, size, np.where(z < 0, -size, 0))
    names = {0: "Not significant"}
    for alpha, level in CONFIDENCE_BINS:
        confidence = f"{100 * (1 - alpha):.0f}%"
        names[level] = f"Hot spot ({confidence})"
        names[-level] = f"Cold spot ({confidence})"
    labels = np.vectorize(names.__getitem__, otypes=[object])(bins) if bins.size else bins
    return bins, np.asarray(labels, dtype=object)


@grid_method_doc
def gistar_hotspots(crimes: gpd.GeoDataFrame, *, weight: str | None = None,
                    cell_size: float | None = None, distance: float | None = None,
                    area: StudyArea | None = None, fdr: bool = True, grid: Grid | None = None,
                    inference: str = DEFAULT_INFERENCE, null: str = DEFAULT_NULL,
                    permutations: int = PERMUTATIONS, seed: int = SEED) -> HotspotResult:
    """Getis-Ord Gi* hot and cold spots on grid counts, with FDR-corrected p-values.

    Parameters
    ----------
    {inputs}
    distance : float, optional
        Neighbourhood distance in metres between cell centres (binary weights, the cell
        itself included). Default: three times the spacing of the crime locations
        (:func:`~hotspots.methods.neighbours.data_distance`), at least ``cell_size × √2``
        (the cell and its 8 queen neighbours).
    {area}
    fdr : bool, default True
        Correct the p-values for multiple testing with Benjamini–Hochberg over the
        study-area cells; the classes use the corrected values. False: raw p-values.
    {grid}
    inference : {"exact", "permutation", "normal"}, default "exact"
        How p is computed (:mod:`hotspots.methods.inference`): the exact randomization
        law of the neighbour sum (Monte Carlo without replacement below 1,000 cells),
        Monte Carlo with ``permutations`` draws, or the normal approximation of z
        (miscalibrated on sparse counts; for comparison only).
    null : {"csr", "total", "conditional"}, default "total"
        Complete spatial randomness (crimes uniform over the study area: the neighbourhood's
        crimes are binomial), or a randomization null: cell values rearranged over all
        study-area cells (the null of the Gi* moments), or esda's conditional randomization
        (own value fixed). See :mod:`hotspots.methods.inference`.
    permutations : int, default PERMUTATIONS (999, esda's)
        Monte Carlo draws for ``inference="permutation"``.
    seed : int, default SEED
        Seed of the random draws (Monte Carlo only; the exact law uses none).

    Returns
    -------
    HotspotResult
        ``cells`` has ``cell_id, row, col, count`` (``weight_sum`` when weighted),
        ``gi_z``, ``gi_p`` (two-sided, by ``inference``), ``gi_p_fdr`` (when ``fdr``),
        ``gi_bin`` (−3..3), ``gi_class``, ``gi_neighbours`` (cells in the neighbourhood,
        itself included, inside the study area), ``score`` (= z) and ``hotspot`` (hot at
        95% or more and at least one crime, :data:`HOTSPOT_RULE`); ``method`` is
        ``"gistar"``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> rng = np.random.default_rng(2)
    >>> xy = np.r_[rng.uniform(0, 1000, (400, 2)), rng.uniform(400, 700, (200, 2))]
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
    ...                        crs="EPSG:27700")
    >>> res = gistar_hotspots(pts, cell_size=100)
    >>> res.cells.loc[res.cells["score"].idxmax(), ["cell_id", "gi_class"]].tolist()
    ['E500N500', 'Hot spot (99%)']
    """
    func = "gistar_hotspots"
    distance = float_param(distance, name="distance", func=func)
    if not isinstance(fdr, bool | np.bool_):
        raise ParameterError(f"The 'fdr' parameter of {func} must be True or False, got {fdr!r}.")
    inference, null, permutations, seed = check_inference(
        inference, null, permutations, seed, func=func
    )
    prep = prepare_cells(
        crimes, func=func, cell_size=cell_size, area=area, weight=weight, grid=grid
    )
    cell = prep.grid.cell_size
    notes = list(prep.notes)
    distance, rule = neighbourhood_distance(distance, cell, x=prep.x, y=prep.y)
    footprint = disc(distance / cell)
    if footprint.sum() == 1:
        notes.append(
            f"The distance ({distance:g} m) is shorter than one cell ({cell:g} m), so each "
            "cell is its own only neighbour and Gi* is just the cell's standardised count."
        )
    z, W, constant = _gistar(prep.values, prep.mask, footprint)
    if constant:
        notes.append(
            "Every study-area cell has the same value, so nothing stands out: Gi* is 0 and "
            "p is 1 everywhere."
        )
    p, direction, p_rule, inference_params = _p_values(
        prep.values, prep.mask, footprint, z, constant,
        inference=inference, null=null, permutations=permutations, seed=seed,
        counts=prep.count if prep.weight_sum is not None else None,
    )
    layers: dict[str, np.ndarray] = {"gi_z": z, "gi_p": p}
    p_used = p
    if fdr:
        p_used = benjamini_hochberg(p)
        layers["gi_p_fdr"] = p_used
    bins, labels = gi_classes(direction, p_used)
    layers.update({"gi_bin": bins, "gi_class": labels, "gi_neighbours": W.astype(np.int64)})
    hotspot = (bins >= HOTSPOT_MIN_BIN) & (prep.count > 0)
    empty_hot = int(((bins >= HOTSPOT_MIN_BIN) & (prep.count == 0) & prep.mask).sum())
    if empty_hot:
        notes.append(
            f"{empty_hot:,} cell(s) with no crimes are hot by Gi* (their neighbours are "
            "busy) but are not flagged as hotspots: a place with no crime is not a place "
            "to site an intervention. Their class stays in gi_bin."
        )
    cells = cells_frame(prep, layers, np.where(prep.mask, z, 0.0), hotspot)
    params = {
        **prep.params,
        "distance": distance,
        "distance_rule": rule,
        "neighbourhood_cells": int(footprint.sum()),
        "fdr": bool(fdr),
        **inference_params,
        "p_value": p_rule + (", Benjamini-Hochberg adjusted over the study-area cells"
                             if fdr else ""),
        "hotspot_rule": HOTSPOT_RULE,
    }
    return HotspotResult(cells=cells, method="gistar", params=params, notes=notes)
