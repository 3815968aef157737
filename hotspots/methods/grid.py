"""Aligned square grids: the common frame for counts, kernel density and Gi*.

A :class:`Grid` has its origin snapped to a multiple of the cell size, so that grids
made from different periods or areas with the same cell size line up cell for cell.
Arrays on a grid are indexed ``[row, col]`` with row 0 the southernmost row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.validation import check_positive
from hotspots.validation import require_projected

__all__ = ["Grid", "make_grid", "default_cell_size", "count_points", "study_area_mask"]

#: sfhotspot's default: the shorter side of the data's extent divided by 50.
DEFAULT_CELLS_ON_SHORT_SIDE = 50
#: "Readable" mantissas that a default cell size is rounded down to.
READABLE_STEPS = (1.0, 2.0, 2.5, 5.0)
#: The most cells a grid may have before we refuse (about 3 GB of float64 arrays at 16 layers).
MAX_CELLS = 25_000_000


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
        xs = [f"E{v:.0f}" for v in self.x0 + np.arange(self.nx) * self.cell_size]
        ys = [f"N{v:.0f}" for v in self.y0 + np.arange(self.ny) * self.cell_size]
        return np.char.add(np.array(xs)[None, :], np.array(ys)[:, None]).astype(object)

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
            "cell_id": self.cell_ids()[rows, cols],
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


def _readable(value: float) -> float:
    """Round ``value`` down to 1, 2, 2.5 or 5 times a power of ten."""
    exponent = math.floor(math.log10(value))
    base = 10.0**exponent
    mantissa = value / base
    step = max(s for s in READABLE_STEPS if s <= mantissa + 1e-12)
    return step * base


def default_cell_size(bounds: tuple[float, float, float, float]) -> float:
    """Default cell size: the shorter side of ``bounds`` / 50, rounded down to a readable number.

    The rule follows sfhotspot. A degenerate extent (all points on a line) uses the
    longer side instead, and a single point falls back to 100 m.

    Examples
    --------
    >>> default_cell_size((0, 0, 12_000, 9_000))
    100.0
    >>> default_cell_size((0, 0, 30_000, 14_000))
    250.0
    """
    minx, miny, maxx, maxy = bounds
    sides = sorted(s for s in (maxx - minx, maxy - miny) if s > 0)
    if not sides:
        return 100.0
    return _readable(sides[0] / DEFAULT_CELLS_ON_SHORT_SIDE)


def make_grid(
    bounds: tuple[float, float, float, float],
    *,
    cell_size: float | None = None,
    crs: str | CRS = "EPSG:27700",
    pad: float = 0.0,
) -> Grid:
    """Return a grid covering ``bounds`` (plus ``pad`` on every side), origin snapped.

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
    size = default_cell_size(bounds) if cell_size is None else check_positive(
        cell_size, name="cell_size"
    )
    pad = float(pad)
    x0 = math.floor((minx - pad) / size) * size
    y0 = math.floor((miny - pad) / size) * size
    nx = max(1, math.floor((maxx + pad - x0) / size) + 1)
    ny = max(1, math.floor((maxy + pad - y0) / size) + 1)
    if nx * ny > MAX_CELLS:
        raise ParameterError(
            f"A cell size of {size:g} m over this extent makes {nx * ny:,} cells "
            f"(limit {MAX_CELLS:,}). Choose a larger cell size or a smaller area."
        )
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
