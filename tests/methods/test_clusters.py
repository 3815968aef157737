"""Tests for hotspots.methods.clusters and .clustertable: DBSCAN/HDBSCAN cluster hotspots."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN
from sklearn.neighbors import KDTree

from hotspots.errors import ColumnMappingError
from hotspots.errors import CRSError
from hotspots.errors import EmptySelectionError
from hotspots.errors import ParameterError
from hotspots.methods.clusters import CORE_PERCENTILE
from hotspots.methods.clusters import DEFAULT_EPS
from hotspots.methods.clusters import MIN_SAMPLES_FLOOR
from hotspots.methods.clusters import cluster_labels
from hotspots.methods.clusters import dbscan_hotspots
from hotspots.methods.clusters import default_min_samples
from hotspots.methods.clusters import hdbscan_hotspots
from hotspots.methods.clustertable import CLUSTER_COLUMNS
from hotspots.schema import street_name

BNG = "EPSG:27700"
#: Planted clusters: centre (m from the origin) and number of crimes.
PLANTED = {(0.0, 0.0): 120, (1500.0, 0.0): 80, (0.0, 1500.0): 50}
N_BACKGROUND = 300
ORIGIN = (450_000.0, 340_000.0)


def _crimes(x, y, **columns) -> gpd.GeoDataFrame:
    n = len(x)
    data = {
        "crime_id": [f"c{i}" for i in range(n)],
        "month": pd.to_datetime(columns.pop("month", ["2022-01-01"] * n)),
        "category": columns.pop("category", ["Burglary"] * n),
        "location": columns.pop("location", ["On or near High Street"] * n),
        "weight": columns.pop("weight", [1.0] * n),
        **columns,
    }
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(x, y), crs=BNG)


def _planted(seed: int = 0) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Crimes snapped to map points: three tight clusters and a sparse background.

    Each cluster's crimes sit on 15 map points within 40 m of its centre (all within 80 m
    of each other); background map points are kept 400 m away from every centre.
    Returns the crimes and the planted cluster index of each crime (-1 = background).
    """
    rng = np.random.default_rng(seed)
    xs, ys, truth = [], [], []
    for k, ((cx, cy), n) in enumerate(PLANTED.items()):
        r = 40 * np.sqrt(rng.uniform(0, 1, 15))
        a = rng.uniform(0, 2 * np.pi, 15)
        mx, my = np.round(cx + r * np.cos(a)), np.round(cy + r * np.sin(a))
        pick = np.concatenate([np.arange(15), rng.integers(0, 15, n - 15)])
        xs.append(mx[pick])
        ys.append(my[pick])
        truth.append(np.full(n, k))
    bg = np.round(rng.uniform(-2500, 2500, (3000, 2)))
    centres = np.array(list(PLANTED))
    far = np.min(np.hypot(*(bg[:, None, :] - centres[None]).transpose(2, 0, 1)), axis=1) > 400
    bg = bg[far][:400]
    pick = rng.integers(0, len(bg), N_BACKGROUND)
    xs.append(bg[pick, 0])
    ys.append(bg[pick, 1])
    truth.append(np.full(N_BACKGROUND, -1))
    x = np.concatenate(xs) + ORIGIN[0]
    y = np.concatenate(ys) + ORIGIN[1]
    truth = np.concatenate(truth)
    order = rng.permutation(len(x))
    return _crimes(x[order], y[order]), truth[order]


def _snapped(seed: int, n_crimes: int = 20_000, n_points: int = 1_500) -> np.ndarray:
    """police.uk-like data: clumpy map points, crimes drawn onto them (many coincide)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 5000, (12, 2))
    clumped = centres[rng.integers(0, 12, n_points // 2)] + rng.normal(0, 150, (n_points // 2, 2))
    spread = rng.uniform(0, 5000, (n_points - n_points // 2, 2))
    points = np.round(np.vstack([clumped, spread]))
    popularity = rng.pareto(1.5, len(points)) + 1
    pick = rng.choice(len(points), n_crimes, p=popularity / popularity.sum())
    return points[pick] + np.array(ORIGIN)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when labellings ``a`` and ``b`` differ only by renaming the labels."""
    pairs = len(set(zip(a.tolist(), b.tolist(), strict=True)))
    return pairs == len(np.unique(a)) == len(np.unique(b))


# ------------------------------------------------------------------- planted clusters


def test_planted_clusters_come_back_with_their_counts():
    crimes, truth = _planted()
    res = dbscan_hotspots(crimes, eps=100, min_samples=20)
    assert res.method == "dbscan" and res.layer == "clusters"
    cells = res.cells
    assert list(cells.columns) == [*CLUSTER_COLUMNS, "geometry"]
    assert cells["count"].tolist() == [120, 80, 50]
    assert cells["cluster_id"].tolist() == [1, 2, 3]
    assert cells["score"].tolist() == [120.0, 80.0, 50.0]
    assert cells["hotspot"].all() and res.n_hotspots == 3
    assert res.params["n_noise"] == N_BACKGROUND
    assert res.params["n_clusters"] == 3
    assert res.params["eps"] == 100 and res.params["min_samples"] == 20
    assert res.params["n_unique_points"] == len(
        np.unique(np.column_stack([crimes.geometry.x, crimes.geometry.y]), axis=0)
    )
    assert cells.crs == crimes.crs
    # every crime's label matches its planted cluster, up to renaming
    labels = cluster_labels(crimes.geometry.x, crimes.geometry.y, eps=100, min_samples=20)
    assert _same_partition(labels, truth)
    assert (labels == -1).sum() == N_BACKGROUND
    # the 'label' column joins per-crime labels to cluster rows
    for row in cells.itertuples():
        assert (labels == row.label).sum() == row.count


def test_planted_clusters_with_collapse_off_are_the_same():
    crimes, _ = _planted(seed=3)
    on = dbscan_hotspots(crimes, eps=100, min_samples=20, collapse=True)
    off = dbscan_hotspots(crimes, eps=100, min_samples=20, collapse=False)
    cols = ["cluster_id", "label", "count", "harm", "area_km2", "top_categories"]
    pd.testing.assert_frame_equal(pd.DataFrame(on.cells[cols]), pd.DataFrame(off.cells[cols]))
    assert on.params["collapse"] is True and off.params["collapse"] is False


def test_polygons_contain_their_members_and_have_area():
    crimes, _ = _planted(seed=1)
    res = dbscan_hotspots(crimes, eps=100, min_samples=20)
    labels = cluster_labels(crimes.geometry.x, crimes.geometry.y, eps=100, min_samples=20)
    for row in res.cells.itertuples():
        members = crimes.geometry[labels == row.label]
        assert shapely.covers(row.geometry, members.to_numpy()).all()
        # hull buffered by eps / 2 = 50 m: every member is 50 m inside the edge, less the
        # sag of the arcs shapely draws with straight segments (about 0.25 m here)
        assert (row.geometry.exterior.distance(members) >= 49.5).all()
        np.testing.assert_allclose(row.area_km2, row.geometry.area / 1e6, rtol=1e-12)
        np.testing.assert_allclose(row.density, row.count / row.area_km2, rtol=1e-12)
    assert res.params["buffer_m"] == 50


def test_single_point_and_collinear_clusters_get_buffered_areas():
    x = [0.0] * 6 + [1000.0, 1010.0, 1020.0, 1030.0, 1040.0, 1050.0]
    y = [0.0] * 6 + [500.0] * 6
    res = dbscan_hotspots(_crimes(x, y), eps=40, min_samples=3)
    by_count = res.cells.set_index("count")
    assert sorted(res.cells["count"]) == [6, 6]
    point_cluster = res.cells[res.cells.geometry.centroid.x < 500].iloc[0]
    line_cluster = res.cells[res.cells.geometry.centroid.x > 500].iloc[0]
    # a disc of radius eps/2 = 20 m (shapely approximates it with 32 segments)
    np.testing.assert_allclose(point_cluster.geometry.area, np.pi * 20**2, rtol=0.01)
    # a 50 m segment buffered by 20 m: 50 x 40 rectangle plus a 20 m disc
    np.testing.assert_allclose(line_cluster.geometry.area, 50 * 40 + np.pi * 20**2, rtol=0.01)
    assert len(by_count) == 2


def test_top_categories_streets_months_and_harm_on_a_hand_example():
    cats = ["Burglary"] * 3 + ["Vehicle crime"] * 2 + ["Robbery"] * 2 + ["Drugs"]
    streets = (
        ["On or near Mill Lane"] * 2 + ["On or near High Street"] * 3
        + ["On or near Parking Area", "", "No Location"]
    )
    months = ["2022-03-01", "2022-01-01", "2022-02-01", "2022-01-01", "2022-03-01",
              "2022-02-01", "2022-01-01", "2022-01-01"]
    weights = [10.0, 10.0, 10.0, 2.0, 2.0, 5.0, 5.0, 1.0]
    x = [0, 1, 2, 3, 4, 5, 6, 7, 3000]
    crimes = _crimes(
        x, [0] * 9, category=cats + ["Burglary"], location=streets + ["On or near Far Road"],
        month=months + ["2023-06-01"], weight=weights + [99.0],
    )
    res = dbscan_hotspots(crimes, eps=50, min_samples=4, weight="weight")
    assert len(res.cells) == 1
    row = res.cells.iloc[0]
    assert row["count"] == 8
    assert row["harm"] == pytest.approx(45.0)
    assert row["top_categories"] == "Burglary (3); Robbery (2); Vehicle crime (2)"
    assert row["top_streets"] == "High Street (3); Mill Lane (2); Parking Area (1)"
    assert row["months"] == "2022-01–2022-03"
    assert any("harm = sum of 'weight'" in note for note in res.notes)
    one = dbscan_hotspots(crimes, eps=50, min_samples=4, top=1)
    assert one.cells.iloc[0]["top_categories"] == "Burglary (3)"
    assert one.cells.iloc[0]["harm"] == 8.0  # no weight column: harm = count


def test_street_name_strips_the_police_uk_prefix():
    assert street_name("On or near Milford Close") == "Milford Close"
    assert street_name("on or near  Supermarket ") == "Supermarket"
    assert street_name("Milford Close") == "Milford Close"
    assert street_name("No Location") == ""
    assert street_name("On or near ") == ""  # police.uk rows with no street name
    assert street_name("") == ""


# --------------------------------------------- collapsed DBSCAN == plain scikit-learn


@pytest.mark.parametrize(("seed", "eps", "min_samples"),
                         [(0, 100, 30), (1, 60, 12), (2, 150, 80), (3, 100, 5), (4, 40, 200)])
def test_collapsed_labels_equal_plain_sklearn_dbscan(seed, eps, min_samples):
    xy = _snapped(seed)
    assert len(np.unique(xy, axis=0)) < len(xy) / 10  # many coincident points
    ours = cluster_labels(xy[:, 0], xy[:, 1], eps=eps, min_samples=min_samples)
    plain = DBSCAN(eps=eps, min_samples=min_samples).fit(xy)
    assert ours.max() >= 1  # the case is not trivial: several clusters
    # identical, not just up to renaming: distinct points are ordered by first crime
    np.testing.assert_array_equal(ours, plain.labels_)
    # the guarantee that does not depend on discovery order: same partition of core
    # points, and each border point joins a cluster it is reachable from
    core = np.zeros(len(xy), bool)
    core[plain.core_sample_indices_] = True
    assert _same_partition(ours[core], plain.labels_[core])
    border = ~core & (ours >= 0)
    if border.any():
        reach = KDTree(xy[core]).query_radius(xy[border], r=eps)
        core_labels = ours[core]
        for label, near in zip(ours[border], reach, strict=True):
            assert label in set(core_labels[near].tolist())
    np.testing.assert_array_equal(ours < 0, plain.labels_ < 0)
    # and the collapse=False path is plain DBSCAN itself
    off = cluster_labels(xy[:, 0], xy[:, 1], eps=eps, min_samples=min_samples, collapse=False)
    np.testing.assert_array_equal(off, plain.labels_)


@pytest.mark.parametrize("right_first", [False, True])
def test_border_point_reachable_from_two_clusters(right_first):
    """B at x=100 is within eps of both clusters but not core; it joins the first found."""
    left = [(-60.0, 0.0)] * 10 + [(0.0, 0.0)] * 3
    right = [(260.0, 0.0)] * 10 + [(200.0, 0.0)] * 3
    border = [(100.0, 0.0)]
    pts = np.array((right + left if right_first else left + right) + border)
    eps, min_samples = 101.0, 10
    ours = cluster_labels(pts[:, 0], pts[:, 1], eps=eps, min_samples=min_samples)
    plain = DBSCAN(eps=eps, min_samples=min_samples).fit_predict(pts)
    np.testing.assert_array_equal(ours, plain)
    assert plain.max() == 1  # two clusters
    first_cluster_x = 260.0 if right_first else -60.0
    assert ours[-1] == ours[np.flatnonzero(pts[:, 0] == first_cluster_x)[0]]


# ------------------------------------------------------------------------- HDBSCAN


def test_hdbscan_finds_the_planted_clusters():
    crimes, truth = _planted(seed=2)
    res = hdbscan_hotspots(crimes, min_cluster_size=40)
    assert res.method == "hdbscan" and res.layer == "clusters"
    assert res.params["collapse"] is False
    assert "no sample weights" in res.notes[0]
    labels = cluster_labels(crimes.geometry.x, crimes.geometry.y, method="hdbscan",
                            min_cluster_size=40)
    found = []
    for k, n in enumerate(PLANTED.values()):
        mine = labels[truth == k]
        label = np.bincount(mine[mine >= 0]).argmax()
        assert (mine == label).mean() >= 0.95
        found.append(label)
        # the cluster is the planted one, give or take a few background crimes
        size = (labels == label).sum()
        assert n * 0.95 <= size <= n + 10
    assert len(set(found)) == 3
    assert res.cells["count"].sum() <= sum(PLANTED.values()) + 30
    for row in res.cells.itertuples():
        members = crimes.geometry[labels == row.label]
        assert shapely.covers(row.geometry, members.to_numpy()).all()


def test_hdbscan_labels_match_sklearn():
    from sklearn.cluster import HDBSCAN

    xy = _snapped(5, n_crimes=3000, n_points=400)
    ours = cluster_labels(xy[:, 0], xy[:, 1], method="hdbscan", min_cluster_size=25,
                          selection="eom")
    theirs = HDBSCAN(min_cluster_size=25, copy=True).fit_predict(xy)
    np.testing.assert_array_equal(ours, theirs)


# ----------------------------------------------------------------- defaults, checks


def test_default_parameters_are_stated_and_recorded():
    crimes, _ = _planted()
    res = dbscan_hotspots(crimes)
    xy = np.column_stack([crimes.geometry.x, crimes.geometry.y])
    assert res.params["eps"] == DEFAULT_EPS == 100
    assert "default" in res.params["eps_rule"] and "default" in res.params["min_samples_rule"]
    # oracle for the rule: the 90th percentile of crimes within eps of each crime
    counts = KDTree(xy).query_radius(xy, r=DEFAULT_EPS, count_only=True)
    expected = max(MIN_SAMPLES_FLOOR, int(np.ceil(np.percentile(counts, CORE_PERCENTILE))))
    assert res.params["min_samples"] == expected
    assert default_min_samples(xy[:, 0], xy[:, 1]) == expected
    assert "within 100 m" in res.method_statement()


def test_default_min_samples_floor_and_percentile():
    # 20 crimes at one point and 80 isolated ones: the busiest 10% see 20 crimes
    x = [0.0] * 20 + [1000.0 * i for i in range(1, 81)]
    assert default_min_samples(x, [0.0] * 100) == 20
    assert default_min_samples([0, 1000, 2000], [0, 0, 0]) == MIN_SAMPLES_FLOOR


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps": 0}, "The 'eps' parameter (--eps) of dbscan_hotspots must be a float in "
                     "(0.0, 10000] metres, got 0."),
        ({"eps": 1e9}, "must be a float in (0.0, 10000] metres, got 1000000000.0"),
        ({"eps": -5.0}, "got -5.0"),
        ({"eps": float("nan")}, "got nan"),
        ({"eps": "100"}, "got '100'"),
        ({"min_samples": 0}, "The 'min_samples' parameter of dbscan_hotspots must be an int "
                             "in [1, inf), got 0."),
        ({"min_samples": 2.5}, "got 2.5"),
        ({"min_samples": True}, "got True"),
        ({"top": 0}, "The 'top' parameter"),
        ({"collapse": "yes"}, "The 'collapse' parameter"),
    ],
)
def test_bad_parameters_are_refused_in_scikit_learn_style(kwargs, message):
    crimes, _ = _planted()
    with pytest.raises(ParameterError) as info:
        dbscan_hotspots(crimes, **kwargs)
    assert message in str(info.value)


def test_hdbscan_bad_parameters():
    crimes, _ = _planted()
    with pytest.raises(ParameterError, match="'min_cluster_size' parameter of hdbscan_hotspots "
                       r"must be an int in \[2, inf\), got 1"):
        hdbscan_hotspots(crimes, min_cluster_size=1)
    with pytest.raises(ParameterError, match="'selection' parameter"):
        hdbscan_hotspots(crimes, selection="best")


def test_input_errors():
    crimes, _ = _planted()
    with pytest.raises(EmptySelectionError, match="no crimes"):
        dbscan_hotspots(crimes.iloc[:0])
    with pytest.raises(EmptySelectionError, match="no crimes"):
        hdbscan_hotspots(crimes.iloc[:0])
    with pytest.raises(CRSError, match="geographic"):
        dbscan_hotspots(crimes.to_crs("EPSG:4326"))
    with pytest.raises(ColumnMappingError, match="'harm'.*Columns: crime_id"):
        dbscan_hotspots(crimes, weight="harm")
    polygons = crimes.set_geometry(crimes.buffer(5))
    with pytest.raises(ParameterError, match="must be points, got Polygon"):
        dbscan_hotspots(polygons)
    with pytest.raises(ParameterError, match="'x' and 'y' of cluster_labels must be finite"):
        cluster_labels([0.0, np.nan], [0.0, 0.0])
    with pytest.raises(ParameterError, match="'method' parameter"):
        cluster_labels([0.0], [0.0], method="kmeans")


def test_crimes_without_location_are_reported_not_dropped_silently():
    crimes, _ = _planted()
    crimes = crimes.copy()
    crimes.loc[crimes.index[:4], "geometry"] = None
    res = dbscan_hotspots(crimes, eps=100, min_samples=20)
    assert any("4 crimes have no location" in note for note in res.notes)
    assert res.params["n_crimes"] == len(crimes)
    assert res.cells["count"].sum() + res.params["n_noise"] == len(crimes)


def test_no_clusters_gives_an_empty_layer_with_a_note():
    crimes = _crimes([0, 500, 1000], [0, 0, 0])
    res = dbscan_hotspots(crimes, eps=100, min_samples=2)
    assert len(res.cells) == 0 and res.n_hotspots == 0
    assert list(res.cells.columns) == [*CLUSTER_COLUMNS, "geometry"]
    assert res.cells.crs == crimes.crs
    assert any("No clusters" in note for note in res.notes)


def test_inputs_are_not_mutated():
    crimes, _ = _planted()
    before = crimes.copy()
    dbscan_hotspots(crimes, eps=100, min_samples=20, weight="weight")
    hdbscan_hotspots(crimes, min_cluster_size=40)
    pd.testing.assert_frame_equal(crimes, before)


# ----------------------------------------------------------------------- real data


def _nottingham_burglary(data: Path) -> gpd.GeoDataFrame:
    frame = pd.read_csv(data / "nottingham" / "burglary_2022.csv.gz")
    points = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs="EPSG:4326")
    crimes = gpd.GeoDataFrame(
        {
            "month": pd.to_datetime(frame["month"]),
            "category": "Burglary",
            "location": frame["location"].fillna(""),
            "weight": 1.0,
        },
        geometry=points,
    )
    return crimes.to_crs(BNG)


@pytest.mark.realdata
def test_nottingham_burglary_collapsed_equals_plain_dbscan(shared_data):
    crimes = _nottingham_burglary(shared_data)
    xy = np.column_stack([crimes.geometry.x, crimes.geometry.y])
    res = dbscan_hotspots(crimes)
    assert res.params["n_crimes"] == 1_795
    assert res.params["n_unique_points"] < 1_795  # coincident map points
    plain = DBSCAN(eps=res.params["eps"], min_samples=res.params["min_samples"]).fit_predict(xy)
    ours = cluster_labels(xy[:, 0], xy[:, 1], eps=res.params["eps"],
                          min_samples=res.params["min_samples"])
    np.testing.assert_array_equal(ours, plain)
    assert res.cells["count"].sum() == (plain >= 0).sum()
    assert 3 <= len(res.cells) <= 60
    assert res.cells["months"].iloc[0].startswith("2022-")
    assert res.cells["top_categories"].str.startswith("Burglary (").all()
