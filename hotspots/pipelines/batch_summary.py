"""What a batch run writes beside its job folders: the index, the national summary, run.json.

* ``index.csv``: every job, its status (done, unchanged, failed), figures, folder and error;
* ``forces.csv``: per job, the force (or area), its crimes, hotspots, and the share of its
  crimes in its top hotspots;
* ``national_summary.csv``: the top hotspots of every job, ranked nationally within each
  crime group, period and method by count, by harm (crimes weighted by the harm weights
  named in the config; blank without them) and by share (the hotspot's crimes over its
  force's crimes of the group and period);
* ``run.json``: the config, the store, the scheduler, the jobs and the outputs.

For sensitive groups (VAWG) counts of 1-4 are written "<5" and the harm and share of such
rows are left blank, as every other export does (:mod:`hotspots.privacy`).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path
from typing import Any

import pandas as pd

from hotspots.pipelines.batch_config import BatchConfig

__all__ = ["RANK_BY", "write_summaries", "national_summary", "forces_table", "index_table"]

#: The national rankings: by crimes, by harm, by share of the force's crimes.
RANK_BY = ("count", "harm", "share")
_GROUPING = ["group", "from", "to", "method"]


def index_table(results: list[Any]) -> pd.DataFrame:
    """One row per job: what it is, its status and figures, its folder and any error."""
    rows = []
    for r in results:
        rows.append({
            "job": r.job.id, "unit": r.job.unit, "kind": r.job.kind, "group": r.job.group,
            "from": r.job.start, "to": r.job.end, "method": r.job.method, "status": r.status,
            "rows_read": r.rows_read, "crimes": r.crimes, "hotspots": r.hotspots,
            "seconds": r.seconds,
            "folder": os.path.join("jobs", Path(r.folder).name) if r.folder else "",
            "error": r.error})
    return pd.DataFrame(rows, columns=["job", "unit", "kind", "group", "from", "to", "method",
                                       "status", "rows_read", "crimes", "hotspots", "seconds",
                                       "folder", "error"])


def forces_table(results: list[Any]) -> pd.DataFrame:
    """Per job that ran: crimes, hotspots, crimes in the top hotspots and their share."""
    rows = []
    for r in results:
        if r.status == "failed":
            continue
        in_top = sum(t["count"] for t in r.top)
        rows.append({"unit": r.job.unit, "force": r.force, "group": r.job.group,
                     "from": r.job.start, "to": r.job.end, "method": r.job.method,
                     "crimes": r.crimes, "hotspots": r.hotspots, "top_hotspots": len(r.top),
                     "crimes_in_top": in_top,
                     "share_in_top": in_top / r.crimes if r.crimes else 0.0,
                     "sensitive": r.sensitive})
    return pd.DataFrame(rows)


def national_summary(results: list[Any]) -> pd.DataFrame:
    """Every job's top hotspots, ranked nationally by count, harm and share.

    Ranks are within each group, period and method (1 = highest; ties share the lowest
    rank); harm ranks are blank when no harm weights were given.
    """
    rows = []
    for r in results:
        for t in r.top:
            rows.append({"unit": r.job.unit, "force": r.force, "group": r.job.group,
                         "from": r.job.start, "to": r.job.end, "method": r.job.method,
                         "sensitive": r.sensitive, **t,
                         "folder": os.path.join("jobs", Path(r.folder).name)})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["harm"] = pd.to_numeric(table["harm"], errors="coerce")
    for key in RANK_BY:
        ranks = table.groupby(_GROUPING, dropna=False)[key].rank(method="min", ascending=False)
        table[f"national_rank_{key}"] = ranks.astype("Int64")
    return table.sort_values([*_GROUPING, "national_rank_count"], kind="stable",
                             na_position="last").reset_index(drop=True)


def _private(table: pd.DataFrame) -> pd.DataFrame:
    """Counts of 1-4 of sensitive groups as "<5"; their harm and share blank."""
    from hotspots.privacy import suppress_small_counts

    if table.empty or "sensitive" not in table:
        return table
    small = table["sensitive"].astype(bool) & (table["count"] < 5) & (table["count"] > 0)
    out = table.copy()
    out[["harm", "share"]] = out[["harm", "share"]].astype(object)
    out.loc[small, ["harm", "share"]] = ""
    sensitive = out["sensitive"].astype(bool)
    suppressed = suppress_small_counts(out.loc[sensitive], ("count",))
    out["count"] = out["count"].astype(object)
    out.loc[sensitive, "count"] = suppressed["count"]
    return out


def write_summaries(results: list[Any], cfg: BatchConfig, *, out: Path, store: str | Path,
                    scheduler: str, seconds: float) -> dict[str, Path]:
    """Write ``index.csv``, ``forces.csv``, ``national_summary.csv`` and ``run.json``."""
    from hotspots import __version__
    from hotspots.io.write import write_json
    from hotspots.io.write import write_table

    outputs = {
        "index": write_table(out / "index.csv", index_table(results)),
        "forces": write_table(out / "forces.csv", forces_table(results)),
        "national_summary": write_table(out / "national_summary.csv",
                                        _private(national_summary(results))),
    }
    statuses = pd.Series([r.status for r in results]).value_counts().to_dict()
    run = {
        "tool": "hotspots", "version": __version__, "python": platform.python_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "batch", "config": cfg.to_dict(), "store": str(store),
        "scheduler": scheduler, "seconds": round(seconds, 3), "jobs": len(results),
        "statuses": statuses, "rows_read": sum(r.rows_read for r in results),
        "harm_weights": str(cfg.harm) if cfg.harm is not None else None,
        "ranking": "national ranks within each group, period and method, by " +
                   ", ".join(RANK_BY),
        "failed": [{"job": r.job.id, "error": r.error} for r in results
                   if r.status == "failed"],
        "outputs": {name: path.name for name, path in outputs.items()},
    }
    outputs["run"] = write_json(out / "run.json", run)
    return outputs
