"""Tests for hotspots.methods.neighbours: the neighbourhood distance and its cap."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.methods.gistar import gistar_hotspots
from hotspots.methods.neighbours import MAX_NEIGHBOURHOOD_RADIUS_CELLS
from hotspots.methods.neighbours import disc
from hotspots.methods.neighbours import neighbourhood_distance


def test_a_huge_distance_is_refused_with_a_size_that_fits():
    # The issue: --distance 1e7 tried to allocate 298 GiB for the disc.
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 15, 25], [5, 5, 5]),
                           crs="EPSG:27700")
    with pytest.raises(ParameterError, match=r"'distance' \(--distance\) of 1e\+07 m"):
        gistar_hotspots(pts, cell_size=100, distance=1e7)
    limit = MAX_NEIGHBOURHOOD_RADIUS_CELLS * 100.0
    assert neighbourhood_distance(limit, 100.0) == (limit, "user")
    assert disc(MAX_NEIGHBOURHOOD_RADIUS_CELLS).shape == (1999, 1999)
    with pytest.raises(ParameterError, match=f"at most {MAX_NEIGHBOURHOOD_RADIUS_CELLS} cells"):
        neighbourhood_distance(limit + 100.0, 100.0)
    assert np.isfinite(neighbourhood_distance(None, 100.0)[0])
