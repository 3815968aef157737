"""Fixtures of the evaluation tests."""

from __future__ import annotations

import pytest

from hotspots.evaluation.areas import EvaluationAreas
from tests.evaluation.planted import planted_areas


@pytest.fixture
def areas() -> EvaluationAreas:
    """Target, buffer and control of the planted layout (see tests.evaluation.planted)."""
    return planted_areas()
