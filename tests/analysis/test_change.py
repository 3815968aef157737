"""Tests for hotspots.analysis.change: two periods on one aligned grid, and the change map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.analysis.change import CHANGE_CLASSES
from hotspots.analysis.change import LARGE_CHANGE_SHARE
from hotspots.analysis.change import NO_CHANGE_SHARE
from hotspots.analysis.change import classify_change
from hotspots.analysis.change import compare_periods
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.viz.colours import CHANGE_COLOURS

BNG = "EPSG:27700"
BEFORE = ("2024-01", "2024-06")
AFTER = ("2024-07", "2024-12")


def _crimes(rows, *, crs=BNG) -> gpd.GeoDataFrame:
    """Crimes from (month "YYYY-MM", x, y, n) rows."""
    months, xs, ys = [], [], []
    for month, x, y, n in rows:
        months += [f"{month}-01"] * n
        xs += [x] * n
        ys += [y] * n
    return gpd.GeoDataFrame(
        {"month": pd.to_datetime(months).astype("datetime64[ns]"), "category": "Burglary"},
        geometry=gpd.points_from_xy(xs, ys), crs=crs,
    )


def _background(seed: int, months: list[str], n_per_month: int = 40) -> list[tuple]:
    """Uniform crimes over 0..2000 m, the same places every month."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 2000, (n_per_month, 2))
    return [(m, float(x), float(y), 1) for m in months for x, y in xy]


MONTHS_2024 = [f"2024-{m:02d}" for m in range(1, 13)]


@pytest.fixture
def emerging() -> gpd.GeoDataFrame:
    """Identical background every month, plus a cluster of 30 crimes a month at
    (1525, 1525) from 2024-07 only (cell E1500N1500 at 100 m)."""
    rows = _background(1, MONTHS_2024)
    rows += [(m, 1525.0, 1525.0, 30) for m in MONTHS_2024[6:]]
    return _crimes(rows)


def _cell(cmp, cell_id):
    return cmp.cells.set_index("cell_id").loc[cell_id]


def test_cluster_that_appears_after_is_a_positive_change(emerging):
    copy = emerging.copy()
    cmp = compare_periods(emerging, before=BEFORE, after=AFTER, cell_size=100)
    pd.testing.assert_frame_equal(emerging, copy)  # input untouched
    hot = _cell(cmp, "E1500N1500")
    assert hot["before"] == 0 and hot["after"] == 180
    assert hot["difference"] == 180
    assert hot["change"] == pytest.approx(30.0)  # crimes per cell per month
    assert hot["score"] == hot["change"]
    assert hot["change_class"] == "large increase"
    assert hot["status"] == "new hotspot" and hot["hotspot"]
    # The background is identical in both periods: every other cell has zero change.
    others = cmp.cells[cmp.cells["cell_id"] != "E1500N1500"]
    assert (others["change"] == 0).all()
    assert (others["change_class"] == "little or no change").all()
    assert cmp.cells["hotspot"].sum() == 1
    s = cmp.summary
    assert (s["total_before"], s["total_after"]) == (240, 420)
    assert s["percent_change"] == pytest.approx(75.0)
    assert s["cells_increased"] == 1 and s["cells_decreased"] == 0
    assert s["largest_increase"] == {"cell_id": "E1500N1500", "change": pytest.approx(30.0)}
    assert s["became_hot"] >= 1
    assert "+75%" in cmp.sentences[0]
    assert cmp.params["score"].endswith("crimes per cell per month")


def test_kde_change_peaks_at_the_new_cluster(emerging):
    cmp = compare_periods(emerging, before=BEFORE, after=AFTER, cell_size=50, method="kde",
                          bandwidth=200)
    peak = cmp.cells.loc[cmp.cells["change"].idxmax()]
    assert peak.geometry.centroid.distance(shapely.Point(1525, 1525)) < 50
    assert peak["change_class"] == "large increase"
    # Far from the cluster (beyond the 200 m bandwidth) the surfaces are identical.
    far = cmp.cells.geometry.centroid.distance(shapely.Point(1525, 1525)) > 300
    np.testing.assert_allclose(cmp.cells.loc[far, "change"], 0.0, atol=1e-9)
    assert (cmp.cells["change"] >= -1e-9).all()
    # Both surfaces share the grid and the bandwidth.
    assert cmp.before.params["bandwidth"] == cmp.after.params["bandwidth"] == 200
    assert cmp.before.cells["cell_id"].tolist() == cmp.after.cells["cell_id"].tolist()
    assert cmp.params["density_units"] == "crimes per km² per month"


def test_identical_equal_periods_give_zero_change_everywhere():
    rows = _background(2, MONTHS_2024, 60)
    rows += [(m, 700.0, 300.0, 5) for m in MONTHS_2024]
    crimes = _crimes(rows)
    for method in ("count", "kde"):
        cmp = compare_periods(crimes, before=BEFORE, after=AFTER, method=method)
        assert (cmp.cells["change"] == 0).all(), method
        assert (cmp.cells["change_class"] == "little or no change").all()
        assert (cmp.cells["hot_before"] == cmp.cells["hot_after"]).all()
        s = cmp.summary
        assert s["percent_change"] == 0
        assert s["became_hot"] == 0 and s["cooled"] == 0 and s["stayed_hot"] > 0
        assert s["largest_increase"] is None and s["largest_decrease"] is None
        assert not cmp.cells["hotspot"].any()


def test_unequal_periods_are_compared_per_month():
    # Before: 2 months with 4 crimes in the cell (2 a month); after: 1 month with 2.
    crimes = _crimes([("2024-01", 50, 50, 2), ("2024-02", 50, 50, 2), ("2024-03", 50, 50, 2),
                      ("2024-01", 950, 950, 1), ("2024-03", 950, 950, 1)])
    cmp = compare_periods(crimes, before=("2024-01", "2024-02"), after=("2024-03", "2024-03"),
                          cell_size=100)
    cell = _cell(cmp, "E0N0")
    assert (cell["before"], cell["after"], cell["difference"]) == (4, 2, -2)
    assert cell["before_per_month"] == 2 and cell["after_per_month"] == 2
    assert cell["change"] == 0
    far = _cell(cmp, "E900N900")
    assert far["change"] == pytest.approx(1 - 0.5)
    s = cmp.summary
    assert (s["months_before"], s["months_after"]) == (2, 1)
    assert s["percent_change"] == pytest.approx((3 / 1) / (5 / 2) * 100 - 100)
    assert s["percent_change_basis"] == "crimes per month"
    assert "compared per month" in cmp.sentences[0]


def test_kde_densities_are_per_km2_per_month():
    # 6 crimes in 2 months before, 6 in 3 months after, far from the grid's edges.
    # A far crime in 2024-05 makes the data reach the end of the after period.
    crimes = _crimes([("2024-01", 1000, 1000, 6), ("2024-04", 1000, 1000, 6),
                      ("2024-01", 0, 0, 1), ("2024-05", 2000, 2000, 1)])
    cmp = compare_periods(crimes, before=("2024-01", "2024-02"), after=("2024-03", "2024-05"),
                          cell_size=20, method="kde", bandwidth=200)
    km2 = cmp.grid.cell_area / 1e6
    near = cmp.cells.geometry.centroid.distance(shapely.Point(1000, 1000)) < 400
    mass_before = cmp.cells.loc[near, "density_before"].sum() * km2
    mass_after = cmp.cells.loc[near, "density_after"].sum() * km2
    assert mass_before == pytest.approx(6 / 2, rel=0.01)
    assert mass_after == pytest.approx(6 / 3, rel=0.01)
    assert not any("only" in n for n in cmp.notes)  # (2024-02 and 2024-03 are gaps)
    np.testing.assert_allclose(cmp.cells["change"],
                               cmp.cells["density_after"] - cmp.cells["density_before"])
    # With the data ending in 2024-04 only 2 after months are covered: rates use those 2.
    ends_early = crimes.assign(month=crimes["month"].where(
        crimes["month"] != pd.Timestamp("2024-05-01"), pd.Timestamp("2024-01-01")))
    short = compare_periods(ends_early, before=("2024-01", "2024-02"),
                            after=("2024-03", "2024-05"), cell_size=20, method="kde",
                            bandwidth=200)
    assert short.cells.loc[near, "density_after"].sum() * km2 == pytest.approx(6 / 2, rel=0.01)
    assert any("only 2 of the 3 months" in n for n in short.notes)


def test_shared_default_bandwidth_uses_both_periods(emerging):
    cmp = compare_periods(emerging, before=BEFORE, after=AFTER, method="kde", cell_size=100)
    assert cmp.before.params["bandwidth"] == cmp.after.params["bandwidth"]
    assert "both periods" in cmp.params["bandwidth_rule"]


def test_grid_is_aligned_and_covers_both_periods():
    crimes = _crimes([("2024-01", 130, 270, 1), ("2024-02", 930, 1010, 1)])
    cmp = compare_periods(crimes, before=("2024-01", "2024-01"), after=("2024-02", "2024-02"),
                          cell_size=100)
    g = cmp.grid
    assert (g.x0, g.y0) == (100.0, 200.0)  # snapped to the cell size
    assert g.bounds[2] > 930 and g.bounds[3] > 1010
    assert _cell(cmp, "E100N200")["before"] == 1
    assert _cell(cmp, "E900N1000")["after"] == 1


def test_area_limits_cells_and_crimes(emerging):
    area = gpd.GeoDataFrame(geometry=[shapely.box(1000, 1000, 2000, 2000)], crs=BNG)
    cmp = compare_periods(emerging, before=BEFORE, after=AFTER, cell_size=100, area=area)
    assert cmp.grid.bounds[:2] == (1000.0, 1000.0)
    assert cmp.params["n_cells"] == 100
    assert any("outside the area" in n for n in cmp.notes)
    assert _cell(cmp, "E1500N1500")["after"] == 180


def test_period_checks():
    crimes = _crimes([(m, 50, 50, 1) for m in MONTHS_2024])
    with pytest.raises(ParameterError, match="'before'"):
        compare_periods(crimes, before="2024-01", after=AFTER)
    with pytest.raises(ParameterError, match="swap"):
        compare_periods(crimes, before=("2024-06", "2024-01"), after=AFTER)
    with pytest.raises(ParameterError, match="'method'"):
        compare_periods(crimes, before=BEFORE, after=AFTER, method="gistar")
    with pytest.raises(EmptySelectionError, match="none of the after period"):
        compare_periods(crimes, before=BEFORE, after=("2025-01", "2025-06"))
    cmp = compare_periods(crimes, before=("2024-01", "2024-08"), after=("2024-06", "2025-03"))
    assert any("overlap" in n for n in cmp.notes)
    assert any("only 7 of the 10 months of the after period" in n for n in cmp.notes)
    assert cmp.summary["months_after"] == 7


def test_missing_months_and_no_location_are_noted():
    crimes = _crimes([(m, 50, 50, 1) for m in MONTHS_2024 if m != "2024-03"])
    crimes = pd.concat([crimes, crimes.iloc[:2].assign(geometry=None)], ignore_index=True)
    crimes = gpd.GeoDataFrame(crimes, geometry="geometry", crs=BNG)
    cmp = compare_periods(crimes, before=BEFORE, after=AFTER, cell_size=100)
    assert any("2024-03" in n and "missing data" in n for n in cmp.notes)
    assert any("2 crimes have no location" in n for n in cmp.notes)
    assert cmp.summary["total_before"] == 5


def test_classify_change_thresholds():
    scale = 10.0
    values = np.array([-10, -LARGE_CHANGE_SHARE * scale - 0.01, -LARGE_CHANGE_SHARE * scale,
                       -NO_CHANGE_SHARE * scale - 0.01, -NO_CHANGE_SHARE * scale, 0,
                       NO_CHANGE_SHARE * scale + 0.01, LARGE_CHANGE_SHARE * scale + 0.01])
    assert classify_change(values).tolist() == [
        "large decrease", "large decrease", "decrease", "decrease", "little or no change",
        "little or no change", "increase", "large increase"]
    assert classify_change(np.zeros(3)).tolist() == ["little or no change"] * 3
    assert set(CHANGE_COLOURS) == set(CHANGE_CLASSES)
