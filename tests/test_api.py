"""The public API of ``hotspots/__init__.py``: every name loads, lazily, from one table."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import hotspots

INIT = Path(hotspots.__file__)
#: Libraries that take seconds to import; ``import hotspots`` must load none of them.
HEAVY = ("sklearn", "matplotlib", "folium", "streamlit", "jinja2", "weasyprint")


def type_checking_imports() -> dict[str, str]:
    """Name -> module of the imports in the ``if TYPE_CHECKING:`` block of __init__.py."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and getattr(node.test, "id", None) == "TYPE_CHECKING")
    return {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom)
            for alias in node.names}


def test_every_public_name_loads():
    for name in hotspots.__all__:
        assert getattr(hotspots, name) is not None, name


def test_all_dir_and_type_checking_imports_list_the_same_names():
    public = set(hotspots.__all__) - {"__version__"}
    assert len(hotspots.__all__) == len(set(hotspots.__all__)), "a name is listed twice"
    assert set(type_checking_imports()) == public
    assert set(dir(hotspots)) >= set(hotspots.__all__)


def test_each_name_comes_from_the_module_type_checkers_see():
    for name, module in type_checking_imports().items():
        assert getattr(hotspots, name) is getattr(importlib.import_module(module), name), name


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        hotspots.no_such_name  # noqa: B018


def test_import_hotspots_loads_no_heavy_library():
    code = ("import sys, hotspots\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
