"""Writing results: GeoPackage layers, CSV tables and ``run.json``, each written atomically.

A file is written to a temporary name in the same folder and moved into place only when
complete, so an interrupted run never leaves a half-written GeoPackage behind. CSV tables
are written so that no cell runs as a spreadsheet formula.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from hotspots.escaping import neutralise_table

__all__ = [
    "atomic_path",
    "remove_leftovers",
    "write_geopackage",
    "write_table",
    "write_json",
    "json_text",
    "EXPORT_CRS",
    "export_crs",
]

#: The export CRS when no layer says which projected CRS the analysis used: British
#: National Grid. Otherwise every layer of a GeoPackage is written in the analysis CRS,
#: the first projected CRS among its layers (BNG for GB data, a UTM zone elsewhere).
EXPORT_CRS = "EPSG:27700"


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it to ``path`` when the block succeeds.

    The folder is created if needed. The finished file is flushed to disk (``fsync``)
    before it replaces ``path``, and the folder after, so a crash or power cut leaves either
    the old file or the new one, never a renamed but empty one. If the block raises,
    ``path`` is left as it was and the temporary file (and any SQLite journal beside it) is
    removed; a process killed mid-write leaves them behind, for :func:`remove_leftovers`.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "t.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # drivers such as GPKG want to create the file themselves
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _fsync(tmp_path)
        os.replace(tmp_path, path)
        _fsync(path.parent)
    finally:
        for leftover in _companions(tmp_path):
            if leftover.exists():
                leftover.unlink()


def _companions(tmp: Path) -> tuple[Path, ...]:
    """A temporary file and the SQLite files a driver may leave beside it."""
    return (tmp, *(Path(f"{tmp}{end}") for end in _SQLITE_SIDECARS))


#: Files SQLite (GeoPackage) keeps beside a database while writing it.
_SQLITE_SIDECARS = ("-journal", "-wal", "-shm")


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file, or a folder's entries) to disk, where the system allows."""
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # pragma: no cover - e.g. folders cannot be opened on Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that do not support it
        pass
    finally:
        os.close(fd)


def remove_leftovers(path: str | Path) -> list[Path]:
    """Remove the temporary files interrupted :func:`atomic_path` writes of ``path`` left.

    Call it only while no other process is writing ``path`` (under the writers' lock).
    Returns the files removed.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in (".plans-abc12345.gpkg", ".plans-abc12345.gpkg-journal", "plans.gpkg"):
    ...     _ = (folder / name).write_text("x")
    >>> [p.name for p in remove_leftovers(folder / "plans.gpkg")]
    ['.plans-abc12345.gpkg', '.plans-abc12345.gpkg-journal']
    """
    path = Path(path)
    if not path.parent.is_dir():
        return []
    pattern = re.compile(rf"^\.{re.escape(path.stem)}-[A-Za-z0-9_]{{6,}}{re.escape(path.suffix)}"
                         rf"({'|'.join(map(re.escape, _SQLITE_SIDECARS))})?$")
    removed = []
    for candidate in sorted(path.parent.iterdir()):
        if pattern.match(candidate.name) and candidate.is_file():
            candidate.unlink()
            removed.append(candidate)
    return removed


def export_crs(layers: dict[str, gpd.GeoDataFrame]) -> Any:
    """The CRS a GeoPackage of ``layers`` is written in: the first projected one, else BNG.

    Examples
    --------
    >>> import shapely
    >>> utm = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:32616")
    >>> export_crs({"a": utm.to_crs(4326), "b": utm}).to_epsg()
    32616
    """
    for frame in layers.values():
        if frame.crs is not None and frame.crs.is_projected:
            return frame.crs
    return pyproj.CRS.from_user_input(EXPORT_CRS)


def _gpkg_ready(frame: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    out = frame.to_crs(crs) if frame.crs is not None else frame.set_crs(crs)
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if out[col].dtype == bool:
            continue
        if isinstance(out[col].dtype, pd.CategoricalDtype) or out[col].dtype == object:
            out[col] = out[col].astype(str)
    return out


def write_geopackage(path: str | Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write ``layers`` (name -> GeoDataFrame) to one GeoPackage, atomically.

    Every layer is written in :func:`export_crs` (the analysis CRS: British National Grid
    for GB data, the UTM zone chosen on loading elsewhere).

    Examples
    --------
    >>> import tempfile, shapely, pyogrio
    >>> cells = gpd.GeoDataFrame({"score": [1.0]}, geometry=[shapely.box(0, 0, 1, 1)],
    ...                          crs="EPSG:27700")
    >>> out = write_geopackage(Path(tempfile.mkdtemp()) / "h.gpkg", {"cells": cells})
    >>> [name for name, _ in pyogrio.list_layers(out)]
    ['cells']
    """
    path = Path(path)
    for name, frame in layers.items():
        if not isinstance(frame, gpd.GeoDataFrame):
            raise TypeError(
                f"Layer {name!r} of {path.name} should be a GeoDataFrame, got {type(frame)}"
            )
    crs = export_crs(layers)
    with atomic_path(path) as tmp:
        for name, frame in layers.items():
            _gpkg_ready(frame, crs).to_file(tmp, layer=name, driver="GPKG")
    return path


def write_table(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a table as UTF-8 CSV (geometry dropped), atomically.

    Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
    carriage return first) get a leading single quote
    (:func:`hotspots.escaping.neutralise_table`, as OWASP advises); numbers, negative ones
    included, are written as they are.

    Examples
    --------
    >>> import tempfile
    >>> t = pd.DataFrame({"street": ["=cmd|' /C calc'!A0", "High St"], "change": [-2, 3]})
    >>> out = write_table(Path(tempfile.mkdtemp()) / "t.csv", t)
    >>> print(out.read_text().strip())
    street,change
    '=cmd|' /C calc'!A0,-2
    High St,3
    """
    path = Path(path)
    table = neutralise_table(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)
    return path


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def json_text(data: dict[str, Any]) -> str:
    """``data`` as the indented JSON text :func:`write_json` writes (numpy values converted).

    Examples
    --------
    >>> print(json_text({"n": np.int64(2), "x": float("nan")}), end="")
    {
      "n": 2,
      "x": null
    }
    """
    return json.dumps(_jsonable(data), indent=2, ensure_ascii=False) + "\n"


def write_json(path: str | Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as indented JSON (numpy values converted), atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json_text(data))
    return path

