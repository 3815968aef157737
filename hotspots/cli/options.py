"""What the commands share, declared once: options, their checks, progress and result printing.

Options are click decorators; a group of them is one decorator (``@selection_options``
adds the inputs and every flag that says what to load and select). :func:`takes_selection`
gathers those flags into one :class:`~hotspots.pipelines.selection.Selection`, after the
checks that name a bad flag (exit code 2). :func:`data_errors` turns an error in the data
into a message and exit code 1.

Only click and two small modules (errors, progress) are imported at the top, so
``hotspots --help`` stays quick: the library (and geopandas with it) loads when a command
runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from hotspots.cli.params import Metres
from hotspots.cli.params import check_month_range
from hotspots.errors import HotspotsError
from hotspots.progress import Progress

__all__ = [
    "SELECTION_FLAGS",
    "base_tiles",
    "cell_size_option",
    "check_month",
    "data_errors",
    "distance_option",
    "echo",
    "echo_notes",
    "echo_written",
    "file_progress_each",
    "file_progress_summary",
    "harm_option",
    "month_option",
    "output_options",
    "period_options",
    "quiet_option",
    "selection_options",
    "step_progress",
    "check_store",
    "store_options",
    "takes_selection",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

#: Command parameters that :func:`takes_selection` gathers into one Selection.
SELECTION_FLAGS = ("inputs", "mapping", "boundary", "boundary_layer", "name_column", "group",
                   "groups_file", "start", "end", "harm", "store", "forces")


def _stack(*decorators: Decorator) -> Decorator:
    """One decorator applying ``decorators`` as if written one above the other, in order."""
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def _file() -> click.Path:
    """An existing file (not a folder), given to the command as a Path."""
    return click.Path(exists=True, dir_okay=False, path_type=Path)


# --------------------------------------------------------------------------- checks


def check_month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: accept a month written YYYY-MM (or no value), else a flag error."""
    from hotspots.months import is_month_text

    if value is not None and not is_month_text(value):
        raise click.BadParameter(f"{value!r} is not a month in the form YYYY-MM, e.g. 2024-03.")
    return check_month_range(value)


def _check_group(group: str, groups_file: Path | None) -> None:
    from hotspots.groups import get_group
    from hotspots.groups import load_groups

    try:
        get_group(group, load_groups(groups_file))
    except HotspotsError as exc:
        raise click.BadParameter(str(exc), param_hint="'--group'") from None


def check_store(store: Path | None, forces: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """``--store DIR`` must be a store, and each ``--force`` a force in it (flag errors)."""
    if store is None:
        if forces:
            raise click.BadParameter("--force chooses forces of a store; give --store DIR "
                                     "too.", param_hint="'--force'")
        return None
    from hotspots.io.store import Store

    try:
        with Store(store) as opened:
            opened.resolve_forces(forces or None, name="--force")
    except HotspotsError as exc:
        hint = "'--force'" if "'--force'" in str(exc) else "'--store'"
        raise click.BadParameter(str(exc), param_hint=hint) from None
    return forces or None


def _check_inputs(chosen: dict[str, Any]) -> None:
    """INPUT... or ``--store DIR``: exactly one of them (a usage error otherwise)."""
    if chosen.get("store") is None and not chosen["inputs"]:
        raise click.UsageError("Give the crime data: INPUT... (files, folders, zips) or "
                               "--store DIR (a store made by 'hotspots ingest').")
    if chosen.get("store") is not None and chosen["inputs"]:
        raise click.BadParameter("give INPUT... or --store DIR, not both.",
                                 param_hint="'--store'")
    if chosen.get("store") is not None and chosen.get("mapping") is not None:
        raise click.BadParameter("a store holds police.uk data already read; --mapping "
                                 "applies to INPUT files only.", param_hint="'--mapping'")


def takes_selection(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``command`` one ``selection`` argument in place of its selection flags.

    Put it directly under ``@click.command()``. Before the command runs, the group is
    checked (``--group``, with ``--groups``), ``--from`` must not be after ``--to``, the
    data come from INPUT... or ``--store`` (one of them), and ``--force`` names forces of
    the store; each mistake is a flag error (exit code 2).
    """
    @functools.wraps(command)
    def run(**flags: Any) -> Any:
        from hotspots.pipelines.selection import Selection

        chosen = {name: flags.pop(name) for name in SELECTION_FLAGS if name in flags}
        _check_inputs(chosen)
        if "store" in chosen:
            chosen["forces"] = check_store(chosen["store"], chosen.get("forces"))
        _check_group(chosen["group"], chosen["groups_file"])
        start, end = chosen.get("start"), chosen.get("end")
        if start and end and start > end:
            raise click.BadParameter(f"--from {start} is after --to {end}.",
                                     param_hint="'--from'")
        return command(selection=Selection(**chosen), **flags)

    return run


@contextmanager
def data_errors() -> Iterator[None]:
    """Turn a :class:`~hotspots.errors.HotspotsError` into a message and exit code 1."""
    try:
        yield
    except HotspotsError as exc:
        raise click.ClickException(str(exc)) from None


# --------------------------------------------------------------------------- options


def month_option(*decls: str, help: str) -> Decorator:
    """A month flag (``YYYY-MM``), checked as it is parsed."""
    return click.option(*decls, callback=check_month, metavar="YYYY-MM", help=help)


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--store DIR`` and ``--force NAME`` (repeatable): read a store instead of inputs."""
    return _stack(
        click.option("--store", type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="Read a store made by 'hotspots ingest' instead of INPUT files: "
                          "only the partitions of --force and --from/--to are read."),
        click.option("--force", "forces", multiple=True, metavar="NAME",
                     help="Force to read from --store (slug such as west-yorkshire, or "
                          "name); repeat for several. Default: every force stored."),
    )(func)


def selection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The inputs (or a store) and how to read them, the area and the crime group."""
    return _stack(
        click.argument("inputs", nargs=-1, required=False,
                       type=click.Path(exists=True, path_type=Path)),
        store_options,
        click.option("--mapping", type=_file(),
                     help="TOML column mapping for CSVs that are not in police.uk format."),
        click.option("--boundary", type=click.Path(exists=True, path_type=Path),
                     help="Study-area boundary (GeoPackage, GeoJSON, Shapefile, KML; any CRS)."),
        click.option("--boundary-layer", help="Layer of a multi-layer boundary file."),
        click.option("--name-column", help="Column of the boundary holding area names."),
        click.option("--group", default="all", show_default=True,
                     help="Crime group, e.g. neighbourhood, vawg, serious_violence, "
                          "victim_based, asb, all, or a key from --groups."),
        click.option("--groups", "groups_file", type=_file(),
                     help="TOML file of extra or overriding crime groups."),
    )(func)


def period_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--from`` and ``--to``: the first and last month to analyse."""
    return _stack(
        month_option("--from", "start", help="First month."),
        month_option("--to", "end", help="Last month."),
    )(func)


def cell_size_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--cell-size M``."""
    return click.option(
        "--cell-size", type=Metres("hotspots.methods.grid.MAX_CELL_SIZE"), metavar="M",
        help="Grid cell size in metres (default: street scale, the median spacing of "
             "distinct crime locations rounded and clipped to 50-150 m).")(func)


def distance_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--distance M``: the Gi* neighbourhood."""
    return click.option(
        "--distance", type=Metres(), metavar="M",
        help="Gi* neighbour distance in metres (default: the cell and its 8 neighbours).")(func)


def harm_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--harm FILE``: harm weights per category."""
    return click.option(
        "--harm", type=_file(),
        help="CSV of harm weights per category (columns category, weight).")(func)


def quiet_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``-q/--quiet``."""
    return click.option("-q", "--quiet", is_flag=True, help="Print only errors.")(func)


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--no-tiles``, ``--out DIR`` and ``-q``, the last flags of every analysis command."""
    return _stack(
        click.option("--no-tiles", is_flag=True,
                     help="Write the map without an OpenStreetMap base layer."),
        click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
                     help="Output folder (created if missing)."),
        quiet_option,
    )(func)


def base_tiles(no_tiles: bool) -> str | None:
    """The web map's base layer: OpenStreetMap, or none with ``--no-tiles``."""
    return None if no_tiles else "OpenStreetMap"


# --------------------------------------------------------------------------- printing


def echo(text: str) -> None:
    """Print a line to stderr (stdout is left for data)."""
    click.echo(text, err=True)


def echo_notes(notes: Iterable[str]) -> None:
    """Print each note of a result as ``note: ...``."""
    for note in notes:
        echo(f"note: {note}")


def echo_written(paths: Iterable[Path]) -> None:
    """Print ``wrote PATH`` for each file written."""
    for path in paths:
        echo(f"wrote {path}")


def step_progress(quiet: bool) -> Progress:
    """A progress callback printing ``[step/total] label`` (nothing when ``quiet``)."""
    def report(done: int, total: int, label: str) -> None:
        if not quiet:
            echo(f"[{done + 1}/{total}] {label}")

    return report


def file_progress_summary(quiet: bool) -> Progress | None:
    """Files read, in about ten lines however many there are (every file up to ten)."""
    if quiet:
        return None

    def report(done: int, total: int, label: str) -> None:
        step = max(1, total // 10)
        if done == total or done % step == 0 or total <= 10:
            echo(f"  read {done}/{total} files ({label})")

    return report


def file_progress_each(quiet: bool) -> Progress | None:
    """Every file read, one line each."""
    if quiet:
        return None

    def report(done: int, total: int, label: str) -> None:
        echo(f"  reading {done}/{total}: {label}")

    return report
