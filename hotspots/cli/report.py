"""``hotspots report CONFIG --out DIR``: the bid evidence pack, from a config file.

A thin face over :func:`hotspots.report.build_report`; the lead registers it on the main
group (``main.add_command(report)``). As with every command: the input first, options as
flags, ``--out DIR`` with a ``run.json`` beside the outputs; bad flags exit with code 2 and
name the flag, bad data or a bad config exits with code 1 and names the file and key.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click

from hotspots.errors import HotspotsError

__all__ = ["report"]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _MONTH.match(value):
        raise click.BadParameter(f"{value!r} is not a month in the form YYYY-MM, e.g. 2024-03.")
    return value


@click.command("report")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder for the bundle (created if missing).")
@click.option("--plan", "plan_name", metavar="NAME",
              help="Saved plan to use from the config's [plan] file (overrides [plan] name).")
@click.option("--from", "start", callback=_month, metavar="YYYY-MM",
              help="First month of the report period (overrides [selection] from).")
@click.option("--to", "end", callback=_month, metavar="YYYY-MM",
              help="Last month of the report period (overrides [selection] to).")
@click.option("--points/--no-points", default=None,
              help="Export crime points in layers.gpkg. Default: yes, except for sensitive "
                   "groups such as VAWG (overrides [output] points).")
@click.option("--no-pdf", is_flag=True, help="Skip report.pdf (the HTML is printable).")
@click.option("--no-tiles", is_flag=True,
              help="Draw maps without OpenStreetMap tiles (boundaries only).")
@click.option("--no-zip", is_flag=True, help="Skip evidence_pack.zip.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def report(config: Path, out: Path, plan_name: str | None, start: str | None, end: str | None,
           points: bool | None, no_pdf: bool, no_tiles: bool, no_zip: bool,
           quiet: bool) -> None:
    """Build a bid evidence pack from CONFIG (TOML): data, area, crime group, periods, plan.

    Writes OUT/report.html, OUT/report.pdf, OUT/maps/*.png, OUT/charts/*.png,
    OUT/tables/*.csv, OUT/layers.gpkg, OUT/run.json and OUT/evidence_pack.zip.
    See examples/report_demo.toml for every key.
    """
    from hotspots.report.build import build_report, read_report_config

    try:
        cfg = read_report_config(config)
    except HotspotsError as exc:
        raise click.ClickException(str(exc)) from None
    changes: dict[str, object] = {}
    if plan_name is not None:
        if cfg.plans_file is None:
            raise click.BadParameter(
                f"{config} names no plans file ([plan] file = ...), so there is no saved plan "
                f"called {plan_name!r} to choose.", param_hint="'--plan'")
        from hotspots.planning.plans import PlanStore

        try:
            known = [p.name for p in PlanStore(cfg.plans_file).plans()]
        except HotspotsError as exc:
            raise click.ClickException(str(exc)) from None
        if plan_name not in known:
            raise click.BadParameter(
                f"{cfg.plans_file} has no plan called {plan_name!r}; its plans are: "
                f"{', '.join(map(repr, known)) or 'none'}.", param_hint="'--plan'")
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

    def progress(step: int, total: int, label: str) -> None:
        if not quiet:
            click.echo(f"[{step + 1}/{total}] {label}", err=True)

    try:
        bundle = build_report(cfg, out=out, progress=progress)
    except HotspotsError as exc:
        raise click.ClickException(str(exc)) from None
    if quiet:
        return
    for sentence in bundle.data.summary.sentences:
        click.echo(sentence, err=True)
    for sentence in bundle.data.projection.sentences[1:2]:
        click.echo(sentence, err=True)
    click.echo(f"privacy: {bundle.data.privacy}", err=True)
    for note in bundle.notes:
        click.echo(f"note: {note}", err=True)
    for name in ("html", "pdf", "geopackage", "zip", "run"):
        if name in bundle.paths:
            click.echo(f"wrote {bundle.paths[name]}", err=True)
    n_more = len(bundle.paths) - sum(n in bundle.paths for n in
                                     ("html", "pdf", "geopackage", "zip", "run"))
    click.echo(f"and {n_more} maps, charts and tables under {out}", err=True)
