"""App flows with AppTest: a drawn intervention is saved, survives a restart, and is assessed;
filters keep the plan; the evidence pack is built and stays downloadable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely

from hotspots.planning.costs import estimate_cost
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import from_drawing
from tests.ui.helpers import ROOT
from tests.ui.helpers import button
from tests.ui.helpers import draw
from tests.ui.helpers import drawn_feature
from tests.ui.helpers import metric
from tests.ui.helpers import one_month_data
from tests.ui.helpers import run_app
from tests.ui.helpers import shown
from tests.ui.helpers import step
from tests.ui.helpers import texts
from tests.ui.helpers import widget

SCHEME = json.loads((ROOT / "data" / "sample_crimes" / "planted.json").read_text())["scheme"]


def new_plan(at, name: str):
    at.text_input(key="new_plan").input(name)
    at.button(key="FormSubmitter:new_plan_form-Create plan").click().run()
    assert not at.exception
    assert widget(at.selectbox, "Plan").value == name
    return at


def test_drawn_intervention_is_saved_survives_restart_and_is_assessed(plans_file, map_returns):
    at = step(run_app(), "3 Respond")
    new_plan(at, "Ferncliffe scheme")
    target = shapely.Point(SCHEME["target"]["centre"]).buffer(SCHEME["target"]["radius_m"])
    draw(map_returns, target)
    at.run()
    assert "1 drawn shape" in texts(at)
    widget(at.selectbox, "Type").select("guardianship")
    widget(at.text_input, "Name").input("Lighting and CCTV, Ferncliffe Rise")
    widget(at.selectbox, "Start month").select(SCHEME["start_month"])
    button(at, "Save to plan").click().run()
    assert not at.exception
    assert "Saved Lighting and CCTV, Ferncliffe Rise to Ferncliffe scheme." in texts(at)
    assert plans_file.is_file()

    # a restart: a new session reading the same GeoPackage
    map_returns.pop("plan_map")
    again = step(run_app(), "3 Respond")
    assert not again.exception
    assert widget(again.selectbox, "Plan").value == "Ferncliffe scheme"
    assert any("Ferncliffe Rise" in df.value.to_string() for df in again.dataframe)
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


def test_default_cost_of_a_drawn_line_is_the_library_estimate(plans_file, map_returns):
    """A 1.5 km lighting line starts at estimate_cost's GBP 90,000, not one km's 60,000."""
    at = new_plan(step(run_app(), "3 Respond"), "Lights")
    line = shapely.LineString([(440_000, 360_000), (441_500, 360_000)])
    draw(map_returns, line)
    at.run()
    assert not at.exception
    assert widget(at.selectbox, "Type").value == "street_lighting"
    geometry, _ = from_drawing(drawn_feature(line))
    expected = estimate_cost(Intervention(type="street_lighting", geometry=geometry,
                                          start="2025-01")).amount
    assert expected == pytest.approx(90_000, rel=1e-3)
    assert widget(at.number_input, "Cost (GBP)").value == pytest.approx(expected)


def test_changing_period_changes_the_figures(plans_file, map_returns):
    at = run_app()
    before = metric(at, "Crimes selected")
    at.select_slider(key="period").set_value(("2024-01", "2024-06")).run()
    assert not at.exception
    assert metric(at, "Crimes selected") != before


def test_filter_changes_keep_the_plan_and_outside_drawings_warn(plans_file, map_returns):
    at = new_plan(step(run_app(), "3 Respond"), "Keep me")
    at.selectbox(key="group").select("asb")
    at.selectbox(key="method").select("dbscan").run()
    assert not at.exception
    at.multiselect(key="areas").set_value(["Hollinmoor"]).run()
    assert not at.exception
    # a camera drawn 20 km away from the chosen area is saved, with a warning
    draw(map_returns, shapely.Point(460_000, 360_000))
    at.run()
    widget(at.selectbox, "Type").select("cctv")
    button(at, "Save to plan").click().run()
    assert not at.exception
    assert any("outside" in w.value for w in at.warning), [w.value for w in at.warning]
    from hotspots.planning.plans import PlanStore

    store = PlanStore(plans_file)
    assert [p.name for p in store.plans()] == ["Keep me"]
    assert len(store.load("Keep me")) == 1


def test_evidence_pack_is_built_and_stays_downloadable(plans_file, map_returns):
    at = step(run_app(), "4 Assess")
    at.button(key="build_pack").click().run()
    assert not at.exception
    built = Path(at.session_state["evidence_pack"]["folder"])
    assert (built / "report.html").is_file() and (built / "evidence_pack.zip").is_file()
    report = (built / "report.html").read_text()
    assert "Summary" in report
    assert str(ROOT) not in report  # the data sources are named without server paths
    # no server path on the page
    assert str(built) not in texts(at) and "/tmp" not in texts(at)
    assert any(b.label == "Download the evidence pack (zip)" for b in at.get("download_button"))
    # any other rerun (a download, a change) keeps the button
    at.run()
    assert any(b.label == "Download the evidence pack (zip)" for b in at.get("download_button"))


def test_an_area_without_crimes_gives_a_clear_message(tmp_path, monkeypatch, plans_file,
                                                       map_returns):
    """A small data folder (HOTSPOTS_DATA) where one neighbourhood has no crimes at all."""
    monkeypatch.setenv("HOTSPOTS_DATA", str(one_month_data(tmp_path)))
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
def test_assess_and_the_evidence_pack_give_identical_projections(plans_file, map_returns):
    """One projection: the Assess step's figures are the pack's, for the same plan and
    selection (issue 10: the app counted every category, the pack only the group's)."""
    at = step(run_app(), "3 Respond")
    new_plan(at, "Same numbers")
    target = shapely.Point(SCHEME["target"]["centre"]).buffer(SCHEME["target"]["radius_m"])
    draw(map_returns, target)
    at.run()
    widget(at.selectbox, "Type").select("street_lighting")
    widget(at.selectbox, "Start month").select(SCHEME["start_month"])
    button(at, "Save to plan").click().run()
    assert not at.exception
    map_returns.pop("plan_map")
    step(at, "4 Assess")
    assert not at.exception
    app = {m.label: m.value for m in at.metric}
    counted = next(shown(m.value) for m in at.markdown if "Crimes counted:" in shown(m.value))
    at.button(key="build_pack").click().run()
    assert not at.exception
    assert any("Evidence pack built" in s.value for s in at.success)
    built = Path(at.session_state["evidence_pack"]["folder"])  # no server path is shown
    page = (built / "report.html").read_text(encoding="utf-8")
    pack = _pack_cards(page, "outcomes")
    assert len(pack) >= 9  # baseline, expected, prevented, %, cost, per crime, avoided, BCR...
    for label, value in pack.items():
        assert app.get(label) == value, (label, app.get(label), value)
    assert counted.strip("*") in page
    assert "Neighbourhood crime (Burglary, Robbery" in counted  # the group's crimes only
    run = json.loads((built / "run.json").read_text())
    prevented = float(app["crimes prevented per 12 months (80% and 95% intervals)"].split()[0])
    assert run["numbers"]["projected_prevented"] == pytest.approx(prevented, abs=0.05)


def test_no_server_paths_in_the_load_report(plans_file, map_returns):
    at = run_app()
    page = texts(at) + "\n".join(t.value for t in at.text)
    assert str(ROOT) not in page
    assert "sample_crimes/" in page  # the files are named relative to the data folder
