"""Stability of a grid hotspot map: how much of it survives moving the grid.

A hotspot map drawn on a grid depends on where the grid happens to lie. This module
re-runs the same method on the same crimes with the grid origin moved by half a cell
(east-west, north-south, both) and with the next readable cell size down and up, and
reports, for each, the share of the original hotspot area that is still hotspot area
(exact overlap of the squares). A mean share below :data:`STABILITY_WARNING` is
reported as a warning note.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np

from hotspots.methods.find import find_hotspots
from hotspots.methods.grid import Grid
from hotspots.methods.grid import readable_sizes
from hotspots.result import HotspotResult

__all__ = [
    "STABILITY_WARNING",
    "STABILITY_MAX_CELLS",
    "GRID_METHODS",
    "hotspot_stability",
    "stability_statement",
    "with_stability",
]

#: Warn when, on average over the perturbations, less than half of the hotspot area
#: survives: then most of what the map flags depends on where the grid happens to lie
#: rather than on the crimes. Measured (benchmarks/bench_scale.py, 3,000 crimes on a 10 km
#: square, 75 m cells): KDE and Gi* keep 0.87-0.88 of the hotspot area of three planted
#: clusters; Gi* on pure noise keeps 0.44 and top-5% count cells 0.52 (noise or not: ties
#: at one crime a cell decide most of the flags). Stability is not significance: a smooth
#: KDE of noise is stable (0.97) and still noise.
STABILITY_WARNING = 0.5
#: Above this many study-area cells the check is skipped unless asked for: it re-makes the
#: map five times, and building each map's cell polygons dominates. Measured on a whole
#: force (West Yorkshire, one month, 633,196 cells of 100 m): Gi* 4.6 s, the five re-runs
#: 17 s more; at 250,000 cells the re-runs take about 5 s.
STABILITY_MAX_CELLS = 250_000
#: Methods drawn on a grid; clusters have no grid to move.
GRID_METHODS: tuple[str, ...] = ("count", "kde", "gistar")
#: How the shares are measured, for ``params["stability"]["rule"]``.
STABILITY_RULE = (
    "share of the hotspot area that is still hotspot area when the same method is re-run "
    "on the same crimes with the grid origin moved half a cell east-west, north-south and "
    "both, and with the next readable cell size down and up (other parameters fixed; "
    "warning below {threshold:g} on average)"
)


def _hot_squares(result: HotspotResult) -> tuple[np.ndarray, np.ndarray, float]:
    """West and south edges of the hotspot cells of a grid result, and the cell size."""
    cells = result.cells
    hot = cells[cells["hotspot"].astype(bool)]
    x0, y0 = result.params["grid_origin"]
    size = float(result.params["cell_size"])
    return (x0 + hot["col"].to_numpy() * size, y0 + hot["row"].to_numpy() * size, size)


def _overlap_share(original: HotspotResult, other: HotspotResult) -> float:
    """Share of ``original``'s hotspot area lying in ``other``'s hotspot cells (exact)."""
    ax, ay, a = _hot_squares(original)
    if ax.size == 0:
        return float("nan")
    bx, by, b = _hot_squares(other)
    if bx.size == 0:
        return 0.0
    ox0, oy0 = other.params["grid_origin"]
    ny, nx = other.params["grid_shape"]
    hot = np.zeros((ny, nx), bool)
    hot[np.round((by - oy0) / b).astype(int), np.round((bx - ox0) / b).astype(int)] = True
    c0 = np.floor((ax - ox0) / b).astype(int)
    r0 = np.floor((ay - oy0) / b).astype(int)
    reach = math.ceil(a / b) + 1
    total = 0.0
    for di in range(reach):
        cb = c0 + di
        wx = np.minimum(ax + a, ox0 + (cb + 1) * b) - np.maximum(ax, ox0 + cb * b)
        for dj in range(reach):
            rb = r0 + dj
            wy = np.minimum(ay + a, oy0 + (rb + 1) * b) - np.maximum(ay, oy0 + rb * b)
            ok = (wx > 0) & (wy > 0) & (cb >= 0) & (cb < nx) & (rb >= 0) & (rb < ny)
            ok[ok] &= hot[rb[ok], cb[ok]]
            total += float((wx[ok] * wy[ok]).sum())
    return total / (ax.size * a * a)


def _shifted(result: HotspotResult, dx: float, dy: float) -> Grid:
    x0, y0 = result.params["grid_origin"]
    ny, nx = result.params["grid_shape"]
    size = float(result.params["cell_size"])
    return Grid(x0=x0 - dx * size, y0=y0 - dy * size, cell_size=size,
                nx=nx + (dx > 0), ny=ny + (dy > 0), crs=result.params["crs"])


def hotspot_stability(
    crimes: gpd.GeoDataFrame,
    result: HotspotResult,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    weight: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Share of ``result``'s hotspot area that survives half-cell shifts and a cell-size step.

    ``result`` is re-made by :func:`hotspots.methods.find.find_hotspots` with the same
    method, ``area``, ``weight`` and ``settings`` (other parameters, e.g.
    ``MethodSettings.params``) on a moved grid. The KDE bandwidth and a user-given Gi*
    distance are held fixed; a default Gi* distance follows the cell size (queen).

    Returns
    -------
    dict
        ``shift_x``, ``shift_y``, ``shift_xy``, ``smaller_cells``, ``larger_cells``
        (shares in [0, 1]), ``smaller_cell_size``, ``larger_cell_size``, ``mean``,
        ``threshold``, ``low`` (mean below the threshold) and ``rule``; for cluster
        methods or a map with no hotspot, ``mean`` is None and ``reason`` says why.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> xy = np.r_[rng.normal(1000, 60, (300, 2)), rng.uniform(0, 2000, (300, 2))]
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
    ...                        crs="EPSG:27700")
    >>> res = find_hotspots(pts, method="kde", cell_size=50, bandwidth=200)
    >>> s = hotspot_stability(pts, res)
    >>> s["mean"] > 0.8, s["smaller_cell_size"], s["larger_cell_size"]
    (True, 40.0, 60.0)
    """
    threshold = STABILITY_WARNING
    rule = STABILITY_RULE.format(threshold=threshold)
    method = result.shown_method  # auto: the method it chose, with its parameters
    if method not in GRID_METHODS:
        return {"mean": None, "rule": rule, "reason": (
            f"not applicable: {method} clusters are not drawn on a grid")}
    if result.n_hotspots == 0:
        return {"mean": None, "rule": rule, "reason": "no hotspot to check"}
    p = result.params
    size = float(p["cell_size"])
    accepted = set(inspect.signature(find_hotspots).parameters)
    kwargs: dict[str, Any] = {k: v for k, v in dict(settings or {}).items()
                              if k in accepted and k not in ("cell_size", "grid", "method",
                                                             "area", "weight")}
    if method == "kde":
        kwargs["bandwidth"] = p["bandwidth"]
    if method == "gistar" and p.get("distance_rule") == "user":
        kwargs["distance"] = p["distance"]

    def rerun(**grid_args: Any) -> HotspotResult:
        return find_hotspots(crimes, method=method, area=area, weight=weight,
                             **kwargs, **grid_args)

    shares: dict[str, Any] = {}
    for name, dx, dy in (("shift_x", 0.5, 0.0), ("shift_y", 0.0, 0.5), ("shift_xy", 0.5, 0.5)):
        shares[name] = _overlap_share(result, rerun(grid=_shifted(result, dx, dy)))
    ladder = readable_sizes(size / 2.0, size * 2.0)
    smaller = max((s for s in ladder if s < size - 1e-9), default=size / 2.0)
    larger = min((s for s in ladder if s > size + 1e-9), default=size * 2.0)
    shares["smaller_cells"] = _overlap_share(result, rerun(cell_size=smaller))
    shares["larger_cells"] = _overlap_share(result, rerun(cell_size=larger))
    mean = float(np.mean(list(shares.values())))
    out = {k: round(v, 3) for k, v in shares.items()}
    out.update(smaller_cell_size=smaller, larger_cell_size=larger, mean=round(mean, 3),
               threshold=threshold, low=bool(mean < threshold), rule=rule)
    return out


def with_stability(
    crimes: gpd.GeoDataFrame,
    result: HotspotResult,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    weight: str | None = None,
    settings: Mapping[str, Any] | None = None,
    max_cells: int | None = STABILITY_MAX_CELLS,
) -> HotspotResult:
    """A copy of ``result`` with ``params["stability"]`` and, when it is low, a warning note.

    Grids of more than ``max_cells`` study-area cells are not re-made (``mean`` None, and
    ``reason`` says so); ``max_cells=None`` always measures.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 6], [5, 6, 5]),
    ...                        crs="EPSG:27700")
    >>> with_stability(pts, find_hotspots(pts, method="dbscan", eps=5, min_samples=2)
    ...                ).params["stability"]["mean"] is None
    True
    """
    n_cells = int(result.params.get("n_cells", 0))
    if max_cells is not None and result.shown_method in GRID_METHODS and n_cells > max_cells:
        stability: dict[str, Any] = {
            "mean": None, "rule": STABILITY_RULE.format(threshold=STABILITY_WARNING),
            "reason": (f"not measured: the grid has {n_cells:,} cells (more than "
                       f"{max_cells:,}), so re-making it five times would take longer than "
                       "the map itself; ask for it (--stability) to measure it")}
    else:
        stability = hotspot_stability(crimes, result, area=area, weight=weight,
                                      settings=settings)
    notes = list(result.notes)
    if stability.get("low"):
        notes.append(
            f"Unstable map: on average only {stability['mean']:.0%} of the hotspot area stays "
            "hotspot when the grid is moved by half a cell or the cell size changes by one "
            "step (warning below "
            f"{stability['threshold']:.0%}). Read the hotspots as approximate places, or "
            "try a larger cell size or a smoother method."
        )
    params = {**result.params, "stability": stability}
    return dataclasses.replace(result, params=params, notes=notes)


def stability_statement(params: Mapping[str, Any]) -> str:
    """One sentence on a result's stability for legends and summaries ("" if not measured).

    Examples
    --------
    >>> text = stability_statement({"stability": {"mean": 0.42, "low": True, "threshold": 0.5}})
    >>> text.startswith("Stability: 42% of the hotspot area"), text.endswith("(low: below 50%).")
    (True, True)
    """
    stability = params.get("stability")
    if not stability:
        return ""
    if stability.get("mean") is None:
        return f"Stability: {stability.get('reason', 'not measured')}."
    low = f" (low: below {stability['threshold']:.0%})" if stability.get("low") else ""
    return (
        f"Stability: {stability['mean']:.0%} of the hotspot area stays hotspot when the grid "
        f"moves half a cell or the cell size changes one step{low}."
    )
