"""Start-up time: ``import hotspots`` against ``import geopandas``, and ``hotspots --help``.

Each command runs in a fresh interpreter (``python -c ...``), several times, in turn, so
that both imports see the same machine load; the median wall time is reported. Targets:
``import hotspots`` at most 1.5 times ``import geopandas`` (the public API loads lazily,
so importing the package loads no heavy library), and ``hotspots --help`` well under a
second (the command modules import the library only when a command runs).

    .venv/bin/python benchmarks/bench_startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Most ``import hotspots`` may take, as a multiple of ``import geopandas``.
TARGET_RATIO = 1.5
#: Most ``hotspots --help`` may take, in seconds.
TARGET_HELP_S = 1.0

COMMANDS = {
    "python (empty)": [sys.executable, "-c", "pass"],
    "import geopandas": [sys.executable, "-c", "import geopandas"],
    "import hotspots": [sys.executable, "-c", "import hotspots"],
    "hotspots --help": [sys.executable, "-m", "hotspots", "--help"],
}


def wall_time(command: list[str]) -> float:
    """Seconds one run of ``command`` takes, from the project root."""
    t0 = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (median)")
    args = parser.parse_args()
    for command in COMMANDS.values():  # warm the file cache once
        wall_time(command)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(wall_time(command))
    median = {name: statistics.median(values) for name, values in times.items()}

    print(f"median of {args.runs} fresh interpreters each\n")
    print(f"{'command':18} | {'median (s)':>10} | {'min (s)':>8} | {'max (s)':>8}")
    print(f"{'-' * 18}-|-{'-' * 10}-|-{'-' * 8}-|-{'-' * 8}")
    for name, values in times.items():
        print(f"{name:18} | {median[name]:10.3f} | {min(values):8.3f} | {max(values):8.3f}")
    ratio = median["import hotspots"] / median["import geopandas"]
    help_s = median["hotspots --help"]
    print(f"\nimport hotspots / import geopandas: {ratio:.2f} "
          f"(target <= {TARGET_RATIO}) {'ok' if ratio <= TARGET_RATIO else 'MISSED'}")
    print(f"hotspots --help: {help_s:.3f} s "
          f"(target < {TARGET_HELP_S:.1f} s) {'ok' if help_s < TARGET_HELP_S else 'MISSED'}")


if __name__ == "__main__":
    main()
