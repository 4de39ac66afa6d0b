"""``open_source``: every SOURCE kind that can run here, end to end."""

from __future__ import annotations

import asyncio
import os
import tty
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_fi_phyphox_remote import FakePhyphox

from firmware_interface import devices
from firmware_interface.codecs import encode
from firmware_interface.errors import DecodeError, DeviceError
from firmware_interface.samples import G0, SampleBlock
from firmware_interface.sources import open_source
from firmware_interface.transports.base import Backoff, Source, Status
from firmware_interface.transports.ble import BleSource
from firmware_interface.transports.phyphox_remote import PhyphoxSource
from firmware_interface.transports.replay import ReplaySource
from firmware_interface.transports.serial_port import SerialSource


async def first_samples(src: Source, want: int,
                        on_status: Callable[[Status], None] | None = None) -> SampleBlock:
    blocks: list[SampleBlock] = []

    async def run() -> None:
        async for ev in src.blocks():
            if isinstance(ev, Status):
                if on_status is not None:
                    on_status(ev)
                continue
            blocks.append(ev)
            if sum(map(len, blocks)) >= want:
                return

    try:
        await asyncio.wait_for(run(), 10)
    finally:
        await src.aclose()
    return SampleBlock.concat(blocks, gyro=any(b.gyro is not None for b in blocks))


def wit_samples(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (np.rint(rng.normal(0, 0.3, (n, 3)) * 2048) / 2048,
            np.rint(rng.normal(0, 30, (n, 3)) * 16.384) / 16.384)


def test_replay(tmp_path: Path) -> None:
    acc, gyr = wit_samples(50)
    f = tmp_path / "cap.wit"
    f.write_bytes(encode.witmotion_ble(acc, gyr))
    src = open_source(f"replay:{f}@inf", rate_hz=50)
    assert isinstance(src, ReplaySource) and src.format == "witmotion-ble"
    out = asyncio.run(first_samples(src, 50))
    np.testing.assert_array_equal(out.acc, acc)
    np.testing.assert_allclose(out.t, np.arange(50) / 50)
    with pytest.raises(DecodeError, match="no such file"):
        open_source(f"replay:{tmp_path / 'nope.csv'}")


def test_serial_through_a_pty(tmp_path: Path) -> None:
    acc, gyr = wit_samples(12, seed=1)
    master, slave = os.openpty()
    tty.setraw(slave)
    link = tmp_path / "ttyWIT"
    link.symlink_to(os.ttyname(slave))
    os.close(slave)
    src = open_source(f"serial:{link}@115200:witmotion", rate_hz=20,
                      backoff=Backoff(0.02, 0.1))
    assert isinstance(src, SerialSource) and src.baud == 115200
    assert src.profile.name == "witmotion-serial"

    def plugged(ev: Status) -> None:
        if ev.kind == "connected":
            os.write(master, encode.witmotion_serial(acc, gyr))

    try:
        out = asyncio.run(first_samples(src, 11, plugged))
        # The rate asked for was set up on the sensor: unlock, then 20 Hz (code 0x07).
        sent = os.read(master, 64)
    finally:
        os.close(master)
    np.testing.assert_array_equal(out.acc, acc[:len(out)])
    np.testing.assert_allclose(out.t, np.arange(len(out)) / 20)
    assert sent == devices.WIT_UNLOCK + bytes([0xFF, 0xAA, 0x03, 0x07, 0x00])


def test_phyphox_over_loopback() -> None:
    fake = FakePhyphox(step=6)
    try:
        src = open_source(f"phone:phyphox@127.0.0.1:{fake.port}", poll_interval_s=0.002)
        assert isinstance(src, PhyphoxSource)
        out = asyncio.run(first_samples(src, 30))
    finally:
        fake.down()
    np.testing.assert_array_equal(out.t, fake.t[:len(out)] - fake.t[0])
    np.testing.assert_allclose(out.acc, fake.acc[:len(out)] / G0)


class ReplayingClient:
    """The BLE seam: plays notifications once subscribed."""

    def __init__(self, notes: list[bytes]) -> None:
        self.notes = notes
        self.writes: list[tuple[str, bytes]] = []

    async def connect(self) -> None: ...
    async def disconnect(self) -> None: ...

    async def write_gatt_char(self, char: str, data: bytes, response: bool = True) -> None:
        self.writes.append((char, data))

    async def read_gatt_char(self, char: str) -> bytearray:
        return bytearray(9)

    async def start_notify(self, char: str, cb: Callable[[Any, bytearray], None]) -> None:
        for n in self.notes:
            cb(char, bytearray(n))


def test_ble_through_the_injected_client() -> None:
    acc = np.rint(np.random.default_rng(2).normal(0, 0.5, (10, 3)) * 1000) / 1000
    client = ReplayingClient([encode.microbit_records(a) for a in acc])

    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return target

    # No profile in the string: the advertised name says micro:bit.
    src = open_source("ble:BBC micro:bit [zatig]", rate_hz=50,
                      client_factory=lambda device, on_disc: client, finder=finder)
    assert isinstance(src, BleSource) and src.profile.name == "microbit"
    out = asyncio.run(first_samples(src, 10))
    np.testing.assert_allclose(out.acc, acc)
    assert out.gyro is None
    assert client.writes == [(devices.MICROBIT_ACC_PERIOD, b"\x14\x00")]
    assert isinstance(open_source("ble:AA:BB:CC:DD:EE:FF"), BleSource)


def test_refusals_are_device_errors() -> None:
    with pytest.raises(DeviceError, match="sensorcoach serve"):
        open_source("phone:sensorlogger")
    with pytest.raises(DeviceError, match="WitMotion rates"):
        open_source("serial:/dev/ttyUSB0", rate_hz=33)
    with pytest.raises(DeviceError, match="unknown source kind"):
        open_source("usb:thing")
