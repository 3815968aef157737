"""The synthetic demo data: deterministic, police.uk-shaped, and carrying its planted truth.

The committed ``data/`` is read with plain pandas (not the project's loader), so these tests
check the files exactly as a user or another tool would see them.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from hotspots.datasets import crimes as demo_crimes
from hotspots.datasets import town as demo_town
from hotspots.datasets.crimes import POLICE_UK_COLUMNS
from hotspots.datasets.sample import DEFAULT_SEED
from hotspots.datasets.sample import planted
from hotspots.datasets.sample import write_sample
from hotspots.datasets.town import BNG_TO_WGS84
from hotspots.datasets.town import FORCE_NAME
from hotspots.datasets.town import SCHEME_CATEGORIES
from hotspots.errors import ParameterError
from hotspots.schema import POLICE_UK_CATEGORIES

DATA = Path(__file__).resolve().parents[2] / "data"
CRIMES = DATA / "sample_crimes"
BOUNDARIES = DATA / "boundaries"
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
VAWG = ("Violence and sexual offences", "Public order")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _fresh_generate() -> None:
    """Drop the in-process caches so a second run really regenerates everything."""
    demo_crimes.generate.cache_clear()
    demo_town.build_town.cache_clear()


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    """All committed demo rows, with BNG x/y added (NaN where there is no location)."""
    if not CRIMES.is_dir():
        pytest.skip(f"demo data folder {CRIMES} is missing; run `hotspots sample --out data`")
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False)
              for p in sorted(CRIMES.glob("*/*-street.csv"))]
    rows = pd.concat(frames, ignore_index=True)
    lon = pd.to_numeric(rows["Longitude"].replace("", np.nan))
    lat = pd.to_numeric(rows["Latitude"].replace("", np.nan))
    inverse = Transformer.from_pipeline(BNG_TO_WGS84)
    x, y = inverse.transform(lon.to_numpy(), lat.to_numpy(), direction="INVERSE")
    return rows.assign(lon=lon, lat=lat, x=x, y=y)


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((CRIMES / "planted.json").read_text())


def _inside(rows: pd.DataFrame, centre, radius: float, lo: float = -1.0) -> pd.Series:
    d = np.hypot(rows["x"] - centre[0], rows["y"] - centre[1])
    return (d > lo) & (d <= radius)


def _monthly(rows: pd.DataFrame, mask: pd.Series, categories) -> list[int]:
    hit = rows[mask & rows["Crime type"].isin(categories)]
    return hit.groupby("Month").size().reindex(MONTHS, fill_value=0).tolist()


# --- determinism --------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path):
    first = write_sample(tmp_path / "a", seed=7, months=2)
    _fresh_generate()
    write_sample(tmp_path / "b", seed=7, months=2)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert list(a) == list(b)
    assert len(a) == 2 + 1 + 4  # two months, planted.json, four GeoPackages
    for name in a:
        assert a[name] == b[name], f"{name} differs between two runs with the same seed"
    assert first.months == ("2024-01", "2024-02")


def test_other_seed_changes_crimes_not_town(tmp_path):
    write_sample(tmp_path / "a", seed=7, months=1)
    write_sample(tmp_path / "b", seed=8, months=1)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    csv = "sample_crimes/2024-01/2024-01-kestleshire-street.csv"
    assert a[csv] != b[csv]
    for name in ("town", "neighbourhoods", "lsoas", "demo_scheme"):
        assert a[f"boundaries/{name}.gpkg"] == b[f"boundaries/{name}.gpkg"]


@pytest.mark.slow
def test_committed_data_is_what_the_generator_writes(tmp_path, committed):
    write_sample(tmp_path, seed=DEFAULT_SEED)
    fresh = _files(tmp_path / "sample_crimes")
    assert fresh == _files(CRIMES), "data/sample_crimes is stale: run `hotspots sample`"
    for name in ("town", "neighbourhoods", "lsoas", "demo_scheme"):
        new = gpd.read_file(tmp_path / "boundaries" / f"{name}.gpkg")
        old = gpd.read_file(BOUNDARIES / f"{name}.gpkg")
        pd.testing.assert_frame_equal(new.drop(columns="geometry"), old.drop(columns="geometry"))
        assert new.geom_equals_exact(old, tolerance=1e-6).all()


def test_planted_matches_planted_json(truth):
    assert planted() == truth


# --- police.uk format ---------------------------------------------------------------------


def test_layout_is_the_police_uk_archive():
    folders = sorted(p.name for p in CRIMES.iterdir() if p.is_dir())
    assert folders == MONTHS
    for month in MONTHS:
        files = list((CRIMES / month).iterdir())
        assert [f.name for f in files] == [f"{month}-kestleshire-street.csv"]
        raw = files[0].read_bytes()
        header, _, _ = raw.partition(b"\r\n")
        assert header.decode() == ",".join(POLICE_UK_COLUMNS)
        assert raw.count(b"\r\n") == raw.count(b"\n"), "police.uk files use CRLF line ends"
        assert not raw.startswith(b"\xef\xbb\xbf")
    total = sum(p.stat().st_size for p in CRIMES.glob("*/*.csv"))
    assert total < 15_000_000


def test_rows_look_like_police_uk(committed):
    rows = committed
    assert list(rows.columns[:12]) == list(POLICE_UK_COLUMNS)
    per_month = rows.groupby("Month").size()
    assert per_month.index.tolist() == MONTHS
    assert per_month.between(2_400, 3_500).all(), per_month.to_dict()
    assert set(rows["Crime type"]) == set(POLICE_UK_CATEGORIES)
    assert (rows["Reported by"] == FORCE_NAME).all() and (rows["Falls within"] == FORCE_NAME).all()
    assert (rows["Context"] == "").all()
    share = rows["Crime type"].value_counts(normalize=True)
    assert share.index[:2].tolist() == ["Anti-social behaviour", "Violence and sexual offences"]
    assert share["Anti-social behaviour"] == pytest.approx(0.27, abs=0.03)
    assert share["Possession of weapons"] < 0.01 and share["Robbery"] < 0.015


def test_crime_ids_and_outcomes(committed):
    asb = committed["Crime type"] == "Anti-social behaviour"
    assert (committed.loc[asb, "Crime ID"] == "").all()
    assert (committed.loc[asb, "Last outcome category"] == "").all()
    ids = committed.loc[~asb, "Crime ID"]
    assert ids.str.fullmatch(r"[0-9a-f]{64}").all()
    assert ids.is_unique
    outcomes = committed.loc[~asb, "Last outcome category"]
    assert (outcomes != "").all()
    assert outcomes.value_counts().index[0] == "Investigation complete; no suspect identified"
    last = committed[~asb & (committed["Month"] == "2025-12")]
    assert (last["Last outcome category"] == "Under investigation").mean() == pytest.approx(
        0.5, abs=0.05)


def test_no_location_rows(committed):
    blank = committed["Location"] == "No Location"
    by_month = blank.groupby(committed["Month"]).mean()
    assert by_month.between(0.035, 0.045).all(), by_month.to_dict()
    gone = committed[blank]
    for col in ("Longitude", "Latitude", "LSOA code", "LSOA name"):
        assert (gone[col] == "").all()
    assert gone["x"].isna().all()
    kept = committed[~blank]
    assert kept["Location"].str.startswith("On or near ").all()
    assert kept["Longitude"].str.fullmatch(r"-1\.\d{6}").all()
    assert kept["Latitude"].str.fullmatch(r"53\.\d{6}").all()


def test_crimes_share_map_points(committed):
    kept = committed[committed["Location"] != "No Location"]
    per_point = kept.groupby(["Longitude", "Latitude"]).size()
    assert len(per_point) < len(kept) / 5  # many crimes per published point
    assert kept.groupby(["Longitude", "Latitude"])["Location"].nunique().max() == 1


def test_lon_lat_round_trip_to_bng(committed):
    kept = committed[committed["Location"] != "No Location"]
    points = demo_town.build_town().points[["x", "y"]].to_numpy()
    gap, _ = cKDTree(points).query(kept[["x", "y"]].to_numpy())
    assert gap.max() < 1.0  # the published 6-decimal lon/lat is within 1 m of its map point
    # What a loader does (geopandas' default transformation): the same here, a few metres at
    # most where PROJ has the OSTN15 grid installed.
    geo = gpd.GeoSeries(gpd.points_from_xy(kept["lon"], kept["lat"]), crs="EPSG:4326")
    bng = geo.to_crs("EPSG:27700")
    gap, _ = cKDTree(points).query(np.column_stack([bng.x, bng.y]))
    assert gap.max() < 5.0


def test_lsoas_are_consistent(committed):
    lsoas = gpd.read_file(BOUNDARIES / "lsoas.gpkg")
    kept = committed[committed["Location"] != "No Location"]
    assert kept["LSOA code"].str.fullmatch(r"X01\d{6}").all()
    pairs = kept[["LSOA code", "LSOA name"]].drop_duplicates()
    assert pairs["LSOA code"].is_unique and pairs["LSOA name"].is_unique
    assert set(pairs["LSOA code"]) <= set(lsoas["lsoa_code"])
    names = dict(zip(lsoas["lsoa_code"], lsoas["lsoa_name"], strict=True))
    assert all(names[c] == n for c, n in pairs.itertuples(index=False))
    # each published point lies in the LSOA it is labelled with
    pts = gpd.GeoDataFrame(kept[["LSOA code"]], geometry=gpd.points_from_xy(kept["x"], kept["y"]),
                           crs="EPSG:27700")
    joined = gpd.sjoin(pts, lsoas[["lsoa_code", "geometry"]], predicate="intersects")
    joined = joined[~joined.index.duplicated()]
    assert len(joined) == len(kept)
    assert (joined["LSOA code"] == joined["lsoa_code"]).all()


# --- boundaries ---------------------------------------------------------------------------


def test_boundaries_tile_the_town():
    town = gpd.read_file(BOUNDARIES / "town.gpkg")
    hoods = gpd.read_file(BOUNDARIES / "neighbourhoods.gpkg")
    lsoas = gpd.read_file(BOUNDARIES / "lsoas.gpkg")
    for frame in (town, hoods, lsoas):
        assert frame.crs.to_epsg() == 27700
        assert frame.is_valid.all()
    assert len(town) == 1
    minx, miny, maxx, maxy = town.total_bounds
    assert 7_500 <= maxx - minx <= 8_500 and 5_500 <= maxy - miny <= 6_500
    assert shapely.contains_xy(town.geometry[0], 440_000, 360_000)
    assert 8 <= len(hoods) <= 12
    assert {"neighbourhood_code", "neighbourhood_name"} <= set(hoods.columns)
    assert hoods["neighbourhood_code"].is_unique and hoods["neighbourhood_name"].is_unique
    outline = town.geometry[0]
    for tiles in (hoods, lsoas):
        assert outline.symmetric_difference(tiles.union_all()).area < 1.0
        assert tiles.area.sum() == pytest.approx(outline.area, abs=1.0)  # so no overlaps
    assert set(lsoas["neighbourhood_code"]) == set(hoods["neighbourhood_code"])
    assert lsoas["population"].between(1_000, 3_000).all()
    assert lsoas["lsoa_code"].is_unique


def test_demo_scheme_layer(truth):
    scheme = gpd.read_file(BOUNDARIES / "demo_scheme.gpkg")
    assert scheme.crs.to_epsg() == 27700
    assert scheme["role"].tolist() == ["target", "buffer", "control"]
    assert (scheme["start_month"] == "2025-01").all()
    target, ring, control = scheme.geometry
    assert target.area == pytest.approx(math.pi * 250**2, rel=0.002)
    assert ring.area == pytest.approx(math.pi * (500**2 - 250**2), rel=0.002)
    assert target.centroid.distance(shapely.Point(truth["scheme"]["target"]["centre"])) < 1.0
    assert control.centroid.distance(shapely.Point(truth["scheme"]["control"]["centre"])) < 1.0
    assert not target.intersects(control) and target.touches(ring)


def test_planted_areas_are_separate(truth):
    circles = [(h["centre"], h["radius_m"]) for h in truth["hotspots"]]
    s = truth["scheme"]
    circles += [(s["target"]["centre"], s["buffer"]["outer_m"]),
                (s["control"]["centre"], s["control"]["radius_m"])]
    for i, (a, ra) in enumerate(circles):
        for b, rb in circles[i + 1:]:
            assert math.dist(a, b) > ra + rb + 100


# --- planted truth in the committed data --------------------------------------------------


def _density_ratio(rows, centre, radius, categories) -> float:
    town_area = gpd.read_file(BOUNDARIES / "town.gpkg").area.sum()
    located = rows[rows["Crime type"].isin(categories) & rows["x"].notna()]
    inside = _inside(located, centre, radius).sum()
    area = math.pi * radius**2
    return (inside / area) / ((len(located) - inside) / (town_area - area))


def test_hotspots_stand_out(committed, truth):
    by_id = {h["id"]: h for h in truth["hotspots"]}
    for key, minimum in (("burglary_estate", 5), ("town_centre_robbery", 20),
                         ("night_time_economy", 10)):
        h = by_id[key]
        ratio = _density_ratio(committed, h["centre"], h["radius_m"], h["categories"])
        assert ratio > minimum, f"{key}: density inside / outside = {ratio:.1f}"


def test_observed_counts_match_planted_json(committed, truth):
    for h in truth["hotspots"]:
        mask = _inside(committed, h["centre"], h["radius_m"])
        assert _monthly(committed, mask, h["categories"]) == h["observed_by_month"], h["id"]
        assert h["planted_total"] <= h["observed_total"]
    s, obs = truth["scheme"], truth["scheme"]["observed"]
    centre = s["target"]["centre"]
    assert _monthly(committed, _inside(committed, centre, 250), SCHEME_CATEGORIES) == obs[
        "target_by_month"]
    assert _monthly(committed, _inside(committed, centre, 500, lo=250), SCHEME_CATEGORIES) == obs[
        "buffer_by_month"]
    assert _monthly(committed, _inside(committed, s["control"]["centre"], 250),
                    SCHEME_CATEGORIES) == obs["control_by_month"]


def test_emerging_hotspot_appears_in_second_year(committed, truth):
    h = next(h for h in truth["hotspots"] if h["id"] == "retail_park_vehicle")
    assert h["first_month"] == "2025-01" and h["categories"] == ["Vehicle crime"]
    counts = _monthly(committed, _inside(committed, h["centre"], h["radius_m"]), h["categories"])
    assert sum(counts[:12]) == 0  # the retail park is not there yet
    assert sum(counts[12:]) > 150
    assert np.mean(counts[18:]) > 1.5 * np.mean(counts[12:18])  # and it keeps rising
    rising = np.corrcoef(np.arange(12), counts[12:])[0, 1]
    assert rising > 0.7


def test_scheme_cuts_crime_by_the_planted_effect(committed, truth):
    s = truth["scheme"]
    assert s["start_month"] == "2025-01" and s["effect"] == 0.4
    target = _monthly(committed, _inside(committed, s["target"]["centre"], 250), s["categories"])
    control = _monthly(committed, _inside(committed, s["control"]["centre"], 250),
                       s["categories"])
    tb, ta, cb, ca = sum(target[:12]), sum(target[12:]), sum(control[:12]), sum(control[12:])
    assert min(target[:12]) >= 30 and min(control[:12]) >= 25
    # Year 2 = (1 - effect) x year 1 x the town's trend (+5%/year); tolerance about 2 SE.
    assert ta / tb == pytest.approx((1 - 0.4) * 1.05, abs=0.1)
    assert cb and ca / cb == pytest.approx(1.05, abs=0.12)  # control shares the trend only
    assert (ta / tb) / (ca / cb) == pytest.approx(0.6, abs=0.1)
    res = (tb * ca) / (ta * cb)
    se = math.sqrt(1 / tb + 1 / ta + 1 / cb + 1 / ca)
    assert math.exp(math.log(res) - 1.96 * se) > 1.0  # a clear effect at 95%
    assert res == pytest.approx(s["observed"]["res"], abs=1e-3)
    # Displacement: 10% of the prevented crimes move into the 250-500 m ring.
    obs = s["observed"]
    prevented, displaced = sum(obs["prevented_by_month"]), sum(obs["displaced_by_month"])
    assert sum(obs["prevented_by_month"][:12]) == 0
    assert prevented / (tb * 1.05) == pytest.approx(0.4, abs=0.06)
    assert displaced / prevented == pytest.approx(0.1, abs=0.05)
    assert obs["after"]["buffer"] > obs["before"]["buffer"]


# --- options ------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, word", [
    ({"months": 0}, "'months'"), ({"months": 2.5}, "'months'"), ({"seed": -1}, "'seed'"),
    ({"start": "2024-13"}, "'start'"), ({"start": "24-01"}, "'start'"),
])
def test_bad_options_are_refused(tmp_path, kwargs, word):
    with pytest.raises(ParameterError, match=word):
        write_sample(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())


def test_out_dir_that_is_a_file(tmp_path):
    target = tmp_path / "taken"
    target.write_text("x")
    with pytest.raises(ParameterError, match="'out_dir'.*is a file"):
        write_sample(target, months=1)


def test_start_month_and_stale_files(tmp_path):
    write_sample(tmp_path, months=3, start="2023-11")
    summary = write_sample(tmp_path, months=2, start="2023-11")
    months = sorted(p.name for p in (tmp_path / "sample_crimes").iterdir() if p.is_dir())
    assert months == ["2023-11", "2023-12"]
    rows = pd.read_csv(summary.crime_files[1], dtype=str, keep_default_na=False)
    assert set(rows["Month"]) == {"2023-12"}
    assert summary.rows == sum(summary.rows_by_month.values())
    assert re.match(r"2 monthly police.uk files \(2023-11 to 2023-12\), [\d,]+ rows", str(summary))
    truth = json.loads(summary.planted_file.read_text())
    assert truth["scheme"]["start_month"] == "2024-11"
    assert "res" not in truth["scheme"]["observed"]  # the scheme has not started yet
