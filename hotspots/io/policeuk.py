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

from typing import BinaryIO

import pandas as pd
from pyproj import CRS

from hotspots.errors import EmptyFileError, InputFileError
from hotspots.io.clean import WGS84, tidy
from hotspots.io.report import REPEATED_HEADER, LoadReport

__all__ = ["POLICE_UK_COLUMNS", "POLICE_UK_REQUIRED", "is_policeuk_header", "read_policeuk"]

#: The columns of a police.uk street-level CSV, in file order.
POLICE_UK_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
#: The columns a file must have to be read as police.uk (``Context`` is optional).
POLICE_UK_REQUIRED: tuple[str, ...] = POLICE_UK_COLUMNS[:-1]

_RENAME = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "force",
    "Longitude": "x",
    "Latitude": "y",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "category",
    "Last outcome category": "outcome",
}


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
    stream: BinaryIO, *, source: str, crs: CRS
) -> tuple[pd.DataFrame, LoadReport]:
    """Read one police.uk street CSV stream; return checked rows and their report.

    The returned frame has the canonical columns except ``geometry``, plus projected
    ``x`` and ``y`` in ``crs``; :func:`hotspots.io.load_crimes` assembles the table.
    """
    try:
        raw = pd.read_csv(
            stream,
            usecols=lambda c: c.strip().lstrip("\ufeff") in _RENAME,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
        )
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{source} is not UTF-8 text ({exc.reason} at byte {exc.start}); police.uk "
            "files are UTF-8. Re-save the file as UTF-8."
        ) from None
    except pd.errors.ParserError as exc:
        raise InputFileError(f"Could not read {source} as CSV: {exc}") from None
    raw.columns = [_RENAME[c.strip().lstrip("\ufeff")] for c in raw.columns]
    header = (raw["month"].str.strip() == "Month") & (raw["category"].str.strip() == "Crime type")
    n_header = int(header.sum())
    if n_header:
        raw = raw.loc[~header].reset_index(drop=True)
    if len(raw) == 0:
        raise EmptyFileError(f"No crimes in {source}: the file has a header but no data rows.")
    out, report = tidy(
        raw,
        source=source,
        input_crs=WGS84,
        output_crs=crs,
        x_name="Longitude",
        y_name="Latitude",
        fix=" in the file",
    )
    if n_header:
        report.header_lines = n_header
        report.notes.append(
            f"{source}: removed {n_header:,} {REPEATED_HEADER}(s) inside the data "
            "(files concatenated with their headers?)."
        )
    return out, report
