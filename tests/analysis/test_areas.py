"""Crime per area: counts, ranks, shares and the concentration statement."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import LineString
from shapely import box

from hotspots.analysis.areas import AREA_COLUMNS
from hotspots.analysis.areas import area_summary
from hotspots.analysis.areas import concentration_statement
from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError

BNG = "EPSG:27700"
X0, Y0 = 451_000.0, 339_000.0  # central Nottingham, in metres


def _squares() -> gpd.GeoDataFrame:
    """Four 100 m squares in a 2 x 2 layout, with a non-default index."""
    names = ["SW", "SE", "NW", "NE"]
    offsets = [(0, 0), (100, 0), (0, 100), (100, 100)]
    geoms = [box(X0 + dx, Y0 + dy, X0 + dx + 100, Y0 + dy + 100) for dx, dy in offsets]
    return gpd.GeoDataFrame({"area_name": names, "code": ["a", "b", "c", "d"]},
                            geometry=geoms, crs=BNG, index=[10, 11, 12, 13])


def _crimes() -> gpd.GeoDataFrame:
    """SW 5 crimes, SE 3, NW 2, NE none, and 2 outside every square."""
    pts = (
        [(10, 10), (20, 20), (30, 30), (40, 40), (50, 50)]  # SW
        + [(150, 10), (160, 20), (170, 30)]  # SE
        + [(10, 150), (20, 160)]  # NW
        + [(500, 500), (-50, 50)]  # outside
    )
    x = [X0 + p[0] for p in pts]
    y = [Y0 + p[1] for p in pts]
    weight = [2.0] * 5 + [1.0] * 3 + [10.0] * 2 + [7.0] * 2
    return gpd.GeoDataFrame(
        {"category": ["Burglary"] * len(pts), "weight": weight},
        geometry=gpd.points_from_xy(x, y),
        crs=BNG,
    )


def test_hand_made_layout_gives_exact_figures():
    summary = area_summary(_crimes(), _squares())
    assert list(summary.columns) == [*AREA_COLUMNS, "geometry"]
    assert summary.index.tolist() == [10, 11, 12, 13]  # aligned to the areas
    assert summary["area_name"].tolist() == ["SW", "SE", "NW", "NE"]
    assert summary["count"].tolist() == [5, 3, 2, 0]  # the empty square is kept
    assert summary["rank"].tolist() == [1, 2, 3, 4]
    assert summary["harm"].tolist() == [5.0, 3.0, 2.0, 0.0]  # no weight: harm = count
    np.testing.assert_allclose(summary["share_of_crime"], [0.5, 0.3, 0.2, 0.0], atol=1e-12)
    np.testing.assert_allclose(summary["area_km2"], [0.01] * 4, rtol=1e-9)
    np.testing.assert_allclose(summary["share_of_area"], [0.25] * 4, rtol=1e-9)
    np.testing.assert_allclose(summary["concentration"], [2.0, 1.2, 0.8, 0.0], rtol=1e-9)
    np.testing.assert_allclose(summary["crimes_per_km2"], [500, 300, 200, 0], rtol=1e-9)
    assert summary.crs == BNG
    assert summary.attrs["unassigned"] == 2
    assert summary.attrs["multiple"] == 0
    assert summary.attrs["n_in_areas"] == 10
    assert summary.attrs["n_crimes"] == 12
    assert any("2 of 12 crimes are in none of the 4 areas" in n for n in summary.attrs["notes"])


def test_harm_weights_are_summed_and_ties_share_a_rank():
    crimes = _crimes()
    summary = area_summary(crimes, _squares(), weight="weight")
    assert summary["harm"].tolist() == [10.0, 3.0, 20.0, 0.0]
    assert summary["rank"].tolist() == [1, 2, 3, 4]  # ranks are by count
    assert summary.attrs["weight"] == "weight"
    tied = area_summary(crimes.iloc[[0, 1, 5, 6, 8]], _squares())
    assert tied["count"].tolist() == [2, 2, 1, 0]
    assert tied["rank"].tolist() == [1, 1, 3, 4]


def test_areas_in_another_crs_are_reprojected():
    squares = _squares()
    summary = area_summary(_crimes(), squares.to_crs("EPSG:4326"))
    assert summary.crs == BNG
    assert summary["count"].tolist() == [5, 3, 2, 0]
    assert summary.attrs["unassigned"] == 2
    # corners survive the round trip to longitude/latitude and back to the millimetre
    np.testing.assert_allclose(summary["area_km2"], [0.01] * 4, rtol=1e-6)
    np.testing.assert_allclose(summary.total_bounds, squares.total_bounds, atol=1e-3)


def test_overlapping_areas_are_reported():
    squares = _squares()
    south = gpd.GeoDataFrame({"area_name": ["South strip"]},
                             geometry=[box(X0, Y0, X0 + 200, Y0 + 100)], crs=BNG)
    areas = pd.concat([squares, south])
    summary = area_summary(_crimes(), areas)
    assert summary["count"].tolist() == [5, 3, 2, 0, 8]
    assert summary.attrs["multiple"] == 8
    assert summary.attrs["n_in_areas"] == 10
    assert any("counted in each" in n for n in summary.attrs["notes"])
    # share of area is of the union (200 x 200 m), so the strip covers half of it
    assert summary["share_of_area"].iloc[-1] == pytest.approx(0.5)


def test_name_column_fallback_and_errors():
    squares = _squares().rename(columns={"area_name": "ward_name"})
    summary = area_summary(_crimes(), squares[["code", "ward_name", "geometry"]])
    assert summary["area_name"].tolist() == ["SW", "SE", "NW", "NE"]  # a 'name' column wins
    assert summary.attrs["name_column"] == "ward_name"
    assert any("named by 'ward_name'" in n for n in summary.attrs["notes"])
    coded = area_summary(_crimes(), squares[["code", "geometry"]])
    assert coded["area_name"].tolist() == ["a", "b", "c", "d"]  # else the first text column
    by_code = area_summary(_crimes(), squares, name_column="code")
    assert by_code["area_name"].tolist() == ["a", "b", "c", "d"]
    with pytest.raises(ColumnMappingError, match="'name_column'.*'ward'.*Columns: ward_name, code"):
        area_summary(_crimes(), squares, name_column="ward")
    unnamed = gpd.GeoDataFrame({"n": [1, 2, 3, 4]}, geometry=squares.geometry.values, crs=BNG)
    with pytest.raises(ColumnMappingError, match="no other text column"):
        area_summary(_crimes(), unnamed)


def test_input_errors():
    crimes, squares = _crimes(), _squares()
    with pytest.raises(CRSError, match="'areas' has no CRS"):
        area_summary(crimes, squares.set_crs(None, allow_override=True))
    with pytest.raises(CRSError, match="geographic"):
        area_summary(crimes.to_crs("EPSG:4326"), squares)
    with pytest.raises(EmptySelectionError, match="no crimes"):
        area_summary(crimes.iloc[:0], squares)
    with pytest.raises(EmptySelectionError, match="no polygons"):
        area_summary(crimes, squares.iloc[:0])
    lines = gpd.GeoDataFrame({"area_name": ["road"]},
                             geometry=[LineString([(X0, Y0), (X0 + 10, Y0)])], crs=BNG)
    with pytest.raises(ParameterError, match="must be polygons, got Linestring"):
        area_summary(crimes, lines)
    with pytest.raises(ColumnMappingError, match="'harm'"):
        area_summary(crimes, squares, weight="harm")


def test_inputs_are_not_mutated():
    crimes, squares = _crimes(), _squares().to_crs("EPSG:4326")
    before_c, before_a = crimes.copy(), squares.copy()
    area_summary(crimes, squares, weight="weight")
    pd.testing.assert_frame_equal(crimes, before_c)
    pd.testing.assert_frame_equal(squares, before_a)


def test_concentration_statement_on_the_hand_layout():
    summary = area_summary(_crimes(), _squares())
    assert concentration_statement(summary) == (
        "50% of crime is in 1 of 4 areas covering 25% of the land (that area holds 50%)."
    )
    assert concentration_statement(summary, share=0.8) == (
        "80% of crime is in 2 of 4 areas covering 50% of the land (those 2 areas hold 80%)."
    )
    assert concentration_statement(summary, share=0.6) == (
        "60% of crime is in 2 of 4 areas covering 50% of the land (those 2 areas hold 80%)."
    )
    assert concentration_statement(summary, share=1.0).startswith("100% of crime is in 3 of 4")
    empty = summary.assign(count=0, share_of_crime=0.0)
    assert concentration_statement(empty) == "There is no crime in any of the 4 areas."
    for bad in (0, 1.5, -0.2, "half", True):
        with pytest.raises(ParameterError, match="'share' parameter"):
            concentration_statement(summary, share=bad)
    with pytest.raises(ColumnMappingError, match="'share_of_area'"):
        concentration_statement(summary.drop(columns="share_of_area"))


@pytest.mark.realdata
def test_nottingham_burglary_by_ward_adds_up(shared_data):
    crimes_path = shared_data / "nottingham" / "burglary_2022.csv.gz"
    wards_path = shared_data / "nottingham" / "wards.gpkg"
    frame = pd.read_csv(crimes_path)
    crimes = gpd.GeoDataFrame(
        {"location": frame["location"]},
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs="EPSG:4326",
    ).to_crs(BNG)
    wards = gpd.read_file(wards_path)
    summary = area_summary(crimes, wards)
    assert summary.attrs["name_column"] == "ward_name"
    assert len(summary) == 20
    assert summary["count"].sum() + summary.attrs["unassigned"] == 1_795
    assert summary.attrs["multiple"] == 0
    assert summary["rank"].min() == 1
    np.testing.assert_allclose(summary["share_of_crime"].sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(summary["share_of_area"].sum(), 1.0, rtol=1e-6)
    # the city's 20 wards cover about 75 km2
    assert 70 < summary["area_km2"].sum() < 80
    statement = concentration_statement(summary)
    assert statement.startswith("50% of crime is in ") and " of 20 areas covering " in statement
