"""Activity per frame: still, sitting, standing, moving, walking, running, bending, lying;
debounced into bouts.

Raw class per frame, from motion features and the trunk's angles relative to calibrated
upright (see :class:`ActivityClassifier` for the rules and where each threshold comes
from). A new state must last ``activity_min_bout_s`` to replace the current one; shorter
runs are absorbed (a two-second stop in a walk is still the walk).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.motion import MotionFeatures
from sensorcoach.core.settings import Settings

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

STILL, MOVING, WALKING, LYING, RUNNING, BENDING, SITTING, STANDING = range(8)
ACTIVITY_NAMES = ("still", "moving", "walking", "lying", "running", "bending", "sitting",
                  "standing")
#: States in which a person is on their feet and moving on: they break sedentary time.
ON_FOOT = (WALKING, RUNNING)
#: States in which a seated slump can happen (not lying, bending, walking or standing).
SEATED_OR_UNKNOWN = (STILL, MOVING, SITTING)


def still_frames(features: MotionFeatures, settings: Settings) -> BoolArray:
    """Frames whose motion above 1 Hz stays under ``still_motion_g``."""
    return np.asarray(features.motion_rms_g < settings.still_motion_g)


def walking_frames(features: MotionFeatures, settings: Settings) -> BoolArray:
    """Frames with rhythmic step-band energy, walking or running (before debouncing)."""
    return np.asarray((features.motion_rms_g >= settings.still_motion_g)
                      & (features.step_rms_g >= settings.walking_band_g)
                      & (features.regularity >= settings.walking_regularity))


def running_frames(features: MotionFeatures, settings: Settings,
                   gait: BoolArray | None = None) -> BoolArray:
    """Gait frames with jogging's intensity and cadence (``gait``: the walking frames, if
    already known)."""
    if gait is None:
        gait = walking_frames(features, settings)
    return np.asarray(gait & (features.step_rms_g >= settings.running_band_g)
                      & (features.cadence_hz >= settings.running_cadence_hz))


class ActivityClassifier:
    """Raw (undebounced) activity per frame, causal, carrying state between blocks.

    In order, later rules winning:
    1. ``moving`` where motion above 1 Hz exceeds ``still_motion_g``, else ``still``; with
       ``sit_stand``, still frames tilted less than ``sit_stand_deg`` from the standing
       reference are ``standing``, more ``sitting``.
    2. ``walking`` where the body bounces (``walking_band_g``) periodically
       (``walking_regularity``) with the trunk less than ``bend_deg`` from upright; ``running``
       where that energy exceeds ``running_band_g`` at a cadence of at least
       ``running_cadence_hz``.
    3. With the forward direction known: tilt beyond ``bend_deg`` towards the front (the
       trunk's tilt points more forward than sideways) is ``bending`` (a forward bend:
       picking something up, tying shoes), up to ``bend_max_s`` in a row;
       a forward bend held beyond that with the trunk past ``lying_deg`` is lying prone.
       Tilt beyond ``lying_deg`` in any other direction (on the back, on a side) is
       ``lying``. Without a known forward direction, tilt beyond ``lying_deg`` is ``lying``.
    """

    def __init__(self, settings: Settings, sit_stand: bool = False):
        """``sit_stand``: sitting and standing can be told by tilt (a waist sensor with a
        trusted standing reference; Vähä-Ypyä et al. 2018). Otherwise still upright is
        ``still``. Whether the forward direction is known comes with each block
        (``up_body``)."""
        self.s = settings
        self.sit_stand = sit_stand
        self._bend_run = 0  # consecutive forward-horizontal frames so far

    def __call__(self, features: MotionFeatures, tilt_deg: FloatArray,
                 up_body: FloatArray | None) -> IntArray:
        """``tilt_deg`` (m,) from upright; ``up_body`` (3, m) world-up in the body frame
        (forward, left, up), None when the forward direction is unknown."""
        s = self.s
        still = still_frames(features, s)
        code = np.where(still, STILL, MOVING).astype(np.int64)
        if self.sit_stand:
            code[still & (tilt_deg < s.sit_stand_deg)] = STANDING
            code[still & (tilt_deg >= s.sit_stand_deg)] = SITTING
        upright = tilt_deg < s.bend_deg
        gait = walking_frames(features, s)
        code[gait & upright] = WALKING
        code[running_frames(features, s, gait) & upright] = RUNNING
        horizontal = tilt_deg >= s.lying_deg
        if up_body is not None:
            # leaning forward moves world-up towards the body's back (-forward)
            fwd, side = -up_body[0], np.abs(up_body[1])
            bend = (tilt_deg >= s.bend_deg) & (fwd > side)
            code[bend] = BENDING
            code[horizontal & ~bend] = LYING
            prone = bend & horizontal
            code[prone & (self._runs(prone) > round(s.bend_max_s / s.frame_s))] = LYING
        else:
            code[horizontal] = LYING
        return code

    def _runs(self, mask: BoolArray) -> IntArray:
        """Length so far of the run of True each frame is in (0 where False), carried."""
        idx = np.arange(mask.size)
        last_false = np.maximum.accumulate(np.where(mask, -1, idx))
        run = np.where(last_false < 0, idx + 1 + self._bend_run, idx - last_false)
        run = np.where(mask, run, 0)
        if mask.size:
            self._bend_run = int(run[-1])
        return run.astype(np.int64)


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
