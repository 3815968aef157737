"""A synthetic national police.uk archive: 43 forces, monthly zips, realistic volumes and mess.

The real archive (data.police.uk) is not reachable here, so tests and benchmarks of the
store and of batch runs use this stand-in, written to a folder (never committed):
``YYYY-MM.zip`` per month, each holding ``YYYY-MM/YYYY-MM-<force>-street.csv`` for every
force (43 members, as a monthly archive has one street-level CSV per force per month),
in the published 12-column format.

What is realistic, and where it comes from:

* **Volumes.** :data:`ANNUAL_ROWS` street-level rows a year in all, about what the real
  archive holds for England, Wales and Northern Ireland; shared among the 43 territorial
  forces of England and Wales (:data:`FORCES`; Northern Ireland and British Transport
  Police are left out) in proportion to resident population (ONS mid-2021 estimates by
  police force area, rounded). The City of London's residents understate its crime
  (its daytime population is ~50 times larger), so its volume is too low; that is stated,
  not corrected.
* **Mess.** :data:`NO_LOCATION_SHARE` of rows have no coordinates (``Location`` = "No
  Location"; police.uk publishes 4-5%), anti-social behaviour rows have a blank Crime ID,
  as in the real files.
* **Places.** Each force is a set of towns around its real centre, with crimes snapped to
  shared "map points" along a street lattice (as police.uk snaps every crime to a map
  point), with heavy-tailed point weights so that street-level hotspots exist.
* **Mix.** Crime types in the shares of a real month (West Yorkshire, July 2016:
  :data:`CATEGORY_SHARES`).

Everything is drawn from ``numpy.random.default_rng([seed, force, month])``, so the same
seed gives the same bytes (zip timestamps are fixed too).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pyproj import Transformer
from scipy.spatial import cKDTree

from hotspots.errors import ParameterError
from hotspots.months import month_label
from hotspots.months import parse_month
from hotspots.months import shift_months

__all__ = [
    "ANNUAL_ROWS",
    "NO_LOCATION_SHARE",
    "CATEGORY_SHARES",
    "FORCES",
    "Force",
    "NationalSummary",
    "seasonal_factor",
    "write_national_archive",
]

#: Street-level rows a year across the archive ("about 6 million", issue 13).
ANNUAL_ROWS = 6_000_000
#: Share of rows with no coordinates (police.uk publishes about 4-5%; West Yorkshire July
#: 2016: 4.96%).
NO_LOCATION_SHARE = 0.045
#: Crime-type shares of a real police.uk month (West Yorkshire, July 2016, 27,176 rows).
CATEGORY_SHARES: dict[str, float] = {
    "Anti-social behaviour": 0.2734,
    "Violence and sexual offences": 0.2208,
    "Criminal damage and arson": 0.0987,
    "Other theft": 0.0832,
    "Burglary": 0.0784,
    "Vehicle crime": 0.0732,
    "Public order": 0.0530,
    "Shoplifting": 0.0511,
    "Other crime": 0.0172,
    "Drugs": 0.0165,
    "Theft from the person": 0.0136,
    "Bicycle theft": 0.0093,
    "Robbery": 0.0070,
    "Possession of weapons": 0.0046,
}
#: Share of each type drawn from the "town centre" surface rather than the residential one
#: (a judgement: shop and street crime cluster in centres, burglary in homes).
_CENTRE_SHARE = {"Shoplifting": 0.9, "Theft from the person": 0.7, "Robbery": 0.5,
                 "Public order": 0.5, "Drugs": 0.4, "Bicycle theft": 0.5, "Other theft": 0.5,
                 "Possession of weapons": 0.4, "Violence and sexual offences": 0.35,
                 "Anti-social behaviour": 0.35, "Burglary": 0.05}
#: Last outcomes of crimes, in the shares of the same month (the commonest ones).
_OUTCOMES = {
    "Investigation complete; no suspect identified": 0.44,
    "Unable to prosecute suspect": 0.33,
    "Status update unavailable": 0.08,
    "Under investigation": 0.06,
    "Local resolution": 0.03,
    "Court result unavailable": 0.025,
    "Offender sent to prison": 0.02,
    "Offender given a caution": 0.015,
}
#: Map points per thousand residents (West Yorkshire: ~12,500 distinct points in one month
#: for 2.35 million people; a year touches about three times as many). Below 5% of the real
#: volume (``scale`` < 0.05) forces get proportionally fewer points, so that small test
#: archives are quick to make.
POINTS_PER_THOUSAND = 15
#: Seasonal swing of monthly volumes: +-8% around the mean, peaking in July.
SEASONAL_AMPLITUDE = 0.08
SEASONAL_PEAK_MONTH = 7
#: Spacing of the street lattice crimes are snapped to, in metres.
POINT_SPACING = 60.0
_STREETS = ("High", "Church", "Station", "Park", "Mill", "Victoria", "Albert", "King",
            "Queen", "New", "Green", "School", "Manor", "Bridge", "Chapel", "Market",
            "North", "South", "West", "Grove", "Elm", "Oak", "Ash", "Beech", "Willow")
_TYPES = ("Street", "Road", "Lane", "Avenue", "Close", "Way", "Drive", "Terrace")


@dataclass(frozen=True)
class Force:
    """One police force: its police.uk name and file slug, residents, centre and size."""

    name: str
    slug: str
    population_k: int
    lon: float
    lat: float
    radius_km: float


# name as in "Reported by", file slug, residents (thousands, ONS mid-2021, rounded),
# approximate centre (lon, lat) and radius of the force area (km).
FORCES: tuple[Force, ...] = tuple(Force(*row) for row in (
    ("Avon and Somerset Constabulary", "avon-and-somerset", 1750, -2.75, 51.20, 40),
    ("Bedfordshire Police", "bedfordshire", 690, -0.45, 52.05, 20),
    ("Cambridgeshire Constabulary", "cambridgeshire", 900, 0.05, 52.35, 30),
    ("Cheshire Constabulary", "cheshire", 1080, -2.55, 53.20, 25),
    ("City of London Police", "city-of-london", 9, -0.09, 51.515, 1.2),
    ("Cleveland Police", "cleveland", 570, -1.20, 54.57, 15),
    ("Cumbria Constabulary", "cumbria", 500, -3.00, 54.55, 45),
    ("Derbyshire Constabulary", "derbyshire", 1050, -1.60, 53.10, 30),
    ("Devon & Cornwall Police", "devon-and-cornwall", 1780, -4.20, 50.55, 70),
    ("Dorset Police", "dorset", 775, -2.30, 50.75, 25),
    ("Durham Constabulary", "durham", 640, -1.75, 54.70, 22),
    ("Dyfed-Powys Police", "dyfed-powys", 520, -3.90, 52.10, 55),
    ("Essex Police", "essex", 1850, 0.55, 51.80, 30),
    ("Gloucestershire Constabulary", "gloucestershire", 645, -2.20, 51.85, 25),
    ("Greater Manchester Police", "greater-manchester", 2870, -2.25, 53.48, 20),
    ("Gwent Police", "gwent", 600, -3.00, 51.70, 15),
    ("Hampshire Constabulary", "hampshire", 2000, -1.25, 51.00, 35),
    ("Hertfordshire Constabulary", "hertfordshire", 1200, -0.25, 51.80, 22),
    ("Humberside Police", "humberside", 935, -0.50, 53.65, 30),
    ("Kent Police", "kent", 1860, 0.75, 51.20, 35),
    ("Lancashire Constabulary", "lancashire", 1530, -2.60, 53.85, 30),
    ("Leicestershire Police", "leicestershire", 1100, -1.15, 52.65, 25),
    ("Lincolnshire Police", "lincolnshire", 770, -0.25, 53.10, 45),
    ("Merseyside Police", "merseyside", 1430, -2.95, 53.42, 15),
    ("Metropolitan Police Service", "metropolitan", 8800, -0.12, 51.50, 25),
    ("Norfolk Constabulary", "norfolk", 920, 1.00, 52.65, 40),
    ("North Wales Police", "north-wales", 690, -3.60, 53.05, 40),
    ("North Yorkshire Police", "north-yorkshire", 830, -1.50, 54.10, 50),
    ("Northamptonshire Police", "northamptonshire", 790, -0.90, 52.30, 25),
    ("Northumbria Police", "northumbria", 1460, -1.80, 55.10, 35),
    ("Nottinghamshire Police", "nottinghamshire", 1170, -1.05, 53.10, 25),
    ("South Wales Police", "south-wales", 1340, -3.50, 51.60, 25),
    ("South Yorkshire Police", "south-yorkshire", 1420, -1.30, 53.50, 22),
    ("Staffordshire Police", "staffordshire", 1140, -2.00, 52.85, 28),
    ("Suffolk Constabulary", "suffolk", 760, 1.05, 52.20, 30),
    ("Surrey Police", "surrey", 1200, -0.40, 51.25, 22),
    ("Sussex Police", "sussex", 1700, -0.30, 50.92, 35),
    ("Thames Valley Police", "thames-valley", 2450, -1.00, 51.70, 45),
    ("Warwickshire Police", "warwickshire", 600, -1.55, 52.30, 22),
    ("West Mercia Police", "west-mercia", 1310, -2.60, 52.40, 45),
    ("West Midlands Police", "west-midlands", 2920, -1.90, 52.48, 20),
    ("West Yorkshire Police", "west-yorkshire", 2350, -1.70, 53.75, 22),
    ("Wiltshire Police", "wiltshire", 740, -1.95, 51.35, 25),
))
_POPULATION_K = sum(f.population_k for f in FORCES)
_HEADER = ("Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
           "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
           "Context")
#: Zip member timestamps, fixed so that the same seed writes the same bytes.
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
_GEOGRAPHY = 7919  # a fixed stream id for each force's map points


@dataclass
class NationalSummary:
    """What :func:`write_national_archive` wrote: files, rows and the mess planted."""

    folder: Path
    zips: list[Path] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    rows: int = 0
    no_location: int = 0
    asb: int = 0
    members: int = 0
    rows_by_force: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Places:
    """A force's map points: coordinate text, street, LSOA, and two sampling surfaces."""

    lon: pa.Array
    lat: pa.Array
    location: pa.Array
    lsoa_code: pa.Array
    lsoa_name: pa.Array
    home_cdf: np.ndarray
    centre_cdf: np.ndarray


@lru_cache(maxsize=4)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _places(force: Force, index: int, seed: int, scale: float) -> _Places:
    rng = np.random.default_rng([seed, index, _GEOGRAPHY])
    cx, cy = _transformer(4326, 27700).transform(force.lon, force.lat)
    n_points = max(200, round(force.population_k * POINTS_PER_THOUSAND * min(1.0, 20 * scale)))
    n_towns = 2 + force.population_k // 150
    radius = force.radius_km * 1000.0
    angle, dist = rng.uniform(0, 2 * np.pi, n_towns), radius * np.sqrt(rng.uniform(0, 1, n_towns))
    dist[0] = 0.0  # the main town at the centre
    towns = np.column_stack([cx + dist * np.cos(angle), cy + dist * np.sin(angle)])
    size = rng.lognormal(0.0, 0.8, n_towns)
    size[0] *= 3.0
    share = size / size.sum()
    spread = np.clip(np.sqrt(share * n_points) * 40.0, 400.0, 0.6 * radius + 400.0)
    town = rng.choice(n_towns, n_points, p=share)
    xy = towns[town] + rng.normal(0.0, 1.0, (n_points, 2)) * spread[town, None]
    xy = np.unique(np.round(xy / POINT_SPACING) * POINT_SPACING, axis=0)
    town = cKDTree(towns).query(xy)[1]  # each map point belongs to its nearest town
    n = len(xy)
    lon, lat = _transformer(27700, 4326).transform(xy[:, 0], xy[:, 1])
    home = rng.lognormal(0.0, 1.0, n)
    centre_dist = np.hypot(*(xy - towns[town]).T) / spread[town]
    centre = home * np.exp(-2.0 * centre_dist) * rng.lognormal(0.0, 1.2, n)
    street = rng.integers(0, len(_STREETS), n), rng.integers(0, len(_TYPES), n)
    cell = (np.floor(xy[:, 0] / 1500) * 1000 + np.floor(xy[:, 1] / 1500)).astype(np.int64)
    lsoa = np.unique(cell, return_inverse=True)[1]
    prefix = "W01" if force.slug in ("dyfed-powys", "gwent", "north-wales", "south-wales") \
        else "E01"
    base = 10_000 * (index + 1)
    town_names = [force.name.split(" Police")[0].split(" Constabulary")[0]]
    return _Places(
        lon=pa.array([f"{v:.6f}" for v in lon]),
        lat=pa.array([f"{v:.6f}" for v in lat]),
        location=pa.array([f"On or near {_STREETS[a]} {_TYPES[b]}" for a, b in zip(*street,
                                                                                    strict=True)]),
        lsoa_code=pa.array([f"{prefix}{base + i:06d}" for i in lsoa]),
        lsoa_name=pa.array([f"{town_names[0]} {i // 4 + 1:03d}{'ABCD'[i % 4]}" for i in lsoa]),
        home_cdf=np.cumsum(home) / home.sum(),
        centre_cdf=np.cumsum(centre) / centre.sum(),
    )


def _hex_ids(rng: np.random.Generator, has_id: np.ndarray) -> pa.Array:
    """64-character hex Crime IDs where ``has_id``, blank elsewhere (as police.uk writes ASB)."""
    n_ids = int(has_id.sum())
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    raw = np.frombuffer(rng.bytes(32 * n_ids), dtype=np.uint8).reshape(n_ids, 32)
    text = np.empty((n_ids, 64), dtype=np.uint8)
    text[:, 0::2], text[:, 1::2] = digits[raw >> 4], digits[raw & 15]
    offsets = np.zeros(len(has_id) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(np.where(has_id, 64, 0))
    return pa.Array.from_buffers(pa.string(), len(has_id),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(text.tobytes())])


def seasonal_factor(month: str) -> float:
    """The month's volume relative to the yearly mean (``YYYY-MM``).

    Examples
    --------
    >>> round(seasonal_factor("2024-07"), 2), round(seasonal_factor("2024-01"), 2)
    (1.08, 0.92)
    """
    calendar = int(month[5:7])
    return 1.0 + SEASONAL_AMPLITUDE * float(np.cos(2 * np.pi * (calendar - SEASONAL_PEAK_MONTH)
                                                    / 12))


def _month_rows(force: Force, index: int, places: _Places, seed: int, month: str, i: int,
                scale: float) -> pa.Table:
    rng = np.random.default_rng([seed, index, i])
    season = seasonal_factor(month)
    mean = ANNUAL_ROWS / 12 * force.population_k / _POPULATION_K * season * scale
    n = int(rng.poisson(mean))
    names = list(CATEGORY_SHARES)
    shares = np.array(list(CATEGORY_SHARES.values()))
    category = rng.choice(len(names), n, p=shares / shares.sum())
    centre_share = np.array([_CENTRE_SHARE.get(c, 0.2) for c in names])[category]
    use_centre = rng.uniform(0, 1, n) < centre_share
    u = rng.uniform(0, 1, n)
    point = np.where(use_centre, np.searchsorted(places.centre_cdf, u),
                     np.searchsorted(places.home_cdf, u))
    point = np.minimum(point, len(places.home_cdf) - 1)
    no_location = rng.uniform(0, 1, n) < NO_LOCATION_SHARE
    is_asb = category == names.index("Anti-social behaviour")
    outcomes = list(_OUTCOMES)
    p_out = np.array(list(_OUTCOMES.values()))
    outcome = pa.array(outcomes).take(pa.array(rng.choice(len(outcomes), n,
                                                          p=p_out / p_out.sum())))
    outcome = pc.if_else(pa.array(is_asb), "", outcome)
    take = pa.array(point)
    located = pa.array(~no_location)

    def placed(values: pa.Array, missing: str) -> pa.Array:
        return pc.if_else(located, values.take(take), missing)

    return pa.table({
        "Crime ID": _hex_ids(rng, ~is_asb),
        "Month": pa.array([month] * n),
        "Reported by": pa.array([force.name] * n),
        "Falls within": pa.array([force.name] * n),
        "Longitude": placed(places.lon, ""),
        "Latitude": placed(places.lat, ""),
        "Location": placed(places.location, "No Location"),
        "LSOA code": placed(places.lsoa_code, ""),
        "LSOA name": placed(places.lsoa_name, ""),
        "Crime type": pa.array(names).take(pa.array(category)),
        "Last outcome category": outcome,
        "Context": pa.array([""] * n),
    })


def _csv_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    sink.write(",".join(table.column_names).encode() + b"\n")
    pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(quoting_style="none",
                                                                  include_header=False))
    return sink.getvalue()


def write_national_archive(
    out_dir: str | Path, *, seed: int = 0, months: int = 12, start: str = "2024-01",
    scale: float = 1.0, forces: tuple[str, ...] | None = None,
) -> NationalSummary:
    """Write a synthetic police.uk archive of monthly zips into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Folder for ``YYYY-MM.zip`` files (created if missing).
    seed : int
        Seed: the same seed writes the same bytes.
    months : int
        How many months, from ``start``.
    start : str
        First month, ``YYYY-MM``.
    scale : float
        Share of the real volume (1.0: about :data:`ANNUAL_ROWS` rows a year; 0.001 for
        tests: about 500 rows a month).
    forces : tuple of str, optional
        Slugs of the forces to write (default: all 43).

    Examples
    --------
    >>> import tempfile
    >>> s = write_national_archive(tempfile.mkdtemp(), months=2, scale=0.0005)
    >>> len(s.zips), s.members, s.months
    (2, 86, ['2024-01', '2024-02'])
    """
    if not isinstance(months, int) or months < 1:
        raise ParameterError(f"The 'months' parameter must be a whole number >= 1, got "
                             f"{months!r}.")
    if not (isinstance(scale, int | float) and 0 < scale <= 10):
        raise ParameterError(f"The 'scale' parameter must be a number in (0, 10], got "
                             f"{scale!r}.")
    chosen = [(i, f) for i, f in enumerate(FORCES) if forces is None or f.slug in forces]
    if forces is not None and len(chosen) != len(set(forces)):
        known = ", ".join(f.slug for f in FORCES)
        raise ParameterError(f"Unknown force slug(s) in {forces!r}; known: {known}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    first = parse_month(start, name="start")
    summary = NationalSummary(folder=out)
    places = {i: _places(f, i, seed, scale) for i, f in chosen}
    for m in range(months):
        month = month_label(shift_months(first, m))
        path = out / f"{month}.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                             compresslevel=1) as zf:
            for i, force in chosen:
                table = _month_rows(force, i, places[i], seed, month, m, scale)
                info = zipfile.ZipInfo(f"{month}/{month}-{force.slug}-street.csv", _ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, _csv_bytes(table), compresslevel=1)
                summary.rows += table.num_rows
                summary.no_location += int(pc.sum(pc.equal(table["Longitude"], "")).as_py()
                                           or 0)
                summary.asb += int(pc.sum(pc.equal(table["Crime type"],
                                                   "Anti-social behaviour")).as_py() or 0)
                summary.members += 1
                summary.rows_by_force[force.slug] = (summary.rows_by_force.get(force.slug, 0)
                                                     + table.num_rows)
        summary.zips.append(path)
        summary.months.append(month)
    return summary
