"""BLE transport through an injected client (no controller here), and scanning."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pytest
from bleak.exc import BleakError

from firmware_interface import devices
from firmware_interface.codecs import encode
from firmware_interface.errors import DeviceError
from firmware_interface.samples import SampleBlock
from firmware_interface.transports import ble
from firmware_interface.transports.base import Backoff, Status


class FakeClient:
    """Replays recorded notifications; drops the link after ``drop_after`` of them."""

    log: ClassVar[list[tuple[str, Any]]] = []

    def __init__(self, device: Any, on_disconnect: Callable[[Any], None],
                 notifications: list[bytes], drop_after: int | None) -> None:
        self.device = device
        self.on_disconnect = on_disconnect
        self.notifications = notifications
        self.drop_after = drop_after
        self.task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.log.append(("connect", self.device))

    async def disconnect(self) -> None:
        self.log.append(("disconnect", None))

    async def write_gatt_char(self, char: str, data: bytes, response: bool = True) -> None:
        self.log.append(("write", (char, data)))

    async def read_gatt_char(self, char: str) -> bytearray:
        self.log.append(("read", char))
        return bytearray(range(9))

    async def start_notify(self, char: str, callback: Callable[[Any, bytearray], None]) -> None:
        self.log.append(("notify", char))

        async def play() -> None:
            for i, n in enumerate(self.notifications):
                if self.drop_after is not None and i == self.drop_after:
                    await asyncio.sleep(0.2)  # radio silence, then the link drops
                    self.on_disconnect(self)
                    return
                callback(char, bytearray(n))
                await asyncio.sleep(0)

        self.task = asyncio.get_running_loop().create_task(play())


def test_witmotion_notifications_disconnect_resubscribe_gap() -> None:
    rng = np.random.default_rng(1)
    acc = np.rint(rng.normal(0, 0.3, (30, 3)) * 2048) / 2048
    gyr = np.rint(rng.normal(0, 30, (30, 3)) * 16.384) / 16.384
    wire = encode.witmotion_ble(acc, gyr)
    # Split and joined notifications, like a real BLE stack may deliver.
    first = [wire[i:min(i + 13, 300)] for i in range(0, 300, 13)]
    second = [wire[300 + i:300 + i + 40] for i in range(0, 300, 40)]
    sessions = iter([(first, len(first)), (second, None)])
    FakeClient.log = []

    def factory(device: Any, on_disc: Callable[[Any], None]) -> FakeClient:
        notes, drop = next(sessions)
        return FakeClient(device, on_disc, [*notes, b""] if drop else notes, drop)

    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return {"address": target}

    async def main() -> tuple[list[SampleBlock], list[Status], ble.BleSource]:
        src = ble.BleSource("AA:BB:CC:DD:EE:FF", devices.PROFILES["witmotion"], rate_hz=50,
                            client_factory=factory, finder=finder,
                            backoff=Backoff(0.01, 0.05))
        blocks: list[SampleBlock] = []
        events: list[Status] = []

        async def consume() -> None:
            n = 0
            async for ev in src.blocks():
                if isinstance(ev, Status):
                    events.append(ev)
                else:
                    blocks.append(ev)
                    n += len(ev)
                    if n >= 28:  # the last two wait for lookahead (end of stream)
                        return

        await asyncio.wait_for(consume(), 5)
        await src.aclose()
        return blocks, events, src

    blocks, events, src = asyncio.run(main())
    assert [e.kind for e in events] == ["connected", "disconnected", "reconnected"]
    # Setup (unlock, 50 Hz) and subscription were repeated after the reconnect.
    writes = [d for k, d in FakeClient.log if k == "write"]
    unlock = (devices.WIT_WRITE, devices.WIT_UNLOCK)
    rate = (devices.WIT_WRITE, bytes([0xFF, 0xAA, 0x03, 0x08, 0x00]))
    assert writes == [unlock, rate, unlock, rate]
    assert [d for k, d in FakeClient.log if k == "notify"] == [devices.WIT_NOTIFY] * 2
    out = SampleBlock.concat(blocks, gyro=True)
    np.testing.assert_array_equal(out.acc, acc[:28])
    gap = events[2]
    assert gap.outage_s > 0 and gap.dropped >= 1
    np.testing.assert_allclose(out.t[:15], np.arange(15) / 50)
    np.testing.assert_allclose(out.t[15:], (np.arange(15, 28) + gap.dropped) / 50)
    assert src.counters["connects"] == 2 and src.counters["disconnects"] == 1


def test_thingy_setup_patches_config_and_microbit_period() -> None:
    steps = devices.PROFILES["thingy52"].setup(100)
    assert steps == [devices.Patch(devices.THINGY_MOTION_CONFIG, 6, b"\x64\x00")]
    assert devices.PROFILES["microbit"].setup(50) == [
        devices.Write(devices.MICROBIT_ACC_PERIOD, b"\x14\x00")]
    with pytest.raises(DeviceError, match="periods"):
        devices.PROFILES["microbit"].setup(33)


def test_connect_failures_give_up_with_device_error() -> None:
    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return None

    async def main() -> None:
        src = ble.BleSource("WT901", devices.PROFILES["witmotion"], finder=finder,
                            backoff=Backoff(0.001, 0.002), max_attempts=3)
        async for _ in src.blocks():
            pass

    with pytest.raises(DeviceError, match="after 3 attempts"):
        asyncio.run(main())


def test_scan_filters_by_profile_and_wit_uuid_base() -> None:
    adverts = [
        ("11:11:11:11:11:11", "WT901BLE68", -60, []),
        ("22:22:22:22:22:22", None, -70, [devices.WIT_SERVICE]),
        ("33:33:33:33:33:33", "headphones", -40, ["0000ffe5-0000-1000-8000-00805f9b34fb"]),
        ("44:44:44:44:44:44", "BBC micro:bit [zatig]", -80, []),
    ]

    async def discover(timeout: float) -> list[tuple[str, str | None, int | None, list[str]]]:
        return adverts

    found = asyncio.run(ble.scan(1.0, discover))
    assert [(f.address[:2], f.profile) for f in found] == [
        ("11", "witmotion"), ("22", "witmotion"), ("44", "microbit")]


def test_real_scan_without_adapter_is_a_device_error() -> None:
    # This machine has no Bluetooth adapter and no BlueZ: one clear DeviceError.
    with pytest.raises(DeviceError, match="Bluetooth"):
        asyncio.run(ble.scan(0.5))


def test_parse_source_strings() -> None:
    P = devices.parse_source
    assert P("ble:AA:BB:CC:DD:EE:FF") == devices.BleSource("AA:BB:CC:DD:EE:FF")
    assert P("ble:AA:BB:CC:DD:EE:FF:witmotion") == devices.BleSource("AA:BB:CC:DD:EE:FF",
                                                                     "witmotion")
    assert P("ble:BBC micro:bit [zatig]:microbit").target == "BBC micro:bit [zatig]"
    assert P("serial:/dev/ttyUSB0@9600:witmotion") == devices.SerialSource(
        "/dev/ttyUSB0", 9600, "witmotion")
    assert P("serial:COM3") == devices.SerialSource("COM3", None, "witmotion")
    assert P("replay:fixtures/a@b.csv@4x") == devices.ReplaySource("fixtures/a@b.csv", 4.0)
    assert P("phone:phyphox@192.168.1.5") == devices.PhoneSource("phyphox", "192.168.1.5")
    assert P("phone:phyphox@host:9000").port == 9000
    assert P("phone:sensorlogger") == devices.PhoneSource("sensorlogger")
    for bad in ("nope", "usb:x", "serial:/dev/x@fast", "phone:phyphox"):
        with pytest.raises(DeviceError):
            P(bad)


# ---------------------------------------------------------------------- issue 13
class SetupFailsClient(FakeClient):
    """Connects, then the setup write fails (``failures`` times) with ``error``."""

    failures = 0
    error: BaseException = BleakError("GATT write failed")

    async def write_gatt_char(self, char: str, data: bytes, response: bool = True) -> None:
        if SetupFailsClient.failures > 0:
            SetupFailsClient.failures -= 1
            self.log.append(("write-failed", char))
            raise self.error
        await super().write_gatt_char(char, data, response)


def _run_setup_failures(failures: int, error: BaseException,
                        max_attempts: int | None = None) -> list[SampleBlock]:
    rng = np.random.default_rng(5)
    wire = encode.witmotion_ble(np.rint(rng.normal(0, 0.3, (10, 3)) * 2048) / 2048,
                                np.rint(rng.normal(0, 30, (10, 3)) * 16.384) / 16.384)
    FakeClient.log = []
    SetupFailsClient.failures = failures
    SetupFailsClient.error = error

    def factory(device: Any, on_disc: Callable[[Any], None]) -> FakeClient:
        return SetupFailsClient(device, on_disc, [wire], None)

    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return target

    async def main() -> list[SampleBlock]:
        src = ble.BleSource("AA:BB:CC:DD:EE:FF", devices.PROFILES["witmotion"], rate_hz=50,
                            client_factory=factory, finder=finder,
                            backoff=Backoff(0.001, 0.002), max_attempts=max_attempts)
        out: list[SampleBlock] = []
        try:
            async for ev in src.blocks():
                if isinstance(ev, SampleBlock):
                    out.append(ev)
                    return out
        finally:
            await src.aclose()
        return out

    return asyncio.run(asyncio.wait_for(main(), 5))


def test_failed_setup_write_disconnects_before_each_retry(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="firmware_interface")
    out = _run_setup_failures(2, BleakError("GATT write failed"))
    assert out and len(out[0]) > 0
    kinds = [k for k, _ in FakeClient.log if k in ("connect", "disconnect", "write-failed")]
    # Each failed setup is followed by a disconnect before the next connect.
    assert kinds[:6] == ["connect", "write-failed", "disconnect",
                         "connect", "write-failed", "disconnect"]
    assert kinds[6] == "connect"
    assert "connect attempt 2 failed: BleakError" in caplog.text


def test_connects_never_outnumber_disconnects_on_failed_setups() -> None:
    with pytest.raises(DeviceError, match="after 3 attempts"):
        _run_setup_failures(10, TimeoutError("write timed out"), max_attempts=3)
    connects = sum(k == "connect" for k, _ in FakeClient.log)
    disconnects = sum(k == "disconnect" for k, _ in FakeClient.log)
    assert connects == 3 and disconnects == 3


def test_a_bug_is_not_retried_as_a_radio_error() -> None:
    # A programming error in setup is not transient: raised at once, link closed first.
    with pytest.raises(KeyError):
        _run_setup_failures(5, KeyError("bug"))
    kinds = [k for k, _ in FakeClient.log if k in ("connect", "disconnect")]
    assert kinds == ["connect", "disconnect"]


def test_real_client_goes_through_bleak_retry_connector(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import bleak_retry_connector

    seen: list[tuple[Any, str, int]] = []

    async def fake_establish(cls: type, device: Any, name: str, **kw: Any) -> FakeClient:
        seen.append((device, name, kw["max_attempts"]))
        return FakeClient(device, kw["disconnected_callback"], [], None)

    monkeypatch.setattr(bleak_retry_connector, "establish_connection", fake_establish)

    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return "DEVICE"

    async def main() -> Status:
        src = ble.BleSource("WT901", devices.PROFILES["witmotion"], finder=finder)
        async for ev in src.blocks():
            assert isinstance(ev, Status)
            await src.aclose()
            return ev
        raise AssertionError("no event")

    ev = asyncio.run(asyncio.wait_for(main(), 5))
    assert ev.kind == "connected"
    assert seen == [("DEVICE", "ble:WT901:witmotion", 3)]
