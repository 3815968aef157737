"""The places the app offers by name: hotspots (with a street), areas, streets of the data.

These lists are the keyboard and screen-reader route to everything the map does: open a
profile, or site an intervention, by choosing a place from a list instead of clicking it.
A cell with no crimes is never offered as a place.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.privacy import count_label
from hotspots.result import HotspotResult
from hotspots.schema import street_name

__all__ = ["Place", "hotspot_places", "area_places", "street_places", "place_at"]

#: Hotspots offered by name at most (the hottest), as in the table under the map.
MAX_LISTED = 100


@dataclass(frozen=True)
class Place:
    """A place the user can choose: its kind, id, the label shown and its polygon."""

    kind: str  # "hotspot", "area" or "street"
    id: str
    label: str
    geometry: shapely.Geometry
    near: str = ""  # the busiest street in it (hotspots)


def _busiest_street(crimes: gpd.GeoDataFrame, polygons: gpd.GeoSeries) -> pd.Series:
    """The busiest named street among ``crimes`` inside each polygon ("" where none)."""
    if crimes is None or len(crimes) == 0 or "location" not in crimes or len(polygons) == 0:
        return pd.Series("", index=polygons.index)
    streets = crimes["location"].map(street_name)
    named = crimes.loc[streets != "", ["geometry"]].assign(street=streets[streets != ""])
    if len(named) == 0:
        return pd.Series("", index=polygons.index)
    shapes = gpd.GeoDataFrame({"_poly": polygons.index}, geometry=polygons.values,
                              crs=polygons.crs)
    hits = gpd.sjoin(named, shapes, predicate="within", how="inner")
    top = (hits.groupby(["_poly", "street"]).size().rename("n").reset_index()
           .sort_values(["_poly", "n", "street"], ascending=[True, False, True])
           .drop_duplicates("_poly").set_index("_poly")["street"])
    return top.reindex(polygons.index, fill_value="")


def hotspot_places(result: HotspotResult, crimes_all: gpd.GeoDataFrame | None, *,
                   sensitive: bool = False, limit: int | None = None) -> list[Place]:
    """The flagged hotspots with crimes in them, hottest first, each named by its busiest street.

    The street is the busiest among all crimes (every group) in the hotspot, so for a
    sensitive group it locates the place without naming where those crimes were.
    """
    cells = result.cells
    hot = cells[cells["hotspot"]] if "hotspot" in cells else cells.iloc[0:0]
    if "count" in hot:
        hot = hot[hot["count"] > 0]
    hot = hot.sort_values("score", ascending=False)
    if limit is not None:
        hot = hot.head(limit)
    streets = _busiest_street(crimes_all, hot.geometry)
    ident = "cell_id" if "cell_id" in hot else ("cluster_id" if "cluster_id" in hot else None)
    places = []
    for rank, (index, row) in enumerate(hot.iterrows(), start=1):
        pid = str(row[ident]) if ident else str(index)
        count = (f", {count_label(row['count'], sensitive=sensitive, spec=',.0f')} crimes"
                 if "count" in row else "")
        near = f" near {streets[index]}" if streets[index] else ""
        places.append(Place("hotspot", pid, f"Hotspot {rank}: {pid}{near}{count}",
                            row.geometry, streets[index]))
    return places


def area_places(area: gpd.GeoDataFrame | None) -> list[Place]:
    """Each area of the selection, by name."""
    if area is None or len(area) == 0:
        return []
    return [Place("area", str(name), f"Area: {name}", geom)
            for name, geom in zip(area["area_name"], area.geometry, strict=True)]


def street_places(crimes: gpd.GeoDataFrame, *, limit: int = 200) -> list[Place]:
    """The named streets of the data, busiest first, each at the middle of its crimes' points."""
    if crimes is None or len(crimes) == 0 or "location" not in crimes:
        return []
    frame = pd.DataFrame({"street": crimes["location"].map(street_name),
                          "x": crimes.geometry.x.to_numpy(), "y": crimes.geometry.y.to_numpy()})
    frame = frame[frame["street"] != ""]
    top = (frame.groupby("street").agg(n=("x", "size"), x=("x", "median"), y=("y", "median"))
           .sort_values(["n"], ascending=False, kind="stable").head(limit))
    return [Place("street", name, f"Street: {name}", shapely.Point(r.x, r.y))
            for name, r in top.iterrows()]


def place_at(point: shapely.Point, hotspots: list[Place], areas: list[Place]) -> Place | None:
    """The place a map click at ``point`` means: a flagged hotspot there, else the area."""
    for place in hotspots:
        if place.geometry.covers(point):
            return place
    for place in areas:
        if place.geometry.covers(point):
            return place
    return None
