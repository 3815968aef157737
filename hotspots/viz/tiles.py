"""Where interactive maps get their base-map tiles: OpenStreetMap, none, or a configured server.

Forces often cannot reach OpenStreetMap from their network but run an internal tile server or
hold a licence for a commercial base map (Ordnance Survey, for example). The app reads its
tile source from three environment variables:

``HOTSPOTS_TILES``
    ``osm`` (the default: OpenStreetMap's public tiles), ``none`` (no tiles: the maps show
    area outlines and the names of the busiest streets instead) or a URL template with
    ``{z}``, ``{x}`` and ``{y}`` (and optionally ``{key}`` and ``{s}``), for example
    ``https://tiles.example.police.uk/{z}/{x}/{y}.png``.
``HOTSPOTS_TILES_ATTRIBUTION``
    The attribution the licence asks for; required with a URL template.
``HOTSPOTS_TILES_KEY``
    An API key put in place of ``{key}`` in the template (kept out of the logs and messages).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from hotspots.errors import ParameterError

__all__ = ["TileSource", "tile_source", "OSM", "TILES_ENV", "ATTRIBUTION_ENV", "KEY_ENV"]

TILES_ENV = "HOTSPOTS_TILES"
ATTRIBUTION_ENV = "HOTSPOTS_TILES_ATTRIBUTION"
KEY_ENV = "HOTSPOTS_TILES_KEY"


@dataclass(frozen=True)
class TileSource:
    """A base-map tile source: ``url`` is None for no tiles, or ``"OpenStreetMap"``/a template.

    ``label`` is what the app states about the base map (no key in it).
    """

    url: str | None
    attribution: str | None
    label: str

    @property
    def folium_tiles(self) -> str | None:
        """What ``folium.Map(tiles=...)`` takes."""
        return self.url

    @property
    def available(self) -> bool:
        return self.url is not None


#: OpenStreetMap's public tiles (folium knows their attribution).
OSM = TileSource("OpenStreetMap", None, "OpenStreetMap")
NONE = TileSource(None, None, "no base map (area outlines and street names drawn from the data)")


def tile_source(environ: Mapping[str, str] | None = None) -> TileSource:
    """The tile source configured by ``HOTSPOTS_TILES`` and its companions (see the module).

    Raises ParameterError for a template without ``{z}/{x}/{y}``, without an attribution, or
    with ``{key}`` but no key.

    Examples
    --------
    >>> tile_source({"HOTSPOTS_TILES": "none"}).available
    False
    >>> t = tile_source({"HOTSPOTS_TILES": "https://t.example/{z}/{x}/{y}.png?k={key}",
    ...                  "HOTSPOTS_TILES_ATTRIBUTION": "© Example", "HOTSPOTS_TILES_KEY": "s3"})
    >>> t.url, t.attribution, "s3" in t.label
    ('https://t.example/{z}/{x}/{y}.png?k=s3', '© Example', False)
    """
    env = os.environ if environ is None else environ
    value = env.get(TILES_ENV, "osm").strip()
    if value.lower() in ("", "osm", "openstreetmap"):
        return OSM
    if value.lower() == "none":
        return NONE
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in value]
    if missing or not value.startswith(("http://", "https://")):
        raise ParameterError(
            f"The environment variable {TILES_ENV} must be 'osm', 'none' or an http(s) URL "
            f"template with {{z}}, {{x}} and {{y}}; got {value!r}"
            + (f" (no {', '.join(missing)})." if missing else ".")
        )
    attribution = env.get(ATTRIBUTION_ENV, "").strip()
    if not attribution:
        raise ParameterError(
            f"A tile URL template in {TILES_ENV} needs the attribution its licence asks for in "
            f"{ATTRIBUTION_ENV} (for example '© Crown copyright and database rights 2025 OS')."
        )
    url = value
    if "{key}" in value:
        key = env.get(KEY_ENV, "").strip()
        if not key:
            raise ParameterError(
                f"The tile URL template in {TILES_ENV} has {{key}}: set {KEY_ENV} to the key."
            )
        url = value.replace("{key}", key)
    host = value.split("/")[2]
    return TileSource(url, attribution, f"tiles from {host} ({attribution})")
