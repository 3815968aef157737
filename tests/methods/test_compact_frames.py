"""Compact frames (batch runs): the same cells a map, table or layer uses, nothing else."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspots.methods.cells import compact_frames
from hotspots.methods.cells import frames_also_rank
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


@pytest.mark.parametrize("top", [None, 40])
@pytest.mark.parametrize("method", ["auto", "count", "kde", "gistar"])
def test_a_compact_frame_is_the_whole_frame_without_unused_empty_cells(method, top,
                                                                       monkeypatch):
    import hotspots.viz.classes as classes

    if top is not None:  # a map that draws 40 cells at most
        monkeypatch.setattr(classes, "MAX_MAP_FEATURES", top)
    crimes = sparse_town()
    settings = MethodSettings(method)
    whole = settings.run(crimes)
    with compact_frames(top=top):
        compact = settings.run(crimes)
    assert len(compact.cells) < len(whole.cells) / 2  # the saving is real
    # the same rows, labels and values: a subset of the whole frame
    pd.testing.assert_frame_equal(pd.DataFrame(whole.cells.loc[compact.cells.index]),
                                  pd.DataFrame(compact.cells))
    left = whole.cells.drop(compact.cells.index)
    assert (left["count"] == 0).all() and not left["hotspot"].any()
    if top is None:
        assert (left["score"] <= 0).all()
    else:
        assert (left["score"] <= whole.cells["score"].nlargest(top).min()).all()
    if "gi_bin" in left:
        assert (left["gi_bin"] == 0).all()
    # what a map draws, and the hotspot table's rows, are unchanged
    pd.testing.assert_frame_equal(pd.DataFrame(cells_to_draw(whole)),
                                  pd.DataFrame(cells_to_draw(compact)))
    assert compact.n_hotspots == whole.n_hotspots
    assert compact.params == whole.params


def test_frames_also_rank_does_nothing_outside_compact_frames():
    crimes = sparse_town()
    whole = MethodSettings("count").run(crimes)
    with frames_also_rank(np.ones((1, 1))):
        again = MethodSettings("count").run(crimes)
    assert len(again.cells) == len(whole.cells)


def test_a_map_draws_the_same_cells_in_the_same_order_from_a_subset(monkeypatch):
    # The whole layer has more positive cells than a map draws; the compact one has just
    # as many: both draw the same cells, in the layer's order.
    import shapely

    import hotspots.viz.classes as classes
    from hotspots.result import HotspotResult

    monkeypatch.setattr(classes, "MAX_MAP_FEATURES", 3)
    score = [0.5, 3.0, 1.0, 2.0, 3.0, 0.2]
    whole = gpd.GeoDataFrame({"score": score, "hotspot": False},
                             geometry=[shapely.box(i, 0, i + 1, 1) for i in range(6)], crs=CRS)
    compact = whole.loc[[1, 3, 4]]
    drawn = [classes.cells_to_draw(HotspotResult(f, "count", {})).index.tolist()
             for f in (whole, compact)]
    assert drawn == [[1, 3, 4], [1, 3, 4]]
