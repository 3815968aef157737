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
    "EmptyFileError",
    "NotCrimeFileError",
    "PDFUnavailableError",
    "PoliceAPIError",
    "OfflineError",
    "ServiceUnavailableError",
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


class EmptyFileError(InputFileError):
    """A file with no data rows (empty, or a header only)."""


class NotCrimeFileError(InputFileError):
    """A CSV whose header is neither police.uk nor readable with the mapping given."""


class PDFUnavailableError(HotspotsError):
    """The PDF renderer (WeasyPrint) or the libraries it needs are missing."""


class PoliceAPIError(HotspotsError):
    """data.police.uk answered, but not with what was asked for (bad id, month, answer)."""


class OfflineError(PoliceAPIError):
    """data.police.uk cannot be reached: no network, name lookup failed, no answer."""


class ServiceUnavailableError(PoliceAPIError):
    """data.police.uk answers, but only with errors (429 or 5xx), even after retries."""
