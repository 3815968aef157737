"""Leaflet and its plugins served from local files instead of CDNs.

folium writes ``<script src="https://cdn...">`` tags for Leaflet and its plugins. On a
locked-down police network (and on test machines) those CDNs are unreachable and the map
is blank. Two ways round it, both reading a local assets folder (the project's
``node_modules``, installed by ``make``, or the folder named by the ``HOTSPOTS_ASSETS``
environment variable):

* :func:`render_html` (standalone ``map.html`` files from the CLI) inlines each library into
  the page, so the HTML works offline apart from the base-map tiles.
* :func:`use_local_assets` (the Streamlit app) points folium's asset URLs at copies that
  Streamlit serves itself from ``<app dir>/static/vendor`` (``server.enableStaticServing``),
  because ``streamlit_folium.st_folium`` makes the browser fetch every asset by URL.
  :func:`copy_assets` makes those copies (``make`` runs it; the app does it on start-up when
  they are missing). The environment variable ``HOTSPOTS_ASSETS_MODE`` (``auto``, ``local``
  or ``cdn``) chooses between them.

Libraries no hotspots map needs (Bootstrap, Font Awesome, awesome-markers) are dropped
whenever local assets are used.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import threading
from pathlib import Path

import folium

from hotspots.errors import ParameterError
from hotspots.validation import check_choice

__all__ = [
    "assets_dir",
    "render_html",
    "copy_assets",
    "use_local_assets",
    "remote_assets",
    "LOCAL_FILES",
    "ASSETS_MODES",
    "STATIC_PREFIX",
]

log = logging.getLogger(__name__)

#: Environment variable naming a folder laid out like ``node_modules`` (see package.json).
ASSETS_ENV = "HOTSPOTS_ASSETS"

#: Environment variable choosing where the app's maps load Leaflet from (see ASSETS_MODES).
MODE_ENV = "HOTSPOTS_ASSETS_MODE"

#: ``local``: the copies Streamlit serves (an error if they are missing); ``cdn``: folium's
#: CDN links; ``auto``: local copies where they exist or can be made, CDN links otherwise.
ASSETS_MODES = ("auto", "local", "cdn")

#: URL at which Streamlit serves ``<app dir>/static/vendor`` when
#: ``server.enableStaticServing = true`` (see .streamlit/config.toml).
STATIC_PREFIX = "/app/static/vendor"

#: Where the app's copies live: ``static/vendor`` beside app.py (the project root).
PROJECT_STATIC = Path(__file__).resolve().parents[2] / "static" / "vendor"

#: CDN file name (the last part of the URL folium uses) -> file inside the assets folder.
LOCAL_FILES: dict[str, str] = {
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet.draw.js": "leaflet-draw/dist/leaflet.draw.js",
    "leaflet.draw.css": "leaflet-draw/dist/leaflet.draw.css",
    "leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "leaflet_heat.min.js": "leaflet.heat/dist/leaflet-heat.js",
    "jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
}

#: CDN files that no hotspots map needs; dropped when assets are local.
UNNEEDED = (
    "bootstrap.bundle.min.js",
    "bootstrap.min.css",
    "bootstrap-glyphicons.css",
    "all.min.css",
    "leaflet.awesome-markers.js",
    "leaflet.awesome-markers.css",
    "leaflet.awesome.rotate.min.css",
)

_SCRIPT = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>')
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>')

#: The JavaScript files streamlit_folium adds from CDNs whenever a map holds a branca colour
#: scale (streamlit_folium/__init__.py, ``st_folium``); no local copy replaces them.
COLORMAP_JS = (
    "https://d3js.org/d3.v4.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
)

_lock = threading.Lock()
#: Classes whose lists use_local_assets rewrote -> their own (default_js, default_css).
_original: dict[type, tuple[list[tuple[str, str]] | None, list[tuple[str, str]] | None]] = {}
#: Local URL -> the CDN URL it replaced, so standalone pages never point at the app's server.
_cdn_for_local: dict[str, str] = {}


def assets_dir() -> Path | None:
    """Return the local assets folder, or None when there is none (CDNs are used).

    Looks at ``$HOTSPOTS_ASSETS`` first, then ``node_modules`` next to the project.

    Examples
    --------
    >>> folder = assets_dir()
    >>> folder is None or (folder / LOCAL_FILES["leaflet.js"]).is_file()
    True
    """
    candidates = []
    if os.environ.get(ASSETS_ENV):
        candidates.append(Path(os.environ[ASSETS_ENV]))
    candidates.append(Path(__file__).resolve().parents[2] / "node_modules")
    for folder in candidates:
        if (folder / LOCAL_FILES["leaflet.js"]).is_file():
            return folder
    return None


def _local_file(url: str) -> str | None:
    """The file inside an assets folder that stands for ``url`` (a CDN or a local URL)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1]
    if name in LOCAL_FILES:
        return LOCAL_FILES[name]
    return next((rel for rel in LOCAL_FILES.values() if path.endswith("/" + rel)), None)


def _unneeded(url: str) -> bool:
    return url.split("?", 1)[0].rsplit("/", 1)[-1] in UNNEEDED


def _inline(match: re.Match[str], folder: Path, kind: str) -> str:
    url = match.group("url")
    if _unneeded(url):
        return ""
    local = _local_file(url)
    if local is None or not (folder / local).is_file():
        if url.startswith(("http://", "https://", "//")):
            log.warning("No local copy of %s; the page will fetch it from there", url)
        return match.group(0)
    text = (folder / local).read_text(encoding="utf-8")
    if kind == "script":
        return "<script>" + text.replace("</script", "<\\/script") + "</script>"
    return "<style>" + _embed_images(text, (folder / local).parent) + "</style>"


_CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<path>[^)'\":]+\.(?:png|svg|gif))(?P=q)\)")
_MIME = {"png": "image/png", "svg": "image/svg+xml", "gif": "image/gif"}


def _embed_images(css: str, base: Path) -> str:
    """Replace relative image URLs in a stylesheet with data URIs (icons, layer control)."""

    def embed(match: re.Match[str]) -> str:
        file = base / match.group("path")
        if not file.is_file():
            return match.group(0)
        mime = _MIME[file.suffix.lstrip(".")]
        data = base64.b64encode(file.read_bytes()).decode("ascii")
        return f"url(data:{mime};base64,{data})"

    return _CSS_URL.sub(embed, css)


def _cdn_links(html: str) -> str:
    """Put back the CDN URLs of assets that :func:`use_local_assets` pointed at the app."""
    for local, cdn in list(_cdn_for_local.items()):
        html = html.replace(f'"{local}"', f'"{cdn}"')
    return html


def render_html(fmap: folium.Map, *, assets: str = "auto") -> str:
    """Return the map as one HTML page, with Leaflet inlined when local assets exist.

    The page never refers to the app's own asset URLs, even after
    :func:`use_local_assets`: it stands alone.

    Parameters
    ----------
    fmap : folium.Map
        The map to render.
    assets : {"auto", "local", "cdn"}
        ``"auto"`` inlines local copies where found and keeps CDN links otherwise;
        ``"local"`` requires the local copies; ``"cdn"`` leaves folium's links alone.

    Examples
    --------
    >>> page = render_html(folium.Map(tiles=None), assets="cdn")
    >>> "https://cdn.jsdelivr.net/npm/leaflet@" in page
    True
    """
    check_choice(assets, name="assets", choices=ASSETS_MODES)
    html = _cdn_links(fmap.get_root().render())
    if assets == "cdn":
        return html
    folder = assets_dir()
    if folder is None:
        if assets == "local":
            raise FileNotFoundError(
                "Local map assets were requested but none were found. Run 'make' (it runs "
                f"'npm ci') or set {ASSETS_ENV} to a folder holding leaflet/dist/leaflet.js."
            )
        log.info("No local Leaflet copy found; the map loads Leaflet from its CDN.")
        return html
    html = _SCRIPT.sub(lambda m: _inline(m, folder, "script"), html)
    return _LINK.sub(lambda m: _inline(m, folder, "style"), html)


def _asset_dirs() -> list[str]:
    """The package folders (``leaflet/dist``, ...) that hold the files in LOCAL_FILES."""
    return sorted({Path(rel).parent.as_posix() for rel in LOCAL_FILES.values()})


def copy_assets(dest: str | Path, *, source: str | Path | None = None) -> Path:
    """Copy Leaflet and its plugins into ``dest``, laid out like ``node_modules``.

    Each package's ``dist`` folder is copied whole (scripts, stylesheets and the images they
    refer to), replacing an older copy. The app serves ``dest`` when it is
    ``static/vendor`` beside app.py; ``make`` runs this.

    Parameters
    ----------
    dest : str or Path
        Folder to fill, created if needed.
    source : str or Path, optional
        Folder laid out like ``node_modules``; default :func:`assets_dir`.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    FileNotFoundError
        When there is nothing to copy (no ``leaflet/dist/leaflet.js`` in the source).

    Examples
    --------
    >>> import tempfile
    >>> if assets_dir() is not None:
    ...     out = copy_assets(Path(tempfile.mkdtemp()) / "vendor")
    ...     print((out / "leaflet-draw" / "dist" / "leaflet.draw.js").is_file())
    ... else:
    ...     print(True)
    True
    """
    src = Path(source) if source is not None else assets_dir()
    if src is None or not (src / LOCAL_FILES["leaflet.js"]).is_file():
        where = "no folder" if src is None else f"'{src}'"
        raise FileNotFoundError(
            f"Cannot copy the map assets: {where} holds leaflet/dist/leaflet.js. Run "
            f"'make' (it runs 'npm ci') or set {ASSETS_ENV} to a folder laid out like "
            "node_modules."
        )
    dest = Path(dest)
    for rel in _asset_dirs():
        if not (src / rel).is_dir():
            log.warning("%s has no %s; maps needing it will use its CDN", src, rel)
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(src / rel, staging)
        shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)  # whole folders appear at once for a running server
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # another process got there first
            if not target.is_dir():
                raise
    log.info("Copied map assets from %s to %s", src, dest)
    return dest


def _mode_from_env() -> str:
    value = os.environ.get(MODE_ENV, "").strip().lower() or "auto"
    if value not in ASSETS_MODES:
        allowed = ", ".join(repr(m) for m in ASSETS_MODES)
        raise ParameterError(
            f"The environment variable {MODE_ENV} must be one of {allowed}; got "
            f"{os.environ[MODE_ENV]!r}. Unset it to use local map assets where they exist."
        )
    return value


def _jscss_classes() -> list[type]:
    import folium.plugins  # noqa: F401  (importing registers every plugin class)
    from folium.elements import JSCSSMixin

    import hotspots.viz.mapelements  # noqa: F401  (HeatAssets loads Leaflet.heat)

    found: list[type] = []
    todo = [JSCSSMixin]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def _pointed(
    entries: list[tuple[str, str]], prefix: str, folder: Path
) -> list[tuple[str, str]]:
    out = []
    for name, url in entries:
        if _unneeded(url):
            continue
        rel = _local_file(url)
        if rel is None or not (folder / rel).is_file():
            out.append((name, url))
            continue
        local = f"{prefix}/{rel}"
        _cdn_for_local[local] = url
        out.append((name, local))
    return out


def _set_lists(prefix: str | None, folder: Path | None) -> None:
    """Point every folium class's asset lists at ``prefix`` (None: back to the CDNs)."""
    for cls in _jscss_classes():
        own = (cls.__dict__.get("default_js"), cls.__dict__.get("default_css"))
        if own == (None, None):
            continue
        if cls not in _original:
            _original[cls] = (
                None if own[0] is None else list(own[0]),
                None if own[1] is None else list(own[1]),
            )
        for attr, entries in zip(("default_js", "default_css"), _original[cls], strict=True):
            if entries is None:
                continue
            if prefix is None or folder is None:
                setattr(cls, attr, list(entries))
            else:
                setattr(cls, attr, _pointed(entries, prefix, folder))


def use_local_assets(
    prefix: str = STATIC_PREFIX,
    *,
    folder: str | Path | None = None,
    mode: str | None = None,
) -> bool:
    """Make folium maps load Leaflet and its plugins from ``prefix`` instead of CDNs.

    ``streamlit_folium.st_folium`` sends the browser every ``default_js``/``default_css``
    URL of the map's elements. This rewrites those lists on folium's ``Map`` and on every
    plugin class (Draw, MarkerCluster, HeatMap, ...): each library with a local copy in
    ``folder`` is pointed at ``prefix``, Bootstrap, Font Awesome and awesome-markers are
    dropped, and anything else keeps its CDN URL (see :func:`remote_assets`). Call it once
    per script run before building maps; it is idempotent and cheap. When ``folder`` lacks
    the copies but ``node_modules`` has them, they are copied first (:func:`copy_assets`).

    Parameters
    ----------
    prefix : str
        URL at which ``folder`` is served; the default is where Streamlit serves
        ``<app dir>/static/vendor`` with ``server.enableStaticServing = true`` (put any
        ``server.baseUrlPath`` in front of it).
    folder : str or Path, optional
        The folder served at ``prefix``; default ``static/vendor`` in the project root.
    mode : {"auto", "local", "cdn"}, optional
        ``"local"`` requires the copies, ``"cdn"`` puts folium's CDN URLs back, ``"auto"``
        uses the copies when they exist or can be made. Default: the environment variable
        ``HOTSPOTS_ASSETS_MODE``, else ``"auto"``.

    Returns
    -------
    bool
        True when maps now load the local copies, False when they use the CDNs.

    Raises
    ------
    FileNotFoundError
        In ``"local"`` mode, when there are no copies and none can be made.
    ParameterError
        For an unknown ``mode`` or ``HOTSPOTS_ASSETS_MODE``, or a relative ``prefix``.

    Examples
    --------
    >>> import folium.plugins
    >>> use_local_assets(mode="cdn")
    False
    >>> folium.plugins.Draw.default_js[0][1].startswith("https://")
    True
    """
    if mode is None:
        chosen = _mode_from_env()
    else:
        chosen = check_choice(mode, name="mode", choices=ASSETS_MODES)
    if not isinstance(prefix, str) or not prefix.startswith(("/", "http://", "https://")):
        raise ParameterError(
            f"The 'prefix' parameter must be an absolute URL path such as '{STATIC_PREFIX}'; "
            f"got {prefix!r}. A relative path would resolve inside the map's own frame."
        )
    where = Path(folder) if folder is not None else PROJECT_STATIC
    with _lock:
        if chosen == "cdn":
            _set_lists(None, None)
            return False
        if not all((where / rel).is_file() for rel in LOCAL_FILES.values()):
            source = assets_dir()
            if source is not None:
                try:
                    copy_assets(where, source=source)
                except OSError as exc:
                    log.warning("Could not copy the map assets to %s: %s", where, exc)
        if not (where / LOCAL_FILES["leaflet.js"]).is_file():
            if chosen == "local":
                raise FileNotFoundError(
                    f"Local map assets were requested ({MODE_ENV}=local) but '{where}' holds "
                    "no leaflet/dist/leaflet.js and none could be copied. Run 'make run' (it "
                    f"runs 'npm ci' and fills static/vendor) or set {ASSETS_ENV} to a folder "
                    "laid out like node_modules."
                )
            log.info("No local Leaflet copy in %s; maps load Leaflet from its CDN.", where)
            _set_lists(None, None)
            return False
        _set_lists(prefix.rstrip("/"), where)
        return True


def remote_assets(fmap: folium.Map) -> list[str]:
    """List the URLs outside the app that ``st_folium`` would make the browser fetch.

    Mirrors how ``streamlit_folium`` collects assets: every element's ``default_js`` and
    ``default_css``, plus d3 from its CDNs when a branca colour scale is on the map. After
    :func:`use_local_assets` a map that only uses Leaflet, Draw, MarkerCluster and HeatMap
    lists nothing; anything listed will not load on a network without internet.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> use_local_assets(mode="cdn")
    False
    >>> any("leaflet" in url for url in remote_assets(m))
    True
    """
    from branca.colormap import ColorMap

    urls: list[str] = []
    todo = [fmap]
    while todo:
        element = todo.pop()
        if isinstance(element, ColorMap):
            urls.extend(COLORMAP_JS)
        for attr in ("default_js", "default_css"):
            urls.extend(url for _name, url in getattr(element, attr, None) or [])
        todo.extend(getattr(element, "_children", {}).values())
    remote = [u for u in urls if u.startswith(("http://", "https://", "//"))]
    return list(dict.fromkeys(remote))
