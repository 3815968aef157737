"""The app's accessibility statement (Public Sector Bodies Accessibility Regulations 2018).

The text is ACCESSIBILITY.md at the project root, so the page and the file never disagree.
"""

from __future__ import annotations

import streamlit as st

from hotspots.ui.common import ROOT

__all__ = ["statement", "STATEMENT_FILE"]

STATEMENT_FILE = ROOT / "ACCESSIBILITY.md"


def statement() -> None:
    """The accessibility statement page."""
    try:
        text = STATEMENT_FILE.read_text(encoding="utf-8")
    except OSError:
        st.title("Accessibility statement")
        st.error("The accessibility statement (ACCESSIBILITY.md) is missing from this "
                 "installation. Ask the team that runs this app for it.")
        return
    st.markdown(text)
