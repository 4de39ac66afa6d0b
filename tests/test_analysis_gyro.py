"""The analysis checks the gyro before trusting it (SPEC section 4, ``gyro``): a correct gyro
is used, an export with swapped or inverted axes is corrected, a gyro that explains nothing
is ignored, and the switch to the gyro falls on the same frame however a stream is cut."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sensorcoach import Recording, analyze
from sensorcoach.core.analyzer import StreamAnalyzer
from sensorcoach.simulate.config import SimConfig
from sensorcoach.simulate.engine import simulate


def desk(seed: int, **kw: object) -> Recording:
    cfg = SimConfig(sample_rate_hz=50.0, duration_s=600.0, **kw)  # type: ignore[arg-type]
    return simulate("desk", seed=seed, config=cfg).recording


def test_a_correct_gyro_is_checked_and_used() -> None:
    d = analyze(desk(1)).to_dict()
    assert d["gyro"]["present"] is True
    assert d["gyro"]["check"] == "ok"
    assert d["gyro"]["used"] is True
    assert d["gyro"]["fit"] > 0.8


@pytest.mark.parametrize("axes", ["+y+x+z", "-x-y-z", "+x+z-y"])
def test_a_gyro_with_wrong_axes_is_corrected(axes: str) -> None:
    d = analyze(desk(2, gyro_axes=axes)).to_dict()
    assert d["gyro"]["check"] == "corrected", d["gyro"]
    assert d["gyro"]["used"] is True
    # never trusted as delivered: the slumps stay those of the correct gyro
    ref = analyze(desk(2)).to_dict()["slumps"]
    got = d["slumps"]
    assert len(got) == len(ref)
    for a, b in zip(got, ref, strict=True):
        assert abs(a["start_s"] - b["start_s"]) < 3.0


def test_a_gyro_in_rad_per_s_is_corrected() -> None:
    d = analyze(desk(3, gyro_units="rad/s")).to_dict()
    assert d["gyro"]["check"] == "corrected", d["gyro"]
    assert "rad" in d["gyro"]["note"]


def test_a_gyro_that_explains_nothing_is_ignored() -> None:
    rec = desk(4)
    assert rec.gyro is not None
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 30.0, rec.gyro.shape)
    bad = Recording.from_arrays(rec.t, rec.acc, noise, sample_rate_hz=rec.sample_rate_hz,
                                calibration_upright_s=rec.calibration_upright_s,
                                calibration_forward_s=rec.calibration_forward_s,
                                meta=dict(rec.meta))
    d = analyze(bad).to_dict()
    assert d["gyro"]["check"] == "ignored"
    assert d["gyro"]["used"] is False
    assert len(d["slumps"]) == len(analyze(rec).to_dict()["slumps"])


def test_no_gyro_says_so() -> None:
    d = analyze(desk(5, acc_only=True)).to_dict()
    assert d["gyro"] == {"present": False, "used": False, "check": None,
                         "note": "no gyro: gravity from the accelerometer alone"}


@pytest.mark.parametrize("seed", range(2))
def test_the_gyro_takes_over_on_the_same_frame_in_any_blocks(seed: int) -> None:
    rec = desk(6)
    whole = analyze(rec)
    assert whole.uses_gyro
    cal = whole.calibration
    an = StreamAnalyzer(cal, has_gyro=True, placement=rec.meta.get("placement"),
                        span_break_s=1.75 / rec.sample_rate_hz,
                        sample_rate_hz=rec.sample_rate_hz)
    rng = np.random.default_rng(seed)
    cuts = sorted({0, rec.n_samples, *rng.integers(0, rec.n_samples, 40).tolist()})
    g = rec.gyro_axes
    assert g is not None
    for lo, hi in itertools.pairwise(cuts):
        an.push(rec.t[lo:hi], rec.acc_axes[:, lo:hi], g[:, lo:hi])
    an.finish()
    s = an.series()
    assert s.gyro_used is not None and whole.series.gyro_used is not None
    np.testing.assert_array_equal(s.gyro_used, whole.series.gyro_used)
    np.testing.assert_allclose(s.flexion_deg, whole.series.flexion_deg, atol=1e-6)
