"""The method contest as a chart: PAI of each method at each coverage, with 95% intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hotspots.analysis.prediction import COMPARABLE_SHARE

__all__ = ["plot_comparison"]


def plot_comparison(table: pd.DataFrame, *, title: str = "Which method predicts best?") -> Any:
    """Return a matplotlib Figure: PAI of each method at each coverage (grouped bars).

    Whiskers show the 95% interval (``pai_low``, ``pai_high``) when the table has them; a
    dashed line marks the naive 100 m count (the ``baseline`` row) at the largest coverage;
    hatched bars are not comparable. Uses :class:`matplotlib.figure.Figure` directly (no
    pyplot state), so it is safe in the app and in threads. Save it with
    ``fig.savefig(path, dpi=150)``.

    Examples
    --------
    >>> table = pd.DataFrame({"label": ["KDE", "KDE", "Grid counts", "Grid counts"],
    ...     "coverage": [0.01, 0.05, 0.01, 0.05], "pai": [9.0, 6.0, 7.0, 4.0],
    ...     "pai_low": [7.0, 5.0, 5.0, 3.0], "pai_high": [11.0, 7.0, 9.0, 5.0],
    ...     "candidate": [1, 1, 0, 0], "baseline": [False, False, True, True]})
    >>> fig = plot_comparison(table)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:2]
    ['KDE', 'Grid counts']
    """
    from matplotlib.figure import Figure

    table = table.copy()
    comparable = (table["comparable"].astype(bool) if "comparable" in table
                  else pd.Series(True, index=table.index))
    table["_ranked"] = table["pai"].where(comparable)
    covs = sorted(table["coverage"].unique())
    order = (table[table["coverage"] == covs[-1]]
             .sort_values("_ranked", ascending=True, na_position="first")["label"].tolist())
    order = list(dict.fromkeys(order + table["label"].tolist()))[::-1]
    fig = Figure(figsize=(9, 0.45 * len(order) + 2.2), layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / max(len(covs), 1)
    ypos = np.arange(len(order))
    colours = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e")
    intervals = {"pai_low", "pai_high"} <= set(table.columns)
    for i, cov in enumerate(covs):
        sub = table[table["coverage"] == cov].drop_duplicates("label").set_index("label")
        sub = sub.reindex(order)
        values = sub["pai"].to_numpy(dtype=float)
        ok = sub["_ranked"].notna().to_numpy()
        offset = ypos + (i - (len(covs) - 1) / 2) * height
        colour = colours[i % len(colours)]
        ax.barh(offset[ok], np.nan_to_num(values[ok]), height, color=colour,
                label=f"{cov:.0%} of area")
        if intervals and ok.any():
            lo = sub["pai_low"].to_numpy(dtype=float)[ok]
            hi = sub["pai_high"].to_numpy(dtype=float)[ok]
            err = np.vstack([values[ok] - lo, hi - values[ok]])
            ax.errorbar(values[ok], offset[ok], xerr=np.nan_to_num(np.clip(err, 0, None)),
                        fmt="none", ecolor="#333", elinewidth=0.8, capsize=2)
        if (~ok).any():
            ax.barh(offset[~ok], np.nan_to_num(values[~ok]), height, color="none",
                    edgecolor=colour, hatch="///", linewidth=0.8)
    if "baseline" in table and table["baseline"].astype(bool).any():
        naive = table[table["baseline"].astype(bool) & (table["coverage"] == covs[-1])]
        if len(naive) and np.isfinite(naive["pai"].iloc[0]):
            ax.axvline(float(naive["pai"].iloc[0]), color="#555", linestyle="--",
                       linewidth=1, label=f"naive 100 m count at {covs[-1]:.0%}")
    ax.set_yticks(ypos, order)
    ax.invert_yaxis()
    ax.axvline(1.0, color="#555", linestyle=":", linewidth=1)
    xlabel = "Prediction Accuracy Index (PAI): share of test crimes / share of area"
    if intervals:
        xlabel += "; whiskers: 95% interval"
    if not comparable.all():
        xlabel += (f"\nhatched: the method ranks under {COMPARABLE_SHARE:.0%} of the cells "
                   "taken, not ranked")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small")
    return fig
