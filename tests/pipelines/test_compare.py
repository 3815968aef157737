"""run_compare: periods filled in, the harm refusal, and what it writes."""

from __future__ import annotations

import json

import pytest

from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.pipelines.compare import DEFAULT_TEST_MONTHS
from hotspots.pipelines.compare import run_compare
from hotspots.pipelines.selection import Selection
from tests.pipelines.conftest import MAPPING


def compare(extract, out, **kwargs):
    return run_compare(Selection(extract, mapping=MAPPING), out=out, methods=["count"],
                       cell_size=100, tiles=None, **kwargs)


def test_default_test_period_is_the_last_quarter(extract, tmp_path):
    run = compare(extract, tmp_path)
    assert DEFAULT_TEST_MONTHS == 3
    assert run.periods == {"train_from": "2024-01", "train_to": "2024-03",
                           "test_from": "2024-04", "test_to": "2024-06"}
    record = json.loads((tmp_path / "run.json").read_text())
    assert (record["n_train"], record["n_test"]) == (75, 75)
    assert record["recommendation"]["method"] == "count"
    assert {p.name for p in tmp_path.iterdir()} == {
        "comparison.csv", "comparison.png", "hotspots.gpkg", "map.html", "run.json"}


def test_training_end_sets_the_test_start(extract, tmp_path):
    run = compare(extract, tmp_path, train_to="2024-04")
    assert run.periods == {"train_from": "2024-01", "train_to": "2024-04",
                           "test_from": "2024-05", "test_to": "2024-06"}


def test_selection_period_limits_the_months_split(extract, tmp_path):
    run = run_compare(Selection(extract, mapping=MAPPING, start="2024-02", end="2024-05"),
                      out=tmp_path, methods=["count"], cell_size=100, tiles=None)
    assert run.periods == {"train_from": "2024-02", "train_to": "2024-02",
                           "test_from": "2024-03", "test_to": "2024-05"}


def test_test_after_training_is_required(extract, tmp_path):
    with pytest.raises(EmptySelectionError, match="the test must come after the training"):
        compare(extract, tmp_path, train_to="2024-05", test_from="2024-04")


def test_too_few_months_say_so(extract, tmp_path):
    with pytest.raises(EmptySelectionError, match=r"span 3 month\(s\) \(2024-01 to 2024-03\)"):
        run_compare(Selection(extract, mapping=MAPPING, end="2024-03"), out=tmp_path,
                    tiles=None)


def test_harm_weights_are_refused_before_anything_is_read(extract, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="harm"):
        run_compare(Selection(extract, mapping=MAPPING, harm=tmp_path / "harm.csv"), out=out)
    assert not out.exists()
