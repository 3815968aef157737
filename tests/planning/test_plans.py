"""Plans saved in a GeoPackage: round trips, several plans per area, atomic and safe writes."""

from __future__ import annotations

import sqlite3
import threading

import pyogrio
import pytest
import shapely

from hotspots import InputFileError
from hotspots import ParameterError
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import coverage
from hotspots.planning.plans import STORE_VERSION
from hotspots.planning.plans import PlanStore


def _mixed_plan() -> list[Intervention]:
    """A point, a line, a polygon and a multi-point, with every optional field used."""
    return [
        Intervention(type="cctv", geometry=shapely.Point(438_500.123456789, 361_350.987654321),
                     start="2025-01", cost=20_000.0, radius_m=150.0, name="Camera 1",
                     notes="Market Place — covers the taxi rank"),
        Intervention(type="street_lighting", start="2025-03", cost=None, name="Fern Lane LEDs",
                     geometry=shapely.LineString([(438_300, 361_200), (438_650.5, 361_420.25),
                                                  (438_700, 361_600)]), width_m=30.0),
        Intervention(type="target_hardening", start="2025-02", cost=12_000.0,
                     name="Rise estate homes",
                     geometry=shapely.Polygon([(438_400, 361_250), (438_600, 361_250),
                                               (438_600, 361_450), (438_400, 361_450)],
                                              [[(438_450, 361_300), (438_500, 361_300),
                                                (438_500, 361_350)]])),
        Intervention(type="anpr", start="2025-01", cost=30_000.0, name="ANPR pair",
                     geometry=shapely.MultiPoint([(438_100, 361_100), (438_900, 361_700)])),
    ]


def _same(a: Intervention, b: Intervention) -> bool:
    fields = ("id", "type", "name", "start", "cost", "radius_m", "width_m", "notes")
    return all(getattr(a, f) == getattr(b, f) for f in fields) and shapely.equals_exact(
        a.geometry, b.geometry, tolerance=0.0
    )


def test_round_trip_points_lines_polygons(tmp_path) -> None:
    path = tmp_path / "plans.gpkg"
    items = _mixed_plan()
    saved = PlanStore(path).save_plan("Option A", items, area="Ferncliffe Rise",
                                      description="lighting first")
    assert [iv.plan for iv in saved] == ["Option A"] * 4
    assert all(iv.created and iv.updated for iv in saved)
    assert [iv.plan for iv in items] == [""] * 4  # inputs not changed

    reloaded = PlanStore(path).load("Option A")  # a new instance, as after a restart
    assert len(reloaded) == 4
    for original, back in zip(items, reloaded, strict=True):
        assert _same(original, back), (original, back)
    assert [iv.geometry_kind for iv in reloaded] == ["point", "line", "polygon", "point"]
    assert reloaded[1].cost is None and reloaded[1].radius_m is None
    assert reloaded[0].created == saved[0].created

    # the file is a GeoPackage that opens in QGIS: coverage polygons in British National Grid
    info = pyogrio.read_info(path, layer="interventions")
    assert info["crs"] == "EPSG:27700" and info["geometry_type"] == "MultiPolygon"
    assert info["features"] == 4
    layer = pyogrio.read_dataframe(path, layer="interventions")
    assert layer.geometry.iloc[0].area == pytest.approx(coverage(items[0]).area)
    assert layer["area"].tolist() == ["Ferncliffe Rise"] * 4
    assert {name for name, _ in pyogrio.list_layers(path)} == {
        "interventions", "plans", "store_info"}


def test_several_plans_per_area(tmp_path) -> None:
    store = PlanStore(tmp_path / "plans.gpkg")
    a, b, c = _mixed_plan()[:3]
    store.save_plan("Option A", [a, b], area="Ferncliffe Rise")
    store.save_plan("Option B", [c], area="Ferncliffe Rise", description="homes only")
    store.save_plan("Town centre", [], area="Market Place")
    infos = {p.name: p for p in store.plans()}
    assert sorted(infos) == ["Option A", "Option B", "Town centre"]
    assert infos["Option A"].n_interventions == 2
    assert infos["Option A"].total_cost == 20_000 and infos["Option A"].n_without_cost == 1
    assert infos["Option B"].description == "homes only"
    assert infos["Town centre"].n_interventions == 0
    assert [p.name for p in store.plans(area="Ferncliffe Rise")] == ["Option A", "Option B"]
    assert [p.name for p in store.plans(area="Nowhere")] == []
    assert store.areas() == ["Ferncliffe Rise", "Market Place"]
    assert store.load("Town centre") == []
    with pytest.raises(ParameterError, match="no plan called 'Option C'.*'Option A'"):
        store.load("Option C")


def test_save_plan_replaces_only_that_plan(tmp_path) -> None:
    store = PlanStore(tmp_path / "plans.gpkg")
    a, b, c, d = _mixed_plan()
    store.save_plan("Option A", [a, b], area="Ferncliffe Rise", description="first")
    store.save_plan("Option B", [c])
    first = store.load("Option A")
    store.save_plan("Option A", [a, d])  # b dropped, d added; area and description kept
    assert [iv.id for iv in store.load("Option A")] == [a.id, d.id]
    assert [iv.id for iv in store.load("Option B")] == [c.id]
    again = store.load("Option A")[0]
    assert again.created == first[0].created  # an edit keeps the creation time
    info = {p.name: p for p in store.plans()}["Option A"]
    assert (info.area, info.description) == ("Ferncliffe Rise", "first")
    with pytest.raises(ParameterError, match="already belong to other plans"):
        store.save_plan("Option B", [a])
    with pytest.raises(ParameterError, match="more than once"):
        store.save_plan("Option C", [c, c])


def test_add_update_delete_copy(tmp_path) -> None:
    path = tmp_path / "plans.gpkg"
    store = PlanStore(path)
    a, b, c, _ = _mixed_plan()
    stored = store.add(Intervention(**{**a.__dict__, "plan": "Option A"}))
    assert stored.plan == "Option A" and stored.created
    with pytest.raises(ParameterError, match="already stored"):
        store.add(stored)
    with pytest.raises(ParameterError, match="intervention.plan"):
        store.add(b)  # no plan named
    store.add(Intervention(**{**b.__dict__, "plan": "Option A"}))

    moved = Intervention(**{**stored.__dict__, "name": "Camera 1 (moved)", "cost": 25_000.0,
                            "geometry": shapely.Point(438_520, 361_360)})
    store.update(moved)
    back = PlanStore(path).load("Option A")
    assert back[0].name == "Camera 1 (moved)" and back[0].cost == 25_000
    assert back[0].geometry.equals(shapely.Point(438_520, 361_360))
    assert back[0].created == stored.created
    with pytest.raises(ParameterError, match="use add"):
        store.update(Intervention(**{**c.__dict__, "plan": "Option A"}))

    copies = store.copy_plan("Option A", "Option A (copy)")
    assert len(copies) == 2 and {iv.id for iv in copies}.isdisjoint({stored.id, b.id})
    assert [iv.name for iv in store.load("Option A (copy)")] == ["Camera 1 (moved)",
                                                                 "Fern Lane LEDs"]
    with pytest.raises(ParameterError, match="exists already"):
        store.copy_plan("Option A", "Option A (copy)")

    store.delete(stored.id)
    assert [iv.id for iv in store.load("Option A")] == [b.id]
    with pytest.raises(ParameterError, match="No stored intervention"):
        store.delete(stored.id)
    store.delete_plan("Option A (copy)")
    assert [p.name for p in store.plans()] == ["Option A"]
    with pytest.raises(ParameterError, match="no plan called"):
        store.delete_plan("Option A (copy)")


def test_invalid_interventions_are_not_written(tmp_path) -> None:
    path = tmp_path / "plans.gpkg"
    store = PlanStore(path)
    store.save_plan("Option A", _mixed_plan()[:1])
    before = path.read_bytes()
    bad = [
        Intervention(type="jetpack", geometry=shapely.Point(438_000, 361_000), start="2025-01"),
        Intervention(type="cctv", geometry=shapely.Point(438_000, 361_000), start="2025/01",
                     cost=-1),
        Intervention(type="cctv", geometry=shapely.LineString(), start="2025-01"),
    ]
    with pytest.raises(ParameterError) as err:
        store.save_plan("Option A", bad)
    text = str(err.value)
    for fragment in ("'type' 'jetpack'", "'start'", "'cost'", "'geometry' is empty"):
        assert fragment in text
    assert path.read_bytes() == before
    with pytest.raises(ParameterError, match="plan_name"):
        store.save_plan("  ", [])


def test_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch) -> None:
    path = tmp_path / "plans.gpkg"
    store = PlanStore(path)
    items = _mixed_plan()
    store.save_plan("Option A", items[:2], area="Ferncliffe Rise")
    store.save_plan("Option B", items[2:])
    real_write = pyogrio.write_dataframe

    def crash_on_plans_table(df, target, *args, **kwargs):
        if kwargs.get("layer") == "plans":
            raise OSError("disk full (simulated)")
        return real_write(df, target, *args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", crash_on_plans_table)
    with pytest.raises(OSError, match="simulated"):
        store.save_plan("Option A", [])
    monkeypatch.undo()

    fresh = PlanStore(path)
    assert [iv.id for iv in fresh.load("Option A")] == [items[0].id, items[1].id]
    assert [iv.id for iv in fresh.load("Option B")] == [items[2].id, items[3].id]
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ["plans.gpkg", "plans.gpkg.bak", "plans.gpkg.lock"]
    # the backup is the version before the attempted write; renamed, it is a plan file
    restored = tmp_path / "restored.gpkg"
    restored.write_bytes(store.backup_path.read_bytes())
    assert [p.name for p in PlanStore(restored).plans()] == ["Option A", "Option B"]


def test_saves_in_sequence_and_in_parallel_lose_nothing(tmp_path) -> None:
    path = tmp_path / "plans.gpkg"
    first, second = PlanStore(path), PlanStore(path)  # e.g. two app sessions
    a, b, c, d = _mixed_plan()
    first.save_plan("Option A", [a])
    second.save_plan("Option B", [b])
    first.add(Intervention(**{**c.__dict__, "plan": "Option A"}))
    second.add(Intervention(**{**d.__dict__, "plan": "Option B"}))
    check = PlanStore(path)
    assert [iv.id for iv in check.load("Option A")] == [a.id, c.id]
    assert [iv.id for iv in check.load("Option B")] == [b.id, d.id]

    errors: list[BaseException] = []

    def add_three(plan: str) -> None:
        store = PlanStore(path)
        try:
            for i in range(3):
                store.add(Intervention(type="cctv", plan=plan, start="2025-01",
                                       name=f"{plan} {i}",
                                       geometry=shapely.Point(438_000 + i, 361_000)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_three, args=(f"P{t}",)) for t in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    names = sorted(iv.name for iv in PlanStore(path).load_all() if iv.plan.startswith("P"))
    assert names == ["P0 0", "P0 1", "P0 2", "P1 0", "P1 1", "P1 2"]


def test_corrupt_or_foreign_files_are_refused_not_overwritten(tmp_path) -> None:
    text = tmp_path / "notes.gpkg"
    text.write_text("not a geopackage", encoding="utf-8")
    with pytest.raises(InputFileError, match="notes.gpkg.*not a readable GeoPackage"):
        PlanStore(text)
    assert text.read_text(encoding="utf-8") == "not a geopackage"

    # a GeoPackage of something else (e.g. hotspot output) is not a plan file
    foreign = tmp_path / "hotspots.gpkg"
    cells = pyogrio.read_dataframe(  # any layer will do: reuse a plan file's coverage
        _a_plan_file(tmp_path / "src.gpkg"), layer="interventions")
    pyogrio.write_dataframe(cells, foreign, layer="cells", driver="GPKG")
    before = foreign.read_bytes()
    with pytest.raises(InputFileError, match="not a hotspots plan file.*cells"):
        PlanStore(foreign)
    assert foreign.read_bytes() == before

    # a damaged plan file: truncated half-way
    damaged = _a_plan_file(tmp_path / "damaged.gpkg")
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputFileError, match="damaged.gpkg"):
        PlanStore(damaged).load("Option A")
    assert damaged.read_bytes() == data[: len(data) // 3]

    # a store made with an existing path but broken later refuses to save over it
    store = PlanStore(tmp_path / "later.gpkg")
    store.save_plan("Option A", [])
    store.save_plan("Option B", [])  # the second save keeps the first as later.gpkg.bak
    (tmp_path / "later.gpkg").write_bytes(b"\0" * 100)
    with pytest.raises(InputFileError, match="has not been changed.*backup"):
        store.save_plan("Option A", _mixed_plan()[:1])
    assert (tmp_path / "later.gpkg").read_bytes() == b"\0" * 100


def test_newer_file_versions_are_refused(tmp_path) -> None:
    path = _a_plan_file(tmp_path / "plans.gpkg")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE store_info SET value = ? WHERE key = 'version'",
                   (str(STORE_VERSION + 1),))
    with pytest.raises(InputFileError, match="newer hotspots"):
        PlanStore(path)


def _a_plan_file(path):
    PlanStore(path).save_plan("Option A", _mixed_plan(), area="Ferncliffe Rise")
    return path
