"""What the grid methods (counts, KDE, Gi*) share: checking inputs, the grid, the study area.

Each method calls :func:`prepare_cells` once. It validates the crime table, builds (or
checks) the grid, works out which cells make the study area and which crimes fall in it,
counts crimes per cell, and writes plain-language notes for anything left out.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import CELL_SIZE_RULE
from hotspots.methods.grid import STREET_CELL_RANGE
from hotspots.methods.grid import Grid
from hotspots.methods.grid import choose_cell_size
from hotspots.methods.grid import make_grid
from hotspots.methods.grid import study_area_mask
from hotspots.methods.stats import kth_largest
from hotspots.spatial import area_geometry
from hotspots.spatial import point_coordinates
from hotspots.validation import float_param
from hotspots.validation import require_projected

__all__ = [
    "COMPACT_FRAME_RULE",
    "compact_frames",
    "frames_also_rank",
    "CellInputs",
    "prepare_cells",
    "check_top_share",
    "top_share_flags",
    "cells_frame",
    "ranked_cells",
    "grid_method_doc",
    "StudyArea",
]

#: A study area as the grid methods take it: polygons in any CRS.
StudyArea = gpd.GeoDataFrame | gpd.GeoSeries

#: How the default cell size is chosen (grid.choose_cell_size), for ``params``; the
#: rule actually applied (with any fallback or widening) is in ``params["cell_size_rule"]``.
DEFAULT_CELL_SIZE_RULE = CELL_SIZE_RULE.format(
    low=STREET_CELL_RANGE[0], high=STREET_CELL_RANGE[1]
)


@dataclass
class CellInputs:
    """Everything a grid method needs after the inputs have been checked.

    Attributes
    ----------
    grid : Grid
        The analysis grid.
    mask : numpy.ndarray of bool
        True for cells in the study area (all cells when there is no area).
    kept : numpy.ndarray of bool
        One flag per row of the crime table: True for the crimes that have a location
        and lie in the study area (those ``x`` and ``y`` hold, in table order).
    x, y : numpy.ndarray
        Coordinates of the crimes in the study area (all crimes when there is no area).
    weights : numpy.ndarray or None
        Their weights, when a ``weight`` column was given.
    count : numpy.ndarray of float
        Crimes per cell (unweighted; whole numbers held as float64, as
        :func:`hotspots.methods.grid.count_points` returns them), zero off the study area.
    weight_sum : numpy.ndarray or None
        Summed weights per cell, when a ``weight`` column was given.
    params : dict
        Parameters shared by every grid method (cell size and rule, weight, counts).
    notes : list of str
        What was left out and why.
    """

    grid: Grid
    mask: np.ndarray
    kept: np.ndarray
    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    count: np.ndarray
    weight_sum: np.ndarray | None
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def values(self) -> np.ndarray:
        """What the method analyses per cell: the weight sum if weighted, else the count."""
        return self.count if self.weight_sum is None else self.weight_sum


def _check_weight(crimes: gpd.GeoDataFrame, weight: str | None, func: str) -> np.ndarray | None:
    if weight is None:
        return None
    if not isinstance(weight, str):
        raise ParameterError(
            f"The 'weight' parameter of {func} must be a column name (str) or None, "
            f"got {weight!r}."
        )
    if weight not in crimes.columns:
        raise ColumnMappingError(
            f"The 'weight' column {weight!r} given to {func} is not in the crime table; "
            f"its columns are {list(crimes.columns)}."
        )
    try:
        w = crimes[weight].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            f"The 'weight' column {weight!r} given to {func} must be numeric, got dtype "
            f"{crimes[weight].dtype}."
        ) from None
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise ParameterError(
            f"The 'weight' column {weight!r} given to {func} must hold finite numbers >= 0; "
            f"{int(bad.sum())} row(s) do not (first: {w[bad][0]!r}). Fill or drop them first."
        )
    return w


def _check_grid(grid: Any, crs: CRS, cell_size: float | None, func: str) -> Grid:
    if not isinstance(grid, Grid):
        raise TypeError(
            f"The 'grid' parameter of {func} should be a hotspots.Grid or None, "
            f"got {type(grid)}."
        )
    if CRS.from_user_input(grid.crs) != crs:
        raise CRSError(
            f"The 'grid' given to {func} is in {grid.crs}, but the crimes are in "
            f"{crs.to_string()}. Make the grid with crs=crimes.crs."
        )
    if cell_size is not None and not math.isclose(cell_size, grid.cell_size):
        raise ParameterError(
            f"{func} got cell_size={cell_size:g} and a grid with cell size "
            f"{grid.cell_size:g}; pass one or the other (or the same value)."
        )
    return grid


def _bin_counts(grid: Grid, x: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Points (or weights) per cell, as :func:`hotspots.methods.grid.count_points` counts them."""
    row, col, inside = grid.locate(x, y)
    flat = row[inside] * grid.nx + col[inside]
    out = np.bincount(flat, weights=None if w is None else w[inside], minlength=grid.n_cells)
    return out.astype(float).reshape(grid.shape)


def prepare_cells(
    crimes: gpd.GeoDataFrame,
    *,
    func: str,
    cell_size: float | None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None,
    weight: str | None,
    grid: Grid | None,
) -> CellInputs:
    """Check the inputs of a grid method and return its grid, study area and counts.

    ``func`` is the public function's name, used in error messages.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 15, 15], [5, 5, 5]),
    ...                        crs="EPSG:27700")
    >>> prep = prepare_cells(pts, func="demo", cell_size=10, area=None, weight=None, grid=None)
    >>> prep.count.tolist(), prep.params["n_crimes"]
    ([[1.0, 2.0]], 3)
    """
    crs = require_projected(crimes, name="crimes")
    if len(crimes) == 0:
        raise EmptySelectionError(
            f"{func} got an empty crime table: no crimes to analyse. Check the area, crime "
            "group and period you selected."
        )
    cell_size = float_param(cell_size, name="cell_size", func=func)
    w_all = _check_weight(crimes, weight, func)
    x, y = point_coordinates(crimes, func=func)
    notes: list[str] = []
    keep = np.isfinite(x) & np.isfinite(y)
    if not keep.all():
        notes.append(
            f"{int((~keep).sum()):,} of {len(crimes):,} crimes have no location and were "
            "not counted."
        )

    area_geom = None if area is None else area_geometry(area, crs, func=func)
    if area_geom is not None:
        shapely.prepare(area_geom)
        inside = np.zeros(len(crimes), bool)
        inside[keep] = shapely.contains_xy(area_geom, x[keep], y[keep]) | shapely.intersects_xy(
            area_geom.boundary, x[keep], y[keep]
        )
        outside = int((keep & ~inside).sum())
        if outside:
            notes.append(
                f"{outside:,} of {len(crimes):,} crimes fall outside the study area and were "
                "not counted."
            )
        keep &= inside
    if not keep.any():
        where = " inside the study area" if area_geom is not None else " with a location"
        raise EmptySelectionError(
            f"{func}: none of the {len(crimes):,} crimes lie{where}; nothing to analyse."
        )

    kept = keep
    x, y = x[keep], y[keep]
    w = None if w_all is None else w_all[keep]
    scale: dict[str, Any] = {}
    if grid is not None:
        grid = _check_grid(grid, crs, cell_size, func)
        rule = "from the grid passed in"
    else:
        bounds = area_geom.bounds if area_geom is not None else (x.min(), y.min(), x.max(), y.max())
        if cell_size is None:
            choice = choose_cell_size(x, y, bounds=bounds)
            cell_size = choice.cell_size
            notes.extend(choice.notes)
            scale = choice.params()
        grid = make_grid(bounds, cell_size=cell_size, crs=crs)
        rule = scale.pop("cell_size_rule", "user")
    mask = study_area_mask(grid, None if area_geom is None else gpd.GeoSeries([area_geom], crs=crs))
    if not mask.any():
        raise EmptySelectionError(
            f"{func}: no cell of the grid intersects the study area; check that the grid "
            "covers the area."
        )

    count = _bin_counts(grid, x, y, None)
    count[~mask] = 0.0
    weight_sum = None
    if w is not None:
        weight_sum = _bin_counts(grid, x, y, w)
        weight_sum[~mask] = 0.0
    n_counted = int(count.sum())
    if n_counted < len(x):
        notes.append(
            f"{len(x) - n_counted:,} crimes in the study area fall outside the grid and are "
            "not in the cell counts."
        )
    params: dict[str, Any] = {
        "cell_size": grid.cell_size,
        "cell_size_rule": rule,
        "grid_origin": (grid.x0, grid.y0),
        "grid_shape": grid.shape,
        "crs": grid.crs,
        "study_area": "area given" if area_geom is not None else "extent of the crimes",
        "n_cells": int(mask.sum()),
        "n_crimes": n_counted,
        "weight": weight,
        **scale,
    }
    return CellInputs(grid, mask, kept, x, y, w, count, weight_sum, params, notes)


def top_share_flags(score: np.ndarray, top_share: float) -> np.ndarray:
    """Return True for cells with score > 0 in the top ``top_share`` of cells, ties included.

    ``score`` holds one value per study-area cell. The cut is the score of the
    ``ceil(top_share * n)``-th highest cell; every cell scoring at least that is in.

    Examples
    --------
    >>> top_share_flags(np.array([0.0, 5, 3, 3, 1, 0, 0, 0, 0, 0]), 0.3).tolist()
    [False, True, True, True, False, False, False, False, False, False]
    """
    score = np.asarray(score, dtype=float)
    n = score.size
    if n == 0:
        return np.zeros(0, bool)
    k = min(n, max(1, math.ceil(top_share * n - 1e-9)))
    cut = kth_largest(score, k) if not np.isnan(score).any() else np.partition(score, n - k)[n - k]
    return (score > 0) & (score >= cut)


#: Which cells a compact frame (:func:`compact_frames`) keeps: every cell a map, a table
#: or the ``cells`` layer of a batch job uses, so only unused cells are left out.
COMPACT_FRAME_RULE = ("the study-area cells with at least one crime, flagged a hotspot or in a "
                      "non-zero Gi* class, and those with a positive score up to the map's "
                      "number of cells (the highest, ties included)")


@dataclass(frozen=True)
class _Compact:
    top: int | None  # positive scores kept: the ``top`` highest (ties in); None: all
    scores: tuple[np.ndarray, ...] = ()  # more full-grid scores whose top cells are kept


_COMPACT: ContextVar[_Compact | None] = ContextVar("hotspots_compact_frames", default=None)


@contextmanager
def compact_frames(*, top: int | None = None) -> Iterator[None]:
    """Within this block, grid methods return the cells of :data:`COMPACT_FRAME_RULE` only.

    A force-wide grid holds 1-2 million cells, mostly sea and moor; making a shapely box
    for each took 40% of a ``hotspots batch`` job. Every statistic is computed on the whole
    grid before the frame is made, so only the rows of the frame change. Kept: the cells
    with crimes, flagged, or in a non-zero Gi* class, and the cells with a positive score,
    or, with ``top``, those of them scoring at least the ``top``-th highest (a map draws at
    most ``top`` cells, the highest scores first). The rows keep their labels in the whole
    frame, so a compact frame is ``whole.loc[compact.index]``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 35], [5, 5, 5]),
    ...                        crs="EPSG:27700")
    >>> prep = prepare_cells(pts, func="demo", cell_size=10, area=None, weight=None, grid=None)
    >>> ranked_cells(prep, {}, prep.values, 0.5).index.tolist()
    [0, 1, 2, 3]
    >>> with compact_frames():
    ...     ranked_cells(prep, {}, prep.values, 0.5).index.tolist()
    [0, 3]
    """
    with _compact_as(_Compact(top)):
        yield


@contextmanager
def frames_also_rank(score: np.ndarray) -> Iterator[None]:
    """Inside :func:`compact_frames`, also keep the top cells of ``score`` (a full grid).

    For a caller that replaces a frame's score afterwards (``auto`` shows its winner's
    surface): the cells a map of that score draws must stay. Outside
    :func:`compact_frames` it does nothing.
    """
    compact = _COMPACT.get()
    if compact is None:
        yield
        return
    with _compact_as(_Compact(compact.top, (*compact.scores, np.asarray(score, float)))):
        yield


@contextmanager
def _compact_as(compact: _Compact) -> Iterator[None]:
    token = _COMPACT.set(compact)
    try:
        yield
    finally:
        _COMPACT.reset(token)


def _top_scores(score: np.ndarray, mask: np.ndarray, top: int | None) -> np.ndarray:
    """Study-area cells with a positive score, or only those up to the ``top``-th highest."""
    positive = mask & (score > 0)
    if top is None or int(positive.sum()) <= top:
        return positive
    return positive & (score >= kth_largest(score[positive], top))


def cells_frame(
    prep: CellInputs, layers: dict[str, np.ndarray], score: np.ndarray, hotspot: np.ndarray
) -> gpd.GeoDataFrame:
    """Return the study-area cells with ``cell_id, row, col, count``, layers, score, hotspot.

    ``score`` and ``hotspot`` are full-grid arrays like the layers. Inside
    :func:`compact_frames`, only the cells of :data:`COMPACT_FRAME_RULE`.
    """
    all_layers: dict[str, np.ndarray] = {"count": prep.count}
    if prep.weight_sum is not None:
        all_layers["weight_sum"] = prep.weight_sum
    all_layers.update(layers)
    all_layers["score"] = score
    all_layers["hotspot"] = hotspot
    compact = _COMPACT.get()
    if compact is None:
        return prep.grid.to_geodataframe(all_layers, mask=prep.mask)
    used = (prep.count > 0) | np.asarray(hotspot, bool)
    if "gi_bin" in layers:
        used |= np.asarray(layers["gi_bin"]) != 0
    for ranked in (np.asarray(score, float), *compact.scores):
        if ranked.shape == used.shape:
            used |= _top_scores(np.where(np.isnan(ranked), -np.inf, ranked), prep.mask,
                                compact.top)
    keep = prep.mask & used
    frame = prep.grid.to_geodataframe(all_layers, mask=keep)
    # The rows' labels in the whole frame, so a compact frame is a subset of it, labels too.
    frame.index = (np.cumsum(prep.mask, axis=None) - 1)[keep.ravel()]
    return frame


def check_top_share(top_share: Any, *, func: str) -> float | None:
    """Return ``top_share`` as a float in (0, 1], or raise a ParameterError naming ``func``.

    Examples
    --------
    >>> check_top_share(0.05, func="count_hotspots")
    0.05
    """
    return float_param(
        top_share, name="top_share", func=func, allow_none=False, high=1.0, closed_high=True
    )


def ranked_cells(
    prep: CellInputs,
    layers: dict[str, np.ndarray],
    score: np.ndarray,
    top_share: float,
    *,
    significant: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """The study-area cells of a ranking method; hotspots are top-ranked, tested, with crimes.

    A cell is a hotspot when its ``score`` is in the top ``top_share`` of the study-area
    cells (:func:`top_share_flags`), it holds at least one crime, and ``significant`` (a
    full-grid bool array from a null-model test; None: no test) is True there. The frame
    is built by :func:`cells_frame`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 15], [5, 5, 5]),
    ...                        crs="EPSG:27700")
    >>> prep = prepare_cells(pts, func="demo", cell_size=10, area=None, weight=None, grid=None)
    >>> ranked_cells(prep, {}, prep.values, 0.5)["hotspot"].tolist()
    [True, False]
    >>> ranked_cells(prep, {}, prep.values, 0.5, significant=np.zeros((1, 2), bool))[
    ...     "hotspot"].tolist()
    [False, False]
    """
    hotspot = np.zeros(prep.grid.shape, bool)
    hotspot[prep.mask] = top_share_flags(score[prep.mask], top_share)
    hotspot &= prep.count > 0
    if significant is not None:
        hotspot &= np.asarray(significant, dtype=bool)
    return cells_frame(prep, layers, score, hotspot)


#: numpydoc entries that every grid method (counts, KDE, Gi*) shares, written once and put
#: into their docstrings by :func:`grid_method_doc` wherever ``{name}`` stands on a line
#: (``{inputs}`` is ``{crimes}``, ``{weight}`` and ``{cell_size}`` together).
GRID_PARAMETERS: dict[str, str] = {
    "crimes": """crimes : GeoDataFrame
    The canonical crime table: points in a projected CRS (metres).""",
    "cell_size": """cell_size : float, optional
    Cell side in metres. Default: street scale from the data, the median distance
    between neighbouring distinct crime locations rounded to a readable size and clipped
    to 50-150 m (widened, with a note, if the grid would pass the cell cap); see
    :func:`hotspots.methods.grid.choose_cell_size`. The rule is in
    ``params["cell_size_rule"]``.""",
    "area": """area : GeoDataFrame or GeoSeries, optional
    Study area, any CRS. The grid covers its bounds, the cells intersecting it are the
    study area, and crimes outside it are left out (``notes`` says how many).""",
    "weight": """weight : str, optional
    Column of non-negative weights (e.g. harm): the method works on the summed weight per
    cell instead of the number of crimes; the hotspot test still counts crimes.""",
    "grid": """grid : Grid, optional
    A grid to use instead of building one, e.g. to align two periods.""",
}

Func = Callable[..., Any]


def grid_method_doc(func: Func) -> Func:
    """Decorator: fill the shared ``{crimes}``, ``{weight}``, ``{cell_size}``, ``{area}``,
    ``{grid}`` entries.

    Examples
    --------
    >>> @grid_method_doc
    ... def f(crimes):
    ...     '''Do it.
    ...
    ...     Parameters
    ...     ----------
    ...     {crimes}
    ...     '''
    >>> print(f.__doc__.splitlines()[-2].strip())
    The canonical crime table: points in a projected CRS (metres).
    """
    doc = func.__doc__ or ""
    entries = dict(GRID_PARAMETERS, inputs="\n".join(
        GRID_PARAMETERS[k] for k in ("crimes", "weight", "cell_size")))
    for name, entry in entries.items():
        placeholder = "{" + name + "}"
        for line in doc.splitlines():
            if line.strip() == placeholder:
                indent = line[: len(line) - len(line.lstrip())]
                doc = doc.replace(line, textwrap.indent(entry, indent))
    func.__doc__ = doc
    return func
