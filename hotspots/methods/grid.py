"""Aligned square grids: the common frame for counts, kernel density and Gi*.

A :class:`Grid` has its origin snapped to a multiple of the cell size, so that grids
made from different periods or areas with the same cell size line up cell for cell.
Arrays on a grid are indexed ``[row, col]`` with row 0 the southernmost row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS
from scipy.spatial import cKDTree

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.spatial import distinct_locations
from hotspots.validation import check_positive
from hotspots.validation import require_projected

__all__ = [
    "Grid",
    "MAX_CELL_SIZE",
    "CellSizeChoice",
    "make_grid",
    "choose_cell_size",
    "default_cell_size",
    "readable_sizes",
    "count_points",
    "study_area_mask",
]

#: "Readable" mantissas a default cell size is rounded to (times a power of ten): the
#: ladder ..., 50, 60, 75, 100, 125, 150, 200, 250, ... m, about a quarter more per step,
#: so one step up or down (the stability check) is a small, visible change.
READABLE_STEPS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5)
#: Street scale: the default cell size is clipped to this range (metres). 50 m is about
#: the precision of police.uk's anonymised map points (one per street segment or
#: building group); 150 m is a short street block. Measured medians of the spacing rule
#: (benchmarks/bench_scale.py): West Yorkshire force, one month 96 m; Nottingham burglary
#: 82 m, robbery 115 m; Chicago assaults 2018 66 m; Cincinnati burglary 37 m; demo 62 m.
STREET_CELL_RANGE = (50.0, 150.0)
#: Cell size when the crimes leave no spacing to measure (one distinct location): the
#: middle of the street-scale range, and the size of the common 100 m evaluation cells.
FALLBACK_CELL_SIZE = 100.0
#: Below this many distinct locations the spacing is a rough guide (said in a note).
MIN_LOCATIONS_FOR_SPACING = 10
#: The most cells a grid may have. Measured: count_hotspots peaks at 0.76 GB and 1.4 s on
#: 1 million cells and 2.5 GB and 6.7 s on 4 million (one polygon per cell in the output),
#: so 4 million keeps every grid method, and the few grids a run makes, within a few GB on
#: a 24 GB machine; a 100 km x 100 km force at 50 m is exactly 4 million cells.
MAX_CELLS = 4_000_000
#: The largest cell size accepted (metres): 50 km cells put a county in a few cells, which
#: is no longer a map of places; larger ones cannot be framed on a web map.
MAX_CELL_SIZE = 50_000.0
#: The rule behind the default cell size, recorded in ``params["cell_size_rule"]``.
CELL_SIZE_RULE = (
    "median nearest-neighbour distance between distinct crime locations (KD-tree), "
    "rounded to the nearest readable size (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 x 10^k m) "
    "and clipped to street scale [{low:g}, {high:g}] m"
)


@dataclass(frozen=True)
class Grid:
    """A square grid in a projected CRS.

    Parameters
    ----------
    x0, y0 : float
        West and south edges of the grid, multiples of ``cell_size``.
    cell_size : float
        Side of a cell in CRS units (metres).
    nx, ny : int
        Number of columns and rows.
    crs : str
        The projected CRS, as a string any pyproj call accepts.
    """

    x0: float
    y0: float
    cell_size: float
    nx: int
    ny: int
    crs: str

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``: the shape of arrays on this grid."""
        return (self.ny, self.nx)

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (
            self.x0,
            self.y0,
            self.x0 + self.nx * self.cell_size,
            self.y0 + self.ny * self.cell_size,
        )

    @property
    def cell_area(self) -> float:
        return self.cell_size * self.cell_size

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Return 2-D arrays ``(x, y)`` of cell centres, each of shape :attr:`shape`."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell_size
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell_size
        return np.meshgrid(xs, ys)

    def locate(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(row, col, inside)`` for points; ``inside`` is False off the grid."""
        col = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell_size).astype(np.int64)
        row = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell_size).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return row, col, inside

    def cell_ids(self) -> np.ndarray:
        """Stable cell identifiers ``"E{x}N{y}"`` from the south-west corner, in metres.

        Cells of aligned grids share identifiers, so results from different periods join.
        """
        rows, cols = np.indices(self.shape)
        return self.ids_at(rows.ravel(), cols.ravel()).reshape(self.shape)

    def ids_at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The :meth:`cell_ids` of the cells at ``rows``, ``cols`` (object array).

        Examples
        --------
        >>> Grid(0, 0, 100, 3, 2, "EPSG:27700").ids_at(np.array([1]), np.array([2])).tolist()
        ['E200N100']
        """
        xs = np.array([f"E{v:.0f}" for v in self.x0 + np.arange(self.nx) * self.cell_size])
        ys = np.array([f"N{v:.0f}" for v in self.y0 + np.arange(self.ny) * self.cell_size])
        return np.char.add(xs[np.asarray(cols, np.int64)],
                           ys[np.asarray(rows, np.int64)]).astype(object)

    def polygons(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Return shapely boxes for the cells (all, or where ``mask`` is True), row-major."""
        rows, cols = np.nonzero(np.ones(self.shape, bool) if mask is None else mask)
        x = self.x0 + cols * self.cell_size
        y = self.y0 + rows * self.cell_size
        return shapely.box(x, y, x + self.cell_size, y + self.cell_size)

    def to_geodataframe(
        self, layers: dict[str, np.ndarray], *, mask: np.ndarray | None = None
    ) -> gpd.GeoDataFrame:
        """Return one row per cell (where ``mask`` is True) with a column per layer.

        Columns ``cell_id``, ``row``, ``col`` come first, then the layers in order.
        """
        keep = np.ones(self.shape, bool) if mask is None else np.asarray(mask, bool)
        rows, cols = np.nonzero(keep)
        data: dict[str, np.ndarray] = {
            "cell_id": self.ids_at(rows, cols),
            "row": rows,
            "col": cols,
        }
        for name, values in layers.items():
            values = np.asarray(values)
            if values.shape != self.shape:
                raise ParameterError(
                    f"Layer {name!r} has shape {values.shape}; this grid needs {self.shape}."
                )
            data[name] = values[rows, cols]
        return gpd.GeoDataFrame(data, geometry=self.polygons(keep), crs=self.crs)


def readable_sizes(low: float, high: float) -> list[float]:
    """The readable sizes (:data:`READABLE_STEPS` times powers of ten) in ``[low, high]``.

    Examples
    --------
    >>> readable_sizes(50, 160)
    [50.0, 60.0, 75.0, 100.0, 125.0, 150.0]
    """
    low, high = float(low), float(high)
    out: list[float] = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for step in READABLE_STEPS:
            size = round(step * 10.0**exponent, 9)
            if low - 1e-9 <= size <= high + 1e-9:
                out.append(size)
    return sorted(set(out))


def _nearest_readable(value: float) -> float:
    """The readable size nearest ``value`` on a log scale."""
    ladder = readable_sizes(value / 2.0, value * 2.0)
    return min(ladder, key=lambda s: abs(math.log(s / value)))


def _n_cells(bounds: tuple[float, float, float, float], size: float) -> int:
    minx, miny, maxx, maxy = bounds
    nx = math.floor(maxx / size) - math.floor(minx / size) + 1
    ny = math.floor(maxy / size) - math.floor(miny / size) + 1
    return max(1, nx) * max(1, ny)


def _fitting_size(bounds: tuple[float, float, float, float], size: float) -> float:
    """The smallest readable size >= ``size`` whose grid over ``bounds`` fits MAX_CELLS."""
    minx, miny, maxx, maxy = bounds
    area = max(maxx - minx, 0.0) * max(maxy - miny, 0.0)
    lowest = max(size, math.sqrt(area / MAX_CELLS))
    for candidate in readable_sizes(lowest, max(lowest, 1.0) * 100.0):
        if candidate >= size and _n_cells(bounds, candidate) <= MAX_CELLS:
            return candidate
    return readable_sizes(lowest * 100.0, lowest * 1000.0)[0]  # pragma: no cover


@dataclass(frozen=True)
class CellSizeChoice:
    """A default cell size and how it was reached.

    Attributes
    ----------
    cell_size : float
        The cell side in metres.
    rule : str
        The rule, for ``params["cell_size_rule"]``.
    spacing : float or None
        Median nearest-neighbour distance between distinct locations (m), if measured.
    n_locations : int
        Distinct crime locations (to :data:`LOCATION_PRECISION`).
    notes : tuple of str
        Plain-language notes (too few locations, widened to fit the cell cap).
    """

    cell_size: float
    rule: str
    spacing: float | None
    n_locations: int
    notes: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        """The entries for a result's ``params``."""
        return {
            "cell_size_rule": self.rule,
            "location_spacing_m": None if self.spacing is None else round(self.spacing, 1),
            "n_locations": self.n_locations,
        }


def choose_cell_size(
    x: ArrayLike,
    y: ArrayLike,
    *,
    bounds: tuple[float, float, float, float] | None = None,
) -> CellSizeChoice:
    """Choose a street-scale cell size from the spacing of the crime locations.

    The rule (:data:`CELL_SIZE_RULE`): take the distinct crime locations (police.uk
    snaps crimes to anonymised map points, about one per street segment; exact force
    data are rounded to 1 m), measure each one's distance to the nearest other with a
    KD-tree, take the median, round it to the nearest readable size and clip it to
    :data:`STREET_CELL_RANGE`. The spacing reflects both the street pattern and the crime
    density, never the extent alone. With one distinct location (one crime, or all at the
    same place) the size is :data:`FALLBACK_CELL_SIZE`. When a grid over ``bounds`` at
    that size would exceed :data:`MAX_CELLS`, the size is widened to the next readable
    size that fits. Every such step is said in ``notes``.

    Parameters
    ----------
    x, y : array-like
        Crime coordinates in metres (NaN are ignored).
    bounds : tuple, optional
        Extent the grid will cover, for the cell cap (default: the points' extent).

    Returns
    -------
    CellSizeChoice

    Examples
    --------
    >>> xs, ys = np.meshgrid(np.arange(0, 5000, 80.0), np.arange(0, 5000, 80.0))
    >>> c = choose_cell_size(xs.ravel(), ys.ravel())
    >>> c.cell_size, c.spacing
    (75.0, 80.0)
    >>> choose_cell_size([5.0, 5.0], [7.0, 7.0]).cell_size
    100.0
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    low, high = STREET_CELL_RANGE
    rule = CELL_SIZE_RULE.format(low=low, high=high)
    notes: list[str] = []
    locations = distinct_locations(x, y)
    n_loc = len(locations)
    spacing: float | None = None
    if n_loc < 2:
        size = FALLBACK_CELL_SIZE
        rule = f"fallback: {FALLBACK_CELL_SIZE:g} m (fewer than 2 distinct crime locations)"
        notes.append(
            f"The crimes are at {n_loc} distinct location{'s' if n_loc != 1 else ''}, so "
            f"there is no spacing to measure; the cell size is {size:g} m. Pass a cell "
            "size to change it."
        )
    else:
        distance, _ = cKDTree(locations).query(locations, k=2)
        spacing = float(np.median(distance[:, 1]))
        size = min(max(_nearest_readable(spacing), low), high)
        if n_loc < MIN_LOCATIONS_FOR_SPACING:
            notes.append(
                f"Only {n_loc} distinct crime locations: their spacing ({spacing:,.0f} m) "
                f"is a rough guide; the cell size is {size:g} m. Pass a cell size to change it."
            )
    if bounds is None:
        bounds = (
            (float(np.nanmin(x)), float(np.nanmin(y)), float(np.nanmax(x)), float(np.nanmax(y)))
            if n_loc else (0.0, 0.0, 0.0, 0.0)
        )
    if _n_cells(bounds, size) > MAX_CELLS:
        wider = _fitting_size(bounds, size)
        notes.append(
            f"A {size:g} m grid over this extent ({_extent_text(bounds)}) would have "
            f"{_n_cells(bounds, size):,} cells, more than the limit of {MAX_CELLS:,}; the "
            f"cell size was widened to {wider:g} m. Select a smaller area for street-scale "
            "cells."
        )
        rule += f"; widened to {wider:g} m to stay within {MAX_CELLS:,} cells"
        size = wider
    return CellSizeChoice(size, rule, spacing, n_loc, tuple(notes))


def default_cell_size(
    x: ArrayLike, y: ArrayLike, *, bounds: tuple[float, float, float, float] | None = None
) -> float:
    """The default cell size for crimes at ``x, y``: :func:`choose_cell_size`'s size.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> default_cell_size(rng.uniform(0, 3000, 900), rng.uniform(0, 3000, 900))
    50.0
    """
    return choose_cell_size(x, y, bounds=bounds).cell_size


def _extent_text(bounds: tuple[float, float, float, float]) -> str:
    minx, miny, maxx, maxy = bounds
    return f"{(maxx - minx) / 1000:,.1f} km x {(maxy - miny) / 1000:,.1f} km"


def make_grid(
    bounds: tuple[float, float, float, float],
    *,
    cell_size: float | None = None,
    crs: str | CRS = "EPSG:27700",
    pad: float = 0.0,
    points: tuple[ArrayLike, ArrayLike] | None = None,
) -> Grid:
    """Return a grid covering ``bounds`` (plus ``pad`` on every side), origin snapped.

    ``cell_size`` in metres; without it, :func:`default_cell_size` of ``points``
    (``(x, y)``, required then). A grid of more than :data:`MAX_CELLS` cells is refused
    before anything is allocated, with a size that would fit.

    Examples
    --------
    >>> g = make_grid((1010, 2020, 1990, 2980), cell_size=100)
    >>> (g.x0, g.y0, g.nx, g.ny)
    (1000.0, 2000.0, 10, 10)
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise EmptySelectionError(
            "Cannot build a grid: the extent is empty (no crimes or boundary to cover)."
        )
    pad = float(pad)
    padded = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    if cell_size is None:
        if points is None:
            raise ParameterError(
                "make_grid needs a 'cell_size' or the crimes' 'points' (x, y) to choose one "
                "from; got neither."
            )
        size = default_cell_size(points[0], points[1], bounds=padded)
    else:
        size = check_positive(cell_size, name="cell_size")
        if size > MAX_CELL_SIZE:
            raise ParameterError(
                f"The 'cell_size' (--cell-size) of {size:g} m is larger than the limit of "
                f"{MAX_CELL_SIZE:g} m; street-scale hotspots use 50 to 250 m cells."
            )
        n = _n_cells(padded, size)
        if n > MAX_CELLS:
            raise ParameterError(
                f"The 'cell_size' (--cell-size) of {size:g} m over this extent "
                f"({_extent_text(padded)}) makes {n:,} cells, more than the limit of "
                f"{MAX_CELLS:,}. Use a cell size of at least {_fitting_size(padded, size):g} m, "
                "or select a smaller area."
            )
    x0 = math.floor(padded[0] / size) * size
    y0 = math.floor(padded[1] / size) * size
    nx = max(1, math.floor((padded[2] - x0) / size) + 1)
    ny = max(1, math.floor((padded[3] - y0) / size) + 1)
    crs_text = CRS.from_user_input(crs).to_string()
    return Grid(x0=x0, y0=y0, cell_size=size, nx=nx, ny=ny, crs=crs_text)


def count_points(
    grid: Grid, points: gpd.GeoDataFrame, *, weight: str | None = None
) -> np.ndarray:
    """Return an array of point counts (or summed ``weight``) per grid cell.

    Points off the grid are not counted; callers that need to report them compare
    the total with ``len(points)``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 15, 15], [5, 5, 5]),
    ...                        crs="EPSG:27700")
    >>> count_points(make_grid((0, 0, 19, 9), cell_size=10), pts).tolist()
    [[1.0, 2.0]]
    """
    require_projected(points, name="points")
    x = points.geometry.x.to_numpy()
    y = points.geometry.y.to_numpy()
    row, col, inside = grid.locate(x, y)
    w = np.ones(len(points)) if weight is None else points[weight].to_numpy(dtype=float)
    out = np.zeros(grid.n_cells)
    np.add.at(out, row[inside] * grid.nx + col[inside], w[inside])
    return out.reshape(grid.shape)


def study_area_mask(grid: Grid, area: gpd.GeoDataFrame | gpd.GeoSeries | None) -> np.ndarray:
    """Return a boolean array: True for cells that intersect the study ``area``.

    With no area, every cell of the grid is in the study area.
    """
    if area is None:
        return np.ones(grid.shape, bool)
    geom = area.to_crs(grid.crs).union_all() if area.crs is not None else area.union_all()
    boxes = grid.polygons()
    shapely.prepare(geom)
    hit = shapely.intersects(geom, boxes) & ~shapely.touches(geom, boxes)
    return hit.reshape(grid.shape)
