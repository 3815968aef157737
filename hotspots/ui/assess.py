"""Step 4, Assess: projected and observed effect of a plan, its evaluation plan, the evidence pack.

The projection is :func:`hotspots.planning.impact.projected_impact` called exactly as the
evidence pack calls it (the selected crime group's crimes, the selected areas as the study
area), and its figures are shown with the same text (:meth:`ImpactResult.figures`), so the
app and the pack agree for the same plan and selection.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import shapely
import streamlit as st

import hotspots
from hotspots.escaping import markdown_text as md
from hotspots.privacy import suppress_small_counts
from hotspots.select import select_crimes
from hotspots.ui.common import side_by_side
from hotspots.ui.common import tiles
from hotspots.ui.common import trend_chart


def _load_weights(upload):
    """Harm weights from an uploaded CSV, or the bundled example (None when unreadable)."""
    from hotspots.groups import load_harm_weights

    try:
        if upload is not None:
            path = Path(tempfile.mkdtemp()) / "harm.csv"
            path.write_bytes(upload.getvalue())
            return load_harm_weights(path)
        return load_harm_weights()
    except hotspots.HotspotsError as exc:
        st.error(f"Harm weights not used: {md(exc, lines=True)}")
        return None


def _harm_weights():
    """The harm weights chosen in this step (None: unweighted)."""
    harm_file = st.file_uploader("Harm weights (CSV: category, weight), optional",
                                 type=["csv"], key="harm_file")
    use_harm = st.checkbox("Weight by harm", value=harm_file is not None, key="use_harm",
                           help="Without a file, the bundled example weights are used: they "
                                "are illustrative, not official figures.")
    return _load_weights(harm_file) if use_harm else None


def _metrics(cards, per_row=4) -> None:
    for start in range(0, len(cards), per_row):
        columns = st.columns(per_row)
        for column, card in zip(columns, cards[start:start + per_row], strict=False):
            column.metric(card["label"], card["value"])


def _projection(crimes_all, area, result, items, sensitive, group, catalogue):
    from hotspots.planning.impact import projected_counts
    from hotspots.planning.impact import projected_impact
    from hotspots.planning.interventions import check_inside

    st.subheader("Projected: what the plan could prevent")
    weights = _harm_weights()
    try:
        impact = projected_impact(crimes_all, items, catalogue, group=group,
                                  harm_weights=weights, hotspots=result, study_area=area)
    except hotspots.HotspotsError as exc:
        st.error(md(exc, lines=True))
        return None
    st.markdown(f"**{md(impact.counted)}**")
    if area is not None:
        for iv in items:
            warning = check_inside(iv, area, catalogue=catalogue)
            if warning:
                st.warning(md(warning))
    _metrics(impact.figures(sensitive=sensitive))
    small = sensitive and 0 < impact.plan.iloc[0]["baseline"] < 5
    for sentence in impact.summary() if not small else []:
        st.write(md(sentence))
    types = impact.types
    table = impact.interventions.drop(columns=["id"], errors="ignore")
    if sensitive:
        types = suppress_small_counts(types, ("baseline",))
        table = suppress_small_counts(table, ("crimes_in_coverage", "baseline"))
    st.caption("Per intervention type (its interventions' coverage counted as one area):")
    st.dataframe(types, hide_index=True)
    st.caption("Per intervention, as if it were alone (catalogue range):")
    st.dataframe(table, hide_index=True)
    with st.expander("Assumptions and sources"):
        for note in impact.notes:
            st.write("- " + md(note))
    in_group = crimes_all if group is None else select_crimes(crimes_all, group=group)[0]
    try:
        projected = projected_counts(in_group, items, catalogue, cell_size=200)
    except hotspots.HotspotsError as exc:
        st.info(f"No before/after projection map: {md(exc, lines=True)}")
    else:
        side_by_side(projected.results(), ("Baseline", "Projected after the plan"),
                     tuple(crimes_all.total_bounds if area is None else area.to_crs(
                         27700).total_bounds), "proj", sensitive,
                     caption="hotspot cells (at or above the baseline's top-5% threshold)")
    return impact


def _region(crimes_all, area):
    if area is not None and len(area):
        return shapely.union_all(area.to_crs(27700).geometry.array)
    return shapely.box(*crimes_all.total_bounds)


def _evaluation_plan(crimes_all, area, items, impact, group, catalogue, categories):
    from hotspots.evaluation.areas import evaluation_areas
    from hotspots.evaluation.design import plan_evaluation
    from hotspots.planning.interventions import coverage

    st.subheader("Evaluation plan: how long to wait")
    effect = impact.plan.iloc[0]["reduction_pct"] / 100 if impact is not None else 0.0
    if not effect > 0:
        st.info("The plan projects no fall, so there is no effect for an evaluation to detect.")
        return
    target = shapely.union_all([coverage(i, catalogue) for i in items])
    areas = evaluation_areas(target, study_area=_region(crimes_all, area), crs="EPSG:27700")
    in_group = crimes_all if group is None else select_crimes(crimes_all, group=group)[0]
    try:
        plan = plan_evaluation(in_group, target, start=min(i.start for i in items),
                               effect=float(effect), region=_region(crimes_all, area),
                               exclude=shapely.union_all([areas.target, areas.buffer]),
                               categories=categories or None)
    except hotspots.HotspotsError as exc:
        st.info(f"No evaluation plan: {md(exc, lines=True)}")
        return
    st.metric("Months of data needed after the start (80% power)",
              "more than 60" if plan.months_needed is None else f"{plan.months_needed}")
    st.write(md(plan.sentence()))
    for note in plan.notes:
        st.caption(note)


def _observed(crimes_all, area, items, months, sensitive, catalogue, counted):
    from hotspots.evaluation.areas import evaluation_areas
    from hotspots.evaluation.before_after import evaluate
    from hotspots.planning.interventions import coverage
    from hotspots.schema import POLICE_UK_CATEGORIES
    from hotspots.viz.evaluation_figures import before_after_maps
    from hotspots.viz.evaluation_figures import placebo_figure

    st.subheader("Observed: what happened after the start")
    start = min(i.start for i in items)
    target = shapely.union_all([coverage(i, catalogue) for i in items])
    c1, c2, c3 = st.columns(3)
    months_before = c1.number_input("Months before", 1, 36, 12, key="ev_before")
    months_after = c2.number_input("Months after", 1, 36, 12, key="ev_after")
    buffer_m = c3.number_input("Buffer ring width (m, 0 = rule)", 0, 2000, 0, 50, key="ev_buf")
    chosen = st.multiselect("Crime types to evaluate (default: those the projection counts)",
                            list(POLICE_UK_CATEGORIES), default=counted, key="ev_categories")
    drawn = st.file_uploader("Your own control area, optional (a polygon drawn in a GIS: "
                             "GeoPackage, GeoJSON or zipped Shapefile); matched places are "
                             "chosen automatically as well", type=["gpkg", "geojson", "json",
                                                                   "zip"], key="ev_control")
    region = _region(crimes_all, area)
    try:
        control = None
        if drawn is not None:
            from hotspots.ui.data import areas_from_upload

            data = drawn.getvalue()
            control, _ = areas_from_upload(hashlib.sha256(data).hexdigest(), drawn.name, data)
        areas = evaluation_areas(target, buffer_m=buffer_m or None, control=control,
                                 study_area=region if control is None else None,
                                 crs="EPSG:27700")
        ev = evaluate(crimes_all, areas, start=start, months_before=int(months_before),
                      months_after=int(months_after), categories=chosen or None,
                      study_area=region)
    except hotspots.HotspotsError as exc:
        st.warning(md(exc, lines=True))
        return
    if not ev.available:
        st.info(f"Not yet measurable: {md(ev.reason)} The projected figures above are the plan's "
                "evidence until data after the start arrive.")
        return
    c1, c2, c3, c4 = st.columns(4)
    lo, hi = ev.res_ci if ev.res_ci else (float("nan"), float("nan"))
    c1.metric("Relative effect size (95% CI)",
              f"{ev.res:.2f} ({lo:.2f}–{hi:.2f})" if ev.res is not None else "undefined")
    if ev.did is not None:
        dlo, dhi = ev.did.res_ci
        c2.metric("Against matched places, as RES (95% CI)" if ev.matched is not None
                  else "Difference-in-differences, as RES (95% CI)",
                  f"{ev.did.res:.2f} ({dlo:.2f}–{dhi:.2f})")
    c3.metric("Placebo test: p-value of a fall",
              f"{ev.placebo.p_fall:.2f}" if ev.placebo is not None else "not run")
    c4.metric("Verdict", ev.verdict)
    c1, c2 = st.columns(2)
    c1.metric("Weighted displacement quotient",
              f"{ev.wdq:.2f}" if ev.wdq is not None else "undefined")
    c2.metric("Total net effect (crimes)",
              f"{ev.net_effect:,.0f}" if ev.net_effect is not None else "undefined")
    for sentence in ev.summary:
        st.write(md(sentence))
    comparisons = ev.comparisons()
    counts = ev.counts.table()
    if sensitive:
        counts = suppress_small_counts(counts, [c for c in counts.columns if c != "area"])
        comparisons = suppress_small_counts(comparisons.astype({"Cb": float, "Ca": float}),
                                            ["Cb", "Ca"])
    st.dataframe(comparisons, hide_index=True)
    st.dataframe(counts, hide_index=True)
    for note in ev.notes:
        st.caption(note)
    trend_chart(ev, start)
    if ev.placebo is not None:
        st.pyplot(placebo_figure(ev), use_container_width=True)
    maps = before_after_maps(crimes_all, areas, start=start, months=int(months_after),
                             method="count", cell_size=200, categories=chosen or None)
    bounds = tuple(crimes_all.total_bounds) if area is None else tuple(
        area.to_crs(27700).total_bounds)
    side_by_side(maps, (f"{int(months_after)} months before", f"{int(months_after)} months "
                        "after"), bounds, "obs", sensitive, areas=areas)


def assess(crimes_all, area, result, items, months, sensitive, group=None):
    """The Assess step: projection, evaluation plan and observed evaluation of ``items``.

    ``group`` is the selected crime group (a CrimeGroup): the projection and, by default, the
    evaluation count its crimes, as the evidence pack does.
    """
    from hotspots.planning.catalogue import load_catalogue

    if not items:
        st.info("Add interventions to a plan (3 Respond) to see what they could change.")
        return
    catalogue = load_catalogue()
    impact = _projection(crimes_all, area, result, items, sensitive, group, catalogue)
    acted = list(dict.fromkeys(c for i in items for c in catalogue[i.type].categories))
    counted = acted if group is None or group.matches_all else [
        c for c in acted if c in group.categories]
    _evaluation_plan(crimes_all, area, items, impact, group, catalogue, counted)
    _observed(crimes_all, area, items, months, sensitive, catalogue, counted)


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
               "every layer, for the selected areas, crime group, period and plan. Its "
               "projected figures are the ones shown above.")
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

    harm = _load_weights(st.session_state.get("harm_file")) if st.session_state.get(
        "use_harm") else None
    try:
        bundle = report_from_data(
            crimes, report, out=out,
            scope=ReportScope(group=group, areas=areas, include=chosen or None,
                              harm_weights=harm),
            periods=ReportPeriods(start, end), method=MethodSettings.from_params(method, params),
            plan=ReportPlan(items, plan or ""),
            output=OutputOptions(points=points, tiles=tiles() is not None), progress=progress)
    except hotspots.HotspotsError as exc:
        st.error(f"The evidence pack could not be built: {md(exc, lines=True)}")
        return
    bar.progress(1.0, text="Done")
    for note in bundle.notes:
        st.caption(note)
    zip_path = bundle.paths.get("zip")
    built = {"zip": Path(zip_path).read_bytes() if zip_path else None, "folder": str(out),
             "plan": plan or "no plan"}
    st.session_state["evidence_pack"] = built
    st.success(f"Evidence pack built for {md(built['plan'])}.")
    _pack_download(built)


def _pack_download(built: dict) -> None:
    """The download button of the last pack built; it stays after a download (no rerun)."""
    if built.get("zip"):
        st.download_button("Download the evidence pack (zip)", built["zip"],
                           file_name="evidence_pack.zip", mime="application/zip",
                           key="pack_download", on_click="ignore")
    # --- end issue 12 ---
