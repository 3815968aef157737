"""Intervention plans saved in a GeoPackage: several named plans per area, written atomically.

A plan file is one GeoPackage (SQLite) in EPSG:27700 with three tables:

``interventions`` (polygon layer)
    One row per intervention: ``id, plan, area, type, name, start, cost, radius_m, width_m,
    notes, geometry_kind, geometry_wkt, created, updated``. The layer geometry is the
    intervention's **coverage** polygon (MultiPolygon), so the file opens in QGIS showing the
    area each intervention protects. GeoPackage layers hold one geometry type, so the
    **drawn** point, line or polygon is kept exactly, at full precision, as WKT in
    ``geometry_wkt``; it is what :meth:`PlanStore.load` returns, and coverage is recomputed
    from it and the catalogue.
``plans`` (attribute table)
    ``name, area, source, description, created, updated``: ``area`` is the area (or areas)
    the plan is for and ``source`` the data it was made on (e.g. "Demo town" or
    "upload: nottingham_burglary.csv"), so a plan opened on other data can say so. Files
    written before ``source`` existed read with an empty source.
``store_info`` (attribute table)
    ``key, value``: the file format name and version.

Every change reads the file, changes the rows and writes a complete new file beside it,
which is flushed to disk and replaces the old one with :func:`os.replace` only once it is
written and read back; the previous version is kept as ``<name>.gpkg.bak``. An interrupted
write therefore leaves the old file as it was; the temporary files it leaves are removed
the next time the store is opened. A lock file (``<name>.gpkg.lock``) serialises writers,
so two saves in a row (from two app sessions) both land, and :meth:`PlanStore.create_plan`
creates a plan only if no plan has its name (two sessions cannot wipe each other's plan).
A file that is not a plan file, or is damaged, is never overwritten: reading it raises
:class:`~hotspots.InputFileError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import MultiPolygon

from hotspots.errors import InputFileError
from hotspots.errors import ParameterError
from hotspots.io.write import atomic_path
from hotspots.io.write import remove_leftovers
from hotspots.planning.catalogue import InterventionType
from hotspots.planning.catalogue import load_catalogue
from hotspots.planning.interventions import PLAN_CRS
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import coverage
from hotspots.planning.interventions import new_id
from hotspots.planning.interventions import validate_interventions
from hotspots.planning.planinfo import PlanInfo

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["PlanStore", "PlanInfo", "STORE_FORMAT", "STORE_VERSION"]

log = logging.getLogger(__name__)

#: Written to ``store_info`` so a plan file is recognised as one.
STORE_FORMAT = "hotspots-plans"
#: Layout version of plan files this code writes (and the newest it reads).
STORE_VERSION = 1

INTERVENTIONS_LAYER = "interventions"
PLANS_LAYER = "plans"
INFO_LAYER = "store_info"
_LAYERS = (INTERVENTIONS_LAYER, PLANS_LAYER, INFO_LAYER)
_TEXT = ("id", "plan", "area", "type", "name", "start", "notes", "geometry_kind",
         "geometry_wkt", "created", "updated")
_NUMBERS = ("cost", "radius_m", "width_m")
_PLAN_COLUMNS = ("name", "area", "source", "description", "created", "updated")
#: Plan columns a file may lack (written by an older hotspots): read as "".
_OPTIONAL_PLAN_COLUMNS = ("source",)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _plan_name(value: Any, *, name: str = "plan_name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"The '{name}' parameter must be a non-empty name, got {value!r}.")
    return value.strip()


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


class PlanStore:
    """Named intervention plans kept in one GeoPackage file.

    Parameters
    ----------
    path : str or Path
        The ``.gpkg`` file. It is created on the first save; an existing file is checked
        at once (a damaged file or another kind of GeoPackage raises InputFileError).
    catalogue : dict, optional
        Intervention types used to validate and to compute coverage
        (default :func:`hotspots.planning.catalogue.load_catalogue`).

    Examples
    --------
    >>> import tempfile, shapely
    >>> store = PlanStore(Path(tempfile.mkdtemp()) / "plans.gpkg")
    >>> cam = Intervention(type="cctv", geometry=shapely.Point(438500, 361350),
    ...                    start="2025-01", cost=20000, name="Camera 1")
    >>> _ = store.save_plan("Option A", [cam], area="Ferncliffe Rise")
    >>> [(p.name, p.area, p.n_interventions, p.total_cost) for p in store.plans()]
    [('Option A', 'Ferncliffe Rise', 1, 20000.0)]
    >>> [iv.name for iv in PlanStore(store.path).load("Option A")]
    ['Camera 1']
    """

    def __init__(
        self, path: str | Path, *, catalogue: Mapping[str, InterventionType] | None = None
    ) -> None:
        self.path = Path(path)
        self.catalogue = load_catalogue() if catalogue is None else dict(catalogue)
        if self.path.parent.is_dir():
            self._clean_up()
        if self.path.exists():
            self._read()

    def _clean_up(self) -> None:
        """Remove what interrupted writes left (temporary GeoPackages, journals, backups).

        Done under the writers' lock, so a write in progress in another process is never
        touched.
        """
        with self._locked():
            removed = remove_leftovers(self.path) + remove_leftovers(self.backup_path)
        if removed:
            log.warning("plan file %s: removed %d file(s) left by interrupted saves: %s",
                        self.path, len(removed), ", ".join(p.name for p in removed))

    def __repr__(self) -> str:
        return f"PlanStore({str(self.path)!r})"

    @property
    def backup_path(self) -> Path:
        """Where the previous version of the file is kept (``<name>.gpkg.bak``)."""
        return self.path.with_name(self.path.name + ".bak")

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # ------------------------------------------------------------------ reading

    def plans(self, area: str | None = None) -> list[PlanInfo]:
        """Return the plans, sorted by name; only those for ``area`` when it is given."""
        plans, items = self._read()
        out = []
        for row in plans.itertuples(index=False):
            if area is not None and row.area != area:
                continue
            mine = [iv for iv in items if iv.plan == row.name]
            costs = [iv.cost for iv in mine if iv.cost is not None]
            out.append(PlanInfo(
                name=row.name, area=row.area, description=row.description,
                n_interventions=len(mine), total_cost=float(sum(costs)),
                n_without_cost=len(mine) - len(costs), created=row.created, updated=row.updated,
                source=row.source,
            ))
        return sorted(out, key=lambda p: p.name)

    def areas(self) -> list[str]:
        """Return the distinct areas that have plans, sorted."""
        plans, _ = self._read()
        return sorted(set(plans["area"]))

    def load(self, plan_name: str) -> list[Intervention]:
        """Return the interventions of ``plan_name``, in the order they were saved.

        Raises
        ------
        ParameterError
            If there is no such plan (the message lists the plans).
        """
        name = _plan_name(plan_name)
        plans, items = self._read()
        self._require_plan(plans, name)
        return [iv for iv in items if iv.plan == name]

    def load_all(self) -> list[Intervention]:
        """Return every intervention in the file, of every plan."""
        return self._read()[1]

    # ------------------------------------------------------------------ writing

    def save_plan(
        self,
        plan_name: str,
        interventions: Iterable[Intervention],
        *,
        area: str | None = None,
        description: str | None = None,
        source: str | None = None,
    ) -> list[Intervention]:
        """Replace the whole plan ``plan_name`` with ``interventions`` (creating it if new).

        Every intervention is validated first (all problems are reported at once) and
        nothing is written if any fails. The inputs are not changed: stored copies, with
        ``plan`` set and timestamps filled, are returned.

        Parameters
        ----------
        plan_name : str
        interventions : iterable of Intervention
            May be empty (an empty plan).
        area, description, source : str, optional
            The area the plan is for (e.g. a neighbourhood name), a description and the
            data it is made on. ``None`` keeps the plan's current value (empty for a new
            plan).
        """
        name = _plan_name(plan_name)
        items = list(interventions)
        validate_interventions(items, self.catalogue)
        ids = [iv.id for iv in items]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ParameterError(
                f"Plan {name!r} lists intervention id(s) {repeated} more than once; each "
                "intervention needs its own id."
            )
        with self._locked():
            plans, stored = self._read()
            elsewhere = {iv.id: iv.plan for iv in stored if iv.plan != name and iv.id in ids}
            if elsewhere:
                raise ParameterError(
                    f"Intervention id(s) already belong to other plans: {elsewhere}. Use "
                    "PlanStore.copy_plan, or give copies new ids (Intervention(..., id=new_id()))."
                )
            now = _now()
            created = {iv.id: iv.created for iv in stored if iv.plan == name}
            kept = [iv for iv in stored if iv.plan != name]
            saved = [dataclasses.replace(iv, plan=name, created=created.get(iv.id) or now,
                                         updated=now) for iv in items]
            plans = self._upsert_plan(plans, name, area=area, description=description, now=now,
                                      source=source)
            self._write(plans, kept + saved)
        return saved

    def create_plan(
        self,
        plan_name: str,
        *,
        area: str | None = None,
        description: str | None = None,
        source: str | None = None,
    ) -> PlanInfo:
        """Create an empty plan ``plan_name``; ParameterError if one with that name exists.

        The check and the write happen under the writers' lock, so two sessions creating
        the same name cannot both succeed (the second is told), and an existing plan is
        never replaced by an empty one.

        Examples
        --------
        >>> import tempfile
        >>> store = PlanStore(Path(tempfile.mkdtemp()) / "plans.gpkg")
        >>> store.create_plan("Option A", area="Centre").name
        'Option A'
        >>> store.create_plan("Option A")
        Traceback (most recent call last):
        ...
        hotspots.errors.ParameterError: A plan called 'Option A' exists already; choose ...
        """
        name = _plan_name(plan_name)
        with self._locked():
            plans, stored = self._read()
            if name in set(plans["name"]):
                raise ParameterError(
                    f"A plan called {name!r} exists already; choose another name.")
            plans = self._upsert_plan(plans, name, area=area, description=description,
                                      now=_now(), source=source)
            self._write(plans, stored)
        return next(p for p in self.plans() if p.name == name)

    def add(self, intervention: Intervention) -> Intervention:
        """Add one intervention to its plan (``intervention.plan``; created if new).

        Returns the stored copy (timestamps set). Raises ParameterError if its id exists.
        """
        name = _plan_name(intervention.plan, name="intervention.plan")
        validate_interventions([intervention], self.catalogue)
        with self._locked():
            plans, stored = self._read()
            if any(iv.id == intervention.id for iv in stored):
                raise ParameterError(
                    f"An intervention with id {intervention.id!r} is already stored; use "
                    "update() to change it."
                )
            now = _now()
            saved = dataclasses.replace(intervention, plan=name, created=now, updated=now)
            plans = self._upsert_plan(plans, name, area=None, description=None, now=now)
            self._write(plans, [*stored, saved])
        return saved

    def update(self, intervention: Intervention) -> Intervention:
        """Replace the stored intervention with the same id; return the stored copy.

        It may move to another plan (created if new). Raises ParameterError if the id is
        not stored.
        """
        name = _plan_name(intervention.plan, name="intervention.plan")
        validate_interventions([intervention], self.catalogue)
        with self._locked():
            plans, stored = self._read()
            index = next((i for i, iv in enumerate(stored) if iv.id == intervention.id), None)
            if index is None:
                raise ParameterError(
                    f"No stored intervention has id {intervention.id!r}; use add() for a new one."
                )
            now = _now()
            saved = dataclasses.replace(intervention, plan=name,
                                        created=stored[index].created or now, updated=now)
            stored = [*stored[:index], saved, *stored[index + 1:]]
            plans = self._upsert_plan(plans, name, area=None, description=None, now=now)
            self._write(plans, stored)
        return saved

    def delete(self, intervention_id: str) -> None:
        """Remove the intervention with ``intervention_id``; ParameterError if none has it."""
        with self._locked():
            plans, stored = self._read()
            left = [iv for iv in stored if iv.id != intervention_id]
            if len(left) == len(stored):
                raise ParameterError(f"No stored intervention has id {intervention_id!r}.")
            gone = next(iv for iv in stored if iv.id == intervention_id)
            plans = self._touch(plans, gone.plan)
            self._write(plans, left)

    def delete_plan(self, plan_name: str) -> None:
        """Remove the plan ``plan_name`` and all its interventions."""
        name = _plan_name(plan_name)
        with self._locked():
            plans, stored = self._read()
            self._require_plan(plans, name)
            plans = plans[plans["name"] != name].reset_index(drop=True)
            self._write(plans, [iv for iv in stored if iv.plan != name])

    def copy_plan(
        self, source: str, target: str, *, description: str | None = None
    ) -> list[Intervention]:
        """Copy plan ``source`` to a new plan ``target`` (same area, new intervention ids)."""
        src, name = _plan_name(source, name="source"), _plan_name(target, name="target")
        with self._locked():
            plans, stored = self._read()
            self._require_plan(plans, src)
            if name in set(plans["name"]):
                raise ParameterError(
                    f"A plan called {name!r} exists already; choose another name or "
                    "delete_plan() it first."
                )
            row = plans[plans["name"] == src].iloc[0]
            now = _now()
            copies = [dataclasses.replace(iv, id=new_id(), plan=name, created=now,
                                          updated=now) for iv in stored if iv.plan == src]
            plans = self._upsert_plan(
                plans, name, area=row["area"],
                description=row["description"] if description is None else description, now=now,
                source=row["source"],
            )
            self._write(plans, stored + copies)
        return copies

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _require_plan(plans: pd.DataFrame, name: str) -> None:
        if name not in set(plans["name"]):
            known = ", ".join(repr(n) for n in sorted(plans["name"])) or "none yet"
            raise ParameterError(f"There is no plan called {name!r}; plans: {known}.")

    @staticmethod
    def _upsert_plan(plans: pd.DataFrame, name: str, *, area: str | None,
                     description: str | None, now: str,
                     source: str | None = None) -> pd.DataFrame:
        plans = plans.copy()
        hit = plans["name"] == name
        given = {"area": area, "description": description, "source": source}
        if hit.any():
            for column, value in given.items():
                if value is not None:
                    plans.loc[hit, column] = str(value)
            plans.loc[hit, "updated"] = now
            return plans
        row = {column: "" if value is None else str(value) for column, value in given.items()}
        row.update(name=name, created=now, updated=now)
        return pd.concat([plans, pd.DataFrame([row])], ignore_index=True)

    @staticmethod
    def _touch(plans: pd.DataFrame, name: str) -> pd.DataFrame:
        plans = plans.copy()
        plans.loc[plans["name"] == name, "updated"] = _now()
        return plans

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            else:  # pragma: no cover - Windows
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                else:  # pragma: no cover - Windows
                    import msvcrt

                    handle.seek(0)
                    msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

    def _broken(self, why: str) -> InputFileError:
        backup = (f" A backup of the previous version is at {str(self.backup_path)!r}."
                  if self.backup_path.exists() else "")
        return InputFileError(
            f"Plan file {str(self.path)!r} cannot be used: {why}. It has not been changed; "
            f"move it away or choose another file.{backup}"
        )

    def _read(self) -> tuple[pd.DataFrame, list[Intervention]]:
        empty_plans = pd.DataFrame({c: pd.Series([], dtype=object) for c in _PLAN_COLUMNS})
        if not self.path.exists():
            return empty_plans, []
        if not self.path.is_file():
            raise self._broken("it is not a file")
        try:
            layers = {str(name) for name, _ in pyogrio.list_layers(self.path)}
        except Exception as exc:  # any driver error means we cannot trust the file
            raise self._broken(f"it is not a readable GeoPackage ({exc})") from None
        missing = [name for name in _LAYERS if name not in layers]
        if missing:
            raise self._broken(
                f"it is a GeoPackage but not a hotspots plan file (no {', '.join(missing)} "
                f"table; it has {', '.join(sorted(layers)) or 'no layers'})"
            )
        try:
            info = pyogrio.read_dataframe(self.path, layer=INFO_LAYER, read_geometry=False)
            plans = pyogrio.read_dataframe(self.path, layer=PLANS_LAYER, read_geometry=False)
            rows = pyogrio.read_dataframe(self.path, layer=INTERVENTIONS_LAYER,
                                          read_geometry=False)
        except Exception as exc:
            raise self._broken(f"a table could not be read ({exc})") from None
        meta = dict(zip(info.get("key", []), info.get("value", []), strict=False))
        if meta.get("format") != STORE_FORMAT:
            raise self._broken(f"its store_info does not say format={STORE_FORMAT!r}")
        try:
            version = int(meta.get("version", ""))
        except ValueError:
            raise self._broken(f"its version {meta.get('version')!r} is not a number") from None
        if version > STORE_VERSION:
            raise self._broken(
                f"it was written by a newer hotspots (format version {version}; this one "
                f"reads up to {STORE_VERSION}); upgrade hotspots"
            )
        absent = [c for c in (*_TEXT, *_NUMBERS) if c not in rows.columns]
        absent += [f"plans.{c}" for c in _PLAN_COLUMNS
                   if c not in plans.columns and c not in _OPTIONAL_PLAN_COLUMNS]
        if absent:
            raise self._broken(f"columns are missing: {', '.join(absent)}")
        plans = pd.DataFrame({c: [_text(v) for v in plans.get(c, [""] * len(plans))]
                              for c in _PLAN_COLUMNS}, dtype=object)
        items = []
        for row in rows.to_dict("records"):
            try:
                geom = shapely.from_wkt(_text(row["geometry_wkt"]))
            except shapely.errors.GEOSException as exc:
                raise self._broken(
                    f"intervention {_text(row['id'])!r} has unreadable geometry_wkt ({exc})"
                ) from None
            items.append(Intervention(
                id=_text(row["id"]), plan=_text(row["plan"]), type=_text(row["type"]),
                name=_text(row["name"]), start=_text(row["start"]),
                cost=_number(row["cost"]), radius_m=_number(row["radius_m"]),
                width_m=_number(row["width_m"]), notes=_text(row["notes"]), geometry=geom,
                created=_text(row["created"]), updated=_text(row["updated"]),
            ))
        return plans, items

    def _coverage_or_none(self, iv: Intervention) -> MultiPolygon | None:
        try:
            cover = coverage(iv, self.catalogue)
        except ParameterError as exc:
            log.warning("plan file %s: no coverage for %s (%s)", self.path, iv.display_name, exc)
            return None
        if cover.geom_type == "Polygon":
            return MultiPolygon([cover])
        if cover.geom_type == "MultiPolygon":
            return cover
        return None

    def _write(self, plans: pd.DataFrame, items: list[Intervention]) -> None:
        areas = dict(zip(plans["name"], plans["area"], strict=True))
        data: dict[str, list[Any]] = {c: [] for c in (*_TEXT, *_NUMBERS)}
        covers = []
        for iv in items:
            values = {
                "id": iv.id, "plan": iv.plan, "area": areas.get(iv.plan, ""), "type": iv.type,
                "name": iv.name, "start": iv.start, "notes": iv.notes,
                "geometry_kind": iv.geometry_kind,
                "geometry_wkt": shapely.to_wkt(iv.geometry, rounding_precision=-1),
                "created": iv.created, "updated": iv.updated,
                "cost": np.nan if iv.cost is None else float(iv.cost),
                "radius_m": np.nan if iv.radius_m is None else float(iv.radius_m),
                "width_m": np.nan if iv.width_m is None else float(iv.width_m),
            }
            for key, value in values.items():
                data[key].append(value)
            covers.append(self._coverage_or_none(iv))
        frame = pd.DataFrame({c: pd.Series(data[c], dtype=object) for c in _TEXT})
        for c in _NUMBERS:
            frame[c] = pd.Series(data[c], dtype=float)
        layer = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(covers, crs=PLAN_CRS),
                                 crs=PLAN_CRS)
        plans_out = pd.DataFrame({c: pd.Series(plans[c].tolist(), dtype=object)
                                  for c in _PLAN_COLUMNS})
        info = pd.DataFrame({"key": ["format", "version", "crs"],
                             "value": [STORE_FORMAT, str(STORE_VERSION), PLAN_CRS]}, dtype=object)
        if self.path.exists():
            self._backup()
        with atomic_path(self.path) as tmp:
            pyogrio.write_dataframe(layer, tmp, layer=INTERVENTIONS_LAYER, driver="GPKG",
                                    geometry_type="MultiPolygon", promote_to_multi=True)
            pyogrio.write_dataframe(plans_out, tmp, layer=PLANS_LAYER, driver="GPKG")
            pyogrio.write_dataframe(info, tmp, layer=INFO_LAYER, driver="GPKG")
            written = pyogrio.read_info(tmp, layer=INTERVENTIONS_LAYER)["features"]
            if written != len(items):  # pragma: no cover - a driver failure
                raise InputFileError(
                    f"Writing {str(self.path)!r} stored {written} of {len(items)} "
                    "interventions; the previous file is unchanged."
                )

    def _backup(self) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}-", suffix=".bak",
                                   dir=self.path.parent)
        os.close(fd)
        try:
            shutil.copy2(self.path, tmp)
            os.replace(tmp, self.backup_path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

