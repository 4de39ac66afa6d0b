"""Samples -> 0.1 s frames: the core's working rate.

Posture, activity and episodes change over seconds, so the core averages samples into
fixed frames of recording time (bins ``[k*frame_s, (k+1)*frame_s)``) and runs its filters
and state machines on those: a day at 100 Hz becomes 288,000 frames instead of 2.88 M
samples. Frames are aligned to absolute time, so a stream cut into arbitrary blocks yields
exactly the frames of the whole recording (the samples of a bin that may still grow are
held back until the next block).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Frames:
    """Averaged samples. Arrays are axis-major: ``acc`` is (3, m)."""

    index: IntArray
    """(m,) frame number k: the frame covers ``[k*frame_s, (k+1)*frame_s)`` seconds."""
    t: FloatArray
    """(m,) centre of the frame's bin, s."""
    acc: FloatArray
    """(3, m) mean specific force, g."""
    acc_sq: FloatArray
    """(m,) mean of |a|^2 over the frame's samples, g^2 (within-frame variance)."""
    gyro: FloatArray | None
    """(3, m) mean angular rate, deg/s."""
    count: IntArray
    """(m,) samples in the frame."""

    @property
    def size(self) -> int:
        return int(self.index.size)

    @staticmethod
    def concat(parts: list[Frames]) -> Frames:
        has_gyro = bool(parts) and parts[0].gyro is not None
        return Frames(
            index=np.concatenate([p.index for p in parts]) if parts else np.zeros(0, np.int64),
            t=np.concatenate([p.t for p in parts]) if parts else np.zeros(0),
            acc=np.concatenate([p.acc for p in parts], axis=1) if parts else np.zeros((3, 0)),
            acc_sq=np.concatenate([p.acc_sq for p in parts]) if parts else np.zeros(0),
            gyro=np.concatenate([p.gyro for p in parts if p.gyro is not None], axis=1)
            if has_gyro else None,
            count=np.concatenate([p.count for p in parts]) if parts else np.zeros(0, np.int64),
        )


def gaps_before(t: FloatArray, last_t: float | None, limit_s: float) -> NDArray[np.bool_]:
    """Per frame of a block, whether more than ``limit_s`` passed since the frame before
    it (for the first frame: since ``last_t``, the previous block's last frame; False
    when there was none). Every stage that breaks at data gaps uses this."""
    out = np.zeros(t.size, bool)
    if t.size:
        out[1:] = np.diff(t) > limit_s
        if last_t is not None:
            out[0] = t[0] - last_t > limit_s
    return out


def frame_ids(t: FloatArray, frame_s: float) -> IntArray:
    """Frame number of each sample time."""
    return np.floor(t / frame_s + 1e-9).astype(np.int64)


def make_frames(t: FloatArray, acc: FloatArray, gyro: FloatArray | None,
                frame_s: float) -> Frames:
    """Average complete samples into frames (every frame in the input is treated as final).

    ``t`` (n,), ``acc`` and ``gyro`` (3, n) axis-major.
    """
    if t.size == 0:
        empty = np.zeros(0, np.int64)
        return Frames(empty, np.zeros(0), np.zeros((3, 0)), np.zeros(0),
                      None if gyro is None else np.zeros((3, 0)), empty)
    k = frame_ids(t, frame_s)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(k)) + 1])
    count = np.diff(np.append(starts, t.size)).astype(np.int64)
    inv = 1.0 / count
    acc_mean = np.add.reduceat(acc, starts, axis=1) * inv
    sq = acc[0] * acc[0] + acc[1] * acc[1] + acc[2] * acc[2]
    return Frames(
        index=k[starts],
        t=(k[starts] + 0.5) * frame_s,
        acc=acc_mean,
        acc_sq=np.add.reduceat(sq, starts) * inv,
        gyro=None if gyro is None else np.add.reduceat(gyro, starts, axis=1) * inv,
        count=count,
    )


class Framer:
    """Stateful framing for streams: ``push`` blocks, get the frames that are complete."""

    def __init__(self, frame_s: float, has_gyro: bool):
        self.frame_s = frame_s
        self.has_gyro = has_gyro
        self._t = np.zeros(0)
        self._acc = np.zeros((3, 0))
        self._gyro: FloatArray | None = np.zeros((3, 0)) if has_gyro else None

    def push(self, t: FloatArray, acc: FloatArray, gyro: FloatArray | None) -> Frames:
        """Add samples; return frames whose bin is closed (a later sample exists)."""
        t_all = np.concatenate([self._t, t])
        acc_all = np.concatenate([self._acc, acc], axis=1)
        gyro_all = None
        if self._gyro is not None:
            if gyro is None:
                raise ValueError("gyro expected in every block of a gyro stream")
            gyro_all = np.concatenate([self._gyro, gyro], axis=1)
        if t_all.size == 0:
            return make_frames(t_all, acc_all, gyro_all, self.frame_s)
        k_last = frame_ids(t_all[-1:], self.frame_s)[0]
        # samples of the last (possibly growing) bin stay pending; ids are non-decreasing
        cut = int(np.searchsorted(frame_ids(t_all, self.frame_s), k_last, side="left"))
        self._t = t_all[cut:]
        self._acc = acc_all[:, cut:]
        self._gyro = None if gyro_all is None else gyro_all[:, cut:]
        return make_frames(t_all[:cut], acc_all[:, :cut],
                           None if gyro_all is None else gyro_all[:, :cut], self.frame_s)

    def flush(self) -> Frames:
        """Close the pending bin (end of stream)."""
        frames = make_frames(self._t, self._acc, self._gyro, self.frame_s)
        self._t = np.zeros(0)
        self._acc = np.zeros((3, 0))
        self._gyro = None if self._gyro is None else np.zeros((3, 0))
        return frames
