"""Web basemap tiles under a print map, only when they can be had without waiting.

With ``basemap="auto"`` tiles are drawn only when contextily is installed and the tile
server answers a probe within :data:`TILE_TIMEOUT_S`; the probe runs in a thread, so a slow
DNS or a hanging server cannot hang a map, and a failed probe is remembered for
:data:`TILE_RETRY_S` (:class:`TileProbe`), so a report of many maps waits once at most.
Offline, maps show boundaries and context only; nothing fails for want of tiles.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotspots.validation import check_choice
from hotspots.viz.mapframe import MapPage

__all__ = [
    "BASEMAPS",
    "TILE_HOST",
    "TILE_TIMEOUT_S",
    "TILE_RETRY_S",
    "TILE_CREDIT",
    "TileProbe",
    "PROBE",
    "tiles_reachable",
    "want_tiles",
    "add_tiles",
]

log = logging.getLogger("hotspots.staticmaps")

#: Choices of ``basemap``: "auto" draws web tiles only when contextily is installed and the
#: tile server answers within TILE_TIMEOUT_S; "none" never tries.
BASEMAPS: tuple[str, ...] = ("auto", "none")
#: Tile server probed before any tile is requested.
TILE_HOST = ("tile.openstreetmap.org", 443)
#: Longest wait for the probe; the probe runs in a thread, so a slow DNS cannot hang a map.
TILE_TIMEOUT_S = 2.0
#: A failed probe is remembered this long, so a report of many maps waits only once.
TILE_RETRY_S = 300.0
#: Attribution required by OpenStreetMap tiles.
TILE_CREDIT = "Basemap © OpenStreetMap contributors."


def _answers(host: tuple[str, int], timeout: float, connect: Callable[..., Any]) -> bool:
    """Whether ``connect(host, timeout=...)`` succeeds within ``timeout`` seconds.

    The connection is tried in a daemon thread that is waited for ``timeout`` seconds at
    most: a connect that hangs is abandoned, never waited for.
    """
    answer: list[bool] = []

    def _connect() -> None:
        try:
            with connect(host, timeout=timeout):
                answer.append(True)
        except Exception:  # any failure to connect means: no tiles
            answer.append(False)

    worker = threading.Thread(target=_connect, daemon=True, name="hotspots-tile-probe")
    worker.start()
    worker.join(timeout)
    return bool(answer and answer[0])


@dataclass
class TileProbe:
    """Asks whether the tile server answers, remembering a failure for ``retry`` seconds.

    Parameters
    ----------
    host : (str, int)
        The server and port to connect to.
    retry : float
        Seconds a failed probe is remembered (no new probe until then).
    connect : callable, optional
        ``connect(host, timeout=...)`` returning a context manager; default
        :func:`socket.create_connection`, looked up when the probe runs.
    clock : callable
        Seconds, monotonic (:func:`time.monotonic`); injected in tests.

    Examples
    --------
    >>> now = [0.0]
    >>> probe = TileProbe(connect=lambda host, timeout: open("/no/such/file"),
    ...                   clock=lambda: now[0])
    >>> probe.reachable(timeout=1.0), probe.probes
    (False, 1)
    >>> now[0] = TILE_RETRY_S - 1; probe.reachable(timeout=1.0), probe.probes
    (False, 1)
    >>> now[0] = TILE_RETRY_S + 1; probe.reachable(timeout=1.0), probe.probes
    (False, 2)
    """

    host: tuple[str, int] = TILE_HOST
    retry: float = TILE_RETRY_S
    connect: Callable[..., Any] | None = None
    clock: Callable[[], float] = time.monotonic
    when: float = -math.inf
    ok: bool = False
    probes: int = 0

    def reachable(self, *, timeout: float) -> bool:
        """Probe the server (waiting ``timeout`` seconds at most), unless a failure is
        remembered; return whether it answered."""
        now = self.clock()
        if not self.ok and now - self.when < self.retry:
            return False
        self.probes += 1
        self.ok = _answers(self.host, timeout, self.connect or socket.create_connection)
        self.when = now
        return self.ok


#: The probe every map shares, so a failure is remembered across the maps of a report.
PROBE = TileProbe()


def tiles_reachable(*, timeout: float | None = None) -> bool:
    """Whether the tile server answers within ``timeout`` seconds (default
    :data:`TILE_TIMEOUT_S`); a failure is remembered for :data:`TILE_RETRY_S`."""
    return PROBE.reachable(timeout=TILE_TIMEOUT_S if timeout is None else timeout)


def want_tiles(basemap: Any) -> bool:
    """Decide, without anything that can hang, whether to try web tiles for ``basemap``."""
    if basemap is None:
        return False
    check_choice(basemap, name="basemap", choices=BASEMAPS)
    if basemap == "none":
        return False
    if importlib.util.find_spec("contextily") is None:
        log.info("No basemap tiles: contextily is not installed; drawing boundaries only.")
        return False
    if not tiles_reachable():
        log.info("No basemap tiles: %s did not answer within %g s.", TILE_HOST[0],
                 TILE_TIMEOUT_S)
        return False
    return True


def add_tiles(page: MapPage, crs: Any) -> bool:
    """Draw OpenStreetMap tiles under the map; any failure leaves the map without them."""
    try:
        ctx = importlib.import_module("contextily")
        ctx.add_basemap(page.ax, crs=crs, source=ctx.providers.OpenStreetMap.Mapnik,
                        attribution=False, zorder=0)
    except Exception as exc:  # any tile failure must still give a map (brief: never fail)
        log.warning("Basemap tiles could not be drawn (%s); drawing boundaries only.", exc)
        return False
    x0, y0, x1, y1 = page.extent
    page.ax.set_xlim(x0, x1)
    page.ax.set_ylim(y0, y1)
    page.credits.set_text(page.credits.get_text() + " " + TILE_CREDIT)
    return True
