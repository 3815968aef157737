"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against a live Streamlit server.

``make test`` installs Chromium (apt) and the ``playwright`` package (the ``test`` extra); the
tests never download a browser (no ``playwright install``). Where Chromium or playwright is
missing the tests skip with the reason, unless ``HOTSPOTS_BROWSER_REQUIRED=1`` (set it in CI),
which makes that a failure.

Fixtures
--------
``streamlit_server``
    Session-wide factory: ``streamlit_server(script) -> "http://127.0.0.1:<port>"``. Starts
    ``python -m streamlit run <script>`` once per script on a free port, waits until
    ``/_stcore/health`` answers, and stops the server (its whole process group) at the end.
    Server logs are copied to ``test-artifacts/`` when a test failed.
``visit``
    A fresh browser page that records every request it makes (requests to hosts other than
    127.0.0.1 are recorded, then aborted); screenshot and console log are saved to
    ``test-artifacts/`` when the test fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

#: Debian's Chromium (apt package ``chromium``), installed by ``make test``.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Set to 1 to make a missing browser an error instead of a skip.
REQUIRED_ENV = "HOTSPOTS_BROWSER_REQUIRED"
#: The only host a page may contact.
LOCAL_HOST = "127.0.0.1"
#: Seconds allowed for Streamlit to start answering, and to stop after SIGTERM.
START_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
#: Milliseconds any single browser action or expectation may take by default.
ACTION_TIMEOUT_MS = 30_000

# draw_page.py is a Streamlit script, not a test module: keep --doctest-modules off it.
collect_ignore = ["draw_page.py"]

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives Debian's Chromium against a live Streamlit server "
        f"(skipped where Chromium or playwright is missing unless {REQUIRED_ENV}=1)",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRED_ENV, "") not in ("", "0"):
        pytest.fail(f"{reason} ({REQUIRED_ENV} is set, so the browser tests must run)")
    pytest.skip(reason)


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (127.0.0.1, or data:/blob:/about: pages)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == LOCAL_HOST


#: axe-core, installed from npm by ``make`` (package.json); HOTSPOTS_AXE names another copy.
AXE_ENV = "HOTSPOTS_AXE"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core's script, run inside the pages under test (never fetched from a CDN)."""
    path = Path(os.environ.get(AXE_ENV) or AXE_JS)
    if not path.is_file():
        _unavailable(f"axe-core is missing at {path}: run 'make test' (its 'npm ci' installs "
                     f"it from package.json) or set {AXE_ENV} to axe.min.js")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(
            f"{CHROMIUM} is missing: run 'make test' as root with apt reachable (it installs "
            "Debian's chromium and chromium-driver) or 'apt-get install chromium'"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: pip install -e '.[test]'")
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=60_000
        )
    except Exception:
        manager.stop()
        raise
    yield chromium
    chromium.close()
    manager.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    return "\n".join(text.splitlines()[-lines:])


def _save(path: Path) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return Path(shutil.copy(path, ARTIFACTS / path.name))


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)  # the server's own process group (start_new_session)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def streamlit_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Path], str]]:
    """Factory starting ``streamlit run <script>`` on 127.0.0.1 once per script; returns its URL."""
    servers: dict[Path, tuple[str, subprocess.Popen[bytes], Path]] = {}
    logs = tmp_path_factory.mktemp("streamlit-logs")
    failed_before = request.session.testsfailed
    # Local assets only, and no base-map tiles (they come from the internet by design).
    env = {**os.environ, "HOTSPOTS_ASSETS_MODE": "local", "HOTSPOTS_TILES": "none",
           "PYTHONUNBUFFERED": "1", "HOTSPOTS_PLANS": str(logs / "plans.gpkg")}

    def start(script: Path) -> str:
        script = Path(script).resolve()
        if script in servers:
            return servers[script][0]
        port = _free_port()
        url = f"http://{LOCAL_HOST}:{port}"
        log_path = logs / f"streamlit-{script.stem}.log"
        command = [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.address", LOCAL_HOST, "--server.port", str(port),
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        servers[script] = (url, process, log_path)
        deadline = time.monotonic() + START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                saved = _save(log_path)
                why = (f"exited with code {process.returncode}" if process.returncode
                       else f"did not answer /_stcore/health within {START_TIMEOUT:.0f} s")
                pytest.fail(f"streamlit run {script.name} {why}; log in {saved}:\n"
                            f"{_tail(log_path)}")
            time.sleep(0.25)
        return url

    yield start
    for _url, process, log_path in servers.values():
        _stop(process)
        if request.session.testsfailed > failed_before:
            _save(log_path)


@dataclass
class Visit:
    """A browser page plus everything it asked the network for."""

    page: Any
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        """The requested URLs that left this machine (should be none)."""
        return [url for url in self.requests if not is_local(url)]


@pytest.fixture
def visit(browser: Any, request: pytest.FixtureRequest) -> Iterator[Visit]:
    """A fresh page (1280x900) recording its requests; non-local ones are aborted."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    seen = Visit(page)
    context.on("request", lambda req: seen.requests.append(req.url))
    page.on("websocket", lambda ws: seen.requests.append(ws.url))
    page.on("console", lambda msg: seen.console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: seen.console.append(f"pageerror: {exc}"))

    def only_local(route: Any) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    yield seen
    report = request.node.stash.get(_reports, {}).get("call")
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = f"failed-{request.node.name}"
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True, timeout=10_000)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            seen.console.append(f"(no screenshot: {exc})")
        (ARTIFACTS / f"{stem}.log").write_text(
            "requests:\n" + "\n".join(seen.requests) + "\n\nconsole:\n"
            + "\n".join(seen.console) + "\n", encoding="utf-8",
        )
    context.close()
