"""Fixtures for the command tests: the demo data, and a dated force-extract-like CSV."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "sample_crimes"


@pytest.fixture(scope="session")
def demo() -> Path:
    """The demo crimes folder, or skip (run ``hotspots sample`` to make it)."""
    if not (DEMO / "planted.json").is_file():
        pytest.skip(f"demo data {DEMO} is absent (run 'hotspots sample')")
    return DEMO


def write_dated_csv(tmp_path: Path, *, repeats: bool, seed: int = 0) -> tuple[Path, Path]:
    """A force-extract-like CSV (eastings, northings, offence dates) and its TOML mapping.

    600 burglaries over 3 km x 3 km and 14 months; with ``repeats`` each of 200 is followed
    by another within 60 m and 1-5 days.
    """
    rng = np.random.default_rng(seed)
    n = 600
    xy = rng.uniform(0, 3000, (n, 2)) + [440_000, 360_000]
    days = rng.integers(0, 425, n)
    if repeats:
        src = rng.choice(n, 200, replace=False)
        xy = np.r_[xy, xy[src] + rng.uniform(-40, 40, (200, 2))]
        days = np.r_[days, days[src] + rng.integers(1, 6, 200)]
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    path = tmp_path / "extract.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ref", "easting", "northing", "offence_date", "offence"])
        for i, ((x, y), d) in enumerate(zip(xy, dates, strict=True)):
            writer.writerow([f"R{i}", f"{x:.1f}", f"{y:.1f}", d.strftime("%d/%m/%Y"),
                             "Burglary"])
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'crs = "EPSG:27700"\ndate_format = "%d/%m/%Y"\n\n[columns]\nx = "easting"\n'
        'y = "northing"\ndate = "offence_date"\ncategory = "offence"\ncrime_id = "ref"\n'
    )
    return path, mapping


@pytest.fixture
def dated_csv() -> Callable[..., tuple[Path, Path]]:
    """Factory: ``dated_csv(tmp_path, repeats=..., seed=0)`` -> (csv path, mapping path)."""
    return write_dated_csv


@pytest.fixture
def one_month_csv(tmp_path: Path) -> tuple[Path, Path]:
    """The dated CSV with every offence in March 2024: too short for any trend or test."""
    path, mapping = write_dated_csv(tmp_path, repeats=False)
    frame = pd.read_csv(path)
    frame["offence_date"] = "15/03/2024"
    one_month = tmp_path / "one_month.csv"
    frame.to_csv(one_month, index=False)
    return one_month, mapping
