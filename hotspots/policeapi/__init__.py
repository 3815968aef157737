"""The data.police.uk API client: rate-limited HTTP, polygon splitting, the canonical table.

``http`` talks to the service (rate limit, retries, offline errors); ``geometry`` builds and
splits query polygons; ``query`` runs one street-crime query (busy areas split, each crime
kept once); ``table`` turns API answers into canonical crime rows; ``client`` holds
:class:`PoliceAPI` and the high-level fetch functions.
"""

from hotspots.errors import OfflineError, PoliceAPIError, ServiceUnavailableError
from hotspots.policeapi.client import (
    API_RATE,
    DEFAULT_BASE_URL,
    PoliceAPI,
    fetch_crimes,
    fetch_neighbourhood_boundaries,
)
from hotspots.policeapi.geometry import MAX_POLY_VERTICES, query_polygon
from hotspots.policeapi.http import Response, Transport, urllib_transport
from hotspots.policeapi.query import CrimeQuery
from hotspots.policeapi.table import API_CATEGORIES_PATH, load_api_categories

__all__ = [
    "PoliceAPI",
    "CrimeQuery",
    "Response",
    "Transport",
    "urllib_transport",
    "fetch_crimes",
    "fetch_neighbourhood_boundaries",
    "query_polygon",
    "load_api_categories",
    "PoliceAPIError",
    "OfflineError",
    "ServiceUnavailableError",
    "API_CATEGORIES_PATH",
    "DEFAULT_BASE_URL",
    "API_RATE",
    "MAX_POLY_VERTICES",
]
