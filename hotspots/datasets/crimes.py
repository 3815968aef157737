"""Crimes for the synthetic demo town: background, planted patterns, the scheme, police.uk rows.

See :mod:`hotspots.datasets.sample` for what is planted. Each month draws its crimes from its own
generator, ``np.random.default_rng([seed, month_index])``, so the crimes of a shorter run are
those of the first months of a longer one (only outcomes of the last three months differ).
"""

from __future__ import annotations

import hashlib
import math
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from hotspots.datasets.town import CRS
from hotspots.datasets.town import FORCE_NAME
from hotspots.datasets.town import FORCE_SLUG
from hotspots.datasets.town import PLANTS
from hotspots.datasets.town import SCHEME
from hotspots.datasets.town import SCHEME_CATEGORIES
from hotspots.datasets.town import TOWN_NAME
from hotspots.datasets.town import Plant
from hotspots.datasets.town import Town
from hotspots.datasets.town import build_town
from hotspots.datasets.town import distance
from hotspots.months import month_label
from hotspots.months import parse_month
from hotspots.months import shift_months
from hotspots.schema import POLICE_UK_CATEGORIES

POLICE_UK_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)

# --- crime volumes -------------------------------------------------------------------------
#: Expected background crimes and ASB per month before trend and season (a town of ~65,000).
BACKGROUND_PER_MONTH = 2_700.0
#: Background growth per year, shared by the whole town (so the control area shares it).
TREND_PER_YEAR = 0.05
#: Share of rows with no coordinates: police.uk publishes about 4% (DESIGN.md).
NO_LOCATION_SHARE = 0.04
# category: (share of background, seasonal amplitude, peak calendar month, share drawn from the
# commercial surface rather than the residential one, relative chance of "No Location").
# Shares follow the mix of a real police.uk month (West Yorkshire, July 2016); no-location factors
# follow the per-type rates in that file.
_CATEGORIES: dict[str, tuple[float, float, int, float, float]] = {
    "Anti-social behaviour": (0.280, 0.15, 7, 0.35, 0.1),
    "Bicycle theft": (0.010, 0.25, 8, 0.45, 0.7),
    "Burglary": (0.070, 0.12, 12, 0.05, 0.8),
    "Criminal damage and arson": (0.095, 0.05, 7, 0.15, 1.0),
    "Drugs": (0.018, 0.03, 7, 0.40, 1.7),
    "Other crime": (0.018, 0.03, 7, 0.15, 1.2),
    "Other theft": (0.080, 0.05, 7, 0.50, 0.8),
    "Possession of weapons": (0.005, 0.03, 7, 0.40, 1.5),
    "Public order": (0.055, 0.08, 7, 0.45, 1.8),
    "Robbery": (0.007, 0.08, 11, 0.45, 3.3),
    "Shoplifting": (0.055, 0.05, 12, 0.90, 0.6),
    "Theft from the person": (0.012, 0.08, 12, 0.65, 2.4),
    "Vehicle crime": (0.070, 0.06, 11, 0.25, 1.0),
    "Violence and sexual offences": (0.225, 0.08, 7, 0.30, 1.5),
}

# --- outcomes ------------------------------------------------------------------------------
_OUTCOMES: dict[str, dict[str, float]] = {
    "acquisitive": {
        "Investigation complete; no suspect identified": 0.62,
        "Unable to prosecute suspect": 0.14,
        "Status update unavailable": 0.05,
        "Local resolution": 0.03,
        "Court result unavailable": 0.03,
        "Offender sent to prison": 0.02,
        "Awaiting court outcome": 0.02,
        "Further investigation is not in the public interest": 0.02,
        "Offender given a caution": 0.02,
        "Offender given community sentence": 0.02,
        "Formal action is not in the public interest": 0.01,
        "Action to be taken by another organisation": 0.01,
        "Suspect charged as part of another case": 0.01,
    },
    "violence": {
        "Unable to prosecute suspect": 0.52,
        "Investigation complete; no suspect identified": 0.14,
        "Status update unavailable": 0.05,
        "Local resolution": 0.05,
        "Court result unavailable": 0.04,
        "Awaiting court outcome": 0.04,
        "Offender given a caution": 0.03,
        "Offender given community sentence": 0.03,
        "Offender sent to prison": 0.03,
        "Further investigation is not in the public interest": 0.03,
        "Offender given suspended prison sentence": 0.02,
        "Formal action is not in the public interest": 0.02,
        "Action to be taken by another organisation": 0.02,
        "Offender fined": 0.02,
    },
    "proactive": {
        "Local resolution": 0.18,
        "Investigation complete; no suspect identified": 0.12,
        "Offender given a caution": 0.10,
        "Unable to prosecute suspect": 0.10,
        "Awaiting court outcome": 0.08,
        "Court result unavailable": 0.08,
        "Offender fined": 0.08,
        "Offender given community sentence": 0.07,
        "Offender sent to prison": 0.06,
        "Offender given conditional discharge": 0.05,
        "Status update unavailable": 0.05,
        "Formal action is not in the public interest": 0.03,
    },
}
_OUTCOME_GROUP = {
    "Drugs": "proactive", "Possession of weapons": "proactive", "Shoplifting": "proactive",
    "Violence and sexual offences": "violence", "Public order": "violence",
    "Other crime": "violence",
}
#: Chance that a crime in the last, second-last and third-last month is still under investigation.
_UNDER_INVESTIGATION = (0.50, 0.30, 0.15)


# ============================================================================================
# Crimes
# ============================================================================================


def _level(category: str, i: int, calendar_month: int) -> float:
    """Trend x season multiplier for ``category`` in month index ``i``."""
    _, amplitude, peak, _, _ = _CATEGORIES[category]
    trend = 1.0 + TREND_PER_YEAR * (i - 11.5) / 12.0
    return trend * (1.0 + amplitude * math.cos(2 * math.pi * (calendar_month - peak) / 12))


def _plant_weights(points: pd.DataFrame, plant: Plant) -> np.ndarray:
    d = distance(points, plant.centre)
    w = np.where(d <= plant.radius, np.exp(-(d**2) / (2 * (plant.radius / 2) ** 2)), 0.0)
    return w * np.where(points["label"].isin(plant.boost), 4.0, 1.0)


def _draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    if n == 0 or weights.sum() <= 0:
        return np.empty(0, dtype=np.int64)
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def _simulate_month(town: Town, seed: int, i: int,
                    calendar_month: int) -> tuple[pd.DataFrame, int]:
    """Crimes of month ``i`` (columns point, -1 = no location; category; source) and the number
    the scheme prevented (including those it displaced)."""
    rng = np.random.default_rng([seed, i])
    pts = town.points
    active = (pts["active_from"] <= i).to_numpy()
    res = pts["res"].to_numpy() * active
    com = pts["com"].to_numpy() * active
    res, com = res / res.sum(), com / com.sum()
    parts: list[pd.DataFrame] = []

    def add(points: np.ndarray, category: str, source: str) -> None:
        parts.append(pd.DataFrame({"point": points, "category": category, "source": source}))

    for category, (share, _, _, mix, _) in _CATEGORIES.items():
        n = rng.poisson(BACKGROUND_PER_MONTH * share * _level(category, i, calendar_month))
        add(_draw(rng, mix * com + (1 - mix) * res, n), category, "background")
    for plant in PLANTS:
        if i < plant.first:
            continue
        weights = _plant_weights(pts, plant) * active
        scale = 1.0 + plant.growth * (i - plant.first) / sum(plant.extra.values())
        for category, rate in plant.extra.items():
            add(_draw(rng, weights, rng.poisson(rate * scale)), category, plant.key)
    s = SCHEME
    for key, centre, radius in (("scheme_target", s.centre, s.radius),
                                ("scheme_control", s.control_centre, s.control_radius)):
        weights = np.where(distance(pts, centre) <= radius, res, 0.0)
        for category, rate in s.baseline.items():
            n = rng.poisson(rate * _level(category, i, calendar_month))
            add(_draw(rng, weights, n), category, key)
    crimes = pd.concat(parts, ignore_index=True)
    crimes = _apply_scheme(crimes, town, rng, i, res)
    return _remove_locations(crimes, rng), int(crimes["prevented"].sum())


def _apply_scheme(crimes: pd.DataFrame, town: Town, rng: np.random.Generator, i: int,
                  res: np.ndarray) -> pd.DataFrame:
    """From the start month, prevent ``effect`` of affected crimes in the target area and move
    ``displacement`` of the prevented ones into the ring around it."""
    s = SCHEME
    d = distance(town.points, s.centre)
    hit = (d[crimes["point"].to_numpy()] <= s.radius) & crimes["category"].isin(SCHEME_CATEGORIES)
    crimes = crimes.assign(prevented=False, displaced=False)
    if i < s.start or not hit.any():
        return crimes
    idx = np.flatnonzero(hit)
    prevented = idx[rng.random(len(idx)) < s.effect]
    moved = prevented[rng.random(len(prevented)) < s.displacement]
    ring = np.where((d > s.ring[0]) & (d <= s.ring[1]), res, 0.0)
    crimes.loc[prevented, "prevented"] = True
    crimes.loc[moved, "point"] = _draw(rng, ring, len(moved))
    crimes.loc[moved, "displaced"] = True
    crimes.loc[moved, "source"] = "scheme_displaced"
    return crimes


def _remove_locations(crimes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Blank the location of ~4% of rows (background only, so the planted truth stays exact)."""
    published = crimes[~crimes["prevented"] | crimes["displaced"]].reset_index(drop=True)
    k = round(NO_LOCATION_SHARE * len(published))
    factor = published["category"].map(lambda c: _CATEGORIES[c][4]).to_numpy()
    factor = factor * (published["source"] == "background").to_numpy()
    chosen = rng.choice(len(published), size=k, replace=False, p=factor / factor.sum())
    published.loc[chosen, "point"] = -1
    return published[["point", "category", "source"]]


def _outcomes(categories: np.ndarray, rng: np.random.Generator, age: int) -> np.ndarray:
    out = np.full(len(categories), "", dtype=object)
    for group, table in _OUTCOMES.items():
        cats = [c for c in POLICE_UK_CATEGORIES if _OUTCOME_GROUP.get(c, "acquisitive") == group]
        mask = np.isin(categories, cats)
        probs = np.array(list(table.values()))
        out[mask] = rng.choice(np.array(list(table), dtype=object), size=int(mask.sum()),
                               p=probs / probs.sum())
    if age < len(_UNDER_INVESTIGATION):
        out[rng.random(len(out)) < _UNDER_INVESTIGATION[age]] = "Under investigation"
    out[categories == "Anti-social behaviour"] = ""
    return out


def police_uk_rows(crimes: pd.DataFrame, town: Town, seed: int, month: str,
                    age: int) -> pd.DataFrame:
    """The month's crimes as police.uk rows, in the archive's order (by LSOA, then type)."""
    rng = np.random.default_rng([seed, int(month[:4]), int(month[5:]), 99])
    pts = town.points
    point = crimes["point"].to_numpy()
    located = point >= 0
    safe = np.where(located, point, 0)

    def column(name: str, missing: str) -> np.ndarray:
        return np.where(located, pts[name].to_numpy(dtype=object)[safe], missing)

    category = crimes["category"].to_numpy(dtype=object)
    rows = pd.DataFrame({
        "Crime ID": "", "Month": month, "Reported by": FORCE_NAME, "Falls within": FORCE_NAME,
        "Longitude": column("lon", ""), "Latitude": column("lat", ""),
        "Location": column("location", "No Location"), "LSOA code": column("lsoa_code", ""),
        "LSOA name": column("lsoa_name", ""), "Crime type": category,
        "Last outcome category": _outcomes(category, rng, age), "Context": "",
    }, dtype=object)
    rows["_nolocation"] = ~located
    rows = rows.sort_values(["_nolocation", "LSOA name", "Crime type", "Location"],
                            kind="stable").drop(columns="_nolocation").reset_index(drop=True)
    crime = (rows["Crime type"] != "Anti-social behaviour").to_numpy()
    rows.loc[crime, "Crime ID"] = [
        hashlib.sha256(f"{FORCE_SLUG}:{seed}:{month}:{n}".encode()).hexdigest()
        for n in np.flatnonzero(crime)
    ]
    return rows


# ============================================================================================
# Truth
# ============================================================================================


def _count_in(frames: list[pd.DataFrame], town: Town, centre: tuple[float, float],
              lo: float, hi: float, categories: tuple[str, ...] | list[str]) -> list[int]:
    d = distance(town.points, centre)
    counts = []
    for crimes in frames:
        point = crimes["point"].to_numpy()
        dist = np.where(point >= 0, d[np.where(point >= 0, point, 0)], np.inf)
        inside = (dist > lo) & (dist <= hi) if lo > 0 else dist <= hi
        counts.append(int((inside & crimes["category"].isin(categories).to_numpy()).sum()))
    return counts


def _hotspot_truth(plant: Plant, frames: list[pd.DataFrame], town: Town,
                   labels: list[str], first: pd.Timestamp) -> dict[str, Any]:
    categories = list(plant.extra)
    planted_counts = [int((f["source"] == plant.key).sum()) for f in frames]
    observed = _count_in(frames, town, plant.centre, 0, plant.radius, categories)
    total = sum(plant.extra.values())
    expected = [0.0 if i < plant.first else round(total + plant.growth * (i - plant.first), 3)
                for i in range(len(frames))]
    return {
        "id": plant.key, "name": plant.name, "kind": plant.kind,
        "centre": list(plant.centre), "radius_m": plant.radius, "categories": categories,
        "first_month": month_label(shift_months(first, plant.first)),
        "last_month": labels[-1],
        "extra_per_month": plant.extra,
        "extra_growth_per_month": plant.growth,
        "expected_extra_by_month": expected,
        "planted_by_month": planted_counts,
        "observed_by_month": observed,
        "planted_total": sum(planted_counts),
        "observed_total": sum(observed),
    }


def _scheme_truth(frames: list[pd.DataFrame], prevented: list[int], displaced: list[int],
                  town: Town, first: pd.Timestamp) -> dict[str, Any]:
    s = SCHEME
    cats = list(SCHEME_CATEGORIES)
    target = _count_in(frames, town, s.centre, 0, s.radius, cats)
    ring = _count_in(frames, town, s.centre, s.ring[0], s.ring[1], cats)
    control = _count_in(frames, town, s.control_centre, 0, s.control_radius, cats)
    observed: dict[str, Any] = {
        "target_by_month": target, "buffer_by_month": ring, "control_by_month": control,
        "prevented_by_month": prevented, "displaced_by_month": displaced,
        "months_before": min(s.start, len(frames)), "months_after": max(0, len(frames) - s.start),
    }
    if len(frames) > s.start:
        tb, ta = sum(target[: s.start]), sum(target[s.start:])
        bb, ba = sum(ring[: s.start]), sum(ring[s.start:])
        cb, ca = sum(control[: s.start]), sum(control[s.start:])
        observed["before"] = {"target": tb, "buffer": bb, "control": cb}
        observed["after"] = {"target": ta, "buffer": ba, "control": ca}
        observed["res"] = round((tb * ca) / (ta * cb), 4) if ta and cb else None
        denominator = ta / ca - tb / cb if ca and cb else 0.0
        observed["wdq"] = round((ba / ca - bb / cb) / denominator, 4) if denominator else None
    return {
        "id": "lighting_cctv", "name": s.name, "intervention": s.intervention,
        "target": {"centre": list(s.centre), "radius_m": s.radius},
        "buffer": {"centre": list(s.centre), "inner_m": s.ring[0], "outer_m": s.ring[1]},
        "control": {"name": s.control_name, "centre": list(s.control_centre),
                    "radius_m": s.control_radius},
        "start_month": month_label(shift_months(first, s.start)),
        "categories": cats, "effect": s.effect, "displacement_share": s.displacement,
        "baseline_extra_per_month": s.baseline,
        "expected": {
            "target_after_over_before_vs_control": round(1 - s.effect, 4),
            "res": round(1 / (1 - s.effect), 4),
            "wdq": -s.displacement,
        },
        "observed": observed,
        "geometry_file": "boundaries/demo_scheme.gpkg",
    }


@lru_cache(maxsize=2)
def generate(seed: int, months: int, start: str) -> tuple[list[pd.DataFrame], dict[str, Any]]:
    """Each month's crimes and the planted truth. Cached: callers must not modify the result."""
    town = build_town()
    first = parse_month(start, name="start")
    labels = [month_label(shift_months(first, i)) for i in range(months)]
    frames, prevented, displaced = [], [], []
    for i, label in enumerate(labels):
        crimes, n_prevented = _simulate_month(town, seed, i, int(label[5:]))
        frames.append(crimes)
        prevented.append(n_prevented)
        displaced.append(int((crimes["source"] == "scheme_displaced").sum()))
    truth = {
        "description": (f"Planted truth of the synthetic {TOWN_NAME} demo data (a fictional "
                        "town). Coordinates are British National Grid metres (EPSG:27700); "
                        "observed counts are crimes located inside the area in the listed "
                        "categories, whatever their source; planted counts are the extra "
                        "crimes added there."),
        "crs": CRS, "seed": int(seed), "town": TOWN_NAME, "force": FORCE_NAME,
        "months": labels,
        "hotspots": [_hotspot_truth(p, frames, town, labels, first) for p in PLANTS],
        "scheme": _scheme_truth(frames, prevented, displaced, town, first),
    }
    return frames, truth
