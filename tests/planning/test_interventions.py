"""Planned interventions: validation, coverage geometry, study-area checks, drawings."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
import shapely

from hotspots import CRSError
from hotspots import ParameterError
from hotspots.planning.interventions import QUAD_SEGS
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import check_inside
from hotspots.planning.interventions import coverage
from hotspots.planning.interventions import from_drawing
from hotspots.planning.interventions import interventions_frame
from hotspots.planning.interventions import validate_intervention
from hotspots.planning.interventions import validate_interventions

CENTRE = shapely.Point(438_500, 361_350)
#: A regular polygon with 4 * QUAD_SEGS sides has area (n/2) r^2 sin(2 pi / n).
CIRCLE_FACTOR = (4 * QUAD_SEGS / 2) * math.sin(2 * math.pi / (4 * QUAD_SEGS)) / math.pi


def _iv(type_: str, geometry: shapely.Geometry, **kw: object) -> Intervention:
    return Intervention(type=type_, geometry=geometry, start="2025-01", **kw)


# ----------------------------------------------------------------------------- coverage


def test_point_coverage_is_a_circle_of_the_radius() -> None:
    default = coverage(_iv("cctv", CENTRE))
    assert default.area == pytest.approx(math.pi * 100**2 * CIRCLE_FACTOR, rel=1e-9)
    assert default.area == pytest.approx(math.pi * 100**2, rel=2e-4)
    wider = coverage(_iv("cctv", CENTRE, radius_m=250))
    assert wider.area == pytest.approx(math.pi * 250**2, rel=2e-4)
    assert wider.centroid.distance(CENTRE) < 1e-6
    assert coverage(_iv("anpr", CENTRE)).area == pytest.approx(math.pi * 50**2, rel=2e-4)


def test_line_coverage_is_a_flat_ended_corridor() -> None:
    line = shapely.LineString([(438_000, 361_000), (438_400, 361_000)])
    cover = coverage(_iv("street_lighting", line))
    assert cover.area == pytest.approx(400 * 40, rel=1e-12)
    assert cover.bounds == pytest.approx((438_000, 360_980, 438_400, 361_020))
    narrow = coverage(_iv("alley_gates", line, width_m=10))
    assert narrow.area == pytest.approx(400 * 10, rel=1e-12)
    # an L-shaped street: two 40 m wide legs that share a 20 m x 20 m square on the inside
    # of the bend, plus a quarter disc (round join) on the outside
    bend = shapely.LineString([(438_000, 361_000), (438_300, 361_000), (438_300, 361_200)])
    area = coverage(_iv("street_lighting", bend)).area
    expected = 300 * 40 + 200 * 40 - 20 * 20 + math.pi * 20**2 / 4
    assert area == pytest.approx(expected, rel=1e-4)


def test_polygon_coverage_is_the_polygon_plus_any_margin() -> None:
    square = shapely.box(438_000, 361_000, 438_200, 361_100)
    assert coverage(_iv("target_hardening", square)).equals(square)
    assert coverage(_iv("guardianship", square)).area == pytest.approx(200 * 100)
    # Steiner: area of a convex polygon grown by r = A + P r + pi r^2
    grown = coverage(_iv("target_hardening", square, radius_m=10)).area
    assert grown == pytest.approx(20_000 + 600 * 10 + math.pi * 100, rel=1e-4)
    # a CCTV area drawn as a polygon is taken as drawn (no extra camera radius)
    assert coverage(_iv("cctv", square)).area == pytest.approx(20_000)


def test_geometry_drawn_against_the_type_kind() -> None:
    line_as_point = coverage(_iv("street_lighting", CENTRE))  # radius = width / 2 = 20
    assert line_as_point.area == pytest.approx(math.pi * 20**2, rel=2e-4)
    point_as_line = coverage(_iv("cctv", shapely.LineString([(438_000, 361_000),
                                                             (438_100, 361_000)])))
    assert point_as_line.area == pytest.approx(100 * 200)  # width = 2 x radius
    with pytest.raises(ParameterError, match="radius_m"):
        coverage(_iv("target_hardening", CENTRE))
    ok = coverage(_iv("target_hardening", CENTRE, radius_m=30))
    assert ok.area == pytest.approx(math.pi * 30**2, rel=2e-4)
    with pytest.raises(ParameterError, match="width_m"):
        coverage(_iv("guardianship", shapely.LineString([(438_000, 361_000),
                                                         (438_100, 361_000)])))


def test_multipart_and_invalid_geometries(caplog) -> None:
    cams = shapely.MultiPoint([(438_000, 361_000), (439_000, 361_000)])
    assert coverage(_iv("cctv", cams)).area == pytest.approx(2 * math.pi * 100**2, rel=2e-4)
    bowtie = shapely.Polygon([(438_000, 361_000), (438_100, 361_100), (438_100, 361_000),
                              (438_000, 361_100)])
    assert not bowtie.is_valid
    with caplog.at_level("WARNING"):
        fixed = coverage(_iv("target_hardening", bowtie))
    assert fixed.is_valid and fixed.area == pytest.approx(5_000)
    assert "repaired" in caplog.text


def test_coverage_does_not_change_the_intervention() -> None:
    iv = _iv("cctv", CENTRE, radius_m=None)
    before = (iv.geometry.wkt, iv.radius_m, iv.width_m)
    coverage(iv)
    assert (iv.geometry.wkt, iv.radius_m, iv.width_m) == before


# ----------------------------------------------------------------------------- validation


def test_validation_names_every_bad_field() -> None:
    bad = Intervention(type="drone", geometry=shapely.Point(), start="2025-13", cost=-10,
                       name="Bad one")
    with pytest.raises(ParameterError) as err:
        validate_intervention(bad)
    text = str(err.value)
    assert text.startswith("Intervention 'Bad one' has 4 problems:")
    assert "'type' 'drone'" in text and "cctv" in text
    assert "'start'" in text and "'2025-13'" in text and "YYYY-MM" in text
    assert "'cost'" in text and "-10" in text
    assert "'geometry' is empty" in text


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"start": "Jan 2025"}, "'start'"),
        ({"start": None}, "'start'"),
        ({"cost": float("nan")}, "'cost'"),
        ({"cost": "lots"}, "'cost'"),
        ({"radius_m": -5}, "'radius_m'"),
        ({"width_m": "wide"}, "'width_m'"),
        ({"geometry": shapely.Point(-1.40, 53.13)}, "longitude/latitude"),
        ({"geometry": shapely.Point(float("inf"), 0)}, "not finite"),
        ({"geometry": "POINT (1 2)"}, "shapely geometry"),
        ({"geometry": shapely.GeometryCollection([shapely.Point(1, 1)])}, "point, line"),
        ({"id": ""}, "'id'"),
        ({"type": "target_hardening", "geometry": CENTRE}, "radius_m"),
    ],
)
def test_validation_rejects(changes: dict, fragment: str) -> None:
    fields = {"type": "cctv", "geometry": CENTRE, "start": "2025-01", **changes}
    with pytest.raises(ParameterError, match=r"^Intervention '\w+ [0-9a-f]{0,8}': ") as err:
        validate_intervention(Intervention(**fields))
    assert fragment in str(err.value)


def test_validation_accepts_good_interventions() -> None:
    validate_intervention(_iv("cctv", CENTRE, cost=0.0))
    validate_intervention(_iv("street_lighting", shapely.LineString([(438_000, 361_000),
                                                                     (438_100, 361_000)]),
                              cost=12_000, width_m=30))
    with pytest.raises(TypeError, match="Intervention"):
        validate_intervention({"type": "cctv"})  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- frame, inside


def test_interventions_frame_has_one_row_per_intervention() -> None:
    items = [
        _iv("cctv", CENTRE, name="Cam", cost=20_000),
        _iv("street_lighting", shapely.LineString([(438_000, 361_000), (438_500, 361_000)]),
            name="Lamps"),
        _iv("target_hardening", shapely.box(438_000, 361_000, 438_100, 361_100), name="Homes"),
    ]
    drawn = interventions_frame(items)
    assert drawn.crs == "EPSG:27700"
    assert drawn["name"].tolist() == ["Cam", "Lamps", "Homes"]
    assert drawn["geometry_kind"].tolist() == ["point", "line", "polygon"]
    assert drawn.geometry.iloc[0].equals(CENTRE)
    assert drawn["cost"].iloc[0] == 20_000 and math.isnan(drawn["cost"].iloc[1])
    assert drawn["coverage_m2"].tolist() == pytest.approx(
        [math.pi * 100**2, 500 * 40, 100 * 100], rel=2e-4)
    covered = interventions_frame(items, geometry="coverage")
    assert covered.geometry.area.tolist() == pytest.approx(drawn["coverage_m2"].tolist())
    empty = interventions_frame([])
    assert len(empty) == 0 and "coverage_m2" in empty.columns and empty.crs == "EPSG:27700"
    with pytest.raises(ParameterError, match="'geometry'"):
        interventions_frame(items, geometry="both")


def test_check_inside_warns_when_coverage_leaves_the_study_area() -> None:
    area = shapely.box(438_000, 361_000, 439_000, 362_000)
    assert check_inside(_iv("cctv", CENTRE), area) is None
    edge = _iv("cctv", shapely.Point(438_000, 361_500), name="Edge camera")
    message = check_inside(edge, area)
    assert message is not None and "Edge camera" in message and "50%" in message
    far = _iv("cctv", shapely.Point(450_000, 361_500), name="Far camera")
    assert "entirely outside" in check_inside(far, area)
    # a study area given as a GeoDataFrame in longitude/latitude is converted
    frame = gpd.GeoDataFrame(geometry=[area], crs="EPSG:27700").to_crs("EPSG:4326")
    assert check_inside(_iv("cctv", CENTRE), frame) is None
    assert "entirely outside" in check_inside(far, frame)
    # a circle drawn on the area's own circle counts as inside (drawing tolerance)
    circle = CENTRE.buffer(250, quad_segs=8)
    assert check_inside(_iv("cctv", CENTRE, radius_m=250), circle) is None


def test_from_drawing_converts_leaflet_features() -> None:
    lon, lat = gpd.GeoSeries([CENTRE], crs="EPSG:27700").to_crs("EPSG:4326").iloc[0].coords[0]
    geom, radius = from_drawing({"type": "Feature", "properties": {"radius": 75.5},
                                 "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    assert geom.distance(CENTRE) < 0.01 and radius == 75.5
    square = gpd.GeoSeries([shapely.box(438_000, 361_000, 438_200, 361_200)],
                           crs="EPSG:27700").to_crs("EPSG:4326").iloc[0]
    geom, radius = from_drawing(shapely.geometry.mapping(square))
    assert radius is None and geom.area == pytest.approx(40_000, rel=1e-6)
    with pytest.raises(ParameterError, match="GeoJSON"):
        from_drawing({"type": "Feature", "geometry": {"type": "Blob"}})
    with pytest.raises(ParameterError, match="radius"):
        from_drawing({"type": "Feature", "properties": {"radius": "big"},
                      "geometry": {"type": "Point", "coordinates": [lon, lat]}})


def test_a_plan_is_validated_at_once() -> None:
    good = _iv("cctv", CENTRE, name="Good")
    late = Intervention(type="cctv", geometry=CENTRE, name="Late", start="2025-13")
    away = _iv("cctv", shapely.Point(-1.4, 53.1), name="Away", cost=-1)
    validate_interventions([good])
    with pytest.raises(ParameterError) as err:
        validate_interventions([good, late, away])
    text = str(err.value)
    assert "Good" not in text
    assert "Intervention 'Late': 'start'" in text
    assert "Intervention 'Away' has 2 problems" in text and "longitude/latitude" in text


def test_check_inside_needs_a_study_area() -> None:
    with pytest.raises(CRSError, match="'area' given to check_inside has no CRS"):
        check_inside(_iv("cctv", CENTRE), gpd.GeoSeries([shapely.box(0, 0, 1, 1)]))
    with pytest.raises(TypeError, match="'area'"):
        check_inside(_iv("cctv", CENTRE), "the town")

