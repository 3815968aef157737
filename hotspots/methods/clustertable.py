"""Crime clusters as polygons, with the table that summarises each one.

Given each crime's cluster label (:func:`hotspots.methods.clusters.cluster_labels`), a
cluster becomes the convex hull of its crimes, buffered so that one-point and
straight-line clusters have an area, with its crime count, harm, area, density, commonest
categories and streets, and the months it spans.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.months import month_label
from hotspots.schema import street_name

__all__ = ["CLUSTER_COLUMNS", "cluster_table", "cluster_notes"]

_COLUMN_DTYPES = {
    "cluster_id": np.int64,
    "label": np.int64,
    "count": np.int64,
    "harm": float,
    "area_km2": float,
    "density": float,
    "top_categories": str,
    "top_streets": str,
    "months": str,
    "p_value": float,
    "score": float,
    "hotspot": bool,
}
#: Columns of a cluster layer (``geometry`` comes last).
CLUSTER_COLUMNS: tuple[str, ...] = tuple(_COLUMN_DTYPES)


def _top_values(labels: np.ndarray, values: pd.Series, top: int) -> dict[int, str]:
    """``"A (45); B (12)"`` per label: the ``top`` commonest non-empty values, ties A→Z."""
    frame = pd.DataFrame({"label": labels, "value": values.astype(str).to_numpy()})
    frame = frame[frame["value"] != ""]
    if frame.empty:
        return {}
    counted = frame.groupby(["label", "value"], sort=False).size().reset_index(name="n")
    counted = counted.sort_values(["label", "n", "value"], ascending=[True, False, True])
    counted = counted.groupby("label", sort=False).head(top)
    counted["text"] = counted["value"] + " (" + counted["n"].astype(str) + ")"
    return counted.groupby("label")["text"].agg("; ".join).to_dict()


def _month_span(labels: np.ndarray, months: pd.Series) -> dict[int, str]:
    stamps = pd.to_datetime(months, errors="coerce")
    frame = pd.DataFrame({"label": labels, "month": stamps.to_numpy()}).dropna()
    if frame.empty:
        return {}
    span = frame.groupby("label")["month"].agg(["min", "max"])
    out = {}
    for label, first, last in zip(span.index, span["min"], span["max"], strict=True):
        a, b = month_label(first), month_label(last)
        out[int(label)] = a if a == b else f"{a}–{b}"
    return out




def cluster_table(
    crimes: gpd.GeoDataFrame,
    labels: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    *,
    buffer: float,
    top: int,
) -> gpd.GeoDataFrame:
    """One polygon per cluster (label >= 0): the buffered convex hull of its members.

    Parameters
    ----------
    crimes : GeoDataFrame
        The crimes clustered (``category``, ``location`` and ``month`` are summarised when
        present).
    labels : numpy.ndarray of int
        The cluster label of each crime (-1 = noise), aligned with ``crimes``.
    x, y, weights : numpy.ndarray
        Coordinates and weight of each crime, aligned with ``crimes``.
    buffer : float
        Metres added around each hull, so one-point and straight-line clusters have an area.
    top : int
        How many categories and streets to list per cluster.

    Returns
    -------
    GeoDataFrame
        One row per cluster, most crimes first, with :data:`CLUSTER_COLUMNS` and the
        polygon, in the crimes' CRS. ``p_value`` is NaN and ``hotspot`` True here: the
        clustering functions fill them from the test against complete spatial randomness
        (:func:`hotspots.methods.csr.cluster_csr_test`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> crimes = gpd.GeoDataFrame({"category": ["Burglary", "Burglary", "Robbery"]},
    ...     geometry=gpd.points_from_xy([0, 10, 500], [0, 0, 0]), crs="EPSG:27700")
    >>> table = cluster_table(crimes, np.array([0, 0, -1]), np.array([0.0, 10, 500]),
    ...                       np.zeros(3), np.ones(3), buffer=5, top=3)
    >>> table[["cluster_id", "count", "top_categories"]].values.tolist()
    [[1, 2, 'Burglary (2)']]
    """
    member = labels >= 0
    if not member.any():
        empty = {c: pd.Series([], dtype=t) for c, t in _COLUMN_DTYPES.items()}
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=crimes.crs))
    lab = labels[member]
    order = np.argsort(lab, kind="stable")
    ids, counts = np.unique(lab, return_counts=True)
    pts = shapely.points(x[member][order], y[member][order])
    hulls = shapely.convex_hull(shapely.multipoints(pts, indices=np.searchsorted(ids, lab[order])))
    polygons = shapely.buffer(hulls, buffer)
    area_km2 = shapely.area(polygons) / 1e6
    harm = np.bincount(np.searchsorted(ids, lab), weights=weights[member], minlength=len(ids))
    members = crimes.iloc[np.flatnonzero(member)]
    cats = _top_values(lab, _column(members, "category"), top)
    streets = _top_values(lab, _column(members, "location").map(street_name), top)
    months = (
        _month_span(lab, members["month"]) if "month" in members.columns else {}
    )
    table = pd.DataFrame(
        {
            "label": ids.astype(np.int64),
            "count": counts.astype(np.int64),
            "harm": harm,
            "area_km2": area_km2,
            "density": counts / area_km2,
            "top_categories": [cats.get(i, "") for i in ids],
            "top_streets": [streets.get(i, "") for i in ids],
            "months": [months.get(i, "") for i in ids],
            "p_value": np.full(len(ids), np.nan),
            "score": counts.astype(float),
            "hotspot": np.ones(len(ids), dtype=bool),
        }
    )
    table["geometry"] = polygons
    table = table.sort_values(["count", "label"], ascending=[False, True], kind="stable")
    table.insert(0, "cluster_id", np.arange(1, len(table) + 1, dtype=np.int64))
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry="geometry", crs=crimes.crs)




def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=str)
    return frame[name].fillna("").astype(str)


def cluster_notes(
    *, n: int, labels: np.ndarray, n_clusters: int, n_unlocated: int, weight: str | None,
    call: str,
) -> list[str]:
    """Plain-language notes on a clustering: how many crimes clustered, left out, weighted.

    ``call`` is the :func:`~hotspots.methods.clusters.cluster_labels` call that gives the
    same per-crime labels.
    """
    clustered = int((labels >= 0).sum())
    notes = [
        f"{clustered:,} of {n:,} crimes ({clustered / n:.0%}) fall in {n_clusters:,} "
        f"clusters; {n - clustered:,} are noise (in no cluster)."
    ]
    if n_unlocated:
        notes.append(
            f"{n_unlocated:,} crimes have no location and were left out (counted as noise)."
        )
    if weight is not None:
        notes.append(
            f"harm = sum of {weight!r} per cluster; clusters are found on crime counts, "
            "and score is the count."
        )
    notes.append(
        f"Per-crime labels (-1 = noise; the 'label' column joins them to clusters): {call}."
    )
    return notes
