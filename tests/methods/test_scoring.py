"""Scoring on the common grid: ties by expected share, projections, bootstrap, Reality Check."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import stats
from sklearn.utils import resample

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.grid import make_grid
from hotspots.methods.scoring import common_grid
from hotspots.methods.scoring import hit_rates
from hotspots.methods.scoring import n_selected
from hotspots.methods.scoring import reality_check
from hotspots.methods.scoring import selection_weights

CRS = "EPSG:27700"


def test_selection_weights_share_the_places_left_among_ties():
    w = selection_weights(np.array([4.0, 2, 2, 2, 2, 1, 0]), 3)
    np.testing.assert_allclose(w, [1, 0.5, 0.5, 0.5, 0.5, 0, 0])
    assert w.sum() == pytest.approx(3)
    # no ties: exactly the top k
    assert selection_weights(np.array([1.0, 5, 3]), 2).tolist() == [0.0, 1.0, 1.0]
    # NaN ranks last
    assert selection_weights(np.array([np.nan, 1.0]), 1).tolist() == [0.0, 1.0]


def test_worked_example_pai_pei_with_ties():
    """10 cells, 20 test crimes, top 2 cells (20% of the area).

    Ranking: cell 0 scores 9 (alone at the top), cells 1, 2, 3 tie at 5 for the one place
    left, so each counts 1/3. Test crimes: cell 0: 4, cell 1: 6, cell 2: 0, cell 3: 3,
    cell 7: 7. n = 4 + (6 + 0 + 3) / 3 = 7; N = 20; hit rate 0.35; PAI = 0.35 / 0.2 = 1.75;
    the best 2 cells hold 7 + 6 = 13, so PEI = 7 / 13.
    """
    score = np.array([9.0, 5, 5, 5, 0, 0, 0, 0, 0, 0])
    test = np.repeat([0, 1, 3, 7], [4, 6, 3, 7])
    rates = hit_rates([score], test, n_cells=10, coverage=0.2, n_boot=0)
    assert rates.k == 2 and rates.N == 20
    assert rates.n[0] == pytest.approx(7.0)
    assert rates.hit[0] == pytest.approx(0.35)
    assert rates.pai[0] == pytest.approx(1.75)
    assert rates.n_star == 13
    assert rates.pei[0] == pytest.approx(7 / 13)


def test_mirror_image_scores_the_same():
    """Row order must not break ties: a map and its north-south mirror score alike."""
    rng = np.random.default_rng(3)
    score = rng.integers(0, 3, (20, 10)).astype(float)  # many ties
    test = rng.poisson(score + 0.2)
    cells = np.repeat(np.arange(200), test.ravel())
    mirrored_cells = np.repeat(np.arange(200), test[::-1].ravel())
    a = hit_rates([score.ravel()], cells, n_cells=200, coverage=0.02, n_boot=0)
    b = hit_rates([score[::-1].ravel()], mirrored_cells, n_cells=200, coverage=0.02,
                  n_boot=0)
    assert a.pai[0] == pytest.approx(b.pai[0])
    assert a.pei[0] == pytest.approx(b.pei[0])


def test_n_selected_takes_whole_cells_and_at_least_one():
    assert n_selected(0.01, 7457) == 74
    assert n_selected(0.05, 20) == 1
    assert n_selected(0.001, 20) == 1


def test_common_grid_cells_have_their_centre_in_the_area():
    area = shapely.Polygon([(0, 0), (1000, 0), (0, 1000)])  # half of a 1 km square
    common = common_grid(area, crs=CRS)
    # centres (50 + 100i, 50 + 100j) with x + y < 1000: 45 of the 100 cells
    assert common.n_cells == 45
    assert common.area_km2 == pytest.approx(0.45)
    with pytest.raises(EmptySelectionError, match="too small"):
        common_grid(shapely.box(10, 10, 40, 40), crs=CRS)
    with pytest.raises(ParameterError, match="area"):
        common_grid(None, crs=CRS)


def test_projection_of_aligned_fine_and_coarse_cells():
    common = common_grid(None, crs=CRS, bounds=(0, 0, 399, 199))
    assert common.n_cells == 8
    fine = make_grid((0, 0, 399, 199), cell_size=50)
    values = np.arange(fine.n_cells, dtype=float).reshape(fine.shape)
    # a 100 m cell is the mean of its four 50 m cells
    expect = values.reshape(2, 2, 4, 2).mean(axis=(1, 3)).ravel()
    np.testing.assert_allclose(common.project(fine, values), expect)
    coarse = make_grid((0, 0, 399, 199), cell_size=200)
    projected = common.project(coarse, np.array([[1.0, 2.0]]))
    np.testing.assert_allclose(projected, [1, 1, 2, 2, 1, 1, 2, 2])
    # a 50 m count ranks the 100 m cells exactly as the 100 m count does
    counts50 = np.random.default_rng(0).poisson(1.0, fine.shape).astype(float)
    counts100 = counts50.reshape(2, 2, 4, 2).sum(axis=(1, 3))
    hundred = make_grid((0, 0, 399, 199), cell_size=100)
    np.testing.assert_allclose(common.project(fine, counts50) * 4,
                               common.project(hundred, counts100))


def test_projection_floor_where_the_output_says_nothing():
    common = common_grid(None, crs=CRS, bounds=(0, 0, 199, 99))
    grid = make_grid((0, 0, 99, 99), cell_size=100)  # covers only the west cell
    out = common.project(grid, np.array([[3.0]]))
    assert out.tolist() == [3.0, 2.0]  # floor = lowest - 1
    polys = common.project_polygons([shapely.box(100, 0, 200, 50)], np.array([5.0]))
    assert polys.tolist() == [4.0, 4.5]


def test_crime_bootstrap_matches_the_binomial():
    """With a fixed selection, resampled crimes make n ~ Binomial(N, n/N): the bootstrap
    percentiles of the hit rate are the binomial quantiles (scipy oracle)."""
    score = np.r_[np.ones(5), np.zeros(95)]
    test = np.r_[np.repeat(np.arange(5), 8), np.repeat(np.arange(5, 100), 2)]  # 40 + 190
    rates = hit_rates([score], test, n_cells=100, coverage=0.05, n_boot=4000, seed=1,
                      unit="crimes")
    N, p = 230, 40 / 230
    lo, hi = rates.hit_interval()
    assert lo[0] == pytest.approx(stats.binom.ppf(0.025, N, p) / N, abs=0.01)
    assert hi[0] == pytest.approx(stats.binom.ppf(0.975, N, p) / N, abs=0.01)
    assert np.std(rates.boot_hit[:, 0]) == pytest.approx(np.sqrt(p * (1 - p) / N), rel=0.08)


def test_cell_bootstrap_matches_resampling_cells_with_sklearn():
    """The cluster bootstrap draws K of the K cells with replacement; sklearn's resample of
    the cells, computed by brute force, gives the same distribution of the hit rate."""
    rng = np.random.default_rng(2)
    K = 300
    t = rng.negative_binomial(1, 0.5, K).astype(float)
    score = t + rng.normal(0, 1.0, K)
    test = np.repeat(np.arange(K), t.astype(int))
    rates = hit_rates([score], test, n_cells=K, coverage=0.05, n_boot=3000, seed=4)
    s = selection_weights(score, n_selected(0.05, K))
    brute = []
    for b in range(3000):
        idx = resample(np.arange(K), replace=True, n_samples=K, random_state=b)
        brute.append((s[idx] * t[idx]).sum() / t[idx].sum())
    lo, hi = rates.hit_interval()
    assert lo[0] == pytest.approx(np.percentile(brute, 2.5), abs=0.012)
    assert hi[0] == pytest.approx(np.percentile(brute, 97.5), abs=0.012)
    assert np.std(rates.boot_hit[:, 0]) == pytest.approx(np.std(brute), rel=0.08)
    # repeat victimisation widens the interval: the crime bootstrap is narrower
    by_crime = hit_rates([score], test, n_cells=K, coverage=0.05, n_boot=3000, seed=4,
                         unit="crimes")
    assert np.std(by_crime.boot_hit[:, 0]) < np.std(rates.boot_hit[:, 0])


def test_paired_difference_of_identical_rankings_is_exactly_zero():
    score = np.arange(50.0)
    test = np.random.default_rng(0).integers(0, 50, 80)
    rates = hit_rates([score, score.copy()], test, n_cells=50, coverage=0.1, n_boot=200)
    assert rates.difference(0, 1) == (0.0, 0.0, 0.0)


def test_reality_check_false_alarms_on_noise_and_power_on_a_real_gain():
    """Five rankings with no skill: the best beats ranking 0 'significantly' in about 5% of
    data sets; a ranking that knows the planted hot cells is found."""
    rng = np.random.default_rng(7)
    K, alarms, runs = 400, 0, 60
    for _ in range(runs):
        test = rng.integers(0, K, 150)
        scores = [rng.normal(size=K) for _ in range(5)]
        rates = hit_rates(scores, test, n_cells=K, coverage=0.05, n_boot=199,
                          seed=int(rng.integers(1 << 30)))
        alarms += reality_check(rates, 0)[1] < 0.05
    assert alarms / runs <= 0.12
    hot = rng.choice(K, 20, replace=False)
    risk = np.ones(K)
    risk[hot] = 8.0
    test = rng.choice(K, 300, p=risk / risk.sum())
    skilled = np.zeros(K)
    skilled[hot] = 1.0
    rates = hit_rates([rng.normal(size=K), rng.normal(size=K), skilled], test, n_cells=K,
                      coverage=0.05, n_boot=499)
    best, p = reality_check(rates, 0)
    assert best == 2 and p < 0.01


def test_hit_rates_checks_its_inputs():
    with pytest.raises(ParameterError, match="'unit'"):
        hit_rates([np.zeros(4)], np.array([0]), n_cells=4, unit="people")
    with pytest.raises(ParameterError, match="'coverage'"):
        hit_rates([np.zeros(4)], np.array([0]), n_cells=4, coverage=1.5)
    with pytest.raises(ParameterError, match="4 cells"):
        hit_rates([np.zeros(3)], np.array([0]), n_cells=4)


def _project_point_by_point(common, grid, values):
    """The oracle: every one of the 16 sample points of every scoring cell located on
    ``grid`` one by one, off-grid or non-finite points taking the floor, then averaged."""
    finite = np.isfinite(values)
    floor = float(values[finite].min()) - 1.0 if finite.any() else 0.0
    out = []
    for row, col in zip(*np.nonzero(common.mask), strict=True):
        samples = []
        for a in range(4):
            for b in range(4):
                x = common.grid.x0 + col * common.grid.cell_size + (b + 0.5) * 25.0
                y = common.grid.y0 + row * common.grid.cell_size + (a + 0.5) * 25.0
                r, c, inside = grid.locate(np.array([x]), np.array([y]))
                v = values[r[0], c[0]] if inside[0] else floor
                samples.append(v if np.isfinite(v) else floor)
        out.append(np.mean(samples))
    return np.array(out)


@pytest.mark.parametrize("cell_size", [25.0, 50.0, 100.0, 200.0, 37.5])
def test_projection_equals_locating_every_sample_point(cell_size):
    # The fast projection (sample cells found per row and column, the aligned shortcut)
    # gives the point-by-point values, on grids offset from the common one and larger.
    rng = np.random.default_rng(int(cell_size))
    area = shapely.Polygon([(1000, 1000), (2230, 1120), (1900, 2310), (1040, 1800)])
    common = common_grid(area, crs=CRS)
    grid = make_grid((930.0, 870.0, 2100.0, 2400.0), cell_size=cell_size, crs=CRS)
    values = rng.poisson(0.7, grid.shape) + rng.random(grid.shape) * (cell_size < 100)
    values[rng.random(grid.shape) < 0.05] = np.nan
    np.testing.assert_allclose(common.project(grid, values),
                               _project_point_by_point(common, grid, values),
                               rtol=1e-12, atol=1e-12)


def test_selection_weights_of_long_rankings_equal_a_sort():
    # Long rankings find their cut-off among the values above a sampled guess: the same
    # cut as a full sort, with heavy ties, -inf and a sorted input.
    rng = np.random.default_rng(5)
    n = 600_000
    cases = [rng.random(n), rng.poisson(0.2, n).astype(float),
             np.where(rng.random(n) < 0.97, -np.inf, rng.random(n)), np.sort(rng.random(n))]
    for score in cases:
        for k in (1, 600, 6000, 29_999):
            weights = selection_weights(score, k)
            cut = np.sort(score)[::-1][k - 1]
            above, tied = score > cut, score == cut
            assert weights[above].tolist() == [1.0] * int(above.sum())
            np.testing.assert_allclose(weights[tied], (k - above.sum()) / tied.sum())
            assert (weights[~above & ~tied] == 0).all()
            assert weights.sum() == pytest.approx(k)


@pytest.mark.parametrize("cell_size", [25.0, 37.5, 50.0])
def test_projection_is_bitwise_the_mean_of_the_sixteen_samples(cell_size):
    # project() sums the 16 samples in numpy's own order for 16 values, so its result is
    # exactly numpy's mean of the samples (rankings and their ties cannot move).
    rng = np.random.default_rng(3)
    area = shapely.Polygon([(1000, 1000), (2230, 1120), (1900, 2310), (1040, 1800)])
    common = common_grid(area, crs=CRS)
    grid = make_grid((930.0, 870.0, 2100.0, 2400.0), cell_size=cell_size, crs=CRS)
    values = rng.random(grid.shape) * np.exp(rng.normal(0, 8, grid.shape))
    np.testing.assert_array_equal(common.project(grid, values),
                                  _project_point_by_point(common, grid, values))
