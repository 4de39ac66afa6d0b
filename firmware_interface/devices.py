"""Device profiles and SOURCE strings (SPEC section 6).

A profile says how to reach a sensor (transport, GATT UUIDs or baud), which codec reads
it, its default output rate and the setup commands that set that rate.  Facts are from
PROTOCOLS.md; *unconfirmed* ones are marked.

SOURCE strings: ``ble:ADDRESS_OR_NAME[:PROFILE]``, ``serial:PORT[@BAUD][:PROFILE]``,
``replay:FILE[@SPEED]``, ``phone:sensorlogger``, ``phone:phyphox@HOST[:PORT]``.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from firmware_interface.codecs import sensorcoach_v1 as scv1
from firmware_interface.errors import DeviceError

# WitMotion's UUIDs use base ...-00805f9a34fb, *not* the SIG base ...-00805f9b34fb: a
# 16-bit shorthand such as "ffe5" would expand to the wrong UUID, so spell them out.
WIT_SERVICE = "0000ffe5-0000-1000-8000-00805f9a34fb"
WIT_NOTIFY = "0000ffe4-0000-1000-8000-00805f9a34fb"
WIT_WRITE = "0000ffe9-0000-1000-8000-00805f9a34fb"
MICROBIT_ACC_SERVICE = "e95d0753-251d-470a-a062-fa1922dfa9a8"
MICROBIT_ACC_DATA = "e95dca4b-251d-470a-a062-fa1922dfa9a8"
MICROBIT_ACC_PERIOD = "e95dfb24-251d-470a-a062-fa1922dfa9a8"
THINGY_MOTION_SERVICE = "ef680400-9b35-4933-9b10-52ffa9740042"
THINGY_MOTION_CONFIG = "ef680401-9b35-4933-9b10-52ffa9740042"
THINGY_RAW = "ef680406-9b35-4933-9b10-52ffa9740042"

#: WitMotion output-rate register (0x03) codes, Hz -> code.  200 Hz: not every model.
WIT_RATE_CODES = {10.0: 0x06, 20.0: 0x07, 50.0: 0x08, 100.0: 0x09, 200.0: 0x0B}
WIT_UNLOCK = bytes.fromhex("ffaa6988b5")
MICROBIT_PERIODS_MS = (1, 2, 5, 10, 20, 80, 160, 640)


@dataclass(frozen=True)
class Write:
    """Write ``data`` to a characteristic (BLE) or the port (serial, ``char_uuid`` None)."""

    char_uuid: str | None
    data: bytes
    #: Seconds to wait afterwards (WitMotion applies commands after a moment).
    pause_s: float = 0.05


@dataclass(frozen=True)
class Patch:
    """Read a characteristic, overwrite ``data`` at ``offset`` and write it back."""

    char_uuid: str
    offset: int
    data: bytes


SetupStep = Write | Patch


@dataclass(frozen=True)
class DeviceProfile:
    """How to talk to one kind of sensor."""

    name: str
    transport: Literal["ble", "serial"]
    codec: str
    """Stream format name (see :mod:`firmware_interface.codecs`)."""
    default_rate_hz: float
    """The rate our setup commands select (or the factory rate when there are none)."""
    setup: Callable[[float], list[SetupStep]]
    """Commands that select ``rate_hz``; raise DeviceError for an unsupported rate."""
    service_uuid: str | None = None
    notify_uuid: str | None = None
    name_patterns: tuple[str, ...] = field(default_factory=tuple)
    """Regular expressions (case-insensitive) matched against advertised names."""
    baud: int | None = None
    buzz: Callable[[int], list[Write]] | None = None
    """Commands that buzz the sensor for ``duration_ms`` (a motor or buzzer on the
    device); None: this kind of sensor cannot."""

    def matches(self, name: str | None, service_uuids: list[str]) -> bool:
        """True when an advertisement looks like this device."""
        if self.service_uuid and self.service_uuid in (u.lower() for u in service_uuids):
            return True
        return bool(name) and any(re.search(p, name or "", re.I) for p in self.name_patterns)


def _wit_setup(uuid: str | None) -> Callable[[float], list[SetupStep]]:
    def setup(rate_hz: float) -> list[SetupStep]:
        code = WIT_RATE_CODES.get(float(rate_hz))
        if code is None:
            raise DeviceError(f"WitMotion rates are {', '.join(f'{r:g}' for r in WIT_RATE_CODES)}"
                              f" Hz, not {rate_hz:g}")
        # Unlock is needed on newer firmware and harmless on older; not saved to flash
        # (no FF AA 00 00 00), so the device returns to its own setting on power-up.
        return [Write(uuid, WIT_UNLOCK, 0.1), Write(uuid, bytes([0xFF, 0xAA, 0x03, code, 0]), 0.1)]
    return setup


def _microbit_setup(rate_hz: float) -> list[SetupStep]:
    period = round(1000.0 / rate_hz) if rate_hz > 0 else 0
    if period not in MICROBIT_PERIODS_MS:
        periods = ", ".join(map(str, MICROBIT_PERIODS_MS))
        raise DeviceError(f"micro:bit accelerometer periods are {periods} ms; "
                          f"{rate_hz:g} Hz is not one")
    return [Write(MICROBIT_ACC_PERIOD, struct.pack("<H", period))]


def _thingy_setup(rate_hz: float) -> list[SetupStep]:
    if not (5 <= rate_hz <= 200 and float(rate_hz).is_integer()):
        raise DeviceError(f"Thingy:52 motion_freq_hz is a whole number 5-200, not {rate_hz:g}")
    # motion_freq_hz is the 4th u16 of the config struct (byte offset 6).
    return [Patch(THINGY_MOTION_CONFIG, 6, struct.pack("<H", int(rate_hz)))]


def _no_setup(rate_hz: float) -> list[SetupStep]:
    return []


def _sensorcoach_setup(uuid: str | None) -> Callable[[float], list[SetupStep]]:
    """Reference firmware (firmware/PROTOCOL.md): set rate, then start (a no-op when it
    already streams); serial commands are framed with sync and CRC."""
    def setup(rate_hz: float) -> list[SetupStep]:
        if not (float(rate_hz).is_integer() and scv1.RATE_MIN_HZ <= rate_hz <= scv1.RATE_MAX_HZ):
            raise DeviceError(f"sensorcoach firmware rates are whole numbers "
                              f"{scv1.RATE_MIN_HZ}-{scv1.RATE_MAX_HZ} Hz, not {rate_hz:g}")
        cmds = [scv1.command(scv1.CMD_SET_RATE, int(rate_hz)), scv1.command(scv1.CMD_START)]
        return [Write(uuid, c if uuid else scv1.frame(c)) for c in cmds]
    return setup


def _sensorcoach_buzz(uuid: str | None) -> Callable[[int], list[Write]]:
    """Reference firmware built with ``SC_BUZZ_PIN``: the buzz command (firmware/PROTOCOL.md),
    framed over serial; written without response over BLE (an alert must not wait)."""
    def buzz(duration_ms: int) -> list[Write]:
        c = scv1.buzz_command(max(0, min(int(duration_ms), scv1.BUZZ_MAX_MS)))
        return [Write(uuid, c if uuid else scv1.frame(c), 0.0)]
    return buzz


PROFILES: dict[str, DeviceProfile] = {
    "witmotion": DeviceProfile(
        "witmotion", "ble", "witmotion-ble", 50.0, _wit_setup(WIT_WRITE),
        service_uuid=WIT_SERVICE, notify_uuid=WIT_NOTIFY, name_patterns=(r"^WT",)),
    "microbit": DeviceProfile(
        "microbit", "ble", "microbit", 50.0, _microbit_setup,
        service_uuid=MICROBIT_ACC_SERVICE, notify_uuid=MICROBIT_ACC_DATA,
        name_patterns=(r"micro:bit",)),
    "thingy52": DeviceProfile(
        "thingy52", "ble", "thingy52", 50.0, _thingy_setup,
        service_uuid=THINGY_MOTION_SERVICE, notify_uuid=THINGY_RAW, name_patterns=(r"thingy",)),
    # Serial: 10 Hz is the factory default; no commands unless a rate is asked for.
    "witmotion-serial": DeviceProfile(
        "witmotion-serial", "serial", "witmotion-serial", 10.0, _wit_setup(None), baud=115200),
    "sensorcoach": DeviceProfile(
        "sensorcoach", "ble", scv1.FORMAT, 50.0, _sensorcoach_setup(scv1.CONTROL_UUID),
        service_uuid=scv1.SERVICE_UUID, notify_uuid=scv1.DATA_UUID,
        name_patterns=(r"^sensorcoach",), buzz=_sensorcoach_buzz(scv1.CONTROL_UUID)),
    "sensorcoach-serial": DeviceProfile(
        "sensorcoach-serial", "serial", scv1.FORMAT, 50.0, _sensorcoach_setup(None),
        baud=115200, buzz=_sensorcoach_buzz(None)),
}
#: Stream format -> profile giving its default rate (``convert --rate`` overrides).
FORMAT_PROFILES = {"witmotion-serial": "witmotion-serial", "witmotion-ble": "witmotion",
                   "microbit": "microbit", "thingy52": "thingy52"}
BLE_PROFILES = tuple(p for p in PROFILES.values() if p.transport == "ble")


def profile(name: str, transport: Literal["ble", "serial"] | None = None) -> DeviceProfile:
    """Look a profile up by name; ``serial`` + ``witmotion`` gives the serial variant."""
    key = name.lower().replace(":", "").replace("_", "-")
    if transport == "serial" and key == "witmotion":
        key = "witmotion-serial"
    if transport == "serial" and key == "sensorcoach":
        key = "sensorcoach-serial"
    p = PROFILES.get(key)
    if p is None or (transport is not None and p.transport != transport):
        names = sorted({k for k, v in PROFILES.items() if transport in (None, v.transport)})
        raise DeviceError(f"unknown {transport or ''} profile {name!r} (known: "
                          f"{', '.join(names)})".replace("  ", " "))
    return p


def guess_ble_profile(name: str | None, service_uuids: list[str]) -> DeviceProfile | None:
    """The first BLE profile whose name pattern or service UUID matches."""
    return next((p for p in BLE_PROFILES if p.matches(name, service_uuids)), None)


# ---------------------------------------------------------------------- SOURCE strings
@dataclass(frozen=True)
class BleSource:
    target: str
    """MAC address (Linux/Windows), CoreBluetooth UUID (macOS) or advertised name."""
    profile: str | None = None


@dataclass(frozen=True)
class SerialSource:
    port: str
    baud: int | None = None
    profile: str = "witmotion"


@dataclass(frozen=True)
class ReplaySource:
    path: str
    speed: float = 1.0
    """1 = real time, N = N x faster, 0 = as fast as possible."""


@dataclass(frozen=True)
class PhoneSource:
    app: Literal["sensorlogger", "phyphox"]
    host: str | None = None
    port: int = 8080


SourceSpec = BleSource | SerialSource | ReplaySource | PhoneSource


def _split_profile(rest: str) -> tuple[str, str | None]:
    head, sep, last = rest.rpartition(":")
    if sep and head and last.lower().replace("_", "-") in PROFILES:
        return head, last
    return rest, None


#: Baud rates a serial port can be opened at (USB adapters reach 12 Mbaud).
BAUD_RANGE = (50, 12_000_000)


def parse_source(text: str) -> SourceSpec:
    """Parse a SOURCE string; raise DeviceError with the expected forms when invalid."""
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if not sep or not rest:
        raise DeviceError(f"bad source {text!r}: use ble:ADDRESS_OR_NAME[:PROFILE], "
                          "serial:PORT[@BAUD][:PROFILE], replay:FILE[@SPEED], "
                          "phone:sensorlogger or phone:phyphox@HOST[:PORT]")
    if kind == "ble":
        target, prof = _split_profile(rest)
        if prof is not None:
            profile(prof, "ble")
        return BleSource(target, prof)
    if kind == "serial":
        body, prof = _split_profile(rest)
        port, at, baud_text = body.rpartition("@")
        baud = None
        if at:
            lo, hi = BAUD_RANGE
            if not baud_text.isdigit() or not lo <= int(baud_text) <= hi:
                raise DeviceError(f"bad baud rate {baud_text[:20]!r} in {text[:80]!r}: a whole "
                                  f"number from {lo} to {hi}")
            baud = int(baud_text)
        else:
            port = body
        if prof is not None:
            profile(prof, "serial")
        return SerialSource(port, baud, prof or "witmotion")
    if kind == "replay":
        path, at, speed_text = rest.rpartition("@")
        if at:
            try:
                speed = float(speed_text.rstrip("xX"))
            except ValueError:
                if Path(rest).exists() or not Path(path).exists():
                    return ReplaySource(rest)  # an '@' inside the file name
                raise DeviceError(f"bad replay speed {speed_text!r} in {text!r}: a number "
                                  "of times real time (0: as fast as possible)") from None
            if math.isnan(speed) or speed < 0:
                raise DeviceError(f"replay speed must be a number >= 0 (0: as fast as "
                                  f"possible), got {speed_text!r}")
            return ReplaySource(path, speed)
        return ReplaySource(rest)
    if kind == "phone":
        app, at, where = rest.partition("@")
        app = app.strip().lower()
        if app == "sensorlogger" and not at:
            return PhoneSource("sensorlogger")
        if app == "phyphox" and where:
            host, colon, port_text = where.rpartition(":")
            if not colon:
                return PhoneSource("phyphox", where, 8080)
            if not port_text.isdigit():
                raise DeviceError(f"bad port {port_text!r} in {text!r}")
            return PhoneSource("phyphox", host, int(port_text))
        raise DeviceError(f"bad phone source {text!r}: use phone:sensorlogger or "
                          "phone:phyphox@HOST[:PORT]")
    raise DeviceError(f"unknown source kind {kind!r} in {text!r} (ble, serial, replay, phone)")
