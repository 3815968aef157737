"""``hotspots batch``: a grid of ``find`` jobs over a store, run on Dask, with a national summary.

Each job is one force (or area) x crime group x period x method, run exactly as
``hotspots find --store DIR --force F --group G --from A --to B --method M`` would run it
(:func:`hotspots.pipelines.find.run_find`), into its own folder ``OUT/jobs/<job id>/`` (the
find outputs and ``run.json``; the ``cells`` layer of ``hotspots.gpkg`` holds only the
cells with crimes or flagged hotspots, as ``run.json`` says: a force-wide grid is mostly
empty). Jobs are independent and idempotent:

* a job writes into a temporary folder moved into place when complete, so a failed or
  interrupted job leaves nothing half-written and never touches another job's folder;
* a job whose folder already holds a result made from the same settings and the same
  stored files (``run.json`` records a fingerprint of both) is not run again;
* a job that fails on its data (a :class:`~hotspots.errors.HotspotsError`: nothing to
  select, say) is reported as failed and not retried, since it would fail the same way;
  one that fails unexpectedly (a lost worker, memory) is retried ``retries`` times.

The jobs run on Dask ``distributed``: a ``LocalCluster`` of worker processes by default, or
the cluster whose scheduler is at ``scheduler`` (``tcp://host:8786``; its workers need
this package installed and the store and output folders at the same paths). ``"serial"``
runs them one by one in this process (the reference the Dask run must equal). The jobs of
one force (or area) and period (its crime groups and methods) run as one task, one after
another, so the store is read once for them (:func:`job_tasks`). Jobs are the
right grain: one force's analysis fits in a worker's memory and its grid methods work on
the whole force at once, so ``dask-geopandas`` (which splits one frame over workers) is not
used.

``OUT/index.csv`` lists every job (status, crimes, hotspots, seconds, folder, error);
``OUT/national_summary.csv`` ranks the jobs' top hotspots nationally by count, harm and
share of their force's crimes, and ``OUT/forces.csv`` summarises each job; ``OUT/run.json``
records the config, the store and what ran.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from hotspots.errors import HotspotsError
from hotspots.errors import ParameterError
from hotspots.pipelines.batch_config import BatchConfig
from hotspots.progress import Progress

__all__ = ["SERIAL", "Job", "JobResult", "BatchRun", "plan_jobs", "job_tasks", "run_job",
           "run_jobs", "run_batch"]

log = logging.getLogger(__name__)

#: The ``scheduler`` value that runs the jobs one by one in this process.
SERIAL = "serial"
#: Folder of the job results inside OUT.
JOBS_DIR = "jobs"
#: glibc allocator settings of the local cluster's workers (set before they start). A job
#: makes and drops arrays of tens of MB over force-wide grids; Dask's default returns freed
#: memory to the system from 64 KiB, so each new array faulted in fresh pages (the national
#: benchmark, back to back: 115.8 s with Dask's setting, 93.6 s with these). A worker keeps
#: up to 1 GiB of freed memory for its next arrays instead.
WORKER_MALLOC = {"MALLOC_TRIM_THRESHOLD_": 1 << 30, "MALLOC_TOP_PAD_": 1 << 26}


@dataclass(frozen=True)
class Job:
    """One cell of the grid: a force (or area) x crime group x period x method."""

    unit: str
    kind: str  # "force" or "area"
    group: str
    start: str | None
    end: str | None
    method: str
    boundary: str | None = None  # the area's own boundary file (kind "area")

    @property
    def id(self) -> str:
        """The job's folder name, e.g. ``kent__vawg__2024-01_2024-12__auto``."""
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in self.unit.lower())
        return (f"{safe}__{self.group}__{self.start or 'first'}_{self.end or 'last'}"
                f"__{self.method}")


@dataclass(frozen=True)
class _Settings:
    """What every job shares (picklable, sent to the workers)."""

    store: str
    out: str
    method_params: dict[str, Any]
    groups_file: str | None
    harm: str | None
    harm_weights: dict[str, float] | None
    top: int
    map: bool
    tiles: bool
    stability: bool


@dataclass
class JobResult:
    """What one job did: its status and, when done, the figures of the summary."""

    job: Job
    status: str  # "done", "unchanged" or "failed"
    folder: str = ""
    rows_read: int = 0
    crimes: int = 0
    hotspots: int = 0
    seconds: float = 0.0
    error: str = ""
    force: str = ""
    sensitive: bool = False
    top: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BatchRun:
    """Everything a batch run made."""

    results: list[JobResult]
    outputs: dict[str, Path]
    seconds: float
    scheduler: str

    @property
    def failed(self) -> list[JobResult]:
        """The jobs that failed (after their retries)."""
        return [r for r in self.results if r.status == "failed"]


# --------------------------------------------------------------------------- planning


def plan_jobs(cfg: BatchConfig, *, store: str | Path, out: str | Path) -> list[Job]:
    """The grid of jobs ``cfg`` asks for, against ``store`` (forces and months it holds).

    Raises :class:`~hotspots.errors.ParameterError` naming a force the store lacks.
    """
    from hotspots.io.store import Store

    with Store(store) as opened:
        months = opened.months()
        if not months:
            raise ParameterError(f"Store {str(store)!r} holds no crimes: ingest some first "
                                 "(hotspots ingest INPUT... --store DIR).")
        source = f"config {cfg.path}" if cfg.path else "config"
        units: list[tuple[str, str, str | None]]
        if cfg.areas is not None:
            units = [(name, "area", str(path)) for name, path in _area_files(cfg, out)]
        else:
            try:
                slugs = opened.resolve_forces(cfg.forces, name="jobs.forces")
            except ParameterError as exc:
                raise ParameterError(f"Batch {source}: {exc}") from None
            units = [(slug, "force", None) for slug in slugs]
    periods = cfg.periods or ((months[0], months[-1]),)
    return [Job(unit, kind, group, start, end, method, boundary)
            for unit, kind, boundary in units for group in cfg.groups
            for start, end in periods for method in cfg.methods]


def _area_files(cfg: BatchConfig, out: str | Path) -> list[tuple[str, Path]]:
    """Each area of the config's boundary written to its own file (a job's study area)."""
    from hotspots.io import load_boundary
    from hotspots.io.write import write_geopackage

    areas, _ = load_boundary(cfg.areas, layer=cfg.area_layer, name_column=cfg.area_name_column,
                             crs=None)
    folder = Path(out) / "areas"
    written = []
    for name, part in areas.groupby("area_name", sort=True):
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(name).lower())
        written.append((str(name), write_geopackage(folder / f"{safe}.gpkg",
                                                    {"area": part.reset_index(drop=True)})))
    return written


# --------------------------------------------------------------------------- one job


def _fingerprint(job: Job, settings: _Settings) -> str:
    """A hash of the job, the settings its result depends on, and the files it reads."""
    from hotspots.io.store import Store
    from hotspots.pipelines.find import OCCUPIED_CELLS_RULE

    with Store(settings.store) as opened:
        forces = [job.unit] if job.kind == "force" else None
        files = [f.path for f in opened.files(forces=forces, start=job.start, end=job.end)]
    spec = {"job": asdict(job), "params": settings.method_params,
            "harm": settings.harm_weights, "top": settings.top,
            "groups_file": settings.groups_file, "map": settings.map,
            "tiles": settings.tiles, "stability": settings.stability, "files": files,
            "cells_layer": OCCUPIED_CELLS_RULE}
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _cached(folder: Path, fingerprint: str) -> dict[str, Any] | None:
    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    batch = run.get("batch", {})
    return batch if batch.get("fingerprint") == fingerprint else None


def _harm_of(crimes: Any, cells: Any, weights: dict[str, float] | None) -> np.ndarray:
    """Harm-weighted crimes inside each of ``cells`` (NaN without weights)."""
    if weights is None or len(cells) == 0:
        return np.full(len(cells), np.nan)
    w = crimes["category"].map(weights).fillna(0.0).to_numpy(float)
    x, y = crimes.geometry.x.to_numpy(), crimes.geometry.y.to_numpy()
    out = np.empty(len(cells))
    for i, geom in enumerate(cells.geometry.array):
        shapely.prepare(geom)
        out[i] = float(w[shapely.intersects_xy(geom, x, y)].sum())
    return out


def _top_hotspots(run: Any, settings: _Settings) -> list[dict[str, Any]]:
    """The job's ``top`` hotspots as in its summary.csv, with their harm and share."""
    from hotspots.pipelines.find import hotspot_table

    top = hotspot_table(run.result, limit=settings.top)
    if "count" not in top or not len(top):
        return []
    harm = _harm_of(run.crimes, run.result.cells.loc[top.index], settings.harm_weights)
    total = max(len(run.crimes), 1)
    return [{"rank_in_job": int(row["rank"]), "count": float(row["count"]),
             "harm": None if np.isnan(h) else round(float(h), 3),
             "share": float(row["count"]) / total, "easting": float(row["easting"]),
             "northing": float(row["northing"]), "longitude": float(row["longitude"]),
             "latitude": float(row["latitude"])}
            for (_, row), h in zip(top.iterrows(), harm, strict=True)]


def run_job(job: Job, settings: _Settings) -> JobResult:
    """Run one job into ``OUT/jobs/<id>/`` (atomically), unless it is already there.

    A :class:`~hotspots.errors.HotspotsError` (a data problem) is returned as a failed
    result; any other error propagates (Dask retries it).
    """
    from hotspots.io.write import write_json
    from hotspots.methods.find import MethodSettings
    from hotspots.pipelines.find import OCCUPIED_CELLS_RULE
    from hotspots.pipelines.find import run_find
    from hotspots.pipelines.selection import Selection

    started = time.perf_counter()
    folder = Path(settings.out) / JOBS_DIR / job.id
    fingerprint = _fingerprint(job, settings)
    cached = _cached(folder, fingerprint)
    if cached is not None:
        result = JobResult(job, "unchanged", str(folder), **cached["result"])
        result.top = cached.get("top", [])
        return result
    tmp = folder.parent / f".tmp-{job.id}-{uuid.uuid4().hex[:8]}"
    selection = Selection(store=settings.store, forces=(job.unit,) if job.kind == "force"
                          else None, boundary=job.boundary, group=job.group,
                          groups_file=settings.groups_file, start=job.start, end=job.end)
    try:
        method = MethodSettings.from_params(job.method, settings.method_params)
        run = run_find(selection, method, out=tmp, tiles="OpenStreetMap" if settings.tiles
                       else None, stability=settings.stability, all_cells=False,
                       map=settings.map)
        top = _top_hotspots(run, settings)
    except HotspotsError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        return JobResult(job, "failed", error=str(exc),
                         seconds=time.perf_counter() - started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    figures = {"rows_read": run.load_report.rows_kept, "crimes": len(run.crimes),
               "hotspots": int(run.result.n_hotspots), "seconds": 0.0,
               "force": ", ".join(sorted(set(run.crimes["force"].astype(str)))) or job.unit,
               "sensitive": bool(run.sensitive)}
    figures["seconds"] = round(time.perf_counter() - started, 3)
    run_json = json.loads((tmp / "run.json").read_text(encoding="utf-8"))
    run_json["batch"] = {"job": asdict(job), "fingerprint": fingerprint, "result": figures,
                         "top": top, "cells_layer": OCCUPIED_CELLS_RULE}
    write_json(tmp / "run.json", run_json)
    _move_into_place(tmp, folder)
    return JobResult(job, "done", str(folder), **figures, top=top)


def _move_into_place(tmp: Path, folder: Path) -> None:
    """Replace ``folder`` by ``tmp``: the old result is removed only once the new is whole."""
    old = None
    if folder.exists():
        old = folder.with_name(f".old-{folder.name}-{uuid.uuid4().hex[:8]}")
        os.replace(folder, old)
    os.replace(tmp, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- running


def job_tasks(jobs: list[Job]) -> list[list[Job]]:
    """The jobs grouped by what they read (force or area, and period), in their order.

    A task runs its jobs (crime groups x methods) one after another and reads the store
    once for them all (:func:`run_jobs`).

    Examples
    --------
    >>> jobs = [Job("kent", "force", g, None, None, "auto") for g in ("vawg", "neighbourhood")]
    >>> [len(t) for t in job_tasks(jobs + [Job("essex", "force", "vawg", None, None, "auto")])]
    [2, 1]
    """
    tasks: dict[tuple[Any, ...], list[Job]] = {}
    for job in jobs:
        tasks.setdefault((job.unit, job.kind, job.boundary, job.start, job.end), []).append(job)
    return list(tasks.values())


def run_jobs(jobs: list[Job], settings: _Settings) -> list[JobResult]:
    """Run the jobs of one task (:func:`job_tasks`) in order, reading the store once."""
    from hotspots.pipelines.selection import shared_store_reads

    with shared_store_reads():
        return [run_job(job, settings) for job in jobs]


def _failed(job: Job, settings: _Settings, error: str) -> JobResult:
    """A job of a task that failed: its result if it was put in place before, else failed."""
    folder = Path(settings.out) / JOBS_DIR / job.id
    cached = _cached(folder, _fingerprint(job, settings))
    if cached is None:
        return JobResult(job, "failed", error=error)
    return JobResult(job, "unchanged", str(folder), **cached["result"],
                     top=cached.get("top", []))


def _run_serial(jobs: list[Job], settings: _Settings, retries: int,
                tell: Callable[[JobResult], None]) -> list[JobResult]:
    from hotspots.pipelines.selection import shared_store_reads

    results = []
    for task in job_tasks(jobs):
        with shared_store_reads():
            for job in task:
                for attempt in range(retries + 1):
                    try:
                        result = run_job(job, settings)
                        break
                    except Exception as exc:  # noqa: BLE001 - reported, then retried
                        log.warning("job %s failed (try %d of %d): %s", job.id, attempt + 1,
                                    retries + 1, exc)
                        result = JobResult(job, "failed", error=f"{type(exc).__name__}: "
                                           f"{exc} (after {attempt + 1} tries)")
                results.append(result)
                tell(result)
    order = {job: i for i, job in enumerate(jobs)}
    return sorted(results, key=lambda r: order[r.job])


def _extents_km2(jobs: list[Job], settings: _Settings) -> dict[str, int]:
    """Each force's stored extent in km²: a job's cost grows with its force-wide grids, so
    the largest start first (Dask ``priority``) and no big job is left for the end."""
    from hotspots.io.store import Store

    forces = sorted({job.unit for job in jobs if job.kind == "force"})
    if not forces:
        return {}
    with Store(settings.store) as opened:
        files = opened.files(forces=forces)
    box: dict[str, list[float]] = {}
    for f in files:
        if f.xmin is None or f.ymin is None or f.xmax is None or f.ymax is None:
            continue
        b = box.setdefault(f.force_slug, [f.xmin, f.ymin, f.xmax, f.ymax])
        b[:] = [min(b[0], f.xmin), min(b[1], f.ymin), max(b[2], f.xmax), max(b[3], f.ymax)]
    return {slug: int((b[2] - b[0]) * (b[3] - b[1]) / 1e6) for slug, b in box.items()}


def _run_dask(jobs: list[Job], settings: _Settings, retries: int, scheduler: str | None,
              workers: int, tell: Callable[[JobResult], None],
              dashboard: str | None) -> tuple[list[JobResult], str]:
    import dask
    from distributed import Client
    from distributed import LocalCluster
    from distributed import as_completed

    cluster = None
    if scheduler is None:
        with dask.config.set({f"distributed.nanny.pre-spawn-environ.{name}": value
                              for name, value in WORKER_MALLOC.items()}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=dashboard)
        client = Client(cluster)
        where = f"local cluster of {workers} worker process(es)"
    else:
        client = Client(scheduler)
        where = f"cluster at {scheduler}"
    if client.dashboard_link and dashboard is not None:
        where += f"; dashboard {client.dashboard_link}"
    log.info("running %d jobs on %s", len(jobs), where)
    try:
        sizes = _extents_km2(jobs, settings)
        futures = {client.submit(run_jobs, task, settings,
                                 key=f"jobs-{task[0].id}-{uuid.uuid4().hex}", retries=retries,
                                 pure=False, priority=sizes.get(task[0].unit, 0)):
                   task for task in job_tasks(jobs)}
        done: dict[Job, JobResult] = {}
        for future in as_completed(futures):
            task = futures[future]
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - reported; the others go on
                error = f"{type(exc).__name__}: {exc} (after {retries + 1} tries)"
                results = [_failed(job, settings, error) for job in task]
            for result in results:
                done[result.job] = result
                tell(result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [done[job] for job in jobs], where


def run_batch(
    cfg: BatchConfig, *, store: str | Path, out: str | Path, scheduler: str | None = None,
    progress: Progress | None = None, dashboard: str | None = ":8787",
) -> BatchRun:
    """Run the grid of jobs of ``cfg`` over ``store`` into ``out``; write the summaries.

    Parameters
    ----------
    cfg : BatchConfig
        From :func:`hotspots.pipelines.batch_config.read_batch_config`.
    store : path
        A store made by ``hotspots ingest``.
    out : path
        Output folder: ``jobs/<job id>/`` per job, ``index.csv``, ``national_summary.csv``,
        ``forces.csv`` and ``run.json``.
    scheduler : str, optional
        None: a Dask ``LocalCluster`` of ``cfg.workers`` processes; ``"tcp://host:8786"``:
        that cluster; ``"serial"``: one by one in this process.
    progress : callable, optional
        ``progress(done, total, label)`` after each job; the label gives the job, its
        figures and the rows read per second so far.
    dashboard : str or None
        Address of the local cluster's dashboard (None: no dashboard).

    Returns
    -------
    BatchRun
        Every job's result, the summary files and the wall time.
    """
    from hotspots.groups import load_harm_weights
    from hotspots.pipelines.batch_summary import write_summaries

    started = time.perf_counter()
    out = Path(out)
    jobs = plan_jobs(cfg, store=store, out=out)
    weights = None
    if cfg.harm is not None:
        weights = load_harm_weights(None if cfg.harm == "example" else cfg.harm)
    settings = _Settings(
        store=str(Path(store).resolve()), out=str(out.resolve()),
        method_params=dict(cfg.method_params),
        groups_file=str(cfg.groups_file) if cfg.groups_file else None,
        harm=str(cfg.harm) if cfg.harm is not None else None, harm_weights=weights,
        top=cfg.top, map=cfg.map,
        tiles=cfg.tiles, stability=cfg.stability)
    (out / JOBS_DIR).mkdir(parents=True, exist_ok=True)
    rows = {"read": 0, "done": 0}

    def tell(result: JobResult) -> None:
        rows["done"] += 1
        rows["read"] += result.rows_read
        if progress is not None:
            rate = rows["read"] / max(time.perf_counter() - started, 1e-9)
            what = (f"{result.crimes:,} crimes, {result.hotspots} hotspots"
                    if result.status != "failed" else f"FAILED: {result.error}")
            progress(rows["done"], len(jobs), f"{result.job.id} {result.status}: {what} "
                     f"({rate:,.0f} rows/s)")

    if scheduler == SERIAL:
        results, where = _run_serial(jobs, settings, cfg.retries, tell), "serial"
    else:
        results, where = _run_dask(jobs, settings, cfg.retries, scheduler, cfg.workers, tell,
                                   dashboard)
    seconds = time.perf_counter() - started
    outputs = write_summaries(results, cfg, out=out, store=store, scheduler=where,
                              seconds=seconds)
    return BatchRun(results, outputs, seconds, where)
