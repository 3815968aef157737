"""The baseline of a projected impact: which crimes, months and hotspots it counts.

:func:`hotspots.planning.impact.projected_impact` counts the crimes in each intervention's
coverage over a baseline window; these functions check and prepare what it counts, and
write a note for every choice they make (window moved, crimes left out or reprojected), and
correct the count for regression to the mean (:func:`rtm_baseline`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ParameterError
from hotspots.evaluation.did import DISPERSION_MIN_DF
from hotspots.evaluation.did import pearson_dispersion
from hotspots.evaluation.places import comparable_places
from hotspots.evaluation.places import monthly_counts
from hotspots.evaluation.rtm import NO_REFERENCE
from hotspots.evaluation.rtm import EmpiricalBayes
from hotspots.evaluation.rtm import fit_reference
from hotspots.months import month_label
from hotspots.months import months_between
from hotspots.months import parse_month
from hotspots.months import shift_months
from hotspots.planning.interventions import PLAN_CRS
from hotspots.result import HotspotResult
from hotspots.validation import require_projected

__all__ = ["baseline_window", "baseline_crimes", "hotspot_geometry", "RTMBaseline",
           "rtm_baseline", "MIN_REFERENCE_PLACES"]

#: Fewest comparable places for the regression-to-the-mean reference within the selected
#: areas; with fewer, places are taken from the data's whole extent (a method-of-moments fit of
#: a negative binomial from under 30 counts is too unsteady to shrink a baseline with).
MIN_REFERENCE_PLACES = 30


def baseline_window(
    crimes: gpd.GeoDataFrame, starts: list[pd.Timestamp], as_of: str | None, months: int,
    notes: list[str],
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last baseline month, with notes saying how they were chosen.

    The ``months`` months before ``as_of`` (or before the earliest of ``starts``); moved back
    to end with the data's last month when the data end earlier.
    """
    if as_of is not None:
        anchor, why = parse_month(as_of, name="as_of"), f"before {as_of} (as_of)"
    else:
        anchor = min(starts)
        why = f"before the plan's first start month, {month_label(anchor)}"
    last = shift_months(anchor, -1)
    data_months = crimes["month"].dropna()
    if len(data_months) and data_months.max() < last:
        newest = data_months.max()
        notes.append(
            f"The data end in {month_label(newest)}, before the {months} months {why}; the "
            f"baseline is the last {months} months of data instead."
        )
        last = newest
    else:
        notes.append(f"Baseline: the {months} months {why}.")
    first = shift_months(last, -(months - 1))
    if len(data_months) and data_months.min() > first:
        covered = months_between(data_months.min(), last)
        notes.append(
            f"The data start in {month_label(data_months.min())}, so only {max(covered, 0)} "
            f"of the {months} baseline months have crimes; figures are not scaled up."
        )
    return first, last


def hotspot_geometry(hotspots: Any) -> BaseGeometry | None:
    """The hotspots (only the hotspot rows of a result or frame) as one geometry in EPSG:27700."""
    if hotspots is None:
        return None
    if isinstance(hotspots, HotspotResult):
        cells = hotspots.cells
        hotspots = cells[cells["hotspot"].astype(bool)] if "hotspot" in cells else cells
    if isinstance(hotspots, gpd.GeoDataFrame) and "hotspot" in hotspots.columns:
        hotspots = hotspots[hotspots["hotspot"].astype(bool)]
    if isinstance(hotspots, gpd.GeoDataFrame | gpd.GeoSeries):
        if hotspots.crs is None:
            raise ParameterError(
                "'hotspots' has no CRS; set it with set_crs(...) (e.g. 'EPSG:27700')."
            )
        geoms = hotspots.geometry if isinstance(hotspots, gpd.GeoDataFrame) else hotspots
        return shapely.union_all(shapely.make_valid(geoms.to_crs(PLAN_CRS).dropna().array))
    if isinstance(hotspots, BaseGeometry):
        return hotspots
    raise TypeError(
        "'hotspots' should be a HotspotResult, GeoDataFrame, GeoSeries or shapely geometry, "
        f"got {type(hotspots)}"
    )


def baseline_crimes(crimes: gpd.GeoDataFrame, weight: str | None,
                    notes: list[str]) -> gpd.GeoDataFrame:
    """The crimes with a location, in EPSG:27700, once their columns and weights are checked."""
    if not isinstance(crimes, gpd.GeoDataFrame):
        raise TypeError(f"'crimes' should be a GeoDataFrame, got {type(crimes)}")
    require_projected(crimes, name="crimes")
    for column in ("month", "category"):
        if column not in crimes.columns:
            raise ParameterError(
                f"'crimes' has no {column!r} column; load it with hotspots.load_crimes."
            )
    if weight is not None:
        if weight not in crimes.columns:
            raise ParameterError(
                f"The 'weight' parameter names column {weight!r}, which 'crimes' does not "
                f"have; columns: {', '.join(map(str, crimes.columns))}."
            )
        values = pd.to_numeric(crimes[weight], errors="coerce")
        if values.isna().any() or (values < 0).any():
            raise ParameterError(
                f"Column {weight!r} must hold numbers >= 0 to be used as 'weight'; "
                f"{int((values.isna() | (values < 0)).sum()):,} rows do not."
            )
    located = crimes.geometry.notna() & ~crimes.geometry.is_empty
    if not located.all():
        notes.append(f"{int((~located).sum()):,} crimes without a location are left out.")
    out = crimes.loc[located]
    if out.crs is not None and not out.crs.equals(PLAN_CRS):
        out = out.to_crs(PLAN_CRS)
        notes.append(f"Crimes were converted to {PLAN_CRS}, the CRS of the plan.")
    return out


@dataclass(frozen=True)
class RTMBaseline:
    """The baseline corrected for regression to the mean (empirical Bayes).

    Attributes
    ----------
    observed : float
        Crimes of the plan's types in its coverage in the baseline window.
    expected : float
        Their empirical Bayes estimate: the count expected in a year like the baseline
        without the scheme.
    factor : float
        ``expected / observed`` (1 without a correction), applied to every projected figure.
    eb : EmpiricalBayes
    dispersion : float
        Overdispersion of the coverage's monthly counts against the places (>= 1).
    places : dict
        How the comparable places were made, and how many.
    statement : str
    """

    observed: float
    expected: float
    factor: float
    eb: EmpiricalBayes
    dispersion: float
    places: dict[str, Any]
    statement: str

    def to_dict(self) -> dict[str, Any]:
        return {"observed": self.observed, "expected": self.expected, "factor": self.factor,
                "empirical_bayes": self.eb.to_dict(), "dispersion": self.dispersion,
                "places": dict(self.places), "statement": self.statement}


def rtm_baseline(crimes: gpd.GeoDataFrame, footprint: BaseGeometry, *, first: pd.Timestamp,
                 last: pd.Timestamp, region: BaseGeometry | None) -> RTMBaseline:
    """Correct the coverage's baseline count for regression to the mean.

    ``crimes`` are those of the types the plan acts on (any location); the coverage's count
    is weighed against the same shape placed across ``region``
    (:func:`hotspots.evaluation.places.comparable_places`) by empirical Bayes
    (:mod:`hotspots.evaluation.rtm`).
    """
    observed = float(monthly_counts(crimes, [footprint], first=first, last=last).sum())
    if region is None or region.is_empty or region.area <= 0 or observed == 0:
        why = ("no study area to find comparable places in" if observed else
               "no crimes in the coverage")
        return RTMBaseline(observed, observed, 1.0, NO_REFERENCE, 1.0, {"n_places": 0},
                           f"No correction for regression to the mean ({why}).")
    places = comparable_places(crimes, footprint, region=region, first=first, last=last,
                               crs=str(crimes.crs))
    widened = ""
    if len(places) < MIN_REFERENCE_PLACES and len(crimes):
        extent = shapely.union_all([shapely.box(*crimes.total_bounds), region])
        wider = comparable_places(crimes, footprint, region=extent, first=first, last=last,
                                  crs=str(crimes.crs))
        if len(wider) > len(places):
            places = wider
            widened = (f" (the selected areas hold fewer than {MIN_REFERENCE_PLACES} places of "
                       "this shape, so they were taken from the whole extent of the data)")
    target_monthly = monthly_counts(crimes, [footprint], first=first, last=last)[0]
    eb = fit_reference(np.append(places.monthly.sum(axis=1), observed)) if len(
        places) else NO_REFERENCE
    expected = eb.estimate(observed) if len(places) else observed
    phi, df = pearson_dispersion(target_monthly, places.monthly) if len(places) else (None, 0)
    dispersion = max(1.0, phi) if phi is not None and df >= DISPERSION_MIN_DF else 1.0
    return RTMBaseline(observed=observed, expected=expected, factor=expected / observed,
                       eb=eb, dispersion=dispersion, places=places.to_dict(),
                       statement=eb.statement(observed, what="baseline count in the coverage")
                       + widened)
