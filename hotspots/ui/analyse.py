"""Step 2, Analyse: change between periods, emerging hot spots, method accuracy."""

from __future__ import annotations

import folium
import shapely
import streamlit as st

import hotspots
from hotspots.months import months_between
from hotspots.months import parse_month
from hotspots.months import shift_month_label
from hotspots.select import select_crimes
from hotspots.ui.common import show_map
from hotspots.ui.common import tiles
from hotspots.ui.common import view
from hotspots.viz.webmaps import base_map
from hotspots.viz.webmaps import class_layer
from hotspots.viz.webmaps import hotspot_layer


@st.cache_data(show_spinner="Comparing periods…", max_entries=16)
def period_comparison(key, _crimes, _area, group, before, after, method, cell_size):
    from hotspots.analysis.change import compare_periods

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    return compare_periods(selected, before=before, after=after, area=_area, method=method,
                           cell_size=cell_size or None)


@st.cache_data(show_spinner="Finding emerging hot spots…", max_entries=8)
def emerging(key, _crimes, _area, group, cell_size):
    from hotspots.methods.emerging import emerging_hotspots

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    return emerging_hotspots(selected, cell_size=cell_size or None, area=_area)


@st.cache_data(show_spinner="Scoring methods on a held-out period…", max_entries=8)
def method_comparison(key, _crimes, _area, group, train, test, cell_size):
    from hotspots.analysis.accuracy import compare_methods

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    train_set, _ = select_crimes(selected, start=train[0], end=train[1])
    test_set, _ = select_crimes(selected, start=test[0], end=test[1])
    return compare_methods(train_set, test_set, area=_area, cell_size=cell_size or None)


def analyse(key, crimes, area, areas_all, months, group, start, end, cell_size, sensitive):
    from hotspots.methods.emerging import cell_series
    from hotspots.methods.patterns import PATTERN_RULES
    from hotspots.viz.colours import CHANGE_COLOURS
    from hotspots.viz.colours import EMERGING_COLOURS

    bounds = tuple((areas_all if areas_all is not None else crimes).total_bounds)
    st.subheader("How did it change?")
    length = months_between(parse_month(start, name="start"), parse_month(end, name="end"))
    default_before = (max(months[0], shift_month_label(start, -length)),
                      shift_month_label(start, -1))
    if default_before[1] < months[0]:
        default_before = (months[0], months[0])
    c1, c2, c3 = st.columns([2, 2, 1])
    before = c1.select_slider("Before", options=months, value=default_before, key="before")
    after = c2.select_slider("After", options=months, value=(start, end), key="after")
    how = c3.radio("Compare", ["count", "kde"], key="change_method",
                   format_func={"count": "counts", "kde": "dual KDE"}.get)
    try:
        comparison = period_comparison(key, crimes, area, group, tuple(before), tuple(after),
                                       how, cell_size)
    except hotspots.HotspotsError as exc:
        st.warning(str(exc))
        comparison = None
    if comparison is not None:
        for sentence in comparison.sentences:
            st.write(sentence)
        left, right = st.columns(2)
        for column, side, label in ((left, comparison.before, "Before"),
                                    (right, comparison.after, "After")):
            with column:
                st.caption(f"{label}: {side.method_statement()}")
                layers = folium.FeatureGroup(name=label)
                hotspot_layer(side, sensitive=sensitive, name=label,
                              only_hotspots=True).add_to(layers)
                show_map(base_map(bounds, tiles=tiles()), **view(bounds),
                         key=f"map_{label.lower()}", height=360, use_container_width=True,
                         feature_group_to_add=layers, returned_objects=[])
        changed = comparison.cells[comparison.cells["change_class"] != "little or no change"]
        layers = folium.FeatureGroup(name="Change")
        class_layer(changed, colours=changed["change_class"].map(CHANGE_COLOURS),
                    fields=["cell_id", "before", "after", "change_class", "status"],
                    name="Change", sensitive_count=None).add_to(layers)
        st.caption("Change map: blue for less crime, red for more ("
                   + ", ".join(CHANGE_COLOURS) + ").")
        show_map(base_map(bounds, tiles=tiles()), **view(bounds), key="map_change", height=420,
                  use_container_width=True, feature_group_to_add=layers, returned_objects=[])

    st.subheader("Where is it emerging?")
    result = None
    try:
        result = emerging(key, crimes, area, group, cell_size)
    except hotspots.HotspotsError as exc:
        st.info(f"Emerging hot spots need a longer series: {exc}")
    if result is not None:
        st.caption(result.method_statement())
        drawn = result.cells[result.cells["pattern_code"] != 0]
        layers = folium.FeatureGroup(name="Emerging")
        class_layer(drawn, colours=drawn["pattern_code"].map(EMERGING_COLOURS),
                    fields=["cell_id", "pattern", "n_hot_steps", "trend"],
                    name="Emerging").add_to(layers)
        out = show_map(base_map(bounds, tiles=tiles()), **view(bounds), key="map_emerging",
                        height=420, use_container_width=True, feature_group_to_add=layers,
                        returned_objects=["last_clicked"])
        legend = drawn.groupby("pattern").size().rename("cells").reset_index()
        legend["rule"] = legend["pattern"].map(
            lambda p: PATTERN_RULES.get(p, "the mirror image of the hot rule"))
        st.dataframe(legend, hide_index=True)
        clicked = (out or {}).get("last_clicked")
        if clicked:
            import geopandas as gpd

            where = gpd.GeoSeries([shapely.Point(clicked["lng"], clicked["lat"])],
                                  crs=4326).to_crs(result.cells.crs).iloc[0]
            hit = result.cells[result.cells.contains(where)]
            if len(hit):
                series = cell_series(result, hit.iloc[0]["cell_id"])
                st.write(f"Cell {hit.iloc[0]['cell_id']}: {hit.iloc[0]['pattern']}")
                if not sensitive:
                    st.line_chart(series.set_index(series.columns[0]).select_dtypes("number"))

    st.subheader("Which method should I trust here?")
    if len(months) < 6:
        st.info("Scoring methods needs at least 6 months: a training and a later test period.")
        return
    test_default = (months[-3], months[-1])
    test = st.select_slider("Test period (the methods are trained on the months before it)",
                            options=months[3:], value=test_default, key="test_period")
    train = (months[0], shift_month_label(test[0], -1))
    if st.button("Score the methods", key="score_methods"):
        from hotspots.analysis.accuracy import recommend

        try:
            table = method_comparison(key, crimes, area, group, train, tuple(test), cell_size)
        except hotspots.HotspotsError as exc:
            st.warning(str(exc))
            return
        _row, sentence = recommend(table)
        st.success(sentence)
        st.dataframe(table, hide_index=True)
