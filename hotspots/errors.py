"""Exceptions raised by hotspots.

Every exception subclasses :class:`ValueError`, so callers that already catch
``ValueError`` for bad input keep working, and every message names the argument,
file or column, the value received, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "HotspotsError",
    "InputFileError",
    "ColumnMappingError",
    "CRSError",
    "ParameterError",
    "EmptySelectionError",
]


class HotspotsError(ValueError):
    """Base class for every error hotspots raises on bad input."""


class InputFileError(HotspotsError):
    """A file could not be read as what it was supposed to be."""


class ColumnMappingError(HotspotsError):
    """A column mapping names columns that are missing, or misses required ones."""


class CRSError(HotspotsError):
    """A coordinate reference system is missing, geographic where metres are needed, or wrong."""


class ParameterError(HotspotsError):
    """A parameter is outside the values it may take."""


class EmptySelectionError(HotspotsError):
    """A selection (area, crime group, period) left no crimes to analyse."""
