"""data.police.uk answers to the canonical crime table: categories, rows, reports.

Offline: recorded answers (``tests/data/policeapi/``, hand-written in the API's documented
format) replayed through a fake transport (:mod:`tests.policeapi.replay`); waits go to a fake
clock.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from hotspots import HotspotsError
from hotspots import ParameterError
from hotspots import load_crimes
from hotspots.io.report import DROP_OUTSIDE_BOUNDARY
from hotspots.policeapi import fetch_crimes
from hotspots.policeapi import fetch_neighbourhood_boundaries
from hotspots.policeapi import load_api_categories
from hotspots.schema import CRIME_COLUMNS
from hotspots.schema import POLICE_UK_CATEGORIES
from tests.policeapi.replay import CITY_CENTRE
from tests.policeapi.replay import items
from tests.policeapi.replay import make_api
from tests.policeapi.replay import query
from tests.policeapi.replay import replay_routes
from tests.policeapi.replay import sent_polygon

# -- categories ------------------------------------------------------------------------


def test_category_table_maps_every_police_uk_type_once():
    table = load_api_categories()
    mapped = table.loc[table["category"] != "", "category"]
    assert sorted(mapped) == sorted(POLICE_UK_CATEGORIES)
    assert table["slug"].is_unique
    slugs = dict(zip(table["slug"], table["category"], strict=True))
    assert slugs["violent-crime"] == "Violence and sexual offences"
    assert slugs["criminal-damage-arson"] == "Criminal damage and arson"
    assert slugs["anti-social-behaviour"] == "Anti-social behaviour"
    assert slugs["all-crime"] == ""


def test_category_file_with_a_wrong_type_is_refused(tmp_path):
    bad = tmp_path / "cats.csv"
    bad.write_text("slug,api_name,category\nburglary,Burglary,Burglery\n")
    with pytest.raises(HotspotsError, match="Burglery"):
        load_api_categories(bad)


# -- parsing recorded crimes ----------------------------------------------------------


def test_recorded_crimes_become_the_canonical_table():
    api, transport, _ = make_api(replay_routes)
    crimes, report = fetch_crimes(api, CITY_CENTRE, "2024-01", force="Leicestershire Police")
    assert list(crimes.columns) == [*CRIME_COLUMNS, "geometry"]
    assert crimes.crs.to_epsg() == 27700
    # 9 recorded, 1 beyond the cut corner of the pentagon.
    assert report.rows_read == 9
    assert report.rows_kept == len(crimes) == 8
    assert report.dropped == {DROP_OUTSIDE_BOUNDARY: 1}
    assert report.is_consistent()
    assert "On or near Humberstone Gate" not in set(crimes["location"])
    by_category = crimes.set_index("category")
    assert by_category.loc["Violence and sexual offences", "outcome"] == (
        "Unable to prosecute suspect")
    assert by_category.loc["Burglary", "outcome"] == (
        "Investigation complete; no suspect identified")
    assert by_category.loc["Burglary", "location"] == "On or near Oxford Street"
    asb = by_category.loc["Anti-social behaviour"]
    assert asb["crime_id"] == "" and asb["outcome"] == ""  # ASB: no id; outcome null
    burglary_id = items("crimes_street_all_crime_2024-01.json")[0]["persistent_id"]
    assert by_category.loc["Burglary", "crime_id"] == burglary_id
    assert by_category.loc["Theft from the person", "force"] == "British Transport Police"
    assert by_category.loc["Shoplifting", "force"] == "Leicestershire Police"
    assert set(crimes["month"]) == {pd.Timestamp("2024-01-01")}
    assert crimes["date"].isna().all()
    assert (crimes["lsoa_code"] == "").all() and (crimes["weight"] == 1.0).all()
    # Coordinates: the recorded lon/lat projected to British National Grid.
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    x, y = to_bng.transform(-1.1384, 52.6312)
    point = crimes.loc[crimes["category"] == "Burglary", "geometry"].iloc[0]
    np.testing.assert_allclose([point.x, point.y], [x, y], atol=0.01)
    assert report.months == ["2024-01"]
    assert report.categories["Burglary"] == 1
    assert len(report.sources) == 1 and "crimes-street/all-crime?date=2024-01" in (
        report.sources[0])
    # One request, with the pentagon as the poly parameter (lat,lng pairs).
    assert len(transport.calls) == 1
    assert sent_polygon(transport.urls[0]).equals(CITY_CENTRE)


def test_unknown_category_slug_is_kept_and_reported():
    api, _, _ = make_api(replay_routes)
    crimes, report = fetch_crimes(api, CITY_CENTRE, "2024-01")
    assert (crimes["category"] == "new-category").sum() == 1
    assert report.categories["new-category"] == 1
    note = next(n for n in report.notes if "'new-category'" in n)
    assert "not one of the 14 police.uk crime types" in note
    assert "slug not in police_api_categories.csv" in note


def test_unknown_category_requested_is_an_error_listing_slugs():
    api, transport, _ = make_api(replay_routes)
    with pytest.raises(ParameterError, match="'violent-crime'") as info:
        api.crimes(CITY_CENTRE, "2024-01", category="violence")
    assert "'violence'" in str(info.value)
    assert transport.calls == []


def test_fetched_table_has_the_shape_of_load_crimes(tmp_path):
    api, _, _ = make_api(replay_routes)
    fetched, _ = fetch_crimes(api, CITY_CENTRE, ["2024-01", "2024-02"])
    csv = tmp_path / "2024-01-leicestershire-street.csv"
    csv.write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context\n"
        "ab,2024-01,Leicestershire Police,Leicestershire Police,-1.1384,52.6312,"
        "On or near Oxford Street,E01,Leicester 001A,Burglary,,\n"
    )
    loaded, _ = load_crimes(csv)
    assert list(fetched.columns) == list(loaded.columns)
    assert fetched.dtypes.astype(str).to_dict() == loaded.dtypes.astype(str).to_dict()
    assert fetched.crs == loaded.crs


def test_several_months_and_areas_merge_without_duplicates():
    api, transport, _ = make_api(replay_routes)
    areas = fetch_neighbourhood_boundaries(api, "leicestershire", ["NC04", "NC66"])
    calls_before = len(transport.calls)
    seen = []
    crimes, report = fetch_crimes(api, areas, ["2024-02", "2024-01"],
                                  progress=lambda d, t, label: seen.append((d, t, label)))
    # Both areas get the same recorded answer per month: each crime is kept once.
    assert len(transport.calls) - calls_before == 4
    assert report.rows_read == 9 + 2
    assert report.months == ["2024-01", "2024-02"]
    assert any("returned twice" in n and n.startswith("11 ") for n in report.notes)
    # The crime beyond the pentagon's cut corner is outside both areas.
    assert report.dropped == {DROP_OUTSIDE_BOUNDARY: 1}
    assert seen == [(1, 4, "2024-01 City Centre"), (2, 4, "2024-01 Cultural Quarter"),
                    (3, 4, "2024-02 City Centre"), (4, 4, "2024-02 Cultural Quarter")]
    assert len(crimes) == 10


def test_months_as_text_dates_timestamps_or_periods_ask_the_same():
    api, transport, _ = make_api(replay_routes)
    as_text, _ = fetch_crimes(api, CITY_CENTRE, ["2024-02", "2024-01", "2024-01"])
    months = [date(2024, 1, 31), pd.Timestamp("2024-02-15"), pd.Period("2024-01", freq="M")]
    as_values, _ = fetch_crimes(api, CITY_CENTRE, months)
    pd.testing.assert_frame_equal(as_values, as_text)
    dates = [query(u)[1]["date"] for u in transport.urls]
    assert dates == ["2024-01", "2024-02", "2024-01", "2024-02"]  # sorted, each month once
