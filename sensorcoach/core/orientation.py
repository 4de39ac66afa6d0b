"""Gravity direction ("up") in the sensor frame, per frame, from the accelerometer alone or
aided by the gyroscope.

- :class:`AccelGravity`: a 2nd-order Butterworth low-pass of the accelerometer. Always
  available; right whenever the trunk is still or moving slowly, biased by sustained
  linear acceleration and lagging fast turns.
- :class:`GyroGravity`: a complementary filter with an integral (bias) term, Mahony-style.
  The gyro carries the up vector through fast motion; the frame's accelerometer pulls it
  back with time constant ``gyro_tau_s`` when |a| is near 1 g (``gyro_trust_g``). During
  sustained motion (steps: the RMS of |a| - 1 g over ``gyro_motion_tau_s`` reaches
  ``gyro_gait_g``) every step's impact takes |a| far from 1 g, so a filter that trusted
  only |a| would let a gyro bias integrate for many seconds (issue 11: 68 deg while
  jogging). There the pull stays on as long as the *low-passed* |a|
  (``gyro_ref_cutoff_hz``: impacts average out) is near 1 g, and an extra pull toward
  the low-passed accelerometer (``gyro_gait_tau_s``) keeps step sway, which is not
  posture, out of the estimate. The gyro bias is learnt from the disagreement with that
  reference, moving or still (``gyro_bias_motion_tau_s``), so a bias unknown at the start
  cannot integrate into tens of degrees; for three time constants after a start, seed
  or data gap the disagreement is a start-up error, not bias, and teaches nothing. The
  state (up vector, bias) is 6-dimensional and linear per frame: a block is one affine
  scan. A gyro check's verdict (axes, scale, bias) can be applied, and the up vector
  seeded.

Both are causal and carry state between blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.filters import Ema, IIRFilter, affine_scan, rotation_from_vector, skew
from sensorcoach.core.gyro_check import GyroVerdict
from sensorcoach.core.settings import DEFAULT_SETTINGS, Settings

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Frames per internal step of GyroGravity (memory only: results do not depend on it).
_CHUNK = 32768


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
    """Complementary filter on frames with gyro-bias learning (an integral term)."""

    def __init__(self, frame_s: float, tau_s: float, bias_tau_s: float,
                 settings: Settings = DEFAULT_SETTINGS):
        """``tau_s``: pull toward the accelerometer; ``bias_tau_s``: kept for callers (the
        bias is learnt with ``settings.gyro_bias_motion_tau_s``, still or moving)."""
        s = settings
        self.frame_s = frame_s
        self.tau_s = tau_s
        self.bias_tau_s = s.gyro_bias_motion_tau_s
        self.trust_g = s.gyro_trust_g
        self.gait_g = s.gyro_gait_g
        self.gait_tau_s = s.gyro_gait_tau_s
        self._ref = IIRFilter(s.gyro_ref_cutoff_hz, 1.0 / frame_s)
        self._dyn = Ema(frame_s, s.gyro_motion_tau_s)
        self.transform = np.eye(3)
        self._z: FloatArray | None = None  # up (3) and bias (3, rad/s, corrected frame)
        self._bias0 = np.zeros(3)
        # frames after a start, seed or restart whose disagreement is a start-up error,
        # not bias: three time constants of the pull (5% of it left)
        self._calm_frames = round(3.0 * tau_s / frame_s)
        self._since_start = 0

    @property
    def bias_dps(self) -> FloatArray:
        """Current gyro-bias estimate, deg/s (in the corrected frame)."""
        return np.degrees(self._bias0 if self._z is None else self._z[3:])

    def apply_verdict(self, verdict: GyroVerdict) -> None:
        """Use a gyro check's axis mapping and scale from now on, and its bias."""
        self.transform = np.asarray(verdict.transform, dtype=np.float64)
        bias = np.radians(np.asarray(verdict.bias_dps, dtype=np.float64))
        if self._z is None:
            self._bias0 = bias
        else:
            self._z[3:] = bias

    def seed(self, up: FloatArray) -> None:
        """Start (or restart) from a known up vector, e.g. the accelerometer-only estimate
        when the analysis switches to the gyro."""
        u = np.asarray(up, dtype=np.float64)
        u = u / max(float(np.linalg.norm(u)), 1e-12)
        bias = self._bias0 if self._z is None else self._z[3:]
        self._z = np.concatenate([u, bias])
        self._since_start = 0

    def __call__(self, acc: FloatArray, gyro: FloatArray | None = None,
                 still: BoolArray | None = None, restart: BoolArray | None = None) -> FloatArray:
        """``acc`` (3, m) g, ``gyro`` (3, m) deg/s as delivered, ``still`` (unused: bias is
        learnt still or moving), ``restart`` (m,) frames after a data gap (the up vector
        re-seeds from the accelerometer there). Returns unit up vectors (3, m)."""
        if gyro is None:
            raise ValueError("GyroGravity needs gyro data")
        m = acc.shape[1]
        if m <= _CHUNK:
            return self._run(acc, gyro, restart)
        # bounded memory on long recordings (six 6x6 matrices per frame otherwise)
        return np.concatenate([
            self._run(acc[:, i:i + _CHUNK], gyro[:, i:i + _CHUNK],
                      None if restart is None else restart[i:i + _CHUNK])
            for i in range(0, m, _CHUNK)], axis=1)

    def _run(self, acc: FloatArray, gyro: FloatArray, restart: BoolArray | None) -> FloatArray:
        m = acc.shape[1]
        if m == 0:
            return np.zeros((3, 0))
        dt = self.frame_s
        omega = np.radians(self.transform @ gyro)  # rad/s, corrected frame
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
        beta = dt * np.maximum(trust_a, gait * trust_s) / (self.tau_s * self.bias_tau_s)
        if restart is not None:
            alpha = np.where(restart, 1.0, alpha)
        fresh = self._z is None
        if self._z is None:
            alpha[0] = 1.0
            z0 = np.concatenate([r[:, 0], self._bias0])
        else:
            z0 = self._z
        beta = np.where(self._since(m, restart, fresh) < self._calm_frames, 0.0, beta)
        # x- = R x - dt S b (S = [r]x: gravity turned by the bias); x = (1-a) x- + a r;
        # b = b - beta S x- (the disagreement turns into bias, Mahony's integral term)
        sk = skew(r.T)
        keep = (1.0 - alpha)[:, None, None]
        a6 = np.empty((m, 6, 6))
        a6[:, :3, :3] = keep * rot
        a6[:, :3, 3:] = -dt * keep * sk
        a6[:, 3:, :3] = -beta[:, None, None] * (sk @ rot)
        a6[:, 3:, 3:] = np.eye(3) + (beta * dt)[:, None, None] * (sk @ sk)
        b6 = np.zeros((m, 6))
        b6[:, :3] = (alpha * r).T
        z = affine_scan(a6, b6, z0)
        self._z = z[-1].copy()
        return normalise(np.ascontiguousarray(z[:, :3].T))

    def _since(self, m: int, restart: BoolArray | None, fresh: bool) -> FloatArray:
        """Frames since the last start, seed or restart, per frame of a block."""
        pos = np.arange(m)
        start = np.where(restart, pos, -1) if restart is not None else np.full(m, -1)
        if fresh:
            start[0] = 0
        last = np.maximum.accumulate(start)
        since = np.where(last >= 0, pos - last, self._since_start + 1 + pos)
        self._since_start = int(min(since[-1], 1 << 30))
        out: FloatArray = since.astype(np.float64)
        return out
