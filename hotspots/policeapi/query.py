"""Street-level crime queries: the polygons sent, busy areas split, each crime kept once.

How a query treats the service (https://data.police.uk/docs/method/crime-street/):

* **Polygons in the URL.** ``/crimes-street/{category}?poly=lat,lng:lat,lng:...`` takes the
  area in the URL, and long URLs fail, so each polygon is sent as its outer ring with at
  most 100 vertices (the rule is in :func:`hotspots.policeapi.geometry.query_polygon`). The
  area sent always covers the real polygon; crimes returned outside it are dropped by
  :func:`hotspots.policeapi.fetch_crimes` and counted as "outside the boundary".
* **Busy areas.** More than 10,000 crimes in one call answers HTTP 503. The polygon is then
  cut into quadrants (recursively, depth first) and the parts are queried; crimes on the
  cut lines come back twice and are kept once (by the API's crime ``id``). A part under
  250 m across that still answers 503 means the service is down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from shapely.geometry import MultiPolygon
from shapely.geometry import Polygon

from hotspots.errors import PoliceAPIError
from hotspots.errors import ServiceUnavailableError
from hotspots.policeapi.geometry import MIN_SPLIT_METRES
from hotspots.policeapi.geometry import extent_metres
from hotspots.policeapi.geometry import n_vertices
from hotspots.policeapi.geometry import poly_param
from hotspots.policeapi.geometry import polygon_parts
from hotspots.policeapi.geometry import quadrants
from hotspots.policeapi.geometry import query_polygon
from hotspots.policeapi.http import Http
from hotspots.policeapi.http import decode_json
from hotspots.policeapi.table import MAX_CRIMES_PER_CALL
from hotspots.progress import Progress

__all__ = ["CrimeQuery", "UniqueCrimes", "query_street_crimes"]

log = logging.getLogger(__name__)


class UniqueCrimes:
    """Keeps each crime once, by the API's crime ``id``, and counts the repeats.

    Examples
    --------
    >>> unique = UniqueCrimes()
    >>> [c["id"] for c in unique.new([{"id": 1}, {"id": 2}])], unique.new([{"id": 2}])
    ([1, 2], [])
    >>> unique.duplicates
    1
    """

    def __init__(self) -> None:
        self._seen: set[Any] = set()
        self.duplicates = 0

    def new(self, items: Iterable[Mapping[str, Any]]) -> list[dict]:
        """The crimes of ``items`` not met before (in their order); repeats are counted."""
        fresh = []
        for item in items:
            key = crime_key(item)
            if key in self._seen:
                self.duplicates += 1
                continue
            self._seen.add(key)
            fresh.append(item)
        return fresh


def crime_key(item: Mapping[str, Any]) -> Any:
    """The API's crime ``id`` (unique per crime), used to keep each crime once."""
    key = item.get("id")
    return repr(sorted(item.items())) if key is None else key


@dataclass
class CrimeQuery:
    """The crimes one query returned and what it took, for the load report.

    Attributes
    ----------
    items : list of dict
        Crimes as the API lists them, each once.
    requests, splits, duplicates : int
        Calls made, parts split into quadrants (HTTP 503), crimes returned more than once.
    vertices, sent_vertices : int
        Vertices of the polygon(s) asked for, and of those sent.
    grown_metres : float
        How far the polygon sent was grown to cover the one asked for (0 if sent as is).
    """

    items: list[dict] = field(default_factory=list)
    requests: int = 0
    splits: int = 0
    duplicates: int = 0
    vertices: int = 0
    sent_vertices: int = 0
    grown_metres: float = 0.0


def query_street_crimes(
    http: Http,
    polygon: Polygon | MultiPolygon,
    month: str,
    slug: str,
    *,
    progress: Progress | None = None,
) -> CrimeQuery:
    """The street-level crimes of ``month`` (``"YYYY-MM"``) and ``slug`` in ``polygon``.

    Each part of the polygon is sent through :func:`query_polygon`; a part answered with
    HTTP 503 is split into quadrants, queried in turn. ``progress(done, total, label)`` is
    called after each answered part (``total`` grows when a part is split).
    """
    query = CrimeQuery()
    stack = []
    for shape in polygon_parts(polygon, name="polygon"):
        sent, grown = query_polygon(shape)
        query.vertices += n_vertices(shape)
        query.sent_vertices += n_vertices(sent)
        query.grown_metres = max(query.grown_metres, grown)
        stack.append(sent)
    stack.reverse()
    total, done = len(stack), 0
    unique = UniqueCrimes()
    while stack:
        part = stack.pop()
        answer = _crimes_call(http, part, month, slug)
        query.requests += 1
        if answer is None:
            children = _split(http, part, month)
            query.splits += 1
            total += len(children) - 1
            stack.extend(reversed(children))
            continue
        done += 1
        query.items.extend(unique.new(answer))
        if progress is not None:
            progress(done, total, f"{slug} {month}: part {done} of {total}")
    query.duplicates = unique.duplicates
    return query


def _crimes_call(http: Http, part: Polygon, month: str, slug: str) -> list[dict] | None:
    """One call for one part: its crimes, or None when the part holds too many (503)."""
    path = f"crimes-street/{slug}"
    response = http.get(
        path, {"poly": poly_param(part), "date": month}, split_503=True,
        not_found=f"data.police.uk has no street-level crimes for {month}. The API holds "
        "the last few years only, published a month or two after each month ends; "
        "PoliceAPI().available_months() lists the months it has.",
    )
    if response is None:
        return None
    answer = decode_json(response, http.url(path, {"date": month}))
    if not isinstance(answer, list) or not all(isinstance(i, dict) for i in answer):
        raise PoliceAPIError(
            f"data.police.uk answered crimes-street/{slug} for {month} with "
            f"{str(answer)[:80]!r}, not a list of crimes; the API may have changed."
        )
    return answer


def _split(http: Http, part: Polygon, month: str) -> list[Polygon]:
    """The quadrants of a part too busy to query, each ready to send."""
    size = extent_metres(part)
    if size < MIN_SPLIT_METRES:
        raise ServiceUnavailableError(
            f"Cannot reach {http.host} (it answered HTTP 503 Service Unavailable "
            f"for {month} even for a part of the area {size:.0f} m across, too small to "
            f"hold {MAX_CRIMES_PER_CALL:,} crimes, so the service is probably down). Try "
            "again later, or load a downloaded police.uk CSV/zip instead."
        )
    children = [query_polygon(p)[0] for p in quadrants(part)]
    log.info("more than %s crimes in a part %.0f m across for %s: split into %d parts",
             f"{MAX_CRIMES_PER_CALL:,}", size, month, len(children))
    return children
