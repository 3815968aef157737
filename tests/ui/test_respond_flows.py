"""Respond: new forms start fresh, the cost follows the type, edits and deletes show at once
and hit the right intervention, places can be chosen without the map, plans know their data."""

from __future__ import annotations

import pytest
import shapely

from hotspots.planning.catalogue import load_catalogue
from hotspots.planning.costs import estimate_cost
from hotspots.planning.interventions import Intervention
from hotspots.planning.plans import PlanStore
from tests.ui.helpers import button
from tests.ui.helpers import draw
from tests.ui.helpers import run_app
from tests.ui.helpers import shown
from tests.ui.helpers import step
from tests.ui.helpers import texts
from tests.ui.helpers import widget


def respond_with_plan(name: str = "Plan A"):
    at = step(run_app(), "3 Respond")
    at.text_input(key="new_plan").input(name)
    at.button(key="FormSubmitter:new_plan_form-Create plan").click().run()
    assert not at.exception
    return at


def save_drawing(at, map_returns, geometry, *, type_key, name, cost=None):
    draw(map_returns, geometry)
    at.run()
    widget(at.selectbox, "Type").select(type_key).run()
    widget(at.text_input, "Name").input(name)
    if cost is not None:
        widget(at.number_input, "Cost (GBP)").set_value(cost)
    button(at, "Save to plan").click().run()
    assert not at.exception
    return at


def plan_table(at):
    return next(df.value for df in at.dataframe if "cost (GBP)" in df.value.columns)


def test_a_new_drawing_starts_from_fresh_values(plans_file, map_returns):
    at = respond_with_plan()
    save_drawing(at, map_returns, shapely.Point(440_000, 360_000), type_key="cctv",
                 name="Camera at the shops", cost=45_000)
    draw(map_returns, shapely.Point(440_300, 360_300))
    at.run()
    assert widget(at.text_input, "Name").value == ""
    assert widget(at.selectbox, "Type").value == "cctv"  # the first type drawn as a point
    fresh = estimate_cost(Intervention(type="cctv", geometry=shapely.Point(0, 0)))
    assert widget(at.number_input, "Cost (GBP)").value == pytest.approx(fresh.amount)
    assert fresh.amount != 45_000


def test_the_cost_follows_the_chosen_type(plans_file, map_returns):
    at = respond_with_plan()
    line = shapely.LineString([(440_000, 360_000), (441_000, 360_000)])
    draw(map_returns, line)
    at.run()
    catalogue = load_catalogue()
    costs = {}
    for type_key in ("street_lighting", "alley_gates"):
        widget(at.selectbox, "Type").select(type_key).run()
        costs[type_key] = widget(at.number_input, "Cost (GBP)").value
        from hotspots.planning.interventions import from_drawing
        from tests.ui.helpers import drawn_feature

        geometry, _ = from_drawing(drawn_feature(line))
        expected = estimate_cost(Intervention(type=type_key, geometry=geometry), catalogue)
        assert costs[type_key] == pytest.approx(expected.amount), type_key
    assert costs["street_lighting"] != costs["alley_gates"]


def test_an_edit_shows_the_new_values_at_once(plans_file, map_returns):
    at = respond_with_plan()
    save_drawing(at, map_returns, shapely.Point(440_000, 360_000), type_key="cctv",
                 name="Camera 1", cost=20_000)
    map_returns.pop("plan_map")
    at.run()
    widget(at.number_input, "Change the cost (GBP) to").set_value(31_500)
    button(at, "Save changes").click().run()
    assert not at.exception
    assert "Saved Camera 1: starts" in texts(at) and "cost GBP 31,500" in texts(at)
    assert plan_table(at)["cost (GBP)"].tolist() == ["31,500"]
    assert widget(at.number_input, "Change the cost (GBP) to").value == 31_500
    assert PlanStore(plans_file).load("Plan A")[0].cost == 31_500


def test_delete_asks_first_and_removes_the_right_one_everywhere(plans_file, map_returns):
    at = respond_with_plan()
    save_drawing(at, map_returns, shapely.Point(440_000, 360_000), type_key="cctv",
                 name="Camera 1", cost=20_000)
    save_drawing(at, map_returns, shapely.Point(440_500, 360_500), type_key="cctv",
                 name="Camera 2", cost=25_000)
    map_returns.pop("plan_map")
    at.run()
    assert "Plan A: 2 interventions" in texts(at)
    gone = widget(at.text_input, "Change the name to").value  # the one the form shows
    kept = ({"Camera 1", "Camera 2"} - {gone}).pop()
    button(at, "Delete…").click().run()
    assert "cannot be undone" in texts(at)
    assert len(PlanStore(plans_file).load("Plan A")) == 2  # nothing deleted yet
    button(at, "Cancel").click().run()
    assert "cannot be undone" not in texts(at)
    button(at, "Delete…").click().run()
    button(at, f"Yes, delete {gone}").click().run()
    assert not at.exception
    assert f"Deleted {gone}." in texts(at)
    assert "Plan A: 1 intervention" in texts(at)
    assert plan_table(at)["name"].tolist() == [kept]
    assert widget(at.text_input, "Change the name to").value == kept  # the one left
    widget(at.number_input, "Change the cost (GBP) to").set_value(27_000)
    button(at, "Save changes").click().run()
    stored = PlanStore(plans_file).load("Plan A")
    assert [(i.name, i.cost) for i in stored] == [(kept, 27_000)]


def test_sites_chosen_from_lists_without_the_map(plans_file, map_returns):
    at = respond_with_plan()
    at.radio(key="site_how").set_value("hotspot").run()
    hotspot = at.selectbox(key="site_hotspot").value
    assert hotspot.startswith("Hotspot 1: ") and not hotspot.endswith(" 0 crimes")
    widget(at.selectbox, "Type").select("target_hardening").run()
    button(at, "Save to plan").click().run()
    assert not at.exception
    at.radio(key="site_how").set_value("street").run()
    street = at.selectbox(key="site_street").value
    assert street.startswith("Street: ")
    assert widget(at.text_input, "Name").value == street.split(": ", 1)[1]
    button(at, "Save to plan").click().run()
    at.radio(key="site_how").set_value("coordinates").run()
    at.number_input(key="site_x").set_value(440_100)
    at.number_input(key="site_y").set_value(360_200).run()
    widget(at.selectbox, "Type").select("cctv").run()
    button(at, "Save to plan").click().run()
    assert not at.exception
    stored = PlanStore(plans_file).load("Plan A")
    kinds = [(i.type, i.geometry.geom_type) for i in stored]
    assert kinds == [("target_hardening", "Polygon"), (kinds[1][0], "Point"), ("cctv", "Point")]
    assert stored[2].geometry.equals_exact(shapely.Point(440_100, 360_200), 1e-6)
    cell = stored[0].geometry
    assert cell.area == pytest.approx(100 * 100)  # the hotspot's own 100 m cell


def test_a_plan_records_its_data_and_says_when_opened_on_other_areas(plans_file, map_returns):
    at = respond_with_plan("Town plan")
    info = PlanStore(plans_file).plans()[0]
    assert (info.area, info.source) == ("All areas", "Demo town")
    assert not at.warning
    at.multiselect(key="areas").set_value(["Hollinmoor"]).run()
    warning = " ".join(w.value for w in at.warning)
    assert "was made for All areas on Demo town; you are looking at Hollinmoor" in warning
    button(at, "Record the current data and areas for this plan").click().run()
    assert PlanStore(plans_file).plans()[0].area == "Hollinmoor"
    assert not [w for w in at.warning if "was made for" in w.value]
    # a plan made on other data is flagged in the same way
    PlanStore(plans_file).save_plan("West Yorkshire", [], area="All areas",
                                    source="upload: 2016-07-west-yorkshire-street.csv")
    at.run()
    widget(at.selectbox, "Plan").select("West Yorkshire").run()
    warning = " ".join(shown(w.value) for w in at.warning)
    assert "on upload: 2016-07-west-yorkshire-street.csv; you are looking at" in warning
    assert any("upload: 2016-07-west-yorkshire-street.csv" in o
               for o in widget(at.selectbox, "Plan").options)
