"""``--method auto``: let the data choose the ranking that would have predicted best.

When the crimes span at least :data:`MIN_MONTHS` months, the latest quarter of the span
(:data:`HOLDOUT_SHARE`, at least one month) is held out. Every candidate ranking
(:mod:`hotspots.methods.candidates`: counts, a recency-weighted count, KDE at street-level
bandwidths, Gi* z) is fitted on the earlier months only and scored by the share of held-out
crimes in its top :data:`~hotspots.methods.scoring.DEFAULT_COVERAGE` of the study area, on
the common 100 m cells (:mod:`hotspots.methods.scoring`; ties by expected share; a seeded
cluster bootstrap over the scoring cells gives each score an interval). The first candidate,
the smoothed count, is the default; another replaces it only when it catches more held-out
crimes than chance explains after trying them all (White's Reality Check for data snooping,
at :data:`SWITCH_ALPHA`). Picking the best point estimate instead would chase noise: with a
few hundred held-out crimes, hit rates at 1% of the area move by several points from one
quarter to the next. The winner is then refitted on *all* the months and returned, with
every candidate's score recorded in ``params``.

With too few months, too few held-out crimes, or no months at all, a stated rule applies
instead: KDE with its default (data-driven) bandwidth and cell size, and the notes say why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from hotspots.errors import ColumnMappingError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.candidates import TIE_BREAK_BANDWIDTH
from hotspots.methods.candidates import Candidate
from hotspots.methods.candidates import default_candidates
from hotspots.methods.candidates import recency_weights
from hotspots.methods.cells import frames_also_rank
from hotspots.methods.counts import count_hotspots
from hotspots.methods.density import kde_hotspots
from hotspots.methods.gistar import gistar_hotspots
from hotspots.methods.grid import Grid
from hotspots.methods.grid import make_grid
from hotspots.methods.scoring import CONFIDENCE
from hotspots.methods.scoring import DEFAULT_COVERAGE
from hotspots.methods.scoring import N_BOOT
from hotspots.methods.scoring import TIE_RULE
from hotspots.methods.scoring import CommonGrid
from hotspots.methods.scoring import HitRates
from hotspots.methods.scoring import bootstrap_rule
from hotspots.methods.scoring import common_grid
from hotspots.methods.scoring import hit_rates
from hotspots.methods.scoring import reality_check
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry
from hotspots.spatial import point_coordinates
from hotspots.validation import float_param
from hotspots.validation import require_projected

__all__ = [
    "MIN_MONTHS",
    "HOLDOUT_SHARE",
    "MIN_HELD_OUT_CRIMES",
    "CHOICE_RULE",
    "FALLBACK_RULE",
    "auto_hotspots",
    "holdout_months",
]

#: Fewest months for a contest: at least three to fit on and one to hold out. With fewer,
#: a month of noise would decide the method.
MIN_MONTHS = 4
#: Share of the span held out (rounded up, at least 1 month): the latest quarter, the
#: horizon of compare's default test period and of a quarterly tasking meeting.
HOLDOUT_SHARE = 0.25
#: Fewest held-out crimes for a contest. Below this, one crime moves a hit rate by more
#: than 5 points and every candidate is within noise of every other.
MIN_HELD_OUT_CRIMES = 20
#: The methods a candidate is refitted with, by name.
_METHODS = {"count": count_hotspots, "kde": kde_hotspots, "gistar": gistar_hotspots}
#: What auto's bootstrap resamples: the scoring cells with their crimes (a cluster
#: bootstrap), which respects repeat victimisation; resampling single crimes made chance
#: gains look significant on real data.
BOOTSTRAP_UNIT = "cells"
#: Name of the weight column auto adds when it refits the recency-weighted count.
RECENCY_COLUMN = "recency_weight"
#: Level of the test that lets a candidate replace the default: the best candidate is
#: chosen only if White's Reality Check (2000, Econometrica 68:1097) rejects "no candidate
#: beats the default" at 5%, the conventional level.
SWITCH_ALPHA = 0.05
CHOICE_RULE = (
    "the default ranking (the first candidate) is kept unless the best candidate's gain in "
    "held-out hit rate over it is significant at 5% by White's (2000) Reality Check for data "
    "snooping (bootstrap null of the largest gain over all candidates)"
)
FALLBACK_RULE = "KDE with the default cell size and the default (data-driven) bandwidth"


def holdout_months(n_months: int) -> int:
    """Months held out of a span of ``n_months``: the last quarter, rounded up, at least 1.

    Examples
    --------
    >>> [holdout_months(n) for n in (4, 9, 12, 24)]
    [1, 3, 3, 6]
    """
    return max(1, math.ceil(HOLDOUT_SHARE * n_months - 1e-9))


@dataclass
class _Crimes:
    """The located crimes in the study area, as arrays."""

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    month: np.ndarray  # months since year 0 (year * 12 + month - 1); -1 when unknown
    bounds: tuple[float, float, float, float]


def _months(crimes: gpd.GeoDataFrame) -> np.ndarray:
    """Each crime's month as year * 12 + month - 1 (-1 when unknown), from ``month``, or
    from ``date`` where no crime has a month."""
    month = np.full(len(crimes), -1, dtype=np.int64)
    for column in ("month", "date"):
        if column not in crimes.columns:
            continue
        m = pd.to_datetime(crimes[column], errors="coerce")
        ok = m.notna().to_numpy()
        if ok.any():
            month[ok] = (m.dt.year * 12 + m.dt.month - 1).to_numpy()[ok]
            break
    return month


def _located(crimes: gpd.GeoDataFrame, area_geom: shapely.Geometry | None,
             weight: str | None) -> _Crimes:
    x, y = point_coordinates(crimes, func="auto_hotspots")
    keep = np.isfinite(x) & np.isfinite(y)
    if area_geom is not None:
        shapely.prepare(area_geom)
        keep[keep] = shapely.contains_xy(area_geom, x[keep], y[keep]) | shapely.intersects_xy(
            area_geom.boundary, x[keep], y[keep])
    if not keep.any():
        raise EmptySelectionError(
            f"auto_hotspots: none of the {len(crimes):,} crimes has a location in the study "
            "area; nothing to analyse."
        )
    w = (np.ones(len(crimes)) if weight is None
         else crimes[weight].to_numpy(dtype=float))
    month = _months(crimes)
    bounds = (area_geom.bounds if area_geom is not None
              else (x[keep].min(), y[keep].min(), x[keep].max(), y[keep].max()))
    return _Crimes(x[keep], y[keep], w[keep], month[keep], tuple(map(float, bounds)))


def _check_weight(crimes: gpd.GeoDataFrame, weight: str | None) -> None:
    if weight is None:
        return
    if not isinstance(weight, str) or weight not in crimes.columns:
        raise ColumnMappingError(
            f"The 'weight' column {weight!r} given to auto_hotspots is not in the crime "
            f"table; its columns are {list(crimes.columns)}."
        )
    w = pd.to_numeric(crimes[weight], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(w) & (w >= 0)).all():
        raise ParameterError(
            f"The 'weight' column {weight!r} given to auto_hotspots must hold finite numbers "
            ">= 0; fill or drop the others first."
        )


def _hull(data: _Crimes) -> shapely.Geometry | None:
    """The convex hull of the crimes (the scoring area without a study area), if it has area.

    Made from the distinct locations (police.uk crimes share map points): the same hull.
    """
    distinct = np.unique(data.x + 1j * data.y)
    hull = shapely.multipoints(np.c_[distinct.real, distinct.imag]).convex_hull
    return hull if hull.area > 0 else None


def _label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _split(data: _Crimes, holdout: int | None) -> tuple[int, int, int] | str:
    """``(first, cut, last)`` months (held out: cut..last), or the reason there is no contest."""
    known = data.month[data.month >= 0]
    if known.size == 0:
        return "the crimes have no months, so no later period can be held out"
    first, last = int(known.min()), int(known.max())
    span = last - first + 1
    if span < MIN_MONTHS:
        return (f"the crimes span {span} month(s) ({_label(first)} to {_label(last)}); a "
                f"contest needs at least {MIN_MONTHS} (3 to fit, 1 to hold out)")
    n_held = holdout_months(span) if holdout is None else int(holdout)
    if not 1 <= n_held < span:
        raise ParameterError(
            f"The 'holdout_months' parameter of auto_hotspots must be a whole number from 1 "
            f"to {span - 1} (the crimes span {span} months), got {holdout!r}."
        )
    cut = last - n_held + 1
    n_test = int((data.month >= cut).sum())
    if n_test < MIN_HELD_OUT_CRIMES:
        return (f"only {n_test} crime(s) fall in the held-out months ({_label(cut)} to "
                f"{_label(last)}); a contest needs at least {MIN_HELD_OUT_CRIMES}")
    if not ((data.month >= 0) & (data.month < cut)).any():
        return "no crime falls in the months before the held-out period"
    return first, cut, last


def _area_mask(grid: Grid, area: shapely.Geometry | None) -> np.ndarray:
    """:func:`~hotspots.methods.grid.study_area_mask` (cells whose interior meets the area),
    computed fast: cells whose centre is inside, plus the exact test on the cells near the
    boundary only."""
    if area is None:
        return np.ones(grid.shape, bool)
    shapely.prepare(area)
    cx, cy = grid.centres()
    mask = shapely.contains_xy(area, cx, cy)
    step = grid.cell_size / 4.0
    lines = shapely.segmentize(area.boundary, step)
    xy = shapely.get_coordinates(lines)
    row, col, inside = grid.locate(xy[:, 0], xy[:, 1])
    near = np.zeros(grid.shape, bool)
    near[row[inside], col[inside]] = True
    near = ndimage.binary_dilation(near, structure=np.ones((3, 3), bool)) & ~mask
    rows, cols = np.nonzero(near)
    x0 = grid.x0 + cols * grid.cell_size
    y0 = grid.y0 + rows * grid.cell_size
    boxes = shapely.box(x0, y0, x0 + grid.cell_size, y0 + grid.cell_size)
    mask[rows, cols] = shapely.intersects(area, boxes) & ~shapely.touches(area, boxes)
    return mask


class _Grids:
    """One grid and study-area mask per cell size, over the study area (cached)."""

    def __init__(self, bounds: tuple[float, float, float, float], crs: str,
                 area: shapely.Geometry | None, grid: Grid | None) -> None:
        self.bounds, self.crs, self.area, self.fixed = bounds, crs, area, grid
        self._cache: dict[float, tuple[Grid, np.ndarray]] = {}

    def get(self, cell_size: float) -> tuple[Grid, np.ndarray]:
        if self.fixed is not None and not math.isclose(cell_size, self.fixed.cell_size):
            raise ParameterError(
                f"auto_hotspots got a grid of {self.fixed.cell_size:g} m cells and a candidate "
                f"with {cell_size:g} m cells; pass candidates on the grid's cell size."
            )
        if cell_size not in self._cache:
            grid = self.fixed or make_grid(self.bounds, cell_size=cell_size, crs=self.crs)
            self._cache[cell_size] = (grid, _area_mask(grid, self.area))
        return self._cache[cell_size]


def _choose(rates: HitRates) -> tuple[int, int, float]:
    """(chosen, best, p): the default (0) unless the best beats it by the Reality Check."""
    best, p = reality_check(rates, 0)
    chosen = best if best != 0 and p < SWITCH_ALPHA else 0
    return chosen, best, p


def _contest(data: _Crimes, split: tuple[int, int, int], cands: list[Candidate],
             grids: _Grids, common: CommonGrid, *, coverage: float, n_boot: int,
             seed: int, weighted: bool) -> dict[str, Any]:
    first, cut, last = split
    fit = (data.month >= 0) & (data.month < cut)
    held = data.month >= cut
    age = (cut - 1) - data.month[fit]
    scores = []
    densities: dict[tuple[Any, ...], np.ndarray] = {}  # shared by the candidates
    fx, fy, fw = data.x[fit], data.y[fit], data.w[fit]
    for cand in cands:
        grid, mask = grids.get(cand.cell_size)
        surface = cand.surface(grid, mask, fx, fy, fw, age, densities=densities)
        scores.append(common.project(grid, surface))
    del densities
    test_cell = common.cell_index(data.x[held], data.y[held])
    rates = hit_rates(scores, test_cell, n_cells=common.n_cells, coverage=coverage,
                      test_weights=data.w[held] if weighted else None, n_boot=n_boot,
                      seed=seed, unit=BOOTSTRAP_UNIT)
    chosen, best, p = _choose(rates)
    lo, hi = rates.hit_interval()
    table = []
    for i, cand in enumerate(cands):
        diff, dlo, dhi = rates.difference(i, 0)
        table.append({
            **cand.record(),
            "default": i == 0,
            "hit_rate": round(float(rates.hit[i]), 4),
            "hit_rate_low": round(float(lo[i]), 4),
            "hit_rate_high": round(float(hi[i]), 4),
            "pai": round(float(rates.pai[i]), 3),
            "gain_over_default": round(diff, 4),
            "gain_low": round(dlo, 4),
            "gain_high": round(dhi, 4),
            "chosen": i == chosen,
        })
    return {
        "fit_months": [_label(first), _label(cut - 1)],
        "held_out_months": [_label(cut), _label(last)],
        "n_fit": int(fit.sum()),
        "n_held_out": int(held.sum()),
        "n_held_out_scored": int((test_cell >= 0).sum()),
        "scoring_cells": common.n_cells,
        "selected_cells": rates.k,
        "candidates": table,
        "reality_check_p": round(p, 4),
        "_chosen": chosen,
        "_best": best,
    }


def _refit(cand: Candidate, crimes: gpd.GeoDataFrame, data: _Crimes, last: int,
           grids: _Grids, area: Any, weight: str | None) -> HotspotResult:
    grid, mask = grids.get(cand.cell_size)
    age = None
    kwargs = cand.method_params()
    if cand.family == "recency":
        month = _months(crimes)
        oldest = int(data.month[data.month >= 0].min())
        month[month < 0] = oldest
        base = np.ones(len(crimes)) if weight is None else crimes[weight].to_numpy(float)
        decay = recency_weights(last - month, half_life=cand.half_life)
        crimes = crimes.assign(**{RECENCY_COLUMN: base * decay})
        weight = RECENCY_COLUMN
        age = last - np.where(data.month >= 0, data.month, oldest)
    kwargs.pop("cell_size")
    method = _METHODS[kwargs.pop("method")]
    surface = cand.surface(grid, mask, data.x, data.y, data.w, age, densities={})
    with frames_also_rank(surface):  # the cells a map of the shown score draws
        result = method(crimes, **kwargs, area=area, weight=weight, grid=grid)
    cells = result.cells.copy()
    cells["score"] = surface[cells["row"].to_numpy(), cells["col"].to_numpy()]
    return HotspotResult(cells, result.method, dict(result.params), result.layer,
                         list(result.notes))


def _fallback(crimes: gpd.GeoDataFrame, reason: str, *, area: Any, weight: str | None,
              cell_size: float | None, bandwidth: float | None, grid: Grid | None,
              coverage: float) -> HotspotResult:
    result = kde_hotspots(crimes, cell_size=cell_size, bandwidth=bandwidth, area=area,
                          weight=weight, grid=grid)
    params = {**result.params, "auto": {
        "contest": False, "reason": reason, "rule": FALLBACK_RULE, "coverage": coverage}}
    params.update({"chosen": "KDE (default bandwidth and cell size)", "chosen_method": "kde",
                   "chosen_rule": f"fallback: {FALLBACK_RULE}"})
    notes = [f"auto: no contest because {reason}; used the stated rule instead: "
             f"{FALLBACK_RULE}."] + list(result.notes)
    return HotspotResult(result.cells, "auto", params, result.layer, notes)


def auto_hotspots(
    crimes: gpd.GeoDataFrame,
    *,
    weight: str | None = None,
    cell_size: float | None = None,
    bandwidth: float | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    coverage: float = DEFAULT_COVERAGE,
    holdout_months: int | None = None,
    candidates: list[Candidate] | None = None,
    n_boot: int = N_BOOT,
    seed: int = 0,
    grid: Grid | None = None,
) -> HotspotResult:
    """Choose the hotspot ranking that best predicts held-out months, refit it on all months.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table (projected CRS) with its ``month`` column.
    weight : str, optional
        Column of non-negative weights (harm): candidates rank harm, and are scored by the
        share of held-out harm they catch.
    cell_size : float, optional
        Fixes every candidate's cell size (default: each candidate's own, 25-200 m).
    bandwidth : float, optional
        Fixes the KDE candidates' bandwidth (default: 100-600 m).
    area : GeoDataFrame or GeoSeries, optional
        Study area (default: the crimes' extent).
    coverage : float, default DEFAULT_COVERAGE (0.01)
        Share of the study area the candidates are scored at.
    holdout_months : int, optional
        Months held out (default: the last quarter of the span, :func:`holdout_months`).
    candidates : list of Candidate, optional
        Default :func:`hotspots.methods.candidates.default_candidates`.
    n_boot : int, default N_BOOT (999)
        Bootstrap replicates for the scores' intervals and the choice rule.
    seed : int, default 0
        Seed of the bootstrap.
    grid : Grid, optional
        Fixes the grid (and so the cell size) of every candidate.

    Returns
    -------
    HotspotResult
        The winner's cells (its ``score`` is the ranking that was scored; ``hotspot`` its
        method's flag), ``method="auto"``; ``params`` holds the winner's parameters, plus
        ``chosen`` (its label), ``chosen_method`` and ``auto`` (hold-out months, every
        candidate's score with its interval, the rules).

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> n = 1200
    >>> xy = np.r_[rng.uniform(0, 3000, (n, 2)), rng.normal(1500, 60, (n // 2, 2))]
    >>> months = pd.to_datetime(rng.choice(pd.date_range("2024-01", periods=8, freq="MS"),
    ...                                    len(xy)))
    >>> crimes = gpd.GeoDataFrame({"month": months},
    ...     geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")
    >>> res = auto_hotspots(crimes, n_boot=199)
    >>> res.method, res.params["auto"]["held_out_months"]
    ('auto', ['2024-07', '2024-08'])
    >>> top = res.cells.loc[res.cells["score"].idxmax()].geometry.centroid
    >>> bool(abs(top.x - 1500) < 150 and abs(top.y - 1500) < 150)
    True
    """
    func = "auto_hotspots"
    crs = require_projected(crimes, name="crimes")
    if len(crimes) == 0:
        raise EmptySelectionError(f"{func} got an empty crime table: no crimes to analyse.")
    coverage = float_param(coverage, name="coverage", func=func, allow_none=False, high=1.0,
                           closed_high=True)
    cell_size = float_param(cell_size, name="cell_size", func=func)
    bandwidth = float_param(bandwidth, name="bandwidth", func=func)
    if grid is not None:
        cell_size = grid.cell_size
    _check_weight(crimes, weight)
    area_geom = None if area is None else area_geometry(area, crs, func=func)
    data = _located(crimes, area_geom, weight)
    split = _split(data, holdout_months)
    fallback = {"area": area, "weight": weight, "cell_size": cell_size,
                "bandwidth": bandwidth, "grid": grid, "coverage": coverage}
    if isinstance(split, str):
        return _fallback(crimes, split, **fallback)
    cands = list(candidates) if candidates is not None else default_candidates(
        cell_size=cell_size, bandwidth=bandwidth)
    if not cands:
        raise ParameterError(f"{func} got an empty list of candidates.")
    crs_text = crs.to_string()
    grids = _Grids(data.bounds, crs_text, area_geom, grid)
    cands, too_fine = _fitting(cands, grids)
    common = common_grid(area_geom if area_geom is not None else _hull(data), crs=crs_text,
                         bounds=data.bounds)
    contest = _contest(data, split, cands, grids, common, coverage=coverage, n_boot=n_boot,
                       seed=seed, weighted=weight is not None)
    winner = cands[contest.pop("_chosen")]
    best = cands[contest.pop("_best")]
    result = _refit(winner, crimes, data, split[2], grids, area, weight)
    row = next(r for r in contest["candidates"] if r["chosen"])
    auto = {
        "contest": True,
        "coverage": coverage,
        **contest,
        "scoring": f"{common.rule}; {TIE_RULE}",
        "intervals": bootstrap_rule(BOOTSTRAP_UNIT, n_boot, seed),
        "choice_rule": CHOICE_RULE,
        "refit": f"the winner refitted on all {len(data.x):,} crimes",
    }
    params = {**result.params, "chosen": winner.label, "chosen_method": result.method,
              "chosen_rule": "contest", "score_rule": _score_rule(winner), "auto": auto}
    notes = [_summary(winner, best, row, contest, coverage), *too_fine, *result.notes]
    return HotspotResult(result.cells, "auto", params, result.layer, notes)


def _fitting(cands: list[Candidate], grids: _Grids) -> tuple[list[Candidate], list[str]]:
    """The candidates whose grid fits the extent, and a note for each one left out.

    A force-wide extent (80 km across, say) is too large for the finest candidates' cells
    (25 m: 8 million cells, over ``grid.MAX_CELLS``); they are left out, with a note, and
    the contest runs on the others. The default (first) candidate is never left out: its
    error, naming the cell size that would fit, is raised.
    """
    kept, notes = [cands[0]], []
    grids.get(cands[0].cell_size)
    for cand in cands[1:]:
        try:
            grids.get(cand.cell_size)
        except ParameterError as exc:
            if grids.fixed is not None:
                raise
            notes.append(f"Candidate {cand.label} left out of the contest: {exc}")
        else:
            kept.append(cand)
    return kept, notes


def _score_rule(cand: Candidate) -> str:
    tie = f"ties broken by the kernel density within {TIE_BREAK_BANDWIDTH:g} m"
    if cand.family == "smoothed":
        return (f"the smoothed count (x + {cand.shape:g}) m / (m + {cand.shape:g}), x the "
                f"cell's count, m the mean count a cell within {cand.bandwidth:g} m (a "
                f"Poisson-gamma posterior mean), {tie}")
    if cand.family in ("count", "recency"):
        what = "count" if cand.family == "count" else (
            f"recency-weighted count (half-life {cand.half_life:g} months)")
        return f"{what}, {tie} (never reordering different counts)"
    return "kernel density" if cand.family == "kde" else "Gi* z-score"


def _summary(winner: Candidate, best: Candidate, row: dict[str, Any],
             contest: dict[str, Any], coverage: float) -> str:
    fit, held = contest["fit_months"], contest["held_out_months"]
    text = (
        f"auto: {len(contest['candidates'])} candidates fitted on {fit[0]} to {fit[1]} and "
        f"scored on the {contest['n_held_out']:,} crimes of {held[0]} to {held[1]} (share "
        f"caught in the top {coverage:.0%} of the area, {contest['selected_cells']:,} of "
        f"{contest['scoring_cells']:,} common 100 m cells). Chosen: {winner.label}, "
        f"{row['hit_rate']:.1%} ({CONFIDENCE:.0%} interval {row['hit_rate_low']:.1%}-"
        f"{row['hit_rate_high']:.1%})"
    )
    p = contest["reality_check_p"]
    if best != winner:
        top = next(r for r in contest["candidates"] if r["candidate"] == best.label)
        text += (f"; {best.label} scored {top['hit_rate']:.1%}, but no candidate beat the "
                 f"default by more than chance (Reality Check p = {p:.2f}), so the default "
                 "was kept")
    elif not row["default"]:
        text += f", better than the default beyond chance (Reality Check p = {p:.3f})"
    return text + "; refitted on all months."
