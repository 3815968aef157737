"""What every pipeline writes alike: the output folder, the map page and ``run.json``."""

from __future__ import annotations

import datetime as dt
import platform
from pathlib import Path
from typing import Any

from hotspots import __version__
from hotspots.io.write import write_json
from hotspots.pipelines.selection import LoadedSelection
from hotspots.pipelines.selection import Selection
from hotspots.privacy import RULE as PRIVACY_RULE

__all__ = ["output_folder", "run_header", "write_map", "write_run_json"]


def output_folder(out: str | Path) -> Path:
    """Return ``out`` as a path, creating the folder (and its parents) if missing."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_map(fmap: Any, path: Path) -> Path:
    """Write a folium map to ``path`` as one standalone HTML page; return the path."""
    from hotspots.viz.assets import render_html

    path.write_text(render_html(fmap), encoding="utf-8")
    return path


def run_header(command: str, selection: Selection, loaded: LoadedSelection) -> dict[str, Any]:
    """The part of ``run.json`` every pipeline shares: tool, inputs, group, reports.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> group = SimpleNamespace(key="all", label="All crime", categories=(), note="",
    ...                         sensitive=False)
    >>> loaded = SimpleNamespace(group=group, weights=None, boundary_report=None,
    ...                          report=SimpleNamespace(to_dict=dict), selection={})
    >>> run_header("find", Selection("crimes.csv"), loaded)["inputs"]
    ['crimes.csv']
    """
    mapping = selection.mapping
    g = loaded.group
    return {
        "tool": "hotspots",
        "version": __version__,
        "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "inputs": [str(s) for s in selection.sources],
        "mapping": str(mapping) if isinstance(mapping, str | Path) else mapping,
        "boundary": str(selection.boundary) if selection.boundary is not None else None,
        "group": {"key": g.key, "label": g.label, "categories": list(g.categories),
                  "note": g.note, "sensitive": g.sensitive},
        "harm_weights": loaded.weights,
        "privacy": PRIVACY_RULE if g.sensitive else None,
        "load_report": loaded.report.to_dict(),
        "boundary_report": _as_dict(loaded.boundary_report),
        "selection": loaded.selection,
    }


def write_run_json(out: Path, command: str, selection: Selection, loaded: LoadedSelection,
                   outputs: dict[str, Path], **details: Any) -> Path:
    """Write ``out/run.json``: the shared header, the command's ``details``, the outputs.

    ``outputs`` (name -> path of each file written) is recorded by file name, last.
    """
    run = run_header(command, selection, loaded)
    run.update(details)
    run["outputs"] = {name: path.name for name, path in outputs.items()}
    return write_json(out / "run.json", run)


def _as_dict(report: Any) -> Any:
    if report is None:
        return None
    if hasattr(report, "to_dict"):
        return report.to_dict()
    return report
