"""Tests for hotspots.methods.timesteps: months, weeks and days as time steps."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspots.errors import ColumnMappingError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.timesteps import time_steps

# --------------------------------------------------------------------------- time steps


def _frame(months, dates=None):
    n = len(months)
    return pd.DataFrame({
        "month": pd.to_datetime(months).astype("datetime64[ns]"),
        "date": pd.to_datetime(dates if dates is not None else [None] * n).astype(
            "datetime64[ns]"),
    })


def test_months_contiguous_with_empty_months():
    steps = time_steps(_frame(["2023-01-01", "2023-03-01", "2023-12-01", "2023-03-01"]))
    assert steps.unit == "month" and len(steps) == 12
    assert steps.index.tolist() == [0, 2, 11, 2]
    assert steps.labels[:3] == ["2023-01", "2023-02", "2023-03"]


def test_auto_uses_weeks_then_days_for_dated_data():
    dates = pd.date_range("2024-01-03", "2024-04-30", freq="D")  # 4 months, ~18 weeks
    frame = _frame(dates.to_period("M").to_timestamp(), dates)
    steps = time_steps(frame)
    assert steps.unit == "week"
    assert steps.starts[0] == pd.Timestamp("2024-01-01")  # the Monday before
    assert steps.index[:6].tolist() == [0, 0, 0, 0, 0, 1]  # Wed..Sun, then Monday
    short = dates[:30]
    steps = time_steps(_frame(short.to_period("M").to_timestamp(), short))
    assert steps.unit == "day" and len(steps) == 30


def test_auto_month_only_short_span_notes_it():
    steps = time_steps(_frame(["2022-01-01", "2022-09-01"]))
    assert steps.unit == "month" and len(steps) == 9
    assert any("fewer than 10" in note for note in steps.notes)


def test_weeks_need_exact_dates():
    with pytest.raises(ColumnMappingError, match="exact date"):
        time_steps(_frame(["2022-01-01", "2022-09-01"]), step="week")


def test_single_step_is_refused():
    with pytest.raises(EmptySelectionError, match="single month"):
        time_steps(_frame(["2022-01-01", "2022-01-01"]))


def test_bad_step_name():
    with pytest.raises(ParameterError, match="'step'"):
        time_steps(_frame(["2022-01-01", "2022-02-01"]), step="fortnight")
