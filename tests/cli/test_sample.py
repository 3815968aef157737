"""``hotspots sample``: the demo data, regenerated."""

from __future__ import annotations

from click.testing import CliRunner

from hotspots.cli import main


def test_sample_command_writes_demo_data(tmp_path):
    result = CliRunner().invoke(main, ["sample", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "sample_crimes").glob("*/*-street.csv"))) == 24
    assert (tmp_path / "boundaries" / "neighbourhoods.gpkg").is_file()
    assert f"wrote demo data to {tmp_path}" in result.output
