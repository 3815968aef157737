"""``hotspots sample [--out DIR]``: regenerate the synthetic demo data."""

from __future__ import annotations

from pathlib import Path

import click

from hotspots.cli.options import echo

__all__ = ["sample"]


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("data"),
              show_default=True, help="Folder to write sample_crimes/ and boundaries/ into.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the demo's seed).")
def sample(out: Path, seed: int | None) -> None:
    """Regenerate the synthetic demo data deterministically."""
    from hotspots.datasets.sample import DEFAULT_SEED
    from hotspots.datasets.sample import write_sample

    summary = write_sample(out, seed=DEFAULT_SEED if seed is None else seed)
    echo(f"wrote demo data to {out}: {summary}")
