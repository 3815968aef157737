import geopandas as gpd
import pandas as pd
import shapely

from hotspots.analysis.profile import category_counts
from hotspots.analysis.profile import monthly_counts
from hotspots.analysis.profile import place_profile
from hotspots.analysis.profile import top_streets


def crimes():
    rows = [("Burglary", "2024-01", 5, 5, "On or near Mill Lane"),
            ("Burglary", "2024-03", 6, 6, "On or near Mill Lane"),
            ("Robbery", "2024-03", 7, 7, "On or near High Street"),
            ("Robbery", "2024-04", 8, 8, "No Location"),
            ("Vehicle crime", "2024-04", 500, 500, "On or near Far Road")]
    return gpd.GeoDataFrame(
        {"category": [r[0] for r in rows],
         "month": pd.to_datetime([f"{r[1]}-01" for r in rows]),
         "location": [r[4] for r in rows],
         "weight": [2.0, 2.0, 5.0, 5.0, 1.0]},
        geometry=gpd.points_from_xy([r[2] for r in rows], [r[3] for r in rows]),
        crs="EPSG:27700")


def test_category_counts_with_harm_and_shares():
    table = category_counts(crimes(), weight="weight").set_index("category")
    assert table.loc["Burglary", "count"] == 2 and table.loc["Robbery", "harm"] == 10.0
    assert abs(table["share"].sum() - 1) < 1e-12


def test_monthly_counts_fill_gaps_and_respect_range():
    table = monthly_counts(crimes(), start="2024-01", end="2024-05")
    assert table["count"].tolist() == [1, 0, 2, 2, 0]
    split = monthly_counts(crimes(), by="category")
    assert split.loc[split["month"] == "2024-04", "Robbery"].item() == 1


def test_top_streets_strip_prefix_and_skip_no_location():
    table = top_streets(crimes())
    assert table["street"].tolist() == ["Mill Lane", "Far Road", "High Street"]
    assert table.loc[0, "share"] == 2 / 5


def test_place_profile_counts_only_the_place():
    profile = place_profile(crimes(), shapely.box(0, 0, 10, 10), name="Estate",
                            start="2024-01", end="2024-04")
    assert profile.crimes == 4
    assert profile.share_of_surroundings == 4 / 5
    assert profile.by_month["count"].sum() == 4
    assert profile.streets["street"].iloc[0] == "Mill Lane"
    empty = place_profile(crimes(), shapely.box(900, 900, 910, 910))
    assert empty.crimes == 0 and len(empty.by_category) == 0
