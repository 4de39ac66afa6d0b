"""The data types every codec and transport returns: sample blocks, counters, streams.

Units at this boundary: time in seconds, acceleration as specific force in g (a sensor at
rest reads about +1 g pointing up), angular rate in deg/s, all in the sensor frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Standard gravity, m/s^2 per g.
G0 = 9.80665
RAD2DEG = 180.0 / np.pi


@dataclass(frozen=True, eq=False)
class SampleBlock:
    """A run of samples: ``t`` (N,) s, ``acc`` (N, 3) g, ``gyro`` (N, 3) deg/s or None."""

    t: FloatArray
    acc: FloatArray
    gyro: FloatArray | None

    def __len__(self) -> int:
        return int(self.t.size)

    @staticmethod
    def empty(gyro: bool) -> SampleBlock:
        return SampleBlock(np.empty(0), np.empty((0, 3)), np.empty((0, 3)) if gyro else None)

    @staticmethod
    def concat(blocks: list[SampleBlock], gyro: bool) -> SampleBlock:
        """Join blocks; ``gyro`` says whether the result carries gyro columns."""
        blocks = [b for b in blocks if len(b)]
        if not blocks:
            return SampleBlock.empty(gyro)
        t = np.concatenate([b.t for b in blocks])
        acc = np.concatenate([b.acc for b in blocks])
        g = None
        if gyro:
            g = np.concatenate([b.gyro if b.gyro is not None else np.full((len(b), 3), np.nan)
                                for b in blocks])
        return SampleBlock(t, acc, g)


@dataclass
class DecodeStats:
    """What a decoder accepted and what it dropped (counts, never silently)."""

    frames_ok: int = 0
    """Intact frames / packets / records (checksum valid where the format has one)."""
    frames_bad_checksum: int = 0
    frames_unconfirmed: int = 0
    """Checksum-less packets rejected because no neighbouring packet confirmed the framing."""
    frames_other: int = 0
    """Intact frames of types this decoder does not turn into samples (angles, mag, ...)."""
    bytes_skipped: int = 0
    """Bytes that belonged to no intact frame (noise, corrupt or truncated frames)."""
    records_bad: int = 0
    """Notifications of the wrong length, unparsable rows or messages."""
    samples_ok: int = 0
    samples_dropped: int = 0
    """Samples lost because one of their frames was missing or corrupt (a time hole)."""
    duplicates: int = 0
    """Messages or samples received twice (e.g. a retried HTTP push) and ignored."""
    reordered: int = 0
    """Messages that arrived out of order and were put back in order."""
    late_dropped: int = 0
    """Samples that arrived after later ones were already delivered (live only)."""
    rows_padding: int = 0
    """NaN padding rows of a CSV export (not a loss)."""
    bytes_untimed: int = 0
    """Bytes between samples beyond the longest hole they may stand for (noise is not
    time: see ``witmotion.MAX_BYTE_HOLE_S``)."""

    def merge(self, other: DecodeStats) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}

    def summary(self) -> str:
        """``samples_ok=.. frames_ok=..`` plus every other non-zero counter."""
        d = self.as_dict()
        keep = {k: v for k, v in d.items() if v or k in ("samples_ok", "frames_ok")}
        return " ".join(f"{k}={v}" for k, v in keep.items())


@dataclass(eq=False)
class DecodedStream:
    """A whole decoded file: arrays ready for ``sensorcoach.Recording.from_arrays``."""

    t: FloatArray
    acc: FloatArray
    gyro: FloatArray | None
    sample_rate_hz: float
    """Nominal output rate (Hz): the device rate for untimed streams, else the median."""
    format: str
    stats: DecodeStats = field(default_factory=DecodeStats)
    meta: dict[str, str] = field(default_factory=dict)
    """Header keys for the recording (device, started_at, rate_source, ...)."""
    registers: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    """Register read replies seen in the stream (WitMotion), as (register, raw values)."""

    @property
    def n_samples(self) -> int:
        return int(self.t.size)
