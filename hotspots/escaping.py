"""One rule for user text in every output: it is shown as text, never run.

Text from data and config files (area names, streets, crime types, plan names, group
labels, file names, and error messages that quote them) reaches four kinds of output. Each
has one function here, and every output goes through it:

* HTML (maps, the report, the app's HTML blocks): :func:`html_text` escapes ``& < > " '``,
  and ``{ }`` (folium's pages pass through Jinja, where ``{{ }}`` and ``{% %}`` would run).
  Leaflet inserts layer-control names and tooltips as HTML, so map labels are escaped too.
* Markdown (Streamlit's ``st.markdown``, ``st.subheader``, captions, alerts and widget
  labels render Markdown, which includes images that the browser fetches):
  :func:`markdown_text` backslash-escapes the characters CommonMark and Streamlit give a
  meaning to (anywhere, or at the start of a line), and folds line breaks into spaces.
* JavaScript literals: :func:`js_string` writes JSON with ``<``, ``>``, ``&``, ``{``, ``}``
  and the two Unicode line separators escaped, so a value cannot close a ``<script>``.
* Spreadsheets (every CSV written): :func:`spreadsheet_cell` neutralises a cell that a
  spreadsheet would run as a formula (one starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return) by prefixing a single quote, as OWASP advises ("CSV Injection");
  numbers, including negative ones, are left alone. :func:`neutralise_table` applies it to
  the text columns of a table.
* Matplotlib titles and labels: :func:`plot_text` escapes ``$`` (mathtext), so a name such
  as ``$\\frac{`` is drawn as written instead of failing the figure.

Examples
--------
>>> html_text('"><img src=x onerror=alert(1)>')
'&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'
>>> markdown_text("![b](http://host/beacon.png)")
'\\\\!\\\\[b\\\\]\\\\(http\\\\://host/beacon.png\\\\)'
>>> spreadsheet_cell("=HYPERLINK(\\"http://x\\")"), spreadsheet_cell("-1.5"), spreadsheet_cell(-2)
('\\'=HYPERLINK("http://x")', '-1.5', -2)
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "html_text",
    "markdown_text",
    "js_string",
    "spreadsheet_cell",
    "neutralise_table",
    "plot_text",
]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP, "CSV
#: Injection": equals, plus, minus, at, tab, carriage return).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A plain number (optionally signed, decimal, exponent): a value, not a formula.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: Characters with a meaning anywhere in a line of Markdown (links and images, emphasis,
#: code, HTML and autolinks, tables, LaTeX, Streamlit's :emoji: and :colour[...] directives,
#: entities): always escaped.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#!|~$:&])")
#: Characters with a meaning only at the start of a line (lists, headings, rules, quotes,
#: "1." and "1)" lists): escaped there.
_LINE_START = re.compile(r"^(\s*)([-+=.]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def html_text(value: Any) -> str:
    """``value`` as text safe inside HTML elements and quoted attributes.

    Examples
    --------
    >>> html_text("A & B <b>")
    'A &amp; B &lt;b&gt;'
    >>> html_text("{{ 7*7 }}")  # never a Jinja expression in a map page
    '&#123;&#123; 7*7 &#125;&#125;'
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;")


def markdown_text(value: Any, *, lines: bool = False) -> str:
    """``value`` as Markdown that renders as the same text (no link, image, code or heading).

    Line breaks become spaces; with ``lines`` (messages that list problems one a line),
    Markdown line breaks between the escaped lines.

    Examples
    --------
    >>> markdown_text("# Plan *A*\\nline two")
    '\\\\# Plan \\\\*A\\\\* line two'
    >>> markdown_text("2 problems:\\n  - x\\n1. y", lines=True).split("\\n")
    ['2 problems\\\\:  ', '  \\\\- x  ', '1\\\\. y']
    """
    text = "" if value is None else str(value)
    if lines:
        return "  \n".join(_markdown_line(line) for line in _LINE_BREAKS.split(text))
    return _markdown_line(_LINE_BREAKS.sub(" ", text))


def _markdown_line(line: str) -> str:
    escaped = _MARKDOWN.sub(r"\\\1", line)
    match = _LINE_START.match(escaped)
    if match is None:
        return escaped
    lead, mark = match.groups()
    if mark.isdigit():  # "1. item": escape the dot or bracket after the number
        end = match.end()
        return escaped[:end] + "\\" + escaped[end:]
    return f"{lead}\\{mark}{escaped[match.end():]}"


def js_string(value: Any) -> str:
    """``value`` as a JavaScript string literal that cannot end a ``<script>`` element.

    Examples
    --------
    >>> js_string("</script><script>alert(1)</script>")
    '"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"'
    """
    text = json.dumps("" if value is None else str(value), ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("{", "\\u007b"),
                       ("}", "\\u007d")):
        text = text.replace(char, code)
    return text


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with a leading single quote if a spreadsheet would run it as a formula.

    Only text is changed: numbers (and text that is a plain number, such as ``"-1.5"``)
    are values, not formulas, and are returned as they are.

    Examples
    --------
    >>> spreadsheet_cell("@SUM(A1)"), spreadsheet_cell("\\tx"), spreadsheet_cell("Burglary")
    ("'@SUM(A1)", "'\\tx", 'Burglary')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(
            value):
        return "'" + value
    return value


def neutralise_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Numeric columns are untouched (negative numbers stay numbers); text and object
    columns go through :func:`spreadsheet_cell`; column names too.

    Examples
    --------
    >>> t = pd.DataFrame({"street": ["=1+1", "High St"], "change": [-3, 2]})
    >>> neutralise_table(t).to_dict("list")
    {'street': ["'=1+1", 'High St'], 'change': [-3, 2]}
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            out[column] = series.map(spreadsheet_cell, na_action="ignore")
    out.columns = [spreadsheet_cell(c) for c in out.columns]
    return out


def plot_text(value: Any) -> str:
    """``value`` as matplotlib text: dollar signs escaped, so no mathtext is parsed.

    Examples
    --------
    >>> plot_text("Cost $5 to $10")
    'Cost \\\\$5 to \\\\$10'
    """
    return ("" if value is None else str(value)).replace("$", r"\$")
