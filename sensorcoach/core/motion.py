"""Motion features per frame: how much the trunk moves, and whether it moves like steps.

- ``motion_rms_g``: RMS of the frame-mean acceleration above 1 Hz, smoothed over about
  1 s. Seated postural sway and breathing (about 2 deg at 0.05-1 Hz) move the gravity
  projection by tens of mg, but below 1 Hz; reaching, turning, standing up and steps put
  tens to hundreds of mg above it. Sensor noise is mostly averaged out within frames.
- ``step_rms_g``: RMS over the last 3 s of the frame-mean acceleration magnitude above
  0.5 Hz: how hard the body bounces (0.07-0.19 g walking, 0.4-0.9 g jogging on SisFall).
- ``regularity``: how periodic that signal is over the same 3 s: the largest normalised
  autocorrelation at lags of 0.3-1.2 s (one step or one stride). Real walking scores
  0.5-0.98, a quick sit-down, a bend or a jump 0.1-0.5 (SisFall SA01-SA15/SE01-SE08).
  Energy *within* a frame (heel-strike impacts, which put large energy above 3 Hz into
  every frame of real gait) is deliberately not counted against the steps: the first
  detector did, and recognised 0% of real walking; nor is a smoothed band-energy ratio
  used, which stays "rhythmic" for seconds after any single jolt.
- ``cadence_hz``: how often the step-band (1.2-3.5 Hz) signal crosses zero over the last
  3 s, halved: the step frequency (about 1.7 Hz walking, 2.7 Hz jogging on SisFall).

All filters are causal and carry state, so blocks give the whole-stream result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.filters import Ema, IIRFilter
from sensorcoach.core.framing import Frames
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings

FloatArray = NDArray[np.float64]

#: Hz: the step band of the cadence estimate: slow walking to fast jogging
#: (BIOMECHANICS cadences 1.6-3.2 Hz, with margin). A definition, not a threshold.
STEP_BAND_HZ = (1.2, 3.5)


@dataclass(frozen=True)
class MotionFeatures:
    motion_rms_g: FloatArray
    step_rms_g: FloatArray
    regularity: FloatArray
    cadence_hz: FloatArray


class MotionAnalyser:
    """Stateful: frames in, :class:`MotionFeatures` out."""

    def __init__(self, frame_s: float, settings: Settings = DEFAULT_SETTINGS):
        fs = 1.0 / frame_s
        self._hp = IIRFilter(1.0, fs, "highpass")
        self._mag_hp = IIRFilter(0.5, fs, "highpass")
        self._band = IIRFilter(STEP_BAND_HZ, fs, "bandpass")
        self._motion = Ema(frame_s, 1.0)
        self._win = max(2, round(settings.gait_window_s / frame_s))
        self._window_s = self._win * frame_s
        self._lags = range(max(1, round(settings.gait_lag_min_s / frame_s)),
                           round(settings.gait_lag_max_s / frame_s) + 1)
        self._last_sign: bool | None = None
        self._crossings = np.zeros(self._win - 1)  # crossing flags of the frames before
        # high-passed |a| of the frames before (window plus the longest lag)
        self._x = np.zeros(self._win + self._lags[-1])

    def __call__(self, frames: Frames) -> MotionFeatures:
        acc = frames.acc
        hp = self._hp(acc)
        mean_sq = (acc * acc).sum(axis=0)
        energy = (hp * hp).sum(axis=0)
        motion = np.sqrt(self._motion(energy[None])[0])
        mag = np.sqrt(mean_sq)[None]
        band = self._band(mag)
        mhp = self._mag_hp(mag)[0]
        step, regular = self._gait(mhp)
        return MotionFeatures(motion, step, regular, self._cadence(band[0]))

    def _gait(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Windowed RMS and regularity of the high-passed magnitude, carried across blocks."""
        m = x.size
        if m == 0:
            return np.zeros(0), np.zeros(0)
        h = np.concatenate([self._x, x])
        self._x = h[-self._x.size:]
        w, off = self._win, h.size - m  # frame j of the block is h[off + j]

        end = np.arange(off, h.size) + 1

        def window_sum(v: FloatArray) -> FloatArray:
            c: FloatArray = np.concatenate([[0.0], np.cumsum(v)])
            out: FloatArray = c[end] - c[end - w]
            return out

        sq = h * h
        c_sq: FloatArray = np.concatenate([[0.0], np.cumsum(sq)])
        e0 = c_sq[end] - c_sq[end - w]
        rms = np.sqrt(np.maximum(e0, 0.0) / w)
        best = np.zeros(m)
        for lag in self._lags:
            prod = np.zeros(h.size)
            prod[lag:] = h[lag:] * h[:-lag]
            # the lagged window's energy is the same energy, lag frames earlier (the
            # history holds window + longest lag frames, so it is never cut)
            e_lag = c_sq[end - lag] - c_sq[end - lag - w]
            r = window_sum(prod) / np.sqrt(np.maximum(e0 * e_lag, 1e-18))
            best = np.maximum(best, r)
        return rms, best

    def _cadence(self, band: FloatArray) -> FloatArray:
        """Step frequency (Hz) from zero crossings of the step-band signal over the last
        :data:`CADENCE_WINDOW_S`, carried across blocks."""
        if band.size == 0:
            return np.zeros(0)
        sign = band >= 0
        cross = np.zeros(band.size)
        cross[1:] = sign[1:] != sign[:-1]
        if self._last_sign is not None:
            cross[0] = sign[0] != self._last_sign
        self._last_sign = bool(sign[-1])
        hist = np.concatenate([self._crossings, cross])
        c: FloatArray = np.concatenate([[0.0], np.cumsum(hist)])
        w = self._win
        counts: FloatArray = c[w:] - c[:-w]
        self._crossings = hist[-(w - 1):]
        return counts / (2.0 * self._window_s)
