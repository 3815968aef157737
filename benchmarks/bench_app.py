"""How long the app takes to redraw after a filter change, with 100,000 crimes loaded.

Generates the demo town over 36 months (about 100,000 rows) into a temporary folder,
starts the app on it with Streamlit's AppTest (the same Python work as a browser session:
selection, hotspots, map layers, tables), warms the caches, then times reruns after
changing the crime group, the period and the method. The target is a redraw in under
2 seconds; the ratio printed is target / measured (above 1: faster than the target).
Browser-side drawing is not included.

    .venv/bin/python benchmarks/bench_app.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0


def main() -> None:
    from hotspots.datasets.sample import write_sample

    folder = Path(tempfile.mkdtemp(prefix="hotspots-bench-app-"))
    summary = write_sample(folder, months=36)
    os.environ["HOTSPOTS_DATA"] = str(folder)
    os.environ["HOTSPOTS_PLANS"] = str(folder / "plans.gpkg")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    if at.exception:
        sys.exit(f"app failed: {at.exception}")
    rows = [("first load (reads CSVs, cold caches)", first)]
    changes = [
        ("crime group -> VAWG", lambda: at.selectbox(key="group").select("vawg")),
        ("period -> 2025-01..2025-06", lambda: at.select_slider(key="period").set_value(
            ("2025-01", "2025-06"))),
        ("method -> KDE", lambda: at.selectbox(key="method").select("kde")),
        ("crime group -> neighbourhood", lambda: at.selectbox(key="group").select(
            "neighbourhood")),
        ("period back (cached)", lambda: at.select_slider(key="period").set_value(
            ("2025-01", "2025-06"))),
    ]
    for label, change in changes:
        change()
        t0 = time.perf_counter()
        at.run()
        rows.append((label, time.perf_counter() - t0))
        if at.exception:
            sys.exit(f"app failed after {label}: {at.exception}")
    print(f"{summary.rows:,} crimes loaded ({len(summary.months)} months), "
          f"{os.cpu_count()} CPUs visible; target {TARGET_S:.1f} s per redraw\n")
    print(f"{'change':42} | {'rerun (s)':>9} | {'target/measured':>15}")
    print("-" * 74)
    for label, seconds in rows:
        ratio = "" if label.startswith("first") else f"{TARGET_S / seconds:14.1f}x"
        print(f"{label:42} | {seconds:9.2f} | {ratio:>15}")


if __name__ == "__main__":
    main()
