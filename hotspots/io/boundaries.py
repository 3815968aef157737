"""Study-area boundaries: any polygon layer GDAL reads, in any CRS.

GeoPackage, GeoJSON, Shapefile (also zipped: ``areas.zip``, ``zip://areas.zip`` or
``/vsizip/areas.zip/folder/areas.shp``), KML and anything else pyogrio opens. Layers are
reprojected to the analysis CRS, invalid polygons are repaired with
:func:`shapely.make_valid` (keeping their polygonal parts), and each area gets a name in
the column ``area_name``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import InputFileError
from hotspots.io.report import BoundaryReport
from hotspots.io.sources import member_problem
from hotspots.io.sources import zip_members
from hotspots.spatial import crs_problem
from hotspots.validation import check_choice

__all__ = ["load_boundary", "as_boundary_geometry", "AREA_NAME"]

#: The fix every "cannot read this boundary" message ends with.
_FIX = ("Give a GeoPackage, GeoJSON, Shapefile (with its .shx, .dbf and .prj) or KML of the "
        "areas")

#: The column that holds each area's name in a loaded boundary.
AREA_NAME = "area_name"
#: Reason for boundary features dropped because their geometry is missing or empty.
DROP_EMPTY = "empty geometry"
#: Reason for boundary features dropped because they have no polygonal part.
DROP_NOT_POLYGON = "no polygonal part"
#: Reason for boundary features dropped because a vertex is NaN or infinite.
DROP_NOT_FINITE = "NaN or infinite coordinates"
#: Reason for areas dropped because they lie wholly inside earlier ones (overlaps="first").
DROP_INSIDE_EARLIER = "wholly inside earlier areas"
#: What to do with areas that overlap: give each overlap to the first area in file order
#: (so every crime is counted once), keep them as they are, or refuse the file.
OVERLAPS = ("first", "keep", "error")

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
        raise InputFileError(f"Boundary file {text!r} does not exist. Check the path.")
    if p.suffix.lower() != ".zip":
        return text, None
    try:
        infos = zip_members(p)
    except InputFileError as exc:
        raise InputFileError(f"Boundary file {text!r} cannot be opened: {exc}") from None
    refused = [f"{i.filename}: {why}" for i in infos if (why := member_problem(i))]
    if refused:
        raise InputFileError(
            f"Boundary file {text!r} holds member(s) that cannot be read safely: "
            f"{'; '.join(refused[:3])}. Extract the boundary layer and give it directly.")
    members = [i.filename for i in infos
               if i.filename.lower().endswith(_VECTOR_SUFFIXES)
               and not i.filename.startswith("__MACOSX")]
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
        why = str(exc).split("; It might help")[0].rstrip(".")  # GDAL's hint is for coders
        raise InputFileError(f"Could not open boundary {label!r}: {why}. {_FIX}.") from None
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
        raise InputFileError(f"Boundary {label!r} has no polygon with an area. {_FIX}.")
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
    overlaps: str = "first",
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
    overlaps : {"first", "keep", "error"}
        Areas that overlap (a polygon drawn twice, wards and their district in one layer):
        ``"first"`` (default) gives each overlap to the first area in file order, so that
        every crime is counted in one area at most; ``"keep"`` keeps them (crimes in an
        overlap count in each); ``"error"`` refuses the file. Each case is reported.

    Returns
    -------
    areas : GeoDataFrame
        One row per area with ``area_name`` first, the original columns, and polygons in
        ``crs``.
    report : BoundaryReport

    Raises
    ------
    InputFileError
        The file is missing, unreadable, not a polygon layer, or (``overlaps="error"``) has
        overlapping areas.
    CRSError
        The layer has no CRS, or one that cannot place it on the Earth (an engineering
        CRS), or its coordinates do not fit its CRS.

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
    check_choice(overlaps, name="overlaps", choices=OVERLAPS)
    target_crs = None if crs is None else _checked_crs(crs, "The 'crs' parameter")
    resolved, member = _resolve(path, layer)
    chosen_layer = None if member is not None else _choose_layer(resolved, layer, label)
    try:
        gdf = gpd.read_file(resolved, layer=chosen_layer)
    except Exception as exc:  # pyogrio/GDAL errors vary by driver
        raise InputFileError(f"Could not read boundary {label!r}: {exc} {_FIX}.") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputFileError(
            f"Boundary {label!r} has no geometry: it is a table (columns: "
            f"{', '.join(map(str, list(gdf.columns)[:10])) or 'none'}), not a polygon layer. "
            "Give a GeoPackage, GeoJSON, Shapefile or KML of the areas.")
    report = BoundaryReport(
        source=label + (f":{member}" if member else ""),
        layer=chosen_layer,
        features_read=len(gdf),
        crs="" if target_crs is None else target_crs.to_string(),
    )
    if gdf.crs is None:
        raise CRSError(
            f"Boundary {label!r} has no CRS, so its coordinates cannot be placed on the map. "
            "Add one (for a shapefile, the .prj file beside the .shp), or set it with "
            "gdf.set_crs('EPSG:4326') for longitude/latitude or 'EPSG:27700' for British "
            "National Grid, then save or pass the GeoDataFrame."
        )
    source_crs = _checked_crs(gdf.crs, f"Boundary {label!r}")
    report.source_crs = source_crs.to_string()
    # None keeps the file's own CRS (callers reproject once, straight to the crimes' CRS)
    target = source_crs if target_crs is None else target_crs
    report.crs = target.to_string()
    if len(gdf) == 0:
        raise InputFileError(f"Boundary {label!r} has no features (an empty layer). {_FIX}, "
                             "or choose the layer that holds them (--boundary-layer).")
    gdf = _finite(gdf, report, label, "")
    _check_degrees(gdf, label)
    gdf = _repair(gdf, report, label)
    if source_crs != target:
        gdf = _finite(gdf.to_crs(target), report, label, f" in {report.crs}")
        report.notes.append(f"Reprojected from {report.source_crs} to {report.crs}.")
    gdf = _name_areas(gdf, name_column, label, report)
    gdf = _resolve_overlaps(gdf, report, label, overlaps)
    report.features_kept = len(gdf)
    return gdf.reset_index(drop=True), report


def _checked_crs(crs: Any, what: str) -> CRS:
    """``crs`` as a pyproj CRS that can place polygons on the Earth, or a CRSError."""
    try:
        parsed = CRS.from_user_input(crs)
    except Exception:  # pyproj.exceptions.CRSError, TypeError
        raise CRSError(f"{what}: {crs!r} is not a CRS pyproj knows; use e.g. 'EPSG:27700'.") \
            from None
    problem = crs_problem(parsed)
    if problem:
        raise CRSError(f"{what} cannot be used: {problem}.")
    return parsed


def _finite(gdf: gpd.GeoDataFrame, report: BoundaryReport, label: str,
            where: str) -> gpd.GeoDataFrame:
    """``gdf`` without features that have a NaN or infinite vertex (dropped and counted)."""
    geoms = np.asarray(gdf.geometry.array)
    present = ~shapely.is_missing(geoms)
    counts = shapely.get_num_coordinates(geoms[present])
    coords = shapely.get_coordinates(geoms[present])
    bad_vertex = ~np.isfinite(coords).all(axis=1)
    bad = np.zeros(len(gdf), dtype=bool)
    owners = np.repeat(np.flatnonzero(present), counts)
    bad[np.unique(owners[bad_vertex])] = True
    if not bad.any():
        return gdf
    report.dropped[DROP_NOT_FINITE] = report.dropped.get(DROP_NOT_FINITE, 0) + int(bad.sum())
    report.notes.append(f"Dropped {int(bad.sum()):,} area(s) of {label} with NaN or infinite "
                        f"coordinates{where}; fix their geometry in a GIS to keep them.")
    if bad.all():
        raise InputFileError(f"Boundary {label!r}: every area has NaN or infinite coordinates"
                             f"{where}, so none can be used. Check the file and its CRS.")
    return gdf.loc[~bad]


#: Overlaps smaller than this share of the smaller area are rounding noise along shared
#: edges, not overlapping areas.
OVERLAP_TOLERANCE = 1e-6


def _resolve_overlaps(gdf: gpd.GeoDataFrame, report: BoundaryReport, label: str,
                      mode: str) -> gpd.GeoDataFrame:
    """Find areas that overlap; report them and (``"first"``) make the areas disjoint."""
    geoms = np.asarray(gdf.geometry.array).copy()
    if len(geoms) < 2:
        return gdf
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    sizes = shapely.area(geoms)
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(sizes[left], sizes[right])
    over = shared > OVERLAP_TOLERANCE * smaller
    if not over.any():
        return gdf
    left, right, share = left[over], right[over], shared[over] / smaller[over]
    names = gdf[AREA_NAME].to_numpy()
    top = int(np.argmax(share))
    found = (f"{len(left):,} pair(s) of areas in {label} overlap (the largest overlap: "
             f"{names[left[top]]!r} and {names[right[top]]!r}, {share[top]:.1%} of the "
             "smaller)")
    if mode == "error":
        raise InputFileError(f"{found}. Fix the layer so that areas do not overlap, or load it "
                             "with overlaps='first' (each overlap goes to the first area).")
    if mode == "keep":
        report.notes.append(f"{found}; they were kept, so a crime in an overlap is counted in "
                            "each area and counts add up to more than the crimes.")
        return gdf
    emptied = []
    for j in np.unique(right):
        earlier = shapely.union_all(geoms[left[right == j]])
        trimmed = _polygonal_part(shapely.make_valid(shapely.difference(geoms[j], earlier)))
        if trimmed is None or trimmed.is_empty:
            emptied.append(int(j))
        geoms[j] = trimmed
    report.notes.append(f"{found}; each overlap was given to the first of its areas in file "
                        "order, so every crime is counted in one area at most.")
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs))
    if emptied:
        report.dropped[DROP_INSIDE_EARLIER] = len(emptied)
        report.notes.append(
            f"{len(emptied):,} area(s) lay wholly inside earlier ones and were dropped "
            f"({', '.join(repr(str(names[j])) for j in emptied[:3])}); a layer mixing levels "
            "(wards and their district) should be split into one file per level.")
        out = out.drop(index=out.index[emptied])
    return out


def _check_degrees(gdf: gpd.GeoDataFrame, label: str) -> None:
    """Refuse a layer whose coordinates do not fit its CRS's units.

    GeoJSON has no way to say "no CRS": a file without one is read as longitude/latitude,
    so eastings/northings saved as GeoJSON arrive here looking like degrees in the
    hundreds of thousands. The reverse: a layer that says it is in metres (British National
    Grid, a UTM zone) but whose every coordinate, read as longitude/latitude, lies in that
    CRS's own area of use holds longitude/latitude; read as metres it would be a speck a
    few metres across at the CRS's origin (for British National Grid, in the sea off
    Cornwall).
    """
    crs = CRS.from_user_input(gdf.crs)
    minx, miny, maxx, maxy = gdf.total_bounds
    span = f"({minx:,.6g}, {miny:,.6g}) to ({maxx:,.6g}, {maxy:,.6g})"
    if crs.is_geographic and (minx < -180 or maxx > 180 or miny < -90 or maxy > 90):
        raise CRSError(
            f"Boundary {label!r} says it is in {crs.to_string()} (longitude/latitude), but "
            f"its coordinates reach {span}, which look like metres, e.g. British National "
            "Grid eastings/northings. Save it with its real CRS (for GeoJSON, reproject to "
            "EPSG:4326; or use a GeoPackage, which records EPSG:27700)."
        )
    area = crs.area_of_use
    if crs.is_projected and area is not None and area.west <= minx and maxx <= area.east \
            and area.south <= miny and maxy <= area.north:
        raise CRSError(
            f"Boundary {label!r} says it is in {crs.to_string()} ({crs.name}, in metres), but "
            f"all its coordinates lie within {span}, which look like longitude/latitude in "
            f"degrees (in the area where {crs.to_string()} is used), not metres. Save it "
            "with its real CRS (EPSG:4326 for longitude/latitude; for a shapefile, fix the "
            ".prj file beside the .shp)."
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
