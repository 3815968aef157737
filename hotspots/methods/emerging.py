"""Emerging hot spots: Gi* per time step on one aligned grid, Mann–Kendall trends, Esri classes.

The crimes are counted on one grid for every time step (a space-time cube of shape
``(steps, rows, cols)``). Getis-Ord Gi* is computed for every step at once (one
convolution of the whole cube with a 2-D disc, each step standardised by its own mean and
standard deviation over the study area), its p-values come from the exact randomization
law of the neighbour sums of that step (:mod:`hotspots.methods.inference`; the normal
approximation called ~6 of 2,025 pure-noise cells "new hot spots" at burglary volumes),
they are corrected for multiple testing with Benjamini–Hochberg within each step, and each
cell-step is called hot or cold when its corrected p-value is below 0.10 (90% confidence,
:data:`BIN_ALPHA`). A Mann–Kendall test on each cell's series of Gi* z-scores says whether
clustering is intensifying or diminishing. Each cell then gets one pattern of the Esri
Emerging Hot Spot Analysis scheme (:data:`PATTERN_RULES`).

The pattern rules, and how ties between them are broken, are in
:mod:`hotspots.methods.patterns`; the pieces are in :mod:`~hotspots.methods.timesteps`
(steps), :mod:`~hotspots.methods.cube` (counts and Gi* per step) and
:mod:`~hotspots.methods.mannkendall` (trends).

This module computes Gi* per step on spatial neighbours only (the cell and the cells
within ``distance``); Esri's tool also includes the same cells in earlier time steps
(its "neighbourhood time step") and standardises over the whole cube. Per-step
standardisation keeps each month's hot spots relative to that month, so town-wide
seasonality does not make every cell hot in December.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from hotspots.errors import ParameterError
from hotspots.methods.cells import CellInputs
from hotspots.methods.cells import prepare_cells
from hotspots.methods.cube import count_cube
from hotspots.methods.cube import gistar_cube
from hotspots.methods.grid import Grid
from hotspots.methods.inference import DEFAULT_INFERENCE
from hotspots.methods.inference import PERMUTATIONS
from hotspots.methods.inference import SEED
from hotspots.methods.inference import check_inference
from hotspots.methods.mannkendall import MK_ALPHA
from hotspots.methods.mannkendall import MannKendall
from hotspots.methods.mannkendall import mann_kendall
from hotspots.methods.neighbours import neighbourhood_distance
from hotspots.methods.patterns import HOT_SHARE
from hotspots.methods.patterns import PATTERN_RULES
from hotspots.methods.patterns import PATTERNS
from hotspots.methods.patterns import classify_patterns
from hotspots.methods.timesteps import STEPS
from hotspots.methods.timesteps import TimeSteps
from hotspots.methods.timesteps import time_steps
from hotspots.result import HotspotResult
from hotspots.validation import check_choice
from hotspots.validation import float_param

__all__ = [
    "MAX_CUBE_CELLS",
    "check_cube_size",
    "BIN_ALPHA",
    "EmergingResult",
    "cell_series",
    "emerging_hotspots",
    "emerging_series",
]


#: A cell-step is hot (cold) when its Gi* z is positive (negative) and its p-value, after
#: Benjamini–Hochberg correction within the step, is below this: 90% confidence, the
#: lowest of the three confidence levels Esri's Emerging Hot Spot Analysis counts as
#: significant (its Gi_Bin ±1..±3).
BIN_ALPHA = 0.10
#: The null of each step's test: complete spatial randomness (exact binomial). A month's
#: counts are small, so it flags only real excess; the randomization null is dominated by
#: the month's few busiest cells (a heavy tail), so a site that builds up over months (the
#: demo's retail park at 100 m) only flickers: "sporadic" instead of "consecutive".
EMERGING_NULL = "csr"
#: How each step's p-value is computed, by ``inference``, for ``params["p_value"]``.
_P_RULES = {
    "exact": (
        "two-sided exact randomization p-value of each step's Gi* neighbour sum: that "
        "step's study-area cell values randomly rearranged over the cells (draws with "
        "replacement; Monte Carlo without replacement, 9,999 draws, below 1,000 cells)"
    ),
    "permutation": (
        "two-sided Monte Carlo randomization p-value of each step's Gi* neighbour sum "
        "(draws without replacement)"
    ),
    "normal": "two-sided normal approximation of each step's Gi* z (for comparison only)",
    "csr": (
        "two-sided exact p-value of each step's Gi* neighbour sum under complete spatial "
        "randomness: the step's crimes in a neighbourhood of W cells ~ Binomial(N, W / n)"
    ),
}


@dataclass
class EmergingResult(HotspotResult):
    """An emerging hot spot result: the cells with their pattern, plus the space-time cube.

    Besides the :class:`~hotspots.result.HotspotResult` attributes (``cells`` has one row
    per study-area cell), it keeps the per-step arrays so that :func:`cell_series` can
    draw any cell's time series.

    Attributes
    ----------
    steps : TimeSteps
        The time steps.
    grid : Grid
        The grid the cube is on.
    mask : numpy.ndarray of bool
        Study-area cells, shape ``grid.shape``.
    counts, gi_z, gi_p, gi_p_fdr : numpy.ndarray, shape (steps, rows, cols)
        Crimes (or weight sums), Gi* z, raw and (if ``fdr``) corrected p-values.
    bins : numpy.ndarray of int8, shape (steps, rows, cols)
        1 hot, -1 cold, 0 not significant (at :data:`BIN_ALPHA`).
    """

    steps: TimeSteps | None = None
    grid: Grid | None = None
    mask: np.ndarray | None = None
    counts: np.ndarray | None = None
    gi_z: np.ndarray | None = None
    gi_p: np.ndarray | None = None
    gi_p_fdr: np.ndarray | None = None
    bins: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def method_statement(self) -> str:
        """A plain-language sentence that says how this result was made (for legends)."""
        p = self.params
        fdr = ("after Benjamini-Hochberg FDR correction within each step" if p.get("fdr")
               else "without FDR correction")
        test = {"exact": ("exact p-values against complete spatial randomness"
                          if p.get("null") == "csr" else "exact randomization p-values"),
                "permutation": f"{p.get('permutations')} random permutations",
                "normal": "normal-approximation p-values"}.get(p.get("inference", ""), "")
        weighted = " Weighted by harm." if p.get("weight") else ""
        return (
            f"Emerging hot spots: Getis-Ord Gi* per {p['step']} ({p['n_steps']} steps, "
            f"{p['first_step']} to {p['last_step']}) on {p['cell_size']:g} m grid cells, "
            f"neighbours within {p['distance']:.0f} m; hot or cold at "
            f"{100 * (1 - BIN_ALPHA):.0f}% confidence ({test}) {fdr}; Mann-Kendall trend (alpha "
            f"{MK_ALPHA:g}); Esri Emerging Hot Spot patterns.{weighted} "
            f"{p['n_crimes']:,} crimes."
        )


#: The most cell-steps (grid cells x time steps) a space-time cube may hold. The cube keeps
#: about six float64 arrays of this size (counts, Gi* z and p, FDR p, bins, weights), so
#: 20 million cell-steps is about 1 GB: a force-wide 100 m grid (~60,000 cells) over 10
#: years of months, or a town over three years of days.
MAX_CUBE_CELLS = 20_000_000


def check_cube_size(n_steps: int, n_study: int, n_cells: int, *, func: str) -> None:
    """Refuse, before allocating it, a space-time cube larger than :data:`MAX_CUBE_CELLS`.

    Examples
    --------
    >>> check_cube_size(36, 5000, 10000, func="emerging_hotspots") is None
    True
    """
    if n_steps * n_cells > MAX_CUBE_CELLS:
        raise ParameterError(
            f"{func}: {n_steps:,} time steps over a grid of {n_cells:,} cells ({n_study:,} in "
            f"the study area) make {n_steps * n_cells:,} cell-steps, more than the limit of "
            f"{MAX_CUBE_CELLS:,}. Use a longer step (--step month), fewer months (--from, "
            "--to), a larger cell size or a smaller area."
        )


def emerging_hotspots(
    crimes: gpd.GeoDataFrame,
    *,
    cell_size: float | None = None,
    distance: float | None = None,
    step: str = "auto",
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    weight: str | None = None,
    fdr: bool = True,
    grid: Grid | None = None,
    inference: str = DEFAULT_INFERENCE,
    null: str = EMERGING_NULL,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> EmergingResult:
    """Emerging hot and cold spots: Gi* per time step, Mann–Kendall trend, Esri patterns.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table: points in a projected CRS (metres), with ``month``
        (and ``date`` for weekly or daily steps).
    cell_size : float, optional
        Cell side in metres (default: street scale from the spacing of the crime
        locations, :func:`hotspots.methods.grid.choose_cell_size`).
    distance : float, optional
        Gi* neighbourhood distance in metres between cell centres (binary weights, the
        cell itself included); default ``cell_size × √2``, the cell and its 8 neighbours.
    step : {"auto", "month", "week", "day"}, default "auto"
        Time step; the automatic rule is :data:`STEP_RULE`.
    area : GeoDataFrame or GeoSeries, optional
        Study area (grid over its bounds, cells intersecting it, crimes inside it).
    weight : str, optional
        Column of non-negative weights (e.g. harm): Gi* on summed weight per cell-step.
    fdr : bool, default True
        Benjamini–Hochberg correction of the p-values within each step before binning.
    grid : Grid, optional
        A grid to use instead of building one (to align with other results).
    null : {"csr", "total", "conditional"}, default "csr"
        The null of each step's test (:mod:`hotspots.methods.inference`): complete spatial
        randomness (the step's crimes binomial over the cells; :data:`EMERGING_NULL`), or
        the step's cell values randomly rearranged (the Gi* moments' null).
    inference : {"exact", "permutation", "normal"}, default "exact"
        How each step's Gi* p-values are computed: the exact law of the neighbour sum
        under total randomization of that step's cell values (Monte Carlo without
        replacement below 1,000 cells), Monte Carlo with ``permutations`` draws, or the
        normal approximation (miscalibrated on sparse counts; for comparison only).
    permutations : int, default PERMUTATIONS (999)
        Monte Carlo draws for ``inference="permutation"``.
    seed : int, default SEED
        Seed of the Monte Carlo draws (step ``t`` uses ``seed + t``).

    Returns
    -------
    EmergingResult
        ``cells`` has one row per study-area cell: ``cell_id, row, col, count`` (all
        steps), ``pattern`` (name), ``pattern_code`` (:data:`PATTERNS`), ``n_hot_steps``,
        ``n_cold_steps``, ``final_bin`` (1 hot, -1 cold, 0), ``final_gi_z``, ``mean_gi_z``,
        ``mk_s``, ``mk_z``, ``mk_p``, ``trend`` ("increasing", "decreasing", "none"),
        ``score`` (= mean Gi* z over the steps: higher is hotter for longer) and
        ``hotspot`` (a hot pattern that is hot in the final step: codes 1–7, in a cell
        with at least one crime). ``params``
        holds the step unit and rule, the class rules (:data:`PATTERN_RULES`) and the
        significance levels. Pattern rules: see the module docstring.

    Examples
    --------
    >>> import geopandas as gpd
    >>> rng = np.random.default_rng(0)
    >>> months = np.repeat(pd.date_range("2024-01-01", periods=12, freq="MS"), 60)
    >>> xy = rng.uniform(0, 1000, (months.size, 2))
    >>> late = months >= pd.Timestamp("2024-12-01")
    >>> xy[late] = rng.uniform(400, 700, (int(late.sum()), 2))   # December: a 3x3 block
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")
    >>> res = emerging_hotspots(crimes, cell_size=100)
    >>> res.cells.set_index("cell_id").loc["E500N500", "pattern"]
    'New Hot Spot'
    >>> res.params["n_steps"], res.params["step"]
    (12, 'month')
    """
    func = "emerging_hotspots"
    distance = float_param(distance, name="distance", func=func)
    if not isinstance(fdr, bool | np.bool_):
        raise ParameterError(f"The 'fdr' parameter of {func} must be True or False, got {fdr!r}.")
    inference, null, permutations, seed = check_inference(
        inference, null, permutations, seed, func=func
    )
    check_choice(step, name="step", choices=STEPS)
    prep = prepare_cells(
        crimes, func=func, cell_size=cell_size, area=area, weight=weight, grid=grid
    )
    steps = time_steps(crimes, step=step)
    notes = list(prep.notes) + list(steps.notes)
    n_steps = len(steps)
    check_cube_size(n_steps, int(prep.mask.sum()), prep.grid.n_cells, func=func)
    counts, n_counted, n_undated = count_cube(prep, steps.index, n_steps)
    if n_undated:
        notes.append(f"{n_undated:,} crimes have no month or date and were left out.")

    # The queen neighbourhood by default (not the wider one Gi* maps use): a change is
    # located at the cell, and a wider pool lets a new site's surroundings make it look
    # hot before it opened (the demo's retail park turns 'sporadic' at 195 m).
    distance, rule = neighbourhood_distance(distance, prep.grid.cell_size)
    crimes_cube = None  # the CSR null tests crime counts, also when the cube holds weights
    if prep.weights is not None and null == "csr":
        crimes_cube, _, _ = count_cube(prep, steps.index, n_steps, weighted=False)
    z, p = gistar_cube(counts, prep.mask, radius_cells=distance / prep.grid.cell_size,
                       inference=inference, null=null, permutations=permutations, seed=seed,
                       counts=crimes_cube)
    p_used = _fdr_per_step(p, prep.mask) if fdr else p
    sig = p_used < BIN_ALPHA
    bins = np.where(sig & (z > 0), 1, np.where(sig & (z < 0), -1, 0)).astype(np.int8)
    quiet = [steps.labels[t] for t in range(n_steps) if counts[t][prep.mask].sum() == 0]
    if quiet:
        notes.append(
            f"{len(quiet)} step(s) have no crimes in the study area ({', '.join(quiet[:5])}"
            f"{', ...' if len(quiet) > 5 else ''}): no cell is hot or cold in them."
        )

    series = z[:, prep.mask].T  # (cells, steps)
    mk = mann_kendall(series)
    code = classify_patterns(bins[:, prep.mask].T, mk.trend)
    cells = _emerging_frame(prep, counts, z, bins, mk, code)
    params = {
        **prep.params,
        "n_crimes": n_counted,
        "step": steps.unit,
        "step_rule": steps.rule,
        "n_steps": n_steps,
        "first_step": steps.labels[0],
        "last_step": steps.labels[-1],
        "distance": distance,
        "distance_rule": rule,
        "fdr": bool(fdr),
        "inference": inference,
        "null": null if inference != "normal" else None,
        "permutations": permutations if inference == "permutation" else None,
        "seed": seed if inference == "permutation" else None,
        "p_value": _P_RULES["csr" if null == "csr" and inference != "normal" else inference],
        "bin_rule": (
            f"hot (cold) where Gi* z > 0 (< 0) and the "
            f"{'Benjamini-Hochberg adjusted (within each step) ' if fdr else ''}two-sided "
            f"p-value < {BIN_ALPHA:g} ({100 * (1 - BIN_ALPHA):.0f}% confidence)"
        ),
        "trend_test": f"Mann-Kendall on each cell's Gi* z-scores, two-sided, alpha {MK_ALPHA:g}",
        "hot_share": HOT_SHARE,
        "pattern_rules": dict(PATTERN_RULES),
        "hotspot_rule": (
            "a hot pattern that is hot in the final step (codes 1-7), in a cell with at "
            "least one crime"
        ),
        "score": "mean Gi* z over the steps",
        "pattern_counts": {
            PATTERNS[c]: int((code == c).sum()) for c in sorted(PATTERNS) if (code == c).any()
        },
    }
    return EmergingResult(
        cells=cells, method="emerging", params=params, notes=notes, steps=steps,
        grid=prep.grid, mask=prep.mask, counts=counts, bins=bins,
        gi_z=z, gi_p=p, gi_p_fdr=p_used if fdr else None,
    )


def _fdr_per_step(p: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values within each step, over the study-area cells."""
    out = np.full(p.shape, np.nan)
    out[:, mask] = stats.false_discovery_control(p[:, mask], method="bh", axis=1)
    return out


def _emerging_frame(
    prep: CellInputs,
    counts: np.ndarray,
    z: np.ndarray,
    bins: np.ndarray,
    mk: MannKendall,
    code: np.ndarray,
) -> gpd.GeoDataFrame:
    g, mask = prep.grid, prep.mask
    shape = g.shape

    def _full(values: np.ndarray, fill: Any = 0) -> np.ndarray:
        out = np.full(shape, fill, dtype=np.asarray(values).dtype)
        out[mask] = values
        return out

    z_mask = z[:, mask]
    b_mask = bins[:, mask]
    trend = np.array(["none", "increasing", "decreasing"], dtype=object)[
        np.where(mk.trend > 0, 1, np.where(mk.trend < 0, 2, 0))
    ]
    names = np.vectorize(PATTERNS.__getitem__, otypes=[object])(code) if code.size else code
    layers: dict[str, np.ndarray] = {
        "count": counts.sum(axis=0),
        "pattern": _full(np.asarray(names, dtype=object), ""),
        "pattern_code": _full(code),
        "n_hot_steps": _full((b_mask > 0).sum(axis=0)),
        "n_cold_steps": _full((b_mask < 0).sum(axis=0)),
        "final_bin": _full(b_mask[-1].astype(np.int64)),
        "final_gi_z": _full(z_mask[-1], np.nan),
        "mean_gi_z": _full(z_mask.mean(axis=0), np.nan),
        "mk_s": _full(mk.s, np.nan),
        "mk_z": _full(mk.z, np.nan),
        "mk_p": _full(mk.p, np.nan),
        "trend": _full(trend, ""),
        "score": _full(z_mask.mean(axis=0), 0.0),
        "hotspot": _full((code >= 1) & (code <= 7), False) & (counts.sum(axis=0) > 0),
    }
    return g.to_geodataframe(layers, mask=mask)


def _check_emerging(result: Any, func: str) -> EmergingResult:
    if not isinstance(result, EmergingResult) or result.counts is None:
        raise TypeError(
            f"'result' of {func} should be the EmergingResult that emerging_hotspots returns, "
            f"got {type(result)}."
        )
    return result


def cell_series(result: EmergingResult, cell_id: str) -> pd.DataFrame:
    """Return one cell's time series: crimes, Gi* z, p-values and hot/cold per step.

    Parameters
    ----------
    result : EmergingResult
        From :func:`emerging_hotspots`.
    cell_id : str
        A ``cell_id`` of ``result.cells`` (e.g. from a map click).

    Returns
    -------
    DataFrame
        One row per step: ``step`` (label), ``start`` (first day), ``count``, ``gi_z``,
        ``gi_p``, ``gi_p_fdr`` (NaN when FDR was off), ``bin`` (1, -1, 0) and ``status``
        ("hot", "cold", "not significant").

    Examples
    --------
    >>> import geopandas as gpd
    >>> months = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01"])
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy([5, 5, 25], [5, 5, 5]), crs="EPSG:27700")
    >>> res = emerging_hotspots(crimes, cell_size=10)
    >>> cell_series(res, "E0N0")[["step", "count"]].values.tolist()
    [['2024-01', 1.0], ['2024-02', 1.0]]
    """
    result = _check_emerging(result, "cell_series")
    match = result.cells.index[result.cells["cell_id"] == cell_id]
    if len(match) == 0:
        raise ParameterError(
            f"cell_series: no cell {cell_id!r} in the result's study area; cell ids look like "
            f"{result.cells['cell_id'].iloc[0]!r}."
        )
    r = int(result.cells.at[match[0], "row"])
    c = int(result.cells.at[match[0], "col"])
    bins = result.bins[:, r, c].astype(np.int64)
    p_fdr = (
        result.gi_p_fdr[:, r, c] if result.gi_p_fdr is not None
        else np.full(bins.size, np.nan)
    )
    return pd.DataFrame(
        {
            "step": result.steps.labels,
            "start": result.steps.starts,
            "count": result.counts[:, r, c],
            "gi_z": result.gi_z[:, r, c],
            "gi_p": result.gi_p[:, r, c],
            "gi_p_fdr": p_fdr,
            "bin": bins,
            "status": np.array(["cold", "not significant", "hot"], dtype=object)[bins + 1],
        }
    )


def emerging_series(result: EmergingResult, *, patterns_only: bool = True) -> pd.DataFrame:
    """Return the long table of every cell's series (``cell_id`` + :func:`cell_series` columns).

    With ``patterns_only`` (default), only cells with a pattern other than "No Pattern
    Detected" are included, which keeps the table small enough to export.

    Examples
    --------
    >>> import geopandas as gpd
    >>> months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy([5, 25], [5, 5]), crs="EPSG:27700")
    >>> emerging_series(emerging_hotspots(crimes, cell_size=10), patterns_only=False).shape
    (6, 9)
    """
    result = _check_emerging(result, "emerging_series")
    cells = result.cells
    if patterns_only:
        cells = cells[cells["pattern_code"] != 0]
    rows = cells["row"].to_numpy()
    cols = cells["col"].to_numpy()
    n_steps = len(result.steps)
    bins = result.bins[:, rows, cols].T.astype(np.int64)
    p_fdr = (
        result.gi_p_fdr[:, rows, cols].T if result.gi_p_fdr is not None
        else np.full(bins.shape, np.nan)
    )
    return pd.DataFrame(
        {
            "cell_id": np.repeat(cells["cell_id"].to_numpy(), n_steps),
            "step": np.tile(np.asarray(result.steps.labels, dtype=object), len(cells)),
            "start": np.tile(result.steps.starts.to_numpy(), len(cells)),
            "count": result.counts[:, rows, cols].T.ravel(),
            "gi_z": result.gi_z[:, rows, cols].T.ravel(),
            "gi_p": result.gi_p[:, rows, cols].T.ravel(),
            "gi_p_fdr": p_fdr.ravel(),
            "bin": bins.ravel(),
            "status": np.array(["cold", "not significant", "hot"], dtype=object)[
                bins.ravel() + 1
            ],
        }
    )
