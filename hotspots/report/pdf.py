"""The evidence pack as PDF: the report's HTML rendered by WeasyPrint, offline.

WeasyPrint (PyPI) lays out HTML and CSS for print, with page sizes, page numbers and page
breaks, and needs the Pango text libraries from the operating system (Debian:
``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`` and a font such as
``fonts-dejavu-core``). The report's HTML holds everything inline (images as data URIs), so
rendering never touches the network: any other URL is refused rather than fetched.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hotspots.errors import PDFUnavailableError
from hotspots.io.write import atomic_path

__all__ = ["write_pdf", "pdf_available", "DEBIAN_PACKAGES"]

log = logging.getLogger(__name__)

#: Operating-system packages WeasyPrint needs on Debian/Ubuntu (WeasyPrint's install notes).
DEBIAN_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0",
                   "fonts-dejavu-core")



def _weasyprint() -> Any:
    try:
        import weasyprint
    except ImportError as exc:
        raise PDFUnavailableError(
            "WeasyPrint is not installed, so no PDF was made (the HTML report is complete and "
            "printable). Install it with 'pip install weasyprint'. "
            f"({exc})"
        ) from None
    except OSError as exc:  # the Python package is there but Pango is not
        raise PDFUnavailableError(
            "WeasyPrint cannot find the Pango libraries it needs, so no PDF was made (the HTML "
            f"report is complete and printable). On Debian or Ubuntu: apt-get install "
            f"{' '.join(DEBIAN_PACKAGES)}. ({exc})"
        ) from None
    return weasyprint


def pdf_available() -> bool:
    """True when WeasyPrint and its libraries load.

    Examples
    --------
    >>> isinstance(pdf_available(), bool)
    True
    """
    try:
        _weasyprint()
    except PDFUnavailableError:
        return False
    return True


def _offline_fetcher(weasyprint: Any) -> Any:
    """A URL fetcher serving data: URIs only: nothing is fetched from the network."""
    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    if fetcher_class is not None:  # WeasyPrint 67 and later
        return fetcher_class(allowed_protocols=("data",), timeout=1)

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:  # older WeasyPrint: a function
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        raise ValueError(f"the report PDF is made offline; not fetching {url[:80]!r}")

    return fetch


def write_pdf(html: str, path: str | Path) -> Path:
    """Render ``html`` (a self-contained page) to a PDF at ``path``, atomically.

    Raises
    ------
    PDFUnavailableError
        WeasyPrint or the Pango libraries are missing (the message says how to install).

    Examples
    --------
    >>> import tempfile
    >>> if pdf_available():
    ...     out = write_pdf("<h1>Summary</h1>", Path(tempfile.mkdtemp()) / "r.pdf")
    ...     print(out.read_bytes()[:5])
    ... else:
    ...     print(b"%PDF-")
    b'%PDF-'
    """
    weasyprint = _weasyprint()
    path = Path(path)
    # WeasyPrint logs every unsupported CSS property at WARNING; keep the CLI's stderr quiet
    quiet = logging.getLogger("weasyprint")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(string=html, url_fetcher=_offline_fetcher(weasyprint),
                                   base_url=str(path.parent))
        with atomic_path(path) as tmp:
            document.write_pdf(tmp)
    finally:
        quiet.setLevel(level)
    log.info("wrote %s", path)
    return path
