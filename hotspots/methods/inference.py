"""Randomization p-values for Getis-Ord Gi* that hold on sparse counts.

Gi* z-scores are standardised neighbour sums ``L_i = sum_j w_ij x_j`` (binary weights, the
cell itself included, ``W_i`` cells). The normal approximation to their null distribution
fails on sparse street-level grids: with 0.16 crimes a cell most neighbour sums are 0 or 1
and the upper tail is far heavier than a normal one, so pure noise comes out "hot". This
module computes the null distribution of ``L_i`` itself under a randomization null, so the
p-values are right whatever the counts.

Two nulls (``null``):

``"total"`` (default)
    The values of the ``n`` study-area cells are randomly rearranged over the cells: ``L_i``
    is the sum of ``W_i`` values drawn from all ``n`` study-area values. This is the null
    under which Getis & Ord (1992) derived the mean ``W_i x̄`` and variance of ``L_i`` that
    the z-score standardises by, so the p-value ranks cells exactly as z does within a
    neighbourhood size, and a single cell with many crimes is tested with its neighbours.
``"conditional"``
    esda's conditional randomization (Anselin 1995): the cell's own value is fixed and its
    ``W_i − 1`` neighbours are a random draw from the other ``n − 1`` cells. It asks only
    whether the *neighbours* are unusual, so a lone busy cell amid quiet ones is not hot
    (its quiet neighbours can even make it "cold" while z > 0); its neighbours are.

Three ways to get the p-value (``inference``):

``"exact"`` (default)
    The sum of ``k`` draws *with replacement* from the empirical distribution (pmf) of the
    pool has the ``k``-fold convolution of that pmf as its law, computed by FFT once per
    neighbourhood size (and, for the conditional null, per own value): tail probabilities
    down to ~1e-12, far below what Benjamini–Hochberg needs over 250,000 cells (2e-7).
    Drawing with replacement instead of without changes the variance of the sum by the
    finite-population factor ``(n − k)/(n − 1)`` (under 1% for ``n ≥ 1000``, k ≤ 9) and
    makes the tails slightly heavier, so the p-values err on the conservative side
    (Hoeffding 1963, Theorem 4). Integer values (counts) are used as they are up to
    :data:`EXACT_LEVELS`; larger or non-integer values (harm weights) are first rounded
    to a step of ``max / EXACT_LEVELS`` (recorded in ``params``); the z-scores always use
    the unrounded values. With fewer than :data:`EXACT_MIN_CELLS` study-area cells the
    with-replacement approximation is not good enough, so sampling *without* replacement
    by Monte Carlo with :data:`SMALL_N_PERMUTATIONS` draws is used instead (and said).
``"permutation"``
    Monte Carlo, as esda's ``G_Local(..., permutations=999)``: ``permutations`` random draws
    without replacement, seeded, p = (1 + #{draws at least as extreme}) / (1 + draws). Cells
    with the same neighbourhood size (and own value, for the conditional null) share one
    set of draws, as esda shares its permuted ids across sites. The smallest possible p is
    1/(permutations + 1), which Benjamini–Hochberg over many cells can rarely reject: use
    it to check the exact p-values, not as the default.
``"normal"``
    The old two-sided normal approximation of the z-score (kept for comparison only).

Every p-value is two-sided: ``min(1, 2 · min(P(L ≥ l), P(L ≤ l)))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import fft

from hotspots.errors import ParameterError
from hotspots.methods.neighbours import neighbour_sum
from hotspots.validation import check_choice

__all__ = [
    "DEFAULT_INFERENCE",
    "DEFAULT_NULL",
    "EXACT_LEVELS",
    "EXACT_MIN_CELLS",
    "INFERENCES",
    "NULLS",
    "PERMUTATIONS",
    "SEED",
    "SMALL_N_PERMUTATIONS",
    "Tails",
    "check_inference",
    "randomization_tails",
]

#: Ways to compute Gi* p-values; see the module docstring.
INFERENCES: tuple[str, ...] = ("exact", "permutation", "normal")
#: Exact randomization p-values by default: calibrated on sparse counts, and small enough
#: for Benjamini–Hochberg to reject over many cells (Monte Carlo p-values cannot go below
#: 1/(permutations + 1)).
DEFAULT_INFERENCE = "exact"
#: Randomization nulls; see the module docstring.
NULLS: tuple[str, ...] = ("total", "conditional")
#: Total randomization by default: the null of the Gi* moments (Getis & Ord 1992), so p
#: agrees with z, and a lone busy cell is tested with its neighbours.
DEFAULT_NULL = "total"
#: Monte Carlo draws for ``inference="permutation"``: esda's default (esda.getisord).
PERMUTATIONS = 999
#: Default seed of every random draw in the significance tests (any fixed number would do:
#: it makes runs repeatable).
SEED = 12345
#: Below this many study-area cells the exact (with-replacement) law is replaced by Monte
#: Carlo without replacement: the variance factor (n − k)/(n − 1) is within 1% of 1 from
#: here on for the queen neighbourhood (k = 8 draws).
EXACT_MIN_CELLS = 1000
#: Draws of that small-n Monte Carlo: p can reach 1e-4, so Benjamini–Hochberg over up to
#: 1,000 cells can still reject a single cell at 10% (needs p <= 0.1/1000).
SMALL_N_PERMUTATIONS = 9999
#: The exact law is computed on integer values 0..EXACT_LEVELS; larger or non-integer
#: values are rounded to a step of max / EXACT_LEVELS first (0.025% of the largest value),
#: which keeps each FFT below 10^6 points for neighbourhoods up to 250 cells.
EXACT_LEVELS = 4096
#: Draw without replacement by rejecting rows with a repeat while k² <= this × pool size
#: (then few rows repeat); otherwise by a partial shuffle of the whole pool.
_REDRAW_FACTOR = 4.0


@dataclass
class Tails:
    """One-sided randomization p-values of every cell, and how they were computed.

    Attributes
    ----------
    upper, lower : numpy.ndarray
        ``P(L ≥ l)`` and ``P(L ≤ l)`` under the null, full-grid shape, NaN off the mask.
    rule : str
        One sentence for ``params``: the null, the method and any rounding.
    params : dict
        ``null``, ``inference`` (what was really used), ``permutations``, ``seed`` and
        ``value_step`` (the rounding step of the exact law; 1 for counts).
    """

    upper: np.ndarray
    lower: np.ndarray
    rule: str
    params: dict[str, Any]

    @property
    def two_sided(self) -> np.ndarray:
        """``min(1, 2 · min(upper, lower))``, NaN off the mask."""
        return np.minimum(1.0, 2.0 * np.minimum(self.upper, self.lower))


def check_inference(
    inference: Any, null: Any, permutations: Any, seed: Any, *, func: str
) -> tuple[str, str, int, int]:
    """Check the significance options of a Gi* function; return them.

    Examples
    --------
    >>> check_inference("exact", "total", 999, 1, func="demo")
    ('exact', 'total', 999, 1)
    """
    check_choice(inference, name="inference", choices=INFERENCES)
    check_choice(null, name="null", choices=NULLS)
    for name, value, low in (("permutations", permutations, 19), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ParameterError(
                f"The '{name}' parameter of {func} must be an int in [{low}, inf), "
                f"got {value!r}."
            )
    return inference, null, int(permutations), int(seed)


# ------------------------------------------------------------------------ exact law


def _sum_law(pmf: np.ndarray, ks: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each k in ``ks``: (P(S ≥ s), P(S ≤ s)) for s = 0..k·m, S the sum of k iid draws.

    The k-fold convolution is one FFT of the pmf raised to the k-th power; round-off
    (~1e-16 of the peak) is clipped to zero, so tails are exact to ~1e-12.
    """
    m = pmf.size - 1
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    positive = [int(k) for k in np.unique(ks) if k > 0]
    if 0 in ks:
        out[0] = (np.ones(1), np.ones(1))
    if not positive:
        return out
    size = fft.next_fast_len(max(positive) * m + 1, real=True)
    spectrum = fft.rfft(pmf, size)
    for k in positive:
        law = fft.irfft(spectrum**k, size)[: k * m + 1]
        np.clip(law, 0.0, None, out=law)
        upper = np.minimum(np.cumsum(law[::-1])[::-1], 1.0)
        lower = np.minimum(np.cumsum(law), 1.0)
        upper[0] = lower[-1] = 1.0  # certain events, exactly
        out[k] = (upper, lower)
    return out


def _exact_tails(
    x: np.ndarray, s: np.ndarray, k: np.ndarray, conditional: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (with-replacement) tails of the random part ``s`` of each cell's sum.

    ``x`` are the integer cell values, ``k`` the number of random draws per cell and ``s``
    the observed sum of the drawn part (the whole neighbour sum for the total null, the
    neighbours without the cell for the conditional null).
    """
    n = x.size
    hist = np.bincount(x).astype(float)
    upper = np.ones(n)
    lower = np.ones(n)
    if not conditional:
        groups = [(np.arange(n), hist / n)]
    else:
        order = np.argsort(x, kind="stable")
        values, starts = np.unique(x[order], return_index=True)
        groups = []
        for value, idx in zip(values, np.split(order, starts[1:]), strict=True):
            pool = hist.copy()
            pool[value] -= 1.0
            groups.append((idx, pool / max(n - 1, 1)))
    for idx, pmf in groups:
        laws = _sum_law(pmf, k[idx])
        for kk, (up, lo) in laws.items():
            sel = idx[k[idx] == kk]
            at = np.clip(s[sel], 0, up.size - 1)
            upper[sel] = up[at]
            lower[sel] = lo[at]
    return upper, lower


# ------------------------------------------------------------------------ Monte Carlo


def _groups(x: np.ndarray | None, k: np.ndarray) -> list[np.ndarray]:
    """Indices of the cells sharing ``k`` (and ``x``, when given), one array per group."""
    order = np.lexsort((k,) if x is None else (k, x))
    keys = k[order] if x is None else np.column_stack([x[order], k[order]])
    differs = keys[1:] != keys[:-1]
    change = np.flatnonzero(differs if differs.ndim == 1 else differs.any(axis=1))
    return np.split(order, change + 1)


def _draw_indices(rng: np.random.Generator, size: int, k: int, draws: int) -> np.ndarray:
    """``(draws, k)`` indices into a pool of ``size``, each row without repeats."""
    if k * k <= _REDRAW_FACTOR * size:
        idx = rng.integers(0, size, (draws, k))
        while True:
            srt = np.sort(idx, axis=1)
            repeat = (srt[:, 1:] == srt[:, :-1]).any(axis=1)
            if not repeat.any():
                return idx
            idx[repeat] = rng.integers(0, size, (int(repeat.sum()), k))
    out = np.empty((draws, k), dtype=np.int64)
    rows = max(1, 4_000_000 // size)  # partial Fisher-Yates in chunks of rows
    for start in range(0, draws, rows):
        chunk = min(rows, draws - start)
        perm = np.tile(np.arange(size, dtype=np.int64), (chunk, 1))
        r = np.arange(chunk)
        for j in range(k):
            pick = rng.integers(j, size, chunk)
            perm[r, j], perm[r, pick] = perm[r, pick], perm[r, j]
        out[start : start + chunk] = perm[:, :k]
    return out


def _mc_tails(
    x: np.ndarray, s: np.ndarray, k: np.ndarray, conditional: bool, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo tails: draws without replacement, shared within (own value, k) groups."""
    rng = np.random.default_rng(seed)
    n = x.size
    upper = np.ones(n)
    lower = np.ones(n)
    srt = np.sort(x)
    tol = 1e-9 * max(1.0, float(np.abs(x).sum()))
    for sel in _groups(x if conditional else None, k):
        value, kk = x[sel[0]], int(k[sel[0]])
        if kk == 0:
            continue
        pool = srt
        if conditional:
            pool = np.delete(srt, np.searchsorted(srt, value))
        if kk >= pool.size:  # the draw is the whole pool: nothing random
            sums = np.full(1, pool.sum())
        else:
            sums = np.sort(pool[_draw_indices(rng, pool.size, kk, draws)].sum(axis=1))
        at_least = sums.size - np.searchsorted(sums, s[sel] - tol, side="left")
        at_most = np.searchsorted(sums, s[sel] + tol, side="right")
        if sums.size == 1:
            upper[sel] = at_least.astype(float)
            lower[sel] = at_most.astype(float)
            continue
        upper[sel] = (at_least + 1.0) / (draws + 1.0)
        lower[sel] = (at_most + 1.0) / (draws + 1.0)
    return upper, lower


# ------------------------------------------------------------------------ public


def _integer_values(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float]:
    """Values as non-negative integers on the mask (rounded to a step if needed), and the step."""
    x = values[mask]
    low = float(x.min())
    shifted = np.where(mask, values - low, 0.0)
    top = float(shifted.max())
    if np.all(shifted[mask] == np.rint(shifted[mask])) and top <= EXACT_LEVELS:
        return np.rint(shifted), 1.0
    step = top / EXACT_LEVELS if top > 0 else 1.0
    return np.rint(shifted / step), step


def randomization_tails(
    values: np.ndarray,
    mask: np.ndarray,
    footprint: np.ndarray,
    *,
    null: str = DEFAULT_NULL,
    inference: str = DEFAULT_INFERENCE,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> Tails:
    """Randomization p-values of the Gi* neighbour sums of one grid.

    Parameters
    ----------
    values : numpy.ndarray, 2-D
        Cell values (counts or weight sums); only study-area cells are used.
    mask : numpy.ndarray of bool, 2-D
        Study-area cells.
    footprint : numpy.ndarray of bool
        The neighbourhood disc (:func:`hotspots.methods.neighbours.disc`), centre included.
    null : {"total", "conditional"}
        The randomization null (module docstring).
    inference : {"exact", "permutation"}
        Exact law (with replacement; Monte Carlo without replacement below
        :data:`EXACT_MIN_CELLS` cells) or Monte Carlo with ``permutations`` draws.
    permutations : int
        Draws for ``"permutation"``.
    seed : int
        Seed of every random draw.

    Returns
    -------
    Tails
        ``upper`` = P(L ≥ l), ``lower`` = P(L ≤ l) per cell; ``two_sided`` combines them.

    Examples
    --------
    >>> from hotspots.methods.neighbours import disc
    >>> values = np.zeros((40, 40)); values[19:22, 19:22] = 3.0   # a busy 3x3 block
    >>> t = randomization_tails(values, np.ones((40, 40), bool), disc(1.5))
    >>> float(t.upper[20, 20]) < 1e-15, float(t.upper[0, 0]), t.params["inference"]
    (True, 1.0, 'exact')
    """
    check_choice(null, name="null", choices=NULLS)
    check_choice(inference, name="inference", choices=INFERENCES[:2])
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    conditional = null == "conditional"
    W = np.rint(neighbour_sum(mask.astype(float), footprint))[mask].astype(np.int64)
    k = W - 1 if conditional else W
    used, draws, step = inference, permutations, 1.0
    if inference == "exact" and n < EXACT_MIN_CELLS:
        used, draws = "permutation", SMALL_N_PERMUTATIONS
    if used == "exact":
        grid, step = _integer_values(values, mask)
        x = grid[mask].astype(np.int64)
        local = np.rint(neighbour_sum(np.where(mask, grid, 0.0), footprint))[mask]
        # Values are shifted to start at 0: that moves L and every draw sum alike.
        s = local.astype(np.int64) - (x if conditional else 0)
        upper, lower = _exact_tails(x, s, k, conditional)
    else:
        x = values[mask].astype(float)
        local = neighbour_sum(np.where(mask, values, 0.0), footprint)[mask]
        s = local - (x if conditional else 0.0)
        upper, lower = _mc_tails(x, s, k, conditional, draws, seed)
    full_up = np.full(mask.shape, np.nan)
    full_lo = np.full(mask.shape, np.nan)
    full_up[mask] = upper
    full_lo[mask] = lower
    what = (
        "the cell's own value fixed, its neighbours a random draw from the other "
        "study-area cells (esda's conditional randomization)"
        if conditional else
        "the study-area cell values randomly rearranged over the cells (total "
        "randomization, the null of the Gi* moments)"
    )
    if used == "exact":
        how = "exact law of the neighbour sum (FFT convolution, draws with replacement)"
        if step != 1.0:
            how += f", values rounded to a step of {step:.4g}"
    elif inference == "exact":
        how = (f"Monte Carlo without replacement, {draws:,} draws, seed {seed} (fewer than "
               f"{EXACT_MIN_CELLS:,} cells, where the exact law's with-replacement "
               "approximation is too coarse)")
    else:
        how = f"Monte Carlo without replacement, {draws:,} draws, seed {seed}"
    params = {"null": null, "inference": used, "permutations": draws if used != "exact"
              else None, "seed": seed, "value_step": step}
    rule = f"two-sided randomization p-value under {what}: {how}"
    return Tails(full_up, full_lo, rule, params)
