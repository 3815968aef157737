"""The ``hotspots find`` pipeline: load, select, find, summarise, write. The CLI is a thin face."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspots.io.write import write_geopackage
from hotspots.io.write import write_table
from hotspots.methods.cells import compact_frames
from hotspots.methods.find import MethodSettings
from hotspots.methods.stability import STABILITY_MAX_CELLS
from hotspots.methods.stability import with_stability
from hotspots.pipelines.outputs import output_folder
from hotspots.pipelines.outputs import write_map
from hotspots.pipelines.outputs import write_run_json
from hotspots.pipelines.selection import Selection
from hotspots.pipelines.selection import load_selection
from hotspots.privacy import suppress_small_counts
from hotspots.progress import Progress
from hotspots.progress import note_progress
from hotspots.result import HotspotResult
from hotspots.viz.classes import MAX_MAP_FEATURES

__all__ = ["FIND_STEPS", "OCCUPIED_CELLS_RULE", "FindRun", "hotspot_table", "occupied_cells",
           "run_find"]

log = logging.getLogger(__name__)

#: Steps ``run_find`` reports: boundary, crimes, selection (as load_selection), find, write.
FIND_STEPS = 5
#: Which cells the ``cells`` layer holds with ``all_cells=False`` (batch runs: a force-wide
#: grid is mostly sea and moor, and writing its empty cells took most of a job's time).
OCCUPIED_CELLS_RULE = "the cells with at least one crime, and every cell flagged a hotspot"


def occupied_cells(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of a ``cells`` layer with at least one crime or flagged a hotspot
    (:data:`OCCUPIED_CELLS_RULE`), in their order; a layer without ``count`` is returned whole.

    Examples
    --------
    >>> import shapely
    >>> cells = gpd.GeoDataFrame({"count": [0, 2, 0], "hotspot": [False, False, True]},
    ...                          geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)])
    >>> occupied_cells(cells).index.tolist()
    [1, 2]
    """
    if "count" not in cells or "hotspot" not in cells:
        return cells
    return cells[(cells["count"] > 0).to_numpy() | cells["hotspot"].astype(bool).to_numpy()]


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


def hotspot_table(result: HotspotResult, *, sensitive: bool = False,
                  limit: int | None = None) -> pd.DataFrame:
    """Return the hotspot rows of a result as a plain table, hottest first.

    Only places with crimes are listed: a cell with no crimes is never offered as a place
    to site an intervention, even where a method's layer marks it (its Gi* class, say,
    stays in the layer). Cell or cluster centres are given as easting/northing in the
    result's projected CRS (British National Grid for GB data, a UTM zone elsewhere) and
    lon/lat. For ``sensitive`` groups, counts of 1–4 are written as "<5". ``limit`` keeps
    the first rows only (the hottest).
    """
    cells = result.cells
    keep = cells["hotspot"].astype(bool)
    if "count" in cells:
        keep &= cells["count"] > 0
    hot = cells[keep].sort_values(["score", "count"] if "count" in cells else "score",
                                  ascending=False, kind="stable")
    if limit is not None:
        hot = hot.head(limit)
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


def run_find(
    selection: Selection,
    method: MethodSettings | None = None,
    *,
    out: str | Path,
    progress: Progress | None = None,
    file_progress: Progress | None = None,
    tiles: str | None = "OpenStreetMap",
    stability: bool | None = None,
    all_cells: bool = True,
    map: bool = True,  # noqa: A002 - the output's name, as in the batch config
) -> FindRun:
    """Run the whole ``hotspots find`` pipeline and write its outputs to ``out``.

    Loads and selects the crimes ``selection`` describes, finds hotspots with ``method``
    (default: Gi* with its default parameters), and writes ``hotspots.gpkg`` (layer
    ``cells`` or ``clusters``, and ``areas`` with a boundary), ``summary.csv`` (hotspot
    rows, hottest first), ``areas.csv`` (with a boundary), ``map.html`` and ``run.json``
    (method, parameters, inputs, load report). ``progress`` is told of each of the
    :data:`FIND_STEPS` steps, ``file_progress`` of each file read; ``tiles=None`` draws the
    map without a base layer. Grid maps are re-made on moved grids and the share of
    hotspot area that survives is recorded
    (:func:`hotspots.methods.stability.with_stability`: ``params["stability"]``, a note
    when low, the map legend and ``run.json``): by default (``stability=None``) for grids
    of up to :data:`~hotspots.methods.stability.STABILITY_MAX_CELLS` cells, always with
    ``True``, never with ``False``. ``all_cells=False`` writes only the cells of
    :data:`OCCUPIED_CELLS_RULE` to the ``cells`` layer (``hotspots batch`` does, and says so
    in ``run.json``), and the result returned holds the cells of
    :data:`~hotspots.methods.cells.COMPACT_FRAME_RULE` only (those its map, tables and
    layer use: :func:`~hotspots.methods.cells.compact_frames`). ``map=False`` writes no
    ``map.html``.
    """
    from hotspots.viz.webmaps import hotspot_map

    method = method or MethodSettings()
    loaded = load_selection(selection, progress=progress, total_steps=FIND_STEPS,
                            file_progress=file_progress)
    selected, area, crime_group = loaded.crimes, loaded.area, loaded.group
    weight = "weight" if loaded.weights is not None else None

    note_progress(progress, 3, FIND_STEPS,
                  f"Finding hotspots ({method.method}) in {len(selected):,} crimes", logger=log)
    with nullcontext() if all_cells else compact_frames(top=MAX_MAP_FEATURES):
        result = method.run(selected, area=area, weight=weight)
        if stability is not False:
            result = with_stability(selected, result, area=area, weight=weight,
                                    settings=method.params,
                                    max_cells=None if stability else STABILITY_MAX_CELLS)
    summary = None
    if area is not None:
        from hotspots.analysis.areas import area_summary

        summary = area_summary(selected, area, weight=weight)

    note_progress(progress, 4, FIND_STEPS, f"Writing outputs to {Path(out)}", logger=log)
    out = output_folder(out)
    layers = {result.layer: result.cells if all_cells or result.layer != "cells"
              else occupied_cells(result.cells)}
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
    if map:
        fmap = hotspot_map(result, areas=summary, sensitive=crime_group.sensitive,
                           title=f"{crime_group.label}: hotspots", tiles=tiles)
        outputs["map"] = write_map(fmap, out / "map.html")

    outputs["run"] = write_run_json(
        out, "find", selection, loaded, outputs,
        period={"from": selection.start, "to": selection.end}, method=result.method,
        params=result.params, method_statement=result.method_statement(), notes=result.notes,
        n_hotspots=result.n_hotspots, stability=result.params.get("stability"),
    )
    return FindRun(
        crimes=selected,
        load_report=loaded.report,
        selection=loaded.selection,
        result=result,
        areas=summary,
        outputs=outputs,
        sensitive=crime_group.sensitive,
    )
