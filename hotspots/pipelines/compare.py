"""The ``hotspots compare`` pipeline: which method would have predicted the next period best?

Load and select, split into training and test months (by default the last quarter is the
test), train every candidate method on the training months, score it on the test months
(hit rate, PAI, PEI with intervals, against the naive 100 m count), recommend one (or say
the data cannot tell them apart), and write the table, chart, map and layers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.io.write import write_geopackage
from hotspots.io.write import write_table
from hotspots.months import data_months
from hotspots.months import month_label
from hotspots.months import months_between
from hotspots.months import parse_month
from hotspots.months import shift_months
from hotspots.pipelines.outputs import output_folder
from hotspots.pipelines.outputs import write_map
from hotspots.pipelines.outputs import write_run_json
from hotspots.pipelines.selection import Selection
from hotspots.pipelines.selection import load_selection
from hotspots.progress import Progress
from hotspots.result import HotspotResult

__all__ = ["DEFAULT_TEST_MONTHS", "CompareRun", "run_compare"]

#: Months in the test period when ``compare`` is given no periods: the last quarter, the
#: horizon a quarterly tasking meeting plans for.
DEFAULT_TEST_MONTHS = 3


@dataclass
class CompareRun:
    """What ``hotspots compare`` made."""

    table: pd.DataFrame
    recommended: pd.Series
    sentence: str
    result: HotspotResult | None
    periods: dict[str, str]
    outputs: dict[str, Path] = field(default_factory=dict)


def _periods(span: tuple[pd.Timestamp, pd.Timestamp], train_from: str | None,
             train_to: str | None, test_from: str | None,
             test_to: str | None) -> dict[str, str]:
    """Fill in the training and test months the user left out (test: the last quarter).

    ``span`` is the first and last month of the data.
    """
    first, last = month_label(span[0]), month_label(span[1])
    n_months = months_between(*span)
    if test_from is None:
        if train_to is not None:
            test_from = month_label(shift_months(parse_month(train_to, name="train_to"), 1))
        elif n_months > DEFAULT_TEST_MONTHS:
            test_from = month_label(shift_months(span[1], 1 - DEFAULT_TEST_MONTHS))
    if test_from is None:
        raise EmptySelectionError(
            f"The data span {n_months} month(s) ({first} to {last}): too few to train on "
            "some months and test on later ones. Load more months or set --train-to and "
            "--test-from."
        )
    periods = {
        "train_from": train_from or first,
        "train_to": train_to or month_label(
            shift_months(parse_month(test_from, name="test_from"), -1)),
        "test_from": test_from,
        "test_to": test_to or last,
    }
    if periods["train_to"] >= periods["test_from"]:
        raise EmptySelectionError(
            f"The training period ends {periods['train_to']}, not before the test period "
            f"starts ({periods['test_from']}); the test must come after the training."
        )
    return periods


def run_compare(
    selection: Selection,
    *,
    out: str | Path,
    train_from: str | None = None,
    train_to: str | None = None,
    test_from: str | None = None,
    test_to: str | None = None,
    coverages: Sequence[float] | None = None,
    recommend_at: float | None = None,
    methods: Sequence[str] | None = None,
    cell_size: float | None = None,
    file_progress: Progress | None = None,
    tiles: str | None = "OpenStreetMap",
    n_boot: int | None = None,
    seed: int = 0,
) -> CompareRun:
    """Compare hotspot methods on the user's data and recommend one; write the results.

    Trains every method on the training months and scores it on the test months
    (default: the last three months are the test, everything before the training) on one
    study area and common 100 m cells, with bootstrap intervals, against the naive 100 m
    count of the training months (always included); the selection's ``start`` and ``end``,
    when set, limit the months loaded before they are split. ``recommend_at`` defaults to
    the coverage auto is scored at (1% of the area). Methods are ranked on crime counts, so a
    selection with ``harm`` weights is refused. Writes ``comparison.csv`` (one row per method
    and coverage, with intervals), ``comparison.png`` (hit rate with intervals),
    ``hotspots.gpkg`` and ``map.html`` (the recommended method's hotspots from the training
    period) and ``run.json`` (periods, rules and the recommendation).
    """
    from hotspots.analysis.accuracy import compare_methods
    from hotspots.analysis.accuracy import comparison_area
    from hotspots.analysis.accuracy import default_candidates
    from hotspots.analysis.accuracy import recommend
    from hotspots.analysis.accuracy import run_candidate
    from hotspots.analysis.prediction import DEFAULT_COVERAGES
    from hotspots.methods.scoring import DEFAULT_COVERAGE
    from hotspots.methods.scoring import N_BOOT
    from hotspots.select import select_crimes
    from hotspots.viz.accuracy_chart import plot_comparison
    from hotspots.viz.emerging_map import emerging_map
    from hotspots.viz.webmaps import hotspot_map

    if selection.harm is not None:
        raise ParameterError(
            f"run_compare ranks methods on crime counts and cannot use harm weights; got "
            f"harm={selection.harm!r}. Leave the selection's harm unset."
        )
    recommend_at = DEFAULT_COVERAGE if recommend_at is None else float(recommend_at)
    loaded = load_selection(selection, file_progress=file_progress)
    crimes = loaded.crimes
    periods = _periods(data_months(crimes, func="run_compare"), train_from, train_to,
                       test_from, test_to)
    train, _ = select_crimes(crimes, start=periods["train_from"], end=periods["train_to"])
    test, _ = select_crimes(crimes, start=periods["test_from"], end=periods["test_to"])
    covs = sorted(set(coverages or DEFAULT_COVERAGES) | {recommend_at})
    geom, area_rule = comparison_area(train, test, area=loaded.area)
    candidates = default_candidates()
    if methods:
        candidates = [c for c in candidates if c["method"] in methods]
    table = compare_methods(train, test, area=geom, coverages=covs, candidates=candidates,
                            cell_size=cell_size, n_boot=N_BOOT if n_boot is None else n_boot,
                            seed=seed)
    table.attrs["study_area"] = area_rule
    recommended, sentence = recommend(table, coverage=recommend_at)

    out = output_folder(out)
    outputs = {"comparison": write_table(out / "comparison.csv", table)}
    fig = plot_comparison(table, title=f"{loaded.group.label}: which method predicts best?")
    chart = out / "comparison.png"
    fig.savefig(chart, dpi=150)
    outputs["chart"] = chart
    best = table.attrs["candidates"][int(recommended["candidate"])]
    area = loaded.area if loaded.area is not None else gpd.GeoSeries([geom], crs=train.crs)
    result = run_candidate(train, best, area=area)
    outputs["geopackage"] = write_geopackage(out / "hotspots.gpkg", {result.layer: result.cells})
    draw = emerging_map if result.method == "emerging" else hotspot_map
    fmap = draw(result, areas=loaded.area, sensitive=loaded.group.sensitive,
                title=f"Recommended: {recommended['label']}", tiles=tiles)
    outputs["map"] = write_map(fmap, out / "map.html")
    at = table[np.isclose(table["coverage"], recommend_at) & table["comparable"]]
    outputs["run"] = write_run_json(
        out, "compare", selection, loaded, outputs,
        periods=periods, n_train=len(train), n_test=len(test), coverages=covs,
        recommend_at=recommend_at, study_area=area_rule,
        study_area_km2=table.attrs["study_area_km2"],
        study_area_rule=table.attrs["study_area_rule"],
        selection_rule=table.attrs["selection_rule"], intervals=table.attrs["intervals"],
        candidates=table.attrs["candidates"],
        recommendation={
            "method": recommended["method"], "label": recommended["label"],
            "params": recommended["params"],
            **{k: _plain(recommended[k]) for k in (
                "hit_rate", "hit_rate_low", "hit_rate_high", "pai", "pai_low", "pai_high",
                "pei", "pei_low", "pei_high", "gain_vs_naive", "gain_vs_naive_low",
                "gain_vs_naive_high")},
            "indistinguishable_from": [
                r["label"] for _, r in at.iterrows()
                if r["indistinguishable"] and r["candidate"] != recommended["candidate"]],
            "sentence": sentence},
        recommended_params=result.params,
    )
    return CompareRun(table, recommended, sentence, result, periods, outputs)


def _plain(value: object) -> object:
    """A number as a plain float for JSON (NaN as None)."""
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
