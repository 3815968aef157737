"""Hostile text in the app: plan, area, street and intervention names reach the pages as
text. Markdown never turns them into an image (a request to another host), a link or
markup; HTML blocks never run them.

A small data folder (``HOTSPOTS_DATA``) whose street and neighbourhood names are hostile; a
plan and an intervention named with the same text; every step of the app is visited and
every Markdown element, caption, alert, heading and widget label is read as sent to the
browser.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer

from tests.ui.helpers import button
from tests.ui.helpers import draw
from tests.ui.helpers import run_app
from tests.ui.helpers import shown
from tests.ui.helpers import step
from tests.ui.helpers import widget

MARK = "window.__pwned=1"
IMAGE = "![b](http://host.invalid/beacon.png)"
HOSTILE = f'{IMAGE} <img src=x onerror="{MARK}"> [link](http://host.invalid) # _x_ *y*'
MARKUP = ("<img src=x", "<script>")


def hostile_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    to_lonlat = Transformer.from_crs(27700, 4326, always_xy=True)
    for month in range(1, 13):
        sub = folder / "sample_crimes" / f"2024-{month:02d}"
        sub.mkdir(parents=True)
        with (sub / f"2024-{month:02d}-test-street.csv").open("w", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["Crime ID", "Month", "Reported by", "Falls within", "Longitude",
                          "Latitude", "Location", "LSOA code", "LSOA name", "Crime type",
                          "Last outcome category", "Context"])
            for i in range(20):
                lon, lat = to_lonlat.transform(440_000 + 13 * i, 360_000 + 11 * i)
                out.writerow([f"id{month}-{i}", f"2024-{month:02d}", "Test Police",
                              "Test Police", f"{lon:.6f}", f"{lat:.6f}", HOSTILE, "E01000001",
                              HOSTILE, "Burglary", "", ""])
    (folder / "boundaries").mkdir()
    gpd.GeoDataFrame(
        {"neighbourhood_name": [HOSTILE, "Quiet"]},
        geometry=[shapely.box(439_500, 359_500, 440_500, 360_500),
                  shapely.box(445_000, 359_500, 446_000, 360_500)], crs="EPSG:27700",
    ).to_file(folder / "boundaries" / "neighbourhoods.gpkg")
    return folder


def sent(at) -> list[tuple[str, str, bool]]:
    """(kind, text as sent, HTML allowed) of every element that renders Markdown."""
    out = [("markdown", m.value, bool(m.proto.allow_html)) for m in at.markdown]
    out += [("caption", c.value, bool(c.proto.allow_html)) for c in at.caption]
    for kind in ("success", "info", "warning", "error", "subheader", "title", "header"):
        out += [(kind, e.value, False) for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "text_input", "number_input", "radio",
                 "button", "checkbox", "date_input", "slider", "select_slider"):
        out += [(f"{kind} label", w.label, False) for w in getattr(at, kind)]
    return out


def check_page(at, where: str) -> str:
    assert not at.exception, f"{where}: {at.exception}"
    shown_text = []
    for kind, text, html in sent(at):
        assert "![b](" not in text and "[link](" not in text, (
            f"{where}: {kind} sends unescaped Markdown: {text[:200]!r}")
        if html:
            for piece in MARKUP:
                assert piece not in text, f"{where}: {kind} sends markup: {text[:200]!r}"
        shown_text.append(shown(text))
    return "\n".join(shown_text)


@pytest.mark.slow
def test_hostile_names_are_text_on_every_step(tmp_path, monkeypatch, plans_file, map_returns):
    monkeypatch.setenv("HOTSPOTS_DATA", str(hostile_data(tmp_path)))
    at = run_app()
    seen = check_page(at, "1 Scan")
    at.multiselect(key="areas").set_value([HOSTILE]).run()
    seen += check_page(at, "1 Scan, hostile area chosen")
    for name in ("2 Analyse", "3 Respond"):
        at = step(at, name)
        seen += check_page(at, name)
    at.text_input(key="new_plan").input(HOSTILE)
    at.button(key="FormSubmitter:new_plan_form-Create plan").click().run()
    seen += check_page(at, "3 Respond, plan created")
    draw(map_returns, shapely.Point(440_100, 360_080))
    at.run()
    widget(at.text_input, "Name").input(HOSTILE)
    button(at, "Save to plan").click().run()
    seen += check_page(at, "3 Respond, intervention saved")
    at = step(at, "4 Assess")
    seen += check_page(at, "4 Assess")
    # the names are shown, as written (the plan's name heads its list)
    assert IMAGE in seen and f"<img src=x onerror=\"{MARK}\">" in seen
    assert any(HOSTILE in shown(s.value) for s in at.subheader) or HOSTILE in seen
