"""The analysis CRS chosen for the place: British National Grid in the UK, a UTM zone elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from hotspots.errors import InputFileError
from hotspots.io import load_crimes
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.spatial import choose_crs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


MAPPING = {"crs": "EPSG:4326",
           "columns": {"x": "lon", "y": "lat", "month": "month", "category": "type"}}


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [((-87.63, -87.70), (41.88, 41.80), 32616),   # Chicago: UTM 16N
     ((-84.52, -84.50), (39.14, 39.10), 32616),   # Cincinnati: UTM 16N
     ((151.2, 151.0), (-33.9, -33.8), 32756),     # Sydney: UTM 56S
     ((2.35, 2.30), (48.86, 48.80), 32631),       # Paris: UTM 31N
     ((-1.15, -1.20), (52.95, 53.0), 27700),      # Nottingham: British National Grid
     ((-5.93, -5.90), (54.60, 54.58), 27700)],    # Belfast: in the GB/NI extent
)
def test_choose_crs_picks_bng_in_the_uk_and_the_utm_zone_elsewhere(lon, lat, epsg):
    choice = choose_crs(lon, lat)
    assert choice.crs.to_epsg() == epsg
    assert choice.crs.to_string() in choice.reason
    assert choice.covers(np.asarray(lon), np.asarray(lat)).all()


def test_choose_crs_uses_the_median_so_stray_points_do_not_move_the_zone():
    lon = np.r_[np.full(99, -87.65), 0.0]
    lat = np.r_[np.full(99, 41.85), 0.0]
    choice = choose_crs(lon, lat)
    assert choice.crs.to_epsg() == 32616
    assert not choice.covers(np.array([0.0]), np.array([0.0]))[0]


def test_data_outside_gb_load_in_the_utm_zone_once_for_all_files(tmp_path):
    # Two files of one US city: one CRS for the load, stated in the report; a stray (0, 0)
    # row is a placeholder for "no location": dropped and counted, not projected.
    a = _csv(tmp_path / "a.csv", "lon,lat,month,type",
             ["-87.6277,41.7922,2019-01,Assault", "-87.6683,41.7513,2019-01,Assault"])
    b = _csv(tmp_path / "b.csv", "lon,lat,month,type",
             ["-87.7000,41.9000,2019-02,Assault", "0,0,2019-02,Assault"])
    crimes, report = load_crimes([a, b], mapping=MAPPING)
    assert crimes.crs.to_epsg() == 32616 and report.crs == "EPSG:32616"
    assert len(crimes) == 3 and report.dropped == {"zero coordinates (0, 0)": 1}
    assert report.is_consistent()
    assert any("UTM zone 16N" in n and "outside Great Britain" in n for n in report.notes)
    # UTM metres: distances agree with the geodesic (oracle: pyproj.Geod) to within the
    # zone's scale error (0.9996 at the central meridian)
    d = crimes.geometry.iloc[0].distance(crimes.geometry.iloc[1])
    _, _, geodesic = Geod(ellps="WGS84").inv(-87.6277, 41.7922, -87.6683, 41.7513)
    assert d == pytest.approx(geodesic, rel=1e-3)


def test_gb_data_stay_in_british_national_grid_and_mixed_inputs_share_it(tmp_path):
    police = tmp_path / "2022-01-test-street.csv"
    police.write_text(",".join(POLICE_UK_COLUMNS) + "\n"
                      "id1,2022-01,P,P,-1.55,53.80,On or near X,E01,L,Burglary,,\n")
    bng = _csv(tmp_path / "force.csv", "e,n,month,type", ["457000,340000,2022-02,Robbery"])
    crimes, report = load_crimes(police)
    assert crimes.crs.to_epsg() == 27700
    mapping = {"crs": "EPSG:27700",
               "columns": {"x": "e", "y": "n", "month": "month", "category": "type"}}
    crimes, report = load_crimes(bng, mapping=mapping)
    assert crimes.crs.to_epsg() == 27700
    # BNG in, BNG out: the coordinates are kept exactly, not round-tripped
    assert (crimes.geometry.x.iloc[0], crimes.geometry.y.iloc[0]) == (457000.0, 340000.0)


def test_swapped_uk_lonlat_and_bng_read_as_degrees_are_still_caught(tmp_path):
    swapped = _csv(tmp_path / "sw.csv", "lon,lat,month,type",
                   ["52.95,-1.15,2022-01,A", "52.96,-1.16,2022-01,A"])
    with pytest.raises(InputFileError, match="swapped"):
        load_crimes(swapped, mapping=MAPPING)
    metres = _csv(tmp_path / "m.csv", "lon,lat,month,type",
                  ["457000,340000,2022-01,A", "457100,340100,2022-01,A"])
    with pytest.raises(InputFileError, match=r"look like eastings/northings.*EPSG:27700"):
        load_crimes(metres, mapping=MAPPING)


def test_asking_for_bng_with_data_abroad_says_how_to_fix_it(tmp_path):
    path = _csv(tmp_path / "us.csv", "lon,lat,month,type",
                ["-87.6277,41.7922,2019-01,A", "-87.6683,41.7513,2019-01,A"])
    with pytest.raises(InputFileError, match=r"outside the UK: leave the output CRS unset"):
        load_crimes(path, mapping=MAPPING, crs="EPSG:27700")
    crimes, _ = load_crimes(path, mapping=MAPPING, crs="EPSG:32616")  # an explicit CRS
    assert crimes.crs.to_epsg() == 32616


@pytest.mark.realdata
def test_chicago_and_cincinnati_load_through_the_example_mappings(shared_data):
    crimes, report = load_crimes(shared_data / "chicago" / "aggravated_assaults.csv.gz",
                                 mapping=EXAMPLES / "chicago_assaults.toml")
    assert len(crimes) == 148_636 and crimes.crs.to_epsg() == 32616
    assert report.months[0] == "2010-01" and report.months[-1] == "2019-12"
    crimes, report = load_crimes(shared_data / "cincinnati" / "burglary.csv.gz",
                                 mapping=EXAMPLES / "cincinnati_burglary.toml")
    assert crimes.crs.to_epsg() == 32616
    assert report.rows_read == 8_723 and len(crimes) == 8_723 - 426
    assert report.dropped == {"non-numeric coordinates": 426}
    assert set(crimes["category"]) == {"BURGLARY", "AGGRAVATED BURGLARY"}
    assert crimes["date"].notna().all()
