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
import math
import time
from collections.abc import Awaitable, Callable

from firmware_interface import devices
from firmware_interface.samples import SampleBlock
from firmware_interface.sources import open_source
from firmware_interface.transports.base import Source
from firmware_interface.transports.replay import ReplaySource
from sensorcoach.recording import Recording, is_recording_file


def RecordingReplay(recording: Recording, speed: float = 1.0, *,
                    block_s: float = 0.02, clock: Callable[[], float] = time.monotonic,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> ReplaySource:
    """Replays ``recording`` at ``speed`` x real time in blocks of ``block_s`` (s), through
    the ingestion layer's replay transport (the recording is already read, header and
    all, so its own time origin and spans are kept)."""
    samples = SampleBlock(recording.t, recording.acc, recording.gyro)
    return ReplaySource(recording.source or "recording", speed,
                        rate_hz=recording.sample_rate_hz, block_s=block_s, clock=clock,
                        sleep=sleep, samples=samples)


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
