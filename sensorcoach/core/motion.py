"""Motion features per frame: how much the trunk moves, and whether it moves like steps.

- ``motion_rms_g``: RMS of the frame-mean acceleration above 1 Hz, smoothed over about
  1 s. Seated postural sway and breathing (about 2 deg at 0.05-1 Hz) move the gravity
  projection by tens of mg, but below 1 Hz; reaching, turning, standing up and steps put
  tens to hundreds of mg above it. Sensor noise is mostly averaged out within frames.
- ``step_rms_g``: RMS of the acceleration magnitude in the step band (1.2-3 Hz; walking
  cadence is 1.6-2.2 Hz), smoothed over about 2 s; ``step_ratio`` is its share of all
  magnitude changes above 0.5 Hz: walking is rhythmic, reaching and turning are not.

All filters are causal and carry state, so blocks give the whole-stream result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.filters import Ema, IIRFilter
from sensorcoach.core.framing import Frames

FloatArray = NDArray[np.float64]

STEP_BAND_HZ = (1.2, 3.0)


@dataclass(frozen=True)
class MotionFeatures:
    motion_rms_g: FloatArray
    step_rms_g: FloatArray
    step_ratio: FloatArray


class MotionAnalyser:
    """Stateful: frames in, :class:`MotionFeatures` out."""

    def __init__(self, frame_s: float):
        fs = 1.0 / frame_s
        self._hp = IIRFilter(1.0, fs, "highpass")
        self._mag_hp = IIRFilter(0.5, fs, "highpass")
        self._band = IIRFilter(STEP_BAND_HZ, fs, "bandpass")
        self._motion = Ema(frame_s, 1.0)
        self._step_mag = Ema(frame_s, 2.0)

    def __call__(self, frames: Frames) -> MotionFeatures:
        acc = frames.acc
        hp = self._hp(acc)
        mean_sq = (acc * acc).sum(axis=0)
        within = np.maximum(frames.acc_sq - mean_sq, 0.0)
        energy = (hp * hp).sum(axis=0)
        motion = np.sqrt(self._motion(energy[None])[0])
        mag = np.sqrt(mean_sq)[None]
        band = self._band(mag)
        mhp = self._mag_hp(mag)
        both = self._step_mag(np.vstack([band * band, mhp * mhp + within[None]]))
        step, total = both[0], both[1]
        ratio = step / np.maximum(total, 1e-12)
        return MotionFeatures(motion, np.sqrt(step), ratio)
