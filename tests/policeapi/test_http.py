"""HTTP for the client: retries, the rate limit, and plain messages when offline.

Offline: recorded answers (``tests/data/policeapi/``, hand-written in the API's documented
format) replayed through a fake transport (:mod:`tests.policeapi.replay`); waits go to a fake
clock.
"""

from __future__ import annotations

import http.server
import socket
import threading
import urllib.error
import urllib.parse

import numpy as np
import pytest

from hotspots import HotspotsError
from hotspots.policeapi import OfflineError
from hotspots.policeapi import PoliceAPI
from hotspots.policeapi import Response
from hotspots.policeapi import ServiceUnavailableError
from hotspots.policeapi import urllib_transport
from tests.policeapi.replay import CANNOT_REACH
from tests.policeapi.replay import CITY_CENTRE
from tests.policeapi.replay import FakeClock
from tests.policeapi.replay import make_api
from tests.policeapi.replay import recorded

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
