"""Did the sensor move in its clip during an outage?  (Stale calibration detection.)

Calibration ties sensor axes to the body; if the sensor is knocked or re-clipped while
the link is down, every angle after the reconnect is off and slump alerts would be false.
We compare the still gravity direction just before a gap (a disconnect, or a hole in
the data longer than ``gap_s``) with the first still window after it: a jump beyond
``jump_deg`` with no motion leading into it (the first window after the gap is already
still) looks like the sensor moved, not the person, so the calibration may be stale.
The flag clears when a still window comes back within ``clear_deg`` of the old direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class StaleNotice:
    """``stale`` True: the calibration may be stale (``angle_deg`` jump); False: it fits
    again."""

    t_s: float
    stale: bool
    angle_deg: float


class OrientationWatch:
    """Still-window gravity directions around data gaps.

    ``window_s``: length of a still window (s); ``still_g``: spread of |a| below which a
    window is still (g); ``wander_deg``: mean deviation of the direction below which it
    is still (deg); ``max_age_s``: a pre-gap reference older than this is not used (s).
    """

    def __init__(self, *, jump_deg: float = 25.0, clear_deg: float = 10.0,
                 window_s: float = 1.0, still_g: float = 0.03, wander_deg: float = 3.0,
                 gap_s: float = 1.0, max_age_s: float = 10.0) -> None:
        self.jump_deg, self.clear_deg = jump_deg, clear_deg
        self.window_s, self.still_g, self.wander_deg = window_s, still_g, wander_deg
        self.gap_s, self.max_age_s = gap_s, max_age_s
        self.stale = False
        self._buf_t: list[FloatArray] = []
        self._buf_a: list[FloatArray] = []
        self._last_t: float | None = None
        self._still_dir: FloatArray | None = None
        self._still_t = -np.inf
        self._ref: FloatArray | None = None  # pre-gap direction being compared against
        self._first_after_gap = False

    def gap(self) -> None:
        """A disconnect: compare the next window with the last still one before it."""
        self._buf_t.clear()
        self._buf_a.clear()
        if self._still_dir is not None and self._last_t is not None and (
                self._last_t - self._still_t <= self.max_age_s):
            if not self.stale:
                self._ref = self._still_dir
            self._first_after_gap = True

    def push(self, t: FloatArray, acc: FloatArray) -> list[StaleNotice]:
        """Samples ``t`` (n,) s, ``acc`` (3, n) g; returns changes of the stale flag."""
        if t.size == 0:
            return []
        if self._last_t is not None and float(t[0]) - self._last_t > self.gap_s:
            self.gap()
        self._last_t = float(t[-1])
        self._buf_t.append(t)
        self._buf_a.append(acc)
        if float(t[-1]) - float(self._buf_t[0][0]) < self.window_s:
            return []
        tt = np.concatenate(self._buf_t)
        aa = np.concatenate(self._buf_a, axis=1)
        self._buf_t.clear()
        self._buf_a.clear()
        return self._window(float(tt[-1]), aa)

    def _window(self, t_end: float, a: FloatArray) -> list[StaleNotice]:
        norm = np.linalg.norm(a, axis=0)
        d = a.mean(axis=1)
        d = d / (float(np.linalg.norm(d)) or 1.0)
        wander = float(np.degrees(np.arccos(np.clip(d @ (a / norm), -1, 1))).mean())
        still = float(norm.std()) < self.still_g and wander < self.wander_deg
        first, self._first_after_gap = self._first_after_gap, False
        if not still:
            if first and not self.stale:
                self._ref = None  # motion leads into the new orientation: a posture change
            return []
        self._still_dir, self._still_t = d, t_end
        if self._ref is None:
            return []
        angle = float(np.degrees(np.arccos(np.clip(self._ref @ d, -1, 1))))
        if first and not self.stale and angle > self.jump_deg:
            self.stale = True
            return [StaleNotice(t_end, True, round(angle, 1))]
        if self.stale and angle < self.clear_deg:
            self.stale = False
            self._ref = None
            return [StaleNotice(t_end, False, round(angle, 1))]
        if not self.stale:
            self._ref = None
        return []
