"""Study-area boundaries: any polygon layer GDAL reads, in any CRS.

GeoPackage, GeoJSON, Shapefile (also zipped: ``areas.zip``, ``zip://areas.zip`` or
``/vsizip/areas.zip/folder/areas.shp``), KML and anything else pyogrio opens. Layers are
reprojected to the analysis CRS, invalid polygons are repaired with
:func:`shapely.make_valid` (keeping their polygonal parts), and each area gets a name in
the column ``area_name``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import InputFileError
from hotspots.io.report import BoundaryReport

__all__ = ["load_boundary", "as_boundary_geometry", "AREA_NAME"]

#: The column that holds each area's name in a loaded boundary.
AREA_NAME = "area_name"
#: Reason for boundary features dropped because their geometry is missing or empty.
DROP_EMPTY = "empty geometry"
#: Reason for boundary features dropped because they have no polygonal part.
DROP_NOT_POLYGON = "no polygonal part"

_POLYGONAL = ("Polygon", "MultiPolygon")
_VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".fgb", ".gml", ".tab")
# ONS boundary files name their name columns like LAD22NM, WD22NM, MSOA21NM.
_ONS_NAME = re.compile(r"^[A-Z]+\d{2}NM$")


def _name_like(column: str) -> bool:
    low = column.lower()
    return low == "name" or low.endswith("_name") or low.endswith("name") or bool(
        _ONS_NAME.match(column)
    )


def _resolve(path: str | Path, layer: str | None) -> tuple[str, str | None]:
    """Return a path pyogrio can open (zip members resolved) and the member/layer label."""
    text = str(path)
    if text.startswith(("/vsizip/", "zip://", "/vsi", "http://", "https://")):
        return text, None
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"Boundary file {text!r} does not exist.")
    if p.suffix.lower() != ".zip":
        return text, None
    try:
        with zipfile.ZipFile(p) as zf:
            members = [
                m for m in zf.namelist()
                if m.lower().endswith(_VECTOR_SUFFIXES) and not m.startswith("__MACOSX")
            ]
    except zipfile.BadZipFile:
        raise InputFileError(f"Boundary file {text!r} is not a valid zip archive.") from None
    if not members:
        raise InputFileError(
            f"No boundary layer in {text!r}: the archive has no .shp, .gpkg, .geojson or "
            ".kml file."
        )
    if len(members) > 1 and layer is not None:
        chosen = [m for m in members if Path(m).stem == layer or m == layer]
        if chosen:
            return f"/vsizip/{p.resolve()}/{chosen[0]}", chosen[0]
    if len(members) > 1:
        raise InputFileError(
            f"{text!r} holds several boundary files: {', '.join(members)}. Choose one with "
            "layer=... (--boundary-layer), giving its name without extension."
        )
    return f"/vsizip/{p.resolve()}/{members[0]}", members[0]


def _choose_layer(path: str, layer: str | None, label: str) -> str | None:
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise InputFileError(f"Could not open boundary {label!r}: {exc}") from None
    names = [str(name) for name, _ in layers]
    if layer is not None:
        if layer not in names:
            raise InputFileError(
                f"Boundary {label!r} has no layer {layer!r}; its layers are: {', '.join(names)}."
            )
        return layer
    if len(layers) <= 1:
        return None
    polygonal = [str(n) for n, kind in layers if kind and "polygon" in str(kind).lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    listed = ", ".join(f"{n} ({kind})" for n, kind in layers)
    raise InputFileError(
        f"Boundary {label!r} has several layers: {listed}. Choose one with layer=... "
        "(--boundary-layer)."
    )


def _polygonal_part(geom: Any) -> Any:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in _POLYGONAL:
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL]
        if parts:
            return shapely.union_all(parts)
    return None


def _repair(gdf: gpd.GeoDataFrame, report: BoundaryReport, label: str) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.array
    missing = gdf.geometry.isna().to_numpy() | shapely.is_empty(geoms)
    if missing.any():
        report.dropped[DROP_EMPTY] = int(missing.sum())
        gdf = gdf.loc[~missing]
        geoms = gdf.geometry.array
    kinds = set(gdf.geom_type.unique()) if len(gdf) else set()
    if len(gdf) and not kinds & {*_POLYGONAL, "GeometryCollection"}:
        raise InputFileError(
            f"Boundary {label!r} holds {', '.join(sorted(kinds))} features, not polygons. "
            "A study area needs a polygon layer (e.g. wards, districts, a drawn area)."
        )
    invalid = ~shapely.is_valid(geoms)
    fixed = list(gdf.geometry)
    for i in invalid.nonzero()[0]:
        fixed[i] = shapely.make_valid(fixed[i])
    report.repaired = int(invalid.sum())
    if report.repaired:
        report.notes.append(
            f"Repaired {report.repaired:,} invalid polygon(s) (self-intersections etc.) with "
            "shapely.make_valid, keeping their polygonal parts."
        )
    polys = [_polygonal_part(g) for g in fixed]
    keep = [p is not None for p in polys]
    if not all(keep):
        report.dropped[DROP_NOT_POLYGON] = keep.count(False)
    out = gdf.loc[keep].copy()
    out = out.set_geometry(gpd.GeoSeries([p for p in polys if p is not None],
                                         index=out.index, crs=gdf.crs))
    if len(out) == 0:
        raise InputFileError(f"Boundary {label!r} has no polygon with an area.")
    return out


def _name_areas(gdf: gpd.GeoDataFrame, name_column: str | None, label: str,
                report: BoundaryReport) -> gpd.GeoDataFrame:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if name_column is not None:
        if name_column not in columns:
            raise ColumnMappingError(
                f"name_column={name_column!r} is not a column of boundary {label!r}; its "
                f"columns are: {', '.join(map(repr, columns)) or 'none'}."
            )
        chosen = name_column
    elif AREA_NAME in columns:
        chosen = AREA_NAME
    else:
        textual = [c for c in columns if pd.api.types.is_string_dtype(gdf[c])
                   or gdf[c].dtype == object]
        chosen = next((c for c in textual if _name_like(str(c))), None)
    out = gdf.copy()
    if chosen is None:
        names = [f"Area {i + 1}" for i in range(len(out))]
        report.notes.append(
            "No name column found (a column called name, *_name or like LAD22NM); areas "
            "are named 'Area 1', 'Area 2', ... Pass name_column= (--name-column) to choose one."
        )
        report.name_column = ""
    else:
        names = out[chosen].astype("str").fillna("").to_list()
        report.name_column = str(chosen)
    if AREA_NAME in out.columns:
        out = out.drop(columns=AREA_NAME)
    out.insert(0, AREA_NAME, pd.Series(names, index=out.index, dtype="str"))
    return out


def load_boundary(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = "EPSG:27700",
    name_column: str | None = None,
) -> tuple[gpd.GeoDataFrame, BoundaryReport]:
    """Read a polygon layer, repair it, reproject it to ``crs`` and name its areas.

    Parameters
    ----------
    path : str or Path
        Any file GDAL reads (GeoPackage, GeoJSON, Shapefile, KML, ...); a ``.zip`` holding
        one shapefile (or other layer) is opened inside the archive.
    layer : str, optional
        Layer to read, for multi-layer files (or the file name without extension, inside
        a zip holding several). Default: the only layer, or the only polygon layer.
    crs : str or None
        CRS of the returned table (default British National Grid); None keeps the file's
        own CRS.
    name_column : str, optional
        Column with the area names. Default: the first column called ``name``, ``*_name``
        or like ``LAD22NM``; else areas are numbered.

    Returns
    -------
    areas : GeoDataFrame
        One row per area with ``area_name`` first, the original columns, and polygons in
        ``crs``.
    report : BoundaryReport

    Raises
    ------
    InputFileError
        The file is missing, unreadable, or not a polygon layer.
    CRSError
        The layer has no CRS.

    Examples
    --------
    >>> import tempfile, os, shapely
    >>> square = shapely.box(-1.2, 52.9, -1.1, 53.0)
    >>> path = os.path.join(tempfile.mkdtemp(), "area.geojson")
    >>> gpd.GeoDataFrame({"ward_name": ["Centre"]}, geometry=[square],
    ...                  crs="EPSG:4326").to_file(path)
    >>> areas, report = load_boundary(path)
    >>> areas["area_name"].tolist(), areas.crs.to_epsg(), report.name_column
    (['Centre'], 27700, 'ward_name')
    """
    label = str(path)
    resolved, member = _resolve(path, layer)
    chosen_layer = None if member is not None else _choose_layer(resolved, layer, label)
    try:
        gdf = gpd.read_file(resolved, layer=chosen_layer)
    except Exception as exc:  # pyogrio/GDAL errors vary by driver
        raise InputFileError(f"Could not read boundary {label!r}: {exc}") from None
    report = BoundaryReport(
        source=label + (f":{member}" if member else ""),
        layer=chosen_layer,
        features_read=len(gdf),
        crs="" if crs is None else CRS.from_user_input(crs).to_string(),
    )
    if gdf.crs is None:
        raise CRSError(
            f"Boundary {label!r} has no CRS, so its coordinates cannot be placed on the map. "
            "Add one (for a shapefile, the .prj file beside the .shp), or set it with "
            "gdf.set_crs('EPSG:4326') for longitude/latitude or 'EPSG:27700' for British "
            "National Grid, then save or pass the GeoDataFrame."
        )
    report.source_crs = CRS.from_user_input(gdf.crs).to_string()
    # None keeps the file's own CRS (callers reproject once, straight to the crimes' CRS)
    target = CRS.from_user_input(gdf.crs if crs is None else crs)
    report.crs = target.to_string()
    if len(gdf) == 0:
        raise InputFileError(f"Boundary {label!r} has no features.")
    _check_degrees(gdf, label)
    gdf = _repair(gdf, report, label)
    if CRS.from_user_input(gdf.crs) != target:
        gdf = gdf.to_crs(target)
        report.notes.append(f"Reprojected from {report.source_crs} to {report.crs}.")
    gdf = _name_areas(gdf, name_column, label, report)
    report.features_kept = len(gdf)
    return gdf.reset_index(drop=True), report


def _check_degrees(gdf: gpd.GeoDataFrame, label: str) -> None:
    """Refuse a layer that says it is in degrees but holds metre-sized coordinates.

    GeoJSON has no way to say "no CRS": a file without one is read as longitude/latitude,
    so eastings/northings saved as GeoJSON arrive here looking like degrees in the
    hundreds of thousands.
    """
    if not CRS.from_user_input(gdf.crs).is_geographic:
        return
    minx, miny, maxx, maxy = gdf.total_bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise CRSError(
            f"Boundary {label!r} says it is in {CRS.from_user_input(gdf.crs).to_string()} "
            f"(longitude/latitude), but its coordinates reach ({minx:.0f}, {miny:.0f}) to "
            f"({maxx:.0f}, {maxy:.0f}), which look like metres, e.g. British National Grid "
            "eastings/northings. Save it with its real CRS (for GeoJSON, reproject to "
            "EPSG:4326; or use a GeoPackage, which records EPSG:27700)."
        )


def as_boundary_geometry(boundary: Any, *, crs: str | CRS) -> Any:
    """Return the union of ``boundary`` as one prepared shapely geometry in ``crs``.

    ``boundary`` is a GeoDataFrame or GeoSeries in any CRS, or a path read with
    :func:`load_boundary`.

    Examples
    --------
    >>> s = gpd.GeoSeries([shapely.box(0, 0, 10, 10)], crs="EPSG:27700")
    >>> as_boundary_geometry(s, crs="EPSG:27700").area
    100.0
    """
    if isinstance(boundary, str | Path):
        boundary, _ = load_boundary(boundary, crs=str(crs))
    if not isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        raise TypeError(
            "'boundary' should be a GeoDataFrame, GeoSeries or file path, got "
            f"{type(boundary)}"
        )
    if boundary.crs is None:
        raise CRSError(
            "'boundary' has no CRS. Set it with boundary.set_crs(...) ('EPSG:4326' for "
            "longitude/latitude, 'EPSG:27700' for British National Grid)."
        )
    geoms = boundary.to_crs(crs).geometry if isinstance(boundary, gpd.GeoDataFrame) \
        else boundary.to_crs(crs)
    union = shapely.union_all(shapely.make_valid(geoms.dropna().array))
    shapely.prepare(union)
    return union
