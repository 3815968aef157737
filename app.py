"""hotspots: the Streamlit front end. Layout only: the views live in ``hotspots.ui``.

Read in SARA order: Scan (where), Analyse (what, when, which streets, how it changed),
Respond (plan interventions), Assess (projected and observed effect, evidence pack). A
second page holds the accessibility statement.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="hotspots: Safer Streets planning", page_icon="📍", layout="wide")

import hotspots  # noqa: E402  (set_page_config must run first)
from hotspots.escaping import markdown_text as md  # noqa: E402
from hotspots.groups import load_groups  # noqa: E402
from hotspots.ui.analyse import analyse  # noqa: E402
from hotspots.ui.assess import assess  # noqa: E402
from hotspots.ui.assess import evidence_pack  # noqa: E402
from hotspots.ui.common import METHOD_LABELS  # noqa: E402
from hotspots.ui.common import url_param  # noqa: E402
from hotspots.ui.data import analysis  # noqa: E402
from hotspots.ui.data import data_source  # noqa: E402
from hotspots.ui.data import filters  # noqa: E402
from hotspots.ui.data import load_report_panel  # noqa: E402
from hotspots.ui.maps import tile_config  # noqa: E402
from hotspots.ui.respond import plan_mismatch  # noqa: E402
from hotspots.ui.respond import plan_picker  # noqa: E402
from hotspots.ui.respond import respond  # noqa: E402
from hotspots.ui.scan import scan  # noqa: E402
from hotspots.ui.statement import statement  # noqa: E402
from hotspots.viz import assets  # noqa: E402

#: The four SARA steps, shown one at a time (st.tabs would compute every step on each change).
STEPS = ["1 Scan", "2 Analyse", "3 Respond", "4 Assess"]


def footer(key: str) -> None:
    if key.startswith("demo"):
        data = "Demo data: a synthetic town in police.uk format."
    elif key.startswith("api:"):
        data = "Crime data: data.police.uk, Open Government Licence v3.0."
    else:
        data = ("Crime data: the uploaded files (police.uk data is published under the Open "
                "Government Licence v3.0).")
    st.caption(f"hotspots {hotspots.__version__}. {md(data)} Base map: "
               f"{md(tile_config().label)}.")


def planner() -> None:
    assets.use_local_assets()
    st.title("Crime hotspots and Safer Streets planning")
    groups = load_groups()
    key, source, crimes, report, areas = data_source()
    chosen, group, start, end, method, cell_size, bandwidth = filters(report, areas, groups)
    sensitive = groups[group].sensitive
    try:
        slow = "; clustering takes a few seconds" if "dbscan" in method else ""
        with st.spinner(f"Finding hotspots ({METHOD_LABELS.get(method, method)}){slow}…",
                        show_time=True):
            selected, selection, result, area = analysis(
                key, crimes, areas, tuple(chosen), group, start, end, method, cell_size,
                bandwidth)
    except hotspots.HotspotsError as exc:
        st.error(md(exc, lines=True))
        st.stop()
    load_report_panel(report)
    if result is None:
        st.warning(
            f"No crimes in the group {md(groups[group].label)} in "
            f"{md(', '.join(chosen) or 'the data')} between {start} and {end}: "
            f"{md(selection.get('why', 'the selection is empty'))}. "
            "Choose a longer period, another crime group or more areas."
        )
        st.stop()
    step = st.radio("Step", STEPS, horizontal=True, key="step",
                    index=STEPS.index(url_param("step", STEPS[0], STEPS)))
    st.query_params["step"] = step
    context = (key, tuple(chosen), group, start, end, method, cell_size, bandwidth)
    period = start if start == end else f"{start} to {end}"
    area_label = ", ".join(chosen) or "All areas"
    if step == STEPS[0]:
        scan(selected, crimes, result, area, groups, group, sensitive, key=key,
             context=context, period=period)
    elif step == STEPS[1]:
        analyse(key, crimes, area, areas, report.months, group, start, end, cell_size,
                sensitive)
    else:
        store, plan, mismatch = plan_picker(area_label, source)
        plan_mismatch(store, plan, mismatch, area_label=area_label, source_label=source)
        if step == STEPS[2]:
            respond(store, plan, result, area, report.months, sensitive, selected=selected,
                    crimes_all=crimes, key=key)
        else:
            items = store.load(plan) if store is not None and plan else []
            assess(crimes, area, result, items, report.months, sensitive,
                   group=groups[group])
            evidence_pack(crimes, report, areas, chosen, group, start, end, method, cell_size,
                          bandwidth, store, plan, sensitive)
    footer(key)


st.navigation([
    st.Page(planner, title="Planning", icon="📍", default=True),
    st.Page(statement, title="Accessibility statement", icon="♿", url_path="accessibility"),
]).run()
