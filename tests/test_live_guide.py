"""Guided calibration: countdown, checks (still, lean), repeats, and a synthetic trunk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import numpy as np
from numpy.typing import NDArray

from firmware_interface.samples import DecodeStats, SampleBlock
from firmware_interface.transports.base import Event, Status
from sensorcoach.live import LiveRunner

FloatArray = NDArray[np.float64]
#: a sensor mounted at an arbitrary angle (rows: sensor axes in body coordinates)
MOUNT = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]]) @ np.array(
    [[np.cos(0.4), -np.sin(0.4), 0.0], [np.sin(0.4), np.cos(0.4), 0.0], [0.0, 0.0, 1.0]])


def trunk(segments: Sequence[tuple[float, float]], rate: float = 50.0, seed: int = 0,
          jitter_g: float = 0.0, mount: FloatArray = MOUNT
          ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Samples of a trunk whose flexion (deg) moves linearly between ``(t_s, deg)``
    knots: ``t`` (n,), ``acc`` (n, 3) g and ``gyro`` (n, 3) deg/s in the sensor frame.
    ``jitter_g``: extra shaking (not still)."""
    knots = np.array(segments, dtype=float)
    t = np.arange(0.0, knots[-1, 0], 1.0 / rate)
    theta = np.interp(t, knots[:, 0], knots[:, 1])
    rad = np.radians(theta)
    rng = np.random.default_rng(seed)
    up_body = np.column_stack([-np.sin(rad), np.zeros_like(rad), np.cos(rad)])
    acc = up_body @ mount.T + rng.normal(0, 0.002 + jitter_g, (t.size, 3))
    omega = np.gradient(theta, t)
    gyro = np.column_stack([np.zeros_like(t), omega, np.zeros_like(t)]) @ mount.T
    return t, acc, gyro + rng.normal(0, 0.05, gyro.shape)


class ArraySource:
    """A source replaying arrays in 20 ms blocks (no waiting)."""

    def __init__(self, t: FloatArray, acc: FloatArray, gyro: FloatArray | None,
                 block: int = 1, rate_hz: float = 50.0) -> None:
        self.t, self.acc, self.gyro, self.block = t, acc, gyro, block
        self.rate_hz = rate_hz
        self.name = "arrays"
        self.stats = DecodeStats()

    async def blocks(self) -> AsyncIterator[Event]:
        yield Status("connected", 0.0)
        for i in range(0, self.t.size, self.block):
            s = slice(i, i + self.block)
            yield SampleBlock(self.t[s], self.acc[s], None if self.gyro is None else self.gyro[s])
        yield Status("ended", float(self.t[-1]))

    async def aclose(self) -> None:
        pass


def run(source: ArraySource, **kw: object) -> LiveRunner:
    runner = LiveRunner(source, **kw)  # type: ignore[arg-type]
    asyncio.run(runner.run())
    return runner


GOOD = [(0, 0), (6.0, 0), (7.5, 30), (9.0, 30), (10.3, 0), (40, 0)]


def test_guided_calibration_counts_down_and_calibrates() -> None:
    r = run(ArraySource(*trunk(GOOD), block=1))
    guide = [ln for ln in r.lines if ln["type"] == "guide"]
    steps = [g["step"] for g in guide]
    assert steps[0] == "prepare" and "upright" in steps and "forward" in steps
    ups = [g["remaining_s"] for g in guide if g["step"] == "upright"]
    assert ups == [5, 4, 3, 2, 1, 0]  # one prompt per second of the countdown
    cal = [ln for ln in r.lines if ln["type"] == "calibrated"]
    assert len(cal) == 1 and cal[0]["method"] == "guided" and cal[0]["warnings"] == []
    assert cal[0]["upright_s"] == [0.5, 5.0] and cal[0]["forward_s"] == [5.5, 10.5]
    assert 25 < cal[0]["lean_deg"] < 35 and 10.5 < cal[0]["t_s"] < 10.6
    # the calibration lean is seen as flexion (forward known, sign right)
    assert r.calibration is not None and r.calibration.forward_known
    flex = [ln["flexion_deg"] for ln in r.lines if ln["type"] == "state"
            and ln.get("flexion_deg") is not None]
    assert flex and max(abs(f) for f in flex) < 40


def test_moving_then_no_lean_repeat_with_reasons_then_succeed() -> None:
    # attempt 1: shaking while upright; attempt 2 (from ~10.5 s): still, but no lean;
    # attempt 3 (from ~21 s): good
    t, acc, gyro = trunk([(0, 0), (60, 0)])
    _, acc2, _ = trunk([(0, 0), (60, 0)], jitter_g=0.08, seed=1)
    shaky = t < 5.0
    acc[shaky] = acc2[shaky]
    _, acc3, gyro3 = trunk([(0, 0), (27.0, 0), (28.5, 30), (30.0, 30), (31.3, 0), (60, 0)])
    late = t >= 21.0
    acc[late], gyro[late] = acc3[late], gyro3[late]
    r = run(ArraySource(t, acc, gyro))
    retries = [ln["message"] for ln in r.lines if ln["type"] == "guide"
               and ln["step"] == "retry"]
    assert len(retries) == 2
    assert "moved while sitting upright" in retries[0]
    assert "No forward lean" in retries[1]
    cal = [ln for ln in r.lines if ln["type"] == "calibrated"]
    assert len(cal) == 1 and cal[0]["warnings"] == [] and cal[0]["forward_known"]
    assert cal[0]["upright_s"][0] > 21.0


def test_gives_up_after_three_attempts_with_unsigned_tilt() -> None:
    r = run(ArraySource(*trunk([(0, 0), (50, 0)])))
    lines = [ln for ln in r.lines if ln["type"] == "guide" and ln["step"] in ("retry",
                                                                             "gave_up")]
    assert [ln["step"] for ln in lines] == ["retry", "retry", "gave_up"]
    cal = [ln for ln in r.lines if ln["type"] == "calibrated"]
    assert len(cal) == 1 and not cal[0]["forward_known"] and cal[0]["warnings"]


def test_buffered_samples_all_reach_the_analyser() -> None:
    r = run(ArraySource(*trunk(GOOD)))
    assert r.lines[-1]["type"] in ("activity", "source", "state")
    spans = [ln for ln in r.lines if ln["type"] == "activity"]
    assert spans[0]["start_s"] == 0.0 and abs(spans[-1]["end_s"] - 40.0) < 0.2


def test_recalibrate_runs_the_guide_again_on_the_new_mounting() -> None:
    """The clip moved: a recalibration mid-session finishes the current analysis, guides
    again from the current stream time and calibrates to the new mounting."""
    first = trunk(GOOD)
    # the same person, sensor re-clipped at another angle; a second guided lean at 40-50 s
    rot = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(0.7), -np.sin(0.7)],
                    [0.0, np.sin(0.7), np.cos(0.7)]])
    second = trunk([(0, 0), (46.0, 0), (47.5, 30), (49.0, 30), (50.3, 0), (80, 0)],
                   mount=MOUNT @ rot, seed=1)
    cut = first[0].size
    t = np.concatenate([first[0], second[0][second[0] >= first[0][-1] + 0.02]])
    keep = second[0] >= first[0][-1] + 0.02
    acc = np.vstack([first[1], second[1][keep]])
    gyro = np.vstack([first[2], second[2][keep]])
    source = ArraySource(t, acc, gyro, block=5)
    runner = LiveRunner(source)  # type: ignore[arg-type]

    async def drive() -> None:
        async for item in source.blocks():
            runner.handle(item)
            if isinstance(item, SampleBlock) and item.t[-1] >= 40.0 and \
                    runner.guide.start_s == 0.0 and runner.analyzer is not None:
                runner.recalibrate()
        runner.finish()

    asyncio.run(drive())
    cals = [ln for ln in runner.lines if ln["type"] == "calibrated"]
    assert len(cals) == 2, [ln for ln in runner.lines if ln["type"] == "guide"][-3:]
    assert cals[1]["upright_s"][0] >= 40.0 and cals[1]["warnings"] == []
    assert runner.calibration is not None
    # upright after the re-clip reads as upright again under the new calibration
    last = [ln for ln in runner.lines if ln["type"] == "state" and
            ln.get("flexion_deg") is not None][-1]
    assert last["t_s"] > 50.0 and abs(last["flexion_deg"]) < 5.0 and cut > 0
