"""The ``hotspots`` command group: global flags, and one command per module of this package.

Bad flags exit with code 2 and a message naming the flag (click's convention); bad input
data exits with code 1 and a message naming the file, column or value. The command
modules import the library only when a command runs, so ``hotspots --help`` is quick.
"""

from __future__ import annotations

import logging
import sys

import click

from hotspots import __version__
from hotspots.cli.batch import batch
from hotspots.cli.compare import compare
from hotspots.cli.find import find
from hotspots.cli.ingest import ingest
from hotspots.cli.report import report
from hotspots.cli.sample import sample
from hotspots.cli.trends import trends

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hotspots")
@click.option("-v", "--verbose", is_flag=True, help="Log more detail to stderr.")
def main(verbose: bool) -> None:
    """Find crime hotspots and plan Safer Streets interventions."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


for _command in (find, sample, trends, compare, report, ingest, batch):
    main.add_command(_command)

if __name__ == "__main__":  # pragma: no cover
    main()
