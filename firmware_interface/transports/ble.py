"""BLE transport (bleak) with an injectable client, plus scanning.

bleak ships no mock backend and these machines have no controller, so the client is
reached through :class:`BleClient` (the subset of ``BleakClient`` we use) built by a
``client_factory(device, on_disconnect)``; tests inject a fake that replays recorded
notifications.  The notify callback only queues bytes (bleak calls it on the event
loop; it must stay tiny).  Notifications do not survive a reconnect: after every
connect the setup writes are repeated and notifications re-subscribed.  Each
notification is stamped with the host time it arrived, from which the host-clock drift of
the sample-count clock is measured (:mod:`.drift`).

Connecting follows bleak-retry-connector's discipline (and, with the real client, goes
through its ``establish_connection``): only transient radio errors (:data:`TRANSIENT`)
are retried, with backoff; a client whose connect or setup (writes, subscription) fails
is disconnected before the next attempt, so a failed setup never leaves a half-open
link; anything else (a bug) propagates.  Every failed attempt is logged (warning).

:meth:`BleSource.buzz` writes the profile's buzz command (without response: an alert must
not wait for the radio) while connected; a failed write is logged, never raised.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bleak.exc import BleakError

from firmware_interface import devices
from firmware_interface.codecs import StreamDecoder, stream_decoder
from firmware_interface.devices import DeviceProfile, Patch, Write
from firmware_interface.errors import DeviceError
from firmware_interface.samples import DecodeStats
from firmware_interface.transports.base import Backoff, Event, Status, buzz_commands
from firmware_interface.transports.drift import DriftMeter

log = logging.getLogger(__name__)
#: Errors worth another attempt: the radio, the BlueZ D-Bus link, timeouts (as
#: bleak-retry-connector's ``BLEAK_RETRY_EXCEPTIONS``, less ``AttributeError``).
TRANSIENT: tuple[type[BaseException], ...] = (BleakError, TimeoutError, EOFError,
                                              BrokenPipeError, ConnectionError)
_MAC = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")


class BleClient(Protocol):
    """What we use of ``bleak.BleakClient``."""

    async def connect(self) -> Any: ...
    async def disconnect(self) -> Any: ...
    async def start_notify(self, char: str, callback: Callable[[Any, bytearray], None],
                           /) -> None: ...
    async def write_gatt_char(self, char: str, data: bytes, /, response: bool = ...) -> None:
        ...
    async def read_gatt_char(self, char: str, /) -> bytearray: ...


ClientFactory = Callable[[Any, Callable[[Any], None]], BleClient]
DeviceFinder = Callable[[str, DeviceProfile, float], Awaitable[Any]]


def bleak_client(device: Any, on_disconnect: Callable[[Any], None]) -> BleClient:
    """A plain ``BleakClient`` built from a ``BLEDevice`` (not connected)."""
    from bleak import BleakClient

    return BleakClient(device, disconnected_callback=on_disconnect)


async def establish(device: Any, on_disconnect: Callable[[Any], None], name: str) -> BleClient:
    """A connected ``BleakClient`` through bleak-retry-connector's
    ``establish_connection`` (its own short retries, backoff and BlueZ workarounds)."""
    from bleak import BleakClient
    from bleak_retry_connector import establish_connection

    client: BleClient = await establish_connection(
        BleakClient, device, name, disconnected_callback=on_disconnect, max_attempts=3)
    return client


def _no_adapter(e: BaseException) -> DeviceError:
    return DeviceError(f"no usable Bluetooth adapter (BlueZ/D-Bus not reachable: "
                       f"{type(e).__name__}: {e or 'unavailable'})")


async def bleak_find(target: str, profile: DeviceProfile, timeout_s: float) -> Any:
    """Find a ``BLEDevice`` by address or by advertised name (None if not seen)."""
    from bleak import BleakScanner
    from bleak.exc import BleakError

    try:
        if _MAC.match(target):
            return await BleakScanner.find_device_by_address(target, timeout=timeout_s)
        return await BleakScanner.find_device_by_filter(
            lambda d, adv: target.lower() in (d.name or adv.local_name or "").lower(),
            timeout=timeout_s)
    except (BleakError, OSError) as e:
        raise _no_adapter(e) from None


@dataclass(frozen=True)
class Found:
    """A scan result that matches a profile."""

    address: str
    name: str
    rssi: int | None
    profile: str


Discover = Callable[[float], Awaitable[list[tuple[str, str | None, int | None, list[str]]]]]


async def bleak_discover(timeout_s: float) -> list[tuple[str, str | None, int | None, list[str]]]:
    """(address, name, rssi, service UUIDs) of every advertiser seen."""
    from bleak import BleakScanner
    from bleak.exc import BleakError

    try:
        found = await BleakScanner.discover(timeout=timeout_s, return_adv=True)
    except (BleakError, OSError) as e:
        raise _no_adapter(e) from None
    return [(d.address, d.name or adv.local_name, adv.rssi, list(adv.service_uuids))
            for d, adv in found.values()]


async def scan(timeout_s: float = 5.0, discover: Discover = bleak_discover) -> list[Found]:
    """Nearby devices matching a profile by name or service UUID; DeviceError when
    there is no adapter."""
    out = []
    for address, name, rssi, uuids in await discover(timeout_s):
        p = devices.guess_ble_profile(name, uuids)
        if p is not None:
            out.append(Found(address, name or "", rssi, p.name))
    return sorted(out, key=lambda f: -(f.rssi if f.rssi is not None else -999))


_DISCONNECTED = object()


class BleSource:
    """Samples from a BLE sensor; reconnects with backoff and re-subscribes."""

    def __init__(self, target: str, profile: DeviceProfile, *, rate_hz: float | None = None,
                 client_factory: ClientFactory | None = None,
                 finder: DeviceFinder = bleak_find, backoff: Backoff | None = None,
                 scan_timeout_s: float = 10.0, max_attempts: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if profile.transport != "ble" or profile.notify_uuid is None:
            raise DeviceError(f"profile {profile.name!r} is not a BLE profile")
        self.target = target
        self.profile = profile
        self.rate_hz = rate_hz or profile.default_rate_hz
        self.setup = profile.setup(self.rate_hz)
        self.decoder: StreamDecoder = stream_decoder(profile.codec, self.rate_hz)
        self.stats: DecodeStats = self.decoder.stats
        self.name = f"ble:{target}:{profile.name}"
        self.counters = {"notifications": 0, "bytes": 0, "connects": 0, "disconnects": 0,
                         "failed_attempts": 0}
        self._factory = client_factory
        self._finder = finder
        self._backoff = backoff or Backoff()
        self._scan_timeout_s = scan_timeout_s
        self._max_attempts = max_attempts
        self._client: BleClient | None = None
        self._clock = clock
        self.drift = DriftMeter()
        """Host-clock drift of the sample-count clock (``drift.ppm``)."""
        self._closed = False

    async def aclose(self) -> None:
        self._closed = True
        if self._client is not None:
            await _disconnect(self._client)

    async def buzz(self, duration_ms: int) -> bool:
        """Buzz the sensor for ``duration_ms`` (ms) when its profile can and it is
        connected; False (logged) otherwise."""
        commands = buzz_commands(self.name, self.profile, self.decoder)
        if commands is None:
            return False
        client = self._client
        if client is None or self._closed:
            log.debug("%s: not connected, buzz dropped", self.name)
            return False
        try:
            for step in commands(duration_ms):
                await client.write_gatt_char(step.char_uuid or "", step.data, response=False)
        except TRANSIENT as e:
            log.warning("%s: buzz failed: %s: %s", self.name, type(e).__name__, e)
            return False
        return True

    async def blocks(self) -> AsyncIterator[Event]:
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def on_notify(_char: Any, data: bytearray) -> None:
            queue.put_nowait((self._clock(), bytes(data)))

        def on_disconnect(_client: Any) -> None:
            queue.put_nowait(_DISCONNECTED)

        lost_at: float | None = None
        attempts = 0
        while not self._closed:
            try:
                await self._connect(on_notify, on_disconnect)
            except TRANSIENT as e:
                attempts += 1
                self.counters["failed_attempts"] += 1
                log.warning("%s: connect attempt %d failed: %s: %s", self.name, attempts,
                            type(e).__name__, e)
                if self._max_attempts is not None and attempts >= self._max_attempts:
                    raise DeviceError(f"{self.name}: cannot connect after {attempts} "
                                      f"attempts ({type(e).__name__}: {e})") from None
                await asyncio.sleep(self._backoff.next())
                continue
            attempts = 0
            self._backoff.reset()
            t_s = self._stream_time()
            if lost_at is None:
                yield Status("connected", t_s, self.name,
                             counters=self.drift.counters(dict(self.counters)))
            else:
                outage = self._clock() - lost_at
                dropped = self.decoder.skip_seconds(outage)
                self.drift.new_segment()
                yield Status("reconnected", t_s, self.name, dropped, outage,
                             self.drift.counters(dict(self.counters)), self.drift.ppm)
            while not self._closed:
                item = await queue.get()
                if item is _DISCONNECTED:
                    lost_at = self._clock()
                    self.counters["disconnects"] += 1
                    yield Status("disconnected", self._stream_time(), self.name,
                                 counters=self.drift.counters(dict(self.counters)),
                                 drift_ppm=self.drift.ppm)
                    break
                at, data = item
                self.counters["notifications"] += 1
                self.counters["bytes"] += len(data)
                block = self.decoder.feed_packet(data)
                if len(block):
                    self.drift.add(float(block.t[-1]), at)
                    yield block

    async def _connect(self, on_notify: Callable[[Any, bytearray], None],
                       on_disconnect: Callable[[Any], None]) -> None:
        device = await self._finder(self.target, self.profile, self._scan_timeout_s)
        if device is None:
            raise TimeoutError(f"{self.target} not found")
        if self._factory is None:
            client = await establish(device, on_disconnect, self.name)
            self._client = client
        else:
            client = self._factory(device, on_disconnect)
            self._client = client
            try:
                await client.connect()
            except BaseException:
                self._client = None
                await _disconnect(client)
                raise
        self.counters["connects"] += 1
        log.info("%s: connected", self.name)
        try:
            for step in self.setup:
                if isinstance(step, Write):
                    await client.write_gatt_char(step.char_uuid or "", step.data,
                                                 response=True)
                    await asyncio.sleep(step.pause_s)
                elif isinstance(step, Patch):
                    cur = bytearray(await client.read_gatt_char(step.char_uuid))
                    cur[step.offset:step.offset + len(step.data)] = step.data
                    await client.write_gatt_char(step.char_uuid, bytes(cur), response=True)
            assert self.profile.notify_uuid is not None
            await client.start_notify(self.profile.notify_uuid, on_notify)
        except BaseException:  # a half-set-up link is closed before anything else
            self._client = None
            await _disconnect(client)
            raise

    def _stream_time(self) -> float:
        clock = getattr(self.decoder, "clock", None)
        return float(clock.next_slot / clock.rate_hz) if clock is not None else 0.0


async def _disconnect(client: BleClient) -> None:
    """Disconnect, counting it; a link already gone is no error here."""
    try:
        await client.disconnect()
    except TRANSIENT as e:
        log.info("disconnect: %s: %s", type(e).__name__, e)
