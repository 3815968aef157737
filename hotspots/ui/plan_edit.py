"""A plan's interventions as a table, with editing and deleting that the page reflects at once.

Changes run in widget callbacks, before the page is drawn again, so the heading, table, map
and form always show the stored plan. Deleting asks for confirmation, and the edit form is
keyed by the intervention's id and last update, so it never shows stale values or saves
onto another intervention.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

import hotspots
from hotspots.escaping import markdown_text as md
from hotspots.ui.site import flash

__all__ = ["plan_table", "edit_panel"]


def plan_table(plan: str, items, catalogue) -> None:
    st.subheader(f"{md(plan)}: {len(items)} intervention{'s' if len(items) != 1 else ''}")
    table = pd.DataFrame([{
        "name": i.display_name, "type": catalogue[i.type].label, "drawn as": i.geometry_kind,
        "start": i.start, "cost (GBP)": "not set" if i.cost is None else f"{i.cost:,.0f}",
    } for i in items])
    st.dataframe(table, hide_index=True)


def _save(store, item) -> None:
    state = st.session_state
    suffix = f"{item.id}_{item.updated}"
    changed = replace(item, name=state[f"edit_name_{suffix}"].strip(),
                      start=state[f"edit_start_{suffix}"], cost=state[f"edit_cost_{suffix}"])
    try:
        store.update(changed)
    except hotspots.HotspotsError as exc:
        flash("error", f"Not saved: {exc}")
        return
    cost = "no cost" if changed.cost is None else f"cost GBP {changed.cost:,.0f}"
    flash("success", f"Saved {changed.display_name}: starts {changed.start}, {cost}.")


def _ask_delete(item_id: str) -> None:
    st.session_state["confirm_delete"] = item_id


def _cancel_delete() -> None:
    st.session_state.pop("confirm_delete", None)


def _delete(store, item) -> None:
    st.session_state.pop("confirm_delete", None)
    try:
        store.delete(item.id)
    except hotspots.HotspotsError as exc:
        flash("error", f"Not deleted: {exc}")
        return
    st.session_state.pop("edit_choice", None)
    flash("success", f"Deleted {item.display_name}.")


def edit_panel(store, items, months) -> None:
    """Choose one intervention; change its name, start or cost, or delete it (confirmed)."""
    state = st.session_state
    ids = [i.id for i in items]
    names = {i.id: f"{i.display_name} ({i.start})" for i in items}
    if state.get("edit_choice") not in ids:
        state["edit_choice"] = ids[0]
    with st.expander("Edit or delete an intervention", key="edit_expander"):
        chosen = st.selectbox("Intervention", ids, format_func=names.get, key="edit_choice")
        item = next(i for i in items if i.id == chosen)
        suffix = f"{item.id}_{item.updated}"
        st.text_input("Change the name to", item.name, key=f"edit_name_{suffix}")
        starts = sorted(set(months) | {item.start})
        st.selectbox("Change the start month to", starts, index=starts.index(item.start),
                     key=f"edit_start_{suffix}")
        cost = None if item.cost is None else float(item.cost)
        st.number_input("Change the cost (GBP) to", 0.0, value=cost,
                        step=500.0, key=f"edit_cost_{suffix}")
        a, b = st.columns(2)
        a.button("Save changes", key="edit_save", on_click=_save, args=(store, item))
        if state.get("confirm_delete") == item.id:
            st.warning(f"Delete {md(item.display_name)} from the plan? This cannot be undone.")
            c, d = st.columns(2)
            c.button(f"Yes, delete {item.display_name}", key="edit_delete_yes", type="primary",
                     on_click=_delete, args=(store, item))
            d.button("Cancel", key="edit_delete_no", on_click=_cancel_delete)
        else:
            b.button("Delete…", key="edit_delete", on_click=_ask_delete, args=(item.id,))
