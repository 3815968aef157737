"""Hotspot methods: from a crime table to hot cells, clusters, trends and near repeats.

Grid methods (one aligned grid, checked inputs from :mod:`~hotspots.methods.cells`):

- :mod:`~hotspots.methods.grid`: the aligned grid and point counts;
- :mod:`~hotspots.methods.counts`: crimes per cell, top cells;
- :mod:`~hotspots.methods.density`: kernel density (linear binning + FFT);
- :mod:`~hotspots.methods.gistar`: Getis-Ord Gi*, on the neighbourhoods of
  :mod:`~hotspots.methods.neighbours`, with p-values and FDR from
  :mod:`~hotspots.methods.stats`;
- :mod:`~hotspots.methods.emerging`: emerging hot spots, built from
  :mod:`~hotspots.methods.timesteps`, :mod:`~hotspots.methods.cube` (Gi* per step),
  :mod:`~hotspots.methods.mannkendall` and :mod:`~hotspots.methods.patterns`.

Point methods (crimes as arrays from :mod:`~hotspots.methods.points`):

- :mod:`~hotspots.methods.clusters`: DBSCAN and HDBSCAN, with the polygons and summary
  table of :mod:`~hotspots.methods.clustertable`;
- :mod:`~hotspots.methods.nearrepeat`: the Knox near-repeat test.

:mod:`~hotspots.methods.find` picks a method by name, for the CLI and the app.
"""
