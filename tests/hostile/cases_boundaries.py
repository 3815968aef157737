"""Hostile boundary layers: NaN vertices, overlaps, no CRS, engineering CRS, a CSV without
geometry, empty layers, points or lines instead of polygons, coordinates that do not fit
their CRS. A layer either loads with every feature accounted for (kept, repaired or
dropped with a reason) or is refused with a message naming the file and the fix."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotspots.errors import CRSError
from hotspots.errors import InputFileError
from hotspots.io import load_boundary
from tests.hostile.builders import write
from tests.hostile.expect import Case
from tests.hostile.expect import Refuses

ENGINEERING_PRJ = ('LOCAL_CS["site grid",LOCAL_DATUM["site",0],UNIT["metre",1],'
                   'AXIS["X",EAST],AXIS["Y",NORTH]]')
BNG_PRJ = ('PROJCS["OSGB 1936 / British National Grid",GEOGCS["OSGB 1936",DATUM["OSGB_1936",'
           'SPHEROID["Airy 1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0],'
           'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
           'PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],'
           'PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],'
           'PARAMETER["false_northing",-100000],UNIT["metre",1]]')


def square(x: float, y: float, d: float) -> list[list[list[float]]]:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def feature(geometry: dict | None, **props: Any) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def polygon(x: float = -1.20, y: float = 52.90, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": square(x, y, d)}


def geojson(features: list[dict], *, crs: str | None = None) -> str:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data, allow_nan=True)


def loads(kept: int, *, notes: tuple[str, ...] = (), dropped: dict[str, int] | None = None,
          names: list[str] | None = None) -> Callable[[Any], None]:
    """A boundary loaded with ``kept`` areas, every feature accounted for."""
    def check(outcome: Any) -> None:
        areas, report = outcome
        assert (report.features_kept, len(areas)) == (kept, kept), report.to_text()
        assert report.features_read == kept + sum(report.dropped.values()), (
            f"silent drop: {report.to_text()}")
        if dropped is not None:
            assert report.dropped == dropped, report.dropped
        text = report.to_text()
        for note in notes:
            assert note in text, f"{note!r} not in {text!r}"
        if names is not None:
            assert areas["area_name"].tolist() == names, areas["area_name"].tolist()
        assert areas.crs.to_epsg() == 27700
        assert areas.geometry.is_valid.all() and not areas.geometry.is_empty.any()
        assert all(math.isfinite(v) for v in areas.total_bounds)
    return check


def _no_overlap(check: Callable[[Any], None]) -> Callable[[Any], None]:
    """``check``, and no two areas share more than a boundary (no crime counted twice)."""
    def both(outcome: Any) -> None:
        check(outcome)
        geoms = list(outcome[0].geometry)
        for i, a in enumerate(geoms):
            for b in geoms[i + 1:]:
                assert a.intersection(b).area < 1e-6, "areas still overlap"
    return both


def boundary_case(name: str, build: Callable[[Path], Path], expect: Any) -> Case:
    return Case(f"boundary/{name}", build, expect, load_boundary)


def text_case(name: str, filename: str, text: str | bytes, expect: Any) -> Case:
    return boundary_case(name, lambda d: write(d, filename, text), expect)


def shapefile(folder: Path, prj: str | None, *, degrees: bool = False) -> Path:
    import geopandas as gpd
    import shapely

    path = folder / "areas.shp"
    box = shapely.box(-1.2, 52.9, -1.1, 53.0) if degrees else shapely.box(
        430000, 433000, 431000, 434000)
    gpd.GeoDataFrame({"name": ["A"]}, geometry=[box], crs="EPSG:27700").to_file(path)
    prj_path = path.with_suffix(".prj")
    if prj_path.exists():
        prj_path.unlink()
    if prj is not None:
        prj_path.write_text(prj)
    return path


def cases() -> list[Case]:
    two = [feature(polygon(), name="North"), feature(polygon(-1.10), name="South")]
    nan_ring = [[[-1.2, 52.9], [float("nan"), 52.9], [-1.15, 52.95], [-1.2, 52.9]]]
    bowtie = [[[-1.2, 52.9], [-1.1, 53.0], [-1.1, 52.9], [-1.2, 53.0], [-1.2, 52.9]]]
    return [
        text_case("valid-two-areas", "wards.geojson", geojson(two),
                  loads(2, names=["North", "South"])),
        text_case("overlap-first-wins", "wards.geojson", geojson(
            [feature(polygon(), name="Big"), feature(polygon(-1.18, 52.92, 0.02), name="In")]),
            loads(1, notes=("overlap",), dropped={"wholly inside earlier areas": 1})),
        text_case("overlap-partial", "wards.geojson", geojson(
            [feature(polygon(), name="West"), feature(polygon(-1.17), name="East")]),
            _no_overlap(loads(2, notes=("overlap",), names=["West", "East"]))),
        text_case("duplicate-polygon", "wards.geojson", geojson(
            [feature(polygon(), name="A"), feature(polygon(), name="A again")]),
            loads(1, notes=("overlap",), dropped={"wholly inside earlier areas": 1})),
        text_case("nan-vertex", "wards.geojson", geojson(
            [*two, feature({"type": "Polygon", "coordinates": nan_ring}, name="Bad")]),
            loads(2, names=["North", "South"], dropped={"NaN or infinite coordinates": 1})),
        text_case("all-nan-vertices", "wards.geojson", geojson(
            [feature({"type": "Polygon", "coordinates": nan_ring}, name="Bad")]),
            Refuses(("wards.geojson", "every area has NaN", "Check the file"),
                    InputFileError)),
        text_case("bowtie-repaired", "wards.geojson", geojson(
            [feature({"type": "Polygon", "coordinates": bowtie}, name="Bow")]),
            loads(1, notes=("Repaired",))),
        text_case("empty-layer", "wards.geojson", geojson([]),
                  Refuses(("wards.geojson", "no features", "--boundary-layer"),
                          InputFileError)),
        text_case("points-not-polygons", "wards.geojson", geojson(
            [feature({"type": "Point", "coordinates": [-1.2, 52.9]}, name="P")]),
            Refuses(("wards.geojson", "polygon"), InputFileError)),
        text_case("lines-not-polygons", "wards.geojson", geojson(
            [feature({"type": "LineString", "coordinates": [[-1.2, 52.9], [-1.1, 53.0]]},
                     name="L")]),
            Refuses(("wards.geojson", "polygon"), InputFileError)),
        text_case("polygons-and-a-point", "wards.geojson", geojson(
            [*two, feature({"type": "Point", "coordinates": [-1.2, 52.9]}, name="P")]),
            loads(2, dropped={"no polygonal part": 1})),
        text_case("null-geometry", "wards.geojson", geojson(
            [*two, feature(None, name="Nothing")]), loads(2, dropped={"empty geometry": 1})),
        text_case("html-names", "wards.geojson", geojson(
            [feature(polygon(), name="<img src=x onerror=alert(1)>"),
             feature(polygon(-1.10), name="=HYPERLINK(\"http://x\")")]),
            loads(2, names=["<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\")"])),
        text_case("lonlat-declared-bng", "wards.geojson", geojson(two, crs="EPSG:27700"),
                  Refuses(("wards.geojson", "look like longitude/latitude", "EPSG:4326"),
                          CRSError)),
        text_case("bng-values-declared-lonlat", "wards.geojson", geojson(
            [feature({"type": "Polygon", "coordinates": square(430000, 433000, 1000)},
                     name="A")]),
            Refuses(("wards.geojson", "look like metres", "real CRS"), CRSError)),
        text_case("huge-coordinates", "wards.geojson", geojson(
            [feature({"type": "Polygon", "coordinates": square(1e300, 1e300, 1e299)},
                     name="A")]),
            Refuses(("wards.geojson", r"1e\+300", "real CRS"), CRSError)),
        text_case("not-geojson", "wards.geojson", "this is not json {",
                  Refuses(("wards.geojson", "Could not open boundary", "not recognized",
                           "Give a GeoPackage"),
                          InputFileError)),
        text_case("binary-garbage", "wards.gpkg", bytes(range(256)) * 8,
                  Refuses(("wards.gpkg", "not recognized", "Give a GeoPackage"),
                          InputFileError)),
        text_case("csv-without-geometry", "areas.csv", "name,population\nA,100\nB,200\n",
                  Refuses(("areas.csv", "no geometry"), InputFileError)),
        boundary_case("missing-file", lambda d: d / "nowhere.gpkg",
                      Refuses(("nowhere.gpkg", "does not exist"), InputFileError)),
        boundary_case("shapefile-no-prj", lambda d: shapefile(d, None),
                      Refuses(("areas.shp", "no CRS", ".prj"), CRSError)),
        boundary_case("shapefile-engineering-prj", lambda d: shapefile(d, ENGINEERING_PRJ),
                      Refuses(("areas.shp", "engineering"), CRSError)),
        boundary_case("shapefile-bng-prj", lambda d: shapefile(d, BNG_PRJ), loads(1)),
        boundary_case("shapefile-bng-prj-degree-values",
                      lambda d: shapefile(d, BNG_PRJ, degrees=True),
                      Refuses(("areas.shp", "look like longitude/latitude", ".prj"),
                              CRSError)),
    ]
