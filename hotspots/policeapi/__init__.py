"""The data.police.uk API client: rate-limited HTTP, polygon splitting, the canonical table.

``http`` talks to the service (rate limit, retries, offline errors); ``geometry`` builds and
splits query polygons; ``table`` turns API answers into canonical crime rows; ``client`` holds
:class:`PoliceAPI` and the high-level fetch functions.
"""

from hotspots.policeapi.client import (
    API_CATEGORIES_PATH,
    API_RATE,
    DEFAULT_BASE_URL,
    MAX_POLY_VERTICES,
    OfflineError,
    PoliceAPI,
    PoliceAPIError,
    Response,
    ServiceUnavailableError,
    Transport,
    fetch_crimes,
    fetch_neighbourhood_boundaries,
    load_api_categories,
    query_polygon,
    urllib_transport,
)

__all__ = [
    "PoliceAPI",
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
