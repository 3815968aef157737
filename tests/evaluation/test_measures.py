"""The measures on hand examples: RES and its interval, WDQ, net effect, zero counts."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.errors import ParameterError
from hotspots.evaluation.measures import WDQ_BANDS
from hotspots.evaluation.measures import effect_measures
from hotspots.evaluation.measures import farrington_dispersion
from hotspots.evaluation.measures import relative_effect_size
from hotspots.evaluation.measures import total_net_effect
from hotspots.evaluation.measures import weighted_displacement_quotient

# ---------------------------------------------------------------------------------------
# Formulas on hand examples
# ---------------------------------------------------------------------------------------


def test_wdq_worked_check_is_minus_one():
    # Bowers & Johnson's check (DESIGN.md): T 100->50, B 100->150, C 100->100.
    assert weighted_displacement_quotient(100, 50, 100, 150, 100, 100) == pytest.approx(-1.0,
                                                                                        abs=1e-12)


def test_wdq_diffusion_of_benefits_is_positive():
    # Buffer 100->80 with control flat: buffer measure -0.2, success measure -0.5.
    assert weighted_displacement_quotient(100, 50, 100, 80, 100, 100) == pytest.approx(0.4)
    # Control doubles: T 100->100 is an improvement relative to it (success -0.5),
    # buffer 50->50 too (buffer measure -0.25).
    assert weighted_displacement_quotient(100, 100, 50, 50, 100, 200) == pytest.approx(0.5)


def test_res_and_confidence_interval_by_hand():
    # RES = (100*100)/(50*100) = 2; Var(ln RES) = 1/100+1/50+1/100+1/100 = 0.05;
    # CI = exp(ln 2 -/+ 1.959964*sqrt(0.05)) = 1.290314, 3.100020 (computed by hand).
    res, low, high = relative_effect_size(100, 50, 100, 100)
    assert res == pytest.approx(2.0, abs=1e-12)
    assert low == pytest.approx(1.290314, rel=1e-6)
    assert high == pytest.approx(3.100020, rel=1e-6)
    # The demo's observed counts: RES 1.828066, CI 1.493853 to 2.237050.
    r = relative_effect_size(443, 255, 440, 463)
    np.testing.assert_allclose(r, (1.828066, 1.493853, 2.237050), rtol=1e-6)


def test_res_is_symmetric_in_swapping_target_and_control():
    a = relative_effect_size(80, 50, 120, 110)
    b = relative_effect_size(120, 110, 80, 50)
    assert a.res * b.res == pytest.approx(1.0)
    assert a.ci_low * b.ci_high == pytest.approx(1.0)


def test_total_net_effect_by_hand():
    assert total_net_effect(100, 50, 100, 150, 100, 100) == pytest.approx(0.0, abs=1e-12)
    # Control up 20%: target expected 120, saw 60 (+60); buffer expected 60, saw 50 (+10).
    assert total_net_effect(100, 60, 50, 50, 100, 120) == pytest.approx(70.0)
    assert total_net_effect(10, 20, 10, 10, 10, 10) == pytest.approx(-10.0)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    ("counts", "zero"),
    [((10, 0, 10, 10), "Ta = 0"), ((10, 5, 0, 10), "Cb = 0"), ((0, 5, 10, 10), "Tb = 0"),
     ((10, 5, 10, 0), "Ca = 0")],
)
def test_res_zero_counts_get_the_continuity_correction(counts, zero):
    # 0.5 added to all four counts (Haldane-Anscombe): finite RES and interval, by hand
    res = relative_effect_size(*counts)
    tb, ta, cb, ca = (c + 0.5 for c in counts)
    assert res.res == pytest.approx(tb * ca / (ta * cb), rel=1e-12)
    se = np.sqrt(1 / tb + 1 / ta + 1 / cb + 1 / ca)
    assert res.ci_low == pytest.approx(res.res * np.exp(-1.959963984540054 * se), rel=1e-12)
    assert np.isfinite([res.res, res.ci_low, res.ci_high]).all()
    # without the correction the zero count is named
    with pytest.raises(ParameterError, match=zero):
        relative_effect_size(*counts, continuity=0)


def test_dispersion_widens_the_interval_by_its_square_root():
    plain = relative_effect_size(100, 50, 100, 100)
    wide = relative_effect_size(100, 50, 100, 100, dispersion=2.48)
    assert wide.res == plain.res
    ratio = np.log(wide.ci_high / wide.res) / np.log(plain.ci_high / plain.res)
    assert ratio == pytest.approx(np.sqrt(2.48), rel=1e-12)
    # Farrington et al.'s rule (as read here): D = 0.0008 N + 1.2
    assert farrington_dispersion(443 + 255 + 440 + 463) == pytest.approx(2.4808)
    with pytest.raises(ParameterError, match="'dispersion'"):
        relative_effect_size(100, 50, 100, 100, dispersion=0)


@pytest.mark.filterwarnings("error")
def test_wdq_and_net_effect_undefined_cases():
    with pytest.raises(ParameterError, match="Ca = 0"):
        weighted_displacement_quotient(10, 5, 10, 10, 10, 0, continuity=0)
    with pytest.raises(ParameterError, match="exactly as the control"):
        weighted_displacement_quotient(10, 20, 10, 10, 10, 20)
    with pytest.raises(ParameterError, match="Cb = 0"):
        total_net_effect(10, 5, 10, 10, 0, 10, continuity=0)
    # corrected by default: every count + 0.5
    assert weighted_displacement_quotient(10, 5, 10, 10, 10, 0) == pytest.approx(
        (10.5 / 0.5 - 10.5 / 10.5) / (5.5 / 0.5 - 10.5 / 10.5))
    assert total_net_effect(10, 5, 10, 10, 0, 10) == pytest.approx(
        10.5 * 21 - 5.5 + 10.5 * 21 - 10.5)


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "ten", None, True])
def test_counts_must_be_non_negative_numbers(bad):
    with pytest.raises(ParameterError, match="'Bb' count"):
        weighted_displacement_quotient(10, 5, bad, 10, 10, 10)


def test_every_bad_count_is_named_at_once():
    with pytest.raises(ParameterError) as err:
        total_net_effect(-1, 5, "ten", 10, 10, 10)
    text = str(err.value)
    assert text.startswith("total_net_effect has 2 problems")
    assert "'Tb' count (crimes in the target before the start)" in text and "-1" in text
    assert "'Bb' count" in text and "'ten'" in text


def test_effect_measures_agree_with_the_single_measures():
    counts = {"Tb": 80, "Ta": 50, "Bb": 60, "Ba": 70, "Cb": 120, "Ca": 110}
    m = effect_measures(counts)
    res = relative_effect_size(80, 50, 120, 110)
    assert (m.res, *m.res_ci) == tuple(res)
    assert m.relative_change == pytest.approx(1 / res.res - 1)
    assert m.significant is (not res.ci_low <= 1 <= res.ci_high)
    assert m.wdq == weighted_displacement_quotient(*counts.values())
    assert m.net_effect == total_net_effect(*counts.values())
    assert m.wdq_meaning in {meaning for _, meaning in WDQ_BANDS}
    assert m.notes == []
    assert set(m.values()) == {"res", "res_ci", "relative_change", "significant",
                               "success_measure", "buffer_measure", "wdq", "wdq_meaning",
                               "net_effect", "dispersion", "corrected"}


@pytest.mark.filterwarnings("error")
def test_effect_measures_correct_zero_counts_and_say_so():
    counts = {"Tb": 10, "Ta": 5, "Bb": 10, "Ba": 10, "Cb": 0, "Ca": 10}
    m = effect_measures(counts)
    assert m.corrected and "Cb = 0" in m.notes[0] and "continuity correction" in m.notes[0]
    fixed = {k: v + 0.5 for k, v in counts.items()}
    assert m.res == pytest.approx(relative_effect_size(10.5, 5.5, 0.5, 10.5).res)
    assert m.net_effect == pytest.approx(total_net_effect(*fixed.values()))
    # with the correction off, the undefined measures are None and each says why
    off = effect_measures(counts, continuity=0)
    assert off.res is None and off.wdq is None and off.net_effect is None
    assert len(off.notes) == 3 and all("Cb = 0" in n for n in off.notes)
    assert off.wdq_meaning == off.notes[1]
