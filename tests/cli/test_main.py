"""The ``hotspots`` command group: every command registered, quick help, version, -m."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

import hotspots
from hotspots.cli import main

COMMANDS = ["find", "trends", "compare", "report", "sample", "ingest", "batch"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help_on_every_command(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    short = CliRunner().invoke(main, [*command, "-h"])
    assert short.output == result.output


def test_every_command_is_registered():
    assert sorted(main.commands) == sorted(COMMANDS)


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"hotspots, version {hotspots.__version__}\n"


def test_unknown_command_exits_2():
    result = CliRunner().invoke(main, ["nosuch"])
    assert result.exit_code == 2 and "No such command 'nosuch'" in result.output


def test_help_loads_no_library():
    """``hotspots --help`` (and every command's help) must not import geopandas and the rest."""
    code = (
        "import sys\n"
        "from hotspots.cli import main\n"
        f"for args in [[], *([c] for c in {COMMANDS!r})]:\n"
        "    try:\n"
        "        main([*args, '--help'], prog_name='hotspots')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (args, exc.code)\n"
        "heavy = ('geopandas', 'pandas', 'numpy', 'sklearn', 'matplotlib', 'folium')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_python_m_hotspots_runs_the_command_line():
    done = subprocess.run([sys.executable, "-m", "hotspots", "--version"], capture_output=True,
                          text=True, check=True)
    assert done.stdout == f"hotspots, version {hotspots.__version__}\n"
