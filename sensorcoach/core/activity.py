"""Activity per frame: still, moving, walking, lying; debounced into bouts.

Raw class per frame from motion features and trunk tilt, in priority order: lying (tilt
from upright beyond ``lying_deg``), walking (rhythmic step-band energy), moving, still.
A new state must last ``activity_min_bout_s`` to replace the current one; shorter runs
are absorbed (a two-second stop in a walk is still the walk).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.motion import MotionFeatures
from sensorcoach.core.settings import Settings

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

STILL, MOVING, WALKING, LYING = 0, 1, 2, 3
ACTIVITY_NAMES = ("still", "moving", "walking", "lying")


def still_frames(features: MotionFeatures, settings: Settings) -> NDArray[np.bool_]:
    """Frames whose motion above 1 Hz stays under ``still_motion_g``."""
    return np.asarray(features.motion_rms_g < settings.still_motion_g)


def walking_frames(features: MotionFeatures, settings: Settings) -> NDArray[np.bool_]:
    """Frames with rhythmic step-band energy (before debouncing)."""
    return np.asarray((features.step_rms_g >= settings.walking_band_g)
                      & (features.step_ratio >= settings.walking_ratio))


def classify(features: MotionFeatures, tilt_deg: FloatArray, settings: Settings) -> IntArray:
    """Raw (undebounced) activity code per frame."""
    code = np.full(tilt_deg.shape, STILL, dtype=np.int64)
    code[~still_frames(features, settings)] = MOVING
    code[walking_frames(features, settings)] = WALKING
    code[tilt_deg >= settings.lying_deg] = LYING
    return code


def runs(codes: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(code, start index, length) of each run of equal codes."""
    if codes.size == 0:
        e = np.zeros(0, np.int64)
        return e, e, e
    starts = np.concatenate([[0], np.flatnonzero(np.diff(codes)) + 1])
    lengths = np.diff(np.append(starts, codes.size))
    return codes[starts], starts, lengths


class Debouncer:
    """Run-level debouncing that gives the same result however the input is split.

    ``push`` returns the resolved codes for the oldest pending frames; frames of a short
    run that may still grow into a new state wait until that is known.
    """

    def __init__(self, min_frames: int):
        self.min_frames = max(1, min_frames)
        self.current: int | None = None
        self._pending: list[list[int]] = []  # [code, length] runs not yet resolved

    def push(self, codes: IntArray) -> IntArray:
        out: list[tuple[int, int]] = []
        c_arr, _, l_arr = runs(codes)
        for c, n in zip(c_arr.tolist(), l_arr.tolist(), strict=True):
            if self.current is None:
                self.current = c
            if self._pending and self._pending[-1][0] == c:
                self._pending[-1][1] += n
            elif c == self.current and not self._pending:
                out.append((c, n))
                continue
            else:
                self._pending.append([c, n])
            last_code, last_len = self._pending[-1]
            if last_code == self.current:
                # back to the current state: everything pending was a blip
                out.append((self.current, sum(p[1] for p in self._pending)))
                self._pending.clear()
            elif last_len >= self.min_frames:
                absorbed = sum(p[1] for p in self._pending[:-1])
                if absorbed:
                    out.append((self.current, absorbed))
                self.current = last_code
                out.append((last_code, last_len))
                self._pending.clear()
        return _expand(out)

    def flush(self) -> IntArray:
        """End of stream: pending blips are absorbed into the current state."""
        if not self._pending or self.current is None:
            return np.zeros(0, np.int64)
        n = sum(p[1] for p in self._pending)
        self._pending.clear()
        return np.full(n, self.current, dtype=np.int64)


def _expand(parts: list[tuple[int, int]]) -> IntArray:
    if not parts:
        return np.zeros(0, np.int64)
    codes = np.array([p[0] for p in parts], dtype=np.int64)
    counts = np.array([p[1] for p in parts], dtype=np.int64)
    return np.repeat(codes, counts)
