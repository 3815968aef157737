"""Which cells a hotspot map draws, and the class colour of each: one rule for web and print.

Gi* results draw their significant cells, coloured by confidence bin; surfaces (counts,
densities) draw every cell with a score, in five classes by percentile of the drawn cells;
cluster results draw every cluster. At most :data:`MAX_MAP_FEATURES` are drawn (the
highest scores), so that a page stays quick to open.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.result import HotspotResult
from hotspots.viz.colours import GI_COLOURS
from hotspots.viz.colours import SEQUENTIAL

__all__ = [
    "MAX_MAP_FEATURES",
    "SURFACE_BREAKS",
    "GI_LABELS",
    "cells_to_draw",
    "n_candidates",
    "class_colours",
]

#: More polygons than this make a page too slow to open; the hottest are kept.
MAX_MAP_FEATURES = 15_000
#: Percentile breaks of the five sequential classes: the darkest is the top 5% of drawn
#: cells (the hotspot convention), then 90-95%, 75-90%, 50-75% and the lower half; skewed to
#: the top because crime maps are read for their peaks.
SURFACE_BREAKS = (0.5, 0.75, 0.9, 0.95)
#: Legend names of the Gi* confidence bins, hot first.
GI_LABELS: dict[int, str] = {
    3: "Hot spot (99%)", 2: "Hot spot (95%)", 1: "Hot spot (90%)",
    -1: "Cold spot (90%)", -2: "Cold spot (95%)", -3: "Cold spot (99%)",
}


def cells_to_draw(result: HotspotResult, only_hotspots: bool = False) -> gpd.GeoDataFrame:
    """The cells (or clusters) a map of ``result`` draws, the highest scores first kept.

    Examples
    --------
    >>> import shapely
    >>> cells = gpd.GeoDataFrame({"score": [3.0, 0.0], "hotspot": [True, False]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:27700")
    >>> len(cells_to_draw(HotspotResult(cells, "count", {})))
    1
    """
    cells = result.cells
    if only_hotspots:
        cells = cells[cells["hotspot"]]
    elif result.shown_method == "gistar" and "gi_bin" in cells:
        cells = cells[cells["gi_bin"] != 0]
    elif result.layer == "cells":
        cells = cells[cells["score"] > 0]
    if len(cells) > MAX_MAP_FEATURES:
        # the highest (ties: the first in the layer), drawn in the layer's order: the same
        # cells in the same order from a compact frame (a batch job's) as from the whole
        cells = cells.sort_values("score", ascending=False, kind="stable").head(
            MAX_MAP_FEATURES).sort_index()
    return cells


def n_candidates(result: HotspotResult) -> int:
    """How many cells :func:`cells_to_draw` would draw without its cap."""
    cells = result.cells
    if result.shown_method == "gistar" and "gi_bin" in cells:
        return int((cells["gi_bin"] != 0).sum())
    if result.layer == "cells" and len(cells):
        return int((cells["score"] > 0).sum())
    return len(cells)


def class_colours(result: HotspotResult, cells: gpd.GeoDataFrame) -> pd.Series:
    """The colour of each of ``cells``: Gi* bin colours, or five classes by percentile."""
    if result.shown_method == "gistar" and "gi_bin" in cells:
        return cells["gi_bin"].astype(int).map(GI_COLOURS)
    if len(cells) == 0:
        return pd.Series([], dtype=object, index=cells.index)
    ranks = cells["score"].rank(pct=True, method="max").to_numpy()
    idx = np.searchsorted(np.asarray(SURFACE_BREAKS), ranks, side="left")
    return pd.Series(np.array(SEQUENTIAL)[idx], index=cells.index)
