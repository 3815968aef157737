"""The ``hotspots trends`` pipeline: emerging hot spots, and near repeats where dates allow.

Load and select, run the emerging hot spot analysis on one aligned grid, run a Knox
near-repeat test when every crime has an exact date (else say why not), write the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspots.io.write import write_geopackage
from hotspots.io.write import write_table
from hotspots.pipelines.outputs import output_folder
from hotspots.pipelines.outputs import write_map
from hotspots.pipelines.outputs import write_run_json
from hotspots.pipelines.selection import Selection
from hotspots.pipelines.selection import load_selection
from hotspots.privacy import suppress_small_counts
from hotspots.progress import Progress

__all__ = ["TrendsRun", "emerging_table", "run_trends"]


@dataclass
class TrendsRun:
    """What ``hotspots trends`` made."""

    crimes: gpd.GeoDataFrame
    result: Any
    knox: Any
    near_repeat_message: str
    outputs: dict[str, Path] = field(default_factory=dict)


def emerging_table(cells: gpd.GeoDataFrame) -> pd.DataFrame:
    """The cells that have a pattern, as a plain table: hot patterns first, then cold.

    Within hot patterns the order is new, consecutive, intensifying, ... (the pattern
    codes 1, 2, 3, ...), then cold patterns in the same order; highest score first within
    each pattern.

    Examples
    --------
    >>> import shapely
    >>> cells = gpd.GeoDataFrame({"pattern_code": [0, -1, 2, 1, 1], "score": [0, 1, 2, 3, 4]},
    ...                          geometry=[shapely.Point(0, 0)] * 5)
    >>> emerging_table(cells)["score"].tolist()
    [4, 3, 2, 1]
    """
    table = pd.DataFrame(cells[cells["pattern_code"] != 0].drop(columns="geometry"))
    order = table["pattern_code"].map(lambda c: (c <= 0, abs(c) if c > 0 else -c))
    table = table.assign(_o=order).sort_values(["_o", "score"], ascending=[True, False])
    return table.drop(columns="_o")


def run_trends(
    selection: Selection,
    *,
    out: str | Path,
    step: str = "auto",
    cell_size: float | None = None,
    distance: float | None = None,
    fdr: bool = True,
    knox_iterations: int = 99,
    seed: int = 0,
    file_progress: Progress | None = None,
    tiles: str | None = "OpenStreetMap",
) -> TrendsRun:
    """Emerging hot spots (and near repeats where dates allow), written to ``out``.

    ``step``, ``cell_size``, ``distance`` and ``fdr`` go to
    :func:`hotspots.methods.emerging.emerging_hotspots`; ``knox_iterations`` and ``seed``
    to :func:`hotspots.methods.nearrepeat.knox_test`. Writes ``trends.gpkg`` (layer
    ``emerging``, EPSG:27700), ``emerging.csv`` (cells with a pattern, hottest patterns
    first), ``series.csv`` (their per-step counts, Gi* and status), ``near_repeat.csv``
    (the Knox table, only when every crime has an exact date), ``map.html`` and
    ``run.json`` (with the pattern rules and, for month-only data, why no near-repeat
    analysis was run).
    """
    from hotspots.methods.emerging import emerging_hotspots
    from hotspots.methods.emerging import emerging_series
    from hotspots.methods.nearrepeat import knox_test
    from hotspots.methods.nearrepeat import near_repeat_possible
    from hotspots.viz.emerging_map import emerging_map

    loaded = load_selection(selection, file_progress=file_progress)
    sensitive = loaded.group.sensitive
    result = emerging_hotspots(loaded.crimes, cell_size=cell_size, distance=distance, step=step,
                               area=loaded.area, fdr=fdr,
                               weight="weight" if loaded.weights else None)
    possible, message = near_repeat_possible(loaded.crimes)
    knox = None
    if possible:
        knox = knox_test(loaded.crimes, iterations=knox_iterations, seed=seed)
        message = knox.headline

    out = output_folder(out)
    outputs = {"geopackage": write_geopackage(out / "trends.gpkg", {"emerging": result.cells})}
    table = emerging_table(result.cells)
    series = emerging_series(result)
    if sensitive:
        table = suppress_small_counts(table, ("count",))
        series = suppress_small_counts(series, ("count",))
    outputs["emerging"] = write_table(out / "emerging.csv", table)
    outputs["series"] = write_table(out / "series.csv", series)
    if knox is not None:
        outputs["near_repeat"] = write_table(out / "near_repeat.csv", knox.to_frame())
    fmap = emerging_map(result, areas=loaded.area, sensitive=sensitive,
                        title=f"{loaded.group.label}: emerging hot spots", tiles=tiles)
    outputs["map"] = write_map(fmap, out / "map.html")
    outputs["run"] = write_run_json(
        out, "trends", selection, loaded, outputs,
        period={"from": selection.start, "to": selection.end}, method=result.method,
        params=result.params, notes=result.notes,
        near_repeat=_near_repeat_record(knox, message),
    )
    return TrendsRun(loaded.crimes, result, knox, message, outputs)


def _near_repeat_record(knox: Any, message: str) -> dict[str, Any]:
    """The ``near_repeat`` entry of ``run.json``: whether it ran, why or why not, its settings."""
    if knox is None:
        return {"run": False, "message": message}
    return {
        "run": True,
        "message": message,
        "iterations": knox.iterations,
        "seed": knox.seed,
        "alpha": knox.alpha,
        "distance_bands_m": list(knox.distance_bands),
        "time_bands_days": list(knox.time_bands),
        "headline_stats": knox.headline_stats,
        "notes": knox.notes,
    }
