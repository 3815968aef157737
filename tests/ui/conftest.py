"""AppTest fixtures: a throwaway plans file and a stand-in for the map component.

``st_folium`` is replaced by a stand-in that returns, for each map key, what the browser
would send back (a click, a drawing); the real browser round trip is in tests/browser/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit_folium


@pytest.fixture
def plans_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "plans.gpkg"
    monkeypatch.setenv("HOTSPOTS_PLANS", str(path))
    return path


@pytest.fixture
def map_returns(monkeypatch) -> dict:
    """Set ``map_returns[key] = {...}`` to what the map with that key sends back."""
    returns: dict[str, dict] = {}
    calls: list[dict] = []

    def fake_st_folium(fmap, *, key=None, returned_objects=None, **kwargs):
        calls.append({"key": key, "map": fmap, **kwargs})
        return returns.get(key, {})

    monkeypatch.setattr(streamlit_folium, "st_folium", fake_st_folium)
    returns["_calls"] = calls  # type: ignore[assignment]
    return returns
