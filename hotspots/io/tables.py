"""Small CSV tables people write (harm weights, area populations), read through the same
guarded reader as crime files: gzip and size limits, encodings, and every broken line
named instead of read shifted.

Examples
--------
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "weights.csv"
>>> _ = path.write_text("# my weights\\ncategory,weight\\nBurglary,3\\nRobbery, 5\\n")
>>> read_text_table(path, what="Harm weights file", comment="#")["weight"].tolist()
['3', '5']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotspots.errors import InputFileError
from hotspots.io.sources import Entry
from hotspots.io.sources import open_entry
from hotspots.io.textcsv import CsvReader

__all__ = ["read_text_table"]


def read_text_table(path: str | Path, *, what: str, comment: str | None = None) -> pd.DataFrame:
    """Every column of the CSV at ``path`` as text (values stripped of surrounding spaces).

    ``what`` names the file in messages (``"Harm weights file"``); lines starting with
    ``comment`` are skipped. Raises :class:`InputFileError` for a missing, empty or
    non-text file, and for any line whose fields do not match the header (each kind
    counted, with the fix), since a small table of settings must be read whole or not at
    all.
    """
    path = Path(path)
    label = f"{what} {str(path)!r}"
    if not path.is_file():
        raise InputFileError(f"{label} does not exist.")
    with open_entry(Entry(path)) as stream:
        reader = CsvReader(stream, source=label, comment=comment)
        table = reader.read(lambda column: True)
    if table.dropped:
        broken = ", ".join(f"{reason}: {n:,}" for reason, n in table.dropped.items())
        raise InputFileError(
            f"{label}: {sum(table.dropped.values()):,} line(s) could not be read ({broken}). "
            f"Every line needs the header's {len(table.header)} fields "
            f"({', '.join(table.header[:10])}); quote values that hold commas.")
    return pd.DataFrame({name: values.str.strip() for name, values in table.columns.items()})
