"""Observed before/after evaluation of a scheme.

``areas`` (target, buffer and control) → ``counts`` (crimes in each, before and after the
start) → ``measures`` (RES with its interval, WDQ, net effect) → ``before_after``
(:func:`~hotspots.evaluation.before_after.evaluate`, the result and its sentences).
"""
