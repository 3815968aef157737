"""The synthetic demo town Kestlebury: its fixed geography, its crimes and the planted truth.

:mod:`~hotspots.datasets.town` builds the streets, map points and boundaries,
:mod:`~hotspots.datasets.crimes` draws each month's crimes and police.uk rows, and
:mod:`~hotspots.datasets.sample` writes them (``write_sample``) and returns the truth
(``planted``).
"""
