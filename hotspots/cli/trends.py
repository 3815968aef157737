"""``hotspots trends INPUT... --out DIR``: emerging hot spots, and near repeats for dated data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hotspots.cli import options

if TYPE_CHECKING:  # pragma: no cover
    from hotspots.pipelines.selection import Selection

__all__ = ["trends", "KNOX_MAX_ITERATIONS"]

#: ``--knox-iterations`` at most: :data:`hotspots.methods.nearrepeat.MAX_ITERATIONS`, written
#: out so that ``hotspots --help`` need not load the methods (a test keeps the two equal).
KNOX_MAX_ITERATIONS = 9_999


@click.command()
@options.takes_selection
@options.selection_options
@options.cell_size_option
@options.period_options
@click.option("--step", type=click.Choice(["auto", "month", "week", "day"]), default="auto",
              show_default=True,
              help="Time step. auto: months if the data span 10+ months, else weeks or days "
                   "for dated data.")
@options.distance_option
@click.option("--no-fdr", is_flag=True,
              help="Do not correct p-values for multiple testing (not recommended).")
@options.harm_option
@click.option("--knox-iterations", type=click.IntRange(min=1, max=KNOX_MAX_ITERATIONS),
              default=99, show_default=True,
              help="Permutations for the near-repeat test (dated data only).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed of the near-repeat permutations.")
@options.output_options
def trends(selection: Selection, cell_size: float | None, step: str, distance: float | None,
           no_fdr: bool, knox_iterations: int, seed: int, no_tiles: bool, out: Path,
           quiet: bool) -> None:
    """Emerging hot spots over time (and near repeats, for data with exact dates).

    Writes OUT/trends.gpkg (layer emerging), OUT/emerging.csv, OUT/series.csv,
    OUT/near_repeat.csv (dated data only), OUT/map.html and OUT/run.json.
    """
    from hotspots.pipelines.trends import run_trends

    with options.data_errors():
        run = run_trends(selection, out=out, step=step, cell_size=cell_size, distance=distance,
                         fdr=not no_fdr, knox_iterations=knox_iterations, seed=seed,
                         file_progress=options.file_progress_each(quiet),
                         tiles=options.base_tiles(no_tiles))
    if quiet:
        return
    params = run.result.params
    counts = ", ".join(f"{k}: {v:,}" for k, v in params["pattern_counts"].items())
    options.echo(f"emerging hot spots over {params['n_steps']} {params['step']}s "
                 f"({params['first_step']} to {params['last_step']}) on "
                 f"{len(run.result.cells):,} cells. {counts}")
    options.echo(f"near repeats: {run.near_repeat_message}")
    options.echo_notes(run.result.notes)
    options.echo_written(run.outputs.values())
