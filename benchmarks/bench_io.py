"""Benchmark: loading police.uk archives takes time proportional to rows, not members.

A police.uk download holds one CSV per force and month (1,600 to 4,800 members), many of
them small. Before pooling, each member was checked as its own pandas frame, a fixed cost of
milliseconds per member: 4,000 one-row members took 298 s. Measured here, in one run, on
the same generated rows (Leeds, valid police.uk rows):

1. 1,200, 2,400 and 4,800 one-row members (time per member should stay flat: linear in
   rows), against the same 4,800 rows in one member (the ratio is the fixed cost of a
   member: opening it and reading its header);
2. 4,800 members of 50 rows (240,000 rows), against the same rows in one member, and
   against :func:`pandas.read_csv` of that member's text (a reader with no checks at all:
   the cost of the validation);
3. the reference: members checked one by one, as before pooling
   (:data:`hotspots.io.policeuk.POOL_ROWS` set to 0), on 1,000 one-row members (per
   member, scaled to 4,800);
4. peak memory (RSS) of a fresh process loading the 240,000-row archive.

Run ``PYTHONPATH=. python benchmarks/bench_io.py [--quick]``.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import hotspots.io.policeuk as policeuk
from hotspots.io import load_crimes

#: Members of a full police.uk download (every force, 36 months, street files).
MEMBERS = 4_800
#: Rows per member in the larger archive.
ROWS_PER_MEMBER = 50
#: Members checked one by one for the reference (then scaled to MEMBERS).
REFERENCE_MEMBERS = 1_000
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
          "LSOA name,Crime type,Last outcome category,Context")
CATEGORIES = ("Burglary", "Robbery", "Vehicle crime", "Anti-social behaviour", "Shoplifting")


def row(i: int) -> str:
    month = f"20{19 + (i // 12) % 3}-{1 + i % 12:02d}"
    return (f"id{i:07d},{month},West Yorkshire Police,West Yorkshire Police,"
            f"{-1.60 + 0.0001 * (i % 997):.6f},{53.75 + 0.0001 * (i % 991):.6f},"
            f"On or near Street {i % 311},E01011365,Leeds 111B,{CATEGORIES[i % 5]},"
            "Under investigation,")


def archive(path: Path, members: int, rows: int) -> Path:
    """A police.uk-like zip of ``members`` street files of ``rows`` rows each."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for m in range(members):
            body = "\n".join(row(m * rows + r) for r in range(rows))
            month = f"20{19 + m % 3}-{1 + m % 12:02d}"
            name = f"{month}/{month}-force{m:05d}-street.csv"
            zf.writestr(name, f"{HEADER}\n{body}\n")
    return path


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def load(path: Path) -> int:
    crimes, report = load_crimes(path)
    assert report.rows_kept == len(crimes) and report.is_consistent()
    return len(crimes)


def unpooled(path: Path) -> int:
    saved = policeuk.POOL_ROWS
    policeuk.POOL_ROWS = 0  # every member drained, so checked, alone: the old way
    try:
        return load(path)
    finally:
        policeuk.POOL_ROWS = saved


_RSS = r"""
import resource, sys
from hotspots.io import load_crimes
crimes, _ = load_crimes(sys.argv[1])
print(len(crimes), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller archives (smoke run)")
    args = parser.parse_args()
    members = 800 if args.quick else MEMBERS
    reference = 200 if args.quick else REFERENCE_MEMBERS
    folder = Path(tempfile.mkdtemp(prefix="bench_io_"))
    one_row = archive(folder / "one-row.zip", members, 1)
    one_member = archive(folder / "one-member.zip", 1, members)
    many = archive(folder / "many.zip", members, ROWS_PER_MEMBER)
    single = archive(folder / "single.zip", 1, members * ROWS_PER_MEMBER)
    few = archive(folder / "reference.zip", reference, 1)
    with zipfile.ZipFile(single) as zf:
        text = zf.read(zf.namelist()[0])

    sweep = {}
    for k in (members // 4, members // 2):
        smaller = archive(folder / f"one-row-{k}.zip", k, 1)
        sweep[k] = timed(lambda smaller=smaller: load(smaller), 2)[0]
    t_one_row, n1 = timed(lambda: load(one_row), 2)
    sweep[members] = t_one_row
    t_one_member, n2 = timed(lambda: load(one_member), 2)
    t_many, n3 = timed(lambda: load(many))
    t_single, n4 = timed(lambda: load(single))
    t_pandas, frame = timed(lambda: pd.read_csv(io.BytesIO(text), dtype=str))
    t_ref, n5 = timed(lambda: unpooled(few))
    assert (n1, n2, n3, n4, len(frame), n5) == (members, members, members * ROWS_PER_MEMBER,
                                                members * ROWS_PER_MEMBER,
                                                members * ROWS_PER_MEMBER, reference)
    done = subprocess.run([sys.executable, "-c", _RSS, str(many)], capture_output=True,
                          text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    rows_loaded, peak = map(int, done.stdout.split())
    per_member_ref = t_ref / reference
    results = {
        "members": members,
        "one_row_members_s": round(t_one_row, 3),
        "ms_per_one_row_member_by_count": {k: round(1000 * t / k, 3) for k, t in sweep.items()},
        "same_rows_one_member_s": round(t_one_member, 3),
        "ratio_members_vs_one_member": round(t_one_row / t_one_member, 2),
        f"members_of_{ROWS_PER_MEMBER}_rows_s": round(t_many, 3),
        "same_rows_one_member_large_s": round(t_single, 3),
        "us_per_row_one_member_large": round(1e6 * t_single / (members * ROWS_PER_MEMBER), 2),
        "us_per_row_members_of_50": round(1e6 * t_many / (members * ROWS_PER_MEMBER), 2),
        "ratio_members_vs_one_member_large": round(t_many / t_single, 2),
        "pandas_read_csv_no_checks_s": round(t_pandas, 3),
        "ratio_ours_vs_pandas_read_csv": round(t_single / t_pandas, 2),
        "reference_per_member_ms": round(1000 * per_member_ref, 2),
        "reference_scaled_to_members_s": round(per_member_ref * members, 1),
        "speed_up_vs_reference": round(per_member_ref * members / t_one_row, 1),
        "peak_rss_mib_loading_large_archive": round(peak / 1024 ** 2),
        "rows_in_large_archive": rows_loaded,
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
