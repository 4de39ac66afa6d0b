"""phyphox remote access: HTTP polling of the app's ``/get`` (httpx ``AsyncClient``).

The phone runs phyphox with "Allow remote access" (port 8080 on Android, 80 on iOS).  We
send ``/control?cmd=start`` once connected, then poll ``/get`` with incremental time
(:class:`~firmware_interface.codecs.phyphox.PhyphoxRemoteDecoder` builds the queries), so
every reply carries only samples newer than the last one we have: no duplicates.

The phone keeps its buffers while the link is down, so after an outage the first poll
re-reads them whole and only the missing samples are kept: a Wi-Fi hiccup costs nothing.
If the app's experiment time restarted meanwhile (new session, data cleared), stream time
continues after the outage instead (``restarts`` counter, the outage is the hole).

Failures (connection refused, timeout, an HTTP error status, a reply that is not the
documented JSON) are retried with backoff; ``first_attempts`` failures before the first
reply, or ``max_failures`` in a row later, end the stream with one :class:`DeviceError`.
Keep-alive is disabled: some phyphox versions are reported to misbehave with persistent
connections (*unconfirmed*, from third-party clients).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from firmware_interface.codecs.phyphox import PhyphoxRemoteDecoder
from firmware_interface.errors import DecodeError, DeviceError
from firmware_interface.samples import DecodeStats
from firmware_interface.transports.base import Backoff, Event, Status

log = logging.getLogger(__name__)


class _PollFailure(Exception):
    """One failed request, with the one-line reason."""


class PhyphoxSource:
    """Samples (t s, acc g, no gyro) polled from phyphox at ``host``:``port``.

    ``poll_interval_s``: pause between polls (s); ``timeout_s``: per request (s);
    ``start``: send ``/control?cmd=start`` on (re)connect; ``clock``: host clock (s).
    """

    def __init__(self, host: str, port: int = 8080, *, poll_interval_s: float = 0.1,
                 timeout_s: float = 2.0, start: bool = True, backoff: Backoff | None = None,
                 first_attempts: int = 5, max_failures: int | None = None,
                 decoder: PhyphoxRemoteDecoder | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self.name = f"phone:phyphox@{host}:{port}"
        self.decoder = decoder or PhyphoxRemoteDecoder()
        self.stats: DecodeStats = self.decoder.stats
        self.counters = {"requests": 0, "replies": 0, "bytes": 0, "failures": 0,
                         "restarts": 0}
        self.poll_interval_s = poll_interval_s
        self.timeout_s = timeout_s
        self.start = start
        self.first_attempts = first_attempts
        self.max_failures = max_failures
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._closed = False

    async def aclose(self) -> None:
        self._closed = True

    async def blocks(self) -> AsyncIterator[Event]:
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout_s,
                                     limits=limits) as client:
            async for ev in self._poll(client):
                yield ev

    async def _poll(self, client: httpx.AsyncClient) -> AsyncIterator[Event]:
        dec = self.decoder
        connected = ever = False
        lost_at: float | None = None
        last_data_at = self._clock()
        failures = 0
        while not self._closed:
            try:
                if not connected and self.start:
                    await self._request(client, "/control?cmd=start")
                reply = await self._request(client, dec.query())
                restarts = dec.restarts
                now = self._clock()
                try:
                    block = dec.feed(reply, gap_s=now - last_data_at)
                except DecodeError as e:
                    raise _PollFailure(e.message + " (is the experiment 'Acceleration "
                                       "with g' open?)") from None
            except _PollFailure as e:
                failures += 1
                self.counters["failures"] += 1
                log.warning("%s: poll attempt %d failed: %s", self.name, failures, e)
                if connected:
                    connected = False
                    lost_at = self._clock()
                    dec.resync()
                    yield Status("disconnected", self._stream_time(), str(e),
                                 counters=dict(self.counters))
                limit = self.max_failures if ever else self.first_attempts
                if limit is not None and failures >= limit:
                    raise DeviceError(f"{self.name}: {e} (gave up after {failures} "
                                      "attempts)") from None
                await asyncio.sleep(self._backoff.next())
                continue
            failures = 0
            self._backoff.reset()
            restarted = dec.restarts > restarts
            self.counters["restarts"] = dec.restarts
            if not connected:
                connected = True
                if not ever:
                    ever = True
                    yield Status("connected", self._stream_time(), self.name,
                                 counters=dict(self.counters))
                else:
                    outage = now - (lost_at if lost_at is not None else now)
                    detail = "phyphox restarted: new time base" if restarted else self.name
                    dropped = round(outage * self._rate()) if restarted else 0
                    yield Status("reconnected", self._stream_time(), detail, dropped,
                                 outage, dict(self.counters))
            elif restarted:
                yield Status("reconnected", self._stream_time(),
                             "phyphox restarted: new time base", 0, 0.0,
                             dict(self.counters))
            if len(block):
                last_data_at = now
                yield block
            await asyncio.sleep(self.poll_interval_s)

    async def _request(self, client: httpx.AsyncClient, path: str) -> dict[str, Any]:
        """GET ``path`` and parse the JSON object it returns."""
        self.counters["requests"] += 1
        try:
            r = await client.get(path)
        except httpx.TimeoutException:
            raise _PollFailure(f"no reply from {self.base_url} within "
                               f"{self.timeout_s:g} s") from None
        except httpx.ConnectError as e:
            raise _PollFailure(f"cannot connect to {self.base_url} ({_reason(e)}); is "
                               "phyphox's remote access on?") from None
        except httpx.HTTPError as e:
            raise _PollFailure(f"{type(e).__name__} from {self.base_url}: "
                               f"{_reason(e)}") from None
        self.counters["bytes"] += len(r.content)
        if r.status_code != 200:
            raise _PollFailure(f"HTTP {r.status_code} from {path.split('?')[0]}")
        try:
            body = json.loads(r.content)
        except ValueError as e:
            raise _PollFailure(f"bad JSON from {path.split('?')[0]}: {e}") from None
        if not isinstance(body, dict):
            raise _PollFailure(f"bad JSON from {path.split('?')[0]}: not an object")
        self.counters["replies"] += 1
        return body

    def _stream_time(self) -> float:
        d = self.decoder
        if d.last_time is None or d.t0 is None:
            return d.offset_s
        return d.last_time - d.t0 + d.offset_s

    def _rate(self) -> float:
        """Samples per s so far (for the cost of an outage); 0 before any data."""
        t = self._stream_time()
        return self.stats.samples_ok / t if t > 0 else 0.0


def _reason(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[-1] if text else type(e).__name__
