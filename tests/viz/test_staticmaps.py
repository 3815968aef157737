"""Print maps and charts: pixel size, content, colours, privacy, no network, determinism."""

from __future__ import annotations

import re
import socket
import sys
import threading
import types
from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.analysis.change import compare_periods
from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import ParameterError
from hotspots.evaluation.areas import evaluation_areas
from hotspots.methods.emerging import emerging_hotspots
from hotspots.methods.gistar import gistar_hotspots
from hotspots.planning.interventions import Intervention
from hotspots.planning.interventions import interventions_frame
from hotspots.result import HotspotResult
from hotspots.viz import basemap
from hotspots.viz import classes
from hotspots.viz.colours import CHANGE_COLOURS
from hotspots.viz.colours import EMERGING_COLOURS
from hotspots.viz.colours import GI_COLOURS
from hotspots.viz.colours import PLAN_COLOURS
from hotspots.viz.colours import ROLE_COLOURS
from hotspots.viz.colours import SEQUENTIAL
from hotspots.viz.staticmaps import categories_figure
from hotspots.viz.staticmaps import categories_png
from hotspots.viz.staticmaps import change_figure
from hotspots.viz.staticmaps import change_png
from hotspots.viz.staticmaps import emerging_figure
from hotspots.viz.staticmaps import emerging_png
from hotspots.viz.staticmaps import evaluation_figure
from hotspots.viz.staticmaps import evaluation_png
from hotspots.viz.staticmaps import hotspot_figure
from hotspots.viz.staticmaps import hotspot_png
from hotspots.viz.staticmaps import plan_figure
from hotspots.viz.staticmaps import plan_png
from hotspots.viz.staticmaps import seasonality_figure
from hotspots.viz.staticmaps import seasonality_png
from hotspots.viz.staticmaps import trend_figure
from hotspots.viz.staticmaps import trend_png

BNG = "EPSG:27700"
X0, Y0 = 440_000.0, 360_000.0
DPI = 100  # tests render at 100 dpi (700 x 600 maps) to stay fast; one test checks 200 dpi
MAP_PX = (600, 700)  # rows, columns at DPI
#: A pixel "is" a colour when every channel is within this of it (antialiasing aside).
COLOUR_TOL = 2.5 / 255


# --------------------------------------------------------------------------- helpers


def rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def pixels_of(image: np.ndarray, hex_colour: str, tol: float = COLOUR_TOL) -> int:
    """Number of pixels of ``image`` (RGB or RGBA floats) within ``tol`` of a colour."""
    return int((np.abs(image[..., :3] - rgb(hex_colour)).max(axis=-1) <= tol).sum())


def read_png(path: Path) -> np.ndarray:
    assert path.is_file() and path.stat().st_size > 0
    return mpimg.imread(path)  # fails on an invalid PNG


def assert_not_blank(image: np.ndarray) -> None:
    grey = image[..., :3].mean(axis=-1)
    assert grey.std() > 0.05, "image looks blank"
    assert (grey < 0.3).mean() > 0.002, "no dark ink (text, frame) on the page"


def all_texts(fig) -> list[str]:
    """Every text of a figure: figure texts, axes texts and legend entries."""
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
        if ax.get_legend():
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    for legend in fig.legends:
        texts += [t.get_text() for t in legend.get_texts()]
        texts.append(legend.get_title().get_text())
    return texts


def texts_with(fig, gid: str) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == gid]


def cell(col: int, row: int, size: float = 100.0) -> shapely.Polygon:
    return shapely.box(X0 + col * size, Y0 + row * size, X0 + (col + 1) * size,
                       Y0 + (row + 1) * size)


def count_result(counts: dict[tuple[int, int], int], *, hot: set[tuple[int, int]],
                 n: int = 10) -> HotspotResult:
    """A 'count' result on an n x n grid of 100 m cells with planted counts and hotspots."""
    keys = [(c, r) for r in range(n) for c in range(n)]
    values = np.array([counts.get(k, 0) for k in keys], dtype=float)
    cells = gpd.GeoDataFrame(
        {"cell_id": [f"E{c}N{r}" for c, r in keys], "count": values.astype(int),
         "score": values, "hotspot": [k in hot for k in keys]},
        geometry=[cell(c, r) for c, r in keys], crs=BNG,
    )
    return HotspotResult(cells, "count", {"cell_size": 100.0, "n_crimes": int(values.sum())})


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch):
    """Every test starts with no remembered tile-server probe."""
    monkeypatch.setattr(basemap, "PROBE", basemap.TileProbe())


@pytest.fixture
def planted() -> HotspotResult:
    """One hot cell (E5N5, 40 crimes) among low counts of 1-3."""
    counts = {(5, 5): 40, (1, 1): 1, (2, 7): 2, (8, 2): 3, (7, 7): 3, (3, 3): 2}
    return count_result(counts, hot={(5, 5)})


@pytest.fixture
def crimes(make_crimes):
    """Two years of crimes: background everywhere, a cluster at E5N5 growing in year two."""
    rng = np.random.default_rng(7)
    rows = []
    for month in pd.date_range("2024-01-01", periods=24, freq="MS"):
        label = month.strftime("%Y-%m")
        for x, y in rng.uniform(0, 1000, (20, 2)):
            rows.append(("Burglary", label, X0 + x, Y0 + y))
        extra = 6 if month.year == 2024 else 30
        for x, y in rng.uniform(510, 590, (extra, 2)):
            rows.append(("Burglary", label, X0 + x, Y0 + y))
    return make_crimes(rows)


# --------------------------------------------------------------------------- hotspot maps


def test_hotspot_png_default_size_is_print_resolution(planted, tmp_path):
    path = hotspot_png(planted, tmp_path / "hot.png", basemap="none")
    image = read_png(path)
    assert image.shape[:2] == (1200, 1400)  # 7 x 6 in at 200 dpi
    assert_not_blank(image)


def test_hotspot_png_draws_planted_hot_cell_in_hot_colour(planted, tmp_path):
    image = read_png(hotspot_png(planted, tmp_path / "hot.png", basemap="none", dpi=DPI))
    assert image.shape[:2] == MAP_PX
    assert_not_blank(image)
    # The map frame is about 6.56 in wide for about 1.1 km: one 100 m cell is ~50 px a side
    # (~2,500 px). The darkest class is the top 5% of drawn cells: only the planted cell.
    hot = pixels_of(image, SEQUENTIAL[-1])
    assert 1_200 < hot < 4_000
    # the same grid with no crimes has none of that colour (besides the legend swatch)
    cold = count_result({}, hot=set())
    plain = read_png(hotspot_png(cold, tmp_path / "cold.png", basemap="none", dpi=DPI))
    assert pixels_of(plain, SEQUENTIAL[-1]) < 300


def test_hotspot_label_counts_the_hotspot_and_legend_states_rule(planted):
    fig = hotspot_figure(planted, basemap="none", dpi=DPI)
    assert texts_with(fig, "hotspot-label") == ["40"]
    texts = all_texts(fig)
    assert "Hotspot (top 5% of cells)" in texts
    assert any(t.startswith("Crimes per 100 m grid cell") for t in texts)  # method statement
    assert any("police.uk" in t and "Open Government Licence" in t for t in texts)
    bars = [a for a in fig.axes[0].artists if a.get_gid() == "scale-bar"]
    assert len(bars) == 1 and (bars[0].dx, bars[0].units) == (1.0, "m")  # 1 unit = 1 metre
    assert bars[0].length_fraction == 0.2 and bars[0].location == 3  # lower left
    assert texts_with(fig, "north-arrow") == ["N"]


def test_scale_bar_is_drawn_in_the_lower_left(planted):
    fig = hotspot_figure(planted, basemap="none", dpi=DPI)
    ax = fig.axes[0]
    for artist in list(ax.collections) + [t for t in ax.texts if t.get_gid() != "scale-bar"]:
        artist.set_visible(False)  # leave the frame's furniture only
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].mean(axis=-1) / 255
    box = ax.get_window_extent()
    height = image.shape[0]
    rows = slice(int(height - box.y0 - 0.25 * box.height), int(height - box.y0) - 2)
    left = image[rows, int(box.x0) + 2:int(box.x0 + 0.4 * box.width)]
    right = image[rows, int(box.x0 + 0.6 * box.width):int(box.x1) - 2]
    assert (left < 0.3).sum() > 150  # the bar (about 130 x 4 px at 100 dpi) and its label
    assert (right < 0.3).sum() == 0


def test_gistar_map_uses_gi_colours_for_planted_cluster(crimes, tmp_path):
    # The queen neighbourhood, tested against complete spatial randomness: a lone busy cell
    # is hot with the 8 neighbours that share it (a randomization null cannot single out
    # one cell on a 10 x 10 grid).
    result = gistar_hotspots(crimes, cell_size=100, distance=150, null="csr")
    gi_bin = result.cells.set_index("cell_id")["gi_bin"]
    assert gi_bin.loc["E440500N360500"] >= 2 and (gi_bin >= 2).sum() == 9
    image = read_png(hotspot_png(result, tmp_path / "gi.png", basemap="none", dpi=DPI))
    hot = pixels_of(image, GI_COLOURS[2]) + pixels_of(image, GI_COLOURS[3])
    assert hot > 9 * 1_000  # nine cells of ~1,600 px, each in its class's colour
    legend = all_texts(hotspot_figure(result, basemap="none", dpi=DPI))
    assert {"Hot spot (99%)", "Cold spot (99%)"} <= set(legend)


def test_sensitive_map_suppresses_small_counts_everywhere(tmp_path):
    result = count_result({(2, 2): 3, (7, 7): 12, (5, 0): 1}, hot={(2, 2), (7, 7)})
    areas = gpd.GeoDataFrame({"area_name": ["West", "East"], "count": [4, 13]},
                             geometry=[shapely.box(X0, Y0, X0 + 500, Y0 + 1000),
                                       shapely.box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)],
                             crs=BNG)
    fig = hotspot_figure(result, areas=areas, sensitive=True, basemap="none", dpi=DPI)
    assert sorted(texts_with(fig, "hotspot-label")) == ["12", "<5"]
    assert sorted(texts_with(fig, "area-label")) == ["East\n13", "West\n<5"]
    texts = all_texts(fig)
    shown = (texts_with(fig, "hotspot-label") + texts_with(fig, "area-label")
             + [t.get_text() for t in fig.legends[0].get_texts()])
    small = re.compile(r"(?<![\w<.,–])[1-4](?![\w.,%–])")  # a bare count of 1-4
    assert [t for t in shown if small.search(t)] == []
    assert "Lower half (<5)" in texts
    assert any("shown as <5" in t for t in texts)
    # no point layer: nothing drawn with marker sizes (scatter)
    assert all(len(c.get_sizes()) == 0 for c in fig.axes[0].collections)

    open_fig = hotspot_figure(result, areas=areas, sensitive=False, basemap="none", dpi=DPI)
    assert {"50–75% (3)", "Lower half (1)"} <= set(all_texts(open_fig))
    assert small.search("Lower half (1)") and small.search("West\n4")  # the check can fail
    assert sorted(texts_with(open_fig, "hotspot-label")) == ["12", "3"]
    assert sorted(texts_with(open_fig, "area-label")) == ["East\n13", "West\n4"]


def test_label_top_limits_labels(planted):
    result = count_result({(1, 1): 30, (8, 8): 20, (1, 8): 10}, hot={(1, 1), (8, 8), (1, 8)})
    fig = hotspot_figure(result, basemap="none", dpi=DPI, label_top=2)
    assert texts_with(fig, "hotspot-label") == ["30", "20"]
    assert texts_with(hotspot_figure(result, basemap="none", dpi=DPI, label_top=0),
                      "hotspot-label") == []


def test_touching_hot_cells_are_one_labelled_hotspot():
    result = count_result({(4, 4): 10, (5, 4): 7, (4, 5): 5, (9, 0): 6},
                          hot={(4, 4), (5, 4), (4, 5), (9, 0)})
    fig = hotspot_figure(result, basemap="none", dpi=DPI)
    assert texts_with(fig, "hotspot-label") == ["22", "6"]


def test_cluster_result_map(tmp_path):
    clusters = gpd.GeoDataFrame(
        {"cluster_id": [1, 2], "count": [57, 8], "score": [57.0, 8.0], "hotspot": [True, True]},
        geometry=[shapely.Point(X0, Y0).buffer(80), shapely.Point(X0 + 900, Y0).buffer(40)],
        crs=BNG,
    )
    result = HotspotResult(clusters, "dbscan", {"eps": 50, "min_samples": 5}, layer="clusters")
    fig = hotspot_figure(result, basemap="none", dpi=DPI)
    assert texts_with(fig, "hotspot-label") == ["57", "8"]
    image = read_png(hotspot_png(result, tmp_path / "c.png", basemap="none", dpi=DPI))
    assert pixels_of(image, SEQUENTIAL[-1]) > 300


def test_capped_surface_says_how_many_cells_are_drawn(monkeypatch):
    monkeypatch.setattr(classes, "MAX_MAP_FEATURES", 3)
    result = count_result({(i, i): i + 1 for i in range(6)}, hot={(5, 5)})
    texts = all_texts(hotspot_figure(result, basemap="none", dpi=DPI))
    assert any("The 3 highest-scoring of 6 cells are drawn" in t for t in texts)


def test_empty_result_still_gives_a_map(tmp_path):
    empty = HotspotResult(gpd.GeoDataFrame({"score": [], "hotspot": [], "count": []},
                                           geometry=[], crs=BNG), "count", {"cell_size": 100})
    fig = hotspot_figure(empty, basemap="none", dpi=DPI)
    assert any("No cells to show" in t for t in texts_with(fig, "message"))
    assert read_png(hotspot_png(empty, tmp_path / "e.png", basemap="none", dpi=DPI)).shape[:2] \
        == MAP_PX


def test_areas_in_another_crs_are_reprojected(planted):
    box = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=BNG).to_crs(4326)
    fig = hotspot_figure(planted, areas=gpd.GeoDataFrame(geometry=box), basemap="none",
                         dpi=DPI)
    (x0, x1), (y0, y1) = fig.axes[0].get_xlim(), fig.axes[0].get_ylim()
    assert x0 < X0 and x1 > X0 + 1000 and y0 < Y0 and y1 > Y0 + 1000  # framed in metres
    assert abs((x0 + x1) / 2 - (X0 + 500)) < 5 and abs((y0 + y1) / 2 - (Y0 + 500)) < 5
    assert (y1 - y0) < 1200  # 4% padding each side of the taller-than-needed box


# --------------------------------------------------------------------------- other maps


def test_change_png_colours_planted_increase(crimes, tmp_path):
    comparison = compare_periods(crimes, before=("2024-01", "2024-12"),
                                 after=("2025-01", "2025-12"), cell_size=100)
    cells = comparison.cells.set_index("cell_id")
    assert cells.loc["E440500N360500", "change_class"] == "large increase"
    image = read_png(change_png(comparison, tmp_path / "change.png", basemap="none", dpi=DPI))
    assert image.shape[:2] == MAP_PX
    assert_not_blank(image)
    assert pixels_of(image, CHANGE_COLOURS["large increase"]) > 1_000


def test_change_map_hides_small_totals_for_sensitive_groups(make_crimes):
    crimes = make_crimes([("Robbery", "2024-01", X0 + 50, Y0 + 50)] * 2
                         + [("Robbery", "2024-02", X0 + 350, Y0 + 50)] * 9)
    comparison = compare_periods(crimes, before=("2024-01", "2024-01"),
                                 after=("2024-02", "2024-02"), cell_size=100)
    shown = " ".join(all_texts(change_figure(comparison, basemap="none", dpi=DPI)))
    assert "from 2 in 2024-01" in shown
    hidden = " ".join(all_texts(change_figure(comparison, sensitive=True, basemap="none",
                                              dpi=DPI)))
    assert "from 2 in" not in hidden and "totals are not shown" in hidden


def test_emerging_png_colours_planted_new_hot_spot(make_crimes, tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for month in pd.date_range("2024-01-01", periods=12, freq="MS"):
        label = month.strftime("%Y-%m")
        spot = (510, 590) if month.month == 12 else (0, 1000)  # December all in one cell
        rows += [("Burglary", label, X0 + x, Y0 + y) for x, y in rng.uniform(*spot, (60, 2))]
        if month.month == 12:
            rows += [("Burglary", label, X0 + x, Y0 + y) for x, y in rng.uniform(0, 1000, (1, 2))]
    # against complete spatial randomness: one busy cell in the last month is a new hot spot
    result = emerging_hotspots(make_crimes(rows), cell_size=100, null="csr")
    assert result.cells.set_index("cell_id").loc["E440500N360500", "pattern_code"] == 1
    image = read_png(emerging_png(result, tmp_path / "em.png", basemap="none", dpi=DPI))
    assert pixels_of(image, EMERGING_COLOURS[1]) > 1_000
    assert any(t.startswith("New Hot Spot (") for t in all_texts(
        emerging_figure(result, basemap="none", dpi=DPI)))
    with pytest.raises(ParameterError, match="pattern_code"):
        emerging_figure(count_result({}, hot=set()), basemap="none")


def test_evaluation_png_shows_three_roles(tmp_path):
    areas = evaluation_areas(shapely.Point(X0, Y0).buffer(250),
                             control=shapely.box(X0 + 1200, Y0 - 200, X0 + 1600, Y0 + 200))
    image = read_png(evaluation_png(areas, tmp_path / "ev.png", basemap="none", dpi=DPI))
    assert image.shape[:2] == MAP_PX
    for role in ("target", "buffer", "control"):
        assert pixels_of(image, ROLE_COLOURS[role]) > 500, role
    fig = evaluation_figure(areas, basemap="none", dpi=DPI)
    assert sorted(texts_with(fig, "role-label")) == ["Buffer", "Control", "Target"]
    assert "Target (0.20 km²)" in all_texts(fig)


def test_plan_png_coverage_hotspots_and_names(planted, tmp_path):
    items = [
        Intervention(type="cctv", geometry=shapely.Point(X0 + 550, Y0 + 550), start="2025-01",
                     name="Camera A", cost=12_000),
        Intervention(type="street_lighting",
                     geometry=shapely.LineString([(X0 + 100, Y0 + 200), (X0 + 400, Y0 + 200)]),
                     start="2025-02", name="Lit lane"),
    ]
    drawn = interventions_frame(items, geometry="drawn")
    cover = interventions_frame(items, geometry="coverage")
    fig = plan_figure(drawn, cover, hotspots=planted, basemap="none", dpi=DPI)
    assert sorted(texts_with(fig, "intervention-label")) == ["Camera A", "Lit lane"]
    texts = all_texts(fig)
    assert {"CCTV (fixed cameras)", "Improved street lighting"} <= set(texts)
    assert any("2 interventions" in t and "£12,000" in t for t in texts)
    image = read_png(plan_png(drawn, cover, tmp_path / "plan.png", hotspots=planted,
                              basemap="none", dpi=DPI))
    assert image.shape[:2] == MAP_PX
    # CCTV coverage (first type alphabetically) is its colour at 45% over the white page
    tinted = 0.45 * rgb(PLAN_COLOURS[0]) + 0.55 * np.ones(3)
    assert int((np.abs(image[..., :3] - tinted).max(axis=-1) <= 3 / 255).sum()) > 300


def test_empty_plan_says_so(tmp_path):
    drawn = interventions_frame([], geometry="drawn")
    cover = interventions_frame([], geometry="coverage")
    fig = plan_figure(drawn, cover, basemap="none", dpi=DPI)
    assert texts_with(fig, "message") == ["No interventions in this plan yet."]
    assert read_png(plan_png(None, None, tmp_path / "p.png", basemap="none",
                             dpi=DPI)).shape[:2] == MAP_PX


def test_demo_scheme_evaluation_map(tmp_path):
    root = Path(__file__).resolve().parents[2] / "data" / "boundaries"
    scheme = gpd.read_file(root / "demo_scheme.gpkg")
    town = gpd.read_file(root / "neighbourhoods.gpkg")
    fig = evaluation_figure(evaluation_areas(scheme), areas=town,
                            area_name="neighbourhood_name", basemap="none", dpi=DPI)
    assert "Ferncliffe Rise" in texts_with(fig, "area-label")
    image = read_png(evaluation_png(evaluation_areas(scheme), tmp_path / "demo.png",
                                    areas=town, basemap="none", dpi=DPI))
    assert pixels_of(image, ROLE_COLOURS["target"]) > 300


# --------------------------------------------------------------------------- charts


def test_trend_png_size_line_and_start(tmp_path):
    monthly = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=24, freq="MS"),
                            "count": np.arange(24) + 10})
    image = read_png(trend_png(monthly, tmp_path / "t.png", start="2025-01", dpi=DPI))
    assert image.shape[:2] == (340, 700)  # 7 x 3.4 in
    assert_not_blank(image)
    assert pixels_of(image, "#b2182b") > 200
    fig = trend_figure(monthly, start="2025-01", dpi=DPI)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert set(lines) == {"count", "start 2025-01"}
    np.testing.assert_array_equal(lines["count"].get_ydata(), np.arange(24) + 10)
    assert lines["start 2025-01"].get_linestyle() == "--"


def test_trend_figure_evaluation_columns_and_errors():
    trend = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=4, freq="MS"),
                          "target": [5, 6, 2, 1], "buffer": [3, 3, 3, 4],
                          "control": [5, 5, 6, 5]})
    fig = trend_figure(trend, dpi=DPI)
    colours = {line.get_label(): line.get_color() for line in fig.axes[0].get_lines()}
    assert colours == {"target": "#d95f02", "buffer": "#7570b3", "control": "#1b9e77"}
    with pytest.raises(ColumnMappingError, match="'month'"):
        trend_figure(pd.DataFrame({"count": [1, 2]}))
    with pytest.raises(ParameterError, match="'start'"):
        trend_figure(trend, start="January")


def test_seasonality_averages_calendar_months(tmp_path):
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    counts = np.where(months.year == 2024, 10, 20) + months.month  # mean = 15 + month
    fig = seasonality_figure(pd.DataFrame({"month": months, "count": counts}), dpi=DPI)
    heights = [p.get_height() for p in fig.axes[0].patches]
    np.testing.assert_allclose(heights, np.arange(1, 13) + 15.0)
    assert fig.axes[0].get_ylabel() == "mean crimes per month (2 years)"
    by_name = pd.Series([3.0, 9.0], index=["Feb", "Dec"])
    heights = [p.get_height() for p in seasonality_figure(by_name, dpi=DPI).axes[0].patches]
    assert heights[1] == 3.0 and heights[11] == 9.0 and sum(heights) == 12.0
    image = read_png(seasonality_png(by_name, tmp_path / "s.png", dpi=DPI))
    assert image.shape[:2] == (340, 700)
    with pytest.raises(ParameterError, match="1-12"):
        seasonality_figure(pd.Series([1.0], index=[13]))


def test_seasonality_table_prefers_mean_per_month():
    table = pd.DataFrame({"month_of_year": range(1, 13), "name": ["x"] * 12,
                          "months_in_data": [2] * 11 + [0],
                          "crimes": [10 * m for m in range(1, 12)] + [0],
                          "mean_per_month": [5.0 * m for m in range(1, 12)] + [np.nan]})
    fig = seasonality_figure(table, dpi=DPI)
    ax = fig.axes[0]
    np.testing.assert_allclose([p.get_height() for p in ax.patches], 5.0 * np.arange(1, 12))
    assert [t.get_text() for t in ax.texts][-1] == "no data"
    assert ax.get_ylabel() == "mean crimes per month"
    totals = seasonality_figure(table, value="crimes", dpi=DPI).axes[0]
    assert totals.patches[0].get_height() == 10 and totals.get_ylabel() == "crimes"
    with pytest.raises(ColumnMappingError, match="'harm'"):
        seasonality_figure(table, value="harm")


def test_categories_sorted_labelled_and_sensitive(tmp_path):
    table = pd.DataFrame({"category": ["Robbery", "Burglary", "Drugs"], "count": [3, 120, 7]})
    fig = categories_figure(table, dpi=DPI)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "Burglary", "Drugs", "Robbery"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["120 (92%)", "7 (5%)", "3 (2%)"]
    hidden = categories_figure(table, sensitive=True, dpi=DPI)
    assert [t.get_text() for t in hidden.axes[0].texts] == ["120 (92%)", "7 (5%)", "<5"]
    image = read_png(categories_png(table, tmp_path / "c.png", dpi=DPI))
    assert image.shape[:2] == (225, 700)  # 2.25 in for 3 bars (rounded up to quarter inches)
    with pytest.raises(ColumnMappingError, match="'count'"):
        categories_figure(pd.DataFrame({"category": ["A"]}))


# --------------------------------------------------------------------------- basemap


def _forbid_network(monkeypatch) -> list:
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_auto_basemap_without_contextily_tries_no_network(planted, tmp_path, monkeypatch):
    attempts = _forbid_network(monkeypatch)
    monkeypatch.setitem(sys.modules, "contextily", None)  # not importable
    fig = hotspot_figure(planted, basemap="auto", dpi=DPI)
    assert attempts == []
    assert basemap.PROBE.probes == 0
    assert not any("OpenStreetMap" in t for t in all_texts(fig))


def _fake_contextily(monkeypatch, add_basemap) -> None:
    fake = types.ModuleType("contextily")
    fake.add_basemap = add_basemap
    fake.providers = types.SimpleNamespace(
        OpenStreetMap=types.SimpleNamespace(Mapnik="osm-mapnik"))
    monkeypatch.setitem(sys.modules, "contextily", fake)
    monkeypatch.setattr(basemap.importlib.util, "find_spec",
                        lambda name, *a: object() if name == "contextily" else None)


def test_auto_basemap_offline_probe_fails_and_is_remembered(planted, monkeypatch):
    calls: list = []
    _fake_contextily(monkeypatch, lambda *a, **k: calls.append(k))
    attempts = _forbid_network(monkeypatch)
    hotspot_figure(planted, basemap="auto", dpi=DPI)
    hotspot_figure(planted, basemap="auto", dpi=DPI)
    assert len(attempts) == 1  # probed once, the failure remembered
    assert calls == []  # no tile requested


def test_probe_failure_is_remembered_until_the_retry_time():
    now = [100.0]
    attempts: list = []

    def refuse(host, timeout):
        attempts.append((host, timeout))
        raise OSError("network is off in this test")

    probe = basemap.TileProbe(connect=refuse, clock=lambda: now[0])
    assert probe.reachable(timeout=0.5) is False
    assert attempts == [(basemap.TILE_HOST, 0.5)]
    now[0] += basemap.TILE_RETRY_S - 1  # still remembered: no new probe
    assert probe.reachable(timeout=0.5) is False and len(attempts) == 1
    now[0] += 2  # past the retry time: probed again
    assert probe.reachable(timeout=0.5) is False and len(attempts) == 2


def test_probe_success_is_not_cached_as_failure():
    opened: list = []

    class Connection:
        def __enter__(self):
            opened.append(True)
            return self

        def __exit__(self, *exc):
            return False

    probe = basemap.TileProbe(connect=lambda host, timeout: Connection(), clock=lambda: 0.0)
    assert probe.reachable(timeout=5.0) and probe.reachable(timeout=5.0)
    assert len(opened) == 2  # a reachable server is asked again, never assumed


def test_probe_never_waits_for_a_hanging_connect():
    """A connect that never returns is abandoned after the timeout, not waited for."""
    release = threading.Event()
    started = threading.Event()

    def hang(host, timeout):
        started.set()
        release.wait()  # hangs until the test lets it go
        raise OSError("timed out")

    probe = basemap.TileProbe(connect=hang)
    try:
        assert probe.reachable(timeout=0.01) is False
        assert started.is_set() and not release.is_set()  # returned while connect hung
    finally:
        release.set()


def test_auto_basemap_with_a_hanging_server_draws_no_tiles(planted, monkeypatch):
    calls: list = []
    _fake_contextily(monkeypatch, lambda *a, **k: calls.append(k))
    release = threading.Event()

    def hang(*args, **kwargs):
        release.wait()
        raise OSError("timed out")

    monkeypatch.setattr(basemap, "TILE_TIMEOUT_S", 0.01)
    monkeypatch.setattr(socket, "create_connection", hang)
    try:
        fig = hotspot_figure(planted, basemap="auto", dpi=DPI)
    finally:
        release.set()
    assert calls == []
    assert not any("OpenStreetMap" in t for t in all_texts(fig))


def test_tiles_drawn_when_reachable_and_failure_is_harmless(planted, tmp_path, monkeypatch):
    calls: list = []
    _fake_contextily(monkeypatch, lambda ax, **k: calls.append(k))
    monkeypatch.setattr(basemap, "tiles_reachable", lambda **k: True)
    fig = hotspot_figure(planted, basemap="auto", dpi=DPI)
    assert calls and calls[0]["crs"].to_epsg() == 27700 and calls[0]["source"] == "osm-mapnik"
    assert any("OpenStreetMap contributors" in t for t in all_texts(fig))
    assert hotspot_figure(planted, basemap="none", dpi=DPI) and len(calls) == 1

    def broken(ax, **k):
        raise RuntimeError("tile server said 503")

    _fake_contextily(monkeypatch, broken)
    path = hotspot_png(planted, tmp_path / "broken.png", basemap="auto", dpi=DPI)
    assert read_png(path).shape[:2] == MAP_PX


# --------------------------------------------------------------------------- contract


def test_pngs_are_deterministic_without_timestamps(planted, tmp_path):
    a = hotspot_png(planted, tmp_path / "a.png", basemap="none", dpi=DPI).read_bytes()
    b = hotspot_png(planted, tmp_path / "b.png", basemap="none", dpi=DPI).read_bytes()
    assert a == b
    assert b"Software" not in a and b"Creation Time" not in a and b"matplotlib" not in a


def test_inputs_not_mutated(planted, crimes, tmp_path):
    areas = gpd.GeoDataFrame({"area_name": ["A"], "count": [3]},
                             geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=BNG)
    comparison = compare_periods(crimes, before=("2024-01", "2024-12"),
                                 after=("2025-01", "2025-12"), cell_size=100)
    items = [Intervention(type="cctv", geometry=shapely.Point(X0 + 500, Y0 + 500),
                          start="2025-01")]
    drawn = interventions_frame(items, geometry="drawn")
    cover = interventions_frame(items, geometry="coverage")
    monthly = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=3, freq="MS"),
                            "count": [1, 2, 3]})
    before = [f.copy(deep=True) for f in (planted.cells, areas, comparison.cells, drawn, cover,
                                          monthly)]
    params = dict(planted.params)
    hotspot_png(planted, tmp_path / "h.png", areas=areas, sensitive=True, basemap="none",
                dpi=DPI)
    change_png(comparison, tmp_path / "c.png", areas=areas, basemap="none", dpi=DPI)
    plan_png(drawn, cover, tmp_path / "p.png", areas=areas, hotspots=planted, basemap="none",
             dpi=DPI)
    trend_png(monthly, tmp_path / "t.png", dpi=DPI)
    seasonality_png(monthly, tmp_path / "s.png", dpi=DPI)
    after = [planted.cells, areas, comparison.cells, drawn, cover, monthly]
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(pd.DataFrame(old), pd.DataFrame(new))
    assert planted.params == params


def test_bad_arguments_name_what_to_fix(planted, tmp_path):
    with pytest.raises(ParameterError, match="'path'.*png"):
        hotspot_png(planted, tmp_path / "map.jpg", basemap="none")
    with pytest.raises(ParameterError, match="'basemap'.*'auto', 'none'"):
        hotspot_figure(planted, basemap="osm")
    with pytest.raises(TypeError, match="'result' of hotspot_figure"):
        hotspot_figure(planted.cells)
    with pytest.raises(ParameterError, match="'label_top'"):
        hotspot_figure(planted, label_top=-1, basemap="none")
    with pytest.raises(ParameterError, match="'sensitive'"):
        hotspot_figure(planted, sensitive="yes", basemap="none")
    with pytest.raises(ParameterError, match="'dpi'"):
        hotspot_figure(planted, dpi=0, basemap="none")
    no_crs = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.raises(CRSError, match="'areas' has no CRS"):
        hotspot_figure(planted, areas=no_crs, basemap="none")
    lonlat = HotspotResult(planted.cells.to_crs(4326), "count", {})
    with pytest.raises(CRSError, match="degrees"):
        hotspot_figure(lonlat, basemap="none")
    with pytest.raises(TypeError, match="PeriodComparison"):
        change_png(planted, tmp_path / "c.png")
    with pytest.raises(TypeError, match="EvaluationAreas"):
        evaluation_png(planted, tmp_path / "e.png")


# --------------------------------------------------------------------------- real data


@pytest.mark.realdata
def test_nottingham_burglary_gistar_map(shared_data, tmp_path):
    from hotspots.io import load_boundary
    from hotspots.io import load_crimes

    path = shared_data / "nottingham" / "burglary_2022.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    mapping = {"crs": "EPSG:4326",
               "columns": {"x": "longitude", "y": "latitude", "month": "month",
                           "location": "location", "lsoa_code": "lsoa_code"},
               "constants": {"category": "Burglary"}}
    crimes, _ = load_crimes(path, mapping=mapping)
    wards, _ = load_boundary(shared_data / "nottingham" / "wards.gpkg")
    result = gistar_hotspots(crimes, area=wards)
    fig = hotspot_figure(result, areas=wards, basemap="none")
    assert len(texts_with(fig, "area-label")) == 20  # every ward named
    labels = [int(t.replace(",", "")) for t in texts_with(fig, "hotspot-label")]
    assert 1 <= len(labels) <= 5 and labels == sorted(labels, reverse=True)
    assert sum(labels) <= 1_795
    image = read_png(hotspot_png(result, tmp_path / "nottingham.png", areas=wards,
                                 basemap="none"))
    assert image.shape[:2] == (1200, 1400)
    assert_not_blank(image)
    assert pixels_of(image, GI_COLOURS[3]) > 500
