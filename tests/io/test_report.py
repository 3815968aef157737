"""LoadReport.merge_all is the left-to-right merge, in one pass."""

from __future__ import annotations

from functools import reduce

from hotspots.io.report import LoadReport


def test_merge_all_equals_merging_one_by_one():
    reports = [
        LoadReport(sources=["a"], rows_read=5, rows_kept=3, dropped={"bad date": 2},
                   months=["2022-02"], categories={"Robbery": 3}, crs="EPSG:27700",
                   notes=["a: note"], header_lines=1),
        LoadReport(sources=["b"], rows_read=2, rows_kept=1, dropped={"no coordinates": 1,
                   "bad date": 0}, months=["2022-01"], categories={"Burglary": 1}, crs=""),
        LoadReport(sources=["c"], rows_read=1, rows_kept=1, months=["2022-01"],
                   categories={"Robbery": 1}, crs="EPSG:32630", notes=["c: note"]),
        LoadReport(sources=["d"], crs="EPSG:4326"),
    ]
    expected = reduce(LoadReport.merge, reports, LoadReport())
    got = LoadReport.merge_all(reports)
    assert got == expected
    assert got.to_dict() == expected.to_dict()
    assert list(got.dropped) == list(expected.dropped)
    assert sum("different CRSs" in n for n in got.notes) == 2
    assert LoadReport.merge_all([]) == LoadReport()
