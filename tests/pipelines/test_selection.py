"""load_selection: what every pipeline loads first, and why it refuses an empty selection."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from hotspots.errors import EmptySelectionError
from hotspots.pipelines.selection import LOAD_STEPS
from hotspots.pipelines.selection import Selection
from hotspots.pipelines.selection import load_selection
from tests.pipelines.conftest import MAPPING


def test_sources_are_a_list_whatever_was_given(extract):
    assert Selection(extract).sources == [extract]
    assert Selection((extract, extract)).sources == [extract, extract]


def test_group_and_period_are_selected(extract):
    steps, files = [], []
    loaded = load_selection(
        Selection(extract, mapping=MAPPING, group="neighbourhood", start="2024-02",
                  end="2024-04"),
        progress=lambda *a: steps.append(a), file_progress=lambda *a: files.append(a))
    assert len(loaded.crimes) == 3 * 20  # burglaries only, three months
    assert set(loaded.crimes["category"]) == {"Burglary"}
    assert loaded.crimes["month"].dt.strftime("%Y-%m").unique().tolist() == [
        "2024-02", "2024-03", "2024-04"]
    assert loaded.group.key == "neighbourhood" and loaded.area is None
    assert loaded.weights is None and loaded.report.rows_read == 150
    assert loaded.selection["rows_out"] == 60
    # no boundary: no boundary step; then loading and selecting, of LOAD_STEPS
    assert [(done, total) for done, total, _ in steps] == [(1, LOAD_STEPS), (2, LOAD_STEPS)]
    assert files and files[-1][0] == files[-1][1] == 1


def test_harm_weights_are_applied_after_selection(extract, tmp_path):
    harm = tmp_path / "harm.csv"
    harm.write_text("category,weight\nBurglary,2.5\n")  # covers the selected group only
    loaded = load_selection(Selection(extract, mapping=MAPPING, group="neighbourhood",
                                      harm=harm))
    assert loaded.weights == {"Burglary": 2.5}
    assert (loaded.crimes["weight"] == 2.5).all()


def test_boundary_keeps_the_crimes_inside(extract, halves):
    loaded = load_selection(Selection(extract, mapping=MAPPING, boundary=halves))
    assert list(loaded.area["area_name"]) == ["West", "East"]
    assert loaded.boundary_report is not None
    assert len(loaded.crimes) == 150


def test_nothing_left_of_the_group_says_what_was_loaded(extract):
    with pytest.raises(EmptySelectionError, match="No crimes left") as info:
        load_selection(Selection(extract, mapping=MAPPING, group="asb"))
    assert "Burglary, Drugs" in str(info.value) and "2024-01 to 2024-06" in str(info.value)


def test_boundary_elsewhere_says_where_it_is(extract, tmp_path):
    far = tmp_path / "far.gpkg"
    gpd.GeoDataFrame({"area_name": ["Elsewhere"]},
                     geometry=[shapely.box(300_000, 300_000, 301_000, 301_000)],
                     crs="EPSG:27700").to_file(far)
    with pytest.raises(EmptySelectionError, match="All 150 located crimes fall outside"):
        load_selection(Selection(extract, mapping=MAPPING, boundary=far))
