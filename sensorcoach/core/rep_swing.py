"""Turning points of a slowly varying angle: a streaming zig-zag with hysteresis.

A repetition is a swing of one angle away from a resting level and back (a hip hinge in
flexion, a bridge or a cat-cow in the long axis' incline). :class:`Swing` follows the
angle frame by frame and reports its turning points: a high once the angle has fallen
``hysteresis_deg`` below the highest value since the last low, a low once it has risen
``hysteresis_deg`` above the lowest value since the last high, or once that lowest value
has stood for ``settle_s`` (the trunk back at rest: the set's last repetition ends
without waiting for another movement).

Frames are scanned in chunks with running maxima and minima (numpy), so long stretches
without a swing (a desk day) cost a few vector operations per chunk. The turning points
depend only on the frame sequence, never on how it was cut into blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: frames scanned per vector step after a turning point, doubling up to MAX_CHUNK while
#: none comes (results do not depend on it)
CHUNK = 64
MAX_CHUNK = 8192


@dataclass(frozen=True)
class Turn:
    """A turning point: ``high`` or ``low`` at absolute frame ``index``."""

    high: bool
    index: int
    t: float
    value: float
    at: int
    """Absolute frame at which the turning point became known."""


class Swing:
    """Streaming turning points of one angle (deg)."""

    def __init__(self, hysteresis_deg: float, settle_s: float):
        self.h = hysteresis_deg
        self.settle_s = settle_s
        self.rising = False  # seeking a high (True) or a low (False)
        self.ext: float | None = None
        self.ext_index = -1
        self.ext_t = 0.0
        self.settled = False  # the current low was already reported by settling

    def push(self, x: FloatArray, t: FloatArray, first_index: int) -> list[Turn]:
        out: list[Turn] = []
        n = int(x.size)
        i = 0
        if n and self.ext is None:
            self.ext, self.ext_index, self.ext_t = float(x[0]), first_index, float(t[0])
        chunk = CHUNK
        while i < n:
            w = min(n, i + chunk)
            chunk = min(2 * chunk, MAX_CHUNK)  # quiet stretches: longer steps
            seg, ts = x[i:w], t[i:w]
            assert self.ext is not None
            if self.rising:
                run = np.maximum.accumulate(np.maximum(seg, self.ext))
                new = seg > np.concatenate(([self.ext], run[:-1]))
            else:
                run = np.minimum.accumulate(np.minimum(seg, self.ext))
                new = seg < np.concatenate(([self.ext], run[:-1]))
            pos = np.maximum.accumulate(np.where(new, np.arange(seg.size), -1))
            if self.rising:
                hit = seg < run - self.h
            else:
                t_ext = np.where(pos >= 0, ts[np.maximum(pos, 0)], self.ext_t)
                hit = seg > run + self.h
                # a low already reported by settling settles again only once it moved
                hit |= (ts - t_ext > self.settle_s) & ((pos >= 0) | (not self.settled))
            k = int(np.argmax(hit)) if hit.any() else -1
            last = seg.size - 1 if k < 0 else k - 1
            if last >= 0 and pos[last] >= 0:  # the extreme moved within this chunk
                p = int(pos[last])
                self.ext, self.ext_index, self.ext_t = float(seg[p]), first_index + i + p, \
                    float(ts[p])
                self.settled = False
            if k < 0:
                i = w
                continue
            xi, ti, at = float(seg[k]), float(ts[k]), first_index + i + k
            chunk = CHUNK
            if self.rising:
                out.append(Turn(True, self.ext_index, self.ext_t, self.ext, at))
                self.rising = False
                self.settled = False
            elif xi > self.ext + self.h:
                if not self.settled:
                    out.append(Turn(False, self.ext_index, self.ext_t, self.ext, at))
                self.rising = True
                self.settled = False
            else:  # the low stood still for settle_s: report it, keep following it
                out.append(Turn(False, self.ext_index, self.ext_t, self.ext, at))
                self.settled = True
                i += k + 1
                continue
            self.ext, self.ext_index, self.ext_t = xi, first_index + i + k, ti
            i += k + 1
        return out
