"""Atomic writes: GeoPackage layers in British National Grid, CSV tables, run.json."""

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hotspots.io.write import write_geopackage
from hotspots.io.write import write_json
from hotspots.io.write import write_table


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


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = write_geopackage(tmp_path / "h.gpkg", {"cells": cells()})
    before = path.read_bytes()
    # the second layer fails (a full disk, say) after the first is in the temporary file
    real_to_file = gpd.GeoDataFrame.to_file
    written = []

    def to_file(frame, filename, **kwargs):
        if written:
            raise OSError("No space left on device")
        real_to_file(frame, filename, **kwargs)
        written.append(Path(filename))

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", to_file)
    with pytest.raises(OSError, match="No space left"):
        write_geopackage(path, {"cells": cells(), "more": cells()})
    assert written and written[0] != path  # the first layer went to a temporary file
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["h.gpkg"]


def test_a_layer_that_is_not_a_geodataframe_is_refused_before_writing(tmp_path):
    path = write_geopackage(tmp_path / "h.gpkg", {"cells": cells()})
    before = path.read_bytes()
    with pytest.raises(TypeError, match="Layer 'bad' of h.gpkg should be a GeoDataFrame"):
        write_geopackage(path, {"cells": cells(), "bad": pd.DataFrame({"a": [1]})})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["h.gpkg"]


def test_table_and_json(tmp_path):
    write_table(tmp_path / "t.csv", cells())
    assert pd.read_csv(tmp_path / "t.csv").columns.tolist() == ["score", "hotspot", "label"]
    write_json(tmp_path / "r.json", {"n": np.int64(3), "x": float("nan"), "p": tmp_path})
    data = json.loads((tmp_path / "r.json").read_text())
    assert data == {"n": 3, "x": None, "p": str(tmp_path)}


def test_geopackage_keeps_the_analysis_crs_outside_gb(tmp_path):
    # Chicago data are analysed in UTM zone 16N: the export says so, not EPSG:27700.
    utm = gpd.GeoDataFrame({"score": [1.0]}, geometry=[shapely.box(440_000, 4_630_000,
                                                                   440_050, 4_630_050)],
                           crs="EPSG:32616")
    out = write_geopackage(tmp_path / "c.gpkg", {"cells": utm, "areas": utm.to_crs(4326)})
    for layer in ("cells", "areas"):
        back = gpd.read_file(out, layer=layer)
        assert back.crs.to_epsg() == 32616
        np.testing.assert_allclose(back.total_bounds, utm.total_bounds, atol=1e-3)
