"""Activity states on gait with real heel-strike impacts, bends, lying, sitting from the waist,
and calibration confidence (issue "Real bodies I").

The signals are built here, independently of the project's simulator: a sharp impact per
step (1.5-2.5 g walking, 3-5 g jogging, as a 200 Hz waist sensor sees them, BIOMECHANICS),
left/right asymmetry, under a random sensor mounting.
"""

from __future__ import annotations

import numpy as np
import pytest

from sensorcoach import Recording, analyze
from sensorcoach.core.activity import (
    BENDING,
    LYING,
    RUNNING,
    WALKING,
    ActivityClassifier,
)
from sensorcoach.core.frames import random_rotation
from sensorcoach.core.framing import make_frames
from sensorcoach.core.motion import MotionAnalyser
from sensorcoach.core.settings import DEFAULT_SETTINGS


def impact_gait(seconds: float, rate: float, cadence_hz: float, peak_g: float,
                rng: np.random.Generator) -> np.ndarray:
    """(3, n) body-frame specific force (forward, left, up) of gait with heel strikes, made
    at 200 Hz and averaged down to ``rate`` (a sensor's anti-aliasing)."""
    fine = 200.0
    n = int(seconds * fine)
    t = np.arange(n) / fine
    acc = np.zeros((3, n))
    acc[2] = 1.0
    step_t = np.cumsum(rng.normal(1 / cadence_hz, 0.02 / cadence_hz, int(seconds * cadence_hz)))
    for i, ts in enumerate(step_t):
        amp = (peak_g - 1.0) * (1.15 if i % 2 else 0.85) * rng.uniform(0.8, 1.2)
        dt = t - ts
        d = np.clip(dt, 0.0, None)
        pulse = np.where(dt >= 0, np.exp(-d / 0.025) * np.sin(2 * np.pi * 12 * d + 0.3), 0.0)
        acc[2] += amp * pulse
        acc[0] += 0.4 * amp * pulse * rng.uniform(0.5, 1.0)
        # stance: the body is decelerated upwards after each strike (the trunk's vertical
        # oscillation: about 0.3 g walking, over 1 g jogging), zero mean over a step
        stance = 0.35 if peak_g > 3 else 0.6
        phase = d * cadence_hz / stance
        bounce = 1.2 if peak_g > 3 else 0.3
        acc[2] += np.where((dt >= 0) & (phase < 1), bounce * np.sin(np.pi * phase), 0.0)
    acc[2] -= acc[2].mean() - 1.0
    acc[1] += 0.1 * np.sin(np.pi * cadence_hz * t)  # mediolateral at half the step rate
    acc += rng.normal(0, 0.004, acc.shape)
    k = fine / rate
    edges = np.floor(np.arange(int(seconds * rate) + 1) * k).astype(int)
    return np.add.reduceat(acc, edges[:-1], axis=1) / np.diff(edges)


def classify(acc_body: np.ndarray, rate: float, rot: np.ndarray, sit_stand: bool,
             tilt_deg: float = 0.0) -> np.ndarray:
    acc = rot @ acc_body
    t = np.arange(acc.shape[1]) / rate
    frames = make_frames(t, acc, None, 0.1)
    feats = MotionAnalyser(0.1)(frames)
    tilt = np.full(frames.size, tilt_deg)
    return ActivityClassifier(DEFAULT_SETTINGS, sit_stand)(feats, tilt, None)


CTX = False  # still upright is "still": no sitting/standing


@pytest.mark.parametrize("rate", [12.5, 25.0, 50.0, 100.0, 200.0])
@pytest.mark.parametrize("seed", range(2))
def test_walking_with_heel_strikes_is_walking(rate: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    cad = rng.uniform(1.6, 2.2)
    codes = classify(impact_gait(40, rate, cad, rng.uniform(1.5, 2.5), rng), rate,
                     random_rotation(rng), CTX)
    after_warmup = codes[40:]
    assert np.mean(after_warmup == WALKING) >= 0.9


@pytest.mark.parametrize("rate", [50.0, 100.0, 200.0])
def test_jogging_is_running(rate: float) -> None:
    rng = np.random.default_rng(7)
    codes = classify(impact_gait(40, rate, 2.8, 4.0, rng), rate, random_rotation(rng), CTX)
    assert np.mean(codes[40:] == RUNNING) >= 0.9


def test_one_jolt_is_not_walking() -> None:
    """A quick sit-down: one big jolt, then stillness (SisFall D08 once read as walking)."""
    rate = 100.0
    n = int(20 * rate)
    acc = np.zeros((3, n))
    acc[2] = 1.0
    t = np.arange(n) / rate
    dt = t - 5.0
    acc[2] += np.where(dt >= 0, 1.5 * np.exp(-dt / 0.15) * np.sin(2 * np.pi * 3 * dt), 0.0)
    codes = classify(acc, rate, np.eye(3), CTX)
    assert not np.any(codes == WALKING)


def test_forward_bend_is_bending_and_lying_back_is_lying() -> None:
    clf = ActivityClassifier(DEFAULT_SETTINGS)
    m = 50
    feats = MotionAnalyser(0.1)(make_frames(np.arange(m * 10) / 100.0,
                                            np.tile([[0.0], [0.0], [1.0]], m * 10), None, 0.1))
    # world-up in the body frame (forward, left, up): a forward bend of 80 deg moves it
    # towards the back; lying on the back puts it along the front
    a = np.radians(80)
    bend = np.tile([[-np.sin(a)], [0.0], [np.cos(a)]], m)
    back = np.tile([[1.0], [0.0], [0.0]], m)
    side = np.tile([[0.0], [1.0], [0.0]], m)
    assert set(clf(feats, np.full(m, 80.0), bend).tolist()) == {BENDING}
    assert set(clf(feats, np.full(m, 90.0), back).tolist()) == {LYING}
    assert set(clf(feats, np.full(m, 90.0), side).tolist()) == {LYING}


def test_a_forward_bend_held_beyond_bend_max_s_is_lying_prone() -> None:
    clf = ActivityClassifier(DEFAULT_SETTINGS)
    m = 300  # 30 s, in blocks
    prone = np.tile([[-1.0], [0.0], [0.0]], m)
    rec_t = np.arange(m * 10) / 100.0
    feats = MotionAnalyser(0.1)(make_frames(rec_t, np.tile([[1.0], [0.0], [0.0]], m * 10),
                                            None, 0.1))
    codes = np.concatenate([clf(feats.__class__(*(f[s:s + 70] for f in (
        feats.motion_rms_g, feats.step_rms_g, feats.regularity, feats.cadence_hz))),
        np.full(min(70, m - s), 90.0), prone[:, s:s + 70]) for s in range(0, m, 70)])
    limit = round(DEFAULT_SETTINGS.bend_max_s / 0.1)
    assert np.all(codes[:limit] == BENDING)
    assert np.all(codes[limit:] == LYING)


# ---------------------------------------------------------------- whole analyses
def recording(acc_body: np.ndarray, rate: float, rot: np.ndarray, **meta: str) -> Recording:
    acc = rot @ acc_body
    t = np.arange(acc.shape[1]) / rate
    return Recording.from_arrays(t, acc.T, None, sample_rate_hz=rate, meta=meta)


def posture(deg_forward: float, seconds: float, rate: float,
            rng: np.random.Generator) -> np.ndarray:
    n = int(seconds * rate)
    a = np.radians(deg_forward)
    up = np.array([-np.sin(a), 0.0, np.cos(a)])  # world-up in the body frame
    return up[:, None] + rng.normal(0, 0.003, (3, n))


def test_waist_sitting_is_sitting_never_a_slump() -> None:
    """From the waist the pelvis rolls back 10-40 deg when sitting: sitting, not slumping."""
    rng = np.random.default_rng(3)
    rate = 50.0
    body = np.hstack([impact_gait(40, rate, 1.9, 2.0, rng), posture(-25, 600, rate, rng),
                      impact_gait(30, rate, 1.9, 2.0, rng)])
    an = analyze(recording(body, rate, random_rotation(rng), placement="waist"))
    d = an.to_dict()
    states = {a["state"] for a in d["activity"]}
    assert "sitting" in states and "walking" in states
    sitting = sum(a["end_s"] - a["start_s"] for a in d["activity"] if a["state"] == "sitting")
    assert sitting >= 550
    assert d["slumps"] == [] and not [a for a in d["alerts"] if a["kind"] == "slump"]
    assert d["calibration"]["placement"] == "waist"
    assert d["calibration"]["reference"] == "walking"
    assert any("waist" in w for w in d["calibration"]["warnings"])


def test_unsure_upright_reports_angles_but_no_slumps() -> None:
    """No walking, no mounting, no spans: upright is a guess, so no slump alerts."""
    rng = np.random.default_rng(4)
    rate = 25.0
    body = np.hstack([posture(25, 300, rate, rng), posture(5, 60, rate, rng),
                      posture(25, 300, rate, rng)])
    an = analyze(recording(body, rate, random_rotation(rng), placement="upper_back"))
    d = an.to_dict()
    assert d["calibration"]["confidence"] < DEFAULT_SETTINGS.calibration_min_confidence
    assert d["slumps"] == [] and d["alerts"] == []
    assert any("uncertain" in w for w in d["calibration"]["warnings"])
    assert float(np.max(an.series.flexion_deg)) > 15  # angles are still reported


def test_walking_reference_never_takes_lying_as_upright() -> None:
    rng = np.random.default_rng(5)
    rate = 50.0
    rot = random_rotation(rng)
    body = np.hstack([posture(90, 400, rate, rng), impact_gait(40, rate, 1.8, 2.0, rng),
                      posture(0, 60, rate, rng)])
    an = analyze(recording(body, rate, rot, placement="lower_back"))
    up_true = rot @ np.array([0.0, 0.0, 1.0])
    assert np.degrees(np.arccos(an.calibration.up @ up_true)) < 10
    assert an.calibration.confidence >= DEFAULT_SETTINGS.calibration_min_confidence
    assert any(a.state == "lying" for a in an.activity)


def test_device_mounting_gives_forward_and_bends() -> None:
    """A converter that knows how its device is worn (SisFall's belt unit) gives upright and
    forward: a forward bend is then bending, not lying."""
    rng = np.random.default_rng(6)
    rate = 100.0
    rot = random_rotation(rng)
    up = rot @ np.array([0.0, 0.0, 1.0])
    fwd = rot @ np.array([1.0, 0.0, 0.0])
    body = np.hstack([posture(0, 5, rate, rng), posture(85, 8, rate, rng),
                      posture(0, 5, rate, rng)])
    rec = recording(body, rate, rot, placement="waist",
                    mounting_up=",".join(f"{x:.4f}" for x in up),
                    mounting_forward=",".join(f"{x:.4f}" for x in fwd))
    d = analyze(rec).to_dict()
    states = [a["state"] for a in d["activity"]]
    assert "bending" in states and "lying" not in states
    assert d["calibration"]["reference"] == "device"
    assert d["calibration"]["forward_known"] is True


def test_malformed_mounting_is_a_clear_error() -> None:
    from sensorcoach.errors import CalibrationError

    rng = np.random.default_rng(0)
    rec = recording(posture(0, 10, 50, rng), 50, np.eye(3), mounting_up="0,nope,1")
    with pytest.raises(CalibrationError, match="mounting_up"):
        analyze(rec)


def test_a_long_squat_with_busy_hands_is_not_a_slump() -> None:
    """Simulated 16-19 s squats and floor reaches reached the slump threshold for 15 s; a
    slump is a still seated posture, so an episode that is mostly moving is not one."""
    from sensorcoach.core.slumps import SlumpDetector

    det = SlumpDetector(11, 7, 15, 3, 30, 10, 0.1, busy_max_share=0.5)
    t = np.arange(0, 40, 0.1) + 0.05
    flex = np.where((t > 5) & (t < 25), 30.0, 0.0)
    seated = np.ones(t.size, bool)
    busy = (t > 5) & (t < 25)
    eps, alerts = det.push(t, flex, seated, busy)
    assert eps == [] and alerts == []
    det2 = SlumpDetector(11, 7, 15, 3, 30, 10, 0.1, busy_max_share=0.5)
    eps, _ = det2.push(t, flex, seated, np.zeros(t.size, bool))
    assert len(eps) == 1  # the same lean, still, is a slump


def test_live_status_shows_a_slump_only_once_it_counts() -> None:
    """A reach or getting into a plank crosses the slump threshold; the live state must not
    say "slumped" until the episode has spent slump_min_s beyond it (issue 14 item 4)."""
    from sensorcoach.core.analyzer import StreamAnalyzer
    from sensorcoach.core.calibration import Calibration

    rng = np.random.default_rng(9)
    rate = 50.0
    body = np.hstack([posture(0, 20, rate, rng), posture(25, 40, rate, rng)])
    t = np.arange(body.shape[1]) / rate
    cal = Calibration("header", np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    an = StreamAnalyzer(cal, has_gyro=False, placement="upper_back", sample_rate_hz=rate)
    seen: list[tuple[float, object]] = []
    for lo in range(0, t.size, 25):
        an.push(t[lo:lo + 25], body[:, lo:lo + 25])
        st = an.status()
        seen.append((float(st["t_s"] or 0.0), st["slump_since_s"]))
    early = [s for ts, s in seen if 20.5 < ts < 20 + DEFAULT_SETTINGS.slump_min_s - 1]
    late = [s for ts, s in seen if ts > 20 + DEFAULT_SETTINGS.slump_min_s + 4]
    assert early and all(s is None for s in early)
    assert late and all(s is not None for s in late)


def test_no_placement_and_no_calibration_raise_no_slumps() -> None:
    """A waist phone's export without a placement header: sitting rolls the pelvis back
    10-40 deg, and with unsigned tilt that read as a slump in every sitting spell."""
    rng = np.random.default_rng(8)
    rate = 50.0
    body = np.hstack([impact_gait(40, rate, 1.9, 2.0, rng), posture(-25, 300, rate, rng),
                      impact_gait(30, rate, 1.9, 2.0, rng)])
    d = analyze(recording(body, rate, random_rotation(rng))).to_dict()
    assert d["calibration"]["placement"] is None
    assert d["slumps"] == []
    assert any("no placement and no calibration" in w for w in d["calibration"]["warnings"])
