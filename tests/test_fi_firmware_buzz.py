"""A sensor that buzzes (issue 16 item 2): the reference firmware's buzz command and timer
(C, built here with gcc, and Python against test_vectors.json), and ``buzz()`` on the
serial transport (a pty standing in for the device), the BLE transport (a fake client)
and sources that cannot buzz."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import tty
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bleak.exc import BleakError
from fw_harness import FW, VECTORS, build_driver, run

from firmware_interface import devices
from firmware_interface.codecs import sensorcoach_v1 as v1
from firmware_interface.transports import ble
from firmware_interface.transports.base import Backoff, Status, buzz
from firmware_interface.transports.serial_port import SerialSource


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_driver(tmp_path_factory.mktemp("fwb"))


# ---------------------------------------------------------------------- firmware
def test_c_buzz_command_encodes_decodes_and_parses(driver: Path) -> None:
    cases = VECTORS["buzz_commands"]
    assert [c["payload"] for c in cases][:1] == ["142c01"]  # 300 ms, little-endian
    assert run(driver, [f"command {c['type']} {c['duration_ms']}" for c in cases]) == [
        f"{c['payload']} {c['serial']}" for c in cases]
    assert run(driver, [f"decode {c['payload']}" for c in cases]) == [
        f"20 {c['duration_ms']}" for c in cases]
    stream = "00a5" + "ff".join(c["serial"] for c in cases)
    assert run(driver, [f"parse {stream}"]) == [
        "".join(f"20 {c['duration_ms']};" for c in cases) + "bad_crc 0"]
    for bad in ("148913", "142c", "142c0100"):  # 5001 ms, short, a stray byte
        assert run(driver, [f"decode {bad}"]) == ["invalid"]


def test_c_buzz_timer_stops_on_time_across_the_millis_wrap(driver: Path) -> None:
    for case in VECTORS["buzz_timer"]:
        got = run(driver, [f"buzz {case['duration_ms']} {case['start_ms']} "
                           + " ".join(map(str, case["at_ms"]))])
        assert got == ["".join(map(str, case["on"]))], case["name"]


def test_python_buzz_command_matches_the_vectors() -> None:
    for c in VECTORS["buzz_commands"]:
        assert v1.buzz_command(c["duration_ms"]).hex() == c["payload"]
        assert v1.frame(v1.buzz_command(c["duration_ms"])).hex() == c["serial"]
    for bad in (-1, v1.BUZZ_MAX_MS + 1):
        with pytest.raises(ValueError):
            v1.buzz_command(bad)


def test_device_info_says_whether_a_buzzer_is_fitted() -> None:
    info = v1.DeviceInfo((1, 1, 0), 1, 1, 0x07, 8, 1000, 50, 0, 0)
    assert v1.DeviceInfo.decode(info.encode()).has_buzzer
    assert not v1.DeviceInfo((1, 0, 0), 1, 1, 0x03, 8, 1000, 50, 0, 0).has_buzzer


def test_profiles_that_buzz() -> None:
    p = devices.PROFILES["sensorcoach-serial"]
    assert p.buzz is not None and p.buzz(300)[0].data == bytes.fromhex("a55a03142c01d315")
    assert p.buzz(99999)[0].data == v1.frame(v1.buzz_command(v1.BUZZ_MAX_MS))  # clipped
    b = devices.PROFILES["sensorcoach"]
    assert b.buzz is not None and b.buzz(300)[0].char_uuid == v1.CONTROL_UUID
    assert b.buzz(300)[0].data == bytes.fromhex("142c01")  # BLE: not framed
    assert devices.PROFILES["witmotion"].buzz is None


# ---------------------------------------------------------------------- serial (pty)
def _info_frame(status: int) -> bytes:
    return v1.frame(v1.DeviceInfo((1, 1, 0), 1, 1, status, 8, 1000, 50, 0, 0).encode())


def _read_until(fd: int, want: bytes, timeout_s: float = 5.0) -> bytes:
    """Bytes from the pty master until ``want`` has arrived (or the timeout)."""
    import select

    got = b""
    end = timeout_s
    while want not in got and end > 0:
        r, _, _ = select.select([fd], [], [], 0.05)
        end -= 0.05
        if r:
            got += os.read(fd, 4096)
    return got


@pytest.mark.parametrize("status, sent", [(0x07, True), (0x03, False)])
def test_serial_buzz_writes_the_framed_command_to_the_device(status: int, sent: bool) -> None:
    """The real pyserial port on a pty: a buzz reaches the device as a framed command
    (after the set-up commands); a sensor that says it has no buzzer is not sent one."""
    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)

    async def main() -> tuple[bool, bytes]:
        src = SerialSource(path, profile=devices.PROFILES["sensorcoach-serial"],
                           backoff=Backoff(0.02, 0.1))
        events: list[object] = []

        async def consume() -> None:
            async for ev in src.blocks():
                events.append(ev)

        task = asyncio.create_task(consume())
        while not any(isinstance(e, Status) and e.kind == "connected" for e in events):
            await asyncio.sleep(0.01)
        os.write(master, _info_frame(status))
        while not src.decoder.stats.frames_ok:  # the device info decoded
            await asyncio.sleep(0.01)
        ok = await src.buzz(300)
        # read while the stream runs: the reader thread writes between its reads
        got = await asyncio.to_thread(_read_until, master, bytes.fromhex("142c01")
                                      if sent else b"\x00never", 5.0 if sent else 0.5)
        await src.aclose()
        task.cancel()
        return ok, got

    try:
        ok, got = asyncio.run(asyncio.wait_for(main(), 15))
    finally:
        os.close(master)
        os.close(slave)
    assert ok is sent
    assert (bytes.fromhex("a55a03142c01d315") in got) is sent


def test_serial_buzz_before_the_port_opens_is_dropped_not_sent_later(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="firmware_interface")
    src = SerialSource("/dev/null-sensor", profile=devices.PROFILES["sensorcoach-serial"])
    assert asyncio.run(src.buzz(200)) is False
    assert src._writes.empty()
    assert "not connected, buzz dropped" in caplog.text


def test_sources_that_cannot_buzz_are_a_logged_no_op(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="firmware_interface")
    wit = SerialSource("/dev/null-wit", profile=devices.PROFILES["witmotion-serial"])
    assert asyncio.run(buzz(wit, 300)) is False
    assert "witmotion-serial sensors cannot buzz" in caplog.text

    class Replay:
        name = "replay:x.csv"

    assert asyncio.run(buzz(Replay(), 300)) is False
    assert "replay:x.csv: this source cannot buzz" in caplog.text


# ---------------------------------------------------------------------- BLE (fake client)
class FakeClient:
    """Connects, records writes; ``fail_writes`` makes buzz writes fail like a lost link."""

    def __init__(self, device: Any, on_disconnect: Callable[[Any], None]) -> None:
        self.writes: list[tuple[str, bytes, bool]] = []
        self.fail_writes = False
        self.notify: Callable[[Any, bytearray], None] | None = None

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        return None

    async def write_gatt_char(self, char: str, data: bytes, response: bool = True) -> None:
        if self.fail_writes and data[:1] == b"\x14":
            raise BleakError("Not connected")
        self.writes.append((char, bytes(data), response))

    async def read_gatt_char(self, char: str) -> bytearray:
        return bytearray(20)

    async def start_notify(self, char: str, callback: Callable[[Any, bytearray], None]) -> None:
        self.notify = callback


def test_ble_buzz_writes_the_control_characteristic_without_response(
        caplog: pytest.LogCaptureFixture) -> None:
    clients: list[FakeClient] = []

    def factory(device: Any, on_disc: Callable[[Any], None]) -> FakeClient:
        clients.append(FakeClient(device, on_disc))
        return clients[-1]

    async def finder(target: str, profile: devices.DeviceProfile, timeout: float) -> Any:
        return object()

    async def main() -> tuple[bool, bool, bool, bool]:
        src = ble.BleSource("sensorcoach-1a2b", devices.PROFILES["sensorcoach"],
                            client_factory=factory, finder=finder)
        before = await src.buzz(250)  # not connected yet
        async for ev in src.blocks():
            if isinstance(ev, Status) and ev.kind == "connected":
                break
        ok = await src.buzz(250)
        clients[0].fail_writes = True
        failed = await src.buzz(250)
        # the device says it has no buzzer: nothing more is written
        assert clients[0].notify is not None
        clients[0].fail_writes = False
        src.decoder.feed_packet(v1.DeviceInfo((1, 1, 0), 1, 1, 0x03, 8, 1000, 50, 0,
                                              0).encode())
        none = await src.buzz(250)
        await src.aclose()
        return before, ok, failed, none

    caplog.set_level(logging.DEBUG, logger="firmware_interface")
    before, ok, failed, none = asyncio.run(asyncio.wait_for(main(), 10))
    assert (before, ok, failed, none) == (False, True, False, False)
    buzzes = [w for w in clients[0].writes if w[1][:1] == b"\x14"]
    assert buzzes == [(v1.CONTROL_UUID, bytes.fromhex("14fa00"), False)]
    assert "buzz failed: BleakError" in caplog.text
    assert "built without a buzzer" in caplog.text


# ---------------------------------------------------------------------- the sketch's glue
ARDUINO_STUB = """#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#define HIGH 1
#define LOW 0
#define OUTPUT 1
#define LED_BUILTIN 13
struct SerialStub {
    void begin(unsigned long) {}
    int available() { return 0; }
    int read() { return -1; }
    size_t write(const uint8_t *, size_t n) { return n; }
    int availableForWrite() { return 64; }
    explicit operator bool() const { return true; }
};
extern SerialStub Serial;
void pinMode(int pin, int mode);
void digitalWrite(int pin, int level);
uint32_t millis();
uint32_t micros();
void delay(unsigned long ms);
template <class T> T min(T a, T b) { return a < b ? a : b; }
template <class T> T max(T a, T b) { return a > b ? a : b; }
"""
#: What the sketch uses of its IMU and BLE adapters (their libraries are not here).
ADAPTERS_STUB = """#pragma once
#include <Arduino.h>
#include "protocol.h"
uint8_t imu_model();
bool imu_begin();
bool imu_read(float a[3], float g[3]);
void ble_begin(const char *name, const uint8_t info[SC_PAYLOAD_LEN]);
void ble_poll();
void ble_notify(const uint8_t *p, size_t n);
void ble_set_info(const uint8_t *p, size_t n);
int sc_command_pop(sc_command_t *cmd);
"""


@pytest.mark.parametrize("defines", [[], ["-DSC_BUZZ_PIN=25"],
                                     ["-DSC_BUZZ_PIN=25", "-DSC_BUZZ_ACTIVE_LOW=1"]])
def test_sketch_glue_compiles_with_and_without_the_buzzer(tmp_path: Path,
                                                          defines: list[str]) -> None:
    """The sketch (not its IMU/BLE adapters, whose board libraries are not here) compiles
    against a stub Arduino.h, the buzzer pin off (default) and on."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ not found")
    (tmp_path / "Arduino.h").write_text(ARDUINO_STUB)
    (tmp_path / "imu.h").write_text(ADAPTERS_STUB)
    (tmp_path / "ble_link.h").write_text("#pragma once\n")
    ino = tmp_path / "sketch.cpp"
    shutil.copy(FW / "sensorcoach_imu" / "config.h", tmp_path / "config.h")
    ino.write_text((FW / "sensorcoach_imu" / "sensorcoach_imu.ino").read_text())
    r = subprocess.run([gxx, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                        *defines, "-I", str(tmp_path), "-I", str(FW), str(ino)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
