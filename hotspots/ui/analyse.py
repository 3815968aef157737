"""Step 2, Analyse: change between periods, emerging hot spots, method accuracy.

Each map has its legend as HTML, area outlines and names, and a list or table giving the
same information for keyboard and screen-reader users.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

import hotspots
from hotspots.escaping import markdown_text as md
from hotspots.methods.timesteps import MIN_STEPS
from hotspots.months import months_between
from hotspots.months import parse_month
from hotspots.months import shift_month_label
from hotspots.privacy import suppress_table
from hotspots.select import select_crimes
from hotspots.ui.common import show_map
from hotspots.ui.maps import app_map
from hotspots.ui.maps import context_layers
from hotspots.ui.maps import framed_bounds
from hotspots.ui.maps import legend
from hotspots.ui.maps import map_view
from hotspots.ui.scan import p_text
from hotspots.viz.webmaps import class_layer
from hotspots.viz.webmaps import hotspot_layer
from hotspots.viz.webmaps import layer_group
from hotspots.viz.webmaps import legend_entries

#: Months of data the method scores need: a training period and a later test period.
MIN_SCORE_MONTHS = 6


@st.cache_resource(show_spinner="Comparing periods…", max_entries=16)
def period_comparison(key, _crimes, _area, group, before, after, method, cell_size):
    from hotspots.analysis.change import compare_periods

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    return compare_periods(selected, before=before, after=after, area=_area, method=method,
                           cell_size=cell_size or None)


@st.cache_resource(show_spinner="Finding emerging hot spots…", max_entries=8)
def emerging(key, _crimes, _area, group, cell_size):
    from hotspots.methods.emerging import emerging_hotspots

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    return emerging_hotspots(selected, cell_size=cell_size or None, area=_area)


@st.cache_resource(show_spinner=False, max_entries=8)
def method_comparison(key, _crimes, _area, group, train, test, cell_size):
    from hotspots.analysis.accuracy import compare_methods

    selected, _ = select_crimes(_crimes, group=group, area=_area)
    train_set, _ = select_crimes(selected, start=train[0], end=train[1])
    test_set, _ = select_crimes(selected, start=test[0], end=test[1])
    return compare_methods(train_set, test_set, area=_area, cell_size=cell_size or None)


def _map(name: str, bounds, layers, *, key: str, height: int, width: int | None = None,
         clicks: bool = False):
    fmap = app_map(bounds, title=name,
                   description="The text and tables beside this map give the same information.")
    view = map_view(bounds, height=height, **({"width": width} if width else {}))
    return show_map(fmap, key=key, **view, height=height, use_container_width=True,
                    feature_group_to_add=layers,
                    returned_objects=["last_clicked"] if clicks else [])


def analyse(key, crimes, area, areas_all, months, group, start, end, cell_size, sensitive):
    bounds = framed_bounds(area, crimes)
    change(key, crimes, area, months, group, start, end, cell_size, sensitive, bounds)
    emerging_section(key, crimes, area, months, group, cell_size, sensitive, bounds)
    scores(key, crimes, area, months, group, cell_size)


def change(key, crimes, area, months, group, start, end, cell_size, sensitive, bounds):
    from hotspots.viz.colours import CHANGE_COLOURS

    st.subheader("How did it change?")
    if len(months) < 2:
        st.info(f"Comparing two periods needs at least two months of data; this data has one "
                f"month ({months[0]}). Load more months to see what changed.")
        return
    length = months_between(parse_month(start, name="start"), parse_month(end, name="end"))
    default_before = (max(months[0], shift_month_label(start, -length)),
                      shift_month_label(start, -1))
    if default_before[1] < months[0]:
        half = len(months) // 2
        default_before = (months[0], months[half - 1])
        default_after = (months[half], months[-1])
    else:
        default_after = (start, end)
    c1, c2, c3 = st.columns([2, 2, 1])
    before = c1.select_slider("Before", options=months, value=default_before, key="before")
    after = c2.select_slider("After", options=months, value=default_after, key="after")
    how = c3.radio("Compare", ["count", "kde"], key="change_method",
                   format_func={"count": "counts", "kde": "dual KDE"}.get)
    if before[1] >= after[0]:
        st.warning(f"The before period ({before[0]} to {before[1]}) must end before the after "
                   f"period ({after[0]} to {after[1]}) starts: move one of the sliders.")
        return
    try:
        comparison = period_comparison(key, crimes, area, group, tuple(before), tuple(after),
                                       how, cell_size)
    except hotspots.HotspotsError as exc:
        st.warning(f"The periods cannot be compared: {md(exc, lines=True)}")
        return
    for sentence in comparison.sentences:
        st.write(md(sentence))
    left, right = st.columns(2)
    for column, side, label in ((left, comparison.before, "Before"),
                                (right, comparison.after, "After")):
        with column:
            st.caption(f"{label}: {md(side.method_statement())}")
            layers = layer_group(label)
            hotspot_layer(side, sensitive=sensitive, name=label,
                          only_hotspots=True).add_to(layers)
            context_layers(layers, key=key, area=area, crimes_all=None)
            _map(f"{label} map: hotspots {label.lower()} the change", bounds, layers,
                 key=f"map_{label.lower()}", height=360, width=420)
            legend(f"Legend: {label.lower()}", legend_entries(side, only_hotspots=True),
                   outline="area outline" if area is not None else None)
    changed = comparison.cells[comparison.cells["change_class"] != "little or no change"]
    layers = folium.FeatureGroup(name="Change")
    class_layer(changed, colours=changed["change_class"].map(CHANGE_COLOURS),
                fields=["cell_id", "before", "after", "change_class", "status"],
                name="Change", sensitive_count="after" if sensitive else None).add_to(layers)
    context_layers(layers, key=key, area=area, crimes_all=None)
    _map("Change map: where crime went up or down", bounds, layers, key="map_change",
         height=420)
    legend("Legend: change map", [(c, n) for n, c in CHANGE_COLOURS.items()
                                  if n != "little or no change"],
           note="Cells with little or no change are not drawn.",
           outline="area outline" if area is not None else None)
    with st.expander("Changed cells as a table"):
        table = pd.DataFrame(changed.drop(columns="geometry"))
        counts = [c for c in ("before", "after") if c in table]
        st.dataframe(suppress_table(table, counts, sensitive=sensitive), hide_index=True)


def emerging_section(key, crimes, area, months, group, cell_size, sensitive, bounds):
    from hotspots.methods.emerging import cell_series
    from hotspots.methods.patterns import PATTERN_RULES
    from hotspots.viz.colours import EMERGING_COLOURS

    st.subheader("Where is it emerging?")
    if len(months) < MIN_STEPS:
        st.info(f"Emerging hot spots follow each cell month by month: they need at least "
                f"{MIN_STEPS} months of data (10 or more recommended); this data has "
                f"{len(months)}.")
        return
    try:
        result = emerging(key, crimes, area, group, cell_size)
    except hotspots.HotspotsError as exc:
        st.info(f"No emerging hot spots could be found in this selection: {md(exc, lines=True)}")
        return
    st.caption(md(result.method_statement()))
    drawn = result.cells[result.cells["pattern_code"] != 0]
    layers = layer_group("Emerging")
    class_layer(drawn, colours=drawn["pattern_code"].map(EMERGING_COLOURS),
                fields=["cell_id", "pattern", "n_hot_steps", "trend"],
                name="Emerging").add_to(layers)
    context_layers(layers, key=key, area=area, crimes_all=None)
    out = _map("Emerging hot spot map", bounds, layers, key="map_emerging", height=420,
               clicks=True)
    present = drawn.drop_duplicates("pattern").sort_values("pattern_code", ascending=False)
    legend("Legend: emerging hot spots",
           [(EMERGING_COLOURS[c], p) for c, p in zip(present["pattern_code"],
                                                     present["pattern"], strict=True)],
           outline="area outline" if area is not None else None)
    summary = drawn.groupby("pattern").size().rename("cells").reset_index()
    summary["rule"] = summary["pattern"].map(
        lambda p: PATTERN_RULES.get(p, "the mirror image of the hot rule"))
    st.dataframe(summary, hide_index=True)
    if len(drawn) == 0:
        return
    options = drawn.sort_values(["pattern_code", "n_hot_steps"], ascending=False)
    labels = ["(none)"] + [f"{c}: {p}" for c, p in zip(options["cell_id"], options["pattern"],
                                                       strict=True)][:200]
    clicked = (out or {}).get("last_clicked")
    if clicked and clicked != st.session_state.get("emerging_last_click"):
        st.session_state["emerging_last_click"] = clicked
        where = gpd.GeoSeries([shapely.Point(clicked["lng"], clicked["lat"])],
                              crs=4326).to_crs(result.cells.crs).iloc[0]
        hit = drawn[drawn.contains(where)]
        if len(hit):
            row = hit.iloc[0]
            st.session_state["emerging_pick"] = f"{row['cell_id']}: {row['pattern']}"
    if st.session_state.get("emerging_pick") not in labels:
        st.session_state["emerging_pick"] = "(none)"
    pick = st.selectbox("Show a cell's series (or click it on the map)", labels,
                        key="emerging_pick")
    if pick == "(none)":
        return
    cell = pick.split(": ", 1)[0]
    series = cell_series(result, cell)
    st.write(f"Cell {md(pick)}")
    shown = series.drop(columns=["start"], errors="ignore").copy()
    for col in ("gi_p", "gi_p_fdr"):
        if col in shown:
            shown[col] = shown[col].map(p_text)
    if sensitive:
        shown = suppress_table(shown, ["count"], sensitive=True)
    else:
        st.line_chart(series.set_index("step")[["count"]], x_label="step", y_label="crimes")
    st.dataframe(shown, hide_index=True)


def scores(key, crimes, area, months, group, cell_size):
    from hotspots.analysis.accuracy import recommend

    st.subheader("Which method should I trust here?")
    if len(months) < MIN_SCORE_MONTHS:
        st.info(f"Scoring methods needs at least {MIN_SCORE_MONTHS} months of data (a training "
                f"period and a later test period); this data has {len(months)}.")
        return
    test = st.select_slider("Test period (the methods are trained on the months before it)",
                            options=months[3:], value=(months[-3], months[-1]),
                            key="test_period")
    train = (months[0], shift_month_label(test[0], -1))
    names = tuple(sorted(area["area_name"].astype(str))) if area is not None else ()
    wanted = (key, names, group, train, tuple(test), cell_size)
    if st.button("Score the methods", key="score_methods"):
        bar = st.progress(0.0, text="Scoring the methods on the test period…")
        try:
            table = method_comparison(key, crimes, area, group, train, tuple(test), cell_size)
        except hotspots.HotspotsError as exc:
            bar.empty()
            st.warning(f"The methods cannot be scored: {md(exc, lines=True)}")
            return
        bar.empty()
        st.session_state["method_scores"] = (wanted, table)
    kept = st.session_state.get("method_scores")
    if kept is None:
        return
    if kept[0] != wanted:
        st.caption("The scores below are for an earlier choice of data, group, areas or test "
                   "period: press the button again to score this one.")
    table = kept[1]
    _row, sentence = recommend(table)
    st.success(md(sentence))
    st.dataframe(table, hide_index=True)
