"""A small force-extract-like CSV for the pipeline tests, read through a mapping dict.

Six months (2024-01 to 2024-06) on a 1 km square at E 440000-441000, N 360000-361000:
every month 10 burglaries in one 100 m cell (the planted hotspot, at E 440250, N 360250),
10 burglaries spread over the square, and 5 drugs offences spread over the square.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

MONTHS = [f"2024-{m:02d}" for m in range(1, 7)]
HOTSPOT = shapely.box(440_200, 360_200, 440_300, 360_300)
MAPPING = {
    "crs": "EPSG:27700",
    "columns": {"x": "easting", "y": "northing", "month": "month", "category": "offence",
                "crime_id": "ref"},
}


@pytest.fixture(scope="session")
def extract(tmp_path_factory) -> Path:
    """The CSV described above (seeded), written once."""
    rng = np.random.default_rng(11)

    def points(n: int, x0: float, y0: float, size: float) -> list[tuple[float, float]]:
        return [tuple(xy) for xy in rng.uniform(0, size, (n, 2)) + [x0, y0]]

    rows = []
    for month in MONTHS:
        rows += [(month, x, y, "Burglary") for x, y in points(10, 440_210, 360_210, 80)]
        rows += [(month, x, y, "Burglary") for x, y in points(10, 440_000, 360_000, 1000)]
        rows += [(month, x, y, "Drugs") for x, y in points(5, 440_000, 360_000, 1000)]
    frame = pd.DataFrame(rows, columns=["month", "easting", "northing", "offence"])
    frame.insert(0, "ref", [f"R{i}" for i in range(len(frame))])
    path = tmp_path_factory.mktemp("extract") / "crimes.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def halves(tmp_path_factory) -> Path:
    """A boundary of two areas, West (holding the hotspot) and East, in EPSG:27700."""
    path = tmp_path_factory.mktemp("boundary") / "halves.gpkg"
    gpd.GeoDataFrame({"area_name": ["West", "East"]},
                     geometry=[shapely.box(440_000, 360_000, 440_500, 361_000),
                               shapely.box(440_500, 360_000, 441_000, 361_000)],
                     crs="EPSG:27700").to_file(path)
    return path
