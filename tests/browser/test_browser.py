"""Maps render in a real browser from local assets only, and drawings reach the app.

Each test opens a live Streamlit page in Debian's Chromium (fixtures in conftest.py). Every
request the page makes is recorded; any to a host other than 127.0.0.1 fails the test, so a
map that still points at a CDN cannot pass. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DRAW_PAGE = Path(__file__).resolve().with_name("draw_page.py")
APP = ROOT / "app.py"
#: The iframe streamlit_folium's component renders into.
ST_FOLIUM_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: Milliseconds any other expectation may wait.
ACTION_TIMEOUT_MS = 30_000
#: A page's first script run (loading data, finding hotspots) may take this long, in ms.
FIRST_RUN_MS = 90_000
#: Leaflet's vector layers: SVG paths, or one canvas when the map prefers canvas.
VECTOR_LAYERS = "path.leaflet-interactive, .leaflet-overlay-pane canvas"


@pytest.fixture(scope="session")
def expect(browser) -> Any:
    """Playwright's auto-waiting assertions (imported once the browser fixture found it)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    return expect


@pytest.fixture(scope="session")
def draw_url(streamlit_server) -> str:
    return streamlit_server(DRAW_PAGE)


@pytest.fixture(scope="session")
def app_url(streamlit_server) -> str:
    return streamlit_server(APP)


def leaflet_frame(page: Any, *, timeout_ms: int = FIRST_RUN_MS) -> Any:
    """The first frame of ``page`` showing a Leaflet map (any way the app embeds it).

    Maps in hidden tabs or steps do not count.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is page.main_frame:
                continue
            try:
                if (frame.frame_element().is_visible()
                        and frame.locator(".leaflet-container").first.is_visible()):
                    return frame
            except Error:  # the frame was replaced while we looked
                continue
        page.wait_for_timeout(250)
    raise AssertionError(f"no frame showed a .leaflet-container within {timeout_ms} ms")


def screenshot(visit: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    visit.page.screenshot(path=str(path), full_page=True)
    return path


def served_locally(visit: Any, file: str) -> bool:
    return any(url.split("?")[0].endswith(f"/app/static/vendor/{file}") for url in visit.requests)


def test_draw_page_map_renders_from_local_assets_only(visit, draw_url, expect):
    page = visit.page
    page.goto(draw_url, wait_until="domcontentloaded")
    expect(page.get_by_text("Map assets: local")).to_be_visible(timeout=FIRST_RUN_MS)
    frame = page.frame_locator(ST_FOLIUM_FRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(frame.locator("path.leaflet-interactive").first).to_be_visible()
    expect(frame.locator(".leaflet-draw-draw-marker")).to_be_visible()
    # The draw toolbar is styled by leaflet.draw.css: its buttons carry the sprite sheet.
    sprite = frame.locator(".leaflet-draw-draw-marker").evaluate(
        "el => getComputedStyle(el).backgroundImage"
    )
    assert "/app/static/vendor/leaflet-draw/dist/images/spritesheet" in sprite, sprite
    shot = screenshot(visit, "draw_page")
    assert shot.stat().st_size > 5_000
    for file in ("leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css",
                 "leaflet-draw/dist/leaflet.draw.js", "leaflet-draw/dist/leaflet.draw.css"):
        assert served_locally(visit, file), f"{file} was not loaded from /app/static/vendor"
    assert visit.external() == []


def test_marker_drawn_in_the_browser_reaches_the_app(visit, draw_url, expect):
    page = visit.page
    page.goto(draw_url, wait_until="domcontentloaded")
    expect(page.get_by_text("0 drawn shapes", exact=True)).to_be_visible(timeout=FIRST_RUN_MS)
    frame = page.frame_locator(ST_FOLIUM_FRAME)
    frame.locator(".leaflet-draw-draw-marker").click()
    # Top-left of the map, away from the test polygon in the middle.
    frame.locator(".leaflet-container").click(position={"x": 80, "y": 80})
    expect(frame.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_text("1 drawn shape", exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Drawn: Point", exact=True)).to_be_visible()
    screenshot(visit, "draw_page_marker")
    assert served_locally(visit, "leaflet/dist/images/marker-icon.png")
    assert visit.external() == []


def test_app_map_renders_without_external_requests(visit, app_url, expect):
    page = visit.page
    page.goto(app_url, wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Crime hotspots")).to_be_visible(
        timeout=FIRST_RUN_MS
    )
    frame = leaflet_frame(page)
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(frame.locator(VECTOR_LAYERS).first).to_be_visible()
    screenshot(visit, "app")
    assert visit.external() == []


def _step(page: Any, name: str, expect: Any) -> None:
    page.get_by_text(name, exact=True).click()
    expect(page.get_by_text(name, exact=True)).to_be_visible()


def test_app_marker_drawn_with_the_toolbar_is_saved_to_a_plan(visit, app_url, expect):
    page = visit.page
    page.goto(f"{app_url}/?step=3+Respond", wait_until="domcontentloaded")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_label("New plan name")).to_be_visible(timeout=FIRST_RUN_MS)
    sidebar.get_by_label("New plan name").fill("Browser plan")
    sidebar.get_by_role("button", name="Create plan").click()
    expect(sidebar.get_by_text("Created the plan 'Browser plan'.")).to_be_visible(
        timeout=FIRST_RUN_MS)
    expect(page.get_by_text("No unsaved drawing.")).to_be_visible(timeout=FIRST_RUN_MS)
    frame = leaflet_frame(page)
    frame.locator(".leaflet-draw-draw-marker").click()
    frame.locator(".leaflet-container").click(position={"x": 120, "y": 120})
    # the drawn marker (an image; area and street names are text labels, not images)
    expect(frame.locator("img.leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_text("1 drawn shape(s) not yet saved.")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("New intervention: a point on the map.")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Camera drawn in the browser")
    page.get_by_role("button", name="Save to plan").click()
    expect(page.get_by_text("Saved Camera drawn in the browser to Browser plan.")).to_be_visible(
        timeout=30_000)
    screenshot(visit, "app_plan_marker")
    assert visit.external() == []


def test_app_upload_of_a_non_crime_csv_says_what_is_wrong(visit, app_url, expect, tmp_path):
    page = visit.page
    page.goto(app_url, wait_until="domcontentloaded")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Upload files")).to_be_visible(timeout=FIRST_RUN_MS)
    sidebar.get_by_text("Upload files").click()
    rota = tmp_path / "staff_rota.csv"
    rota.write_text("name,shift\nAlex,early\nSam,late\n")
    sidebar.locator('input[type="file"]').first.set_input_files(str(rota))
    # not police.uk: the mapping form asks for the columns it cannot find
    expect(sidebar.get_by_text("Columns found: name, shift")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Choose x, y, month or date")).to_be_visible()
    screenshot(visit, "app_upload_not_crimes")
    assert visit.external() == []
