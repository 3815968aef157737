"""The target, buffer and control areas: widths, overlaps, role layers, CRSs."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from hotspots.errors import CRSError
from hotspots.errors import ParameterError
from hotspots.evaluation.areas import evaluation_areas
from tests.evaluation.planted import BNG

# ---------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------


def test_default_buffer_is_a_ring_as_wide_as_the_target_radius():
    target = shapely.Point(500, 500).buffer(250, quad_segs=32)
    areas = evaluation_areas(target, control=shapely.box(2000, 0, 2500, 500))
    assert areas.buffer_m == 250.0
    assert "equivalent radius" in areas.buffer_rule
    assert areas.buffer.intersection(areas.target).area == pytest.approx(0.0, abs=1e-6)
    # Ring from 250 to 500 m: three times the target's area, and reaching 500 m out.
    assert areas.buffer.area / areas.target.area == pytest.approx(3.0, rel=2e-3)
    assert shapely.Point(500, 500 + 499).within(areas.buffer)
    assert not shapely.Point(500, 500 + 501).intersects(areas.buffer)
    frame = areas.frame
    assert frame["role"].tolist() == ["target", "buffer", "control"]
    assert frame.crs == BNG
    assert frame["area_km2"].iloc[2] == pytest.approx(0.25)


def test_explicit_buffer_width():
    areas = evaluation_areas(shapely.box(0, 0, 100, 100), buffer_m=50,
                             control=shapely.box(1000, 0, 1100, 100))
    assert areas.buffer_m == 50
    assert areas.buffer.bounds == pytest.approx((-50, -50, 150, 150))
    with pytest.raises(ParameterError, match="'buffer_m'"):
        evaluation_areas(shapely.box(0, 0, 100, 100), buffer_m=-5,
                         control=shapely.box(1000, 0, 1100, 100))


def test_control_overlapping_target_or_buffer_is_cut_and_noted():
    target = shapely.box(0, 0, 100, 100)
    areas = evaluation_areas(target, buffer_m=50, control=shapely.box(0, 0, 300, 100))
    assert areas.control.intersection(areas.target).area == pytest.approx(0.0, abs=1e-9)
    assert areas.control.intersection(areas.buffer).area == pytest.approx(0.0, abs=1e-9)
    assert areas.control.area == pytest.approx(150 * 100)  # x from 150 to 300
    assert any("cut away" in n for n in areas.notes)
    with pytest.raises(ParameterError, match="wholly inside"):
        evaluation_areas(target, buffer_m=50, control=shapely.box(10, 10, 90, 90))


def test_control_is_rest_of_study_area():
    study = gpd.GeoDataFrame(geometry=[shapely.box(-1000, -1000, 1000, 1000)], crs=BNG)
    target = shapely.box(0, 0, 100, 100)
    areas = evaluation_areas(target, buffer_m=100, study_area=study)
    assert areas.control_rule.startswith("the rest of the study area")
    expected = 2000 * 2000 - areas.target.area - areas.buffer.area
    assert areas.control.area == pytest.approx(expected)


def test_a_control_is_required():
    with pytest.raises(ParameterError, match="needs a control"):
        evaluation_areas(shapely.box(0, 0, 100, 100))


def test_point_target_is_refused_with_advice():
    with pytest.raises(ParameterError, match="buffer it first"):
        evaluation_areas(shapely.Point(0, 0), control=shapely.box(1000, 0, 1100, 100))


def test_frame_round_trip_and_role_layer(areas):
    again = evaluation_areas(areas.frame)
    for role in ("target", "buffer", "control"):
        assert again.geometry(role).symmetric_difference(areas.geometry(role)).area < 1e-6
    bad = areas.frame.assign(role=["target", "ring", "control"])
    with pytest.raises(ParameterError, match="'ring'"):
        evaluation_areas(bad)


def test_target_in_degrees_is_built_in_bng():
    box = gpd.GeoSeries([shapely.box(438000, 361000, 438200, 361200)], crs=BNG)
    areas = evaluation_areas(box.to_crs("EPSG:4326"), buffer_m=100,
                             control=box.translate(2000, 0))
    assert areas.crs == BNG
    assert areas.target.symmetric_difference(box.iloc[0]).area < 1.0  # m², reprojection noise
    assert any("EPSG:4326" in n for n in areas.notes)
    with pytest.raises(CRSError):
        evaluation_areas(shapely.box(0, 0, 1, 1), control=shapely.box(2, 0, 3, 1),
                         crs="EPSG:4326")
