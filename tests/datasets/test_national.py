"""The synthetic national archive: realistic volumes, members and mess, deterministic."""

from __future__ import annotations

import hashlib
import zipfile

import numpy as np
import pandas as pd
import pytest

from hotspots.datasets.national import ANNUAL_ROWS
from hotspots.datasets.national import FORCES
from hotspots.datasets.national import POINT_SPACING
from hotspots.datasets.national import seasonal_factor
from hotspots.datasets.national import write_national_archive
from hotspots.errors import ParameterError
from hotspots.io.policeuk import POLICE_UK_COLUMNS
from hotspots.schema import POLICE_UK_CATEGORIES


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return write_national_archive(tmp_path_factory.mktemp("a"), months=2, scale=0.004, seed=1)


def _frames(path):
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            with zf.open(name) as fh:
                yield name, pd.read_csv(fh, dtype=str, keep_default_na=False)


def test_monthly_zips_hold_one_street_csv_per_force(archive):
    assert [p.name for p in archive.zips] == ["2024-01.zip", "2024-02.zip"]
    with zipfile.ZipFile(archive.zips[0]) as zf:
        names = zf.namelist()
    assert len(FORCES) == 43 and len(names) == 43
    assert names[0] == "2024-01/2024-01-avon-and-somerset-street.csv"
    for _name, frame in _frames(archive.zips[0]):
        assert tuple(frame.columns) == POLICE_UK_COLUMNS
        assert set(frame["Month"]) <= {"2024-01"}
        assert set(frame["Crime type"]) <= set(POLICE_UK_CATEGORIES)


def test_mess_as_police_uk_publishes_it(archive):
    frames = pd.concat([f for _, f in _frames(archive.zips[1])])
    no_location = frames["Longitude"] == ""
    assert 0.035 < no_location.mean() < 0.055
    assert (frames.loc[no_location, "Location"] == "No Location").all()
    asb = frames["Crime type"] == "Anti-social behaviour"
    assert (frames.loc[asb, "Crime ID"] == "").all()
    assert frames.loc[~asb, "Crime ID"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_volumes_follow_population(archive):
    rows = archive.rows_by_force
    assert max(rows, key=rows.get) == "metropolitan"
    expected = ANNUAL_ROWS / 12 * 0.004 * sum(seasonal_factor(m) for m in archive.months)
    assert abs(archive.rows - expected) < 0.05 * expected
    pops = np.array([f.population_k for f in FORCES])
    got = np.array([rows.get(f.slug, 0) for f in FORCES])
    assert np.corrcoef(pops, got)[0, 1] > 0.99


def test_same_seed_same_bytes(tmp_path):
    a = write_national_archive(tmp_path / "a", months=1, scale=0.0005, seed=4)
    b = write_national_archive(tmp_path / "b", months=1, scale=0.0005, seed=4)
    c = write_national_archive(tmp_path / "c", months=1, scale=0.0005, seed=5)

    def digest(s):
        return hashlib.sha256(s.zips[0].read_bytes()).hexdigest()

    assert digest(a) == digest(b) != digest(c)


def test_crimes_are_snapped_to_a_street_lattice_of_map_points(archive):
    from pyproj import Transformer

    frames = pd.concat([f for _, f in _frames(archive.zips[0])])
    located = frames[frames["Longitude"] != ""]
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(
        located["Longitude"].astype(float).to_numpy(), located["Latitude"].astype(float))
    for v in (x, y):  # six decimals of a degree are ~0.1 m
        off = np.abs(v / POINT_SPACING - np.round(v / POINT_SPACING)) * POINT_SPACING
        assert off.max() < 0.2


def test_bad_options_are_named(tmp_path):
    with pytest.raises(ParameterError, match="'months'"):
        write_national_archive(tmp_path, months=0)
    with pytest.raises(ParameterError, match="'scale'"):
        write_national_archive(tmp_path, scale=-1)
    with pytest.raises(ParameterError, match="Unknown force slug"):
        write_national_archive(tmp_path, forces=("gotham",))
