"""The profile of one place (a hotspot or an area): what, when and where, as text and tables.

For a sensitive group (VAWG) every figure follows the privacy rule: counts of 1 to 4 are
shown as "<5", shares that would reveal them are blanked, streets with fewer than 5 crimes
are not named, and the monthly series is a table with the same suppression instead of a
chart (a bar of height 1 would state the count).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hotspots.analysis.profile import place_profile
from hotspots.escaping import markdown_text as md
from hotspots.privacy import SMALL_COUNT
from hotspots.privacy import SUPPRESSED
from hotspots.privacy import any_small
from hotspots.privacy import count_label
from hotspots.privacy import suppress_table
from hotspots.ui.places import Place

__all__ = ["profile_panel"]


def _percent(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "share" in out:
        out["share"] = [v if isinstance(v, str) else f"{v:.0%}" for v in out["share"]]
    return out


def profile_panel(selected, place: Place, *, sensitive: bool, group_label: str,
                  period: str, start: str | None = None, end: str | None = None) -> None:
    """Show the profile of ``place`` for the selected crimes."""
    profile = place_profile(selected, place.geometry, name=place.label, start=start, end=end)
    st.subheader(f"Profile: {md(place.label)}")
    st.caption(f"{md(group_label)}, {period}. Opened from the map, the hotspot table or the "
               "list above it.")
    small = sensitive and 0 < profile.crimes < SMALL_COUNT
    a, b, c = st.columns(3)
    a.metric("Crimes", count_label(profile.crimes, sensitive=sensitive, spec=","))
    share = profile.share_of_surroundings
    b.metric("Share of the selection", "–" if share is None or small else f"{share:.1%}")
    c.metric("Area", f"{profile.area_km2:.2f} km²")
    if profile.crimes == 0:
        st.info("No crimes of this group in this place in the period.")
        return
    left, mid, right = st.columns(3)
    with left:
        st.markdown("**By crime type**")
        cats = suppress_table(profile.by_category, ["count"], ["share", "harm"],
                              sensitive=sensitive)
        st.dataframe(_percent(cats), hide_index=True)
    with mid:
        st.markdown("**By month**")
        months = profile.by_month.assign(month=profile.by_month["month"].dt.strftime("%Y-%m"))
        if sensitive and any_small(months["count"]):
            st.dataframe(suppress_table(months, ["count"], sensitive=True), hide_index=True)
            st.caption(f"Months with 1 to {SMALL_COUNT - 1} crimes show \"{SUPPRESSED}\" "
                       "(sensitive group), so no chart is drawn.")
        else:
            st.bar_chart(months.set_index("month")["count"], x_label="month",
                         y_label="crimes")
            with st.expander("Monthly counts as a table"):
                st.dataframe(months, hide_index=True)
    with right:
        st.markdown("**Streets**")
        streets = profile.streets
        if sensitive:
            hidden = int((streets["count"] < SMALL_COUNT).sum()) if len(streets) else 0
            streets = streets[streets["count"] >= SMALL_COUNT]
            if hidden:
                st.caption(f"{hidden} street(s) with fewer than {SMALL_COUNT} crimes are not "
                           "named (sensitive group).")
        if len(streets):
            st.dataframe(_percent(streets), hide_index=True)
        else:
            st.write("No street to show.")
