"""No user text runs as script in a real browser, and the evidence pack map shows its plan
and evaluation layers.

``find`` and ``trends`` write ``map.html`` and the evidence pack writes ``report.html``
from inputs whose group label, area names, streets, plan and intervention names hold
script (``tests/hostile/test_outputs.py`` builds them). Each page is served from
127.0.0.1 and opened in Chromium: the script would set ``window.__pwned`` (or open an
alert); the test waits for Leaflet, then checks that nothing ran in any frame, that no
page error was thrown (the pack map's layer control once threw ``setZIndex`` and dropped
its layers), and that the hostile names are shown as text.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.methods.find import MethodSettings
from hotspots.planning.interventions import Intervention
from hotspots.report import OutputOptions
from hotspots.report import ReportPlan
from hotspots.report import ReportScope
from hotspots.report import report_from_data
from tests.hostile.test_outputs import HOSTILE
from tests.hostile.test_outputs import hostile_inputs

pytestmark = pytest.mark.browser

#: Milliseconds to wait for Leaflet to draw a page's map.
MAP_MS = 30_000


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # no request lines in the test output
        pass


@pytest.fixture(scope="module")
def pages(tmp_path_factory, make_crimes_module) -> Iterator[tuple[str, Path]]:
    """The three pages, served from one folder on 127.0.0.1: (base URL, folder)."""
    folder = tmp_path_factory.mktemp("hostile_pages")
    data, groups, boundary = hostile_inputs(folder)
    for command, extra in (("find", ["--method", "count"]),
                           ("trends", ["--knox-iterations", "19"])):
        result = CliRunner().invoke(main, [
            command, str(data), "--groups", str(groups), "--group", "evil", "--boundary",
            str(boundary), "--name-column", "name", "--cell-size", "100", "--no-tiles",
            "--out", str(folder / command), *extra], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    _pack(make_crimes_module, folder / "pack")
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def make_crimes_module():
    from tests.conftest import build_crimes

    return build_crimes


def _pack(make_crimes: Any, out: Path) -> None:
    rows = [("Burglary", f"2024-{m:02d}", 440_000 + 40 * (i % 7), 360_000 + 30 * (i % 5))
            for m in range(1, 13) for i in range(6)]
    crimes = make_crimes(rows)
    crimes["location"] = HOSTILE
    areas = gpd.GeoDataFrame({"area_name": [HOSTILE, "East"]},
                             geometry=[shapely.box(439_900, 359_900, 440_150, 360_300),
                                       shapely.box(440_150, 359_900, 440_400, 360_300)],
                             crs="EPSG:27700")
    camera = Intervention(type="cctv", geometry=shapely.Point(440_100, 360_060),
                          start="2024-07", cost=1000, name=HOSTILE)
    report_from_data(crimes, None, out=out, scope=ReportScope(areas=areas),
                     method=MethodSettings("count", cell_size=50),
                     plan=ReportPlan([camera], HOSTILE),
                     output=OutputOptions(pdf=False, tiles=False, zip=False))


def _open(visit: Any, url: str) -> tuple[Any, list[str]]:
    dialogs: list[str] = []
    page = visit.page

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(url, wait_until="load")
    return page, dialogs


def _map_frame(page: Any) -> Any:
    """The frame holding the Leaflet map, once its layer control is drawn."""
    deadline = time.monotonic() + MAP_MS / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.query_selector(".leaflet-control-layers") is not None:
                    return frame
            except Exception:  # noqa: BLE001 - a frame still loading: look again
                continue
        page.wait_for_timeout(100)
    raise AssertionError(f"no Leaflet layer control in {page.url}")


def _nothing_ran(page: Any, visit: Any, dialogs: list[str]) -> None:
    page.wait_for_timeout(500)  # an onerror handler runs once the broken image fails
    for frame in page.frames:
        assert frame.evaluate("() => window.__pwned") is None, f"script ran in {frame.url}"
    assert not dialogs, dialogs
    errors = [line for line in visit.console if line.startswith("pageerror")]
    assert not errors, errors
    assert not visit.external(), visit.external()


@pytest.mark.parametrize("command", ["find", "trends"])
def test_map_html_runs_no_user_text(pages, visit, command):
    base, _ = pages
    page, dialogs = _open(visit, f"{base}/{command}/map.html")
    frame = _map_frame(page)
    control = frame.inner_text(".leaflet-control-layers-list") if frame.query_selector(
        ".leaflet-control-layers-list") else ""
    _nothing_ran(page, visit, dialogs)
    # the group label is a layer name: shown as text, exactly as written
    labels = frame.evaluate(
        "() => Array.from(document.querySelectorAll('.leaflet-control-layers label'))"
        ".map(l => l.textContent).join('\\n')")
    assert '<img src=x onerror="window.__pwned=1">' in labels + control, labels


def test_report_html_runs_no_user_text_and_its_map_shows_every_layer(pages, visit):
    base, _ = pages
    page, dialogs = _open(visit, f"{base}/pack/report.html")
    frame = _map_frame(page)
    _nothing_ran(page, visit, dialogs)
    labels = frame.evaluate(
        "() => Array.from(document.querySelectorAll('.leaflet-control-layers label'))"
        ".map(l => l.textContent.trim())")
    assert "Plan coverage" in labels and "Evaluation areas" in labels, labels
    # the plan's layer is drawn on the map (the evaluation layer starts hidden)
    drawn = frame.evaluate(
        "() => document.querySelectorAll('path.leaflet-interactive, "
        ".leaflet-overlay-pane canvas').length")
    assert drawn > 0
    # the plan and area names are shown as text in the report itself
    body = page.inner_text("body")
    assert '<img src=x onerror="window.__pwned=1">' in body
