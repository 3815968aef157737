"""``hotspots trends`` and ``hotspots compare``: emerging hot spots, near repeats, accuracy.

Each command is a thin face over a pipeline function that scripts and the app can call
too: :func:`run_trends` (emerging hot spots, plus a near-repeat Knox test when the data
have exact dates) and :func:`run_compare` (train on one period, score on a later one,
recommend a method). They follow the ``find`` command's conventions: inputs first, options
as flags, ``--out DIR`` with a ``run.json`` beside the outputs, layers in EPSG:27700.
Register them with ``main.add_command(trends)`` and ``main.add_command(compare)``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.errors import EmptySelectionError, HotspotsError
from hotspots.io.write import write_geopackage, write_json, write_table
from hotspots.pipelines.find import load_selection, run_header
from hotspots.privacy import suppress_small_counts
from hotspots.progress import Progress
from hotspots.result import HotspotResult

__all__ = [
    "CompareRun",
    "TrendsRun",
    "compare",
    "emerging_map",
    "run_compare",
    "run_trends",
    "trends",
]


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: Months in the test period when ``compare`` is given no periods: the last quarter, the
#: horizon a quarterly tasking meeting plans for.
DEFAULT_TEST_MONTHS = 3
#: Most emerging cells drawn on the map (hot patterns first); more make the page slow.
MAX_MAP_CELLS = 15_000


# --------------------------------------------------------------------------- loading


def _write_map(fmap: Any, path: Path) -> Path:
    from hotspots.viz.assets import render_html

    path.write_text(render_html(fmap), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- emerging map


def _sparkline(counts: np.ndarray, bins: np.ndarray) -> str:
    """A small inline SVG of a cell's counts per step, hot steps red and cold steps blue."""
    w, h, pad = 180.0, 40.0, 3.0
    top = max(float(counts.max()), 1.0)
    xs = np.linspace(pad, w - pad, counts.size)
    ys = h - pad - (counts / top) * (h - 2 * pad)
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{"#d7301f" if b > 0 else "#2171b5"}"/>'
        for x, y, b in zip(xs, ys, bins, strict=True) if b != 0
    )
    return (f'<svg width="{w:.0f}" height="{h:.0f}" xmlns="http://www.w3.org/2000/svg">'
            f'<polyline points="{line}" fill="none" stroke="#555" stroke-width="1.2"/>{dots}'
            "</svg>")


def emerging_map(
    result: Any,
    *,
    areas: gpd.GeoDataFrame | None = None,
    sensitive: bool = False,
    title: str = "Emerging hot spots",
    tiles: str | None = "OpenStreetMap",
) -> Any:
    """Return a folium map of an emerging hot spot result: cells coloured by pattern.

    Cells with no pattern are not drawn. Each drawn cell has a tooltip (pattern, crimes,
    hot and cold steps, trend) and, unless ``sensitive``, a popup with its monthly counts
    as a small chart (hot steps red, cold steps blue). The legend lists the patterns shown,
    each with its rule.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspots.methods.emerging import emerging_hotspots
    >>> months = pd.to_datetime(["2024-01-01", "2024-02-01"] * 3)
    >>> crimes = gpd.GeoDataFrame({"month": months, "date": pd.NaT},
    ...     geometry=gpd.points_from_xy([440000] * 6, [360000] * 6), crs="EPSG:27700")
    >>> type(emerging_map(emerging_hotspots(crimes, cell_size=100), tiles=None)).__name__
    'Map'
    """
    import folium
    from branca.element import Element

    from hotspots.methods.emerging import PATTERN_RULES, PATTERNS
    from hotspots.viz.colours import EMERGING_COLOURS

    cells = result.cells
    drawn = cells[cells["pattern_code"] != 0]
    if len(drawn) > MAX_MAP_CELLS:
        drawn = drawn.assign(_hot=drawn["hotspot"]).sort_values(
            ["_hot", "score"], ascending=False).head(MAX_MAP_CELLS).drop(columns="_hot")
    extent = areas.to_crs(4326) if areas is not None and len(areas) else (
        drawn if len(drawn) else cells).to_crs(4326)
    minx, miny, maxx, maxy = extent.total_bounds
    fmap = folium.Map(tiles=tiles, max_zoom=19, control_scale=True, prefer_canvas=True)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    if areas is not None and len(areas):
        outline = gpd.GeoDataFrame(geometry=areas.geometry.values, crs=areas.crs)
        folium.GeoJson(json.loads(outline.to_crs(4326).to_json()), name="Areas",
                       style_function=lambda _f: {"color": "#333", "weight": 1.5,
                                                  "fill": False}).add_to(fmap)
    if len(drawn):
        count = drawn["count"].map(lambda v: f"{v:g}")
        if sensitive:
            count = suppress_small_counts(drawn[["count"]], ("count",))["count"]
        shown = pd.DataFrame({
            "cell_id": drawn["cell_id"].astype(str).map(html.escape),
            "pattern": drawn["pattern"].astype(str),
            "crimes": count.to_numpy(),
            "hot_steps": drawn["n_hot_steps"].astype(int).to_numpy(),
            "cold_steps": drawn["n_cold_steps"].astype(int).to_numpy(),
            "trend": drawn["trend"].astype(str).to_numpy(),
            "_colour": drawn["pattern_code"].map(EMERGING_COLOURS).to_numpy(),
        }, index=drawn.index)
        fields = ["cell_id", "pattern", "crimes", "hot_steps", "cold_steps", "trend"]
        popup = None
        if not sensitive:
            rows, cols = drawn["row"].to_numpy(), drawn["col"].to_numpy()
            counts = result.counts[:, rows, cols].T
            bins = result.bins[:, rows, cols].T
            labels = result.steps.labels
            shown["chart"] = [
                f"<b>{cid}</b>: crimes per {result.steps.unit}, {labels[0]} to {labels[-1]}<br>"
                + _sparkline(c, b)
                for cid, c, b in zip(shown["cell_id"], counts, bins, strict=True)
            ]
            popup = folium.GeoJsonPopup(fields=["chart"], labels=False)
        layer = gpd.GeoDataFrame(shown, geometry=drawn.geometry.values, crs=drawn.crs)
        folium.GeoJson(
            json.loads(layer.to_crs(4326).to_json()),
            name=title,
            style_function=lambda f: {"fillColor": f["properties"]["_colour"],
                                      "color": f["properties"]["_colour"], "weight": 0.5,
                                      "fillOpacity": 0.75},
            tooltip=folium.GeoJsonTooltip(fields=fields),
            popup=popup,
        ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    present = sorted(set(drawn["pattern_code"].astype(int)), key=lambda c: (c < 0, abs(c)))
    rows_html = "".join(
        f'<div title="{html.escape(PATTERN_RULES.get(PATTERNS[c], PATTERN_RULES["Cold spots"]))}">'
        f'<span style="background:{EMERGING_COLOURS[c]}"></span>{PATTERNS[c]}</div>'
        for c in present
    ) or "<div>No emerging pattern found</div>"
    statement = html.escape(result.method_statement()) + " Hover a pattern for its rule."
    legend = f"""
<div id="hotspots-legend" style="position:fixed;bottom:24px;left:12px;z-index:1000;
 background:white;padding:8px 10px;border:1px solid #888;font:12px sans-serif;max-width:300px">
 <b>{html.escape(title)}</b>{rows_html}
 <div style="margin-top:4px;color:#444">{statement}</div>
 <style>#hotspots-legend span{{display:inline-block;width:14px;height:14px;margin-right:6px;
 vertical-align:middle;border:1px solid #999}}</style>
</div>"""
    fmap.get_root().html.add_child(Element(legend))
    return fmap


# --------------------------------------------------------------------------- trends


@dataclass
class TrendsRun:
    """What ``hotspots trends`` made."""

    crimes: gpd.GeoDataFrame
    result: Any
    knox: Any
    near_repeat_message: str
    outputs: dict[str, Path] = field(default_factory=dict)


def run_trends(
    inputs: Sequence[str | Path] | str | Path,
    *,
    out: str | Path,
    mapping: Any = None,
    boundary: str | Path | None = None,
    boundary_layer: str | None = None,
    name_column: str | None = None,
    group: str = "all",
    groups_file: str | Path | None = None,
    start: str | None = None,
    end: str | None = None,
    step: str = "auto",
    cell_size: float | None = None,
    distance: float | None = None,
    fdr: bool = True,
    harm: str | Path | None = None,
    knox_iterations: int = 99,
    seed: int = 0,
    file_progress: Progress | None = None,
    tiles: str | None = "OpenStreetMap",
) -> TrendsRun:
    """Emerging hot spots (and near repeats where dates allow), written to ``out``.

    Writes ``trends.gpkg`` (layer ``emerging``, EPSG:27700), ``emerging.csv`` (cells with a
    pattern, hottest patterns first), ``series.csv`` (their per-step counts, Gi* and status),
    ``near_repeat.csv`` (the Knox table, only when every crime has an exact date),
    ``map.html`` and ``run.json`` (with the pattern rules and, for month-only data, why no
    near-repeat analysis was run).
    """
    from hotspots.methods.emerging import emerging_hotspots, emerging_series
    from hotspots.methods.nearrepeat import knox_test, near_repeat_possible

    loaded = load_selection(
        inputs, mapping=mapping, boundary=boundary, boundary_layer=boundary_layer,
        name_column=name_column, group=group, groups_file=groups_file, start=start,
        end=end, harm=harm, file_progress=file_progress,
    )
    sensitive = loaded.group.sensitive
    result = emerging_hotspots(loaded.crimes, cell_size=cell_size, distance=distance, step=step,
                               area=loaded.area, fdr=fdr,
                               weight="weight" if loaded.weights else None)
    possible, message = near_repeat_possible(loaded.crimes)
    knox = None
    if possible:
        knox = knox_test(loaded.crimes, iterations=knox_iterations, seed=seed)
        message = knox.headline

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    outputs = {"geopackage": write_geopackage(out / "trends.gpkg", {"emerging": result.cells})}
    table = pd.DataFrame(result.cells[result.cells["pattern_code"] != 0].drop(columns="geometry"))
    order = table["pattern_code"].map(lambda c: (c <= 0, abs(c) if c > 0 else -c))
    table = table.assign(_o=order).sort_values(["_o", "score"], ascending=[True, False])
    table = table.drop(columns="_o")
    series = emerging_series(result)
    if sensitive:
        table = suppress_small_counts(table, ("count",))
        series = suppress_small_counts(series, ("count",))
    outputs["emerging"] = write_table(out / "emerging.csv", table)
    outputs["series"] = write_table(out / "series.csv", series)
    if knox is not None:
        outputs["near_repeat"] = write_table(out / "near_repeat.csv", knox.to_frame())
    fmap = emerging_map(result, areas=loaded.area, sensitive=sensitive,
                        title=f"{loaded.group.label}: emerging hot spots", tiles=tiles)
    outputs["map"] = _write_map(fmap, out / "map.html")
    run = run_header("trends", inputs, mapping, boundary, loaded)
    run.update({
        "period": {"from": start, "to": end},
        "method": result.method,
        "params": result.params,
        "notes": result.notes,
        "near_repeat": {
            "run": knox is not None,
            "message": message,
            **({"iterations": knox.iterations, "seed": knox.seed, "alpha": knox.alpha,
                "distance_bands_m": list(knox.distance_bands),
                "time_bands_days": list(knox.time_bands),
                "headline_stats": knox.headline_stats, "notes": knox.notes}
               if knox is not None else {}),
        },
        "outputs": {k: v.name for k, v in outputs.items()},
    })
    outputs["run"] = write_json(out / "run.json", run)
    return TrendsRun(loaded.crimes, result, knox, message, outputs)


# --------------------------------------------------------------------------- compare


@dataclass
class CompareRun:
    """What ``hotspots compare`` made."""

    table: pd.DataFrame
    recommended: pd.Series
    sentence: str
    result: HotspotResult | None
    periods: dict[str, str]
    outputs: dict[str, Path] = field(default_factory=dict)


def _periods(months: pd.Series, train_from: str | None, train_to: str | None,
             test_from: str | None, test_to: str | None) -> dict[str, str]:
    """Fill in the training and test months the user left out (test: the last quarter)."""
    present = sorted(months.dt.strftime("%Y-%m").unique())
    first, last = present[0], present[-1]
    span = pd.period_range(first, last, freq="M").strftime("%Y-%m").tolist()
    if test_from is None:
        if train_to is not None:
            test_from = (pd.Period(train_to, "M") + 1).strftime("%Y-%m")
        else:
            test_from = span[-DEFAULT_TEST_MONTHS] if len(span) > DEFAULT_TEST_MONTHS else None
    if test_from is None:
        raise EmptySelectionError(
            f"The data span {len(span)} month(s) ({first} to {last}): too few to train on "
            "some months and test on later ones. Load more months or set --train-to and "
            "--test-from."
        )
    periods = {
        "train_from": train_from or first,
        "train_to": train_to or (pd.Period(test_from, "M") - 1).strftime("%Y-%m"),
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
    inputs: Sequence[str | Path] | str | Path,
    *,
    out: str | Path,
    mapping: Any = None,
    boundary: str | Path | None = None,
    boundary_layer: str | None = None,
    name_column: str | None = None,
    group: str = "all",
    groups_file: str | Path | None = None,
    train_from: str | None = None,
    train_to: str | None = None,
    test_from: str | None = None,
    test_to: str | None = None,
    coverages: Sequence[float] | None = None,
    recommend_at: float = 0.05,
    methods: Sequence[str] | None = None,
    cell_size: float | None = None,
    file_progress: Progress | None = None,
    tiles: str | None = "OpenStreetMap",
) -> CompareRun:
    """Compare hotspot methods on the user's data and recommend one; write the results.

    Trains every method on the training months and scores it on the test months
    (default: the last three months are the test, everything before the training).
    Writes ``comparison.csv`` (one row per method and coverage), ``comparison.png`` (PAI
    chart), ``hotspots.gpkg`` and ``map.html`` (the recommended method's hotspots from the
    training period) and ``run.json`` (periods, rules and the recommendation).
    """
    from hotspots.analysis.accuracy import (
        compare_methods,
        default_candidates,
        recommend,
        run_candidate,
        study_area_and_grid,
    )
    from hotspots.analysis.prediction import DEFAULT_COVERAGES
    from hotspots.select import select_crimes
    from hotspots.viz.accuracy_chart import plot_comparison
    from hotspots.viz.webmaps import hotspot_map

    loaded = load_selection(
        inputs, mapping=mapping, boundary=boundary, boundary_layer=boundary_layer,
        name_column=name_column, group=group, groups_file=groups_file, start=None,
        end=None, harm=None, file_progress=file_progress,
    )
    crimes = loaded.crimes
    periods = _periods(crimes["month"].dropna(), train_from, train_to, test_from, test_to)
    train, _ = select_crimes(crimes, start=periods["train_from"], end=periods["train_to"])
    test, _ = select_crimes(crimes, start=periods["test_from"], end=periods["test_to"])
    covs = sorted(set(coverages or DEFAULT_COVERAGES) | {recommend_at})
    area, area_rule, grid = study_area_and_grid(train, test, area=loaded.area,
                                                cell_size=cell_size)
    candidates = default_candidates(grid.cell_size)
    if methods:
        candidates = [c for c in candidates if c["method"] in methods]
    table = compare_methods(train, test, area=area, coverages=covs, candidates=candidates,
                            cell_size=grid.cell_size)
    table.attrs["study_area"] = area_rule
    recommended, sentence = recommend(table, coverage=recommend_at)

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    outputs = {"comparison": write_table(out / "comparison.csv", table)}
    fig = plot_comparison(table, title=f"{loaded.group.label}: which method predicts best?")
    chart = out / "comparison.png"
    fig.savefig(chart, dpi=150)
    outputs["chart"] = chart
    best = candidates[int(recommended["candidate"])]
    result = run_candidate(train, best, grid=grid, area=area)
    outputs["geopackage"] = write_geopackage(out / "hotspots.gpkg", {result.layer: result.cells})
    areas = loaded.area
    if result.method == "emerging":
        fmap = emerging_map(result, areas=areas, sensitive=loaded.group.sensitive,
                            title=f"Recommended: {recommended['label']}", tiles=tiles)
    else:
        fmap = hotspot_map(result, areas=areas, sensitive=loaded.group.sensitive,
                           title=f"Recommended: {recommended['label']}", tiles=tiles)
    outputs["map"] = _write_map(fmap, out / "map.html")
    run = run_header("compare", inputs, mapping, boundary, loaded)
    run.update({
        "periods": periods,
        "n_train": len(train),
        "n_test": len(test),
        "coverages": covs,
        "recommend_at": recommend_at,
        "study_area": area_rule,
        "study_area_rule": table.attrs["study_area_rule"],
        "selection_rule": table.attrs["selection_rule"],
        "grid": table.attrs["grid"],
        "recommendation": {"method": recommended["method"], "label": recommended["label"],
                           "params": recommended["params"], "pai": recommended["pai"],
                           "hit_rate": recommended["hit_rate"], "pei": recommended["pei"],
                           "sentence": sentence},
        "recommended_params": result.params,
        "outputs": {k: v.name for k, v in outputs.items()},
    })
    outputs["run"] = write_json(out / "run.json", run)
    return CompareRun(table, recommended, sentence, result, periods, outputs)


# --------------------------------------------------------------------------- click


def _month(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not MONTH.match(value):
        raise click.BadParameter(f"{value!r} is not a month in the form YYYY-MM, e.g. 2024-03.")
    return value


def _check_group(group: str, groups_file: Path | None) -> None:
    from hotspots.groups import get_group, load_groups

    try:
        get_group(group, load_groups(groups_file))
    except HotspotsError as exc:
        raise click.BadParameter(str(exc), param_hint="'--group'") from None


def _input_options(func: Callable) -> Callable:
    """The input flags ``find`` has, shared by ``trends`` and ``compare``."""
    options = [
        click.argument("inputs", nargs=-1, required=True,
                       type=click.Path(exists=True, path_type=Path)),
        click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="TOML column mapping for CSVs that are not in police.uk format."),
        click.option("--boundary", type=click.Path(exists=True, path_type=Path),
                     help="Study-area boundary (GeoPackage, GeoJSON, Shapefile, KML; any CRS)."),
        click.option("--boundary-layer", help="Layer of a multi-layer boundary file."),
        click.option("--name-column", help="Column of the boundary holding area names."),
        click.option("--group", default="all", show_default=True,
                     help="Crime group, e.g. neighbourhood, vawg, serious_violence, "
                          "victim_based, asb, all, or a key from --groups."),
        click.option("--groups", "groups_file",
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="TOML file of extra or overriding crime groups."),
        click.option("--cell-size", type=click.FloatRange(min=0, min_open=True), metavar="M",
                     help="Grid cell size in metres (default: shorter side of the extent / 50)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _output_options(func: Callable) -> Callable:
    options = [
        click.option("--no-tiles", is_flag=True,
                     help="Write the map without an OpenStreetMap base layer."),
        click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
                     help="Output folder (created if missing)."),
        click.option("-q", "--quiet", is_flag=True, help="Print only errors."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _file_progress(quiet: bool) -> Progress | None:
    if quiet:
        return None

    def report(done: int, total: int, label: str) -> None:
        click.echo(f"  reading {done}/{total}: {label}", err=True)

    return report


@click.command()
@_input_options
@click.option("--from", "start", callback=_month, metavar="YYYY-MM", help="First month.")
@click.option("--to", "end", callback=_month, metavar="YYYY-MM", help="Last month.")
@click.option("--step", type=click.Choice(["auto", "month", "week", "day"]), default="auto",
              show_default=True,
              help="Time step. auto: months if the data span 10+ months, else weeks or days "
                   "for dated data.")
@click.option("--distance", type=click.FloatRange(min=0, min_open=True), metavar="M",
              help="Gi* neighbour distance in metres (default: the cell and its 8 neighbours).")
@click.option("--no-fdr", is_flag=True,
              help="Do not correct p-values for multiple testing (not recommended).")
@click.option("--harm", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of harm weights per category (columns category, weight).")
@click.option("--knox-iterations", type=click.IntRange(min=1), default=99, show_default=True,
              help="Permutations for the near-repeat test (dated data only).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed of the near-repeat permutations.")
@_output_options
def trends(inputs, mapping, boundary, boundary_layer, name_column, group, groups_file,
           cell_size, start, end, step, distance, no_fdr, harm, knox_iterations, seed,
           no_tiles, out, quiet) -> None:
    """Emerging hot spots over time (and near repeats, for data with exact dates).

    Writes OUT/trends.gpkg (layer emerging), OUT/emerging.csv, OUT/series.csv,
    OUT/near_repeat.csv (dated data only), OUT/map.html and OUT/run.json.
    """
    _check_group(group, groups_file)
    if start and end and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}.", param_hint="'--from'")
    try:
        run = run_trends(
            inputs, out=out, mapping=mapping, boundary=boundary, boundary_layer=boundary_layer,
            name_column=name_column, group=group, groups_file=groups_file, start=start,
            end=end, step=step, cell_size=cell_size, distance=distance, fdr=not no_fdr,
            harm=harm, knox_iterations=knox_iterations, seed=seed,
            file_progress=_file_progress(quiet), tiles=None if no_tiles else "OpenStreetMap",
        )
    except HotspotsError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        res = run.result
        counts = ", ".join(f"{k}: {v:,}" for k, v in res.params["pattern_counts"].items())
        click.echo(f"emerging hot spots over {res.params['n_steps']} {res.params['step']}s "
                   f"({res.params['first_step']} to {res.params['last_step']}) on "
                   f"{len(res.cells):,} cells. {counts}", err=True)
        click.echo(f"near repeats: {run.near_repeat_message}", err=True)
        for note in res.notes:
            click.echo(f"note: {note}", err=True)
        for path in run.outputs.values():
            click.echo(f"wrote {path}", err=True)


def _coverage(ctx: click.Context, param: click.Parameter, value: tuple[float, ...]) -> Any:
    if param.name == "recommend_at":
        value = (value,)
    for v in value:
        if not 0 < v <= 1:
            raise click.BadParameter(f"{v:g} is not a share of the area in (0, 1], e.g. 0.05.")
    return value[0] if param.name == "recommend_at" else value


METHOD_CHOICES = ("count", "kde", "gistar", "dbscan", "hdbscan", "emerging")


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


@click.command()
@_input_options
@click.option("--train-from", callback=_month, metavar="YYYY-MM",
              help="First training month (default: the first month of the data).")
@click.option("--train-to", callback=_month, metavar="YYYY-MM",
              help="Last training month (default: the month before the test period).")
@click.option("--test-from", callback=_month, metavar="YYYY-MM",
              help="First test month (default: the last three months of the data are the test).")
@click.option("--test-to", callback=_month, metavar="YYYY-MM",
              help="Last test month (default: the last month of the data).")
@click.option("--coverage", "coverages", type=float, multiple=True, callback=_coverage,
              metavar="SHARE", help="Share of the area to score at; repeat for several "
              "(default 0.01, 0.02, 0.05).")
@click.option("--recommend-at", type=float, default=0.05, show_default=True,
              callback=_coverage, metavar="SHARE",
              help="Coverage the recommendation is made for (added to --coverage if missing).")
@click.option("--methods", callback=_methods, metavar="LIST",
              help=f"Comma-separated methods to compare (default all: {','.join(METHOD_CHOICES)}).")
@_output_options
def compare(inputs, mapping, boundary, boundary_layer, name_column, group, groups_file,
            cell_size, train_from, train_to, test_from, test_to, coverages, recommend_at,
            methods, no_tiles, out, quiet) -> None:
    """Which hotspot method predicts your next period best? Ranks methods by PAI.

    Writes OUT/comparison.csv, OUT/comparison.png, OUT/hotspots.gpkg and OUT/map.html
    (the recommended method on the training period) and OUT/run.json.
    """
    _check_group(group, groups_file)
    for first, last, flag in ((train_from, train_to, "--train-from"),
                              (test_from, test_to, "--test-from"),
                              (train_to, test_from, "--train-to")):
        if first and last and (first > last or (flag == "--train-to" and first == last)):
            raise click.BadParameter(f"{flag} {first} is not before {last}.",
                                     param_hint=f"'{flag}'")
    try:
        run = run_compare(
            inputs, out=out, mapping=mapping, boundary=boundary, boundary_layer=boundary_layer,
            name_column=name_column, group=group, groups_file=groups_file,
            train_from=train_from, train_to=train_to, test_from=test_from, test_to=test_to,
            coverages=coverages or None, recommend_at=recommend_at, methods=methods,
            cell_size=cell_size, file_progress=_file_progress(quiet),
            tiles=None if no_tiles else "OpenStreetMap",
        )
    except HotspotsError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        p = run.periods
        click.echo(f"trained on {p['train_from']} to {p['train_to']}, tested on "
                   f"{p['test_from']} to {p['test_to']}", err=True)
        at = run.table[np.isclose(run.table["coverage"], recommend_at)]
        for _, row in at.iterrows():
            pai = "not comparable" if not row.get("comparable", False) else f"{row['pai']:.2f}"
            click.echo(f"  {row['label']}: PAI {pai}", err=True)
        click.echo(run.sentence, err=True)
        for path in run.outputs.values():
            click.echo(f"wrote {path}", err=True)
