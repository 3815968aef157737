"""The config files people write (column mappings, crime groups), as pydantic models.

Each file is read with :func:`hotspots.validation.read_toml` and checked with
:func:`hotspots.validation.parse_config`, so every problem is reported at once, naming its
key and the file. :class:`ConfigModel` adds what pydantic alone does not give: an unknown key
is named with the keys allowed, and the checks pydantic cannot express (a CRS pyproj cannot
read, a mapping without a month, a group that selects nothing) are reported in the same list
as pydantic's own. :func:`bundled_with_user` lets a user's file add to a bundled one.

The readers (:func:`hotspots.io.read_mapping`, :func:`hotspots.groups.load_groups`) import
this module when they run, so ``import hotspots`` does not pay for pydantic.

Examples
--------
>>> from hotspots.validation import parse_config
>>> parse_config(GroupsFile, {"groups": {"x": {"label": 4, "colour": "red"}}},
...              source="Groups file 'g.toml'")
Traceback (most recent call last):
...
hotspots.errors.InputFileError: Groups file 'g.toml' has 3 problems:
  - 'groups.x.label': input should be a valid string; got 4
  - 'groups.x.colour': is not a known key; allowed: label, categories, sensitive, note, source, offence_codes, flags; got 'red'
  - 'groups.x': selects no crimes: give categories (or offence_codes or flags); got {'label': 4, 'colour': 'red'}
"""  # noqa: E501  (the doctest shows messages whole)

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import ClassVar
from typing import TypeVar

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PlainValidator
from pydantic import StrictBool
from pydantic import StrictStr
from pydantic import ValidationError
from pydantic import create_model
from pydantic import field_validator
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from hotspots.io.dates import check_date_format
from hotspots.io.textcsv import check_delimiter
from hotspots.io.textlines import check_encoding
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import STRING_COLUMNS
from hotspots.spatial import crs_problem

__all__ = [
    "ConfigModel",
    "bundled_with_user",
    "MAPPING_KEYS",
    "CONSTANT_KEYS",
    "MappingFile",
    "GroupTable",
    "GroupsFile",
]

log = logging.getLogger(__name__)

#: A problem pydantic cannot see: the key path, what is wrong, and the value found.
Problem = tuple[tuple[str | int, ...], str, Any]
Table = TypeVar("Table")


def bundled_with_user(read: Callable[[Path], dict[str, Table]], bundled: Path,
                      path: str | Path | None, *, what: str) -> dict[str, Table]:
    """The tables ``read`` from the ``bundled`` file, with those of the user's file ``path``.

    A user table adds a key, or replaces the bundled table with the same key wholesale
    (logged). ``what`` names the tables in the log line (``"crime group(s)"``).
    """
    tables = read(bundled)
    if path is not None:
        user = read(Path(path))
        replaced = sorted(set(user) & set(tables))
        if replaced:
            log.info("%s replaces bundled %s: %s", path, what, ", ".join(replaced))
        tables.update(user)
    return tables


class ConfigModel(BaseModel):
    """A table of a config file: unknown keys named, domain checks reported with the rest."""

    model_config = ConfigDict(extra="ignore")  # unknown keys are reported below instead
    #: False for a table whose other keys belong to other readers (they are left alone).
    refuse_unknown: ClassVar[bool] = True

    @classmethod
    def domain_problems(cls, data: Mapping[str, Any]) -> list[Problem]:
        """Problems in the table as written (``data``) that pydantic cannot express."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: Any) -> Any:
        # The table's own problems are found on the data as written, so they are reported
        # even when pydantic finds others (an "after" validator would not run then).
        found = [_error(*p) for p in cls._table_problems(data)] if isinstance(data, Mapping) \
            else []
        try:
            model = handler(data)
        except ValidationError as exc:
            raise ValidationError.from_exception_data(
                exc.title, [*map(_again, exc.errors()), *found]) from None
        if found:
            raise ValidationError.from_exception_data(cls.__name__, found)
        return model

    @classmethod
    def _table_problems(cls, data: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        if cls.refuse_unknown:
            allowed = ", ".join(cls.model_fields)
            problems.extend(((key,), f"is not a known key; allowed: {allowed}", value)
                            for key, value in data.items() if key not in cls.model_fields)
        return problems + cls.domain_problems(data)


def _error(loc: tuple[str | int, ...], message: str, value: Any) -> dict[str, Any]:
    return {"type": PydanticCustomError("config", message), "loc": loc, "input": value}


def _again(error: Any) -> dict[str, Any]:
    """One of pydantic's errors, as it can be raised again alongside the domain problems."""
    return {"type": PydanticCustomError(error["type"], error["msg"]), "loc": error["loc"],
            "input": error["input"]}


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _given(value: Any) -> bool:
    """True if ``value`` (one text or a list of them) holds anything but blanks."""
    values = value if isinstance(value, list | tuple) else [] if value is None else [value]
    return any(not isinstance(v, str) or v.strip() for v in values)


# --------------------------------------------------------------------------- mappings

#: Keys allowed under a mapping's ``[columns]`` (besides ``flags`` and the formats).
MAPPING_KEYS: tuple[str, ...] = ("x", "y", *CRIME_COLUMNS, "offence_code")
#: Keys allowed under a mapping's ``[constants]``.
CONSTANT_KEYS: tuple[str, ...] = ("month", *STRING_COLUMNS)
#: Names a yes/no flag column may not take.
_RESERVED = frozenset({*MAPPING_KEYS, "geometry"})


def _column_name(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "should be a column name, not blank")
    return value


def _flag_names(flags: tuple[str, ...]) -> tuple[str, ...]:
    clash = [f for f in flags if f in _RESERVED]
    if clash:
        raise PydanticCustomError(
            "flag_clash", "flag column(s) {clash} clash with canonical column names",
            {"clash": clash})
    return flags


def _constant_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PydanticCustomError("text", "should be a text value")
    return str(value)


def _checked(check: Callable[[Any], str | None], kind: str) -> Callable[[Any], Any]:
    """An after-validator raising ``check``'s message (None: the value is fine)."""
    def validate(value: Any) -> Any:
        problem = None if value is None else check(value)
        if problem:
            raise PydanticCustomError(kind, "{problem}", {"problem": problem})
        return value

    return validate


ColumnName = Annotated[StrictStr, AfterValidator(_column_name)]
Delimiter = Annotated[StrictStr, AfterValidator(_checked(check_delimiter, "delimiter"))]
Encoding = Annotated[StrictStr, AfterValidator(_checked(check_encoding, "encoding"))]
MonthFormat = Annotated[StrictStr, AfterValidator(_checked(
    lambda f: check_date_format(f, needs_day=False), "month_format"))]
DateFormat = Annotated[StrictStr, AfterValidator(_checked(
    lambda f: check_date_format(f, needs_day=True), "date_format"))]
FlagColumns = Annotated[tuple[StrictStr, ...], BeforeValidator(_one_or_many),
                        AfterValidator(_flag_names)]
ConstantText = Annotated[str, PlainValidator(_constant_text)]

#: ``[columns]``: one optional field per key of :data:`MAPPING_KEYS` (``x`` and ``y``
#: required), so the list of canonical columns stays in :mod:`hotspots.schema`.
MappingColumns = create_model(
    "MappingColumns",
    __base__=ConfigModel,
    **{key: (ColumnName, ...) if key in ("x", "y") else (ColumnName | None, None)
       for key in MAPPING_KEYS},
    flags=(FlagColumns, ()),
    date_format=(DateFormat | None, None),
    month_format=(MonthFormat | None, None),
)
#: ``[constants]``: one optional field per key of :data:`CONSTANT_KEYS`.
MappingConstants = create_model(
    "MappingConstants", __base__=ConfigModel,
    **{key: (ConstantText | None, None) for key in CONSTANT_KEYS},
)


class MappingFile(ConfigModel):
    """A column mapping as written (see :mod:`hotspots.io.generic` for the layout)."""

    crs: Any = Field(None, validate_default=True)
    columns: MappingColumns = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    constants: MappingConstants = Field(default_factory=dict, validate_default=True)  # type: ignore[valid-type]
    date_format: DateFormat | None = None
    month_format: MonthFormat | None = None
    delimiter: Delimiter = ","
    encoding: Encoding | None = None

    @field_validator("crs")
    @classmethod
    def _known_crs(cls, crs: Any) -> str:
        if crs is None:
            raise PydanticCustomError(
                "crs", 'is required: add crs = "EPSG:4326" for longitude/latitude or '
                'crs = "EPSG:27700" for eastings/northings')
        if isinstance(crs, bool) or not isinstance(crs, str | int):
            raise PydanticCustomError(
                "crs", "should be a CRS name such as 'EPSG:4326' or 'EPSG:27700'")
        try:
            parsed = CRS.from_user_input(crs)
        except (ProjCRSError, TypeError, ValueError):
            raise PydanticCustomError(
                "crs", "is not a CRS pyproj knows (try 'EPSG:4326')") from None
        problem = crs_problem(parsed)
        if problem:
            raise PydanticCustomError("crs", "{problem}", {"problem": problem})
        return parsed.to_string()

    @classmethod
    def domain_problems(cls, data: Mapping[str, Any]) -> list[Problem]:
        columns, constants = data.get("columns") or {}, data.get("constants") or {}
        if not (isinstance(columns, Mapping) and isinstance(constants, Mapping)):
            return []  # pydantic says what is wrong with them
        given = set(columns) | set(constants)
        problems: list[Problem] = []
        if not {"month", "date"} & given:
            problems.append((("columns",), "needs a month or a date column "
                             '(month = "..." or date = "...")', dict(columns)))
        if "category" not in given:
            problems.append((("columns",), 'needs the crime category: category = "...", '
                             'or for a one-type file [constants] category = "Burglary"',
                             dict(columns)))
        problems.extend((("constants", key), "is both a column and a constant; keep one",
                         constants[key]) for key in columns if key in constants)
        return problems

    def written_columns(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Canonical key -> file column, in the order ``data`` (the mapping) lists them."""
        chosen = self.columns.model_dump(exclude_none=True)
        return {k: chosen[k] for k in data.get("columns") or {} if k in MAPPING_KEYS}

    def written_constants(self, data: Mapping[str, Any]) -> dict[str, str]:
        """Canonical key -> value for every row, in the order ``data`` lists them."""
        chosen = self.constants.model_dump(exclude_none=True)
        return {k: chosen[k] for k in data.get("constants") or {}}


# --------------------------------------------------------------------------- crime groups


def _texts(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


#: One text or a list of them; surrounding spaces and blank entries dropped.
TextList = Annotated[tuple[StrictStr, ...], BeforeValidator(_one_or_many), AfterValidator(_texts)]
_SELECTORS = ("categories", "offence_codes", "flags")


class GroupTable(ConfigModel):
    """One ``[groups.<key>]`` table (see ``hotspots/data/README.md``)."""

    label: StrictStr | None = None
    categories: TextList = ()
    sensitive: StrictBool = False
    note: StrictStr = ""
    source: StrictStr = ""
    offence_codes: TextList = ()
    flags: TextList = ()

    @classmethod
    def domain_problems(cls, data: Mapping[str, Any]) -> list[Problem]:
        if any(_given(data.get(key)) for key in _SELECTORS):
            return []
        return [((), "selects no crimes: give categories (or offence_codes or flags)",
                 dict(data))]


class GroupsFile(ConfigModel):
    """A crime groups file: ``[groups.<key>]`` tables; other tables are not read."""

    refuse_unknown: ClassVar[bool] = False
    groups: dict[str, GroupTable] = Field(default_factory=dict, validate_default=True)

    @field_validator("groups")
    @classmethod
    def _some_groups(cls, groups: dict[str, GroupTable]) -> dict[str, GroupTable]:
        if not groups:
            raise PydanticCustomError(
                "no_groups", "there are no [groups.<key>] tables; see crime_groups.toml (in "
                "hotspots/data) for the layout")
        return groups
