"""Input checks: CRS, parameters and config files. One home, so every message reads the same.

Two habits hold throughout: a message names the argument, file or key, the value received and
what is allowed; and where several things can be wrong at once (a config file, a mapping),
every problem is collected first and raised once (:class:`Problems`, :func:`parse_config`).

Examples
--------
>>> problems = Problems("Mapping file 'm.toml'")
>>> problems.add("[columns] needs 'x'")
>>> problems.add("crs 'EPSG:0' is not a CRS")
>>> problems.raise_if_any()
Traceback (most recent call last):
...
hotspots.errors.ParameterError: Mapping file 'm.toml' has 2 problems:
  - [columns] needs 'x'
  - crs 'EPSG:0' is not a CRS
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

import geopandas as gpd
from pyproj import CRS

from hotspots.errors import CRSError
from hotspots.errors import HotspotsError
from hotspots.errors import InputFileError
from hotspots.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pydantic

__all__ = [
    "require_projected",
    "check_positive",
    "float_param",
    "check_choice",
    "Problems",
    "read_toml",
    "parse_config",
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
]

Model = TypeVar("Model")

BNG = "EPSG:27700"
#: The largest config file (mapping, groups, report config) read, in bytes: real ones are a
#: few kilobytes.
MAX_CONFIG_BYTES = 1 << 20
#: How deeply tables and arrays may nest in a config file (the layouts need 3 levels).
MAX_CONFIG_DEPTH = 32


def require_projected(gdf: Any, *, name: str = "gdf") -> CRS:
    """Return the CRS of ``gdf`` if it measures in metres, else raise :class:`CRSError`.

    Anything that measures distance or area calls this once, so that a geographic
    or missing CRS is refused with the same advice everywhere.
    """
    if not isinstance(gdf, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(f"'{name}' should be a GeoDataFrame or GeoSeries, got {type(gdf)}")
    crs = gdf.crs
    if crs is None:
        raise CRSError(
            f"'{name}' has no CRS. Set it with gdf.set_crs(...) (e.g. 'EPSG:4326' for "
            f"longitude/latitude, '{BNG}' for British National Grid eastings/northings)."
        )
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        raise CRSError(
            f"'{name}' is in a geographic CRS ({crs.to_string()}), whose units are degrees; "
            f"distances and areas need metres. Reproject first, e.g. gdf.to_crs('{BNG}') for "
            "GB data, or load it with hotspots.load_crimes, which does this for you."
        )
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter", "m"):
        raise CRSError(
            f"'{name}' is in {crs.to_string()}, whose unit is {unit!r}, not metres. "
            f"Reproject to a metric CRS such as '{BNG}'."
        )
    return crs


def check_positive(value: Any, *, name: str, allow_none: bool = False) -> float | None:
    """Return ``value`` as a float if it is finite and > 0; raise a ParameterError naming it."""
    if value is None and allow_none:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(
            f"The '{name}' parameter must be a number greater than 0, got {value!r}."
        ) from None
    if not math.isfinite(number) or number <= 0:
        raise ParameterError(
            f"The '{name}' parameter must be a number greater than 0, got {value!r}."
        )
    return number


def float_param(
    value: Any,
    *,
    name: str,
    func: str,
    allow_none: bool = True,
    low: float = 0.0,
    high: float = math.inf,
    closed_high: bool = False,
) -> float | None:
    """Return ``value`` as a float in ``(low, high)`` (or ``(low, high]``), else raise.

    Messages follow scikit-learn: "The 'bandwidth' parameter of kde_hotspots must be a
    float in (0, inf), got -3."
    """
    if value is None and allow_none:
        return None
    interval = f"({low:g}, {high:g}{']' if closed_high else ')'}"
    number = math.nan
    if not isinstance(value, bool):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
    inside = low < number and (number <= high if closed_high else number < high)
    if not (inside and math.isfinite(number)):
        extra = " or None (for the default)" if allow_none else ""
        raise ParameterError(
            f"The '{name}' parameter of {func} must be a float in {interval}{extra}, "
            f"got {value!r}."
        )
    return number


def check_choice(value: Any, *, name: str, choices: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``choices`` or raise a ParameterError listing them."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ParameterError(f"The '{name}' parameter must be one of {allowed}; got {value!r}.")
    return value


class Problems:
    """Collect every problem found in one input, then raise them together.

    Parameters
    ----------
    source : str
        What is being checked, as the message should name it (``"Mapping file 'm.toml'"``).
    error : type of HotspotsError
        The exception to raise (default :class:`ParameterError`).
    """

    def __init__(self, source: str, *, error: type[HotspotsError] = ParameterError) -> None:
        self.source = source
        self.error = error
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        """Record one problem (a sentence naming the key and the value found)."""
        self.messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def text(self) -> str:
        """All problems as one message: the source, then one line each."""
        if len(self.messages) == 1:
            return f"{self.source}: {self.messages[0]}"
        lines = "\n".join(f"  - {m}" for m in self.messages)
        return f"{self.source} has {len(self.messages)} problems:\n{lines}"

    def raise_if_any(self) -> None:
        """Raise ``error`` with every problem recorded, if there is any."""
        if self.messages:
            raise self.error(self.text())


def read_toml(path: str | Path, *, what: str,
              error: type[HotspotsError] = InputFileError) -> dict[str, Any]:
    """Read a TOML file, or raise ``error`` naming ``what`` and the file and saying why.

    Examples
    --------
    >>> read_toml("no-such.toml", what="Groups file")
    Traceback (most recent call last):
    ...
    hotspots.errors.InputFileError: Groups file 'no-such.toml' does not exist or is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{what} {str(path)!r} does not exist or is not a file.")
    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        raise error(f"{what} {str(path)!r} is {size:,} bytes, more than the {MAX_CONFIG_BYTES:,} "
                    "a config file may have; check that it is the right file.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not UTF-8 text ({exc.reason} at byte "
                    f"{exc.start}); save it as UTF-8 TOML.") from None
    if "\x00" in text:
        raise error(f"{what} {str(path)!r} holds NUL bytes, so it is not a text file; save it "
                    "as UTF-8 TOML.")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not valid TOML: {exc}") from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_CONFIG_DEPTH:
        raise error(f"{what} {str(path)!r} nests tables or arrays more than "
                    f"{MAX_CONFIG_DEPTH} levels deep; the config layouts need 3.")
    return data


def _depth(value: Any) -> int:
    """How deeply dicts and lists nest in ``value`` (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_CONFIG_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _describe(error: Mapping[str, Any]) -> str:
    where = _location(tuple(error.get("loc", ())))
    kind = error.get("type", "")
    message = str(error.get("msg", "is not valid"))
    message = message[0].lower() + message[1:] if message else message
    if kind == "missing":
        return f"'{where}' is required but missing"
    if kind == "extra_forbidden":
        return f"'{where}' is not a known key (check its spelling)"
    received = error.get("input")
    shown = repr(received)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"'{where}': {message}; got {shown}"


def parse_config(model: type[Model], data: Mapping[str, Any], *, source: str,
                 error: type[HotspotsError] = InputFileError) -> Model:
    """Validate ``data`` against a pydantic ``model``, raising every problem at once.

    Each problem names its key (``groups.vawg.categories[2]``), what is wrong and the value
    found; ``source`` names the file (``"Groups file 'g.toml'"``).
    """
    import pydantic

    try:
        return model.model_validate(dict(data))  # type: ignore[attr-defined,no-any-return]
    except pydantic.ValidationError as exc:
        problems = Problems(source, error=error)
        for item in _errors_of(exc):
            problems.add(_describe(item))
        problems.raise_if_any()
        raise  # pragma: no cover (raise_if_any always raises here)


def _errors_of(exc: pydantic.ValidationError) -> list[Mapping[str, Any]]:
    return list(exc.errors(include_url=False))
