"""The evaluation's figures: before/after maps on one grid, and the trend chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.errors import ParameterError
from hotspots.evaluation.areas import EvaluationAreas
from hotspots.evaluation.before_after import evaluate
from hotspots.evaluation.placebo import placebo_test
from hotspots.viz.charts import evaluation_trend_figure
from hotspots.viz.evaluation_figures import before_after_maps
from hotspots.viz.evaluation_figures import placebo_figure
from tests.evaluation.planted import B_XY
from tests.evaluation.planted import C_XY
from tests.evaluation.planted import T_XY
from tests.evaluation.planted import crimes_from
from tests.evaluation.planted import planted_areas
from tests.evaluation.planted import two_years


@pytest.fixture
def areas() -> EvaluationAreas:
    return planted_areas()


def test_trend_chart_marks_the_start(areas):
    fig = evaluation_trend_figure(evaluate(two_years(), areas, start="2025-01"))
    ax, right = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["target", "buffer"]
    assert [line.get_label() for line in right.get_lines()] == ["control (right axis)"]
    assert len(ax.get_lines()[0].get_xdata()) == 24
    start_line = ax.get_lines()[2]  # the axvline
    assert pd.Timestamp(start_line.get_xdata()[0]) == pd.Timestamp("2025-01-01")


# ---------------------------------------------------------------------------------------
# Before/after maps
# ---------------------------------------------------------------------------------------


def test_before_after_maps_share_the_grid(areas):
    rows = [("2024-12", T_XY, 6), ("2025-01", B_XY, 3), ("2025-02", C_XY, 2),
            ("2024-06", (5000, 0), 50)]
    crimes = crimes_from(rows)
    before, after = before_after_maps(crimes, areas, start="2025-01", months=2,
                                      method="count", cell_size=50)
    assert before.cells["cell_id"].tolist() == after.cells["cell_id"].tolist()
    assert before.params["grid_origin"] == after.params["grid_origin"]
    b = before.cells.set_index("cell_id")["score"]
    a = after.cells.set_index("cell_id")["score"]
    assert b["E0N0"] == 6 and a["E0N0"] == 0
    assert a["E150N0"] == 3 and a["E1000N0"] == 2
    assert b.sum() == 6 and a.sum() == 5  # the 2024-06 crimes are outside the months
    assert before.params["period"] == "2024-11 to 2024-12"

    kb, ka = before_after_maps(crimes, areas, start="2025-01", months=2, cell_size=25)
    assert kb.params["bandwidth"] == ka.params["bandwidth"] == 100.0  # target radius
    assert "equivalent radius" in kb.params["bandwidth_rule"]
    peak = kb.cells.loc[kb.cells["score"].idxmax()].geometry.centroid
    assert peak.distance(shapely.Point(T_XY)) < 25  # one of the 4 cells meeting at (0, 0)
    with pytest.raises(ParameterError, match="areas_or_bounds"):
        before_after_maps(crimes, (0, 0, -1, 5), start="2025-01")


def test_placebo_figure_marks_the_target():
    test = placebo_test(40, 15, np.full(60, 20.0), np.arange(60) % 30 + 5.0, trend=1.0)
    result = type("Result", (), {"placebo": test})()
    ax = placebo_figure(result).axes[0]
    target, adjusted = ax.get_lines()
    assert target.get_xdata()[0] == pytest.approx(np.log(test.target_res))
    assert adjusted.get_xdata()[0] == pytest.approx(np.log(test.target_res_rtm))
    assert sum(p.get_height() for p in ax.patches) == test.n
    with pytest.raises(ParameterError, match="placebo test"):
        placebo_figure(type("NoTest", (), {"placebo": None})())
