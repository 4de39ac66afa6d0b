"""Gait as real trunk and waist sensors see it: heel-strike impacts at 200 Hz, cadence,
jogging lean, stairs, stride-frequency sway, left/right asymmetry, gyro consistency.

Every check runs over several seeds (people) and placements, never on one seed's print.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import signal

from sensorcoach.simulate import SimConfig, Simulation, simulate
from sensorcoach.simulate import everyday as ev
from sensorcoach.simulate.person import draw_person
from sensorcoach.simulate.scenarios import initial_channels
from sensorcoach.simulate.script import Script
from sensorcoach.simulate.trajectory import render

Arr = NDArray[np.float64]
IDEAL = {"acc_noise_g": 0.0, "gyro_noise_dps": 0.0, "gyro_bias_dps": 0.0, "bias_drift": False,
         "timing_jitter_s": 0.0}
SEEDS = (0, 1, 2, 3, 4, 5)


@lru_cache(maxsize=16)
def _day(seed: int, rate: float, placement: str) -> Simulation:
    return simulate("daily_life", seed=seed, config=SimConfig(
        sample_rate_hz=rate, placement=placement, duration_s=1200.0,  # type: ignore[arg-type]
        **IDEAL))


def bouts(s: Simulation, kind: str, stairs: str | None = None,
          margin: float = 2.0) -> list[tuple[dict[str, Any], slice, Arr]]:
    """Steady parts of ``kind`` segments with the heel strikes inside them."""
    out = []
    for seg in s.segments:
        if seg["kind"] != kind or seg.get("stairs") != stairs:
            continue
        a, b = seg["steady_start_s"] + margin, seg["end_s"] - margin
        if b - a < 6.0:
            continue
        i0, i1 = np.searchsorted(s.recording.t, [a, b])
        steps = s.step_t[(s.step_t > a + 0.3) & (s.step_t < b - 0.3)]
        out.append((seg, slice(int(i0), int(i1)), steps))
    return out


def step_peaks(s: Simulation, steps: Arr) -> Arr:
    """Peak |specific force| (g) within 50 ms of each heel strike."""
    t = s.recording.t
    norm = np.linalg.norm(s.recording.acc_axes, axis=0)
    idx = np.searchsorted(t, steps)
    half = max(1, round(0.05 * s.config.sample_rate_hz))
    return np.array([norm[max(i - half, 0):i + half].max() for i in idx])


# --------------------------------------------------------------------- impacts
@pytest.mark.parametrize("placement", ["lower_back", "waist"])
@pytest.mark.parametrize("seed", SEEDS)
def test_heel_strikes_peak_at_1_5_to_2_5_g_walking_at_200_hz(seed: int, placement: str) -> None:
    s = _day(seed, 200.0, placement)
    walks = bouts(s, "walking")
    assert walks
    for _, _, steps in walks:
        peaks = step_peaks(s, steps)
        assert steps.size >= 8
        assert 1.5 <= float(np.median(peaks)) <= 2.5
        # Step to step the impacts vary (12 %) and differ left/right.
        assert np.mean((peaks >= 1.3) & (peaks <= 2.8)) >= 0.9


@pytest.mark.parametrize("placement", ["lower_back", "waist"])
@pytest.mark.parametrize("seed", SEEDS)
def test_jogging_impacts_peak_at_3_to_5_g_at_200_hz(seed: int, placement: str) -> None:
    s = _day(seed, 200.0, placement)
    runs = bouts(s, "running")
    assert len(runs) == 1
    _, w, steps = runs[0]
    peaks = step_peaks(s, steps)
    assert 3.0 <= float(np.median(peaks)) <= 5.0
    assert np.mean((peaks >= 2.5) & (peaks <= 5.8)) >= 0.9
    # Flight: between steps the legs carry little; the specific force drops far below 1 g.
    norm = np.linalg.norm(s.recording.acc_axes[:, w], axis=0)
    assert float(np.percentile(norm, 2)) < 0.6


@pytest.mark.parametrize(("corner", "walk_g", "jog_g"), [
    ({"impact_g": 0.4, "jog_impact_g": 1.45, "gait_vertical_g": 0.15,
      "impact_width_s": 0.022}, (1.5, 1.7), (3.0, 3.3)),
    ({"impact_g": 1.15, "jog_impact_g": 3.3, "gait_vertical_g": 0.4,
      "impact_width_s": 0.012}, (2.3, 2.5), (4.6, 5.0)),
])
def test_the_drawn_ranges_map_onto_the_published_peaks(corner: dict[str, float],
                                                        walk_g: tuple[float, float],
                                                        jog_g: tuple[float, float]) -> None:
    """The softest and the hardest walker/jogger the population can draw: median peaks
    at the ends of 1.5-2.5 g and 3-5 g, not beyond."""
    s = simulate("daily_life", seed=1, config=SimConfig(
        sample_rate_hz=200.0, duration_s=700.0, person={**corner, "impact_asym": 0.0},
        **IDEAL))
    for kind, (lo, hi) in (("walking", walk_g), ("running", jog_g)):
        peaks = np.concatenate([step_peaks(s, steps) for _, _, steps in bouts(s, kind)])
        assert lo <= float(np.median(peaks)) <= hi, kind


@pytest.mark.parametrize("placement", ["lower_back", "waist"])
@pytest.mark.parametrize("seed", SEEDS)
def test_no_spike_where_a_stair_bout_ends(seed: int, placement: str) -> None:
    """Regression: the last step of a stair bout once added its rise in one sample (a
    0.17 m jump, 20-60 g), which the recording then dropped as glitches."""
    s = _day(seed, 200.0, placement)
    assert s.recording.n_samples == round(s.labels["duration_s"] * 200.0) + 1
    assert float(np.linalg.norm(s.recording.acc_axes, axis=0).max()) < 7.0


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_lower_rates_see_the_impacts_filtered_not_aliased(seed: int) -> None:
    """At 50 Hz the anti-aliasing filter (pass band to 20 Hz) blunts the sharp peaks."""
    hi = _day(seed, 200.0, "lower_back")
    lo = _day(seed, 50.0, "lower_back")
    for (_, _, steps), (_, _, steps_lo) in zip(bouts(hi, "running"), bouts(lo, "running"),
                                              strict=True):
        # The same person and script: the same steps up to the fine grid's spacing.
        assert abs(steps.size - steps_lo.size) <= 1
        assert np.median(step_peaks(lo, steps)) < np.median(step_peaks(hi, steps))
        assert np.median(step_peaks(lo, steps)) > 2.0


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_walking_energy_above_5_hz_is_large(seed: int) -> None:
    """A heel strike is broadband: energy above 5 Hz (past the second step harmonic),
    which the first simulator's sinusoidal gait hardly had."""
    rate = 100.0

    def share_above_5_hz(gait: str) -> list[float]:
        s = simulate("daily_life", seed=seed, config=SimConfig(
            sample_rate_hz=rate, duration_s=900.0, gait=gait, **IDEAL))
        out = []
        for _, w, _ in bouts(s, "walking"):
            x = np.linalg.norm(s.recording.acc_axes[:, w], axis=0)
            f, psd = signal.welch(x - x.mean(), fs=rate, nperseg=512)
            out.append(float(psd[f > 5.0].sum() / psd[f > 0.5].sum()))
        return out

    honest, smooth = share_above_5_hz("impacts"), share_above_5_hz("smooth")
    assert min(honest) > 0.04
    assert min(honest) > 5.0 * max(smooth)


# --------------------------------------------------------------------- cadence, lean
@pytest.mark.parametrize("seed", SEEDS)
def test_cadence_walking_jogging_and_stairs(seed: int) -> None:
    s = _day(seed, 50.0, "lower_back")
    for kind, stairs, lo, hi in (("walking", None, 1.6, 2.2), ("running", None, 2.5, 3.2),
                                 ("walking", "up", 1.3, 2.0), ("walking", "down", 1.3, 2.0)):
        found = bouts(s, kind, stairs, margin=1.0)
        assert found, (kind, stairs)
        for seg, _, steps in found:
            cadence = 1.0 / float(np.mean(np.diff(steps)))
            assert lo - 0.05 <= cadence <= hi + 0.05
            assert abs(cadence - seg["step_hz"]) < 0.06 * seg["step_hz"]


@pytest.mark.parametrize("seed", SEEDS)
def test_jogging_trunk_leans_forward_5_to_15_deg(seed: int) -> None:
    s = _day(seed, 50.0, "lower_back")
    offset = s.person.standing_offset_deg
    (seg, w, _), = bouts(s, "running")
    lean = float(np.median(s.truth_flexion_deg[w])) - offset
    assert 5.0 - 1.5 <= lean <= 15.0 + 1.5
    assert abs(lean - seg["lean_deg"]) < 1.5


@pytest.mark.parametrize("seed", SEEDS)
def test_mediolateral_sway_is_at_half_the_step_frequency(seed: int) -> None:
    rate = 50.0
    s = _day(seed, rate, "lower_back")
    r_bs = s.mounting
    for seg, w, _ in bouts(s, "walking"):
        if w.stop - w.start < 30 * rate:
            continue
        acc_body = r_bs @ s.recording.acc_axes[:, w]
        ml = acc_body[1] - acc_body[1].mean()
        f, psd = signal.welch(ml, fs=rate, nperseg=min(1024, ml.size))
        band = (f > 0.4) & (f < 1.5)
        peak = float(f[band][np.argmax(psd[band])])
        assert abs(peak - 0.5 * seg["step_hz"]) < 0.12


@pytest.mark.parametrize("up", [True, False])
def test_stairs_lift_the_pelvis_one_rise_per_step(up: bool) -> None:
    """From standing still, through 20 s of stairs, to standing still: the double
    integral of the vertical acceleration climbs (or descends) 0.17 m per step."""
    p = draw_person(np.random.default_rng(5), "lower_back", population="wide")
    s = Script(initial_channels(p))
    s.enter("standing", 2.0, {"pz": 0.95, "flex": 0.0, "pelvis": 0.0})
    s.advance(4.0)
    ev.stairs(s, p, np.random.default_rng(2), 20.0, up=up)
    s.enter("standing", 2.0, {"pz": 0.95})
    s.advance(6.0)
    fs = 200.0
    t = np.arange(0.0, 30.0, 1.0 / fs)
    kin = render(s, p, "lower_back", fs, t, np.random.default_rng(0),
                 rng_gait=np.random.default_rng(1))
    z = np.cumsum(np.cumsum(kin.acc_world[2]) / fs) / fs
    still = (t > 2.5) & (t < 3.5)
    rise = float(np.mean(z[-int(fs):]) - np.mean(z[still]))
    # Step k climbs between heel strikes k and k + 1, by the stairs channel at its start.
    climb = s.render(kin.step_t[:-1])["stairs"]
    assert kin.step_t.size >= 20
    assert float(np.sum(climb)) * (1.0 if up else -1.0) > 15.0
    assert rise == pytest.approx(0.17 * float(np.sum(climb)), rel=0.1)


@pytest.mark.parametrize("seed", SEEDS)
def test_left_and_right_steps_differ_as_drawn(seed: int) -> None:
    s = _day(seed, 200.0, "lower_back")
    p = s.person
    amp, times = [], []
    for _, _, steps in bouts(s, "walking"):
        peaks = step_peaks(s, steps)
        d = np.diff(steps)
        times.append(abs(np.mean(d[0::2]) - np.mean(d[1::2])) / np.mean(d))
        amp.append(abs(np.mean(peaks[0::2]) - np.mean(peaks[1::2])))
    assert float(np.median(times)) == pytest.approx(p.stride_asym, abs=0.02)
    if p.impact_asym > 0.15:
        assert float(np.median(amp)) > 0.02
    # Step-to-step variability: never a metronome.
    d = np.diff(bouts(s, "walking")[0][2])
    assert np.std(d[0::2]) / np.mean(d[0::2]) > 0.3 * p.step_cv


# --------------------------------------------------------------------- gyro
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_gait_gyro_explains_how_gravity_turns(seed: int) -> None:
    """Through heel strikes and jogging, the bias-free gyro rotates the gravity direction
    exactly as the truth orientation does (within integration error)."""
    rate = 200.0
    s = _day(seed, rate, "lower_back")
    gyro = s.recording.gyro_axes
    assert gyro is not None
    for kind in ("walking", "running"):
        for _, w, _ in bouts(s, kind)[:2]:
            i0, i1 = w.start, min(w.stop, w.start + int(5 * rate))
            up_s = (s.mounting.T @ s.truth_up_body[:, i0:i1])  # world up in sensor axes
            g = np.radians(gyro[:, i0:i1])
            # d(up)/dt = -omega x up in the rotating frame
            pred = up_s[:, 0].copy()
            err = 0.0
            for k in range(i1 - i0 - 1):
                om = 0.5 * (g[:, k] + g[:, k + 1]) / rate
                pred = pred - np.cross(om, pred)
                pred /= np.linalg.norm(pred)
                err = max(err, float(np.degrees(np.arccos(np.clip(pred @ up_s[:, k + 1],
                                                                  -1.0, 1.0)))))
            assert err < 0.5, (kind, err)
            # ... and the gait does turn the trunk (roll/twist at the stride frequency).
            assert np.degrees(np.ptp(g, axis=1)).max() > 10.0


def test_gait_acceleration_integrates_to_a_bounded_motion() -> None:
    """The gait's vertical acceleration has no net drift: what goes up comes down."""
    p = draw_person(np.random.default_rng(4), "lower_back", population="wide")
    s = Script(initial_channels(p))
    s.enter("walking", 2.0, {"walk": 1.0, "step_hz": 1.9, "speed": 1.2, "flex": 0.0,
                             "pz": 0.95})
    s.advance(60.0)
    fs = 200.0
    t = np.arange(0.0, 60.0, 1.0 / fs)
    kin = render(s, p, "lower_back", fs, t, np.random.default_rng(0),
                 rng_gait=np.random.default_rng(1))
    az = kin.acc_world[2, int(5 * fs):]
    v = np.cumsum(az) / fs
    assert abs(float(v[-1] - v[0])) < 0.5  # m/s after ~100 steps
    assert float(np.max(az)) > 5.0  # heel strikes are there (m/s^2)
