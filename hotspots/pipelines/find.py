"""The ``hotspots find`` pipeline: load, select, find, summarise, write. The CLI is a thin face."""

from __future__ import annotations

import datetime as dt
import logging
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspots import __version__
from hotspots.errors import EmptySelectionError
from hotspots.io.write import write_geopackage, write_json, write_table
from hotspots.methods.find import find_hotspots
from hotspots.privacy import RULE as PRIVACY_RULE
from hotspots.privacy import suppress_small_counts
from hotspots.progress import Progress
from hotspots.result import HotspotResult

__all__ = [
    "FindRun",
    "run_find",
    "hotspot_table",
    "LoadedSelection",
    "load_selection",
    "run_header",
]

log = logging.getLogger(__name__)



@dataclass
class FindRun:
    """Everything ``hotspots find`` made, for callers that want more than the files."""

    crimes: gpd.GeoDataFrame
    load_report: Any
    selection: dict[str, Any]
    result: HotspotResult
    areas: gpd.GeoDataFrame | None
    outputs: dict[str, Path] = field(default_factory=dict)
    sensitive: bool = False


def hotspot_table(result: HotspotResult, *, sensitive: bool = False) -> pd.DataFrame:
    """Return the hotspot rows of a result as a plain table, hottest first.

    Cell or cluster centres are given as easting/northing (EPSG:27700) and lon/lat. For
    ``sensitive`` groups, counts of 1–4 are written as "<5".
    """
    hot = result.cells[result.cells["hotspot"]].sort_values("score", ascending=False)
    centres = hot.geometry.centroid
    table = pd.DataFrame(hot.drop(columns="geometry"))
    table.insert(0, "rank", range(1, len(table) + 1))
    if "count" in table and len(table) and (table["count"] % 1 == 0).all():
        table["count"] = table["count"].astype("int64")
    table["easting"] = centres.x.round(1).to_numpy()
    table["northing"] = centres.y.round(1).to_numpy()
    lonlat = centres.to_crs(4326)
    table["longitude"] = lonlat.x.round(6).to_numpy()
    table["latitude"] = lonlat.y.round(6).to_numpy()
    if sensitive:
        table = suppress_small_counts(table, ("count",))
    return table


def _progress_note(progress: Progress | None, step: int, label: str) -> None:
    log.info(label)
    if progress is not None:
        progress(step, 5, label)


@dataclass
class LoadedSelection:
    """Crimes loaded, selected and (optionally) weighted, with every report made on the way."""

    crimes: gpd.GeoDataFrame
    area: gpd.GeoDataFrame | None
    report: Any
    boundary_report: Any
    selection: dict[str, Any]
    group: Any
    weights: dict[str, float] | None


def load_selection(
    inputs: Sequence[str | Path] | str | Path,
    *,
    mapping: str | Path | dict | None = None,
    boundary: str | Path | None = None,
    boundary_layer: str | None = None,
    name_column: str | None = None,
    group: str = "all",
    groups_file: str | Path | None = None,
    start: str | None = None,
    end: str | None = None,
    harm: str | Path | None = None,
    progress: Progress | None = None,
    file_progress: Progress | None = None,
) -> LoadedSelection:
    """Read the boundary and crimes, select the group and period, apply harm weights.

    The first steps of every batch command (``find``, ``trends``, ``compare``). An empty
    result raises :class:`EmptySelectionError` saying why: every crime outside the boundary,
    or nothing left of the group and period (with the categories and months loaded).
    """
    from hotspots.groups import apply_harm, get_group, load_groups, load_harm_weights
    from hotspots.io import load_boundary, load_crimes
    from hotspots.select import select_crimes

    sources = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    groups = load_groups(groups_file)
    crime_group = get_group(group, groups)

    area = None
    boundary_report = None
    if boundary is not None:
        _progress_note(progress, 0, f"Reading boundary {boundary}")
        area, boundary_report = load_boundary(
            boundary, layer=boundary_layer, name_column=name_column
        )

    _progress_note(progress, 1, f"Loading crimes from {len(sources)} input(s)")
    crimes, report = load_crimes(sources, mapping=mapping, boundary=area, progress=file_progress)
    outside = report.dropped.get("outside the boundary", 0)
    if len(crimes) == 0 and outside:
        raise EmptySelectionError(
            f"All {outside:,} located crimes fall outside the boundary {boundary}, so there is "
            "nothing to analyse. Check that the boundary covers the same place as the crime "
            f"data (the boundary spans {_extent_text(area)}) and that its CRS is right."
        )
    _progress_note(progress, 2, f"Selecting {crime_group.label}")
    selected, selection = select_crimes(
        crimes, group=crime_group, start=start, end=end, groups=groups
    )
    if len(selected) == 0:
        raise EmptySelectionError(
            f"No crimes left to analyse after selecting group {group!r}"
            f"{f' from {start}' if start else ''}{f' to {end}' if end else ''}: "
            f"{selection.get('why', 'the selection is empty')}. Loaded categories: "
            f"{', '.join(sorted(report.categories)) or 'none'}; months: "
            f"{report.months[0] + ' to ' + report.months[-1] if report.months else 'none'}."
        )

    weights = None
    if harm is not None:
        # after selection, so a weights file need only cover the selected group's categories
        weights = load_harm_weights(harm)
        selected = apply_harm(selected, weights)
    return LoadedSelection(selected, area, report, boundary_report, selection, crime_group,
                           weights)


def run_header(
    command: str, inputs: Any, mapping: Any, boundary: Any, loaded: LoadedSelection
) -> dict[str, Any]:
    """The part of ``run.json`` every batch command shares: tool, inputs, group, reports."""
    sources = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    g = loaded.group
    return {
        "tool": "hotspots",
        "version": __version__,
        "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "inputs": [str(s) for s in sources],
        "mapping": str(mapping) if isinstance(mapping, str | Path) else mapping,
        "boundary": str(boundary) if boundary is not None else None,
        "group": {"key": g.key, "label": g.label, "categories": list(g.categories),
                  "note": g.note, "sensitive": g.sensitive},
        "harm_weights": loaded.weights,
        "privacy": PRIVACY_RULE if g.sensitive else None,
        "load_report": loaded.report.to_dict(),
        "boundary_report": _as_dict(loaded.boundary_report),
        "selection": loaded.selection,
    }


def run_find(
    inputs: Sequence[str | Path] | str | Path,
    *,
    out: str | Path,
    mapping: str | Path | dict | None = None,
    boundary: str | Path | None = None,
    boundary_layer: str | None = None,
    name_column: str | None = None,
    group: str = "all",
    groups_file: str | Path | None = None,
    start: str | None = None,
    end: str | None = None,
    method: str = "gistar",
    cell_size: float | None = None,
    bandwidth: float | None = None,
    distance: float | None = None,
    eps: float | None = None,
    min_samples: int | None = None,
    min_cluster_size: int | None = None,
    harm: str | Path | None = None,
    progress: Progress | None = None,
    file_progress: Progress | None = None,
    tiles: str | None = "OpenStreetMap",
) -> FindRun:
    """Run the whole ``hotspots find`` pipeline and write its outputs to ``out``.

    Writes ``hotspots.gpkg`` (layer ``cells`` or ``clusters``, and ``areas`` with a
    boundary), ``summary.csv`` (hotspot rows, hottest first), ``areas.csv`` (with a
    boundary), ``map.html`` and ``run.json`` (method, parameters, inputs, load report).
    """
    from hotspots.viz.webmaps import hotspot_map

    out = Path(out)
    loaded = load_selection(
        inputs, mapping=mapping, boundary=boundary, boundary_layer=boundary_layer,
        name_column=name_column, group=group, groups_file=groups_file, start=start, end=end,
        harm=harm, progress=progress, file_progress=file_progress,
    )
    selected, area, crime_group, weights = (
        loaded.crimes, loaded.area, loaded.group, loaded.weights
    )

    _progress_note(progress, 3, f"Finding hotspots ({method}) in {len(selected):,} crimes")
    result = find_hotspots(
        selected,
        method=method,
        cell_size=cell_size,
        bandwidth=bandwidth,
        distance=distance,
        eps=eps,
        min_samples=min_samples,
        min_cluster_size=min_cluster_size,
        area=area,
        weight="weight" if weights is not None else None,
    )
    summary = None
    if area is not None:
        from hotspots.analysis.areas import area_summary

        summary = area_summary(
            selected, area, weight="weight" if weights is not None else None
        )

    _progress_note(progress, 4, f"Writing outputs to {out}")
    out.mkdir(parents=True, exist_ok=True)
    layers = {result.layer: result.cells}
    if summary is not None:
        layers["areas"] = summary
    outputs: dict[str, Path] = {"geopackage": write_geopackage(out / "hotspots.gpkg", layers)}
    outputs["summary"] = write_table(
        out / "summary.csv", hotspot_table(result, sensitive=crime_group.sensitive)
    )
    if summary is not None:
        table = pd.DataFrame(summary.drop(columns="geometry")).sort_values(["rank", "area_name"])
        if crime_group.sensitive:
            table = suppress_small_counts(table, ("count",))
        outputs["areas"] = write_table(out / "areas.csv", table)
    fmap = hotspot_map(
        result,
        areas=summary,
        sensitive=crime_group.sensitive,
        title=f"{crime_group.label}: hotspots",
        tiles=tiles,
    )
    from hotspots.viz.assets import render_html

    map_path = out / "map.html"
    map_path.write_text(render_html(fmap), encoding="utf-8")
    outputs["map"] = map_path

    run = run_header("find", inputs, mapping, boundary, loaded)
    run.update({
        "period": {"from": start, "to": end},
        "method": result.method,
        "params": result.params,
        "method_statement": result.method_statement(),
        "notes": result.notes,
        "n_hotspots": result.n_hotspots,
        "outputs": {k: v.name for k, v in outputs.items()},
    })
    outputs["run"] = write_json(out / "run.json", run)
    return FindRun(
        crimes=selected,
        load_report=loaded.report,
        selection=loaded.selection,
        result=result,
        areas=summary,
        outputs=outputs,
        sensitive=crime_group.sensitive,
    )


def _extent_text(area: gpd.GeoDataFrame) -> str:
    minx, miny, maxx, maxy = area.to_crs(4326).total_bounds
    return f"longitude {minx:.3f} to {maxx:.3f}, latitude {miny:.3f} to {maxy:.3f}"


def _as_dict(report: Any) -> Any:
    if report is None:
        return None
    if hasattr(report, "to_dict"):
        return report.to_dict()
    return report
