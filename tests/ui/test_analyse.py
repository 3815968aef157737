"""The Analyse step on short data: plain messages, no meaningless comparison, no code names."""

from __future__ import annotations

from tests.ui.helpers import layer_html
from tests.ui.helpers import one_month_data
from tests.ui.helpers import run_app
from tests.ui.helpers import step
from tests.ui.helpers import texts


def test_one_month_of_data_says_what_it_needs_in_plain_words(tmp_path, monkeypatch,
                                                             plans_file, map_returns):
    monkeypatch.setenv("HOTSPOTS_DATA", str(one_month_data(tmp_path)))
    at = step(run_app(), "2 Analyse")
    assert not at.exception
    page = texts(at)
    assert "needs at least two months of data; this data has one month (2024-01)" in page
    assert "2024-01 to 2024-01" not in page
    assert "in both periods" not in page  # no period comparison of a month with itself
    assert "Emerging hot spots follow each cell month by month" in page
    for code in ("step=", "months_before", "_"):
        assert code not in " ".join(i.value for i in at.info), code


def test_overlapping_periods_are_refused_with_a_reason(plans_file, map_returns):
    at = step(run_app(), "2 Analyse")
    at.select_slider(key="before").set_value(("2024-01", "2025-06"))
    at.select_slider(key="after").set_value(("2025-01", "2025-12")).run()
    assert not at.exception
    assert "must end before the after period" in texts(at)
    assert not any("in both periods" in m.value for m in at.markdown)


def test_method_scores_stay_after_other_changes(plans_file, map_returns):
    at = step(run_app(), "2 Analyse")
    at.button(key="score_methods").click().run()
    assert not at.exception
    first = [s.value for s in at.success if "PAI" in s.value]
    assert first
    at.radio(key="change_method").set_value("kde").run()  # another control on the page
    assert [s.value for s in at.success if "PAI" in s.value] == first
    step(at, "1 Scan")
    step(at, "2 Analyse")
    assert [s.value for s in at.success if "PAI" in s.value] == first


def test_analyse_maps_have_outlines_titles_and_legends(plans_file, map_returns):
    at = step(run_app(), "2 Analyse")
    calls = {c["key"]: c for c in map_returns["_calls"]}
    for key in ("map_before", "map_after", "map_change", "map_emerging"):
        page = calls[key]["map"].get_root().render()
        layers = layer_html(calls[key]["feature_group_to_add"])
        assert '"role", "region"' in page, key  # a named region for screen readers
        assert "hotspots-area-label" in layers, key  # outlines with their names
    legends = [m.value for m in at.markdown if "hotspots-legend" in m.value]
    assert len(legends) >= 4
    assert any("large increase" in t for t in legends)
