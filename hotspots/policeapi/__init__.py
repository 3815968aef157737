"""The data.police.uk API client: rate-limited HTTP, polygon splitting, the canonical table.

``http`` talks to the service (rate limit, retries, offline errors); ``geometry`` builds and
splits query polygons; ``query`` runs one street-crime query (busy areas split, each crime
kept once); ``table`` turns API answers into canonical crime rows; ``client`` holds
:class:`PoliceAPI` and the high-level fetch functions.
"""

from hotspots.errors import OfflineError
from hotspots.errors import PoliceAPIError
from hotspots.errors import ServiceUnavailableError
from hotspots.policeapi.client import API_RATE
from hotspots.policeapi.client import DEFAULT_BASE_URL
from hotspots.policeapi.client import PoliceAPI
from hotspots.policeapi.client import fetch_crimes
from hotspots.policeapi.client import fetch_neighbourhood_boundaries
from hotspots.policeapi.geometry import MAX_POLY_VERTICES
from hotspots.policeapi.geometry import query_polygon
from hotspots.policeapi.http import Response
from hotspots.policeapi.http import Transport
from hotspots.policeapi.http import urllib_transport
from hotspots.policeapi.query import CrimeQuery
from hotspots.policeapi.table import API_CATEGORIES_PATH
from hotspots.policeapi.table import load_api_categories

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
