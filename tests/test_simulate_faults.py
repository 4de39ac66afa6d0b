"""Sensor faults a real export has: gyro axes swapped, a sign inverted, rad/s instead of
deg/s, a scale 10-15 % off; and a sensor that slips in its clip."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sensorcoach.errors import SensorcoachError
from sensorcoach.simulate import SimConfig, Simulation, simulate
from sensorcoach.simulate.config import axis_map
from sensorcoach.simulate.faults import FAULT_KINDS

IDEAL: dict[str, Any] = {"acc_noise_g": 0.0, "gyro_noise_dps": 0.0, "gyro_bias_dps": 0.0,
                         "bias_drift": False, "timing_jitter_s": 0.0}


def day(seed: int, **kw: Any) -> Simulation:
    return simulate("daily_life", seed=seed, config=SimConfig(
        sample_rate_hz=50.0, duration_s=600.0, **kw))


def gravity_turn_error_deg(s: Simulation, start_s: float, dur_s: float) -> float:
    """Largest angle between the gravity direction the gyro predicts (integrating the
    written columns as deg/s about the written axes) and the true one."""
    rate = s.config.sample_rate_hz
    i0 = int(np.searchsorted(s.recording.t, start_s))
    i1 = i0 + int(dur_s * rate)
    up = s.mounting.T @ s.truth_up_body[:, i0:i1]
    gyro = s.recording.gyro_axes
    assert gyro is not None
    g = np.radians(gyro[:, i0:i1]) / rate
    pred = up[:, 0].copy()
    worst = 0.0
    for k in range(i1 - i0 - 1):
        pred = pred - np.cross(0.5 * (g[:, k] + g[:, k + 1]), pred)
        pred /= np.linalg.norm(pred)
        worst = max(worst, float(np.degrees(np.arccos(np.clip(pred @ up[:, k + 1], -1, 1)))))
    return worst


def first_bend(s: Simulation) -> float:
    """Just before the first bend from standing (a 60-100 deg turn within 1-2.5 s)."""
    return next(seg["start_s"] for seg in s.segments
                if seg["kind"] == "bending" and seg["style"] == "stoop") - 0.5


@pytest.mark.parametrize(("kw", "matrix"), [
    ({"gyro_axes": "+y+x+z"}, axis_map("+y+x+z")),
    ({"gyro_axes": "+x-y+z"}, np.diag([1.0, -1.0, 1.0])),
    ({"gyro_units": "rad/s"}, np.eye(3) * np.pi / 180.0),
    ({"gyro_scale": 0.87}, np.eye(3) * 0.87),
    ({"gyro_scale": 1.13, "gyro_axes": "-z+x+y"}, axis_map("-z+x+y") * 1.13),
])
@pytest.mark.parametrize("seed", [0, 3])
def test_export_faults_write_what_they_say(seed: int, kw: dict[str, Any],
                                           matrix: np.ndarray) -> None:
    good = day(seed)
    bad = day(seed, **kw)
    assert good.recording.gyro_axes is not None and bad.recording.gyro_axes is not None
    np.testing.assert_array_equal(good.recording.acc_axes, bad.recording.acc_axes)
    np.testing.assert_allclose(bad.recording.gyro_axes, matrix @ good.recording.gyro_axes,
                               atol=0.0011 + 1e-3 * float(np.abs(good.recording.gyro_axes).max()))
    assert bad.labels["gyro_export"]["kind"] == "custom"
    assert good.labels["gyro_export"]["kind"] == "none"


@pytest.mark.parametrize("kw", [{"gyro_axes": "+y+x+z"}, {"gyro_axes": "+x+y-z"},
                                {"gyro_units": "rad/s"}, {"gyro_scale": 0.86}])
def test_a_faulty_gyro_no_longer_explains_how_gravity_turns(kw: dict[str, Any]) -> None:
    good = day(2, **IDEAL)
    bad = day(2, **IDEAL, **kw)
    t0 = first_bend(good)
    assert gravity_turn_error_deg(good, t0, 5.0) < 1.0
    assert gravity_turn_error_deg(bad, t0, 5.0) > 3.0


def test_gyro_faults_scenario_draws_every_kind_and_labels_it() -> None:
    seen = set()
    for seed in range(12):
        s = simulate("gyro_faults", seed=seed, config=SimConfig(sample_rate_hz=12.5,
                                                              duration_s=60.0))
        fault = s.labels["gyro_export"]
        seen.add(fault["kind"])
        if fault["kind"] == "scale":
            assert 0.10 <= abs(fault["scale"] - 1.0) <= 0.15
        elif fault["kind"] == "rad_s":
            assert fault["units"] == "rad/s"
        else:
            m = axis_map(fault["axes"])
            assert not np.array_equal(m, np.eye(3))
            assert (np.sum(m < 0) == 1) == (fault["kind"] == "invert")
    assert seen == set(FAULT_KINDS)
    # An explicit setting overrides the drawn fault; acc-only has none.
    ok = simulate("gyro_faults", seed=1, config=SimConfig(
        sample_rate_hz=12.5, duration_s=60.0, gyro_axes="+x+y+z"))
    assert ok.labels["gyro_export"]["axes"] == "+x+y+z"
    acc_only = simulate("gyro_faults", seed=1, config=SimConfig(
        sample_rate_hz=12.5, duration_s=60.0, acc_only=True))
    assert acc_only.labels["gyro_export"] is None


@pytest.mark.parametrize("seed", [0, 5])
def test_slips_turn_the_sensor_and_the_gyro_sees_them(seed: int) -> None:
    still = day(seed, **IDEAL)
    slipped = day(seed, slips=2, **IDEAL)
    slips = slipped.labels["slips"]
    assert 1 <= len(slips) <= 2
    t = still.recording.t
    first = slips[0]["t_s"]
    assert first >= 60.0
    before = t < first - 0.5  # the anti-aliasing filter reaches 0.25 s either side
    np.testing.assert_array_equal(still.recording.acc_axes[:, before],
                                  slipped.recording.acc_axes[:, before])
    gyro_a, gyro_b = still.recording.gyro_axes, slipped.recording.gyro_axes
    assert gyro_a is not None and gyro_b is not None
    rot = np.eye(3)
    for sl in slips:
        a = np.asarray(sl["axis"])
        th = np.radians(sl["deg"])
        k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
        r = np.eye(3) + np.sin(th) * k + (1 - np.cos(th)) * (k @ k)
        i0, i1 = np.searchsorted(t, [sl["t_s"] - 0.5, sl["t_s"] + sl["dur_s"] + 0.5])
        # Integrated over the slip, the extra rate about the slip axis is the slip angle.
        extra = gyro_b[:, i0:i1] - rot.T @ gyro_a[:, i0:i1]
        turned = float(np.sum(a @ extra)) / still.config.sample_rate_hz
        assert turned == pytest.approx(sl["deg"], abs=0.1 * sl["deg"] + 0.3)
        rot = rot @ r
        after = (t > sl["t_s"] + sl["dur_s"] + 0.1) & (t < sl["t_s"] + 20.0)
        np.testing.assert_allclose(slipped.recording.acc_axes[:, after],
                                   rot.T @ still.recording.acc_axes[:, after], atol=2e-3)
    assert slipped.labels["segments"] == still.labels["segments"]


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"gyro_axes": "+x+x+z"}, "gyro_axes"),
    ({"gyro_axes": "xyz"}, "gyro_axes"),
    ({"gyro_units": "rpm"}, "gyro_units"),
    ({"gyro_scale": 0.0}, "gyro_scale"),
    ({"slips": -1}, "slips"),
    ({"population": "giants"}, "population"),
    ({"gait": "hopping"}, "gait"),
])
def test_bad_fault_settings_are_one_line_errors(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SensorcoachError, match=fragment) as err:
        simulate("daily_life", seed=0, config=SimConfig(**kwargs))
    assert "\n" not in str(err.value)
