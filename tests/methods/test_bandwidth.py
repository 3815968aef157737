"""Tests for hotspots.methods.bandwidth: data-driven KDE bandwidths and the old rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.methods.bandwidth import CANDIDATE_RANGE
from hotspots.methods.bandwidth import MIN_CANDIDATE_CELLS
from hotspots.methods.bandwidth import UNIFORM_FLOOR
from hotspots.methods.bandwidth import candidate_bandwidths
from hotspots.methods.bandwidth import normal_reference_bandwidth
from hotspots.methods.bandwidth import select_bandwidth
from hotspots.methods.grid import make_grid
from hotspots.methods.kernels import H_PER_SD
from hotspots.methods.kernels import kernel_stencil

MONTH0 = np.datetime64("2022-01", "M")


def _months(rng, n, k=12):
    return MONTH0 + rng.integers(0, k, n).astype("timedelta64[M]")


def _planted(rng, sd, *, n_clusters=8, per=150, background=600, size=10_000):
    centres = rng.uniform(0.2 * size, 0.8 * size, (n_clusters, 2))
    parts = [c + rng.normal(0, sd, (per, 2)) for c in centres]
    return np.concatenate([*parts, rng.uniform(0, size, (background, 2))])


def _grid(size=10_000, cell=50):
    g = make_grid((0, 0, size - 1, size - 1), cell_size=cell)
    return g, np.ones(g.shape, bool)


# -- the normal-reference rule (the old default, kept as normal_reference_bandwidth) ----

def test_normal_reference_is_scott_rule_for_normal_data():
    rng = np.random.default_rng(1)
    n = 20_000
    x, y = rng.normal(0, 300, n), rng.normal(0, 100, n)
    sigma_k = 0.5 * (300 + 100) * n ** (-1 / 6)
    assert normal_reference_bandwidth(x, y) == pytest.approx(2 * math.sqrt(2) * sigma_k,
                                                             rel=0.02)
    assert normal_reference_bandwidth(x, y, kernel="gaussian") == pytest.approx(sigma_k,
                                                                                rel=0.02)
    assert normal_reference_bandwidth(x, y, kernel="epanechnikov") == pytest.approx(
        math.sqrt(6) * sigma_k, rel=0.02)


def test_normal_reference_uses_iqr_when_smaller_and_sd_when_iqr_is_zero():
    core = np.linspace(-1, 1, 1001) * 100
    x = np.r_[core, [1e5, -1e5]]
    y = np.r_[core, [0.0, 0.0]]
    sigma_x = (np.percentile(x, 75) - np.percentile(x, 25)) / 1.349
    sigma_y = np.std(y, ddof=1)
    expected = 2 * math.sqrt(2) * 0.5 * (sigma_x + sigma_y) * x.size ** (-1 / 6)
    assert normal_reference_bandwidth(x, y) == pytest.approx(expected, rel=1e-9)
    x2 = np.r_[np.zeros(90), np.linspace(-500, 500, 10)]
    sd = np.std(x2, ddof=1)
    assert normal_reference_bandwidth(x2, x2) == pytest.approx(
        2 * math.sqrt(2) * sd * 100 ** (-1 / 6))


def test_normal_reference_refuses_degenerate_input():
    with pytest.raises(ParameterError, match="at least 2 points"):
        normal_reference_bandwidth([1.0], [2.0])
    with pytest.raises(ParameterError, match="same place"):
        normal_reference_bandwidth([5.0, 5.0, 5.0], [1.0, 1.0, 1.0])


# -- candidates --------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [25.0, 50.0, 100.0, 400.0])
def test_candidates_are_log_spaced_resolved_and_cover_street_to_neighbourhood(cell):
    c = np.array(candidate_bandwidths(cell))
    assert (c >= MIN_CANDIDATE_CELLS * cell).all() and len(c) >= 5
    np.testing.assert_allclose(c[1:] / c[:-1], math.sqrt(2), rtol=1e-3)
    assert c[-1] >= CANDIDATE_RANGE[1] - 1
    gaussian = np.array(candidate_bandwidths(cell, kernel="gaussian"))
    np.testing.assert_allclose(gaussian * H_PER_SD["quartic"], c, rtol=3e-3)


# -- the likelihood, against a direct computation ------------------------------------------

def test_cross_validation_scores_match_a_direct_leave_one_cell_out_sum():
    rng = np.random.default_rng(3)
    g = make_grid((0, 0, 1199, 999), cell_size=100)
    mask = np.ones(g.shape, bool)
    mask[:2, :3] = False  # an irregular study area
    xy = np.r_[rng.normal(600, 150, (60, 2)), rng.uniform(0, 1000, (30, 2))]
    xy = xy[(xy >= 0).all(1) & (xy[:, 0] < 1200) & (xy[:, 1] < 1000)]
    row, col, _ = g.locate(xy[:, 0], xy[:, 1])
    keep = mask[row, col]
    row, col = row[keep], col[keep]
    choice = select_bandwidth(g, mask, xy[:, 0], xy[:, 1])
    assert choice.criterion == "cross-validation"
    counts = np.zeros(g.shape)
    np.add.at(counts, (row, col), 1.0)
    cells = np.argwhere(mask)
    for h, score in zip(choice.candidates, choice.scores, strict=True):
        k = kernel_stencil("quartic", h, g.cell_size)
        k = k / k.sum()
        r = k.shape[0] // 2

        def kern(a, b, k=k, r=r):
            d = np.abs(np.asarray(a) - np.asarray(b))
            return k[r + d[0], r + d[1]] if (d <= r).all() else 0.0

        # each source cell's kernel rescaled to sum to one over the study area
        mass = {tuple(s): sum(kern(s, t) for t in cells) for s in np.argwhere(counts > 0)}
        n = counts.sum()
        total = 0.0
        for i in np.argwhere(counts > 0):
            dens = sum(counts[tuple(s)] * kern(i, s) / mass[tuple(s)]
                       for s in np.argwhere(counts > 0) if tuple(s) != tuple(i))
            p = dens / (n - counts[tuple(i)])
            q = (1 - UNIFORM_FLOOR) * p + UNIFORM_FLOOR / mask.sum()
            total += counts[tuple(i)] * math.log(q)
        assert score == pytest.approx(total / n, rel=1e-6, abs=1e-9)


# -- planted answers -----------------------------------------------------------------------

def test_chosen_bandwidth_tracks_the_planted_cluster_scale():
    rng = np.random.default_rng(0)
    g, mask = _grid()
    chosen_cv, chosen_pred = [], []
    for sd in (50, 100, 200, 400):
        xy = _planted(rng, sd)
        months = _months(rng, len(xy))
        chosen_cv.append(select_bandwidth(g, mask, xy[:, 0], xy[:, 1]).bandwidth)
        pred = select_bandwidth(g, mask, xy[:, 0], xy[:, 1], months=months)
        assert pred.criterion == "predictive"
        chosen_pred.append(pred.bandwidth)
    for chosen in (chosen_cv, chosen_pred):
        assert chosen == sorted(chosen) and chosen[-1] >= 2 * chosen[0]
        ratio = np.array(chosen) / np.array([50, 100, 200, 400])
        assert ((ratio > 1.0) & (ratio < 6.0)).all()


def test_pure_noise_gets_a_wide_kernel():
    # Under complete spatial randomness the best predictor is nearly flat.
    for seed in range(3):
        rng = np.random.default_rng(seed)
        xy = rng.uniform(0, 5000, (1500, 2))
        g, mask = _grid(5000)
        for months in (None, _months(rng, len(xy))):
            assert select_bandwidth(g, mask, xy[:, 0], xy[:, 1], months=months).bandwidth >= 800


def test_snapped_points_do_not_drive_the_bandwidth_to_the_smallest_candidate():
    # police.uk style: every crime snapped to a map point on a 100 m lattice, many per
    # point. Plain leave-one-out would see neighbours at distance 0; leaving the whole cell
    # out does not.
    rng = np.random.default_rng(5)
    xy = np.round(rng.normal(2500, 300, (1500, 2)) / 100) * 100
    g, mask = _grid(5000)
    choice = select_bandwidth(g, mask, xy[:, 0], xy[:, 1])
    assert choice.bandwidth > choice.candidates[0]
    assert 200 <= choice.bandwidth <= 800


def test_predictive_selection_states_its_months_and_falls_back_to_cv():
    rng = np.random.default_rng(2)
    xy = _planted(rng, 100)
    months = _months(rng, len(xy))
    g, mask = _grid()
    choice = select_bandwidth(g, mask, xy[:, 0], xy[:, 1], months=months)
    assert "2022-10 to 2022-12" in choice.rule and "2022-01 to 2022-09" in choice.rule
    p = choice.params()
    assert len(p["bandwidth_candidates"]) == len(p["bandwidth_scores"]) > 5
    assert p["bandwidth_scores"][p["bandwidth_candidates"].index(round(choice.bandwidth, 1))] \
        == max(p["bandwidth_scores"])
    # the latest months hold too few crimes: cross-validation, with a note
    few = np.where(np.arange(len(xy)) < 20, MONTH0 + 5, MONTH0)
    choice = select_bandwidth(g, mask, xy[:, 0], xy[:, 1], months=few)
    assert choice.criterion == "cross-validation"
    assert any("Too few crimes in the latest months" in n for n in choice.notes)


def test_one_place_falls_back_with_a_note():
    g, mask = _grid(1000)
    choice = select_bandwidth(g, mask, [500.0] * 5, [500.0] * 5)
    assert choice.criterion == "fallback" and choice.bandwidth == 3 * g.cell_size
    assert any("Too few distinct crime locations" in n for n in choice.notes)


def test_weights_move_the_choice_towards_the_heavy_crimes():
    rng = np.random.default_rng(7)
    tight = rng.normal(2500, 40, (300, 2))
    loose = rng.uniform(0, 5000, (300, 2))
    xy = np.r_[tight, loose]
    g, mask = _grid(5000)
    light_tight = select_bandwidth(g, mask, xy[:, 0], xy[:, 1],
                                   weights=np.r_[np.full(300, 0.01), np.full(300, 1.0)])
    heavy_tight = select_bandwidth(g, mask, xy[:, 0], xy[:, 1],
                                   weights=np.r_[np.full(300, 1.0), np.full(300, 0.01)])
    assert heavy_tight.bandwidth < light_tight.bandwidth
