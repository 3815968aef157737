"""``hotspots batch CONFIG.toml --store DIR --out DIR [--scheduler ADDRESS]``: many finds at once.

A thin face over :func:`hotspots.pipelines.batch.run_batch`: a grid of ``find`` jobs
(forces or areas x crime groups x periods x methods) read from a store made by
``hotspots ingest``, run on Dask. Exit codes: 0 when every job ran (or was already done);
1 when a job failed (after its retries; the other jobs' results are all written, and
``OUT/index.csv`` names the failed ones and why) or the config or store is bad; 2 for a bad
flag.
"""

from __future__ import annotations

from pathlib import Path

import click

from hotspots.cli import options
from hotspots.progress import Progress

__all__ = ["batch"]


def _progress(quiet: bool) -> Progress | None:
    if quiet:
        return None

    def report(done: int, total: int, label: str) -> None:
        options.echo(f"[{done}/{total} jobs] {label}")

    return report


def _check_scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or value == "serial":
        return value
    if "://" not in value or not value.split("://", 1)[1]:
        raise click.BadParameter(f"{value!r} is not a scheduler address; give one such as "
                                 "tcp://host:8786 (or 'serial' to run in this process).")
    return value


@click.command("batch")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--store", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A store made by 'hotspots ingest'.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if missing): jobs/<job>/, index.csv, forces.csv, "
                   "national_summary.csv, run.json.")
@click.option("--scheduler", callback=_check_scheduler, metavar="ADDRESS",
              help="Dask scheduler of a running cluster, e.g. tcp://host:8786 (default: a "
                   "local cluster of worker processes; 'serial': one job at a time here).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes of the local cluster (default: [run] workers, 2).")
@click.option("--dashboard", default=":8787", show_default=True, metavar="ADDRESS",
              help="Address of the local cluster's Dask dashboard ('' for none).")
@options.quiet_option
def batch(config: Path, store: Path, out: Path, scheduler: str | None, workers: int | None,
          dashboard: str, quiet: bool) -> None:
    """Run a grid of hotspot jobs from CONFIG (TOML) over a store, on Dask.

    Each job (force or area x crime group x period x method) is run as 'hotspots find
    --store' would run it, into OUT/jobs/<job>/ (hotspots.gpkg, summary.csv, run.json,
    and map.html with '[output] map = true'). Jobs already done with the same settings
    and data are not run again. See examples/batch_national.toml for every key.
    """
    import dataclasses

    from hotspots.io.store import Store
    from hotspots.pipelines.batch import run_batch
    from hotspots.pipelines.batch_config import read_batch_config

    try:
        Store(store).close()
    except Exception as exc:  # noqa: BLE001 - any failure to open is a bad --store
        raise click.BadParameter(str(exc), param_hint="'--store'") from None
    with options.data_errors():
        cfg = read_batch_config(config)
        if workers is not None:
            cfg = dataclasses.replace(cfg, workers=workers)
        run = run_batch(cfg, store=store, out=out, scheduler=scheduler,
                        progress=_progress(quiet), dashboard=dashboard or None)
    if not quiet:
        counts = {s: sum(r.status == s for r in run.results)
                  for s in ("done", "unchanged", "failed")}
        rows = sum(r.rows_read for r in run.results)
        options.echo(f"{len(run.results)} jobs on {run.scheduler} in {run.seconds:.1f} s: "
                     f"{counts['done']} done, {counts['unchanged']} unchanged, "
                     f"{counts['failed']} failed; {rows:,} rows read "
                     f"({rows / max(run.seconds, 1e-9):,.0f} rows/s).")
        options.echo_written(run.outputs.values())
    if run.failed:
        listed = "; ".join(f"{r.job.id}: {r.error}" for r in run.failed[:5])
        more = f" and {len(run.failed) - 5} more" if len(run.failed) > 5 else ""
        raise click.ClickException(
            f"{len(run.failed)} of {len(run.results)} job(s) failed (the others' results "
            f"are written; see {out / 'index.csv'}): {listed}{more}")
