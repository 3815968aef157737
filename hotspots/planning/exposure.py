"""Which baseline crimes each intervention, and each intervention type, covers and acts on.

Within a type, coverage is a union: a crime seen by two cameras is one crime covered by CCTV
(three cameras at one spot project exactly what one does; a type's effect is a per-scheme
review figure, not a per-unit one). Across types, a crime covered by several types is reduced
by ``1 − prod(1 − e_t)`` (independent measures: two 20% measures give 36%, not 40%).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from hotspots.planning.catalogue import InterventionType
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import coverage

__all__ = ["LEVELS", "Exposure", "exposure", "combine_effects"]

#: Effect levels of the catalogue: name -> InterventionType attribute.
LEVELS: dict[str, str] = {"low": "effect_low", "central": "effect", "high": "effect_high"}


def combine_effects(effects: ArrayLike) -> Any:
    """Combined proportional reduction of independent measures: ``1 - prod(1 - e)``.

    ``effects`` is one sequence of effects (a float comes back), or an array whose last
    axis holds, for each crime, the effect of every measure (0 where a measure does not
    act on it): an array of one reduction per crime comes back.

    Examples
    --------
    >>> round(combine_effects([0.2, 0.2]), 4)
    0.36
    >>> combine_effects([])
    0.0
    >>> combine_effects([[0.2, 0.5], [0.2, 0.0]]).round(4).tolist()
    [0.6, 0.2]
    """
    effects = np.asarray(effects, dtype=float)
    survive = np.ones(effects.shape[:-1])
    for k in range(effects.shape[-1]):
        survive = survive * (1.0 - effects[..., k])
    reduction = 1.0 - survive
    return float(reduction) if reduction.ndim == 0 else reduction


@dataclass
class Exposure:
    """Coverage of every baseline crime.

    Attributes
    ----------
    inside, acts : bool arrays of shape (n, k)
        Crime inside intervention j's coverage; intervention j's type acts on its category.
    type_keys : list of str
        The plan's intervention types, in order of first appearance.
    kinds : list of InterventionType
        Their catalogue entries.
    affected : bool array of shape (n, T)
        Crime inside the union of type t's coverages and of a category type t acts on.
    covers : list of shapely geometry
        Each intervention's coverage.
    type_covers : list of shapely geometry
        Each type's coverage (the union over its interventions).
    footprint : shapely geometry
        The whole plan's coverage.
    """

    inside: np.ndarray
    acts: np.ndarray
    type_keys: list[str]
    kinds: list[InterventionType]
    affected: np.ndarray
    covers: list[BaseGeometry]
    type_covers: list[BaseGeometry]
    footprint: BaseGeometry

    @property
    def targeted(self) -> np.ndarray:
        """Crimes at least one type covers and acts on."""
        return self.affected.any(axis=1)

    def effects(self, level: str) -> np.ndarray:
        """Each type's effect at ``level`` ("low", "central", "high")."""
        return np.array([getattr(kind, LEVELS[level]) for kind in self.kinds], dtype=float)

    def reduction(self, level: str) -> np.ndarray:
        """Each crime's combined reduction at ``level``."""
        return combine_effects(np.where(self.affected, self.effects(level), 0.0))

    def ranges(self) -> list[tuple[float, float, float]]:
        """Each type's (low, central, high)."""
        return [(k.effect_low, k.effect, k.effect_high) for k in self.kinds]


def exposure(base: gpd.GeoDataFrame, items: Sequence[Intervention],
             catalogue: Mapping[str, InterventionType]) -> Exposure:
    """Coverage of every crime of ``base`` by every intervention and type (module notes).

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspots.planning.catalogue import load_catalogue
    >>> crimes = gpd.GeoDataFrame({"category": ["Burglary"] * 3},
    ...     geometry=gpd.points_from_xy([0, 150, 900], [0, 0, 0]), crs="EPSG:27700")
    >>> cams = [Intervention(type="cctv", geometry=shapely.Point(x, 0), start="2025-01")
    ...         for x in (0, 50, 100)]
    >>> e = exposure(crimes, cams, load_catalogue())
    >>> e.inside.sum(axis=0).tolist(), e.affected[:, 0].tolist()
    ([1, 2, 2], [True, True, False])
    """
    n, k = len(base), len(items)
    categories = base["category"].astype("str").to_numpy()
    kinds_of = [catalogue[iv.type] for iv in items]
    covers = [coverage(iv, catalogue) for iv in items]
    inside = np.zeros((n, k), dtype=bool)
    acts = np.zeros((n, k), dtype=bool)
    for j, (kind, cover) in enumerate(zip(kinds_of, covers, strict=True)):
        hit = base.sindex.query(cover, predicate="intersects") if n else np.array([], int)
        inside[hit, j] = True
        acts[:, j] = np.isin(categories, list(kind.categories))
    type_keys = list(dict.fromkeys(iv.type for iv in items))
    kinds = [catalogue[t] for t in type_keys]
    affected = np.zeros((n, len(type_keys)), dtype=bool)
    type_covers = []
    for t, key in enumerate(type_keys):
        members = [j for j, iv in enumerate(items) if iv.type == key]
        affected[:, t] = (inside[:, members] & acts[:, members]).any(axis=1)
        type_covers.append(shapely.union_all([covers[j] for j in members]))
    footprint = shapely.union_all(covers)
    return Exposure(inside=inside, acts=acts, type_keys=type_keys, kinds=kinds,
                    affected=affected, covers=covers, type_covers=type_covers,
                    footprint=footprint)
