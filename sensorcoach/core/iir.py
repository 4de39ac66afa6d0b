"""Causal IIR filters in plain numpy, with state, computed block-wise.

Why not scipy.signal: importing it costs 1.5-2.5 s (it pulls in scipy.stats), which
alone would break the 2 s budget for ``sensorcoach analyze`` from process start. The
filters here are tiny (first and second order, a fourth-order band-pass), so they are
designed in closed form (Butterworth via the bilinear transform with pre-warping) and run
as state-space recursions solved a block at a time with matrix products:

    x[n+1] = A x[n] + B u[n],   y[n] = C x[n] + D u[n]

For a block of L inputs the outputs are ``H u + O x0`` (H: the L x L impulse-response
Toeplitz matrix, O: the free response), and the next block's state is ``A^L x0 + G u``;
the chain of block states is a scan with a constant matrix, done by doubling. Cutting a stream into
other blocks changes results only by floating-point rounding.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

BLOCK = 64


def _bilinear2(num: tuple[float, float, float], den: tuple[float, float, float],
               k: float) -> tuple[FloatArray, FloatArray]:
    """Digital biquad from an analog prototype ``(n2 s^2 + n1 s + n0) /
    (d2 s^2 + d1 s + d0)`` with ``s = k (1 - z^-1) / (1 + z^-1)``."""
    n2, n1, n0 = num
    d2, d1, d0 = den
    b = np.array([n2 * k * k + n1 * k + n0, 2 * (n0 - n2 * k * k), n2 * k * k - n1 * k + n0])
    a = np.array([d2 * k * k + d1 * k + d0, 2 * (d0 - d2 * k * k), d2 * k * k - d1 * k + d0])
    return b / a[0], a / a[0]


def butter2(cutoff_hz: float, fs_hz: float, btype: str) -> tuple[FloatArray, FloatArray]:
    """Second-order Butterworth low- or high-pass (b, a); cut-off clipped below Nyquist."""
    fc = min(cutoff_hz, 0.45 * fs_hz)
    k = 1.0 / math.tan(math.pi * fc / fs_hz)  # pre-warped: s = k (1-z^-1)/(1+z^-1), wc = 1
    r2 = math.sqrt(2.0)
    if btype == "lowpass":
        return _bilinear2((0.0, 0.0, 1.0), (1.0, r2, 1.0), k)
    if btype == "highpass":
        return _bilinear2((1.0, 0.0, 0.0), (1.0, r2, 1.0), k)
    raise ValueError(f"unknown filter type {btype!r}")


def bandpass4(lo_hz: float, hi_hz: float, fs_hz: float) -> tuple[FloatArray, FloatArray]:
    """A fourth-order band-pass: second-order Butterworth high-pass at ``lo_hz`` in series
    with a second-order Butterworth low-pass at ``hi_hz``."""
    bh, ah = butter2(lo_hz, fs_hz, "highpass")
    bl, al = butter2(hi_hz, fs_hz, "lowpass")
    return np.convolve(bh, bl), np.convolve(ah, al)


def ema_alpha(dt_s: float, tau_s: float) -> float:
    """Per-step weight of an exponential moving average with time constant ``tau_s``."""
    return 1.0 - math.exp(-dt_s / tau_s)


def ema(dt_s: float, tau_s: float) -> tuple[FloatArray, FloatArray]:
    """First-order exponential moving average with time constant ``tau_s``."""
    alpha = ema_alpha(dt_s, tau_s)
    return np.array([alpha, 0.0]), np.array([1.0, alpha - 1.0])


class IIR:
    """A causal filter ``b/a`` over channels (axis 0) along time (axis 1), with state.

    The state starts at the steady state of the first input (a low-pass outputs it, a
    high-pass outputs zero), so a filter switched on mid-posture does not ring.
    """

    def __init__(self, b: FloatArray, a: FloatArray, block: int = BLOCK):
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        n = max(a.size, b.size) - 1
        a = np.pad(a / a[0], (0, n + 1 - a.size))
        b = np.pad(b / a[0], (0, n + 1 - b.size))
        self.order = n
        # transposed direct form II as a state-space system
        amat = np.zeros((n, n))
        amat[:, 0] = -a[1:]
        amat[:-1, 1:] = np.eye(n - 1)
        bvec = b[1:] - a[1:] * b[0]
        cvec = np.zeros(n)
        cvec[0] = 1.0
        d = b[0]
        self._a, self._b, self._c, self._d = amat, bvec, cvec, d
        size = block
        self.block = size
        apow = np.empty((size + 1, n, n))
        apow[0] = np.eye(n)
        for k in range(1, size + 1):
            apow[k] = amat @ apow[k - 1]
        self._apow = apow
        ab = apow[:size] @ bvec  # A^k B, k = 0..L-1
        self._ab = ab
        h = np.empty(size)
        h[0] = d
        h[1:] = ab[:-1] @ cvec  # C A^(k-1) B
        idx = np.arange(size)
        lag = idx[:, None] - idx[None, :]
        self._h = np.where(lag >= 0, h[np.clip(lag, 0, None)], 0.0)  # (L, L)
        self._o = apow[:size] .transpose(0, 2, 1) @ cvec  # (L, n): C A^i
        self._g = ab[::-1]  # (L, n): A^(L-1-j) B
        self._ht = np.ascontiguousarray(self._h.T)
        self._ot = np.ascontiguousarray(self._o.T)
        self._state: FloatArray | None = None
        # steady state for a unit step: x = (I - A)^-1 B
        self._x_unit = np.linalg.solve(np.eye(n) - amat, bvec)

    def __call__(self, x: FloatArray) -> FloatArray:
        """Filter ``x`` of shape (channels, m); returns the same shape."""
        x = np.asarray(x, dtype=np.float64)
        c, m = x.shape
        if m == 0:
            return x.copy()
        if self._state is None:
            self._state = x[:, :1] * self._x_unit[None, :]
        size = self.block
        nb = -(-m // size)
        u = np.zeros((c, nb * size))
        u[:, :m] = x
        flat = u.reshape(c * nb, size)  # 2-D so the products are single BLAS calls
        ub = flat.reshape(c, nb, size)
        y = (flat @ self._ht).reshape(c, nb, size)  # zero-state responses
        xin = (flat @ self._g).reshape(c, nb, self.order)  # contributions to next states
        # block start states s[i] = P s[i-1] + xin[i-1], s[0] = state: an inclusive scan
        # with a constant matrix, done by doubling (log2(nb) matrix products)
        starts = np.empty((c, nb, self.order))
        starts[:, 0] = self._state
        starts[:, 1:] = xin[:, :-1]
        pk = self._apow[size]
        step = 1
        while step < nb:
            starts[:, step:] += starts[:, :-step] @ pk.T
            pk = pk @ pk
            step *= 2
        y += (starts.reshape(c * nb, self.order) @ self._ot).reshape(c, nb, size)
        r = m - (nb - 1) * size  # valid samples in the last block
        last = starts[:, -1]
        tail = ub[:, -1, :r]
        self._state = last @ self._apow[r].T + tail @ self._ab[r - 1 - np.arange(r)]
        out: FloatArray = y.reshape(c, nb * size)[:, :m]
        return out
