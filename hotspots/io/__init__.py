"""Loading crime data and study-area boundaries.

* :func:`load_crimes` reads police.uk street-level CSVs (files, ``.csv.gz``, folders,
  monthly archive zips) or any crime CSV through a column mapping, into the canonical
  crime table, with a :class:`LoadReport` of what was read, kept and dropped.
* :func:`read_mapping` reads and checks a column mapping (TOML file or dict).
* :func:`load_boundary` reads a polygon layer in any format and CRS, repaired and named.

``hotspots.io.config`` holds the pydantic models of the config files people write (column
mappings, crime groups); ``hotspots.io.write`` writes results atomically.
"""

from __future__ import annotations

from hotspots.io.boundaries import AREA_NAME
from hotspots.io.boundaries import load_boundary
from hotspots.io.generic import ColumnMapping
from hotspots.io.generic import read_mapping
from hotspots.io.load import load_crimes
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.io.report import BoundaryReport
from hotspots.io.report import LoadReport

__all__ = [
    "load_crimes",
    "read_mapping",
    "load_boundary",
    "ColumnMapping",
    "LoadReport",
    "BoundaryReport",
    "AREA_NAME",
    "POLICE_UK_COLUMNS",
]
