"""The evidence pack's config file (TOML): read, check every key, resolve paths.

Public through :mod:`hotspots.report` (``read_report_config``, ``ReportConfig``). Paths in
the file are relative to the file's own folder. Every problem is collected and reported at
once, naming the file and the key, e.g. ``report.toml: [selection] from: '2024-13' is not a
month written YYYY-MM``.

Layout (every section but ``[data]`` is optional)::

    title = "Ferncliffe Rise: neighbourhood crime"     # the report's title
    [data]
    inputs = ["crimes/"]            # police.uk CSVs, folders, zips (one path or a list)
    mapping = "mapping.toml"        # column mapping for other CSVs
    harm = "weights.csv"            # harm weights per category, or "example" (illustrative)
    attribution = "..."             # extra data attribution printed in the report
    [boundary]
    file = "wards.gpkg"             # areas (any format GDAL reads, any CRS)
    layer = "wards"
    name_column = "ward_name"
    kind = "wards"                  # what the areas are called in the text
    district = "Nottingham"         # the name of the whole boundary, for the text
    population_column = "population"
    population_file = "population.csv"   # or a CSV of names and populations
    population_name_column = "area_name"
    population_value_column = "population"
    [selection]
    areas = ["Ferncliffe Rise"]     # the bid area: area names, or "all" (default)
    group = "neighbourhood"
    groups_file = "groups.toml"
    from = "2025-01"                # default: the last 12 months of data
    to = "2025-12"
    compare_from = "2024-01"        # default: the same number of months just before
    compare_to = "2024-12"
    [method]
    name = "gistar"                 # gistar, kde, count, dbscan, hdbscan
    cell_size = 100                 # and bandwidth, distance, eps, min_samples, ...
    [plan]
    file = "plans.gpkg"             # a plan saved by the app (hotspots.PlanStore)
    name = "Option A"
    catalogue = "catalogue.toml"    # intervention types (default: the bundled one)
    [[plan.interventions]]          # or interventions written here (EPSG:27700 WKT)
    type = "cctv"
    wkt = "POINT (438500 361350)"
    start = "2025-01"
    cost = 20000
    [evaluation]
    buffer_m = 250                  # default: the target's equivalent radius
    control = "rest"                # "rest" of the boundary, or a polygon file
    control_layer = "control"
    months_before = 12
    months_after = 12
    categories = ["Burglary"]       # default: the crime group's crimes
    [output]
    points = false                  # crime points in layers.gpkg (default: not for
                                    # sensitive groups such as VAWG)
    pdf = true
    tiles = true                    # OpenStreetMap tiles where reachable
    zip = true
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hotspots.errors import InputFileError

__all__ = [
    "ReportConfig",
    "InlineIntervention",
    "read_report_config",
    "DEFAULT_PERIOD_MONTHS",
    "CONTROL_REST",
]

#: Months in the default report period: the latest year of data, the span Safer Streets
#: style bids and force performance reports quote ("the previous 12 months").
DEFAULT_PERIOD_MONTHS = 12
#: The ``[evaluation] control`` value meaning "the rest of the boundary".
CONTROL_REST = "rest"
#: The ``[data] harm`` value meaning the bundled, illustrative harm weights.
HARM_EXAMPLE = "example"

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_METHODS = ("gistar", "kde", "count", "dbscan", "hdbscan")
_SECTIONS: dict[str, tuple[str, ...]] = {
    "data": ("inputs", "mapping", "harm", "attribution"),
    "boundary": ("file", "layer", "name_column", "kind", "district", "population_column",
                 "population_file", "population_name_column", "population_value_column"),
    "selection": ("areas", "group", "groups_file", "from", "to", "compare_from", "compare_to"),
    "method": ("name", "cell_size", "bandwidth", "distance", "eps", "min_samples",
               "min_cluster_size"),
    "plan": ("file", "name", "catalogue", "interventions"),
    "evaluation": ("buffer_m", "control", "control_layer", "months_before", "months_after",
                   "categories"),
    "output": ("points", "pdf", "tiles", "zip"),
}
_INTERVENTION_KEYS = ("type", "wkt", "start", "cost", "name", "radius_m", "width_m", "notes",
                      "id")
_METHOD_NUMBERS = {"cell_size": float, "bandwidth": float, "distance": float, "eps": float,
                   "min_samples": int, "min_cluster_size": int}


@dataclass(frozen=True)
class InlineIntervention:
    """An intervention written in the config file (geometry as WKT in EPSG:27700)."""

    type: str
    wkt: str
    start: str
    cost: float | None = None
    name: str = ""
    radius_m: float | None = None
    width_m: float | None = None
    notes: str = ""
    id: str = ""


@dataclass
class ReportConfig:
    """A checked evidence-pack config: every path resolved, every default filled in.

    Attributes mirror the file's keys (see the module docstring); ``path`` is the file read
    (None for a config built from a dict), and ``raw`` the parsed TOML for ``run.json``.
    """

    inputs: list[Path]
    path: Path | None = None
    title: str = ""
    mapping: Path | None = None
    harm: Path | str | None = None
    attribution: str = ""
    boundary: Path | None = None
    boundary_layer: str | None = None
    name_column: str | None = None
    area_kind: str = "areas"
    district: str | None = None
    population_column: str | None = None
    population_file: Path | None = None
    population_name_column: str = "area_name"
    population_value_column: str = "population"
    areas: list[str] | None = None
    group: str = "all"
    groups_file: Path | None = None
    start: str | None = None
    end: str | None = None
    compare_start: str | None = None
    compare_end: str | None = None
    method: str = "gistar"
    method_params: dict[str, Any] = field(default_factory=dict)
    plans_file: Path | None = None
    plan_name: str | None = None
    catalogue: Path | None = None
    interventions: list[InlineIntervention] = field(default_factory=list)
    buffer_m: float | None = None
    control: Path | str = CONTROL_REST
    control_layer: str | None = None
    months_before: int = 12
    months_after: int = 12
    categories: list[str] | None = None
    points: bool | None = None
    pdf: bool = True
    tiles: bool = True
    zip: bool = True
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: paths as text."""
        out = asdict(self)
        out.pop("raw")
        return _texts(out)


def _texts(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _texts(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_texts(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _resolve(text: str, base: Path) -> Path:
    """``text`` as a path, relative to ``base`` unless absolute, with ``..`` tidied."""
    path = Path(text).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


class _Checker:
    """Collects problems as ``[section] key: what is wrong`` and reads typed values."""

    def __init__(self, label: str, base: Path) -> None:
        self.label = label
        self.base = base
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def text(self, table: Mapping[str, Any], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where} {key}", f"expected text, got {value!r}")
            return None
        return value.strip()

    def texts(self, table: Mapping[str, Any], key: str, where: str) -> list[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            self.fail(f"{where} {key}", f"expected text or a list of text, got {value!r}")
            return None
        return [v.strip() for v in value]

    def path(self, table: Mapping[str, Any], key: str, where: str, *,
             directory: bool = False) -> Path | None:
        text = self.text(table, key, where)
        if text is None:
            return None
        path = _resolve(text, self.base)
        if not path.exists():
            self.fail(f"{where} {key}", f"{text!r} does not exist (looked for {path})")
            return None
        if not directory and path.is_dir():
            self.fail(f"{where} {key}", f"{text!r} is a folder; give a file")
            return None
        return path

    def month(self, table: Mapping[str, Any], key: str, where: str) -> str | None:
        text = self.text(table, key, where)
        if text is not None and not _MONTH.match(text):
            self.fail(f"{where} {key}", f"{text!r} is not a month written YYYY-MM, e.g. 2024-03")
            return None
        return text

    def number(self, table: Mapping[str, Any], key: str, where: str, *, kind: type = float,
               positive: bool = True) -> Any:
        value = table.get(key)
        if value is None:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and kind is int:
            ok = float(value).is_integer()
        if ok:
            ok = math.isfinite(float(value)) and (float(value) > 0 if positive
                                                  else float(value) >= 0)
        if not ok:
            what = "a whole number" if kind is int else "a number"
            sign = "above 0" if positive else "0 or more"
            self.fail(f"{where} {key}", f"expected {what} {sign}, got {value!r}")
            return None
        return kind(value)

    def flag(self, table: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(f"{where} {key}", f"expected true or false, got {value!r}")
            return None
        return value

    def table(self, data: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            self.fail(f"[{name}]", f"expected a table ([{name}] with keys), got {value!r}")
            return {}
        unknown = sorted(set(value) - set(_SECTIONS[name]))
        if unknown:
            self.fail(f"[{name}]", f"unknown key(s) {', '.join(unknown)}; allowed: "
                      f"{', '.join(_SECTIONS[name])}")
        return value


def _inline(checker: _Checker, rows: Any) -> list[InlineIntervention]:
    where = "[[plan.interventions]]"
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        checker.fail(where, f"expected a list of tables, got {rows!r}")
        return []
    out = []
    for i, row in enumerate(rows, start=1):
        at = f"{where} #{i}"
        unknown = sorted(set(row) - set(_INTERVENTION_KEYS))
        if unknown:
            checker.fail(at, f"unknown key(s) {', '.join(unknown)}; allowed: "
                         f"{', '.join(_INTERVENTION_KEYS)}")
        kind, wkt = checker.text(row, "type", at), checker.text(row, "wkt", at)
        start = checker.month(row, "start", at)
        for key, value in (("type", kind), ("wkt", wkt), ("start", start)):
            if value is None and key not in row:
                checker.fail(f"{at} {key}", "is required")
        if kind is None or wkt is None or start is None:
            continue
        out.append(InlineIntervention(
            type=kind, wkt=wkt, start=start,
            cost=checker.number(row, "cost", at, positive=False),
            name=checker.text(row, "name", at) or "",
            radius_m=checker.number(row, "radius_m", at),
            width_m=checker.number(row, "width_m", at),
            notes=checker.text(row, "notes", at) or "",
            id=checker.text(row, "id", at) or "",
        ))
    return out


def _selection(checker: _Checker, sel: Mapping[str, Any], config: ReportConfig) -> None:
    where = "[selection]"
    areas = sel.get("areas")
    if isinstance(areas, str) and areas.strip().lower() == "all":
        config.areas = None
    else:
        config.areas = checker.texts(sel, "areas", where)
    config.group = checker.text(sel, "group", where) or "all"
    config.groups_file = checker.path(sel, "groups_file", where)
    config.start = checker.month(sel, "from", where)
    config.end = checker.month(sel, "to", where)
    config.compare_start = checker.month(sel, "compare_from", where)
    config.compare_end = checker.month(sel, "compare_to", where)
    for first, last, a, b in ((config.start, config.end, "from", "to"),
                              (config.compare_start, config.compare_end, "compare_from",
                               "compare_to")):
        if first and last and first > last:
            checker.fail(f"{where} {a}", f"{first} is after {b} = {last}; swap them")
    if (config.compare_start is None) != (config.compare_end is None):
        checker.fail(f"{where} compare_from", "give both compare_from and compare_to, or "
                     "neither (default: the same number of months just before the period)")


def _plan_and_evaluation(checker: _Checker, plan: Mapping[str, Any],
                         ev: Mapping[str, Any], config: ReportConfig) -> None:
    config.plans_file = checker.path(plan, "file", "[plan]")
    config.plan_name = checker.text(plan, "name", "[plan]")
    config.catalogue = checker.path(plan, "catalogue", "[plan]")
    if "interventions" in plan:
        config.interventions = _inline(checker, plan["interventions"])
    if config.plans_file is not None and config.plan_name is None:
        checker.fail("[plan] name", "is required with [plan] file: the name of the saved plan")
    if (config.plan_name is not None and config.plans_file is None and "file" not in plan
            and "interventions" not in plan):
        checker.fail("[plan] file", "is required with [plan] name (the plans GeoPackage), "
                     "unless the interventions are written in [[plan.interventions]]")
    if config.plans_file is not None and config.interventions:
        checker.fail("[plan]", "give either a saved plan (file and name) or "
                     "[[plan.interventions]], not both")

    where = "[evaluation]"
    config.buffer_m = checker.number(ev, "buffer_m", where)
    control = ev.get("control", CONTROL_REST)
    if isinstance(control, str) and control.strip().lower() == CONTROL_REST:
        config.control = CONTROL_REST
    else:
        config.control = checker.path(ev, "control", where) or CONTROL_REST
    config.control_layer = checker.text(ev, "control_layer", where)
    for key in ("months_before", "months_after"):
        value = checker.number(ev, key, where, kind=int)
        if value is not None:
            setattr(config, key, value)
    config.categories = checker.texts(ev, "categories", where)


def report_config_from_dict(data: Mapping[str, Any], *, base: Path,
                            label: str = "config") -> ReportConfig:
    """Check a parsed config (as from TOML); paths are relative to ``base``."""
    checker = _Checker(label, base)
    unknown = sorted(set(data) - set(_SECTIONS) - {"title"})
    if unknown:
        checker.fail("top level", f"unknown key(s) or section(s) {', '.join(unknown)}; "
                     f"allowed: title, {', '.join(f'[{s}]' for s in _SECTIONS)}")
    tables = {name: checker.table(data, name) for name in _SECTIONS}
    config = ReportConfig(inputs=[], raw=dict(data))
    config.title = checker.text(data, "title", "top level") or ""

    d = tables["data"]
    raw_inputs = checker.texts(d, "inputs", "[data]")
    if raw_inputs is None and "inputs" not in d:
        checker.fail("[data] inputs", "is required: the crime files or folders to read")
    for text in raw_inputs or []:
        path = _resolve(text, base)
        if path.exists():
            config.inputs.append(path)
        else:
            checker.fail("[data] inputs", f"{text!r} does not exist (looked for {path})")
    config.mapping = checker.path(d, "mapping", "[data]")
    if isinstance(d.get("harm"), str) and d["harm"].strip().lower() == HARM_EXAMPLE:
        config.harm = HARM_EXAMPLE
    else:
        config.harm = checker.path(d, "harm", "[data]")
    config.attribution = checker.text(d, "attribution", "[data]") or ""

    b = tables["boundary"]
    config.boundary = checker.path(b, "file", "[boundary]")
    config.boundary_layer = checker.text(b, "layer", "[boundary]")
    config.name_column = checker.text(b, "name_column", "[boundary]")
    config.area_kind = checker.text(b, "kind", "[boundary]") or "areas"
    config.district = checker.text(b, "district", "[boundary]")
    config.population_column = checker.text(b, "population_column", "[boundary]")
    config.population_file = checker.path(b, "population_file", "[boundary]")
    config.population_name_column = (checker.text(b, "population_name_column", "[boundary]")
                                     or "area_name")
    config.population_value_column = (checker.text(b, "population_value_column",
                                                   "[boundary]") or "population")
    if b and config.boundary is None and "file" not in b:
        checker.fail("[boundary] file", "is required when [boundary] is given")

    _selection(checker, tables["selection"], config)
    if config.areas is not None and "file" not in b:
        checker.fail("[selection] areas", "naming areas needs a [boundary] file to find them in")

    m = tables["method"]
    name = checker.text(m, "name", "[method]") or "gistar"
    if name not in _METHODS:
        checker.fail("[method] name", f"{name!r} is not a method; choose one of "
                     f"{', '.join(_METHODS)}")
    config.method = name
    for key, kind in _METHOD_NUMBERS.items():
        value = checker.number(m, key, "[method]", kind=kind)
        if value is not None:
            config.method_params[key] = value

    _plan_and_evaluation(checker, tables["plan"], tables["evaluation"], config)

    o = tables["output"]
    config.points = checker.flag(o, "points", "[output]")
    for key in ("pdf", "tiles", "zip"):
        value = checker.flag(o, key, "[output]")
        if value is not None:
            setattr(config, key, value)

    if checker.problems:
        raise InputFileError(
            f"Report config {label} has {len(checker.problems)} problem(s):\n  - "
            + "\n  - ".join(checker.problems)
        )
    return config


def read_report_config(path: str | Path) -> ReportConfig:
    """Read and check an evidence-pack config file (TOML).

    Raises
    ------
    InputFileError
        The file is missing or not TOML, or any key is wrong (every problem listed, each
        naming its section and key).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "crimes.csv").write_text("x")
    1
    >>> _ = (folder / "r.toml").write_text('[data]\\ninputs = "crimes.csv"\\n'
    ...                                    '[selection]\\ngroup = "vawg"\\nfrom = "2024-13"\\n')
    >>> try:
    ...     read_report_config(folder / "r.toml")
    ... except InputFileError as exc:
    ...     print(str(exc).splitlines()[1])
      - [selection] from: '2024-13' is not a month written YYYY-MM, e.g. 2024-03
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Report config {str(path)!r} does not exist or is not a file.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"Report config {str(path)!r} is not valid TOML: {exc}") from None
    config = report_config_from_dict(data, base=path.resolve().parent, label=str(path))
    config.path = path
    return config
