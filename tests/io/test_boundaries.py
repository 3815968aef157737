"""Boundaries: formats, CRSs, repairs, names, and the errors users meet."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import InputFileError
from hotspots.io import load_boundary

#: Leeds Town Hall, longitude/latitude.
LEEDS = (-1.5491, 53.8002)


def _square_around(lon: float, lat: float, half: float = 0.01) -> shapely.Polygon:
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


@pytest.mark.realdata
def test_nottingham_wards(shared_data):
    path = shared_data / "nottingham" / "wards.gpkg"
    wards, report = load_boundary(path)
    assert len(wards) == report.features_read == report.features_kept == 20
    assert wards.crs.to_epsg() == 27700
    assert report.source_crs == "EPSG:4326" and report.crs == "EPSG:27700"
    assert report.name_column == "ward_name"
    assert list(wards.columns) == ["area_name", "ward_code", "ward_name", "geometry"]
    assert (wards["area_name"] == wards["ward_name"]).all()
    assert wards.is_valid.all()
    # Each ward's interior point, reprojected independently, lies in the same ward.
    original = gpd.read_file(path)
    points = original.representative_point().to_crs(27700)
    for i, point in enumerate(points):
        hits = wards.index[wards.contains(point)].tolist()
        assert hits == [i], original["ward_name"].iloc[i]
    # City of Nottingham is about 74.6 km2 (ONS Standard Area Measurements).
    assert 70e6 < wards.area.sum() < 80e6


@pytest.mark.realdata
def test_districts_explicit_name_column_and_bad_one(shared_data):
    path = shared_data / "nottingham" / "districts.gpkg"
    districts, report = load_boundary(path, name_column="district_code")
    assert len(districts) == 8
    assert report.name_column == "district_code"
    assert districts["area_name"].str.startswith("E0").all()
    with pytest.raises(ColumnMappingError, match=r"'district' is not a column.*'district_name'"):
        load_boundary(path, name_column="district")


def test_other_crs_is_reprojected_correctly(tmp_path):
    # A square around Leeds Town Hall drawn in Web Mercator (EPSG:3857).
    to_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
    x, y = to_3857.transform(*LEEDS)
    square = shapely.box(x - 500, y - 500, x + 500, y + 500)
    path = tmp_path / "leeds.gpkg"
    gpd.GeoDataFrame({"NAME": ["Leeds centre"]}, geometry=[square], crs=3857).to_file(path)
    areas, report = load_boundary(path)
    assert areas.crs.to_epsg() == 27700
    assert areas["area_name"].tolist() == ["Leeds centre"]
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    town_hall = shapely.Point(to_bng.transform(*LEEDS))
    far = shapely.Point(to_bng.transform(LEEDS[0] + 0.05, LEEDS[1]))
    assert areas.geometry.iloc[0].contains(town_hall)
    assert not areas.geometry.iloc[0].contains(far)
    # 1 km of Web Mercator at latitude 53.8 is about 1 km * cos(53.8) = 590 m on the ground.
    side = areas.geometry.iloc[0].area ** 0.5
    assert side == pytest.approx(1000 * 0.5906, rel=0.01)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_is_an_error(tmp_path):
    path = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)]).to_file(path)
    with pytest.raises(CRSError, match=r"nocrs\.shp.*has no CRS.*\.prj.*EPSG:27700"):
        load_boundary(path)


def test_self_intersecting_polygon_is_repaired(tmp_path):
    bowtie = shapely.Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000), (0, 0)])
    good = shapely.box(2000, 0, 3000, 1000)
    assert not bowtie.is_valid
    path = tmp_path / "bad.gpkg"
    gpd.GeoDataFrame({"area": ["bow", "box"]}, geometry=[bowtie, good],
                     crs=27700).to_file(path)
    areas, report = load_boundary(path)
    assert report.repaired == 1
    assert any("Repaired 1 invalid" in n for n in report.notes)
    assert areas.is_valid.all()
    assert areas.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    # The bowtie's two triangles, each 1000 * 500 / 2 m2.
    assert areas.geometry.iloc[0].area == pytest.approx(500_000)
    assert areas.geometry.iloc[1].area == pytest.approx(1_000_000)
    assert "Repaired 1 invalid geometries." in report.to_text()


def test_shapefile_inside_zip(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf = gpd.GeoDataFrame({"LAD22NM": ["Leeds", "Bradford"]},
                           geometry=[_square_around(*LEEDS), _square_around(-1.75, 53.79)],
                           crs=4326)
    gdf.to_file(folder / "districts.shp")
    archive = tmp_path / "districts.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, f"Districts_2022/{part.name}")
    areas, report = load_boundary(archive)
    assert areas["area_name"].tolist() == ["Leeds", "Bradford"]
    assert report.name_column == "LAD22NM"
    assert report.source.endswith("districts.shp")
    assert areas.crs.to_epsg() == 27700
    # The /vsizip/ form works as given, too.
    direct, _ = load_boundary(f"/vsizip/{archive}/Districts_2022/districts.shp")
    assert direct.geometry.equals(areas.geometry)


def test_point_layer_is_refused(tmp_path):
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=27700).to_file(path)
    with pytest.raises(InputFileError, match=r"points\.gpkg.*Point features, not polygons"):
        load_boundary(path)


def test_missing_file_and_unknown_layer(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        load_boundary(tmp_path / "nope.gpkg")
    path = tmp_path / "two.gpkg"
    poly = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=27700)
    poly.to_file(path, layer="wards")
    poly.to_file(path, layer="districts")
    with pytest.raises(InputFileError, match=r"several layers: .*wards.*districts"):
        load_boundary(path)
    with pytest.raises(InputFileError, match=r"no layer 'parishes'"):
        load_boundary(path, layer="parishes")
    areas, report = load_boundary(path, layer="districts")
    assert report.layer == "districts" and len(areas) == 1
    assert areas["area_name"].tolist() == ["Area 1"]
    assert report.name_column == ""


def test_kml_if_driver_available(tmp_path):
    if "KML" not in pyogrio.list_drivers(write=True):
        pytest.skip("GDAL here has no KML driver")
    path = tmp_path / "area.kml"
    gpd.GeoDataFrame({"Name": ["Leeds"]}, geometry=[_square_around(*LEEDS)],
                     crs=4326).to_file(path, driver="KML")
    areas, report = load_boundary(path)
    assert areas.crs.to_epsg() == 27700
    assert areas["area_name"].tolist() == ["Leeds"]


def test_input_boundary_file_not_changed(tmp_path):
    path = tmp_path / "a.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(0, 0, 10, 10)],
                     crs=27700).to_file(path)
    before = path.read_bytes()
    load_boundary(path)
    assert path.read_bytes() == before
