"""The privacy rule for sensitive groups: counts of 1 to 4 are shown as "<5"."""

import pandas as pd

from hotspots.privacy import suppress_small_counts


def test_small_counts_suppressed_but_zero_and_five_shown():
    out = suppress_small_counts(pd.DataFrame({"count": [0, 1, 4, 5, 40]}))
    assert out["count"].tolist() == ["0", "<5", "<5", "5", "40"]
