"""The first steps of every pipeline: load crimes and boundary, select group and period, weight.

:class:`Selection` says what to load and select (the flags ``find``, ``trends`` and
``compare`` share); :func:`load_selection` does it and returns a :class:`LoadedSelection`
holding the crimes with every report made on the way.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.progress import Progress
from hotspots.progress import note_progress

__all__ = ["LOAD_STEPS", "LoadedSelection", "Selection", "load_selection"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selection:
    """What to load and select: the inputs, how to read them, the area, group and period.

    Parameters
    ----------
    inputs : path or sequence of paths
        police.uk street-level CSVs (plain or ``.gz``), folders of them, monthly archive
        zips, or other crime CSVs read through ``mapping``. Empty when ``store`` is given.
    mapping : path or dict, optional
        Column mapping (TOML file or dict) for CSVs that are not in police.uk format.
    boundary : path, optional
        Study-area boundary (GeoPackage, GeoJSON, Shapefile, KML; any CRS); crimes outside
        it are dropped and reported.
    boundary_layer, name_column : str, optional
        Layer of a multi-layer boundary file; column holding the area names.
    group : str
        Crime group key (``"neighbourhood"``, ``"vawg"``, ..., ``"all"``).
    groups_file : path, optional
        TOML file of extra or overriding crime groups.
    start, end : str, optional
        First and last month, ``"YYYY-MM"`` (both included).
    harm : path, optional
        CSV of harm weights per category; selected crimes get a ``weight`` column.
    store : path, optional
        A GeoParquet store made by ``hotspots ingest``, read instead of ``inputs``: only
        the partitions of ``forces`` and of the months ``start`` to ``end`` are read.
    forces : sequence of str, optional
        Forces to read from ``store`` (slug, name or police.uk file name; default all, or
        with a boundary those whose stored extent meets it).

    Examples
    --------
    >>> Selection("data/sample_crimes", group="neighbourhood", start="2025-01").sources
    ['data/sample_crimes']
    """

    inputs: Sequence[str | Path] | str | Path = ()
    mapping: str | Path | dict | None = None
    boundary: str | Path | None = None
    boundary_layer: str | None = None
    name_column: str | None = None
    group: str = "all"
    groups_file: str | Path | None = None
    start: str | None = None
    end: str | None = None
    harm: str | Path | None = None
    store: str | Path | None = None
    forces: Sequence[str] | None = None

    @property
    def sources(self) -> list[str | Path]:
        """The inputs as a list (one path given alone becomes a list of one); the store."""
        if isinstance(self.inputs, str | Path):
            return [self.inputs]
        if self.store is not None and not self.inputs:
            return [self.store]
        return list(self.inputs)


@dataclass
class LoadedSelection:
    """Crimes loaded, selected and (optionally) weighted, with every report made on the way."""

    crimes: gpd.GeoDataFrame
    area: gpd.GeoDataFrame | None
    report: Any
    boundary_report: Any
    selection: dict[str, Any]
    group: Any
    weights: dict[str, float] | None


#: Steps :func:`load_selection` reports to a progress callback: boundary, crimes, selection.
LOAD_STEPS = 3


def load_selection(
    selection: Selection,
    *,
    progress: Progress | None = None,
    total_steps: int = LOAD_STEPS,
    file_progress: Progress | None = None,
) -> LoadedSelection:
    """Read the boundary and crimes, select the group and period, apply harm weights.

    The first steps of every pipeline (``find``, ``trends``, ``compare``). ``progress`` is
    told of steps 0 to 2 out of ``total_steps`` (the calling pipeline's count);
    ``file_progress`` of every file read. An empty result raises
    :class:`~hotspots.errors.EmptySelectionError` saying why: every crime outside the
    boundary, or nothing left of the group and period (with the categories and months loaded).
    """
    from hotspots.groups import apply_harm
    from hotspots.groups import get_group
    from hotspots.groups import load_groups
    from hotspots.groups import load_harm_weights
    from hotspots.io import load_boundary
    from hotspots.select import select_crimes

    s = selection
    groups = load_groups(s.groups_file)
    crime_group = get_group(s.group, groups)

    area = None
    boundary_report = None
    if s.boundary is not None:
        note_progress(progress, 0, total_steps, f"Reading boundary {s.boundary}", logger=log)
        # Read in its own CRS; projected below, once, to the CRS the crimes are loaded in.
        area, boundary_report = load_boundary(
            s.boundary, layer=s.boundary_layer, name_column=s.name_column, crs=None
        )

    crimes, report = _load_crimes(s, area, progress=progress, total_steps=total_steps,
                                  file_progress=file_progress)
    if area is not None:
        area = area.to_crs(crimes.crs)
        boundary_report.crs = crimes.crs.to_string()
        report.notes.extend(boundary_report.as_notes())
    outside = report.dropped.get("outside the boundary", 0)
    if len(crimes) == 0 and outside:
        raise EmptySelectionError(
            f"All {outside:,} located crimes fall outside the boundary {s.boundary}, so there "
            "is nothing to analyse. Check that the boundary covers the same place as the crime "
            f"data (the boundary spans {_extent_text(area)}) and that its CRS is right."
        )
    note_progress(progress, 2, total_steps, f"Selecting {crime_group.label}", logger=log)
    selected, selection_report = select_crimes(
        crimes, group=crime_group, start=s.start, end=s.end, groups=groups
    )
    if len(selected) == 0:
        raise EmptySelectionError(
            f"No crimes left to analyse after selecting group {s.group!r}"
            f"{f' from {s.start}' if s.start else ''}{f' to {s.end}' if s.end else ''}: "
            f"{selection_report.get('why', 'the selection is empty')}. Loaded categories: "
            f"{', '.join(sorted(report.categories)) or 'none'}; months: "
            f"{report.months[0] + ' to ' + report.months[-1] if report.months else 'none'}."
        )

    weights = None
    if s.harm is not None:
        # after selection, so a weights file need only cover the selected group's categories
        weights = load_harm_weights(s.harm)
        selected = apply_harm(selected, weights)
    return LoadedSelection(selected, area, report, boundary_report, selection_report,
                           crime_group, weights)


def _load_crimes(s: Selection, area: gpd.GeoDataFrame | None, *, progress: Progress | None,
                 total_steps: int, file_progress: Progress | None) -> tuple[Any, Any]:
    """The crimes of the inputs, or of the store's partitions for the forces and period."""
    from hotspots.io import load_crimes

    if s.store is None:
        sources = s.sources
        note_progress(progress, 1, total_steps, f"Loading crimes from {len(sources)} input(s)",
                      logger=log)
        return load_crimes(sources, mapping=s.mapping, boundary=area, progress=file_progress)
    from hotspots.io.store import read_store

    if s.inputs or s.mapping is not None:
        raise ParameterError(
            f"Give either inputs or a store ({s.store}), not both: a store holds police.uk "
            "data already read, so inputs and a mapping do not apply to it.")
    which = ", ".join(s.forces) if s.forces else "all forces"
    note_progress(progress, 1, total_steps, f"Reading store {s.store} ({which})", logger=log)
    shared = _SHARED.get()
    key = (str(s.store), tuple(s.forces or ()), s.start, s.end, s.boundary, s.boundary_layer,
           s.name_column)
    if shared is not None and key in shared:
        crimes, report = shared[key]
        return crimes, copy.deepcopy(report)
    crimes, report = read_store(s.store, forces=s.forces, start=s.start, end=s.end,
                                boundary=area)
    if shared is not None:
        shared.clear()  # one read kept: the jobs sharing it run one after another
        shared[key] = (crimes, copy.deepcopy(report))
    return crimes, report


#: None outside :func:`shared_store_reads`; inside, the last store read, by what it read.
_SHARED: ContextVar[dict[tuple, tuple[Any, Any]] | None] = ContextVar(
    "hotspots_shared_store_reads", default=None)


@contextmanager
def shared_store_reads() -> Iterator[None]:
    """Within this block, selections that read the same store partitions read them once.

    ``hotspots batch`` runs the crime groups (and methods) of one force and period one
    after another in this block: the store is read, and its points made, once for them
    all. The crimes read are shared, never changed (selecting copies them); each selection
    gets its own copy of the load report. The latest read only is kept.

    Examples
    --------
    >>> with shared_store_reads():
    ...     _SHARED.get() == {}
    True
    >>> _SHARED.get() is None
    True
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _extent_text(area: gpd.GeoDataFrame) -> str:
    minx, miny, maxx, maxy = area.to_crs(4326).total_bounds
    return f"longitude {minx:.3f} to {maxx:.3f}, latitude {miny:.3f} to {maxy:.3f}"
