"""The bid evidence pack (hotspots.report): numbers, files, privacy, edge cases.

The demo bundle is built once from ``examples/report_demo.toml`` (the demo town's
Ferncliffe Rise scheme) and every figure in its HTML is checked against the library's own
functions run independently here. The PDF is turned into page images with poppler's
``pdftoppm`` and its maps are looked for with ``pdfimages``.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hotspots.analysis.areas import area_summary
from hotspots.analysis.profile import category_counts
from hotspots.analysis.profile import top_streets
from hotspots.evaluation.areas import evaluation_areas
from hotspots.evaluation.before_after import evaluate
from hotspots.groups import CrimeGroup
from hotspots.groups import apply_harm
from hotspots.groups import get_group
from hotspots.groups import load_harm_weights
from hotspots.io import load_boundary
from hotspots.io import load_crimes
from hotspots.methods.find import MethodSettings
from hotspots.methods.find import find_hotspots
from hotspots.planning.impact import projected_impact
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import coverage
from hotspots.privacy import suppress_table
from hotspots.report import EvaluationSettings
from hotspots.report import OutputOptions
from hotspots.report import ReportBundle
from hotspots.report import ReportPeriods
from hotspots.report import ReportPlan
from hotspots.report import ReportScope
from hotspots.report import build_report
from hotspots.report import privacy_rule
from hotspots.report import read_report_config
from hotspots.report import report_from_data
from hotspots.report.html import fmt_count
from hotspots.report.html import fmt_share
from hotspots.report.pdf import pdf_available
from hotspots.select import select_crimes

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "sample_crimes"
NEIGHBOURHOODS = ROOT / "data" / "boundaries" / "neighbourhoods.gpkg"
DEMO_CONFIG = ROOT / "examples" / "report_demo.toml"
POPULATION = ROOT / "examples" / "report_demo_population.csv"
SECTIONS = ("summary", "problem", "plan", "outcomes", "evaluation", "method")
HEADINGS = ("1. Summary", "2. Problem profile", "3. Intervention plan",
            "4. Projected outcomes", "5. Evaluation plan", "6. Method and data")
#: Output of the tests' packs: no PDF, no tiles (quick, offline).
NO_PDF = OutputOptions(pdf=False, tiles=False)
#: Crimes per 200 m cell: a quick method for the tests' packs.
COUNT_200 = MethodSettings("count", cell_size=200)
#: Columns that hold counts of crimes in the exported tables.
COUNT_COLUMNS = ("count", "crimes", "comparison", "before", "after", "baseline",
                 "crimes_in_coverage", "target", "buffer", "control", "hotspot_crimes",
                 "hotspot_crimes_covered")


# --------------------------------------------------------------------------- helpers


def catalogue_types(iv: Intervention) -> tuple[str, ...]:
    """The crime types an intervention's catalogue type acts on."""
    from hotspots.planning.catalogue import load_catalogue

    return load_catalogue()[iv.type].categories


def section(page: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert match, f"section {name!r} missing"
    return match.group(1)


def figures(page: str) -> dict[str, str]:
    return {k: htmllib.unescape(v) for k, v in
            re.findall(r'data-figure="(\w+)">([^<]*)<', page)}


def table(page: str, name: str) -> list[dict[str, str]]:
    match = re.search(rf'<table id="table-{name}">(.*?)</table>', page, re.S)
    assert match, f"table {name!r} missing"
    rows = []
    for body in re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S):
        cells = re.findall(r'<td data-col="(\w+)"[^>]*>(.*?)</td>', body, re.S)
        if cells:
            rows.append({k: htmllib.unescape(v) for k, v in cells})
    return rows


def outer_html(page: str) -> str:
    """The page without the embedded map document."""
    return re.sub(r'srcdoc="[^"]*"', 'srcdoc=""', page)


def need_demo() -> None:
    if not (DEMO / "planted.json").is_file():
        pytest.skip(f"demo data {DEMO} is absent (run 'hotspots sample')")


def need_poppler() -> None:
    missing = [t for t in ("pdftoppm", "pdftotext", "pdfinfo", "pdfimages")
               if shutil.which(t) is None]
    if missing:
        pytest.skip(f"poppler-utils is not installed ({', '.join(missing)} missing): "
                    "apt-get install poppler-utils")


def need_pdf() -> None:
    if not pdf_available():
        pytest.skip("WeasyPrint or its Pango libraries are missing, so no PDF is made")


@pytest.fixture(scope="module")
def demo_data():
    need_demo()
    crimes, report = load_crimes([DEMO])
    areas, _ = load_boundary(NEIGHBOURHOODS)
    return crimes, report, areas


@pytest.fixture(scope="module")
def demo_bundle(tmp_path_factory) -> ReportBundle:
    need_demo()
    return build_report(DEMO_CONFIG, out=tmp_path_factory.mktemp("demo") / "pack")


# --------------------------------------------------------------------------- the demo bundle


def test_demo_bundle_holds_every_file(demo_bundle: ReportBundle) -> None:
    out = demo_bundle.out
    for name in ("report.html", "layers.gpkg", "run.json", "evidence_pack.zip",
                 "maps/hotspots.png", "maps/plan.png", "maps/evaluation.png",
                 "charts/monthly.png", "charts/categories.png", "charts/seasonality.png",
                 "charts/evaluation_trend.png", "tables/summary.csv", "tables/areas.csv",
                 "tables/categories.csv", "tables/streets.csv", "tables/interventions.csv",
                 "tables/projected_plan.csv", "tables/evaluation_measures.csv"):
        assert (out / name).is_file(), name
    if pdf_available():
        assert (out / "report.pdf").read_bytes()[:5] == b"%PDF-"
    with zipfile.ZipFile(out / "evidence_pack.zip") as archive:
        names = set(archive.namelist())
    assert {"pack/report.html", "pack/layers.gpkg", "pack/run.json",
            "pack/maps/hotspots.png", "pack/tables/areas.csv"} <= names
    run = json.loads((out / "run.json").read_text())
    assert run["command"] == "report"
    assert run["numbers"]["crimes"] == demo_bundle.data.summary.crimes
    assert run["config"]["group"] == "neighbourhood"
    assert not demo_bundle.notes, demo_bundle.notes  # nothing fell back or was left out


def test_demo_html_is_self_contained(demo_bundle: ReportBundle) -> None:
    page = demo_bundle.html.read_text(encoding="utf-8")
    outer = outer_html(page)
    external = re.findall(r'<(?:script|img|link|iframe)\b[^>]*?(?:src|href)="(?!data:)[^"]*"',
                          outer)
    assert external == []
    assert outer.count('src="data:image/png;base64,') >= 7  # 3 maps, 4 charts
    assert "<style>" in outer and "@media print" in outer
    srcdoc = re.search(r'srcdoc="([^"]*)"', page).group(1)
    embedded = htmllib.unescape(srcdoc)
    assert "L.map(" in embedded or "L.map (" in embedded
    from hotspots.viz.assets import assets_dir

    if assets_dir() is not None:  # Leaflet itself is inlined, not fetched from a CDN
        assert not re.search(r'<script src="https?://', embedded)
    for name in SECTIONS:
        section(page, name)
    for heading in HEADINGS:
        assert heading in page


def test_demo_html_numbers_match_the_library(demo_bundle: ReportBundle, demo_data) -> None:
    crimes, load_report, areas = demo_data
    page = demo_bundle.html.read_text(encoding="utf-8")
    shown = figures(page)
    weights = load_harm_weights()
    fern = areas[areas["area_name"] == "Ferncliffe Rise"]
    group = get_group("neighbourhood")
    sel, _ = select_crimes(crimes, group=group, start="2025-01", end="2025-12", area=fern)
    before, _ = select_crimes(crimes, group=group, start="2024-01", end="2024-12", area=fern)
    sel = apply_harm(sel, weights)

    # 1. summary
    assert shown["crimes"] == f"{len(sel):,}"
    change = len(sel) - len(before)
    pct = 100 * change / len(before)
    assert shown["change"] == f"{change:+,} ({pct:+.0f}%)".replace("-", "−")
    assert shown["harm"] == f"{sel['weight'].sum():,.1f}"
    district, _ = select_crimes(crimes, group=group, start="2025-01", end="2025-12",
                                area=areas)
    ranked = area_summary(apply_harm(district, weights), areas, weight="weight")
    assert shown["share_of_crime"] == fmt_share(len(sel) / ranked.attrs["n_in_areas"])
    land = fern.area.sum() / shapely.union_all(areas.geometry.array).area
    assert shown["share_of_land"] == fmt_share(land)

    # 2. problem profile: hotspots, types, streets, areas
    result = find_hotspots(sel, method="gistar", cell_size=100, area=fern, weight="weight")
    assert shown["hotspots"] == f"{result.n_hotspots:,}"
    assert result.method_statement() in section(page, "problem")
    types = {r["category"]: r["count"] for r in table(page, "categories")}
    expected = category_counts(sel)
    assert types == {c: fmt_count(n) for c, n in zip(expected["category"], expected["count"],
                                                     strict=True)}
    streets = table(page, "streets")
    top = top_streets(sel, n=10)
    assert [r["street"] for r in streets] == top["street"].tolist()
    assert [r["count"] for r in streets] == [fmt_count(n) for n in top["count"]]
    rows = {r["area_name"]: r for r in table(page, "areas")}
    population = pd.read_csv(POPULATION).set_index("neighbourhood_name")["population"]
    assert len(rows) == 10
    for name, count in zip(ranked["area_name"], ranked["count"], strict=True):
        assert rows[name]["count"] == fmt_count(count)
        assert rows[name]["rate_per_1000"] == f"{1000 * count / population[name]:,.2f}"
    assert rows["Ferncliffe Rise"]["in_bid_area"] == "yes"
    assert sum(r["in_bid_area"] == "yes" for r in rows.values()) == 1

    # 3-4. plan and projected outcomes
    items = demo_bundle.data.plan.items
    assert len(table(page, "interventions")) == len(items) == 3
    assert shown["plan_cost"].startswith("£112,000")
    group_crimes, _ = select_crimes(crimes, group=group)
    # the projection: the same call as the app's Assess step (the group's crimes, wherever
    # the coverage lies, the bid area as the study area)
    impact = projected_impact(crimes, items, group=group, harm_weights=weights,
                              hotspots=result, study_area=fern)
    for card in impact.figures():
        assert shown[card["key"]] == card["value"], card["key"]
    plan = impact.plan.iloc[0]
    assert shown["cost_per_crime"].startswith(f"£{plan['cost_per_crime_prevented']:,.0f} (")
    assert shown["hotspot_share_covered"] == f"{plan['hotspot_share_covered']:.0%}"
    assert impact.counted in section(page, "outcomes")
    assert plan["baseline_expected"] <= plan["baseline"]  # a busy place: corrected downwards
    assert plan["prevented_lo95"] < plan["prevented"] < plan["prevented_hi95"]

    # 5. evaluation: target = the plan's coverage, control = the rest of the town, crime
    # types = those the projection counted (the plan's, within the group)
    target = shapely.union_all([coverage(iv) for iv in items])
    areas_eval = evaluation_areas(target, study_area=areas, crs="EPSG:27700")
    counted = [c for c in ("Burglary", "Robbery", "Theft from the person", "Vehicle crime")
               if any(c in catalogue_types(iv) for iv in items)]
    observed = evaluate(group_crimes, areas_eval, start="2025-01", categories=counted,
                        study_area=shapely.union_all(areas.geometry.array))
    lo, hi = observed.res_ci
    assert shown["res"] == f"{observed.res:.2f} ({lo:.2f}–{hi:.2f})"
    assert shown["wdq"] == f"{observed.wdq:.2f}".replace("-", "−")
    assert shown["net_effect"] == f"{observed.net_effect:,.0f}"
    assert shown["verdict"] == observed.verdict
    # the planted scheme (data/README.md): the target improved relative to the control
    assert 1.4 < observed.res < 2.5 and lo > 1
    assert "How long the evaluation must run" in section(page, "evaluation")
    assert "with 80% power" in section(page, "evaluation")

    # 6. method and data
    assert shown["rows_read"] == f"{load_report.rows_read:,}"
    assert shown["rows_kept"] == f"{load_report.rows_kept:,}"
    dropped = table(page, "dropped") if "table-dropped" in page else []
    assert [r["rows"] for r in dropped] == [fmt_count(n) for n in load_report.dropped.values()]
    method = section(page, "method")
    assert "Open Government Licence v3.0" in method
    assert "Kestlebury is a fictional town" in method
    assert "hotspots" in method and "weasyprint" in method.lower()


def test_demo_geopackage_layers_and_rows(demo_bundle: ReportBundle, demo_data) -> None:
    gpkg = demo_bundle.paths["geopackage"]
    layers = {str(name): str(kind) for name, kind in pyogrio.list_layers(gpkg)}
    assert set(layers) == {"hotspots", "areas", "interventions", "intervention_sites",
                           "coverage", "evaluation_areas", "crimes"}
    data = demo_bundle.data
    expected = {
        "hotspots": len(data.profile.result.cells), "areas": 10, "interventions": 3,
        "intervention_sites": 3, "coverage": 1, "evaluation_areas": 3,
        "crimes": data.summary.crimes,
    }
    for name, rows in expected.items():
        info = pyogrio.read_info(gpkg, layer=name)
        assert info["features"] == rows, name
        assert info["crs"] == "EPSG:27700", name
    assert layers["crimes"] == "Point" and layers["intervention_sites"] == "Point"
    roles = pyogrio.read_dataframe(gpkg, layer="evaluation_areas")["role"].tolist()
    assert roles == ["target", "buffer", "control"]
    hot = pyogrio.read_dataframe(gpkg, layer="hotspots")
    assert int(hot["hotspot"].sum()) == data.summary.n_hotspots
    if shutil.which("ogrinfo"):  # what a QGIS user's GDAL sees
        listing = subprocess.run(["ogrinfo", "-so", "-q", str(gpkg)], capture_output=True,
                                 text=True, check=True).stdout
        for name in expected:
            assert f": {name} (" in listing


def test_demo_pdf_pages_show_the_maps(demo_bundle: ReportBundle, tmp_path: Path) -> None:
    need_pdf()
    need_poppler()
    pdf = demo_bundle.pdf
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    n_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 6 <= n_pages <= 30
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == n_pages
    text = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for i in range(1, n_pages + 1)]
    everything = "\n".join(text)
    for heading in HEADINGS:
        assert heading in everything
    assert "Ferncliffe Rise" in text[0]
    # maps: a print-resolution image on the page of each map's heading, and not blank
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
    big = {int(line.split()[0]) for line in listing.splitlines()[2:]
           if line.split()[2] == "image" and int(line.split()[3]) >= 1000
           and int(line.split()[4]) >= 1000}
    from PIL import Image

    for heading in ("Where: hotspots", "3. Intervention plan", "5. Evaluation plan"):
        first = next(i for i, t in enumerate(text, start=1) if heading in t)
        # the map follows its heading, on the same page or (when it does not fit) the next
        page = first if first in big else first + 1
        assert page in big, f"no map image on page {first} or {first + 1} ({heading})"
        pixels = np.asarray(Image.open(pages[page - 1]).convert("L"), dtype=float)
        assert pixels.std() > 15, f"page {page} looks blank"
        subprocess.run(["pdfimages", "-png", "-f", str(page), "-l", str(page), str(pdf),
                        str(tmp_path / f"img{page}")], check=True)
        images = [np.asarray(Image.open(p).convert("RGB"), dtype=float)
                  for p in sorted(tmp_path.glob(f"img{page}-*.png"))]
        maps = [im for im in images if im.shape[0] >= 1000 and im.shape[1] >= 1000]
        assert maps and maps[0].std() > 10
        assert len(np.unique(maps[0].reshape(-1, 3)[::37], axis=0)) > 20  # colours, not blank


# --------------------------------------------------------------------------- privacy


def test_small_counts_are_suppressed() -> None:
    frame = pd.DataFrame({"name": ["a", "b", "c", "d"], "count": [0, 3, 12, 1],
                          "share": [0.0, 0.2, 0.7, 0.1]})
    out = suppress_table(frame, ["count"], ["share"], sensitive=True)
    assert out["count"].tolist() == ["0", "<5", "12", "<5"]
    assert out["share"].tolist() == [0.0, "", 0.7, ""]
    assert frame["count"].tolist() == [0, 3, 12, 1]  # input not changed
    same = suppress_table(frame, ["count"], ["share"], sensitive=False)
    assert same["count"].tolist() == [0, 3, 12, 1]


def test_privacy_rule_says_what_was_applied() -> None:
    vawg = CrimeGroup("vawg", "VAWG", ("Public order",), True, "", "")
    burglary = CrimeGroup("b", "Burglary", ("Burglary",), False, "", "")
    assert '"<5"' in privacy_rule(vawg, points=False)
    assert "no crime locations" in privacy_rule(vawg, points=False)
    assert "asked for explicitly" in privacy_rule(vawg, points=True)
    assert "in full" in privacy_rule(burglary, points=False)


def _csv_counts(folder: Path) -> list[str]:
    values = []
    for path in folder.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in COUNT_COLUMNS:
            if col in frame.columns and path.stem != "load_report":
                values += frame[col].tolist()
    return values


def test_vawg_exports_are_aggregated_and_suppressed(demo_data, tmp_path: Path) -> None:
    crimes, report, areas = demo_data
    camera = Intervention(type="cctv", geometry=shapely.Point(440450, 359715), start="2025-01",
                          cost=20000, name="Brewers Row camera")
    bundle = report_from_data(crimes, report, out=tmp_path / "vawg",
                              scope=ReportScope(group="vawg", areas=areas),
                              periods=ReportPeriods("2025-01", "2025-12"),
                              method=MethodSettings(cell_size=100),
                              plan=ReportPlan([camera], "NTE"), output=NO_PDF)
    assert bundle.data.sensitive and not bundle.data.points
    gpkg = bundle.paths["geopackage"]
    kinds = {str(n): str(k) for n, k in pyogrio.list_layers(gpkg)}
    assert "crimes" not in kinds
    assert not any("Point" in k for k in kinds.values()), kinds
    hot = pyogrio.read_dataframe(gpkg, layer="hotspots")
    assert not set(hot["count"].astype(str)) & {"1", "2", "3", "4", "1.0", "2.0"}
    assert "<5" in set(hot["count"].astype(str))
    values = _csv_counts(bundle.out / "tables")
    assert "<5" in values
    assert not {"1", "2", "3", "4"} & set(values)
    page = bundle.html.read_text(encoding="utf-8")
    assert 'class="privacy"' in page and "no crime locations are listed" in page
    for name in ("hotspots", "streets", "categories"):
        if f"table-{name}" in page:
            cells = [r.get("count") for r in table(page, name)]
            assert not {"1", "2", "3", "4"} & set(cells), name
    assert bundle.data.privacy in htmllib.unescape(section(page, "method"))


def test_vawg_points_only_when_asked(demo_data, tmp_path: Path) -> None:
    crimes, report, areas = demo_data
    bundle = report_from_data(
        crimes, report, out=tmp_path / "pts",
        scope=ReportScope(group="vawg", areas=areas, include=["Kestlebury Central"]),
        periods=ReportPeriods("2025-07", "2025-12"), method=COUNT_200,
        output=OutputOptions(points=True, pdf=False, tiles=False, zip=False))
    layers = dict(pyogrio.list_layers(bundle.paths["geopackage"]))
    assert layers["crimes"] == "Point"
    assert pyogrio.read_info(bundle.paths["geopackage"], layer="crimes")["features"] == (
        bundle.data.summary.crimes)
    assert "asked for explicitly" in bundle.html.read_text(encoding="utf-8")
    assert "zip" not in bundle.paths


# --------------------------------------------------------------------------- edge cases


def test_empty_selection_says_so(demo_data, tmp_path: Path) -> None:
    crimes, report, areas = demo_data
    bundle = report_from_data(
        crimes, report, out=tmp_path / "empty",
        scope=ReportScope(group="neighbourhood", areas=areas, include=["Brackwater"]),
        periods=ReportPeriods("2023-01", "2023-06"),
        output=OutputOptions(pdf=pdf_available(), tiles=False))
    s = bundle.data.summary
    assert s.empty and s.crimes == 0 and s.comparison_crimes is None
    assert bundle.data.profile.result is None
    page = bundle.html.read_text(encoding="utf-8")
    assert "No crimes in the group Neighbourhood crime were recorded in Brackwater" in page
    assert "there are no hotspots, crime types, trends, streets or area rankings" in page
    assert "No plan was given" in section(page, "plan")
    assert figures(page)["crimes"] == "0"
    layers = dict(pyogrio.list_layers(bundle.paths["geopackage"]))
    assert set(layers) == {"areas"}  # the boundary, every count 0
    assert (pyogrio.read_dataframe(bundle.paths["geopackage"], layer="areas")["count"]
            == 0).all()
    if pdf_available():
        assert bundle.pdf.read_bytes()[:5] == b"%PDF-"


def test_plan_without_interventions_says_so(demo_data, tmp_path: Path) -> None:
    crimes, report, areas = demo_data
    bundle = report_from_data(
        crimes, report, out=tmp_path / "noplan",
        scope=ReportScope(group="neighbourhood", areas=areas, include=["Hollinmoor"]),
        method=COUNT_200, plan=ReportPlan([], "Option B"), output=NO_PDF)
    page = bundle.html.read_text(encoding="utf-8")
    for name in ("plan", "outcomes", "evaluation"):
        assert "The plan &#39;Option B&#39; has no interventions" in section(page, name)
    assert bundle.data.summary.crimes > 0 and bundle.data.projection.impact is None
    layers = {str(n) for n, _ in pyogrio.list_layers(bundle.paths["geopackage"])}
    assert not layers & {"interventions", "coverage", "evaluation_areas"}


def test_not_yet_measurable_plan_projects_only(demo_data, tmp_path: Path) -> None:
    crimes, report, areas = demo_data
    future = Intervention(type="alley_gates", start="2026-03", cost=3700, name="Gates",
                          geometry=shapely.LineString([(442000, 361250), (442200, 361250)]))
    bundle = report_from_data(
        crimes, report, out=tmp_path / "future",
        scope=ReportScope(group="neighbourhood", areas=areas, include=["Hollinmoor"]),
        method=COUNT_200, plan=ReportPlan([future], "Gates"), output=NO_PDF)
    ev = bundle.data.evaluation
    assert not ev.observed and ev.areas is not None
    assert "Not yet measurable" in ev.message and "no data after the start" in ev.message
    assert bundle.data.projection.impact is not None
    assert bundle.data.projection.impact.window == ("2025-01", "2025-12")


def test_data_text_is_escaped_and_inputs_unchanged(make_crimes, tmp_path: Path) -> None:
    rows = [("Burglary", f"2024-{m:02d}", 440_000 + 40 * (i % 7), 360_000 + 30 * (i % 5))
            for m in range(1, 13) for i in range(6)]
    crimes = make_crimes(rows)
    crimes["location"] = "On or near <b>Bad</b> Street"
    areas = gpd.GeoDataFrame({"area_name": ["<script>x()</script>", "East & West"]},
                             geometry=[shapely.box(439_900, 359_900, 440_150, 360_300),
                                       shapely.box(440_150, 359_900, 440_400, 360_300)],
                             crs="EPSG:27700")
    before = crimes.copy()
    camera = Intervention(type="cctv", geometry=shapely.Point(440_100, 360_060),
                          start="2024-07", cost=1000, name="<img src=x onerror=alert(1)>")
    bundle = report_from_data(crimes, None, out=tmp_path / "esc", scope=ReportScope(areas=areas),
                              method=MethodSettings("count", cell_size=50),
                              plan=ReportPlan([camera], "P&Q"), output=NO_PDF)
    outer = outer_html(bundle.html.read_text(encoding="utf-8"))
    assert "<script>x()" not in outer and "&lt;script&gt;x()&lt;/script&gt;" in outer
    assert "<img src=x" not in outer and "&lt;img src=x onerror=alert(1)&gt;" in outer
    assert "<b>Bad</b>" not in outer and "&lt;b&gt;Bad&lt;/b&gt; Street" in outer
    pd.testing.assert_frame_equal(pd.DataFrame(crimes), pd.DataFrame(before))
    assert bundle.data.summary.crimes == 72 and bundle.data.method["load"] is None
    assert "No load report was given" in outer


# --------------------------------------------------------------------------- config


def test_config_problems_are_listed_with_keys(tmp_path: Path) -> None:
    from hotspots.errors import InputFileError

    (tmp_path / "c.csv").write_text("x\n")
    path = tmp_path / "bad.toml"
    path.write_text('[data]\ninputs = ["c.csv", "missing.csv"]\n'
                    '[selection]\nfrom = "2024-13"\ngroupp = "vawg"\n'
                    '[method]\nname = "magic"\ncell_size = -5\n'
                    '[evaluation]\nmonths_after = 1.5\n'
                    '[[plan.interventions]]\ntype = "cctv"\n')
    with pytest.raises(InputFileError) as info:
        read_report_config(path)
    text = str(info.value)
    assert f"Report config {str(path)!r} has 8 problems:" in text
    for part in ("'data.inputs[1]': value error, 'missing.csv' does not exist",
                 "'selection.groupp' is not a known key",
                 "'selection.from': value error, '2024-13' is not a month written YYYY-MM",
                 "'method.name': input should be 'auto', 'gistar', 'kde', 'count', 'dbscan' "
                 "or 'hdbscan'; got 'magic'",
                 "'method.cell_size': input should be greater than 0; got -5",
                 "'evaluation.months_after': input should be a valid integer; got 1.5",
                 "'plan.interventions[0].wkt' is required but missing",
                 "'plan.interventions[0].start' is required but missing"):
        assert part in text


def test_config_cross_checks_and_keywords(tmp_path: Path) -> None:
    from hotspots.errors import InputFileError

    (tmp_path / "c.csv").write_text("x\n")
    path = tmp_path / "cross.toml"
    path.write_text('[data]\ninputs = "c.csv"\nharm = " Example "\n'
                    '[selection]\nareas = ["North"]\nfrom = "2025-06"\nto = "2025-01"\n'
                    '[plan]\nname = "Option A"\n'
                    '[evaluation]\ncontrol = "REST"\nmonths_before = 6.0\n')
    with pytest.raises(InputFileError) as info:
        read_report_config(path)
    text = str(info.value)
    assert "has 2 problems" in text
    assert "'selection': value error, from = 2025-06 is after to = 2025-01; swap them" in text
    assert "'plan': value error, [plan] file is required with [plan] name" in text
    path.write_text('[data]\ninputs = "c.csv"\nharm = " Example "\n'
                    '[selection]\nareas = "All"\n[evaluation]\ncontrol = "REST"\n'
                    'months_before = 6.0\n[boundary]\nfile = "c.csv"\n')
    cfg = read_report_config(path)
    assert (cfg.harm, cfg.control, cfg.months_before, cfg.areas) == ("example", "rest", 6, None)
    assert cfg.inputs == [tmp_path / "c.csv"] and cfg.boundary == tmp_path / "c.csv"
    path.write_text('[data]\ninputs = "c.csv"\n[selection]\nareas = ["North"]\n')
    with pytest.raises(InputFileError, match="needs a \\[boundary\\] file"):
        read_report_config(path)


def test_demo_config_reads_with_paths_resolved() -> None:
    cfg = read_report_config(DEMO_CONFIG)
    assert cfg.inputs == [ROOT / "data" / "sample_crimes"]
    assert cfg.boundary == NEIGHBOURHOODS and cfg.population_file == POPULATION
    assert (cfg.group, cfg.areas, cfg.start, cfg.end) == (
        "neighbourhood", ["Ferncliffe Rise"], "2025-01", "2025-12")
    assert cfg.method_params == {"cell_size": 100.0} and len(cfg.interventions) == 3
    assert cfg.points is None and cfg.pdf and cfg.control == "rest"


@pytest.mark.realdata
def test_nottingham_burglary_wards(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "nottingham"
    config = tmp_path / "nottingham.toml"
    config.write_text(
        f'title = "Burglary in Nottingham, 2022"\n'
        f'[data]\ninputs = ["{folder / "burglary_2022.csv.gz"}"]\n'
        f'mapping = "{ROOT / "examples" / "nottingham_burglary.toml"}"\n'
        f'[boundary]\nfile = "{folder / "wards.gpkg"}"\nname_column = "ward_name"\n'
        f'kind = "wards"\ndistrict = "Nottingham"\n'
        f'[selection]\ngroup = "neighbourhood"\nfrom = "2022-01"\nto = "2022-12"\n'
        f'[method]\nname = "kde"\ncell_size = 200\nbandwidth = 400\n'
        f'[output]\npdf = false\ntiles = false\n'
    )
    bundle = build_report(config, out=tmp_path / "notts")
    wards = pd.read_csv(bundle.out / "tables" / "areas.csv")
    assert len(wards) == 20
    assert wards["count"].sum() == 1795
    assert bundle.data.summary.crimes == 1795
    assert bundle.data.summary.comparison_crimes is None  # no 2021 data
    page = bundle.html.read_text(encoding="utf-8")
    assert figures(page)["crimes"] == "1,795"
    assert sum(int(r["count"].replace(",", "")) for r in table(page, "areas")) == 1795
    assert "no change is given" in page


def test_a_figure_that_fails_is_left_out_with_a_note(make_crimes, tmp_path: Path,
                                                     monkeypatch) -> None:
    from hotspots.viz import staticmaps

    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(staticmaps, "hotspot_png", broken)
    rows = [("Burglary", "2024-06", 440_000 + 7 * i, 360_000 + 5 * i) for i in range(30)]
    bundle = report_from_data(make_crimes(rows), out=tmp_path / "broken",
                              method=MethodSettings("count", cell_size=50),
                              output=NO_PDF)
    assert "map_hotspots" not in bundle.data.figures
    assert "chart_monthly" in bundle.data.figures  # the other figures are still drawn
    assert [n for n in bundle.notes if "no fonts" in n] == [
        "The hotspots figure could not be drawn (RuntimeError: no fonts), so the report "
        "leaves it out."]
    assert 'alt="Hotspot map"' not in outer_html(bundle.html.read_text(encoding="utf-8"))


def test_no_hotspots_map_shows_the_boundary_and_why(demo_data, tmp_path: Path) -> None:
    from PIL import Image

    crimes, report, areas = demo_data
    bundle = report_from_data(
        crimes, report, out=tmp_path / "none",
        scope=ReportScope(group="neighbourhood", areas=areas, include=["Brackwater"]),
        periods=ReportPeriods("2023-01", "2023-06"), output=NO_PDF)
    assert bundle.data.profile.result is None
    image = np.asarray(Image.open(bundle.data.figures["map_hotspots"]).convert("RGB"), float)
    assert min(image.shape[:2]) >= 1000 and image.std() > 10


def test_drawn_control_recovers_the_planted_scheme(demo_data, tmp_path: Path) -> None:
    """The demo scheme (data/README.md): T 443 -> 255, C 440 -> 463, RES 1.83 (1.50-2.22)."""
    crimes, report, areas = demo_data
    cfg = read_report_config(DEMO_CONFIG)
    items = [Intervention(type=iv.type, geometry=shapely.from_wkt(iv.wkt), start=iv.start,
                          cost=iv.cost, name=iv.name) for iv in cfg.interventions]
    scheme = gpd.read_file(ROOT / "data" / "boundaries" / "demo_scheme.gpkg")
    control = scheme[scheme["role"] == "control"]
    planted = ["Burglary", "Robbery", "Theft from the person", "Vehicle crime",
               "Violence and sexual offences", "Public order"]
    settings = EvaluationSettings(buffer_m=250, control=control, categories=planted)
    bundle = report_from_data(
        crimes, report, out=tmp_path / "scheme",
        scope=ReportScope(group="neighbourhood", areas=areas, include=["Ferncliffe Rise"]),
        method=COUNT_200, plan=ReportPlan(items, "scheme"), evaluation=settings,
        output=OutputOptions(pdf=False, tiles=False, zip=False))
    ev = bundle.data.evaluation
    assert ev.observed and ev.areas.control_rule == "drawn"
    counts = ev.result.counts
    # the plan's coverage is the 250 m target circle drawn as a 24-gon: within a few crimes
    assert abs(counts.Tb - 443) <= 12 and abs(counts.Ta - 255) <= 12
    assert (counts.Cb, counts.Ca) == (440, 463)
    assert 1.7 < ev.result.res < 1.95 and ev.result.res_ci[0] > 1.4
    assert ev.result.params["categories"] == planted
    page = bundle.html.read_text(encoding="utf-8")
    assert figures(page)["res"].startswith(f"{ev.result.res:.2f} (")
    assert "control: drawn" in page
