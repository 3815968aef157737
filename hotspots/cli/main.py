"""The ``hotspots`` command line: thin commands over library calls.

Bad flags exit with code 2 and a message naming the flag (click's convention); bad input
data exits with code 1 and a message naming the file, column or value.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import click

from hotspots import __version__
from hotspots.errors import HotspotsError

__all__ = ["main"]

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not MONTH.match(value):
        raise click.BadParameter(f"{value!r} is not a month in the form YYYY-MM, e.g. 2024-03.")
    return value


def _stderr_progress(quiet: bool):
    def report(done: int, total: int, label: str) -> None:
        if not quiet:
            click.echo(f"[{done + 1}/{total}] {label}", err=True)

    return report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hotspots")
@click.option("-v", "--verbose", is_flag=True, help="Log more detail to stderr.")
def main(verbose: bool) -> None:
    """Find crime hotspots and plan Safer Streets interventions."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="TOML column mapping for CSVs that are not in police.uk format.")
@click.option("--boundary", type=click.Path(exists=True, path_type=Path),
              help="Study-area boundary (GeoPackage, GeoJSON, Shapefile, KML; any CRS).")
@click.option("--boundary-layer", help="Layer of a multi-layer boundary file.")
@click.option("--name-column", help="Column of the boundary holding area names.")
@click.option("--group", default="all", show_default=True,
              help="Crime group, e.g. neighbourhood, vawg, serious_violence, victim_based, asb, "
                   "all, or a key from --groups.")
@click.option("--groups", "groups_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="TOML file of extra or overriding crime groups.")
@click.option("--from", "start", callback=_month, metavar="YYYY-MM", help="First month.")
@click.option("--to", "end", callback=_month, metavar="YYYY-MM", help="Last month.")
@click.option("--method", type=click.Choice(["gistar", "kde", "count", "dbscan", "hdbscan"]),
              default="gistar", show_default=True, help="Hotspot method.")
@click.option("--cell-size", type=click.FloatRange(min=0, min_open=True), metavar="M",
              help="Grid cell size in metres (default: shorter side of the extent / 50).")
@click.option("--bandwidth", type=click.FloatRange(min=0, min_open=True), metavar="M",
              help="KDE bandwidth in metres (default: normal-reference rule).")
@click.option("--distance", type=click.FloatRange(min=0, min_open=True), metavar="M",
              help="Gi* neighbour distance in metres (default: the cell and its 8 neighbours).")
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), metavar="M",
              help="DBSCAN neighbourhood radius in metres.")
@click.option("--min-samples", type=click.IntRange(min=1), help="DBSCAN/HDBSCAN min_samples.")
@click.option("--min-cluster-size", type=click.IntRange(min=2), help="HDBSCAN min_cluster_size.")
@click.option("--harm", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of harm weights per category (columns category, weight).")
@click.option("--no-tiles", is_flag=True, help="Write the map without an OpenStreetMap base layer.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (created if missing).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def find(inputs, mapping, boundary, boundary_layer, name_column, group, groups_file, start, end,
         method, cell_size, bandwidth, distance, eps, min_samples, min_cluster_size, harm,
         no_tiles, out, quiet) -> None:
    """Find hotspots in police.uk or mapped CSVs (files, folders or monthly zips).

    Writes OUT/hotspots.gpkg, OUT/summary.csv, OUT/map.html and OUT/run.json
    (and OUT/areas.csv with --boundary).
    """
    from hotspots.groups import get_group, load_groups
    from hotspots.pipelines.find import run_find

    try:
        get_group(group, load_groups(groups_file))
    except HotspotsError as exc:
        raise click.BadParameter(str(exc), param_hint="'--group'") from None
    if start and end and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}.", param_hint="'--from'")
    try:
        run = run_find(
            inputs, out=out, mapping=mapping, boundary=boundary, boundary_layer=boundary_layer,
            name_column=name_column, group=group, groups_file=groups_file, start=start, end=end,
            method=method, cell_size=cell_size, bandwidth=bandwidth, distance=distance, eps=eps,
            min_samples=min_samples, min_cluster_size=min_cluster_size, harm=harm,
            progress=_stderr_progress(quiet), file_progress=None if quiet else _file_progress,
            tiles=None if no_tiles else "OpenStreetMap",
        )
    except HotspotsError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        click.echo(run.load_report.to_text(), err=True)
        res = run.result
        click.echo(
            f"{res.method}: {res.n_hotspots} hotspot {res.layer} out of {len(res.cells):,} "
            f"from {len(run.crimes):,} crimes. {res.method_statement()}",
            err=True,
        )
        for note in res.notes:
            click.echo(f"note: {note}", err=True)
        for path in run.outputs.values():
            click.echo(f"wrote {path}", err=True)


def _file_progress(done: int, total: int, label: str) -> None:
    # about ten lines however many files: every file up to 10, then every tenth part
    step = max(1, total // 10)
    if done == total or done % step == 0 or total <= 10:
        click.echo(f"  read {done}/{total} files ({label})", err=True)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("data"),
              show_default=True, help="Folder to write sample_crimes/ and boundaries/ into.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the demo's seed).")
def sample(out: Path, seed: int | None) -> None:
    """Regenerate the synthetic demo data deterministically."""
    from hotspots.datasets.sample import DEFAULT_SEED, write_sample

    summary = write_sample(out, seed=DEFAULT_SEED if seed is None else seed)
    click.echo(f"wrote demo data to {out}: {summary}", err=True)


def _register_analysis_commands() -> None:
    from hotspots.cli.analysis import compare, trends
    from hotspots.cli.report import report

    main.add_command(trends)
    main.add_command(compare)
    main.add_command(report)


_register_analysis_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
