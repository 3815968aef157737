"""The client's endpoints: other answers, query polygons, neighbourhood boundaries.

Offline: recorded answers (``tests/data/policeapi/``, hand-written in the API's documented
format) replayed through a fake transport (:mod:`tests.policeapi.replay`); waits go to a fake
clock.
"""

from __future__ import annotations

import json

import pytest
from pyproj import Geod
from shapely.geometry import Point
from shapely.geometry import Polygon
from shapely.geometry import box

from hotspots import HotspotsError
from hotspots import ParameterError
from hotspots.io.report import DROP_OUTSIDE_BOUNDARY
from hotspots.policeapi import MAX_POLY_VERTICES
from hotspots.policeapi import OfflineError
from hotspots.policeapi import PoliceAPIError
from hotspots.policeapi import Response
from hotspots.policeapi import fetch_crimes
from hotspots.policeapi import fetch_neighbourhood_boundaries
from hotspots.policeapi import query_polygon
from tests.policeapi.replay import CITY_CENTRE
from tests.policeapi.replay import DENSE_BOX
from tests.policeapi.replay import dense_server
from tests.policeapi.replay import items
from tests.policeapi.replay import make_api
from tests.policeapi.replay import query
from tests.policeapi.replay import replay_routes
from tests.policeapi.replay import sent_polygon

# -- other answers ---------------------------------------------------------------------


def test_unknown_force_404_names_the_force():
    api, _, _ = make_api(replay_routes)
    with pytest.raises(PoliceAPIError, match="no force 'leicester'") as info:
        api.neighbourhoods("leicester")
    assert not isinstance(info.value, OfflineError)
    assert "PoliceAPI().forces()" in str(info.value)


def test_available_months_and_a_month_the_api_does_not_have():
    api, _, _ = make_api(replay_routes)
    assert api.available_months() == ["2023-12", "2024-01", "2024-02"]
    with pytest.raises(PoliceAPIError, match="no street-level crimes for 2030-01") as info:
        fetch_crimes(api, CITY_CENTRE, ["2024-01", "2030-01"])
    assert "available_months()" in str(info.value)


def test_an_html_page_instead_of_json_is_explained():
    api, _, _ = make_api(lambda url: Response(200, b"<html><body>Sign in to Wi-Fi</body>"))
    with pytest.raises(PoliceAPIError, match="not JSON .*Sign in to Wi-Fi"):
        api.forces()


def test_month_is_checked_before_any_request():
    api, transport, _ = make_api(replay_routes)
    with pytest.raises(ParameterError, match="'month'.*'2024-13'"):
        api.crimes(CITY_CENTRE, "2024-13")
    with pytest.raises(ParameterError, match="'months'"):
        fetch_crimes(api, CITY_CENTRE, [])
    assert transport.calls == []


def test_polygon_in_metres_is_refused():
    api, _, _ = make_api(replay_routes)
    with pytest.raises(HotspotsError, match="look like metres"):
        api.crimes(box(430_000, 433_000, 431_000, 434_000), "2024-01")


# -- polygons --------------------------------------------------------------------------


def test_long_polygon_is_sent_simplified_but_covering_and_clipped_after():
    # A 2,000-vertex circle about 1.1 km across, centred in the dense box.
    circle = Point(-1.13, 52.635).buffer(0.005, quad_segs=500)
    sent, grown = query_polygon(circle)
    assert len(sent.exterior.coords) - 1 <= MAX_POLY_VERTICES
    assert sent.covers(circle)
    assert 0 < grown <= 80  # metres: 10, 20, 40 or 80
    api, transport, _ = make_api(dense_server(limit=100))
    crimes, report = fetch_crimes(api, circle, "2024-01")
    url = transport.urls[0]
    assert len(query(url)[1]["poly"].split(":")) <= MAX_POLY_VERTICES
    assert len(url) < 3000
    # The sent polygon reaches a little beyond the circle; what it catches there is
    # dropped and counted.
    expected = [c for c in items("crimes_street_dense_2024-01.json") if circle.covers(
        Point(float(c["location"]["longitude"]), float(c["location"]["latitude"])))]
    assert report.rows_kept == len(expected) == len(crimes)
    assert report.rows_read - report.rows_kept == report.dropped.get(DROP_OUTSIDE_BOUNDARY, 0)
    assert any("sent simplified and grown" in n for n in report.notes)


def test_polygon_with_a_hole_is_queried_by_its_outer_ring():
    holed = Polygon(DENSE_BOX.exterior.coords,
                    [box(-1.1305, 52.6345, -1.1295, 52.6355).exterior.coords])
    api, transport, _ = make_api(dense_server(limit=100))
    crimes, report = fetch_crimes(api, holed, "2024-01")
    assert sent_polygon(transport.urls[0]).equals(DENSE_BOX)
    # The centre crime lies in the hole: returned, then dropped as outside the boundary.
    assert report.rows_read == 11 and report.rows_kept == 10
    assert report.dropped == {DROP_OUTSIDE_BOUNDARY: 1}
    assert "On or near Centre Point" not in set(crimes["location"])


# -- boundaries ------------------------------------------------------------------------


def test_recorded_boundary_becomes_a_lonlat_polygon():
    api, transport, _ = make_api(replay_routes)
    polygon = api.boundary("leicestershire", "NC04")
    assert isinstance(polygon, Polygon) and polygon.is_valid
    assert polygon.equals(CITY_CENTRE)
    assert polygon.bounds == (-1.14, 52.63, -1.12, 52.64)  # x is longitude
    assert transport.urls == ["https://data.police.uk/api/leicestershire/NC04/boundary"]


def test_self_crossing_boundary_is_repaired():
    bow_tie = [{"latitude": lat, "longitude": lng} for lat, lng in
               [("52.63", "-1.14"), ("52.64", "-1.12"), ("52.64", "-1.14"), ("52.63", "-1.12")]]
    api, _, _ = make_api(lambda url: Response(200, json.dumps(bow_tie).encode()))
    polygon = api.boundary("leicestershire", "NC04")
    assert polygon.is_valid and polygon.geom_type == "MultiPolygon"
    assert polygon.area == pytest.approx(0.5 * 0.02 * 0.01, rel=1e-9)


def test_neighbourhood_boundaries_as_named_areas():
    api, _, _ = make_api(replay_routes)
    done = []
    areas = fetch_neighbourhood_boundaries(api, "leicestershire", ["NC04", "NC66"],
                                           progress=lambda d, t, s: done.append((d, t, s)))
    assert areas["area_name"].tolist() == ["City Centre", "Cultural Quarter"]
    assert areas["neighbourhood_id"].tolist() == ["NC04", "NC66"]
    assert areas.crs.to_epsg() == 27700
    # Area on the ellipsoid (pyproj.Geod); British National Grid areas differ from it by
    # the grid's scale factor, within 0.1% here.
    geodesic = abs(Geod(ellps="airy").geometry_area_perimeter(CITY_CENTRE)[0])
    assert areas.geometry.iloc[0].area == pytest.approx(geodesic, rel=1e-3)
    assert 1.4e6 < geodesic < 1.5e6  # about 1.36 km x 1.11 km less the cut corner
    assert done == [(1, 2, "City Centre"), (2, 2, "Cultural Quarter")]


def test_unknown_neighbourhood_id_lists_the_known_ones():
    api, transport, _ = make_api(replay_routes)
    with pytest.raises(ParameterError, match="no neighbourhood 'XX99'.*'NC04' \\(City Centre\\)"):
        fetch_neighbourhood_boundaries(api, "leicestershire", ["NC04", "XX99"])
    assert len(transport.calls) == 1  # the list only; no boundary fetched
