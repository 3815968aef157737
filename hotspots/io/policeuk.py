"""The police.uk street-level crime CSV (data.police.uk downloads and monthly archives).

The file has 12 columns: ``Crime ID, Month, Reported by, Falls within, Longitude, Latitude,
Location, LSOA code, LSOA name, Crime type, Last outcome category, Context`` (``Context``
is optional here). Rows are read as text straight from the (gzip or zip member) stream and
mapped to the canonical crime table:

============================  ==========================================
police.uk column              canonical column
============================  ==========================================
Crime ID                      ``crime_id`` (blank for anti-social behaviour)
Month                         ``month`` (first day of the month)
Reported by                   ``force`` (the force that recorded the crime)
Longitude, Latitude           ``geometry`` (WGS84, projected on load)
Location                      ``location`` ("On or near ...")
LSOA code, LSOA name          ``lsoa_code``, ``lsoa_name``
Crime type                    ``category``
Last outcome category         ``outcome``
============================  ==========================================

``Falls within`` and ``Context`` are not kept. Rows without coordinates (``Location`` =
"No Location") are dropped and counted; repeated header lines are removed and counted.
"""

from __future__ import annotations

import pandas as pd
from pyproj import CRS

from hotspots.io.clean import WGS84
from hotspots.io.clean import add_structure
from hotspots.io.clean import drop_repeated_headers
from hotspots.io.clean import note_repeated_headers
from hotspots.io.clean import tidy
from hotspots.io.report import LoadReport
from hotspots.io.textcsv import CsvReader

__all__ = [
    "POLICE_UK_CANONICAL",
    "POLICE_UK_COLUMNS",
    "POLICE_UK_REQUIRED",
    "is_policeuk_header",
    "read_policeuk",
]

#: The columns of a police.uk street-level CSV, in file order, and the canonical column each
#: becomes (``x``/``y`` hold the coordinate text; ``""``: not kept).
POLICE_UK_CANONICAL: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "force",
    "Falls within": "",
    "Longitude": "x",
    "Latitude": "y",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "category",
    "Last outcome category": "outcome",
    "Context": "",
}
#: The columns of a police.uk street-level CSV, in file order.
POLICE_UK_COLUMNS: tuple[str, ...] = tuple(POLICE_UK_CANONICAL)
#: The columns a file must have to be read as police.uk (``Context`` is optional).
POLICE_UK_REQUIRED: tuple[str, ...] = POLICE_UK_COLUMNS[:-1]

_RENAME = {column: canonical for column, canonical in POLICE_UK_CANONICAL.items() if canonical}


def is_policeuk_header(columns: list[str] | tuple[str, ...]) -> bool:
    """Return True if ``columns`` (a header row) is a police.uk street-level header.

    Examples
    --------
    >>> is_policeuk_header(list(POLICE_UK_COLUMNS))
    True
    >>> is_policeuk_header(["month", "longitude", "latitude"])
    False
    """
    found = {c.strip().lstrip("\ufeff") for c in columns}
    return set(POLICE_UK_REQUIRED) <= found


def read_policeuk(
    reader: CsvReader, *, source: str, crs: CRS | None
) -> tuple[pd.DataFrame, LoadReport]:
    """Read the rows of a police.uk street CSV whose header ``reader`` has read.

    Returns checked rows and their report. The frame has the canonical columns except
    ``geometry``, plus projected ``x`` and ``y`` in ``crs`` (left in lon/lat when ``crs``
    is None); :func:`hotspots.io.load_crimes` assembles the table. A police.uk field never
    holds a line break, so each line is one row (a stray quote costs one row, not the rest
    of the file).
    """
    table = reader.read(_RENAME, multiline=False)
    raw = pd.DataFrame({_RENAME[name]: values for name, values in table.columns.items()})
    raw, n_header = drop_repeated_headers(raw, {"month": "Month", "category": "Crime type"},
                                          source=source, table=table)
    out, report = tidy(
        raw,
        source=source,
        input_crs=WGS84,
        output_crs=crs,
        x_name="Longitude",
        y_name="Latitude",
        fix=" in the file",
    )
    note_repeated_headers(report, n_header, source=source,
                          why=" (files concatenated with their headers?)")
    add_structure(report, table)
    return out, report
