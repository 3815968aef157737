"""The planted layout of the evaluation tests, and crime tables built on it.

Target disc r 100 m at the origin, buffer ring 100-200 m, control disc r 100 m at (1000, 0).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.evaluation.areas import EvaluationAreas
from hotspots.evaluation.areas import evaluation_areas

BNG = "EPSG:27700"
T_XY, B_XY, C_XY, OUT_XY = (0.0, 0.0), (150.0, 0.0), (1000.0, 0.0), (5000.0, 5000.0)


def planted_areas() -> EvaluationAreas:
    """Target, buffer and control of the planted layout."""
    return evaluation_areas(shapely.Point(0, 0).buffer(100, quad_segs=32), buffer_m=100,
                            control=shapely.Point(1000, 0).buffer(100, quad_segs=32))


def crimes_from(rows, *, crs=BNG) -> gpd.GeoDataFrame:
    """Crimes from (month "YYYY-MM", (x, y) or None, n[, category]) rows."""
    months, geoms, cats = [], [], []
    for row in rows:
        month, xy, n = row[:3]
        cat = row[3] if len(row) > 3 else "Burglary"
        months += [f"{month}-01"] * n
        geoms += [None if xy is None else shapely.Point(xy)] * n
        cats += [cat] * n
    return gpd.GeoDataFrame(
        {"month": pd.to_datetime(months).astype("datetime64[ns]"), "category": cats,
         "weight": 1.0},
        geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs,
    )


def two_years(t=(10, 5), b=(10, 15), c=(10, 10)) -> gpd.GeoDataFrame:
    """Monthly data 2024-01..2025-12 with a filler crime far away every month (so every
    month is in the data), and the T/B/C counts put in 2024-06 (before) and 2025-06 (after)."""
    rows = [(f"{y}-{m:02d}", OUT_XY, 1) for y in (2024, 2025) for m in range(1, 13)]
    for xy, (nb, na) in ((T_XY, t), (B_XY, b), (C_XY, c)):
        rows += [("2024-06", xy, nb), ("2025-06", xy, na)]
    return crimes_from([r for r in rows if r[2] > 0])
