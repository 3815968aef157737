"""Crime groups (neighbourhood crime, VAWG, ...) and harm weights, read from data files.

The default groups live in ``hotspots/data/crime_groups.toml`` with their sources; a user
file with the same layout adds groups or replaces them by key. Harm weights are a CSV of
``category,weight``; the bundled one is an *illustrative example only*.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.validation import parse_config
from hotspots.validation import read_toml

__all__ = [
    "CrimeGroup",
    "load_groups",
    "get_group",
    "load_harm_weights",
    "apply_harm",
    "ALL_CATEGORIES",
    "DEFAULT_GROUPS_PATH",
    "EXAMPLE_HARM_WEIGHTS_PATH",
]

log = logging.getLogger(__name__)

_DATA = Path(__file__).resolve().parent / "data"
#: The bundled crime groups (sources given in the file).
DEFAULT_GROUPS_PATH = _DATA / "crime_groups.toml"
#: The bundled harm weights: illustrative only, not official figures.
EXAMPLE_HARM_WEIGHTS_PATH = _DATA / "harm_weights_example.csv"
#: A category entry that matches every category.
ALL_CATEGORIES = "*"


@dataclass(frozen=True)
class CrimeGroup:
    """A named set of crime categories (or offence codes / flags for force data).

    Attributes
    ----------
    key : str
        Short name used on the command line (``neighbourhood``, ``vawg``, ...).
    label : str
        Name shown to people.
    categories : tuple of str
        Categories matched exactly; ``("*",)`` matches every category.
    sensitive : bool
        Locations must not be published as points (exports aggregate, counts 1-4 as "<5").
    note : str
        Caveat shown with results (e.g. "a proxy for ...").
    source : str
        Where the definition comes from.
    offence_codes : tuple of str
        Used instead of categories when the crime table has an ``offence_code`` column.
    flags : tuple of str
        Yes/no columns; used when the crime table has them.

    Examples
    --------
    >>> g = CrimeGroup("burglary", "Burglary", ("Burglary",), False, "", "police.uk")
    >>> g.matches_all
    False
    """

    key: str
    label: str
    categories: tuple[str, ...]
    sensitive: bool
    note: str
    source: str
    offence_codes: tuple[str, ...] = ()
    flags: tuple = ()

    @property
    def matches_all(self) -> bool:
        """True if the group matches every category (the ``all`` group)."""
        return ALL_CATEGORIES in self.categories

    def to_dict(self) -> dict[str, Any]:
        """The group as a JSON-serialisable dict."""
        return {
            "key": self.key,
            "label": self.label,
            "categories": list(self.categories),
            "sensitive": self.sensitive,
            "note": self.note,
            "source": self.source,
            "offence_codes": list(self.offence_codes),
            "flags": list(self.flags),
        }


def _normal_key(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _read_groups(path: Path) -> dict[str, CrimeGroup]:
    """The groups of one file, checked: every problem reported at once, with its key."""
    from hotspots.io.config import GroupsFile  # pydantic, only when groups are read

    label = f"Groups file {str(path)!r}"
    data = read_toml(path, what="Groups file", error=InputFileError)
    tables = parse_config(GroupsFile, data, source=label, error=InputFileError).groups
    return {
        _normal_key(raw_key): CrimeGroup(
            key=_normal_key(raw_key),
            label=raw_key if table.label is None else table.label,
            categories=table.categories,
            sensitive=table.sensitive,
            note=table.note,
            source=table.source,
            offence_codes=table.offence_codes,
            flags=table.flags,
        )
        for raw_key, table in tables.items()
    }


def load_groups(path: str | Path | None = None) -> dict[str, CrimeGroup]:
    """Return the crime groups: the bundled defaults, plus or overridden by ``path``.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file of ``[groups.<key>]`` tables (layout as in
        ``hotspots/data/crime_groups.toml``). Its groups are added; a key that exists
        already replaces the default group wholesale.

    Returns
    -------
    dict
        Key -> :class:`CrimeGroup`, defaults first.

    Examples
    --------
    >>> groups = load_groups()
    >>> sorted(groups)
    ['all', 'asb', 'neighbourhood', 'serious_violence', 'vawg', 'victim_based']
    >>> groups["vawg"].sensitive
    True
    """
    from hotspots.io.config import bundled_with_user  # pydantic, only when groups are read

    return bundled_with_user(_read_groups, DEFAULT_GROUPS_PATH, path, what="crime group(s)")


def get_group(
    name: str | CrimeGroup, groups: Mapping[str, CrimeGroup] | None = None
) -> CrimeGroup:
    """Return the group called ``name`` (case, spaces and hyphens ignored).

    Raises
    ------
    ParameterError
        If there is no such group; the message lists the keys.

    Examples
    --------
    >>> get_group("Serious-Violence").key
    'serious_violence'
    """
    if isinstance(name, CrimeGroup):
        return name
    groups = load_groups() if groups is None else groups
    if not isinstance(name, str):
        raise ParameterError(f"The 'group' parameter should be a group name, got {name!r}.")
    key = _normal_key(name)
    if key not in groups:
        raise ParameterError(
            f"Unknown crime group {name!r}. Known groups: {', '.join(groups)}. "
            "Define more in a groups file (--groups FILE.toml)."
        )
    return groups[key]


def load_harm_weights(path: str | Path | None = None) -> dict[str, float]:
    """Read harm weights per category from a CSV with columns ``category,weight``.

    Lines starting with ``#`` are comments. Without ``path`` the bundled example is read:
    its weights are illustrative, not official, and a warning is logged; supply your own
    for real use.

    Returns
    -------
    dict
        Category -> weight (finite, >= 0), in file order. State them in every output.

    Examples
    --------
    >>> weights = load_harm_weights()
    >>> weights["Robbery"] > weights["Shoplifting"]
    True
    """
    if path is None:
        log.warning(
            "Using the bundled harm weights, which are an illustrative example, not official "
            "figures. Supply your own weights file for real use."
        )
        path = EXAMPLE_HARM_WEIGHTS_PATH
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Harm weights file {str(path)!r} does not exist.")
    from hotspots.io.tables import read_text_table

    table = read_text_table(path, what="Harm weights file", comment="#")
    table.columns = [c.strip().lower() for c in table.columns]
    missing = {"category", "weight"} - set(table.columns)
    if missing:
        raise InputFileError(
            f"Harm weights file {str(path)!r} needs columns 'category' and 'weight'; it has "
            f"{', '.join(map(repr, table.columns)) or 'none'}."
        )
    problems: list[str] = []
    weights: dict[str, float] = {}
    for line, (category, text) in enumerate(zip(table["category"], table["weight"],
                                                strict=True), start=2):
        category = category.strip()
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            problems.append(f"row {line}: weight {text!r} for {category!r} is not a number >= 0")
        elif category in weights:
            problems.append(f"row {line}: {category!r} appears twice")
        elif not category:
            problems.append(f"row {line}: blank category")
        else:
            weights[category] = value
    if problems or not weights:
        raise InputFileError(
            f"Harm weights file {str(path)!r}: " + ("; ".join(problems) or "no rows") + "."
        )
    return weights


def apply_harm(
    crimes: gpd.GeoDataFrame,
    weights: Mapping[str, float],
    *,
    default: float | None = None,
) -> gpd.GeoDataFrame:
    """Return a copy of ``crimes`` with ``weight`` set from each row's category.

    Parameters
    ----------
    crimes : GeoDataFrame
        A crime table with a ``category`` column. It is not changed.
    weights : dict
        Category -> weight, e.g. from :func:`load_harm_weights`.
    default : float, optional
        Weight for categories not in ``weights``. Without it, such categories raise.

    Returns
    -------
    GeoDataFrame
        A copy with ``weight`` set; ``attrs["harm_weights"]`` holds the weights used, so
        outputs can state them.

    Examples
    --------
    >>> import shapely
    >>> crimes = gpd.GeoDataFrame({"category": ["Burglary", "Robbery"], "weight": 1.0},
    ...                           geometry=[shapely.Point(0, 0)] * 2, crs="EPSG:27700")
    >>> apply_harm(crimes, {"Burglary": 2.0, "Robbery": 5.0})["weight"].tolist()
    [2.0, 5.0]
    """
    if "category" not in crimes.columns:
        raise ParameterError(
            "'crimes' has no 'category' column; load it with hotspots.load_crimes."
        )
    values = crimes["category"].map(dict(weights))
    missing = values.isna()
    if missing.any():
        if default is None:
            counts = crimes.loc[missing, "category"].value_counts()
            listed = ", ".join(f"{k!r} ({v:,} rows)" for k, v in counts.items())
            raise ParameterError(
                f"The harm weights have no weight for: {listed}. Add them to the weights "
                "file, select a crime group first, or pass default=..."
            )
        values = values.fillna(float(default))
    out = crimes.copy()
    out["weight"] = values.astype(float).to_numpy()
    used = {k: float(v) for k, v in weights.items()}
    if default is not None and missing.any():
        used["(any other category)"] = float(default)
    out.attrs["harm_weights"] = used
    return out
