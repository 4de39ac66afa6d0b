"""Causal filters that carry their state between blocks, so a stream cut anywhere gives the
result of one call on the whole (to floating-point rounding)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sensorcoach.core.iir import IIR, bandpass4, butter2, ema

FloatArray = NDArray[np.float64]


class IIRFilter(IIR):
    """A second-order Butterworth low-/high-pass, or a fourth-order band-pass (a tuple of
    cut-offs), over channels (axis 0) along time (axis 1), with state (see core.iir)."""

    def __init__(self, cutoff_hz: float | tuple[float, float], fs_hz: float,
                 btype: str = "lowpass"):
        if isinstance(cutoff_hz, tuple):
            b, a = bandpass4(cutoff_hz[0], cutoff_hz[1], fs_hz)
        else:
            b, a = butter2(cutoff_hz, fs_hz, btype)
        super().__init__(b, a)


class Ema(IIR):
    """Exponential moving average with time constant ``tau_s`` at step ``dt_s``."""

    def __init__(self, dt_s: float, tau_s: float):
        super().__init__(*ema(dt_s, tau_s))


def affine_scan(a: FloatArray, b: FloatArray, x0: FloatArray) -> FloatArray:
    """Solve the recursion ``x[k] = a[k] @ x[k-1] + b[k]`` for all k, vectorised.

    ``a`` (m, 3, 3), ``b`` (m, 3), ``x0`` (3,). A two-level scan: blocks of about sqrt(m)
    steps are solved side by side (numpy over blocks), then their end states are chained,
    so Python loops run about 2*sqrt(m) times instead of m.
    """
    m = a.shape[0]
    if m == 0:
        return np.zeros((0, 3))
    blk = max(16, int(math.sqrt(m)))
    nb = -(-m // blk)
    pad = nb * blk - m
    if pad:
        a = np.concatenate([a, np.broadcast_to(np.eye(3), (pad, 3, 3))])
        b = np.concatenate([b, np.zeros((pad, 3))])
    a4 = a.reshape(nb, blk, 3, 3)
    b3 = b.reshape(nb, blk, 3)
    prod = np.empty_like(a4)
    y = np.empty_like(b3)
    prod[:, 0] = a4[:, 0]
    y[:, 0] = b3[:, 0]
    for j in range(1, blk):
        prod[:, j] = a4[:, j] @ prod[:, j - 1]
        y[:, j] = (a4[:, j] @ y[:, j - 1, :, None])[..., 0] + b3[:, j]
    starts = np.empty((nb, 3))
    s = np.asarray(x0, dtype=np.float64)
    for i in range(nb):
        starts[i] = s
        s = prod[i, -1] @ s + y[i, -1]
    x = (prod @ starts[:, None, :, None])[..., 0] + y
    return x.reshape(nb * blk, 3)[:m]


def skew(v: FloatArray) -> FloatArray:
    """Cross-product matrices of vectors ``v`` (m, 3) -> (m, 3, 3)."""
    z = np.zeros(v.shape[0])
    return np.stack([np.stack([z, -v[:, 2], v[:, 1]], -1),
                     np.stack([v[:, 2], z, -v[:, 0]], -1),
                     np.stack([-v[:, 1], v[:, 0], z], -1)], -2)


def rotation_from_vector(rv: FloatArray) -> FloatArray:
    """Rotation matrices (m, 3, 3) for rotation vectors ``rv`` (m, 3) in radians (Rodrigues)."""
    theta = np.linalg.norm(rv, axis=1)
    safe = np.where(theta > 1e-12, theta, 1.0)
    k = skew(rv / safe[:, None])
    s = np.sin(theta)[:, None, None]
    c = (1 - np.cos(theta))[:, None, None]
    out: FloatArray = np.eye(3)[None] + s * k + c * (k @ k)
    return out
