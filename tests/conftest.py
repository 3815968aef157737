"""Shared fixtures: where the real data lives, and a tiny synthetic crime table.

``make_crimes(rows)`` builds a canonical crime table in EPSG:27700 from
``(category, "YYYY-MM", x, y)`` tuples; ``small_crimes`` is a planted 12-row example.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspots.schema import CRIME_COLUMNS

#: ../shared/data beside the project (never copied into the repo).
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real police.uk and ONS data folder, or skip the test with the reason."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (see the project README)")
    return SHARED_DATA


def build_crimes(rows: Iterable[tuple[str, str, float, float]], *,
                 crs: str = "EPSG:27700") -> gpd.GeoDataFrame:
    """Canonical crime table from ``(category, "YYYY-MM", x, y)`` tuples."""
    rows = list(rows)
    n = len(rows)
    frame = pd.DataFrame({
        "crime_id": [f"c{i}" for i in range(n)],
        "month": pd.to_datetime([f"{r[1]}-01" for r in rows]).astype("datetime64[ns]"),
        "date": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "category": [r[0] for r in rows],
        "location": "On or near Test Street",
        "lsoa_code": "E01000001",
        "lsoa_name": "Test 001A",
        "outcome": "",
        "force": "Test Police",
        "weight": np.ones(n),
    })[list(CRIME_COLUMNS)]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy([r[2] for r in rows], [r[3] for r in rows]), crs=crs
    )


@pytest.fixture
def make_crimes() -> Callable[..., gpd.GeoDataFrame]:
    """Factory: ``make_crimes([(category, "YYYY-MM", x, y), ...], crs=...)``."""
    return build_crimes


@pytest.fixture
def small_crimes() -> gpd.GeoDataFrame:
    """12 crimes near (430 000, 433 000) in EPSG:27700, planted for selection tests.

    West block (x < 430 500): 4 burglaries (2022-01, 2022-02, 2022-03, 2022-04),
    2 robberies (2022-02), 1 drugs (2022-03).
    East block (x > 431 000): 2 vehicle crimes (2022-01), 2 ASB (2022-05),
    1 violence (2022-06).
    """
    rows = [
        ("Burglary", "2022-01", 430_100, 433_100),
        ("Burglary", "2022-02", 430_150, 433_150),
        ("Burglary", "2022-03", 430_200, 433_200),
        ("Burglary", "2022-04", 430_250, 433_250),
        ("Robbery", "2022-02", 430_300, 433_100),
        ("Robbery", "2022-02", 430_350, 433_150),
        ("Drugs", "2022-03", 430_400, 433_200),
        ("Vehicle crime", "2022-01", 431_100, 433_100),
        ("Vehicle crime", "2022-01", 431_200, 433_200),
        ("Anti-social behaviour", "2022-05", 431_300, 433_300),
        ("Anti-social behaviour", "2022-05", 431_400, 433_400),
        ("Violence and sexual offences", "2022-06", 431_500, 433_500),
    ]
    return build_crimes(rows)
