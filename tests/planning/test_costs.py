"""Indicative costs from the catalogue's unit costs."""

from __future__ import annotations

import pytest
import shapely

from hotspots import ParameterError
from hotspots.planning.costs import estimate_cost
from hotspots.planning.interventions import Intervention


def _iv(type_: str, geometry: shapely.Geometry, **kw: object) -> Intervention:
    return Intervention(type=type_, geometry=geometry, start="2025-01", **kw)


def test_estimate_cost_uses_the_unit() -> None:
    line = shapely.LineString([(438_000, 361_000), (438_750, 361_000)])
    assert estimate_cost(_iv("street_lighting", line)).amount == pytest.approx(0.75 * 60_000)
    assert estimate_cost(_iv("alley_gates", line)).quantity == 2
    cams = shapely.MultiPoint([(438_000, 361_000), (438_100, 361_000), (438_200, 361_000)])
    estimate = estimate_cost(_iv("cctv", cams))
    assert (estimate.quantity, estimate.amount) == (3, 60_000)
    assert estimate.text == "3 cameras x GBP 20,000 (indicative) = GBP 60,000"
    homes = _iv("target_hardening", shapely.box(438_000, 361_000, 438_100, 361_100))
    with pytest.raises(ParameterError, match="'quantity'.*households"):
        estimate_cost(homes)
    assert estimate_cost(homes, quantity=40).amount == 12_000
    with pytest.raises(ParameterError, match="'quantity'"):
        estimate_cost(homes, quantity=-1)
