"""Source faults through the injected BLE client: disconnect, reconnect, the gap, the kept
calibration, and a sensor that moved in its clip (stale calibration, alerts held)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from test_live_guide import GOOD, MOUNT, trunk

from firmware_interface import devices
from firmware_interface.codecs import encode
from firmware_interface.transports import ble
from firmware_interface.transports.base import Backoff
from sensorcoach.alerts import AlertDispatcher, RecordingSink
from sensorcoach.live import LiveRunner, OrientationWatch, SessionRecorder
from sensorcoach.store import Store


def slipped(deg: float) -> Any:
    """The mounting after the sensor turned ``deg`` in its clip (about the left axis)."""
    p = np.radians(-deg)
    ry = np.array([[np.cos(p), 0, np.sin(p)], [0, 1, 0], [-np.sin(p), 0, np.cos(p)]])
    return MOUNT @ ry


class FakeClient:
    """Plays notifications, then drops the link (``drop``) after them."""

    def __init__(self, on_disconnect: Callable[[Any], None], notes: list[bytes],
                 drop: bool) -> None:
        self.on_disconnect, self.notes, self.drop = on_disconnect, notes, drop
        self.task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        pass

    async def write_gatt_char(self, char: str, data: bytes, response: bool = True) -> None:
        pass

    async def read_gatt_char(self, char: str) -> bytearray:
        return bytearray(9)

    async def start_notify(self, char: str, callback: Callable[[Any, bytearray], None]) -> None:
        async def play() -> None:
            for n in self.notes:
                callback(char, bytearray(n))
                await asyncio.sleep(0)
            if self.drop:
                await asyncio.sleep(0.2)
                self.on_disconnect(self)

        self.task = asyncio.get_running_loop().create_task(play())


def wire(mount: Any, segments: list[tuple[float, float]], seed: int) -> list[bytes]:
    _, acc, gyro = trunk(segments, mount=mount, seed=seed)
    w = encode.witmotion_ble(acc, gyro)
    return [w[i:i + 100] for i in range(0, len(w), 100)]  # 5 packets a notification


SLUMP = [(0, 0), (5, 0), (6, 20), (50, 20), (51, 0), (55, 0)]
UPRIGHT = [(0, 0), (55, 0)]


def session(second_mount: Any, tmp_path: Path, after: list[tuple[float, float]] = SLUMP
            ) -> tuple[LiveRunner, RecordingSink, Store]:
    """Calibrate and sit for 20 s; the link drops; after the reconnect the sensor sits at
    ``second_mount`` while the wearer's flexion follows ``after``."""
    first = wire(MOUNT, [*GOOD[:-1], (20, 0)], 0)
    second = wire(second_mount, after, 1)
    plays = iter([(first, True), (second, False)])

    def factory(device: Any, on_disc: Callable[[Any], None]) -> FakeClient:
        notes, drop = next(plays)
        return FakeClient(on_disc, notes, drop)

    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return target

    src = ble.BleSource("WT901", devices.PROFILES["witmotion"], rate_hz=50,
                        client_factory=factory, finder=finder, backoff=Backoff(0.01, 0.05))
    sink = RecordingSink()
    store = Store(tmp_path / "s.db")
    rec = SessionRecorder(store, name="ble", source=src.name, rate_hz=50, placement=None)
    runner = LiveRunner(src, dispatcher=AlertDispatcher([sink]), recorder=rec,
                        watch=OrientationWatch())
    total = 5 * (len(first) + len(second)) - 2  # the last two wait for lookahead bytes

    async def main() -> None:
        task = asyncio.create_task(runner.run())
        while rec.store.db and (runner._last_t or 0) < total / 50 - 0.5:
            await asyncio.sleep(0.01)
            if task.done():
                break
        await src.aclose()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(asyncio.wait_for(main(), 20))
    rec.flush()
    return runner, sink, store


def test_disconnect_reconnect_keeps_calibration_and_records_the_gap(tmp_path: Path) -> None:
    runner, sink, store = session(MOUNT, tmp_path)
    src = [ln for ln in runner.lines if ln["type"] == "source"]
    assert [s["event"] for s in src] == ["connected", "disconnected", "reconnected"]
    assert src[2]["dropped"] >= 5 and src[2]["outage_s"] >= 0.1
    states = [ln["state"] for ln in runner.lines if ln["type"] == "state"]
    i = states.index("disconnected")
    assert 0 < i < len(states) - 1 and "slumped" in states[i:]
    assert len([ln for ln in runner.lines if ln["type"] == "calibrated"]) == 1
    # the slump after the reconnect alerts (the calibration is still right)
    assert [n.kind for n in sink.notices] == ["slump"]
    assert not runner.view.calibration_stale
    sid = runner.recorder.session_id  # type: ignore[union-attr]
    assert sid is not None
    (gap,) = store.events(sid, "gap")
    assert gap["dropped"] == src[2]["dropped"] and gap["end_s"] > gap["start_s"]
    t = store.get_samples(sid).t
    assert np.diff(t).max() > 0.15  # the hole is in the stored timeline


def test_sensor_moved_in_clip_says_stale_and_holds_slump_alerts(tmp_path: Path) -> None:
    # the wearer sits upright, but the sensor now reads 30 deg forward: a false slump
    runner, sink, store = session(slipped(30.0), tmp_path, UPRIGHT)
    stale = [ln for ln in runner.lines if ln["type"] == "source"
             and ln["event"] == "calibration_stale"]
    assert len(stale) == 1 and 25 < stale[0]["angle_deg"] < 35
    assert "may be stale" in stale[0]["detail"]
    alerts = [ln for ln in runner.lines if ln["type"] == "alert"]
    assert alerts and all(a["held"] == "calibration may be stale" for a in alerts)
    assert sink.notices == []  # no false alert reached the wearer
    sid = runner.recorder.session_id  # type: ignore[union-attr]
    assert store.recent_alerts()[0]["reason"] == "calibration may be stale"
    assert sid is not None


def test_posture_change_with_motion_is_not_a_slipped_sensor() -> None:
    w = OrientationWatch()
    _, a1, _ = trunk([(0, 0), (5, 0)])
    t1 = np.arange(a1.shape[0]) / 50
    assert w.push(t1, a1.T) == []
    w.gap()
    # after the gap: shaking first (motion leading in), then still at a new angle
    _, a2, _ = trunk([(0, 40), (3, 40)], jitter_g=0.1, seed=2, mount=MOUNT)
    _, a3, _ = trunk([(0, 40), (5, 40)], seed=3)
    t2 = 10 + np.arange(a2.shape[0] + a3.shape[0]) / 50
    assert w.push(t2, np.vstack([a2, a3]).T) == []
    assert not w.stale
