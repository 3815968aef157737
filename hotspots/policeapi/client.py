"""Fetch crimes and neighbourhood boundaries from the data.police.uk API, when online.

:class:`PoliceAPI` is a small client for the parts of the API the planning app needs:
forces, neighbourhoods, neighbourhood boundaries and street-level crimes in a polygon.
:func:`fetch_crimes` turns its answers into the canonical crime table (EPSG:27700) with a
:class:`~hotspots.io.LoadReport`, as :func:`hotspots.load_crimes` does for downloaded
files; :func:`fetch_neighbourhood_boundaries` gives areas like :func:`hotspots.load_boundary`.

How the client treats the service (https://data.police.uk/docs/):

* **Street crimes.** Polygons go in the URL (simplified when long) and busy areas are split
  into quadrants; :mod:`hotspots.policeapi.query` says how.
* **Rate.** The API allows 15 requests per second (bursts of 30). A token bucket keeps the
  client at ``rate`` requests per second with bursts of ``burst`` (default 1: requests
  evenly spaced, never more than ``rate`` in any one-second window).
* **Retries.** 429 and 5xx answers, and timeouts, are retried up to ``max_retries`` times,
  waiting as the ``Retry-After`` header says, else 1, 2, 4, ... s. No network (DNS failure,
  connection refused) fails at once with :class:`OfflineError`: "Cannot reach
  data.police.uk (...). Check the network connection or load a downloaded police.uk
  CSV/zip instead."

HTTP goes through a *transport*, ``transport(url, *, timeout) -> Response``, which returns
every HTTP answer as a :class:`Response` and raises :class:`OSError` when no answer
arrives. :func:`urllib_transport` (standard library) is the default; tests inject fakes
that replay recorded answers.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
from collections.abc import Callable
from collections.abc import Iterable
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon
from shapely.geometry import Polygon

from hotspots.errors import HotspotsError
from hotspots.errors import ParameterError
from hotspots.errors import PoliceAPIError
from hotspots.io.boundaries import AREA_NAME
from hotspots.io.clean import BNG
from hotspots.io.clean import WGS84
from hotspots.io.report import LoadReport
from hotspots.months import as_month
from hotspots.months import month_label
from hotspots.policeapi.geometry import boundary_polygon
from hotspots.policeapi.http import Http
from hotspots.policeapi.http import TokenBucket
from hotspots.policeapi.http import Transport
from hotspots.policeapi.http import urllib_transport
from hotspots.policeapi.query import CrimeQuery
from hotspots.policeapi.query import UniqueCrimes
from hotspots.policeapi.query import query_street_crimes
from hotspots.policeapi.table import ALL_CRIME
from hotspots.policeapi.table import areas_from
from hotspots.policeapi.table import category_name
from hotspots.policeapi.table import check_slug
from hotspots.policeapi.table import crime_row
from hotspots.policeapi.table import crime_table
from hotspots.policeapi.table import fetch_notes
from hotspots.progress import Progress
from hotspots.validation import check_positive

__all__ = [
    "PoliceAPI",
    "fetch_crimes",
    "fetch_neighbourhood_boundaries",
    "DEFAULT_BASE_URL",
    "API_RATE",
]

log = logging.getLogger(__name__)


#: The live API.
DEFAULT_BASE_URL = "https://data.police.uk/api"
#: Requests per second allowed by data.police.uk ("15 requests per second with a burst of
#: 30", https://data.police.uk/docs/api-call-limits/).
API_RATE = 15.0
#: Client token-bucket size. 1 spaces requests evenly (at most ``rate`` in any second),
#: well inside the API's burst of 30.
DEFAULT_BURST = 1
#: Retries of a 429/5xx answer or a timeout (so up to 6 attempts, about 31 s of waiting).
DEFAULT_MAX_RETRIES = 5
#: Seconds to wait for an answer (busy crimes-street calls can take tens of seconds).
DEFAULT_TIMEOUT = 30.0


class PoliceAPI:
    """Client for data.police.uk: forces, neighbourhoods, boundaries, street crimes.

    Parameters
    ----------
    base_url : str
        API root, default ``https://data.police.uk/api``.
    transport : callable, optional
        ``transport(url, *, timeout) -> Response``; default :func:`urllib_transport`.
    rate : float
        Requests per second, at most (the API allows 15).
    burst : int
        Requests allowed at once before ``rate`` applies (token-bucket size).
    max_retries : int
        Retries of an answer 429 or 5xx, or of a timeout, before giving up.
    timeout : float
        Seconds to wait for each answer.
    sleep, clock : callable
        ``time.sleep`` and ``time.monotonic``; tests inject fakes (no real waiting).

    Examples
    --------
    >>> from hotspots.policeapi.http import Response
    >>> def replay(url, *, timeout):
    ...     return Response(200, b'[{"id": "leicestershire", "name": "Leicestershire Police"}]')
    >>> PoliceAPI(transport=replay).forces()
    [{'id': 'leicestershire', 'name': 'Leicestershire Police'}]
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: Transport | None = None,
        rate: float = API_RATE,
        burst: int = DEFAULT_BURST,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        rate = check_positive(rate, name="rate")
        timeout = check_positive(timeout, name="timeout")
        for name, value, low in (("burst", burst, 1), ("max_retries", max_retries, 0)):
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ParameterError(
                    f"The '{name}' parameter must be a whole number >= {low}, got {value!r}."
                )
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ParameterError(
                f"The 'base_url' parameter must be an http(s) URL such as "
                f"{DEFAULT_BASE_URL!r}, got {base_url!r}."
            )
        self._http = Http(
            base_url=base_url,
            transport=transport if transport is not None else urllib_transport,
            bucket=TokenBucket(rate, burst, clock, sleep),
            max_retries=max_retries,
            timeout=timeout,
            sleep=sleep,
        )

    @property
    def base_url(self) -> str:
        """The API root, without a trailing slash."""
        return self._http.base_url

    def url(self, path: str, params: dict[str, str] | None = None) -> str:
        """Return the full URL of ``path`` with the query ``params``.

        Examples
        --------
        >>> PoliceAPI().url("crimes-street/burglary", {"date": "2024-01"})
        'https://data.police.uk/api/crimes-street/burglary?date=2024-01'
        """
        return self._http.url(path, params)

    # -- endpoints ------------------------------------------------------------------

    def forces(self) -> list[dict]:
        """Return the police forces: a list of ``{"id": ..., "name": ...}``.

        Examples
        --------
        >>> from hotspots.policeapi.http import Response
        >>> def replay(url, *, timeout):
        ...     return Response(200, b'[{"id": "kent", "name": "Kent Police"}]')
        >>> [f["id"] for f in PoliceAPI(transport=replay).forces()]
        ['kent']
        """
        return _id_name_list(self._http.get_json("forces"), "forces")

    def available_months(self) -> list[str]:
        """Return the months with street-level crimes in the API, oldest first.

        Examples
        --------
        >>> from hotspots.policeapi.http import Response
        >>> def replay(url, *, timeout):
        ...     return Response(200, b'[{"date": "2024-02", "stop-and-search": []}, '
        ...                          b'{"date": "2024-01", "stop-and-search": []}]')
        >>> PoliceAPI(transport=replay).available_months()
        ['2024-01', '2024-02']
        """
        answer = self._http.get_json("crimes-street-dates")
        try:
            return sorted(_month_text(str(i["date"]), name="date") for i in answer)
        except (TypeError, KeyError, HotspotsError):
            raise PoliceAPIError(
                f"data.police.uk answered crimes-street-dates with {str(answer)[:80]!r}, not "
                'a list of {"date": "YYYY-MM", ...}; the API may have changed.'
            ) from None

    def neighbourhoods(self, force: str) -> list[dict]:
        """Return the neighbourhoods of ``force`` (an id from :meth:`forces`).

        Examples
        --------
        >>> from hotspots.policeapi.http import Response
        >>> def replay(url, *, timeout):
        ...     return Response(200, b'[{"id": "NC04", "name": "City Centre"}]')
        >>> PoliceAPI(transport=replay).neighbourhoods("leicestershire")[0]["name"]
        'City Centre'
        """
        force = _check_id(force, "force")
        answer = self._http.get_json(
            f"{_quote(force)}/neighbourhoods",
            not_found=f"data.police.uk has no force {force!r}. Force ids look like "
            "'leicestershire' or 'metropolitan'; list them with PoliceAPI().forces().",
        )
        return _id_name_list(answer, f"neighbourhoods of {force!r}")

    def boundary(self, force: str, neighbourhood_id: str) -> Polygon | MultiPolygon:
        """Return the boundary of a neighbourhood as a polygon in EPSG:4326 (lon, lat).

        The API lists the boundary as ``{"latitude": "..", "longitude": ".."}`` points. An
        invalid ring (self-crossing) is repaired with :func:`shapely.make_valid`, which
        may give a MultiPolygon.

        Examples
        --------
        >>> from hotspots.policeapi.http import Response
        >>> body = (b'[{"latitude": "52.63", "longitude": "-1.14"},'
        ...         b'{"latitude": "52.64", "longitude": "-1.14"},'
        ...         b'{"latitude": "52.64", "longitude": "-1.12"}]')
        >>> api = PoliceAPI(transport=lambda url, *, timeout: Response(200, body))
        >>> api.boundary("leicestershire", "NC04").bounds
        (-1.14, 52.63, -1.12, 52.64)
        """
        force = _check_id(force, "force")
        hood = _check_id(neighbourhood_id, "neighbourhood_id")
        answer = self._http.get_json(
            f"{_quote(force)}/{_quote(hood)}/boundary",
            not_found=f"data.police.uk has no neighbourhood {hood!r} in force {force!r}. "
            f"List the ids with PoliceAPI().neighbourhoods({force!r}).",
        )
        return boundary_polygon(answer, f"{force}/{hood}")

    def crimes(
        self,
        polygon: Polygon | MultiPolygon,
        month: str | date,
        *,
        category: str = ALL_CRIME,
        progress: Progress | None = None,
    ) -> list[dict]:
        """Return the street-level crimes of one month in a polygon, as the API gives them.

        Each polygon (each part of a MultiPolygon) is sent through :func:`query_polygon`;
        an answer 503 (more than 10,000 crimes) splits that part into quadrants, which are
        queried in turn. Crimes returned by two parts are kept once (by ``id``). When the
        polygon had to be simplified the answer may hold crimes just outside it;
        :func:`fetch_crimes` drops and counts those.

        Parameters
        ----------
        polygon : shapely Polygon or MultiPolygon
            Area in longitude/latitude (EPSG:4326).
        month : str or date
            ``"YYYY-MM"``.
        category : str
            API category slug (see :func:`load_api_categories`), default every category.
        progress : callable, optional
            ``progress(done, total, label)`` after each answered part (``total`` grows when
            a part is split).

        Returns
        -------
        list of dict
            Crimes as the API lists them (``category`` slug, ``location``, ``month``,
            ``persistent_id``, ``outcome_status``, ``id`` ...).

        Raises
        ------
        PoliceAPIError
            The API does not have the month, or answered with something else than crimes.
        OfflineError, ServiceUnavailableError
            The service cannot be reached, or only answers errors.

        Examples
        --------
        >>> from hotspots.policeapi.http import Response
        >>> from shapely.geometry import box
        >>> body = b'[{"category": "burglary", "id": 7, "month": "2024-01"}]'
        >>> api = PoliceAPI(transport=lambda url, *, timeout: Response(200, body))
        >>> [c["id"] for c in api.crimes(box(-1.14, 52.63, -1.12, 52.64), "2024-01")]
        [7]
        """
        return self.query_crimes(polygon, month, category=category, progress=progress).items

    def query_crimes(
        self,
        polygon: Polygon | MultiPolygon,
        month: str | date,
        *,
        category: str = ALL_CRIME,
        progress: Progress | None = None,
    ) -> CrimeQuery:
        """:meth:`crimes`, with what the query took (requests, splits, repeats, vertices).

        Examples
        --------
        >>> from hotspots.policeapi.http import Response
        >>> from shapely.geometry import box
        >>> api = PoliceAPI(transport=lambda url, *, timeout: Response(200, b"[]"))
        >>> api.query_crimes(box(-1.14, 52.63, -1.12, 52.64), "2024-01").requests
        1
        """
        month = _month_text(month, name="month")
        slug = check_slug(category)
        return query_street_crimes(self._http, polygon, month, slug, progress=progress)


def _month_text(value: Any, *, name: str) -> str:
    """``"YYYY-MM"`` from a month string, date, Timestamp or Period; else a ParameterError."""
    return month_label(as_month(value, name=name))


def _months_text(months: Any) -> list[str]:
    """Sorted distinct ``"YYYY-MM"`` months from one month or an iterable of them."""
    values = [months] if isinstance(months, str | date | pd.Period) else list(months)
    if not values:
        raise ParameterError("The 'months' parameter is empty; give at least one 'YYYY-MM'.")
    return sorted({_month_text(m, name="months") for m in values})


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def _check_id(value: Any, name: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ParameterError(
            f"The '{name}' parameter must be a non-empty id such as 'leicestershire' or "
            f"'NC04', got {value!r}."
        )
    return str(value).strip()


def _id_name_list(answer: Any, what: str) -> list[dict]:
    if not isinstance(answer, list) or not all(
        isinstance(i, dict) and "id" in i and "name" in i for i in answer
    ):
        raise PoliceAPIError(
            f"data.police.uk answered the {what} with {str(answer)[:80]!r}, not a list of "
            '{"id": .., "name": ..}; the API may have changed.'
        )
    return [{"id": str(i["id"]), "name": str(i["name"])} for i in answer]


def fetch_crimes(
    api: PoliceAPI,
    polygons_or_boundary: Any,
    months: str | date | Iterable[str | date],
    *,
    category: str = ALL_CRIME,
    force: str = "",
    progress: Progress | None = None,
) -> tuple[gpd.GeoDataFrame, LoadReport]:
    """Fetch street-level crimes for areas and months into the canonical crime table.

    Each area and month is one :meth:`PoliceAPI.crimes` query. Crimes returned twice (on
    the shared edge of two areas, or of two parts of a split area) are kept once. Crimes
    outside the real areas (returned because a simplified polygon was sent) are dropped
    and counted as "outside the boundary". Rows are checked with the loaders' rules (no
    coordinates, outside the UK, bad month). The API gives no LSOA, so ``lsoa_code`` and
    ``lsoa_name`` are blank; ``crime_id`` is the API's ``persistent_id`` (blank for
    anti-social behaviour, as in police.uk files).

    Parameters
    ----------
    api : PoliceAPI
        The client (its transport, rate and retries apply).
    polygons_or_boundary : shapely polygon(s), GeoSeries or GeoDataFrame
        Study areas. Shapely geometries are longitude/latitude; a GeoSeries/GeoDataFrame
        may be in any CRS (e.g. :func:`fetch_neighbourhood_boundaries` output); its
        ``area_name`` column labels the areas in the report.
    months : str or list of str
        ``"YYYY-MM"`` month(s).
    category : str
        API category slug (default every category); see :func:`load_api_categories`.
    force : str
        Force name for the ``force`` column (the API does not say which force recorded
        a crime; British Transport Police crimes are marked as such).
    progress : callable, optional
        ``progress(done, total, label)`` after each area and month.

    Returns
    -------
    crimes : GeoDataFrame
        The canonical crime table in EPSG:27700, shaped like :func:`hotspots.load_crimes`.
    report : LoadReport
        One source per area and month; rows dropped and why; unknown categories noted.

    Raises
    ------
    OfflineError, ServiceUnavailableError
        The service cannot be reached, or only answers errors.

    Examples
    --------
    >>> from hotspots.policeapi.http import Response
    >>> body = (b'[{"category": "violent-crime", "location_type": "Force", "location": '
    ...         b'{"latitude": "52.635", "longitude": "-1.13", "street": {"id": 1, '
    ...         b'"name": "On or near X"}}, "persistent_id": "ab12", "id": 7, '
    ...         b'"month": "2024-01", "outcome_status": null, "context": ""}]')
    >>> from shapely.geometry import box
    >>> api = PoliceAPI(transport=lambda url, *, timeout: Response(200, body))
    >>> crimes, report = fetch_crimes(api, box(-1.14, 52.63, -1.12, 52.64), "2024-01")
    >>> crimes["category"].tolist(), crimes.crs.to_epsg(), report.rows_kept
    (['Violence and sexual offences'], 27700, 1)
    """
    if not isinstance(api, PoliceAPI):
        raise TypeError(f"'api' should be a PoliceAPI, got {type(api)}")
    slug = check_slug(category)
    wanted = _months_text(months)
    areas, real = areas_from(polygons_or_boundary, name="polygons_or_boundary")
    rows: list[dict[str, str]] = []
    unknown: dict[str, list] = {}
    unique = UniqueCrimes()
    sources: list[str] = []
    requests = splits = duplicates = 0
    grown: list[str] = []
    total, done = len(areas) * len(wanted), 0
    for month in wanted:
        for area in areas:
            query = api.query_crimes(area.geometry, month, category=slug)
            requests += query.requests
            splits += query.splits
            duplicates += query.duplicates
            if query.grown_metres and month == wanted[0]:
                grown.append(f"{area.label!r} ({query.vertices:,} vertices sent as "
                             f"{query.sent_vertices:,}, grown by {query.grown_metres:.0f} m)")
            sources.append(f"{api.url(f'crimes-street/{slug}', {'date': month})} "
                           f"({area.label})")
            for item in unique.new(query.items):
                rows.append(crime_row(item, month=month, force=force))
                name, why = category_name(str(item.get("category") or ""))
                if why and name:
                    unknown.setdefault(name, [0, why])[0] += 1
            done += 1
            if progress is not None:
                progress(done, total, f"{month} {area.label}")
    duplicates += unique.duplicates
    notes = fetch_notes(requests=requests, splits=splits, duplicates=duplicates,
                        grown=grown, force=force, unknown=unknown)
    crimes, report = crime_table(rows, sources=sources, areas=real)
    report.notes = notes + report.notes
    if not report.is_consistent():  # pragma: no cover - a bug, not bad input
        raise RuntimeError(f"Load report does not add up: {report.to_dict()}")
    log.info("fetched %d crimes (%d kept) in %d requests", report.rows_read,
             report.rows_kept, requests)
    return crimes, report


def fetch_neighbourhood_boundaries(
    api: PoliceAPI,
    force: str,
    ids: str | Iterable[str] | None = None,
    *,
    progress: Progress | None = None,
) -> gpd.GeoDataFrame:
    """Fetch neighbourhood boundaries of a force as areas in EPSG:27700.

    Parameters
    ----------
    api : PoliceAPI
        The client.
    force : str
        Force id, e.g. ``"leicestershire"`` (see :meth:`PoliceAPI.forces`).
    ids : str or list of str, optional
        Neighbourhood ids (see :meth:`PoliceAPI.neighbourhoods`); default all of them
        (one request each).
    progress : callable, optional
        ``progress(done, total, label)`` after each boundary.

    Returns
    -------
    GeoDataFrame
        ``area_name`` (the neighbourhood name), ``force``, ``neighbourhood_id`` and the
        polygons, in EPSG:27700, ready for :func:`fetch_crimes` or as a study area.

    Examples
    --------
    >>> from hotspots.policeapi.http import Response
    >>> def replay(url, *, timeout):
    ...     if url.endswith("/neighbourhoods"):
    ...         return Response(200, b'[{"id": "NC04", "name": "City Centre"}]')
    ...     return Response(200, b'[{"latitude": "52.63", "longitude": "-1.14"}, '
    ...                          b'{"latitude": "52.64", "longitude": "-1.14"}, '
    ...                          b'{"latitude": "52.64", "longitude": "-1.12"}]')
    >>> areas = fetch_neighbourhood_boundaries(PoliceAPI(transport=replay),
    ...                                        "leicestershire", ["NC04"])
    >>> areas["area_name"].tolist(), areas.crs.to_epsg()
    (['City Centre'], 27700)
    """
    if not isinstance(api, PoliceAPI):
        raise TypeError(f"'api' should be a PoliceAPI, got {type(api)}")
    force = _check_id(force, "force")
    names = {n["id"]: n["name"] for n in api.neighbourhoods(force)}
    wanted = list(names) if ids is None else [
        _check_id(i, "ids") for i in ([ids] if isinstance(ids, str) else ids)
    ]
    if not wanted:
        raise ParameterError(
            f"The 'ids' parameter is empty (force {force!r} lists {len(names):,} "
            "neighbourhoods); give at least one id, or None for all."
        )
    missing = [i for i in wanted if i not in names]
    if missing:
        shown = ", ".join(f"{k!r} ({v})" for k, v in list(names.items())[:8])
        raise ParameterError(
            f"Force {force!r} has no neighbourhood {', '.join(map(repr, missing))}. Its "
            f"{len(names):,} neighbourhoods include: {shown or 'none'}."
        )
    polygons = []
    for done, hood in enumerate(wanted, start=1):
        polygons.append(api.boundary(force, hood))
        if progress is not None:
            progress(done, len(wanted), names[hood])
    frame = pd.DataFrame({
        AREA_NAME: pd.Series([names[i] for i in wanted], dtype="str"),
        "force": pd.Series([force] * len(wanted), dtype="str"),
        "neighbourhood_id": pd.Series(wanted, dtype="str"),
    })
    areas = gpd.GeoDataFrame(frame, geometry=polygons, crs=WGS84).to_crs(BNG)
    areas.attrs["source"] = api.url(f"{_quote(force)}/{{id}}/boundary")
    return areas
