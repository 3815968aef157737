"""Which hotspot method predicts best? Run every candidate on a training period, score each.

The contest behind the ``compare`` command: each candidate method (with its options) is run
on the training period's crimes, on one shared grid over the study area, and scored with
:func:`hotspots.analysis.prediction.prediction_accuracy` against the later test period;
:func:`recommend` names the most accurate in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.prediction import DEFAULT_COVERAGES
from hotspots.analysis.prediction import SELECTION_RULE
from hotspots.analysis.prediction import STUDY_AREA_RULE
from hotspots.analysis.prediction import check_coverages
from hotspots.analysis.prediction import located_xy
from hotspots.analysis.prediction import prediction_accuracy
from hotspots.errors import EmptySelectionError
from hotspots.errors import HotspotsError
from hotspots.errors import ParameterError
from hotspots.methods.emerging import emerging_hotspots
from hotspots.methods.find import find_hotspots
from hotspots.methods.grid import Grid
from hotspots.methods.grid import make_grid
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry
from hotspots.validation import require_projected

__all__ = [
    "KDE_BANDWIDTH_CELLS",
    "CLOSE_PAI",
    "compare_methods",
    "default_candidates",
    "recommend",
    "run_candidate",
    "study_area_and_grid",
]

#: KDE bandwidths tried by default, in cells: fine, medium and coarse smoothing (with the
#: default cell size of 1/50 of the short side, 2–8 cells is roughly 100–800 m over a
#: city), so the comparison shows how much the bandwidth matters, the question Chainey
#: (2013) studied for KDE hotspot maps.
KDE_BANDWIDTH_CELLS: tuple[float, ...] = (2.0, 4.0, 8.0)
#: Relative gap in PAI under which a runner-up is named as "about as accurate".
CLOSE_PAI = 0.10

# --------------------------------------------------------------------------- candidates


def default_candidates(cell_size: float) -> list[dict[str, Any]]:
    """The methods and parameters :func:`compare_methods` tries by default.

    Grid counts; KDE at :data:`KDE_BANDWIDTH_CELLS` × ``cell_size`` and at its default
    (normal-reference) bandwidth; Gi*; DBSCAN and HDBSCAN with their defaults; emerging
    hot spots.

    Examples
    --------
    >>> [c["method"] for c in default_candidates(100)][:3]
    ['count', 'kde', 'kde']
    >>> default_candidates(100)[1]
    {'method': 'kde', 'bandwidth': 200.0}
    """
    candidates: list[dict[str, Any]] = [{"method": "count"}]
    candidates += [{"method": "kde", "bandwidth": float(b * cell_size)}
                   for b in KDE_BANDWIDTH_CELLS]
    candidates += [{"method": "kde"}, {"method": "gistar"}, {"method": "dbscan"},
                   {"method": "hdbscan"}, {"method": "emerging"}]
    return candidates


_CANDIDATE_KEYS = {
    "count": (),
    "kde": ("bandwidth",),
    "gistar": ("distance",),
    "dbscan": ("eps", "min_samples"),
    "hdbscan": ("min_cluster_size", "min_samples"),
    "emerging": ("distance", "step"),
}


def _check_candidate(candidate: Any) -> dict[str, Any]:
    if not isinstance(candidate, Mapping) or candidate.get("method") not in _CANDIDATE_KEYS:
        raise ParameterError(
            f"Each candidate must be a dict with 'method' one of "
            f"{', '.join(map(repr, _CANDIDATE_KEYS))} (and that method's options), got "
            f"{candidate!r}."
        )
    allowed = _CANDIDATE_KEYS[candidate["method"]]
    extra = [k for k in candidate if k != "method" and k not in allowed]
    if extra:
        raise ParameterError(
            f"Candidate {dict(candidate)!r}: {extra} not options of {candidate['method']!r} "
            f"(allowed: {', '.join(allowed) or 'none'})."
        )
    return dict(candidate)


def run_candidate(
    train: gpd.GeoDataFrame,
    candidate: Mapping[str, Any],
    *,
    grid: Grid,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
) -> HotspotResult:
    """Run one candidate (``{"method": ..., options}``) on the training crimes.

    Grid methods and emerging hot spots use ``grid`` and ``area``; clustering uses neither.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspots.methods.grid import make_grid
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 15], [5, 6, 5]),
    ...                        crs="EPSG:27700")
    >>> run_candidate(pts, {"method": "count"}, grid=make_grid((0, 0, 19, 9), cell_size=10)
    ...               ).cells["count"].tolist()
    [2.0, 1.0]
    """
    cand = _check_candidate(candidate)
    method = cand.pop("method")
    if method == "emerging":
        return emerging_hotspots(train, grid=grid, area=area, **cand)
    if method in ("dbscan", "hdbscan"):
        return find_hotspots(train, method=method, **cand)
    return find_hotspots(train, method=method, grid=grid, area=area, **cand)


def _label(method: str, result: HotspotResult | None, candidate: Mapping[str, Any]) -> str:
    params = result.params if result is not None else {}
    if method == "count":
        return "Grid counts"
    if method == "kde":
        h = params.get("bandwidth", candidate.get("bandwidth"))
        given = "bandwidth" in candidate
        text = f"{h:.0f} m" if h is not None else "default"
        return f"KDE (bandwidth {text}{'' if given else ', default rule'})"
    if method == "gistar":
        return "Gi* hot spots"
    if method == "dbscan":
        return f"DBSCAN clusters (eps {params.get('eps', candidate.get('eps', 0)):g} m)"
    if method == "hdbscan":
        return "HDBSCAN clusters"
    return "Emerging hot spots"


def _param_text(candidate: Mapping[str, Any], result: HotspotResult | None) -> str:
    parts = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
             for k, v in candidate.items() if k != "method"]
    if result is not None and "cell_size" in result.params:
        parts.insert(0, f"cell_size={result.params['cell_size']:g}")
    return ", ".join(parts)


def study_area_and_grid(
    train: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    cell_size: float | None = None,
) -> tuple[gpd.GeoSeries | gpd.GeoDataFrame, str, Grid]:
    """The study area, its plain-language definition, and the shared grid of a comparison.

    Without ``area``, the study area is the convex hull of the training and test crimes.
    The grid covers the study area's bounds with ``cell_size`` (default: street scale from
    the spacing of the training crimes, :func:`hotspots.methods.grid.default_cell_size`),
    origin snapped, in the crimes' CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1000, 0], [0, 0, 800]),
    ...                        crs="EPSG:27700")
    >>> area, rule, grid = study_area_and_grid(pts, pts, cell_size=100)
    >>> round(float(area.area.iloc[0])), rule.split(" (")[0], grid.shape
    (400000, 'convex hull of the training and test crimes', (9, 11))
    """
    crs = require_projected(train, name="train")
    require_projected(test, name="test")
    if area is None:
        tx, ty = located_xy(train, name="train", func="study_area_and_grid")
        sx, sy = located_xy(test, name="test", func="study_area_and_grid")
        hull = shapely.multipoints(np.c_[np.r_[tx, sx], np.r_[ty, sy]]).convex_hull
        if hull.area <= 0:
            raise EmptySelectionError(
                "compare_methods: the crimes lie on a line or a point, so they have no area; "
                "pass a study area ('area')."
            )
        area = gpd.GeoSeries([hull], crs=crs)
        rule = "convex hull of the training and test crimes (no study area given)"
    else:
        rule = "the study area given"
    geom = area_geometry(area, crs, func="study_area_and_grid")
    grid = make_grid(geom.bounds, cell_size=cell_size, crs=crs,
                     points=located_xy(train, name="train", func="study_area_and_grid"))
    return area, rule, grid


def compare_methods(
    train: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    coverages: Sequence[float] | float = DEFAULT_COVERAGES,
    candidates: Iterable[Mapping[str, Any]] | None = None,
    cell_size: float | None = None,
) -> pd.DataFrame:
    """Rank hotspot methods by how well a map of the training period predicts the test period.

    Every candidate is run on ``train`` (grid methods on one shared grid over the study
    area) and scored against ``test`` with
    :func:`~hotspots.analysis.prediction.prediction_accuracy`.

    Parameters
    ----------
    train, test : GeoDataFrame
        Crimes of the training period and of the later test period (projected CRS).
    area : GeoDataFrame or GeoSeries, optional
        Study area. Default: the convex hull of the training and test crimes (stated in
        ``attrs["study_area"]``).
    coverages : float or sequence of float, default (0.01, 0.02, 0.05)
        Shares of the study area to score at.
    candidates : iterable of dict, optional
        ``{"method": "kde", "bandwidth": 300}`` and so on; methods ``count``, ``kde``,
        ``gistar``, ``dbscan``, ``hdbscan``, ``emerging``. Default
        :func:`default_candidates`.
    cell_size : float, optional
        Cell size of the shared grid (default: street scale from the spacing of the
        training crimes; :func:`hotspots.methods.grid.default_cell_size`).

    Returns
    -------
    DataFrame
        Tidy: one row per candidate and coverage with ``method``, ``label``, ``params``,
        ``coverage`` and the columns of :func:`prediction_accuracy`, plus ``rank`` (by PAI
        among the comparable rows of each coverage, 1 = best); sorted by coverage, then
        comparable rows by PAI (best first), then the rest. A
        candidate that could not run keeps its rows with NaN scores and the reason in
        ``note``. ``attrs`` holds the rules, the grid and the study-area definition.

    Examples
    --------
    >>> import geopandas as gpd
    >>> rng = np.random.default_rng(0)
    >>> def crimes(n):
    ...     xy = np.r_[rng.uniform(0, 2000, (n, 2)), rng.normal(500, 40, (n, 2))]
    ...     return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
    ...                             crs="EPSG:27700")
    >>> table = compare_methods(crimes(300), crimes(100), cell_size=100, coverages=0.05,
    ...                         candidates=[{"method": "count"}, {"method": "gistar"}])
    >>> table[["method", "coverage", "rank"]].values.tolist()
    [['gistar', 0.05, 1], ['count', 0.05, 2]]
    >>> bool(table["pai"].iloc[0] > 5)
    True
    """
    func = "compare_methods"
    covs = check_coverages(coverages, func=func)
    crs = require_projected(train, name="train")
    require_projected(test, name="test")
    if len(train) == 0 or len(test) == 0:
        raise EmptySelectionError(
            f"{func} needs crimes in both periods; got {len(train):,} training and "
            f"{len(test):,} test crimes. Check the training and test months."
        )
    cands = [_check_candidate(c) for c in (candidates if candidates is not None else [])]
    area, area_rule, grid = study_area_and_grid(train, test, area=area, cell_size=cell_size)
    area_geom = area_geometry(area, crs, func=func)
    if candidates is None:
        cands = default_candidates(grid.cell_size)

    rows: list[dict[str, Any]] = []
    for order, cand in enumerate(cands):
        result, error = None, ""
        try:
            result = run_candidate(train, cand, grid=grid, area=area)
            scores = prediction_accuracy(result, test, coverages=covs, area=area_geom,
                                         grid=grid)
        except HotspotsError as exc:
            error = f"could not run: {exc}"
            scores = pd.DataFrame({"coverage": covs, "note": error})
        label = _label(cand["method"], result, cand)
        for rec in scores.to_dict("records"):
            rows.append({"method": cand["method"], "label": label,
                         "params": _param_text(cand, result), "candidate": order, **rec})
    table = pd.DataFrame(rows)
    for col in ("area_share", "hit_rate", "pai", "pei"):
        if col not in table:
            table[col] = np.nan
    table["comparable"] = table.get("comparable", False)
    table["comparable"] = table["comparable"].fillna(False).astype(bool)
    ranked = table["pai"].where(table["comparable"])
    table["rank"] = (
        ranked.groupby(table["coverage"]).rank(ascending=False, method="min").astype("Int64")
    )
    table["_order"] = ~table["comparable"]
    table = table.sort_values(["coverage", "_order", "pai", "hit_rate", "candidate"],
                              ascending=[True, True, False, False, True], na_position="last",
                              kind="stable").drop(columns="_order").reset_index(drop=True)
    table.attrs.update({
        "study_area": area_rule,
        "study_area_rule": STUDY_AREA_RULE,
        "selection_rule": SELECTION_RULE,
        "grid": {"cell_size": grid.cell_size, "origin": (grid.x0, grid.y0),
                 "shape": grid.shape, "crs": grid.crs},
        "n_train": len(train),
        "n_test": len(test),
    })
    return table


def recommend(table: pd.DataFrame, *, coverage: float = 0.05) -> tuple[pd.Series, str]:
    """Pick the method with the highest PAI at ``coverage`` and say why, in plain words.

    Only comparable rows count (those that selected at least
    :data:`~hotspots.analysis.prediction.COMPARABLE_SHARE` of the coverage: a method whose
    clusters cover 1% of the area is not ranked at 5%). Ties in PAI go to the higher hit
    rate, then to the earlier candidate.

    Parameters
    ----------
    table : DataFrame
        From :func:`compare_methods`.
    coverage : float, default 0.05
        The share of the study area the recommendation is for.

    Returns
    -------
    row : Series
        The recommended row of ``table``.
    sentence : str
        A plain-language recommendation, naming a close runner-up when there is one.

    Examples
    --------
    >>> table = pd.DataFrame({"method": ["kde", "count"], "label": ["KDE", "Grid counts"],
    ...     "coverage": [0.05, 0.05], "hit_rate": [0.3, 0.2], "pai": [6.0, 4.0],
    ...     "pei": [0.8, 0.5], "n": [30, 20], "N": [100, 100], "candidate": [1, 0]})
    >>> row, text = recommend(table)
    >>> row["method"], text.split(":")[0]
    ('kde', 'At 5% of the study area, KDE would have captured 30% of the test-period crimes')
    """
    coverage = float(coverage)
    if "coverage" not in table or "pai" not in table:
        raise ParameterError("recommend needs the table that compare_methods returns.")
    at = table[np.isclose(table["coverage"].astype(float), coverage)]
    if len(at) == 0:
        have = ", ".join(f"{c:g}" for c in sorted(table["coverage"].unique()))
        raise ParameterError(
            f"recommend: the table has no rows at coverage {coverage:g}; it has {have}."
        )
    valid = at[at["pai"].notna()]
    if "comparable" in valid:
        valid = valid[valid["comparable"].astype(bool)]
    if len(valid) == 0:
        raise EmptySelectionError(
            f"No method could be scored at {coverage:.0%} of the study area (see the 'note' "
            "column); try a larger coverage or a smaller cell size."
        )
    ordered = valid.sort_values(["pai", "hit_rate", "candidate"],
                                ascending=[False, False, True], kind="stable")
    best = ordered.iloc[0]
    pei = best.get("pei", math.nan)
    pei_text = (f", {pei:.0%} of the most any selection of that size could have caught"
                if pd.notna(pei) else "")
    sentence = (
        f"At {coverage:.0%} of the study area, {best['label']} would have captured "
        f"{best['hit_rate']:.0%} of the test-period crimes: {int(best['n'])} of "
        f"{int(best['N'])}, PAI {best['pai']:.1f}{pei_text}. It is the most accurate of the "
        f"{len(valid)} methods that could be scored at this coverage"
    )
    if len(ordered) > 1:
        second = ordered.iloc[1]
        if second["pai"] >= (1 - CLOSE_PAI) * best["pai"]:
            sentence += (f"; {second['label']} is about as accurate (PAI "
                         f"{second['pai']:.1f}), so either will do")
    if best["pai"] < 1:
        sentence += ("; but no method beat spreading resources evenly (PAI < 1), so the "
                     "hotspots of the training period did not persist")
    sentence += ". One test period is a guide, not a guarantee: check again as new data arrive."
    return best, sentence
