"""``hotspots report CONFIG --out DIR``: the bid evidence pack, from a config file.

A thin face over :func:`hotspots.report.build.build_report`. As with every command: the
input first, options as flags, ``--out DIR`` with a ``run.json`` beside the outputs; bad
flags exit with code 2 and name the flag, bad data or a bad config exits with code 1 and
names the file and key.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click

from hotspots.cli import options

__all__ = ["report"]


@click.command("report")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder for the bundle (created if missing).")
@click.option("--plan", "plan_name", metavar="NAME",
              help="Saved plan to use from the config's [plan] file (overrides [plan] name).")
@options.month_option("--from", "start",
                      help="First month of the report period (overrides [selection] from).")
@options.month_option("--to", "end",
                      help="Last month of the report period (overrides [selection] to).")
@click.option("--points/--no-points", default=None,
              help="Export crime points in layers.gpkg. Default: yes, except for sensitive "
                   "groups such as VAWG (overrides [output] points).")
@click.option("--no-pdf", is_flag=True, help="Skip report.pdf (the HTML is printable).")
@click.option("--no-tiles", is_flag=True,
              help="Draw maps without OpenStreetMap tiles (boundaries only).")
@click.option("--no-zip", is_flag=True, help="Skip evidence_pack.zip.")
@options.quiet_option
def report(config: Path, out: Path, plan_name: str | None, start: str | None, end: str | None,
           points: bool | None, no_pdf: bool, no_tiles: bool, no_zip: bool,
           quiet: bool) -> None:
    """Build a bid evidence pack from CONFIG (TOML): data, area, crime group, periods, plan.

    Writes OUT/report.html, OUT/report.pdf, OUT/maps/*.png, OUT/charts/*.png,
    OUT/tables/*.csv, OUT/layers.gpkg, OUT/run.json and OUT/evidence_pack.zip.
    See examples/report_demo.toml for every key.
    """
    from hotspots.report.build import build_report
    from hotspots.report.build import read_report_config

    with options.data_errors():
        cfg = read_report_config(config)
    changes: dict[str, object] = {}
    if plan_name is not None:
        _check_plan(config, cfg.plans_file, plan_name)
        changes["plan_name"] = plan_name
    if start is not None:
        changes["start"] = start
    if end is not None:
        changes["end"] = end
    first, last = changes.get("start", cfg.start), changes.get("end", cfg.end)
    if first and last and first > last:
        flag = "'--from'" if start is not None else "'--to'"
        raise click.BadParameter(f"the report period would run from {first} to {last}; the "
                                 "first month must not be after the last.", param_hint=flag)
    if points is not None:
        changes["points"] = points
    if no_pdf:
        changes["pdf"] = False
    if no_tiles:
        changes["tiles"] = False
    if no_zip:
        changes["zip"] = False
    cfg = dataclasses.replace(cfg, **changes)
    with options.data_errors():
        bundle = build_report(cfg, out=out, progress=options.step_progress(quiet))
    if not quiet:
        _print_bundle(bundle, out)


def _check_plan(config: Path, plans_file: Path | None, plan_name: str) -> None:
    """``--plan NAME`` must name a plan saved in the config's plans file (a flag error if not)."""
    if plans_file is None:
        raise click.BadParameter(
            f"{config} names no plans file ([plan] file = ...), so there is no saved plan "
            f"called {plan_name!r} to choose.", param_hint="'--plan'")
    from hotspots.planning.plans import PlanStore

    with options.data_errors():
        known = [p.name for p in PlanStore(plans_file).plans()]
    if plan_name not in known:
        raise click.BadParameter(
            f"{plans_file} has no plan called {plan_name!r}; its plans are: "
            f"{', '.join(map(repr, known)) or 'none'}.", param_hint="'--plan'")


#: Files of the bundle named one by one; the maps, charts and tables are counted.
_NAMED = ("html", "pdf", "geopackage", "zip", "run")


def _print_bundle(bundle: Any, out: Path) -> None:
    """The headline sentences, the privacy rule, the notes, and what was written."""
    for sentence in bundle.data.summary.sentences:
        options.echo(sentence)
    projection = bundle.data.projection
    for sentence in [projection.counted, *projection.sentences] if projection.counted else []:
        options.echo(sentence)
    options.echo(f"privacy: {bundle.data.privacy}")
    options.echo_notes(bundle.notes)
    options.echo_written(bundle.paths[name] for name in _NAMED if name in bundle.paths)
    n_more = len(bundle.paths) - sum(name in bundle.paths for name in _NAMED)
    options.echo(f"and {n_more} maps, charts and tables under {out}")
