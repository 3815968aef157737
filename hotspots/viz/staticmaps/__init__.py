"""Print-resolution static maps and charts (matplotlib) for reports and bid evidence packs.

Every map is a 7 × 6 inch page (1,400 × 1,200 pixels at the default 200 dpi, fits A4) in
the result's projected CRS (British National Grid for GB data): a title, the map with a
scale bar and a north arrow, a legend, the method statement as a caption, and a credits
line. Colours and classes are those of the interactive maps (:mod:`hotspots.viz.classes`,
:data:`hotspots.viz.colours.CHANGE_COLOURS`, :data:`hotspots.viz.colours.EMERGING_COLOURS`).

One module per kind of map: ``hotspot`` (hotspot results, and boundaries alone when there
are none), ``change`` (change between two periods, emerging hot spots), ``evaluation``
(target, buffer and control) and ``plan`` (interventions); ``common`` holds what they
share, including the keywords every map takes (:class:`MapStyle`). The page itself is
:mod:`hotspots.viz.mapframe`; charts are :mod:`hotspots.viz.charts`.

Web basemap tiles are drawn only when they can be (:mod:`hotspots.viz.basemap`): with
``basemap="auto"`` (the default) the contextily package must be installed and the tile
server must answer within 2 seconds, else the map shows boundaries and context only (the
normal case offline); nothing can hang and nothing fails for want of tiles. For sensitive
crime groups (``sensitive=True``) no label shows a count of 1–4 (they read "<5") and no
crime location is ever drawn.

Each ``*_png`` function writes a PNG (no timestamps in it, so the same input gives the same
bytes) and returns its path; the matching ``*_figure`` function returns the
:class:`~matplotlib.figure.Figure` to inspect or embed. No pyplot state is used (Agg only).
Texts drawn on a map carry a ``gid`` saying what they are, for tests and post-processing:
``"hotspot-label"``, ``"area-label"``, ``"role-label"``, ``"intervention-label"``,
``"north-arrow"`` and ``"message"`` (an empty map's explanation); the scale bar
(matplotlib-scalebar) is the artist with ``gid`` ``"scale-bar"``.
"""

from hotspots.viz.basemap import BASEMAPS
from hotspots.viz.charts import CHART_CREDITS
from hotspots.viz.charts import categories_figure
from hotspots.viz.charts import categories_png
from hotspots.viz.charts import evaluation_trend_png
from hotspots.viz.charts import seasonality_figure
from hotspots.viz.charts import seasonality_png
from hotspots.viz.charts import trend_figure
from hotspots.viz.charts import trend_png
from hotspots.viz.mapframe import DEFAULT_CREDITS
from hotspots.viz.mapframe import DEFAULT_DPI
from hotspots.viz.mapframe import MAP_SIZE
from hotspots.viz.staticmaps.change import change_figure
from hotspots.viz.staticmaps.change import change_png
from hotspots.viz.staticmaps.change import emerging_figure
from hotspots.viz.staticmaps.change import emerging_png
from hotspots.viz.staticmaps.common import LABEL_TOP
from hotspots.viz.staticmaps.common import MapStyle
from hotspots.viz.staticmaps.common import suppressed
from hotspots.viz.staticmaps.evaluation import evaluation_figure
from hotspots.viz.staticmaps.evaluation import evaluation_png
from hotspots.viz.staticmaps.hotspot import boundary_figure
from hotspots.viz.staticmaps.hotspot import boundary_png
from hotspots.viz.staticmaps.hotspot import hotspot_figure
from hotspots.viz.staticmaps.hotspot import hotspot_png
from hotspots.viz.staticmaps.plan import plan_figure
from hotspots.viz.staticmaps.plan import plan_png

__all__ = [
    "hotspot_png",
    "hotspot_figure",
    "boundary_png",
    "boundary_figure",
    "change_png",
    "change_figure",
    "plan_png",
    "plan_figure",
    "evaluation_png",
    "evaluation_figure",
    "emerging_png",
    "emerging_figure",
    "trend_png",
    "trend_figure",
    "seasonality_png",
    "seasonality_figure",
    "categories_png",
    "categories_figure",
    "evaluation_trend_png",
    "suppressed",
    "MapStyle",
    "BASEMAPS",
    "DEFAULT_CREDITS",
    "CHART_CREDITS",
    "DEFAULT_DPI",
    "MAP_SIZE",
    "LABEL_TOP",
]
