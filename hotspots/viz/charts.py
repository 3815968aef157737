"""Print charts for reports: monthly trend, seasonality, categories (matplotlib, Agg).

Public through :mod:`hotspots.viz.staticmaps`. Pages are 7 inches wide (like the maps) with
a fixed height, so a chart has the same pixel size for the same input at the same dpi. The
evaluation trend chart of the evidence pack keeps its own wider layout (two y axes).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.ticker import MaxNLocator

from hotspots.errors import ColumnMappingError
from hotspots.errors import ParameterError
from hotspots.io.write import atomic_path
from hotspots.months import as_month
from hotspots.months import month_label
from hotspots.privacy import SUPPRESSED
from hotspots.privacy import is_small
from hotspots.validation import check_positive
from hotspots.viz.colours import SERIES_COLOURS
from hotspots.viz.mapframe import DEFAULT_DPI
from hotspots.viz.mapframe import INK
from hotspots.viz.mapframe import MUTED
from hotspots.viz.mapframe import new_figure
from hotspots.viz.mapframe import save_png
from hotspots.viz.mapframe import wrap

__all__ = [
    "CHART_SIZE",
    "CHART_CREDITS",
    "trend_figure",
    "trend_png",
    "seasonality_figure",
    "seasonality_png",
    "categories_figure",
    "categories_png",
    "EVALUATION_SIZE",
    "evaluation_trend_figure",
    "evaluation_trend_png",
]

#: Size of the trend and seasonality charts in inches (half an A4 page's height or less).
CHART_SIZE = (7.0, 3.4)
#: Credits printed under every chart unless others are given.
CHART_CREDITS = "Crime data: police.uk, Open Government Licence v3.0."
#: Colours for any other series, in column order (ColorBrewer Dark2).
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
           "#666666")
BAR_COLOUR = "#4575b4"
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec")
#: Columns a seasonality chart draws by default, in this order: a mean per month is fairer
#: than a total when the data cover some calendar months more often than others.
SEASON_VALUES = ("mean_per_month", "count", "crimes")
_VALUE_LABELS = {"mean_per_month": "mean crimes per month", "count": "crimes", "crimes": "crimes"}
_NOT_VALUES = ("month_of_year", "months_in_data", "year")
#: Categories shown at most in the categories chart (police.uk has 14 crime types).
TOP_CATEGORIES = 14
_BAR_IN = 0.27  # inches per category bar
_TOP_IN, _BOTTOM_IN, _RIGHT_IN = 0.55, 0.62, 0.25


def _chart(size: tuple[float, float], *, title: str, credits: str, dpi: float,
           left_in: float = 0.75, top_in: float = _TOP_IN) -> tuple[Figure, Axes]:
    dpi = check_positive(dpi, name="dpi")
    fig = new_figure(size, dpi)
    W, H = size
    fig.text(0.22 / W, 1 - 0.14 / H, title, ha="left", va="top", fontsize=11.5,
             fontweight="bold", color=INK)
    credit = "\n".join(wrap(credits, width_in=W - 0.44, fontsize=6.0))
    fig.text(0.22 / W, 0.08 / H, credit, ha="left", va="bottom", fontsize=6.0, color=MUTED)
    ax = fig.add_axes((left_in / W, _BOTTOM_IN / H, (W - left_in - _RIGHT_IN) / W,
                       (H - top_in - _BOTTOM_IN) / H))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#888888")
    ax.tick_params(colors=INK, labelsize=7.5, length=3)
    ax.set_axisbelow(True)
    return fig, ax


def _thousands(value: float, _pos: int) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _frame(data: Any, *, name: str, func: str) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.to_frame(data.name or "count")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"'{name}' of {func} should be a pandas DataFrame, got {type(data)}")
    return data


# --------------------------------------------------------------------------- trend


def _monthly_series(monthly: Any) -> tuple[pd.DatetimeIndex, pd.DataFrame]:
    frame = _frame(monthly, name="monthly", func="trend_figure")
    if "month" in frame.columns:
        months = pd.DatetimeIndex(pd.to_datetime(frame["month"]))
        values = frame.drop(columns="month")
    elif isinstance(frame.index, pd.DatetimeIndex):
        months, values = frame.index, frame
    else:
        raise ColumnMappingError(
            "trend_figure needs a 'month' column (or a DatetimeIndex) in 'monthly', e.g. the "
            f"table hotspots.profile.monthly_counts returns; got columns {list(frame.columns)}."
        )
    values = values.select_dtypes("number").drop(
        columns=[c for c in values.columns if values[c].dtype == bool], errors="ignore"
    )
    if values.shape[1] == 0:
        raise ColumnMappingError(
            f"trend_figure found no numeric column to draw in 'monthly' (columns "
            f"{list(frame.columns)}); give it e.g. a 'count' column."
        )
    return months, values


def trend_figure(
    monthly: pd.DataFrame,
    *,
    start: Any = None,
    title: str | None = None,
    ylabel: str = "crimes per month",
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """Return a line chart of crimes per month (see :func:`trend_png`).

    Examples
    --------
    >>> monthly = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=3, freq="MS"),
    ...                         "count": [4, 6, 5]})
    >>> fig = trend_figure(monthly, start="2024-02")
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['count', 'start 2024-02']
    """
    months, values = _monthly_series(monthly)
    ncol = min(4, values.shape[1])
    rows = math.ceil(values.shape[1] / ncol) if values.shape[1] > 1 else 0
    fig, ax = _chart(CHART_SIZE, title=title or "Crimes per month",
                     credits=CHART_CREDITS if credits is None else credits, dpi=dpi,
                     top_in=_TOP_IN + 0.2 * rows)
    others = iter(PALETTE)
    for col in values.columns:
        colour = SERIES_COLOURS.get(str(col)) or next(others, INK)
        ax.plot(months, values[col].to_numpy(dtype=float), color=colour, linewidth=1.6,
                marker="o", markersize=2.8, label=str(col))
    if start is not None:
        when = as_month(start, name="start")
        ax.axvline(when, color=INK, linestyle="--", linewidth=1.0,
                   label=f"start {month_label(when)}")
        ax.annotate(f"start {month_label(when)}", xy=(when, 1), xycoords=("data", "axes fraction"),
                    xytext=(4, -10), textcoords="offset points", fontsize=7, color=INK)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylim(bottom=0, top=max(1.0, float(np.nanmax(values.to_numpy(dtype=float)))) * 1.12)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_ylabel(ylabel, fontsize=8, color=INK)
    if rows:
        lines = [line for line in ax.get_lines() if not line.get_label().startswith("start ")]
        ax.legend(handles=lines, loc="lower left", bbox_to_anchor=(0.0, 1.02), ncols=ncol,
                  fontsize=7, frameon=False, borderaxespad=0.0)
    return fig


def trend_png(
    monthly: pd.DataFrame,
    path: str | Path,
    *,
    start: Any = None,
    title: str | None = None,
    ylabel: str = "crimes per month",
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Path:
    """Write a line chart (PNG) of crimes per month; return its path.

    Parameters
    ----------
    monthly : DataFrame
        A ``month`` column (or a DatetimeIndex) and one or more numeric columns, one line
        each: e.g. :func:`hotspots.profile.monthly_counts` (``month, count``) or an
        evaluation's trend (``month, target, buffer, control``, drawn in the colours of
        :func:`evaluation_trend_figure`).
    path : str or Path
        The ``.png`` to write.
    start : str or Timestamp, optional
        A scheme's start month ("YYYY-MM"), marked with a dashed line.
    title, ylabel, credits : str, optional
        Chart title (default "Crimes per month"), y-axis label, credits line (default
        police.uk, OGL v3.0).
    dpi : float, default 200
        Resolution; the chart is 7 × 3.4 inches (1,400 × 680 pixels at 200 dpi).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> monthly = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=3, freq="MS"),
    ...                         "count": [4, 6, 5]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     trend_png(monthly, Path(tmp) / "trend.png", dpi=50).name
    'trend.png'
    """
    fig = trend_figure(monthly, start=start, title=title, ylabel=ylabel, credits=credits, dpi=dpi)
    return save_png(fig, path, dpi=dpi)


# --------------------------------------------------------------------------- seasonality


def _value_column(frame: pd.DataFrame, value: str | None) -> str:
    if value is not None:
        if value not in frame.columns:
            raise ColumnMappingError(
                f"seasonality_figure: no column {value!r} to draw; columns are "
                f"{list(frame.columns)}."
            )
        return value
    for column in SEASON_VALUES:
        if column in frame.columns:
            return column
    numeric = [c for c in frame.select_dtypes("number").columns if c not in _NOT_VALUES]
    if not numeric:
        raise ColumnMappingError(
            f"seasonality_figure found no numeric column to draw (columns {list(frame.columns)});"
            " give it a 'count' column or name one with value=."
        )
    return str(numeric[0])


def _by_month_of_year(data: Any, value: str | None) -> tuple[np.ndarray, str]:
    """Twelve values (January first; NaN where there are no data) and the y-axis label."""
    if isinstance(data, pd.Series) and not isinstance(data.index, pd.DatetimeIndex):
        series, what = data, "crimes"
    else:
        frame = _frame(data, name="by_month_of_year", func="seasonality_figure")
        if "month_of_year" in frame.columns:
            column = _value_column(frame, value)
            series = frame.set_index("month_of_year")[column]
            what = _VALUE_LABELS.get(column, column)
        elif "month" in frame.columns or isinstance(frame.index, pd.DatetimeIndex):
            months = pd.DatetimeIndex(pd.to_datetime(frame["month"]) if "month" in frame.columns
                                      else frame.index)
            column = _value_column(frame.drop(columns="month", errors="ignore"), value)
            series = frame[column].groupby(months.month.to_numpy()).mean()
            years = months.year.nunique()
            what = f"mean crimes per month ({years} year{'s' if years != 1 else ''})"
        else:
            raise ColumnMappingError(
                "seasonality_figure needs a Series indexed by month of year (1-12), or a table "
                "with a 'month_of_year' column, or a monthly table with a 'month' column; got "
                f"columns {list(frame.columns)}."
            )
    index = pd.Index(series.index)
    if index.dtype == object or pd.api.types.is_string_dtype(index):
        lookup = {m.lower(): i + 1 for i, m in enumerate(MONTH_NAMES)}
        index = pd.Index([lookup.get(str(v)[:3].lower(), -1) for v in index])
    if not pd.api.types.is_integer_dtype(index) or not index.isin(range(1, 13)).all():
        raise ParameterError(
            "The months of 'by_month_of_year' must be 1-12 (or Jan-Dec); got "
            f"{list(series.index)[:12]}."
        )
    values = pd.Series(series.to_numpy(dtype=float), index=index).groupby(level=0).sum(
        min_count=1)
    return values.reindex(range(1, 13), fill_value=0.0).to_numpy(), what


def seasonality_figure(
    by_month_of_year: pd.Series | pd.DataFrame,
    *,
    value: str | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """Return a bar chart of crimes by month of year (see :func:`seasonality_png`).

    Examples
    --------
    >>> fig = seasonality_figure(pd.Series(range(1, 13), index=range(1, 13)))
    >>> len(fig.axes[0].patches)
    12
    """
    values, what = _by_month_of_year(by_month_of_year, value)
    fig, ax = _chart(CHART_SIZE, title=title or "Seasonality: crimes by month of year",
                     credits=CHART_CREDITS if credits is None else credits, dpi=dpi)
    x = np.arange(12)
    known = np.isfinite(values)
    ax.bar(x[known], values[known], width=0.72, color=BAR_COLOUR)
    top = max(1.0, float(np.nanmax(values))) if known.any() else 1.0
    whole = np.allclose(values[known], np.round(values[known]))
    for xi, v in zip(x, values, strict=True):
        text = "no data" if not np.isfinite(v) else f"{v:,.0f}" if whole else f"{v:,.1f}"
        ax.text(xi, (v if np.isfinite(v) else 0.0) + top * 0.015, text, ha="center",
                va="bottom", fontsize=6.5, color=MUTED if not np.isfinite(v) else INK)
    ax.set_xticks(x, MONTH_NAMES)
    ax.set_ylim(0, top * 1.15)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_ylabel(ylabel or what, fontsize=8, color=INK)
    return fig


def seasonality_png(
    by_month_of_year: pd.Series | pd.DataFrame,
    path: str | Path,
    *,
    value: str | None = None,
    title: str | None = None,
    ylabel: str | None = None,
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Path:
    """Write a bar chart (PNG) of crimes by month of year; return its path.

    Parameters
    ----------
    by_month_of_year : Series or DataFrame
        A Series indexed by month of year (1–12 or "Jan"–"Dec"); or a table with a
        ``month_of_year`` column; or a monthly table (``month`` column, e.g.
        :func:`hotspots.profile.monthly_counts`), averaged per calendar month. Months
        missing from the index count as 0; NaN values are labelled "no data".
    path : str or Path
        The ``.png`` to write.
    value : str, optional
        The column to draw; default the first of :data:`SEASON_VALUES` present
        (``mean_per_month``, ``count``, ``crimes``), else the first other numeric column.
    title, ylabel, credits, dpi
        As in :func:`trend_png` (7 × 3.4 inches).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     seasonality_png(pd.Series([5] * 12, index=range(1, 13)),
    ...                     Path(tmp) / "season.png", dpi=50).name
    'season.png'
    """
    fig = seasonality_figure(by_month_of_year, value=value, title=title, ylabel=ylabel,
                             credits=credits, dpi=dpi)
    return save_png(fig, path, dpi=dpi)


# --------------------------------------------------------------------------- categories


def categories_size(n: int) -> tuple[float, float]:
    """Chart size in inches for ``n`` category bars (height in quarter inches).

    Examples
    --------
    >>> categories_size(14)
    (7.0, 5.25)
    """
    return (7.0, max(2.0, math.ceil((_TOP_IN + _BOTTOM_IN + 0.2 + _BAR_IN * n) * 4) / 4))


def categories_figure(
    category_counts: pd.DataFrame,
    *,
    sensitive: bool = False,
    top: int = TOP_CATEGORIES,
    title: str | None = None,
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Figure:
    """Return a horizontal bar chart of crimes per category (see :func:`categories_png`).

    Examples
    --------
    >>> table = pd.DataFrame({"category": ["Burglary", "Robbery"], "count": [12, 3]})
    >>> fig = categories_figure(table, sensitive=True)
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['12 (80%)', '<5']
    """
    frame = _frame(category_counts, name="category_counts", func="categories_figure")
    missing = [c for c in ("category", "count") if c not in frame.columns]
    if missing:
        raise ColumnMappingError(
            f"categories_figure needs columns 'category' and 'count' (as "
            f"hotspots.profile.category_counts returns); missing {missing}."
        )
    if not isinstance(top, int | np.integer) or top < 1:
        raise ParameterError(f"The 'top' parameter must be a whole number >= 1, got {top!r}.")
    counts = frame["count"].to_numpy(dtype=float)
    total = counts.sum()
    table = pd.DataFrame({"category": frame["category"].astype(str).to_numpy(), "count": counts})
    table = table.sort_values(["count", "category"], ascending=[False, True]).head(int(top))
    size = categories_size(len(table))
    longest = max((len(c) for c in table["category"]), default=10)
    left = min(3.0, 0.3 + longest * 7.5 * 0.55 / 72)
    fig, ax = _chart(size, title=title or "Crimes by category",
                     credits=CHART_CREDITS if credits is None else credits, dpi=dpi,
                     left_in=left)
    y = np.arange(len(table))
    ax.barh(y, table["count"], height=0.68, color=BAR_COLOUR)
    ax.set_yticks(y, table["category"])
    ax.invert_yaxis()
    peak = max(1.0, float(table["count"].max()) if len(table) else 1.0)
    for yi, v in zip(y, table["count"], strict=True):
        if sensitive and is_small(v):
            text = SUPPRESSED
        else:
            share = v / total if total > 0 else None
            text = f"{v:,.0f}" if share is None else (
                f"{v:,.0f} ({share:.0%})" if share >= 0.01 or share == 0 else
                f"{v:,.0f} ({share:.1%})")
        ax.text(v + peak * 0.01, yi, text, va="center", ha="left", fontsize=6.8, color=INK)
    ax.set_xlim(0, peak * 1.2)
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_xlabel("crimes", fontsize=8, color=INK)
    return fig


def categories_png(
    category_counts: pd.DataFrame,
    path: str | Path,
    *,
    sensitive: bool = False,
    top: int = TOP_CATEGORIES,
    title: str | None = None,
    credits: str | None = None,
    dpi: float = DEFAULT_DPI,
) -> Path:
    """Write a horizontal bar chart (PNG) of crimes per category, largest first.

    Parameters
    ----------
    category_counts : DataFrame
        Columns ``category`` and ``count`` (e.g. :func:`hotspots.profile.category_counts`).
    path : str or Path
        The ``.png`` to write.
    sensitive : bool, default False
        Counts of 1–4 are labelled "<5" (and without a share).
    top : int, default 14
        At most this many categories (the largest).
    title, credits, dpi
        As in :func:`trend_png`; the height grows with the number of bars
        (:func:`categories_size`).

    Examples
    --------
    >>> import tempfile
    >>> table = pd.DataFrame({"category": ["Burglary", "Robbery"], "count": [12, 3]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     categories_png(table, Path(tmp) / "categories.png", dpi=50).name
    'categories.png'
    """
    fig = categories_figure(category_counts, sensitive=sensitive, top=top, title=title,
                            credits=credits, dpi=dpi)
    return save_png(fig, path, dpi=dpi)


# --------------------------------------------------------------------------- evaluation trend


#: Size of the evaluation trend chart in inches (a full-width chart with two y axes).
EVALUATION_SIZE = (9.0, 3.8)


def evaluation_trend_figure(result: Any, *, title: str | None = None) -> Figure:
    """Crimes per month in target and buffer (left axis) and control (right axis).

    The control is usually far larger than the target, so it gets its own axis; the
    scheme's start is marked with a dotted line. ``result`` is an
    :class:`~hotspots.evaluation.before_after.EvaluationResult`.
    """
    trend = result.trend
    fig = Figure(figsize=EVALUATION_SIZE, layout="constrained")
    ax = fig.add_subplot()
    months = pd.to_datetime(trend["month"])
    lines = []
    for role in ("target", "buffer"):
        lines += ax.plot(months, trend[role], marker="o", markersize=3, label=role,
                         color=SERIES_COLOURS[role])
    ax.set_ylabel("target and buffer: crimes per month")
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    lines += right.plot(months, trend["control"], marker="s", markersize=3, linestyle="--",
                        label="control (right axis)", color=SERIES_COLOURS["control"])
    right.set_ylabel("control: crimes per month")
    right.set_ylim(bottom=0)
    start = pd.Timestamp(result.counts.start)
    ax.axvline(start, color="#333", linestyle=":", linewidth=1.2)
    ax.annotate(f"start {start:%Y-%m}", xy=(start, 1), xycoords=("data", "axes fraction"),
                xytext=(4, -12), textcoords="offset points", fontsize="small")
    ax.legend(handles=lines, loc="lower left", fontsize="small")
    ax.set_title(title or "Crimes per month in the target, buffer and control areas")
    return fig


def evaluation_trend_png(result: Any, path: str | Path, *, dpi: float = 150) -> Path:
    """Write the evaluation trend chart (PNG, :func:`evaluation_trend_figure`); return its path.

    Examples
    --------
    >>> import tempfile, shapely, geopandas as gpd
    >>> from hotspots.evaluation.areas import evaluation_areas
    >>> from hotspots.evaluation.before_after import evaluate
    >>> areas = evaluation_areas(shapely.Point(0, 0).buffer(100), buffer_m=100,
    ...                          control=shapely.Point(1000, 0).buffer(100))
    >>> crimes = gpd.GeoDataFrame({"month": pd.to_datetime(["2024-12-01", "2025-01-01"]),
    ...     "category": "Burglary"}, geometry=[shapely.Point(0, 0)] * 2, crs="EPSG:27700")
    >>> result = evaluate(crimes, areas, start="2025-01", months_before=1, months_after=1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     evaluation_trend_png(result, Path(tmp) / "trend.png", dpi=50).name
    'trend.png'
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        evaluation_trend_figure(result).savefig(tmp, format="png", dpi=dpi)
    return path
