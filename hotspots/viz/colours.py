"""Every colour table of the maps, charts and app: one home, so all faces agree."""

from __future__ import annotations

__all__ = [
    "GI_COLOURS",
    "SEQUENTIAL",
    "EMERGING_COLOURS",
    "CHANGE_COLOURS",
    "ROLE_COLOURS",
    "ROLE_EDGES",
    "PLAN_COLOURS",
    "SERIES_COLOURS",
    "PERIOD_COLOURS",
]

#: Colours for Gi* bins -3..3 (cold to hot), after the usual ArcGIS hot spot palette.
GI_COLOURS: dict[int, str] = {
    -3: "#4575b4",
    -2: "#91bfdb",
    -1: "#d1e5f0",
    0: "#f7f7f7",
    1: "#fddbc7",
    2: "#ef8a62",
    3: "#b2182b",
}
#: Sequential colours for counts and densities (light to dark), five classes.
SEQUENTIAL = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
#: Map colours per pattern code: reds for hot (darkest = intensifying), blues for cold,
#: purple-greys for the patterns that are fading (diminishing, historical); code 0 is not drawn.
EMERGING_COLOURS: dict[int, str] = {
    3: "#99000d", 4: "#d7301f", 2: "#ef6548", 1: "#fc8d59", 6: "#fdbb84", 7: "#fdd49e",
    5: "#ae017e", 8: "#c994c7",
    -3: "#08306b", -4: "#08519c", -2: "#2171b5", -1: "#4292c6", -6: "#6baed6",
    -7: "#9ecae1", -5: "#41b6c4", -8: "#a1dab4",
}
#: Colours for CHANGE_CLASSES: ColorBrewer's 5-class diverging RdBu (Brewer 2003,
#: colorbrewer2.org), blue for less crime, red for more, colour-blind safe.
CHANGE_COLOURS: dict[str, str] = {
    "large decrease": "#0571b0",
    "decrease": "#92c5de",
    "little or no change": "#f7f7f7",
    "increase": "#f4a582",
    "large increase": "#ca0020",
}
#: Colours of the evaluation areas, as on the app's evaluation map.
ROLE_COLOURS: dict[str, str] = {"target": "#2b8cbe", "buffer": "#a6bddb", "control": "#bdbdbd"}
ROLE_EDGES: dict[str, str] = {"target": "#045a8d", "buffer": "#3690c0", "control": "#636363"}
#: Colours of intervention types on the plan map, in order of type name: blues, greens and
#: purples that stand apart from the reds of hotspots (ColorBrewer Paired/Dark2 members).
PLAN_COLOURS: tuple[str, ...] = (
    "#1f78b4", "#33a02c", "#6a3d9a", "#b15928", "#01665e", "#e7298a", "#525252", "#a6761d",
)
#: Colours of the evaluation series, as in :func:`hotspots.evaluation.plot_trend`.
SERIES_COLOURS: dict[str, str] = {
    "target": "#d95f02", "buffer": "#7570b3", "control": "#1b9e77", "count": "#b2182b",
}
#: Bars of the report period against the comparison period.
PERIOD_COLOURS: dict[str, str] = {"comparison": "#9e9e9e", "report period": "#d95f02"}
