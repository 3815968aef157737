"""The intervention catalogue: what each kind of intervention covers, acts on, achieves and costs.

The catalogue (``hotspots/data/interventions.toml``) lists intervention types (CCTV, street
lighting, alley gates, ...) with their default coverage, the police.uk crime types they act
on, the expected effect with its range and source, and an indicative unit cost. The file's
layout is declared once, as a pydantic model, and checked through
:func:`hotspots.validation.parse_config`: every problem is reported at once, naming its key
(``types.cctv.effect``) and the file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from hotspots.errors import InputFileError
from hotspots.schema import POLICE_UK_CATEGORIES
from hotspots.validation import parse_config
from hotspots.validation import read_toml

__all__ = [
    "DEFAULT_CATALOGUE_PATH",
    "GEOMETRY_KINDS",
    "EVIDENCE_LEVELS",
    "InterventionType",
    "load_catalogue",
]

log = logging.getLogger(__name__)

#: The bundled catalogue (effects, sources and indicative costs are documented in it).
DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "data" / "interventions.toml"
#: How an intervention type is drawn.
GEOMETRY_KINDS: tuple[str, ...] = ("point", "line", "polygon")
#: Words allowed for the strength of evidence behind a type's effect.
EVIDENCE_LEVELS: tuple[str, ...] = (
    "systematic review",
    "single evaluation",
    "household survey analysis",
    "no demonstrated effect",
    "planning assumption",
)


@dataclass(frozen=True)
class InterventionType:
    """One entry of the intervention catalogue.

    Attributes
    ----------
    key : str
        Short name (``"cctv"``, ``"street_lighting"``, ...).
    label : str
        Name shown to people.
    geometry_kind : str
        How it is drawn: ``"point"``, ``"line"`` or ``"polygon"``.
    default_radius_m, default_width_m : float or None
        Default radius (points; margin round polygons) and corridor width (lines), metres.
    categories : tuple of str
        police.uk crime types it acts on.
    effect, effect_low, effect_high : float
        Expected proportional reduction and its planning range, fractions in [0, 1).
    evidence : str
        Strength of the evidence (see :data:`EVIDENCE_LEVELS`).
    source : str
        The evidence, quoted.
    range_basis : str
        How the low/high figures were set.
    unit_cost : float
        Indicative cost in GBP per ``cost_unit``.
    cost_unit : str
        ``"camera"``, ``"km"``, ``"gate"``, ``"household"``, ``"month"``, ...
    note : str
        Caveats shown with the type.

    Examples
    --------
    >>> t = load_catalogue()["anpr"]
    >>> t.effect, "Vehicle crime" in t.categories, "Burglary" in t.categories
    (0.0, True, False)
    """

    key: str
    label: str
    geometry_kind: str
    default_radius_m: float | None
    default_width_m: float | None
    categories: tuple[str, ...]
    effect: float
    effect_low: float
    effect_high: float
    evidence: str
    source: str
    range_basis: str
    unit_cost: float
    cost_unit: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        """The type as a JSON-serialisable dict (for run records and exports)."""
        return {
            "key": self.key, "label": self.label, "geometry_kind": self.geometry_kind,
            "default_radius_m": self.default_radius_m, "default_width_m": self.default_width_m,
            "categories": list(self.categories), "effect": self.effect,
            "effect_low": self.effect_low, "effect_high": self.effect_high,
            "evidence": self.evidence, "source": self.source, "range_basis": self.range_basis,
            "unit_cost": self.unit_cost, "cost_unit": self.cost_unit, "note": self.note,
        }


# --------------------------------------------------------------------------- the file layout

_Text = Annotated[str, Field(strict=True)]
_Amount = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
_Fraction = Annotated[float, Field(strict=True, ge=0, lt=1, allow_inf_nan=False)]


class _TypeTable(BaseModel):
    """One ``[types.<key>]`` table; the keys are those documented in the bundled file."""

    model_config = ConfigDict(extra="forbid")

    label: _Text
    geometry: Literal[GEOMETRY_KINDS]  # type: ignore[valid-type]
    radius_m: _Amount | None = Field(None, validate_default=True)
    width_m: _Amount | None = Field(None, validate_default=True)
    categories: list[Literal[POLICE_UK_CATEGORIES]]  # type: ignore[valid-type]
    effect: _Fraction
    effect_low: _Fraction | None = Field(None, validate_default=True)
    effect_high: _Fraction | None = Field(None, validate_default=True)
    evidence: Literal[EVIDENCE_LEVELS] = "planning assumption"  # type: ignore[valid-type]
    source: _Text
    range_basis: _Text = ""
    unit_cost: _Amount
    cost_unit: _Text
    note: _Text = ""

    @field_validator("radius_m", "width_m")
    @classmethod
    def _size_of_the_kind(cls, value: float | None, info: ValidationInfo) -> float | None:
        needs = {"point": "radius_m", "line": "width_m"}.get(info.data.get("geometry", ""))
        if needs == info.field_name and not (value and value > 0):
            raise PydanticCustomError(
                "size_needed", f"a {info.data['geometry']} type needs {needs} > 0")
        return value

    @field_validator("effect_low", "effect_high")
    @classmethod
    def _range_around_effect(cls, value: float | None, info: ValidationInfo) -> float | None:
        effect = info.data.get("effect")
        if value is None or effect is None:
            return value
        if info.field_name == "effect_low" and value > effect:
            raise PydanticCustomError("range", f"must not be above effect ({effect:g})")
        if info.field_name == "effect_high" and value < effect:
            raise PydanticCustomError("range", f"must not be below effect ({effect:g})")
        return value

    def to_type(self, key: str) -> InterventionType:
        """The catalogue entry: ranges default to the effect, long texts on one line."""
        return InterventionType(
            key=key.strip().lower(), label=self.label, geometry_kind=self.geometry,
            default_radius_m=self.radius_m, default_width_m=self.width_m,
            categories=tuple(self.categories), effect=self.effect,
            effect_low=self.effect if self.effect_low is None else self.effect_low,
            effect_high=self.effect if self.effect_high is None else self.effect_high,
            evidence=self.evidence, source=" ".join(self.source.split()),
            range_basis=" ".join(self.range_basis.split()), unit_cost=self.unit_cost,
            cost_unit=self.cost_unit, note=" ".join(self.note.split()),
        )


class _CatalogueFile(BaseModel):
    """A catalogue file: ``[types.<key>]`` tables (other top-level keys are ignored)."""

    types: dict[str, _TypeTable]


def _read_catalogue(path: Path) -> dict[str, InterventionType]:
    what = "Intervention catalogue"
    data = read_toml(path, what=what)
    tables = data.get("types")
    if not isinstance(tables, dict) or not tables:
        raise InputFileError(
            f"{what} {str(path)!r} has no [types.<key>] tables; see "
            f"{DEFAULT_CATALOGUE_PATH} for the layout."
        )
    parsed = parse_config(_CatalogueFile, data, source=f"{what} {str(path)!r}")
    types = [table.to_type(key) for key, table in parsed.types.items()]
    return {kind.key: kind for kind in types}


def load_catalogue(path: str | Path | None = None) -> dict[str, InterventionType]:
    """Return the intervention types: the bundled catalogue, plus or overridden by ``path``.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file of ``[types.<key>]`` tables laid out like
        ``hotspots/data/interventions.toml``. Its types are added; a key that exists already
        replaces the bundled type wholesale (e.g. to use local costs or effects).

    Returns
    -------
    dict
        Key -> :class:`InterventionType`, bundled types first.

    Raises
    ------
    InputFileError
        If a file is missing, not TOML, or has invalid entries (every problem listed, each
        with its key).

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> sorted(catalogue)[:3]
    ['alley_gates', 'anpr', 'cctv']
    >>> catalogue["street_lighting"].effect, catalogue["street_lighting"].geometry_kind
    (0.21, 'line')
    """
    types = _read_catalogue(DEFAULT_CATALOGUE_PATH)
    if path is not None:
        user = _read_catalogue(Path(path))
        replaced = sorted(set(user) & set(types))
        if replaced:
            log.info("catalogue %s replaces bundled type(s): %s", path, ", ".join(replaced))
        types.update(user)
    return types
