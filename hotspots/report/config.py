"""The evidence pack's config file (TOML): read, check every key, resolve paths.

Public through :mod:`hotspots.report` (``read_report_config``, ``ReportConfig``). Paths in
the file are relative to the file's own folder. The file is checked with a pydantic model
(:func:`hotspots.validation.parse_config`): every problem is reported at once, naming the
file and the key, e.g. ``Report config 'report.toml': 'selection.from': value error,
'2024-13' is not a month written YYYY-MM, e.g. 2024-03; got '2024-13'``.

Layout (every section but ``[data]`` is optional)::

    title = "Ferncliffe Rise: neighbourhood crime"     # the report's title
    [data]
    inputs = ["crimes/"]            # police.uk CSVs, folders, zips (one path or a list)
    # store = "store/"              # or a store made by 'hotspots ingest', instead of inputs
    # forces = ["west-yorkshire"]   # its forces to read (default: those meeting the boundary)
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
    name = "auto"                   # auto (default), gistar, kde, count, dbscan, hdbscan
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
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import model_validator

from hotspots.errors import InputFileError
from hotspots.io.dates import check_month_text
from hotspots.methods.find import MethodSettings
from hotspots.report.settings import OutputOptions
from hotspots.report.settings import ReportPeriods
from hotspots.validation import parse_config
from hotspots.validation import read_toml

__all__ = [
    "ReportConfig",
    "InlineIntervention",
    "read_report_config",
    "report_config_from_dict",
    "DEFAULT_PERIOD_MONTHS",
    "CONTROL_REST",
    "HARM_EXAMPLE",
    "METHODS",
    "MAX_EVALUATION_MONTHS",
]

#: Months in the default report period: the latest year of data, the span Safer Streets
#: style bids and force performance reports quote ("the previous 12 months").
DEFAULT_PERIOD_MONTHS = 12
#: The ``[evaluation] control`` value meaning "the rest of the boundary".
CONTROL_REST = "rest"
#: The ``[data] harm`` value meaning the bundled, illustrative harm weights.
HARM_EXAMPLE = "example"
#: The ``[method] name`` values.
METHODS = ("auto", "gistar", "kde", "count", "dbscan", "hdbscan")
#: ``[selection] areas`` value meaning every area of the boundary.
ALL_AREAS = "all"

#: The folder relative paths are read from, while a config is being checked.
_BASE: ContextVar[Path] = ContextVar("report_config_base")


@contextmanager
def _relative_to(base: Path) -> Iterator[None]:
    token = _BASE.set(base)
    try:
        yield
    finally:
        _BASE.reset(token)


def _resolve(text: str, base: Path) -> Path:
    """``text`` as a path, relative to ``base`` unless absolute, with ``..`` tidied."""
    path = Path(text).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


# --------------------------------------------------------------------------- value types


def _existing(text: str) -> Path:
    path = _resolve(text, _BASE.get())
    if not path.exists():
        raise ValueError(f"{text!r} does not exist (looked for {path})")
    return path


def _existing_file(text: str) -> Path:
    path = _existing(text)
    if path.is_dir():
        raise ValueError(f"{text!r} is a folder; give a file")
    return path


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _areas(value: Any) -> Any:
    """``"all"`` (any case) is every area (None); one name is a list of one."""
    if isinstance(value, str) and value.strip().lower() == ALL_AREAS:
        return None
    return _listed(value)


def _keyword_or_file(word: str) -> Any:
    """A validator: ``word`` (any case) as itself, any other text as an existing file."""
    def check(text: str) -> str | Path:
        return word if text.lower() == word else _existing_file(text)

    return check


def _whole(value: Any) -> Any:
    """Whole-valued floats (``12.0``) as ints; anything else is left to the int check."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Texts = Annotated[list[Text], BeforeValidator(_listed)]
Month = Annotated[Text, AfterValidator(check_month_text)]
FilePath = Annotated[Text, AfterValidator(_existing_file)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, BeforeValidator(_whole), Field(gt=0)]
#: The most months an evaluation may look before or after the start: ten years, far more
#: than police.uk keeps (36 months) and than any before/after comparison uses.
MAX_EVALUATION_MONTHS = 120
EvaluationMonths = Annotated[int, BeforeValidator(_whole),
                             Field(gt=0, le=MAX_EVALUATION_MONTHS)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class _Data(_Section):
    inputs: Annotated[list[Annotated[Text, AfterValidator(_existing)]],
                      BeforeValidator(_listed)] = Field(default_factory=list)
    store: Annotated[Text, AfterValidator(_existing)] | None = None
    forces: Texts | None = None
    mapping: FilePath | None = None
    harm: Annotated[Text, AfterValidator(_keyword_or_file(HARM_EXAMPLE))] | None = None
    attribution: Text | None = None

    @model_validator(mode="after")
    def _inputs_or_store(self) -> _Data:
        if bool(self.inputs) == (self.store is not None):
            raise ValueError("give inputs (police.uk files, folders, zips) or store (a "
                             "folder made by 'hotspots ingest'): one of them")
        if self.store is not None and (self.mapping is not None):
            raise ValueError("a store holds police.uk data already read; mapping is for "
                             "inputs only")
        if self.forces is not None and self.store is None:
            raise ValueError("forces chooses forces of a store; give store too")
        return self


class _Boundary(_Section):
    file: FilePath
    layer: Text | None = None
    name_column: Text | None = None
    kind: Text | None = None
    district: Text | None = None
    population_column: Text | None = None
    population_file: FilePath | None = None
    population_name_column: Text | None = None
    population_value_column: Text | None = None


class _Selection(_Section):
    areas: Annotated[list[Text] | None, BeforeValidator(_areas)] = None
    group: Text | None = None
    groups_file: FilePath | None = None
    start: Month | None = Field(default=None, alias="from")
    end: Month | None = Field(default=None, alias="to")
    compare_start: Month | None = Field(default=None, alias="compare_from")
    compare_end: Month | None = Field(default=None, alias="compare_to")

    @model_validator(mode="after")
    def _periods_in_order(self) -> _Selection:
        for first, last, a, b in ((self.start, self.end, "from", "to"),
                                  (self.compare_start, self.compare_end, "compare_from",
                                   "compare_to")):
            if first and last and first > last:
                raise ValueError(f"{a} = {first} is after {b} = {last}; swap them")
        if (self.compare_start is None) != (self.compare_end is None):
            raise ValueError("give both compare_from and compare_to, or neither (default: "
                             "the same number of months just before the period)")
        return self


class _Method(_Section):
    name: Literal["auto", "gistar", "kde", "count", "dbscan", "hdbscan"] = "auto"
    cell_size: Positive | None = None
    bandwidth: Positive | None = None
    distance: Positive | None = None
    eps: Positive | None = None
    min_samples: Count | None = None
    min_cluster_size: Count | None = None


class _Intervention(_Section):
    type: Text
    wkt: Text
    start: Month
    cost: NonNegative | None = None
    name: Text | None = None
    radius_m: Positive | None = None
    width_m: Positive | None = None
    notes: Text | None = None
    id: Text | None = None


class _Plan(_Section):
    file: FilePath | None = None
    name: Text | None = None
    catalogue: FilePath | None = None
    interventions: list[_Intervention] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_plan(self) -> _Plan:
        if self.file is not None and self.name is None:
            raise ValueError("[plan] name is required with [plan] file: the name of the "
                             "saved plan")
        if self.name is not None and self.file is None and not self.interventions:
            raise ValueError("[plan] file is required with [plan] name (the plans "
                             "GeoPackage), unless the interventions are written in "
                             "[[plan.interventions]]")
        if self.file is not None and self.interventions:
            raise ValueError("give either a saved plan (file and name) or "
                             "[[plan.interventions]], not both")
        return self


class _Evaluation(_Section):
    buffer_m: Positive | None = None
    control: Annotated[Text, AfterValidator(_keyword_or_file(CONTROL_REST))] = CONTROL_REST
    control_layer: Text | None = None
    months_before: EvaluationMonths = 12
    months_after: EvaluationMonths = 12
    categories: Texts | None = None


class _Output(_Section):
    points: bool | None = None
    pdf: bool = True
    tiles: bool = True
    zip: bool = True


class _Config(_Section):
    title: Text | None = None
    data: _Data
    boundary: _Boundary | None = None
    selection: _Selection = Field(default_factory=_Selection)
    method: _Method = Field(default_factory=_Method)
    plan: _Plan = Field(default_factory=_Plan)
    evaluation: _Evaluation = Field(default_factory=_Evaluation)
    output: _Output = Field(default_factory=_Output)

    @model_validator(mode="after")
    def _areas_need_a_boundary(self) -> _Config:
        if self.selection.areas is not None and self.boundary is None:
            raise ValueError("[selection] areas names areas, which needs a [boundary] file "
                             "to find them in")
        return self


# --------------------------------------------------------------------------- the config


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
    store: Path | None = None
    forces: list[str] | None = None
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
    method: str = "auto"
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

    @property
    def periods(self) -> ReportPeriods:
        """``[selection]`` from, to, compare_from and compare_to."""
        return ReportPeriods(self.start, self.end, self.compare_start, self.compare_end)

    @property
    def method_settings(self) -> MethodSettings:
        """``[method]``: the name and the parameters given."""
        return MethodSettings.from_params(self.method, self.method_params)

    @property
    def output_options(self) -> OutputOptions:
        """``title`` and ``[output]``."""
        return OutputOptions(title=self.title, points=self.points, tiles=self.tiles,
                             pdf=self.pdf, zip=self.zip)


def _texts(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _texts(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_texts(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _report_config(model: _Config, raw: Mapping[str, Any]) -> ReportConfig:
    d, b, s, m = model.data, model.boundary, model.selection, model.method
    p, e, o = model.plan, model.evaluation, model.output
    inline = [InlineIntervention(type=r.type, wkt=r.wkt, start=r.start, cost=r.cost,
                                 name=r.name or "", radius_m=r.radius_m, width_m=r.width_m,
                                 notes=r.notes or "", id=r.id or "")
              for r in p.interventions]
    boundary: dict[str, Any] = {}
    if b is not None:
        boundary = {
            "boundary": b.file, "boundary_layer": b.layer, "name_column": b.name_column,
            "area_kind": b.kind or "areas", "district": b.district,
            "population_column": b.population_column, "population_file": b.population_file,
            "population_name_column": b.population_name_column or "area_name",
            "population_value_column": b.population_value_column or "population",
        }
    return ReportConfig(
        inputs=[Path(path) for path in d.inputs], store=d.store, forces=d.forces,
        title=model.title or "", mapping=d.mapping,
        harm=d.harm, attribution=d.attribution or "", **boundary,
        areas=s.areas, group=s.group or "all",
        groups_file=s.groups_file, start=s.start, end=s.end, compare_start=s.compare_start,
        compare_end=s.compare_end, method=m.name,
        method_params=m.model_dump(exclude={"name"}, exclude_none=True),
        plans_file=p.file, plan_name=p.name, catalogue=p.catalogue, interventions=inline,
        buffer_m=e.buffer_m, control=e.control, control_layer=e.control_layer,
        months_before=e.months_before, months_after=e.months_after, categories=e.categories,
        points=o.points, pdf=o.pdf, tiles=o.tiles, zip=o.zip, raw=dict(raw),
    )


def report_config_from_dict(data: Mapping[str, Any], *, base: Path,
                            label: str = "config") -> ReportConfig:
    """Check a parsed config (as from TOML); paths are relative to ``base``.

    Raises
    ------
    InputFileError
        Naming every problem at once, each with its key (``'selection.from'``).
    """
    with _relative_to(Path(base)):
        model = parse_config(_Config, data, source=f"Report config {label}",
                             error=InputFileError)
    return _report_config(model, data)


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
    ...     print(str(exc).split(": ", 1)[1].split("; got")[0])
    'selection.from': value error, '2024-13' is not a month written YYYY-MM, e.g. 2024-03
    """
    path = Path(path)
    data = read_toml(path, what="Report config")
    config = report_config_from_dict(data, base=path.resolve().parent, label=repr(str(path)))
    config.path = path
    return config
