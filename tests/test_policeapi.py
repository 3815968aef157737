"""data.police.uk client, offline: recorded answers replayed through a fake transport.

The recorded answers in ``tests/data/policeapi/`` are hand-written in the API's documented
format (no real data). Nothing here touches the network; waits go to a fake clock.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import urllib.error
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, box

from hotspots import HotspotsError, ParameterError, load_crimes
from hotspots.io.report import DROP_OUTSIDE_BOUNDARY
from hotspots.policeapi import (
    MAX_POLY_VERTICES,
    OfflineError,
    PoliceAPI,
    PoliceAPIError,
    Response,
    ServiceUnavailableError,
    fetch_crimes,
    fetch_neighbourhood_boundaries,
    load_api_categories,
    query_polygon,
    urllib_transport,
)
from hotspots.schema import CRIME_COLUMNS, POLICE_UK_CATEGORIES

RECORDED = Path(__file__).resolve().parent / "data" / "policeapi"
#: The City Centre pentagon of boundary_leicestershire_NC04.json, as (lon, lat).
CITY_CENTRE = Polygon([(-1.14, 52.63), (-1.14, 52.64), (-1.125, 52.64), (-1.12, 52.636),
                       (-1.12, 52.63)])
#: The bounding box of crimes_street_dense_2024-01.json (centre -1.13, 52.635).
DENSE_BOX = box(-1.14, 52.63, -1.12, 52.64)
CANNOT_REACH = "Check the network connection or load a downloaded police.uk CSV/zip instead."


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


def items(name: str) -> list[dict]:
    return json.loads(recorded(name))


class FakeClock:
    """``clock`` and ``sleep`` for the client: sleeping advances time, nothing waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeTransport:
    """Calls ``handler(url)`` for an answer (or an exception), recording URL and time."""

    def __init__(self, handler: Callable[[str], Response], clock: FakeClock) -> None:
        self.handler = handler
        self.clock = clock
        self.calls: list[tuple[str, float]] = []

    def __call__(self, url: str, *, timeout: float) -> Response:
        self.calls.append((url, self.clock.now))
        return self.handler(url)

    @property
    def urls(self) -> list[str]:
        return [u for u, _ in self.calls]


def make_api(handler: Callable[[str], Response], **options) -> tuple[PoliceAPI, FakeTransport,
                                                                     FakeClock]:
    clock = FakeClock()
    transport = FakeTransport(handler, clock)
    api = PoliceAPI(transport=transport, sleep=clock.sleep, clock=clock.clock, **options)
    return api, transport, clock


def query(url: str) -> tuple[str, dict[str, str]]:
    parts = urllib.parse.urlsplit(url)
    return parts.path, {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}


def sent_polygon(url: str) -> Polygon:
    """The polygon of a crimes-street URL's ``poly`` parameter, as (lon, lat)."""
    pairs = [p.split(",") for p in query(url)[1]["poly"].split(":")]
    return Polygon([(float(lng), float(lat)) for lat, lng in pairs])


def replay_routes(url: str) -> Response:
    """A recorded data.police.uk: answers by path (and month for crimes)."""
    path, params = query(url)
    if path == "/api/forces":
        return Response(200, recorded("forces.json"))
    if path == "/api/leicestershire/neighbourhoods":
        return Response(200, recorded("neighbourhoods_leicestershire.json"))
    if path.startswith("/api/leicestershire/") and path.endswith("/boundary"):
        hood = path.split("/")[3]
        name = RECORDED / f"boundary_leicestershire_{hood}.json"
        return Response(200, name.read_bytes()) if name.exists() else Response(404, b"")
    if path == "/api/crimes-street-dates":
        return Response(200, recorded("crimes_street_dates.json"))
    if path == "/api/crimes-street/all-crime":
        name = RECORDED / f"crimes_street_all_crime_{params['date']}.json"
        return Response(200, name.read_bytes()) if name.exists() else Response(404, b"")
    return Response(404, b'{"error": "not found"}')


def dense_server(limit: int) -> Callable[[str], Response]:
    """Crimes of the dense file inside the sent polygon (edges included); 503 over ``limit``."""
    pool = items("crimes_street_dense_2024-01.json")

    def handler(url: str) -> Response:
        polygon = sent_polygon(url)
        inside = [c for c in pool if polygon.covers(
            Point(float(c["location"]["longitude"]), float(c["location"]["latitude"])))]
        if len(inside) > limit:
            return Response(503, b"")
        return Response(200, json.dumps(inside).encode())

    return handler


# -- categories ------------------------------------------------------------------------


def test_category_table_maps_every_police_uk_type_once():
    table = load_api_categories()
    mapped = table.loc[table["category"] != "", "category"]
    assert sorted(mapped) == sorted(POLICE_UK_CATEGORIES)
    assert table["slug"].is_unique
    slugs = dict(zip(table["slug"], table["category"], strict=True))
    assert slugs["violent-crime"] == "Violence and sexual offences"
    assert slugs["criminal-damage-arson"] == "Criminal damage and arson"
    assert slugs["anti-social-behaviour"] == "Anti-social behaviour"
    assert slugs["all-crime"] == ""


def test_category_file_with_a_wrong_type_is_refused(tmp_path):
    bad = tmp_path / "cats.csv"
    bad.write_text("slug,api_name,category\nburglary,Burglary,Burglery\n")
    with pytest.raises(HotspotsError, match="Burglery"):
        load_api_categories(bad)


# -- parsing recorded crimes ----------------------------------------------------------


def test_recorded_crimes_become_the_canonical_table():
    api, transport, _ = make_api(replay_routes)
    crimes, report = fetch_crimes(api, CITY_CENTRE, "2024-01", force="Leicestershire Police")
    assert list(crimes.columns) == [*CRIME_COLUMNS, "geometry"]
    assert crimes.crs.to_epsg() == 27700
    # 9 recorded, 1 beyond the cut corner of the pentagon.
    assert report.rows_read == 9
    assert report.rows_kept == len(crimes) == 8
    assert report.dropped == {DROP_OUTSIDE_BOUNDARY: 1}
    assert report.is_consistent()
    assert "On or near Humberstone Gate" not in set(crimes["location"])
    by_category = crimes.set_index("category")
    assert by_category.loc["Violence and sexual offences", "outcome"] == (
        "Unable to prosecute suspect")
    assert by_category.loc["Burglary", "outcome"] == (
        "Investigation complete; no suspect identified")
    assert by_category.loc["Burglary", "location"] == "On or near Oxford Street"
    asb = by_category.loc["Anti-social behaviour"]
    assert asb["crime_id"] == "" and asb["outcome"] == ""  # ASB: no id; outcome null
    burglary_id = items("crimes_street_all_crime_2024-01.json")[0]["persistent_id"]
    assert by_category.loc["Burglary", "crime_id"] == burglary_id
    assert by_category.loc["Theft from the person", "force"] == "British Transport Police"
    assert by_category.loc["Shoplifting", "force"] == "Leicestershire Police"
    assert set(crimes["month"]) == {pd.Timestamp("2024-01-01")}
    assert crimes["date"].isna().all()
    assert (crimes["lsoa_code"] == "").all() and (crimes["weight"] == 1.0).all()
    # Coordinates: the recorded lon/lat projected to British National Grid.
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    x, y = to_bng.transform(-1.1384, 52.6312)
    point = crimes.loc[crimes["category"] == "Burglary", "geometry"].iloc[0]
    np.testing.assert_allclose([point.x, point.y], [x, y], atol=0.01)
    assert report.months == ["2024-01"]
    assert report.categories["Burglary"] == 1
    assert len(report.sources) == 1 and "crimes-street/all-crime?date=2024-01" in (
        report.sources[0])
    # One request, with the pentagon as the poly parameter (lat,lng pairs).
    assert len(transport.calls) == 1
    assert sent_polygon(transport.urls[0]).equals(CITY_CENTRE)


def test_unknown_category_slug_is_kept_and_reported():
    api, _, _ = make_api(replay_routes)
    crimes, report = fetch_crimes(api, CITY_CENTRE, "2024-01")
    assert (crimes["category"] == "new-category").sum() == 1
    assert report.categories["new-category"] == 1
    note = next(n for n in report.notes if "'new-category'" in n)
    assert "not one of the 14 police.uk crime types" in note
    assert "slug not in police_api_categories.csv" in note


def test_unknown_category_requested_is_an_error_listing_slugs():
    api, transport, _ = make_api(replay_routes)
    with pytest.raises(ParameterError, match="'violent-crime'") as info:
        api.crimes(CITY_CENTRE, "2024-01", category="violence")
    assert "'violence'" in str(info.value)
    assert transport.calls == []


def test_fetched_table_has_the_shape_of_load_crimes(tmp_path):
    api, _, _ = make_api(replay_routes)
    fetched, _ = fetch_crimes(api, CITY_CENTRE, ["2024-01", "2024-02"])
    csv = tmp_path / "2024-01-leicestershire-street.csv"
    csv.write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context\n"
        "ab,2024-01,Leicestershire Police,Leicestershire Police,-1.1384,52.6312,"
        "On or near Oxford Street,E01,Leicester 001A,Burglary,,\n"
    )
    loaded, _ = load_crimes(csv)
    assert list(fetched.columns) == list(loaded.columns)
    assert fetched.dtypes.astype(str).to_dict() == loaded.dtypes.astype(str).to_dict()
    assert fetched.crs == loaded.crs


def test_several_months_and_areas_merge_without_duplicates():
    api, transport, _ = make_api(replay_routes)
    areas = fetch_neighbourhood_boundaries(api, "leicestershire", ["NC04", "NC66"])
    calls_before = len(transport.calls)
    seen = []
    crimes, report = fetch_crimes(api, areas, ["2024-02", "2024-01"],
                                  progress=lambda d, t, label: seen.append((d, t, label)))
    # Both areas get the same recorded answer per month: each crime is kept once.
    assert len(transport.calls) - calls_before == 4
    assert report.rows_read == 9 + 2
    assert report.months == ["2024-01", "2024-02"]
    assert any("returned twice" in n and n.startswith("11 ") for n in report.notes)
    # The crime beyond the pentagon's cut corner is outside both areas.
    assert report.dropped == {DROP_OUTSIDE_BOUNDARY: 1}
    assert seen == [(1, 4, "2024-01 City Centre"), (2, 4, "2024-01 Cultural Quarter"),
                    (3, 4, "2024-02 City Centre"), (4, 4, "2024-02 Cultural Quarter")]
    assert len(crimes) == 10


# -- 503: split and merge -------------------------------------------------------------


def test_503_splits_into_quadrants_and_dedupes_the_cut_lines():
    api, transport, _ = make_api(dense_server(limit=5))
    query = api.query_crimes(DENSE_BOX, "2024-01", category="all-crime")
    ids = [c["id"] for c in query.items]
    assert len(ids) == len(set(ids)) == 11
    assert set(ids) == {c["id"] for c in items("crimes_street_dense_2024-01.json")}
    # 1 call for the box (503), then its 4 quadrants; the centre crime comes back 4 times,
    # the two on a half cut line twice each: 3 + 1 + 1 repeats.
    assert len(transport.calls) == 5
    assert (query.requests, query.splits, query.duplicates) == (5, 1, 5)
    quarters = [sent_polygon(u).bounds for u in transport.urls[1:]]
    assert quarters == [(-1.14, 52.63, -1.13, 52.635), (-1.13, 52.63, -1.12, 52.635),
                        (-1.14, 52.635, -1.13, 52.64), (-1.13, 52.635, -1.12, 52.64)]


def test_deeper_splits_still_return_each_crime_once():
    api, transport, _ = make_api(dense_server(limit=2))
    seen = []
    found = api.crimes(DENSE_BOX, "2024-01", progress=lambda d, t, s: seen.append((d, t)))
    ids = [c["id"] for c in found]
    assert sorted(ids) == sorted(c["id"] for c in items("crimes_street_dense_2024-01.json"))
    assert len(transport.calls) > 5
    assert seen[-1][0] == seen[-1][1]  # progress ends with done == total
    assert all(d <= t for d, t in seen)


def test_fetch_report_counts_the_split():
    api, _, _ = make_api(dense_server(limit=5))
    crimes, report = fetch_crimes(api, DENSE_BOX, "2024-01")
    assert len(crimes) == report.rows_read == 11
    assert report.rows_kept == 11 and report.dropped == {}
    assert "in 5 request(s)" in report.notes[0]
    assert any("1 request(s) held more than 10,000 crimes" in n for n in report.notes)
    assert any(n.startswith("5 crime(s) returned twice") for n in report.notes)


def test_503_for_every_part_means_the_service_is_down():
    api, transport, _ = make_api(lambda url: Response(503, b""))
    with pytest.raises(ServiceUnavailableError) as info:
        api.crimes(DENSE_BOX, "2024-01")
    message = str(info.value)
    assert message.startswith("Cannot reach data.police.uk (it answered HTTP 503")
    assert "load a downloaded police.uk CSV/zip instead" in message
    # Depth first: the box (about 1.4 km) and one chain of quadrants down to < 250 m.
    assert len(transport.calls) == 4


# -- retries and rate limit -----------------------------------------------------------


def test_429_is_retried_after_the_time_it_asks():
    answers = iter([Response(429, b"", {"Retry-After": "2"}),
                    Response(200, recorded("forces.json"))])
    api, transport, clock = make_api(lambda url: next(answers))
    forces = api.forces()
    assert [f["id"] for f in forces][:2] == ["avon-and-somerset", "leicestershire"]
    assert len(transport.calls) == 2
    assert clock.sleeps == [2.0]  # the Retry-After; the rate limiter had time enough
    assert transport.calls[1][1] - transport.calls[0][1] == pytest.approx(2.0)


def test_5xx_backs_off_then_gives_a_plain_message():
    api, transport, clock = make_api(lambda url: Response(502, b"<html>Bad gateway</html>"),
                                     max_retries=3)
    with pytest.raises(ServiceUnavailableError) as info:
        api.forces()
    assert len(transport.calls) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]
    message = str(info.value)
    assert message.startswith("Cannot reach data.police.uk (it answered HTTP 502 Bad Gateway "
                              "to 4 attempts over 7 s)")
    assert "Traceback" not in message and "\n" not in message


def test_retry_after_beyond_a_minute_stops_at_once():
    api, transport, clock = make_api(lambda url: Response(429, b"", {"retry-after": "3600"}))
    with pytest.raises(ServiceUnavailableError, match="asks clients to wait 3600 s"):
        api.forces()
    assert len(transport.calls) == 1 and clock.sleeps == []


def test_rate_limiter_never_exceeds_15_requests_in_any_second():
    api, transport, clock = make_api(lambda url: Response(200, b"[]"))
    for _ in range(100):
        api.forces()
    times = np.array([t for _, t in transport.calls])
    assert len(times) == 100
    # Sliding one-second windows starting at every request (1 microsecond of float slack).
    in_window = [(times >= t) & (times < t + 1 - 1e-6) for t in times]
    assert max(int(w.sum()) for w in in_window) == 15
    assert times[-1] == pytest.approx(99 / 15)


def test_rate_limiter_with_the_api_burst_allows_30_then_15_per_second():
    api, transport, _ = make_api(lambda url: Response(200, b"[]"), burst=30)
    for _ in range(100):
        api.forces()
    times = np.array([t for _, t in transport.calls])
    assert (times[:30] == 0).all()
    np.testing.assert_allclose(times[30:], (np.arange(70) + 1) / 15, rtol=0, atol=1e-9)


# -- offline ---------------------------------------------------------------------------


@pytest.mark.parametrize("error, why", [
    (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
    (socket.gaierror(-3, "Temporary failure in name resolution"), "could not be looked up"),
    (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
     "could not be looked up"),
    (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")),
     "connection refused"),
    (OSError(101, "Network is unreachable"), "Network is unreachable"),
])
def test_no_network_says_plainly_it_cannot_reach_the_service(error, why):
    def refuse(url: str) -> Response:
        raise error

    api, transport, clock = make_api(refuse)
    with pytest.raises(OfflineError) as info:
        api.forces()
    message = str(info.value)
    assert isinstance(info.value, HotspotsError)
    assert message.startswith("Cannot reach data.police.uk (")
    assert why in message and message.endswith(CANNOT_REACH)
    assert "Traceback" not in message and "\n" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert len(transport.calls) == 1 and clock.sleeps == []  # no pointless retries


def test_timeouts_are_retried_then_reported_as_unreachable():
    def hang(url: str) -> Response:
        raise TimeoutError("timed out")

    api, transport, clock = make_api(hang, max_retries=2, timeout=30)
    with pytest.raises(OfflineError) as info:
        api.crimes(CITY_CENTRE, "2024-01")
    assert len(transport.calls) == 3 and clock.sleeps == [1.0, 2.0]
    assert str(info.value) == (
        f"Cannot reach data.police.uk (no answer within 30 s; 3 attempts). {CANNOT_REACH}")


def test_real_transport_on_a_closed_port_is_offline():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = PoliceAPI(base_url=f"http://127.0.0.1:{port}/api", sleep=lambda s: None)
    with pytest.raises(OfflineError, match=r"^Cannot reach 127\.0\.0\.1 \(connection refused"):
        api.forces()


class _Handler(http.server.BaseHTTPRequestHandler):
    answers: list[tuple[int, dict, bytes]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        status, headers, body = self.answers.pop(0)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_real_transport_passes_429_and_its_headers_through():
    _Handler.answers = [(429, {"Retry-After": "1"}, b""),
                        (200, {"Content-Type": "application/json"}, recorded("forces.json"))]
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api"
        first = urllib_transport(url + "/forces", timeout=5)
        assert first.status == 429 and first.header("retry-after") == "1"
        clock = FakeClock()
        _Handler.answers = [(429, {"Retry-After": "1"}, b""),
                            (200, {}, recorded("forces.json"))]
        api = PoliceAPI(base_url=url, sleep=clock.sleep, clock=clock.clock)
        assert len(api.forces()) == 4
        assert clock.sleeps == [1.0]
    finally:
        server.shutdown()
        server.server_close()


def test_real_transport_retries_an_answer_cut_off_midway():
    body = recorded("forces.json")
    _Handler.answers = [(200, {"Content-Length": str(len(body) + 50)}, body[:20]),
                        (200, {}, body)]
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        clock = FakeClock()
        api = PoliceAPI(base_url=f"http://127.0.0.1:{server.server_port}/api",
                        sleep=clock.sleep, clock=clock.clock)
        assert [f["id"] for f in api.forces()][-1] == "nottinghamshire"
        assert clock.sleeps == [1.0] and _Handler.answers == []
    finally:
        server.shutdown()
        server.server_close()


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
