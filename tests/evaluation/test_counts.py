"""Counting crimes in target, buffer and control before and after the start."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.evaluation.areas import evaluation_areas
from hotspots.evaluation.counts import DEFAULT_MONTHS
from hotspots.evaluation.counts import before_after
from tests.evaluation.planted import BNG
from tests.evaluation.planted import C_XY
from tests.evaluation.planted import T_XY
from tests.evaluation.planted import crimes_from
from tests.evaluation.planted import two_years

# ---------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------


def test_periods_are_the_months_around_the_start(areas):
    # Target crimes in 2023-12 (too early), 2024-01 (first before month), 2024-12 (last
    # before), 2025-01 (first after), 2025-12 (last after), 2026-01 (too late).
    rows = [(m, T_XY, n) for m, n in
            [("2023-12", 100), ("2024-01", 1), ("2024-12", 2), ("2025-01", 4),
             ("2025-12", 8), ("2026-01", 100)]]
    rows += [("2024-05", C_XY, 3), ("2025-05", C_XY, 6)]
    ba = before_after(crimes_from(rows), areas, start="2025-01")
    assert (ba.Tb, ba.Ta, ba.Cb, ba.Ca, ba.Bb, ba.Ba) == (3, 12, 3, 6, 0, 0)
    assert ba.before_label == "2024-01 to 2024-12"
    assert ba.after_label == "2025-01 to 2025-12"
    assert ba.months_before == ba.months_after == DEFAULT_MONTHS
    assert ba.available, ba.reason
    monthly = ba.monthly
    assert len(monthly) == 24 and monthly["month"].iloc[0] == pd.Timestamp("2024-01-01")
    assert (monthly["period"] == "before").sum() == 12
    assert monthly.loc[monthly["period"] == "before", "target"].sum() == ba.Tb
    assert monthly.loc[monthly["period"] == "after", "control"].sum() == ba.Ca
    table = ba.table().set_index("area")
    assert table.loc["target", "change"] == 9
    assert table.loc["target", "percent_change"] == pytest.approx(300.0)
    assert pd.isna(table.loc["buffer", "percent_change"])


def test_each_crime_counts_once_with_edges_going_to_the_target():
    # Square target 0..100, ring to 150 (straight edges, so the edge points are exact).
    areas = evaluation_areas(shapely.box(0, 0, 100, 100), buffer_m=50,
                             control=shapely.box(1000, 0, 1100, 100))
    # On the target's edge (100, 50), on the ring's outer edge (150, 50), outside all
    # (600, 50), inside the target (50, 50).
    rows = [("2024-06", (100.0, 50.0), 1), ("2024-06", (150.0, 50.0), 1),
            ("2024-06", (600.0, 50.0), 1), ("2024-06", (50.0, 50.0), 1),
            ("2025-06", (1050.0, 50.0), 1)]
    ba = before_after(crimes_from(rows), areas, start="2025-01", months_before=7, months_after=6)
    assert (ba.Tb, ba.Bb, ba.Cb, ba.Ca) == (2, 1, 0, 1)
    assert ba.monthly[["target", "buffer", "control"]].to_numpy().sum() == 4


def test_categories_and_crimes_without_location(areas):
    rows = [("2024-06", T_XY, 4, "Burglary"), ("2024-06", T_XY, 7, "Drugs"),
            ("2024-06", None, 3, "Burglary"), ("2025-06", C_XY, 2, "Burglary")]
    crimes = crimes_from(rows)
    copy = crimes.copy()
    ba = before_after(crimes, areas, start="2025-01", months_before=7, months_after=6,
                      categories=["Burglary", "Bicycle theft"])
    assert ba.Tb == 4 and ba.Ca == 2
    assert ba.categories == ("Burglary", "Bicycle theft")
    assert any("3 crimes in the periods have no location" in n for n in ba.notes)
    assert any("'Bicycle theft'" in n for n in ba.notes)
    pd.testing.assert_frame_equal(crimes, copy)  # input untouched
    assert before_after(crimes, areas, start="2025-01", months_before=7,
                        months_after=6).Tb == 11


def test_crimes_in_another_projected_crs_are_placed_correctly(areas):
    crimes = two_years().set_crs(BNG, allow_override=True)
    moved = crimes.to_crs("EPSG:32630")
    a = before_after(crimes, areas, start="2025-01")
    b = before_after(moved, areas, start="2025-01")
    assert a.as_dict() == b.as_dict() == {"Tb": 10, "Ta": 5, "Bb": 10, "Ba": 15, "Cb": 10,
                                          "Ca": 10}
    with pytest.raises(CRSError):
        before_after(crimes.to_crs("EPSG:4326"), areas, start="2025-01")


def test_missing_month_inside_the_data_is_noted(areas):
    crimes = two_years()
    gap = crimes[crimes["month"] != "2024-03-01"]
    ba = before_after(gap, areas, start="2025-01")
    assert ba.available
    assert any("2024-03" in n and "missing data" in n for n in ba.notes)


def test_bad_inputs(areas):
    crimes = two_years()
    with pytest.raises(ParameterError, match="'start'"):
        before_after(crimes, areas, start="2025-13")
    with pytest.raises(ParameterError, match="'months_before'"):
        before_after(crimes, areas, start="2025-01", months_before=0)
    with pytest.raises(TypeError, match="EvaluationAreas"):
        before_after(crimes, areas.frame, start="2025-01")
    with pytest.raises(EmptySelectionError):
        before_after(crimes.iloc[:0], areas, start="2025-01")
