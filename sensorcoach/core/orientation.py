"""Gravity direction ("up") in the sensor frame, per frame, from the accelerometer alone or
aided by the gyroscope.

- :class:`AccelGravity`: a 2nd-order Butterworth low-pass of the accelerometer. Always
  available; right whenever the trunk is still or moving slowly, biased by sustained
  linear acceleration and lagging fast turns.
- :class:`GyroGravity`: a complementary filter. The gyro (bias-corrected) carries the up
  vector through fast motion; the frame's accelerometer pulls it
  back with time constant ``gyro_tau_s`` when |a| is near 1 g (``gyro_trust_g``). During
  sustained motion (steps: the RMS of |a| - 1 g over ``gyro_motion_tau_s`` reaches
  ``gyro_gait_g``) every step's impact takes |a| far from 1 g, so a filter that trusted
  only |a| would let a gyro bias integrate for many seconds (issue 11: 68 deg while
  jogging). There the pull stays on as long as the *low-passed* |a|
  (``gyro_ref_cutoff_hz``: impacts average out) is near 1 g, and an extra pull toward
  the low-passed accelerometer (``gyro_gait_tau_s``) keeps step sway, which is not
  posture, out of the estimate: with it, even a gyro bias of a few deg/s unknown at the
  start (a recording that begins with jogging) moves the estimate by about a degree, not
  tens. The bias is an exponential average of the gyro over still frames
  (``gyro_bias_tau_s``), seeded by a gyro check's verdict (which measures it moving or
  still); the verdict's axes and scale apply too, and the up vector can be seeded. The
  state is the up vector: a block is one 3x3 affine scan, as cheap as the filter was
  before it learnt to survive impacts.

Both are causal and carry state between blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.filters import Ema, IIRFilter, affine_scan, rotation_from_vector
from sensorcoach.core.gyro_check import GyroVerdict
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def normalise(v: FloatArray) -> FloatArray:
    """Unit vectors of (3, m) columns."""
    n = np.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    return v / np.where(n > 0, n, 1.0)


#: deg/s: a frame whose gyro varied more than this (SD over ``REST_GYRO_TAU_S``) is
#: turning, not at rest, whatever the accelerometer shows: a bias is steady (design
#: choice: gyro noise is 0.05-0.1 deg/s RMS, BIOMECHANICS; posture changes turn the trunk
#: at 20-90 deg/s and back to zero within seconds; VQF's rest threshold is 2 deg/s).
REST_GYRO_DPS = 2.0
REST_GYRO_TAU_S = 1.0


class AccelGravity:
    """Up direction = low-passed accelerometer, normalised."""

    def __init__(self, frame_s: float, cutoff_hz: float):
        self._lp = IIRFilter(cutoff_hz, 1.0 / frame_s)

    def __call__(self, acc: FloatArray, gyro: FloatArray | None = None,
                 still: BoolArray | None = None, restart: BoolArray | None = None) -> FloatArray:
        return normalise(self._lp(acc))


class GyroGravity:
    """Complementary filter on frames, with still-gated gyro-bias estimation."""

    def __init__(self, frame_s: float, tau_s: float, bias_tau_s: float,
                 settings: Settings = DEFAULT_SETTINGS):
        """``tau_s``: pull toward the accelerometer; ``bias_tau_s``: bias averaging while
        still."""
        s = settings
        self.frame_s = frame_s
        self.tau_s = tau_s
        self.bias_tau_s = bias_tau_s
        self.trust_g = s.gyro_trust_g
        self.gait_g = s.gyro_gait_g
        self.gait_tau_s = s.gyro_gait_tau_s
        self._ref = IIRFilter(s.gyro_ref_cutoff_hz, 1.0 / frame_s)
        self._dyn = Ema(frame_s, s.gyro_motion_tau_s)
        self._bias_ema = Ema(frame_s, bias_tau_s)
        self._bias_fresh = True
        self.transform = np.eye(3)
        self.bias_dps = np.zeros(3)
        """Current gyro-bias estimate, deg/s, in the corrected frame."""
        self._g_moments = Ema(frame_s, REST_GYRO_TAU_S)  # the gyro's recent mean and square
        self._x: FloatArray | None = None

    def apply_verdict(self, verdict: GyroVerdict) -> None:
        """Use a gyro check's axis mapping and scale from now on, and its bias until still
        frames measure it again."""
        self.transform = np.asarray(verdict.transform, dtype=np.float64)
        self.bias_dps = np.asarray(verdict.bias_dps, dtype=np.float64).copy()
        self._bias_ema = Ema(self.frame_s, self.bias_tau_s)  # restarts in the new frame
        self._bias_fresh = True

    def seed(self, up: FloatArray) -> None:
        """Start (or restart) from a known up vector, e.g. the accelerometer-only estimate
        when the analysis switches to the gyro."""
        u = np.asarray(up, dtype=np.float64)
        self._x = u / max(float(np.linalg.norm(u)), 1e-12)

    def __call__(self, acc: FloatArray, gyro: FloatArray | None = None,
                 still: BoolArray | None = None, restart: BoolArray | None = None) -> FloatArray:
        """``acc`` (3, m) g, ``gyro`` (3, m) deg/s as delivered, ``still`` (m,) frames
        usable for bias, ``restart`` (m,) frames after a data gap (the filter re-seeds
        from the accelerometer there). Returns unit up vectors (3, m)."""
        if gyro is None:
            raise ValueError("GyroGravity needs gyro data")
        m = acc.shape[1]
        if m == 0:
            return np.zeros((3, 0))
        dt = self.frame_s
        g = self.transform @ gyro
        still = np.zeros(m, bool) if still is None else still
        # at rest the gyro reads a steady bias: a slow turn (lying down, 30-45 deg/s, no
        # motion above 1 Hz) is not rest, and averaged in it moved the bias 3 deg/s and
        # the up vector 8 deg for a minute (bias x tau_s)
        mom = self._g_moments(np.concatenate([g, g * g]))
        var = mom[3:] - mom[:3] ** 2
        still = still & (np.sqrt(np.maximum(var, 0.0).sum(axis=0)) < REST_GYRO_DPS)
        omega = np.radians(g - self._bias(g, still))  # rad/s, corrected frame
        # A world-fixed vector seen from a sensor turning by w*dt turns by -w*dt.
        rot = rotation_from_vector(-(omega * dt).T)
        # the frame's accelerometer, trusted when |a| (or, under sustained motion, the
        # low-passed |a|) is near 1 g; under sustained motion also the low-pass itself
        raw = np.sqrt((acc * acc).sum(axis=0))
        ra = acc / np.where(raw > 0, raw, 1.0)
        trust_a = 1.0 / (1.0 + ((raw - 1.0) / self.trust_g) ** 2)
        slow = self._ref(acc)
        norm = np.sqrt((slow * slow).sum(axis=0))
        rs = slow / np.where(norm > 0, norm, 1.0)
        trust_s = 1.0 / (1.0 + ((norm - 1.0) / self.trust_g) ** 2)
        dyn = np.sqrt(self._dyn(((raw - 1.0) ** 2)[None])[0])
        gait = np.minimum((dyn / self.gait_g) ** 2, 1.0)
        rate_a = np.maximum(trust_a, gait * trust_s) / self.tau_s
        rate_s = gait / self.gait_tau_s
        total = np.maximum(rate_a + rate_s, 1e-12)
        alpha = 1.0 - np.exp(-dt * total)
        r = (rate_a * ra + rate_s * rs) / total
        if restart is not None:
            alpha = np.where(restart, 1.0, alpha)
        if self._x is None:
            alpha[0] = 1.0
            x0 = np.zeros(3)
        else:
            x0 = self._x
        x = affine_scan((1.0 - alpha)[:, None, None] * rot, (alpha * r).T, x0)
        self._x = x[-1].copy()
        return normalise(np.ascontiguousarray(x.T))

    def _bias(self, gyro: FloatArray, still: BoolArray) -> FloatArray:
        """Per-frame bias: an EMA over still frames, held between them (causal)."""
        m = gyro.shape[1]
        idx = np.flatnonzero(still)
        out = np.empty((3, m))
        if idx.size:
            if self._bias_fresh:
                # start the average at the bias known so far (zero, or a verdict's), not
                # at the first still frame: one mislabelled frame must not become the bias
                self._bias_ema(self.bias_dps[:, None])
                self._bias_fresh = False
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
