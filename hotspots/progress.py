"""Progress reporting for long work: one callback type every pipeline accepts.

A progress callback is called as ``progress(done, total, label)``: ``done`` steps of
``total`` are finished and ``label`` says what is happening now. The CLI prints it to
stderr, the app shows a progress bar, and library callers may pass ``None``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["Progress", "note_progress"]

#: ``progress(done, total, label)``; the return value is ignored.
Progress = Callable[[int, int, str], Any]


def note_progress(progress: Progress | None, done: int, total: int, label: str,
                  *, logger: logging.Logger | None = None) -> None:
    """Log ``label`` and pass the step to ``progress`` when one is given.

    Examples
    --------
    >>> seen = []
    >>> note_progress(lambda *a: seen.append(a), 1, 5, "Selecting")
    >>> seen
    [(1, 5, 'Selecting')]
    """
    (logger or logging.getLogger("hotspots")).info(label)
    if progress is not None:
        progress(done, total, label)
