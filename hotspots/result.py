"""A hotspot result: a GeoDataFrame plus the method and parameters that made it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

__all__ = ["HotspotResult"]


@dataclass
class HotspotResult:
    """What every hotspot method returns.

    Attributes
    ----------
    cells : GeoDataFrame
        Grid cells (grid methods) or cluster polygons (density clustering), each row with
        ``score`` (higher is hotter) and ``hotspot`` (bool), in the analysis CRS.
    method : str
        ``"count"``, ``"kde"``, ``"gistar"``, ``"dbscan"`` or ``"hdbscan"``.
    params : dict
        Every parameter used, defaults included, so an export can state how it was made.
    layer : str
        ``"cells"`` for grid methods, ``"clusters"`` for density clustering.
    notes : list of str
        Plain-language notes (adjusted parameters, points off the grid, ...).
    """

    cells: gpd.GeoDataFrame
    method: str
    params: dict[str, Any]
    layer: str = "cells"
    notes: list[str] = field(default_factory=list)

    @property
    def n_hotspots(self) -> int:
        return int(self.cells["hotspot"].sum()) if len(self.cells) else 0

    def method_statement(self) -> str:
        """One sentence that says how this result was made."""
        parts = ", ".join(f"{k}={v}" for k, v in self.params.items() if v is not None)
        return f"{self.method} ({parts})"
