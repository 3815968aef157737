"""Hostile command-line flags and evidence-pack configs: numbers out of range (before any
memory is allocated), months crime data cannot have, paths that are missing or wrong.
Each is refused with a message naming the flag or key, the value and the limit."""

from __future__ import annotations

import gzip
import math
import re
from pathlib import Path
from typing import Any

import shapely
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.errors import InputFileError
from hotspots.report import read_report_config
from tests.hostile.builders import N
from tests.hostile.builders import fields
from tests.hostile.builders import gzip_repeated
from tests.hostile.builders import police
from tests.hostile.builders import row
from tests.hostile.builders import toml
from tests.hostile.builders import write
from tests.hostile.builders import zip_bytes
from tests.hostile.expect import Case
from tests.hostile.expect import Refuses


class CliRefused(Exception):  # noqa: N818 - a clean refusal, as the user sees it
    """The command stopped with a message (exit code 1 or 2), not a traceback."""


def cli(inputs: tuple[Path, list[str]]) -> Any:
    folder, args = inputs
    result = CliRunner().invoke(main, [*args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback
    if result.exit_code != 0:
        raise CliRefused(result.output)
    return result


def spread() -> str:
    """Crimes from Cornwall to Shetland (a grid over the whole UK)."""
    far = [row(i, lon=f"{-5.5 + 0.001 * i:.4f}", lat="50.1") for i in range(N // 2)]
    north = [row(i, lon=f"{-1.2 + 0.001 * i:.4f}", lat="60.4") for i in range(N // 2, N)]
    return police([*far, *north])


def flag_case(name: str, command: str, args: list[str], says: tuple[str, ...], *,
              data: str | None = None) -> Case:
    def build(folder: Path) -> tuple[Path, list[str]]:
        path = write(folder, "2022-01-test-street.csv", data if data is not None else police(
            [row(i, month=f"2022-{1 + i % 6:02d}") for i in range(N)]))
        return folder, [command, str(path), "--out", str(folder / "out"), "--no-tiles",
                        *args]
    return Case(f"flags/{command}-{name}", build, Refuses(says, CliRefused), cli)


def _shown(value: str) -> str:
    """``value`` as a message may print it (1e7 as 1e+07, 10,000,000, ...)."""
    if value.startswith("1e"):
        return f"({value}|1e\\+0{value[2:]}|{float(value):,.0f})"
    return re.escape(value)


def worked(result: Any) -> None:
    assert result.exit_code == 0, result.output


def truncated_gzip(folder: Path) -> tuple[Path, list[str]]:
    """A half-downloaded .csv.gz given to find (it printed only "Aborted!")."""
    data = gzip.compress(police().encode(), mtime=0)
    path = write(folder, "2022-01-test-street.csv.gz", data[: len(data) // 2])
    return folder, ["find", str(path), "--out", str(folder / "out"), "--no-tiles"]


def overlapping_areas(folder: Path, *, partial: bool = False) -> tuple[Path, list[str]]:
    """find with a boundary whose areas overlap: a district and its wards in one layer, or
    (``partial``) two areas drawn over each other where the crimes are."""
    import geopandas as gpd

    data = write(folder, "2022-01-test-street.csv", police(
        [row(i, month=f"2022-{1 + i % 6:02d}") for i in range(60)]))
    if partial:
        names = ["West", "East"]
        shapes = [shapely.box(-1.56, 53.79, -1.546, 53.81), shapely.box(-1.552, 53.79, -1.53,
                                                                        53.81)]
    else:
        names = ["District", "West ward", "East ward"]
        shapes = [shapely.box(-1.56, 53.79, -1.53, 53.81),
                  shapely.box(-1.56, 53.79, -1.545, 53.81),
                  shapely.box(-1.545, 53.79, -1.53, 53.81)]
    gpd.GeoDataFrame({"name": names}, geometry=shapes, crs="EPSG:4326").to_file(
        folder / "areas.gpkg")
    return folder, ["find", str(data), "--boundary", str(folder / "areas.gpkg"),
                    "--name-column", "name", "--method", "count", "--out",
                    str(folder / "out"), "--no-tiles"]


def counts_never_exceed_crimes(says: str) -> Any:
    def check(result: Any) -> None:
        import csv

        worked(result)
        out = Path(re.search(r"wrote (\S+areas\.csv)", result.output).group(1))
        with out.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        total = sum(int(r["count"]) for r in rows)
        assert total == 60, f"areas.csv counts {total} crimes of 60: {rows}"
        assert says in result.output, result.output
    return check


def flag_cases() -> list[Case]:
    out = []
    method = {"--distance": ["--method", "gistar"], "--bandwidth": ["--method", "kde"],
              "--eps": ["--method", "dbscan"], "--cell-size": []}
    for flag in ("--cell-size", "--distance"):
        for command in ("find", "trends"):
            for value in ("0", "-5", "nan", "inf", "abc", "1e7"):
                extra = method[flag] if command == "find" else []
                out.append(flag_case(f"{flag[2:]}-{value}", command, [flag, value, *extra],
                                     (flag, _shown(value))))
    for flag in ("--bandwidth", "--eps"):
        for value in ("0", "nan", "-1", "1e9"):
            out.append(flag_case(f"{flag[2:]}-{value}", "find", [flag, value, *method[flag]],
                                 (flag, _shown(value))))
    for command in ("find", "trends"):
        for value in ("0000-01", "9999-12", "2022-13", "last year"):
            out.append(flag_case(f"from-{value}", command, ["--from", value],
                                 ("--from", value)))
        out.append(flag_case("from-after-to", command, ["--from", "2022-06", "--to", "2022-01"],
                             ("--from",)))
        out.append(flag_case("cell-size-whole-uk-1m", command, ["--cell-size", "1"],
                             ("cell", "--cell-size"), data=spread()))
    out += [
        flag_case("min-samples-0", "find", ["--method", "dbscan", "--min-samples", "0"],
                  ("--min-samples",)),
        Case("flags/find-min-samples-more-than-crimes", lambda d: (d, [
            "find", str(write(d, "2022-01-test-street.csv", police())), "--out",
            str(d / "out"), "--no-tiles", "--method", "dbscan", "--min-samples",
            "1000000000000"]), worked, cli),
        flag_case("min-cluster-size-1", "find", ["--method", "hdbscan", "--min-cluster-size",
                                                 "1"], ("--min-cluster-size",)),
        flag_case("method-bogus", "find", ["--method", "magic"], ("--method", "magic")),
        flag_case("group-bogus", "find", ["--group", "<b>x</b>"], ("--group", "<b>x</b>")),
        flag_case("groups-missing", "find", ["--groups", "nowhere.toml"], ("--groups",)),
        flag_case("harm-missing", "find", ["--harm", "nowhere.csv"], ("--harm",)),
        flag_case("boundary-missing", "find", ["--boundary", "nowhere.gpkg"], ("nowhere.gpkg",)),
        flag_case("mapping-missing", "find", ["--mapping", "nowhere.toml"], ("--mapping",)),
        flag_case("knox-iterations-0", "trends", ["--knox-iterations", "0"],
                  ("--knox-iterations",)),
        flag_case("knox-iterations-huge", "trends", ["--knox-iterations", "10000000000"],
                  ("--knox-iterations",)),
        flag_case("seed-negative", "trends", ["--seed", "-1"], ("--seed",)),
        flag_case("step-bogus", "trends", ["--step", "year"], ("--step", "year")),
        Case("flags/find-truncated-gzip", truncated_gzip,
             Refuses(("2022-01-test-street.csv.gz", "cut short", "Download it again"),
                     CliRefused), cli),
        Case("flags/find-boundary-district-and-wards", overlapping_areas,
             counts_never_exceed_crimes("areas dropped (wholly inside earlier areas: 2)"),
             cli),
        Case("flags/find-boundary-partial-overlap",
             lambda d: overlapping_areas(d, partial=True),
             counts_never_exceed_crimes("overlap was given to the first"), cli),
    ]
    return out


# --------------------------------------------------------------------------- report configs


def read_config(path: Path) -> Any:
    return read_report_config(path)


def config_case(name: str, changes: dict[str, dict[str, Any]], says: tuple[str, ...]) -> Case:
    def build(folder: Path) -> Path:
        write(folder, "crimes.csv", police())
        data: dict[str, Any] = {"data": {"inputs": "crimes.csv"}}
        for section, keys in changes.items():
            data.setdefault(section, {}).update(keys)
        return write(folder, "report.toml", toml(data))
    return Case(f"report-config/{name}", build, Refuses(("report.toml", *says), InputFileError),
                read_config)


def config_cases() -> list[Case]:
    return [
        config_case("months-after-huge", {"evaluation": {"months_after": 1_000_000}},
                    ("evaluation.months_after", "120")),
        config_case("months-before-zero", {"evaluation": {"months_before": 0}},
                    ("evaluation.months_before",)),
        config_case("months-after-float", {"evaluation": {"months_after": 1.5}},
                    ("evaluation.months_after",)),
        config_case("buffer-negative", {"evaluation": {"buffer_m": -250}},
                    ("evaluation.buffer_m",)),
        config_case("buffer-nan", {"evaluation": {"buffer_m": math.nan}},
                    ("evaluation.buffer_m",)),
        config_case("cell-size-inf", {"method": {"cell_size": math.inf}}, ("method.cell_size",)),
        config_case("method-bogus", {"method": {"name": "magic"}}, ("method.name",)),
        config_case("from-0000", {"selection": {"from": "0000-01"}}, ("selection.from",)),
        config_case("to-9999", {"selection": {"to": "9999-12"}}, ("selection.to",)),
        config_case("from-not-a-month", {"selection": {"from": "2024-13"}},
                    ("selection.from", "2024-13")),
        config_case("inputs-missing-file", {"data": {"inputs": "nowhere.csv"}},
                    ("data.inputs", "nowhere.csv")),
        config_case("inputs-number", {"data": {"inputs": 5}}, ("data.inputs",)),
        config_case("mapping-missing", {"data": {"mapping": "nowhere.toml"}},
                    ("data.mapping", "nowhere.toml")),
        config_case("boundary-missing", {"boundary": {"file": "../../../etc/nowhere.gpkg"}},
                    ("boundary.file", "nowhere.gpkg")),
        config_case("unknown-section", {"evaluatoin": {"months_after": 12}}, ("evaluatoin",)),
        config_case("unknown-key", {"output": {"pfd": True}}, ("output.pfd",)),
        config_case("pdf-not-bool", {"output": {"pdf": "yes please"}}, ("output.pdf",)),
        config_case("intervention-bad-month", {"plan": {"interventions": [
            {"type": "cctv", "wkt": "POINT (438500 361350)", "start": "9999-99"}]}},
            ("plan.interventions",)),
        config_case("intervention-cost-negative", {"plan": {"interventions": [
            {"type": "cctv", "wkt": "POINT (438500 361350)", "start": "2024-01",
             "cost": -5}]}}, ("plan.interventions", "cost")),
        Case("report-config/not-toml", lambda d: write(d, "report.toml", "[data\ninputs="),
             Refuses(("report.toml", "TOML"), InputFileError), read_config),
        Case("report-config/missing", lambda d: d / "report.toml",
             Refuses(("report.toml",), InputFileError), read_config),
    ]


# --------------------------------------------------------------------------- harm weights


def _load_harm(path: Path) -> Any:
    from hotspots.groups import load_harm_weights

    return load_harm_weights(path)


def harm_case(name: str, data: str | bytes, expect: Any, *,
              filename: str = "weights.csv") -> Case:
    return Case(f"harm/{name}", lambda d: write(d, filename, data), expect, _load_harm)


def weights_are(expected: dict[str, float]) -> Any:
    def check(weights: Any) -> None:
        assert weights == expected, weights
    return check


def harm_cases() -> list[Case]:
    good = "category,weight\nBurglary,3\nRobbery,5\n"
    def bomb() -> bytes:  # 1 GB of 1 kB lines in about 1 MB
        line = b"Burglary" + b" " * 1000 + b",1\n"
        return gzip_repeated(b"category,weight\n" + line * 10_000, 100)

    return [
        harm_case("valid", good, weights_are({"Burglary": 3.0, "Robbery": 5.0})),
        harm_case("comments-and-crlf", "# mine\r\ncategory,weight\r\n# x\r\nBurglary, 3\r\n",
                  weights_are({"Burglary": 3.0})),
        harm_case("utf16", good.encode("utf-16"), weights_are({"Burglary": 3.0,
                                                               "Robbery": 5.0})),
        harm_case("gzip", gzip.compress(good.encode()), weights_are({"Burglary": 3.0,
                                                                     "Robbery": 5.0}),
                  filename="weights.csv.gz"),
        Case("harm/gzip-bomb", lambda d: write(d, "weights.csv.gz", bomb()),
             Refuses(("weights.csv.gz", "expands to more than"), InputFileError),
             _load_harm),
        harm_case("extra-comma", good + "Vehicle crime,2,extra\n",
                  Refuses(("Harm weights file", "weights.csv", "too many fields: 1"),
                          InputFileError)),
        harm_case("missing-column", "category,score\nBurglary,3\n",
                  Refuses(("weights.csv", "'category' and 'weight'"), InputFileError)),
        harm_case("negative-weight", "category,weight\nBurglary,-3\n",
                  Refuses(("weights.csv", "row 2", "'-3'"), InputFileError)),
        harm_case("nan-weight", "category,weight\nBurglary,nan\n",
                  Refuses(("weights.csv", "'nan'"), InputFileError)),
        harm_case("xlsx", zip_bytes([("xl/workbook.xml", "<workbook/>")]),
                  Refuses(("weights.csv", "xlsx"), InputFileError)),
        harm_case("empty", "", Refuses(("weights.csv", "empty"), InputFileError)),
        harm_case("huge-line", "category,weight\n" + "x" * 2_000_000 + "\n",
                  Refuses(("weights.csv", "line too long: 1"), InputFileError)),
    ]


def cases() -> list[Case]:
    return flag_cases() + config_cases() + harm_cases()


__all__ = ["cases", "fields"]
