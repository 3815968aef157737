"""Mapped CSVs: the Nottingham files, mappings from TOML and dicts, and broken inputs."""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspots.errors import ColumnMappingError
from hotspots.errors import InputFileError
from hotspots.io import ColumnMapping
from hotspots.io import load_crimes
from hotspots.io import read_mapping
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.schema import CRIME_COLUMNS

NOTTS_MAPPING = """
crs = "EPSG:4326"
[columns]
x = "longitude"
y = "latitude"
month = "month"
location = "location"
lsoa_code = "lsoa_code"
[constants]
category = "{category}"
force = "Nottinghamshire Police"
"""


def _mapping_file(tmp_path: Path, category: str) -> Path:
    path = tmp_path / f"{category.lower()}.toml"
    path.write_text(NOTTS_MAPPING.format(category=category))
    return path


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _mapping(**columns) -> dict:
    cols = {"x": "lon", "y": "lat", "month": "month", "category": "type"}
    cols.update(columns)
    return {"crs": "EPSG:4326", "columns": {k: v for k, v in cols.items() if v is not None}}


# --- the real Nottingham files ----------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(("name", "category", "rows"),
                         [("burglary", "Burglary", 1_795), ("robbery", "Robbery", 555)])
def test_nottingham_through_mapping(shared_data, tmp_path, name, category, rows):
    path = shared_data / "nottingham" / f"{name}_2022.csv.gz"
    crimes, report = load_crimes(path, mapping=_mapping_file(tmp_path, category))
    assert report.rows_read == rows
    assert report.rows_kept == len(crimes) == rows
    assert report.dropped == {}
    assert report.categories == {category: rows}
    assert report.months == [f"2022-{m:02d}" for m in range(1, 13)]
    assert list(crimes.columns) == [*CRIME_COLUMNS, "geometry"]
    assert crimes.crs.to_epsg() == 27700
    assert (crimes["force"] == "Nottinghamshire Police").all()
    assert (crimes["crime_id"] == "").all()
    assert crimes["lsoa_code"].str.startswith("E01").all()
    # Raw values month "2022-01-01" became the first of the month.
    raw = pd.read_csv(path)
    assert (crimes["month"].dt.strftime("%Y-%m-%d").to_numpy() == raw["month"].to_numpy()).all()


@pytest.mark.realdata
def test_nottingham_clipped_to_wards_accounts_for_every_row(shared_data, tmp_path):
    wards_path = shared_data / "nottingham" / "wards.gpkg"
    sources = {"Burglary": "burglary_2022.csv.gz", "Robbery": "robbery_2022.csv.gz"}
    for category, name in sources.items():
        path = shared_data / "nottingham" / name
        mapping = _mapping_file(tmp_path, category)
        crimes, report = load_crimes(path, mapping=mapping, boundary=wards_path)
        assert report.rows_read == report.rows_kept + sum(report.dropped.values())
        # Oracle: geopandas point-in-polygon on the raw lon/lat against the wards.
        raw = pd.read_csv(path)
        points = gpd.GeoSeries(gpd.points_from_xy(raw["longitude"], raw["latitude"]), crs=4326)
        wards = gpd.read_file(wards_path)
        inside_all = int(points.intersects(wards.union_all()).sum())
        assert report.rows_kept == inside_all
        assert report.dropped.get("outside the boundary", 0) == len(raw) - inside_all

        # One ward only: most crimes fall outside it, and the report still adds up.
        ward = wards.iloc[[0]]
        one, one_report = load_crimes(path, mapping=mapping, boundary=ward)
        expected = int(points.intersects(ward.union_all()).sum())
        assert 0 < one_report.rows_kept == len(one) == expected < len(raw)
        assert one_report.dropped == {"outside the boundary": len(raw) - expected}
        assert one_report.rows_read == len(raw)


# --- mappings ----------------------------------------------------------------------------


def test_read_mapping_from_toml_and_dict_agree(tmp_path):
    path = _mapping_file(tmp_path, "Burglary")
    from_file = read_mapping(path)
    from_dict = read_mapping({
        "crs": "EPSG:4326",
        "columns": {"x": "longitude", "y": "latitude", "month": "month",
                    "location": "location", "lsoa_code": "lsoa_code"},
        "constants": {"category": "Burglary", "force": "Nottinghamshire Police"},
    })
    assert isinstance(from_file, ColumnMapping)
    assert from_file.columns == from_dict.columns
    assert from_file.constants == from_dict.constants
    assert from_file.source == str(path) and from_dict.source == "<dict>"
    assert read_mapping(from_file.to_dict()).columns == from_file.columns


def test_mapping_problems_are_reported_together():
    with pytest.raises(ColumnMappingError) as err:
        read_mapping({"columns": {"x": "lon", "colour": "c"}, "constants": {"shape": "x"}})
    message = str(err.value)
    for expected in ("'crs': is required: add crs = \"EPSG:4326\"",
                     "'columns.colour': is not a known key; allowed: x, y,",
                     "'constants.shape': is not a known key", "'columns.y' is required",
                     "month or a date", "crime category"):
        assert expected in message, expected
    assert "has 6 problems" in message


def test_mapping_bad_toml_and_crs(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("crs = \n")
    with pytest.raises(ColumnMappingError, match="bad.toml.*not valid TOML"):
        read_mapping(bad)
    with pytest.raises(ColumnMappingError,
                       match="'crs': is not a CRS pyproj knows.*got 'EPSG:99999999'"):
        read_mapping({**_mapping(), "crs": "EPSG:99999999"})
    with pytest.raises(ColumnMappingError,
                       match=r"nowhere.toml' does not exist.*hotspots/data/README.md"):
        read_mapping(tmp_path / "nowhere.toml")


def test_mapping_value_problems_name_their_keys_and_file(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('crs = "EPSG:4326"\ndelimiter = 3\n'
                    '[columns]\nx = "lon"\ny = " "\nmonth = "m"\nflags = ["month", "da"]\n'
                    '[constants]\ncategory = true\n')
    with pytest.raises(ColumnMappingError) as err:
        read_mapping(path)
    message = str(err.value)
    assert message.startswith(f"Mapping file {str(path)!r} has 4 problems:")
    for expected in ("'columns.y': should be a column name, not blank; got ' '",
                     "'columns.flags': flag column(s) ['month'] clash with canonical column",
                     "'constants.category': should be a text value; got True",
                     "'delimiter': input should be a valid string; got 3"):
        assert expected in message, expected


def test_mapping_forms_accepted_as_before():
    mapping = read_mapping({
        "crs": 27700, "date_format": "%d/%m/%Y",
        "columns": {"x": "e", "y": "n", "date": "d", "flags": "da", "month_format": "%m/%Y",
                    "month": "m", "category": "type"},
        "constants": {"force": "Force", "outcome": 0},
    })
    assert mapping.crs == "EPSG:27700"
    assert mapping.flags == ("da",)
    assert (mapping.date_format, mapping.month_format) == ("%d/%m/%Y", "%m/%Y")
    assert mapping.constants == {"force": "Force", "outcome": "0"}
    assert list(mapping.columns) == ["x", "y", "date", "month", "category"]  # as written
    assert read_mapping(mapping.to_dict()) == mapping


def test_mapping_naming_a_missing_column(tmp_path):
    path = _csv(tmp_path / "force.csv", "Longitude,lat,month,type", ["-1.15,52.95,2022-01,X"])
    with pytest.raises(ColumnMappingError) as err:
        load_crimes(path, mapping=_mapping())
    message = str(err.value)
    assert "force.csv" in message
    assert "mapping key 'x' names column 'lon'" in message
    assert "'Longitude', 'lat', 'month', 'type'" in message


# --- reading mapped files ----------------------------------------------------------------


def test_months_dates_flags_codes_and_weights(tmp_path):
    header = "lon,lat,when,type,ho_code,da,harm"
    rows = [
        "-1.15,52.95,31/01/2022 23:10,Violence with injury,8N,Y,10",
        "-1.16,52.96,01/02/2022 01:00,Stalking,8Q,no,",
        "-1.17,52.97,15/03/2022 12:00,Burglary,28E,maybe,2.5",
    ]
    path = _csv(tmp_path / "force.csv", header, rows)
    mapping = {
        "crs": "EPSG:4326",
        "columns": {"x": "lon", "y": "lat", "date": "when", "category": "type",
                    "offence_code": "ho_code", "flags": ["da"], "weight": "harm"},
    }
    crimes, report = load_crimes(path, mapping=mapping)
    assert list(crimes.columns) == [*CRIME_COLUMNS, "offence_code", "da", "geometry"]
    assert crimes["date"].tolist() == [pd.Timestamp("2022-01-31 23:10"),
                                       pd.Timestamp("2022-02-01 01:00"),
                                       pd.Timestamp("2022-03-15 12:00")]
    assert crimes["month"].dt.strftime("%Y-%m").tolist() == ["2022-01", "2022-02", "2022-03"]
    assert crimes["da"].tolist() == [True, False, False]
    assert crimes["da"].dtype == bool
    assert crimes["offence_code"].tolist() == ["8N", "8Q", "28E"]
    assert crimes["weight"].tolist() == [10.0, 1.0, 2.5]
    notes = " ".join(report.notes)
    assert "'%d/%m/%Y %H:%M'" in notes
    assert "1 values of flag column 'da'" in notes
    assert "1 values of weight column 'harm'" in notes
    assert any("'Stalking' (1)" in n for n in report.notes)


def test_explicit_date_format_and_bad_dates(tmp_path):
    path = _csv(tmp_path / "d.csv", "lon,lat,d,type",
                ["-1.15,52.95,2022.01.05,Burglary", "-1.15,52.95,soon,Burglary"])
    mapping = {"crs": "EPSG:4326", "date_format": "%Y.%m.%d",
               "columns": {"x": "lon", "y": "lat", "date": "d", "category": "type"}}
    crimes, report = load_crimes(path, mapping=mapping)
    assert crimes["date"].tolist() == [pd.Timestamp("2022-01-05")]
    assert report.dropped == {"bad date": 1}


def test_month_formats_both_work(tmp_path):
    path = _csv(tmp_path / "m.csv", "lon,lat,month,type",
                ["-1.15,52.95,2022-01,A", "-1.15,52.95,2022-01-01,A", "-1.15,52.95,2022-1,A"])
    crimes, report = load_crimes(path, mapping=_mapping())
    assert (crimes["month"] == pd.Timestamp("2022-01-01")).all() and len(crimes) == 3


def test_eastings_northings_kept_and_checked(tmp_path):
    path = _csv(tmp_path / "bng.csv", "e,n,month,type", [
        "457000,340000,2022-01,Burglary",
        "457100,340100,2022-01,Burglary",
        "9457100,340100,2022-01,Burglary",  # far outside GB
    ])
    mapping = {"crs": "EPSG:27700",
               "columns": {"x": "e", "y": "n", "month": "month", "category": "type"}}
    crimes, report = load_crimes(path, mapping=mapping)
    np.testing.assert_allclose(crimes.geometry.x, [457000, 457100])
    np.testing.assert_allclose(crimes.geometry.y, [340000, 340100])
    assert report.dropped == {"coordinates outside the UK": 1}


def test_lonlat_declared_as_eastings_is_an_error(tmp_path):
    path = _csv(tmp_path / "mixup.csv", "e,n,month,type",
                ["-1.15,52.95,2022-01,A", "-1.16,52.96,2022-01,A"])
    mapping = {"crs": "EPSG:27700",
               "columns": {"x": "e", "y": "n", "month": "month", "category": "type"}}
    with pytest.raises(InputFileError, match=r"look like longitude/latitude.*EPSG:4326"):
        load_crimes(path, mapping=mapping)


def test_eastings_declared_as_lonlat_is_an_error(tmp_path):
    path = _csv(tmp_path / "mixup.csv", "lon,lat,month,type",
                ["457000,340000,2022-01,A", "457100,340100,2022-01,A"])
    with pytest.raises(InputFileError, match=r"look like eastings/northings.*EPSG:27700"):
        load_crimes(path, mapping=_mapping())


def test_swapped_columns_in_mapping_is_an_error(tmp_path):
    path = _csv(tmp_path / "sw.csv", "lon,lat,month,type",
                ["-1.15,52.95,2022-01,A", "-1.16,52.96,2022-01,A"])
    with pytest.raises(InputFileError, match=r"swapped.*'lat' and 'lon'.*mapping"):
        load_crimes(path, mapping=_mapping(x="lat", y="lon"))


def test_non_numeric_coordinates_in_mapped_file(tmp_path):
    path = _csv(tmp_path / "nn.csv", "lon,lat,month,type",
                ["-1.15,52.95,2022-01,A", "n/a,52.95,2022-01,A", "-1.15,,2022-01,A"])
    crimes, report = load_crimes(path, mapping=_mapping())
    assert report.dropped == {"non-numeric coordinates": 1, "no coordinates": 1}
    assert len(crimes) == 1


def test_semicolon_cp1252_file(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("lon;lat;month;type\n-1.15;52.95;2022-01;Caf\xe9 theft\n".encode("cp1252"))
    mapping = {**_mapping(), "delimiter": ";", "encoding": "cp1252"}
    crimes, _ = load_crimes(path, mapping=mapping)
    assert crimes["category"].tolist() == ["Caf\u00e9 theft"]
    # No encoding declared: the line that is not UTF-8 is read as Windows-1252, and said.
    crimes, report = load_crimes(path, mapping={**_mapping(), "delimiter": ";"})
    assert crimes["category"].tolist() == ["Caf\u00e9 theft"]
    assert any("Windows-1252" in n and "encoding" in n for n in report.notes)
    # Declared UTF-8: the line is not UTF-8, so it is dropped and counted, not misread.
    with pytest.raises(InputFileError, match=r"undecodable text: 1"):
        load_crimes(path, mapping={**_mapping(), "delimiter": ";", "encoding": "utf-8"})


def test_police_uk_and_mapped_files_in_one_load(tmp_path):
    police = tmp_path / "2022-01-test-street.csv"
    police.write_text(",".join(POLICE_UK_COLUMNS) + "\n"
                      "id1,2022-01,P,P,-1.55,53.80,On or near X,E01,L,Burglary,,\n")
    force = _csv(tmp_path / "force.csv.gz", "lon,lat,month,type,code", [])
    force.write_bytes(gzip.compress(b"lon,lat,month,type,code\n-1.15,52.95,2022-02,Robbery,34A\n"))
    crimes, report = load_crimes([police, force], mapping=_mapping(offence_code="code"))
    assert report.rows_kept == 2
    assert crimes["offence_code"].tolist() == ["", "34A"]
    assert crimes["category"].tolist() == ["Burglary", "Robbery"]
