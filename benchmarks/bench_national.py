"""Benchmark: national scale (issue 13): ingest into the store, and a national batch on Dask.

Prints, with every figure measured in this run on a synthetic national archive
(:func:`hotspots.datasets.national.write_national_archive`: 43 forces, volumes by
population, 4.5% rows without a location, monthly zips with one CSV per force and month)
written into a temporary folder (deleted at the end unless ``--keep``):

1. **Reference read.** A bare read of the same zips: for every member,
   ``pandas.read_csv(engine="pyarrow")`` plus the ``pyproj`` transform of its coordinates to
   British National Grid (no checks, nothing kept), one member at a time, one thread.
2. **Ingest.** ``hotspots.pipelines.ingest.ingest`` of the same zips into a new store (every
   check of ``load_crimes``, GeoParquet written, manifest), with its default threads and with
   one thread; the ratio is ingest rows/s over reference rows/s (target: at least 0.9).
3. **Members.** The same rows as one member and as one-row members (``--members``, default
   4,000): rows/s of each, so the cost per row does not grow with the member count.
4. **Batch.** ``hotspots.pipelines.batch.run_batch`` of neighbourhood crime and the VAWG
   proxy in every force over every month with the default method (``auto``), on a Dask
   ``LocalCluster`` of ``--workers`` processes (target: under 2 minutes at full size), with
   the batch defaults (no maps); ``--with-maps`` runs it again with a map in every job.

Each stage runs in a fresh Python process; its peak memory is the peak, sampled every
0.1 s, of the summed resident memory of that process and all its children (the Dask
workers included). Targets at full size (``--scale 1``, 12 months, about 6 million rows):
ingest peak under 3 GiB, batch peak under 4 GiB.

Run from the project root::

    nice -n 10 .venv/bin/python benchmarks/bench_national.py            # full size
    .venv/bin/python benchmarks/bench_national.py --quick               # 1% scale, 2 months
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Targets of issue 13.
INGEST_RATIO_TARGET = 0.9
INGEST_PEAK_GIB = 3.0
BATCH_SECONDS = 120.0
BATCH_PEAK_GIB = 4.0
GIB = 1024**3


class PeakMemory:
    """Peak summed RSS of this process and its children, sampled in a thread."""

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self._me = psutil.Process()
        self._interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        for proc in [self._me, *self._me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except Exception:  # noqa: BLE001 - a child that just ended
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


# ------------------------------------------------------------------ stages (child processes)


def stage_generate(a: dict[str, Any]) -> dict[str, Any]:
    from hotspots.datasets.national import write_national_archive

    s = write_national_archive(a["zips"], months=a["months"], scale=a["scale"], seed=a["seed"])
    return {"rows": s.rows, "members": s.members, "no_location": s.no_location,
            "zips": [str(p) for p in s.zips]}


def stage_reference(a: dict[str, Any]) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    from pyproj import Transformer

    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    rows = 0
    for path in a["zip_list"]:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not name.endswith(".csv"):
                    continue
                frame = pd.read_csv(io.BytesIO(zf.read(name)), engine="pyarrow")
                lon = frame["Longitude"].to_numpy(float)
                lat = frame["Latitude"].to_numpy(float)
                ok = ~(np.isnan(lon) | np.isnan(lat))
                to_bng.transform(lon[ok], lat[ok])
                rows += len(frame)
    return {"rows": rows}


def stage_ingest(a: dict[str, Any]) -> dict[str, Any]:
    from hotspots.pipelines.ingest import ingest

    s = ingest(a["zip_list"], store=a["store"], threads=a["threads"])
    return {"rows": s.rows_read, "stored": s.rows_stored, "added": len(s.added),
            "skipped": len(s.skipped)}


def stage_batch(a: dict[str, Any]) -> dict[str, Any]:
    from hotspots.pipelines.batch import run_batch
    from hotspots.pipelines.batch_config import batch_config_from_dict

    cfg = batch_config_from_dict({
        "jobs": {"forces": "all", "groups": ["neighbourhood", "vawg"], "periods": "all",
                 "methods": ["auto"]},
        "run": {"workers": a["workers"]}, "output": {"map": a["maps"]}})
    run = run_batch(cfg, store=a["store"], out=a["out"], dashboard=None)
    by_status: dict[str, int] = {}
    for r in run.results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    return {"jobs": len(run.results), "statuses": by_status,
            "rows": sum(r.rows_read for r in run.results),
            "crimes": sum(r.crimes for r in run.results),
            "slowest_job_s": max((r.seconds for r in run.results), default=0.0),
            "errors": [r.error for r in run.failed][:3]}


STAGES = {"generate": stage_generate, "reference": stage_reference, "ingest": stage_ingest,
          "batch": stage_batch}


#: Modules each stage imports before its clock starts (import time is not its work).
PRELOAD = {"generate": "hotspots.datasets.national", "reference": "pyproj",
           "ingest": "hotspots.pipelines.ingest", "batch": "hotspots.pipelines.batch"}


def _child(stage: str, args_json: str) -> None:
    import importlib

    import pandas  # noqa: F401 - imported before the clock starts

    importlib.import_module(PRELOAD[stage])
    args = json.loads(args_json)
    with PeakMemory() as mem:
        started, cpu = time.perf_counter(), time.process_time()
        result = STAGES[stage](args)
        result["seconds"] = time.perf_counter() - started
        # CPU seconds of every thread of this process (Dask workers excluded): a busy
        # machine stretches wall time, much less the work done.
        result["cpu_seconds"] = time.process_time() - cpu
    result["peak_bytes"] = mem.peak
    print("RESULT " + json.dumps(result))


def run_stage(stage: str, **args: Any) -> dict[str, Any]:
    """Run one stage in a fresh process; return its result, seconds and peak memory."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, "--stage", stage, json.dumps(args)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"stage {stage} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def _one_row_members(zip_path: str, folder: Path, n: int) -> tuple[Path, Path]:
    """``n`` rows as one member, and as ``n`` one-row members (the same rows)."""
    with zipfile.ZipFile(zip_path) as zf:
        name = max((m for m in zf.namelist() if m.endswith(".csv")),
                   key=lambda m: zf.getinfo(m).file_size)
        lines = zf.read(name).decode("utf-8").splitlines()
    header, body = lines[0], lines[1:n + 1]
    month = name.split("/")[0]
    one, many = folder / "one.zip", folder / "many.zip"
    with zipfile.ZipFile(one, "w") as zf:
        zf.writestr(f"{month}/{month}-big-street.csv", "\n".join([header, *body]) + "\n")
    with zipfile.ZipFile(many, "w") as zf:
        for i, row in enumerate(body):
            # A police.uk street name per member: the force part of the name differs.
            zf.writestr(f"{month}/{month}-part{i:05d}-street.csv", f"{header}\n{row}\n")
    return one, many


def _gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("stage_args", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the real volume (1: ~6 million rows a year)")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--members", type=int, default=4000,
                        help="one-row members in the member-count stage")
    parser.add_argument("--quick", action="store_true", help="1%% scale, 2 months")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--with-maps", action="store_true",
                        help="also run the batch with a map.html in every job folder")
    parser.add_argument("--keep", type=Path, help="keep the archive and store in this folder")
    args = parser.parse_args()
    if args.stage:
        _child(args.stage, args.stage_args)
        return
    if args.quick:
        args.scale, args.months, args.members = 0.01, 2, 500
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_national_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        _run(args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path) -> None:
    print(f"Synthetic national archive: scale {args.scale}, {args.months} months, seed "
          f"{args.seed}, in {work}; {os.cpu_count()} cores")
    gen = run_stage("generate", zips=str(work / "zips"), months=args.months, scale=args.scale,
                    seed=args.seed)
    zips = gen["zips"]
    print(f"  written: {gen['rows']:,} rows ({gen['no_location']:,} without a location) in "
          f"{gen['members']:,} members of {len(zips)} zips, {gen['seconds']:.1f} s")

    ref = run_stage("reference", zip_list=zips)
    ref_rate = ref["rows"] / ref["seconds"]
    print(f"\n1. Reference: pandas(pyarrow) + pyproj, 1 thread: {ref['seconds']:.1f} s, "
          f"{ref_rate:,.0f} rows/s, {ref['cpu_seconds']:.1f} CPU s, peak "
          f"{_gib(ref['peak_bytes'])}")

    print("\n2. Ingest (every check, GeoParquet + manifest):")
    ok = True
    for threads in (2, 1):
        store = work / f"store{threads}"
        ing = run_stage("ingest", zip_list=zips, store=str(store), threads=threads)
        rate = ing["rows"] / ing["seconds"]
        ratio = rate / ref_rate
        print(f"   {threads} thread(s): {ing['seconds']:.1f} s, {rate:,.0f} rows/s, "
              f"{ing['stored']:,} rows stored from {ing['added']} members "
              f"({ing['skipped']} skipped); ratio to the reference {ratio:.2f} "
              f"(target >= {INGEST_RATIO_TARGET}); peak {_gib(ing['peak_bytes'])} "
              f"(target < {INGEST_PEAK_GIB} GiB at full size); {ing['cpu_seconds']:.1f} CPU s "
              f"({ing['cpu_seconds'] / ref['cpu_seconds']:.2f}x the reference's)")
        if threads == 2:
            ok &= ratio >= INGEST_RATIO_TARGET and ing["peak_bytes"] < INGEST_PEAK_GIB * GIB
        else:
            shutil.rmtree(store, ignore_errors=True)

    print(f"\n3. Member count: the same {args.members:,} rows as 1 member and as "
          f"{args.members:,} one-row members")
    one, many = _one_row_members(zips[0], work, args.members)
    seconds = {}
    for label, path in (("1 member", one), (f"{args.members:,} members", many)):
        res = run_stage("ingest", zip_list=[str(path)], store=str(work / f"m-{path.stem}"),
                        threads=2)
        seconds[label] = res["seconds"]
        print(f"   {label}: {res['seconds']:.2f} s, {res['rows'] / res['seconds']:,.0f} rows/s "
              f"({res['added']} members stored)")
    # The run's fixed cost (opening the store, listing the zip) is the 1-member run's time.
    per_member = (max(seconds.values()) - seconds["1 member"]) / max(args.members - 1, 1)
    print(f"   cost of a member: {1000 * per_member:.2f} ms (the {args.members:,}-member run "
          "less the 1-member run, per extra member; each one-row member is a source of its "
          "own: its rows checked, a Parquet file and a report written, a manifest commit)")

    if not args.skip_batch:
        for maps in (False, True) if args.with_maps else (False,):
            out = work / ("batch-maps" if maps else "batch")
            bat = run_stage("batch", store=str(work / "store2"), out=str(out),
                            workers=args.workers, maps=maps)
            print(f"\n4. Batch{' with a map per job' if maps else ' (the default: no maps)'}: "
                  f"{bat['jobs']} jobs (43 forces x neighbourhood, vawg x {args.months} months, "
                  f"auto) on a LocalCluster of {args.workers} processes: {bat['seconds']:.1f} s "
                  f"(target < {BATCH_SECONDS:.0f} s at full size), {bat['rows']:,} rows read "
                  f"({bat['rows'] / bat['seconds']:,.0f} rows/s), {bat['crimes']:,} crimes "
                  f"analysed; slowest job {bat['slowest_job_s']:.1f} s; statuses "
                  f"{bat['statuses']}; peak {_gib(bat['peak_bytes'])} "
                  f"(target < {BATCH_PEAK_GIB} GiB)")
            if bat["errors"]:
                print(f"   errors: {bat['errors']}")
            if not maps:
                ok &= (bat["seconds"] < BATCH_SECONDS
                       and bat["peak_bytes"] < BATCH_PEAK_GIB * GIB)
    print(f"\nTargets met: {'yes' if ok else 'NO'}"
          + ("" if args.scale >= 1 and args.months >= 12 else " (not at full size)"))


if __name__ == "__main__":
    main()
