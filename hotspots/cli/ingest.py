"""``hotspots ingest INPUT... --store DIR``: police.uk files and archives into a GeoParquet store.

A thin face over :func:`hotspots.pipelines.ingest.ingest`. Re-running it is cheap and safe:
what is stored and unchanged is skipped, what changed is replaced. Exit codes: 0 when every
source is stored (or unchanged, or empty); 1 when a source could not be stored (corrupt,
not police.uk, wrong CRS), after storing all the others and naming each one; 2 for a bad
flag.
"""

from __future__ import annotations

from pathlib import Path

import click

from hotspots.cli import options
from hotspots.progress import Progress

__all__ = ["ingest"]


def _progress(quiet: bool) -> Progress | None:
    """About twenty lines however many sources: ``ingested 43/516 (label, rows/s)``."""
    if quiet:
        return None

    def report(done: int, total: int, label: str) -> None:
        step = max(1, total // 20)
        if done == total or done % step == 0:
            options.echo(f"  ingested {done:,}/{total:,}: {label}")

    return report


@click.command("ingest")
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--store", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Store folder (created if missing; re-running adds only what is new or "
                   "changed).")
@click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True,
              help="Sources read at once.")
@options.quiet_option
def ingest(inputs: tuple[Path, ...], store: Path, threads: int, quiet: bool) -> None:
    """Store police.uk street-level CSVs, folders or monthly archive zips in a GeoParquet store.

    The store (STORE/crimes/force_slug=.../year_month=.../*.parquet, with each file's load
    report beside it and STORE/_manifest.sqlite) is read by find, trends and compare with
    --store DIR [--force NAME] [--from YYYY-MM] [--to YYYY-MM], and by 'hotspots batch'.
    Writes STORE/run.json.
    """
    from hotspots.pipelines.ingest import ingest as run_ingest
    from hotspots.pipelines.ingest import write_ingest_run

    if store.exists() and any(store.iterdir()) and not (store / "_manifest.sqlite").is_file():
        raise click.BadParameter(
            f"{store} is a folder with other files in it and no store manifest; give an "
            "empty or new folder, or an existing store.", param_hint="'--store'")
    with options.data_errors():
        summary = run_ingest(list(inputs), store=store, progress=_progress(quiet),
                             threads=threads)
        run = write_ingest_run(summary, inputs=list(inputs))
    if not quiet:
        options.echo(summary.to_text())
        options.echo_written([run])
    failed = [s for s in summary.skipped if not s.empty]
    if failed:
        names = "; ".join(f"{s.label}: {s.reason}" for s in failed[:10])
        more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
        raise click.ClickException(
            f"{len(failed)} source(s) could not be stored (the others were): {names}{more}")
