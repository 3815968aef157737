"""hotspots: the Streamlit front end. Layout only: the views live in ``hotspots.ui``.

Read in SARA order: Scan (where), Analyse (what, when, which streets, how it changed),
Respond (plan interventions), Assess (projected and observed effect, evidence pack).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="hotspots: Safer Streets planning", page_icon="📍", layout="wide")

import hotspots  # noqa: E402  (set_page_config must run first)
from hotspots.groups import load_groups  # noqa: E402
from hotspots.ui.analyse import analyse  # noqa: E402
from hotspots.ui.assess import assess  # noqa: E402
from hotspots.ui.assess import evidence_pack  # noqa: E402
from hotspots.ui.common import url_param  # noqa: E402
from hotspots.ui.data import analysis  # noqa: E402
from hotspots.ui.data import data_source  # noqa: E402
from hotspots.ui.data import filters  # noqa: E402
from hotspots.ui.data import load_report_panel  # noqa: E402
from hotspots.ui.respond import plan_picker  # noqa: E402
from hotspots.ui.respond import respond  # noqa: E402
from hotspots.ui.scan import scan  # noqa: E402
from hotspots.viz import assets  # noqa: E402

#: The four SARA steps, shown one at a time (st.tabs would compute every step on each change).
STEPS = ["1 Scan", "2 Analyse", "3 Respond", "4 Assess"]


def main() -> None:
    assets.use_local_assets()
    st.title("Crime hotspots and Safer Streets planning")
    groups = load_groups()
    key, crimes, report, areas = data_source()
    chosen, group, start, end, method, cell_size, bandwidth = filters(report, areas, groups)
    sensitive = groups[group].sensitive
    try:
        selected, selection, result, area = analysis(
            key, crimes, areas, tuple(chosen), group, start, end, method, cell_size, bandwidth
        )
    except hotspots.HotspotsError as exc:
        st.error(str(exc))
        st.stop()
    load_report_panel(report)
    if result is None:
        st.warning(
            f"No crimes in the group {groups[group].label} in {', '.join(chosen) or 'the data'} "
            f"between {start} and {end}: {selection.get('why', 'the selection is empty')}. "
            "Choose a longer period, another crime group or more areas."
        )
        st.stop()
    step = st.radio("Step", STEPS, horizontal=True, key="step", label_visibility="collapsed",
                    index=STEPS.index(url_param("step", STEPS[0], STEPS)))
    st.query_params["step"] = step
    if step == STEPS[0]:
        scan(selected, result, area, areas, groups, group, sensitive)
    elif step == STEPS[1]:
        analyse(key, crimes, area, areas, report.months, group, start, end, cell_size,
                sensitive)
    else:
        store, plan = plan_picker(", ".join(chosen) or "All areas")
        if step == STEPS[2]:
            respond(store, plan, result, area, areas, report.months, sensitive)
        else:
            items = store.load(plan) if store is not None and plan else []
            assess(crimes, area, result, items, report.months, sensitive,
                   group=groups[group])
            evidence_pack(crimes, report, areas, chosen, group, start, end, method, cell_size,
                          bandwidth, store, plan, sensitive)
    st.caption(f"hotspots {hotspots.__version__}. Crime data: police.uk, Open Government "
               "Licence v3.0 (demo data is synthetic).")


main()
