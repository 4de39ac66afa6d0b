"""Serial transport (pyserial): a reader thread feeds an asyncio queue.

The port is opened by path (ptys and ``/dev/serial/by-id`` links are not listed by
``comports()``).  When reads fail (unplug, pty closed) the thread closes the port and
retries with backoff until the path opens again, so a re-plugged sensor resumes; the
outage (host clock, s) becomes a time hole in the sample-count clock.  The event loop is
never blocked: the thread hands bytes over with ``call_soon_threadsafe``, stamped with
the host time of the read, from which the host-clock drift is measured (:mod:`.drift`).

:meth:`SerialSource.buzz` queues the profile's buzz command; the reader thread writes it
between reads (within its 50 ms read timeout).  A buzz asked for while the port is not
open is dropped, never delivered late after a reconnect.

Opening fails fast: a port that cannot be opened within ``open_timeout_s`` (5 s) of the
start, or settings the port refuses (a baud rate it cannot do), end the stream with a
:class:`DeviceError` (one line, never a thread traceback).  Once the port has been open,
every failed reconnect attempt is logged (warning) with its reason.  An unexpected error
in the reader thread is handed to the event loop and raised there.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import serial

from firmware_interface import devices
from firmware_interface.codecs import StreamDecoder, stream_decoder
from firmware_interface.devices import BAUD_RANGE, Write
from firmware_interface.errors import DeviceError
from firmware_interface.samples import DecodeStats
from firmware_interface.transports.base import Backoff, Event, Status, buzz_commands
from firmware_interface.transports.drift import DriftMeter

Opener = Callable[..., Any]
log = logging.getLogger(__name__)
#: Errors of opening a port that waiting will not fix (settings the port refuses).
_SETTINGS_ERRORS = (ValueError, OverflowError, TypeError)


class SerialSource:
    """Samples from a serial sensor at ``port`` (path), ``baud``, ``profile``."""

    def __init__(self, port: str, *, baud: int | None = None,
                 profile: devices.DeviceProfile | None = None, rate_hz: float | None = None,
                 backoff: Backoff | None = None, opener: Opener = serial.Serial,
                 clock: Callable[[], float] = time.monotonic,
                 open_timeout_s: float = 4.0) -> None:
        self.profile = profile or devices.PROFILES["witmotion-serial"]
        self.port = port
        self.baud = baud or self.profile.baud or 115200
        if not BAUD_RANGE[0] <= self.baud <= BAUD_RANGE[1]:
            raise DeviceError(f"bad baud rate {self.baud}: from {BAUD_RANGE[0]} to "
                              f"{BAUD_RANGE[1]}")
        self.open_timeout_s = open_timeout_s
        self.rate_hz = rate_hz or self.profile.default_rate_hz
        # Setup commands are sent only when a rate is asked for: serial sensors keep
        # their own setting otherwise (factory 10 Hz on WitMotion).
        self.setup = self.profile.setup(self.rate_hz) if rate_hz else []
        self.decoder: StreamDecoder = stream_decoder(self.profile.codec, self.rate_hz)
        self.stats: DecodeStats = self.decoder.stats
        self.name = f"serial:{port}@{self.baud}"
        self.counters = {"bytes": 0, "reads": 0, "opens": 0, "failures": 0}
        self._backoff = backoff or Backoff()
        self._opener = opener
        self._clock = clock
        self.drift = DriftMeter()
        """Host-clock drift of the sample-count clock (``drift.ppm``)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._open = threading.Event()
        self._writes: queue.SimpleQueue[bytes] = queue.SimpleQueue()

    async def buzz(self, duration_ms: int) -> bool:
        """Buzz the sensor for ``duration_ms`` (ms) when its profile can and the port is
        open; False (logged at debug level) otherwise."""
        commands = buzz_commands(self.name, self.profile, self.decoder)
        if commands is None:
            return False
        if not self._open.is_set():
            log.debug("%s: not connected, buzz dropped", self.name)
            return False
        for step in commands(duration_ms):
            self._writes.put(step.data)
        return True

    async def aclose(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 2.0)

    async def blocks(self) -> AsyncIterator[Event]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, float, bytes]] = asyncio.Queue()

        def post(kind: str, data: bytes = b"") -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (kind, self._clock(), data))

        self._thread = threading.Thread(target=self._run, args=(post,), daemon=True,
                                        name=f"serial-reader {self.port}")
        self._thread.start()
        lost_at: float | None = None
        ever = False
        try:
            while not self._stop.is_set():
                kind, at, data = await queue.get()
                t_s = self.decoder_time()
                if kind == "data":
                    block = self.decoder.feed(data)
                    if len(block):
                        self.drift.add(float(block.t[-1]), at)
                        yield block
                elif kind == "open":
                    if not ever:
                        ever = True
                        yield Status("connected", t_s, self.name,
                                     counters=self.drift.counters(dict(self.counters)))
                    else:
                        outage = at - (lost_at or at)
                        dropped = self.decoder.skip_seconds(outage)
                        self.drift.new_segment()
                        yield Status("reconnected", t_s, self.name, dropped, outage,
                                     self.drift.counters(dict(self.counters)), self.drift.ppm)
                elif kind == "fatal":
                    raise DeviceError(f"{self.name}: {data.decode(errors='replace')}")
                elif kind == "lost":
                    lost_at = at
                    yield Status("disconnected", t_s, data.decode(errors="replace"),
                                 counters=self.drift.counters(dict(self.counters)),
                                 drift_ppm=self.drift.ppm)
        finally:
            self._stop.set()

    def decoder_time(self) -> float:
        clock = getattr(self.decoder, "clock", None)
        return float(clock.next_slot / clock.rate_hz) if clock is not None else 0.0

    # ------------------------------------------------------------------ thread
    def _run(self, post: Callable[[str, bytes], None]) -> None:
        try:
            self._loop(post)
        except Exception as e:  # forwarded to the event loop, raised there (not swallowed)
            log.exception("serial reader %s failed", self.port)
            post("fatal", f"reader failed: {type(e).__name__}: {e}".encode())

    def _loop(self, post: Callable[[str, bytes], None]) -> None:
        started = self._clock()
        attempts = 0
        while not self._stop.is_set():
            try:
                port = self._opener(self.port, self.baud, timeout=0.05)
            except _SETTINGS_ERRORS as e:
                post("fatal", f"cannot open at {self.baud} baud: {e}".encode())
                return
            except (serial.SerialException, OSError) as e:
                self.counters["failures"] += 1
                attempts += 1
                reason = _reason(e)
                delay = self._backoff.next()
                if not self.counters["opens"]:  # never open yet: give up after the timeout
                    left = self.open_timeout_s - (self._clock() - started)
                    if left <= 0:
                        post("fatal", f"cannot open: {reason}".encode())
                        return
                    delay = min(delay, left)
                    log.info("serial %s: open attempt %d failed: %s", self.port, attempts,
                             reason)
                else:
                    log.warning("serial %s: reconnect attempt %d failed: %s", self.port,
                                attempts, reason)
                self._stop.wait(delay)
                continue
            if attempts and self.counters["opens"]:
                log.warning("serial %s: reconnected after %d attempt(s)", self.port, attempts)
            attempts = 0
            self._backoff.reset()
            self.counters["opens"] += 1
            while not self._writes.empty():  # asked for while unplugged: stale now
                self._writes.get_nowait()
            self._open.set()
            post("open", b"")
            try:
                for step in self.setup:
                    if isinstance(step, Write):
                        port.write(step.data)
                        time.sleep(step.pause_s)
                while not self._stop.is_set():
                    while not self._writes.empty():
                        port.write(self._writes.get_nowait())
                    data = port.read(max(1, port.in_waiting))
                    if data:
                        self.counters["bytes"] += len(data)
                        self.counters["reads"] += 1
                        post("data", bytes(data))
            except (serial.SerialException, OSError) as e:
                log.warning("serial %s: connection lost: %s", self.port, _reason(e))
                post("lost", str(e).encode())
            finally:
                self._open.clear()
                try:
                    port.close()
                except (serial.SerialException, OSError):
                    pass


def _reason(e: BaseException) -> str:
    """An OS error's own words (``No such file or directory``), else its message."""
    inner = e.__context__ if isinstance(e, serial.SerialException) else e
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__
