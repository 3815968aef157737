"""The ``hotspots`` command line: one thin module per command over library pipelines."""

from hotspots.cli.main import main

__all__ = ["main"]
