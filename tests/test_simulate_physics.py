"""The simulator's physics: gravity, rotation, lever arms, gait, tremor, anti-aliasing.

Checks are physical relations between the simulated sensor output and the truth, over
several seeds and random mountings, never printed numbers of one seed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import signal

from sensorcoach.core.frames import random_rotation, trunk_rotation
from sensorcoach.simulate import SimConfig, Simulation, simulate
from sensorcoach.simulate.person import draw_person
from sensorcoach.simulate.scenarios import initial_channels
from sensorcoach.simulate.script import Script
from sensorcoach.simulate.trajectory import euler_body_rate, render

Arr = NDArray[np.float64]
HOLDS = ("plank", "side_plank_left", "side_plank_right")
IDEAL = {"acc_noise_g": 0.0, "gyro_noise_dps": 0.0, "gyro_bias_dps": 0.0, "bias_drift": False,
         "timing_jitter_s": 0.0}
FEW = settings(max_examples=3, deadline=None, derandomize=True)
TWO = settings(max_examples=2, deadline=None, derandomize=True)


@lru_cache(maxsize=32)
def _sim(scenario: str, seed: int, items: tuple[tuple[str, Any], ...]) -> Simulation:
    kw = dict(items)
    if "person" in kw:
        kw["person"] = dict(kw["person"])
    return simulate(scenario, seed=seed, config=SimConfig(**kw))


def sim(scenario: str, seed: int, **kw: Any) -> Simulation:
    if "person" in kw:
        kw["person"] = tuple(sorted(kw["person"].items()))
    return _sim(scenario, seed, tuple(sorted(kw.items())))


def window(s: Simulation, start: float, end: float) -> slice:
    i0, i1 = np.searchsorted(s.recording.t, [start, end])
    return slice(int(i0), int(i1))


def steady(s: Simulation, kinds: tuple[str, ...], margin: float = 1.0,
           min_s: float = 5.0) -> list[tuple[dict[str, Any], slice]]:
    out = []
    for seg in s.segments:
        a, b = seg["steady_start_s"] + margin, seg["end_s"] - margin
        # A form break is a fast movement, not tremor: stop before it.
        b = min([b] + [fb["t_s"] - margin for fb in seg.get("form_breaks", [])])
        if seg["kind"] in kinds and b - a >= min_s:
            out.append((seg, window(s, a, b)))
    return out


def band_rms_mg(x: Arr, fs: float, lo: float, hi: float) -> float:
    """Vector RMS of ``x`` (3, n) in g band-passed to lo-hi Hz, in mg."""
    hi = min(hi, 0.45 * fs)
    sos = signal.butter(4, [lo, hi], btype="band", fs=fs, output="sos")
    y = signal.sosfiltfilt(sos, x - x.mean(axis=1, keepdims=True), axis=1)
    return float(1000.0 * np.sqrt(np.mean(np.sum(y * y, axis=0))))


def expm_so3(w: Arr) -> Arr:
    """Rotation matrices exp([w]x) for rotation vectors ``w`` of shape (n, 3)."""
    th = np.linalg.norm(w, axis=1)[:, None, None]
    safe = np.where(th > 1e-12, th, 1.0)
    k = np.zeros((w.shape[0], 3, 3))
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -w[:, 2], w[:, 1], -w[:, 0]
    k = (k - k.transpose(0, 2, 1)) / safe
    eye = np.broadcast_to(np.eye(3), k.shape)
    out: Arr = eye + np.sin(th) * k + (1.0 - np.cos(th)) * (k @ k)
    return out


def chain(mats: Arr) -> Arr:
    """Ordered product mats[0] @ mats[1] @ ... by pairwise reduction (vectorised)."""
    while mats.shape[0] > 1:
        if mats.shape[0] % 2:
            mats = np.concatenate([mats, np.eye(3)[None]])
        mats = mats[0::2] @ mats[1::2]
    return mats[0]


def rotation_angle_deg(r: Arr) -> float:
    return float(np.degrees(np.arccos(np.clip((np.trace(r) - 1.0) / 2.0, -1.0, 1.0))))


# --------------------------------------------------------------------- gravity
@given(seed=st.integers(0, 10_000))
@FEW
def test_still_accelerometer_reads_one_g(seed: int) -> None:
    s = sim("rest_lying", seed, duration_s=240.0, sample_rate_hz=25.0)
    spans = [window(s, 0.5, 5.0)] + [w for _, w in steady(s, ("rest",))]
    assert len(spans) >= 8
    noise = s.config.acc_noise_g
    for w in spans:
        norm = np.linalg.norm(s.recording.acc_axes[:, w], axis=0)
        assert abs(norm.mean() - 1.0) < 0.005
        assert np.all(np.abs(norm - 1.0) < 6 * noise + 0.02)


@given(seed=st.integers(0, 10_000), mount_seed=st.integers(0, 10_000))
@FEW
def test_mounting_rotates_raw_axes_but_not_truth(seed: int, mount_seed: int) -> None:
    other = random_rotation(np.random.default_rng(mount_seed))
    a = sim("desk", seed, duration_s=120.0)
    b = simulate("desk", seed=seed, config=SimConfig(duration_s=120.0, mounting=other))
    c = sim("desk", seed, duration_s=120.0, mounting="nominal")
    np.testing.assert_array_equal(a.truth_up_body, b.truth_up_body)
    np.testing.assert_array_equal(a.truth_flexion_deg, c.truth_flexion_deg)
    np.testing.assert_allclose(b.mounting, other)
    np.testing.assert_allclose(c.mounting, np.eye(3))
    assert np.max(np.abs(a.recording.acc_axes - b.recording.acc_axes)) > 0.1
    # The still accelerometer, rotated by the mounting into the body, is world-up.
    w = window(a, 0.5, 5.0)
    for s in (a, b, c):
        up = (s.mounting @ s.recording.acc_axes[:, w]).mean(axis=1)
        truth = s.truth_up_body[:, w].mean(axis=1)
        cos = up @ truth / np.linalg.norm(up) / np.linalg.norm(truth)
        assert np.degrees(np.arccos(min(cos, 1.0))) < 0.3


# --------------------------------------------------------------------- rotation
@given(seed=st.integers(0, 10_000))
@TWO
def test_bias_free_gyro_integrates_to_the_truth_orientation(seed: int) -> None:
    rate = 50.0
    for scenario, placement in (("desk", "upper_back"), ("workout", "upper_back"),
                                ("daily_life", "lower_back"), ("waist_day", "waist"),
                                ("workout_wide", "lower_back")):
        s = sim(scenario, seed, duration_s=300.0, sample_rate_hz=rate, placement=placement,
                **IDEAL)
        gyro = s.recording.gyro_axes
        assert gyro is not None
        w_body = np.radians(s.mounting @ gyro)
        dt = 1.0 / rate
        for seg in s.segments:
            sl = window(s, seg["start_s"], min(seg["end_s"], seg["start_s"] + 60.0))
            i0, i1 = sl.start, sl.stop - 1
            if i1 - i0 < 10:
                continue
            # Trapezoidal rate per step, exact exponential map, ordered product.
            steps = 0.5 * (w_body[:, i0:i1] + w_body[:, i0 + 1:i1 + 1]).T * dt
            r = s.truth_rotation[i0] @ chain(expm_so3(steps))
            moved = rotation_angle_deg(s.truth_rotation[i0].T @ s.truth_rotation[i1])
            err = rotation_angle_deg(s.truth_rotation[i1].T @ r)
            assert err < 0.2 + 0.01 * moved, (scenario, seg["kind"], err, moved)


def test_euler_rates_match_the_rotation_log_map() -> None:
    rng = np.random.default_rng(1)
    h = 1e-6
    for _ in range(20):
        ang = rng.uniform(-3.0, 3.0, 3)
        rate = rng.normal(0.0, 2.0, 3)
        r0 = trunk_rotation(*ang)
        r1 = trunk_rotation(*(ang + rate * h))
        d = (r0.T @ r1 - r0.T @ trunk_rotation(*(ang - rate * h))) / (2 * h)
        expected = np.array([d[2, 1], d[0, 2], d[1, 0]])
        got = euler_body_rate(*(np.array([[x]]) for x in (*ang, *rate)))[:, 0, 0]
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_lever_arm_acceleration_is_the_rigid_body_acceleration() -> None:
    """A scripted forward lean with everything else still: the rendered acceleration must
    equal the analytic tangential + centripetal acceleration of the lever arm."""
    p = draw_person(np.random.default_rng(0), "upper_back",
                    {"sway_deg": 0.0, "breath_deg": 0.0})
    s = Script(initial_channels(p))
    s.enter("upright", 1.0, {"sway": 0.0})
    s.ramp("flex", 1.0, 2.5, 40.0)
    s.advance(3.0)
    fs = 400.0
    t = np.arange(0, 3.0, 1 / fs)
    kin = render(s, p, "upper_back", fs, t, np.random.default_rng(0))
    u = np.clip((t - 1.0) / 1.5, 0, 1)
    th = np.radians(40.0) * (10 * u**3 - 15 * u**4 + 6 * u**5)
    dth = np.radians(40.0) * (30 * u**2 - 60 * u**3 + 30 * u**4) / 1.5
    ddth = np.radians(40.0) * (60 * u - 180 * u**2 + 120 * u**3) / 1.5**2
    r = p.lever_arm("upper_back")
    c, sn = np.cos(th), np.sin(th)
    # p = Ry(th) r:  x = c rx + s rz,  z = -s rx + c rz
    dx = -sn * r[0] + c * r[2]
    dz = -c * r[0] - sn * r[2]
    ax = ddth * dx - dth**2 * (c * r[0] + sn * r[2])
    az = ddth * dz - dth**2 * (-sn * r[0] + c * r[2])
    inner = slice(10, -10)
    np.testing.assert_allclose(kin.acc_world[0, inner], ax[inner], atol=2e-3)
    np.testing.assert_allclose(kin.acc_world[2, inner], az[inner], atol=2e-3)
    np.testing.assert_allclose(kin.omega[1, inner], dth[inner], atol=1e-4)
    assert np.max(np.abs(ax)) > 0.3  # the motion is not trivial (m/s^2)


# --------------------------------------------------------------------- gait
@given(seed=st.integers(0, 10_000))
@TWO
def test_walking_has_a_spectral_peak_at_the_step_frequency(seed: int) -> None:
    rate = 50.0
    s = sim("mixed", seed, duration_s=900.0, sample_rate_hz=rate)
    walks = steady(s, ("walking",), margin=2.0, min_s=30.0)
    assert walks
    acc_body = s.mounting @ s.recording.acc_axes
    for seg, w in walks:
        vert = np.sum(acc_body[:, w] * s.truth_up_body[:, w], axis=0)
        x = vert - vert.mean()
        f, psd = signal.welch(x, fs=rate, nperseg=min(1024, x.size))
        band = (f > 0.5) & (f < 5.0)
        peak = float(f[band][np.argmax(psd[band])])
        assert 1.55 <= peak <= 2.25
        assert abs(peak - seg["step_hz"]) <= 0.1
        assert 0.07 < x.std() < 0.5  # a few tenths of g


# --------------------------------------------------------------------- tremor
#: Workouts are the expensive scenario: a few fixed seeds, shared through the cache.
WORKOUT_SEEDS = (5, 23)


@pytest.mark.parametrize("seed", WORKOUT_SEEDS)
def test_hold_tremor_band_power_grows_with_the_tremor_parameter(seed: int) -> None:
    rate = 50.0
    weak = sim("workout", seed, sample_rate_hz=rate, acc_noise_g=0.0,
               person={"tremor_mg": 3.0, "fatigue_gain": 1.0})
    strong = sim("workout", seed, sample_rate_hz=rate, acc_noise_g=0.0,
                 person={"tremor_mg": 12.0, "fatigue_gain": 1.0})
    hw = steady(weak, HOLDS)
    hs = steady(strong, HOLDS)
    assert len(hw) == len(hs) >= 6
    for (sw, ww), (ss, ws) in zip(hw, hs, strict=True):
        bw = band_rms_mg(weak.recording.acc_axes[:, ww], rate, 3.0, 12.0)
        bs = band_rms_mg(strong.recording.acc_axes[:, ws], rate, 3.0, 12.0)
        assert bs > 2.5 * bw
        assert ss["tremor_mg"] > 2.5 * sw["tremor_mg"]
        # The label is what the sensor carries in the band (filter edges aside).
        assert 0.7 * ss["tremor_mg"] < bs < 1.2 * ss["tremor_mg"]
    # Rest is still: breathing and sway only, nothing in the tremor band.
    rests = steady(strong, ("rest",))
    assert len(rests) >= 5
    for _, w in rests:
        assert band_rms_mg(strong.recording.acc_axes[:, w], rate, 3.0, 12.0) < 0.5


@pytest.mark.parametrize("seed", WORKOUT_SEEDS)
def test_rest_shows_no_tremor_beyond_noise(seed: int) -> None:
    rate = 50.0
    s = sim("workout", seed, sample_rate_hz=rate)
    noise = s.config.acc_noise_g * 1000.0
    # White noise per axis, 3 axes, band 3-12 Hz of 0-25 Hz.
    expected = noise * np.sqrt(3 * 9.0 / (rate / 2))
    rests = steady(s, ("rest",))
    holds = steady(s, HOLDS)
    assert rests and holds
    for _, w in rests:
        assert band_rms_mg(s.recording.acc_axes[:, w], rate, 3.0, 12.0) < 1.25 * expected
    for seg, w in holds:
        assert band_rms_mg(s.recording.acc_axes[:, w], rate, 3.0, 12.0) > 1.5 * expected
        assert seg["tremor_mg"] > 0


@pytest.mark.parametrize("seed", WORKOUT_SEEDS)
def test_low_rates_attenuate_tremor_instead_of_aliasing(seed: int) -> None:
    person = {"tremor_mg": 30.0, "fatigue_gain": 0.0}
    lo = sim("workout", seed, sample_rate_hz=12.5, acc_noise_g=0.0, person=person)
    mid = sim("workout", seed, sample_rate_hz=25.0, acc_noise_g=0.0, person=person)
    for seg, w in steady(lo, HOLDS):
        # 8-12 Hz at 12.5 Hz would fold to 0.5-4.5 Hz; nothing may show up there.
        assert band_rms_mg(lo.recording.acc_axes[:, w], 12.5, 1.5, 4.5) < 0.1 * seg["tremor_mg"]
    for seg, w in steady(mid, HOLDS):
        got = band_rms_mg(mid.recording.acc_axes[:, w], 25.0, 3.0, 12.0)
        assert 0.2 * seg["tremor_mg"] < got < 0.95 * seg["tremor_mg"]


def test_fatigue_raises_low_frequency_tremor_over_a_hold() -> None:
    s = sim("workout", WORKOUT_SEEDS[0], sample_rate_hz=50.0, acc_noise_g=0.0,
            person={"fatigue_gain": 3.0, "tremor_mg": 6.0})
    grew = 0
    holds = steady(s, HOLDS, min_s=20.0)
    for seg, w in holds:
        x = s.recording.acc_axes[:, w]
        half = x.shape[1] // 2
        early = band_rms_mg(x[:, :half], 50.0, 4.0, 6.0)
        late = band_rms_mg(x[:, half:], 50.0, 4.0, 6.0)
        grew += late > early
        assert seg["fatigue_mg"] > 0
    assert grew >= len(holds) - 1


@pytest.mark.parametrize("placement", ["upper_back", "lower_back", "chest"])
def test_calibration_motion_is_visible_in_truth(placement: str) -> None:
    s = sim("desk", 2, duration_s=60.0, placement=placement)
    still = window(s, 0.5, 5.0)
    lean = window(s, 5.5, 10.5)
    assert np.ptp(s.truth_flexion_deg[still]) < 3.0
    assert 20.0 < np.max(s.truth_flexion_deg[lean]) < 40.0
    assert abs(s.truth_flexion_deg[window(s, 10.6, 11.0)].mean()) < 3.0
