import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hotspots.io.write import write_geopackage, write_json, write_table
from hotspots.privacy import suppress_small_counts


def cells(crs="EPSG:27700"):
    return gpd.GeoDataFrame(
        {"score": [1.5, 2.5], "hotspot": [False, True], "label": ["a", "<b>"]},
        geometry=[shapely.box(450_000, 340_000, 450_100, 340_100),
                  shapely.box(450_100, 340_000, 450_200, 340_100)],
        crs=crs,
    )


def test_geopackage_layers_in_bng(tmp_path):
    lonlat = cells().to_crs(4326)
    out = write_geopackage(tmp_path / "h.gpkg", {"cells": cells(), "areas": lonlat})
    assert sorted(name for name, _ in pyogrio.list_layers(out)) == ["areas", "cells"]
    back = gpd.read_file(out, layer="areas")
    assert back.crs.to_epsg() == 27700
    np.testing.assert_allclose(back.total_bounds, cells().total_bounds, atol=1e-3)
    assert back["hotspot"].tolist() == [False, True]
    assert not list(tmp_path.glob(".h-*")), "temporary files left behind"


def test_failed_write_keeps_the_old_file(tmp_path):
    path = write_geopackage(tmp_path / "h.gpkg", {"cells": cells()})
    before = path.read_bytes()
    # the second layer fails after the first has been written to the temporary file
    with pytest.raises(AttributeError):
        write_geopackage(path, {"cells": cells(), "bad": pd.DataFrame({"a": [1]})})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["h.gpkg"]


def test_table_and_json(tmp_path):
    write_table(tmp_path / "t.csv", cells())
    assert pd.read_csv(tmp_path / "t.csv").columns.tolist() == ["score", "hotspot", "label"]
    write_json(tmp_path / "r.json", {"n": np.int64(3), "x": float("nan"), "p": tmp_path})
    data = json.loads((tmp_path / "r.json").read_text())
    assert data == {"n": 3, "x": None, "p": str(tmp_path)}


def test_small_counts_suppressed_but_zero_and_five_shown():
    out = suppress_small_counts(pd.DataFrame({"count": [0, 1, 4, 5, 40]}))
    assert out["count"].tolist() == ["0", "<5", "<5", "5", "40"]
