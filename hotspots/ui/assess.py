"""Step 4, Assess: projected and observed effect of a plan, and the evidence pack."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import shapely
import streamlit as st

import hotspots
from hotspots.privacy import suppress_small_counts
from hotspots.select import select_crimes
from hotspots.ui.common import side_by_side
from hotspots.ui.common import tiles
from hotspots.ui.common import trend_chart


def assess(crimes_all, area, result, items, months, sensitive):
    from hotspots.evaluation.areas import evaluation_areas
    from hotspots.evaluation.before_after import evaluate
    from hotspots.planning.catalogue import load_catalogue
    from hotspots.planning.impact import projected_impact
    from hotspots.planning.interventions import coverage

    if not items:
        st.info("Add interventions to a plan (3 Respond) to see what they could change.")
        return
    catalogue = load_catalogue()
    in_area = crimes_all
    if area is not None:
        in_area, _ = select_crimes(crimes_all, area=area)
    st.subheader("Projected: what the plan could prevent")
    harm_file = st.file_uploader("Harm weights (CSV: category, weight), optional",
                                 type=["csv"], key="harm_file")
    use_harm = st.checkbox("Weight by harm", value=harm_file is not None, key="use_harm",
                           help="Without a file, the bundled example weights are used: they "
                                "are illustrative, not official figures.")
    weight = None
    if use_harm:
        from hotspots.groups import apply_harm
        from hotspots.groups import load_harm_weights

        try:
            if harm_file is not None:
                path = Path(tempfile.mkdtemp()) / "harm.csv"
                path.write_bytes(harm_file.getvalue())
                weights = load_harm_weights(path)
            else:
                weights = load_harm_weights()
            in_area = apply_harm(in_area, weights, default=1.0)
            weight = "weight"
        except hotspots.HotspotsError as exc:
            st.error(f"Harm weights not used: {exc}")
    try:
        impact = projected_impact(in_area, items, catalogue, hotspots=result, weight=weight)
    except hotspots.HotspotsError as exc:
        st.error(str(exc))
        return
    plan_row = impact.plan.iloc[0]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Crimes in coverage (baseline)", f"{plan_row['baseline']:,.0f}")
    c2.metric("Expected prevented",
              f"{plan_row['prevented']:,.0f} ({plan_row['prevented_low']:,.0f}–"
              f"{plan_row['prevented_high']:,.0f})")
    cost = plan_row.get("cost_per_crime_prevented")
    c3.metric("Cost per crime prevented", "–" if pd.isna(cost) else f"£{cost:,.0f}")
    share = plan_row.get("hotspot_share_covered")
    c4.metric("Hotspot crime covered", "–" if share is None or pd.isna(share) else f"{share:.0%}")
    if weight is not None and "harm_prevented" in impact.plan:
        h1, h2 = st.columns(2)
        h1.metric("Harm in coverage (baseline)", f"{plan_row['harm_baseline']:,.0f}")
        h2.metric("Expected harm prevented",
                  f"{plan_row['harm_prevented']:,.0f} ({plan_row['harm_prevented_low']:,.0f}–"
                  f"{plan_row['harm_prevented_high']:,.0f})")
    for sentence in impact.summary():
        st.write(sentence)
    table = impact.interventions.drop(columns=["id"], errors="ignore")
    if sensitive:
        table = suppress_small_counts(table, ("crimes_in_coverage", "baseline"))
    st.dataframe(table, hide_index=True)
    with st.expander("Assumptions"):
        for note in impact.notes:
            st.write("- " + note)
    from hotspots.planning.impact import projected_counts

    bounds = tuple(in_area.total_bounds)
    try:
        projected = projected_counts(in_area, items, catalogue, cell_size=200)
    except hotspots.HotspotsError as exc:
        st.info(f"No before/after projection map: {exc}")
    else:
        side_by_side(projected.results(), ("Baseline", "Projected after the plan"), bounds,
                     "proj", sensitive,
                     caption="hotspot cells (at or above the baseline's top-5% threshold)")

    st.subheader("Observed: what happened after the start")
    start = min(i.start for i in items)
    target = shapely.union_all([coverage(i, catalogue) for i in items])
    cats = sorted({c for i in items for c in catalogue[i.type].categories})
    from hotspots.schema import POLICE_UK_CATEGORIES

    c1, c2, c3 = st.columns(3)
    months_before = c1.number_input("Months before", 1, 36, 12, key="ev_before")
    months_after = c2.number_input("Months after", 1, 36, 12, key="ev_after")
    buffer_m = c3.number_input("Buffer ring width (m, 0 = rule)", 0, 2000, 0, 50, key="ev_buf")
    chosen = st.multiselect("Crime types to evaluate", list(POLICE_UK_CATEGORIES),
                            default=cats, key="ev_categories")
    try:
        areas = evaluation_areas(target, buffer_m=buffer_m or None,
                                 study_area=area if area is not None else None,
                                 crs="EPSG:27700") if area is not None else evaluation_areas(
            target, buffer_m=buffer_m or None, study_area=shapely.box(*crimes_all.total_bounds),
            crs="EPSG:27700")
        ev = evaluate(crimes_all, areas, start=start, months_before=int(months_before),
                      months_after=int(months_after), categories=chosen or None)
    except hotspots.HotspotsError as exc:
        st.warning(str(exc))
        return
    if not ev.available:
        st.info(f"Not yet measurable: {ev.reason} The projected figures above are the plan's "
                "evidence until data after the start arrive.")
        return
    c1, c2, c3 = st.columns(3)
    lo, hi = ev.res_ci if ev.res_ci else (float("nan"), float("nan"))
    c1.metric("Relative effect size (95% CI)",
              f"{ev.res:.2f} ({lo:.2f}–{hi:.2f})" if ev.res is not None else "undefined")
    c2.metric("Weighted displacement quotient",
              f"{ev.wdq:.2f}" if ev.wdq is not None else "undefined")
    c3.metric("Total net effect (crimes)",
              f"{ev.net_effect:,.0f}" if ev.net_effect is not None else "undefined")
    for sentence in ev.summary:
        st.write(sentence)
    counts = ev.counts.table()
    if sensitive:
        counts = suppress_small_counts(counts, [c for c in counts.columns if c != "area"])
    st.dataframe(counts, hide_index=True)
    trend_chart(ev, start)
    from hotspots.viz.evaluation_figures import before_after_maps

    maps = before_after_maps(crimes_all, areas, start=start, months=int(months_after),
                             method="count", cell_size=200, categories=chosen or None)
    side_by_side(maps, (f"{int(months_after)} months before", f"{int(months_after)} months "
                        "after"), tuple(in_area.total_bounds), "obs", sensitive, areas=areas)


def evidence_pack(crimes, report, areas, chosen, group, start, end, method, cell_size,
                  bandwidth, store, plan, sensitive):
    """One action from the selected area and plan to the bid evidence pack (a zip)."""
    from hotspots.methods.find import MethodSettings
    from hotspots.report import OutputOptions
    from hotspots.report import ReportPeriods
    from hotspots.report import ReportPlan
    from hotspots.report import ReportScope
    from hotspots.report import report_from_data

    st.subheader("Evidence pack for a bid")
    st.caption("Report (HTML and PDF), print-resolution maps, tables and a GeoPackage of "
               "every layer, for the selected areas, crime group, period and plan.")
    points = False
    if sensitive:
        st.info("This crime group is sensitive: the pack aggregates locations to cells and "
                "areas, and counts of 1 to 4 appear as \"<5\".")
    else:
        points = st.checkbox("Include crime points in the GeoPackage", value=False,
                             key="pack_points")
    # --- issue 12 (app helper): the built pack stays downloadable (kept in the session) ---
    built = st.session_state.get("evidence_pack")
    if not st.button("Build evidence pack", key="build_pack"):
        if built is not None:
            _pack_download(built)
        return
    items = store.load(plan) if store is not None and plan else []
    params = {k: v for k, v in (("cell_size", cell_size), ("bandwidth", bandwidth)) if v}
    out = Path(tempfile.mkdtemp(prefix="hotspots-pack-"))
    bar = st.progress(0.0, text="Building the evidence pack…")

    def progress(done, total, label):
        bar.progress(min(1.0, done / max(total, 1)), text=label)

    try:
        bundle = report_from_data(
            crimes, report, out=out,
            scope=ReportScope(group=group, areas=areas, include=chosen or None),
            periods=ReportPeriods(start, end), method=MethodSettings.from_params(method, params),
            plan=ReportPlan(items, plan or ""),
            output=OutputOptions(points=points, tiles=tiles() is not None), progress=progress)
    except hotspots.HotspotsError as exc:
        st.error(f"The evidence pack could not be built: {exc}")
        return
    bar.progress(1.0, text="Done")
    for note in bundle.notes:
        st.caption(note)
    zip_path = bundle.paths.get("zip")
    built = {"zip": Path(zip_path).read_bytes() if zip_path else None, "folder": str(out),
             "plan": plan or "no plan"}
    st.session_state["evidence_pack"] = built
    st.success(f"Evidence pack built for {built['plan']}.")
    _pack_download(built)


def _pack_download(built: dict) -> None:
    """The download button of the last pack built; it stays after a download (no rerun)."""
    if built.get("zip"):
        st.download_button("Download the evidence pack (zip)", built["zip"],
                           file_name="evidence_pack.zip", mime="application/zip",
                           key="pack_download", on_click="ignore")
    # --- end issue 12 ---
