"""``hotspots find INPUT... --out DIR``: hotspots by one method, as layers, tables and a map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hotspots.cli import options
from hotspots.cli.params import Metres

if TYPE_CHECKING:  # pragma: no cover
    from hotspots.pipelines.selection import Selection

__all__ = ["METHOD_CHOICES", "find"]

#: ``--method`` choices: :data:`hotspots.methods.find.METHODS`, written out here so that
#: ``hotspots --help`` need not load the methods (a test keeps the two equal).
METHOD_CHOICES = ("auto", "gistar", "kde", "count", "dbscan", "hdbscan")


@click.command()
@options.takes_selection
@options.selection_options
@options.period_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default="auto",
              show_default=True,
              help="Hotspot method. auto: the ranking that best predicts held-out months.")
@options.cell_size_option
@click.option("--bandwidth", type=Metres(), metavar="M",
              help="KDE bandwidth in metres (default: normal-reference rule).")
@options.distance_option
@click.option("--eps", type=Metres("hotspots.methods.clusters.MAX_EPS"), metavar="M",
              help="DBSCAN neighbourhood radius in metres.")
@click.option("--min-samples", type=click.IntRange(min=1), help="DBSCAN/HDBSCAN min_samples.")
@click.option("--min-cluster-size", type=click.IntRange(min=2), help="HDBSCAN min_cluster_size.")
@click.option("--stability/--no-stability", default=None,
              help="Measure how much of a grid map survives moving the grid (re-makes it 5 "
                   "times). Default: for grids of up to 250,000 cells.")
@options.harm_option
@options.output_options
def find(selection: Selection, method: str, cell_size: float | None, bandwidth: float | None,
         distance: float | None, eps: float | None, min_samples: int | None,
         min_cluster_size: int | None, stability: bool | None, no_tiles: bool, out: Path,
         quiet: bool) -> None:
    """Find hotspots in police.uk or mapped CSVs (files, folders or monthly zips).

    Writes OUT/hotspots.gpkg, OUT/summary.csv, OUT/map.html and OUT/run.json
    (and OUT/areas.csv with --boundary).
    """
    from hotspots.methods.find import MethodSettings
    from hotspots.methods.stability import stability_statement
    from hotspots.pipelines.find import run_find

    settings = MethodSettings(method, cell_size=cell_size, bandwidth=bandwidth,
                              distance=distance, eps=eps, min_samples=min_samples,
                              min_cluster_size=min_cluster_size)
    with options.data_errors():
        run = run_find(selection, settings, out=out, progress=options.step_progress(quiet),
                       file_progress=options.file_progress_summary(quiet),
                       tiles=options.base_tiles(no_tiles), stability=stability)
    if quiet:
        return
    options.echo(run.load_report.to_text())
    res = run.result
    options.echo(f"{res.method}: {res.n_hotspots} hotspot {res.layer} out of "
                 f"{len(res.cells):,} from {len(run.crimes):,} crimes. {res.method_statement()}")
    if stability_statement(res.params):
        options.echo(stability_statement(res.params))
    options.echo_notes(res.notes)
    options.echo_written(run.outputs.values())
