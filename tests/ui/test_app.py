"""The Streamlit app opens on the demo data and reacts to its filters (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_opens_on_demo_data_without_exception(app):
    assert not app.exception
    assert int(metric(app, "Crimes selected").replace(",", "")) > 0
    assert int(metric(app, "Hotspots").replace(",", "")) > 0


def test_changing_group_changes_the_figures(app):
    before = metric(app, "Crimes selected")
    app.selectbox(key="group").select("vawg").run()
    assert not app.exception
    assert metric(app, "Crimes selected") != before
    assert app.query_params["group"] == ["vawg"] or app.query_params["group"] == "vawg"


def test_police_api_offline_says_so_plainly(app):
    app.radio(key="source").set_value("data.police.uk").run()
    assert not app.exception
    messages = " ".join(e.value for e in app.error)
    assert "Cannot reach data.police.uk" in messages
    # switching back loses nothing: the demo still loads
    app.radio(key="source").set_value("Demo town").run()
    assert not app.exception and not app.error


def test_analyse_step_compares_periods_finds_emerging_and_scores_methods(app):
    app.radio(key="step").set_value("2 Analyse").run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "Crimes went from" in text  # the period comparison's sentences
    tables = [df.value for df in app.dataframe]
    patterns = next(t for t in tables if "pattern" in t.columns)
    assert patterns["pattern"].str.contains("Hot Spot").any()
    app.button(key="score_methods").click().run()
    assert not app.exception
    assert any("PAI" in s.value for s in app.success)


def test_accessibility_statement_page():
    from hotspots.ui.statement import STATEMENT_FILE

    assert STATEMENT_FILE.is_file()

    def page():
        from hotspots.ui.statement import statement

        statement()

    at = AppTest.from_function(page).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Accessibility statement for the hotspots planning app" in text
    assert "WCAG" in text and "Enforcement procedure" in text


def test_matplotlib_figures_get_a_text_alternative():
    def page():
        import matplotlib.pyplot as plt

        from hotspots.ui.common import figure

        fig, ax = plt.subplots()
        ax.plot([1, 2, 3])
        figure(fig, alt='Crimes per month "rising"')

    at = AppTest.from_function(page).run()
    html = at.markdown[0].value
    assert html.startswith('<img src="data:image/png;base64,')
    assert 'alt="Crimes per month &quot;rising&quot;"' in html
