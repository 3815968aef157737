"""Hostile values: months and dates out of range or in mixed formats, and coordinates that
are swapped, in another CRS, not numbers, or declared in a CRS that cannot hold them."""

from __future__ import annotations

from typing import Any

from hotspots.errors import ColumnMappingError
from hotspots.errors import InputFileError
from tests.hostile.builders import N
from tests.hostile.builders import fields
from tests.hostile.builders import police
from tests.hostile.builders import row
from tests.hostile.builders import rows_with
from tests.hostile.builders import write
from tests.hostile.cases_csv import FILE
from tests.hostile.cases_csv import load_mapped
from tests.hostile.cases_csv import police_case
from tests.hostile.expect import Case
from tests.hostile.expect import Loads
from tests.hostile.expect import Refuses

ENGINEERING = ('LOCAL_CS["site grid",LOCAL_DATUM["site",0],UNIT["metre",1],'
               'AXIS["X",EAST],AXIS["Y",NORTH]]')


def months_are(*months: str):
    def check(crimes: Any, report: Any) -> None:
        assert report.months == list(months), report.months
    return check


# --------------------------------------------------------------------------- months


def month_cases() -> list[Case]:
    one_bad = {
        "year-0000": ("0000-01", "month out of range"),
        "year-9999": ("9999-12", "month out of range"),
        "year-1899": ("1899-12", "month out of range"),
        "month-13": ("2022-13", "bad date"),
        "month-00": ("2022-00", "bad date"),
        "blank": ("", "bad date"),
        "words": ("last month", "bad date"),
        "us-order-day": ("12/31/2022", "bad date"),
    }
    out = [police_case(f"month-{name}", police(rows_with(r4=row(4, month=value))),
                       Loads(N - 1, {reason: 1}, check=months_are("2022-01")))
           for name, (value, reason) in one_bad.items()]
    forms = {"slash": "2022/02", "day": "2022-02-15", "month-first": "02/2022",
             "day-month-year": "15/02/2022", "name": "Feb 2022", "full-name": "February 2022",
             "with-time": "2022-02-01T00:00:00", "one-digit": "2022-2"}
    out += [police_case(f"month-form-{name}", police(rows_with(r4=row(4, month=value))),
                        Loads(N, check=months_are("2022-01", "2022-02")))
            for name, value in forms.items()]
    out += [
        police_case("month-all-out-of-range",
                    police([row(i, month="0000-01") for i in range(N)]),
                    Refuses((FILE, "No crimes could be kept", "month out of range: 12",
                             "months"), InputFileError)),
        police_case("month-mixed-forms", police(
            [row(i, month=("2022-01", "2022/02", "03/2022", "Apr 2022")[i % 4])
             for i in range(N)]),
            Loads(N, check=months_are("2022-01", "2022-02", "2022-03", "2022-04"))),
    ]
    return out


def dated(name: str, dates: list[str], expect: Any, **changes: Any) -> Case:
    """A mapped file with a date column (and no month column)."""
    header = "lon,lat,date,type"
    lines = [f"{-1.15 + 0.001 * (i % 6):.5f},{52.95 + 0.001 * (i % 4):.5f},{d},Burglary"
             for i, d in enumerate(dates)]
    columns = {"x": "lon", "y": "lat", "date": "date", "category": "type",
               **changes.pop("columns", {})}
    return Case(f"dates/{name}",
                lambda d: (write(d, "dated.csv", "\n".join([header, *lines]) + "\n"),
                           {"crs": "EPSG:4326", "columns": columns, **changes}),
                expect, load_mapped)


def date_cases() -> list[Case]:
    iso = [f"2022-01-{d:02d}" for d in range(1, 16)]
    uk = [f"{d:02d}/02/2022" for d in range(1, 11)]
    return [
        dated("mixed-iso-and-day-first", iso + uk,
              Loads(25, notes=("several formats", "'ISO8601' \\(15\\)", "'%d/%m/%Y' \\(10\\)"),
                    check=months_are("2022-01", "2022-02"))),
        dated("declared-format-reads-only-it", iso[:5] + uk[:5],
              Loads(5, {"bad date": 5}), date_format="%d/%m/%Y"),
        dated("february-31", [*iso[:5], "31/02/2022"], Loads(5, {"bad date": 1})),
        dated("year-0001", [*iso[:5], "0001-01-01"], Loads(5, {"month out of range": 1})),
        dated("year-9999", [*iso[:5], "9999-12-31 23:59"], Loads(5, {"month out of range": 1})),
        dated("utc-zulu", [f"2022-01-{d:02d}T10:00:00Z" for d in range(1, 6)], Loads(5)),
        dated("mixed-offsets", ["2022-01-01T10:00:00Z", "2022-01-02T10:00:00+01:00",
                                "2022-01-03T10:00:00-05:00"], Loads(3)),
        dated("with-times-day-first", ["01/01/2022 10:15", "02/01/2022 23:59:59",
                                       "2022-01-03 08:00"], Loads(3)),
        dated("all-unreadable", ["soon", "later", "never"],
              Refuses(("dated.csv", "No crimes could be kept", "bad date: 3"), InputFileError)),
        dated("excel-serial-numbers", ["44562", "44563"],
              Refuses(("dated.csv", "bad date: 2"), InputFileError)),
    ]


# --------------------------------------------------------------------------- coordinates


def xy_case(name: str, points: list[tuple[str, str]], crs: Any, expect: Any) -> Case:
    """A mapped file of x, y (as written) in ``crs``."""
    lines = [f"{x},{y},2022-01,Burglary" for x, y in points]
    return Case(f"coords/{name}",
                lambda d: (write(d, "xy.csv", "\n".join(["x,y,month,type", *lines]) + "\n"),
                           {"crs": crs, "columns": {"x": "x", "y": "y", "month": "month",
                                                    "category": "type"}}),
                expect, load_mapped)


LONLAT = [(f"{-1.55 + 0.001 * i:.6f}", f"{53.80 + 0.0005 * i:.6f}") for i in range(N)]
BNG = [(f"{430000 + 37 * i}", f"{433000 + 53 * i}") for i in range(N)]
UTM30 = [(f"{597000 + 37 * i}", f"{5962000 + 53 * i}") for i in range(N)]


def coordinate_cases() -> list[Case]:
    out = [
        police_case("coords-swapped", police([row(i, lon=fields(i)[5], lat=fields(i)[4])
                                              for i in range(N)]),
                    Refuses((FILE, "look swapped", "Longitude", "Swap the two columns"),
                            InputFileError)),
        xy_case("bng-with-one-lonlat-row", [*BNG[:-1], LONLAT[0]], "EPSG:27700",
                Loads(N - 1, {"coordinates in another CRS": 1})),
        xy_case("lonlat-with-one-bng-row", [*LONLAT[:-1], BNG[0]], "EPSG:4326",
                Loads(N - 1, {"coordinates in another CRS": 1})),
        xy_case("lonlat-declared-3857", LONLAT, "EPSG:3857",
                Refuses(("xy.csv", "EPSG:3857", "look like longitude/latitude",
                         "crs = 'EPSG:4326'"), InputFileError)),
        xy_case("lonlat-declared-utm30", LONLAT, "EPSG:32630",
                Refuses(("xy.csv", "look like longitude/latitude", "EPSG:4326"),
                        InputFileError)),
        xy_case("lonlat-declared-bng", LONLAT, "EPSG:27700",
                Refuses(("xy.csv", "look like longitude/latitude", "EPSG:4326"),
                        InputFileError)),
        xy_case("bng-declared-lonlat", BNG, "EPSG:4326",
                Refuses(("xy.csv", "look like eastings/northings", "EPSG:27700"),
                        InputFileError)),
        xy_case("utm-declared-lonlat", UTM30, "EPSG:4326",
                Refuses(("xy.csv", "not valid degrees", "projected CRS"), InputFileError)),
        xy_case("utm-declared-right", UTM30, "EPSG:32630", Loads(N)),
        xy_case("declared-geocentric", LONLAT, "EPSG:4978",
                Refuses(("'crs'", "geocentric"), ColumnMappingError)),
        xy_case("declared-engineering", BNG, ENGINEERING,
                Refuses(("'crs'", "engineering"), ColumnMappingError)),
        xy_case("declared-compound", BNG, "EPSG:7405",
                Refuses(("'crs'", "compound", "EPSG:27700"), ColumnMappingError)),
        xy_case("declared-vertical", BNG, "EPSG:5701",
                Refuses(("'crs'", "not a map CRS"), ColumnMappingError)),
        xy_case("declared-unknown", BNG, "EPSG:99999999",
                Refuses(("'crs'", "not a CRS pyproj knows"), ColumnMappingError)),
        xy_case("zero-placeholders", [*LONLAT[:-2], ("0", "0"), ("0.0", "0.000")],
                "EPSG:4326", Loads(N - 2, {"zero coordinates (0, 0)": 2})),
        xy_case("bng-zero-placeholder", [*BNG[:-1], ("0", "0")], "EPSG:27700",
                Loads(N - 1, {"zero coordinates (0, 0)": 1})),
        xy_case("latitude-91", [*LONLAT[:-1], ("-1.5", "91")], "EPSG:4326",
                Loads(N - 1, {"coordinates out of range": 1})),
        xy_case("one-far-away", [*LONLAT[:-1], ("0.5", "10")], "EPSG:4326",
                Loads(N - 1, {"coordinates outside the UK": 1})),
        xy_case("huge-values", [*BNG[:-1], ("1e300", "1e300")], "EPSG:27700",
                Loads(N - 1, {"coordinates outside the UK": 1})),
        xy_case("all-blank", [("", "")] * N, "EPSG:4326",
                Refuses(("xy.csv", "No crimes could be kept", "no coordinates: 12"),
                        InputFileError)),
        xy_case("all-words", [("east", "north")] * N, "EPSG:4326",
                Refuses(("xy.csv", "none of the 12 values", "'x'/'y'", "'east'"),
                        InputFileError)),
        xy_case("chicago-in-utm", [(f"{-87.63 + 0.001 * i:.4f}", "41.88") for i in range(N)],
                "EPSG:4326", Loads(N, check=lambda c, r: r.crs == "EPSG:32616")),
    ]
    for word in ("nan", "NaN", "inf", "-inf", "Infinity", "1e999", "0x1p3", '"1,5"', "--1",
                 "\u22121.5"):
        out.append(xy_case(f"not-a-number-{word}", [*LONLAT[:-1], (word, "53.8")],
                           "EPSG:4326", Loads(N - 1, {"non-numeric coordinates": 1})))
    return out


def cases() -> list[Case]:
    return month_cases() + date_cases() + coordinate_cases()
