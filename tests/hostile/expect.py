"""What a hostile-input case is, what it must come to, and how the outcome is checked.

A :class:`Case` builds its input files in a temporary folder and says what must happen:

* :class:`Loads`: a correct load. Exactly ``kept`` rows kept, exactly ``dropped`` (reason ->
  rows) dropped, every row accounted for (``rows_read == kept + dropped``), and each of
  ``notes`` (regular expressions) found in the report's notes; ``check`` may look at the
  values (no field shifted into another column, text read as written).
* :class:`Refuses`: a clean error. An exception of type ``error`` (always a
  :class:`~hotspots.errors.HotspotsError`, or a click usage error for flags) whose message
  matches every regular expression in ``says``: the file, column, key or value, and how to
  fix it.

Anything else fails the case: a traceback (any other exception), a silent drop or wrong
count, a bad input accepted, or a case running past :data:`CASE_SECONDS` (a hang).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from hotspots.errors import HotspotsError

#: Seconds one case may take before it counts as a hang (they take well under one).
CASE_SECONDS = 20


@dataclass(frozen=True)
class Loads:
    """A correct load: exact counts, every drop reported with its reason."""

    kept: int
    dropped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    header_lines: int = 0
    check: Callable[[Any, Any], None] | None = None


@dataclass(frozen=True)
class Refuses:
    """A clean error that names what is wrong and how to fix it."""

    says: tuple[str, ...]
    error: type[BaseException] = HotspotsError


@dataclass(frozen=True)
class Case:
    """One hostile input: ``build(folder)`` writes it and returns what ``run`` takes."""

    name: str
    build: Callable[[Path], Any]
    expect: Loads | Refuses | Any
    run: Callable[[Any], Any]


class CaseTimeout(Exception):  # noqa: N818 - a hang, reported as such
    """A case ran past CASE_SECONDS."""


def _alarm(signum: int, frame: Any) -> None:
    raise CaseTimeout(f"the case ran past {CASE_SECONDS} s (a hang)")


def run_case(case: Case, folder: Path) -> None:
    """Build and run ``case``; fail (AssertionError) unless it comes out as expected."""
    inputs = case.build(folder)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CASE_SECONDS)
    try:
        outcome, error = _outcome(case, inputs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    expect = case.expect
    if isinstance(expect, Refuses):
        assert error is not None, f"bad input accepted: {_describe(outcome)}"
        assert isinstance(error, expect.error), (
            f"traceback: {type(error).__name__}: {error}")
        message = str(error)
        for pattern in expect.says:
            assert re.search(pattern, message, re.S), (
                f"unclear error: {pattern!r} not in {message!r}")
        return
    if error is not None:
        raise AssertionError(f"expected {expect}, got {type(error).__name__}: {error}") \
            from error
    if isinstance(expect, Loads):
        check_load(outcome, expect)
    else:  # a custom expectation: a function of the outcome
        expect(outcome)


def _outcome(case: Case, inputs: Any) -> tuple[Any, BaseException | None]:
    try:
        return case.run(inputs), None
    except CaseTimeout:
        raise
    except Exception as exc:  # every exception is an outcome to judge
        return None, exc


def _describe(outcome: Any) -> str:
    if isinstance(outcome, tuple) and len(outcome) == 2 and hasattr(outcome[1], "rows_kept"):
        report = outcome[1]
        return f"{report.rows_kept} rows kept of {report.rows_read}, dropped {report.dropped}"
    return repr(outcome)[:300]


def check_load(outcome: Any, expect: Loads) -> None:
    """The counts, drops and notes of a load are exactly those expected."""
    crimes, report = outcome
    dropped = {k: v for k, v in report.dropped.items() if v}
    assert (report.rows_kept, dropped) == (expect.kept, expect.dropped), (
        f"wrong counts: kept {report.rows_kept}, dropped {dropped}; expected kept "
        f"{expect.kept}, dropped {expect.dropped}. Notes: {report.notes}")
    assert len(crimes) == report.rows_kept
    assert report.rows_read == report.rows_kept + report.rows_dropped, "silent drop"
    assert report.header_lines == expect.header_lines
    for pattern in expect.notes:
        assert any(re.search(pattern, note) for note in report.notes), (
            f"no note matches {pattern!r}: {report.notes}")
    if expect.check is not None:
        expect.check(crimes, report)
