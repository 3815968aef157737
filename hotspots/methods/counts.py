"""Grid counts: the simplest hotspot map, crimes (or harm) per cell.

A cell is a hotspot when it is among the highest-scoring cells of the study area. The
share is a convention, not a statistical test: use :mod:`hotspots.methods.gistar` for that.
"""

from __future__ import annotations

import geopandas as gpd

from hotspots.methods.cells import check_top_share
from hotspots.methods.cells import grid_method_doc
from hotspots.methods.cells import prepare_cells
from hotspots.methods.cells import ranked_cells
from hotspots.methods.grid import Grid
from hotspots.result import HotspotResult

__all__ = ["count_hotspots", "TOP_SHARE"]

#: Share of study-area cells called hotspots by the ranking methods (counts, KDE). A
#: convention, not a statistic: the "top 5%" of places is the usual reading of the law of
#: crime concentration (Weisburd 2015), and tools such as sfhotspot leave the cut to users.
TOP_SHARE = 0.05


@grid_method_doc
def count_hotspots(
    crimes: gpd.GeoDataFrame,
    *,
    weight: str | None = None,
    cell_size: float | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    top_share: float = TOP_SHARE,
    grid: Grid | None = None,
) -> HotspotResult:
    """Count crimes per grid cell and flag the top cells as hotspots.

    Parameters
    ----------
    {crimes}
    weight : str, optional
        Column of non-negative weights (e.g. harm). Then ``score`` is the summed weight.
    {cell_size}
    {area}
    top_share : float, default TOP_SHARE (0.05)
        Share of study-area cells called hotspots, in (0, 1]: a cell is a hotspot if its
        score is above zero and at least the score of the ``ceil(top_share * n)``-th
        highest cell (ties included, so slightly more cells may be flagged).
    {grid}

    Returns
    -------
    HotspotResult
        ``cells`` has one row per study-area cell with ``cell_id, row, col, count``
        (plus ``weight_sum`` when weighted), ``score`` and ``hotspot``; ``method`` is
        ``"count"``.

    Raises
    ------
    EmptySelectionError
        If there are no crimes (in the study area) to count.
    ParameterError
        If a parameter is out of range.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 6, 95], [5, 6, 5, 95]),
    ...                        crs="EPSG:27700")
    >>> res = count_hotspots(pts, cell_size=10)
    >>> res.cells.loc[res.cells["hotspot"], ["cell_id", "count"]].values.tolist()
    [['E0N0', 3.0], ['E90N90', 1.0]]
    >>> res = count_hotspots(pts, cell_size=10, top_share=0.01)
    >>> res.cells.loc[res.cells["hotspot"], "cell_id"].tolist(), res.params["n_cells"]
    (['E0N0'], 100)
    """
    func = "count_hotspots"
    top_share = check_top_share(top_share, func=func)
    prep = prepare_cells(
        crimes, func=func, cell_size=cell_size, area=area, weight=weight, grid=grid
    )
    cells = ranked_cells(prep, {}, prep.values, top_share)
    params = {**prep.params, "top_share": top_share, "score": "weight sum" if weight else "count"}
    return HotspotResult(cells=cells, method="count", params=params, notes=prep.notes)
