"""The simulated sensor: rates, noise, bias, timestamps, dropouts, acc-only, settings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorcoach.errors import SensorcoachError
from sensorcoach.recording import GAP_FACTOR
from sensorcoach.simulate import SCENARIOS, SimConfig, simulate
from sensorcoach.simulate.sensor import DROPOUT_BURST_S


@pytest.mark.parametrize("rate", [12.5, 25.0, 50.0, 100.0, 200.0])
def test_every_supported_rate_works(rate: float) -> None:
    s = simulate("rest_lying", seed=3, config=SimConfig(sample_rate_hz=rate, duration_s=90.0))
    rec = s.recording
    assert rec.sample_rate_hz == rate
    assert rec.n_samples == round(90.0 * rate) + 1
    assert float(np.median(np.diff(rec.t))) == pytest.approx(1.0 / rate, rel=1e-3)
    norm = np.linalg.norm(rec.acc_axes, axis=0)
    assert abs(float(np.median(norm)) - 1.0) < 0.01
    assert s.truth_up_body.shape == (3, rec.n_samples)
    assert s.truth_flexion_deg.shape == s.truth_lateral_deg.shape == (rec.n_samples,)
    np.testing.assert_allclose(np.linalg.norm(s.truth_up_body, axis=0), 1.0, atol=1e-9)


@given(seed=st.integers(0, 10_000), rate=st.sampled_from([25.0, 50.0]),
       fraction=st.floats(0.01, 0.05))
@settings(max_examples=4, deadline=None, derandomize=True)
def test_dropouts_remove_bursts_and_fill_nothing(seed: int, rate: float, fraction: float) -> None:
    dur = 300.0
    s = simulate("desk", seed=seed, config=SimConfig(sample_rate_hz=rate, duration_s=dur,
                                                     dropout_rate=fraction))
    rec = s.recording
    n_full = round(dur * rate) + 1
    lost = 1.0 - rec.n_samples / n_full
    assert 0.5 * fraction < lost < fraction + 3.0 / dur + 0.01
    # Every kept sample sits on its own nominal slot: nothing was shifted or invented.
    k = np.round(rec.t * rate)
    np.testing.assert_allclose(rec.t, k / rate, atol=0.35 / rate)
    assert np.all(np.diff(k) >= 1)
    gaps = rec.gaps()
    assert gaps and [g.to_dict() for g in gaps] == s.labels["dropouts"]
    for g in gaps:
        missing = round(g.duration_s * rate) - 1
        assert 1 <= missing <= round(DROPOUT_BURST_S[1] * rate) * 3  # merged bursts at most
    assert rec.t[0] < 1.0 and rec.t[-1] > dur - 1.0  # the ends are never dropped
    # Truth follows the kept samples one to one.
    assert s.truth_up_body.shape[1] == rec.n_samples


@given(seed=st.integers(0, 10_000), jitter=st.floats(1e-5, 0.002))
@settings(max_examples=4, deadline=None, derandomize=True)
def test_jittered_time_is_strictly_increasing(seed: int, jitter: float) -> None:
    rate = 50.0
    s = simulate("rest_lying", seed=seed, config=SimConfig(
        sample_rate_hz=rate, duration_s=120.0, timing_jitter_s=jitter))
    t = s.recording.t
    assert np.all(np.diff(t) > 0) and t[0] >= 0
    dev = t - np.arange(t.size) / rate
    assert np.std(dev) == pytest.approx(jitter, rel=0.15)
    assert not s.recording.gaps(GAP_FACTOR)


def test_acc_only_has_no_gyro() -> None:
    s = simulate("workout", seed=4, config=SimConfig(acc_only=True, sample_rate_hz=12.5))
    assert s.recording.gyro_axes is None and not s.recording.has_gyro
    assert "gx" not in s.recording.to_csv_text()[:2000]
    assert s.labels["gyro"] is False


@given(seed=st.integers(0, 10_000))
@settings(max_examples=3, deadline=None, derandomize=True)
def test_noise_and_bias_have_the_configured_size(seed: int) -> None:
    cfg: dict[str, Any] = {"acc_noise_g": 0.01, "gyro_noise_dps": 0.2, "gyro_bias_dps": 3.0,
                           "sample_rate_hz": 50.0, "duration_s": 240.0}
    s = simulate("rest_lying", seed=seed, config=SimConfig(**cfg))
    ideal = simulate("rest_lying", seed=seed, config=SimConfig(
        **{**cfg, "acc_noise_g": 0.0, "gyro_noise_dps": 0.0, "gyro_bias_dps": 0.0}))
    np.testing.assert_array_equal(s.truth_up_body, ideal.truth_up_body)
    d_acc = s.recording.acc_axes - ideal.recording.acc_axes
    assert np.std(d_acc) == pytest.approx(0.01, rel=0.05)
    g, g0 = s.recording.gyro_axes, ideal.recording.gyro_axes
    assert g is not None and g0 is not None
    d_gyro = g - g0 - s.gyro_bias_dps
    assert np.std(d_gyro) == pytest.approx(0.2, rel=0.05)
    assert np.max(np.abs(np.mean(s.gyro_bias_dps, axis=1))) > 0.2  # a real bias, per axis
    drift = s.gyro_bias_dps[:, -1] - s.gyro_bias_dps[:, 0]
    assert np.all(np.abs(drift) < 3.0 * 5)  # slow: a fraction of the bias in minutes
    still = simulate("rest_lying", seed=seed, config=SimConfig(
        **{**cfg, "bias_drift": False}))
    assert np.ptp(still.gyro_bias_dps, axis=1).max() == 0.0


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"sample_rate_hz": 5.0}, "sample rate"),
    ({"sample_rate_hz": 400.0}, "sample rate"),
    ({"placement": "wrist"}, "placement"),
    ({"mounting": "sideways"}, "mounting"),
    ({"mounting": np.diag([1.0, 1.0, -1.0])}, "rotation"),
    ({"mounting": np.ones((2, 3))}, "3x3"),
    ({"acc_noise_g": -0.1}, "acc_noise_g"),
    ({"dropout_rate": 0.7}, "dropout"),
    ({"timing_jitter_s": 0.1}, "jitter"),
    ({"duration_s": 5.0}, "duration"),
    ({"calibration_motion": False}, "calibration"),
    ({"person": {"height": 2.0}}, "person parameter"),
    ({"person": {"weaker_side": "middle"}}, "weaker_side"),
    ({"person": {"tremor_mg": "lots"}}, "tremor_mg"),
])
def test_bad_settings_are_one_line_errors(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SensorcoachError, match=fragment) as err:
        simulate("desk", seed=0, config=SimConfig(**kwargs))
    assert "\n" not in str(err.value)


def test_bad_scenario_and_seed() -> None:
    with pytest.raises(SensorcoachError, match=r"unknown scenario 'gym'.*desk"):
        simulate("gym")
    with pytest.raises(SensorcoachError, match="seed"):
        simulate("desk", seed=-1)


def test_placements_change_the_lever_arm_not_the_script() -> None:
    runs = {p: simulate("desk", seed=5, config=SimConfig(placement=p, duration_s=120.0))
            for p in ("upper_back", "lower_back", "chest")}
    kinds = {p: [s["kind"] for s in r.segments] for p, r in runs.items()}
    assert kinds["upper_back"] == kinds["lower_back"] == kinds["chest"]
    assert {r.recording.meta["placement"] for r in runs.values()} == set(runs)


@given(scenario=st.sampled_from(sorted(SCENARIOS)),
       duration=st.floats(30.0, 150.0), seed=st.integers(0, 10_000),
       calibrate=st.booleans())
@settings(max_examples=18, deadline=None, derandomize=True)
def test_short_sessions_of_every_scenario_still_work(scenario: str, duration: float, seed: int,
                                                     calibrate: bool) -> None:
    s = simulate(scenario, seed=seed, config=SimConfig(
        duration_s=duration, sample_rate_hz=12.5, with_calibration=calibrate,
        calibration_motion=calibrate))
    assert s.segments[-1]["end_s"] == pytest.approx(s.recording.t[-1], abs=0.01)
    assert abs(s.recording.duration_s - duration) < 0.1
