"""Comparable places: same shape, no overlaps, inside the study area, counts as a spatial join."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import ParameterError
from hotspots.evaluation.places import MIN_INSIDE
from hotspots.evaluation.places import comparable_places


@pytest.fixture
def crimes() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(5)
    n = 4000
    months = pd.to_datetime(rng.choice(pd.date_range("2024-01-01", "2024-12-01", freq="MS"), n))
    xy = rng.uniform(0, 3000, (n, 2))
    return gpd.GeoDataFrame({"month": months, "category": "Burglary"},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")


def test_places_have_the_shape_do_not_overlap_and_stay_inside(crimes):
    footprint = shapely.Point(1500, 1500).buffer(120)
    region = shapely.Point(1500, 1500).buffer(1400)
    exclude = footprint.buffer(120)
    places = comparable_places(crimes, footprint, region=region, first="2024-01",
                               last="2024-12", exclude=exclude)
    geoms = places.geometries()
    assert len(places) > 50
    np.testing.assert_allclose(geoms.area, footprint.area, rtol=1e-9)
    assert shapely.union_all(geoms.array).area == pytest.approx(geoms.area.sum(), rel=1e-9)
    inside = geoms.intersection(region).area / footprint.area
    assert (inside >= MIN_INSIDE).all()
    assert not geoms.intersects(exclude.buffer(-1e-6)).any()
    # counts: a geopandas spatial join as the oracle
    joined = gpd.sjoin(crimes, gpd.GeoDataFrame(geometry=geoms), predicate="intersects")
    month = (joined["month"].dt.month - 1).to_numpy()
    oracle = np.zeros_like(places.monthly)
    np.add.at(oracle, (joined["index_right"].to_numpy(), month), 1)
    np.testing.assert_array_equal(places.monthly, oracle)
    assert list(places.months.strftime("%Y-%m")) == [f"2024-{m:02d}" for m in range(1, 13)]


def test_lattice_is_thinned_to_the_cap(crimes):
    places = comparable_places(crimes, shapely.box(0, 0, 20, 20),
                               region=shapely.box(0, 0, 3000, 3000), first="2024-01",
                               last="2024-01", max_places=400)
    assert 300 <= len(places) <= 400
    assert places.step[0] > 20


def test_bad_footprint_or_region():
    crimes = gpd.GeoDataFrame({"month": []}, geometry=[], crs="EPSG:27700")
    with pytest.raises(ParameterError, match="footprint"):
        comparable_places(crimes, shapely.Point(0, 0), region=shapely.box(0, 0, 1, 1),
                          first="2024-01", last="2024-01")
    with pytest.raises(ParameterError, match="region"):
        comparable_places(crimes, shapely.box(0, 0, 1, 1), region=shapely.Polygon(),
                          first="2024-01", last="2024-01")
