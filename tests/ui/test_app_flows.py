"""App flows with AppTest: a drawn intervention is saved, survives a restart, and is assessed.

``st_folium`` is replaced by a stand-in that returns what the browser would send back for a
drawing (the real browser round trip is tested in tests/browser/).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import streamlit_folium
from streamlit.testing.v1 import AppTest

from hotspots.planning.costs import estimate_cost
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import from_drawing

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
SCHEME = json.loads((ROOT / "data" / "sample_crimes" / "planted.json").read_text())["scheme"]


def drawn_feature(geometry_27700) -> dict:
    geom = gpd.GeoSeries([geometry_27700], crs=27700).to_crs(4326).iloc[0]
    return {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geom)}


@pytest.fixture
def plans_file(tmp_path, monkeypatch):
    path = tmp_path / "plans.gpkg"
    monkeypatch.setenv("HOTSPOTS_PLANS", str(path))
    return path


@pytest.fixture
def drawing(monkeypatch):
    """What the plan map returns: set ``drawing["feature"]`` to a GeoJSON feature."""
    state = {"feature": None}

    def fake_st_folium(fmap, *, key=None, returned_objects=None, **kwargs):
        if key == "plan_map" and state["feature"] is not None:
            return {"last_active_drawing": state["feature"], "all_drawings": [state["feature"]]}
        return {}

    monkeypatch.setattr(streamlit_folium, "st_folium", fake_st_folium)
    return state


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=180)
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def step(at: AppTest, name: str) -> AppTest:
    return at.radio(key="step").set_value(name).run()


def test_drawn_intervention_is_saved_survives_restart_and_is_assessed(plans_file, drawing):
    at = run_app()
    assert not at.exception
    step(at, "3 Respond")
    at.text_input(key="new_plan").input("Ferncliffe scheme")
    at.button(key="create_plan").click().run()
    assert not at.exception
    assert at.selectbox(key="plan").value == "Ferncliffe scheme"

    target = shapely.Point(SCHEME["target"]["centre"]).buffer(SCHEME["target"]["radius_m"])
    drawing["feature"] = drawn_feature(target)
    at.run()
    assert any("1 drawn shape" in m.value for m in at.markdown)
    at.selectbox(key="iv_type").select("guardianship")
    at.text_input(key="iv_name").input("Lighting and CCTV, Ferncliffe Rise")
    at.selectbox(key="iv_start").select(SCHEME["start_month"])
    at.button(key="FormSubmitter:new_intervention-Save to plan").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    assert plans_file.is_file()

    # a restart: a new session reading the same GeoPackage
    drawing["feature"] = None
    again = step(run_app(), "3 Respond")
    assert not again.exception
    assert again.selectbox(key="plan").value == "Ferncliffe scheme"
    assert "Ferncliffe Rise" in again.dataframe[-1].value.to_string() or any(
        "Ferncliffe Rise" in df.value.to_string() for df in again.dataframe)
    step(again, "4 Assess")
    assert not again.exception
    prevented = metric(again, "crimes prevented per 12 months (80% and 95% intervals)")
    central = float(prevented.split(" ")[0].replace(",", ""))
    assert central > 0
    again.checkbox(key="use_harm").check().run()
    assert not again.exception
    harm = float(metric(again, "harm prevented (95% interval)").split(" ")[0].replace(",", ""))
    assert harm > 0
    again.checkbox(key="use_harm").uncheck().run()

    # observed evaluation on the planted scheme's own crime types
    again.multiselect(key="ev_categories").set_value(SCHEME["categories"]).run()
    assert not again.exception
    res_text = metric(again, "Relative effect size (95% CI)")
    res, low, high = (float(v) for v in re.findall(r"[\d.]+", res_text)[:3])
    expected = SCHEME["expected"]["res"]  # 1 / (1 - 0.4): the planted 40% cut
    assert low <= expected <= high, f"planted RES {expected} outside {res_text}"
    assert res > 1


def test_default_cost_of_a_drawn_line_is_the_library_estimate(plans_file, drawing):
    """A 1.5 km lighting line starts at estimate_cost's GBP 90,000, not one km's 60,000."""
    at = step(run_app(), "3 Respond")
    at.text_input(key="new_plan").input("Lights")
    at.button(key="create_plan").click().run()
    drawing["feature"] = drawn_feature(shapely.LineString([(440_000, 360_000),
                                                           (441_500, 360_000)]))
    at.run()
    assert not at.exception
    assert at.selectbox(key="iv_type").value == "street_lighting"
    geometry, _ = from_drawing(drawing["feature"])
    lamps = Intervention(type="street_lighting", geometry=geometry, start="2025-01")
    expected = estimate_cost(lamps).amount
    assert expected == pytest.approx(90_000, rel=1e-3)
    assert at.number_input(key="iv_cost").value == pytest.approx(expected)


def test_changing_period_changes_the_figures(plans_file, drawing):
    at = run_app()
    before = metric(at, "Crimes selected")
    at.select_slider(key="period").set_value(("2024-01", "2024-06")).run()
    assert not at.exception
    assert metric(at, "Crimes selected") != before


def test_filter_changes_keep_the_plan_and_outside_drawings_warn(plans_file, drawing):
    at = step(run_app(), "3 Respond")
    at.text_input(key="new_plan").input("Keep me")
    at.button(key="create_plan").click().run()
    at.selectbox(key="group").select("asb")
    at.selectbox(key="method").select("dbscan").run()
    assert not at.exception
    at.multiselect(key="areas").set_value(["Hollinmoor"]).run()
    assert not at.exception
    # a camera drawn 20 km away from the chosen area is saved, with a warning
    drawing["feature"] = drawn_feature(shapely.Point(460_000, 360_000))
    at.run()
    at.selectbox(key="iv_type").select("cctv")
    at.button(key="FormSubmitter:new_intervention-Save to plan").click().run()
    assert not at.exception
    assert any("outside" in w.value for w in at.warning), [w.value for w in at.warning]
    from hotspots.planning.plans import PlanStore

    store = PlanStore(plans_file)
    assert [p.name for p in store.plans()] == ["Keep me"]
    assert len(store.load("Keep me")) == 1


def test_evidence_pack_button_builds_a_zip(plans_file, drawing, monkeypatch):
    at = step(run_app(), "4 Assess")
    at.button(key="build_pack").click().run()
    assert not at.exception
    assert any("Evidence pack built" in s.value for s in at.success)
    built = Path(next(s.value for s in at.success if "Evidence pack built" in s.value)
                 .split(" in ", 1)[1].rstrip("."))
    assert (built / "report.html").is_file() and (built / "evidence_pack.zip").is_file()
    assert "1. Summary" in (built / "report.html").read_text() or "Summary" in (
        built / "report.html").read_text()


def test_an_area_without_crimes_gives_a_clear_message(tmp_path, monkeypatch, plans_file,
                                                       drawing):
    """A small data folder (HOTSPOTS_DATA) where one neighbourhood has no crimes at all."""
    import csv

    from pyproj import Transformer

    folder = tmp_path / "data"
    (folder / "sample_crimes" / "2024-01").mkdir(parents=True)
    (folder / "boundaries").mkdir()
    to_lonlat = Transformer.from_crs(27700, 4326, always_xy=True)
    with (folder / "sample_crimes" / "2024-01" / "2024-01-test-street.csv").open(
            "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                      "Location", "LSOA code", "LSOA name", "Crime type",
                      "Last outcome category", "Context"])
        for i in range(40):
            lon, lat = to_lonlat.transform(440_000 + 7 * i, 360_000 + 5 * i)
            out.writerow([f"id{i}", "2024-01", "Test Police", "Test Police", f"{lon:.6f}",
                          f"{lat:.6f}", "On or near Test Street", "", "", "Burglary", "", ""])
    gpd.GeoDataFrame(
        {"neighbourhood_name": ["Busy", "Quiet"]},
        geometry=[shapely.box(439_500, 359_500, 440_500, 360_500),
                  shapely.box(445_000, 359_500, 446_000, 360_500)], crs="EPSG:27700",
    ).to_file(folder / "boundaries" / "neighbourhoods.gpkg")
    monkeypatch.setenv("HOTSPOTS_DATA", str(folder))
    at = run_app()
    assert not at.exception
    assert metric(at, "Crimes selected") == "40"
    at.multiselect(key="areas").set_value(["Quiet"]).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "No crimes in the group Neighbourhood crime in Quiet" in warning
    at.multiselect(key="areas").set_value(["Busy"]).run()
    assert metric(at, "Crimes selected") == "40"


def _pack_cards(page: str, section_id: str) -> dict[str, str]:
    """label -> value of the cards in a section of report.html."""
    import html as htmllib

    body = re.search(rf'<section id="{section_id}">(.*?)</section>', page, re.S).group(1)
    pairs = re.findall(r'data-figure="\w+">([^<]*)</span><span class="label">([^<]*)</span>',
                       body)
    return {htmllib.unescape(label): htmllib.unescape(value) for value, label in pairs}


@pytest.mark.slow
def test_assess_and_the_evidence_pack_give_identical_projections(plans_file, drawing):
    """One projection: the Assess step's figures are the pack's, for the same plan and
    selection (issue 10: the app counted every category, the pack only the group's)."""
    at = step(run_app(), "3 Respond")
    at.text_input(key="new_plan").input("Same numbers")
    at.button(key="create_plan").click().run()
    target = shapely.Point(SCHEME["target"]["centre"]).buffer(SCHEME["target"]["radius_m"])
    drawing["feature"] = drawn_feature(target)
    at.run()
    at.selectbox(key="iv_type").select("street_lighting")
    at.selectbox(key="iv_start").select(SCHEME["start_month"])
    at.number_input(key="iv_cost").set_value(90_000.0)
    at.button(key="FormSubmitter:new_intervention-Save to plan").click().run()
    assert not at.exception
    drawing["feature"] = None
    step(at, "4 Assess")
    assert not at.exception
    app = {m.label: m.value for m in at.metric}
    counted = next(m.value for m in at.markdown if "Crimes counted:" in m.value)
    at.button(key="build_pack").click().run()
    assert not at.exception
    built = Path(next(s.value for s in at.success if "Evidence pack built" in s.value)
                 .split(" in ", 1)[1].rstrip("."))
    page = (built / "report.html").read_text(encoding="utf-8")
    pack = _pack_cards(page, "outcomes")
    assert len(pack) >= 9  # baseline, expected, prevented, %, cost, per crime, avoided, BCR...
    for label, value in pack.items():
        assert app.get(label) == value, (label, app.get(label), value)
    assert counted.strip("*") in page
    assert "Neighbourhood crime crimes" in counted  # the group's crimes only
    run = json.loads((built / "run.json").read_text())
    prevented = float(app["crimes prevented per 12 months (80% and 95% intervals)"].split()[0])
    assert run["numbers"]["projected_prevented"] == pytest.approx(prevented, abs=0.05)
