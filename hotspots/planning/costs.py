"""Indicative costs of planned interventions, from their type's unit cost."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.planning.catalogue import InterventionType
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import type_of

__all__ = ["CostEstimate", "estimate_cost"]


@dataclass(frozen=True)
class CostEstimate:
    """An indicative cost: ``quantity`` x ``unit_cost`` (GBP), with how it was worked out."""

    amount: float
    quantity: float
    unit_cost: float
    cost_unit: str
    text: str


def estimate_cost(
    intervention: Intervention,
    catalogue: Mapping[str, InterventionType] | None = None,
    *,
    quantity: float | None = None,
) -> CostEstimate:
    """Estimate the cost of ``intervention`` from its type's indicative unit cost.

    Without ``quantity``: cameras count the drawn points (1 for a single point), ``km`` is
    the drawn line's length, ``gate`` is two per alley line (one at each end) or one per
    point. Households, months and other units need ``quantity``.

    Examples
    --------
    >>> lamps = Intervention(type="street_lighting", start="2025-01",
    ...                      geometry=shapely.LineString([(0, 0), (1500, 0)]))
    >>> estimate_cost(lamps).amount
    90000.0
    >>> estimate_cost(lamps).text
    '1.5 km x GBP 60,000 (indicative) = GBP 90,000'
    """
    kind = type_of(intervention, catalogue)
    geom, drawn = intervention.geometry, intervention.geometry_kind
    parts = len(shapely.get_parts(geom)) if isinstance(geom, BaseGeometry) else 0
    if quantity is None:
        unit = kind.cost_unit
        if unit == "camera":
            quantity = float(parts) if drawn == "point" else 1.0
        elif unit == "km" and drawn == "line":
            quantity = geom.length / 1000.0
        elif unit == "gate" and drawn in ("line", "point"):
            quantity = float(2 * parts if drawn == "line" else parts)
        else:
            raise ParameterError(
                f"The 'quantity' parameter is needed to cost {kind.label} drawn as a {drawn}: "
                f"give the number of {kind.cost_unit}s."
            )
    quantity = float(quantity)
    if not math.isfinite(quantity) or quantity < 0:
        raise ParameterError(f"The 'quantity' parameter must be a number >= 0, got {quantity!r}.")
    amount = quantity * kind.unit_cost
    unit = kind.cost_unit if quantity == 1 or kind.cost_unit == "km" else f"{kind.cost_unit}s"
    text = (f"{quantity:g} {unit} x GBP {kind.unit_cost:,.0f} (indicative) = "
            f"GBP {amount:,.0f}")
    return CostEstimate(amount=amount, quantity=quantity, unit_cost=kind.unit_cost,
                        cost_unit=kind.cost_unit, text=text)
