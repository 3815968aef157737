"""Tests for hotspots.methods.stability: hotspot area surviving grid shifts and resizes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.methods.cells import top_share_flags
from hotspots.methods.find import find_hotspots
from hotspots.methods.stability import STABILITY_WARNING
from hotspots.methods.stability import hotspot_stability
from hotspots.methods.stability import stability_statement
from hotspots.methods.stability import with_stability

BNG = "EPSG:27700"


def _gdf(xy):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=BNG)


def test_shares_are_the_exact_overlap_of_the_squares():
    # 30 crimes at one place in a 1 km study area: the hot 100 m cell [100, 200]² loses
    # half its area to a half-cell shift in x or y, three quarters to both; on 75 m cells
    # the place's cell [75, 150]² covers a quarter of it, on 125 m cells [0, 125]² 1/16.
    crimes = _gdf([(120.0, 120.0)] * 30)
    area = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs=BNG)
    res = find_hotspots(crimes, method="count", cell_size=100, area=area)
    hot = res.cells[res.cells["hotspot"]]
    assert hot["cell_id"].tolist() == ["E100N100"]
    s = hotspot_stability(crimes, res, area=area)
    assert s["shift_x"] == pytest.approx(0.5)
    assert s["shift_y"] == pytest.approx(0.5)
    assert s["shift_xy"] == pytest.approx(0.25)
    assert s["smaller_cells"] == pytest.approx(0.25)
    assert s["larger_cells"] == pytest.approx(0.0625, abs=1e-3)  # shares rounded to 3 places
    assert (s["smaller_cell_size"], s["larger_cell_size"]) == (75.0, 125.0)
    assert s["mean"] == pytest.approx(np.mean([s[k] for k in (
        "shift_x", "shift_y", "shift_xy", "smaller_cells", "larger_cells")]), abs=1e-3)


@pytest.mark.parametrize("method", ["kde", "gistar"])
def test_planted_clusters_are_stable(method):
    rng = np.random.default_rng(1)
    centres = [(2000, 3000), (6000, 7000), (8000, 2000)]
    xy = np.r_[np.concatenate([rng.normal(c, 80, (150, 2)) for c in centres]),
               rng.uniform(0, 10_000, (2500, 2))]
    crimes = _gdf(xy)
    res = with_stability(crimes, find_hotspots(crimes, method=method, cell_size=75))
    s = res.params["stability"]
    assert res.n_hotspots > 0 and s["mean"] > 0.75 and not s["low"]
    assert not any("Unstable map" in n for n in res.notes)


def test_noise_counts_are_unstable_and_warned_about():
    rng = np.random.default_rng(2)
    crimes = _gdf(rng.uniform(0, 10_000, (3000, 2)))
    original = find_hotspots(crimes, method="count", cell_size=100)
    # The map to check: the top 5% of cells by count (whatever the method's own flag rule)
    original.cells["hotspot"] = top_share_flags(original.cells["score"].to_numpy(), 0.05)
    res = with_stability(crimes, original)
    s = res.params["stability"]
    assert s["mean"] < STABILITY_WARNING and s["low"]
    assert any("Unstable map" in n for n in res.notes)
    assert "low: below 50%" in stability_statement(res.params)
    assert "stability" not in original.params  # the input result is not changed


def test_clusters_and_empty_maps_say_it_does_not_apply():
    crimes = _gdf([(5, 5), (5, 6), (6, 5), (900, 900)])
    res = with_stability(crimes, find_hotspots(crimes, method="dbscan", eps=5, min_samples=2))
    assert res.params["stability"]["mean"] is None
    assert "not applicable" in stability_statement(res.params)
    empty = find_hotspots(_gdf([(5, 5), (900, 900)]), method="kde", cell_size=100,
                          bandwidth=150)
    empty.cells["hotspot"] = False
    assert hotspot_stability(_gdf([(5, 5), (900, 900)]), empty)["reason"] == \
        "no hotspot to check"
    assert stability_statement({}) == ""


def test_big_grids_are_not_re_made_unless_asked():
    rng = np.random.default_rng(3)
    crimes = _gdf(np.r_[rng.normal(500, 30, (200, 2)), rng.uniform(0, 2000, (200, 2))])
    res = find_hotspots(crimes, method="kde", cell_size=50, bandwidth=150)
    skipped = with_stability(crimes, res, max_cells=100)
    assert skipped.params["stability"]["mean"] is None
    assert "not measured" in skipped.params["stability"]["reason"]
    measured = with_stability(crimes, res, max_cells=None)
    assert measured.params["stability"]["mean"] > 0.5
