"""The plan store survives interrupted saves and concurrent creators.

* Temporary GeoPackages and SQLite journals that an interrupted save left beside the file
  are removed the next time the store is opened (they reached 191 MB after 60 kills).
* The finished temporary file is flushed to disk (``fsync``) before it replaces the plan
  file, and the folder after.
* ``create_plan`` fails when the name exists, so one session cannot replace another's plan
  with an empty one.
* A process killed while saving, over and over, never leaves a damaged file, and the
  leftovers of every kill are gone once the store is opened again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shapely

import hotspots.io.write as write_module
from hotspots import ParameterError
from hotspots.planning.interventions import Intervention
from hotspots.planning.plans import PlanStore

ROOT = Path(__file__).resolve().parents[2]


def camera(name: str = "Camera 1") -> Intervention:
    return Intervention(type="cctv", geometry=shapely.Point(438_500, 361_350),
                        start="2025-01", cost=20_000.0, name=name)


def test_leftovers_of_interrupted_saves_are_removed_on_opening(tmp_path) -> None:
    path = tmp_path / "plans.gpkg"
    PlanStore(path).save_plan("Option A", [camera()], area="Centre")
    leftovers = [tmp_path / ".plans-k1ll3d.gpkg", tmp_path / ".plans-k1ll3d.gpkg-journal",
                 tmp_path / ".plans-x9y8z7w6.gpkg-wal",
                 tmp_path / ".plans.gpkg-abc123.bak"]
    for leftover in leftovers:
        leftover.write_bytes(b"x" * 1000)
    others = [tmp_path / "plans-notes.gpkg", tmp_path / ".other-k1ll3d.gpkg"]
    for other in others:
        other.write_text("not ours")
    store = PlanStore(path)
    assert not any(p.exists() for p in leftovers), sorted(os.listdir(tmp_path))
    assert all(p.exists() for p in others)  # files that are not the store's: untouched
    assert [p.name for p in store.plans()] == ["Option A"]
    assert store.load("Option A")[0].name == "Camera 1"


def test_the_new_file_is_flushed_before_it_replaces_the_old(tmp_path, monkeypatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = write_module._fsync, os.replace

    def fsync(path: Path) -> None:
        events.append(f"fsync {Path(path).name if Path(path).is_file() else 'folder'}")
        real_fsync(path)

    def replace(src, dst) -> None:
        events.append(f"replace {Path(dst).name}")
        real_replace(src, dst)

    monkeypatch.setattr(write_module, "_fsync", fsync)
    monkeypatch.setattr(write_module.os, "replace", replace)
    PlanStore(tmp_path / "plans.gpkg").save_plan("Option A", [camera()])
    swap = events.index("replace plans.gpkg")
    assert events[swap - 1].startswith("fsync .plans-"), events  # the new file, first
    assert events[swap + 1] == "fsync folder", events  # then the rename itself


def test_create_plan_refuses_a_name_that_exists(tmp_path) -> None:
    path = tmp_path / "plans.gpkg"
    first, second = PlanStore(path), PlanStore(path)  # two app sessions
    first.create_plan("Option A", area="Centre")
    first.add(Intervention(**{**camera().__dict__, "plan": "Option A"}))
    with pytest.raises(ParameterError, match="'Option A' exists already; choose another"):
        second.create_plan("Option A", area="Centre")  # it read the list before the first
    assert [iv.name for iv in PlanStore(path).load("Option A")] == ["Camera 1"]
    assert second.create_plan("Option B").n_interventions == 0


_SAVER = r"""
import sys, shapely
from hotspots.planning.interventions import Intervention
from hotspots.planning.plans import PlanStore
store = PlanStore(sys.argv[1])
items = [Intervention(type="cctv", geometry=shapely.Point(438_500 + i, 361_350),
                      start="2025-01", cost=1000.0, name=f"Camera {i}") for i in range(300)]
print("ready", flush=True)
k = 0
while True:
    k += 1
    store.save_plan(f"Plan {k % 3}", items)
"""


def test_kills_during_saves_never_damage_the_file(tmp_path) -> None:
    path = tmp_path / "plans.gpkg"
    PlanStore(path).save_plan("Kept", [camera("Kept camera")])
    for trial in range(3):
        saver = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert saver.stdout.readline().strip() == "ready"
        time.sleep(0.3 + 0.37 * trial)  # some way into a save
        saver.send_signal(signal.SIGKILL)
        saver.wait(timeout=30)
        store = PlanStore(path)  # reads the file (raises if damaged) and cleans up
        assert "Kept" in [p.name for p in store.plans()]
        assert store.load("Kept")[0].name == "Kept camera"
        names = sorted(p.name for p in tmp_path.iterdir())
        assert not [n for n in names if n.startswith(".plans-")], names
