"""Selection by group, period and area on the planted 12-crime table (see conftest)."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from hotspots.errors import ParameterError
from hotspots.groups import CrimeGroup
from hotspots.select import select_crimes

#: The west block of small_crimes: x < 430 500.
WEST = shapely.box(430_000, 433_000, 430_500, 433_300)


def test_no_filters_keeps_everything(small_crimes):
    selected, info = select_crimes(small_crimes)
    assert len(selected) == info["rows_in"] == info["rows_out"] == 12
    assert info["steps"] == []


@pytest.mark.parametrize(("group", "count"), [
    ("neighbourhood", 8),     # 4 burglary + 2 robbery + 2 vehicle
    ("serious_violence", 3),  # 2 robbery + 1 violence
    ("victim_based", 9),      # all but drugs and 2 ASB
    ("vawg", 1),              # 1 violence
    ("asb", 2),
    ("all", 12),
])
def test_groups(small_crimes, group, count):
    selected, info = select_crimes(small_crimes, group=group)
    assert len(selected) == info["rows_out"] == count
    assert info["group"]["key"] == group
    assert info["group"]["basis"] == "categories"


def test_period_is_inclusive(small_crimes):
    selected, info = select_crimes(small_crimes, start="2022-02", end="2022-03")
    # 2022-02: burglary, 2 robberies; 2022-03: burglary, drugs.
    assert len(selected) == 5
    assert selected["month"].dt.strftime("%Y-%m").isin(["2022-02", "2022-03"]).all()
    assert info["steps"] == [{"step": "period", "detail": "2022-02 to 2022-03",
                              "rows_before": 12, "rows_after": 5}]
    only_start, _ = select_crimes(small_crimes, start="2022-05")
    assert len(only_start) == 3


def test_group_period_and_area_steps(small_crimes):
    selected, info = select_crimes(small_crimes, group="neighbourhood", start="2022-02",
                                   area=WEST)
    # neighbourhood 8 -> from 2022-02: 3 burglaries + 2 robberies = 5 -> all in the west.
    assert [(s["step"], s["rows_before"], s["rows_after"]) for s in info["steps"]] == [
        ("group", 12, 8), ("period", 8, 5), ("area", 5, 5)]
    assert len(selected) == 5
    assert set(selected["category"]) == {"Burglary", "Robbery"}
    json.dumps(info)  # serialisable for run.json


def test_area_in_another_crs(small_crimes):
    west_lonlat = gpd.GeoSeries([WEST], crs=27700).to_crs(4326)
    selected, info = select_crimes(small_crimes, area=west_lonlat)
    assert len(selected) == 7  # the west block
    assert (selected.geometry.x < 430_500).all()
    assert info["area"] is True


def test_keeps_index_and_does_not_mutate(small_crimes):
    before = small_crimes.copy()
    selected, _ = select_crimes(small_crimes, group="asb")
    assert selected.index.tolist() == [9, 10]
    selected["category"] = "changed"
    assert small_crimes.equals(before)


def test_empty_result_says_why(small_crimes):
    selected, info = select_crimes(small_crimes, group="neighbourhood", start="2023-01")
    assert len(selected) == 0 and info["rows_out"] == 0
    assert "2023-01" in info["why"] and "2022-01 to 2022-06" in info["why"]
    _, info = select_crimes(small_crimes[small_crimes["category"] == "Drugs"],
                            group="neighbourhood")
    assert "matched none of the 1 crimes" in info["why"] and "Drugs" in info["why"]
    _, info = select_crimes(small_crimes, area=shapely.box(0, 0, 1, 1))
    assert "inside the area" in info["why"]


@pytest.mark.parametrize("bad", ["2022-13", "2022-00", "22-01", "2022/01", "January", 202201])
def test_bad_months(small_crimes, bad):
    with pytest.raises(ParameterError, match=rf"'start'.*YYYY-MM.*{bad!r}"):
        select_crimes(small_crimes, start=bad)


def test_start_after_end(small_crimes):
    with pytest.raises(ParameterError, match="'2022-05' is after the 'end' month '2022-01'"):
        select_crimes(small_crimes, start="2022-05", end="2022-01")


def test_unknown_group(small_crimes):
    with pytest.raises(ParameterError, match="Unknown crime group 'nope'.*neighbourhood"):
        select_crimes(small_crimes, group="nope")


def test_offence_codes_and_flags_when_the_data_have_them(small_crimes):
    crimes = small_crimes.copy()
    crimes["offence_code"] = ["28E"] * 4 + ["34B"] * 2 + ["92D", "45", "45", "", "", "8Q"]
    crimes["vawg"] = [False] * 11 + [True]
    crimes["domestic_abuse"] = [False] * 3 + [True] + [False] * 8
    group = CrimeGroup("da", "Domestic abuse and stalking", ("Violence and sexual offences",),
                       True, "", "", offence_codes=("8q",), flags=("domestic_abuse",))
    selected, info = select_crimes(crimes, group=group)
    assert info["group"]["basis"] == "offence codes and flags"
    assert sorted(selected.index) == [3, 11]

    flag_only = CrimeGroup("f", "Flagged", ("Burglary",), True, "", "", flags=("vawg",))
    selected, info = select_crimes(crimes, group=flag_only)
    assert info["group"]["basis"] == "flags"
    assert selected.index.tolist() == [11]

    # police.uk data have neither column: categories are used, and the note says so.
    selected, info = select_crimes(small_crimes, group="vawg")
    assert info["group"]["basis"] == "categories"
    assert any("flag column(s) vawg" in n for n in info["notes"])
