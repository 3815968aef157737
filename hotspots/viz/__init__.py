"""Maps and charts: interactive web maps and print-resolution static maps and charts.

``webmaps`` (folium) and ``assets`` (Leaflet served locally) for the app and the CLI's
``map.html``; ``staticmaps`` (one module per kind of print map) on the page of ``mapframe``,
with shapes from ``drawing``, scale bar, north arrow and labels from ``furniture`` and web
tiles from ``basemap``; ``charts`` for print charts; ``classes`` decides which cells a hotspot
map draws and their colours, and ``colours`` holds every colour table.
"""
