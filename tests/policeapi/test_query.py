"""Street-crime queries: busy areas split into quadrants, each crime kept once.

Offline: recorded answers (``tests/data/policeapi/``, hand-written in the API's documented
format) replayed through a fake transport (:mod:`tests.policeapi.replay`); waits go to a fake
clock.
"""

from __future__ import annotations

import pytest

from hotspots.policeapi import Response
from hotspots.policeapi import ServiceUnavailableError
from hotspots.policeapi import fetch_crimes
from tests.policeapi.replay import DENSE_BOX
from tests.policeapi.replay import dense_server
from tests.policeapi.replay import items
from tests.policeapi.replay import make_api
from tests.policeapi.replay import sent_polygon

# -- 503: split and merge -------------------------------------------------------------


def test_503_splits_into_quadrants_and_dedupes_the_cut_lines():
    api, transport, _ = make_api(dense_server(limit=5))
    query = api.query_crimes(DENSE_BOX, "2024-01", category="all-crime")
    ids = [c["id"] for c in query.items]
    assert len(ids) == len(set(ids)) == 11
    assert set(ids) == {c["id"] for c in items("crimes_street_dense_2024-01.json")}
    # 1 call for the box (503), then its 4 quadrants; the centre crime comes back 4 times,
    # the two on a half cut line twice each: 3 + 1 + 1 repeats.
    assert len(transport.calls) == 5
    assert (query.requests, query.splits, query.duplicates) == (5, 1, 5)
    quarters = [sent_polygon(u).bounds for u in transport.urls[1:]]
    assert quarters == [(-1.14, 52.63, -1.13, 52.635), (-1.13, 52.63, -1.12, 52.635),
                        (-1.14, 52.635, -1.13, 52.64), (-1.13, 52.635, -1.12, 52.64)]


def test_deeper_splits_still_return_each_crime_once():
    api, transport, _ = make_api(dense_server(limit=2))
    seen = []
    found = api.crimes(DENSE_BOX, "2024-01", progress=lambda d, t, s: seen.append((d, t)))
    ids = [c["id"] for c in found]
    assert sorted(ids) == sorted(c["id"] for c in items("crimes_street_dense_2024-01.json"))
    assert len(transport.calls) > 5
    assert seen[-1][0] == seen[-1][1]  # progress ends with done == total
    assert all(d <= t for d, t in seen)


def test_fetch_report_counts_the_split():
    api, _, _ = make_api(dense_server(limit=5))
    crimes, report = fetch_crimes(api, DENSE_BOX, "2024-01")
    assert len(crimes) == report.rows_read == 11
    assert report.rows_kept == 11 and report.dropped == {}
    assert "in 5 request(s)" in report.notes[0]
    assert any("1 request(s) held more than 10,000 crimes" in n for n in report.notes)
    assert any(n.startswith("5 crime(s) returned twice") for n in report.notes)


def test_503_for_every_part_means_the_service_is_down():
    api, transport, _ = make_api(lambda url: Response(503, b""))
    with pytest.raises(ServiceUnavailableError) as info:
        api.crimes(DENSE_BOX, "2024-01")
    message = str(info.value)
    assert message.startswith("Cannot reach data.police.uk (it answered HTTP 503")
    assert "load a downloaded police.uk CSV/zip instead" in message
    # Depth first: the box (about 1.4 km) and one chain of quadrants down to < 250 m.
    assert len(transport.calls) == 4
