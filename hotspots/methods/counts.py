"""Grid counts: the simplest hotspot map, crimes (or harm) per cell.

A cell is a hotspot when it is among the highest-scoring cells of the study area (the
share is a convention) *and* holds more crimes than complete spatial randomness explains:
its count against Binomial(N, cell area / study area), Benjamini–Hochberg over the
study-area cells at 5% (:mod:`hotspots.methods.csr`). On a map of pure noise the top 5%
of cells are just the luckiest ones; the test keeps them off the map.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from hotspots.methods.cells import StudyArea
from hotspots.methods.cells import check_top_share
from hotspots.methods.cells import grid_method_doc
from hotspots.methods.cells import prepare_cells
from hotspots.methods.cells import ranked_cells
from hotspots.methods.csr import FDR_ALPHA
from hotspots.methods.csr import count_csr_p
from hotspots.methods.csr import csr_flags
from hotspots.methods.csr import study_area_m2
from hotspots.methods.grid import Grid
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry

__all__ = ["count_hotspots", "TOP_SHARE", "COUNT_NULL"]

#: Share of study-area cells called hotspots by the ranking methods (counts, KDE). A
#: convention, not a statistic: the "top 5%" of places is the usual reading of the law of
#: crime concentration (Weisburd 2015), and tools such as sfhotspot leave the cut to users.
TOP_SHARE = 0.05
#: The null of the count flag, as ``params`` and the method statement state it.
COUNT_NULL = (
    "complete spatial randomness: a cell's crimes ~ Binomial(N, cell area / study area), "
    "one-sided, Benjamini-Hochberg over the study-area cells"
)


@grid_method_doc
def count_hotspots(crimes: gpd.GeoDataFrame, *, weight: str | None = None,
                   cell_size: float | None = None, area: StudyArea | None = None,
                   top_share: float = TOP_SHARE, grid: Grid | None = None) -> HotspotResult:
    """Count crimes per grid cell and flag the top cells as hotspots.

    Parameters
    ----------
    {inputs}
    {area}
    top_share : float, default TOP_SHARE (0.05)
        Largest share of study-area cells called hotspots, in (0, 1]: a candidate's score
        is above zero and at least the score of the ``ceil(top_share * n)``-th highest
        cell (ties included, so slightly more cells may be candidates).
    {grid}

    Returns
    -------
    HotspotResult
        ``cells`` has one row per study-area cell with ``cell_id, row, col, count``
        (plus ``weight_sum`` when weighted), ``csr_p`` (P(count at least this) under
        complete spatial randomness), ``csr_p_fdr`` (Benjamini–Hochberg adjusted),
        ``score`` and ``hotspot`` (a top-share candidate with ``csr_p_fdr`` below
        :data:`~hotspots.methods.csr.FDR_ALPHA`; weighted runs rank by harm but test the
        crime count); ``method`` is ``"count"``.

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
    [['E0N0', 3.0]]
    >>> res.cells.set_index("cell_id").loc["E90N90", ["count", "csr_p_fdr"]].tolist()
    [1.0, 1.0]
    >>> res.params["n_cells"], res.params["n_significant"]
    (100, 1)
    """
    func = "count_hotspots"
    top_share = check_top_share(top_share, func=func)
    prep = prepare_cells(
        crimes, func=func, cell_size=cell_size, area=area, weight=weight, grid=grid
    )
    geom = None if area is None else area_geometry(area, prep.grid.crs, func=func)
    study_m2, measured = study_area_m2(prep, geom)
    n = int(prep.count.sum())
    p = np.where(prep.mask, count_csr_p(prep.count, n, prep.grid.cell_size**2 / study_m2),
                 np.nan)
    q, significant = csr_flags(p)
    cells = ranked_cells(prep, {"csr_p": p, "csr_p_fdr": q}, prep.values, top_share,
                         significant=significant)
    notes = list(prep.notes)
    notes.append(_csr_note(cells, significant, prep.mask))
    params = {
        **prep.params,
        "top_share": top_share,
        "score": "weight sum" if weight else "count",
        "null": COUNT_NULL,
        "fdr_alpha": FDR_ALPHA,
        "study_area_m2": round(study_m2, 1),
        "study_area_measure": measured,
        "n_significant": int(significant[prep.mask].sum()),
        "hotspot_rule": (
            f"in the top {top_share:.0%} of cells by {'harm' if weight else 'count'}, at "
            f"least one crime, and more crimes than CSR explains (BH-adjusted p < "
            f"{FDR_ALPHA:g})"
        ),
    }
    return HotspotResult(cells=cells, method="count", params=params, notes=notes)


def _csr_note(cells: gpd.GeoDataFrame, significant: np.ndarray, mask: np.ndarray) -> str:
    """A note on how many cells the CSR test let through."""
    hot = int(cells["hotspot"].sum())
    tested = int(significant[mask].sum())
    if hot == 0:
        return (
            "No cell holds more crimes than complete spatial randomness explains at a 5% "
            "false discovery rate, so no hotspots are flagged (the scores still rank cells)."
        )
    return (
        f"{tested:,} cell(s) hold more crimes than complete spatial randomness explains "
        f"(5% false discovery rate); {hot:,} of them are in the top share and are hotspots."
    )
