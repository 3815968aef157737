"""One entry point for every hotspot method, so the CLI and the app call the same thing."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from hotspots.errors import ParameterError
from hotspots.result import HotspotResult
from hotspots.validation import check_choice

__all__ = ["METHODS", "DEFAULT_METHOD", "MethodSettings", "find_hotspots"]

#: Method names, as the CLI's ``--method`` takes them.
METHODS: tuple[str, ...] = ("auto", "gistar", "kde", "count", "dbscan", "hdbscan")
#: The default method: auto, which scores candidate rankings on held-out months and refits
#: the best (issue 9; :mod:`hotspots.methods.auto`).
DEFAULT_METHOD = "auto"


def find_hotspots(
    crimes: gpd.GeoDataFrame,
    *,
    method: str = DEFAULT_METHOD,
    cell_size: float | None = None,
    bandwidth: float | None = None,
    distance: float | None = None,
    eps: float | None = None,
    min_samples: int | None = None,
    min_cluster_size: int | None = None,
    area: gpd.GeoDataFrame | None = None,
    weight: str | None = None,
    grid: Any = None,
) -> HotspotResult:
    """Find hotspots in ``crimes`` with the named ``method``.

    Parameters that do not apply to the chosen method are ignored (grid methods ignore
    ``eps``; clustering ignores ``cell_size``). The default, ``"auto"``, chooses among
    counts, KDE and Gi* by how well each predicts held-out months
    (:func:`hotspots.methods.auto.auto_hotspots`). See :func:`hotspots.gistar_hotspots`,
    :func:`hotspots.kde_hotspots`, :func:`hotspots.count_hotspots`,
    :func:`hotspots.dbscan_hotspots` and :func:`hotspots.hdbscan_hotspots`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame({"weight": [1.0] * 4},
    ...     geometry=gpd.points_from_xy([5, 5, 6, 95], [5, 6, 5, 95]), crs="EPSG:27700")
    >>> find_hotspots(pts, method="count", cell_size=10).cells["count"].max()
    np.float64(3.0)
    """
    check_choice(method, name="method", choices=METHODS)
    if method == "auto":
        from hotspots.methods.auto import auto_hotspots

        return auto_hotspots(
            crimes, cell_size=cell_size, bandwidth=bandwidth, area=area, weight=weight, grid=grid
        )
    if method == "gistar":
        from hotspots.methods.gistar import gistar_hotspots

        return gistar_hotspots(
            crimes, cell_size=cell_size, distance=distance, area=area, weight=weight, grid=grid
        )
    if method == "kde":
        from hotspots.methods.density import kde_hotspots

        return kde_hotspots(
            crimes, cell_size=cell_size, bandwidth=bandwidth, area=area, weight=weight, grid=grid
        )
    if method == "count":
        from hotspots.methods.counts import count_hotspots

        return count_hotspots(crimes, cell_size=cell_size, area=area, weight=weight, grid=grid)
    if method == "dbscan":
        from hotspots.methods.clusters import dbscan_hotspots

        return dbscan_hotspots(crimes, eps=eps, min_samples=min_samples, weight=weight,
                               area=area)
    from hotspots.methods.clusters import hdbscan_hotspots

    return hdbscan_hotspots(
        crimes, min_cluster_size=min_cluster_size, min_samples=min_samples, weight=weight,
        area=area,
    )


@dataclass(frozen=True)
class MethodSettings:
    """A hotspot method and its parameters, as ``hotspots find --method ...`` takes them.

    Parameters that do not apply to the method are ignored, as in
    :func:`hotspots.methods.find.find_hotspots` (grid methods ignore ``eps``; clustering
    ignores ``cell_size``); ``None`` means the method's default.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 5, 6, 95], [5, 6, 5, 95]),
    ...                        crs="EPSG:27700")
    >>> MethodSettings("count", cell_size=10).run(pts).cells["count"].max()
    np.float64(3.0)
    """

    method: str = DEFAULT_METHOD
    cell_size: float | None = None
    bandwidth: float | None = None
    distance: float | None = None
    eps: float | None = None
    min_samples: int | None = None
    min_cluster_size: int | None = None

    @classmethod
    def from_params(cls, method: str = DEFAULT_METHOD,
                    params: Mapping[str, Any] | None = None) -> MethodSettings:
        """Settings from a method name and a mapping of its parameters (as configs hold them).

        Examples
        --------
        >>> MethodSettings.from_params("kde", {"bandwidth": 200}).params
        {'bandwidth': 200}
        """
        params = dict(params or {})
        known = [f.name for f in dataclasses.fields(cls) if f.name != "method"]
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ParameterError(
                f"Unknown parameter(s) {unknown} for method {method!r}; the parameters are "
                f"{known}."
            )
        return cls(method, **params)

    @property
    def params(self) -> dict[str, Any]:
        """The parameters that were given (not None), by name."""
        return {k: v for k, v in dataclasses.asdict(self).items()
                if k != "method" and v is not None}

    def run(self, crimes: gpd.GeoDataFrame, *, area: gpd.GeoDataFrame | None = None,
            weight: str | None = None, grid: Any = None) -> HotspotResult:
        """Find hotspots in ``crimes`` with this method and these parameters."""
        return find_hotspots(crimes, method=self.method, **self.params, area=area,
                             weight=weight, grid=grid)
