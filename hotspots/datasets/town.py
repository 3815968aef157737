"""The fixed geography of the synthetic demo town Kestlebury (see :mod:`hotspots.datasets.sample`).

The outline, neighbourhoods, LSOAs, named streets and anonymised map points are built from
constants and a fixed seed, so they never change with the crime seed. The planted areas are
defined here too, because the street layout keeps clear of their edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

#: The town (streets, map points, boundaries) never changes with the seed.
GEOGRAPHY_SEED = 1729

TOWN_NAME = "Kestlebury"
FORCE_NAME = "Kestleshire Police"
FORCE_SLUG = "kestleshire"
CRS = "EPSG:27700"
#: Centre of the town in British National Grid (a rural-looking spot in the East Midlands).
CENTRE = (440_000.0, 360_000.0)
#: Semi-axes (x, y) in metres of the ellipse the town outline is drawn around.
SEMI_AXES = (3_950.0, 2_950.0)
#: "X" is not a GSS country letter (E, W, S, N, K, ...), so these never collide with ONS codes.
LSOA_CODE_PREFIX = "X01"
#: The OSGB36 -> WGS84 transformation PROJ uses without the OSTN15 grid ("OSGB36 to WGS 84 (6)",
#: EPSG:1314, about 2 m accuracy), pinned so the files are byte-identical on every machine.
BNG_TO_WGS84 = (
    "+proj=pipeline +step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 "
    "+y_0=-100000 +ellps=airy +step +proj=push +v_3 +step +proj=cart +ellps=airy "
    "+step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 "
    "+s=-20.489 +convention=position_vector +step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)
#: Month index (0-based) at which the retail park opens and the scheme starts: month 13.
SECOND_YEAR = 12

# --- planted truth -------------------------------------------------------------------------


@dataclass(frozen=True)
class Plant:
    """A planted cluster: extra crimes of some types around a centre, from a first month."""

    key: str
    name: str
    kind: str
    centre: tuple[float, float]
    radius: float
    extra: dict[str, float]  # expected extra crimes per month, by category
    first: int = 0  # first month index
    growth: float = 0.0  # extra crimes added each month after ``first`` (split like ``extra``)
    boost: tuple[str, ...] = ()  # map-point labels that draw more of the planted crimes


PLANTS: tuple[Plant, ...] = (
    Plant("burglary_estate", "Hollinmoor estate burglary", "persistent",
          (442_100.0, 361_250.0), 300.0, {"Burglary": 14.0}),
    Plant("town_centre_robbery", "Market Place robbery and theft from the person", "persistent",
          (439_950.0, 360_050.0), 150.0, {"Robbery": 6.0, "Theft from the person": 10.0},
          boost=("Market Place", "Shopping Area", "Bus/Coach Station")),
    Plant("night_time_economy", "Brewers Row night-time economy (VAWG proxy)", "persistent",
          (440_450.0, 359_715.0), 200.0,
          {"Violence and sexual offences": 24.0, "Public order": 10.0},
          boost=("Brewers Row", "Nightclub")),
    Plant("retail_park_vehicle", "Kestle Retail Park car park vehicle crime", "emerging",
          (437_500.0, 358_350.0), 150.0, {"Vehicle crime": 4.0}, first=SECOND_YEAR,
          growth=2.0, boost=("Parking Area",)),
)


@dataclass(frozen=True)
class Scheme:
    """The street-lighting/CCTV scheme: target circle, displacement ring, control area."""

    name: str = "Ferncliffe Rise street lighting and CCTV scheme"
    intervention: str = "improved street lighting and CCTV"
    centre: tuple[float, float] = (438_500.0, 361_350.0)
    radius: float = 250.0
    ring: tuple[float, float] = (250.0, 500.0)
    control_name: str = "Brackwater control area"
    control_centre: tuple[float, float] = (441_700.0, 358_500.0)
    control_radius: float = 250.0
    start: int = SECOND_YEAR
    effect: float = 0.40  # share of affected crimes prevented in the coverage
    displacement: float = 0.10  # share of prevented crimes moved into the ring
    # Extra crimes per month in both the target and the control area (before trend and season),
    # so that each has well over 30 affected crimes a month before the scheme.
    baseline: dict[str, float] = field(default_factory=lambda: {
        "Violence and sexual offences": 12.0, "Burglary": 7.0, "Vehicle crime": 6.0,
        "Public order": 3.0, "Robbery": 1.0, "Theft from the person": 1.0,
    })


SCHEME = Scheme()
#: Neighbourhood crime (Home Office proxy) plus VAWG public-space proxy (DESIGN.md crime groups).
SCHEME_CATEGORIES = (
    "Burglary", "Robbery", "Theft from the person", "Vehicle crime",
    "Violence and sexual offences", "Public order",
)

# --- geography -----------------------------------------------------------------------------
_NEIGHBOURHOODS = (
    ("KS01", "Kestlebury Central", (440_000, 360_000)),
    ("KS02", "Wendlegate", (440_100, 361_500)),
    ("KS03", "Hollinmoor", (442_000, 361_100)),
    ("KS04", "Eastbrack", (442_300, 359_700)),
    ("KS05", "Southfennick", (440_600, 358_300)),
    ("KS06", "Kestle Vale", (438_300, 358_500)),
    ("KS07", "Marrowby", (437_800, 360_000)),
    ("KS08", "Ferncliffe Rise", (438_400, 361_600)),
    ("KS09", "Wendle Hill", (436_900, 361_000)),
    ("KS10", "Brackwater", (442_600, 358_200)),
)
#: Centres of the neighbourhood shopping parades, where commercial crime gathers outside
#: the town centre (the demo tests keep them apart from the planted hotspots).
PARADES = ((438_200, 360_300), (441_600, 359_300), (440_300, 361_550), (442_700, 360_300))
_RETAIL_PARK_CLEARANCE = 260.0
_BREWERS_ROW = ((440_300.0, 359_650.0), (440_600.0, 359_780.0))
# (x, y, label, active from month index); labels are police.uk's "On or near ..." places.
_SPECIAL_POINTS: tuple[tuple[float, float, str, int], ...] = (
    (439_900, 360_020, "Market Place", 0), (439_960, 360_090, "Market Place", 0),
    (440_010, 360_030, "Market Place", 0), (439_920, 360_110, "Market Place", 0),
    (440_040, 359_990, "Shopping Area", 0), (439_850, 359_980, "Bus/Coach Station", 0),
    (440_230, 360_180, "Parking Area", 0), (439_850, 360_240, "Theatre/Concert Hall", 0),
    (440_320, 360_320, "Police Station", 0), (440_460, 359_740, "Nightclub", 0),
    (437_450, 358_420, "Supermarket", SECOND_YEAR),
    (437_480, 358_310, "Parking Area", SECOND_YEAR),
    (437_560, 358_370, "Parking Area", SECOND_YEAR),
    (437_540, 358_270, "Parking Area", SECOND_YEAR),
    (437_420, 358_340, "Parking Area", SECOND_YEAR),
    (437_610, 358_430, "Shopping Area", SECOND_YEAR),
    (437_360, 358_280, "Petrol Station", SECOND_YEAR),
    (438_900, 359_250, "Hospital", 0), (439_500, 361_000, "Further/Higher Educational Building", 0),
    (441_500, 360_700, "Sports/Recreation Area", 0), (441_000, 361_800, "Park/Open Space", 0),
    (439_000, 358_800, "Park/Open Space", 0), (442_950, 359_900, "Petrol Station", 0),
    (438_200, 360_330, "Supermarket", 0), (441_600, 359_330, "Supermarket", 0),
    (440_300, 361_580, "Supermarket", 0), (442_700, 360_330, "Supermarket", 0),
)
#: How strongly each kind of place draws commercial crime (shops, car parks, late-night venues).
_COMMERCIAL_PULL = {
    "Shopping Area": 6.0, "Supermarket": 5.0, "Market Place": 4.0, "Bus/Coach Station": 4.0,
    "Nightclub": 4.0, "Parking Area": 3.0, "Petrol Station": 2.0, "Theatre/Concert Hall": 2.0,
    "Hospital": 2.0, "Further/Higher Educational Building": 1.5, "Sports/Recreation Area": 1.5,
}
#: Kestle Retail Park's share of the town's commercial pull once it opens.
_RETAIL_PARK_SHARE = 0.08
_STREET_WORDS = (
    "Alder", "Ash", "Aspen", "Beech", "Birch", "Blackthorn", "Bramble", "Cedar", "Cherry",
    "Chestnut", "Elder", "Elm", "Fern", "Hawthorn", "Hazel", "Heather", "Holly", "Juniper",
    "Larch", "Laurel", "Lime", "Maple", "Oak", "Poplar", "Rowan", "Sycamore", "Willow", "Yew",
    "Heron", "Kestrel", "Lark", "Linnet", "Magpie", "Plover", "Swallow", "Swift", "Wren",
    "Finch", "Mill", "Church", "Station", "Quarry", "Forge", "Tannery", "Ropewalk", "Canal",
    "Bridge", "Orchard", "Meadow", "Spring", "Well", "Brook", "Kestle", "Wendle", "Hollin",
    "Brack", "Fennick", "Marrow", "Tollgate", "Weaver", "Cooper", "Glover", "Chandler", "Potter",
)
_STREET_TYPES = (
    "Road", "Street", "Lane", "Avenue", "Close", "Way", "Drive", "Crescent", "Grove", "Gardens",
    "Terrace", "Walk", "Rise",
)
_STREET_SPACING = 230.0  # metres between parallel streets
_POINT_SPACING = 75.0  # metres between map points along a street
_MIN_POINT_GAP = 30.0  # map points closer than this are merged (street junctions)


# ============================================================================================
# The town
# ============================================================================================


@dataclass(frozen=True)
class Town:
    """The demo town: outline, neighbourhoods, LSOAs and the table of map points."""

    outline: shapely.Polygon
    neighbourhoods: gpd.GeoDataFrame
    lsoas: gpd.GeoDataFrame
    points: pd.DataFrame  # one row per map point; never modified after construction


def _town_outline() -> shapely.Polygon:
    theta = np.linspace(0.0, 2.0 * np.pi, 240, endpoint=False)
    a, b = SEMI_AXES
    r = 1.0 / np.sqrt((np.cos(theta) / a) ** 2 + (np.sin(theta) / b) ** 2)
    r = r * (1.0 + 0.05 * np.sin(3 * theta + 0.4) + 0.03 * np.cos(5 * theta + 1.1))
    xy = np.column_stack([CENTRE[0] + r * np.cos(theta), CENTRE[1] + r * np.sin(theta)])
    return shapely.Polygon(np.round(xy))


def _voronoi_tiles(seeds: np.ndarray, area: shapely.Polygon) -> list[shapely.Geometry]:
    """Voronoi cells of ``seeds`` clipped to ``area``, in seed order.

    Cell corners are rounded to 1 m before clipping, never after, so neighbouring tiles (and
    tiles of neighbouring areas) share their edges exactly.
    """
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=area, ordered=True)
    # shapely.transform, not set_precision: a precision grid would carry into the clipping.
    cells = shapely.transform(shapely.get_parts(cells), np.round)
    return [shapely.intersection(cell, area) for cell in cells]


def _spread_points(poly: shapely.Geometry, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` well-spread points inside ``poly`` (best-candidate sampling)."""
    minx, miny, maxx, maxy = poly.bounds
    chosen: list[np.ndarray] = []
    while len(chosen) < k:
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(40, 2))
        cand = cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]
        if len(cand) == 0:
            continue
        if chosen:
            gaps = np.linalg.norm(cand[:, None, :] - np.asarray(chosen)[None], axis=2).min(axis=1)
            chosen.append(cand[int(np.argmax(gaps))])
        else:
            chosen.append(cand[0])
    return np.round(np.asarray(chosen))


def _street_points(outline: shapely.Polygon, rng: np.random.Generator) -> pd.DataFrame:
    """Map points every ~75 m along a gently warped grid of named streets."""
    names = [f"{w} {t}" for w in _STREET_WORDS for t in _STREET_TYPES]
    names = [names[i] for i in rng.permutation(len(names))]
    segment_names: dict[tuple[int, int, int], str] = {}
    run = 3 * _STREET_SPACING  # a named street runs for about three blocks
    xs, ys, labels = [], [], []
    for axis, (lo, hi, across_lo, across_hi) in enumerate((
        (CENTRE[0] - 4200, CENTRE[0] + 4200, CENTRE[1] - 3200, CENTRE[1] + 3200),
        (CENTRE[1] - 3200, CENTRE[1] + 3200, CENTRE[0] - 4200, CENTRE[0] + 4200),
    )):
        along = np.arange(lo, hi, _POINT_SPACING)
        for k, across in enumerate(np.arange(across_lo, across_hi, _STREET_SPACING)):
            stagger = (k * 197.0) % run
            for t in along:
                key = (axis, k, int((t - lo + stagger) // run))
                if key not in segment_names:
                    segment_names[key] = names[len(segment_names) % len(names)]
                x, y = (t, across) if axis == 0 else (across, t)
                xs.append(x)
                ys.append(y)
                labels.append(segment_names[key])
    x, y = np.asarray(xs), np.asarray(ys)
    wx = x + 45 * np.sin(2 * np.pi * y / 2100 + 0.8) + 30 * np.sin(2 * np.pi * x / 1300 + 1.9)
    wy = y + 45 * np.sin(2 * np.pi * x / 2300 + 2.2) + 30 * np.sin(2 * np.pi * y / 1500 + 0.4)
    wx = np.round(wx + rng.uniform(-8, 8, len(wx)))
    wy = np.round(wy + rng.uniform(-8, 8, len(wy)))
    frame = pd.DataFrame({"x": wx, "y": wy, "label": labels})
    return frame[shapely.contains_xy(outline, wx, wy)].reset_index(drop=True)


def _drop_crowded(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop map points within ``_MIN_POINT_GAP`` of an earlier kept one (junctions)."""
    tree = cKDTree(frame[["x", "y"]].to_numpy())
    pairs = sorted(map(tuple, tree.query_pairs(_MIN_POINT_GAP, output_type="ndarray")))
    dropped: set[int] = set()
    for i, j in pairs:
        if i not in dropped and j not in dropped:
            dropped.add(j)
    return frame.drop(index=sorted(dropped)).reset_index(drop=True)


def _circles() -> list[tuple[tuple[float, float], float]]:
    """Every planted circle edge; no map point may sit within 2 m of one (ambiguous membership)."""
    s = SCHEME
    edges = [(p.centre, p.radius) for p in PLANTS]
    edges += [(s.centre, s.ring[0]), (s.centre, s.ring[1]), (s.control_centre, s.control_radius)]
    return edges


def _map_points(outline: shapely.Polygon, rng: np.random.Generator) -> pd.DataFrame:
    streets = _street_points(outline, rng)
    x, y = streets["x"].to_numpy(), streets["y"].to_numpy()
    keep = np.hypot(x - PLANTS[3].centre[0], y - PLANTS[3].centre[1]) > _RETAIL_PARK_CLEARANCE
    keep &= np.hypot(x - 439_950, y - 360_060) > 90  # Market Place square
    row = shapely.linestrings(_BREWERS_ROW)
    keep &= shapely.distance(row, shapely.points(x, y)) > 45
    for centre, radius in _circles():
        keep &= np.abs(np.hypot(x - centre[0], y - centre[1]) - radius) > 2.0
    streets = streets[keep].assign(active_from=0)
    bx = np.linspace(_BREWERS_ROW[0][0], _BREWERS_ROW[1][0], 6)
    by = np.linspace(_BREWERS_ROW[0][1], _BREWERS_ROW[1][1], 6)
    bars = pd.DataFrame({"x": np.round(bx), "y": np.round(by), "label": "Brewers Row",
                         "active_from": 0})
    special = pd.DataFrame(list(_SPECIAL_POINTS), columns=["x", "y", "label", "active_from"])
    points = pd.concat([special, bars, streets], ignore_index=True)
    points = _drop_crowded(points).astype({"x": float, "y": float})
    points["special"] = points["label"].isin(_COMMERCIAL_PULL) | points["label"].isin(
        ["Brewers Row", "Park/Open Space", "Police Station"])
    return points


def _surfaces(points: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Add residential and commercial weights: where people live and where they shop and drink."""
    x, y = points["x"].to_numpy(), points["y"].to_numpy()
    a, b = SEMI_AXES
    radial = np.hypot((x - CENTRE[0]) / a, (y - CENTRE[1]) / b)
    centre_dist = np.hypot(x - CENTRE[0], y - CENTRE[1])
    res = 0.45 + np.exp(-((radial / 0.6) ** 2))
    res = np.where(centre_dist < 300, 0.5 * res, res)
    res = np.where(points["special"], 0.2 * res, res) * rng.gamma(3.0, 1 / 3, len(x))
    com = np.exp(-(centre_dist**2) / (2 * 350.0**2)) + 0.03
    for px, py in PARADES:
        com = com + 0.35 * np.exp(-((x - px) ** 2 + (y - py) ** 2) / (2 * 120.0**2))
    pull = points["label"].map(_COMMERCIAL_PULL).fillna(1.0).to_numpy()
    com = com * pull * rng.gamma(3.0, 1 / 3, len(x))
    retail = (points["active_from"] > 0).to_numpy()
    com[retail] *= _RETAIL_PARK_SHARE / (1 - _RETAIL_PARK_SHARE) * com[~retail].sum() / com[
        retail].sum()
    return points.assign(res=res, com=com)


def _lsoas(neighbourhoods: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    rows = []
    for n, (code, geom) in enumerate(zip(neighbourhoods["neighbourhood_code"],
                                         neighbourhoods.geometry, strict=True), start=1):
        k = max(3, round(geom.area / 1e6 * 1.3))
        seeds = _spread_points(geom, k, rng)
        for letter, cell in zip("ABCDEFGHIJKLMNOP", _voronoi_tiles(seeds, geom), strict=False):
            rows.append({"lsoa_name": f"{TOWN_NAME} {n:03d}{letter}",
                         "neighbourhood_code": code, "geometry": cell})
    lsoas = gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)
    codes = [f"{LSOA_CODE_PREFIX}{i:06d}" for i in range(1, len(lsoas) + 1)]
    return lsoas.assign(lsoa_code=codes)[["lsoa_code", "lsoa_name", "neighbourhood_code",
                                          "geometry"]]


@lru_cache(maxsize=1)
def build_town() -> Town:
    """Build the town; cached, because it never changes (the seed only moves crimes)."""
    rng = np.random.default_rng(GEOGRAPHY_SEED)
    outline = _town_outline()
    seeds = np.array([c for _, _, c in _NEIGHBOURHOODS], dtype=float)
    neighbourhoods = gpd.GeoDataFrame(
        {"neighbourhood_code": [c for c, _, _ in _NEIGHBOURHOODS],
         "neighbourhood_name": [n for _, n, _ in _NEIGHBOURHOODS]},
        geometry=_voronoi_tiles(seeds, outline), crs=CRS,
    )
    lsoas = _lsoas(neighbourhoods, rng)
    points = _surfaces(_map_points(outline, rng), rng)
    tree = shapely.STRtree(lsoas.geometry.to_numpy())
    hit = tree.query_nearest(shapely.points(points["x"], points["y"]), all_matches=False)
    which = np.empty(len(points), dtype=int)
    which[hit[0]] = hit[1]
    points["lsoa_code"] = lsoas["lsoa_code"].to_numpy()[which]
    points["lsoa_name"] = lsoas["lsoa_name"].to_numpy()[which]
    lon, lat = Transformer.from_pipeline(BNG_TO_WGS84).transform(points["x"], points["y"])
    points["lon"] = [f"{v:.6f}" for v in lon]
    points["lat"] = [f"{v:.6f}" for v in lat]
    points["location"] = "On or near " + points["label"]
    # A synthetic resident count for rates: ONS LSOAs hold 1,000-3,000 people.
    homes = points.groupby("lsoa_code")["res"].sum().reindex(lsoas["lsoa_code"]).fillna(0.0)
    people = 1_000 + 1_900 * (homes / homes.max()).to_numpy() + rng.normal(0, 60, len(lsoas))
    lsoas["population"] = (np.clip(np.round(people, -1), 1_000, 3_000)).astype(np.int64)
    return Town(outline, neighbourhoods, lsoas, points)


def distance(points: pd.DataFrame, centre: tuple[float, float]) -> np.ndarray:
    """Distance in metres from every map point to ``centre``."""
    return np.hypot(points["x"].to_numpy() - centre[0], points["y"].to_numpy() - centre[1])
