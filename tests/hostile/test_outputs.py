"""Hostile text through every file output: nothing runs as script or formula.

The same hostile text (a formula, an HTML image whose ``onerror`` runs script, a closing
``</script>``, a Markdown image, a Jinja expression and tag) is put in every place user
text comes from: the crime group's label (``--groups``), the boundary's area names, the
crimes' streets and LSOA names, the plan's name and its interventions' names. Then
``find`` and ``trends`` are run as a user runs them, and an evidence pack is built, and
every output is read back:

* ``map.html`` (find, trends), ``report.html`` (with its embedded map): the payload's
  markup never appears unescaped (the real browser check that no script runs is in
  ``tests/browser/test_hostile_pages.py``);
* every CSV written: no cell a spreadsheet would run as a formula (a cell that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, unless it is a plain number), and
  the neutralised text still reads as written after its leading quote.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import geopandas as gpd
import shapely
from click.testing import CliRunner
from pyproj import Transformer

from hotspots.cli import main
from hotspots.escaping import FORMULA_PREFIXES
from hotspots.methods.find import MethodSettings
from hotspots.planning.interventions import Intervention
from hotspots.report import OutputOptions
from hotspots.report import ReportPlan
from hotspots.report import ReportScope
from hotspots.report import report_from_data

#: Script that, if it ever ran, would mark the page (the browser test looks for the mark).
MARK = "window.__pwned=1"
#: Hostile text: a formula first, then HTML with script, a script end, a Markdown image.
HOSTILE = (f'=HYPERLINK("http://x") "><img src=x onerror="{MARK}">'
           f"</script><script>{MARK}</script> ![b](http://host.invalid/beacon.png)"
           " {{ 'JIN' ~ 'JA' }} {% endfor %}")
#: What the Jinja expression in HOSTILE would give if a page template ever ran it (folium
#: compiles rendered text as a template again; ``{% endfor %}`` would stop the page).
JINJA_RAN = "JINJA"
#: Pieces of markup that must never appear as markup in an HTML output.
MARKUP = ("<img src=x", "<script>window", "</script><script>")
TO_LONLAT = Transformer.from_crs(27700, 4326, always_xy=True)
HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
          "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
          "Context"]


def hostile_inputs(folder: Path) -> tuple[Path, Path, Path]:
    """police.uk CSV (hostile streets and LSOA names), groups file (hostile label) and
    boundary (hostile area names) for a town of 240 burglaries over 12 months."""
    data = folder / "2024-01-test-street.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(240):
            lon, lat = TO_LONLAT.transform(440_000 + 37 * (i % 11), 360_000 + 29 * (i % 9))
            street = HOSTILE if i % 3 == 0 else f"@On or near Street {i % 4}"
            out.writerow([f"id{i}", f"2024-{1 + i % 12:02d}", "Test Police", "Test Police",
                          f"{lon:.6f}", f"{lat:.6f}", street, "E01000001", "-" + HOSTILE,
                          "Burglary", "", ""])
    groups = folder / "groups.toml"
    label = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    groups.write_text(f'[groups.evil]\nlabel = "{label}"\ncategories = ["Burglary"]\n',
                      encoding="utf-8")
    boundary = folder / "areas.gpkg"
    gpd.GeoDataFrame({"name": [HOSTILE, "+" + HOSTILE]},
                     geometry=[shapely.box(439_900, 359_900, 440_250, 360_300),
                               shapely.box(440_250, 359_900, 440_600, 360_300)],
                     crs="EPSG:27700").to_file(boundary)
    return data, groups, boundary


def run(*args: object) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def assert_no_markup(page: str, where: str) -> None:
    """No piece of the payload's markup appears as markup (escaped is fine)."""
    text = page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\/", "/")
    for piece in MARKUP:
        assert piece not in text, f"{where}: {piece!r} appears unescaped"
    assert JINJA_RAN not in text, f"{where}: the Jinja expression in the data was run"


def assert_no_formula(path: Path) -> int:
    """No cell of the CSV at ``path`` runs as a formula; returns the cells checked."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    n = 0
    for line, row in enumerate(rows, start=1):
        for cell in row:
            n += 1
            number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell)
            assert number or not cell.startswith(FORMULA_PREFIXES), (
                f"{path.name} line {line}: a formula cell {cell[:60]!r}")
    return n


def csv_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def test_find_and_trends_outputs(tmp_path: Path) -> None:
    data, groups, boundary = hostile_inputs(tmp_path)
    for command in ("find", "trends"):
        out = tmp_path / command
        run(command, data, "--groups", groups, "--group", "evil", "--boundary", boundary,
            "--name-column", "name", "--cell-size", "100", "--no-tiles", "--out", out,
            *(["--method", "dbscan", "--eps", "60"] if command == "find"
              else ["--knox-iterations", "19"]))
        page = (out / "map.html").read_text(encoding="utf-8")
        assert_no_markup(page, f"{command} map.html")
        # the label is shown, as text: escaped once for HTML (JSON may escape it again)
        assert "&lt;img src=x onerror" in html.unescape(page.replace("\\u0026", "&")) or \
            "&lt;img src=x onerror" in page.replace("\\u0026", "&"), f"{command}: no label"
        written = sorted(out.glob("*.csv"))
        assert written, f"{command} wrote no CSV"
        for path in written:
            assert assert_no_formula(path) > 0
    summary = csv_text(tmp_path / "find" / "summary.csv")
    assert "'=HYPERLINK" in summary or "'@On or near" in summary  # neutralised, still there
    areas = csv_text(tmp_path / "find" / "areas.csv")
    assert "'+=HYPERLINK" in areas and "'=HYPERLINK" in areas


def test_evidence_pack_outputs(make_crimes, tmp_path: Path) -> None:
    rows = [("Burglary", f"2024-{m:02d}", 440_000 + 40 * (i % 7), 360_000 + 30 * (i % 5))
            for m in range(1, 13) for i in range(6)]
    crimes = make_crimes(rows)
    crimes["location"] = HOSTILE
    crimes["lsoa_name"] = "@" + HOSTILE
    areas = gpd.GeoDataFrame({"area_name": [HOSTILE, "-" + HOSTILE]},
                             geometry=[shapely.box(439_900, 359_900, 440_150, 360_300),
                                       shapely.box(440_150, 359_900, 440_400, 360_300)],
                             crs="EPSG:27700")
    camera = Intervention(type="cctv", geometry=shapely.Point(440_100, 360_060),
                          start="2024-07", cost=1000, name=HOSTILE, notes="+" + HOSTILE)
    bundle = report_from_data(crimes, None, out=tmp_path / "pack",
                              scope=ReportScope(areas=areas),
                              method=MethodSettings("count", cell_size=50),
                              plan=ReportPlan([camera], HOSTILE),
                              output=OutputOptions(pdf=False, tiles=False, zip=False))
    page = bundle.html.read_text(encoding="utf-8")
    # the embedded map is an iframe's srcdoc: escaped once as an attribute, so read it as
    # the browser does (unescaped once), and check the markup inside it too
    assert_no_markup(page, "report.html")
    for srcdoc in re.findall(r'srcdoc="([^"]*)"', page):
        assert_no_markup(html.unescape(srcdoc), "report.html map")
    tables = sorted((tmp_path / "pack").rglob("*.csv"))
    assert len(tables) >= 3, tables
    for path in tables:
        assert_no_formula(path)
    found = "\n".join(csv_text(p) for p in tables)
    assert "'=HYPERLINK" in found
