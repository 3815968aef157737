"""Leaflet map pieces for accessible interactive maps: the map itself, its frame, its plugins.

* :class:`AccessibleMap` is a ``folium.Map`` whose page lets the user zoom (folium's own
  page sets ``maximum-scale=1.0, user-scalable=no``, which fails WCAG 1.4.4 Resize text).
* :class:`MapAccessibility` names the map for assistive technology: the frame that shows
  it (``streamlit_folium`` titles every frame "streamlit_folium.st_folium") and the map
  container, a labelled region that says where the same information is given as text.
* :class:`HeatAssets` loads Leaflet.heat with the base map, so a heat layer added later
  (streamlit_folium loads a map's scripts only once) finds ``L.heatLayer``.
* :class:`DataGeoJson` is a ``folium.GeoJson`` whose rendered script (the data) is put in
  the page as it is. branca compiles the output of every element's macros as a new Jinja
  template before rendering it again, so text in the data such as ``{{ 7*7 }}`` would be
  run (it became ``49``) and ``{% endfor %}`` would stop the map being written; and
  compiling megabytes of GeoJSON took about a third of a map's time.
"""

from __future__ import annotations

import re
from typing import Any

import folium
from branca.element import Element
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from hotspots.escaping import js_string

__all__ = ["AccessibleMap", "MapAccessibility", "HeatAssets", "DataGeoJson", "VIEWPORT"]

#: The page's viewport: scaled to the device, and zoomable by the user (WCAG 1.4.4).
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
_VIEWPORT = re.compile(r"<meta\s+name=\"viewport\"[^>]*>", re.DOTALL)


class AccessibleMap(folium.Map):
    """A ``folium.Map`` whose page does not forbid zooming (see :data:`VIEWPORT`).

    Examples
    --------
    >>> page = AccessibleMap(tiles=None).get_root().render()
    >>> "user-scalable=no" in page, "initial-scale=1.0" in page
    (False, True)
    """

    def render(self, **kwargs: Any) -> None:
        super().render(**kwargs)
        header = self.get_root().header
        mine = header._children.get(self.get_name())
        if mine is not None:
            text = _VIEWPORT.sub(VIEWPORT, mine.render())
            header.add_child(Element(text), name=self.get_name())


class MapAccessibility(MacroElement):
    """Give the map a name: the title of the frame it is shown in and a labelled region.

    ``title`` names the map ("Hotspot map"); ``description`` says where its content is given
    as text (read by screen readers when they reach the map).

    Examples
    --------
    >>> m = AccessibleMap(tiles=None)
    >>> _ = MapAccessibility("Hotspot map", "The table below lists them.").add_to(m)
    >>> "Hotspot map" in m.get_root().render()
    True
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var title = {{ this.title_json }}, text = {{ this.description_json }};
            var container = {{ this._parent.get_name() }}.getContainer();
            container.setAttribute("role", "region");
            container.setAttribute("aria-label", title + ". " + text);
            try {
                document.title = title;
                if (window.frameElement) { window.frameElement.setAttribute("title", title); }
            } catch (e) { /* a frame from another origin: its title stays */ }
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, description: str = "") -> None:
        super().__init__()
        self._name = "MapAccessibility"
        self.title_json = js_string(title)  # user text: never able to end the <script>
        self.description_json = js_string(description)


class HeatAssets(JSCSSMixin, MacroElement):
    """Load Leaflet.heat with the map (no layer): later heat layers then find it."""

    _template = Template("")
    default_js = [
        ("leaflet-heat.js",
         "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/"
         "leaflet_heat.min.js"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._name = "HeatAssets"


class _Text(Element):
    """Text put in the page as it is: never compiled or rendered as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _MacrosAsText(MacroElement):
    """``MacroElement.render``, with the macros' output added as text (:class:`_Text`)."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class DataGeoJson(folium.GeoJson, _MacrosAsText):
    """``folium.GeoJson`` whose data reaches the page as written (see the module docstring).

    Pass the data as a dict (``GeoDataFrame.to_geo_dict()``): a JSON string is parsed again.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> data = gpd.GeoDataFrame({"name": ["{{ 7*7 }}"]}, geometry=[shapely.Point(0, 51)],
    ...                         crs=4326).to_geo_dict()
    >>> m = AccessibleMap(tiles=None)
    >>> _ = DataGeoJson(data, tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    >>> page = m.get_root().render()
    >>> "{{ 7*7 }}" in page, '"49"' in page
    (True, False)
    """
