"""The Respond step's default cost is the library's estimate (no app-only arithmetic)."""

from __future__ import annotations

import pytest
import shapely

from hotspots.planning.catalogue import load_catalogue
from hotspots.planning.costs import estimate_cost
from hotspots.planning.interventions import Intervention
from hotspots.ui.site import default_cost


def draft(geometry) -> Intervention:
    return Intervention(type="", geometry=geometry, start="2025-01")


def test_a_drawn_lighting_line_costs_what_estimate_cost_says():
    catalogue = load_catalogue()
    line = draft(shapely.LineString([(0, 0), (1500, 0)]))
    cost, how = default_cost(line, "street_lighting", catalogue)
    lamps = Intervention(type="street_lighting", geometry=line.geometry, start="2025-01")
    assert cost == estimate_cost(lamps, catalogue).amount == 90_000.0  # not one km's 60,000
    assert how == "1.5 km x GBP 60,000 (indicative) = GBP 90,000"
    gates, _ = default_cost(line, "alley_gates", catalogue)
    assert gates == 2 * catalogue["alley_gates"].unit_cost  # one gate at each end


def test_units_the_drawing_cannot_count_start_from_one_unit():
    catalogue = load_catalogue()
    area = draft(shapely.box(0, 0, 100, 100))
    with pytest.raises(ValueError, match="'quantity'"):
        estimate_cost(Intervention(type="target_hardening", geometry=area.geometry), catalogue)
    cost, how = default_cost(area, "target_hardening", catalogue)
    assert cost == catalogue["target_hardening"].unit_cost
    assert how.endswith("enter the total for the number of households.")
