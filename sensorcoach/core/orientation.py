"""Gravity direction ("up") in the sensor frame, per frame, from the accelerometer alone or
aided by the gyroscope.

- :class:`AccelGravity`: a 2nd-order Butterworth low-pass of the accelerometer. Always
  available; right whenever the trunk is still or moving slowly, biased by sustained
  linear acceleration and lagging fast turns.
- :class:`GyroGravity`: a complementary filter. The gyro (bias-corrected) carries the up
  vector through fast motion, the accelerometer pulls it back with time constant
  ``gyro_tau_s``, less when |a| differs from 1 g (linear acceleration). Gyro bias is an
  exponential average of the gyro over still frames only, so a bias of a few deg/s
  (cheap MEMS, drifting with temperature) is learnt within seconds of sitting still.

Both are causal and carry state between blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.filters import Ema, IIRFilter, affine_scan, rotation_from_vector
from sensorcoach.core.iir import ema_alpha

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: g: |a| deviation from 1 g at which the accelerometer's weight halves.
ACC_TRUST_G = 0.05
#: The accelerometer's weight never drops below this share, so an uncorrected gyro bias
#: cannot walk the estimate away during long walks (tau at most gyro_tau_s / floor).
ACC_TRUST_FLOOR = 0.2


def normalise(v: FloatArray) -> FloatArray:
    """Unit vectors of (3, m) columns."""
    n = np.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    return v / np.where(n > 0, n, 1.0)


class AccelGravity:
    """Up direction = low-passed accelerometer, normalised."""

    def __init__(self, frame_s: float, cutoff_hz: float):
        self._lp = IIRFilter(cutoff_hz, 1.0 / frame_s)

    def __call__(self, acc: FloatArray, gyro: FloatArray | None = None,
                 still: BoolArray | None = None, restart: BoolArray | None = None) -> FloatArray:
        return normalise(self._lp(acc))


class GyroGravity:
    """Complementary filter on frames with still-gated gyro-bias estimation."""

    def __init__(self, frame_s: float, tau_s: float, bias_tau_s: float):
        self.frame_s = frame_s
        self.alpha = ema_alpha(frame_s, tau_s)
        self._bias_ema = Ema(frame_s, bias_tau_s)
        self.bias_dps = np.zeros(3)
        self._x: FloatArray | None = None

    def __call__(self, acc: FloatArray, gyro: FloatArray | None = None,
                 still: BoolArray | None = None, restart: BoolArray | None = None) -> FloatArray:
        """``acc`` (3, m) g, ``gyro`` (3, m) deg/s, ``still`` (m,) frames usable for bias,
        ``restart`` (m,) frames after a data gap (the filter re-seeds from the
        accelerometer there). Returns unit up vectors (3, m)."""
        if gyro is None:
            raise ValueError("GyroGravity needs gyro data")
        m = acc.shape[1]
        if m == 0:
            return np.zeros((3, 0))
        still = np.zeros(m, bool) if still is None else still
        bias = self._bias(gyro, still)
        omega = np.radians(gyro - bias)  # rad/s
        # A world-fixed vector seen from a sensor turning by w*dt turns by -w*dt.
        rot = rotation_from_vector(-(omega * self.frame_s).T)
        norm = np.sqrt((acc * acc).sum(axis=0))
        trust = ACC_TRUST_FLOOR + (1 - ACC_TRUST_FLOOR) / (1.0 + ((norm - 1.0) / ACC_TRUST_G) ** 2)
        alpha = self.alpha * trust
        if restart is not None:
            alpha = np.where(restart, 1.0, alpha)
        if self._x is None:
            alpha[0] = 1.0
            x0 = np.zeros(3)
        else:
            x0 = self._x
        a = (1.0 - alpha)[:, None, None] * rot
        b = (alpha * acc).T
        x = affine_scan(a, b, x0)
        self._x = x[-1].copy()
        return normalise(np.ascontiguousarray(x.T))

    def _bias(self, gyro: FloatArray, still: BoolArray) -> FloatArray:
        """Per-frame bias: an EMA over still frames, held between them (causal)."""
        m = gyro.shape[1]
        idx = np.flatnonzero(still)
        out = np.empty((3, m))
        if idx.size:
            est = self._bias_ema(gyro[:, idx])
            # frame k uses the estimate from the last still frame at or before k
            pos = np.searchsorted(idx, np.arange(m), side="right") - 1
            have = pos >= 0
            out[:, have] = est[:, pos[have]]
            out[:, ~have] = self.bias_dps[:, None]
            self.bias_dps = est[:, -1].copy()
        else:
            out[:] = self.bias_dps[:, None]
        return out
