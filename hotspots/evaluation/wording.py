"""The observed evaluation in words and tables, for the app and the evidence pack.

Every sentence says which comparison and which test a figure comes from, and none claims
that a scheme caused a change: a before/after comparison, even against matched places and a
placebo test, shows an association.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hotspots.evaluation.verdict import ALPHA

__all__ = ["CAUSAL_CAVEAT", "sentences", "comparisons_table", "pct_change", "fmt_p"]

#: Said with every observed result.
CAUSAL_CAVEAT = (
    "These are observed changes: they show what happened around the scheme. A before/after "
    "comparison cannot on its own show that the scheme caused them (the target and the "
    "comparison places may differ in ways the data do not show)."
)


def pct_change(before: float, after: float) -> str:
    """"fell 20% (100 → 80)" and the like.

    Examples
    --------
    >>> pct_change(100, 80), pct_change(0, 3)
    ('fell 20% (100 → 80)', 'from none to 3')
    """
    if before == 0:
        return f"from none to {after:,.0f}"
    change = (after / before - 1) * 100
    verb = "rose" if change > 0 else "fell" if change < 0 else "did not change"
    amount = f" {abs(change):.0f}%" if change else ""
    return f"{verb}{amount} ({before:,.0f} → {after:,.0f})"


def fmt_p(p: float) -> str:
    """A p-value as text: "p = 0.034", "p < 0.001".

    Examples
    --------
    >>> fmt_p(0.0341), fmt_p(0.00002)
    ('p = 0.034', 'p < 0.001')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _relative(ratio: float) -> str:
    change = ratio - 1.0
    if abs(change) < 0.005:
        return "changed as much as"
    return f"{'fell' if change < 0 else 'rose'} {abs(change):.0%} relative to"


def _res_sentence(result: Any) -> str:
    if result.res is None or result.res_ci is None:
        why = next((n for n in result.notes if "relative effect size" in n), "")
        return ("The effect relative to the control cannot be measured"
                + (f": {why[0].lower()}{why[1:]}" if why else "."))
    low, high = result.res_ci
    text = (
        f"Against the control area ({result.areas.control_rule}), crime in the target "
        f"{_relative(1 / result.res)} it: relative effect size RES = {result.res:.2f}, 95% CI "
        f"{low:.2f} to {high:.2f} (RES above 1: the target improved relative to the control; "
        f"the interval is widened for overdispersion by D = {result.dispersion:.2f}). "
    )
    if low > 1:
        text += "On this comparison alone the fall is unlikely to be chance."
    elif high < 1:
        text += "On this comparison alone the target got worse."
    else:
        text += "The interval includes 1, so on this comparison the difference could be chance."
    return text


def _did_sentence(result: Any) -> str | None:
    did, matched = result.did, result.matched
    if did is None:
        return None
    low, high = did.ci
    against = (f"{did.n_comparison} matched places" if matched is not None
               else "the control area")
    text = (f"Difference-in-differences on monthly counts (quasi-Poisson, against {against}): "
            f"crime in the target {_relative(did.ratio)} them (rate ratio {did.ratio:.2f}, 95% "
            f"CI {low:.2f} to {high:.2f}, {fmt_p(did.p_value)}).")
    if matched is not None:
        text = matched.balance() + " " + text
    return text


def _verdict_sentence(result: Any) -> str:
    tests = " and ".join(result.tests)
    if result.verdict == "fell":
        return (f"Verdict ({tests}, {1 - ALPHA:.0%} level): crime in the target fell by more "
                "than the comparison places' change and by more than regression to the mean "
                "explains. This is consistent with an effect of the scheme; it does not prove "
                "that the scheme caused the fall.")
    if result.verdict == "rose":
        return (f"Verdict ({tests}, {1 - ALPHA:.0%} level): crime in the target rose by more "
                "than the comparison places' change and than comparable places show.")
    return (f"Verdict ({tests}, {1 - ALPHA:.0%} level): no clear change. The target's change "
            "is within what comparable places and chance produce, so no effect can be "
            "claimed from these data.")


def sentences(result: Any) -> list[str]:
    """Plain-language sentences for an evaluation result (``EvaluationResult``)."""
    c = result.counts
    cats = "all crimes" if c.categories is None else ", ".join(c.categories)
    out = [
        f"Crimes counted: {cats}. Before ({c.before_label}): target {c.Tb:,}, buffer {c.Bb:,}, "
        f"control {c.Cb:,}. After ({c.after_label}): target {c.Ta:,}, buffer {c.Ba:,}, "
        f"control {c.Ca:,}."
    ]
    if not result.available:
        return [*out, result.reason]
    out.append(
        f"In the target crime {pct_change(c.Tb, c.Ta)}; in the buffer it "
        f"{pct_change(c.Bb, c.Ba)}; in the control it {pct_change(c.Cb, c.Ca)}."
    )
    out.append(_res_sentence(result))
    did = _did_sentence(result)
    if did:
        out.append(did)
    if result.placebo is not None:
        out.append(result.placebo.sentence())
    out.append(_verdict_sentence(result))
    if result.wdq is not None:
        wdq = f"{result.wdq:.2f}".replace("-", "−")
        out.append(f"Weighted displacement quotient WDQ = {wdq}: {result.wdq_meaning}.")
    elif result.wdq_meaning:
        out.append(f"Displacement: {result.wdq_meaning}")
    if result.net_effect is not None:
        n = result.net_effect
        more = "fewer" if n >= 0 else "more"
        out.append(f"Total net effect: about {abs(n):,.0f} {more} crimes in the target and "
                   "buffer together than the control's trend predicts"
                   + (" (net of any displacement)." if n >= 0 else "."))
    if result.detectable_effect is not None and result.detectable_effect > 0.3:
        out.append(f"With counts this small, only a fall of about {result.detectable_effect:.0%} "
                   "or more could be detected with 80% power: a smaller effect would go unseen.")
    out.append(CAUSAL_CAVEAT)
    return out


def comparisons_table(result: Any) -> pd.DataFrame:
    """One row per comparison: ``comparison, how, Cb, Ca, res, ci_low, ci_high, p_value``."""
    rows = []
    c = result.counts
    if result.res is not None:
        rows.append({"comparison": "control area", "how": result.areas.control_rule,
                     "Cb": c.Cb, "Ca": c.Ca, "res": result.res, "ci_low": result.res_ci[0],
                     "ci_high": result.res_ci[1],
                     "p_value": (result.did_control.p_value if result.did_control else None),
                     "dispersion": result.dispersion})
    if result.matched is not None and result.did is not None:
        d = result.did
        rows.append({"comparison": "matched places", "how": result.matched.rule,
                     "Cb": d.counts["Cb"], "Ca": d.counts["Ca"], "res": d.res,
                     "ci_low": d.res_ci[0], "ci_high": d.res_ci[1], "p_value": d.p_value,
                     "dispersion": d.dispersion})
    if result.placebo is not None:
        p = result.placebo
        rows.append({"comparison": "placebo places (RTM-corrected)", "how": p.rule,
                     "Cb": None, "Ca": None, "res": p.target_res_rtm, "ci_low": None,
                     "ci_high": None, "p_value": p.p_fall, "dispersion": None})
    columns = ["comparison", "how", "Cb", "Ca", "res", "ci_low", "ci_high", "p_value",
               "dispersion"]
    table = pd.DataFrame(rows, columns=columns)
    for col in ("Cb", "Ca", "res", "ci_low", "ci_high", "p_value", "dispersion"):
        table[col] = pd.array(table[col].tolist(), dtype="Float64")
    return table
