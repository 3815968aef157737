"""The ``hotspots batch`` config file (TOML): the grid of jobs, and how to run and summarise it.

Read with :func:`read_batch_config`; every problem is reported at once, naming the file and
the key (:func:`hotspots.validation.parse_config`). Paths are relative to the file's folder.
The config names no store and no output folder, so the same file runs unchanged on a
laptop, on a ``LocalCluster`` or on a cluster (``--scheduler tcp://host:8786``).

Layout (every key optional)::

    title = "Neighbourhood crime and VAWG, all forces, 2024"
    [jobs]
    forces = "all"                  # or ["west-yorkshire", "Kent Police", ...]
    areas = "districts.gpkg"        # jobs per area of this boundary instead of per force
    area_layer = "districts"
    area_name_column = "name"
    groups = ["neighbourhood", "vawg"]
    groups_file = "groups.toml"
    periods = "all"                 # every month stored; or [{from = "2024-01", to = "2024-12"}]
    methods = ["auto"]              # auto (default), gistar, kde, count, dbscan, hdbscan
    [method]                        # parameters for every method (as hotspots find takes them)
    cell_size = 100
    [summary]
    top = 10                        # hotspots per job in the national summary
    harm = "example"                # harm weights to rank by ("example": the bundled,
                                    # illustrative weights; or a CSV category,weight)
    [output]
    map = false                     # true: map.html in every job folder (~15% more time)
    tiles = false                   # OpenStreetMap tiles on those maps
    stability = false               # re-make grid maps on moved grids (5 times the work)
    [run]
    retries = 2                     # extra tries for a job that fails unexpectedly
    workers = 2                     # processes of the local cluster (ignored with --scheduler)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
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

from hotspots.errors import HotspotsError
from hotspots.errors import InputFileError
from hotspots.io.dates import check_month_text
from hotspots.validation import parse_config
from hotspots.validation import read_toml

__all__ = [
    "ALL",
    "DEFAULT_GROUPS",
    "DEFAULT_METHODS",
    "DEFAULT_RETRIES",
    "DEFAULT_TOP",
    "DEFAULT_WORKERS",
    "BatchConfig",
    "read_batch_config",
    "batch_config_from_dict",
]

#: The value meaning every force (or every month) in the store.
ALL = "all"
#: Crime groups run by default: the two Safer Streets priorities (issue 13).
DEFAULT_GROUPS = ("neighbourhood", "vawg")
#: Methods run by default: auto, the default of ``hotspots find``.
DEFAULT_METHODS = ("auto",)
#: Hotspots per job in the national summary: a tasking list's length.
DEFAULT_TOP = 10
#: Extra tries for a job that fails unexpectedly (a worker lost, out of memory). A job that
#: fails on its data (nothing selected, say) fails the same way every time: not retried.
DEFAULT_RETRIES = 2
#: Worker processes of the local cluster: one per core of a small machine.
DEFAULT_WORKERS = 2
_METHODS = Literal["auto", "gistar", "kde", "count", "dbscan", "hdbscan"]


#: The folder relative paths are read from, while a config is being checked.
_CONFIG_DIR: ContextVar[Path] = ContextVar("batch_config_dir", default=Path("."))


def _base() -> Path:
    return _CONFIG_DIR.get()


def _existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    path = Path(os.path.normpath(path if path.is_absolute() else _base() / path))
    if not path.is_file():
        raise ValueError(f"{text!r} is not a file (looked for {path})")
    return path


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _all_or_list(value: Any) -> Any:
    return None if isinstance(value, str) and value.strip().lower() == ALL else _listed(value)


def _harm(text: str) -> str | Path:
    return "example" if text.strip().lower() == "example" else _existing_file(text)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Month = Annotated[Text, AfterValidator(check_month_text)]
FilePath = Annotated[Text, AfterValidator(_existing_file)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class _Period(_Section):
    start: Month | None = Field(default=None, alias="from")
    end: Month | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _in_order(self) -> _Period:
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"from = {self.start} is after to = {self.end}; swap them")
        return self


class _Jobs(_Section):
    forces: Annotated[list[Text] | None, BeforeValidator(_all_or_list)] = None
    areas: FilePath | None = None
    area_layer: Text | None = None
    area_name_column: Text | None = None
    groups: Annotated[list[Text], BeforeValidator(_listed), Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_GROUPS))
    groups_file: FilePath | None = None
    periods: Annotated[list[_Period] | None, BeforeValidator(_all_or_list)] = None
    methods: Annotated[list[_METHODS], BeforeValidator(_listed), Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_METHODS))

    @model_validator(mode="after")
    def _forces_or_areas(self) -> _Jobs:
        if self.areas is not None and self.forces is not None:
            raise ValueError("give forces or areas, not both: with areas, each area reads "
                             "the forces whose stored crimes reach it")
        return self


class _Method(_Section):
    cell_size: Positive | None = None
    bandwidth: Positive | None = None
    distance: Positive | None = None
    eps: Positive | None = None
    min_samples: Annotated[int, Field(gt=0)] | None = None
    min_cluster_size: Annotated[int, Field(gt=1)] | None = None


class _Summary(_Section):
    top: Annotated[int, Field(gt=0, le=1000)] = DEFAULT_TOP
    harm: Annotated[Text, AfterValidator(_harm)] | None = None


class _Output(_Section):
    map: bool = False
    tiles: bool = False
    stability: bool = False


class _Run(_Section):
    retries: Annotated[int, Field(ge=0, le=10)] = DEFAULT_RETRIES
    workers: Annotated[int, Field(ge=1, le=256)] = DEFAULT_WORKERS


class _Config(_Section):
    title: Text | None = None
    jobs: _Jobs = Field(default_factory=_Jobs)
    method: _Method = Field(default_factory=_Method)
    summary: _Summary = Field(default_factory=_Summary)
    output: _Output = Field(default_factory=_Output)
    run: _Run = Field(default_factory=_Run)


@dataclass(frozen=True)
class BatchConfig:
    """A checked batch config: the grid of jobs and how to run and summarise it.

    ``forces`` None means every force in the store; ``periods`` None means one period over
    every month stored; ``(start, end)`` pairs otherwise (None ends are open).
    """

    title: str = ""
    forces: tuple[str, ...] | None = None
    areas: Path | None = None
    area_layer: str | None = None
    area_name_column: str | None = None
    groups: tuple[str, ...] = DEFAULT_GROUPS
    groups_file: Path | None = None
    periods: tuple[tuple[str | None, str | None], ...] | None = None
    methods: tuple[str, ...] = DEFAULT_METHODS
    method_params: dict[str, Any] = field(default_factory=dict)
    top: int = DEFAULT_TOP
    harm: str | Path | None = None
    map: bool = False
    tiles: bool = False
    stability: bool = False
    retries: int = DEFAULT_RETRIES
    workers: int = DEFAULT_WORKERS
    path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable, for ``run.json``."""
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def batch_config_from_dict(data: Mapping[str, Any], *, base: str | Path = ".",
                           source: str = "Batch config") -> BatchConfig:
    """Check a config given as a dict (paths relative to ``base``).

    Examples
    --------
    >>> cfg = batch_config_from_dict({"jobs": {"forces": ["kent"], "periods": [
    ...     {"from": "2024-01", "to": "2024-12"}]}, "method": {"cell_size": 100}})
    >>> cfg.forces, cfg.groups, cfg.periods, cfg.methods
    (('kent',), ('neighbourhood', 'vawg'), (('2024-01', '2024-12'),), ('auto',))
    >>> cfg.method_params
    {'cell_size': 100.0}
    """
    token = _CONFIG_DIR.set(Path(base))
    try:
        model = parse_config(_Config, data, source=source)
    finally:
        _CONFIG_DIR.reset(token)
    jobs = model.jobs
    _check_groups(jobs.groups, jobs.groups_file, source)
    params = {k: v for k, v in model.method.model_dump().items() if v is not None}
    return BatchConfig(
        title=model.title or "", forces=tuple(jobs.forces) if jobs.forces else None,
        areas=jobs.areas, area_layer=jobs.area_layer, area_name_column=jobs.area_name_column,
        groups=tuple(jobs.groups), groups_file=jobs.groups_file,
        periods=(tuple((p.start, p.end) for p in jobs.periods) if jobs.periods else None),
        methods=tuple(jobs.methods), method_params=params, top=model.summary.top,
        harm=model.summary.harm, map=model.output.map, tiles=model.output.tiles,
        stability=model.output.stability, retries=model.run.retries,
        workers=model.run.workers,
    )


def _check_groups(groups: list[str], groups_file: Path | None, source: str) -> None:
    from hotspots.groups import get_group
    from hotspots.groups import load_groups

    known = load_groups(groups_file)
    bad = []
    for key in groups:
        try:
            get_group(key, known)
        except HotspotsError as exc:
            bad.append(f"'jobs.groups': {exc}")
    if bad:
        raise InputFileError(f"{source}: " + " ".join(bad))


def read_batch_config(path: str | Path) -> BatchConfig:
    """Read and check a batch config file; raise one error naming every bad key.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "b.toml").write_text('[jobs]\\ngroups = "vawg"\\nmethods = "kde"\\n')
    >>> cfg = read_batch_config(folder / "b.toml")
    >>> cfg.groups, cfg.methods, cfg.forces
    (('vawg',), ('kde',), None)
    """
    path = Path(path)
    source = f"Batch config {str(path)!r}"
    data = read_toml(path, what="Batch config")
    cfg = batch_config_from_dict(data, base=path.parent, source=source)
    return BatchConfig(**{**cfg.__dict__, "path": path})
