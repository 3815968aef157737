"""The store's Parquet part files: one force and month of one source's rows, and its report.

:func:`partitions` splits a source's checked rows by force and month; :func:`write_part`
writes one part (GeoParquet, see :func:`hotspots.io.columnar.geoparquet_table`) and its load
report under new names. The files are not flushed to disk one by one (``fsync``, a few
milliseconds each, most of the cost of a small file): no reader sees them until the
store's manifest lists them (:meth:`hotspots.io.store.Store.commit_source`), and a file an
interrupted run left unlisted is deleted by :meth:`hotspots.io.store.Store.tidy`.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyproj import CRS

from hotspots.io.columnar import geoparquet_table
from hotspots.io.write import json_text

__all__ = ["COMPRESSION", "DICTIONARY_COLUMNS", "STATISTICS_COLUMNS", "FORCE_WORDS",
           "force_slug", "partitions", "write_part"]

#: Parquet compression: none, the fastest to write and read here (snappy: files ~18% smaller,
#: the write ~1.7 times as long; zstd: ~35% smaller, slower still), since the dictionaries
#: already shrink the repetitive text; dictionaries only for columns with few distinct values
#: (elsewhere one is built, overflows and is thrown away: ~15% of the write time); min/max
#: statistics for the coordinates and month only (what bounding-box and period filters of
#: other readers use).
COMPRESSION = "none"
DICTIONARY_COLUMNS = ("month", "date", "category", "location", "lsoa_code", "lsoa_name",
                      "outcome", "force", "weight")
STATISTICS_COLUMNS = ("x", "y", "month")
#: Words dropped from a force's name to make its slug, as police.uk names its files
#: ("West Yorkshire Police" -> "west-yorkshire", "Metropolitan Police Service" ->
#: "metropolitan", "Police Service of Northern Ireland" -> "northern-ireland").
FORCE_WORDS = ("police service of", "police service", "constabulary", "police")



def force_slug(name: str) -> str:
    """The partition name of a force: lower case, words joined by ``-``, "Police" dropped.

    Examples
    --------
    >>> force_slug("West Yorkshire Police"), force_slug("Metropolitan Police Service")
    ('west-yorkshire', 'metropolitan')
    >>> force_slug("Devon & Cornwall Police"), force_slug("Police Service of Northern Ireland")
    ('devon-and-cornwall', 'northern-ireland')
    """
    text = " " + name.lower().replace("&", " and ") + " "
    text = re.sub(r"[^a-z0-9]+", " ", text)
    for word in FORCE_WORDS:
        text = text.replace(f" {word} ", " ")
    return "-".join(text.split()) or "unknown"


def partitions(table: pa.Table, fallback: str) -> Iterator[tuple[tuple[str, str, str], pa.Table]]:
    """(slug, force name, month) -> rows, for each force and month in ``table``.

    A blank force name takes the slug ``fallback`` (from the file's name).

    Examples
    --------
    >>> import datetime as dt
    >>> t = pa.table({"force": ["Kent Police", "Kent Police", ""],
    ...               "month": [dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1),
    ...                         dt.datetime(2024, 1, 1)]})
    >>> for key, part in partitions(t, "kent"):
    ...     print(key, part.num_rows)
    ('kent', 'Kent Police', '2024-01') 1
    ('kent', 'Kent Police', '2024-02') 1
    ('kent', '', '2024-01') 1
    """
    if table.num_rows == 0:
        return
    names = pc.dictionary_encode(table["force"]).combine_chunks()
    month_codes = pc.dictionary_encode(table["month"]).combine_chunks()
    name_values = names.dictionary.to_pylist()
    month_values = pc.strftime(month_codes.dictionary, format="%Y-%m").to_pylist()
    slugs = [force_slug(n) if n.strip() else fallback for n in name_values]
    if len(name_values) == 1 and len(month_values) == 1:
        yield (slugs[0], name_values[0], month_values[0]), table
        return
    key = (names.indices.to_numpy(zero_copy_only=False).astype(np.int64) * len(month_values)
           + month_codes.indices.to_numpy(zero_copy_only=False))
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    for chunk in np.split(order, bounds):
        code = int(key[chunk[0]])
        n, m = divmod(code, len(month_values))
        yield (slugs[n], name_values[n], month_values[m]), table.take(pa.array(chunk))


def write_part(root: Path, folder: Path, part: pa.Table, crs: CRS, *,
               report: dict[str, Any]) -> str:
    """Write ``part`` (checked rows with ``x``/``y``, in ``crs``) and its report; return its path.

    The path (relative to ``root``, in ``folder``) is new: ``part-<id>.parquet``, its
    report ``_part-<id>.report.json`` beside it (``report``: a load report's ``to_dict()``
    with plain values). Each is written to a temporary name and renamed when whole, not
    flushed to disk (see the module docstring).
    """
    stem = f"part-{uuid.uuid4().hex[:16]}"
    where = root / folder
    where.mkdir(parents=True, exist_ok=True)
    tmp = where / f".{stem}.tmp"
    tmp.write_text(json_text(report))
    os.replace(tmp, where / f"_{stem}.report.json")
    pq.write_table(geoparquet_table(part, crs), tmp, compression=COMPRESSION,
                   use_dictionary=list(DICTIONARY_COLUMNS),
                   write_statistics=list(STATISTICS_COLUMNS))
    os.replace(tmp, where / f"{stem}.parquet")
    return (folder / f"{stem}.parquet").as_posix()
