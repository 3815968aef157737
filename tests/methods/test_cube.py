"""Tests for hotspots.methods.cube: Gi* for every step of a space-time cube."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.methods.cube import gistar_cube
from hotspots.methods.gistar import gistar_grid
from hotspots.methods.neighbours import QUEEN_DISTANCE_FACTOR

# --------------------------------------------------------------------------- Gi* cube


@pytest.mark.parametrize("radius", [QUEEN_DISTANCE_FACTOR, 3.0])  # direct and FFT paths
def test_gistar_cube_equals_gistar_grid_per_step(radius):
    rng = np.random.default_rng(3)
    cube = rng.poisson(2.0, (5, 30, 40)).astype(float)
    cube[2] = 0.0  # a step without crimes: z = 0, p = 1
    mask = np.ones((30, 40), bool)
    mask[:4, :10] = False  # an irregular study area
    z, p = gistar_cube(cube, mask, radius_cells=radius)
    for t in range(5):
        z_ref, p_ref = gistar_grid(cube[t], mask, radius_cells=radius)
        np.testing.assert_allclose(z[t], z_ref, rtol=1e-7, atol=1e-9, equal_nan=True)
        np.testing.assert_allclose(p[t], p_ref, rtol=1e-7, atol=1e-12, equal_nan=True)
    assert np.isnan(z[:, ~mask]).all()
    assert (z[2][mask] == 0).all() and (p[2][mask] == 1).all()


def test_gistar_cube_rejects_bad_shapes():
    with pytest.raises(ParameterError, match="3-D"):
        gistar_cube(np.zeros((4, 4)), None, radius_cells=1.5)
    with pytest.raises(ParameterError, match="mask"):
        gistar_cube(np.zeros((2, 4, 4)), np.ones((3, 3), bool), radius_cells=1.5)
