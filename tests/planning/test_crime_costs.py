"""Unit costs of crime: the bundled figures, their sources, mapping and uprating."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.planning.crime_costs import CRIME_COSTS_PATH
from hotspots.planning.crime_costs import load_unit_costs
from hotspots.schema import POLICE_UK_CATEGORIES

#: The figures the issue quotes from secondary sources that this project could confirm.
QUOTED = {"Violence with injury": 14_050, "Robbery": 11_320, "Theft of a vehicle": 10_290,
          "Theft from a vehicle": 870, "Rape": 39_360, "Other sexual offences": 6_520,
          "Arson": 8_420, "Criminal damage (other than arson)": 1_350}


def test_bundled_figures_are_the_confirmed_ones_each_with_its_source():
    costs = load_unit_costs()
    table = costs.offences.set_index("offence")
    assert table["unit_cost_gbp"].to_dict() == QUOTED
    assert table["confirmed_at"].str.contains("https://").all()
    assert set(table["price_base"]) == {"2015/16"}
    # unconfirmed figures are left out, not guessed
    assert "Domestic burglary" not in table.index
    assert costs.cost("Burglary") != costs.cost("Burglary")  # NaN: no cost
    assert set(costs.by_category) <= set(POLICE_UK_CATEGORIES)
    assert all(rule.startswith(("lower bound", "robbery against")) for rule in costs.rules.values())
    assert "2015/16 prices" in costs.statement() and costs.uprating == 1.0


def test_uprating_needs_a_label_and_a_positive_factor():
    with pytest.raises(ParameterError, match="price_label"):
        load_unit_costs(uprating=1.2)
    with pytest.raises(ParameterError, match="uprating"):
        load_unit_costs(uprating=-1, price_label="x")
    up = load_unit_costs(uprating=1.2, price_label="2024/25 (GDP deflator)")
    assert up.cost("Robbery") == pytest.approx(1.2 * 11_320)
    assert up.price_base == "2024/25 (GDP deflator)"


def test_user_files_are_checked(tmp_path):
    bad = tmp_path / "costs.csv"
    bad.write_text("offence,unit_cost_gbp,police_uk_category\nX,-5,Robbery\n")
    with pytest.raises(InputFileError, match="unit_cost_gbp"):
        load_unit_costs(bad)
    bad.write_text("offence,unit_cost_gbp,police_uk_category\nX,5,Robbers\n")
    with pytest.raises(InputFileError, match="not a police.uk category"):
        load_unit_costs(bad)
    good = tmp_path / "mine.csv"
    frame = pd.read_csv(CRIME_COSTS_PATH, comment="#")
    frame.loc[len(frame)] = ["Burglary (local figure)", 4000, "2023/24", "Burglary",
                             "our own estimate", "force finance team"]
    frame.to_csv(good, index=False)
    mine = load_unit_costs(good)
    assert mine.cost("Burglary") == 4000 and "user file" in mine.source
