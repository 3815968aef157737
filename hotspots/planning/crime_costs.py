"""Unit costs of crime (Heeks et al. 2018) for a plan's benefit–cost ratio.

The bundled table (``hotspots/data/crime_costs.csv``) holds the Home Office unit costs of
crime, 2015/16 prices, that could be confirmed from a source available offline, each row with
where it was confirmed, and the police.uk category each one stands for. police.uk categories
are coarser than the report's offences, so a category is costed only where a confirmed figure
is a defensible **lower bound** for it (e.g. 'Vehicle crime' at the cost of a theft from a
vehicle, its cheapest part); the others (Burglary, Violence and sexual offences, Theft from
the person, ...) are left uncosted and every output says what share of the prevented crimes
has a cost. Costs avoided are therefore a lower bound.

Prices stay 2015/16 unless an uprating factor is given: the ratio of two values of a stated
price index (e.g. HM Treasury's GDP deflator at market prices, 2015-16 and the target year),
which :func:`load_unit_costs` records. No index values were available offline to build in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pandas as pd

from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.schema import POLICE_UK_CATEGORIES

__all__ = ["CRIME_COSTS_PATH", "COSTS_SOURCE", "UnitCosts", "load_unit_costs", "costs_of",
           "as_mapping"]

#: The bundled table.
CRIME_COSTS_PATH = Path(__file__).resolve().parents[1] / "data" / "crime_costs.csv"
#: The source of the bundled figures, for outputs.
COSTS_SOURCE = ("Heeks, Reed, Tafsiri & Prince (2018), The economic and social costs of crime, "
                "2nd ed., Home Office Research Report 99")
_COLUMNS = ("offence", "unit_cost_gbp", "price_base", "police_uk_category", "mapping_rule",
            "confirmed_at")


@dataclass(frozen=True)
class UnitCosts:
    """Unit costs per police.uk category, with their source and price base.

    Attributes
    ----------
    by_category : dict
        police.uk category -> cost per crime in GBP (only costed categories).
    rules : dict
        Category -> how its figure was mapped (e.g. "lower bound: ...").
    offences : DataFrame
        The whole table as read (every confirmed offence figure, mapped or not).
    price_base : str
        Prices of the figures, after any uprating ("2015/16", or e.g. "2024/25 (GDP
        deflator ...)").
    uprating : float
        Factor applied to the table's figures (1: none).
    source : str
    notes : tuple of str
    """

    by_category: dict[str, float]
    rules: dict[str, str]
    offences: pd.DataFrame
    price_base: str
    uprating: float = 1.0
    source: str = COSTS_SOURCE
    notes: tuple[str, ...] = field(default_factory=tuple)

    def cost(self, category: str) -> float:
        """Cost of one crime of ``category``; NaN when the category has no cost.

        Examples
        --------
        >>> costs = load_unit_costs()
        >>> costs.cost("Robbery"), costs.cost("Burglary")
        (11320.0, nan)
        """
        return float(self.by_category.get(category, math.nan))

    def statement(self) -> str:
        """Where the costs come from, in one sentence."""
        mapped = ", ".join(f"{k} GBP {v:,.0f}" for k, v in self.by_category.items())
        return (f"Unit costs of crime: {self.source}, {self.price_base} prices; costed "
                f"police.uk categories: {mapped or 'none'} (lower bounds where a category "
                "mixes offences); other categories have no confirmed figure and count 0, so "
                "costs avoided are a lower bound.")

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "price_base": self.price_base,
                "uprating": self.uprating, "by_category": dict(self.by_category),
                "rules": dict(self.rules), "notes": list(self.notes)}


def _read(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, comment="#", dtype={"police_uk_category": "string"})
    except (OSError, ValueError) as exc:
        raise InputFileError(f"Unit costs file {str(path)!r} could not be read: {exc}") from None
    missing = [c for c in ("offence", "unit_cost_gbp", "police_uk_category") if c not in table]
    if missing:
        raise InputFileError(
            f"Unit costs file {str(path)!r} has no column(s) {missing}; the layout is that of "
            f"{CRIME_COSTS_PATH} ({', '.join(_COLUMNS)})."
        )
    costs = pd.to_numeric(table["unit_cost_gbp"], errors="coerce")
    bad = table.loc[~(costs >= 0), "offence"].tolist()
    if bad:
        raise InputFileError(f"Unit costs file {str(path)!r}: 'unit_cost_gbp' must be a number "
                             f">= 0; rows {bad} are not.")
    table["unit_cost_gbp"] = costs.astype(float)
    categories = table["police_uk_category"].dropna().astype(str).str.strip()
    unknown = sorted(set(categories) - set(POLICE_UK_CATEGORIES) - {""})
    if unknown:
        raise InputFileError(
            f"Unit costs file {str(path)!r}: 'police_uk_category' {unknown} is not a police.uk "
            f"category; use one of: {', '.join(POLICE_UK_CATEGORIES)}."
        )
    twice = categories[categories.duplicated() & (categories != "")].tolist()
    if twice:
        raise InputFileError(f"Unit costs file {str(path)!r}: police.uk categories {twice} "
                             "are given more than one figure; keep one row each.")
    return table


def load_unit_costs(path: str | Path | None = None, *, uprating: float | None = None,
                    price_label: str | None = None) -> UnitCosts:
    """Read the unit costs (the bundled Heeks et al. figures, or a file laid out the same).

    Parameters
    ----------
    path : str or Path, optional
        A CSV with columns ``offence, unit_cost_gbp, police_uk_category`` (and optionally
        ``price_base, mapping_rule, confirmed_at``); lines starting with ``#`` are comments.
    uprating : float, optional
        Multiply every figure by this (e.g. GDP deflator of the target year / of 2015-16).
    price_label : str, optional
        What the uprated prices are, e.g. "2024/25 (HM Treasury GDP deflator, March 2025)";
        needed with ``uprating``.

    Examples
    --------
    >>> costs = load_unit_costs()
    >>> sorted(costs.by_category)
    ['Criminal damage and arson', 'Robbery', 'Vehicle crime']
    >>> costs.price_base
    '2015/16'
    >>> load_unit_costs(uprating=1.25, price_label="a later year").cost("Vehicle crime")
    1087.5
    """
    source_path = CRIME_COSTS_PATH if path is None else Path(path)
    table = _read(source_path)
    factor = 1.0
    base = str(table["price_base"].dropna().iloc[0]) if "price_base" in table and len(
        table["price_base"].dropna()) else "as given"
    notes = []
    if uprating is not None:
        try:
            factor = float(uprating)
        except (TypeError, ValueError):
            factor = math.nan
        if not (math.isfinite(factor) and factor > 0):
            raise ParameterError(f"The 'uprating' parameter must be a number > 0, got "
                                 f"{uprating!r}.")
        if not price_label:
            raise ParameterError("The 'price_label' parameter is needed with 'uprating': say "
                                 "which prices and which index, e.g. '2024/25 (HM Treasury GDP "
                                 "deflator)'.")
        notes.append(f"Figures uprated from {base} by x{factor:.4f} to {price_label}.")
        base = str(price_label)
    else:
        notes.append(f"Figures in {base} prices, not uprated (no price index values were "
                     "available offline to build in; pass uprating= with a cited deflator).")
    mapped = table[table["police_uk_category"].fillna("").astype(str).str.strip() != ""]
    by_category = {str(r.police_uk_category).strip(): float(r.unit_cost_gbp) * factor
                   for r in mapped.itertuples(index=False)}
    rules = {}
    if "mapping_rule" in table:
        rules = {str(r.police_uk_category).strip(): str(r.mapping_rule)
                 for r in mapped.itertuples(index=False)}
    source = COSTS_SOURCE if path is None else f"{source_path} (user file)"
    return UnitCosts(by_category=by_category, rules=rules, offences=table, price_base=base,
                     uprating=factor, source=source, notes=tuple(notes))


def costs_of(categories: Any, costs: UnitCosts | None) -> Any:
    """Unit cost per crime for an array of categories (NaN where uncosted).

    Examples
    --------
    >>> costs_of(pd.Series(["Robbery", "Burglary"]), load_unit_costs()).tolist()
    [11320.0, nan]
    """
    series = pd.Series(categories, dtype="string")
    if costs is None:
        return series.map(lambda _: math.nan).astype(float).to_numpy()
    return series.map(costs.by_category).astype(float).to_numpy()


def as_mapping(costs: UnitCosts | Mapping[str, float] | None) -> UnitCosts | None:
    """A :class:`UnitCosts` from a category -> cost dict (user figures), or as given."""
    if costs is None or isinstance(costs, UnitCosts):
        return costs
    if not isinstance(costs, Mapping):
        raise TypeError(f"'unit_costs' should be UnitCosts or a dict, got {type(costs)}")
    return UnitCosts(by_category={str(k): float(v) for k, v in costs.items()},
                     rules={str(k): "given by the user" for k in costs},
                     offences=pd.DataFrame(), price_base="as given", source="given by the user")
