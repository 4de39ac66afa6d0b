"""Serial transport end to end through a pty with the real ``serial.Serial``."""

from __future__ import annotations

import asyncio
import logging
import os
import tty
from pathlib import Path

import numpy as np
import pytest

from firmware_interface.codecs import encode
from firmware_interface.codecs.witmotion import MAX_BYTE_HOLE_S, WitMotionSerialDecoder
from firmware_interface.errors import DeviceError
from firmware_interface.formats import decode_file
from firmware_interface.samples import SampleBlock
from firmware_interface.transports.base import Backoff, Status
from firmware_interface.transports.serial_port import SerialSource


class FakeUsbSensor:
    """A pty behind a stable symlink, like udev's /dev/serial/by-id links."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master = -1
        self.plug()

    def plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        tmp = self.link.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        os.replace(tmp, self.link)
        os.close(slave)  # the reader opens the path itself
        self.master = master

    def unplug(self) -> None:
        os.close(self.master)

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:  # a pty may take less than asked when its buffer is full
            view = view[os.write(self.master, view):]


def test_pty_stream_unplug_and_reconnect(tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="firmware_interface")
    rng = np.random.default_rng(0)
    acc = np.rint(rng.normal(0, 0.3, (20, 3)) * 2048) / 2048
    gyr = np.rint(rng.normal(0, 30, (20, 3)) * 16.384) / 16.384
    wire = encode.witmotion_serial(acc, gyr)
    per = len(wire) // 20
    sensor = FakeUsbSensor(tmp_path / "ttyWIT")

    async def main() -> tuple[list[SampleBlock], list[Status]]:
        src = SerialSource(str(sensor.link), baud=115200, rate_hz=None,
                           backoff=Backoff(0.02, 0.1))
        blocks: list[SampleBlock] = []
        events: list[Status] = []
        got = 0
        unplugged = False

        async def consume() -> None:
            nonlocal got, unplugged
            async for ev in src.blocks():
                if isinstance(ev, Status):
                    events.append(ev)
                    if ev.kind == "connected":
                        for i in range(0, 10 * per, 7):  # odd chunks: split frames
                            sensor.send(wire[i:min(i + 7, 10 * per)])
                    elif ev.kind == "disconnected":
                        await asyncio.sleep(0.3)
                        sensor.plug()
                    elif ev.kind == "reconnected":
                        sensor.send(wire[10 * per:])
                else:
                    blocks.append(ev)
                    got += len(ev)
                    if got >= 8 and not unplugged:  # the last waits for lookahead bytes
                        unplugged = True
                        await asyncio.sleep(0.1)
                        sensor.send(wire[:per])  # one more sample, then the cable goes
                        await asyncio.sleep(0.1)
                        sensor.unplug()
                    if got >= 20:
                        return

        await asyncio.wait_for(consume(), 10)
        await src.aclose()
        return blocks, events

    blocks, events = asyncio.run(main())
    kinds = [e.kind for e in events]
    assert kinds == ["connected", "disconnected", "reconnected"]
    out = SampleBlock.concat(blocks, gyro=True)
    # The sample sent just before the unplug is completed by the bytes after it.
    want = np.vstack([acc[:10], acc[:1], acc[10:19]])
    np.testing.assert_array_equal(out.acc, want)
    # The outage (~0.3 s at 10 Hz) is a hole in stream time, reported with its cost.
    rec = events[2]
    assert rec.outage_s >= 0.25 and rec.dropped >= 2
    # Reconnect attempts are visible in the log (warnings reach stderr by default).
    assert "connection lost" in caplog.text
    assert "reconnect attempt 1 failed" in caplog.text
    assert "reconnected after" in caplog.text
    np.testing.assert_allclose(out.t[:11], np.arange(11) / 10)
    np.testing.assert_allclose(out.t[11:], (np.arange(11, 20) + rec.dropped) / 10)


# ---------------------------------------------------------------------- issue 13
def _wit(n: int, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    acc = np.rint(rng.normal(0, 0.3, (n, 3)) * 2048) / 2048
    gyr = np.rint(rng.normal(0, 30, (n, 3)) * 16.384) / 16.384
    return encode.witmotion_serial(acc, gyr)


@pytest.mark.parametrize(("noise_bytes", "holes"), [(115_200, 1), (8 << 20, 3)])
def test_line_noise_is_not_stream_time(noise_bytes: int, holes: int) -> None:
    # 5 s of samples at 10 Hz, then 10 s of line noise at 115200 baud (or an 8 MB
    # garbage flood), then 5 s more: the noise may stand for at most MAX_BYTE_HOLE_S
    # (per chance frame inside it that passes its checksum: a flood has a few).
    noise = np.random.default_rng(1).integers(0, 256, noise_bytes, dtype=np.uint8).tobytes()
    dec = WitMotionSerialDecoder(rate_hz=10)
    blocks = [dec.feed(_wit(50)), dec.feed(noise), dec.feed(_wit(50, seed=2)), dec.finish()]
    out = SampleBlock.concat(blocks, gyro=True)
    assert len(out) >= 98
    assert out.t[-1] <= 9.9 + holes * MAX_BYTE_HOLE_S + 0.15
    assert dec.stats.bytes_untimed > 0


def test_noisy_capture_converts_to_its_real_duration(tmp_path: Path) -> None:
    noise = np.random.default_rng(3).integers(0, 256, 115_200, dtype=np.uint8).tobytes()
    p = tmp_path / "cap.bin"
    p.write_bytes(_wit(100) + noise + _wit(100, seed=4))
    out = decode_file(p, "witmotion-serial", 10)
    assert out.t[-1] - out.t[0] < 19.9 + MAX_BYTE_HOLE_S + 0.5


def test_refused_settings_end_the_stream_with_one_error() -> None:
    def opener(*_a: object, **_k: object) -> object:
        raise OverflowError("signed integer is greater than maximum")

    async def main() -> None:
        src = SerialSource("/dev/ttyX", opener=opener)
        async for _ in src.blocks():
            pass

    with pytest.raises(DeviceError, match="cannot open at 115200 baud"):
        asyncio.run(asyncio.wait_for(main(), 5))


def test_port_that_never_opens_fails_after_the_open_timeout() -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 0.5
        return now[0]

    async def main() -> None:
        src = SerialSource("/dev/ttyX", backoff=Backoff(0.001, 0.001), clock=clock,
                           opener=lambda *a, **k: (_ for _ in ()).throw(
                               FileNotFoundError(2, "No such file or directory")),
                           open_timeout_s=4.0)
        async for _ in src.blocks():
            pass

    with pytest.raises(DeviceError, match="cannot open: No such file or directory"):
        asyncio.run(asyncio.wait_for(main(), 5))


def test_unexpected_reader_error_is_raised_in_the_event_loop() -> None:
    class Port:
        in_waiting = 0

        def read(self, n: int) -> bytes:
            raise RuntimeError("driver bug")

        def close(self) -> None: ...

    async def main() -> None:
        src = SerialSource("/dev/ttyX", opener=lambda *a, **k: Port())
        async for _ in src.blocks():
            pass

    with pytest.raises(DeviceError, match="reader failed: RuntimeError: driver bug"):
        asyncio.run(asyncio.wait_for(main(), 5))


def test_baud_rate_out_of_range_is_refused_before_opening() -> None:
    with pytest.raises(DeviceError, match="baud"):
        SerialSource("/dev/ttyX", baud=10**12)


def test_pty_line_noise_does_not_stretch_the_session(tmp_path: Path) -> None:
    # End to end through a pty and the real serial.Serial: 5 s of samples at 10 Hz, 10 s
    # worth of noise at 115200 baud, 5 s of samples: about 10 s of session, not 369 s.
    sensor = FakeUsbSensor(tmp_path / "ttyNOISE")
    noise = np.random.default_rng(7).integers(0, 256, 115_200, dtype=np.uint8).tobytes()
    wire = _wit(50) + noise + _wit(51, seed=8)

    async def main() -> list[SampleBlock]:
        src = SerialSource(str(sensor.link), baud=115200, backoff=Backoff(0.02, 0.1))
        blocks: list[SampleBlock] = []

        async def consume() -> None:
            got = 0
            async for ev in src.blocks():
                if isinstance(ev, Status) and ev.kind == "connected":
                    for i in range(0, len(wire), 4096):
                        sensor.send(wire[i:i + 4096])
                        await asyncio.sleep(0)
                elif isinstance(ev, SampleBlock):
                    blocks.append(ev)
                    got += len(ev)
                    if got >= 100:
                        return

        await asyncio.wait_for(consume(), 10)
        await src.aclose()
        return blocks

    try:
        out = SampleBlock.concat(asyncio.run(main()), gyro=True)
    finally:
        sensor.unplug()
    assert len(out) >= 100
    assert out.t[-1] <= 9.9 + MAX_BYTE_HOLE_S + 0.15
