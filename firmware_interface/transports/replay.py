"""Replay: a recording or a raw capture played back at N x real time.

Same async interface as the live transports (``blocks()`` / ``aclose()``), for tests and
the demo.  A raw capture of a timestamp-less stream (WitMotion, micro:bit, Thingy:52) goes
through its stream decoder chunk by chunk, exactly as live bytes would; anything else
(a sensorcoach recording, a generic CSV, a phone export) is decoded whole by
:func:`firmware_interface.formats.decode_file`, keeping a CSV's own time origin so that a
recording's header spans still refer to the replayed times.

Samples come out in blocks of ``block_s`` (s) of stream time, with their stream
timestamps unchanged; a block is released when the host clock reaches its last sample's
time divided by ``speed`` (``0`` or ``inf``: as fast as possible, yielding to the event
loop between blocks).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import numpy as np

from firmware_interface import bounded, devices, formats
from firmware_interface.codecs import STREAM_FORMATS, stream_decoder
from firmware_interface.errors import DecodeError
from firmware_interface.samples import DecodeStats, SampleBlock
from firmware_interface.transports.base import Event, Status

log = logging.getLogger(__name__)

#: Bytes fed to a stream decoder at a time (a USB read is of this order).
CHUNK_BYTES = 4096


class ReplaySource:
    """Replays ``path`` (format ``fmt``, sniffed by default) at ``speed`` x real time.

    ``rate_hz``: output rate of a timestamp-less raw capture (default: the profile's);
    ``samples``: replay these already-decoded samples instead of reading ``path`` (which
    then only names the source; ``rate_hz`` is required);
    ``block_s``: stream seconds per block; ``clock``/``sleep``: host clock (s) and async
    sleep, injectable for tests.  File problems raise :class:`DecodeError` here, before
    anything is replayed.
    """

    def __init__(self, path: str | Path, speed: float = 1.0, *, fmt: str = "auto",
                 rate_hz: float | None = None, block_s: float = 0.02,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 samples: SampleBlock | None = None) -> None:
        if not speed >= 0:
            raise ValueError(f"speed must be >= 0, got {speed!r}")
        if not block_s > 0:
            raise ValueError(f"block_s must be positive, got {block_s!r}")
        self.path = Path(path)
        self.speed = speed
        self.block_s = block_s
        self.name = f"replay:{self.path}@{speed:g}"
        log.debug("replaying %s at %g x", self.path, speed)
        self.counters = {"samples": 0, "blocks": 0, "behind_ms": 0}
        """``behind_ms``: the most a block was released after its due time (ms)."""
        self._clock = clock
        self._sleep = sleep
        self._closed = False
        self.meta: dict[str, str] = {}
        """Header keys of a recording (calibration spans, device, ...)."""
        self._decoded: SampleBlock | None = None
        self.stats: DecodeStats
        if samples is not None:
            # already decoded (e.g. a recording read with its header by the caller)
            if not rate_hz:
                raise ValueError("rate_hz is required with samples")
            self.format = "samples"
            self.rate_hz = float(rate_hz)
            self._raw = b""
            self._decoded = samples
            self.stats = DecodeStats(samples_ok=len(samples))
            return
        if not self.path.exists():
            raise DecodeError("no such file", path=self.path)
        self.format = formats.sniff(self.path) if fmt == "auto" else fmt
        if self.format in STREAM_FORMATS:
            prof = devices.PROFILES[devices.FORMAT_PROFILES[self.format]]
            self.rate_hz = float(rate_hz) if rate_hz else prof.default_rate_hz
            self._raw = bounded.read_input(self.path)
            self._decoder = stream_decoder(self.format, self.rate_hz)
            self.stats = self._decoder.stats
            self.meta = {"device": prof.name, "source_format": self.format}
        else:
            out = formats.decode_file(self.path, self.format, rate_hz, keep_time=True)
            self.rate_hz = out.sample_rate_hz
            self._raw = b""
            self._decoded = SampleBlock(out.t, out.acc, out.gyro)
            self.stats = out.stats
            self.meta = dict(out.meta)

    async def aclose(self) -> None:
        self._closed = True

    async def blocks(self) -> AsyncIterator[Event]:
        yield Status("connected", 0.0, self.name, counters=dict(self.counters))
        fast = self.speed == 0 or math.isinf(self.speed)
        h0: float | None = None
        first_t = 0.0
        last_t = 0.0
        for block in self._windows():
            if self._closed:
                return
            if h0 is None:
                h0, first_t = self._clock(), float(block.t[0])
            last_t = float(block.t[-1])
            if fast:
                await self._sleep(0)
            else:
                delay = h0 + (last_t - first_t) / self.speed - self._clock()
                if delay > 0:
                    await self._sleep(delay)
                else:
                    behind = round(-delay * 1000)
                    self.counters["behind_ms"] = max(self.counters["behind_ms"], behind)
                    await self._sleep(0)
            if self._closed:
                return
            self.counters["samples"] += len(block)
            self.counters["blocks"] += 1
            yield block
        yield Status("ended", last_t, self.stats.summary(), counters=dict(self.counters))

    # ------------------------------------------------------------------ cutting
    def _parts(self) -> Iterator[SampleBlock]:
        """Decoded samples in file order: whole, or as a stream decoder emits them."""
        if self._decoded is not None:
            yield self._decoded
            return
        dec = self._decoder
        for i in range(0, len(self._raw), CHUNK_BYTES):
            yield dec.feed(self._raw[i:i + CHUNK_BYTES])
        yield dec.finish()

    def _windows(self) -> Iterator[SampleBlock]:
        """Blocks of ``block_s`` of stream time; a window is held back until a later
        sample shows it is complete."""
        pending: list[SampleBlock] = []
        t0: float | None = None
        for part in self._parts():
            if not len(part):
                continue
            pending.append(part)
            if t0 is None:
                t0 = float(part.t[0])
            block = _concat(pending)
            # The epsilon keeps samples that sit exactly on a boundary (in decimal) in
            # the window they start, despite binary rounding.
            w = np.floor((block.t - t0) / self.block_s + 1e-6).astype(np.int64)
            bounds = [0, *(np.flatnonzero(np.diff(w)) + 1).tolist(), len(block)]
            for a, b in itertools.pairwise(bounds[:-1]):
                yield _slice(block, a, b)
            pending = [_slice(block, bounds[-2], bounds[-1])]
        if pending and len(pending[0]):
            yield pending[0]


def _concat(blocks: list[SampleBlock]) -> SampleBlock:
    if len(blocks) == 1:
        return blocks[0]
    return SampleBlock.concat(blocks, gyro=any(b.gyro is not None for b in blocks))


def _slice(b: SampleBlock, start: int, stop: int) -> SampleBlock:
    return SampleBlock(b.t[start:stop], b.acc[start:stop],
                       None if b.gyro is None else b.gyro[start:stop])
