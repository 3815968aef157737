"""The method contest's chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots.viz.accuracy_chart import plot_comparison


def test_plot_comparison_writes_png(tmp_path):
    table = pd.DataFrame({"label": ["A", "A", "B", "B"], "coverage": [0.01, 0.05] * 2,
                          "pai": [8.0, 5.0, np.nan, 3.0]})
    fig = plot_comparison(table)
    path = tmp_path / "chart.png"
    fig.savefig(path, dpi=80)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["A", "B"]
