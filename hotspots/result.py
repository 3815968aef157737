"""A hotspot result: a GeoDataFrame plus the method and parameters that made it."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

import geopandas as gpd

__all__ = ["HotspotResult"]


@dataclass
class HotspotResult:
    """What every hotspot method returns.

    Attributes
    ----------
    cells : GeoDataFrame
        Grid cells (grid methods) or cluster polygons (density clustering), each row with
        ``score`` (higher is hotter) and ``hotspot`` (bool), in the analysis CRS.
    method : str
        ``"auto"``, ``"count"``, ``"kde"``, ``"gistar"``, ``"dbscan"`` or ``"hdbscan"``
        (for ``"auto"``, ``params["chosen_method"]`` names the method chosen).
    params : dict
        Every parameter used, defaults included, so an export can state how it was made.
    layer : str
        ``"cells"`` for grid methods, ``"clusters"`` for density clustering.
    notes : list of str
        Plain-language notes (adjusted parameters, points off the grid, ...).
    """

    cells: gpd.GeoDataFrame
    method: str
    params: dict[str, Any]
    layer: str = "cells"
    notes: list[str] = field(default_factory=list)

    @property
    def shown_method(self) -> str:
        """The method whose cells these are: for ``auto``, the method it chose.

        Examples
        --------
        >>> HotspotResult(gpd.GeoDataFrame(), "auto", {"chosen_method": "kde"}).shown_method
        'kde'
        """
        if self.method == "auto":
            return str(self.params.get("chosen_method", "auto"))
        return self.method

    @property
    def n_hotspots(self) -> int:
        return int(self.cells["hotspot"].sum()) if len(self.cells) else 0

    def method_statement(self) -> str:
        """A plain-language sentence that says how this result was made.

        Every parameter is in :attr:`params` (and in ``run.json``); this is the short form
        for map legends and report captions.

        Examples
        --------
        >>> r = HotspotResult(gpd.GeoDataFrame(), "count", {"cell_size": 100.0, "n_crimes": 5})
        >>> r.method_statement()  # doctest: +NORMALIZE_WHITESPACE
        'Crimes per 100 m grid cell; hotspots are cells in the top 5% with more crimes
        than complete spatial randomness explains (binomial test, 5% false discovery
        rate). 5 crimes.'
        """
        p = self.params
        if self.method == "auto":
            return self._auto_statement()
        cell = f"{p.get('cell_size', 0):g} m"
        crimes = f" {p['n_crimes']:,} crimes." if "n_crimes" in p else ""
        weighted = " Weighted by harm." if p.get("weight") else ""
        top = f"{p.get('top_share', 0.05) * 100:g}%"
        fdr_level = f"{p.get('fdr_alpha', 0.05):.0%}"
        if self.method == "gistar":
            fdr = "with Benjamini-Hochberg FDR correction" if p.get("fdr") else "without FDR"
            test = _GI_TESTS.get(str(p.get("inference", "exact")), "")
            if p.get("null") == "csr" and p.get("inference") != "normal":
                test = _CSR_TEST
            elif p.get("inference") == "permutation":
                test = test.format(permutations=p.get("permutations"), seed=p.get("seed"))
            text = (
                f"Getis-Ord Gi* on {cell} grid cells, neighbours within "
                f"{p.get('distance', 0):.0f} m, {test}, {fdr}; hotspots are hot at 95% "
                "confidence or more and hold at least one crime."
            )
        elif self.method == "kde":
            text = (
                f"{str(p.get('kernel', 'quartic')).capitalize()} kernel density on {cell} cells, "
                f"bandwidth {p.get('bandwidth', 0):.0f} m ({p.get('bandwidth_rule', 'user')}"
                f"); hotspots are cells in the top {top} with a crime and more crimes within "
                "the bandwidth than complete spatial randomness explains (binomial test, "
                f"{fdr_level} false discovery rate)."
            )
            if str(p.get("bandwidth_rule", "")).startswith("normal reference"):
                text = text.replace(f"({p['bandwidth_rule']})", "(normal-reference rule)")
        elif self.method == "count":
            text = (
                f"Crimes per {cell} grid cell; hotspots are cells in the top {top} with more "
                "crimes than complete spatial randomness explains (binomial test, "
                f"{fdr_level} false discovery rate)."
            )
        elif self.method in ("dbscan", "hdbscan"):
            text = _cluster_rule(self.method, p) + " " + _cluster_flag(p)
        else:
            text = f"{self.method}: " + ", ".join(f"{k}={v}" for k, v in p.items())
        return text + weighted + crimes

    def _auto_statement(self) -> str:
        """The method statement of an ``auto`` result: the contest, then the chosen method."""
        p = self.params
        inner = HotspotResult(self.cells, str(p.get("chosen_method", "count")), p,
                              self.layer).method_statement()
        auto = p.get("auto", {})
        if not auto.get("contest"):
            return (f"Auto: no contest ({auto.get('reason', 'too little data')}), so "
                    f"{auto.get('rule', 'the default method')}. {inner}")
        chosen = next((c for c in auto.get("candidates", []) if c.get("chosen")), {})
        held = auto.get("held_out_months", ["?", "?"])
        fit = auto.get("fit_months", ["?", "?"])
        rank = p.get("score_rule")
        return (
            f"Auto: {p.get('chosen')}, chosen from {len(auto.get('candidates', []))} "
            f"candidates fitted on {fit[0]} to {fit[1]} by the share of the crimes of "
            f"{held[0]} to {held[1]} each caught in the top {auto.get('coverage', 0.01):.0%} "
            f"of the area ({chosen.get('hit_rate', float('nan')):.1%}, 95% interval "
            f"{chosen.get('hit_rate_low', float('nan')):.1%}-"
            f"{chosen.get('hit_rate_high', float('nan')):.1%}), then refitted on all months"
            + (f"; cells ranked by {rank}" if rank else "") + f". {inner}"
        )

#: The Gi* test under the default null, complete spatial randomness (methods.inference).
_CSR_TEST = "exact p-values against complete spatial randomness (binomial)"
#: How the Gi* p-values were computed, by ``params["inference"]``, for the statement.
_GI_TESTS = {
    "exact": "exact randomization p-values",
    "permutation": "{permutations} random permutations (seed {seed})",
    "normal": "normal-approximation p-values (not calibrated on sparse counts)",
}


def _cluster_rule(method: str, p: dict[str, Any]) -> str:
    if method == "dbscan":
        return (
            f"DBSCAN clusters: at least {p.get('min_samples')} crimes within "
            f"{p.get('eps', 0):g} m of a core point."
        )
    return (
        f"HDBSCAN clusters of at least {p.get('min_cluster_size')} crimes "
        f"({p.get('cluster_selection_method', 'leaf')} selection)."
    )


def _cluster_flag(p: dict[str, Any]) -> str:
    test = p.get("csr_test") or {}
    if p.get("flag") == "tested":
        what = "denser than the densest" if "densest" in str(test.get("test")) else (
            "bigger than the largest")
        return (
            f"Hotspots are clusters {what} cluster in each of {test.get('simulations')} "
            "maps of as many crimes placed at random (5% family-wise error)."
        )
    return ("The clusters are descriptive: not tested against chance, so any of them may "
            "be noise.")
