"""Pipelines: load, select, run a method, write the outputs. The commands are thin faces over them.

* :mod:`~hotspots.pipelines.selection`: :class:`Selection` (what to load and select) and
  :func:`load_selection`, the first steps every pipeline shares.
* :mod:`~hotspots.pipelines.find`: :func:`run_find` (``hotspots find``), with
  :class:`MethodSettings`.
* :mod:`~hotspots.pipelines.trends`: :func:`run_trends` (``hotspots trends``).
* :mod:`~hotspots.pipelines.compare`: :func:`run_compare` (``hotspots compare``).
* :mod:`~hotspots.pipelines.outputs`: what they all write alike (map page, ``run.json``).

The evidence pack has its own pipeline, :func:`hotspots.report.build.build_report`.
"""
