"""The emerging hot spot web map: patterns, legend, popups, privacy."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.methods.emerging import emerging_hotspots
from hotspots.viz.emerging_map import emerging_map


def crimes_at(xs, months) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"month": pd.to_datetime(months), "date": pd.NaT},
                            geometry=gpd.points_from_xy(xs, [360_000.0] * len(xs)),
                            crs="EPSG:27700")


def test_emerging_map_without_patterns_has_a_legend():
    months = ["2024-01-01", "2024-02-01"] * 5
    crimes = crimes_at(np.arange(10) * 100.0 + 440_000, months)
    fmap = emerging_map(emerging_hotspots(crimes, cell_size=100), tiles=None)
    assert "No emerging pattern found" in fmap.get_root().render()
