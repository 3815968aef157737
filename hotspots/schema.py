"""The canonical crime table that every loader produces and everything else consumes.

A GeoDataFrame of points in a projected metric CRS (EPSG:27700 for GB data) with the
columns below. ``month`` is the first day of the month as ``datetime64``; ``date`` is a
full timestamp where the source has one (force extracts), else ``NaT``.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

__all__ = [
    "CRIME_COLUMNS",
    "CRIME_DTYPES",
    "STRING_COLUMNS",
    "empty_crimes",
    "POLICE_UK_CATEGORIES",
    "street_name",
]

#: police.uk prefixes every location with this; it is dropped for display.
STREET_PREFIX = "on or near "
#: Location values that name no place.
NO_LOCATION = frozenset({"", "no location"})

#: The canonical crime table: each column and the dtype of its values, in column order
#: (``geometry`` comes last). Text columns (``object``) hold empty strings, never NaN.
CRIME_DTYPES: dict[str, str] = {
    "crime_id": "object",
    "month": "datetime64[ns]",
    "date": "datetime64[ns]",
    "category": "object",
    "location": "object",
    "lsoa_code": "object",
    "lsoa_name": "object",
    "outcome": "object",
    "force": "object",
    "weight": "float64",
}
#: Column order of the canonical crime table (``geometry`` comes last).
CRIME_COLUMNS: tuple[str, ...] = tuple(CRIME_DTYPES)
#: Columns held as strings (missing values are empty strings, never NaN).
STRING_COLUMNS: tuple[str, ...] = tuple(c for c, t in CRIME_DTYPES.items() if t == "object")

#: The 14 crime types published on data.police.uk.
POLICE_UK_CATEGORIES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)


def empty_crimes(crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    """Return a canonical crime table with no rows.

    Examples
    --------
    >>> empty_crimes().columns.tolist()[:3]
    ['crime_id', 'month', 'date']
    """
    frame = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in CRIME_DTYPES.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def street_name(location: str) -> str:
    """Return a police.uk location for display: "On or near " dropped, "" for no location.

    Examples
    --------
    >>> street_name("On or near Milford Close")
    'Milford Close'
    >>> street_name("No Location"), street_name("On or near ")
    ('', '')
    """
    text = " ".join(str(location).split())
    if text.lower() == STREET_PREFIX.strip() or text.lower().startswith(STREET_PREFIX):
        text = text[len(STREET_PREFIX):].strip()
    return "" if text.lower() in NO_LOCATION else text
