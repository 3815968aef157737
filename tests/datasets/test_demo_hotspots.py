"""End to end on the demo data: every method finds what hotspots.datasets.sample planted.

The planted truth comes from ``data/sample_crimes/planted.json``; the methods run with their
defaults, as a user would run them, so these tests also check that the defaults are sensible.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import geopandas as gpd
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


@pytest.mark.parametrize("method", ["auto", "gistar", "kde", "dbscan", "hdbscan", "count"])
@pytest.mark.parametrize("group", ["neighbourhood", "vawg"])
def test_few_hot_cells_away_from_known_places(method, group):
    result = found(group, None, method)
    hot = result.cells[result.cells["hotspot"]]
    if method in ("count", "auto"):
        # The count method flags the top 5% of cells, a convention that on a fine grid
        # reaches into background cells; its hottest 1% must still be in known places.
        # (auto chooses a smoothed count on the demo and keeps the count's flag.)
        hot = result.cells.nlargest(max(1, len(result.cells) // 100), "score")
    # A kernel spreads each place's crimes up to one bandwidth away, so KDE cells are
    # judged against places grown by the bandwidth (the default rule smooths widely).
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
