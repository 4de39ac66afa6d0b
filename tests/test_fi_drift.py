"""Host-clock drift of sample-count clocks, measured against a fake host clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from firmware_interface import devices
from firmware_interface.codecs import encode
from firmware_interface.transports.base import Status
from firmware_interface.transports.ble import BleSource
from firmware_interface.transports.drift import DriftMeter


def arrivals(n: int, rate: float, ppm: float, seed: int, every: int = 5,
             start: float = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    """(stream t, host t) of every ``every``-th sample of a sensor running ``ppm`` fast,
    delivered with 0-30 ms of batching latency."""
    rng = np.random.default_rng(seed)
    k = np.arange(0, n, every)
    stream = k / rate
    host = start + stream / (1 + ppm * 1e-6) + rng.exponential(0.008, k.size).clip(0, 0.03)
    return stream, host


@pytest.mark.parametrize("ppm", [-250.0, 0.0, 120.0])
def test_fit_recovers_drift_despite_jitter_and_reconnects(ppm: float) -> None:
    m = DriftMeter(min_span_s=30.0)
    s, h = arrivals(12000, 100.0, ppm, seed=1)  # 120 s
    for x, y in zip(s[:400], h[:400], strict=True):  # 20 s: not yet
        m.add(float(x), float(y))
    assert m.ppm is None and m.counters({"a": 1}) == {"a": 1}
    for x, y in zip(s[400:], h[400:], strict=True):
        m.add(float(x), float(y))
    # A reconnect whose hole was estimated 7 ms long: its own intercept, same slope.
    m.new_segment()
    s2, h2 = arrivals(6000, 100.0, ppm, seed=2, start=float(h[-1]) + 3.0)
    for x, y in zip(s2 + s[-1] + 3.007, h2, strict=True):
        m.add(float(x), float(y))
    assert m.span_s == pytest.approx(179.9, abs=0.2)
    assert m.ppm == pytest.approx(ppm, abs=5.0)
    assert m.counters({})["drift_ppm"] == round(m.ppm)


class FakeHost:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_ble_source_reports_drift_in_status() -> None:
    rate, ppm, n = 50.0, -180.0, 10000  # a slow crystal, 200 s of micro:bit samples
    host = FakeHost()
    acc = np.zeros((n, 3))
    notes = [encode.microbit_records(a) for a in acc]
    _, arrive = arrivals(n, rate, ppm, seed=3, every=1)

    class Client:
        def __init__(self, on_disc: Callable[[Any], None]) -> None:
            self.on_disc = on_disc

        async def connect(self) -> None: ...
        async def disconnect(self) -> None: ...
        async def write_gatt_char(self, char: str, data: bytes, response: bool = True) -> None:
            ...
        async def read_gatt_char(self, char: str) -> bytearray:
            return bytearray(9)

        async def start_notify(self, char: str, cb: Callable[[Any, bytearray], None]) -> None:
            for note, at in zip(notes, arrive, strict=True):
                host.now = float(at)
                cb(char, bytearray(note))
            host.now += 1.0
            self.on_disc(self)

    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return target

    src = BleSource("micro:bit", devices.PROFILES["microbit"], rate_hz=rate,
                    client_factory=lambda d, on_disc: Client(on_disc), finder=finder,
                    clock=host)

    async def main() -> list[Status]:
        events: list[Status] = []
        async for ev in src.blocks():
            if isinstance(ev, Status):
                events.append(ev)
                if ev.kind == "disconnected":
                    break
        await src.aclose()
        return events

    events = asyncio.run(main())
    assert [e.kind for e in events] == ["connected", "disconnected"]
    assert events[0].drift_ppm is None and "drift_ppm" not in events[0].counters
    gone = events[1]
    assert gone.drift_ppm == pytest.approx(ppm, abs=5.0)
    assert gone.counters["drift_ppm"] == round(gone.drift_ppm)
    assert src.drift.points == n
