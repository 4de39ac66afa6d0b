"""Replay of a sensorcoach recording (``.csv`` or ``.csv.gz``) as a live source.

The same async interface as :mod:`firmware_interface.transports` (``blocks()`` yielding
:class:`SampleBlock` and :class:`Status`, ``aclose()``), read through
:meth:`Recording.read`, so gzip files and the header (calibration spans, placement) come
with it and the recording keeps its own time origin.  Other formats (raw captures, phone
exports) replay through ``firmware_interface``'s own replay transport.

Blocks cover ``block_s`` of stream time and are released when the host clock reaches
their last sample's time divided by ``speed`` (``0`` or ``inf``: as fast as possible).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import numpy as np

from firmware_interface import devices
from firmware_interface.samples import DecodeStats, SampleBlock
from firmware_interface.sources import open_source
from firmware_interface.transports.base import Event, Source, Status
from sensorcoach.recording import Recording


def is_recording_file(path: str | Path) -> bool:
    """Whether ``path`` looks like a sensorcoach recording (first line of the header)."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            head = f.read(2)
            f.seek(0)
            if head == b"\x1f\x8b":
                import gzip

                with gzip.open(p, "rb") as g:
                    first = g.read(64)
            else:
                first = f.read(64)
    except OSError:
        return False
    return first.lstrip(b"\xef\xbb\xbf").startswith(b"# sensorcoach-recording")


class RecordingReplay:
    """Replays ``recording`` at ``speed`` x real time in blocks of ``block_s`` (s)."""

    def __init__(self, recording: Recording, speed: float = 1.0, *, block_s: float = 0.02,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if not speed >= 0:
            raise ValueError(f"speed must be >= 0, got {speed!r}")
        if not block_s > 0:
            raise ValueError(f"block_s must be positive, got {block_s!r}")
        self.recording = recording
        self.speed = speed
        self.block_s = block_s
        self.rate_hz = recording.sample_rate_hz
        self.name = f"replay:{recording.source or 'recording'}@{speed:g}"
        self.stats = DecodeStats(samples_ok=recording.n_samples)
        self.counters = {"samples": 0, "blocks": 0, "behind_ms": 0}
        self._clock = clock
        self._sleep = sleep
        self._closed = False

    async def aclose(self) -> None:
        self._closed = True

    async def blocks(self) -> AsyncIterator[Event]:
        rec = self.recording
        yield Status("connected", float(rec.t[0]), self.name, counters=dict(self.counters))
        fast = self.speed == 0 or math.isinf(self.speed)
        t = rec.t
        w = np.floor((t - t[0]) / self.block_s + 1e-6).astype(np.int64)
        bounds = [0, *(np.flatnonzero(np.diff(w)) + 1).tolist(), t.size]
        h0 = self._clock()
        acc = rec.acc_axes.T
        gyro = None if rec.gyro_axes is None else rec.gyro_axes.T
        for a, b in itertools.pairwise(bounds):
            if self._closed:
                return
            if fast:
                await self._sleep(0)
            else:
                delay = h0 + (float(t[b - 1]) - float(t[0])) / self.speed - self._clock()
                if delay > 0:
                    await self._sleep(delay)
                else:
                    self.counters["behind_ms"] = max(self.counters["behind_ms"],
                                                     round(-delay * 1000))
                    await self._sleep(0)
            if self._closed:
                return
            self.counters["samples"] += b - a
            self.counters["blocks"] += 1
            yield SampleBlock(t[a:b], acc[a:b], None if gyro is None else gyro[a:b])
        yield Status("ended", float(t[-1]), self.stats.summary(), counters=dict(self.counters))


def open_live_source(spec: str, *, rate_hz: float | None = None,
                     **options: object) -> tuple[Source, Recording | None]:
    """The source for a SOURCE string, and the recording when it replays one.

    A ``replay:`` of a sensorcoach recording is read here (gzip, header spans and
    placement); everything else goes to :func:`firmware_interface.sources.open_source`.
    Fast replays use larger blocks (``@0``: 5 s; ``@N``: N x 20 ms up to 1 s), so a replay
    does not spend its time on per-block overhead; the core gives the same events for
    any block sizes.
    """
    parsed = devices.parse_source(spec)
    if isinstance(parsed, devices.ReplaySource) and is_recording_file(parsed.path):
        rec = Recording.read(parsed.path)
        speed = parsed.speed
        block_s = 5.0 if speed == 0 or math.isinf(speed) else min(1.0, max(0.02, 0.02 * speed))
        return RecordingReplay(rec, speed, block_s=block_s), rec
    return open_source(spec, rate_hz=rate_hz, **options), None
