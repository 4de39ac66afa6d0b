"""Replay transport: recordings and raw captures through the async block interface."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from firmware_interface import formats
from firmware_interface.codecs import encode
from firmware_interface.errors import DecodeError
from firmware_interface.samples import SampleBlock
from firmware_interface.transports.base import Event, Status
from firmware_interface.transports.replay import ReplaySource


class FakeClock:
    """Host time that only moves when the source sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def write_recording(path: Path, rate: float = 200.0, n: int = 400, t0: float = 5.0) -> None:
    rng = np.random.default_rng(3)
    t = t0 + np.arange(n) / rate
    acc = np.round(rng.normal(0, 0.1, (n, 3)), 4)
    gyr = np.round(rng.normal(0, 5, (n, 3)), 2)
    lines = ["# sensorcoach-recording: 1", f"# sample_rate_hz: {rate:g}",
             "# device: sim", "# calibration_upright_s: 5.5,6.0", "t,ax,ay,az,gx,gy,gz"]
    lines += [",".join(f"{v:.6f}" for v in row) for row in np.column_stack([t, acc, gyr])]
    path.write_text("\n".join(lines) + "\n")


def run(src: ReplaySource, stop_after: int | None = None) -> list[Event]:
    async def main() -> list[Event]:
        out: list[Event] = []
        async for ev in src.blocks():
            out.append(ev)
            if stop_after is not None and len(out) >= stop_after:
                await src.aclose()
        return out

    return asyncio.run(main())


def samples(events: list[Event]) -> list[SampleBlock]:
    return [e for e in events if isinstance(e, SampleBlock)]


def test_recording_as_fast_as_possible_keeps_stream_time(tmp_path: Path) -> None:
    f = tmp_path / "rec.csv"
    write_recording(f)
    clock = FakeClock()
    src = ReplaySource(f, float("inf"), clock=clock, sleep=clock.sleep)
    events = run(src)
    assert isinstance(events[0], Status) and events[0].kind == "connected"
    assert isinstance(events[-1], Status) and events[-1].kind == "ended"
    blocks = samples(events)
    out = SampleBlock.concat(blocks, gyro=True)
    want = formats.decode_file(f, keep_time=True)
    np.testing.assert_array_equal(out.t, want.t)
    np.testing.assert_array_equal(out.acc, want.acc)
    assert out.gyro is not None and want.gyro is not None
    np.testing.assert_array_equal(out.gyro, want.gyro)
    assert out.t[0] == pytest.approx(5.0)  # the file's own time origin
    # 20 ms of stream time per block: 4 samples at 200 Hz.
    assert {len(b) for b in blocks} == {4} and len(blocks) == 100
    assert clock.sleeps == [0] * 100  # never waits, but yields to the loop
    assert src.meta["calibration_upright_s"] == "5.5,6.0" and src.rate_hz == 200.0
    assert src.counters["samples"] == 400


def test_pacing_at_twice_real_time(tmp_path: Path) -> None:
    f = tmp_path / "rec.csv"
    write_recording(f, rate=100.0, n=300)  # 2.99 s of stream time
    clock = FakeClock()
    src = ReplaySource(f, 2.0, clock=clock, sleep=clock.sleep)
    t_seen: list[tuple[float, float]] = []

    async def main() -> None:
        async for ev in src.blocks():
            if isinstance(ev, SampleBlock):
                t_seen.append((clock.now, float(ev.t[-1])))

    asyncio.run(main())
    host = np.array([h for h, _ in t_seen]) - t_seen[0][0]
    stream = np.array([s for _, s in t_seen]) - t_seen[0][1]
    np.testing.assert_allclose(host, stream / 2.0, atol=1e-9)
    assert host[-1] == pytest.approx(2.98 / 2)
    assert src.counters["behind_ms"] == 0


def test_raw_capture_goes_through_the_stream_decoder(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 500
    acc = rng.normal(0, 0.3, (n, 3))
    gyr = rng.normal(0, 30, (n, 3))
    wire = bytearray(encode.witmotion_serial(acc, gyr))
    wire[44 * 100 + 5] ^= 0x10  # one corrupt sample
    wire[44 * 300:44 * 300] = rng.integers(0, 256, 7, dtype=np.uint8).tobytes()  # noise
    f = tmp_path / "capture.bin"
    f.write_bytes(bytes(wire))
    src = ReplaySource(f, 0, rate_hz=50)
    assert src.format == "witmotion-serial"
    events = run(src)
    blocks = samples(events)
    out = SampleBlock.concat(blocks, gyro=True)
    whole = formats.decode_file(f, "witmotion-serial", 50)
    np.testing.assert_array_equal(out.t, whole.t)
    np.testing.assert_array_equal(out.acc, whole.acc)
    assert len(out) == n - 1 and src.stats.samples_dropped == 1
    assert src.stats.as_dict() == whole.stats.as_dict()
    # One sample per 20 ms at 50 Hz, the hole of the corrupt one included.
    assert all(len(b) == 1 for b in blocks)
    assert isinstance(events[-1], Status) and "samples_dropped=1" in events[-1].detail


def test_close_stops_and_errors_are_typed(tmp_path: Path) -> None:
    f = tmp_path / "rec.csv"
    write_recording(f)
    src = ReplaySource(f, 0)
    events = run(src, stop_after=5)
    assert len(events) == 5 and not any(isinstance(e, Status) and e.kind == "ended"
                                        for e in events)
    with pytest.raises(DecodeError, match="no such file"):
        ReplaySource(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("# sensorcoach-recording: 1\nt,ax,ay,az\n0,0,0,1\n0.1,x,0,1\n")
    with pytest.raises(DecodeError, match=r"bad\.csv:4"):
        ReplaySource(bad)
