"""Shared decoder for headerless fixed-size BLE notifications (micro:bit, Thingy:52).

These payloads have no header and no checksum, so nothing can be resynchronised inside
a byte stream: live, each notification is checked by length (:meth:`feed_packet`); a
raw capture file is the notifications concatenated and is cut into fixed-size records
(:meth:`feed`).  Samples are timed by count at the device rate.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from firmware_interface.codecs._timing import SlotClock
from firmware_interface.samples import DecodeStats, FloatArray, SampleBlock


class FixedRecordDecoder:
    """Base: subclasses set ``record_len`` and implement :meth:`_convert`."""

    record_len = 6
    has_gyro = False

    def __init__(self, rate_hz: float) -> None:
        self.clock = SlotClock(rate_hz)
        self.stats = DecodeStats()
        self._buf = b""

    def feed(self, data: bytes) -> SampleBlock:
        """Bytes of a concatenated capture, any chunking."""
        self._buf += bytes(data)
        n = len(self._buf) // self.record_len
        body, self._buf = self._buf[: n * self.record_len], self._buf[n * self.record_len :]
        return self._emit(body)

    def feed_packet(self, data: bytes) -> SampleBlock:
        """One BLE notification; a payload of the wrong length is counted and dropped
        (its slot is still consumed: the device did send a sample)."""
        if len(data) != self.record_len:
            self.stats.records_bad += 1
            self.stats.samples_dropped += 1
            self.stats.bytes_skipped += len(data)
            self.clock.next_slot += 1
            return SampleBlock.empty(self.has_gyro)
        return self._emit(bytes(data))

    def finish(self) -> SampleBlock:
        """End of stream: a partial trailing record is counted as skipped bytes."""
        if self._buf:
            self.stats.bytes_skipped += len(self._buf)
            self.stats.records_bad += 1
            self._buf = b""
        return SampleBlock.empty(self.has_gyro)

    def skip_seconds(self, seconds: float) -> int:
        return self.clock.skip_seconds(seconds)

    def _emit(self, body: bytes) -> SampleBlock:
        raw = np.frombuffer(body, dtype="<i2").reshape(-1, self.record_len // 2)
        self.stats.frames_ok += raw.shape[0]
        self.stats.samples_ok += raw.shape[0]
        t = self.clock.take(raw.shape[0])
        acc, gyro = self._convert(raw.astype(np.float64))
        return SampleBlock(t, acc, gyro)

    def _convert(self, raw: NDArray[np.float64]) -> tuple[FloatArray, FloatArray | None]:
        raise NotImplementedError
