"""Planning interventions and projecting their impact.

``catalogue`` (intervention types, from ``data/interventions.toml``) → ``interventions``
(what one drawn on the map covers) → ``costs``; ``plans`` keeps named plans in a GeoPackage;
``baseline`` and ``impact`` project the crimes a plan would prevent.
"""
