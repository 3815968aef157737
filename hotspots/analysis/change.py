"""Compare two periods on one aligned grid: where did crime rise, fall, appear or cool?

Both periods are counted (or kernel-smoothed) on the *same* grid, so cell ``E438500N361350``
before is the same square of ground as after. The grid covers the study ``area`` when one
is given, else the union of both periods' crime extents.

Periods may differ in length, so change is measured per month: for grid counts the score
is ``after / months_after - before / months_before`` crimes per cell per month; for kernel
density ("dual KDE") it is the density after minus the density before, both in crimes per
km² per month. With equal periods the count change is the plain difference divided by the
number of months; the raw ``difference`` (after − before, in crimes) is kept beside it.

Each period's hotspots are its top 5% of study-area cells (as :func:`count_hotspots` and
:func:`kde_hotspots` call them), which says which cells *became* hot and which *cooled*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.bandwidth import select_bandwidth
from hotspots.methods.cells import top_share_flags
from hotspots.methods.counts import TOP_SHARE
from hotspots.methods.density import kde_surface
from hotspots.methods.grid import Grid
from hotspots.methods.grid import choose_cell_size
from hotspots.methods.grid import make_grid
from hotspots.methods.grid import study_area_mask
from hotspots.months import as_month
from hotspots.months import covered_months
from hotspots.months import data_months
from hotspots.months import missing_months
from hotspots.months import month_label
from hotspots.months import months_between
from hotspots.months import period_label
from hotspots.result import HotspotResult
from hotspots.select import select_categories
from hotspots.spatial import area_geometry
from hotspots.spatial import point_coordinates
from hotspots.validation import check_choice
from hotspots.validation import float_param
from hotspots.validation import require_projected

__all__ = [
    "COMPARE_METHODS",
    "CHANGE_CLASSES",
    "NO_CHANGE_SHARE",
    "LARGE_CHANGE_SHARE",
    "PeriodComparison",
    "compare_periods",
    "classify_change",
]

#: Methods compare_periods offers.
COMPARE_METHODS: tuple[str, ...] = ("count", "kde")
#: Diverging classes of the change map, from most negative to most positive.
CHANGE_CLASSES: tuple[str, ...] = (
    "large decrease",
    "decrease",
    "little or no change",
    "increase",
    "large increase",
)
#: Display convention of this tool (not a statistical test): a change smaller than this
#: share of the largest absolute change on the map is "little or no change".
NO_CHANGE_SHARE = 0.05
#: Display convention: a change larger than this share of the largest absolute change is
#: "large" (equal intervals on each side of zero, symmetric so +x and −x match in strength).
LARGE_CHANGE_SHARE = 0.5
#: Status of a cell from its hotspot flags in the two periods.
STATUS_NEW = "new hotspot"
STATUS_COOLED = "no longer a hotspot"
STATUS_PERSISTENT = "hotspot in both periods"
STATUS_NONE = ""
#: How compare_periods chooses a bandwidth when none is given: the data-driven choice of
#: hotspots.methods.bandwidth (leave-one-cell-out likelihood cross-validation, since the
#: later period is the one being compared, not predicted) on both periods together.
SHARED_BANDWIDTH_RULE = (
    "on the crimes of both periods together, so both surfaces use the same bandwidth"
)

_CODE = "compare_periods"


def _period(value: Any, *, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise ParameterError(
            f"The '{name}' parameter of {_CODE} must be a (first, last) pair of months, e.g. "
            f"('2024-01', '2024-12'), got {value!r}."
        )
    first = as_month(value[0], name=f"{name}[0]")
    last = as_month(value[1], name=f"{name}[1]")
    if first > last:
        raise ParameterError(
            f"The '{name}' period of {_CODE} starts ({month_label(first)}) after it ends "
            f"({month_label(last)}); swap them."
        )
    return first, last


# ---------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------


def classify_change(change: np.ndarray) -> np.ndarray:
    """Diverging classes (:data:`CHANGE_CLASSES`) for an array of changes.

    Equal intervals on each side of zero, scaled by the largest absolute change ``s``:
    ``|change| <= NO_CHANGE_SHARE * s`` (and exactly zero always) is "little or no change";
    beyond ``LARGE_CHANGE_SHARE * s`` it is a "large" increase or decrease. A display
    convention for the change map, not a significance test.

    Examples
    --------
    >>> classes = classify_change(np.array([-10.0, -2.0, 0.0, 0.2, 3.0, 8.0]))
    >>> [CHANGE_CLASSES.index(c) - 2 for c in classes]
    [-2, -1, 0, 0, 1, 2]
    """
    change = np.asarray(change, dtype=float)
    out = np.full(change.shape, CHANGE_CLASSES[2], dtype=object)
    if change.size == 0:
        return out
    scale = float(np.max(np.abs(change)))
    if scale == 0:
        return out
    small = np.abs(change) <= NO_CHANGE_SHARE * scale
    large = np.abs(change) > LARGE_CHANGE_SHARE * scale
    out[(change < 0) & ~small] = CHANGE_CLASSES[1]
    out[(change < 0) & large] = CHANGE_CLASSES[0]
    out[(change > 0) & ~small] = CHANGE_CLASSES[3]
    out[(change > 0) & large] = CHANGE_CLASSES[4]
    return out


def _status(hot_before: np.ndarray, hot_after: np.ndarray) -> np.ndarray:
    out = np.full(hot_before.shape, STATUS_NONE, dtype=object)
    out[hot_after & ~hot_before] = STATUS_NEW
    out[hot_before & ~hot_after] = STATUS_COOLED
    out[hot_before & hot_after] = STATUS_PERSISTENT
    return out


# ---------------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------------


@dataclass
class PeriodComparison:
    """Two periods on one aligned grid, and the change between them.

    Attributes
    ----------
    cells : GeoDataFrame
        One row per study-area cell: ``cell_id, row, col``; ``before`` and ``after``
        (crimes per cell in each period); ``difference`` (after − before, crimes);
        ``before_per_month``, ``after_per_month``; for KDE also ``density_before`` and
        ``density_after`` (crimes per km² per month); ``change`` (the score: crimes per
        cell per month for counts, crimes per km² per month for KDE, after minus before);
        ``change_class`` (:data:`CHANGE_CLASSES`); ``hot_before``, ``hot_after`` (top
        ``top_share`` of cells in each period); ``status`` ("new hotspot", "no longer a
        hotspot", "hotspot in both periods" or ""); ``score`` (= change) and ``hotspot``
        (True for new hotspots), as every hotspot layer has.
    grid : Grid
        The grid both periods share.
    method : str
        ``"count"`` or ``"kde"``.
    before, after : HotspotResult
        Each period on the grid (score: crimes per cell, or density per km² per month),
        for side-by-side maps on one colour scale.
    params : dict
        Periods, months, cell size, bandwidth and rules, units.
    summary : dict
        Totals, rates, % change and cell counts (JSON-serialisable).
    sentences : list of str
        The summary in plain language.
    notes : list of str
        What was left out and why, short periods, overlaps.
    """

    cells: gpd.GeoDataFrame
    grid: Grid
    method: str
    before: HotspotResult
    after: HotspotResult
    params: dict[str, Any]
    summary: dict[str, Any]
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Side:
    """One period: its months, its crimes' coordinates, its surfaces."""

    first: pd.Timestamp
    last: pd.Timestamp
    months: int
    x: np.ndarray
    y: np.ndarray
    count: np.ndarray | None = None
    density: np.ndarray | None = None

    @property
    def label(self) -> str:
        return period_label(self.first, self.last)


def _period_crimes(
    crimes: gpd.GeoDataFrame, keep: np.ndarray, x: np.ndarray, y: np.ndarray,
    period: tuple[pd.Timestamp, pd.Timestamp], cover: tuple[pd.Timestamp, pd.Timestamp],
    *, name: str, notes: list[str],
) -> _Side:
    first, last = period
    months = covered_months(first, last, cover)
    wanted = months_between(first, last)
    data_span = period_label(*cover)
    if months == 0:
        raise EmptySelectionError(
            f"{_CODE}: the data cover {data_span}, none of the {name} period "
            f"{period_label(first, last)}. Choose months inside the data."
        )
    if months < wanted:
        notes.append(
            f"The data cover only {months} of the {wanted} months of the {name} period "
            f"({period_label(first, last)}; data {data_span}); its rates per month use "
            f"those {months} months."
        )
    gaps = missing_months(crimes, first, last)
    if gaps:
        notes.append(
            f"No crimes at all are recorded in {', '.join(gaps)} ({name} period): missing data?"
        )
    month = pd.to_datetime(crimes["month"]).to_numpy()
    inside = keep & (month >= first.to_datetime64()) & (month <= last.to_datetime64())
    return _Side(first, last, months, x[inside], y[inside])


def _bin(grid: Grid, x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    row, col, on = grid.locate(x, y)
    flat = row[on] * grid.nx + col[on]
    counts = np.bincount(flat, minlength=grid.n_cells).astype(float).reshape(grid.shape)
    counts[~mask] = 0.0
    return counts


def _bandwidth(
    bandwidth: float | None, before: _Side, after: _Side, grid: Grid, mask: np.ndarray,
    notes: list[str],
) -> tuple[float, str]:
    if bandwidth is not None:
        return bandwidth, "user"
    x = np.concatenate([before.x, after.x])
    y = np.concatenate([before.y, after.y])
    choice = select_bandwidth(grid, mask, x, y)
    notes.extend(choice.notes)
    if choice.criterion == "fallback":
        return choice.bandwidth, choice.rule
    return choice.bandwidth, f"{choice.rule}, {SHARED_BANDWIDTH_RULE}"


def _side_result(
    side: _Side, grid: Grid, mask: np.ndarray, method: str, top_share: float,
    common: dict[str, Any], *, name: str,
) -> tuple[HotspotResult, np.ndarray]:
    score = side.count if method == "count" else side.density
    hot = np.zeros(grid.shape, bool)
    hot[mask] = top_share_flags(score[mask], top_share)
    layers: dict[str, np.ndarray] = {"count": side.count}
    if method == "kde":
        layers["density"] = side.density
    layers["score"] = score
    layers["hotspot"] = hot
    params = {
        **common,
        "period": side.label,
        "months": side.months,
        "n_crimes": int(side.count.sum()),
        "top_share": top_share,
    }
    notes = [f"{name.capitalize()} period: {side.label} ({side.months} months)."]
    result = HotspotResult(grid.to_geodataframe(layers, mask=mask), method, params, notes=notes)
    return result, hot


def _percent_change(before: float, after: float) -> float | None:
    return None if before == 0 else (after / before - 1.0) * 100.0


def _signed(value: float, digits: int = 0) -> str:
    return f"{value:+,.{digits}f}".replace("-", "−")


def _summary(
    before: _Side, after: _Side, change: np.ndarray, status: np.ndarray, ids: np.ndarray,
    method: str, unit: str,
) -> tuple[dict[str, Any], list[str]]:
    total_b, total_a = int(before.count.sum()), int(after.count.sum())
    rate_b, rate_a = total_b / before.months, total_a / after.months
    pct = _percent_change(rate_b, rate_a)
    equal = before.months == after.months
    summary: dict[str, Any] = {
        "before_period": before.label,
        "after_period": after.label,
        "months_before": before.months,
        "months_after": after.months,
        "total_before": total_b,
        "total_after": total_a,
        "per_month_before": rate_b,
        "per_month_after": rate_a,
        "percent_change": pct,
        "percent_change_basis": "totals" if equal else "crimes per month",
        "cells": int(change.size),
        "cells_increased": int((change > 0).sum()),
        "cells_decreased": int((change < 0).sum()),
        "cells_unchanged": int((change == 0).sum()),
        "became_hot": int((status == STATUS_NEW).sum()),
        "cooled": int((status == STATUS_COOLED).sum()),
        "stayed_hot": int((status == STATUS_PERSISTENT).sum()),
        "change_units": unit,
        "largest_increase": None,
        "largest_decrease": None,
    }
    if change.size and change.max() > 0:
        i = int(np.argmax(change))
        summary["largest_increase"] = {"cell_id": str(ids[i]), "change": float(change[i])}
    if change.size and change.min() < 0:
        i = int(np.argmin(change))
        summary["largest_decrease"] = {"cell_id": str(ids[i]), "change": float(change[i])}

    pct_text = "no crimes before, so no percentage" if pct is None else f"{_signed(pct)}%"
    if equal:
        first = (f"Crimes went from {total_b:,} in {before.label} to {total_a:,} in "
                 f"{after.label} ({pct_text}).")
    else:
        first = (f"Crimes went from {total_b:,} in {before.label} ({before.months} months, "
                 f"{rate_b:,.1f} a month) to {total_a:,} in {after.label} ({after.months} "
                 f"months, {rate_a:,.1f} a month): {pct_text} per month. The periods differ "
                 "in length, so they are compared per month.")
    sentences = [first]
    sentences.append(
        f"{summary['became_hot']:,} cells became hotspots, {summary['cooled']:,} are no longer "
        f"hotspots and {summary['stayed_hot']:,} were hotspots in both periods "
        f"(hotspot: top {TOP_SHARE:.0%} of cells by {'count' if method == 'count' else 'density'}"
        " in that period)."
    )
    if summary["largest_increase"]:
        big = summary["largest_increase"]
        sentences.append(
            f"The largest increase is in cell {big['cell_id']} ({_signed(big['change'], 2)} "
            f"{unit})."
        )
    if summary["largest_decrease"]:
        big = summary["largest_decrease"]
        sentences.append(
            f"The largest decrease is in cell {big['cell_id']} ({_signed(big['change'], 2)} "
            f"{unit})."
        )
    return summary, sentences


def compare_periods(
    crimes: gpd.GeoDataFrame,
    *,
    before: tuple[Any, Any],
    after: tuple[Any, Any],
    cell_size: float | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | None = None,
    method: str = "count",
    bandwidth: float | None = None,
    categories: str | Sequence[str] | None = None,
    top_share: float = TOP_SHARE,
) -> PeriodComparison:
    """Compare crime in two periods cell by cell on one aligned grid.

    Parameters
    ----------
    crimes : GeoDataFrame
        The canonical crime table (points in a projected CRS, with ``month``). Not changed.
    before, after : (first, last) pairs
        Months ``"YYYY-MM"`` (or dates), both ends included. Periods may differ in length:
        change is compared per month.
    cell_size : float, optional
        Cell side in metres (default: street scale from the spacing of both periods'
        crimes, :func:`hotspots.methods.grid.choose_cell_size`, as for every grid method).
    area : GeoDataFrame, GeoSeries or shapely geometry, optional
        Study area (a bare geometry is taken to be in the crimes' CRS). The grid covers its
        bounds, cells intersecting it are compared, crimes outside are left out (noted).
        Default: the union of both periods' crime extents.
    method : {"count", "kde"}, default "count"
        Grid counts, or quartic kernel density ("dual KDE": density after minus density
        before, each per km² per month).
    bandwidth : float, optional
        KDE radius in metres. Default: the normal-reference rule on both periods' crimes
        together, so both surfaces share one bandwidth.
    categories : str or list of str, optional
        Only these crime categories (default: every crime given).
    top_share : float, default TOP_SHARE (0.05)
        Share of cells called hotspots in each period, for "became hot" and "cooled".

    Returns
    -------
    PeriodComparison
        ``cells`` for the change map (``score`` = change, ``change_class`` diverging),
        ``before``/``after`` results on the same grid, ``summary`` figures and sentences.

    Raises
    ------
    EmptySelectionError
        If the data do not reach into one of the periods, or no crime has a location.
    ParameterError
        For malformed periods, methods or sizes.

    Examples
    --------
    >>> import shapely
    >>> crimes = gpd.GeoDataFrame(
    ...     {"month": pd.to_datetime(["2024-01-01"] * 2 + ["2025-01-01"] * 5),
    ...      "category": ["Burglary"] * 7},
    ...     geometry=[shapely.Point(50, 50)] * 2 + [shapely.Point(150, 50)] * 5,
    ...     crs="EPSG:27700")
    >>> cmp = compare_periods(crimes, before=("2024-01", "2024-01"),
    ...                       after=("2025-01", "2025-01"), cell_size=100)
    >>> cmp.cells[["cell_id", "before", "after", "change"]].values.tolist()
    [['E0N0', 2.0, 0.0, -2.0], ['E100N0', 0.0, 5.0, 5.0]]
    >>> cmp.summary["percent_change"]
    150.0
    """
    crs = require_projected(crimes, name="crimes")
    check_choice(method, name="method", choices=COMPARE_METHODS)
    first_b, last_b = _period(before, name="before")
    first_a, last_a = _period(after, name="after")
    cell_size = float_param(cell_size, name="cell_size", func=_CODE)
    bandwidth = float_param(bandwidth, name="bandwidth", func=_CODE)
    top_share = float_param(top_share, name="top_share", func=_CODE, allow_none=False,
                            high=1.0, closed_high=True)
    if len(crimes) == 0:
        raise EmptySelectionError(f"{_CODE} got an empty crime table: nothing to compare.")
    cover = data_months(crimes, func=_CODE)
    notes: list[str] = []
    if first_a <= last_b and first_b <= last_a:
        notes.append(
            f"The periods overlap ({period_label(max(first_a, first_b), min(last_a, last_b))} "
            "is in both), so crimes in those months count in both."
        )
    keep, chosen = select_categories(crimes, categories, func=_CODE, notes=notes)
    x, y = point_coordinates(crimes, func=_CODE)
    located = np.isfinite(x) & np.isfinite(y)
    if (keep & ~located).any():
        notes.append(
            f"{int((keep & ~located).sum()):,} crimes have no location and were left out."
        )
    keep &= located
    area_geom = None if area is None else area_geometry(area, crs, func=_CODE)
    if area_geom is not None:
        shapely.prepare(area_geom)
        inside = np.zeros(len(crimes), bool)
        inside[keep] = shapely.intersects_xy(area_geom, x[keep], y[keep])
        if (keep & ~inside).any():
            notes.append(
                f"{int((keep & ~inside).sum()):,} crimes lie outside the area and were left out."
            )
        keep &= inside

    side_b = _period_crimes(crimes, keep, x, y, (first_b, last_b), cover, name="before",
                            notes=notes)
    side_a = _period_crimes(crimes, keep, x, y, (first_a, last_a), cover, name="after",
                            notes=notes)
    if area_geom is not None:
        bounds = area_geom.bounds
    else:
        both_x = np.concatenate([side_b.x, side_a.x])
        both_y = np.concatenate([side_b.y, side_a.y])
        if both_x.size == 0:
            raise EmptySelectionError(
                f"{_CODE}: no crime with a location in either period "
                f"({side_b.label}; {side_a.label}); nothing to compare."
            )
        bounds = (both_x.min(), both_y.min(), both_x.max(), both_y.max())
    cell_rule = "user"
    if cell_size is None:
        choice = choose_cell_size(np.concatenate([side_b.x, side_a.x]),
                                  np.concatenate([side_b.y, side_a.y]), bounds=bounds)
        cell_size, cell_rule = choice.cell_size, choice.rule
        notes.extend(choice.notes)
    grid = make_grid(bounds, cell_size=cell_size, crs=crs)
    mask = study_area_mask(
        grid, None if area_geom is None else gpd.GeoSeries([area_geom], crs=crs)
    )
    for side in (side_b, side_a):
        side.count = _bin(grid, side.x, side.y, mask)

    common: dict[str, Any] = {
        "cell_size": grid.cell_size,
        "cell_size_rule": cell_rule,
        "grid_origin": (grid.x0, grid.y0),
        "grid_shape": grid.shape,
        "crs": grid.crs,
        "study_area": "area given" if area_geom is not None else "extent of both periods' crimes",
        "n_cells": int(mask.sum()),
        "categories": list(chosen) if chosen else "all",
        "weight": None,
    }
    if method == "kde":
        h, rule = _bandwidth(bandwidth, side_b, side_a, grid, mask, notes)
        for side in (side_b, side_a):
            density = kde_surface(grid, side.x, side.y, bandwidth=h) / side.months
            side.density = np.where(mask, density, 0.0)
        common.update(bandwidth=h, bandwidth_rule=rule, kernel="quartic",
                      density_units="crimes per km² per month")
        change = side_a.density - side_b.density
        unit = "crimes per km² per month"
    else:
        change = side_a.count / side_a.months - side_b.count / side_b.months
        unit = "crimes per cell per month"
    change = np.where(mask, change, 0.0)

    res_b, hot_b = _side_result(side_b, grid, mask, method, top_share, common, name="before")
    res_a, hot_a = _side_result(side_a, grid, mask, method, top_share, common, name="after")
    status = _status(hot_b, hot_a)
    classes = np.full(grid.shape, CHANGE_CLASSES[2], dtype=object)
    classes[mask] = classify_change(change[mask])
    layers: dict[str, np.ndarray] = {
        "before": side_b.count,
        "after": side_a.count,
        "difference": side_a.count - side_b.count,
        "before_per_month": side_b.count / side_b.months,
        "after_per_month": side_a.count / side_a.months,
    }
    if method == "kde":
        layers["density_before"] = side_b.density
        layers["density_after"] = side_a.density
    layers.update(change=change, change_class=classes, hot_before=hot_b, hot_after=hot_a,
                  status=status, score=change, hotspot=status == STATUS_NEW)
    cells = grid.to_geodataframe(layers, mask=mask)

    summary, sentences = _summary(
        side_b, side_a, change[mask], status[mask], grid.cell_ids()[mask], method, unit
    )
    params = {
        **common,
        "method": method,
        "before": side_b.label,
        "after": side_a.label,
        "months_before": side_b.months,
        "months_after": side_a.months,
        "top_share": top_share,
        "score": f"change, after minus before, in {unit}",
        "change_classes": (
            f"equal intervals on each side of zero: within {NO_CHANGE_SHARE:.0%} of the largest "
            f"absolute change is little or no change, beyond {LARGE_CHANGE_SHARE:.0%} is large"
        ),
        "data_months": period_label(*cover),
    }
    return PeriodComparison(cells=cells, grid=grid, method=method, before=res_b, after=res_a,
                            params=params, summary=summary, sentences=sentences, notes=notes)
