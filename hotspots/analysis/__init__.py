"""Analyses on top of the methods.

``profile`` (what, when, where), ``areas`` (crime per area), ``change`` (two periods on one
grid), ``prediction`` (hit rate, PAI, PEI of one output) and ``accuracy`` (which method
predicts best).
"""
