"""The IMU: specific force and rate in the sensor frame, anti-aliasing and decimation,
noise, bias and drift, timestamp jitter and BLE-style dropouts.

Accelerometer (g): ``R_sw (a_world / g + [0, 0, 1]) + tremor_body / g`` rotated into the
sensor frame, with ``R_sw = (R_wb R_bs)^T``. Gyroscope (deg/s): the body angular velocity
rotated by ``R_bs^T``. Both are low-passed by a linear-phase FIR (Kaiser, ~80 dB stop
band, pass band to ~0.3 x rate, stop band from 0.5 x rate) and decimated from the fine
grid, like the digital low-pass of a real IMU, so content above the output Nyquist
(tremor at 12.5 or 25 Hz output) is attenuated instead of aliasing. Then white noise,
a constant bias per axis (plus a slow random-walk drift for the gyro), timestamps on
the nominal grid plus clipped jitter, and dropouts as bursts of removed samples.
Optional export faults (gyro axes, signs, units, scale) and slips of the sensor in its
clip come from :mod:`.faults`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import signal

from sensorcoach.simulate.config import SimConfig
from sensorcoach.simulate.faults import GyroExport, Slip, slip_motion
from sensorcoach.simulate.signals import FloatArray, loguniform
from sensorcoach.simulate.trajectory import G, Kinematics

#: The fine grid runs at an integer multiple of the output rate, at least this fast (Hz):
#: sixteen samples per cycle of the fastest (12.4 Hz) tremor content. 200 Hz is a common
#: multiple of 12.5, 25, 50 and 100 Hz, so the same seed gives the very same motion at all
#: of those rates (only sampling and the sensor differ): stability scores can be compared
#: across rates on one motion.
MIN_FINE_RATE_HZ = 200.0
#: Margin rendered before 0 and after the end (s), cropped after filtering.
MARGIN_S = 2.0
#: Dropout burst lengths (s), log-uniform: BLE connection-interval hiccups to short
#: reconnects.
DROPOUT_BURST_S = (0.1, 3.0)
BoolArray = NDArray[np.bool_]
#: Dropouts never touch the first and last second, so the recording keeps its extent.
_DROPOUT_GUARD_S = 1.0


@dataclass(frozen=True)
class Grid:
    """Output grid and the fine grid it is decimated from."""

    rate_hz: float
    factor: int
    """Fine samples per output sample."""
    n_out: int
    margin: int
    """Fine samples before output sample 0 (a multiple of ``factor``)."""

    @property
    def fine_rate_hz(self) -> float:
        return self.rate_hz * self.factor

    @property
    def fine_t(self) -> FloatArray:
        n = self.margin * 2 + (self.n_out - 1) * self.factor + 1
        out: FloatArray = (np.arange(n) - self.margin) / self.fine_rate_hz
        return out

    @property
    def out_index(self) -> NDArray[np.int64]:
        """Fine-grid index of each output sample."""
        out: NDArray[np.int64] = self.margin + np.arange(self.n_out, dtype=np.int64) * self.factor
        return out


def make_grid(rate_hz: float, duration_s: float) -> Grid:
    """Output samples at ``k / rate_hz`` for k = 0..round(duration x rate)."""
    factor = max(2, math.ceil(MIN_FINE_RATE_HZ / rate_hz - 1e-9))
    n_out = round(duration_s * rate_hz) + 1
    margin = factor * math.ceil(MARGIN_S * rate_hz)
    return Grid(rate_hz=rate_hz, factor=factor, n_out=n_out, margin=margin)


def antialias_filter(grid: Grid) -> FloatArray:
    """FIR taps for the decimating low-pass (unit DC gain, cut-off 0.4 x output rate)."""
    taps: FloatArray = signal.firwin(24 * grid.factor + 1, 0.4 * grid.rate_hz,
                                     fs=grid.fine_rate_hz, window=("kaiser", 8.0))
    return taps


def decimate(x: FloatArray, grid: Grid) -> FloatArray:
    """Low-pass and decimate fine-grid rows ``(3, N_fine)`` to the output grid."""
    y = signal.resample_poly(x, 1, grid.factor, axis=-1, window=antialias_filter(grid),
                             padtype="line")
    start = grid.margin // grid.factor
    out: FloatArray = np.ascontiguousarray(y[:, start:start + grid.n_out])
    return out


@dataclass(frozen=True)
class Measured:
    """What the sensor delivered (dropouts removed) and the truth at every output sample."""

    t: FloatArray
    acc: FloatArray
    """(3, n) g."""
    gyro: FloatArray | None
    """(3, n) deg/s, None for acc-only."""
    keep: BoolArray
    """Boolean mask over the full output grid: samples that survived dropouts."""
    truth_rot: FloatArray
    """``R_wb`` at every output sample (before dropouts), (n_out, 3, 3)."""
    gyro_bias_dps: FloatArray
    """The gyro bias (constant + drift) added at every output sample, (3, n_out)."""


def measure(kin: Kinematics, grid: Grid, mounting: FloatArray, cfg: SimConfig,
            rng_noise: np.random.Generator, rng_time: np.random.Generator,
            export: GyroExport | None = None, slips: Sequence[Slip] = ()) -> Measured:
    """Turn fine-grid kinematics into sensor samples per ``cfg``; ``export`` is how the
    gyro columns are written (:mod:`.faults`), ``slips`` turn the sensor in its clip."""
    # Specific force in the body frame: R^T (a/g + up) + tremor.
    f_world = kin.acc_world / G
    f_world[2] += 1.0
    f_body = np.einsum("nji,jn->in", kin.rot, f_world) + kin.acc_body_extra / G
    f_sensor = mounting.T @ f_body
    w_sensor = mounting.T @ kin.omega
    if slips:
        r_slip, w_slip = slip_motion(kin.t, list(slips))
        f_sensor = np.einsum("nji,jn->in", r_slip, f_sensor)
        w_sensor = np.einsum("nji,jn->in", r_slip, w_sensor) + w_slip
    acc = decimate(f_sensor, grid)
    gyro = decimate(np.degrees(w_sensor), grid)
    n = grid.n_out
    truth_rot = np.ascontiguousarray(kin.rot[grid.out_index])

    if cfg.acc_bias_g > 0:
        acc += rng_noise.normal(0.0, cfg.acc_bias_g, (3, 1))
    if cfg.acc_noise_g > 0:
        acc += rng_noise.normal(0.0, cfg.acc_noise_g, (3, n))
    bias = np.zeros((3, n))
    if cfg.gyro_bias_dps > 0:
        bias += rng_noise.normal(0.0, cfg.gyro_bias_dps, (3, 1))
        if cfg.bias_drift:
            bias += _random_walk(rng_noise, n, grid.rate_hz, 0.5 * cfg.gyro_bias_dps)
    gyro += bias
    if cfg.gyro_noise_dps > 0:
        gyro += rng_noise.normal(0.0, cfg.gyro_noise_dps, (3, n))
    if export is not None and export.kind != "none":
        gyro = export.matrix() @ gyro

    t = np.arange(n) / grid.rate_hz
    if cfg.timing_jitter_s > 0:
        # +-0.35 periods: time stays increasing and no two neighbours drift further
        # apart than 1.7 periods, so jitter alone never looks like a gap.
        lim = 0.35 / grid.rate_hz
        jitter = np.clip(rng_time.normal(0.0, cfg.timing_jitter_s, n), -lim, lim)
        jitter[0] = abs(jitter[0])  # time starts at >= 0
        t = t + jitter
    keep = dropout_mask(rng_time, n, grid.rate_hz, cfg.dropout_rate)
    return Measured(t=t[keep], acc=np.ascontiguousarray(acc[:, keep]),
                    gyro=None if cfg.acc_only else np.ascontiguousarray(gyro[:, keep]),
                    keep=keep, truth_rot=truth_rot, gyro_bias_dps=bias)


def _random_walk(rng: np.random.Generator, n: int, rate_hz: float,
                 std_at_30min: float) -> FloatArray:
    """Slow per-axis random walk (1 Hz steps, linearly interpolated) whose std reaches
    ``std_at_30min`` after 30 minutes; starts at 0."""
    n_steps = math.ceil((n - 1) / rate_hz) + 2
    steps = rng.normal(0.0, std_at_30min / math.sqrt(1800.0), (3, n_steps))
    steps[:, 0] = 0.0
    walk = np.cumsum(steps, axis=1)
    t = np.arange(n) / rate_hz
    knots = np.arange(n_steps, dtype=np.float64)
    out: FloatArray = np.stack([np.interp(t, knots, walk[i]) for i in range(3)])
    return out


def dropout_mask(rng: np.random.Generator, n: int, rate_hz: float,
                 fraction: float) -> BoolArray:
    """Boolean keep-mask with about ``fraction`` of samples removed in bursts of
    0.1-3 s at random places (never within the first or last second)."""
    keep = np.ones(n, dtype=bool)
    if fraction <= 0:
        return keep
    guard = math.ceil(_DROPOUT_GUARD_S * rate_hz)
    usable = n - 2 * guard
    target = round(fraction * n)
    if usable <= 0 or target <= 0:
        return keep
    dropped = 0
    for _ in range(10_000):
        if dropped >= target:
            break
        length = max(1, round(loguniform(rng, *DROPOUT_BURST_S) * rate_hz))
        length = min(length, usable)
        start = guard + int(rng.integers(0, usable - length + 1))
        seg = keep[start:start + length]
        dropped += int(seg.sum())
        seg[:] = False
    return keep
