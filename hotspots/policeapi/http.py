"""HTTP for the data.police.uk client: transport, rate limit, retries, plain errors.

A *transport* is a callable ``transport(url, *, timeout) -> Response`` that returns every
HTTP answer (any status) as a :class:`Response` and raises :class:`OSError`
(``TimeoutError``, ``ConnectionRefusedError``, ``socket.gaierror``,
``urllib.error.URLError`` ...) when no answer arrives. :func:`urllib_transport` uses the
standard library; tests inject fakes that replay recorded answers.

:class:`Http` adds to a transport: a token bucket (``rate`` per second, ``burst`` at once),
retries of 429/5xx answers and timeouts (``Retry-After`` honoured, else exponential
backoff), and messages that say plainly when the service cannot be reached.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Protocol

from hotspots import __version__
from hotspots.errors import OfflineError
from hotspots.errors import PoliceAPIError
from hotspots.errors import ServiceUnavailableError

__all__ = [
    "Response",
    "Transport",
    "urllib_transport",
    "TokenBucket",
    "Http",
]

log = logging.getLogger(__name__)

#: Retry backoff: first wait and cap, in seconds (waits 1, 2, 4, 8, 16, 30, ...). A
#: judgement: long enough for a restarting server, short enough for someone waiting.
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
#: Longest ``Retry-After`` honoured (seconds); a longer one stops with a clear message.
MAX_RETRY_AFTER = 60.0

_USER_AGENT = f"hotspots/{__version__} (Safer Streets hotspot planning; Python urllib)"
#: No answer, but worth another try; any other OSError means no network: fail at once.
_TRANSIENT = (TimeoutError, ConnectionResetError, ConnectionAbortedError)
_STATUS_TEXT = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                503: "Service Unavailable", 504: "Gateway Timeout"}
_INSTEAD = "load a downloaded police.uk CSV/zip instead."





@dataclass(frozen=True)
class Response:
    """One HTTP answer: status code, body bytes and headers.

    Examples
    --------
    >>> r = Response(429, b"", {"Retry-After": "2"})
    >>> r.header("retry-after")
    '2'
    """

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """Return the value of header ``name`` (any case), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class Transport(Protocol):
    """``transport(url, *, timeout) -> Response``; raise OSError when there is no answer."""

    def __call__(self, url: str, *, timeout: float) -> Response: ...  # pragma: no cover


def urllib_transport(url: str, *, timeout: float) -> Response:
    """GET ``url`` with the standard library; every HTTP answer becomes a :class:`Response`.

    Raises :class:`OSError` (``urllib.error.URLError``, ``TimeoutError``, ...) when no
    answer arrives, and :class:`ConnectionResetError` for an answer cut off midway.

    Examples
    --------
    >>> import socket
    >>> with socket.socket() as s:           # a local port with nobody listening
    ...     _ = s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    >>> try:
    ...     urllib_transport(f"http://127.0.0.1:{port}/api/forces", timeout=5)
    ... except OSError as exc:
    ...     print(type(exc).__name__)
    URLError
    """
    request = urllib.request.Request(
        url, headers={"User-Agent": _USER_AGENT, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, answer.read(), dict(answer.headers.items()))
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read()
        except (OSError, http.client.HTTPException):
            body = b""
        finally:
            exc.close()
        return Response(exc.code, body, dict(exc.headers.items()) if exc.headers else {})
    except http.client.HTTPException as exc:
        # A truncated answer (IncompleteRead, BadStatusLine ...): worth another try.
        raise ConnectionResetError(f"the answer was cut off ({type(exc).__name__})") from exc


class TokenBucket:
    """At most ``rate`` requests per second on average and ``burst`` at once.

    ``clock`` and ``sleep`` are injected (``time.monotonic`` and ``time.sleep``), so
    tests can check the spacing without waiting.

    Examples
    --------
    >>> now = [0.0]
    >>> bucket = TokenBucket(2.0, 1, lambda: now[0], lambda s: now.__setitem__(0, now[0] + s))
    >>> [bucket.acquire() for _ in range(3)]
    [0.0, 0.5, 0.5]
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float],
                 sleep: Callable[[float], Any]) -> None:
        self._rate = float(rate)
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = clock()

    def acquire(self) -> float:
        """Take one token, sleeping until there is one; return the seconds slept."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        waited = 0.0
        if self._tokens < 1.0:
            waited = (1.0 - self._tokens) / self._rate
            self._sleep(waited)
            # Account as if exactly `waited` passed: an early wake-up is paid back later.
            self._tokens = 1.0
            self._last = now + waited
        self._tokens -= 1.0
        return waited


class Http:
    """GET JSON from one API root through a transport, with rate limit and retries."""

    def __init__(self, *, base_url: str, transport: Transport, bucket: TokenBucket,
                 max_retries: int, timeout: float, sleep: Callable[[float], Any]) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urllib.parse.urlsplit(self.base_url).hostname or self.base_url
        self.max_retries = max_retries
        self.timeout = timeout
        self._transport = transport
        self._bucket = bucket
        self._sleep = sleep

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """Full URL of ``path`` (segments already quoted) with the query ``params``."""
        query = "?" + urllib.parse.urlencode(params, safe=":,") if params else ""
        return f"{self.base_url}/{path.lstrip('/')}{query}"

    def cannot_reach(self, why: str) -> str:
        """The plain message for a service that cannot be reached."""
        return f"Cannot reach {self.host} ({why}). Check the network connection or {_INSTEAD}"

    def get(self, path: str, params: Mapping[str, str] | None = None, *,
            not_found: str = "", split_503: bool = False) -> Response | None:
        """GET ``path``; return the 2xx answer, or None for a 503 when ``split_503``.

        ``not_found`` is the message for a 404. Raises :class:`OfflineError`,
        :class:`ServiceUnavailableError` or :class:`PoliceAPIError`.
        """
        url = self.url(path, params)
        waited = 0.0
        attempt = 0
        while True:
            self._bucket.acquire()
            tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
            try:
                response = self._transport(url, timeout=self.timeout)
            except OSError as exc:
                delay = self._network_delay(exc, url, attempt, tries)
            else:
                if 200 <= response.status < 300:
                    return response
                if response.status == 503 and split_503:
                    return None
                delay = self._status_delay(response, url, not_found, attempt, tries, waited)
            self._sleep(delay)
            waited += delay
            attempt += 1

    def _network_delay(self, exc: OSError, url: str, attempt: int, tries: str) -> float:
        """Seconds to wait before retrying after no answer, or raise OfflineError."""
        cause = _root_cause(exc)
        why = _describe_network_error(cause, self.host, self.timeout)
        if not isinstance(cause, _TRANSIENT):
            log.debug("no answer from %s: %r", url, exc)
            raise OfflineError(self.cannot_reach(why)) from None
        if attempt >= self.max_retries:
            raise OfflineError(self.cannot_reach(f"{why}; {tries}")) from None
        delay = _backoff(attempt)
        log.warning("%s: %s; retrying in %.0f s", url, why, delay)
        return delay

    def _status_delay(self, response: Response, url: str, not_found: str, attempt: int,
                      tries: str, waited: float) -> float:
        """Seconds to wait before retrying an error answer, or raise."""
        status = response.status
        if status != 429 and status < 500:
            raise PoliceAPIError(_client_error(status, url, not_found, response))
        text = f"HTTP {status} {_STATUS_TEXT.get(status, '')}".rstrip()
        asked = _retry_after(response.header("Retry-After"))
        if asked is not None and asked > MAX_RETRY_AFTER:
            raise ServiceUnavailableError(
                f"Cannot reach {self.host} now: it answered {text} and asks clients to wait "
                f"{asked:.0f} s. Try again later, or {_INSTEAD}"
            )
        if attempt >= self.max_retries:
            raise ServiceUnavailableError(
                f"Cannot reach {self.host} (it answered {text} to {tries} over {waited:.0f} "
                f"s). The service may be busy or down: try again later, or {_INSTEAD}"
            )
        delay = asked if asked is not None else _backoff(attempt)
        log.warning("%s: %s; retrying in %.1f s", url, text, delay)
        return delay

    def get_json(self, path: str, params: Mapping[str, str] | None = None, *,
                 not_found: str = "") -> Any:
        """GET ``path`` and decode its JSON."""
        return decode_json(self.get(path, params, not_found=not_found), self.url(path))


def decode_json(response: Response | None, url: str) -> Any:
    """Decode an answer's JSON, or raise a PoliceAPIError that says what arrived instead."""
    body = response.body if response is not None else b""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = body[:60].decode("utf-8", "replace").strip()
        raise PoliceAPIError(
            f"data.police.uk answered {url} with something that is not JSON ({start!r}). "
            f"Behind a proxy or a Wi-Fi sign-in page? Sign in, or {_INSTEAD}"
        ) from None


def _root_cause(exc: BaseException) -> BaseException:
    while isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    return exc


def _describe_network_error(exc: BaseException, host: str, timeout: float) -> str:
    if isinstance(exc, socket.gaierror):
        return f"the name {host} could not be looked up: no network or no DNS"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, ConnectionResetError | ConnectionAbortedError):
        return "the connection was cut"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason).splitlines()[0][:160]
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).splitlines()[0][:160]


def _backoff(attempt: int) -> float:
    return min(BACKOFF_CAP, BACKOFF_BASE * 2.0**attempt)


def _retry_after(value: str | None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _client_error(status: int, url: str, not_found: str, response: Response) -> str:
    where = url.split("?")[0]
    if status == 404 and not_found:
        return f"{not_found} (HTTP 404 for {where})"
    detail = response.body[:200].decode("utf-8", "replace").strip().splitlines()
    said = f": {detail[0]!r}" if detail else ""
    return f"data.police.uk refused {where} with HTTP {status}{said}."
