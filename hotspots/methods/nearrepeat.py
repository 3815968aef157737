"""Near repeats: does one crime raise the risk of another close by, soon after? (Knox test)

For every pair of crimes ``i < j`` the distance between them and the number of days between
them are binned into distance bands × time bands (a Knox table). If timing were unrelated to
place, shuffling the dates among the crimes (the locations fixed) would give tables like the
observed one; where a cell of the observed table holds more pairs than nearly all shuffles,
crimes close in space are also close in time: near repeats (Knox 1964; Johnson & Bowers
2004; Ratcliffe's Near Repeat Calculator).

* Bands: distances ``0–d1`` (inclusive), ``d1–d2`` (above d1, up to d2), ..., and
  "beyond" the last edge; days between the two crimes' calendar dates ``0–t1``
  (inclusive), ``t1+1–t2``, ..., and beyond.
* Expected counts: the mean over ``iterations`` random permutations of the dates
  (:func:`numpy.random.default_rng` with ``seed``).
* p-value of each cell: ``(1 + number of permutations with at least the observed count) /
  (1 + iterations)``, one-sided (more pairs than chance).

police.uk data gives only the month of each crime, so near repeats cannot be measured on
it: :func:`knox_test` refuses such data with a message saying so, and
:func:`near_repeat_possible` lets an interface check first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from hotspots.errors import ColumnMappingError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.spatial import point_coordinates
from hotspots.validation import float_param
from hotspots.validation import require_projected

__all__ = [
    "DEFAULT_DISTANCE_BANDS",
    "DEFAULT_ITERATIONS",
    "DEFAULT_TIME_BANDS",
    "KNOX_ALPHA",
    "KnoxResult",
    "knox_test",
    "near_repeat_possible",
]

#: Distance band edges in metres: 100 m steps to 400 m. Burglary near-repeat studies find
#: the raised risk within a few hundred metres (Johnson et al. 2007, eight-country study:
#: up to ~200–400 m); equal 100 m bands are the Near Repeat Calculator's usual set-up.
DEFAULT_DISTANCE_BANDS: tuple[float, ...] = (100.0, 200.0, 300.0, 400.0)
#: Time band edges in days: weekly to four weeks, where the burglary near-repeat effect is
#: strongest (Johnson et al. 2007: mostly within 1–2 weeks, fading by about a month).
DEFAULT_TIME_BANDS: tuple[float, ...] = (7.0, 14.0, 21.0, 28.0)
#: Permutations for the Monte Carlo p-values. 99 gives p-values down to 0.01; the Near
#: Repeat Calculator offers 20, 99 and 999 (use 999 for a published figure).
DEFAULT_ITERATIONS = 99
#: The most permutations: 9,999 resolve p-values to 0.0001, finer than any test here needs;
#: each permutation costs a pass over every pair of crimes.
MAX_ITERATIONS = 9_999
#: One-sided significance level for calling a cell a near-repeat pattern.
KNOX_ALPHA = 0.05
#: Fewer dated events than this cannot give a meaningful Knox table.
MIN_EVENTS = 10


@dataclass
class KnoxResult:
    """A Knox near-repeat test.

    Attributes
    ----------
    observed, expected, ratio, p_value : DataFrame
        Distance bands (rows) × time bands (columns): pairs observed, mean pairs over the
        permutations, observed / expected, Monte Carlo p-value.
    distance_bands, time_bands : tuple of float
        The band edges (metres, days).
    iterations, seed : int
        Permutations and the seed they were drawn with.
    alpha : float
        The significance level used in ``significant`` and the headline.
    n_events, n_pairs : int
        Crimes tested and pairs among them (``n (n - 1) / 2``).
    headline : str
        The plain-language finding for the headline distance and time.
    headline_stats : dict
        ``distance``, ``days``, ``observed``, ``expected``, ``ratio``, ``p_value`` for the
        cumulative "within distance and days" cell of the headline.
    notes : list of str
        Crimes left out and why.
    """

    observed: pd.DataFrame
    expected: pd.DataFrame
    ratio: pd.DataFrame
    p_value: pd.DataFrame
    distance_bands: tuple[float, ...]
    time_bands: tuple[float, ...]
    iterations: int
    seed: int | None
    alpha: float
    n_events: int
    n_pairs: int
    headline: str
    headline_stats: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def significant(self) -> pd.DataFrame:
        """True where a cell holds significantly more pairs than chance (p < alpha)."""
        return (self.p_value < self.alpha) & (self.ratio > 1)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per distance band × time band with every statistic."""
        out = pd.DataFrame({
            "distance_band": np.repeat(self.observed.index.to_numpy(), self.observed.shape[1]),
            "time_band": np.tile(self.observed.columns.to_numpy(), self.observed.shape[0]),
            "observed": self.observed.to_numpy().ravel(),
            "expected": self.expected.to_numpy().ravel(),
            "ratio": self.ratio.to_numpy().ravel(),
            "p_value": self.p_value.to_numpy().ravel(),
        })
        out["significant"] = (out["p_value"] < self.alpha) & (out["ratio"] > 1)
        return out


# --------------------------------------------------------------------------- checks


def near_repeat_possible(crimes: pd.DataFrame) -> tuple[bool, str]:
    """Say whether ``crimes`` have the exact dates a near-repeat analysis needs, and why not.

    Returns
    -------
    possible : bool
    reason : str
        Empty when possible; otherwise a plain-language explanation and what to do.

    Examples
    --------
    >>> months = pd.DataFrame({"month": pd.to_datetime(["2024-01-01"] * 12),
    ...                        "date": pd.Series([pd.NaT] * 12, dtype="datetime64[ns]")})
    >>> near_repeat_possible(months)[1].split(".")[0]
    'Near-repeat analysis needs the exact date of each crime'
    """
    why = (
        "Near-repeat analysis needs the exact date of each crime. {detail} police.uk data "
        "gives only the month, so whether one crime raises the risk nearby in the following "
        "days cannot be measured on it. Use a force-internal extract with offence dates, "
        "mapped with 'date = <column>' in the column mapping."
    )
    if "date" not in crimes.columns:
        return False, why.format(detail="These crimes have no 'date' column.")
    dates = pd.to_datetime(crimes["date"])
    if dates.notna().sum() == 0:
        return False, why.format(detail="None of these crimes has a date, only a month.")
    known = dates.dropna()
    if len(known) >= MIN_EVENTS and (known == known.dt.to_period("M").dt.start_time).all():
        return False, why.format(
            detail="Every date here is the 1st of a month at midnight, so the dates are "
                   "months in disguise."
        )
    return True, ""


def _edges(values: Any, *, name: str, unit: str) -> tuple[float, ...]:
    try:
        edges = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        edges = ()
    ok = (
        len(edges) >= 1
        and all(math.isfinite(e) and e > 0 for e in edges)
        and all(b > a for a, b in zip(edges, edges[1:], strict=False))
    )
    if not ok:
        raise ParameterError(
            f"The '{name}' parameter of knox_test must be increasing positive band edges in "
            f"{unit}, e.g. {DEFAULT_DISTANCE_BANDS if unit == 'metres' else DEFAULT_TIME_BANDS}; "
            f"got {values!r}."
        )
    return edges


def _labels(edges: tuple[float, ...], unit: str, integer: bool) -> list[str]:
    labels, low = [], None
    for edge in edges:
        if low is None:
            labels.append(f"0-{edge:g} {unit}")
        else:
            start = f"{low + 1:g}" if integer else f"{low:g}"
            labels.append(f"{start}-{edge:g} {unit}")
        low = edge
    labels.append(f"over {edges[-1]:g} {unit}")
    return labels


#: How the headline names one crime of each police.uk category ("within 100 m and 7 days
#: of a burglary").
_ONE_CRIME: dict[str, str] = {
    "Anti-social behaviour": "anti-social behaviour incident",
    "Bicycle theft": "bicycle theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal damage or arson offence",
    "Drugs": "drugs offence",
    "Other crime": "crime",
    "Other theft": "theft",
    "Possession of weapons": "weapons possession offence",
    "Public order": "public order offence",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting offence",
    "Theft from the person": "theft from the person",
    "Vehicle crime": "vehicle crime",
    "Violence and sexual offences": "violent or sexual offence",
}


def _noun(crimes: pd.DataFrame) -> str:
    """"a burglary", "an anti-social behaviour incident", or "a crime" for mixed data."""
    noun = "crime"
    if "category" in crimes.columns:
        cats = crimes["category"].dropna().astype(str).unique()
        if len(cats) == 1 and cats[0]:
            noun = _ONE_CRIME.get(cats[0], cats[0].lower())
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


# --------------------------------------------------------------------------- test


def _all_pair_time_counts(days: np.ndarray, t_edges: np.ndarray) -> np.ndarray:
    """Pairs per time band over all pairs (invariant under permuting the dates)."""
    ordered = np.sort(days)
    idx = np.arange(ordered.size)
    cumulative = [
        float((np.searchsorted(ordered, ordered + t, side="right") - idx - 1).sum())
        for t in t_edges
    ]
    total = ordered.size * (ordered.size - 1) / 2.0
    within = np.diff(np.r_[0.0, cumulative])
    return np.r_[within, total - cumulative[-1]]


def _pair_table(
    dband: np.ndarray, dt: np.ndarray, t_edges: np.ndarray, n_d: int, n_t: int
) -> np.ndarray:
    tband = np.searchsorted(t_edges, dt, side="left")
    return np.bincount(dband * n_t + tband, minlength=n_d * n_t).reshape(n_d, n_t)


def knox_test(
    crimes: gpd.GeoDataFrame,
    *,
    distance_bands: Sequence[float] = DEFAULT_DISTANCE_BANDS,
    time_bands: Sequence[float] = DEFAULT_TIME_BANDS,
    iterations: int = DEFAULT_ITERATIONS,
    seed: int | None = 0,
    alpha: float = KNOX_ALPHA,
    headline: tuple[float, float] | None = None,
) -> KnoxResult:
    """Knox test for near repeats, with Monte Carlo p-values from permuted dates.

    Parameters
    ----------
    crimes : GeoDataFrame
        Crimes with exact dates in ``date`` (points in a projected CRS, metres). Crimes
        without a date or location are left out, with a note.
    distance_bands : sequence of float, default (100, 200, 300, 400)
        Upper edges of the distance bands in metres (a band "over" the last is added).
    time_bands : sequence of float, default (7, 14, 21, 28)
        Upper edges of the time bands in days (a band "over" the last is added).
    iterations : int, default 99
        Random permutations of the dates for the expected counts and p-values.
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same result.
    alpha : float, default 0.05
        Significance level for ``significant`` and the headline.
    headline : (distance, days), optional
        The cumulative "within distance and days" cell the headline reports; each must be
        one of the band edges. Default: the first distance and time bands.

    Returns
    -------
    KnoxResult

    Raises
    ------
    ColumnMappingError
        If the crimes have no exact dates (police.uk data: months only).

    Examples
    --------
    Pairs of burglaries 50 m and 2 days apart, repeated across a town:

    >>> rng = np.random.default_rng(1)
    >>> base = rng.uniform(0, 5000, (200, 2))
    >>> days = rng.integers(0, 365, 200)
    >>> xy = np.r_[base, base + [50.0, 0.0]]
    >>> when = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.r_[days, days + 2], unit="D")
    >>> crimes = gpd.GeoDataFrame({"date": when, "category": "Burglary"},
    ...     geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")
    >>> res = knox_test(crimes, distance_bands=[100, 200], time_bands=[7, 14], seed=1)
    >>> int(res.observed.iloc[0, 0]) >= 200, float(res.p_value.iloc[0, 0])
    (True, 0.01)
    >>> res.headline.split(",")[0]
    'Within 100 m and 7 days of a burglary'
    """
    func = "knox_test"
    require_projected(crimes, name="crimes")
    possible, reason = near_repeat_possible(crimes)
    if not possible:
        raise ColumnMappingError(reason)
    d_edges = _edges(distance_bands, name="distance_bands", unit="metres")
    t_edges = _edges(time_bands, name="time_bands", unit="days")
    if isinstance(iterations, bool) or not isinstance(iterations, int | np.integer) or (
            iterations < 1 or iterations > MAX_ITERATIONS):
        raise ParameterError(
            f"The 'iterations' parameter (--knox-iterations) of {func} must be a whole number "
            f"from 1 to {MAX_ITERATIONS:,} (99 or 999 are usual), got {iterations!r}."
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)
                             or seed < 0):
        raise ParameterError(
            f"The 'seed' parameter (--seed) of {func} must be a whole number >= 0 or None, "
            f"got {seed!r}.")
    alpha = float_param(alpha, name="alpha", func=func, allow_none=False, high=1.0)
    hd, ht = headline if headline is not None else (d_edges[0], t_edges[0])
    if hd not in d_edges or ht not in t_edges:
        raise ParameterError(
            f"The 'headline' parameter of {func} must be (distance, days) taken from the band "
            f"edges {d_edges} and {t_edges}; got {headline!r}."
        )

    notes: list[str] = []
    x, y = point_coordinates(crimes, func=func)
    located = np.isfinite(x) & np.isfinite(y)
    dates = pd.to_datetime(crimes["date"])
    keep = located & dates.notna().to_numpy()
    if (~keep).any():
        notes.append(
            f"{int((~located).sum()):,} crimes without a location and "
            f"{int((located & dates.isna().to_numpy()).sum()):,} without a date were left out."
        )
    n = int(keep.sum())
    if n < MIN_EVENTS:
        raise EmptySelectionError(
            f"{func} needs at least {MIN_EVENTS} dated, located crimes; got {n}."
        )
    coords = np.column_stack([x[keep], y[keep]])
    day_index = dates[keep].dt.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    days = (day_index - day_index.min()).astype(float)

    d_arr, t_arr = np.asarray(d_edges), np.asarray(t_edges)
    n_d, n_t = len(d_edges) + 1, len(t_edges) + 1
    pairs = cKDTree(coords).query_pairs(r=d_edges[-1], output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    dist = np.hypot(*(coords[i] - coords[j]).T)
    dband = np.searchsorted(d_arr, dist, side="left")  # 0 .. n_d - 2 (all within the last)
    all_time = _all_pair_time_counts(days, t_arr)

    def table(day_values: np.ndarray) -> np.ndarray:
        close = _pair_table(dband, np.abs(day_values[i] - day_values[j]), t_arr, n_d, n_t)
        close[-1] = all_time - close[:-1].sum(axis=0)
        return close

    observed = table(days)
    rng = np.random.default_rng(seed)
    sims = np.empty((iterations, n_d, n_t))
    for k in range(iterations):
        sims[k] = table(days[rng.permutation(n)])
    expected = sims.mean(axis=0)
    p = (1.0 + (sims >= observed[None] - 1e-9).sum(axis=0)) / (1.0 + iterations)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)

    d_labels = _labels(d_edges, "m", integer=False)
    t_labels = _labels(t_edges, "days", integer=True)

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=pd.Index(d_labels, name="distance"),
                            columns=pd.Index(t_labels, name="time"))

    di, ti = d_edges.index(hd) + 1, t_edges.index(ht) + 1
    obs_cum = float(observed[:di, :ti].sum())
    sims_cum = sims[:, :di, :ti].sum(axis=(1, 2))
    exp_cum = float(sims_cum.mean())
    p_cum = float((1.0 + (sims_cum >= obs_cum - 1e-9).sum()) / (1.0 + iterations))
    ratio_cum = obs_cum / exp_cum if exp_cum > 0 else math.nan
    stats = {"distance": hd, "days": ht, "observed": int(obs_cum), "expected": exp_cum,
             "ratio": ratio_cum, "p_value": p_cum}
    return KnoxResult(
        observed=frame(observed.astype(np.int64)),
        expected=frame(expected),
        ratio=frame(ratio),
        p_value=frame(p),
        distance_bands=d_edges,
        time_bands=t_edges,
        iterations=int(iterations),
        seed=seed,
        alpha=float(alpha),
        n_events=n,
        n_pairs=n * (n - 1) // 2,
        headline=_headline(stats, _noun(crimes[keep]), iterations, alpha),
        headline_stats=stats,
        notes=notes,
    )


def _headline(stats: dict[str, Any], noun: str, iterations: int, alpha: float) -> str:
    where = f"{stats['distance']:g} m and {stats['days']:g} days"
    test = (f"Knox test: {stats['observed']:,} pairs observed, {stats['expected']:.1f} expected "
            f"if timing and place were unrelated; p = {stats['p_value']:.3f} from "
            f"{iterations} permutations")
    ratio = stats["ratio"]
    if stats["p_value"] < alpha and ratio > 1:
        return (f"Within {where} of {noun}, the risk of another is {ratio:.1f} times what it "
                f"would be if timing and place were unrelated ({test}).")
    ratio_text = f"{ratio:.2f}" if math.isfinite(ratio) else "undefined"
    return (f"No evidence of near repeats within {where} of {noun}: the ratio of observed "
            f"to expected pairs is {ratio_text}, within what chance gives ({test}).")
