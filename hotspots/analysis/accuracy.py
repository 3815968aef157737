"""Which hotspot method predicts best? Run every candidate on a training period, score each.

The contest behind the ``compare`` command: each candidate method (with its options) is run
on the training period's crimes and scored against the later test period on one study area
and one set of common 100 m cells (:mod:`hotspots.analysis.prediction`): hit rate, PAI and
PEI with bootstrap intervals, and the difference from the best method and from the naive
previous-period 100 m count (always in the table, the bar to clear), with paired intervals.
:func:`recommend` names the most accurate in plain words, and says when the data cannot
tell methods apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.prediction import BOOTSTRAP_UNIT
from hotspots.analysis.prediction import DEFAULT_COVERAGES
from hotspots.analysis.prediction import SELECTION_RULE
from hotspots.analysis.prediction import STUDY_AREA_RULE
from hotspots.analysis.prediction import accuracy_rows
from hotspots.analysis.prediction import check_coverages
from hotspots.analysis.prediction import located_xy
from hotspots.analysis.prediction import output_scores
from hotspots.errors import EmptySelectionError
from hotspots.errors import HotspotsError
from hotspots.errors import ParameterError
from hotspots.methods.emerging import emerging_hotspots
from hotspots.methods.find import find_hotspots
from hotspots.methods.scoring import COMMON_CELL_SIZE
from hotspots.methods.scoring import DEFAULT_COVERAGE
from hotspots.methods.scoring import N_BOOT
from hotspots.methods.scoring import HitRates
from hotspots.methods.scoring import bootstrap_rule
from hotspots.methods.scoring import common_grid
from hotspots.methods.scoring import hit_rates
from hotspots.result import HotspotResult
from hotspots.spatial import area_geometry
from hotspots.validation import require_projected

__all__ = [
    "NAIVE",
    "KDE_BANDWIDTHS",
    "GISTAR_DISTANCES",
    "COUNT_CELL_SIZES",
    "comparison_area",
    "compare_methods",
    "default_candidates",
    "recommend",
    "run_candidate",
]

#: The bar every method has to clear: the previous period's crimes counted on 100 m cells
#: (issue 9), always the first row group of the table.
NAIVE: dict[str, Any] = {"method": "count", "cell_size": COMMON_CELL_SIZE}
NAIVE_LABEL = "Naive count, 100 m cells (the bar to clear)"
#: KDE bandwidths tried (metres), street to neighbourhood scale, on 50 m cells (25 m for
#: 100 m, so the kernel spans at least 3 cells); Chainey (2013) found PAI best at small
#: bandwidths. The default-rule KDE is tried too.
KDE_BANDWIDTHS: tuple[float, ...] = (100.0, 200.0, 300.0, 400.0, 600.0)
#: Gi* neighbourhood distances tried (metres), on 50 m cells; the default Gi* too.
GISTAR_DISTANCES: tuple[float, ...] = (100.0, 200.0, 400.0)
#: Count cell sizes tried besides the naive 100 m (metres).
COUNT_CELL_SIZES: tuple[float, ...] = (50.0, 200.0)
#: Cell size of the street-level KDE and Gi* candidates (metres).
STREET_CELL_SIZE = 50.0

_GRID_METHODS = ("count", "kde", "gistar", "emerging", "auto")
_CANDIDATE_KEYS = {
    "auto": ("cell_size", "bandwidth"),
    "count": ("cell_size",),
    "kde": ("cell_size", "bandwidth"),
    "gistar": ("cell_size", "distance"),
    "dbscan": ("eps", "min_samples"),
    "hdbscan": ("min_cluster_size", "min_samples"),
    "emerging": ("cell_size", "distance", "step"),
}


def default_candidates() -> list[dict[str, Any]]:
    """The methods and parameters :func:`compare_methods` tries (besides :data:`NAIVE`).

    ``auto`` (the default of ``find``); counts on :data:`COUNT_CELL_SIZES`; KDE at
    :data:`KDE_BANDWIDTHS` and at its default; Gi* at :data:`GISTAR_DISTANCES` and at its
    default; DBSCAN and HDBSCAN; emerging hot spots.

    Examples
    --------
    >>> [c["method"] for c in default_candidates()][:3]
    ['auto', 'count', 'count']
    >>> default_candidates()[3]
    {'method': 'kde', 'cell_size': 25.0, 'bandwidth': 100.0}
    """
    cands: list[dict[str, Any]] = [{"method": "auto"}]
    cands += [{"method": "count", "cell_size": c} for c in COUNT_CELL_SIZES]
    cands += [{"method": "kde", "cell_size": STREET_CELL_SIZE / (2 if h < 150 else 1),
               "bandwidth": h} for h in KDE_BANDWIDTHS]
    cands.append({"method": "kde"})
    cands += [{"method": "gistar", "cell_size": STREET_CELL_SIZE, "distance": d}
              for d in GISTAR_DISTANCES]
    cands += [{"method": "gistar"}, {"method": "dbscan"}, {"method": "hdbscan"},
              {"method": "emerging"}]
    return cands


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
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
) -> HotspotResult:
    """Run one candidate (``{"method": ..., options}``) on the training crimes.

    Grid methods (and auto, emerging hot spots) use ``area``; clustering does not.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 15], [5, 6, 5]),
    ...                        crs="EPSG:27700")
    >>> run_candidate(pts, {"method": "count", "cell_size": 10}).cells["count"].tolist()
    [2.0, 1.0]
    """
    cand = _check_candidate(candidate)
    method = cand.pop("method")
    if method == "emerging":
        return emerging_hotspots(train, area=area, **cand)
    if method in ("dbscan", "hdbscan"):
        return find_hotspots(train, method=method, **cand)
    return find_hotspots(train, method=method, area=area, **cand)


def _label(cand: Mapping[str, Any], result: HotspotResult | None) -> str:
    params = result.params if result is not None else {}
    method = cand["method"]
    cell = params.get("cell_size", cand.get("cell_size"))
    cells = f"{cell:g} m cells" if cell is not None else "default cells"
    if method == "auto":
        chosen = params.get("chosen")
        return f"Auto ({chosen})" if chosen else "Auto"
    if method == "count":
        return f"Count, {cells}"
    if method == "kde":
        h = params.get("bandwidth", cand.get("bandwidth"))
        rule = "" if "bandwidth" in cand else ", default rule"
        return f"KDE, bandwidth {h:.0f} m{rule} ({cells})" if h else f"KDE ({cells})"
    if method == "gistar":
        d = params.get("distance", cand.get("distance"))
        rule = "" if "distance" in cand else ", default"
        return f"Gi*, neighbours within {d:.0f} m{rule} ({cells})" if d else f"Gi* ({cells})"
    if method == "dbscan":
        return f"DBSCAN clusters (eps {params.get('eps', cand.get('eps', 0)):g} m)"
    if method == "hdbscan":
        return "HDBSCAN clusters"
    return f"Emerging hot spots ({cells})"


def _param_text(cand: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in cand.items() if k != "method")


def comparison_area(
    train: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
) -> tuple[shapely.Geometry, str]:
    """The one study area of a comparison, and how it was chosen.

    The area given, else the convex hull of the training and test crimes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1000, 0], [0, 0, 800]),
    ...                        crs="EPSG:27700")
    >>> geom, rule = comparison_area(pts, pts)
    >>> round(geom.area), rule.split(" (")[0]
    (400000, 'convex hull of the training and test crimes')
    """
    crs = require_projected(train, name="train")
    require_projected(test, name="test")
    if area is not None:
        return area_geometry(area, crs, func="compare_methods"), "the study area given"
    tx, ty = located_xy(train, name="train", func="compare_methods")
    sx, sy = located_xy(test, name="test", func="compare_methods")
    hull = shapely.multipoints(np.c_[np.r_[tx, sx], np.r_[ty, sy]]).convex_hull
    if hull.area <= 0:
        raise EmptySelectionError(
            "compare_methods: the crimes lie on a line or a point, so they have no area; "
            "pass a study area ('area')."
        )
    return hull, "convex hull of the training and test crimes (no study area given)"


def _with_cell_size(cands: list[dict[str, Any]], cell_size: float | None) -> list[dict]:
    if cell_size is None:
        return cands
    out: list[dict[str, Any]] = []
    for cand in cands:
        if cand["method"] in _GRID_METHODS:
            cand = {**cand, "cell_size": float(cell_size)}
        if cand not in out:
            out.append(cand)
    return out


def compare_methods(
    train: gpd.GeoDataFrame,
    test: gpd.GeoDataFrame,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    coverages: Sequence[float] | float = DEFAULT_COVERAGES,
    candidates: Iterable[Mapping[str, Any]] | None = None,
    cell_size: float | None = None,
    scoring_cell_size: float = COMMON_CELL_SIZE,
    n_boot: int = N_BOOT,
    seed: int = 0,
    unit: str = BOOTSTRAP_UNIT,
) -> pd.DataFrame:
    """Rank hotspot methods by how well a map of the training period predicts the test period.

    Every candidate is run on ``train`` and scored against ``test`` on one study area and
    one set of common cells (see :mod:`hotspots.analysis.prediction`); the naive 100 m
    count of the training period (:data:`NAIVE`) is always scored too.

    Parameters
    ----------
    train, test : GeoDataFrame
        Crimes of the training period and of the later test period (projected CRS).
    area : GeoDataFrame, GeoSeries or shapely geometry, optional
        Study area. Default: the convex hull of the training and test crimes (stated in
        ``attrs["study_area"]``).
    coverages : float or sequence of float, default (0.01, 0.02, 0.05)
        Shares of the study area to score at.
    candidates : iterable of dict, optional
        ``{"method": "kde", "cell_size": 50, "bandwidth": 300}`` and so on; methods
        ``auto``, ``count``, ``kde``, ``gistar``, ``dbscan``, ``hdbscan``, ``emerging``.
        Default :func:`default_candidates`.
    cell_size : float, optional
        Cell size for every grid candidate (default: each candidate's own).
    scoring_cell_size : float, default COMMON_CELL_SIZE (100 m)
        Side of the common scoring cells.
    n_boot, seed, unit
        Bootstrap replicates, seed and unit (``"cells"`` or ``"crimes"``) of the intervals.

    Returns
    -------
    DataFrame
        Tidy: one row per candidate and coverage with ``method``, ``label``, ``params``,
        ``candidate`` (0 = the naive count), ``baseline``, the columns of
        :func:`~hotspots.analysis.prediction.prediction_accuracy`, ``gain_vs_naive`` and
        ``gap_to_best`` (hit-rate differences, each with ``_low``/``_high``, paired
        bootstrap), ``indistinguishable`` (from the best: the interval of the gap includes
        0) and ``rank`` (by hit rate among the comparable rows of each coverage; at one
        coverage every row takes the same area, so this is also the PAI order). Sorted by
        coverage, then comparable rows best first. A candidate that could not run keeps its
        rows with NaN scores and the reason in ``note``. ``attrs`` holds the rules and
        ``candidates``, the candidate dicts in ``candidate`` order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> rng = np.random.default_rng(0)
    >>> def crimes(n):
    ...     xy = np.r_[rng.uniform(0, 2000, (n, 2)), rng.normal(500, 40, (n, 2))]
    ...     return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
    ...                             crs="EPSG:27700")
    >>> table = compare_methods(crimes(300), crimes(100), coverages=0.05, n_boot=99,
    ...     candidates=[{"method": "kde", "cell_size": 50, "bandwidth": 100}])
    >>> table[["label", "rank"]].values.tolist()
    [['KDE, bandwidth 100 m (50 m cells)', 1], ['Naive count, 100 m cells (the bar to clear)', 2]]
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
    cands = [_check_candidate(c) for c in (
        candidates if candidates is not None else default_candidates())]
    cands = [dict(NAIVE)] + _with_cell_size(cands, cell_size)
    geom, area_rule = comparison_area(train, test, area=area)
    common = common_grid(geom, crs=crs.to_string(), cell_size=scoring_cell_size)
    area_series = gpd.GeoSeries([geom], crs=crs)
    tx, ty = located_xy(test, name="test", func=func)
    test_cell = common.cell_index(tx, ty)

    runs: list[dict[str, Any]] = []
    for order, cand in enumerate(cands):
        run: dict[str, Any] = {"candidate": order, "method": cand["method"],
                               "params": _param_text(cand), "baseline": order == 0}
        try:
            result = run_candidate(train, cand, area=area_series)
            run["score"], run["ranked"] = output_scores(result, common)
            run["label"] = NAIVE_LABEL if order == 0 else _label(cand, result)
        except HotspotsError as exc:
            run["label"] = _label(cand, None)
            run["error"] = f"could not run: {exc}"
        runs.append(run)
    scored = [r for r in runs if "score" in r]

    rows: list[dict[str, Any]] = []
    for cov in covs:
        rates = hit_rates([r["score"] for r in scored], test_cell, n_cells=common.n_cells,
                          coverage=cov, n_boot=n_boot, seed=seed, unit=unit)
        acc = [accuracy_rows(rates, i, ranked=r["ranked"], cell_area=common.grid.cell_area)
               for i, r in enumerate(scored)]
        rows += _with_differences(rates, scored, acc)
        rows += [{**_head(r), "coverage": cov, "note": r["error"]}
                 for r in runs if "error" in r]
    table = _ranked(pd.DataFrame(rows))
    table.attrs.update({
        "study_area": area_rule,
        "study_area_km2": common.area_km2,
        "study_area_rule": STUDY_AREA_RULE.format(cell=scoring_cell_size),
        "selection_rule": SELECTION_RULE,
        "intervals": bootstrap_rule(unit, n_boot, seed),
        "n_train": len(train),
        "n_test": len(test),
        "test_outside": int((test_cell < 0).sum()),
        "candidates": cands,
    })
    return table


def _head(run: Mapping[str, Any]) -> dict[str, Any]:
    return {k: run[k] for k in ("method", "label", "params", "candidate", "baseline")}


def _with_differences(rates: HitRates, scored: list[dict[str, Any]],
                      acc: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the paired differences from the naive count and from the best row."""
    comparable = [i for i, a in enumerate(acc) if a["comparable"]]
    pool = comparable or list(range(len(acc)))
    best = max(pool, key=lambda i: (rates.hit[i], -i))
    out = []
    for i, (run, row) in enumerate(zip(scored, acc, strict=True)):
        gain, glo, ghi = rates.difference(i, 0)
        gap, plo, phi = rates.difference(best, i)
        out.append({
            **_head(run), **row,
            "gain_vs_naive": gain, "gain_vs_naive_low": glo, "gain_vs_naive_high": ghi,
            "gap_to_best": gap, "gap_to_best_low": plo, "gap_to_best_high": phi,
            "indistinguishable": bool(i == best or plo <= 0.0),
        })
    return out


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    for col in ("hit_rate", "pai", "pei", "area_share"):
        if col not in table:
            table[col] = np.nan
    table["comparable"] = table.get("comparable", pd.Series(False, index=table.index))
    table["comparable"] = table["comparable"].fillna(False).astype(bool)
    table["indistinguishable"] = table.get(
        "indistinguishable", pd.Series(False, index=table.index)).fillna(False).astype(bool)
    ranked = table["hit_rate"].where(table["comparable"])
    table["rank"] = (ranked.groupby(table["coverage"]).rank(ascending=False, method="min")
                     .astype("Int64"))
    table["_order"] = ~table["comparable"]
    return (table.sort_values(["coverage", "_order", "hit_rate", "candidate"],
                              ascending=[True, True, False, True], na_position="last",
                              kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def _names(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def recommend(table: pd.DataFrame, *,
              coverage: float = DEFAULT_COVERAGE) -> tuple[pd.Series, str]:
    """Name the method with the highest hit rate at ``coverage``, and say how sure that is.

    Only comparable rows count (a method whose clusters cover a fraction of the coverage is
    not ranked). Methods whose paired 95% interval of the gap to the best includes 0 are
    named as indistinguishable from it; the gain over the naive 100 m count (the bar to
    clear) is given with its interval.

    Parameters
    ----------
    table : DataFrame
        From :func:`compare_methods`.
    coverage : float, default DEFAULT_COVERAGE (0.01)
        The share of the study area the recommendation is for.

    Returns
    -------
    row : Series
        The row with the highest hit rate (ties: the earlier candidate).
    sentence : str
        A plain-language recommendation.

    Examples
    --------
    >>> table = pd.DataFrame({"method": ["count", "kde", "gistar"],
    ...     "label": ["Naive", "KDE", "Gi*"], "coverage": [0.01] * 3, "candidate": [0, 1, 2],
    ...     "hit_rate": [0.10, 0.15, 0.14], "hit_rate_low": [0.07, 0.11, 0.10],
    ...     "hit_rate_high": [0.13, 0.19, 0.18], "pai": [10.0, 15.0, 14.0],
    ...     "pai_low": [7.0, 11.0, 10.0], "pai_high": [13.0, 19.0, 18.0],
    ...     "gain_vs_naive": [0.0, 0.05, 0.04], "gain_vs_naive_low": [0.0, 0.01, -0.01],
    ...     "gain_vs_naive_high": [0.0, 0.09, 0.08], "indistinguishable": [False, True, True],
    ...     "comparable": [True] * 3})
    >>> row, text = recommend(table)
    >>> row["label"], "cannot be told apart from Gi*" in text
    ('KDE', True)
    """
    coverage = float(coverage)
    if "coverage" not in table or "hit_rate" not in table:
        raise ParameterError("recommend needs the table that compare_methods returns.")
    at = table[np.isclose(table["coverage"].astype(float), coverage)]
    if len(at) == 0:
        have = ", ".join(f"{c:g}" for c in sorted(table["coverage"].unique()))
        raise ParameterError(
            f"recommend: the table has no rows at coverage {coverage:g}; it has {have}. "
            "Add it to the coverages compared."
        )
    valid = at[at["hit_rate"].notna() & at["comparable"].astype(bool)]
    if len(valid) == 0:
        raise EmptySelectionError(
            f"No method could be scored at {coverage:.0%} of the study area (see the 'note' "
            "column); try a larger coverage."
        )
    ordered = valid.sort_values(["hit_rate", "candidate"], ascending=[False, True],
                                kind="stable")
    best = ordered.iloc[0]
    sentence = (
        f"At {coverage:.0%} of the study area, {best['label']} would have caught "
        f"{best['hit_rate']:.1%} of the test-period crimes (95% interval "
        f"{best['hit_rate_low']:.1%}-{best['hit_rate_high']:.1%}; PAI {best['pai']:.1f}, "
        f"{best['pai_low']:.1f}-{best['pai_high']:.1f}), the highest of the {len(valid)} "
        "methods scored"
    )
    ties = [r["label"] for _, r in ordered.iloc[1:].iterrows() if r["indistinguishable"]]
    if ties:
        shown = ties[:5] + ([f"{len(ties) - 5} more"] if len(ties) > 5 else [])
        sentence += (f". It cannot be told apart from {_names(shown)}: the 95% intervals of "
                     "the differences include 0, so on these data they predict about as well")
    elif len(ordered) > 1:
        sentence += ". It is ahead of every other method (the 95% intervals of the "
        sentence += "differences exclude 0)"
    if best["candidate"] == 0:
        sentence += ". No method beat the naive 100 m count of the previous period"
    else:
        gain, lo, hi = (best["gain_vs_naive"], best["gain_vs_naive_low"],
                        best["gain_vs_naive_high"])
        verdict = ("better beyond chance" if lo > 0 else
                   "not distinguishable from it on these data")
        sentence += (f". Against the naive 100 m count of the previous period (the bar to "
                     f"clear) it gains {gain * 100:+.1f} points ({lo * 100:+.1f} to "
                     f"{hi * 100:+.1f}): {verdict}")
    sentence += ". One test period is a guide, not a guarantee: check again as new data arrive."
    return best, sentence
