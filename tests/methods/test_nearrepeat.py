"""Tests for hotspots.methods.nearrepeat: the Knox table by hand, the permutation expectation
against exact enumeration, a planted near-repeat process (found) and a null process (not found), and
the refusal of month-only police.uk data."""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspots.errors import ColumnMappingError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.nearrepeat import KNOX_ALPHA
from hotspots.methods.nearrepeat import knox_test
from hotspots.methods.nearrepeat import near_repeat_possible

CRS = "EPSG:27700"
START = pd.Timestamp("2024-01-01")


def events(xy, days, category: str = "Burglary") -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    when = START + pd.to_timedelta(np.asarray(days), unit="D")
    return gpd.GeoDataFrame(
        {"date": pd.Series(when).astype("datetime64[ns]"), "category": category,
         "month": pd.Series(when).dt.to_period("M").dt.start_time.astype("datetime64[ns]")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS,
    )


def hand_events() -> gpd.GeoDataFrame:
    """A(0,0) day 0, B(50,0) day 3, C(150,0) day 10, D(1000,0) day 1, and 6 far-off fillers.

    Pairs among A-D with bands d (100, 200), t (7, 14): AB 50 m/3 d -> (0-100, 0-7);
    AC 150/10 -> (100-200, 8-14); AD 1000/1 -> (over, 0-7); BC 100/7 -> (0-100, 0-7)
    (edges inclusive); BD 950/2 -> (over, 0-7); CD 850/9 -> (over, 8-14).
    Fillers sit 10 km apart from everything, 100 days apart from each other (from day 200).
    """
    xy = [(0, 0), (50, 0), (150, 0), (1000, 0)] + [(10_000 * k, 50_000) for k in range(1, 7)]
    days = [0, 3, 10, 1] + [200 + 100 * k for k in range(6)]
    return events(xy, days)


def test_knox_table_by_hand():
    res = knox_test(hand_events(), distance_bands=[100, 200], time_bands=[7, 14],
                    iterations=19, seed=0)
    obs = res.observed.to_numpy()
    assert res.observed.index.tolist() == ["0-100 m", "100-200 m", "over 200 m"]
    assert res.observed.columns.tolist() == ["0-7 days", "8-14 days", "over 14 days"]
    # Fillers add only "over 200 m" pairs: with A-D (4 x 6 = 24) and among themselves (15).
    # Their time gaps: fillers to A-D are all > 14 days; fillers to each other 100+ days.
    expected = np.array([[2, 0, 0], [0, 1, 0], [2, 1, 39]])
    np.testing.assert_array_equal(obs, expected)
    assert obs.sum() == res.n_pairs == 10 * 9 // 2


def test_expected_matches_exact_expectation():
    # Under a random permutation of the dates, each pair of events gets a random pair of
    # distinct dates, so E[pairs in (d band, t band)] = (pairs in the d band) x (share of
    # all date pairs whose gap is in the t band). The Monte Carlo mean must approach it.
    xy = [(0, 0), (60, 0), (130, 0), (400, 0), (420, 30), (2000, 0)]
    xy += [(50_000 + 10_000 * k, 0) for k in range(4)]
    days = [0, 2, 9, 20, 1, 40] + [1000 + 100 * k for k in range(4)]
    d_edges, t_edges = (100.0, 200.0), (7.0, 14.0)
    res = knox_test(events(xy, days), distance_bands=d_edges, time_bands=t_edges,
                    iterations=4000, seed=3)
    coords = np.asarray(xy, dtype=float)
    gaps = np.abs(np.subtract.outer(days, days))[np.triu_indices(10, 1)]
    share = np.array([(gaps <= 7).mean(), ((gaps > 7) & (gaps <= 14)).mean(),
                      (gaps > 14).mean()])
    exact = np.zeros((3, 3))
    for a, b in itertools.combinations(range(10), 2):
        exact[np.searchsorted(d_edges, math.dist(coords[a], coords[b]))] += share
    # close pairs: 0-100 m: (0,1) 60 m, (1,2) 70 m, (3,4) 36 m; 100-200 m: (0,2) 130 m
    assert exact[:2].sum(axis=1).round(6).tolist() == [3.0, 1.0]
    np.testing.assert_allclose(res.expected.to_numpy(), exact, atol=0.05)


def test_expected_preserves_time_totals():
    rng = np.random.default_rng(5)
    crimes = events(rng.uniform(0, 1000, (80, 2)), rng.integers(0, 60, 80))
    res = knox_test(crimes, distance_bands=[100, 300], time_bands=[3, 10], iterations=50,
                    seed=2)
    # Permuting dates keeps the multiset of time gaps over all pairs: column totals equal.
    np.testing.assert_allclose(res.expected.sum(axis=0), res.observed.sum(axis=0), rtol=1e-12)
    assert res.expected.to_numpy().sum() == pytest.approx(res.n_pairs)


def test_p_value_bounds_and_seed():
    rng = np.random.default_rng(6)
    crimes = events(rng.uniform(0, 2000, (60, 2)), rng.integers(0, 90, 60))
    a = knox_test(crimes, iterations=39, seed=11)
    b = knox_test(crimes, iterations=39, seed=11)
    pd.testing.assert_frame_equal(a.p_value, b.p_value)
    pd.testing.assert_frame_equal(a.expected, b.expected)
    p = a.p_value.to_numpy()
    assert (p >= 1 / 40 - 1e-12).all() and (p <= 1).all()
    # p-values are multiples of 1/(1 + iterations)
    np.testing.assert_allclose(p * 40, np.round(p * 40), atol=1e-9)


def planted_process(seed: int, repeats: bool) -> gpd.GeoDataFrame:
    """1,500 burglaries over 5 km x 5 km and a year; with ``repeats``, 40% of them are
    followed by another within 80 m and 1-7 days; without, the same number at random."""
    rng = np.random.default_rng(seed)
    n = 1500
    xy = rng.uniform(0, 5000, (n, 2))
    days = rng.integers(0, 365, n)
    m = int(0.4 * n)
    if repeats:
        src = rng.choice(n, m, replace=False)
        angle = rng.uniform(0, 2 * np.pi, m)
        radius = 80 * np.sqrt(rng.uniform(0, 1, m))
        extra_xy = xy[src] + np.c_[radius * np.cos(angle), radius * np.sin(angle)]
        extra_days = days[src] + rng.integers(1, 8, m)
    else:
        extra_xy = rng.uniform(0, 5000, (m, 2))
        extra_days = rng.integers(0, 365, m)
    return events(np.r_[xy, extra_xy], np.r_[days, extra_days])


def test_planted_near_repeats_are_found():
    res = knox_test(planted_process(1, repeats=True), distance_bands=[100, 200, 400],
                    time_bands=[7, 14, 30], iterations=99, seed=1)
    assert res.p_value.iloc[0, 0] == pytest.approx(0.01)  # the smallest possible with 99
    assert res.ratio.iloc[0, 0] > 5
    assert bool(res.significant.iloc[0, 0])
    # far and late cells hold no excess
    assert not bool(res.significant.iloc[2, 3])
    assert res.headline.startswith("Within 100 m and 7 days of a burglary, the risk of another "
                                   "is ")
    assert "times what it would be" in res.headline
    stats = res.headline_stats
    assert stats["observed"] == res.observed.iloc[0, 0]
    assert stats["p_value"] < KNOX_ALPHA


def test_null_process_is_not_significant():
    res = knox_test(planted_process(1, repeats=False), distance_bands=[100, 200, 400],
                    time_bands=[7, 14, 30], iterations=99, seed=1)
    assert res.p_value.iloc[0, 0] > KNOX_ALPHA
    assert 0.5 < res.ratio.iloc[0, 0] < 1.6
    assert res.headline.startswith("No evidence of near repeats within 100 m and 7 days")
    # with 16 cells at alpha 0.05 one chance hit is possible; most must not be significant
    assert res.significant.to_numpy().sum() <= 2


def test_cumulative_headline():
    res = knox_test(planted_process(1, repeats=True), distance_bands=[100, 200, 400],
                    time_bands=[7, 14, 30], iterations=49, seed=4, headline=(200, 14))
    stats = res.headline_stats
    assert stats["observed"] == int(res.observed.iloc[:2, :2].to_numpy().sum())
    assert stats["expected"] == pytest.approx(res.expected.iloc[:2, :2].to_numpy().sum())
    assert res.headline.startswith("Within 200 m and 14 days of a burglary")


def test_month_only_police_uk_data_is_refused(make_crimes):
    crimes = make_crimes([("Burglary", f"2022-{m:02d}", 430_000 + 10 * m, 433_000)
                          for m in range(1, 13)])
    ok, reason = near_repeat_possible(crimes)
    assert not ok and "police.uk data gives only the month" in reason
    with pytest.raises(ColumnMappingError, match="needs the exact date of each crime"):
        knox_test(crimes)


def test_dates_that_are_months_in_disguise_are_refused():
    crimes = events([(i * 10.0, 0.0) for i in range(12)], [0] * 12)
    crimes["date"] = crimes["month"]  # every date the 1st of its month
    crimes.loc[6:, "date"] = pd.Timestamp("2024-02-01")
    ok, reason = near_repeat_possible(crimes)
    assert not ok and "months in disguise" in reason


def test_partial_dates_are_dropped_with_a_note():
    rng = np.random.default_rng(8)
    crimes = events(rng.uniform(0, 1000, (40, 2)), rng.integers(0, 100, 40))
    crimes.loc[:4, "date"] = pd.NaT
    before = crimes.copy()
    res = knox_test(crimes, iterations=9)
    assert res.n_events == 35
    assert "5 without a date" in res.notes[0]
    pd.testing.assert_frame_equal(crimes, before)  # input untouched


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"distance_bands": [200, 100]}, "'distance_bands'"),
        ({"time_bands": [0, 7]}, "'time_bands'"),
        ({"iterations": 0}, "'iterations'"),
        ({"iterations": 9.5}, "'iterations'"),
        ({"alpha": 1.5}, "'alpha'"),
        ({"headline": (150, 7)}, "'headline'"),
    ],
)
def test_bad_parameters(kwargs, match):
    crimes = events([(i * 10.0, 0.0) for i in range(12)], list(range(12)))
    with pytest.raises(ParameterError, match=match):
        knox_test(crimes, **kwargs)


def test_too_few_events():
    with pytest.raises(EmptySelectionError, match="at least 10"):
        knox_test(events([(0, 0), (10, 0)], [0, 1]))


def test_to_frame_is_tidy():
    res = knox_test(hand_events(), distance_bands=[100, 200], time_bands=[7, 14],
                    iterations=9, seed=0)
    tidy = res.to_frame()
    assert len(tidy) == 9
    assert tidy.loc[0, ["distance_band", "time_band", "observed"]].tolist() == [
        "0-100 m", "0-7 days", 2]
    assert set(tidy.columns) >= {"expected", "ratio", "p_value", "significant"}
