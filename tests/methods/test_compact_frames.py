"""Compact frames (batch runs): the same cells a map, table or layer uses, nothing else."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspots.methods.cells import compact_frames
from hotspots.methods.cells import frames_also_keep
from hotspots.methods.find import MethodSettings
from hotspots.viz.classes import cells_to_draw

CRS = "EPSG:27700"


def sparse_town(seed: int = 3) -> gpd.GeoDataFrame:
    """Eight months of crimes in two small towns far apart: most of the grid is empty."""
    rng = np.random.default_rng(seed)
    towns = np.array([[1000.0, 1000.0], [9000.0, 7000.0]])
    n = 2400
    xy = towns[rng.integers(0, 2, n)] + rng.normal(0, 250, (n, 2))
    months = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 8, n) * 31, "D")
    return gpd.GeoDataFrame({"month": months.to_period("M").to_timestamp(), "weight": 1.0},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)


@pytest.mark.parametrize("method", ["auto", "count", "kde", "gistar"])
def test_a_compact_frame_is_the_whole_frame_without_unused_empty_cells(method):
    crimes = sparse_town()
    settings = MethodSettings(method)
    whole = settings.run(crimes)
    with compact_frames():
        compact = settings.run(crimes)
    assert len(compact.cells) < len(whole.cells) / 2  # the saving is real
    # the same rows, labels and values: a subset of the whole frame
    pd.testing.assert_frame_equal(pd.DataFrame(whole.cells.loc[compact.cells.index]),
                                  pd.DataFrame(compact.cells))
    left = whole.cells.drop(compact.cells.index)
    assert (left["count"] == 0).all() and not left["hotspot"].any()
    assert (left["score"] <= 0).all()
    if "gi_bin" in left:
        assert (left["gi_bin"] == 0).all()
    # what a map draws, and the hotspot table's rows, are unchanged
    pd.testing.assert_frame_equal(pd.DataFrame(cells_to_draw(whole)),
                                  pd.DataFrame(cells_to_draw(compact)))
    assert compact.n_hotspots == whole.n_hotspots
    assert compact.params == whole.params


def test_frames_also_keep_does_nothing_outside_compact_frames():
    crimes = sparse_town()
    whole = MethodSettings("count").run(crimes)
    with frames_also_keep(np.ones((1, 1), bool)):
        again = MethodSettings("count").run(crimes)
    assert len(again.cells) == len(whole.cells)
