"""The evaluation's verdict: a difference-in-differences against matched places and a placebo test.

:func:`judge` works on monthly counts only (no geometry), so the same code runs inside
:func:`hotspots.evaluation.before_after.evaluate` and in the simulations that check it. A
change is called significant only when both tests agree at the :data:`ALPHA` level:

1. the quasi-Poisson difference-in-differences of the target against the matched comparison
   places (:mod:`hotspots.evaluation.did`, :mod:`hotspots.evaluation.matching`) has a 95%
   interval that excludes no change, and
2. the placebo test (:mod:`hotspots.evaluation.placebo`) puts the target's change beyond
   95% of the untreated places that were as busy as it was.

When there are too few comparable places for one of the tests, the other decides and the
verdict says which test is missing. Either way it is an observed association: the wording never
claims that the scheme caused the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hotspots.evaluation.did import MonthlyDiD
from hotspots.evaluation.did import monthly_did
from hotspots.evaluation.matching import MATCHED_PLACES
from hotspots.evaluation.matching import MatchedComparison
from hotspots.evaluation.matching import match_places
from hotspots.evaluation.measures import CONTINUITY
from hotspots.evaluation.placebo import PLACEBO_PLACES
from hotspots.evaluation.placebo import PlaceboTest
from hotspots.evaluation.placebo import placebo_test

__all__ = ["ALPHA", "VERDICTS", "Verdict", "judge"]

#: Two-sided level of the difference-in-differences interval (95%) and one-sided level of
#: the placebo test.
ALPHA = 0.05
#: What the verdict can be.
VERDICTS = ("fell", "rose", "no clear change")
#: Fewest matched places for a matched comparison.
MIN_MATCHED = 3


@dataclass
class Verdict:
    """What :func:`judge` found.

    Attributes
    ----------
    verdict : str
        ``"fell"`` (a significant fall in the target relative to the comparisons),
        ``"rose"`` or ``"no clear change"``.
    did_control : MonthlyDiD
        The target against the control area (its dispersion widens the RES interval).
    did_matched : MonthlyDiD or None
        The target against the matched places.
    matched : MatchedComparison or None
    placebo : PlaceboTest or None
    tests : list of str
        The tests the verdict rests on.
    notes : list of str
    """

    verdict: str
    did_control: MonthlyDiD
    did_matched: MonthlyDiD | None
    matched: MatchedComparison | None
    placebo: PlaceboTest | None
    tests: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def significant(self) -> bool:
        return self.verdict != "no clear change"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict, "tests": list(self.tests),
            "did_control": self.did_control.to_dict(),
            "did_matched": self.did_matched.to_dict() if self.did_matched else None,
            "matched": self.matched.to_dict() if self.matched else None,
            "placebo": self.placebo.to_dict() if self.placebo else None,
        }


def judge(target: ArrayLike, control: ArrayLike, places: ArrayLike, after: ArrayLike, *,
          n_matched: int = MATCHED_PLACES, n_placebos: int = PLACEBO_PLACES,
          alpha: float = ALPHA, matched: bool = True, placebo: bool = True) -> Verdict:
    """Judge a scheme from monthly counts (module notes).

    Parameters
    ----------
    target, control : array of shape (M,)
        Crimes per month in the target and the control area.
    places : array of shape (P, M)
        Crimes per month in each comparable untreated place (may be empty).
    after : array of bool, shape (M,)
    n_matched, n_placebos : int
    alpha : float
    matched, placebo : bool
        Run the matched comparison and the placebo test (both by default).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> after = np.arange(24) >= 12
    >>> places = rng.poisson(10, (200, 24))
    >>> target = rng.poisson(np.where(after, 5, 10))
    >>> v = judge(target, places.sum(axis=0), places, after)
    >>> v.verdict, v.tests
    ('fell', ['difference-in-differences against matched places', 'placebo test'])
    """
    t = np.asarray(target, dtype=float)
    c = np.asarray(control, dtype=float)
    a = np.asarray(after, dtype=bool)
    p = np.asarray(places, dtype=float).reshape(-1, t.size)
    notes: list[str] = []
    did_control = monthly_did(t, c, a)
    chosen = did_matched = None
    if matched and p.shape[0] >= MIN_MATCHED:
        chosen = match_places(t[~a], p[:, ~a], n=n_matched)
        if p[chosen.index].sum() > 0:
            did_matched = monthly_did(t, p[chosen.index], a)
        else:
            chosen = None
    if matched and chosen is None:
        notes.append("Too few comparable places with crimes for a matched comparison; the "
                     "difference-in-differences uses the control area instead.")
    cb, ca = c[~a].sum(), c[a].sum()
    if cb == 0 or ca == 0:
        cb, ca = cb + CONTINUITY, ca + CONTINUITY
    test = placebo_test(t[~a].sum(), t[a].sum(), p[:, ~a].sum(axis=1), p[:, a].sum(axis=1),
                        trend=ca / cb, n=n_placebos) if placebo and p.shape[0] else None
    if placebo and test is None:
        notes.append("Too few comparable places for a placebo test, so regression to the mean "
                     "could not be checked: read the result with care.")
    elif not placebo:
        notes.append("The placebo test was switched off, so regression to the mean was not "
                     "checked: read the result with care.")
    if test is not None:
        busy = float(np.median(p[test.index][:, ~a].sum(axis=1)))
        if busy < 0.5 * t[~a].sum():
            notes.append(
                f"No untreated place was nearly as busy as the target: the placebo places had "
                f"a median of {busy:,.0f} crimes before the start against the target's "
                f"{t[~a].sum():,.0f}, so the placebo test rests on the regression-to-the-mean "
                "correction more than on like-for-like places.")
    did = did_matched or did_control
    tests = ["difference-in-differences against matched places" if did_matched
             else "difference-in-differences against the control area"]
    fell = did.ci[1] < 1.0
    rose = did.ci[0] > 1.0
    if test is not None:
        tests.append("placebo test")
        fell = fell and test.p_fall <= alpha
        rose = rose and test.p_rise <= alpha
    verdict = "fell" if fell else "rose" if rose else "no clear change"
    return Verdict(verdict=verdict, did_control=did_control, did_matched=did_matched,
                   matched=chosen, placebo=test, tests=tests, notes=notes)
