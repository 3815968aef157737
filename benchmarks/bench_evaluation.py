"""Benchmark: is the evaluation fooled by regression to the mean, and are its numbers calibrated?

Seeded simulations, each printed against the old method measured in the same run:

1. **No scheme, target on the busiest place** (monthly counts of a grid of places, as in
   ``tests/evaluation/sims.py``): the old evaluation (RES against the rest of the area with a
   Poisson interval) against the new verdict (difference-in-differences against matched
   places and the placebo test must agree). Share of runs called a significant fall, median
   old RES, median RES once regression to the mean is allowed for (the placebo test's).
2. **The same end to end**: :func:`hotspots.evaluation.before_after.evaluate` with its
   defaults on crime points (the busiest 250 m cell of a 3 km square as the target).
3. **Power**: :func:`hotspots.evaluation.power.design_power` against the share of
   simulated evaluations (overdispersed monthly counts) that detect a planted effect.
4. **Projection intervals**: how often the realised crimes prevented in a simulated next year
   fall inside the projection's 80% and 95% intervals, when places' rates, effects and counts
   follow the projection's assumptions, for places picked as the busiest.
5. **Projection baseline**: for places picked as the busiest 5%, the raw baseline, its
   empirical Bayes correction and the next year's count.
6. Timings of the projection and the evaluation on the demo town.

Run ``.venv/bin/python benchmarks/bench_evaluation.py [--quick] [--seed N]`` from the project
root (the project root is put first on ``sys.path``, so this checkout's code is measured).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from hotspots.evaluation.areas import evaluation_areas  # noqa: E402
from hotspots.evaluation.before_after import evaluate  # noqa: E402
from hotspots.evaluation.power import design_power  # noqa: E402
from hotspots.evaluation.rtm import fit_reference  # noqa: E402
from hotspots.evaluation.verdict import judge  # noqa: E402
from hotspots.planning.uncertainty import simulate_prevented  # noqa: E402
from tests.evaluation.sims import SCENARIOS  # noqa: E402
from tests.evaluation.sims import crime_world  # noqa: E402
from tests.evaluation.sims import simulate  # noqa: E402


def null_runs(runs: int, seed: int) -> None:
    print(f"\n1. No scheme, target on the busiest place ({runs} runs per scenario)")
    print(f"{'scenario':24} {'old: significant':>17} {'new: fell':>10} "
          f"{'median old RES':>15} {'median RES, RTM allowed':>24}")
    for name, scenario in SCENARIOS.items():
        fell, old, res, rtm = [], [], [], []
        for s in range(seed, seed + runs):
            args, (sig, old_res) = simulate(scenario, s)
            verdict = judge(*args)
            fell.append(verdict.verdict == "fell")
            old.append(sig)
            res.append(old_res)
            if verdict.placebo is not None:
                rtm.append(verdict.placebo.target_res_rtm)
        print(f"{name:24} {np.mean(old):>17.1%} {np.mean(fell):>10.1%} "
              f"{np.median(res):>15.2f} {np.median(rtm):>24.2f}")


def end_to_end(runs: int, seed: int) -> None:
    print(f"\n2. evaluate() with its defaults, busiest 250 m cell, no scheme ({runs} runs)")
    for label, kw in (("uniform, 300 crimes/month", {"per_month": 300}),
                      ("uneven places (gamma 1), 600/month", {"shape": 1.0})):
        fell = old = 0
        started = time.perf_counter()
        for s in range(seed, seed + runs):
            crimes, target, area = crime_world(s, **kw)
            res = evaluate(crimes, evaluation_areas(target, study_area=area), start="2025-01")
            fell += res.verdict == "fell"
            c = res.counts
            old_low = np.exp(np.log(c.Tb * c.Ca / (c.Ta * c.Cb))
                             - 1.96 * np.sqrt(1 / c.Tb + 1 / c.Ta + 1 / c.Cb + 1 / c.Ca))
            old += old_low > 1
        per = (time.perf_counter() - started) / runs
        print(f"  {label:36} old significant {old / runs:6.1%}   new fell {fell / runs:6.1%}"
              f"   ({per:.2f} s per evaluation)")


def power_check(runs: int, seed: int) -> None:
    print(f"\n3. Power: formula against simulation ({runs} simulated evaluations each)")
    rng = np.random.default_rng(seed)
    designs = [(8, 40, 12, 6, 0.3, 1.0), (8, 40, 12, 12, 0.3, 2.5), (20, 200, 12, 12, 0.2, 1.5),
               (3, 30, 12, 24, 0.4, 1.2)]
    print(f"  {'target/month':>12} {'comparison/month':>17} {'before':>6} {'after':>5} "
          f"{'effect':>6} {'D':>4} {'formula':>8} {'simulated':>9}")
    for r_t, r_c, m_b, m_a, e, d in designs:
        def counts(mean: float, months: int, d: float = d) -> np.ndarray:
            lam = (rng.gamma(mean / (d - 1), d - 1, (runs, months)) if d > 1
                   else np.full((runs, months), mean))
            return rng.poisson(lam).sum(axis=1).astype(float)

        tb, ta = counts(r_t, m_b), counts(r_t * (1 - e), m_a)
        cb, ca = counts(r_c, m_b), counts(r_c, m_a)
        ok = (tb > 0) & (ta > 0)
        z = np.log(tb * ca / (ta * cb))[ok] / np.sqrt(d * (1 / tb + 1 / ta + 1 / cb + 1 / ca)[ok])
        simulated = float((np.abs(z) > stats.norm.ppf(0.975)).mean())
        formula = design_power(target_per_month=r_t, comparison_per_month=r_c,
                               months_before=m_b, months_after=m_a, effect=e, dispersion=d)
        print(f"  {r_t:>12} {r_c:>17} {m_b:>6} {m_a:>5} {e:>6.0%} {d:>4} {formula:>8.3f} "
              f"{simulated:>9.3f}")


def projection_checks(runs: int, seed: int) -> None:
    print(f"\n4. Projection intervals: realised prevented crimes inside them ({runs} plans on "
          "the busiest place of 400)")
    rng = np.random.default_rng(seed)
    inside80 = inside95 = 0
    raw, corrected, truth = [], [], []
    low, mode, high = 0.05, 0.13, 0.25  # CCTV's planning range
    for _ in range(runs):
        rates = rng.gamma(1.5, 20 / 1.5, 400)
        year1 = rng.poisson(rates)
        busy = int(np.argmax(year1))
        eb = fit_reference(year1)
        sim = simulate_prevented(np.ones((int(year1[busy]), 1), bool), [(low, mode, high)],
                                 eb=eb, runs=2000, seed=int(rng.integers(1 << 31)))
        effect = rng.triangular(low, mode, high)
        realised = rng.binomial(rng.poisson(rates[busy]), effect)
        inside80 += sim.get("prevented", "lo80") <= realised <= sim.get("prevented", "hi80")
        inside95 += sim.get("prevented", "lo95") <= realised <= sim.get("prevented", "hi95")
        top = year1 >= np.quantile(year1, 0.95)
        raw.append(year1[top].mean())
        corrected.append(eb.estimates(year1[top]).mean())
        truth.append(rng.poisson(rates[top]).mean())
    print(f"  inside the 80% interval: {inside80 / runs:.1%}   inside the 95% interval: "
          f"{inside95 / runs:.1%}")
    print(f"\n5. Projection baseline, busiest 5% of places: raw / next year "
          f"{np.mean(raw) / np.mean(truth):.3f}, empirical Bayes / next year "
          f"{np.mean(corrected) / np.mean(truth):.3f}")


def timings() -> None:
    from hotspots.io import load_crimes
    from hotspots.planning.impact import projected_impact
    from hotspots.planning.interventions import Intervention

    data = ROOT / "data"
    if not (data / "sample_crimes" / "planted.json").is_file():
        print("\n6. Timings skipped: no demo data (run 'hotspots sample').")
        return
    crimes, _ = load_crimes(data / "sample_crimes")
    truth = json.loads((data / "sample_crimes" / "planted.json").read_text())["scheme"]
    layer = gpd.read_file(data / "boundaries" / "demo_scheme.gpkg")
    town = gpd.read_file(data / "boundaries" / "town.gpkg")
    target = layer.loc[layer["role"] == "target"].geometry.iloc[0]
    plan = [Intervention(type="street_lighting", geometry=target, start="2025-01", cost=90_000),
            Intervention(type="cctv", geometry=target.centroid, start="2025-01", cost=20_000)]
    started = time.perf_counter()
    impact = projected_impact(crimes, plan, group="neighbourhood", study_area=town)
    t_projection = time.perf_counter() - started
    started = time.perf_counter()
    res = evaluate(crimes, evaluation_areas(layer), start=truth["start_month"],
                   categories=truth["categories"], study_area=town)
    t_evaluation = time.perf_counter() - started
    p = impact.plan.iloc[0]
    print(f"\n6. Demo town ({len(crimes):,} crimes): projection {t_projection:.2f} s "
          f"(prevented {p['prevented']:.1f}, 95% {p['prevented_lo95']:.0f}-"
          f"{p['prevented_hi95']:.0f}); evaluation {t_evaluation:.2f} s (RES {res.res:.2f}, "
          f"DiD as RES {res.did.res:.2f} {res.did.res_ci[0]:.2f}-{res.did.res_ci[1]:.2f}, "
          f"placebo p {res.placebo.p_fall:.2f}, verdict {res.verdict}; planted RES "
          f"{truth['expected']['res']:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few runs (smoke check)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    started = time.perf_counter()
    null_runs(int(1000 * scale), args.seed)
    end_to_end(max(10, int(200 * scale)), args.seed)
    power_check(int(20_000 * scale), args.seed)
    projection_checks(int(500 * scale), args.seed)
    timings()
    print(f"\nTotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
