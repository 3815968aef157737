"""``hotspots compare INPUT... --out DIR``: which hotspot method predicts the next period best.

Not to be confused with :mod:`hotspots.analysis.change`, which compares two periods of
crime; this command ranks methods (:mod:`hotspots.analysis.accuracy`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import click

from hotspots.cli import options

if TYPE_CHECKING:  # pragma: no cover
    from hotspots.pipelines.selection import Selection

__all__ = ["METHOD_CHOICES", "compare"]

#: ``--methods`` choices: the methods of :func:`hotspots.analysis.accuracy.default_candidates`,
#: written out here so that ``hotspots --help`` need not load them (a test keeps them equal).
#: The naive 100 m count is always compared, whatever the choice.
METHOD_CHOICES = ("auto", "count", "kde", "gistar", "dbscan", "hdbscan", "emerging")
#: ``--recommend-at`` default: the coverage auto is scored at (methods.scoring.DEFAULT_COVERAGE),
#: written out for the same reason (a test keeps them equal).
RECOMMEND_AT = 0.01


def _coverage(ctx: click.Context, param: click.Parameter, value: tuple[float, ...]) -> Any:
    if param.name == "recommend_at":
        value = (value,)
    for v in value:
        if not 0 < v <= 1:
            raise click.BadParameter(f"{v:g} is not a share of the area in (0, 1], e.g. 0.05.")
    return value[0] if param.name == "recommend_at" else value


def _methods(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in METHOD_CHOICES]
    if bad or not names:
        raise click.BadParameter(
            f"{', '.join(bad) or value!r} not among {', '.join(METHOD_CHOICES)} "
            "(give a comma-separated list, e.g. kde,gistar)."
        )
    return names


def _check_order(train_from: str | None, train_to: str | None, test_from: str | None,
                 test_to: str | None) -> None:
    """Each period runs forward, and the training ends before the test starts."""
    for first, last, flag in ((train_from, train_to, "--train-from"),
                              (test_from, test_to, "--test-from"),
                              (train_to, test_from, "--train-to")):
        if first and last and (first > last or (flag == "--train-to" and first == last)):
            raise click.BadParameter(f"{flag} {first} is not before {last}.",
                                     param_hint=f"'{flag}'")


@click.command()
@options.takes_selection
@options.selection_options
@options.cell_size_option
@options.month_option("--train-from",
                      help="First training month (default: the first month of the data).")
@options.month_option("--train-to",
                      help="Last training month (default: the month before the test period).")
@options.month_option(
    "--test-from",
    help="First test month (default: the last three months of the data are the test).")
@options.month_option("--test-to",
                      help="Last test month (default: the last month of the data).")
@click.option("--coverage", "coverages", type=float, multiple=True, callback=_coverage,
              metavar="SHARE", help="Share of the area to score at; repeat for several "
              "(default 0.01, 0.02, 0.05).")
@click.option("--recommend-at", type=float, default=RECOMMEND_AT, show_default=True,
              callback=_coverage, metavar="SHARE",
              help="Coverage the recommendation is made for (added to --coverage if missing).")
@click.option("--methods", callback=_methods, metavar="LIST",
              help=f"Comma-separated methods to compare (default all: {','.join(METHOD_CHOICES)}); "
              "the naive 100 m count is always included.")
@options.output_options
def compare(selection: Selection, cell_size: float | None, train_from: str | None,
            train_to: str | None, test_from: str | None, test_to: str | None,
            coverages: tuple[float, ...], recommend_at: float, methods: list[str] | None,
            no_tiles: bool, out: Path, quiet: bool) -> None:
    """Which hotspot method predicts your next period best? Ranks methods by hit rate.

    Writes OUT/comparison.csv, OUT/comparison.png, OUT/hotspots.gpkg and OUT/map.html
    (the recommended method on the training period) and OUT/run.json.
    """
    import numpy as np

    from hotspots.pipelines.compare import run_compare

    _check_order(train_from, train_to, test_from, test_to)
    with options.data_errors():
        run = run_compare(selection, out=out, train_from=train_from, train_to=train_to,
                          test_from=test_from, test_to=test_to, coverages=coverages or None,
                          recommend_at=recommend_at, methods=methods, cell_size=cell_size,
                          file_progress=options.file_progress_each(quiet),
                          tiles=options.base_tiles(no_tiles))
    if quiet:
        return
    p = run.periods
    options.echo(f"trained on {p['train_from']} to {p['train_to']}, tested on "
                 f"{p['test_from']} to {p['test_to']}")
    at = run.table[np.isclose(run.table["coverage"], recommend_at)]
    for _, row in at.iterrows():
        if not row.get("comparable", False) or np.isnan(row["hit_rate"]):
            options.echo(f"  {row['label']}: not comparable")
            continue
        options.echo(f"  {row['label']}: hit rate {row['hit_rate']:.1%} "
                     f"({row['hit_rate_low']:.1%}-{row['hit_rate_high']:.1%}), PAI "
                     f"{row['pai']:.2f}")
    options.echo(run.sentence)
    options.echo_written(run.outputs.values())
