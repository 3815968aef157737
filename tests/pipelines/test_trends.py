"""run_trends on a small extract: outputs, and the near-repeat record for month-only data."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely

from hotspots.pipelines.selection import Selection
from hotspots.pipelines.trends import emerging_table
from hotspots.pipelines.trends import run_trends
from tests.pipelines.conftest import MAPPING


def test_trends_writes_its_outputs_and_says_why_no_near_repeats(extract, tmp_path):
    run = run_trends(Selection(extract, mapping=MAPPING, group="neighbourhood"), out=tmp_path,
                     cell_size=100, tiles=None)
    assert {p.name for p in tmp_path.iterdir()} == {
        "trends.gpkg", "emerging.csv", "series.csv", "map.html", "run.json"}
    assert run.knox is None and "exact date" in run.near_repeat_message
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["near_repeat"] == {"run": False, "message": run.near_repeat_message}
    assert record["params"]["step"] == "month" and record["params"]["n_steps"] == 6
    assert record["period"] == {"from": None, "to": None}


def test_emerging_table_lists_hot_patterns_first():
    codes = [0, -2, 1, -1, 2, 1]
    cells = gpd.GeoDataFrame({"pattern_code": codes, "score": [9.0, 5, 1, 6, 3, 2]},
                             geometry=[shapely.Point(i, 0) for i in range(6)])
    table = emerging_table(cells)
    assert table["pattern_code"].tolist() == [1, 1, 2, -1, -2]
    assert table["score"].tolist() == [2.0, 1.0, 3.0, 6.0, 5.0]
    assert isinstance(table, pd.DataFrame) and "geometry" not in table
