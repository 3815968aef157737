"""Deterministic synthetic demo data: two years of crime in the fictional town of Kestlebury.

:func:`write_sample` writes police.uk street-level files (``sample_crimes/YYYY-MM/...``) and
demo boundaries (``boundaries/*.gpkg``) for a made-up town of about 8 km x 6 km centred on
E 440000, N 360000 (British National Grid). Kestlebury, its streets, neighbourhoods, LSOAs and
the force "Kestleshire Police" are invented; the town is fixed, and the seed changes only the
crimes. Five known patterns are planted so that hotspot and evaluation methods can be checked
against a truth, which :func:`planted` returns and ``sample_crimes/planted.json`` records:

1. a persistent burglary cluster on the Hollinmoor estate;
2. robbery and theft from the person around Market Place in the town centre;
3. violence and public order (VAWG proxy) around Brewers Row, a street of bars;
4. vehicle crime emerging at Kestle Retail Park's car park, which opens in month 13;
5. a street-lighting and CCTV scheme from month 13 that cuts neighbourhood crime and VAWG in
   its 250 m coverage by 40%, displaces 10% of the prevented crimes into a 250-500 m ring, and
   a control area elsewhere that shares the background trend.

Like police.uk, crimes are snapped to a fixed set of anonymised map points along streets
("On or near <street>"), so many share coordinates; about 4% have no location.
"""

from __future__ import annotations

import copy
import csv
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from hotspots.datasets.crimes import POLICE_UK_COLUMNS
from hotspots.datasets.crimes import generate
from hotspots.datasets.crimes import police_uk_rows
from hotspots.datasets.town import CRS
from hotspots.datasets.town import FORCE_NAME
from hotspots.datasets.town import FORCE_SLUG
from hotspots.datasets.town import SCHEME
from hotspots.datasets.town import SCHEME_CATEGORIES
from hotspots.datasets.town import TOWN_NAME
from hotspots.datasets.town import build_town
from hotspots.errors import ParameterError
from hotspots.io.write import atomic_path
from hotspots.io.write import write_geopackage
from hotspots.io.write import write_json
from hotspots.months import is_month_text
from hotspots.months import month_label
from hotspots.months import parse_month
from hotspots.months import shift_months
from hotspots.validation import Problems

__all__ = ["DEFAULT_SEED", "SampleSummary", "write_sample", "planted"]

log = logging.getLogger(__name__)

#: The seed of the committed demo data in ``data/``.
DEFAULT_SEED = 20240101


@dataclass(frozen=True)
class SampleSummary:
    """What :func:`write_sample` wrote.

    Attributes
    ----------
    out_dir : Path
        The folder holding ``sample_crimes/`` and ``boundaries/``.
    seed : int
        The seed the crimes were drawn with.
    months : tuple of str
        The months written, ``YYYY-MM``.
    crime_files : tuple of Path
        One police.uk street-level CSV per month.
    boundary_files : tuple of Path
        ``town.gpkg``, ``neighbourhoods.gpkg``, ``lsoas.gpkg`` and ``demo_scheme.gpkg``.
    planted_file : Path
        ``sample_crimes/planted.json``, the planted truth.
    rows_by_month : dict
        Rows (crimes and ASB) written per month.
    no_location_rows : int
        Rows written without coordinates ("No Location").
    """

    out_dir: Path
    seed: int
    months: tuple[str, ...]
    crime_files: tuple[Path, ...]
    boundary_files: tuple[Path, ...]
    planted_file: Path
    rows_by_month: dict[str, int]
    no_location_rows: int

    @property
    def rows(self) -> int:
        """Total rows written."""
        return sum(self.rows_by_month.values())

    def __str__(self) -> str:
        return (f"{len(self.crime_files)} monthly police.uk files ({self.months[0]} to "
                f"{self.months[-1]}), {self.rows:,} rows ({self.no_location_rows:,} without a "
                f"location), {len(self.boundary_files)} boundary files, planted truth in "
                f"{self.planted_file}")


def _check_options(seed: Any, months: Any, start: Any, *, func: str) -> None:
    problems = Problems(f"The options of {func}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        problems.add(f"the 'seed' parameter must be a non-negative integer, got {seed!r}.")
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or not (
            1 <= months <= 120):
        problems.add(f"the 'months' parameter must be an integer from 1 to 120, got {months!r}.")
    if not is_month_text(start):
        problems.add(f"the 'start' parameter must be a month 'YYYY-MM', e.g. '2024-01', "
                     f"got {start!r}.")
    problems.raise_if_any()


def _csv_bytes(rows: pd.DataFrame) -> bytes:
    """police.uk's layout: UTF-8, no BOM, CRLF line ends, quoting only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(POLICE_UK_COLUMNS)
    writer.writerows(rows[list(POLICE_UK_COLUMNS)].itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8")


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _remove_stale(crimes_dir: Path, keep: set[Path]) -> None:
    """Remove monthly files of this demo force left over from an earlier, longer run."""
    for path in sorted(crimes_dir.glob(f"*/*-{FORCE_SLUG}-street.csv")):
        if path not in keep and re.fullmatch(r"\d{4}-\d{2}", path.parent.name):
            log.info("removing stale demo file %s", path)
            path.unlink()
            if not any(path.parent.iterdir()):
                path.parent.rmdir()


@contextmanager
def _fixed_gpkg_timestamp() -> Iterator[None]:
    """GeoPackages record when they were written; pin that so reruns are byte-identical."""
    old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2024-01-01T00:00:00.000Z"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})


def _scheme_layer(start: str) -> gpd.GeoDataFrame:
    s = SCHEME
    target = shapely.Point(s.centre).buffer(s.radius, quad_segs=32)
    ring = shapely.Point(s.centre).buffer(s.ring[1], quad_segs=32).difference(
        shapely.Point(s.centre).buffer(s.ring[0], quad_segs=32))
    control = shapely.Point(s.control_centre).buffer(s.control_radius, quad_segs=32)
    return gpd.GeoDataFrame({
        "role": ["target", "buffer", "control"],
        "name": [s.name, f"{s.name} - displacement ring {s.ring[0]:.0f}-{s.ring[1]:.0f} m",
                 s.control_name],
        "intervention": [s.intervention, "", ""],
        "start_month": month_label(shift_months(parse_month(start, name="start"), s.start)),
        "categories": "; ".join(SCHEME_CATEGORIES),
        "effect": [s.effect, 0.0, 0.0],
        "displacement_share": [s.displacement, 0.0, 0.0],
    }, geometry=[target, ring, control], crs=CRS)


def _write_boundaries(out: Path, start: str) -> tuple[Path, ...]:
    town = build_town()
    outline = gpd.GeoDataFrame({"town_code": ["KS"], "town_name": [TOWN_NAME],
                                "force": [FORCE_NAME]}, geometry=[town.outline], crs=CRS)
    layers = {
        "town": outline,
        "neighbourhoods": town.neighbourhoods,
        "lsoas": town.lsoas,
        "demo_scheme": _scheme_layer(start),
    }
    paths = []
    with _fixed_gpkg_timestamp():
        for name, frame in layers.items():
            paths.append(write_geopackage(out / "boundaries" / f"{name}.gpkg", {name: frame}))
    return tuple(paths)


def write_sample(out_dir: Path | str, *, seed: int = DEFAULT_SEED, months: int = 24,
                 start: str = "2024-01") -> SampleSummary:
    """Write the synthetic Kestlebury demo data: police.uk monthly files and boundaries.

    The same arguments always give byte-identical files. ``write_sample("data")`` regenerates
    the demo data committed with the project.

    Parameters
    ----------
    out_dir : path
        Folder to write into (created if missing). Gets ``sample_crimes/YYYY-MM/YYYY-MM-
        kestleshire-street.csv`` (one per month), ``sample_crimes/planted.json`` and
        ``boundaries/{town,neighbourhoods,lsoas,demo_scheme}.gpkg`` (EPSG:27700).
    seed : int, default DEFAULT_SEED
        Seed for the crimes (the town itself never changes).
    months : int, default 24
        Number of months, 1 to 120. The emerging hotspot and the scheme start in month 13.
    start : str, default "2024-01"
        First month, ``YYYY-MM``.

    Returns
    -------
    SampleSummary
        The files written and row counts.

    Examples
    --------
    >>> import tempfile
    >>> summary = write_sample(tempfile.mkdtemp(), months=1)
    >>> summary.months, summary.crime_files[0].name
    (('2024-01',), '2024-01-kestleshire-street.csv')
    >>> 2_000 < summary.rows < 4_000
    True
    """
    _check_options(seed, months, start, func="write_sample")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"The 'out_dir' parameter must be a folder, but {str(out)!r} is a "
                             "file. Pass a folder path (it is created if missing).")
    frames, truth = generate(int(seed), int(months), start)
    town = build_town()
    crimes_dir = out / "sample_crimes"
    files, rows_by_month, no_location = [], {}, 0
    for i, (label, crimes) in enumerate(zip(truth["months"], frames, strict=True)):
        rows = police_uk_rows(crimes, town, int(seed), label, months - 1 - i)
        path = crimes_dir / label / f"{label}-{FORCE_SLUG}-street.csv"
        _write_bytes(path, _csv_bytes(rows))
        files.append(path)
        rows_by_month[label] = len(rows)
        no_location += int((rows["Location"] == "No Location").sum())
    _remove_stale(crimes_dir, set(files))
    planted_file = write_json(crimes_dir / "planted.json", truth)
    boundaries = _write_boundaries(out, start)
    log.info("wrote %d months of demo crimes and %d boundary files to %s", months,
             len(boundaries), out)
    return SampleSummary(out, int(seed), tuple(truth["months"]), tuple(files), boundaries,
                         planted_file, rows_by_month, no_location)


def planted(seed: int = DEFAULT_SEED, *, months: int = 24, start: str = "2024-01") -> dict:
    """Return the planted truth of the demo data, as written to ``planted.json``.

    Parameters
    ----------
    seed, months, start
        As for :func:`write_sample`; the defaults describe the committed ``data/``.

    Returns
    -------
    dict
        ``hotspots``: one entry per planted cluster with ``centre`` (BNG metres), ``radius_m``,
        ``categories``, ``first_month``, ``extra_per_month`` and the counts planted and observed
        by month; ``scheme``: the intervention's target circle, displacement ring, control
        area, ``start_month``, ``categories``, ``effect``, ``displacement_share``, the expected
        RES and WDQ, and the observed counts by month. Coordinates are EPSG:27700.

    Examples
    --------
    >>> truth = planted(months=13)
    >>> truth["scheme"]["start_month"], truth["scheme"]["effect"]
    ('2025-01', 0.4)
    >>> [h["id"] for h in truth["hotspots"]][:2]
    ['burglary_estate', 'town_centre_robbery']
    """
    _check_options(seed, months, start, func="planted")
    return copy.deepcopy(generate(int(seed), int(months), start)[1])
