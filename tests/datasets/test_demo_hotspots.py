"""End to end on the demo data: every method finds what hotspots.datasets.sample planted.

The planted truth comes from ``data/sample_crimes/planted.json``; the methods run with their
defaults, as a user would run them, so these tests also check that the defaults are sensible.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import hotspots
from hotspots.datasets.town import CENTRE
from hotspots.datasets.town import PARADES

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "sample_crimes"
PLANTED = json.loads((DEMO / "planted.json").read_text())

# Where each planted hotspot should show up: the group to select and the months to use.
CASES = {
    "burglary_estate": ("neighbourhood", None),
    "town_centre_robbery": ("neighbourhood", None),
    "night_time_economy": ("vawg", None),
    "retail_park_vehicle": ("neighbourhood", "2025-01"),
}
METHODS = ("auto", "gistar", "kde", "count", "dbscan", "hdbscan")


@cache
def crimes() -> gpd.GeoDataFrame:
    table, report = hotspots.load_crimes(DEMO)
    assert report.rows_kept == len(table)
    return table


@cache
def found(group: str, start: str | None, method: str) -> hotspots.HotspotResult:
    selected, _ = hotspots.select_crimes(crimes(), group=group, start=start)
    return hotspots.find_hotspots(selected, method=method)


def circle(centre, radius) -> shapely.Geometry:
    return shapely.Point(centre).buffer(radius)


def known_places(margin: float) -> shapely.Geometry:
    """Everywhere a hotspot is expected: planted circles, the scheme's target and control
    areas (each carries extra crime by design), the town centre and the shopping parades."""
    scheme = PLANTED["scheme"]
    places = [circle(h["centre"], h["radius_m"]) for h in PLANTED["hotspots"]]
    places.append(circle(scheme["target"]["centre"], scheme["target"]["radius_m"]))
    places.append(circle(scheme["control"]["centre"], scheme["control"]["radius_m"]))
    places.append(circle(CENTRE, 600))
    places += [circle(c, 200) for c in PARADES]
    return shapely.union_all(places).buffer(margin)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("planted_id", list(CASES))
def test_each_planted_hotspot_is_found(method, planted_id):
    group, start = CASES[planted_id]
    result = found(group, start, method)
    truth = next(h for h in PLANTED["hotspots"] if h["id"] == planted_id)
    hot = result.cells[result.cells["hotspot"]]
    assert len(hot), f"{method} found no hotspot at all for {group}"
    target = circle(truth["centre"], truth["radius_m"])
    assert hot.intersects(target).any(), (
        f"{method} missed the planted {truth['name']} ({group} from {start or 'the start'}); "
        f"{len(hot)} hotspots found elsewhere"
    )


def _top_common_cells(result: hotspots.HotspotResult, *, share: float,
                      size: float = 100.0) -> gpd.GeoSeries:
    """The top ``share`` of common ``size`` m cells by the result's score averaged over
    16 sample points a cell (the scoring of pai_common.py)."""
    p = result.params
    x0, y0 = p["grid_origin"]
    ny, nx = p["grid_shape"]
    grid = hotspots.Grid(x0, y0, p["cell_size"], nx, ny, p["crs"])
    score = np.full(grid.shape, -1.0)
    score[result.cells["row"], result.cells["col"]] = result.cells["score"]
    xs = np.arange(np.floor(x0 / size) * size, x0 + nx * p["cell_size"], size)
    ys = np.arange(np.floor(y0 / size) * size, y0 + ny * p["cell_size"], size)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    off = (np.arange(4) + 0.5) * size / 4
    ox, oy = (a.ravel() for a in np.meshgrid(off, off))
    row, col, inside = grid.locate((gx[:, None] + ox).ravel(), (gy[:, None] + oy).ravel())
    sample = np.full(row.shape, -1.0)
    sample[inside] = score[row[inside], col[inside]]
    mean = sample.reshape(-1, 16).mean(axis=1)
    k = max(1, int(share * (mean > -1.0).sum()))
    top = np.argsort(-mean, kind="stable")[:k]
    return gpd.GeoSeries(shapely.box(gx[top], gy[top], gx[top] + size, gy[top] + size),
                         crs=p["crs"])


@pytest.mark.parametrize("method", ["auto", "gistar", "kde", "dbscan", "hdbscan", "count"])
@pytest.mark.parametrize("group", ["neighbourhood", "vawg"])
def test_few_hot_cells_away_from_known_places(method, group):
    result = found(group, None, method)
    hot = result.cells[result.cells["hotspot"]]
    if method in ("count", "kde", "auto"):
        # The ranking methods flag the top 5% of cells, a convention that on a fine grid
        # reaches into background cells. Since issue 9 the default cells are street scale
        # (60 m here, the spacing of the demo's map points), where single busy map points
        # of the background rank high; so their hottest 1% is judged on common 100 m cells,
        # as held-out hit rates are scored (../shared/checks/pai_common.py), which makes
        # the check independent of the cell size.
        hot = _top_common_cells(result, share=0.01)
    # A kernel spreads each place's crimes up to one bandwidth away, so KDE cells are
    # judged against places grown by the bandwidth.
    margin = max(200.0, result.params.get("bandwidth", 0.0)) if method == "kde" else 200.0
    away = ~hot.centroid.within(known_places(margin=margin))
    assert away.mean() <= 0.05, (
        f"{method}/{group}: {away.sum()} of {len(hot)} hot cells are away from every planted "
        "or known busy place"
    )


def test_emerging_hotspot_is_absent_in_the_first_year():
    result = found("neighbourhood", None, "gistar")
    first_year, _ = hotspots.select_crimes(crimes(), group="neighbourhood", end="2024-12")
    before = hotspots.find_hotspots(first_year, method="gistar")
    truth = next(h for h in PLANTED["hotspots"] if h["id"] == "retail_park_vehicle")
    target = circle(truth["centre"], truth["radius_m"])
    assert not before.cells[before.cells["hotspot"]].intersects(target).any()
    assert len(result.cells) > 0
