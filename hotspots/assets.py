"""Leaflet and its plugins served from local files instead of CDNs.

folium writes ``<script src="https://cdn...">`` tags for Leaflet and its plugins. On a
locked-down police network (and on test machines) those CDNs are unreachable and the map
is blank. :func:`render_html` rewrites the tags: each library found in a local assets
folder (the project's ``node_modules``, installed by ``make``, or the folder named by the
``HOTSPOTS_ASSETS`` environment variable) is inlined into the page, so the HTML works
offline apart from the base-map tiles. Libraries the map does not need (Bootstrap,
Font Awesome, awesome-markers) are dropped in that mode.
"""

from __future__ import annotations

import base64
import logging
import os
import re
from pathlib import Path

import folium

__all__ = ["assets_dir", "render_html", "LOCAL_FILES"]

log = logging.getLogger(__name__)

#: Environment variable naming a folder laid out like ``node_modules`` (see package.json).
ASSETS_ENV = "HOTSPOTS_ASSETS"

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

_SCRIPT = re.compile(r'<script\s+src="(?P<url>https?://[^"]+)"\s*>\s*</script>')
_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>https?://[^"]+)"\s*/?>')


def assets_dir() -> Path | None:
    """Return the local assets folder, or None when there is none (CDNs are used).

    Looks at ``$HOTSPOTS_ASSETS`` first, then ``node_modules`` next to the project.
    """
    candidates = []
    if os.environ.get(ASSETS_ENV):
        candidates.append(Path(os.environ[ASSETS_ENV]))
    candidates.append(Path(__file__).resolve().parents[1] / "node_modules")
    for folder in candidates:
        if (folder / LOCAL_FILES["leaflet.js"]).is_file():
            return folder
    return None


def _inline(match: re.Match[str], folder: Path, kind: str) -> str:
    url = match.group("url")
    name = url.rsplit("/", 1)[-1]
    if name in UNNEEDED:
        return ""
    local = LOCAL_FILES.get(name)
    if local is None or not (folder / local).is_file():
        log.warning("No local copy of %s; the page will fetch it from %s", name, url)
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


def render_html(fmap: folium.Map, *, assets: str = "auto") -> str:
    """Return the map as one HTML page, with Leaflet inlined when local assets exist.

    Parameters
    ----------
    fmap : folium.Map
        The map to render.
    assets : {"auto", "local", "cdn"}
        ``"auto"`` inlines local copies where found and keeps CDN links otherwise;
        ``"local"`` requires the local copies; ``"cdn"`` leaves folium's links alone.
    """
    html = fmap.get_root().render()
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
