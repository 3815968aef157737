"""A recorded data.police.uk for the client's tests: fake transport, fake clock, answers.

The recorded answers in ``tests/data/policeapi/`` are hand-written in the API's documented
format (no real data). Nothing here touches the network; waits go to a fake clock.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from shapely.geometry import Point
from shapely.geometry import Polygon
from shapely.geometry import box

from hotspots.policeapi import PoliceAPI
from hotspots.policeapi import Response

RECORDED = Path(__file__).resolve().parents[1] / "data" / "policeapi"
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
