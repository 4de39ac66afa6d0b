"""Serial transport end to end through a pty with the real ``serial.Serial``."""

from __future__ import annotations

import asyncio
import os
import tty
from pathlib import Path

import numpy as np

from firmware_interface.codecs import encode
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
        os.write(self.master, data)


def test_pty_stream_unplug_and_reconnect(tmp_path: Path) -> None:
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
    np.testing.assert_allclose(out.t[:11], np.arange(11) / 10)
    np.testing.assert_allclose(out.t[11:], (np.arange(11, 20) + rec.dropped) / 10)
