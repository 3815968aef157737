"""From data.police.uk answers to the canonical crime table: categories, rows, areas.

API crimes carry a category *slug* (``violent-crime``); the bundled table
``hotspots/data/police_api_categories.csv`` maps slugs to the 14 police.uk crime types.
Rows are checked with the loaders' own rules (:func:`hotspots.io.clean.tidy`), so a
fetched table and its report read exactly like those of :func:`hotspots.load_crimes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry import Polygon

from hotspots.errors import CRSError
from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.io.boundaries import AREA_NAME
from hotspots.io.boundaries import as_boundary_geometry
from hotspots.io.clean import BNG
from hotspots.io.clean import WGS84
from hotspots.io.clean import tidy
from hotspots.io.report import DROP_OUTSIDE_BOUNDARY
from hotspots.io.report import UNKNOWN_CATEGORY
from hotspots.io.report import LoadReport
from hotspots.policeapi.geometry import polygon_parts
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import POLICE_UK_CATEGORIES
from hotspots.schema import empty_crimes
from hotspots.validation import check_choice

__all__ = [
    "API_CATEGORIES_PATH",
    "ALL_CRIME",
    "MAX_CRIMES_PER_CALL",
    "load_api_categories",
    "check_slug",
    "category_name",
    "crime_row",
    "Area",
    "areas_from",
    "fetch_notes",
    "crime_table",
]

#: The bundled slug -> police.uk crime type table (its sources are in the file).
API_CATEGORIES_PATH = Path(__file__).resolve().parents[1] / "data" / "police_api_categories.csv"
#: The request-only slug for every category.
ALL_CRIME = "all-crime"
#: More crimes than this in one call answers HTTP 503
#: (https://data.police.uk/docs/method/crime-street/).
MAX_CRIMES_PER_CALL = 10_000
_BTP_NAME = "British Transport Police"


def load_api_categories(path: str | Path | None = None) -> pd.DataFrame:
    """Read the API category table: ``slug``, ``api_name``, ``category`` (police.uk type).

    ``category`` is blank for ``all-crime`` (a request-only slug) and for slugs with no
    single police.uk crime type. Without ``path`` the bundled table is read.

    Examples
    --------
    >>> table = load_api_categories()
    >>> table.set_index("slug").loc["violent-crime", "category"]
    'Violence and sexual offences'
    """
    source = Path(path) if path is not None else API_CATEGORIES_PATH
    try:
        table = pd.read_csv(source, comment="#", dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InputFileError(f"Could not read API categories {str(source)!r}: {exc}") from None
    missing = {"slug", "api_name", "category"} - set(table.columns)
    if missing:
        raise InputFileError(
            f"API categories {str(source)!r} lacks column(s) {sorted(missing)}; it needs "
            "slug, api_name, category."
        )
    table = table[["slug", "api_name", "category"]].apply(lambda c: c.str.strip())
    problems = []
    wrong = sorted(set(table["category"]) - set(POLICE_UK_CATEGORIES) - {""})
    if wrong:
        problems.append(f"categories not among the 14 police.uk types: {wrong}")
    duplicated = sorted(set(table.loc[table["slug"].duplicated(), "slug"]))
    if duplicated:
        problems.append(f"slugs listed twice: {duplicated}")
    if problems:
        raise InputFileError(f"API categories {str(source)!r}: {'; '.join(problems)}.")
    return table


@cache
def _slug_table() -> dict[str, tuple[str, str]]:
    table = load_api_categories()
    return {s: (n, c) for s, n, c in table.itertuples(index=False)}


def check_slug(category: Any) -> str:
    """Return ``category`` if it is a known API slug, else raise a ParameterError listing them.

    Examples
    --------
    >>> check_slug("burglary")
    'burglary'
    """
    return check_choice(category, name="category", choices=list(_slug_table()))


def category_name(slug: str) -> tuple[str, str]:
    """Return (the police.uk crime type, or a fallback name; why it is not one of the 14).

    Examples
    --------
    >>> category_name("criminal-damage-arson")
    ('Criminal damage and arson', '')
    >>> category_name("new-thing")
    ('new-thing', 'slug not in police_api_categories.csv')
    """
    known = _slug_table().get(slug)
    if known is None:
        return slug, "slug not in police_api_categories.csv"
    api_name, category = known
    if category:
        return category, ""
    return api_name or slug, "no single police.uk crime type"


def crime_row(item: Mapping[str, Any], *, month: str, force: str) -> dict[str, str]:
    """One API crime as text columns named like the canonical table (``x``, ``y`` = lon, lat).

    Examples
    --------
    >>> row = crime_row({"category": "burglary", "persistent_id": "ab", "month": "2024-01",
    ...                  "location": {"latitude": "52.6", "longitude": "-1.1",
    ...                               "street": {"name": "On or near X"}},
    ...                  "outcome_status": None}, month="2024-01", force="")
    >>> row["category"], row["crime_id"], row["location"], row["x"], row["outcome"]
    ('Burglary', 'ab', 'On or near X', '-1.1', '')
    """
    location = item.get("location") or {}
    street = location.get("street") or {}
    outcome = item.get("outcome_status") or {}
    btp = str(item.get("location_type") or "").upper() == "BTP"
    slug = str(item.get("category") or "")
    return {
        "crime_id": str(item.get("persistent_id") or ""),
        "month": str(item.get("month") or month),
        "category": category_name(slug)[0] if slug else "",
        "location": str(street.get("name") or ""),
        "lsoa_code": "",
        "lsoa_name": "",
        "outcome": str(outcome.get("category") or ""),
        "force": _BTP_NAME if btp else force,
        "x": str(location.get("longitude") or ""),
        "y": str(location.get("latitude") or ""),
    }


@dataclass
class Area:
    """One area to query: a label for reports and its polygon in longitude/latitude."""

    label: str
    geometry: Polygon | MultiPolygon


def areas_from(value: Any, *, name: str) -> tuple[list[Area], gpd.GeoSeries]:
    """Areas to query (lon/lat) from shapely polygon(s), a GeoSeries or a GeoDataFrame.

    Also returns the areas as a GeoSeries in EPSG:4326, to clip the results with.
    """
    if isinstance(value, gpd.GeoDataFrame | gpd.GeoSeries):
        if value.crs is None:
            raise CRSError(
                f"'{name}' has no CRS. Set it with .set_crs(...) ('EPSG:4326' for "
                "longitude/latitude, 'EPSG:27700' for British National Grid)."
            )
        lonlat = value.to_crs(WGS84)
        geoms = list(lonlat.geometry if isinstance(lonlat, gpd.GeoDataFrame) else lonlat)
        if isinstance(value, gpd.GeoDataFrame) and AREA_NAME in value.columns:
            labels = [str(n) for n in value[AREA_NAME]]
        else:
            labels = [f"area {i + 1}" for i in range(len(geoms))]
    elif isinstance(value, Polygon | MultiPolygon):
        geoms, labels = [value], ["area 1"]
    elif isinstance(value, list | tuple):
        geoms = list(value)
        labels = [f"area {i + 1}" for i in range(len(geoms))]
    else:
        raise TypeError(
            f"'{name}' should be a shapely Polygon/MultiPolygon (longitude/latitude), a list "
            f"of them, or a GeoSeries/GeoDataFrame, got {type(value)}"
        )
    if not geoms:
        raise ParameterError(f"'{name}' holds no polygon; give at least one area.")
    areas = []
    for label, geom in zip(labels, geoms, strict=True):
        polygon_parts(geom, name=name)
        areas.append(Area(label, geom))
    return areas, gpd.GeoSeries([a.geometry for a in areas], crs=WGS84)


def fetch_notes(*, requests: int, splits: int, duplicates: int, grown: list[str],
                force: str, unknown: Mapping[str, list]) -> list[str]:
    """Plain-language notes on how a fetch went, for the load report."""
    notes = [f"Fetched from data.police.uk in {requests:,} request(s)."]
    if splits:
        notes.append(
            f"{splits:,} request(s) held more than {MAX_CRIMES_PER_CALL:,} crimes (HTTP 503) "
            "and were split into quadrants."
        )
    if duplicates:
        notes.append(
            f"{duplicates:,} crime(s) returned twice (on the edge shared by two areas or "
            "parts) were kept once; the repeats are not counted as rows read."
        )
    if grown:
        notes.append(
            "Areas with too many vertices for the API's URL were sent simplified and grown: "
            + "; ".join(grown) + ". Crimes returned outside the real areas are dropped "
            f"as '{DROP_OUTSIDE_BOUNDARY}'."
        )
    notes.append("The API gives no LSOA: lsoa_code and lsoa_name are blank.")
    if not force:
        notes.append(
            "The API does not say which force recorded each crime: the force column is blank "
            "(British Transport Police crimes excepted); pass force=... to fill it."
        )
    if unknown:
        listed = ", ".join(f"{name!r} ({n:,}: {why})" for name, (n, why) in unknown.items())
        notes.append(
            f"{sum(n for n, _ in unknown.values()):,} crime(s) came with a category that is "
            f"not one of the 14 police.uk crime types ({UNKNOWN_CATEGORY}); they are kept: "
            f"{listed}. Add new slugs to hotspots/data/police_api_categories.csv to map them."
        )
    return notes


def crime_table(rows: list[dict[str, str]], *, sources: list[str],
                areas: gpd.GeoSeries) -> tuple[gpd.GeoDataFrame, LoadReport]:
    """Check rows with the loaders' rules, project, clip to ``areas``, and summarise."""
    if not rows:
        report = LoadReport(sources=sources, crs=BNG.to_string())
        report.notes.append("data.police.uk returned no crimes for these areas and months.")
        return empty_crimes(BNG.to_string()), report
    raw = pd.DataFrame(rows, dtype="str")
    out, report = tidy(raw, source="the data.police.uk answer", input_crs=WGS84,
                       output_crs=BNG, x_name="longitude", y_name="latitude",
                       fix=" (data.police.uk answer)")
    report.sources = list(sources)
    clip = as_boundary_geometry(areas, crs=BNG)
    inside = shapely.intersects_xy(clip, out["x"].to_numpy(), out["y"].to_numpy())
    n_out = int((~inside).sum())
    if n_out:
        report.dropped[DROP_OUTSIDE_BOUNDARY] = n_out
        out = out.loc[inside].reset_index(drop=True)
    geometry = gpd.points_from_xy(out["x"].to_numpy(), out["y"].to_numpy(), crs=BNG)
    crimes = gpd.GeoDataFrame(out[list(CRIME_COLUMNS)], geometry=geometry, crs=BNG)
    report.rows_kept = len(crimes)
    months = pd.Series(crimes["month"].dropna().unique(), dtype="datetime64[ns]")
    report.months = sorted(months.dt.strftime("%Y-%m").tolist())
    report.categories = {str(k): int(v) for k, v in crimes["category"].value_counts().items()}
    return crimes, report
