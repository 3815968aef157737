"""Problem profiles: what, when and where for a selection of crimes (the SARA "analyse" step).

Small, table-returning functions that the app's "click a hotspot" panel and the evidence
pack share: counts by crime type, a complete monthly series, top streets, and the profile
of one place (a hotspot cell, a cluster or an area) against its surroundings.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.schema import street_name
from hotspots.validation import require_projected

__all__ = [
    "category_counts",
    "monthly_counts",
    "top_streets",
    "PlaceProfile",
    "place_profile",
]


def category_counts(crimes: pd.DataFrame, *, weight: str | None = None) -> pd.DataFrame:
    """Crimes (and harm) per category, largest first, with each category's share.

    Examples
    --------
    >>> df = pd.DataFrame({"category": ["Burglary", "Robbery", "Burglary"]})
    >>> category_counts(df)[["category", "count"]].values.tolist()
    [['Burglary', 2], ['Robbery', 1]]
    """
    if len(crimes) == 0:
        return pd.DataFrame({"category": [], "count": [], "share": []})
    grouped = crimes.groupby("category", observed=True)
    table = grouped.size().rename("count").to_frame()
    if weight is not None:
        table["harm"] = grouped[weight].sum()
    table["share"] = table["count"] / table["count"].sum()
    table = table.reset_index().sort_values(["count", "category"], ascending=[False, True])
    return table.reset_index(drop=True)


def monthly_counts(
    crimes: pd.DataFrame,
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Crimes per month with every month present (zeros included), optionally split ``by``.

    Examples
    --------
    >>> df = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-03-01"])})
    >>> monthly_counts(df)["count"].tolist()
    [1, 0, 1]
    """
    empty = pd.Series([], dtype="datetime64[ns]")
    months = pd.to_datetime(crimes["month"]) if len(crimes) else empty
    first = pd.Timestamp(start) if start is not None else months.min()
    last = pd.Timestamp(end) if end is not None else months.max()
    if pd.isna(first) or pd.isna(last):
        return pd.DataFrame({"month": pd.Series([], dtype="datetime64[ns]"), "count": []})
    index = pd.date_range(first, last, freq="MS")
    if by is None:
        counts = months.value_counts().reindex(index, fill_value=0)
        return pd.DataFrame({"month": index, "count": counts.to_numpy().astype(int)})
    table = (
        pd.crosstab(months, crimes[by]).reindex(index, fill_value=0).rename_axis("month")
    )
    return table.reset_index()


def top_streets(crimes: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """The ``n`` streets (police.uk ``location``) with most crimes, with their share.

    Rows without a street ("No Location") are left out of the ranking but counted in the
    share's denominator, so shares never overstate a street.

    Examples
    --------
    >>> df = pd.DataFrame({"location": ["On or near A Road"] * 2 + ["On or near B Lane"]})
    >>> top_streets(df)["street"].tolist()
    ['A Road', 'B Lane']
    """
    if len(crimes) == 0 or "location" not in crimes:
        return pd.DataFrame({"street": [], "count": [], "share": []})
    names = crimes["location"].map(street_name)
    named = names[names != ""]
    counts = named.value_counts()
    table = pd.DataFrame({"street": counts.index, "count": counts.to_numpy()})
    table = table.sort_values(["count", "street"], ascending=[False, True]).head(n)
    table["share"] = table["count"] / len(crimes)
    return table.reset_index(drop=True)


@dataclass
class PlaceProfile:
    """What happened inside one place, and how it compares with its surroundings."""

    name: str
    crimes: int
    share_of_surroundings: float | None
    area_km2: float
    by_category: pd.DataFrame
    by_month: pd.DataFrame
    streets: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def place_profile(
    crimes: gpd.GeoDataFrame,
    place: shapely.Geometry,
    *,
    name: str = "Selected place",
    surroundings: gpd.GeoDataFrame | None = None,
    start: str | None = None,
    end: str | None = None,
) -> PlaceProfile:
    """Profile the crimes inside ``place`` (a polygon in the crimes' CRS).

    ``surroundings`` (default: ``crimes``) is what the place's share is a share of, e.g.
    the whole area's crimes of the same group and period.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame(
    ...     {"category": ["Burglary"] * 3, "location": ["On or near A Road"] * 3,
    ...      "month": pd.to_datetime(["2024-01-01"] * 3)},
    ...     geometry=gpd.points_from_xy([5, 6, 50], [5, 6, 50]), crs="EPSG:27700")
    >>> p = place_profile(pts, shapely.box(0, 0, 10, 10))
    >>> p.crimes, round(p.share_of_surroundings, 3)
    (2, 0.667)
    """
    require_projected(crimes, name="crimes")
    inside = crimes[crimes.geometry.within(place) | crimes.geometry.intersects(place.boundary)]
    base = crimes if surroundings is None else surroundings
    share = len(inside) / len(base) if len(base) else None
    return PlaceProfile(
        name=name,
        crimes=len(inside),
        share_of_surroundings=share,
        area_km2=place.area / 1e6,
        by_category=category_counts(inside),
        by_month=monthly_counts(inside, start=start, end=end),
        streets=top_streets(inside),
    )
